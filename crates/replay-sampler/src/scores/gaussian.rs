//! Gaussian targets: isotropic and full covariance.

use nalgebra::{DMatrix, DVector, RealField};

use super::{log_two_pi, pull_towards};
use crate::drift::Drift;
use crate::error::{SamplerError, finite_entries, positive, shape};

/// `N(μ, s² I)`, score `−(x − μ)/s²`.
///
/// # Example
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use replay_sampler::Drift;
/// use replay_sampler::scores::IsotropicGaussian;
///
/// let g = IsotropicGaussian::new(DVector::from_vec(vec![1.0, 0.0]), 4.0)?;
/// let x = DMatrix::from_column_slice(2, 1, &[3.0, -2.0]);
/// let mut f = DMatrix::zeros(2, 1);
/// g.drift_into(&x, None, &mut f);
/// assert_eq!(f.as_slice(), &[-0.5, 0.5]);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IsotropicGaussian<T: RealField + Copy> {
    mean: DVector<T>,
    variance: T,
}

impl<T: RealField + Copy> IsotropicGaussian<T> {
    /// Mean `μ` (finite, non-empty) and variance `s²` (finite, > 0).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::{SamplerError, scores::IsotropicGaussian};
    ///
    /// let err = IsotropicGaussian::new(DVector::zeros(2), 0.0_f64).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "variance", .. }));
    /// ```
    pub fn new(mean: DVector<T>, variance: T) -> Result<Self, SamplerError> {
        finite_entries("mean", mean.as_slice())?;
        Ok(Self {
            mean,
            variance: positive("variance", variance)?,
        })
    }

    /// The standard normal in `dim` dimensions.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::{Drift, scores::IsotropicGaussian};
    ///
    /// assert_eq!(IsotropicGaussian::<f32>::standard(3).dim(), Some(3));
    /// ```
    pub fn standard(dim: usize) -> Self {
        Self {
            mean: DVector::zeros(dim),
            variance: T::one(),
        }
    }

    /// The mean `μ`.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// assert_eq!(IsotropicGaussian::<f64>::standard(2).mean().len(), 2);
    /// ```
    pub fn mean(&self) -> &DVector<T> {
        &self.mean
    }

    /// The variance `s²` of each coordinate.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// assert_eq!(IsotropicGaussian::<f64>::standard(2).variance(), 1.0);
    /// ```
    pub fn variance(&self) -> T {
        self.variance
    }

    /// `log p(x)`, normalised. `x` must have the mean's length.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// let lp = IsotropicGaussian::<f64>::standard(1).log_density(&DVector::from_vec(vec![0.0]))?;
    /// assert!((lp + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn log_density(&self, x: &DVector<T>) -> Result<T, SamplerError> {
        shape("x", x.shape(), self.mean.shape())?;
        let d = nalgebra::convert::<f64, T>(self.mean.len() as f64);
        let half = nalgebra::convert::<f64, T>(0.5);
        let sq = (x - &self.mean).norm_squared();
        Ok(-half * (sq / self.variance + d * (log_two_pi::<T>() + self.variance.ln())))
    }
}

impl<T: RealField + Copy> Drift<T> for IsotropicGaussian<T> {
    /// `out = −(x − μ)/s² + c`.
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        pull_towards(states, &self.mean, T::one() / self.variance, current, out);
    }

    fn dim(&self) -> Option<usize> {
        Some(self.mean.len())
    }
}

/// `N(μ, Σ)` with a full covariance, score `−Σ⁻¹ (x − μ)` evaluated for a batch with one
/// matrix product.
///
/// # Example
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use replay_sampler::Drift;
/// use replay_sampler::scores::Gaussian;
///
/// let cov = DMatrix::from_row_slice(2, 2, &[2.0_f64, 0.0, 0.0, 0.5]);
/// let g = Gaussian::new(DVector::zeros(2), cov)?;
/// let x = DMatrix::from_column_slice(2, 1, &[1.0, 1.0]);
/// let mut f = DMatrix::zeros(2, 1);
/// g.drift_into(&x, None, &mut f);
/// assert!((f[(0, 0)] + 0.5).abs() < 1e-12 && (f[(1, 0)] + 2.0).abs() < 1e-12);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian<T: RealField + Copy> {
    pub(crate) mean: DVector<T>,
    pub(crate) precision: DMatrix<T>,
    precision_mean: DVector<T>,
    /// `−½ log det(2π Σ)`.
    pub(crate) log_norm: T,
}

impl<T: RealField + Copy> Gaussian<T> {
    /// Mean `μ` (finite, non-empty) and covariance `Σ` (`d × d`, symmetric positive definite).
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::{SamplerError, scores::Gaussian};
    ///
    /// let not_pd = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
    /// assert_eq!(
    ///     Gaussian::new(DVector::zeros(2), not_pd).unwrap_err(),
    ///     SamplerError::NotPositiveDefinite { name: "covariance" }
    /// );
    /// assert!(matches!(
    ///     Gaussian::new(DVector::zeros(3), DMatrix::<f64>::identity(2, 2)),
    ///     Err(SamplerError::ShapeMismatch { name: "covariance", .. })
    /// ));
    /// ```
    pub fn new(mean: DVector<T>, covariance: DMatrix<T>) -> Result<Self, SamplerError> {
        finite_entries("mean", mean.as_slice())?;
        let d = mean.len();
        shape("covariance", covariance.shape(), (d, d))?;
        finite_entries("covariance", covariance.as_slice())?;
        let tol = nalgebra::convert::<f64, T>(1e-10);
        let scale = covariance.amax();
        let symmetric = (0..d).all(|i| {
            (0..i).all(|j| (covariance[(i, j)] - covariance[(j, i)]).abs() <= tol * scale)
        });
        let not_pd = SamplerError::NotPositiveDefinite { name: "covariance" };
        if !symmetric {
            return Err(not_pd);
        }
        let chol = covariance.cholesky().ok_or(not_pd)?;
        let log_det = chol
            .l()
            .diagonal()
            .iter()
            .fold(T::zero(), |acc, &l| acc + l.ln());
        let log_det = log_det + log_det;
        let precision = chol.inverse();
        let precision_mean = &precision * &mean;
        let dim = nalgebra::convert::<f64, T>(d as f64);
        let half = nalgebra::convert::<f64, T>(0.5);
        Ok(Self {
            mean,
            precision,
            precision_mean,
            log_norm: -half * (dim * log_two_pi::<T>() + log_det),
        })
    }

    /// The mean `μ`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::Gaussian;
    ///
    /// let g = Gaussian::new(DVector::from_element(2, 1.0), DMatrix::<f64>::identity(2, 2))?;
    /// assert_eq!(g.mean()[0], 1.0);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn mean(&self) -> &DVector<T> {
        &self.mean
    }

    /// The precision `Σ⁻¹`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::Gaussian;
    ///
    /// let g = Gaussian::new(DVector::zeros(1), DMatrix::from_element(1, 1, 4.0_f64))?;
    /// assert!((g.precision()[(0, 0)] - 0.25).abs() < 1e-15);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn precision(&self) -> &DMatrix<T> {
        &self.precision
    }

    /// `log p(x)`, normalised. `x` must have the mean's length.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::Gaussian;
    ///
    /// let g = Gaussian::new(DVector::zeros(1), DMatrix::from_element(1, 1, 4.0_f64))?;
    /// let lp = g.log_density(&DVector::from_vec(vec![2.0]))?;
    /// let expect = -0.5 * (1.0 + (2.0 * std::f64::consts::PI * 4.0).ln());
    /// assert!((lp - expect).abs() < 1e-14);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn log_density(&self, x: &DVector<T>) -> Result<T, SamplerError> {
        shape("x", x.shape(), self.mean.shape())?;
        let d = x - &self.mean;
        let half = nalgebra::convert::<f64, T>(0.5);
        Ok(self.log_norm - half * d.dot(&(&self.precision * &d)))
    }
}

impl<T: RealField + Copy> Drift<T> for Gaussian<T> {
    /// `out = −Σ⁻¹ x + Σ⁻¹ μ + c`.
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        out.gemm(-T::one(), &self.precision, states, T::zero());
        for mut col in out.column_iter_mut() {
            col += &self.precision_mean;
        }
        super::add_current(out, current);
    }

    fn dim(&self) -> Option<usize> {
        Some(self.mean.len())
    }
}
