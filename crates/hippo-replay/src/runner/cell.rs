//! One cell of the experiment: a task, an activation and a seed. Trains the vanilla and the
//! leaky network, replays both under the five variants from the same starts with the same noise,
//! and measures every variant.

use std::path::Path;

use nalgebra::DMatrix;
use replay_core::{Dynamics, Momentum, Network, ReplayError, Workspace, replay};
use replay_sampler::{SamplerError, SamplerState};
use replay_tasks::{AnyTask, Decode, Encode, Reach, Task};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::runner::Progress;
use crate::runner::measure::{MetricValues, Replayed, measure};
use crate::runner::seed::stream_rng;
use crate::runner::train::{Trained, train_or_load};
use crate::variant::Variant;

/// Which cell: task, activation and seed index.
///
/// ```
/// let spec = hippo_replay::runner::CellSpec { task: "triangle".into(), activation: "relu".into(), seed: 0 };
/// assert_eq!(spec.label(), "triangle/relu/seed 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellSpec {
    /// Task name.
    pub task: String,
    /// Activation name.
    pub activation: String,
    /// Seed index (the network's independent training run).
    pub seed: usize,
}

impl CellSpec {
    /// A short label for progress bars and reports.
    ///
    /// ```
    /// let spec = hippo_replay::runner::CellSpec { task: "t_maze".into(), activation: "tanh".into(), seed: 2 };
    /// assert!(spec.label().contains("t_maze"));
    /// ```
    pub fn label(&self) -> String {
        format!("{}/{}/seed {}", self.task, self.activation, self.seed)
    }
}

/// A stage of a cell that failed, with the step at which it diverged when that is known.
///
/// ```
/// let spec = hippo_replay::runner::CellSpec { task: "triangle".into(), activation: "relu".into(), seed: 0 };
/// let f = hippo_replay::runner::CellFailure::new(&spec, "replay leaky+momentum", Some(17), "diverged".into());
/// assert!(f.to_string().contains("step 17"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellFailure {
    /// The cell.
    pub spec: CellSpec,
    /// Training of which network, or replay of which variant.
    pub stage: String,
    /// Zero-based step of the divergence, if the failure is one.
    pub step: Option<usize>,
    /// What went wrong.
    pub message: String,
}

impl CellFailure {
    /// A failure of `stage` in `spec`.
    ///
    /// ```
    /// let spec = hippo_replay::runner::CellSpec { task: "triangle".into(), activation: "relu".into(), seed: 0 };
    /// let f = hippo_replay::runner::CellFailure::new(&spec, "train leaky", None, "bad".into());
    /// assert_eq!(f.stage, "train leaky");
    /// ```
    pub fn new(spec: &CellSpec, stage: &str, step: Option<usize>, message: String) -> Self {
        Self {
            spec: spec.clone(),
            stage: stage.to_string(),
            step,
            message,
        }
    }
}

impl std::fmt::Display for CellFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.spec.label(), self.stage)?;
        if let Some(step) = self.step {
            write!(f, " at step {step}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The metrics of one variant of one cell, with the curve and sample paths the figures use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// The variant.
    pub variant: Variant,
    /// Its metrics.
    pub metrics: MetricValues,
    /// Mean-squared displacement against lag.
    pub msd: Vec<(f64, f64)>,
    /// A few decoded replay trajectories, thinned, for the figures.
    pub examples: Vec<Vec<[f64; 2]>>,
}

/// Everything one cell produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell.
    pub spec: CellSpec,
    /// Final training loss of the vanilla and the leaky network.
    pub final_loss: [Option<f64>; 2],
    /// The variants that completed.
    pub variants: Vec<VariantResult>,
    /// The stages that failed.
    pub failures: Vec<CellFailure>,
}

/// Trajectories kept per variant for the figures, and the most points kept of each.
const EXAMPLES: usize = 3;
const EXAMPLE_POINTS: usize = 400;

/// Runs one cell. Failures of a network or a variant are recorded, not propagated, so one
/// divergent cell cannot stop a run.
pub(crate) fn run_cell(
    config: &Config,
    task: &AnyTask,
    spec: &CellSpec,
    checkpoints: &Path,
    fresh: bool,
    progress: &Progress,
) -> CellResult {
    let mut result = CellResult {
        spec: spec.clone(),
        final_loss: [None, None],
        variants: Vec::new(),
        failures: Vec::new(),
    };
    let mut nets: [Option<Trained>; 2] = [None, None];
    for (slot, leaky) in [false, true].into_iter().enumerate() {
        match train_or_load(config, task, spec, leaky, checkpoints, fresh, progress) {
            Ok(trained) => {
                result.final_loss[slot] = trained.final_loss;
                nets[slot] = Some(trained);
            }
            Err(failure) => result.failures.push(failure),
        }
    }
    let master = config.run.master_seed;
    let seed_text = spec.seed.to_string();
    let stream = |name: &str| stream_rng(master, &[name, &spec.task, &spec.activation, &seed_text]);

    let reference = points_matrix(&reference_positions(
        config,
        task,
        &mut stream("reference"),
        config.metrics.distribution_points,
    ));
    let behaviour = behaviour_paths(config, task, &mut stream("behaviour"));
    let starts = task.replay_starts(config.replay.trajectories);
    let codes: DMatrix<f32> = task.encode(&starts);

    // Both networks path-integrate the same held-out paths with the same noise.
    let mut test_errors = [None, None];
    for (slot, trained) in nets.iter().enumerate() {
        if let Some(trained) = trained {
            match test_error(config, task, &trained.network, &mut stream("test")) {
                Ok(e) => test_errors[slot] = Some(e),
                Err(message) => {
                    let stage = if slot == 1 {
                        "test leaky"
                    } else {
                        "test vanilla"
                    };
                    result
                        .failures
                        .push(CellFailure::new(spec, stage, None, message));
                }
            }
        }
    }

    for variant in Variant::ALL {
        progress.variant_done();
        let slot = usize::from(variant.leaky());
        let (Some(trained), Some(test_error)) = (&nets[slot], test_errors[slot]) else {
            continue;
        };
        let stage = format!("replay {}", variant.name());
        // Every variant replays from the same starts with the same noise stream.
        let dynamics = replay_dynamics(config, variant);
        let replayed = match replay_decoded(
            task,
            &trained.network,
            &dynamics,
            &codes,
            config.replay.steps,
            &mut stream("replay"),
        ) {
            Ok(r) => r,
            Err(e) => {
                let step = match &e {
                    ReplayError::Sampler(SamplerError::Diverged { step, .. }) => Some(*step),
                    _ => None,
                };
                result
                    .failures
                    .push(CellFailure::new(spec, &stage, step, e.to_string()));
                continue;
            }
        };
        match measure(
            config,
            task,
            &replayed,
            &reference,
            &behaviour,
            test_error,
            &mut stream("measure"),
        ) {
            Ok((metrics, msd)) => result.variants.push(VariantResult {
                variant,
                metrics,
                msd,
                examples: examples(&replayed.trajectories),
            }),
            Err(e) => result.failures.push(CellFailure::new(
                spec,
                &format!("measure {}", variant.name()),
                None,
                e.to_string(),
            )),
        }
    }
    result
}

/// The replay dynamics of `variant`: noise `σ_replay = sigma_scale · σ_train`, with adaptation
/// and momentum as configured.
pub(crate) fn replay_dynamics(config: &Config, variant: Variant) -> Dynamics {
    let r = &config.replay;
    let mut dynamics = Dynamics::new(config.network.sigma_train * r.sigma_scale);
    if variant.adaptation() {
        dynamics = dynamics.with_adaptation(r.adaptation_strength, r.adaptation_tau);
    }
    if variant.momentum() {
        dynamics = dynamics.with_momentum(Momentum::new(r.lambda_v));
    }
    dynamics
}

/// `n` samples of the true position distribution: positions of the task's paths as the networks
/// were trained on them (fresh paths of the training length, pooled, then thinned at random).
/// On the tracks this is the uniform law along the track; in the box it is the occupancy of
/// foraging paths started uniformly, which is what the networks saw while behaving.
///
/// ```
/// let config = hippo_replay::config::Config::profile("quick").unwrap();
/// let task = hippo_replay::runner::build_task(&config, "t_maze").unwrap();
/// let mut rng = hippo_replay::runner::stream_rng(0, &["doc"]);
/// let points = hippo_replay::runner::reference_positions(&config, &task, &mut rng, 100);
/// assert_eq!(points.len(), 100);
/// ```
pub fn reference_positions<R: rand::Rng + ?Sized>(
    config: &Config,
    task: &AnyTask,
    rng: &mut R,
    n: usize,
) -> Vec<[f64; 2]> {
    let steps = config.training.seq_len;
    // Four times more positions than needed, from independent paths, so the subsample is not
    // dominated by a few strongly correlated paths.
    let paths = (4 * n).div_ceil(steps).max(1);
    let batch = task.sample_batch::<f64, _>(rng, paths, steps);
    let pool = batch.positions.ncols();
    rand::seq::index::sample(rng, pool, n.min(pool))
        .into_iter()
        .map(|c| [batch.positions[(0, c)], batch.positions[(1, c)]])
        .collect()
}

fn points_matrix(points: &[[f64; 2]]) -> DMatrix<f64> {
    DMatrix::from_fn(2, points.len(), |r, c| points[c][r])
}

/// The task's own paths, as long as the replays, for the compression ratio.
fn behaviour_paths<R: rand::Rng + ?Sized>(
    config: &Config,
    task: &AnyTask,
    rng: &mut R,
) -> Vec<DMatrix<f64>> {
    let (b, t) = (config.replay.trajectories, config.replay.steps);
    let batch = task.sample_batch::<f64, _>(rng, b, t);
    (0..b)
        .map(|j| {
            DMatrix::from_fn(2, t + 1, |r, s| {
                if s == 0 {
                    batch.start_positions[(r, j)]
                } else {
                    batch.positions[(r, batch.column(s - 1, j))]
                }
            })
        })
        .collect()
}

/// Mean decoded position error of `network` path-integrating held-out paths with training noise.
fn test_error<R: rand::Rng + ?Sized>(
    config: &Config,
    task: &AnyTask,
    network: &Network<f32>,
    rng: &mut R,
) -> Result<f64, String> {
    let batch =
        task.sample_batch::<f32, _>(rng, config.metrics.test_batch, config.training.seq_len);
    let mut noise = DMatrix::<f32>::zeros(network.hidden(), batch.inputs.ncols());
    replay_sampler::fill_standard_normal(&mut noise, rng);
    let mut ws = Workspace::new();
    ws.forward(
        network,
        &Dynamics::new(config.network.sigma_train),
        &batch,
        &noise,
    )
    .map_err(|e| e.to_string())?;
    let decoded = task.decode(ws.outputs()).map_err(|e| e.to_string())?;
    let total: f64 = decoded
        .iter()
        .enumerate()
        .map(|(c, p)| {
            let (x, y) = (
                f64::from(batch.positions[(0, c)]),
                f64::from(batch.positions[(1, c)]),
            );
            (p[0] - x).hypot(p[1] - y)
        })
        .sum();
    Ok(total / decoded.len() as f64)
}

/// Replays and decodes every state to a position on the fly, so only positions are stored.
fn replay_decoded<R: rand::Rng + ?Sized>(
    task: &AnyTask,
    network: &Network<f32>,
    dynamics: &Dynamics,
    codes: &DMatrix<f32>,
    steps: usize,
    rng: &mut R,
) -> Result<Replayed, ReplayError> {
    let batch = codes.ncols();
    let mut outputs = DMatrix::<f32>::zeros(task.output_dim(), batch);
    let mut code = vec![0.0f64; task.output_dim()];
    let mut paths: Vec<Vec<f64>> = (0..batch)
        .map(|_| Vec::with_capacity(2 * (steps + 1)))
        .collect();
    let mut observer = |state: &SamplerState<f32>| {
        network
            .decode_into(state.positions(), &mut outputs)
            .expect("decoder shapes follow the network");
        for (j, path) in paths.iter_mut().enumerate() {
            for (slot, v) in code.iter_mut().zip(outputs.column(j).iter()) {
                *slot = f64::from(*v);
            }
            path.extend_from_slice(&task.decode_slice(&code));
        }
    };
    replay(network, dynamics, codes, steps, rng, &mut observer)?;
    Ok(Replayed {
        trajectories: paths
            .into_iter()
            .map(|p| DMatrix::from_vec(2, p.len() / 2, p))
            .collect(),
    })
}

fn examples(trajectories: &[DMatrix<f64>]) -> Vec<Vec<[f64; 2]>> {
    trajectories
        .iter()
        .take(EXAMPLES)
        .map(|t| {
            let stride = t.ncols().div_ceil(EXAMPLE_POINTS).max(1);
            (0..t.ncols())
                .step_by(stride)
                .map(|c| [t[(0, c)], t[(1, c)]])
                .collect()
        })
        .collect()
}
