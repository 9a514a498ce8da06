//! The integrator trait: one update rule, with validation, divergence checks and runs on top.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, shape};
use crate::record::Observer;
use crate::state::SamplerState;

/// A stochastic update rule for a batch of states following a [`Drift`].
///
/// Implementors provide [`update`](Integrator::update), the bare rule; callers use
/// [`step`](Integrator::step), which first checks shapes, then updates, then rejects a state that
/// became non-finite, or [`run`](Integrator::run) for many steps with an observer.
///
/// Every implementation follows the noise convention of [`fill_standard_normal`](crate::fill_standard_normal):
/// all of a step's standard normals are drawn first, column-major, whatever the noise scale.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{Integrator, Momentum, SamplerState};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let target = IsotropicGaussian::new(nalgebra::DVector::zeros(2), 1.0)?;
/// let scheme = Momentum::new(0.3, 0.1)?;
/// let mut state = SamplerState::new(DMatrix::<f64>::from_element(2, 8, 1.0))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(42);
/// scheme.run(&mut state, &target, None, 100, &mut rng, &mut |_: &SamplerState<f64>| {})?;
/// assert_eq!(state.steps_taken(), 100);
/// assert!(state.velocities().is_some());
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
pub trait Integrator<T: RealField + Copy> {
    /// Applies one update to `state`, assuming shapes were checked (see [`step`](Integrator::step)).
    ///
    /// `current` is the external input current handed to the drift (`None` = zero).
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
    /// let mut state = SamplerState::new(DMatrix::<f64>::from_element(1, 1, 2.0))?;
    /// let deterministic = EulerMaruyama::new(0.5, 0.0)?;
    /// deterministic.update(&mut state, &IsotropicGaussian::standard(1), None, &mut ChaCha8Rng::seed_from_u64(0));
    /// assert_eq!(state.positions()[(0, 0)], 1.0); // 2 + 0.5 · (−2)
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn update<D, R>(
        &self,
        state: &mut SamplerState<T>,
        drift: &D,
        current: Option<&DMatrix<T>>,
        rng: &mut R,
    ) where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized;

    /// One checked step: rejects a `current` whose shape differs from the state's, a state whose
    /// dimension differs from [`Drift::dim`], and a result with NaN or infinities
    /// ([`SamplerError::Diverged`] names the step index, counted over the state's lifetime).
    ///
    /// On divergence the state keeps the non-finite values for inspection and its step count
    /// is not advanced.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use rand_chacha::ChaCha8Rng;
    /// use replay_sampler::{EulerMaruyama, Integrator, SamplerError, SamplerState};
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// let mut state = SamplerState::new(DMatrix::<f64>::zeros(3, 2))?;
    /// let mut rng = ChaCha8Rng::seed_from_u64(0);
    /// let err = EulerMaruyama::langevin(0.1)?
    ///     .step(&mut state, &IsotropicGaussian::standard(2), None, &mut rng)
    ///     .unwrap_err();
    /// assert!(matches!(err, SamplerError::ShapeMismatch { name: "states", .. }));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn step<D, R>(
        &self,
        state: &mut SamplerState<T>,
        drift: &D,
        current: Option<&DMatrix<T>>,
        rng: &mut R,
    ) -> Result<(), SamplerError>
    where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized,
    {
        check_inputs(state, drift, current)?;
        self.update(state, drift, current, rng);
        state.check_finite(state.steps)?;
        state.steps += 1;
        Ok(())
    }

    /// Takes `steps` checked steps with a constant `current`, calling `observer` after each.
    ///
    /// Stops at the first error; a divergence reports the index of the failing step (in the
    /// state's step count, so a fresh state reports the index within this run).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use rand_chacha::ChaCha8Rng;
    /// use replay_sampler::{EulerMaruyama, Integrator, SamplerError, SamplerState};
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// // Step 3 on a unit Gaussian is unstable: |1 − 3| > 1, so the state blows up.
    /// let unstable = EulerMaruyama::new(3.0, 0.0)?;
    /// let mut state = SamplerState::new(DMatrix::<f64>::from_element(1, 1, 1.0))?;
    /// let mut rng = ChaCha8Rng::seed_from_u64(0);
    /// let mut seen = 0;
    /// let err = unstable
    ///     .run(&mut state, &IsotropicGaussian::standard(1), None, 10_000, &mut rng, &mut |_: &SamplerState<f64>| seen += 1)
    ///     .unwrap_err();
    /// // |x_t| = 2^t overflows f64 after 1024 doublings: the 1024th step (index 1023) fails.
    /// assert_eq!(err, SamplerError::Diverged { step: 1023, name: "positions", index: 0 });
    /// assert_eq!(seen, 1023);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn run<D, R, O>(
        &self,
        state: &mut SamplerState<T>,
        drift: &D,
        current: Option<&DMatrix<T>>,
        steps: usize,
        rng: &mut R,
        observer: &mut O,
    ) -> Result<(), SamplerError>
    where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized,
        O: Observer<T> + ?Sized,
    {
        for _ in 0..steps {
            self.step(state, drift, current, rng)?;
            observer.observe(state);
        }
        Ok(())
    }
}

/// Shape checks shared by every step.
fn check_inputs<T, D>(
    state: &SamplerState<T>,
    drift: &D,
    current: Option<&DMatrix<T>>,
) -> Result<(), SamplerError>
where
    T: RealField + Copy,
    D: Drift<T> + ?Sized,
{
    let expected = state.positions.shape();
    if let Some(dim) = drift.dim() {
        shape("states", expected, (dim, expected.1))?;
    }
    if let Some(c) = current {
        shape("current", c.shape(), expected)?;
    }
    Ok(())
}
