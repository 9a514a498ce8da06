//! Analytic drifts: scores `∇ log p` of targets with closed-form densities.
//!
//! Every score here uses the `current` argument of [`Drift::drift_into`](crate::Drift::drift_into)
//! additively: `f(x, c) = ∇ log p(x) + c`, an external force. With adaptation the current is
//! `−a`, so the trace pulls the state back along its own recent path. Each type also exposes
//! its log-density (up to nothing: normalised) so samples can be scored.

mod gaussian;
mod mixture;
mod ou;

pub use gaussian::{Gaussian, IsotropicGaussian};
pub use mixture::GaussianMixture;
pub use ou::OrnsteinUhlenbeck;

use nalgebra::{DMatrix, DVector, RealField};

/// `out = rate · (centre − x) + c` for every column: the score of an isotropic Gaussian.
fn pull_towards<T: RealField + Copy>(
    states: &DMatrix<T>,
    centre: &DVector<T>,
    rate: T,
    current: Option<&DMatrix<T>>,
    out: &mut DMatrix<T>,
) {
    for (x_col, mut o_col) in states.column_iter().zip(out.column_iter_mut()) {
        for ((o, &x), &m) in o_col.iter_mut().zip(x_col.iter()).zip(centre.iter()) {
            *o = (m - x) * rate;
        }
    }
    add_current(out, current);
}

/// `out += current`, when there is one.
fn add_current<T: RealField + Copy>(out: &mut DMatrix<T>, current: Option<&DMatrix<T>>) {
    if let Some(c) = current {
        for (o, &c) in out.as_mut_slice().iter_mut().zip(c.as_slice()) {
            *o += c;
        }
    }
}

/// `log(2π)`, in the scalar type.
fn log_two_pi<T: RealField + Copy>() -> T {
    T::two_pi().ln()
}
