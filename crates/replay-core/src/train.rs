//! The training loop: fresh batches from a task, a fresh noise sample, exact gradients, Adam,
//! progress reported to an observer, and non-finite values caught with the step that made them.

use std::ops::ControlFlow;

use nalgebra::{DMatrix, RealField};
use rand::Rng;
use replay_sampler::fill_standard_normal_slice;
use replay_tasks::{Batch, Task};

use crate::adam::Adam;
use crate::cell::Network;
use crate::config::TrainConfig;
use crate::error::{ShapeError, TrainError};
use crate::forward::{Noise, Workspace};
use crate::weights::Weights;

/// What the observer sees after every update.
///
/// ```
/// use replay_core::StepReport;
/// let r = StepReport { step: 0, updates: 10, loss: 0.5, grad_norm: 1.0 };
/// assert_eq!(r.step + 1, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// Zero-based index of the update just made.
    pub step: usize,
    /// Total number of updates planned.
    pub updates: usize,
    /// Loss of this step's batch, before the update.
    pub loss: f64,
    /// Global gradient norm, before clipping.
    pub grad_norm: f64,
}

/// Watches training. Every method has a default, so an observer implements only what it needs;
/// `()` ignores everything and any `FnMut(&StepReport)` closure is an observer of steps.
///
/// ```
/// use std::ops::ControlFlow;
/// use replay_core::{Observer, StepReport};
///
/// /// Stops once the loss is below a target.
/// struct StopBelow(f64);
/// impl Observer for StopBelow {
///     fn on_step(&mut self, report: &StepReport) -> ControlFlow<()> {
///         if report.loss < self.0 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
///     }
/// }
/// let r = StepReport { step: 3, updates: 10, loss: 0.01, grad_norm: 0.1 };
/// assert!(StopBelow(0.1).on_step(&r).is_break());
/// ```
pub trait Observer {
    /// Called after every update; `Break` stops training early.
    ///
    /// ```
    /// use replay_core::{Observer, StepReport};
    /// let r = StepReport { step: 0, updates: 1, loss: 1.0, grad_norm: 1.0 };
    /// assert!(().on_step(&r).is_continue());
    /// ```
    fn on_step(&mut self, report: &StepReport) -> ControlFlow<()> {
        let _ = report;
        ControlFlow::Continue(())
    }

    /// Called once at the end with the summary.
    ///
    /// ```
    /// use replay_core::{Observer, TrainSummary};
    /// struct Last(Option<f64>);
    /// impl Observer for Last {
    ///     fn on_finish(&mut self, s: &TrainSummary) {
    ///         self.0 = s.final_loss();
    ///     }
    /// }
    /// let mut last = Last(None);
    /// last.on_finish(&TrainSummary { updates: 1, losses: vec![0.5], stopped_early: false });
    /// assert_eq!(last.0, Some(0.5));
    /// ```
    fn on_finish(&mut self, summary: &TrainSummary) {
        let _ = summary;
    }
}

impl Observer for () {}

impl<F: FnMut(&StepReport)> Observer for F {
    fn on_step(&mut self, report: &StepReport) -> ControlFlow<()> {
        self(report);
        ControlFlow::Continue(())
    }
}

/// What a training run did.
///
/// ```
/// use replay_core::TrainSummary;
/// let s = TrainSummary { updates: 2, losses: vec![1.0, 0.5], stopped_early: false };
/// assert_eq!((s.initial_loss(), s.final_loss()), (Some(1.0), Some(0.5)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSummary {
    /// Updates performed.
    pub updates: usize,
    /// Batch loss of every update, in order.
    pub losses: Vec<f64>,
    /// Whether the observer stopped training before the planned number of updates.
    pub stopped_early: bool,
}

impl TrainSummary {
    /// Loss of the first batch.
    ///
    /// ```
    /// use replay_core::TrainSummary;
    /// let s = TrainSummary { updates: 0, losses: vec![], stopped_early: false };
    /// assert_eq!(s.initial_loss(), None);
    /// ```
    pub fn initial_loss(&self) -> Option<f64> {
        self.losses.first().copied()
    }

    /// Loss of the last batch.
    ///
    /// ```
    /// use replay_core::TrainSummary;
    /// let s = TrainSummary { updates: 1, losses: vec![0.3], stopped_early: false };
    /// assert_eq!(s.final_loss(), Some(0.3));
    /// ```
    pub fn final_loss(&self) -> Option<f64> {
        self.losses.last().copied()
    }
}

/// One training step at a time, with every buffer preallocated: the workspace, the gradient,
/// the noise sample and the optimiser state.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, Trainer, toy::RandomWalk};
/// use replay_tasks::Task;
///
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// let mut net = Network::<f32>::init(NetworkConfig::new(16, 2, 2), &mut rng).unwrap();
/// let config = TrainConfig::new(Dynamics::new(0.01), 8, 10, 1);
/// let mut trainer = Trainer::new(&net, config).unwrap();
/// let batch = RandomWalk::default().sample_batch(&mut rng, 8, 10);
/// let report = trainer.step(&mut net, &batch, &mut rng).unwrap();
/// assert_eq!(report.step, 0);
/// assert!(report.loss > 0.0);
/// ```
#[derive(Debug, Clone)]
pub struct Trainer<T: RealField + Copy> {
    config: TrainConfig,
    adam: Adam<T>,
    workspace: Workspace<T>,
    grads: Weights<T>,
    /// Two steps' noise, `N × 2B`: the sample is drawn step by step, never stored whole.
    noise: DMatrix<T>,
    step: usize,
}

impl<T: RealField + Copy> Trainer<T> {
    /// A trainer for `network` (its shapes) with the given schedule, after validating it.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, Trainer};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let bad = TrainConfig::new(Dynamics::new(f64::NAN), 8, 10, 1);
    /// assert!(Trainer::new(&net, bad).is_err());
    /// ```
    pub fn new(network: &Network<T>, config: TrainConfig) -> Result<Self, TrainError> {
        config.validate()?;
        let net_config = network.config();
        let (b, t) = (config.batch_size, config.steps);
        Ok(Self {
            adam: Adam::new(config.optimizer, net_config)?,
            workspace: Workspace::with_shape(net_config, b, t),
            grads: Weights::zeros(net_config),
            noise: DMatrix::zeros(net_config.hidden, 2 * b),
            step: 0,
            config,
        })
    }

    /// The workspace of the last step (its states and outputs).
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, Trainer};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let trainer = Trainer::new(&net, TrainConfig::new(Dynamics::new(0.0), 3, 5, 1)).unwrap();
    /// assert_eq!(trainer.workspace().outputs().shape(), (2, 15));
    /// ```
    pub fn workspace(&self) -> &Workspace<T> {
        &self.workspace
    }

    /// One update on `batch`: draws the noise sample from `rng` (one
    /// [`fill_standard_normal`](replay_sampler::fill_standard_normal) of `N × B` per step, in step
    /// order; when `N · B` is even that is one column-major fill of `N × T·B`), computes the loss
    /// and its exact gradient, checks both are finite, and applies Adam.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, Trainer, TrainError};
    /// use replay_tasks::Batch;
    ///
    /// let mut rng = ChaCha8Rng::seed_from_u64(0);
    /// let mut net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut rng).unwrap();
    /// let mut trainer = Trainer::new(&net, TrainConfig::new(Dynamics::new(0.0), 1, 1, 1)).unwrap();
    /// let batch = Batch {
    ///     batch_size: 1, steps: 1,
    ///     inputs: DMatrix::zeros(2, 1), targets: DMatrix::from_element(2, 1, f32::NAN),
    ///     positions: DMatrix::zeros(2, 1), start_positions: DMatrix::zeros(2, 1),
    ///     initial_codes: DMatrix::zeros(2, 1),
    /// };
    /// let err = trainer.step(&mut net, &batch, &mut rng).unwrap_err();
    /// assert_eq!(err, TrainError::NonFinite { step: 0, what: "loss" });
    /// ```
    pub fn step<R>(
        &mut self,
        network: &mut Network<T>,
        batch: &Batch<T>,
        rng: &mut R,
    ) -> Result<StepReport, TrainError>
    where
        R: Rng + ?Sized,
    {
        let step = self.step;
        let expected = (self.config.batch_size, self.config.steps);
        ShapeError::check(
            "batch (paths, steps)",
            expected,
            (batch.batch_size, batch.steps),
        )?;
        // Step t's block is drawn just before step t runs, so that the noise is never stored
        // whole.
        let mut draw = |block: &mut [T]| fill_standard_normal_slice(block, &mut *rng);
        let mut noise = Noise::Drawn(&mut draw, self.noise.as_mut_slice());
        let loss = self.workspace.gradient_with(
            network,
            &self.config.dynamics,
            batch,
            &mut noise,
            self.config.loss,
            &mut self.grads,
        )?;
        if !loss.is_finite() {
            return Err(TrainError::NonFinite { step, what: "loss" });
        }
        if let Some(i) = first_non_finite_group(&self.grads) {
            let what = GRADIENT_NAMES[i];
            return Err(TrainError::NonFinite { step, what });
        }
        let norm = self.adam.update(network, &mut self.grads)?;
        if let Some(i) = first_non_finite_group(network.weights()) {
            let what = WEIGHT_NAMES[i];
            return Err(TrainError::NonFinite { step, what });
        }
        self.step += 1;
        Ok(StepReport {
            step,
            updates: self.config.updates,
            loss: to_f64(loss),
            grad_norm: to_f64(norm),
        })
    }
}

const GRADIENT_NAMES: [&str; 6] = [
    "gradient of W",
    "gradient of U",
    "gradient of b",
    "gradient of D",
    "gradient of c",
    "gradient of E",
];
const WEIGHT_NAMES: [&str; 6] = [
    "updated W",
    "updated U",
    "updated b",
    "updated D",
    "updated c",
    "updated E",
];

/// Index (in [`crate::GROUPS`] order) of the first group holding a NaN or infinity.
fn first_non_finite_group<T: RealField + Copy>(w: &Weights<T>) -> Option<usize> {
    w.groups()
        .iter()
        .position(|(_, g)| g.iter().any(|x| !x.is_finite()))
}

fn to_f64<T: RealField + Copy>(x: T) -> f64 {
    x.to_subset().unwrap_or(f64::NAN)
}

/// Trains `network` on `task` for `config.updates` Adam updates. Each update draws a fresh batch
/// from `rng` and then a fresh noise sample from `rng`, so a seeded RNG makes the run
/// bit-identical. The observer sees every step and may stop early.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Dynamics, Network, NetworkConfig, TrainConfig, train, toy::RandomWalk};
///
/// let mut rng = ChaCha8Rng::seed_from_u64(7);
/// let mut net = Network::<f32>::init(NetworkConfig::new(16, 2, 2).with_leak(0.5), &mut rng).unwrap();
/// let mut config = TrainConfig::new(Dynamics::new(0.01), 16, 10, 50);
/// config.optimizer.learning_rate = 1e-2;
/// let mut seen = 0;
/// let summary = train(&mut net, &RandomWalk::default(), &config, &mut rng, &mut |_: &_| seen += 1).unwrap();
/// assert_eq!((summary.updates, seen), (50, 50));
/// assert!(summary.final_loss().unwrap() < summary.initial_loss().unwrap());
/// ```
pub fn train<T, K, R, O>(
    network: &mut Network<T>,
    task: &K,
    config: &TrainConfig,
    rng: &mut R,
    observer: &mut O,
) -> Result<TrainSummary, TrainError>
where
    T: RealField + Copy,
    K: Task + ?Sized,
    R: Rng + ?Sized,
    O: Observer + ?Sized,
{
    let nc = network.config();
    let task_dims = (task.input_dim(), task.output_dim());
    ShapeError::check(
        "task (input_dim, output_dim)",
        (nc.input_dim, nc.output_dim),
        task_dims,
    )?;
    let mut trainer = Trainer::new(network, config.clone())?;
    let mut summary = TrainSummary {
        updates: 0,
        losses: Vec::with_capacity(config.updates),
        stopped_early: false,
    };
    for _ in 0..config.updates {
        let batch = task.sample_batch(rng, config.batch_size, config.steps);
        let report = trainer.step(network, &batch, rng)?;
        summary.updates += 1;
        summary.losses.push(report.loss);
        if observer.on_step(&report).is_break() {
            summary.stopped_early = summary.updates < config.updates;
            break;
        }
    }
    observer.on_finish(&summary);
    Ok(summary)
}
