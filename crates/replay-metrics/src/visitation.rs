//! Region visitation and occupancy entropy.

use serde::{Deserialize, Serialize};

use crate::trajectory::{Trajectories, validate};
use crate::{MetricsError, Result, check};

/// How trajectories spread over a partition into regions.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::visitation;
///
/// // Regions are the unit cells [k, k+1) on a line of 4 cells.
/// let t = DMatrix::from_row_slice(1, 4, &[0.5, 1.5, 1.6, 0.2]);
/// let v = visitation(&t, 4, |x| Some(x[0].floor() as usize)).unwrap();
/// assert_eq!(v.per_trajectory, vec![0.5]);
/// assert_eq!(v.occupancy, vec![0.5, 0.5, 0.0, 0.0]);
/// assert!((v.entropy - 2f64.ln()).abs() < 1e-15);
/// assert!((v.normalized_entropy - 0.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visitation {
    /// Per trajectory, the fraction of the regions it visits at least once.
    pub per_trajectory: Vec<f64>,
    /// Mean of `per_trajectory`.
    pub mean_fraction: f64,
    /// Fraction of assigned time steps (pooled over trajectories) spent in each region.
    pub occupancy: Vec<f64>,
    /// Shannon entropy of `occupancy`, in nats (0 if no step was assigned).
    pub entropy: f64,
    /// `entropy / ln(region count)`, in `[0, 1]` (0 for a single region).
    pub normalized_entropy: f64,
    /// Fraction of all time steps that fell in no region.
    pub unassigned_fraction: f64,
}

/// Region visitation of trajectories, given `n_regions` regions and an assignment of a position
/// to a region (`None` for positions outside every region).
///
/// An index `≥ n_regions` from `assign` is an error naming the index.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::visitation;
///
/// // Two regions: left (x < 0) and right (x > 1); the band between belongs to neither.
/// let assign = |x: &[f64]| if x[0] < 0.0 { Some(0) } else if x[0] > 1.0 { Some(1) } else { None };
/// let a = DMatrix::from_row_slice(1, 4, &[-1.0, 0.5, 2.0, 3.0]);
/// let b = DMatrix::from_row_slice(1, 4, &[-1.0, -2.0, 0.5, 0.5]);
/// let v = visitation(&[a, b], 2, assign).unwrap();
/// assert_eq!(v.per_trajectory, vec![1.0, 0.5]);
/// assert_eq!(v.mean_fraction, 0.75);
/// assert_eq!(v.occupancy, vec![0.6, 0.4]);
/// assert_eq!(v.unassigned_fraction, 3.0 / 8.0);
/// ```
pub fn visitation<T, F>(trajs: &T, n_regions: usize, assign: F) -> Result<Visitation>
where
    T: Trajectories + ?Sized,
    F: Fn(&[f64]) -> Option<usize>,
{
    let trajs = trajs.as_trajectories();
    check::positive("n_regions", n_regions)?;
    let d = validate("trajs", trajs, 1)?;
    let mut counts = vec![0usize; n_regions];
    let mut visited = vec![false; n_regions];
    let mut per_trajectory = Vec::with_capacity(trajs.len());
    let mut steps = 0usize;
    for t in trajs {
        visited.fill(false);
        for x in t.as_slice().chunks_exact(d) {
            steps += 1;
            if let Some(k) = assign(x) {
                if k >= n_regions {
                    return Err(MetricsError::RegionOutOfRange {
                        field: "assign",
                        value: k,
                        count: n_regions,
                    });
                }
                counts[k] += 1;
                visited[k] = true;
            }
        }
        per_trajectory.push(visited.iter().filter(|&&v| v).count() as f64 / n_regions as f64);
    }
    let assigned: usize = counts.iter().sum();
    let occupancy: Vec<f64> = counts
        .iter()
        .map(|&c| {
            if assigned > 0 {
                c as f64 / assigned as f64
            } else {
                0.0
            }
        })
        .collect();
    let entropy = -occupancy
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|p| p * p.ln())
        .sum::<f64>();
    let normalized_entropy = if n_regions > 1 {
        entropy / (n_regions as f64).ln()
    } else {
        0.0
    };
    Ok(Visitation {
        mean_fraction: per_trajectory.iter().sum::<f64>() / per_trajectory.len() as f64,
        per_trajectory,
        occupancy,
        entropy,
        normalized_entropy,
        unassigned_fraction: (steps - assigned) as f64 / steps as f64,
    })
}
