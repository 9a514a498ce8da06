//! Gaussian mixtures: a score that is a responsibility-weighted average of component scores.

use nalgebra::{DMatrix, DVector, RealField};

use super::{Gaussian, add_current};
use crate::drift::Drift;
use crate::error::{SamplerError, require, shape};

/// `p = Σ_k w_k N(μ_k, Σ_k)`, score `Σ_k r_k(x) (−Σ_k⁻¹ (x − μ_k))` with posterior
/// responsibilities `r_k ∝ w_k N(x; μ_k, Σ_k)`.
///
/// Responsibilities are accumulated with a running log-sum-exp per column, so far-out states
/// do not underflow, and the evaluation needs no scratch memory.
///
/// # Example
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use replay_sampler::Drift;
/// use replay_sampler::scores::{Gaussian, GaussianMixture};
///
/// let unit = |m: f64| Gaussian::new(DVector::from_element(1, m), DMatrix::identity(1, 1));
/// let mix = GaussianMixture::new(&[0.5, 0.5], vec![unit(-2.0)?, unit(2.0)?])?;
/// // Midway, the two pulls cancel.
/// let mut f = DMatrix::zeros(1, 1);
/// mix.drift_into(&DMatrix::zeros(1, 1), None, &mut f);
/// assert!(f[(0, 0)].abs() < 1e-15);
/// # Ok::<(), replay_sampler::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture<T: RealField + Copy> {
    components: Vec<Gaussian<T>>,
    log_weights: Vec<T>,
}

impl<T: RealField + Copy> GaussianMixture<T> {
    /// Components with positive finite `weights` (normalised here; one weight per component)
    /// and a common dimension. At least one component.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::SamplerError;
    /// use replay_sampler::scores::{Gaussian, GaussianMixture};
    ///
    /// let g = Gaussian::new(DVector::<f64>::zeros(1), DMatrix::identity(1, 1))?;
    /// let err = GaussianMixture::new(&[1.0, -1.0], vec![g.clone(), g.clone()]).unwrap_err();
    /// assert!(matches!(err, SamplerError::InvalidParameter { name: "weights", value, .. } if value == -1.0));
    /// assert!(matches!(
    ///     GaussianMixture::new(&[1.0], vec![g.clone(), g]),
    ///     Err(SamplerError::ShapeMismatch { name: "weights", .. })
    /// ));
    /// # Ok::<(), SamplerError>(())
    /// ```
    pub fn new(weights: &[T], components: Vec<Gaussian<T>>) -> Result<Self, SamplerError> {
        let Some(first) = components.first() else {
            return Err(SamplerError::Empty { name: "components" });
        };
        shape("weights", (weights.len(), 1), (components.len(), 1))?;
        let dim = first.mean.len();
        for c in &components {
            shape("components", (c.mean.len(), 1), (dim, 1))?;
        }
        let mut total = T::zero();
        for &w in weights {
            total += require("weights", w, "finite and > 0", |w| {
                w.is_finite() && w > T::zero()
            })?;
        }
        let log_weights = weights.iter().map(|&w| (w / total).ln()).collect();
        Ok(Self {
            components,
            log_weights,
        })
    }

    /// The components.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::{Gaussian, GaussianMixture};
    ///
    /// let g = Gaussian::new(DVector::<f64>::zeros(2), DMatrix::identity(2, 2))?;
    /// assert_eq!(GaussianMixture::new(&[1.0], vec![g])?.components().len(), 1);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn components(&self) -> &[Gaussian<T>] {
        &self.components
    }

    /// The normalised weights.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::{Gaussian, GaussianMixture};
    ///
    /// let g = Gaussian::new(DVector::<f64>::zeros(1), DMatrix::identity(1, 1))?;
    /// let w = GaussianMixture::new(&[1.0, 3.0], vec![g.clone(), g])?.weights();
    /// assert!((w[0] - 0.25).abs() < 1e-15 && (w[1] - 0.75).abs() < 1e-15);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn weights(&self) -> Vec<T> {
        self.log_weights.iter().map(|w| w.exp()).collect()
    }

    /// `log p(x)`, normalised. `x` must have the components' dimension.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::scores::{Gaussian, GaussianMixture};
    ///
    /// let g = Gaussian::new(DVector::<f64>::zeros(1), DMatrix::identity(1, 1))?;
    /// let mix = GaussianMixture::new(&[0.3, 0.7], vec![g.clone(), g.clone()])?;
    /// let x = DVector::from_vec(vec![0.4]);
    /// assert!((mix.log_density(&x)? - g.log_density(&x)?).abs() < 1e-14);
    /// # Ok::<(), replay_sampler::SamplerError>(())
    /// ```
    pub fn log_density(&self, x: &DVector<T>) -> Result<T, SamplerError> {
        let mut terms = Vec::with_capacity(self.components.len());
        for (c, &lw) in self.components.iter().zip(&self.log_weights) {
            terms.push(lw + c.log_density(x)?);
        }
        let max = terms
            .iter()
            .fold(T::min_value().unwrap_or(-T::one() / T::zero()), |m, &t| {
                m.max(t)
            });
        let sum = terms.iter().fold(T::zero(), |s, &t| s + (t - max).exp());
        Ok(max + sum.ln())
    }
}

/// `g_i = −Σ_l P[l, i] (x_l − μ_l)`, component `i` of one component's score (`P` symmetric, so
/// its columns are its rows and the sum runs down a contiguous column).
fn score_entry<T: RealField + Copy>(p: &DMatrix<T>, mean: &[T], x: &[T], i: usize) -> T {
    let col = p.column(i);
    let mut acc = T::zero();
    for ((&pli, &xl), &ml) in col.iter().zip(x).zip(mean) {
        acc += pli * (xl - ml);
    }
    -acc
}

impl<T: RealField + Copy> Drift<T> for GaussianMixture<T> {
    /// `out = Σ_k r_k(x) (−Σ_k⁻¹ (x − μ_k)) + c`.
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        let half = nalgebra::convert::<f64, T>(0.5);
        for (x, mut o) in states.column_iter().zip(out.column_iter_mut()) {
            let x = x.as_slice();
            let o = o.as_mut_slice();
            o.fill(T::zero());
            // Running log-sum-exp: `o` holds Σ_k e^{l_k − max} g_k, `total` Σ_k e^{l_k − max}.
            let mut max = None::<T>;
            let mut total = T::zero();
            for (c, &lw) in self.components.iter().zip(&self.log_weights) {
                let mean = c.mean.as_slice();
                let quad = (0..x.len()).fold(T::zero(), |q, i| {
                    q - (x[i] - mean[i]) * score_entry(&c.precision, mean, x, i)
                });
                let l = lw + c.log_norm - half * quad;
                let m = match max {
                    Some(m) if m >= l => m,
                    Some(m) => {
                        let shrink = (m - l).exp();
                        total *= shrink;
                        o.iter_mut().for_each(|v| *v *= shrink);
                        max = Some(l);
                        l
                    }
                    None => {
                        max = Some(l);
                        l
                    }
                };
                let w = (l - m).exp();
                total += w;
                for (i, v) in o.iter_mut().enumerate() {
                    *v += w * score_entry(&c.precision, mean, x, i);
                }
            }
            o.iter_mut().for_each(|v| *v /= total);
        }
        add_current(out, current);
    }

    fn dim(&self) -> Option<usize> {
        self.components.first().map(|c| c.mean.len())
    }
}
