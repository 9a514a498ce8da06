//! How trajectories are passed in: one `dim × T` matrix per trajectory, one column per time step.

use nalgebra::DMatrix;

use crate::{MetricsError, Result, check};

/// Anything that can be read as a list of trajectories.
///
/// A trajectory is a `&DMatrix<f64>` of shape `dim × T`: column `t` is the position at time step
/// `t`. A single matrix is a list of one; slices, vectors and arrays of matrices are lists of many.
/// All trajectories of one list must have the same dimension; their lengths may differ unless a
/// metric says otherwise.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::Trajectories;
///
/// let one = DMatrix::from_column_slice(2, 3, &[0.0, 0.0, 1.0, 0.0, 2.0, 0.0]);
/// assert_eq!(one.as_trajectories().len(), 1);
/// let many = vec![one.clone(), one];
/// assert_eq!(many.as_trajectories().len(), 2);
/// ```
pub trait Trajectories {
    /// The trajectories as a slice.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_metrics::Trajectories;
    ///
    /// let pair = [DMatrix::zeros(2, 5), DMatrix::zeros(2, 7)];
    /// let lens: Vec<usize> = pair.as_trajectories().iter().map(|t| t.ncols()).collect();
    /// assert_eq!(lens, vec![5, 7]);
    /// ```
    fn as_trajectories(&self) -> &[DMatrix<f64>];
}

impl Trajectories for DMatrix<f64> {
    fn as_trajectories(&self) -> &[DMatrix<f64>] {
        std::slice::from_ref(self)
    }
}

impl Trajectories for [DMatrix<f64>] {
    fn as_trajectories(&self) -> &[DMatrix<f64>] {
        self
    }
}

impl Trajectories for Vec<DMatrix<f64>> {
    fn as_trajectories(&self) -> &[DMatrix<f64>] {
        self
    }
}

impl<const N: usize> Trajectories for [DMatrix<f64>; N] {
    fn as_trajectories(&self) -> &[DMatrix<f64>] {
        self
    }
}

/// Checks a list of trajectories: non-empty, each at least `min_len` steps long, all of one
/// dimension, all finite. Returns the dimension.
pub(crate) fn validate(
    field: &'static str,
    trajs: &[DMatrix<f64>],
    min_len: usize,
) -> Result<usize> {
    let first = trajs.first().ok_or(MetricsError::Empty { field })?;
    let dim = first.nrows();
    if dim == 0 {
        return Err(MetricsError::Empty { field });
    }
    for traj in trajs {
        check::same(field, dim, traj.nrows())?;
        if traj.ncols() < min_len.max(1) {
            return Err(MetricsError::InvalidParameter {
                field,
                value: format!(
                    "{} steps (at least {} needed)",
                    traj.ncols(),
                    min_len.max(1)
                ),
                reason: "a trajectory is too short for this metric",
            });
        }
        check::finite(field, traj.as_slice())?;
    }
    Ok(dim)
}
