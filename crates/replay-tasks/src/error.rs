//! The one error type of the crate, and the checks that produce it.

use thiserror::Error;

/// Why a task could not be built, or a code could not be read.
///
/// Every variant names the offending field and its value, so a configuration mistake can be
/// found from the message alone.
///
/// ```
/// use replay_tasks::TaskError;
/// let err = TaskError::NotPositive { field: "mean_speed".into(), value: -0.5 };
/// assert_eq!(err.to_string(), "mean_speed must be positive, got -0.5");
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TaskError {
    /// A number is NaN or infinite.
    #[error("{field} must be finite, got {value}")]
    NotFinite {
        /// Name of the field.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A number that must be strictly positive is not.
    #[error("{field} must be positive, got {value}")]
    NotPositive {
        /// Name of the field.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A number that must not be negative is.
    #[error("{field} must be non-negative, got {value}")]
    Negative {
        /// Name of the field.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A number lies outside its allowed interval.
    #[error("{field} must lie in {range}, got {value}")]
    OutOfRange {
        /// Name of the field.
        field: String,
        /// The value given.
        value: f64,
        /// The allowed interval, in interval notation.
        range: String,
    },
    /// A count that must be at least one is zero.
    #[error("{field} must be at least 1, got 0")]
    ZeroCount {
        /// Name of the field.
        field: String,
    },
    /// A count or index exceeds its limit.
    #[error("{field} must be at most {max}, got {value}")]
    TooLarge {
        /// Name of the field.
        field: String,
        /// The value given.
        value: usize,
        /// The largest allowed value.
        max: usize,
    },
    /// A track graph without edges.
    #[error("edges must not be empty: a track needs at least one edge")]
    NoEdges,
    /// An edge names a node that does not exist.
    #[error(
        "edges[{edge}] = [{from}, {to}] refers to node {node}, but nodes has only {nodes} entries"
    )]
    MissingNode {
        /// Index of the edge.
        edge: usize,
        /// First node of the edge.
        from: usize,
        /// Second node of the edge.
        to: usize,
        /// The missing node.
        node: usize,
        /// Number of nodes.
        nodes: usize,
    },
    /// An edge whose two ends coincide.
    #[error("edges[{edge}] = [{from}, {to}] has zero length")]
    ZeroLengthEdge {
        /// Index of the edge.
        edge: usize,
        /// First node of the edge.
        from: usize,
        /// Second node of the edge.
        to: usize,
    },
    /// A track graph in more than one piece.
    #[error("nodes[{node}] is not connected to nodes[0]: the track must be one connected graph")]
    Disconnected {
        /// A node outside the component of node 0.
        node: usize,
    },
    /// A matrix of codes or positions has the wrong shape.
    #[error("{field} must have {expected} rows, got {got}")]
    Shape {
        /// Name of the argument.
        field: String,
        /// The number of rows expected.
        expected: usize,
        /// The number of rows given.
        got: usize,
    },
    /// The least-squares decoder's normal equations are singular.
    #[error(
        "least-squares decoder: normal equations are singular ({samples} samples, {features} features, ridge {ridge})"
    )]
    SingularFit {
        /// Number of fitting samples.
        samples: usize,
        /// Code dimension plus one (the intercept).
        features: usize,
        /// The ridge penalty used.
        ridge: f64,
    },
}

/// `value` must be finite.
/// Largest length, spread or length ratio a parameter may have: its square stays far from
/// overflow (and the square of its reciprocal far from underflow), so that squared distances,
/// variances and their quotients are finite.
pub(crate) const SCALE_LIMIT: f64 = 1e150;

pub(crate) fn finite(field: &str, value: f64) -> Result<f64, TaskError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(TaskError::NotFinite {
            field: field.into(),
            value,
        })
    }
}

/// `value` must be finite and strictly positive.
pub(crate) fn positive(field: &str, value: f64) -> Result<f64, TaskError> {
    if finite(field, value)? > 0.0 {
        Ok(value)
    } else {
        Err(TaskError::NotPositive {
            field: field.into(),
            value,
        })
    }
}

/// `value` must be finite and not negative.
pub(crate) fn non_negative(field: &str, value: f64) -> Result<f64, TaskError> {
    if finite(field, value)? >= 0.0 {
        Ok(value)
    } else {
        Err(TaskError::Negative {
            field: field.into(),
            value,
        })
    }
}

/// `value` must be finite and lie in `(low, high]`.
pub(crate) fn in_half_open(field: &str, value: f64, low: f64, high: f64) -> Result<f64, TaskError> {
    if finite(field, value)? > low && value <= high {
        Ok(value)
    } else {
        Err(TaskError::OutOfRange {
            field: field.into(),
            value,
            range: format!("({low}, {high}]"),
        })
    }
}

/// Largest count (cells, bins, regions, steps) a parameter may have. Far beyond any experiment,
/// and small enough that a buffer sized by the product of three counts stays addressable, so
/// sizing one can only run out of memory, never overflow.
pub(crate) const MAX_COUNT: usize = 1_000_000;

/// `value` must be at least one and at most [`MAX_COUNT`].
pub(crate) fn count(field: &str, value: usize) -> Result<usize, TaskError> {
    if value == 0 {
        Err(TaskError::ZeroCount {
            field: field.into(),
        })
    } else {
        at_most_max_count(field, value)
    }
}

/// `value` must be at most [`MAX_COUNT`].
pub(crate) fn at_most_max_count(field: &str, value: usize) -> Result<usize, TaskError> {
    if value > MAX_COUNT {
        Err(TaskError::TooLarge {
            field: field.into(),
            value,
            max: MAX_COUNT,
        })
    } else {
        Ok(value)
    }
}

/// Both coordinates of a point must be finite.
pub(crate) fn finite_point(field: &str, p: [f64; 2]) -> Result<[f64; 2], TaskError> {
    finite(&format!("{field}[0]"), p[0])?;
    finite(&format!("{field}[1]"), p[1])?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_nan_before_sign() {
        let err = positive("dt", f64::NAN).unwrap_err();
        assert!(matches!(err, TaskError::NotFinite { .. }), "{err}");
        assert!(err.to_string().contains("dt"));
    }

    #[test]
    fn rejects_zero_as_positive_but_not_as_non_negative() {
        assert!(positive("side", 0.0).is_err());
        assert_eq!(non_negative("speed_sd", 0.0), Ok(0.0));
        assert!(non_negative("speed_sd", -1e-12).is_err());
    }

    #[test]
    fn rejects_values_outside_half_open_interval() {
        assert!(in_half_open("speed_reversion", 0.0, 0.0, 1.0).is_err());
        assert!(in_half_open("speed_reversion", 1.5, 0.0, 1.0).is_err());
        assert_eq!(in_half_open("speed_reversion", 1.0, 0.0, 1.0), Ok(1.0));
        let msg = in_half_open("speed_reversion", 2.0, 0.0, 1.0)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("speed_reversion") && msg.contains('2'),
            "{msg}"
        );
    }

    #[test]
    fn rejects_infinite_coordinate_naming_index() {
        let msg = finite_point("nodes[2]", [0.0, f64::INFINITY])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("nodes[2][1]"), "{msg}");
    }
}
