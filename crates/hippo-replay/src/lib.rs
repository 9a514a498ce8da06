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

/// The README's code, compiled and run as a doctest so that it stays correct.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
pub use replay_core as core;
pub use replay_metrics as metrics;
pub use replay_sampler as sampler;
pub use replay_tasks as tasks;
