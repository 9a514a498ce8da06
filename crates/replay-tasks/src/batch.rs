//! The batch of paths a task yields, laid out for training without copies.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

/// A batch of `batch_size` paths of `steps` steps each.
///
/// Every per-step matrix stores step `t` of path `b` in column `t * batch_size + b`, so the
/// columns of one step form a contiguous block: `inputs.columns(t * batch_size, batch_size)` is
/// the `n_in × batch_size` input of step `t` for the whole batch, with no copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T: RealField + Copy> {
    /// Number of paths.
    pub batch_size: usize,
    /// Number of steps per path.
    pub steps: usize,
    /// Velocity inputs `u_t` (the displacement in step `t`), `2 × (steps · batch_size)`.
    pub inputs: DMatrix<T>,
    /// Target codes `y*_t` after step `t`, `n_out × (steps · batch_size)`.
    pub targets: DMatrix<T>,
    /// True positions `x_t` after step `t`, `2 × (steps · batch_size)`.
    pub positions: DMatrix<T>,
    /// Start positions `x_0`, `2 × batch_size`.
    pub start_positions: DMatrix<T>,
    /// Code of the start positions `y*_0`, `n_out × batch_size` (the network's `h_0 = E y*_0`).
    pub initial_codes: DMatrix<T>,
}

impl<T: RealField + Copy> Batch<T> {
    /// Column index of step `t` of path `b`.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_tasks::Batch;
    /// let batch = Batch::<f64> {
    ///     batch_size: 3,
    ///     steps: 2,
    ///     inputs: DMatrix::zeros(2, 6),
    ///     targets: DMatrix::zeros(2, 6),
    ///     positions: DMatrix::zeros(2, 6),
    ///     start_positions: DMatrix::zeros(2, 3),
    ///     initial_codes: DMatrix::zeros(2, 3),
    /// };
    /// assert_eq!(batch.column(1, 2), 5);
    /// ```
    pub fn column(&self, t: usize, b: usize) -> usize {
        t * self.batch_size + b
    }
}

/// A path-integration task: a generator of batches of paths and their codes.
///
/// # Example
///
/// ```
/// use nalgebra::{DMatrix, RealField};
/// use rand::Rng;
/// use replay_tasks::{Batch, Task};
///
/// /// Stands still at the origin.
/// struct Still;
///
/// impl Task for Still {
///     fn output_dim(&self) -> usize {
///         2
///     }
///     fn sample_batch<T: RealField + Copy, R: Rng + ?Sized>(
///         &self,
///         _rng: &mut R,
///         batch_size: usize,
///         steps: usize,
///     ) -> Batch<T> {
///         let n = batch_size * steps;
///         Batch {
///             batch_size,
///             steps,
///             inputs: DMatrix::zeros(2, n),
///             targets: DMatrix::zeros(2, n),
///             positions: DMatrix::zeros(2, n),
///             start_positions: DMatrix::zeros(2, batch_size),
///             initial_codes: DMatrix::zeros(2, batch_size),
///         }
///     }
/// }
///
/// let batch: Batch<f32> = Still.sample_batch(&mut rand::rng(), 4, 10);
/// assert_eq!(batch.inputs.ncols(), 40);
/// ```
pub trait Task {
    /// Dimension of the target code (2 for positions, the number of place cells otherwise).
    fn output_dim(&self) -> usize;

    /// Draws `batch_size` independent paths of `steps` steps from `rng`.
    ///
    /// Paths are generated in `f64` and converted to `T` once, so an `f32` batch feeds training
    /// directly and an `f64` batch serves exactness tests.
    fn sample_batch<T: RealField + Copy, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        batch_size: usize,
        steps: usize,
    ) -> Batch<T>;

    /// Dimension of the velocity input (2 for every task in this crate).
    fn input_dim(&self) -> usize {
        2
    }
}
