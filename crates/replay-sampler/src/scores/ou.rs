//! The time marginals of an Ornstein–Uhlenbeck process started from a point.

use nalgebra::{DMatrix, DVector, RealField};

use super::{log_two_pi, pull_towards};
use crate::drift::Drift;
use crate::error::{SamplerError, finite_entries, positive, shape};

/// Score of the marginal at time `t` of `dx = −θ (x − μ) dt + s dW`, `x(0) = x₀`:
/// `x(t) ~ N(m_t, S_t I)` with `m_t = μ + (x₀ − μ) e^{−θt}` and
/// `S_t = (s²/2θ)(1 − e^{−2θt})`, so the score is `−(x − m_t)/S_t`.
///
/// Its linear part `−x/S_t` is a leak whose rate `1/S_t` falls from infinity to `2θ/s²` as
/// `t` grows; the rest, `m_t/S_t`, is a time-varying bias. The time is a field: set it with
/// [`set_time`](OrnsteinUhlenbeck::set_time) between steps.
///
/// # Example
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use replay_sampler::Drift;
/// use replay_sampler::scores::OrnsteinUhlenbeck;
///
/// let mut ou = OrnsteinUhlenbeck::new(0.5, 1.0, DVector::zeros(1), DVector::from_element(1, 2.0), 1.0)?;
/// let (m, s) = (2.0 * (-0.5_f64).exp(), (1.0 - (-1.0_f64).exp()) / 1.0);
/// assert!((ou.marginal_mean()[0] - m).abs() < 1e-15);
/// assert!((ou.marginal_variance() - s).abs() < 1e-15);
/// let mut f = DMatrix::zeros(1, 1);
/// ou.drift_into(&DMatrix::zeros(1, 1), None, &mut f);
/// assert!((f[(0, 0)] - m / s).abs() < 1e-14);
/// ou.set_time(100.0)?; // stationary: N(μ, s²/2θ)
/// assert!((ou.marginal_variance() - 1.0).abs() < 1e-15);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OrnsteinUhlenbeck<T: RealField + Copy> {
    reversion: T,
    diffusion: T,
    mean: DVector<T>,
    start: DVector<T>,
    time: T,
    marginal_mean: DVector<T>,
    marginal_variance: T,
}

impl<T: RealField + Copy> OrnsteinUhlenbeck<T> {
    /// Reversion rate `θ > 0`, diffusion `s > 0`, long-run mean `μ`, start `x₀` (same length,
    /// finite) and time `t > 0` (at `t = 0` the marginal is a point mass and has no score).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::{SamplerError, scores::OrnsteinUhlenbeck};
    ///
    /// let err = OrnsteinUhlenbeck::new(0.5, 1.0, DVector::zeros(2), DVector::zeros(2), 0.0_f64).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "time", value, .. } if value == 0.0));
    /// assert!(matches!(
    ///     OrnsteinUhlenbeck::new(0.5, 1.0, DVector::zeros(2), DVector::zeros(3), 1.0_f64),
    ///     Err(SamplerError::ShapeMismatch { name: "start", .. })
    /// ));
    /// ```
    pub fn new(
        reversion: T,
        diffusion: T,
        mean: DVector<T>,
        start: DVector<T>,
        time: T,
    ) -> Result<Self, SamplerError> {
        finite_entries("mean", mean.as_slice())?;
        shape("start", start.shape(), mean.shape())?;
        finite_entries("start", start.as_slice())?;
        let mut ou = Self {
            reversion: positive("reversion", reversion)?,
            diffusion: positive("diffusion", diffusion)?,
            marginal_mean: mean.clone(),
            mean,
            start,
            time: T::one(),
            marginal_variance: T::one(),
        };
        ou.set_time(time)?;
        Ok(ou)
    }

    /// Moves the marginal to time `t > 0` (finite); on error the time is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let mut ou = OrnsteinUhlenbeck::new(1.0, 1.0, DVector::zeros(1), DVector::zeros(1), 1.0_f64)?;
    /// assert!(ou.set_time(f64::NAN).is_err());
    /// assert_eq!(ou.time(), 1.0);
    /// ou.set_time(2.0)?;
    /// assert_eq!(ou.time(), 2.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn set_time(&mut self, time: T) -> Result<(), SamplerError> {
        self.time = positive("time", time)?;
        let decay = (-self.reversion * time).exp();
        for ((m, &mu), &x0) in self
            .marginal_mean
            .iter_mut()
            .zip(&self.mean)
            .zip(&self.start)
        {
            *m = mu + (x0 - mu) * decay;
        }
        let s2 = self.diffusion * self.diffusion;
        self.marginal_variance =
            s2 / (self.reversion + self.reversion) * (T::one() - decay * decay);
        Ok(())
    }

    /// The current time `t`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let ou = OrnsteinUhlenbeck::new(1.0, 1.0, DVector::zeros(1), DVector::zeros(1), 0.3_f64)?;
    /// assert_eq!(ou.time(), 0.3);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn time(&self) -> T {
        self.time
    }

    /// The marginal mean `m_t`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let ou = OrnsteinUhlenbeck::new(1.0, 1.0, DVector::zeros(1), DVector::from_element(1, 1.0), 2.0_f64)?;
    /// assert!((ou.marginal_mean()[0] - (-2.0_f64).exp()).abs() < 1e-15);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn marginal_mean(&self) -> &DVector<T> {
        &self.marginal_mean
    }

    /// The marginal variance `S_t` of each coordinate.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let ou = OrnsteinUhlenbeck::new(1.0, 2.0, DVector::zeros(1), DVector::zeros(1), 1.0_f64)?;
    /// assert!((ou.marginal_variance() - 2.0 * (1.0 - (-2.0_f64).exp())).abs() < 1e-15);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn marginal_variance(&self) -> T {
        self.marginal_variance
    }

    /// The leak rate `1/S_t`: the coefficient of the score's linear part `−x/S_t`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let mut ou = OrnsteinUhlenbeck::new(0.5, 1.0, DVector::zeros(1), DVector::zeros(1), 0.1_f64)?;
    /// let early = ou.leak();
    /// ou.set_time(50.0)?;
    /// assert!(early > ou.leak() && (ou.leak() - 1.0).abs() < 1e-12); // 2θ/s² = 1
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn leak(&self) -> T {
        T::one() / self.marginal_variance
    }

    /// `log p_t(x)`, normalised. `x` must have the mean's length.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::OrnsteinUhlenbeck;
    ///
    /// let ou = OrnsteinUhlenbeck::new(1.0, 2.0_f64.sqrt(), DVector::zeros(1), DVector::zeros(1), 60.0_f64)?;
    /// let lp = ou.log_density(&DVector::zeros(1))?; // N(0, 1) at 0
    /// assert!((lp + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-12);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn log_density(&self, x: &DVector<T>) -> Result<T, SamplerError> {
        shape("x", x.shape(), self.mean.shape())?;
        let d = nalgebra::convert::<f64, T>(self.mean.len() as f64);
        let half = nalgebra::convert::<f64, T>(0.5);
        let s = self.marginal_variance;
        let sq = (x - &self.marginal_mean).norm_squared();
        Ok(-half * (sq / s + d * (log_two_pi::<T>() + s.ln())))
    }
}

impl<T: RealField + Copy> Drift<T> for OrnsteinUhlenbeck<T> {
    /// `out = −(x − m_t)/S_t + c`.
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        pull_towards(states, &self.marginal_mean, self.leak(), current, out);
    }

    fn dim(&self) -> Option<usize> {
        Some(self.mean.len())
    }
}
