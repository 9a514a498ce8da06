//! Alignment of a drift field with a reference score.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::{MetricsError, Result, check};

/// Mean cosine between paired vectors.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::cosine_alignment;
///
/// let drift = DMatrix::from_column_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]);
/// let score = DMatrix::from_column_slice(2, 2, &[3.0, 0.0, 1.0, 1.0]);
/// let a = cosine_alignment(&drift, &score).unwrap();
/// assert!((a.mean_cosine - (1.0 + 0.5f64.sqrt()) / 2.0).abs() < 1e-15);
/// assert_eq!(a.used, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// Mean of `cos∠(drift_i, score_i)` over the points where both vectors are non-zero, in `[−1, 1]`.
    pub mean_cosine: f64,
    /// Number of points that entered the mean.
    pub used: usize,
    /// Number of points skipped because one of the two vectors was zero (no direction).
    pub skipped: usize,
}

/// Mean cosine alignment between a drift field and a reference score evaluated at the same
/// points: column `i` of `drift` and of `score` (both `dim × n`) are the two vectors at point `i`.
///
/// Evaluate the drift of the sampler (e.g. the network's deterministic update minus the state)
/// and the reference score (analytic, or [`GaussianKde::score`](crate::GaussianKde::score)) at
/// the points of interest, then compare here. Points where either vector is exactly zero have no
/// direction and are skipped (and counted); if every point is skipped, that is an error.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::cosine_alignment;
///
/// // A drift pointing against the score everywhere.
/// let score = DMatrix::from_fn(2, 5, |i, j| (i + j) as f64 + 1.0);
/// let a = cosine_alignment(&(-&score), &score).unwrap();
/// assert!((a.mean_cosine + 1.0).abs() < 1e-15);
/// ```
pub fn cosine_alignment(drift: &DMatrix<f64>, score: &DMatrix<f64>) -> Result<Alignment> {
    check::points("drift", drift)?;
    check::points("score", score)?;
    check::same("score (rows = dimension)", drift.nrows(), score.nrows())?;
    check::same("score (columns = points)", drift.ncols(), score.ncols())?;
    let mut total = 0.0;
    let mut used = 0;
    for (a, b) in drift.column_iter().zip(score.column_iter()) {
        let (na, nb) = (a.norm(), b.norm());
        if na > 0.0 && nb > 0.0 {
            total += (a.dot(&b) / (na * nb)).clamp(-1.0, 1.0);
            used += 1;
        }
    }
    if used == 0 {
        return Err(MetricsError::InvalidParameter {
            field: "drift, score",
            value: format!("{} zero-vector pairs", drift.ncols()),
            reason: "every pair has a zero vector, so no cosine is defined",
        });
    }
    Ok(Alignment {
        mean_cosine: total / used as f64,
        used,
        skipped: drift.ncols() - used,
    })
}
