//! Path length and spread of positions.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::trajectory::{Trajectories, validate};

/// Path lengths of a set of trajectories.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::path_length;
///
/// // A 3-4-5 step, then back: total 10 over 2 steps.
/// let t = DMatrix::from_column_slice(2, 3, &[0.0, 0.0, 3.0, 4.0, 0.0, 0.0]);
/// let p = path_length(&t).unwrap();
/// assert_eq!(p.totals, vec![10.0]);
/// assert_eq!(p.per_step, 5.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathLength {
    /// Per trajectory, `Σ_t ‖x_{t+1} − x_t‖`.
    pub totals: Vec<f64>,
    /// Mean of the totals.
    pub mean_total: f64,
    /// Pooled length per step: the sum of the totals over the total number of steps.
    pub per_step: f64,
}

/// Path length (total and per step) of each trajectory (at least 2 time steps each).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::path_length;
///
/// let a = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 3.0]); // length 3 in 2 steps
/// let b = DMatrix::from_row_slice(1, 2, &[0.0, -1.0]); // length 1 in 1 step
/// let p = path_length(&[a, b]).unwrap();
/// assert_eq!(p.mean_total, 2.0);
/// assert_eq!(p.per_step, 4.0 / 3.0);
/// ```
pub fn path_length<T: Trajectories + ?Sized>(trajs: &T) -> Result<PathLength> {
    let trajs = trajs.as_trajectories();
    let d = validate("trajs", trajs, 2)?;
    let mut steps = 0;
    let totals: Vec<f64> = trajs
        .iter()
        .map(|t| {
            steps += t.ncols() - 1;
            let pts = t.as_slice();
            pts.chunks_exact(d)
                .zip(pts[d..].chunks_exact(d))
                .map(|(a, b)| {
                    a.iter()
                        .zip(b)
                        .map(|(u, v)| (v - u) * (v - u))
                        .sum::<f64>()
                        .sqrt()
                })
                .sum()
        })
        .collect();
    let sum: f64 = totals.iter().sum();
    Ok(PathLength {
        mean_total: sum / totals.len() as f64,
        per_step: sum / steps as f64,
        totals,
    })
}

/// Spread of positions pooled over all time steps of all trajectories (or over a point set).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::position_variance;
///
/// let x = DMatrix::from_row_slice(2, 4, &[1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 2.0, -2.0]);
/// let v = position_variance(&x).unwrap();
/// assert_eq!(v.per_dim, vec![4.0 / 3.0, 8.0 / 3.0]);
/// assert_eq!(v.total, 4.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionVariance {
    /// Sample variance (denominator `N − 1`) of each coordinate.
    pub per_dim: Vec<f64>,
    /// Trace of the sample covariance: the sum of `per_dim`.
    pub total: f64,
}

/// Variance of positions, pooled over all columns of all trajectories (at least 2 in all).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::position_variance;
///
/// let a = DMatrix::from_row_slice(1, 1, &[0.0]);
/// let b = DMatrix::from_row_slice(1, 1, &[2.0]);
/// assert_eq!(position_variance(&[a, b]).unwrap().total, 2.0);
/// ```
pub fn position_variance<T: Trajectories + ?Sized>(trajs: &T) -> Result<PositionVariance> {
    let trajs = trajs.as_trajectories();
    let d = validate("trajs", trajs, 1)?;
    let count: usize = trajs.iter().map(|t| t.ncols()).sum();
    if count < 2 {
        return Err(crate::MetricsError::InvalidParameter {
            field: "trajs",
            value: format!("{count} position"),
            reason: "a variance needs at least 2 positions",
        });
    }
    // Two passes (mean, then squared deviations) for accuracy far from the origin.
    let mut mean = vec![0.0; d];
    for t in trajs {
        for x in t.as_slice().chunks_exact(d) {
            mean.iter_mut().zip(x).for_each(|(m, v)| *m += v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= count as f64);
    let mut per_dim = vec![0.0; d];
    for t in trajs {
        for x in t.as_slice().chunks_exact(d) {
            for ((s, v), m) in per_dim.iter_mut().zip(x).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
    }
    per_dim.iter_mut().for_each(|s| *s /= (count - 1) as f64);
    Ok(PositionVariance {
        total: per_dim.iter().sum(),
        per_dim,
    })
}
