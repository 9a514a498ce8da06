//! Mean and mean-squared displacement versus lag, and the power-law exponent of the MSD.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::trajectory::{Trajectories, validate};
use crate::{MetricsError, Result};

/// Where displacements are measured from.
///
/// ```
/// use replay_metrics::LagOrigin;
/// assert_ne!(LagOrigin::Start, LagOrigin::Sliding);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LagOrigin {
    /// From the first position: `x_τ − x_0`, averaged over trajectories (replay from a start).
    Start,
    /// From every time step: `x_{t+τ} − x_t`, averaged over all `t` and trajectories (stationary
    /// processes; many more pairs per trajectory).
    Sliding,
}

/// Mean displacement and mean-squared displacement (MSD) at lags `1..=max_lag`.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{LagOrigin, displacement_curve};
///
/// let t = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 2.0, 3.0]);
/// let c = displacement_curve(&t, 3, LagOrigin::Start).unwrap();
/// assert_eq!(c.lags, vec![1, 2, 3]);
/// assert_eq!(c.mean_displacement, vec![1.0, 2.0, 3.0]);
/// assert_eq!(c.msd, vec![1.0, 4.0, 9.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplacementCurve {
    /// The lags `1..=max_lag`, in steps.
    pub lags: Vec<usize>,
    /// Mean Euclidean displacement `E‖Δx‖` at each lag.
    pub mean_displacement: Vec<f64>,
    /// Mean squared displacement `E‖Δx‖²` at each lag.
    pub msd: Vec<f64>,
}

/// A least-squares fit of `ln y = ln A + α ln τ`.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{LagOrigin, displacement_curve};
///
/// let t = DMatrix::from_row_slice(1, 5, &[0.0, 2.0, 4.0, 6.0, 8.0]);
/// let fit = displacement_curve(&t, 4, LagOrigin::Start).unwrap().fit_exponent(1..=4).unwrap();
/// assert!((fit.exponent - 2.0).abs() < 1e-12);
/// assert!((fit.prefactor - 4.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    /// The exponent `α` (MSD: diffusive ≈ 1, ballistic = 2).
    pub exponent: f64,
    /// The prefactor `A`.
    pub prefactor: f64,
    /// Coefficient of determination of the log-log fit.
    pub r_squared: f64,
}

/// Mean displacement and MSD versus lag for `τ = 1..=max_lag`. Every trajectory needs at least
/// `max_lag + 1` time steps; lags pool over trajectories (and, for [`LagOrigin::Sliding`], over
/// all time origins, each pair weighted equally).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{LagOrigin, displacement_curve};
///
/// // Back and forth: every one-step displacement has length 1, every two-step one is 0.
/// let t = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 0.0, 1.0]);
/// let c = displacement_curve(&t, 2, LagOrigin::Sliding).unwrap();
/// assert_eq!(c.msd, vec![1.0, 0.0]);
/// ```
pub fn displacement_curve<T: Trajectories + ?Sized>(
    trajs: &T,
    max_lag: usize,
    origin: LagOrigin,
) -> Result<DisplacementCurve> {
    let trajs = trajs.as_trajectories();
    crate::check::positive("max_lag", max_lag)?;
    let d = validate("trajs", trajs, max_lag.saturating_add(1))?;
    let mut sum = vec![0.0; max_lag];
    let mut sum_sq = vec![0.0; max_lag];
    let mut count = vec![0usize; max_lag];
    for t in trajs {
        let pts = t.as_slice();
        let len = t.ncols();
        let origins = match origin {
            LagOrigin::Start => 1,
            LagOrigin::Sliding => len - 1,
        };
        for lag in 1..=max_lag {
            for s in 0..origins.min(len - lag) {
                let a = &pts[s * d..(s + 1) * d];
                let b = &pts[(s + lag) * d..(s + lag + 1) * d];
                let sq: f64 = a.iter().zip(b).map(|(u, v)| (v - u) * (v - u)).sum();
                sum[lag - 1] += sq.sqrt();
                sum_sq[lag - 1] += sq;
                count[lag - 1] += 1;
            }
        }
    }
    Ok(DisplacementCurve {
        lags: (1..=max_lag).collect(),
        mean_displacement: sum.iter().zip(&count).map(|(s, &c)| s / c as f64).collect(),
        msd: sum_sq
            .iter()
            .zip(&count)
            .map(|(s, &c)| s / c as f64)
            .collect(),
    })
}

impl DisplacementCurve {
    /// Fits `MSD(τ) ≈ A τ^α` by least squares on `(ln τ, ln MSD)` over the lags in `lags`
    /// (at least two distinct lags, all within the curve, all with positive MSD).
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{LagOrigin, displacement_curve};
    ///
    /// let t = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 2.0, 3.0]);
    /// let c = displacement_curve(&t, 3, LagOrigin::Start).unwrap();
    /// assert!((c.fit_exponent(1..=3).unwrap().exponent - 2.0).abs() < 1e-12);
    /// assert!(c.fit_exponent(2..=2).is_err());
    /// ```
    pub fn fit_exponent(&self, lags: RangeInclusive<usize>) -> Result<PowerLawFit> {
        let (lo, hi) = (*lags.start(), *lags.end());
        let max = self.lags.len();
        if lo < 1 || hi > max || lo >= hi {
            return Err(MetricsError::InvalidParameter {
                field: "lags",
                value: format!("{lo}..={hi}"),
                reason: "needs two or more lags within 1..=max_lag of the curve",
            });
        }
        let mut xs = Vec::with_capacity(hi - lo + 1);
        let mut ys = Vec::with_capacity(hi - lo + 1);
        for lag in lo..=hi {
            let m = self.msd[lag - 1];
            if !(m > 0.0 && m.is_finite()) {
                return Err(MetricsError::InvalidParameter {
                    field: "msd",
                    value: format!("{m} at lag {lag}"),
                    reason: "a log-log fit needs positive, finite MSD values",
                });
            }
            xs.push((lag as f64).ln());
            ys.push(m.ln());
        }
        let k = xs.len() as f64;
        let mx = xs.iter().sum::<f64>() / k;
        let my = ys.iter().sum::<f64>() / k;
        let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
        let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
        let syy: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
        let exponent = sxy / sxx;
        let intercept = my - exponent * mx;
        let ss_res: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (y - intercept - exponent * x).powi(2))
            .sum();
        let r_squared = if syy > 0.0 { 1.0 - ss_res / syy } else { 1.0 };
        Ok(PowerLawFit {
            exponent,
            prefactor: intercept.exp(),
            r_squared,
        })
    }
}
