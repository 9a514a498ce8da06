//! Validation shared by the metrics: every public entry point checks here once, so the numeric
//! kernels behind it can assume clean, finite, consistently shaped input.

use nalgebra::DMatrix;

use crate::{MetricsError, Result};

/// Largest magnitude of a pairwise cost that the exact solvers accept: potentials and reduced
/// costs are sums and differences of a few costs, which must stay far from overflow.
pub(crate) const MAX_COST: f64 = 1e150;

/// Finite values, reported with the first offending index.
pub(crate) fn finite(field: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(MetricsError::NonFinite {
            field,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// A non-empty, finite point set (dim × n, one column per point).
pub(crate) fn points(field: &'static str, x: &DMatrix<f64>) -> Result<()> {
    if x.ncols() == 0 || x.nrows() == 0 {
        return Err(MetricsError::Empty { field });
    }
    finite(field, x.as_slice())
}

/// Two point sets in the same space.
pub(crate) fn point_pair(x: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<()> {
    points("x", x)?;
    points("y", y)?;
    same("y (rows = dimension)", x.nrows(), y.nrows())
}

/// Sizes that must agree.
pub(crate) fn same(field: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(MetricsError::DimensionMismatch {
            field,
            expected,
            found,
        })
    }
}

/// A weight vector for `n` atoms: finite, non-negative, positive sum. Returned normalised to sum 1.
pub(crate) fn weights(field: &'static str, w: &[f64], n: usize) -> Result<Vec<f64>> {
    same(field, n, w.len())?;
    finite(field, w)?;
    if let Some(index) = w.iter().position(|&v| v < 0.0) {
        return Err(MetricsError::InvalidParameter {
            field,
            value: format!("{} at index {index}", w[index]),
            reason: "weights must be non-negative",
        });
    }
    let total: f64 = w.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return Err(MetricsError::InvalidParameter {
            field,
            value: format!("sum {total}"),
            reason: "weights must have a positive, finite sum",
        });
    }
    Ok(w.iter().map(|v| v / total).collect())
}

/// A strictly positive count.
pub(crate) fn positive(field: &'static str, value: usize) -> Result<()> {
    if value == 0 {
        Err(MetricsError::InvalidParameter {
            field,
            value: "0".into(),
            reason: "must be at least 1",
        })
    } else {
        Ok(())
    }
}

/// Costs that the exact solvers can work with.
pub(crate) fn costs(field: &'static str, cost: &[f64]) -> Result<()> {
    finite(field, cost)?;
    match cost.iter().position(|c| c.abs() > MAX_COST) {
        Some(index) => Err(MetricsError::InvalidParameter {
            field,
            value: format!("{} at index {index}", cost[index]),
            reason: "costs must not exceed 1e150 in magnitude",
        }),
        None => Ok(()),
    }
}
