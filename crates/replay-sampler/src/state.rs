//! The mutable state of a batch of sampler trajectories, with its reusable buffers.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, finite_entries, first_non_finite, shape};
use crate::noise::fill_standard_normal_slice;

/// Steps drawing at least this many standard normals evaluate their drift on another thread
/// meanwhile. Handing work to a sleeping thread and waiting for it costs tens of microseconds on
/// a virtual machine: it doubled a replay step that draws 8192 normals, whose draw takes about
/// 10 µs. At 102 400 normals (about 0.1 ms of drawing beside a drift of about 1 ms) overlapping
/// and drawing first measured the same; overlapping is kept for drifts cheaper than their noise.
const OVERLAP_NOISE: usize = 1 << 15;

/// Positions (one trajectory per column), optional velocities and adaptation, and the buffers a
/// step reuses (drift output, noise, effective current), so that stepping allocates nothing.
///
/// Velocities and adaptation start as `None`; a scheme that needs them creates them as zeros on
/// its first step (`v_0 = 0`, `a_0 = 0`), which is the only allocation stepping ever makes.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_sampler::SamplerState;
///
/// let state = SamplerState::new(DMatrix::<f64>::zeros(3, 10))?;
/// assert_eq!((state.dim(), state.batch()), (3, 10));
/// assert!(state.velocities().is_none());
/// assert_eq!(state.steps_taken(), 0);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SamplerState<T: RealField + Copy> {
    pub(crate) positions: DMatrix<T>,
    pub(crate) velocities: Option<DMatrix<T>>,
    pub(crate) adaptation: Option<DMatrix<T>>,
    pub(crate) drift: DMatrix<T>,
    pub(crate) noise: DMatrix<T>,
    pub(crate) current: DMatrix<T>,
    pub(crate) steps: usize,
}

impl<T: RealField + Copy> SamplerState<T> {
    /// A state at `positions` (`dim × batch`, finite, non-empty) with no velocity or adaptation.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::{SamplerError, SamplerState};
    ///
    /// let bad = DMatrix::from_column_slice(1, 2, &[0.0, f64::NAN]);
    /// assert_eq!(
    ///     SamplerState::new(bad).unwrap_err(),
    ///     SamplerError::NonFinite { name: "positions", index: 1 }
    /// );
    /// ```
    pub fn new(positions: DMatrix<T>) -> Result<Self, SamplerError> {
        finite_entries("positions", positions.as_slice())?;
        let (rows, cols) = positions.shape();
        Ok(Self {
            drift: DMatrix::zeros(rows, cols),
            noise: DMatrix::zeros(rows, cols),
            current: DMatrix::zeros(0, 0),
            positions,
            velocities: None,
            adaptation: None,
            steps: 0,
        })
    }

    /// Sets initial velocities (same shape as the positions, finite).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::<f64>::zeros(2, 1))?
    ///     .with_velocities(DMatrix::from_element(2, 1, 0.5))?;
    /// assert_eq!(state.velocities().unwrap()[(1, 0)], 0.5);
    /// assert!(SamplerState::new(DMatrix::<f64>::zeros(2, 1))?
    ///     .with_velocities(DMatrix::zeros(3, 1))
    ///     .is_err());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn with_velocities(mut self, velocities: DMatrix<T>) -> Result<Self, SamplerError> {
        shape("velocities", velocities.shape(), self.positions.shape())?;
        finite_entries("velocities", velocities.as_slice())?;
        self.velocities = Some(velocities);
        Ok(self)
    }

    /// Sets the initial adaptation variable (same shape as the positions, finite).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::<f64>::zeros(2, 1))?
    ///     .with_adaptation(DMatrix::from_element(2, 1, 0.1))?;
    /// assert_eq!(state.adaptation().unwrap()[(0, 0)], 0.1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn with_adaptation(mut self, adaptation: DMatrix<T>) -> Result<Self, SamplerError> {
        shape("adaptation", adaptation.shape(), self.positions.shape())?;
        finite_entries("adaptation", adaptation.as_slice())?;
        self.adaptation = Some(adaptation);
        Ok(self)
    }

    /// The positions `x_t`, one trajectory per column.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::from_element(1, 2, 3.0_f32))?;
    /// assert_eq!(state.positions().as_slice(), &[3.0, 3.0]);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn positions(&self) -> &DMatrix<T> {
        &self.positions
    }

    /// The velocities `v_t`, if the state has any (set, or created by a second-order step).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::<f64>::zeros(1, 1))?;
    /// assert!(state.velocities().is_none());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn velocities(&self) -> Option<&DMatrix<T>> {
        self.velocities.as_ref()
    }

    /// The adaptation variable `a_t`, if the state has one (set, or created by an adapted step).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::<f64>::zeros(1, 1))?;
    /// assert!(state.adaptation().is_none());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn adaptation(&self) -> Option<&DMatrix<T>> {
        self.adaptation.as_ref()
    }

    /// The drift evaluated by the most recent step (its last evaluation, for splitting schemes
    /// that evaluate twice); zeros before the first step.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// let state = SamplerState::new(DMatrix::<f64>::zeros(2, 2))?;
    /// assert_eq!(state.last_drift().shape(), (2, 2));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn last_drift(&self) -> &DMatrix<T> {
        &self.drift
    }

    /// The standard normals drawn by the most recent step: `dim × (k·batch)` for a scheme that
    /// draws `k` noise blocks per step, in drawing order; zeros before the first step.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use rand_chacha::ChaCha8Rng;
    /// use replay_sampler::{fill_standard_normal, EulerMaruyama, Integrator, SamplerState};
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// let target = IsotropicGaussian::standard(2);
    /// let mut state = SamplerState::new(DMatrix::<f64>::zeros(2, 3))?;
    /// EulerMaruyama::langevin(0.1)?.step(&mut state, &target, None, &mut ChaCha8Rng::seed_from_u64(1))?;
    ///
    /// let mut xi = DMatrix::zeros(2, 3);
    /// fill_standard_normal(&mut xi, &mut ChaCha8Rng::seed_from_u64(1));
    /// assert_eq!(state.last_noise(), &xi);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn last_noise(&self) -> &DMatrix<T> {
        &self.noise
    }

    /// Number of rows (state dimension).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// assert_eq!(SamplerState::new(DMatrix::<f64>::zeros(4, 1))?.dim(), 4);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.positions.nrows()
    }

    /// Number of columns (trajectories).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_sampler::SamplerState;
    ///
    /// assert_eq!(SamplerState::new(DMatrix::<f64>::zeros(4, 7))?.batch(), 7);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn batch(&self) -> usize {
        self.positions.ncols()
    }

    /// How many steps have completed successfully on this state.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use rand_chacha::ChaCha8Rng;
    /// use replay_sampler::{EulerMaruyama, Integrator, SamplerState};
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// let mut state = SamplerState::new(DMatrix::<f64>::zeros(1, 1))?;
    /// let mut rng = ChaCha8Rng::seed_from_u64(0);
    /// let em = EulerMaruyama::langevin(0.1)?;
    /// em.step(&mut state, &IsotropicGaussian::standard(1), None, &mut rng)?;
    /// assert_eq!(state.steps_taken(), 1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn steps_taken(&self) -> usize {
        self.steps
    }

    /// Draws `blocks` noise matrices for one step into the noise buffer (the convention of
    /// [`crate::noise`]) and evaluates the drift at the positions into the drift buffer.
    /// Resizes the noise buffer only the first time a larger block count is needed.
    ///
    /// The drift never touches the random number generator, so for large steps it runs on
    /// another thread of the rayon pool while this one draws: the stream is consumed in the same
    /// order, and every bit of the result is the same, as drawing first and evaluating after.
    pub(crate) fn draw_noise_and_drift<D, R>(
        &mut self,
        blocks: usize,
        drift: &D,
        current: Option<&DMatrix<T>>,
        rng: &mut R,
    ) where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized,
    {
        let (rows, cols) = (self.dim(), self.batch() * blocks);
        if self.noise.shape() != (rows, cols) {
            self.noise = DMatrix::zeros(rows, cols);
        }
        let noise = self.noise.as_mut_slice();
        let (positions, out) = (&self.positions, &mut self.drift);
        if noise.len() >= OVERLAP_NOISE && rayon::current_num_threads() > 1 {
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| drift.drift_into(positions, current, out));
                fill_standard_normal_slice(noise, rng);
            });
        } else {
            fill_standard_normal_slice(noise, rng);
            drift.drift_into(positions, current, out);
        }
    }

    /// Starts a second-order step: draws the step's `blocks` noise blocks, creates zero
    /// velocities if there are none (`v_0 = 0`), and evaluates the drift at the positions.
    pub(crate) fn start_second_order<D, R>(
        &mut self,
        blocks: usize,
        drift: &D,
        current: Option<&DMatrix<T>>,
        rng: &mut R,
    ) -> Kinetic<'_, T>
    where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized,
    {
        self.draw_noise_and_drift(blocks, drift, current, rng);
        let (rows, cols) = self.positions.shape();
        let v = self
            .velocities
            .get_or_insert_with(|| DMatrix::zeros(rows, cols));
        Kinetic {
            x: self.positions.as_mut_slice(),
            v: v.as_mut_slice(),
            f: self.drift.as_slice(),
            noise: self.noise.as_slice(),
        }
    }

    /// Re-evaluates the drift at the (moved) positions and kicks the velocities by `dt · f`;
    /// returns the velocities and the step's noise for any update that follows.
    pub(crate) fn closing_kick<D>(
        &mut self,
        drift: &D,
        current: Option<&DMatrix<T>>,
        dt: T,
    ) -> (&mut [T], &[T])
    where
        D: Drift<T> + ?Sized,
    {
        drift.drift_into(&self.positions, current, &mut self.drift);
        let v = match self.velocities.as_mut() {
            Some(v) => v.as_mut_slice(),
            None => &mut [],
        };
        for (v, &f) in v.iter_mut().zip(self.drift.as_slice()) {
            *v += dt * f;
        }
        (v, self.noise.as_slice())
    }

    /// Rejects a state that holds NaN or infinities after step number `step`.
    pub(crate) fn check_finite(&self, step: usize) -> Result<(), SamplerError> {
        let parts = [
            ("positions", Some(&self.positions)),
            ("velocities", self.velocities.as_ref()),
        ];
        for (name, part) in parts {
            if let Some(index) = part.and_then(|m| first_non_finite(m.as_slice())) {
                return Err(SamplerError::Diverged { step, name, index });
            }
        }
        Ok(())
    }
}

/// Mutable views a second-order step works on: positions, velocities, the drift at the
/// positions, and the step's noise (all column-major, same length except the noise, which holds
/// every block of the step).
pub(crate) struct Kinetic<'a, T> {
    pub(crate) x: &'a mut [T],
    pub(crate) v: &'a mut [T],
    pub(crate) f: &'a [T],
    pub(crate) noise: &'a [T],
}
