//! Path-integration tasks: the paths an agent takes, the codes a network must output, and the
//! statistics (stationary positions, regions, start and goal areas) replay is measured against.
//!
//! Three families of tasks, each a [`Task`] (batches of velocity inputs, target codes and true
//! positions) that also [`Encode`]s positions, [`Decode`]s codes, samples its
//! [`StationaryPositions`], partitions space into [`Regions`] and names areas to [`Reach`]:
//!
//! - [`TrackTask`]: 1-D tracks in the plane (triangle, T-maze, linear track, any graph);
//! - [`OpenBoxTask`]: a rat foraging in a square box, coded by [`PlaceCells`];
//! - [`OuTask`]: Ornstein–Uhlenbeck paths with closed-form marginals and score.
//!
//! [`AnyTask`] holds any of them and [`TaskConfig`] builds one from a configuration.
//!
//! ```
//! use rand::SeedableRng;
//! use replay_tasks::{Batch, Decode, Task, TaskConfig};
//!
//! let config: TaskConfig = toml::from_str("kind = \"triangle\"").unwrap();
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let task = config.build(&mut rng).unwrap();
//! let batch: Batch<f64> = task.sample_batch(&mut rng, 2, 10);
//! let decoded = task.decode(&batch.targets).unwrap();
//! assert_eq!(decoded[3], [batch.positions[(0, 3)], batch.positions[(1, 3)]]);
//! ```

#![warn(missing_docs)]

mod batch;
mod code;
mod config;
mod decoder;
mod error;
mod open_box;
mod ou;
mod regions;
mod track;
mod walk;

pub use batch::{Batch, Task};
pub use code::{Decode, Encode};
pub use config::{AnyTask, GraphConfig, TaskConfig};
pub use decoder::LinearDecoder;
pub use error::TaskError;
pub use open_box::{BoxWalker, OpenBoxParams, OpenBoxTask, PlaceCellParams, PlaceCells};
pub use ou::{GaussianMarginal, OuParams, OuTask, OuWalker};
pub use regions::{Area, GridRegions, NamedArea, Reach, ReachRegions, RegionHit, Regions};
pub use track::{TrackGraph, TrackParams, TrackPoint, TrackReach, TrackTask, TrackWalker};
pub use walk::{Point, StationaryPositions, Walker};
