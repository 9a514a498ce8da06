//! A tiny path-integration task for examples and tests: a 2-D Gaussian random walk whose target
//! code is the position itself.

use nalgebra::{DMatrix, RealField};
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};
use replay_tasks::{Batch, Task};

/// Start uniform in `[−start_range, start_range]²`, then `x_{t+1} = x_t + u_t` with velocities
/// `u_t ~ N(0, step_std² I)`; the network sees `u_t` and must output `x_{t+1}`.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::toy::RandomWalk;
/// use replay_tasks::{Batch, Task};
///
/// let batch: Batch<f64> = RandomWalk::default().sample_batch(&mut ChaCha8Rng::seed_from_u64(0), 3, 4);
/// // The target after step t is the start plus the sum of the first t + 1 velocities.
/// let b = 1;
/// let mut x = batch.start_positions.column(b).into_owned();
/// for t in 0..4 {
///     x += batch.inputs.column(batch.column(t, b));
///     assert!((batch.targets.column(batch.column(t, b)) - &x).norm() < 1e-12);
/// }
/// assert_eq!(batch.initial_codes, batch.start_positions);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomWalk {
    /// Standard deviation of each velocity component per step.
    pub step_std: f64,
    /// Half-width of the square the walk starts in.
    pub start_range: f64,
}

impl Default for RandomWalk {
    /// Steps of s.d. 0.1 from a start in `[−0.5, 0.5]²`.
    fn default() -> Self {
        Self {
            step_std: 0.1,
            start_range: 0.5,
        }
    }
}

impl Task for RandomWalk {
    fn output_dim(&self) -> usize {
        2
    }

    fn sample_batch<T: RealField + Copy, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        batch_size: usize,
        steps: usize,
    ) -> Batch<T> {
        let tb = batch_size * steps;
        let mut inputs = DMatrix::zeros(2, tb);
        let mut positions = DMatrix::zeros(2, tb);
        let mut start = DMatrix::zeros(2, batch_size);
        // Invalid parameters (negative or NaN) degrade to standing still rather than panicking.
        let step = Normal::new(0.0, self.step_std).unwrap_or(Normal::new(0.0, 0.0).expect("0"));
        let r = self.start_range.abs();
        let start_dist =
            Uniform::new_inclusive(-r, r).unwrap_or(Uniform::new_inclusive(0.0, 0.0).expect("0"));
        let mut x = vec![[0.0f64; 2]; batch_size];
        for (b, xb) in x.iter_mut().enumerate() {
            for (k, xk) in xb.iter_mut().enumerate() {
                *xk = start_dist.sample(rng);
                start[(k, b)] = nalgebra::convert(*xk);
            }
        }
        for t in 0..steps {
            for (b, xb) in x.iter_mut().enumerate() {
                let col = t * batch_size + b;
                for (k, xk) in xb.iter_mut().enumerate() {
                    let u = step.sample(rng);
                    *xk += u;
                    inputs[(k, col)] = nalgebra::convert(u);
                    positions[(k, col)] = nalgebra::convert(*xk);
                }
            }
        }
        Batch {
            batch_size,
            steps,
            inputs,
            targets: positions.clone(),
            positions,
            initial_codes: start.clone(),
            start_positions: start,
        }
    }
}
