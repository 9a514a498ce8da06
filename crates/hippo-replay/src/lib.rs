//! hippo-replay: noisy recurrent networks trained to path-integrate replay their experience when
//! the input is cut, and that replay is Langevin sampling.
//!
//! This facade re-exports the four crates of the workspace and holds the experiment runner.

#![warn(missing_docs)]

pub mod claims;
pub mod config;
mod error;
pub mod figures;
pub mod io;
pub mod report;
pub mod runner;
pub mod variant;

pub use error::RunError;
pub use replay_core as core;
pub use replay_metrics as metrics;
pub use replay_sampler as sampler;
pub use replay_tasks as tasks;
