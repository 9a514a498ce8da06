//! Single paths, the stationary position law, and the assembly of paths into a [`Batch`].

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::{Batch, Encode};

/// A position in the plane, `[x, y]`.
pub type Point = [f64; 2];

/// One agent moving through a task, one step at a time.
///
/// A walker holds the agent's full state (position, heading, speed, ...), so long runs need no
/// storage: sample a path with [`Walker::step`] and keep only what is measured.
///
/// ```
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_tasks::{TrackTask, TrackParams, Walker};
///
/// let track = TrackTask::triangle(TrackParams::default()).unwrap();
/// let mut rng = ChaCha8Rng::seed_from_u64(1);
/// let mut walker = track.walker(&mut rng);
/// let before = walker.position();
/// let after = walker.step(&mut rng);
/// assert_eq!(after, walker.position());
/// assert!(((after[0] - before[0]).powi(2) + (after[1] - before[1]).powi(2)).sqrt() < 0.2);
/// ```
pub trait Walker {
    /// The current position.
    fn position(&self) -> Point;

    /// Advances one step and returns the new position.
    fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Point;
}

/// The distribution of positions the agent occupies in the long run.
///
/// ```
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_tasks::{StationaryPositions, TrackTask, TrackParams};
///
/// let track = TrackTask::linear(TrackParams::default()).unwrap();
/// let xs = track.sample_positions(&mut ChaCha8Rng::seed_from_u64(0), 100);
/// assert_eq!(xs.len(), 100);
/// assert!(xs.iter().all(|p| p[1] == 0.0 && p[0].abs() <= 1.0));
/// ```
pub trait StationaryPositions {
    /// Draws `n` positions from the stationary distribution.
    fn sample_positions<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Point>;
}

/// Implements [`Task`](crate::Task) for a task with an inherent `walker(&self, rng)` that
/// starts one path: each path of a batch is one fresh walker. `$dim` is the code dimension,
/// computed from `$this` (the task).
macro_rules! walker_task {
    ($task:ty, |$this:ident| $dim:expr) => {
        impl $crate::Task for $task {
            fn output_dim(&self) -> usize {
                let $this = self;
                $dim
            }

            fn sample_batch<T: nalgebra::RealField + Copy, R: rand::Rng + ?Sized>(
                &self,
                rng: &mut R,
                batch_size: usize,
                steps: usize,
            ) -> $crate::Batch<T> {
                $crate::walk::batch_from_walkers(self, rng, batch_size, steps, |rng| {
                    self.walker(rng)
                })
            }
        }
    };
}

/// Implements [`Encode`](crate::Encode) and [`Decode`](crate::Decode) for a task whose code is
/// its 2-D position.
macro_rules! position_code {
    ($task:ty) => {
        impl $crate::Encode for $task {
            fn encode_into(&self, x: $crate::Point, code: &mut [f64]) {
                code.copy_from_slice(&x);
            }
        }

        impl $crate::Decode for $task {
            fn code_dim(&self) -> usize {
                2
            }

            fn decode_slice(&self, code: &[f64]) -> $crate::Point {
                [code[0], code[1]]
            }
        }
    };
}

pub(crate) use {position_code, walker_task};

/// Converts an `f64` matrix to the training scalar, once.
pub(crate) fn convert_matrix<T: RealField + Copy>(m: &DMatrix<f64>) -> DMatrix<T> {
    m.map(nalgebra::convert::<f64, T>)
}

/// Runs one walker per path and lays the paths out as a [`Batch`].
///
/// Inputs are the differences of consecutive positions, so positions integrate the inputs up to
/// rounding by construction. Every buffer is allocated once, before the first step.
pub(crate) fn batch_from_walkers<T, E, W, R, F>(
    encoder: &E,
    rng: &mut R,
    batch_size: usize,
    steps: usize,
    mut start: F,
) -> Batch<T>
where
    T: RealField + Copy,
    E: Encode + ?Sized,
    W: Walker,
    R: Rng + ?Sized,
    F: FnMut(&mut R) -> W,
{
    let n = batch_size * steps;
    let dim = encoder.output_dim();
    let mut inputs = DMatrix::<f64>::zeros(2, n);
    let mut positions = DMatrix::<f64>::zeros(2, n);
    let mut targets = DMatrix::<f64>::zeros(dim, n);
    let mut start_positions = DMatrix::<f64>::zeros(2, batch_size);
    let mut initial_codes = DMatrix::<f64>::zeros(dim, batch_size);
    for b in 0..batch_size {
        let mut walker = start(rng);
        let x0 = walker.position();
        start_positions[(0, b)] = x0[0];
        start_positions[(1, b)] = x0[1];
        encoder.encode_into(
            x0,
            &mut initial_codes.as_mut_slice()[b * dim..(b + 1) * dim],
        );
        let mut previous = x0;
        for t in 0..steps {
            let x = walker.step(rng);
            let col = t * batch_size + b;
            inputs[(0, col)] = x[0] - previous[0];
            inputs[(1, col)] = x[1] - previous[1];
            positions[(0, col)] = x[0];
            positions[(1, col)] = x[1];
            encoder.encode_into(x, &mut targets.as_mut_slice()[col * dim..(col + 1) * dim]);
            previous = x;
        }
    }
    Batch {
        batch_size,
        steps,
        inputs: convert_matrix(&inputs),
        targets: convert_matrix(&targets),
        positions: convert_matrix(&positions),
        start_positions: convert_matrix(&start_positions),
        initial_codes: convert_matrix(&initial_codes),
    }
}
