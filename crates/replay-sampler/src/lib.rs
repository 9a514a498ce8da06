//! Langevin integrators over any batched drift.
//!
//! A [`Drift`] is the field a state follows: for a trained network it is the quiescent
//! RNN update `α (φ(W h + b + c) − h)`, for an analytic target it is a scaled score. States are
//! the columns of a matrix so that a network can evaluate a whole batch with one matrix product.
//!
//! Integrators ([`EulerMaruyama`], [`Momentum`], [`Baoab`], [`Obabo`], and [`Adapted`] around
//! any of them) advance a [`SamplerState`] with noise drawn from a caller-supplied RNG in a fixed
//! order (see [`fill_standard_normal`]). Stepping allocates nothing after the first step;
//! [`Integrator::run`] reports the states to an [`Observer`] such as a [`Trajectory`].
//! [`scores`] holds analytic drifts with known targets.
//!
//! # Example
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use rand::SeedableRng;
//! use rand_chacha::ChaCha8Rng;
//! use replay_sampler::{Adapted, Adaptation, Integrator, Momentum, SamplerState, Trajectory};
//! use replay_sampler::scores::IsotropicGaussian;
//!
//! let target = IsotropicGaussian::new(DVector::from_vec(vec![1.0, -1.0]), 0.5)?;
//! let scheme = Adapted::new(Momentum::new(0.3, 0.1)?, Adaptation::new(0.1, 30.0)?);
//! let mut state = SamplerState::new(DMatrix::<f64>::zeros(2, 16))?;
//! let mut traj = Trajectory::new(2, 16, 10, 50)?;
//! let mut rng = ChaCha8Rng::seed_from_u64(1);
//! scheme.run(&mut state, &target, None, 500, &mut rng, &mut traj)?;
//! assert_eq!(traj.len(), 50);
//! # Ok::<(), replay_sampler::SamplerError>(())
//! ```

#![warn(missing_docs)]

mod adaptation;
mod drift;
mod error;
mod integrator;
mod momentum;
mod noise;
mod overdamped;
mod record;
mod scheme;
pub mod scores;
pub mod simd;
mod splitting;
mod state;

pub use adaptation::{Adaptation, Adapted};
pub use drift::Drift;
pub use error::SamplerError;
pub use integrator::Integrator;
pub use momentum::Momentum;
pub use noise::{
    NOISE_CONVENTION, fill_standard_normal, fill_standard_normal_slice, standard_normal_pair,
};
pub use overdamped::EulerMaruyama;
pub use record::{Observer, Trajectory};
pub use scheme::Scheme;
pub use splitting::{Baoab, Obabo, Splitting};
pub use state::SamplerState;
