//! The momentum update of the second-order network (semi-implicit Euler with friction).

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, non_negative, require};
use crate::integrator::Integrator;
use crate::state::SamplerState;

/// Momentum: `v' = ((1 − λ_v) v + f(h, c)) + σ_v ξ`, then `h' = h + v'` (`v_0 = 0`).
///
/// Grouping as written (a reference must match it to be bit-identical). With `λ_v = 1`
/// the velocity is forgotten and the rule is exactly the first-order update
/// `h' = h + (f + σ ξ)` of [`EulerMaruyama::new(1, σ)`](crate::EulerMaruyama::new).
///
/// The default velocity noise `σ_v = σ √λ_v` matches the temperature of the overdamped sampler
/// with noise `σ` (see `docs/theory.md`); [`with_velocity_noise`](Momentum::with_velocity_noise)
/// overrides it.
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
/// let m = Momentum::new(0.25_f64, 0.2)?;
/// assert_eq!(m.velocity_noise(), 0.1); // 0.2 · √0.25
///
/// // Without noise, one step from rest moves by the drift, the next adds the kept velocity.
/// let still = Momentum::new(0.5_f64, 0.0)?;
/// let drift = IsotropicGaussian::new(nalgebra::DVector::zeros(1), 10.0_f64)?; // f = −x/10
/// let mut s = SamplerState::new(DMatrix::from_element(1, 1, 1.0))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// still.step(&mut s, &drift, None, &mut rng)?;
/// assert!((s.positions()[(0, 0)] - 0.9).abs() < 1e-15);
/// still.step(&mut s, &drift, None, &mut rng)?;
/// // v = 0.5 · (−0.1) − 0.09 = −0.14
/// assert!((s.positions()[(0, 0)] - 0.76).abs() < 1e-15);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Momentum<T> {
    friction: T,
    velocity_noise: T,
}

impl<T: RealField + Copy> Momentum<T> {
    /// Friction `λ_v ∈ (0, 1]` and overdamped noise `σ ≥ 0`; the velocity noise is `σ √λ_v`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Momentum, SamplerError};
    ///
    /// assert!(Momentum::new(1.0_f64, 0.1).is_ok());
    /// let err = Momentum::new(1.5_f64, 0.1).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "friction", value, .. } if value == 1.5));
    /// assert!(Momentum::new(0.0_f64, 0.1).is_err());
    /// assert!(Momentum::new(0.5_f64, -0.1).is_err());
    /// ```
    pub fn new(friction: T, sigma: T) -> Result<Self, SamplerError> {
        let friction = check_friction(friction)?;
        let sigma = non_negative("sigma", sigma)?;
        Ok(Self {
            friction,
            velocity_noise: sigma * friction.sqrt(),
        })
    }

    /// Friction `λ_v ∈ (0, 1]` with an explicit velocity noise `σ_v ≥ 0`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Momentum;
    ///
    /// let m = Momentum::with_velocity_noise(0.3_f64, 0.05)?;
    /// assert_eq!(m.velocity_noise(), 0.05);
    /// assert!(Momentum::with_velocity_noise(0.3_f64, f64::INFINITY).is_err());
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn with_velocity_noise(friction: T, velocity_noise: T) -> Result<Self, SamplerError> {
        Ok(Self {
            friction: check_friction(friction)?,
            velocity_noise: non_negative("velocity_noise", velocity_noise)?,
        })
    }

    /// The friction `λ_v`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Momentum;
    ///
    /// assert_eq!(Momentum::new(0.3_f64, 0.1)?.friction(), 0.3);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn friction(&self) -> T {
        self.friction
    }

    /// The velocity noise `σ_v`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Momentum;
    ///
    /// assert_eq!(Momentum::new(1.0_f64, 0.1)?.velocity_noise(), 0.1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn velocity_noise(&self) -> T {
        self.velocity_noise
    }
}

fn check_friction<T: RealField + Copy>(friction: T) -> Result<T, SamplerError> {
    require("friction", friction, "in (0, 1]", |l| {
        l > T::zero() && l <= T::one()
    })
}

impl<T: RealField + Copy> Integrator<T> for Momentum<T> {
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
        let k = state.start_second_order(1, drift, current, rng);
        let keep = T::one() - self.friction;
        let s = self.velocity_noise;
        let fx = k.f.iter().zip(k.noise);
        for ((x, v), (&f, &xi)) in k.x.iter_mut().zip(k.v.iter_mut()).zip(fx) {
            *v = (keep * *v + f) + s * xi;
            *x += *v;
        }
    }
}
