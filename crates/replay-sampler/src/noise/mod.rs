//! The one way every integrator draws its Gaussian noise.
//!
//! Convention (shared by every integrator in this crate, by the trainer of `replay-core`, and by
//! any hand-written reference that wants to reproduce a trajectory bit for bit): at the start of
//! each step, before the drift is evaluated or anything else touches the random number
//! generator, the step draws **all** of its standard normals at once with
//! [`fill_standard_normal`], in column-major order (all coordinates of trajectory 0, then of
//! trajectory 1, …). A scheme that needs several noise vectors per step (OBABO needs two) draws
//! them as consecutive `dim × batch` blocks, the first block first. A step always draws its
//! noise, even when the noise scale is zero, so that the stream of random numbers does not
//! depend on parameter values.
//!
//! The normals themselves: a call filling `n` entries takes the generator's next `2⌈n/2⌉`
//! 32-bit words `w₀, w₁, …` (as `next_u32` would return them) and sets entries `2i` and `2i + 1`
//! to [`standard_normal_pair`]`(w₂ᵢ, w₂ᵢ₊₁)`; for odd `n` the last pair's sine is discarded.
//! Filling `a` entries and then `b` therefore gives exactly the entries of one fill of `a + b`
//! whenever `a` is even. The values are computed in single precision and widened exactly for
//! `f64`, so a single- and a double-precision run from the same seed see the same noise; their
//! resolution (`2⁻²⁴` relative) lies far below the sampling error of anything estimated from
//! them. Box–Muller rather than a ziggurat because it has no data-dependent branches: it runs
//! sixteen lanes at a time.

mod box_muller;

pub use box_muller::standard_normal_pair;

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::simd::widest;

/// Version of the convention above: it changes whenever the normals drawn from a given generator
/// state change, so that anything cached from seeded draws (trained networks, replay results)
/// can name the convention it was made under and be recomputed rather than reused across it.
/// Version 1 drew one `f64` ziggurat normal per entry and rounded it; version 2 is the
/// Box–Muller transform of pairs of 32-bit words described above.
///
/// # Example
///
/// ```
/// assert_eq!(replay_sampler::NOISE_CONVENTION, 2);
/// ```
pub const NOISE_CONVENTION: u32 = 2;

/// Words drawn from the generator at a time: enough for the vector loop to pay, small enough to
/// live on the stack (2 KiB).
const CHUNK: usize = 512;

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
/// use rand::{RngCore, SeedableRng};
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{fill_standard_normal, standard_normal_pair};
///
/// let mut xi = DMatrix::<f64>::zeros(2, 3);
/// fill_standard_normal(&mut xi, &mut ChaCha8Rng::seed_from_u64(7));
///
/// // Column by column, one pair of generator words per pair of entries.
/// let mut rng = ChaCha8Rng::seed_from_u64(7);
/// for j in 0..3 {
///     let (c, s) = standard_normal_pair(rng.next_u32(), rng.next_u32());
///     assert_eq!((xi[(0, j)], xi[(1, j)]), (f64::from(c), f64::from(s)));
/// }
/// ```
pub fn fill_standard_normal<T, R>(out: &mut DMatrix<T>, rng: &mut R)
where
    T: RealField + Copy,
    R: Rng + ?Sized,
{
    fill_standard_normal_slice(out.as_mut_slice(), rng);
}

/// Overwrites every entry of `out` with an independent standard normal, first entry first: the
/// draws of [`fill_standard_normal`] on a matrix stored as `out`.
///
/// # Example
///
/// ```
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::fill_standard_normal_slice;
///
/// // An even first part continues the stream exactly where one long fill would.
/// let mut whole = [0.0f32; 10];
/// fill_standard_normal_slice(&mut whole, &mut ChaCha8Rng::seed_from_u64(3));
/// let mut parts = [0.0f32; 10];
/// let mut rng = ChaCha8Rng::seed_from_u64(3);
/// let (first, second) = parts.split_at_mut(4);
/// fill_standard_normal_slice(first, &mut rng);
/// fill_standard_normal_slice(second, &mut rng);
/// assert_eq!(whole, parts);
/// ```
pub fn fill_standard_normal_slice<T, R>(out: &mut [T], rng: &mut R)
where
    T: RealField + Copy,
    R: Rng + ?Sized,
{
    let mut words = [0u32; CHUNK];
    for block in out.chunks_mut(CHUNK) {
        let words = &mut words[..block.len().next_multiple_of(2)];
        rng.fill(&mut *words);
        widest(
            #[inline(always)]
            || transform(words, block),
        );
    }
}

/// Entries `2i, 2i + 1` of `out` from words `2i, 2i + 1`; `words` has `out.len()` rounded up to
/// even.
#[inline(always)]
fn transform<T: RealField + Copy>(words: &[u32], out: &mut [T]) {
    let widen = |z: f32| -> T { T::from_subset(&f64::from(z)) };
    let mut pairs = out.chunks_exact_mut(2);
    for (o, w) in (&mut pairs).zip(words.chunks_exact(2)) {
        let (c, s) = standard_normal_pair(w[0], w[1]);
        o[0] = widen(c);
        o[1] = widen(s);
    }
    if let [last] = pairs.into_remainder() {
        let n = words.len();
        *last = widen(standard_normal_pair(words[n - 2], words[n - 1]).0);
    }
}
