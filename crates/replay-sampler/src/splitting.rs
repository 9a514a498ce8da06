//! Underdamped Langevin splittings: BAOAB and OBABO.
//!
//! Both integrate `dx = v dt`, `dv = F(x, c) dt − γ v dt + √(2γ kT) dW` with unit mass, where the
//! drift is the force `F` (a score `∇ log p` at `kT = 1` targets `p`). The pieces are
//! `B`: `v += (h/2) F(x)`, `A`: `x += (h/2) v` (or `h v` in OBABO), and the exact
//! Ornstein–Uhlenbeck velocity solve `O`: `v = c v + √(kT (1 − c²)) ξ` with `c = e^{−γ h}` (BAOAB)
//! or `e^{−γ h/2}` (each half of OBABO). The external current is held fixed over a step. Each
//! step evaluates the drift twice (at the start and at the end position), because a current
//! that changes between steps (adaptation) makes the end-of-step force stale.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::error::{SamplerError, non_negative, positive};
use crate::integrator::Integrator;
use crate::state::SamplerState;

/// Step, friction and temperature of an underdamped splitting scheme.
///
/// # Example
///
/// ```
/// use replay_sampler::Splitting;
///
/// let p = Splitting::new(0.1_f64, 2.0, 1.0)?;
/// assert_eq!((p.step_size(), p.friction(), p.temperature()), (0.1, 2.0, 1.0));
/// assert!(Splitting::new(0.1_f64, -2.0, 1.0).is_err());
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Splitting<T> {
    step: T,
    friction: T,
    temperature: T,
}

impl<T: RealField + Copy> Splitting<T> {
    /// Step `h` (finite, > 0), friction `γ` (finite, ≥ 0; zero gives the symplectic velocity
    /// Verlet method) and temperature `kT` (finite, ≥ 0).
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{SamplerError, Splitting};
    ///
    /// let err = Splitting::new(0.0_f64, 1.0, 1.0).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "step", .. }));
    /// let err = Splitting::new(0.1_f64, 1.0, f64::NAN).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "temperature", .. }));
    /// ```
    pub fn new(step: T, friction: T, temperature: T) -> Result<Self, SamplerError> {
        Ok(Self {
            step: positive("step", step)?,
            friction: non_negative("friction", friction)?,
            temperature: non_negative("temperature", temperature)?,
        })
    }

    /// The time step `h`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(replay_sampler::Splitting::new(0.2_f64, 1.0, 1.0)?.step_size(), 0.2);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn step_size(&self) -> T {
        self.step
    }

    /// The friction `γ`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(replay_sampler::Splitting::new(0.2_f64, 1.5, 1.0)?.friction(), 1.5);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn friction(&self) -> T {
        self.friction
    }

    /// The temperature `kT`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(replay_sampler::Splitting::new(0.2_f64, 1.5, 0.5)?.temperature(), 0.5);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn temperature(&self) -> T {
        self.temperature
    }

    /// Coefficients `(c, √(kT (1 − c²)))` of an O step of length `duration`.
    fn ou(&self, duration: T) -> (T, T) {
        let c = (-self.friction * duration).exp();
        (c, (self.temperature * (T::one() - c * c)).sqrt())
    }
}

/// BAOAB (Leimkuhler–Matthews): exact configurational variance on harmonic targets for every
/// stable step.
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{Baoab, Integrator, SamplerState, Splitting};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let baoab = Baoab::new(Splitting::new(0.5_f64, 1.0, 1.0)?);
/// let mut state = SamplerState::new(DMatrix::zeros(1, 2000))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(5);
/// baoab.run(&mut state, &IsotropicGaussian::standard(1), None, 100, &mut rng, &mut |_: &SamplerState<f64>| {})?;
/// let var = state.positions().map(|x| x * x).mean();
/// assert!((var - 1.0).abs() < 0.15);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baoab<T> {
    params: Splitting<T>,
}

impl<T: RealField + Copy> Baoab<T> {
    /// The BAOAB scheme with the given parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Baoab, Splitting};
    ///
    /// let b = Baoab::new(Splitting::new(0.1_f32, 1.0, 1.0)?);
    /// assert_eq!(b.params().step_size(), 0.1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn new(params: Splitting<T>) -> Self {
        Self { params }
    }

    /// The scheme's parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Baoab, Splitting};
    ///
    /// let p = Splitting::new(0.1_f64, 1.0, 1.0)?;
    /// assert_eq!(Baoab::new(p).params(), &p);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn params(&self) -> &Splitting<T> {
        &self.params
    }
}

impl<T: RealField + Copy> Integrator<T> for Baoab<T> {
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
        let half = self.params.step * nalgebra::convert::<f64, T>(0.5);
        let (c, d) = self.params.ou(self.params.step);
        let k = state.start_second_order(1, drift, current, rng);
        let fx = k.f.iter().zip(k.noise);
        for ((x, v), (&f, &xi)) in k.x.iter_mut().zip(k.v.iter_mut()).zip(fx) {
            *v += half * f;
            *x += half * *v;
            *v = c * *v + d * xi;
            *x += half * *v;
        }
        state.closing_kick(drift, current, half);
    }
}

/// OBABO: two half O steps around velocity Verlet; on harmonic targets its velocity marginal
/// is exact. Draws two noise blocks per step (`ξ₁` for the first O, then `ξ₂`).
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{Integrator, Obabo, SamplerState, Splitting};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let obabo = Obabo::new(Splitting::new(0.5_f64, 1.0, 1.0)?);
/// let mut state = SamplerState::new(DMatrix::zeros(1, 3))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(5);
/// obabo.step(&mut state, &IsotropicGaussian::standard(1), None, &mut rng)?;
/// assert_eq!(state.last_noise().shape(), (1, 6));
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obabo<T> {
    params: Splitting<T>,
}

impl<T: RealField + Copy> Obabo<T> {
    /// The OBABO scheme with the given parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Obabo, Splitting};
    ///
    /// let o = Obabo::new(Splitting::new(0.1_f32, 0.0, 1.0)?);
    /// assert_eq!(o.params().friction(), 0.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn new(params: Splitting<T>) -> Self {
        Self { params }
    }

    /// The scheme's parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Obabo, Splitting};
    ///
    /// let p = Splitting::new(0.1_f64, 1.0, 1.0)?;
    /// assert_eq!(Obabo::new(p).params(), &p);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn params(&self) -> &Splitting<T> {
        &self.params
    }
}

impl<T: RealField + Copy> Integrator<T> for Obabo<T> {
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
        let h = self.params.step;
        let half = h * nalgebra::convert::<f64, T>(0.5);
        let (c, d) = self.params.ou(half);
        let k = state.start_second_order(2, drift, current, rng);
        let (xi1, _) = k.noise.split_at(k.x.len());
        for ((x, v), (&f, &xi)) in k.x.iter_mut().zip(k.v.iter_mut()).zip(k.f.iter().zip(xi1)) {
            *v = c * *v + d * xi;
            *v += half * f;
            *x += h * *v;
        }
        let (v, noise) = state.closing_kick(drift, current, half);
        let (_, xi2) = noise.split_at(noise.len() / 2);
        for (v, &xi) in v.iter_mut().zip(xi2) {
            *v = c * *v + d * xi;
        }
    }
}
