//! Choosing an integrator at run time (from a configuration) without generics at the call site.

use nalgebra::{DMatrix, RealField};
use rand::Rng;

use crate::drift::Drift;
use crate::integrator::Integrator;
use crate::momentum::Momentum;
use crate::overdamped::EulerMaruyama;
use crate::splitting::{Baoab, Obabo};
use crate::state::SamplerState;

/// Any of the crate's base integrators, chosen at run time. Wrap it in
/// [`Adapted`](crate::Adapted) for adaptation (with strength zero that is bit-identical to no
/// adaptation, so a configuration may always wrap).
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_sampler::{Adapted, Adaptation, EulerMaruyama, Integrator, Momentum, SamplerState, Scheme};
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let with_momentum = true;
/// let base: Scheme<f64> = if with_momentum {
///     Momentum::new(0.3, 0.07)?.into()
/// } else {
///     EulerMaruyama::new(1.0, 0.07)?.into()
/// };
/// let scheme = Adapted::new(base, Adaptation::new(0.0, 30.0)?);
/// let mut state = SamplerState::new(DMatrix::zeros(2, 4))?;
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// scheme.run(&mut state, &IsotropicGaussian::standard(2), None, 10, &mut rng, &mut |_: &SamplerState<f64>| {})?;
/// assert!(state.velocities().is_some());
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scheme<T> {
    /// Overdamped Euler–Maruyama (the first-order RNN update).
    EulerMaruyama(EulerMaruyama<T>),
    /// The momentum update.
    Momentum(Momentum<T>),
    /// The BAOAB splitting.
    Baoab(Baoab<T>),
    /// The OBABO splitting.
    Obabo(Obabo<T>),
}

impl<T: RealField + Copy> Integrator<T> for Scheme<T> {
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
        match self {
            Scheme::EulerMaruyama(s) => s.update(state, drift, current, rng),
            Scheme::Momentum(s) => s.update(state, drift, current, rng),
            Scheme::Baoab(s) => s.update(state, drift, current, rng),
            Scheme::Obabo(s) => s.update(state, drift, current, rng),
        }
    }
}

impl<T> From<EulerMaruyama<T>> for Scheme<T> {
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{EulerMaruyama, Scheme};
    ///
    /// let s: Scheme<f64> = EulerMaruyama::new(1.0, 0.1)?.into();
    /// assert!(matches!(s, Scheme::EulerMaruyama(_)));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn from(s: EulerMaruyama<T>) -> Self {
        Scheme::EulerMaruyama(s)
    }
}

impl<T> From<Momentum<T>> for Scheme<T> {
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Momentum, Scheme};
    ///
    /// let s: Scheme<f64> = Momentum::new(0.3, 0.1)?.into();
    /// assert!(matches!(s, Scheme::Momentum(_)));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn from(s: Momentum<T>) -> Self {
        Scheme::Momentum(s)
    }
}

impl<T> From<Baoab<T>> for Scheme<T> {
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Baoab, Scheme, Splitting};
    ///
    /// let s: Scheme<f64> = Baoab::new(Splitting::new(0.1, 1.0, 1.0)?).into();
    /// assert!(matches!(s, Scheme::Baoab(_)));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn from(s: Baoab<T>) -> Self {
        Scheme::Baoab(s)
    }
}

impl<T> From<Obabo<T>> for Scheme<T> {
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Obabo, Scheme, Splitting};
    ///
    /// let s: Scheme<f64> = Obabo::new(Splitting::new(0.1, 1.0, 1.0)?).into();
    /// assert!(matches!(s, Scheme::Obabo(_)));
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    fn from(s: Obabo<T>) -> Self {
        Scheme::Obabo(s)
    }
}
