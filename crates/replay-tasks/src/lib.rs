//! Path-integration tasks: the paths an agent takes, the codes a network must output, and the
//! statistics (stationary positions, regions, start and goal areas) replay is measured against.

#![warn(missing_docs)]

mod batch;

pub use batch::{Batch, Task};
