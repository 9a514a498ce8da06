//! The noisy recurrent network of hippo-replay: its drift, exact BPTT gradients, Adam, training
//! and checkpoints.
//!
//! The network has hidden state `h`, optional momentum `v` and adaptation
//! `a`, and follows `h_{t+1} = h_t + α (φ(W h_t + U u_t + b − a_t) − h_t) + σ ξ_t` (or its
//! momentum form). [`Network`] implements the sampler's [`Drift`](replay_sampler::Drift), so
//! replay ([`replay()`]) is a sampler integrator applied to the trained network; training
//! ([`train()`]) uses the same drift kernel inside an exact backpropagation through time.
//!
//! ```
//! use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
//! use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, train, toy::RandomWalk};
//!
//! let mut rng = ChaCha8Rng::seed_from_u64(1);
//! let mut net = Network::<f32>::init(NetworkConfig::new(16, 2, 2).with_leak(0.5), &mut rng).unwrap();
//! let config = TrainConfig::new(Dynamics::new(0.01), 8, 10, 20);
//! let summary = train(&mut net, &RandomWalk::default(), &config, &mut rng, &mut ()).unwrap();
//! assert_eq!(summary.losses.len(), 20);
//! ```

#![warn(missing_docs)]

mod adam;
mod backward;
mod binary;
mod cell;
pub mod checkpoint;
mod config;
mod error;
mod forward;
mod gemm;
mod replay;
pub mod toy;
mod train;
mod weights;

pub use adam::Adam;
pub use cell::{Network, drift_value};
pub use checkpoint::{Checkpoint, TrainingMeta};
pub use config::{
    Activation, AdamConfig, Adaptation, Dynamics, Loss, Momentum, NetworkConfig, TrainConfig,
};
pub use error::{CheckpointError, ConfigError, NetworkError, ReplayError, ShapeError, TrainError};
pub use forward::Workspace;
pub use replay::{DecodedTrajectory, replay};
pub use train::{Observer, StepReport, TrainSummary, Trainer, train};
pub use weights::{GROUPS, Weights};
