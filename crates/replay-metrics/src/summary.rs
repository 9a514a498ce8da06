//! Summaries across seeds: mean, spread and Student-t confidence intervals.

use serde::{Deserialize, Serialize};

use crate::student_t::student_t_quantile;
use crate::{MetricsError, Result, check};

/// Mean, standard deviation and a two-sided Student-t confidence interval of the mean.
///
/// ```
/// use replay_metrics::Summary;
///
/// let s = Summary::new(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
/// assert_eq!(s.mean, 3.0);
/// assert!((s.std_dev - 2.5f64.sqrt()).abs() < 1e-15);
/// // Half-width t_{0.975,4} · s / √5 = 2.776445 · 0.707107.
/// assert!((s.ci_high - s.mean - 1.963243).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of samples.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (denominator `n − 1`).
    pub std_dev: f64,
    /// Standard error of the mean, `std_dev / √n`.
    pub std_err: f64,
    /// Confidence level of the interval, e.g. 0.95.
    pub level: f64,
    /// Lower end of the interval, `mean − t_{(1+level)/2, n−1} · std_err`.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
}

impl Summary {
    /// Summary with a 95 % interval of `samples` (at least 2, finite).
    ///
    /// ```
    /// use replay_metrics::Summary;
    /// let s = Summary::new(&[2.0, 2.0, 2.0]).unwrap();
    /// assert_eq!((s.ci_low, s.ci_high), (2.0, 2.0));
    /// assert!(Summary::new(&[1.0]).is_err());
    /// ```
    pub fn new(samples: &[f64]) -> Result<Self> {
        Self::with_level(samples, 0.95)
    }

    /// Summary with an interval at confidence `level` (`0 < level < 1`).
    ///
    /// ```
    /// use replay_metrics::Summary;
    /// let s = Summary::with_level(&[0.0, 1.0], 0.5).unwrap();
    /// // t_{0.75, 1} = 1 (Cauchy quartile); std_err = √0.5 / √2 = 0.5.
    /// assert!((s.ci_high - 1.0).abs() < 1e-12);
    /// ```
    pub fn with_level(samples: &[f64], level: f64) -> Result<Self> {
        if !(level > 0.0 && level < 1.0) {
            return Err(MetricsError::InvalidParameter {
                field: "level",
                value: format!("{level}"),
                reason: "a confidence level strictly between 0 and 1 is required",
            });
        }
        check::finite("samples", samples)?;
        let n = samples.len();
        if n < 2 {
            return Err(MetricsError::InvalidParameter {
                field: "samples",
                value: format!("{n} sample(s)"),
                reason: "a standard deviation needs at least 2 samples",
            });
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        let var = samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let std_dev = var.sqrt();
        let std_err = std_dev / (n as f64).sqrt();
        let t = student_t_quantile(0.5 + 0.5 * level, (n - 1) as f64)?;
        Ok(Self {
            n,
            mean,
            std_dev,
            std_err,
            level,
            ci_low: mean - t * std_err,
            ci_high: mean + t * std_err,
        })
    }

    /// Whether the interval excludes zero (the difference it summarises is significant at its level).
    ///
    /// ```
    /// use replay_metrics::Summary;
    /// assert!(Summary::new(&[1.0, 1.2, 0.9, 1.1]).unwrap().excludes_zero());
    /// assert!(!Summary::new(&[1.0, -1.2, 0.9, -1.1]).unwrap().excludes_zero());
    /// ```
    pub fn excludes_zero(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }
}

/// Paired-difference summary: the [`Summary`] (95 % interval) of `a_i − b_i`, for two metrics
/// measured on the same seeds. The pairing removes the between-seed variation both share.
///
/// ```
/// use replay_metrics::paired_difference;
///
/// let leaky = [0.20, 0.25, 0.18, 0.30];
/// let vanilla = [0.41, 0.47, 0.40, 0.49];
/// let d = paired_difference(&leaky, &vanilla).unwrap();
/// assert!((d.mean + 0.21).abs() < 1e-12);
/// assert!(d.excludes_zero());
/// ```
pub fn paired_difference(a: &[f64], b: &[f64]) -> Result<Summary> {
    check::same("b (length)", a.len(), b.len())?;
    check::finite("a", a)?;
    check::finite("b", b)?;
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    Summary::new(&diff)
}
