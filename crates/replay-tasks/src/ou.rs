//! Gaussian–Markov paths: an Ornstein–Uhlenbeck process whose time-marginals and score are
//! known in closed form.

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{SCALE_LIMIT, count, finite_point, non_negative, positive};
use crate::walk::{position_code, walker_task};
use crate::{
    Area, GridRegions, NamedArea, Point, Reach, ReachRegions, RegionHit, Regions,
    StationaryPositions, TaskError, Walker,
};

/// Parameters of the process `dx = θ(μ − x) dt + s dW` (independently per coordinate), started
/// at `x_0 ~ N(start, start_sd² I)`.
///
/// ```
/// let p = replay_tasks::OuParams::default();
/// assert_eq!((p.mean, p.start, p.reversion, p.diffusion, p.dt), ([0.0, 0.0], [0.5, 0.0], 0.01, 0.05, 1.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OuParams {
    /// Long-run mean μ.
    pub mean: Point,
    /// Mean of the start point.
    pub start: Point,
    /// Standard deviation of the start point per coordinate (≥ 0; 0 starts every path at `start`).
    pub start_sd: f64,
    /// Reversion rate θ per unit time (> 0).
    pub reversion: f64,
    /// Diffusion coefficient s (> 0): stationary variance s²/2θ per coordinate.
    pub diffusion: f64,
    /// Time per step (> 0).
    pub dt: f64,
    /// Regions: a `k × k` grid over the square centred on μ that holds the start and three
    /// stationary (or start) standard deviations around it.
    pub regions_per_side: usize,
    /// Radius of the start disc (around `start`) and goal disc (around `2μ − start`).
    pub reach_radius: f64,
}

impl Default for OuParams {
    fn default() -> Self {
        Self {
            mean: [0.0, 0.0],
            start: [0.5, 0.0],
            start_sd: 0.0,
            reversion: 0.01,
            diffusion: 0.05,
            dt: 1.0,
            regions_per_side: 8,
            reach_radius: 0.15,
        }
    }
}

impl OuParams {
    /// Checks every field; the start spread must stay below 1e150 so that its square is finite.
    ///
    /// ```
    /// let bad = replay_tasks::OuParams { reversion: 0.0, ..Default::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("reversion"));
    /// ```
    pub fn validate(&self) -> Result<(), TaskError> {
        finite_point("mean", self.mean)?;
        finite_point("start", self.start)?;
        non_negative("start_sd", self.start_sd)?;
        // start_sd² is the variance of the first position; it must not overflow.
        if self.start_sd >= SCALE_LIMIT {
            return Err(TaskError::OutOfRange {
                field: "start_sd".into(),
                value: self.start_sd,
                range: format!("[0, {SCALE_LIMIT:e})"),
            });
        }
        positive("reversion", self.reversion)?;
        positive("diffusion", self.diffusion)?;
        positive("dt", self.dt)?;
        count("regions_per_side", self.regions_per_side)?;
        positive("reach_radius", self.reach_radius)?;
        positive(
            "stationary variance diffusion²/(2 reversion)",
            self.diffusion.powi(2) / (2.0 * self.reversion),
        )?;
        Ok(())
    }
}

/// An isotropic Gaussian `N(mean, variance · I)` in the plane.
///
/// ```
/// use replay_tasks::GaussianMarginal;
/// let g = GaussianMarginal { mean: [1.0, 0.0], variance: 0.5 };
/// assert_eq!(g.score([2.0, 0.0]), Some([-2.0, 0.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianMarginal {
    /// The mean.
    pub mean: Point,
    /// The variance of each coordinate.
    pub variance: f64,
}

impl GaussianMarginal {
    /// `log p(x)`; `−∞` off the mean (`+∞` at it) for a point mass.
    ///
    /// ```
    /// use replay_tasks::GaussianMarginal;
    /// let g = GaussianMarginal { mean: [0.0, 0.0], variance: 1.0 };
    /// assert!((g.log_density([0.0, 0.0]) + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
    /// ```
    pub fn log_density(&self, x: Point) -> f64 {
        let r2 = (x[0] - self.mean[0]).powi(2) + (x[1] - self.mean[1]).powi(2);
        -r2 / (2.0 * self.variance) - (2.0 * std::f64::consts::PI * self.variance).ln()
    }

    /// The score `∇ log p(x) = −(x − mean)/variance`; `None` for a point mass (variance 0).
    ///
    /// ```
    /// use replay_tasks::GaussianMarginal;
    /// assert_eq!(GaussianMarginal { mean: [0.0, 0.0], variance: 0.0 }.score([1.0, 0.0]), None);
    /// ```
    pub fn score(&self, x: Point) -> Option<Point> {
        (self.variance > 0.0).then(|| {
            [
                -(x[0] - self.mean[0]) / self.variance,
                -(x[1] - self.mean[1]) / self.variance,
            ]
        })
    }

    /// One draw.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::GaussianMarginal;
    /// let g = GaussianMarginal { mean: [3.0, 3.0], variance: 0.0 };
    /// assert_eq!(g.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0)), [3.0, 3.0]);
    /// ```
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Point {
        let sd = self.variance.sqrt();
        let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        [self.mean[0] + sd * a, self.mean[1] + sd * b]
    }
}

/// Ornstein–Uhlenbeck paths, sampled exactly (no discretisation error):
/// `x_{k+1} = μ + (x_k − μ) e^{−θ dt} + √(s²/2θ · (1 − e^{−2θ dt})) ξ`.
///
/// At time `t` the marginal is `N(m_t, S_t I)` with `m_t = μ + (x_0 − μ) e^{−θt}` and
/// `S_t = start_sd² e^{−2θt} + (s²/2θ)(1 − e^{−2θt})`; the score `−(x − m_t)/S_t` changes with
/// time, and its part linear in `x` is a leak.
///
/// ```
/// use replay_tasks::{OuParams, OuTask};
/// let ou = OuTask::new(OuParams::default()).unwrap();
/// let m = ou.marginal(100.0).unwrap();
/// assert!((m.mean[0] - 0.5 * (-1.0f64).exp()).abs() < 1e-15);
/// assert!((m.variance - 0.125 * (1.0 - (-2.0f64).exp())).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OuTask {
    params: OuParams,
    /// `e^{−θ dt}`, the per-step decay of the mean.
    decay: f64,
    /// Standard deviation of the per-step noise.
    step_sd: f64,
    grid: GridRegions,
}

impl OuTask {
    /// Validates `params` and builds the task.
    ///
    /// ```
    /// use replay_tasks::{OuParams, OuTask};
    /// assert!(OuTask::new(OuParams { dt: f64::NAN, ..Default::default() }).is_err());
    /// ```
    pub fn new(params: OuParams) -> Result<Self, TaskError> {
        params.validate()?;
        let decay = (-params.reversion * params.dt).exp();
        let step_var = params.diffusion.powi(2) / (2.0 * params.reversion)
            * -(-2.0 * params.reversion * params.dt).exp_m1();
        let step_sd = positive("per-step noise variance", step_var)?.sqrt();
        let spread = params
            .start_sd
            .max((params.diffusion.powi(2) / (2.0 * params.reversion)).sqrt());
        let offset = (params.start[0] - params.mean[0])
            .abs()
            .max((params.start[1] - params.mean[1]).abs());
        let half = offset + 3.0 * spread;
        let grid = GridRegions::new(
            [params.mean[0] - half, params.mean[1] - half],
            2.0 * half,
            params.regions_per_side,
        )?;
        Ok(Self {
            params,
            decay,
            step_sd,
            grid,
        })
    }

    /// The parameters.
    ///
    /// ```
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert_eq!(ou.params().dt, 1.0);
    /// ```
    pub fn params(&self) -> &OuParams {
        &self.params
    }

    /// The marginal law of the position at time `t ≥ 0`.
    ///
    /// ```
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert_eq!(ou.marginal(0.0).unwrap().variance, 0.0);
    /// assert!(ou.marginal(-1.0).is_err());
    /// ```
    pub fn marginal(&self, t: f64) -> Result<GaussianMarginal, TaskError> {
        let t = non_negative("t", t)?;
        let p = &self.params;
        let a = (-p.reversion * t).exp();
        let stationary = p.diffusion.powi(2) / (2.0 * p.reversion);
        Ok(GaussianMarginal {
            mean: [
                p.mean[0] + (p.start[0] - p.mean[0]) * a,
                p.mean[1] + (p.start[1] - p.mean[1]) * a,
            ],
            variance: p.start_sd.powi(2) * a * a + stationary * -(-2.0 * p.reversion * t).exp_m1(),
        })
    }

    /// The marginal after `k` steps (time `k · dt`).
    ///
    /// ```
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert_eq!(ou.marginal_at_step(10), ou.marginal(10.0).unwrap());
    /// ```
    pub fn marginal_at_step(&self, k: usize) -> GaussianMarginal {
        let t = k as f64 * self.params.dt;
        // t is finite and non-negative, so this cannot fail.
        self.marginal(t).unwrap_or(self.stationary())
    }

    /// The stationary law `N(μ, s²/2θ · I)`.
    ///
    /// ```
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert!((ou.stationary().variance - 0.125).abs() < 1e-15);
    /// ```
    pub fn stationary(&self) -> GaussianMarginal {
        let p = &self.params;
        GaussianMarginal {
            mean: p.mean,
            variance: p.diffusion.powi(2) / (2.0 * p.reversion),
        }
    }

    /// Positions visited by training paths of `steps` steps: each draw picks a step in
    /// `1..=steps` uniformly and samples its marginal (the stationary law if `steps` is 0).
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// let xs = ou.visited_positions(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0), 10, 100);
    /// assert_eq!(xs.len(), 10);
    /// ```
    pub fn visited_positions<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        n: usize,
        steps: usize,
    ) -> Vec<Point> {
        (0..n)
            .map(|_| {
                let law = if steps == 0 {
                    self.stationary()
                } else {
                    self.marginal_at_step(rng.random_range(1..=steps))
                };
                law.sample(rng)
            })
            .collect()
    }

    /// A walker at a start point drawn from `N(start, start_sd² I)`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::Walker;
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert_eq!(ou.walker(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).position(), [0.5, 0.0]);
    /// ```
    pub fn walker<R: Rng + ?Sized>(&self, rng: &mut R) -> OuWalker<'_> {
        let position = self.marginal_at_step(0).sample(rng);
        OuWalker {
            task: self,
            position,
        }
    }

    /// A walker at a given point.
    ///
    /// ```
    /// use replay_tasks::Walker;
    /// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
    /// assert_eq!(ou.walker_at([1.0, 2.0]).unwrap().position(), [1.0, 2.0]);
    /// ```
    pub fn walker_at(&self, position: Point) -> Result<OuWalker<'_>, TaskError> {
        Ok(OuWalker {
            task: self,
            position: finite_point("position", position)?,
        })
    }
}

/// A particle following the Ornstein–Uhlenbeck process.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::Walker;
/// let ou = replay_tasks::OuTask::new(Default::default()).unwrap();
/// let mut w = ou.walker_at([0.0, 0.0]).unwrap();
/// let p = w.step(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
/// assert!(p[0].abs() < 0.5);
/// ```
#[derive(Debug, Clone)]
pub struct OuWalker<'a> {
    task: &'a OuTask,
    position: Point,
}

impl Walker for OuWalker<'_> {
    fn position(&self) -> Point {
        self.position
    }

    fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Point {
        let (mu, decay, sd) = (self.task.params.mean, self.task.decay, self.task.step_sd);
        for (i, x) in self.position.iter_mut().enumerate() {
            let xi: f64 = rng.sample(StandardNormal);
            *x = mu[i] + (*x - mu[i]) * decay + sd * xi;
        }
        self.position
    }
}

walker_task!(OuTask, |_task| 2);
position_code!(OuTask);

/// The stationary law `N(μ, s²/2θ · I)`; see [`OuTask::visited_positions`] for the law of the
/// positions training paths visit.
impl StationaryPositions for OuTask {
    fn sample_positions<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Point> {
        let law = self.stationary();
        (0..n).map(|_| law.sample(rng)).collect()
    }
}

impl Regions for OuTask {
    fn region_count(&self) -> usize {
        self.grid.region_count()
    }

    fn nearest_region(&self, x: Point) -> RegionHit {
        self.grid.nearest_region(x)
    }
}

/// From a disc around the start point to a disc around its mirror image through μ.
impl Reach for OuTask {
    fn reach_regions(&self) -> ReachRegions {
        let (mu, x0, r) = (
            self.params.mean,
            self.params.start,
            self.params.reach_radius,
        );
        let mirror = [2.0 * mu[0] - x0[0], 2.0 * mu[1] - x0[1]];
        ReachRegions {
            start: NamedArea {
                name: "start".into(),
                area: Area::Disc {
                    centre: x0,
                    radius: r,
                },
            },
            goal: NamedArea {
                name: "mirrored start".into(),
                area: Area::Disc {
                    centre: mirror,
                    radius: r,
                },
            },
            replay_start: x0,
        }
    }
}
