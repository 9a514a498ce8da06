//! The one way every integrator draws its Gaussian noise.
//!
//! Convention (shared by every integrator in this crate, and by any hand-written reference that
//! wants to reproduce a trajectory bit for bit): at the start of each step, before the drift is
//! evaluated or anything else touches the random number generator, the step draws **all** of its
//! standard normals at once with [`fill_standard_normal`], in column-major order (all
//! coordinates of trajectory 0, then of trajectory 1, …). A scheme that needs several noise
//! vectors per step (OBABO needs two) draws them as consecutive `dim × batch` blocks, the first
//! block first. A step always draws its noise, even when the noise scale is zero, so that the
//! stream of random numbers does not depend on parameter values.

use nalgebra::{DMatrix, RealField};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Overwrites every entry of `out` with an independent standard normal, in column-major order.
///
/// This is the exact sequence of draws an integrator makes at the start of a step (see the module
/// documentation), so a reference implementation calling it on a `dim × batch` matrix with an RNG
/// in the same state obtains the same `ξ`.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use rand_distr::{Distribution, StandardNormal};
/// use replay_sampler::fill_standard_normal;
///
/// let mut xi = DMatrix::<f64>::zeros(2, 3);
/// fill_standard_normal(&mut xi, &mut ChaCha8Rng::seed_from_u64(7));
///
/// // Same as drawing one by one, column after column.
/// let mut rng = ChaCha8Rng::seed_from_u64(7);
/// for j in 0..3 {
///     for i in 0..2 {
///         let z: f64 = StandardNormal.sample(&mut rng);
///         assert_eq!(xi[(i, j)], z);
///     }
/// }
/// ```
pub fn fill_standard_normal<T, R>(out: &mut DMatrix<T>, rng: &mut R)
where
    T: RealField + Copy,
    R: Rng + ?Sized,
    StandardNormal: Distribution<T>,
{
    fill_slice(out.as_mut_slice(), rng);
}

/// Fills a column-major buffer with standard normals, first entry first.
pub(crate) fn fill_slice<T, R>(out: &mut [T], rng: &mut R)
where
    T: RealField + Copy,
    R: Rng + ?Sized,
    StandardNormal: Distribution<T>,
{
    for x in out.iter_mut() {
        *x = StandardNormal.sample(rng);
    }
}
