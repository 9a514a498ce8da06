//! Overdamped Langevin: the Euler–Maruyama update, which is also the first-order RNN update.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, non_negative, positive};
use crate::integrator::Integrator;
use crate::state::SamplerState;

/// Euler–Maruyama: `x' = x + (step · f(x, c) + noise · ξ)`, `ξ ~ N(0, I)`.
///
/// The bracket is evaluated first and then added to `x`; a reference implementation that wants
/// bit-identical results must group the same way. The first-order RNN update
/// `h' = h + f + σ ξ` is `EulerMaruyama::new(1, σ)` with the network's drift. For a drift that is
/// a score `∇ log p`, [`langevin`](EulerMaruyama::langevin) sets `noise = √(2·step)`, the
/// unadjusted Langevin algorithm, whose stationary law approaches `p` as the step shrinks.
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
/// let ula = EulerMaruyama::langevin(0.1_f64)?;
/// assert_eq!(ula.noise(), (0.2_f64).sqrt());
/// let mut state = SamplerState::new(DMatrix::zeros(1, 500))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(9);
/// ula.run(&mut state, &IsotropicGaussian::standard(1), None, 200, &mut rng, &mut |_: &SamplerState<f64>| {})?;
/// let var = state.positions().map(|x| x * x).mean();
/// assert!((var - 1.0 / (1.0 - 0.05)).abs() < 0.2);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EulerMaruyama<T> {
    step: T,
    noise: T,
}

impl<T: RealField + Copy> EulerMaruyama<T> {
    /// A scheme with the given `step` (finite, > 0) and `noise` scale (finite, ≥ 0).
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{EulerMaruyama, SamplerError};
    ///
    /// let rnn = EulerMaruyama::new(1.0_f32, 0.07)?; // the first-order RNN update, σ = 0.07
    /// assert_eq!((rnn.step_size(), rnn.noise()), (1.0, 0.07));
    /// assert!(matches!(
    ///     EulerMaruyama::new(1.0, f64::NAN),
    ///     Err(SamplerError::InvalidParameter { name: "noise", .. })
    /// ));
    /// # Ok::<(), SamplerError>(())
    /// ```
    pub fn new(step: T, noise: T) -> Result<Self, SamplerError> {
        Ok(Self {
            step: positive("step", step)?,
            noise: non_negative("noise", noise)?,
        })
    }

    /// The Langevin scheme for a score drift: `noise = √(2·step)`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::EulerMaruyama;
    ///
    /// assert_eq!(EulerMaruyama::langevin(0.5_f64)?.noise(), 1.0);
    /// assert!(EulerMaruyama::langevin(0.0_f64).is_err());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn langevin(step: T) -> Result<Self, SamplerError> {
        let step = positive("step", step)?;
        Self::new(step, (step + step).sqrt())
    }

    /// The step multiplying the drift.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::EulerMaruyama;
    ///
    /// assert_eq!(EulerMaruyama::new(0.25_f64, 0.0)?.step_size(), 0.25);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn step_size(&self) -> T {
        self.step
    }

    /// The scale multiplying the standard normal `ξ`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::EulerMaruyama;
    ///
    /// assert_eq!(EulerMaruyama::new(0.25_f64, 0.5)?.noise(), 0.5);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn noise(&self) -> T {
        self.noise
    }
}

impl<T: RealField + Copy> Integrator<T> for EulerMaruyama<T> {
    fn update<D, R>(
        &self,
        state: &mut SamplerState<T>,
        drift: &D,
        current: Option<&DMatrix<T>>,
        rng: &mut R,
    ) where
        D: Drift<T> + ?Sized,
        R: Rng + ?Sized,
    {
        state.draw_noise_and_drift(1, drift, current, rng);
        let (h, s) = (self.step, self.noise);
        let x = state.positions.as_mut_slice();
        for ((x, &f), &xi) in x
            .iter_mut()
            .zip(state.drift.as_slice())
            .zip(state.noise.as_slice())
        {
            *x += h * f + s * xi;
        }
    }
}
