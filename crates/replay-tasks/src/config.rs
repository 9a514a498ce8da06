//! Building any task from a (TOML) configuration, and one type that holds any of them.

use nalgebra::RealField;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::{
    Batch, Decode, Encode, OpenBoxParams, OpenBoxTask, OuParams, OuTask, Point, Reach,
    ReachRegions, RegionHit, Regions, StationaryPositions, Task, TaskError, TrackGraph,
    TrackParams, TrackReach, TrackTask,
};

/// A track on a graph given node by node.
///
/// ```
/// let config: replay_tasks::GraphConfig = toml::from_str(
///     "nodes = [[0.0, 0.0], [1.0, 0.0]]\nedges = [[0, 1]]\nstart_node = 0\ngoal_node = 1\n",
/// )
/// .unwrap();
/// assert_eq!(config.track.mean_speed, 0.03);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphConfig {
    /// Node coordinates.
    pub nodes: Vec<Point>,
    /// Edges as pairs of node indices.
    pub edges: Vec<[usize; 2]>,
    /// Node of the start area and of replay starts.
    pub start_node: usize,
    /// Node of the goal area.
    pub goal_node: usize,
    /// Speed, regions and reach radius (a `[track]` sub-table; defaults if absent).
    #[serde(default)]
    pub track: TrackParams,
}

/// The configuration of any task, tagged by `kind`.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{Task, TaskConfig};
/// let config: TaskConfig = toml::from_str("kind = \"t_maze\"\nmean_speed = 0.05\n").unwrap();
/// let task = config.build(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
/// assert_eq!(task.name(), "t_maze");
/// assert_eq!(task.output_dim(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskConfig {
    /// [`TrackTask::triangle`].
    Triangle(TrackParams),
    /// [`TrackTask::t_maze`].
    TMaze(TrackParams),
    /// [`TrackTask::linear`].
    Linear(TrackParams),
    /// A track on any graph.
    Graph(GraphConfig),
    /// [`OpenBoxTask`].
    OpenBox(OpenBoxParams),
    /// [`OuTask`].
    Ou(OuParams),
}

impl TaskConfig {
    /// Validates the configuration and builds the task; `rng` draws the place-cell centres of
    /// the open box (and nothing else).
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::TaskConfig;
    /// let config: TaskConfig = toml::from_str("kind = \"open_box\"\nside = -1.0\n").unwrap();
    /// let err = config.build(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap_err();
    /// assert_eq!(err.to_string(), "side must be positive, got -1");
    /// ```
    pub fn build<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<AnyTask, TaskError> {
        Ok(match self {
            TaskConfig::Triangle(p) => AnyTask::Triangle(TrackTask::triangle(p.clone())?),
            TaskConfig::TMaze(p) => AnyTask::TMaze(TrackTask::t_maze(p.clone())?),
            TaskConfig::Linear(p) => AnyTask::Linear(TrackTask::linear(p.clone())?),
            TaskConfig::Graph(g) => {
                let graph = TrackGraph::new(g.nodes.clone(), g.edges.clone())?;
                AnyTask::Graph(TrackTask::new(
                    graph,
                    g.track.clone(),
                    TrackReach::nodes(g.start_node, g.goal_node),
                )?)
            }
            TaskConfig::OpenBox(p) => AnyTask::OpenBox(OpenBoxTask::new(p.clone(), rng)?),
            TaskConfig::Ou(p) => AnyTask::Ou(OuTask::new(p.clone())?),
        })
    }
}

/// Any task of the crate, so a runner can hold a list of them; it forwards every trait.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{AnyTask, Reach, Regions, TrackTask};
/// let task = AnyTask::Triangle(TrackTask::triangle(Default::default()).unwrap());
/// assert_eq!(task.region_count(), 15);
/// assert_eq!(task.reach_regions().goal.name, "vertex 1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AnyTask {
    /// The triangle track.
    Triangle(TrackTask),
    /// The T-maze.
    TMaze(TrackTask),
    /// The linear track.
    Linear(TrackTask),
    /// A track on a configured graph.
    Graph(TrackTask),
    /// The open box with place cells.
    OpenBox(OpenBoxTask),
    /// Ornstein–Uhlenbeck paths.
    Ou(OuTask),
}

/// Forwards a method call to whichever task `self` holds.
macro_rules! dispatch {
    ($self:expr, $task:ident => $call:expr) => {
        match $self {
            AnyTask::Triangle($task)
            | AnyTask::TMaze($task)
            | AnyTask::Linear($task)
            | AnyTask::Graph($task) => $call,
            AnyTask::OpenBox($task) => $call,
            AnyTask::Ou($task) => $call,
        }
    };
}

impl AnyTask {
    /// The configuration tag of the task (`"triangle"`, `"t_maze"`, ...).
    ///
    /// ```
    /// use replay_tasks::{AnyTask, OuTask};
    /// assert_eq!(AnyTask::Ou(OuTask::new(Default::default()).unwrap()).name(), "ou");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            AnyTask::Triangle(_) => "triangle",
            AnyTask::TMaze(_) => "t_maze",
            AnyTask::Linear(_) => "linear",
            AnyTask::Graph(_) => "graph",
            AnyTask::OpenBox(_) => "open_box",
            AnyTask::Ou(_) => "ou",
        }
    }
}

impl Task for AnyTask {
    fn output_dim(&self) -> usize {
        dispatch!(self, t => t.output_dim())
    }

    fn sample_batch<T: RealField + Copy, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        batch_size: usize,
        steps: usize,
    ) -> Batch<T> {
        dispatch!(self, t => t.sample_batch(rng, batch_size, steps))
    }
}

impl Encode for AnyTask {
    fn encode_into(&self, x: Point, code: &mut [f64]) {
        dispatch!(self, t => t.encode_into(x, code))
    }
}

impl Decode for AnyTask {
    fn code_dim(&self) -> usize {
        dispatch!(self, t => t.code_dim())
    }

    fn decode_slice(&self, code: &[f64]) -> Point {
        dispatch!(self, t => t.decode_slice(code))
    }
}

impl StationaryPositions for AnyTask {
    fn sample_positions<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Point> {
        dispatch!(self, t => t.sample_positions(rng, n))
    }
}

impl Regions for AnyTask {
    fn region_count(&self) -> usize {
        dispatch!(self, t => t.region_count())
    }

    fn nearest_region(&self, x: Point) -> RegionHit {
        dispatch!(self, t => t.nearest_region(x))
    }
}

impl Reach for AnyTask {
    fn reach_regions(&self) -> ReachRegions {
        dispatch!(self, t => t.reach_regions())
    }

    fn replay_starts(&self, n: usize) -> Vec<Point> {
        dispatch!(self, t => t.replay_starts(n))
    }
}
