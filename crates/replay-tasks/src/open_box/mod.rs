//! The open box: a rat foraging in a square arena, encoded by place cells.

mod place_cells;

pub use place_cells::{PlaceCellParams, PlaceCells};

use std::f64::consts::{FRAC_PI_2, PI};

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{count, in_half_open, non_negative, positive};
use crate::walk::walker_task;
use crate::{
    Area, Decode, Encode, GridRegions, NamedArea, Point, Reach, ReachRegions, RegionHit, Regions,
    StationaryPositions, TaskError, Walker,
};

/// Parameters of the open box (defaults: Krishna et al.'s configuration of Sorscher et al.'s
/// trajectory generator).
///
/// ```
/// let p = replay_tasks::OpenBoxParams::default();
/// assert_eq!((p.side, p.dt, p.turn_sd, p.wall_margin, p.wall_slowdown), (2.2, 0.02, 11.52, 0.03, 0.25));
/// assert!((p.speed_scale - 0.26 * std::f64::consts::PI).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenBoxParams {
    /// Side of the square box in metres; the box is `[−side/2, side/2]²`.
    pub side: f64,
    /// Time step in seconds.
    pub dt: f64,
    /// Scale of the Rayleigh-distributed forward speed, m/s.
    pub speed_scale: f64,
    /// Standard deviation of the Gaussian angular velocity, rad/s (≥ 0).
    pub turn_sd: f64,
    /// Distance from a wall within which the agent slows and turns away, metres (≥ 0).
    pub wall_margin: f64,
    /// Factor applied to the speed near a wall, in (0, 1].
    pub wall_slowdown: f64,
    /// The box is cut into `regions_per_side × regions_per_side` regions.
    pub regions_per_side: usize,
    /// Side of the square start (lower-left) and goal (upper-right) corners, in (0, side/2].
    pub reach_size: f64,
    /// Steps each chain runs before it is sampled, for stationary samples.
    pub stationary_burn_in: usize,
    /// Steps between stationary samples of one chain (≥ 1).
    pub stationary_thinning: usize,
    /// The place-cell code.
    pub place_cells: PlaceCellParams,
}

impl Default for OpenBoxParams {
    fn default() -> Self {
        Self {
            side: 2.2,
            dt: 0.02,
            speed_scale: 0.26 * PI,
            turn_sd: 11.52,
            wall_margin: 0.03,
            wall_slowdown: 0.25,
            regions_per_side: 8,
            reach_size: 0.5,
            stationary_burn_in: 500,
            stationary_thinning: 25,
            place_cells: PlaceCellParams::default(),
        }
    }
}

impl OpenBoxParams {
    /// Checks every field, the place cells' included, and that the side (also relative to the
    /// tuning width), the speed scale and the turn per step stay below 1e150, so that no code,
    /// step or heading overflows.
    ///
    /// ```
    /// let bad = replay_tasks::OpenBoxParams { dt: -0.02, ..Default::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("dt"));
    /// let huge = replay_tasks::OpenBoxParams { side: 1e300, ..Default::default() };
    /// assert!(huge.validate().unwrap_err().to_string().contains("side"));
    /// ```
    pub fn validate(&self) -> Result<(), TaskError> {
        positive("side", self.side)?;
        positive("dt", self.dt)?;
        positive("speed_scale", self.speed_scale)?;
        non_negative("turn_sd", self.turn_sd)?;
        non_negative("wall_margin", self.wall_margin)?;
        in_half_open("wall_slowdown", self.wall_slowdown, 0.0, 1.0)?;
        count("regions_per_side", self.regions_per_side)?;
        in_half_open("reach_size", self.reach_size, 0.0, self.side / 2.0)?;
        count("stationary_thinning", self.stationary_thinning)?;
        crate::error::at_most_max_count("stationary_burn_in", self.stationary_burn_in)?;
        self.place_cells.validate()?;
        // The code needs |x − c|² / (2σ²) finite for every position and centre in the box; a
        // step needs a finite length (an infinite one times a zero sine is NaN) and a finite
        // turn (an infinite one wraps to NaN).
        let limit = crate::error::SCALE_LIMIT;
        for (field, value, ok, range) in [
            (
                "side",
                self.side,
                self.side < limit && self.side / self.place_cells.sigma < limit,
                format!("(0, {limit:e}) and side / place_cells.sigma < {limit:e}"),
            ),
            (
                "speed_scale",
                self.speed_scale,
                self.speed_scale < limit && self.speed_scale * self.dt < limit,
                format!("(0, {limit:e}) and speed_scale · dt < {limit:e}"),
            ),
            (
                "turn_sd",
                self.turn_sd,
                self.turn_sd * self.dt < limit,
                format!("turn_sd · dt < {limit:e}"),
            ),
        ] {
            if !ok {
                return Err(TaskError::OutOfRange {
                    field: field.into(),
                    value,
                    range,
                });
            }
        }
        Ok(())
    }
}

/// Samples stationary positions from chains of this many samples each.
const SAMPLES_PER_CHAIN: usize = 100;

/// The open box: a foraging walk in a square, coded by place cells.
///
/// The walk follows Sorscher et al.'s generator: each step draws a Rayleigh forward speed and a
/// Gaussian angular velocity; within `wall_margin` of the nearest wall and heading towards it,
/// the agent turns to run parallel to it and slows by `wall_slowdown`. The move uses the heading
/// before the turn, as in the original. Because a step can be longer than the margin, the
/// original generator can leave the box; here a step that would cross a wall is reflected
/// specularly (position and heading), so paths never leave the box.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{Batch, OpenBoxParams, PlaceCellParams, OpenBoxTask, Task};
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let params = OpenBoxParams { place_cells: PlaceCellParams { n_cells: 64, ..Default::default() }, ..Default::default() };
/// let arena = OpenBoxTask::new(params, &mut rng).unwrap();
/// let batch: Batch<f32> = arena.sample_batch(&mut rng, 4, 20);
/// assert_eq!(batch.targets.nrows(), 64);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OpenBoxTask {
    params: OpenBoxParams,
    cells: PlaceCells,
    grid: GridRegions,
}

impl OpenBoxTask {
    /// A box whose place-cell centres are drawn uniformly in the box from `rng`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rng).unwrap();
    /// assert!(arena.place_cells().centres().iter().all(|c| c[0].abs() <= 1.1 && c[1].abs() <= 1.1));
    /// ```
    pub fn new<R: Rng + ?Sized>(params: OpenBoxParams, rng: &mut R) -> Result<Self, TaskError> {
        params.validate()?;
        let half = params.side / 2.0;
        let cells = PlaceCells::uniform(params.place_cells.clone(), -half, half, rng)?;
        Self::with_cells(params, cells)
    }

    /// A box with given place cells (their parameters replace `params.place_cells`).
    ///
    /// ```
    /// use replay_tasks::{OpenBoxTask, PlaceCellParams, PlaceCells, Task};
    /// let cells = PlaceCells::with_centres(vec![[0.0, 0.0]; 5], PlaceCellParams::default()).unwrap();
    /// let arena = OpenBoxTask::with_cells(Default::default(), cells).unwrap();
    /// assert_eq!(arena.output_dim(), 5);
    /// ```
    pub fn with_cells(params: OpenBoxParams, cells: PlaceCells) -> Result<Self, TaskError> {
        let params = OpenBoxParams {
            place_cells: cells.params().clone(),
            ..params
        };
        params.validate()?;
        let half = params.side / 2.0;
        let grid = GridRegions::new([-half, -half], params.side, params.regions_per_side)?;
        Ok(Self {
            params,
            cells,
            grid,
        })
    }

    /// The parameters.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(arena.params().side, 2.2);
    /// ```
    pub fn params(&self) -> &OpenBoxParams {
        &self.params
    }

    /// The place cells.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(arena.place_cells().centres().len(), 512);
    /// ```
    pub fn place_cells(&self) -> &PlaceCells {
        &self.cells
    }

    /// A walker at a uniform position in the box with a uniform heading.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::Walker;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rng).unwrap();
    /// let p = arena.walker(&mut rng).position();
    /// assert!(p[0].abs() <= 1.1 && p[1].abs() <= 1.1);
    /// ```
    pub fn walker<R: Rng + ?Sized>(&self, rng: &mut R) -> BoxWalker<'_> {
        let half = self.params.side / 2.0;
        let position = [
            half * (2.0 * rng.random::<f64>() - 1.0),
            half * (2.0 * rng.random::<f64>() - 1.0),
        ];
        let heading = PI * (2.0 * rng.random::<f64>() - 1.0);
        BoxWalker {
            task: self,
            position,
            heading,
            reflections: 0,
        }
    }

    /// A walker at `position` (clamped into the box) with `heading` in radians (wrapped into
    /// `[−π, π)`).
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::Walker;
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(arena.walker_at([5.0, 0.0], 0.0).unwrap().position(), [1.1, 0.0]);
    /// assert!(arena.walker_at([f64::NAN, 0.0], 0.0).is_err());
    /// ```
    pub fn walker_at(&self, position: Point, heading: f64) -> Result<BoxWalker<'_>, TaskError> {
        crate::error::finite_point("position", position)?;
        crate::error::finite("heading", heading)?;
        let half = self.params.side / 2.0;
        let position = position.map(|v| v.clamp(-half, half));
        Ok(BoxWalker {
            task: self,
            position,
            heading: wrap_angle(heading),
            reflections: 0,
        })
    }
}

/// A rat in the open box: position and heading.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::Walker;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
/// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rng).unwrap();
/// let mut w = arena.walker(&mut rng);
/// for _ in 0..1000 {
///     let p = w.step(&mut rng);
///     assert!(p[0].abs() <= 1.1 && p[1].abs() <= 1.1);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct BoxWalker<'a> {
    task: &'a OpenBoxTask,
    position: Point,
    heading: f64,
    reflections: u64,
}

impl BoxWalker<'_> {
    /// The heading in radians, in `[−π, π)`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let w = arena.walker_at([0.0, 0.0], 1.0 + 2.0 * std::f64::consts::PI).unwrap();
    /// assert!((w.heading() - 1.0).abs() < 1e-12);
    /// ```
    pub fn heading(&self) -> f64 {
        self.heading
    }

    /// How many steps so far crossed a wall and were reflected back into the box.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::Walker;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let arena = replay_tasks::OpenBoxTask::new(Default::default(), &mut rng).unwrap();
    /// // At the wall, heading straight into it.
    /// let mut w = arena.walker_at([1.1, 0.0], 0.0).unwrap();
    /// w.step(&mut rng);
    /// assert_eq!(w.reflections(), 1);
    /// ```
    pub fn reflections(&self) -> u64 {
        self.reflections
    }

    /// Reflects a coordinate that crossed `±half`; returns whether it did.
    fn reflect(value: &mut f64, half: f64) -> bool {
        let crossed = value.abs() > half;
        if *value > half {
            *value = 2.0 * half - *value;
        } else if *value < -half {
            *value = -2.0 * half - *value;
        }
        // A step longer than the box would still be outside after one reflection.
        *value = value.clamp(-half, half);
        crossed
    }
}

impl Walker for BoxWalker<'_> {
    fn position(&self) -> Point {
        self.position
    }

    fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Point {
        let p = &self.task.params;
        let half = p.side / 2.0;
        // Rayleigh by inversion: scale · √(−2 ln U), U in (0, 1].
        let mut speed = p.speed_scale * (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
        let xi: f64 = rng.sample(StandardNormal);
        let [x, y] = self.position;
        // Walls in the order right, top, left, bottom; their outward normals point at k·π/2.
        let distances = [half - x, half - y, half + x, half + y];
        let (wall, distance) =
            distances
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f64::INFINITY),
                    |best, (k, d)| if d < best.1 { (k, d) } else { best },
                );
        let to_wall = wrap_angle(self.heading - wall as f64 * FRAC_PI_2);
        let mut turn = 0.0;
        if distance < p.wall_margin && to_wall.abs() < FRAC_PI_2 {
            turn += to_wall.signum() * (FRAC_PI_2 - to_wall.abs());
            speed *= p.wall_slowdown;
        }
        turn += p.dt * p.turn_sd * xi;
        let length = speed * p.dt;
        let mut next = [
            x + length * self.heading.cos(),
            y + length * self.heading.sin(),
        ];
        let mut heading = self.heading + turn;
        if Self::reflect(&mut next[0], half) {
            heading = PI - heading;
            self.reflections += 1;
        }
        if Self::reflect(&mut next[1], half) {
            heading = -heading;
            self.reflections += 1;
        }
        self.position = next;
        self.heading = wrap_angle(heading);
        next
    }
}

/// The angle in `[−π, π)`.
fn wrap_angle(a: f64) -> f64 {
    (a + PI).rem_euclid(2.0 * PI) - PI
}

walker_task!(OpenBoxTask, |task| task.cells.centres().len());

impl Encode for OpenBoxTask {
    fn encode_into(&self, x: Point, code: &mut [f64]) {
        self.cells.encode_into(x, code);
    }
}

impl Decode for OpenBoxTask {
    fn code_dim(&self) -> usize {
        self.cells.code_dim()
    }

    fn decode_slice(&self, code: &[f64]) -> Point {
        self.cells.decode_slice(code)
    }
}

/// Long-run positions of the walk: chains of 100 samples each, started uniformly, run for
/// `stationary_burn_in` steps, then sampled every `stationary_thinning` steps.
///
/// This law is not uniform: the slow-down at the walls makes the rim denser. With the defaults the
/// central quarter of the box holds about 22 % of the samples (25 % if uniform). Batches start
/// uniformly in the box, as in the original generator.
impl StationaryPositions for OpenBoxTask {
    fn sample_positions<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Point> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let mut walker = self.walker(rng);
            for _ in 0..self.params.stationary_burn_in {
                walker.step(rng);
            }
            for _ in 0..SAMPLES_PER_CHAIN.min(n - out.len()) {
                for _ in 0..self.params.stationary_thinning {
                    walker.step(rng);
                }
                out.push(walker.position());
            }
        }
        out
    }
}

impl Regions for OpenBoxTask {
    fn region_count(&self) -> usize {
        self.grid.region_count()
    }

    fn nearest_region(&self, x: Point) -> RegionHit {
        self.grid.nearest_region(x)
    }
}

/// Lower-left corner to upper-right corner, squares of side `reach_size`; replay starts at the
/// centre of the lower-left square.
impl Reach for OpenBoxTask {
    fn reach_regions(&self) -> ReachRegions {
        let (half, size) = (self.params.side / 2.0, self.params.reach_size);
        let start = Area::Rect {
            min: [-half, -half],
            max: [-half + size, -half + size],
        };
        let goal = Area::Rect {
            min: [half - size, half - size],
            max: [half, half],
        };
        ReachRegions {
            start: NamedArea {
                name: "lower-left corner".into(),
                area: start,
            },
            goal: NamedArea {
                name: "upper-right corner".into(),
                area: goal,
            },
            replay_start: start.centre(),
        }
    }
}
