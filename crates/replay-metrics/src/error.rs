//! The one error type of the crate.

/// Everything that can be wrong with the input of a metric.
///
/// Every variant names the offending field (the argument or part of it) and, where there is one,
/// the offending value, so that a message read in a log is enough to find the bad input.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{MetricsError, Order, wasserstein};
///
/// let x = DMatrix::<f64>::zeros(2, 0);
/// let y = DMatrix::<f64>::zeros(2, 3);
/// let err = wasserstein(&x, &y, Order::W2).unwrap_err();
/// assert_eq!(err, MetricsError::Empty { field: "x" });
/// assert_eq!(err.to_string(), "`x` is empty");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// A point set, trajectory, weight vector or sample list has no entries.
    #[error("`{field}` is empty")]
    Empty {
        /// The argument that was empty.
        field: &'static str,
    },
    /// A value is NaN or infinite.
    #[error("`{field}` holds the non-finite value {value} at index {index}")]
    NonFinite {
        /// The argument holding the value.
        field: &'static str,
        /// Position of the value (column-major for matrices).
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// Two inputs that must agree in size do not.
    #[error("`{field}` has size {found}, expected {expected}")]
    DimensionMismatch {
        /// The argument whose size is wrong.
        field: &'static str,
        /// The size it must have.
        expected: usize,
        /// The size it has.
        found: usize,
    },
    /// A parameter lies outside its domain.
    #[error("`{field}` = {value} is invalid: {reason}")]
    InvalidParameter {
        /// The parameter.
        field: &'static str,
        /// Its value, formatted.
        value: String,
        /// What the domain is.
        reason: &'static str,
    },
    /// A region-assignment function returned an index past the region count.
    #[error("`{field}` returned region {value}, but there are only {count} regions")]
    RegionOutOfRange {
        /// The assignment function.
        field: &'static str,
        /// The region index it returned.
        value: usize,
        /// The number of regions.
        count: usize,
    },
    /// The transport solver hit its iteration guard (not seen on finite inputs of sane size).
    #[error("`{field}`: the transport solver did not finish within {limit} augmentations")]
    NotConverged {
        /// The problem that did not finish.
        field: &'static str,
        /// The augmentation budget that was exhausted.
        limit: usize,
    },
}

/// Result alias of the crate.
///
/// ```
/// fn half(x: f64) -> replay_metrics::Result<f64> {
///     Ok(x / 2.0)
/// }
/// assert_eq!(half(3.0), Ok(1.5));
/// ```
pub type Result<T> = std::result::Result<T, MetricsError>;
