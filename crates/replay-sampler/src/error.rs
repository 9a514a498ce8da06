//! Typed errors for parameters, shapes and divergence.

use nalgebra::RealField;
use thiserror::Error;

/// Everything that can go wrong when configuring or running a sampler.
///
/// Every variant names the offending field, and where a number is at fault, its value.
///
/// # Example
///
/// ```
/// use replay_sampler::{EulerMaruyama, SamplerError};
///
/// let err = EulerMaruyama::<f64>::new(-0.1, 1.0).unwrap_err();
/// assert!(matches!(err, SamplerError::InvalidParameter { name: "step", .. }));
/// assert!(err.to_string().contains("step"));
/// assert!(err.to_string().contains("-0.1"));
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SamplerError {
    /// A scalar parameter is out of its admissible range (or NaN).
    #[error("invalid `{name}` = {value}: must be {requirement}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Its offending value (converted to `f64`).
        value: f64,
        /// The admissible range, in words.
        requirement: &'static str,
    },
    /// A matrix or vector has the wrong shape.
    #[error(
        "`{name}` has shape {found_rows}×{found_cols}, expected {expected_rows}×{expected_cols}"
    )]
    ShapeMismatch {
        /// What has the wrong shape.
        name: &'static str,
        /// Rows it should have.
        expected_rows: usize,
        /// Columns it should have.
        expected_cols: usize,
        /// Rows it has.
        found_rows: usize,
        /// Columns it has.
        found_cols: usize,
    },
    /// An input contains NaN or an infinity.
    #[error("`{name}` has a non-finite entry at index {index} (column-major)")]
    NonFinite {
        /// The input's name.
        name: &'static str,
        /// Column-major index of the first non-finite entry.
        index: usize,
    },
    /// An input that must hold at least one element is empty.
    #[error("`{name}` is empty")]
    Empty {
        /// The input's name.
        name: &'static str,
    },
    /// A covariance matrix is not symmetric positive definite.
    #[error("`{name}` is not symmetric positive definite")]
    NotPositiveDefinite {
        /// The matrix's name.
        name: &'static str,
    },
    /// The state became non-finite during a step.
    #[error("sampler diverged: `{name}` has a non-finite entry at index {index} after step {step}")]
    Diverged {
        /// Index of the failing step in the state's step count (0 for the first step ever taken).
        step: usize,
        /// Which part of the state (`positions` or `velocities`).
        name: &'static str,
        /// Column-major index of the first non-finite entry.
        index: usize,
    },
}

/// Converts any real scalar to `f64` for error messages.
pub(crate) fn as_f64<T: RealField + Copy>(value: T) -> f64 {
    nalgebra::convert_unchecked::<T, f64>(value)
}

/// Rejects `value` unless `ok(value)` holds (NaN fails every comparison, so it is rejected too).
pub(crate) fn require<T: RealField + Copy>(
    name: &'static str,
    value: T,
    requirement: &'static str,
    ok: impl FnOnce(T) -> bool,
) -> Result<T, SamplerError> {
    if ok(value) {
        Ok(value)
    } else {
        Err(SamplerError::InvalidParameter {
            name,
            value: as_f64(value),
            requirement,
        })
    }
}

/// A finite, strictly positive value.
pub(crate) fn positive<T: RealField + Copy>(
    name: &'static str,
    value: T,
) -> Result<T, SamplerError> {
    require(name, value, "finite and > 0", |v| {
        v.is_finite() && v > T::zero()
    })
}

/// A finite, non-negative value.
pub(crate) fn non_negative<T: RealField + Copy>(
    name: &'static str,
    value: T,
) -> Result<T, SamplerError> {
    require(name, value, "finite and >= 0", |v| {
        v.is_finite() && v >= T::zero()
    })
}

/// Index of the first non-finite entry of `values`, if any.
pub(crate) fn first_non_finite<T: RealField + Copy>(values: &[T]) -> Option<usize> {
    // Every step scans the whole state: each chunk is tested without an early exit, which
    // vectorises, and only a chunk that holds a non-finite value is searched entry by entry.
    const CHUNK: usize = 256;
    values.chunks(CHUNK).enumerate().find_map(|(c, chunk)| {
        if chunk.iter().fold(true, |all, v| all & v.is_finite()) {
            None
        } else {
            chunk
                .iter()
                .position(|v| !v.is_finite())
                .map(|i| c * CHUNK + i)
        }
    })
}

/// Rejects empty or non-finite inputs.
pub(crate) fn finite_entries<T: RealField + Copy>(
    name: &'static str,
    values: &[T],
) -> Result<(), SamplerError> {
    if values.is_empty() {
        return Err(SamplerError::Empty { name });
    }
    match first_non_finite(values) {
        Some(index) => Err(SamplerError::NonFinite { name, index }),
        None => Ok(()),
    }
}

/// Rejects a matrix whose shape differs from `(rows, cols)`.
pub(crate) fn shape(
    name: &'static str,
    found: (usize, usize),
    expected: (usize, usize),
) -> Result<(), SamplerError> {
    if found == expected {
        Ok(())
    } else {
        Err(SamplerError::ShapeMismatch {
            name,
            expected_rows: expected.0,
            expected_cols: expected.1,
            found_rows: found.0,
            found_cols: found.1,
        })
    }
}

/// A count that must be at least one.
pub(crate) fn positive_count(name: &'static str, value: usize) -> Result<usize, SamplerError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(SamplerError::InvalidParameter {
            name,
            value: value as f64,
            requirement: "at least 1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::first_non_finite;
    use proptest::prelude::*;

    proptest! {
        /// The chunked scan finds the same first index as a plain search, across chunk borders.
        #[test]
        fn first_non_finite_matches_a_plain_search(
            len in 0usize..1200,
            planted in proptest::collection::vec((0usize..1200, 0usize..3), 0..4),
        ) {
            let mut values: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            for (at, kind) in planted {
                if at < len {
                    values[at] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][kind];
                }
            }
            let plain = values.iter().position(|v| !v.is_finite());
            prop_assert_eq!(first_non_finite(&values), plain);
        }
    }
}
