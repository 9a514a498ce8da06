//! Gaussian kernel density estimates, their score, and the KDE estimate of KL(P‖Q).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::{MetricsError, Result, check};

/// Bandwidth rule of a Gaussian KDE: the kernel covariance is `f² Σ̂`, with `Σ̂` the sample
/// covariance and `f` the factor below (`n` points in `d` dimensions), as in `scipy.stats.gaussian_kde`.
///
/// ```
/// use replay_metrics::Bandwidth;
///
/// // Scott: n^(-1/(d+4)); with n = 32, d = 1 that is 32^(-1/5) = 1/2.
/// assert!((Bandwidth::Scott.factor(32, 1) - 0.5).abs() < 1e-15);
/// // Silverman: (n (d+2) / 4)^(-1/(d+4)).
/// assert!((Bandwidth::Silverman.factor(16, 2) - 16f64.powf(-1.0 / 6.0)).abs() < 1e-15);
/// assert_eq!(Bandwidth::Factor(0.3).factor(1000, 3), 0.3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Bandwidth {
    /// Scott's rule, `f = n^{-1/(d+4)}`.
    Scott,
    /// Silverman's rule, `f = (n (d + 2) / 4)^{-1/(d+4)}`.
    Silverman,
    /// A fixed factor `f > 0`.
    Factor(f64),
}

impl Bandwidth {
    /// The factor `f` for `n` points in `d` dimensions.
    ///
    /// ```
    /// assert_eq!(replay_metrics::Bandwidth::Factor(0.2).factor(10, 2), 0.2);
    /// ```
    pub fn factor(self, n: usize, d: usize) -> f64 {
        let exponent = -1.0 / (d as f64 + 4.0);
        match self {
            Bandwidth::Scott => (n as f64).powf(exponent),
            Bandwidth::Silverman => (n as f64 * (d as f64 + 2.0) / 4.0).powf(exponent),
            Bandwidth::Factor(f) => f,
        }
    }
}

/// A Gaussian kernel density estimate `p̂(x) = (1/n) Σ_i N(x; x_i, H)` with `H = f² Σ̂`.
///
/// The points are stored whitened by the Cholesky factor `L` of `H` (`z = L⁻¹ x`), so one density
/// evaluation costs `O(n d)` and needs no matrix solve per point.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{Bandwidth, GaussianKde};
///
/// let x = DMatrix::from_row_slice(1, 4, &[-1.5, -0.5, 0.5, 1.5]);
/// let kde = GaussianKde::new(&x, Bandwidth::Factor(0.5)).unwrap();
/// // Symmetric data: the density is symmetric and the score vanishes at 0.
/// let l = kde.log_density(&[0.3]).unwrap();
/// assert!((l - kde.log_density(&[-0.3]).unwrap()).abs() < 1e-12);
/// assert!(kde.score(&[0.0]).unwrap()[0].abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct GaussianKde {
    /// Whitened points, `d × n`.
    z: DMatrix<f64>,
    /// `L⁻¹`, the inverse of the lower Cholesky factor of the kernel covariance `H = L Lᵀ`.
    l_inv: DMatrix<f64>,
    /// `−ln n − (d/2) ln 2π − ln det L`.
    log_norm: f64,
}

impl GaussianKde {
    /// Builds the estimate from `points` (`d × n`, one column per point, `n ≥ 2`, with a
    /// non-singular sample covariance) and a bandwidth rule.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    ///
    /// let x = DMatrix::from_row_slice(2, 3, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    /// assert!(GaussianKde::new(&x, Bandwidth::Scott).is_ok());
    /// // Collinear points have a singular covariance.
    /// let line = DMatrix::from_row_slice(2, 3, &[0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
    /// assert!(GaussianKde::new(&line, Bandwidth::Scott).is_err());
    /// ```
    pub fn new(points: &DMatrix<f64>, bandwidth: Bandwidth) -> Result<Self> {
        check::points("points", points)?;
        let (d, n) = points.shape();
        if n < 2 {
            return Err(MetricsError::InvalidParameter {
                field: "points",
                value: format!("{n} point"),
                reason: "a KDE needs at least 2 points to estimate a covariance",
            });
        }
        let f = bandwidth.factor(n, d);
        if !(f.is_finite() && f > 0.0) {
            return Err(MetricsError::InvalidParameter {
                field: "bandwidth",
                value: format!("{f}"),
                reason: "the bandwidth factor must be positive and finite",
            });
        }
        let mean = points.column_mean();
        let centred = points - &mean * DVector::from_element(n, 1.0).transpose();
        let cov = (&centred * centred.transpose()) / (n as f64 - 1.0) * (f * f);
        let chol = cov
            .cholesky()
            .ok_or_else(|| MetricsError::InvalidParameter {
                field: "points",
                value: format!("{n} points in {d} dimensions"),
                reason: "the sample covariance is singular (points on a lower-dimensional set)",
            })?
            .unpack();
        let l_inv = chol
            .solve_lower_triangular(&DMatrix::identity(d, d))
            .filter(|m| m.iter().all(|v| v.is_finite()))
            .ok_or_else(|| MetricsError::InvalidParameter {
                field: "points",
                value: format!("{n} points in {d} dimensions"),
                reason: "the kernel covariance is numerically singular",
            })?;
        let z = &l_inv * points;
        let log_det_l: f64 = chol.diagonal().iter().map(|v| v.ln()).sum();
        let log_norm =
            -(n as f64).ln() - 0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln() - log_det_l;
        Ok(Self { z, l_inv, log_norm })
    }

    /// Dimension of the space.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    /// let x = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 3.0]);
    /// assert_eq!(GaussianKde::new(&x, Bandwidth::Scott).unwrap().dim(), 1);
    /// ```
    pub fn dim(&self) -> usize {
        self.z.nrows()
    }

    /// Number of kernel centres.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    /// let x = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 3.0]);
    /// assert_eq!(GaussianKde::new(&x, Bandwidth::Scott).unwrap().len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.z.ncols()
    }

    /// Always false: a KDE has at least two centres.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    /// let x = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
    /// assert!(!GaussianKde::new(&x, Bandwidth::Scott).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.z.ncols() == 0
    }

    /// `ln p̂(x)`.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    ///
    /// // Centres ±1 have sample variance 2, so with factor f each kernel is N(±1, 2f²).
    /// let x = DMatrix::from_row_slice(1, 2, &[-1.0, 1.0]);
    /// let kde = GaussianKde::new(&x, Bandwidth::Factor(0.5)).unwrap();
    /// let var = 2.0 * 0.25; // sample variance 2, times f²
    /// let normal = |m: f64| (-(0.0 - m).powi(2) / (2.0 * var)).exp() / (2.0 * std::f64::consts::PI * var).sqrt();
    /// let expected = (0.5 * (normal(-1.0) + normal(1.0))).ln();
    /// assert!((kde.log_density(&[0.0]).unwrap() - expected).abs() < 1e-12);
    /// ```
    pub fn log_density(&self, x: &[f64]) -> Result<f64> {
        let z = self.whiten(x)?;
        Ok(self.log_density_whitened(z.as_slice(), None))
    }

    /// The score `∇ ln p̂(x) = H⁻¹ Σ_i w_i(x) (x_i − x)` with softmax weights `w_i(x)`.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::{Bandwidth, GaussianKde};
    ///
    /// let x = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 3.0]);
    /// let kde = GaussianKde::new(&x, Bandwidth::Scott).unwrap();
    /// let h = 1e-6;
    /// let fd = (kde.log_density(&[1.2 + h]).unwrap() - kde.log_density(&[1.2 - h]).unwrap()) / (2.0 * h);
    /// assert!((kde.score(&[1.2]).unwrap()[0] - fd).abs() < 1e-6);
    /// ```
    pub fn score(&self, x: &[f64]) -> Result<Vec<f64>> {
        let z = self.whiten(x)?;
        // Softmax weights of the kernels (running maximum, rescaling the sums when it moves),
        // then the weighted mean offset z_i − z in whitened space.
        let mut max = f64::NEG_INFINITY;
        let mut total = 0.0;
        let mut offset = DVector::zeros(self.dim());
        for zi in self.z.column_iter() {
            let e = -0.5 * squared_distance(zi.iter(), z.iter());
            if e > max {
                let scale = (max - e).exp();
                total *= scale;
                offset *= scale;
                max = e;
            }
            let w = (e - max).exp();
            total += w;
            for ((o, a), b) in offset.iter_mut().zip(zi.iter()).zip(z.iter()) {
                *o += w * (a - b);
            }
        }
        offset /= total;
        // H⁻¹ (x_i − x) = L⁻ᵀ L⁻¹ (x_i − x) = L⁻ᵀ (z_i − z).
        Ok(self.l_inv.tr_mul(&offset).iter().copied().collect())
    }

    fn whiten(&self, x: &[f64]) -> Result<DVector<f64>> {
        check::same("x (dimension)", self.dim(), x.len())?;
        check::finite("x", x)?;
        Ok(&self.l_inv * DVector::from_column_slice(x))
    }

    /// `ln p̂` at a whitened point, optionally leaving out one centre (then normalised by
    /// `n − 1`). A running log-sum-exp: one pass, one `exp` per centre, no buffer.
    fn log_density_whitened(&self, z: &[f64], skip: Option<usize>) -> f64 {
        let mut max = f64::NEG_INFINITY;
        let mut sum = 0.0;
        for (i, zi) in self.z.column_iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            let e = -0.5 * squared_distance(zi.iter(), z.iter());
            if e > max {
                sum = sum * (max - e).exp() + 1.0;
                max = e;
            } else {
                sum += (e - max).exp();
            }
        }
        let n = self.len() as f64;
        let renorm = if skip.is_some() {
            (n / (n - 1.0)).ln()
        } else {
            0.0
        };
        max + sum.ln() + self.log_norm + renorm
    }
}

/// KDE estimate of `KL(P‖Q) = E_P[ln p − ln q]` from samples `p` (`d × n`) and `q` (`d × m`):
/// `(1/n) Σ_i [ln p̂_{−i}(x_i) − ln q̂(x_i)]`, with `p̂_{−i}` the leave-one-out KDE of `p`
/// (removing the self-kernel, which would bias `ln p̂` upwards) and `q̂` the KDE of `q`.
///
/// Smoothing biases the estimate: for Gaussians `N(μ_P, Σ_P)` and `N(μ_Q, Σ_Q)` the kernels
/// inflate both covariances by `1 + f²`, which leaves the trace and determinant terms of the KL
/// unchanged but shrinks the mean term by `1/(1 + f²)`. Cost `O((n + m) n d)`.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use rand_distr::{Distribution, StandardNormal};
/// use replay_metrics::{Bandwidth, kl_divergence_kde};
///
/// let mut rng = ChaCha8Rng::seed_from_u64(3);
/// let mut draw = |shift: f64| DMatrix::from_fn(1, 1000, |_, _| {
///     let z: f64 = StandardNormal.sample(&mut rng);
///     z + shift
/// });
/// let (p, q) = (draw(0.0), draw(1.0));
/// // KL(N(0,1) ‖ N(1,1)) = 1/2.
/// let kl = kl_divergence_kde(&p, &q, Bandwidth::Scott).unwrap();
/// assert!((kl - 0.5).abs() < 0.1);
/// ```
pub fn kl_divergence_kde(p: &DMatrix<f64>, q: &DMatrix<f64>, bandwidth: Bandwidth) -> Result<f64> {
    check::point_pair(p, q)?;
    let kde_p = GaussianKde::new(p, bandwidth).map_err(|e| rename(e, "p"))?;
    let kde_q = GaussianKde::new(q, bandwidth).map_err(|e| rename(e, "q"))?;
    let zp = &kde_p.l_inv * p;
    let zq = &kde_q.l_inv * p;
    let d = p.nrows();
    let mut total = 0.0;
    for (i, (a, b)) in zp
        .as_slice()
        .chunks_exact(d)
        .zip(zq.as_slice().chunks_exact(d))
        .enumerate()
    {
        total += kde_p.log_density_whitened(a, Some(i)) - kde_q.log_density_whitened(b, None);
    }
    Ok(total / p.ncols() as f64)
}

fn squared_distance<'a>(a: impl Iterator<Item = &'a f64>, b: impl Iterator<Item = &'a f64>) -> f64 {
    a.zip(b).map(|(u, v)| (u - v) * (u - v)).sum()
}

/// Names the argument of [`kl_divergence_kde`] in an error raised for a KDE's `points`.
fn rename(err: MetricsError, field: &'static str) -> MetricsError {
    match err {
        MetricsError::InvalidParameter {
            field: "points",
            value,
            reason,
        } => MetricsError::InvalidParameter {
            field,
            value,
            reason,
        },
        other => other,
    }
}
