//! Tracks: an agent running along a graph of straight segments with a fluctuating speed.

mod graph;

pub use graph::{TrackGraph, TrackPoint};

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{count, in_half_open, non_negative, positive};
use crate::walk::{position_code, walker_task};
use crate::{
    Area, NamedArea, Point, Reach, ReachRegions, RegionHit, Regions, StationaryPositions,
    TaskError, Walker,
};

/// Speed, regions and reach areas of a track.
///
/// The speed (distance per step) is an Ornstein–Uhlenbeck process in discrete time around
/// `mean_speed`: `v' = μ + (1 − θ)(v − μ) + s √(1 − (1 − θ)²) ξ`, whose stationary standard
/// deviation is exactly `speed_sd`. A draw below zero is reflected (`v' ← |v'|`), so the speed is
/// never negative; with the defaults (mean 3 s.d. above zero) this touches 0.13 % of the steps and
/// raises the mean speed by less than 10⁻⁵.
///
/// ```
/// let p = replay_tasks::TrackParams::default();
/// assert_eq!((p.mean_speed, p.speed_sd, p.speed_reversion), (0.03, 0.01, 0.1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackParams {
    /// Mean speed μ, distance per step (> 0).
    pub mean_speed: f64,
    /// Stationary standard deviation of the speed (≥ 0; 0 gives a constant speed).
    pub speed_sd: f64,
    /// Reversion rate θ of the speed per step, in (0, 1].
    pub speed_reversion: f64,
    /// Each edge is cut into this many regions of equal length.
    pub bins_per_edge: usize,
    /// Radius of the discs around the start and goal nodes.
    pub reach_radius: f64,
}

impl Default for TrackParams {
    fn default() -> Self {
        Self {
            mean_speed: 0.03,
            speed_sd: 0.01,
            speed_reversion: 0.1,
            bins_per_edge: 5,
            reach_radius: 0.15,
        }
    }
}

impl TrackParams {
    /// Checks every field.
    ///
    /// ```
    /// let bad = replay_tasks::TrackParams { mean_speed: 0.0, ..Default::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("mean_speed"));
    /// ```
    pub fn validate(&self) -> Result<(), TaskError> {
        positive("mean_speed", self.mean_speed)?;
        non_negative("speed_sd", self.speed_sd)?;
        in_half_open("speed_reversion", self.speed_reversion, 0.0, 1.0)?;
        count("bins_per_edge", self.bins_per_edge)?;
        positive("reach_radius", self.reach_radius)?;
        Ok(())
    }
}

/// Which nodes reach times run between, and their names.
///
/// ```
/// let r = replay_tasks::TrackReach::nodes(0, 2);
/// assert_eq!((r.start_name.as_str(), r.goal_name.as_str()), ("node 0", "node 2"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackReach {
    /// Node of the start area (and of replay starts).
    pub start_node: usize,
    /// Node of the goal area.
    pub goal_node: usize,
    /// Name of the start area.
    pub start_name: String,
    /// Name of the goal area.
    pub goal_name: String,
}

impl TrackReach {
    /// Start and goal nodes named after their indices.
    ///
    /// ```
    /// assert_eq!(replay_tasks::TrackReach::nodes(1, 0).goal_node, 0);
    /// ```
    pub fn nodes(start_node: usize, goal_node: usize) -> Self {
        Self {
            start_node,
            goal_node,
            start_name: format!("node {start_node}"),
            goal_name: format!("node {goal_node}"),
        }
    }

    fn named(start_node: usize, goal_node: usize, start: &str, goal: &str) -> Self {
        Self {
            start_node,
            goal_node,
            start_name: start.into(),
            goal_name: goal.into(),
        }
    }
}

/// A track task: the agent moves along the edges of a [`TrackGraph`], reverses at dead ends, and
/// at a junction takes one of the other edges uniformly at random. Its code is its 2-D position.
///
/// Starts are uniform along the track, with a random direction and a speed from the speed's
/// stationary law; since the dynamics preserve the uniform law, every step is uniform too.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{Batch, Task, TrackParams, TrackTask};
/// let triangle = TrackTask::triangle(TrackParams::default()).unwrap();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
/// let batch: Batch<f32> = triangle.sample_batch(&mut rng, 8, 50);
/// assert_eq!(batch.targets, batch.positions);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrackTask {
    graph: TrackGraph,
    params: TrackParams,
    reach: TrackReach,
}

impl TrackTask {
    /// A task on `graph`, validating `params` and the reach nodes. The mean speed and its
    /// standard deviation may be at most a thousand track lengths per step.
    ///
    /// ```
    /// use replay_tasks::{TrackGraph, TrackParams, TrackReach, TrackTask};
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]]).unwrap();
    /// assert!(TrackTask::new(g.clone(), TrackParams::default(), TrackReach::nodes(0, 1)).is_ok());
    /// let fast = TrackParams { mean_speed: 1e6, ..TrackParams::default() };
    /// assert!(TrackTask::new(g.clone(), fast, TrackReach::nodes(0, 1)).is_err());
    /// assert!(TrackTask::new(g, TrackParams::default(), TrackReach::nodes(0, 2)).is_err());
    /// ```
    pub fn new(
        graph: TrackGraph,
        params: TrackParams,
        reach: TrackReach,
    ) -> Result<Self, TaskError> {
        params.validate()?;
        let max_speed = max_speed(&graph);
        speed_at_most("mean_speed", params.mean_speed, max_speed)?;
        speed_at_most("speed_sd", params.speed_sd, max_speed)?;
        let max = graph.nodes().len() - 1;
        for (field, node) in [
            ("start_node", reach.start_node),
            ("goal_node", reach.goal_node),
        ] {
            if node > max {
                return Err(TaskError::TooLarge {
                    field: field.into(),
                    value: node,
                    max,
                });
            }
        }
        Ok(Self {
            graph,
            params,
            reach,
        })
    }

    /// The 3-cycle on the equilateral triangle inscribed in the unit circle, vertex 0 at (1, 0);
    /// reach from vertex 0 to vertex 1.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::triangle(Default::default()).unwrap();
    /// assert!((t.graph().total_length() - 3.0 * 3f64.sqrt()).abs() < 1e-12);
    /// ```
    pub fn triangle(params: TrackParams) -> Result<Self, TaskError> {
        let angle = |k: f64| 2.0 * std::f64::consts::PI * k / 3.0;
        let nodes = (0..3)
            .map(|k| [angle(k as f64).cos(), angle(k as f64).sin()])
            .collect();
        let graph = TrackGraph::new(nodes, vec![[0, 1], [1, 2], [2, 0]])?;
        Self::new(
            graph,
            params,
            TrackReach::named(0, 1, "vertex 0", "vertex 1"),
        )
    }

    /// The T-maze: stem from (0, −1) to the junction (0, 0), arms to (−1, 0) and (1, 0);
    /// reach from the left arm end to the right arm end.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::t_maze(Default::default()).unwrap();
    /// assert_eq!(t.graph().degree(1), 3);
    /// ```
    pub fn t_maze(params: TrackParams) -> Result<Self, TaskError> {
        let nodes = vec![[0.0, -1.0], [0.0, 0.0], [-1.0, 0.0], [1.0, 0.0]];
        let graph = TrackGraph::new(nodes, vec![[0, 1], [1, 2], [1, 3]])?;
        Self::new(
            graph,
            params,
            TrackReach::named(2, 3, "left arm end", "right arm end"),
        )
    }

    /// A straight track from (−1, 0) to (1, 0); reach from the left end to the right end.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::linear(Default::default()).unwrap();
    /// assert_eq!(t.graph().total_length(), 2.0);
    /// ```
    pub fn linear(params: TrackParams) -> Result<Self, TaskError> {
        let graph = TrackGraph::new(vec![[-1.0, 0.0], [1.0, 0.0]], vec![[0, 1]])?;
        Self::new(
            graph,
            params,
            TrackReach::named(0, 1, "left end", "right end"),
        )
    }

    /// The track's geometry.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::linear(Default::default()).unwrap();
    /// assert_eq!(t.graph().edges().len(), 1);
    /// ```
    pub fn graph(&self) -> &TrackGraph {
        &self.graph
    }

    /// The speed, region and reach parameters.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::linear(Default::default()).unwrap();
    /// assert_eq!(t.params().bins_per_edge, 5);
    /// ```
    pub fn params(&self) -> &TrackParams {
        &self.params
    }

    /// A walker started from the stationary law: uniform on the track, random direction, speed
    /// from the speed's stationary law.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::{TrackTask, Walker};
    /// let t = TrackTask::linear(Default::default()).unwrap();
    /// let w = t.walker(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
    /// assert_eq!(w.position()[1], 0.0);
    /// ```
    pub fn walker<R: Rng + ?Sized>(&self, rng: &mut R) -> TrackWalker<'_> {
        let at = self.graph.uniform_point(rng);
        let forward = rng.random::<bool>();
        let speed = self.stationary_speed(rng);
        TrackWalker {
            task: self,
            edge: at.edge,
            offset: at.offset,
            forward,
            speed,
        }
    }

    /// A walker at a given place, direction and speed. `offset` is clamped to the edge; the
    /// speed may be at most a thousand track lengths per step.
    ///
    /// ```
    /// use replay_tasks::{TrackTask, Walker};
    /// let maze = TrackTask::t_maze(Default::default()).unwrap();
    /// // At the left arm end (edge 1 runs from the junction to it), heading back to the junction.
    /// let w = maze.walker_at(1, 1.0, false, 0.03).unwrap();
    /// assert_eq!(w.position(), [-1.0, 0.0]);
    /// assert!(maze.walker_at(5, 0.0, true, 0.03).is_err());
    /// ```
    pub fn walker_at(
        &self,
        edge: usize,
        offset: f64,
        forward: bool,
        speed: f64,
    ) -> Result<TrackWalker<'_>, TaskError> {
        let max = self.graph.edges().len() - 1;
        if edge > max {
            return Err(TaskError::TooLarge {
                field: "edge".into(),
                value: edge,
                max,
            });
        }
        let offset =
            crate::error::finite("offset", offset)?.clamp(0.0, self.graph.edge_length(edge));
        let speed = speed_at_most(
            "speed",
            non_negative("speed", speed)?,
            max_speed(&self.graph),
        )?;
        Ok(TrackWalker {
            task: self,
            edge,
            offset,
            forward,
            speed,
        })
    }

    fn stationary_speed<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let xi: f64 = rng.sample(StandardNormal);
        (self.params.mean_speed + self.params.speed_sd * xi).abs()
    }

    fn next_speed<R: Rng + ?Sized>(&self, speed: f64, rng: &mut R) -> f64 {
        let p = &self.params;
        let keep = 1.0 - p.speed_reversion;
        let xi: f64 = rng.sample(StandardNormal);
        (p.mean_speed
            + keep * (speed - p.mean_speed)
            + p.speed_sd * (1.0 - keep * keep).sqrt() * xi)
            .abs()
    }
}

/// Track lengths a step may cover at most. A step walks edge by edge, so its cost grows with
/// its length; far beyond the track's length, `remaining -= room` stops making progress in
/// floating point and the step would never end.
const MAX_LAPS_PER_STEP: f64 = 1000.0;

fn max_speed(graph: &TrackGraph) -> f64 {
    MAX_LAPS_PER_STEP * graph.total_length()
}

fn speed_at_most(field: &str, value: f64, max: f64) -> Result<f64, TaskError> {
    if value <= max {
        Ok(value)
    } else {
        Err(TaskError::OutOfRange {
            field: field.into(),
            value,
            range: format!("[0, {max}] ({MAX_LAPS_PER_STEP} track lengths per step)"),
        })
    }
}

/// An agent on a track: edge, distance along it, direction and speed.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{TrackTask, Walker};
/// let line = TrackTask::linear(Default::default()).unwrap();
/// let mut w = line.walker_at(0, 1.99, true, 0.03).unwrap();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// for _ in 0..5 {
///     w.step(&mut rng);
/// }
/// assert!(!w.forward()); // it hit the dead end at (1, 0) and turned back
/// ```
#[derive(Debug, Clone)]
pub struct TrackWalker<'a> {
    task: &'a TrackTask,
    edge: usize,
    offset: f64,
    forward: bool,
    speed: f64,
}

impl TrackWalker<'_> {
    /// The edge the agent is on.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::triangle(Default::default()).unwrap();
    /// assert_eq!(t.walker_at(2, 0.1, true, 0.0).unwrap().edge(), 2);
    /// ```
    pub fn edge(&self) -> usize {
        self.edge
    }

    /// Distance from the first node of the current edge.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::triangle(Default::default()).unwrap();
    /// assert_eq!(t.walker_at(2, 0.1, true, 0.0).unwrap().offset(), 0.1);
    /// ```
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// Whether the agent moves from the edge's first node towards its second.
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::triangle(Default::default()).unwrap();
    /// assert!(t.walker_at(0, 0.1, true, 0.0).unwrap().forward());
    /// ```
    pub fn forward(&self) -> bool {
        self.forward
    }

    /// The current speed (distance per step).
    ///
    /// ```
    /// let t = replay_tasks::TrackTask::triangle(Default::default()).unwrap();
    /// assert_eq!(t.walker_at(0, 0.1, true, 0.02).unwrap().speed(), 0.02);
    /// ```
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Leaves the current edge at the node it is heading to: back along it at a dead end,
    /// otherwise along one of the other edges, chosen uniformly.
    fn turn_at_node<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let graph = &self.task.graph;
        let node = graph.edges()[self.edge][usize::from(self.forward)];
        let incident = graph.incident_edges(node);
        if incident.len() == 1 {
            self.forward = !self.forward;
            return;
        }
        // Choose among the others: draw from `0..deg-1` and skip the edge we came along.
        let position = incident.iter().position(|&e| e == self.edge).unwrap_or(0);
        let mut pick = rng.random_range(0..incident.len() - 1);
        if pick >= position {
            pick += 1;
        }
        self.edge = incident[pick];
        self.forward = graph.edges()[self.edge][0] == node;
        self.offset = if self.forward {
            0.0
        } else {
            graph.edge_length(self.edge)
        };
    }
}

impl Walker for TrackWalker<'_> {
    fn position(&self) -> Point {
        self.task.graph.point_at(self.edge, self.offset)
    }

    fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Point {
        self.speed = self.task.next_speed(self.speed, rng);
        let mut remaining = self.speed;
        // Each pass through the loop either finishes the step or consumes a whole edge, so it
        // ends after at most speed / shortest edge passes.
        loop {
            let length = self.task.graph.edge_length(self.edge);
            let room = if self.forward {
                length - self.offset
            } else {
                self.offset
            };
            if remaining <= room {
                self.offset += if self.forward { remaining } else { -remaining };
                self.offset = self.offset.clamp(0.0, length);
                break;
            }
            remaining -= room;
            self.offset = if self.forward { length } else { 0.0 };
            self.turn_at_node(rng);
        }
        self.position()
    }
}

walker_task!(TrackTask, |_task| 2);
position_code!(TrackTask);

impl StationaryPositions for TrackTask {
    fn sample_positions<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Point> {
        (0..n)
            .map(|_| {
                let at = self.graph.uniform_point(rng);
                self.graph.point_at(at.edge, at.offset)
            })
            .collect()
    }
}

impl Regions for TrackTask {
    fn region_count(&self) -> usize {
        self.graph.edges().len() * self.params.bins_per_edge
    }

    fn nearest_region(&self, x: Point) -> RegionHit {
        let at = self.graph.project(x);
        let bins = self.params.bins_per_edge;
        let fraction = at.offset / self.graph.edge_length(at.edge);
        let bin = ((fraction * bins as f64) as usize).min(bins - 1);
        RegionHit {
            region: at.edge * bins + bin,
            distance: at.distance,
        }
    }
}

impl Reach for TrackTask {
    fn reach_regions(&self) -> ReachRegions {
        let disc = |node: usize| Area::Disc {
            centre: self.graph.nodes()[node],
            radius: self.params.reach_radius,
        };
        ReachRegions {
            start: NamedArea {
                name: self.reach.start_name.clone(),
                area: disc(self.reach.start_node),
            },
            goal: NamedArea {
                name: self.reach.goal_name.clone(),
                area: disc(self.reach.goal_node),
            },
            replay_start: self.graph.nodes()[self.reach.start_node],
        }
    }
}
