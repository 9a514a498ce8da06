//! The drift trait every integrator is generic over.

use nalgebra::{DMatrix, RealField};

/// A batched drift field `f(x, c)`: the direction a state moves in one step before noise.
///
/// `states` holds one state per column (`dim × batch`). `current` is an additive input current of
/// the same shape, or `None` when it is zero (quiescence). For a recurrent network it enters inside
/// the nonlinearity (`U u − a`); fields without a nonlinearity document how they use it.
///
/// Implementations write `f` for every column into `out`, which has the shape of `states`.
/// Callers guarantee the shapes agree (integrators validate them once, before stepping), so
/// implementations may index without further checks.
///
/// A drift is `Sync`: for large batches an integrator evaluates it on one thread while it draws
/// the step's noise on another (the draw order, and so every result, stays the same).
///
/// # Example
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_sampler::Drift;
///
/// /// Pulls every coordinate towards zero at rate `k`.
/// struct Decay(f64);
///
/// impl Drift<f64> for Decay {
///     fn drift_into(&self, states: &DMatrix<f64>, current: Option<&DMatrix<f64>>, out: &mut DMatrix<f64>) {
///         out.copy_from(states);
///         *out *= -self.0;
///         if let Some(c) = current {
///             *out += c;
///         }
///     }
/// }
///
/// let x = DMatrix::from_column_slice(1, 2, &[1.0, -2.0]);
/// let mut f = DMatrix::zeros(1, 2);
/// Decay(0.5).drift_into(&x, None, &mut f);
/// assert_eq!(f.as_slice(), &[-0.5, 1.0]);
/// ```
pub trait Drift<T: RealField + Copy>: Sync {
    /// Writes `f(states[:, j], current[:, j])` into `out[:, j]` for every column `j`.
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use replay_sampler::Drift;
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// // The score of N(0, 1) is −x; a current of 0.5 is added to it.
    /// let x = DMatrix::from_column_slice(1, 2, &[1.0, 2.0]);
    /// let c = DMatrix::from_element(1, 2, 0.5);
    /// let mut f = DMatrix::zeros(1, 2);
    /// IsotropicGaussian::<f64>::standard(1).drift_into(&x, Some(&c), &mut f);
    /// assert_eq!(f.as_slice(), &[-0.5, -1.5]);
    /// ```
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>);

    /// The state dimension this drift accepts, if it is fixed (a network's hidden size).
    ///
    /// Integrators use it to reject mismatched states with a typed error before stepping.
    ///
    /// # Example
    ///
    /// ```
    /// use replay_sampler::Drift;
    /// use replay_sampler::scores::IsotropicGaussian;
    ///
    /// assert_eq!(IsotropicGaussian::<f64>::standard(5).dim(), Some(5));
    /// ```
    fn dim(&self) -> Option<usize> {
        None
    }
}
