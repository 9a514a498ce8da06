//! Reproducible subsampling of large point sets.

use nalgebra::DMatrix;
use rand::Rng;

use crate::{Result, check};

/// `k` distinct points of `x` (`dim × n`, one column per point) drawn uniformly without
/// replacement from `rng`, kept in their original order. If `k ≥ n` all points are returned.
///
/// The same RNG state gives the same subsample, so exact distances on large sets can be made
/// affordable and still reproducible.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_metrics::subsample;
///
/// let x = DMatrix::from_fn(2, 1000, |i, j| (i * 1000 + j) as f64);
/// let a = subsample(&x, 100, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
/// let b = subsample(&x, 100, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
/// assert_eq!(a.shape(), (2, 100));
/// assert_eq!(a, b);
/// ```
pub fn subsample<R: Rng + ?Sized>(x: &DMatrix<f64>, k: usize, rng: &mut R) -> Result<DMatrix<f64>> {
    check::points("x", x)?;
    check::positive("k", k)?;
    let n = x.ncols();
    if k >= n {
        return Ok(x.clone());
    }
    let mut idx = rand::seq::index::sample(rng, n, k).into_vec();
    idx.sort_unstable();
    Ok(x.select_columns(idx.iter()))
}
