//! Statistics of replay: Wasserstein distances, KDE-KL, reach times, displacement, visitation,
//! compression, score alignment and summaries across seeds.
//!
//! Inputs are plain numbers, never networks:
//!
//! - a **point set** is a `&DMatrix<f64>` of shape `dim × n`, one column per point;
//! - a **trajectory** is a `&DMatrix<f64>` of shape `dim × T`, one column per time step, and
//!   anything implementing [`Trajectories`] (a matrix, a slice or a `Vec` of matrices) is a list
//!   of them.
//!
//! Randomness (sliced projections, subsampling) comes only from an RNG passed in by the caller,
//! so the same seed gives bit-identical results. Bad input (empty sets, NaN, mismatched sizes)
//! gives a [`MetricsError`] naming the field and value; no function panics on user input.
//!
//! ```
//! use nalgebra::DMatrix;
//! use replay_metrics::{Order, wasserstein};
//!
//! let replayed = DMatrix::from_column_slice(2, 3, &[0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
//! let true_pos = replayed.map(|v| v + 0.5);
//! let w2 = wasserstein(&replayed, &true_pos, Order::W2).unwrap();
//! assert!((w2 - 0.5 * 2f64.sqrt()).abs() < 1e-12);
//! ```

#![warn(missing_docs)]

mod alignment;
mod assignment;
mod check;
mod compression;
mod displacement;
mod error;
mod kde;
mod one_d;
mod path;
mod reach;
mod sliced;
mod sort;
mod student_t;
mod subsample;
mod summary;
mod trajectory;
mod transport;
mod visitation;
mod wasserstein;

pub use alignment::{Alignment, cosine_alignment};
pub use assignment::{Assignment, solve_assignment};
pub use compression::{Compression, temporal_compression};
pub use displacement::{DisplacementCurve, LagOrigin, PowerLawFit, displacement_curve};
pub use error::{MetricsError, Result};
pub use kde::{Bandwidth, GaussianKde, kl_divergence_kde};
pub use one_d::{wasserstein_1d, wasserstein_1d_weighted};
pub use path::{PathLength, PositionVariance, path_length, position_variance};
pub use reach::{ReachTimes, reach_time, reach_times};
pub use sliced::sliced_wasserstein;
pub use student_t::{student_t_cdf, student_t_quantile};
pub use subsample::subsample;
pub use summary::{Summary, paired_difference};
pub use trajectory::Trajectories;
pub use transport::{TransportPlan, solve_transport};
pub use visitation::{Visitation, visitation};
pub use wasserstein::{
    MAX_DENSE_COSTS, Order, wasserstein, wasserstein_assignment, wasserstein_weighted,
};
