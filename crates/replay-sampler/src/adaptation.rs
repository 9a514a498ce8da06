//! Adaptation: a slow negative feedback on the drift's input current, around any integrator.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, require};
use crate::integrator::Integrator;
use crate::state::SamplerState;

/// Strength `b_a ≥ 0` and time constant `τ_a ≥ 1` of the adaptation trace
/// `a' = (1 − 1/τ_a) a + (b_a/τ_a) x` (`a_0 = 0`).
///
/// # Example
///
/// ```
/// use replay_sampler::{Adaptation, SamplerError};
///
/// let a = Adaptation::new(0.1_f64, 30.0)?;
/// assert_eq!((a.strength(), a.time_constant()), (0.1, 30.0));
/// let err = Adaptation::new(0.1_f64, 0.5).unwrap_err();
/// assert!(matches!(err, SamplerError::InvalidParameter { name: "time_constant", value, .. } if value == 0.5));
/// assert!(Adaptation::new(-0.1_f64, 30.0).is_err());
/// # Ok::<(), SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptation<T> {
    strength: T,
    time_constant: T,
}

impl<T: RealField + Copy> Adaptation<T> {
    /// Strength `b_a` (finite, ≥ 0; zero switches adaptation off) and time constant `τ_a`
    /// (finite, ≥ 1).
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Adaptation;
    ///
    /// assert!(Adaptation::new(0.0_f32, 1.0).is_ok());
    /// assert!(Adaptation::new(0.2_f32, f32::NAN).is_err());
    /// ```
    pub fn new(strength: T, time_constant: T) -> Result<Self, SamplerError> {
        let strength = require("strength", strength, "finite and >= 0", |b| {
            b.is_finite() && b >= T::zero()
        })?;
        let time_constant = require("time_constant", time_constant, "finite and >= 1", |t| {
            t.is_finite() && t >= T::one()
        })?;
        Ok(Self {
            strength,
            time_constant,
        })
    }

    /// The strength `b_a`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(replay_sampler::Adaptation::new(0.1_f64, 30.0)?.strength(), 0.1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn strength(&self) -> T {
        self.strength
    }

    /// The time constant `τ_a`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(replay_sampler::Adaptation::new(0.1_f64, 30.0)?.time_constant(), 30.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn time_constant(&self) -> T {
        self.time_constant
    }
}

/// Any integrator with adaptation: the drift sees the current `c − a_t`, and the trace moves on
/// with the positions before the step, `a_{t+1} = (1 − 1/τ_a) a_t + (b_a/τ_a) x_t`.
///
/// The trace lives in the state ([`SamplerState::adaptation`]), created as zeros on the first
/// step unless set. The inner scheme draws its noise first, as always; the trace uses no
/// randomness. Because the drift depends on `a`, which remembers past positions, the positions
/// alone (or positions and velocities) are no longer a Markov chain. Wrapping an `Adapted` in
/// another `Adapted` would make both write the same trace: use one.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{Adapted, Adaptation, EulerMaruyama, Integrator, SamplerState};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// // Deterministic: x' = x + 0.5 (−x − a), a' = 0.5 a + 0.5 x  (b_a = 1, τ_a = 2).
/// let scheme = Adapted::new(EulerMaruyama::new(0.5_f64, 0.0)?, Adaptation::new(1.0, 2.0)?);
/// let mut s = SamplerState::new(DMatrix::from_element(1, 1, 1.0))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// let target = IsotropicGaussian::standard(1);
/// scheme.step(&mut s, &target, None, &mut rng)?;
/// assert_eq!((s.positions()[(0, 0)], s.adaptation().unwrap()[(0, 0)]), (0.5, 0.5));
/// scheme.step(&mut s, &target, None, &mut rng)?;
/// assert_eq!((s.positions()[(0, 0)], s.adaptation().unwrap()[(0, 0)]), (0.0, 0.5));
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adapted<I, T> {
    inner: I,
    adaptation: Adaptation<T>,
}

impl<I, T: RealField + Copy> Adapted<I, T> {
    /// Wraps `inner` with `adaptation`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Adapted, Adaptation, Momentum};
    ///
    /// let scheme = Adapted::new(Momentum::new(0.3_f32, 0.07)?, Adaptation::new(0.1, 30.0)?);
    /// assert_eq!(scheme.inner().friction(), 0.3);
    /// assert_eq!(scheme.adaptation().time_constant(), 30.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn new(inner: I, adaptation: Adaptation<T>) -> Self {
        Self { inner, adaptation }
    }

    /// The wrapped integrator.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Adapted, Adaptation, EulerMaruyama};
    ///
    /// let em = EulerMaruyama::new(1.0_f64, 0.1)?;
    /// assert_eq!(Adapted::new(em, Adaptation::new(0.1, 30.0)?).inner(), &em);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn inner(&self) -> &I {
        &self.inner
    }

    /// The adaptation parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Adapted, Adaptation, EulerMaruyama};
    ///
    /// let a = Adaptation::new(0.1_f64, 30.0)?;
    /// assert_eq!(Adapted::new(EulerMaruyama::new(1.0, 0.1)?, a).adaptation(), &a);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn adaptation(&self) -> &Adaptation<T> {
        &self.adaptation
    }
}

impl<I: Integrator<T>, T: RealField + Copy> Integrator<T> for Adapted<I, T> {
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
        let shape = state.positions.shape();
        // Taken out of the state so the inner scheme can borrow the state mutably.
        let mut effective = std::mem::replace(&mut state.current, DMatrix::zeros(0, 0));
        if effective.shape() != shape {
            effective = DMatrix::zeros(shape.0, shape.1);
        }
        let a = state
            .adaptation
            .get_or_insert_with(|| DMatrix::zeros(shape.0, shape.1));
        let decay = T::one() - T::one() / self.adaptation.time_constant;
        let gain = self.adaptation.strength / self.adaptation.time_constant;
        let x = state.positions.as_slice();
        let trace = effective
            .as_mut_slice()
            .iter_mut()
            .zip(a.as_mut_slice())
            .zip(x);
        match current {
            Some(c) => {
                for (((e, a), &x), &c) in trace.zip(c.as_slice()) {
                    *e = c - *a;
                    *a = decay * *a + gain * x;
                }
            }
            None => {
                for ((e, a), &x) in trace {
                    *e = T::zero() - *a;
                    *a = decay * *a + gain * x;
                }
            }
        }
        self.inner.update(state, drift, Some(&effective), rng);
        state.current = effective;
    }
}
