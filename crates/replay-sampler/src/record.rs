//! Watching a run: an observer trait and a preallocated trajectory recorder.

use nalgebra::{DMatrixView, RealField};

use crate::error::{SamplerError, positive_count};
use crate::state::SamplerState;

/// Receives the state after every step of [`Integrator::run`](crate::Integrator::run).
///
/// Any `FnMut(&SamplerState<T>)` closure is an observer.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_sampler::{Observer, SamplerState};
///
/// let mut largest = 0.0_f64;
/// let mut watch = |s: &SamplerState<f64>| largest = largest.max(s.positions().amax());
/// let state = SamplerState::new(DMatrix::from_element(1, 1, -2.5))?;
/// watch.observe(&state);
/// assert_eq!(largest, 2.5);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
pub trait Observer<T: RealField + Copy> {
    /// Looks at the state after a step.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::{Observer, SamplerState};
    ///
    /// let mut steps = Vec::new();
    /// let state = SamplerState::new(DMatrix::<f32>::zeros(1, 1))?;
    /// (|s: &SamplerState<f32>| steps.push(s.steps_taken())).observe(&state);
    /// assert_eq!(steps, [0]);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn observe(&mut self, state: &SamplerState<T>);
}

impl<T: RealField + Copy, F: FnMut(&SamplerState<T>)> Observer<T> for F {
    fn observe(&mut self, state: &SamplerState<T>) {
        self(state)
    }
}

/// Records the positions every `stride` steps into one preallocated buffer.
///
/// Frame `k` is a `dim × batch` column-major block; the buffer holds `capacity` frames without
/// reallocating (more frames still record, at the cost of growing the buffer).
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{EulerMaruyama, Integrator, Observer, SamplerState, Trajectory};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let mut state = SamplerState::new(DMatrix::<f64>::zeros(2, 4))?;
/// let mut traj = Trajectory::new(2, 4, 5, 21)?; // every 5th step of 100, plus the start
/// traj.observe(&state); // step 0
/// let mut rng = ChaCha8Rng::seed_from_u64(3);
/// EulerMaruyama::langevin(0.05)?.run(&mut state, &IsotropicGaussian::standard(2), None, 100, &mut rng, &mut traj)?;
/// assert_eq!(traj.len(), 21);
/// assert_eq!(traj.step_of(20), 100);
/// assert_eq!(traj.frame(20), state.positions().as_view::<nalgebra::Dyn, nalgebra::Dyn, nalgebra::U1, nalgebra::Dyn>());
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory<T: RealField + Copy> {
    dim: usize,
    batch: usize,
    stride: usize,
    data: Vec<T>,
    steps: Vec<usize>,
}

impl<T: RealField + Copy> Trajectory<T> {
    /// An empty recorder for `dim × batch` states, keeping every `stride`-th step, with room for
    /// `capacity` frames. `dim`, `batch` and `stride` must be positive.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{SamplerError, Trajectory};
    ///
    /// assert!(Trajectory::<f32>::new(2, 8, 1, 100).is_ok());
    /// assert!(matches!(
    ///     Trajectory::<f32>::new(2, 8, 0, 100),
    ///     Err(SamplerError::InvalidParameter { name: "stride", .. })
    /// ));
    /// ```
    pub fn new(
        dim: usize,
        batch: usize,
        stride: usize,
        capacity: usize,
    ) -> Result<Self, SamplerError> {
        positive_count("dim", dim)?;
        positive_count("batch", batch)?;
        positive_count("stride", stride)?;
        Ok(Self {
            dim,
            batch,
            stride,
            data: Vec::with_capacity(capacity.saturating_mul(dim * batch)),
            steps: Vec::with_capacity(capacity),
        })
    }

    /// Number of recorded frames.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Trajectory;
    ///
    /// assert_eq!(Trajectory::<f64>::new(1, 1, 1, 10)?.len(), 0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether nothing has been recorded.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Trajectory;
    ///
    /// assert!(Trajectory::<f64>::new(1, 1, 1, 10)?.is_empty());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The positions of frame `k` (`dim × batch`). Panics if `k >= len()`, like slice indexing.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::{Observer, SamplerState, Trajectory};
    ///
    /// let mut traj = Trajectory::new(1, 2, 1, 1)?;
    /// traj.observe(&SamplerState::new(DMatrix::from_column_slice(1, 2, &[1.0, 2.0]))?);
    /// assert_eq!(traj.frame(0)[(0, 1)], 2.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn frame(&self, k: usize) -> DMatrixView<'_, T> {
        let size = self.dim * self.batch;
        DMatrixView::from_slice(&self.data[k * size..(k + 1) * size], self.dim, self.batch)
    }

    /// The state's step count when frame `k` was recorded.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::{Observer, SamplerState, Trajectory};
    ///
    /// let mut traj = Trajectory::new(1, 1, 1, 1)?;
    /// traj.observe(&SamplerState::new(DMatrix::from_element(1, 1, 0.0))?);
    /// assert_eq!(traj.step_of(0), 0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn step_of(&self, k: usize) -> usize {
        self.steps[k]
    }

    /// All frames back to back: entry `(i, j)` of frame `k` is at `k·dim·batch + j·dim + i`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::{Observer, SamplerState, Trajectory};
    ///
    /// let mut traj = Trajectory::new(1, 2, 1, 2)?;
    /// let state = SamplerState::new(DMatrix::from_column_slice(1, 2, &[5.0, 6.0]))?;
    /// traj.observe(&state);
    /// traj.observe(&state);
    /// assert_eq!(traj.as_slice(), &[5.0, 6.0, 5.0, 6.0]);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }
}

impl<T: RealField + Copy> Observer<T> for Trajectory<T> {
    /// Records the positions if the state's step count is a multiple of the stride and the
    /// shape matches; states of another shape are ignored.
    fn observe(&mut self, state: &SamplerState<T>) {
        let fits = state.positions.shape() == (self.dim, self.batch);
        if fits && state.steps.is_multiple_of(self.stride) {
            self.data.extend_from_slice(state.positions.as_slice());
            self.steps.push(state.steps);
        }
    }
}
