//! Training one network of a cell, or loading it from the run's checkpoint cache.

use std::path::{Path, PathBuf};

use replay_core::checkpoint::{Format, fnv1a64};
use replay_core::{
    Activation, AdamConfig, Checkpoint, Dynamics, Loss, Network, NetworkConfig, TrainConfig,
    TrainingMeta, train,
};
use replay_tasks::{AnyTask, Task};
use serde::Serialize;

use crate::config::Config;
use crate::runner::seed::{stream_rng, stream_seed};
use crate::runner::{CellFailure, CellSpec, Progress};

/// A trained network and how its training went.
#[derive(Debug, Clone)]
pub(crate) struct Trained {
    pub network: Network<f32>,
    pub final_loss: Option<f64>,
}

/// The activation named in the configuration.
pub(crate) fn activation(name: &str) -> Activation {
    match name {
        "tanh" => Activation::Tanh,
        _ => Activation::Relu,
    }
}

/// Place-cell codes are distributions over cells, so the open box trains on cross-entropy
/// against their softmax (as Krishna et al. do); track codes are positions, trained on MSE.
pub(crate) fn loss_for(task: &AnyTask) -> Loss {
    match task {
        AnyTask::OpenBox(_) => Loss::CrossEntropy,
        _ => Loss::Mse,
    }
}

pub(crate) fn network_config(
    config: &Config,
    task: &AnyTask,
    spec: &CellSpec,
    leaky: bool,
) -> NetworkConfig {
    let leak = if leaky {
        config.network.alpha_leaky
    } else {
        1.0
    };
    NetworkConfig::new(config.network.hidden, task.input_dim(), task.output_dim())
        .with_activation(activation(&spec.activation))
        .with_leak(leak)
}

pub(crate) fn train_config(config: &Config, task: &AnyTask) -> TrainConfig {
    let t = &config.training;
    let mut tc = TrainConfig::new(
        Dynamics::new(config.network.sigma_train),
        t.batch_size,
        t.seq_len,
        t.steps,
    );
    tc.optimizer = AdamConfig {
        learning_rate: t.learning_rate,
        clip_norm: (t.grad_clip > 0.0).then_some(t.grad_clip),
        weight_decay: t.weight_decay,
        ..AdamConfig::default()
    };
    tc.loss = loss_for(task);
    tc
}

/// Everything that determines a trained network; its hash names the checkpoint.
#[derive(Serialize)]
struct TrainingIdentity<'a> {
    /// The training noise is drawn under this convention ([`replay_sampler::NOISE_CONVENTION`]).
    noise_convention: u32,
    spec: &'a CellSpec,
    leaky: bool,
    master_seed: u64,
    network: &'a NetworkConfig,
    training: &'a TrainConfig,
    task: &'a crate::config::TaskSettings,
}

fn checkpoint_path(dir: &Path, spec: &CellSpec, leaky: bool, key: u64) -> PathBuf {
    let kind = if leaky { "leaky" } else { "vanilla" };
    dir.join(format!(
        "{}-{}-s{}-{kind}-{key:016x}.json",
        spec.task, spec.activation, spec.seed
    ))
}

/// Trains the vanilla (`leaky = false`) or leaky network of `spec`, or loads it from
/// `checkpoints` when a checkpoint of the identical configuration exists and `fresh` is off.
///
/// The vanilla and leaky networks of one seed share their initial-weight and batch streams, so
/// their comparison is paired: they differ only in the leak.
pub(crate) fn train_or_load(
    config: &Config,
    task: &AnyTask,
    spec: &CellSpec,
    leaky: bool,
    checkpoints: &Path,
    fresh: bool,
    progress: &Progress,
) -> Result<Trained, CellFailure> {
    let net_config = network_config(config, task, spec, leaky);
    let train_config = train_config(config, task);
    let identity = TrainingIdentity {
        noise_convention: replay_sampler::NOISE_CONVENTION,
        spec,
        leaky,
        master_seed: config.run.master_seed,
        network: &net_config,
        training: &train_config,
        task: &config.tasks,
    };
    let key = fnv1a64(
        serde_json::to_string(&identity)
            .expect("serialisable")
            .as_bytes(),
    );
    let path = checkpoint_path(checkpoints, spec, leaky, key);
    let stage = if leaky {
        "train leaky"
    } else {
        "train vanilla"
    };
    if !fresh && let Ok(checkpoint) = Checkpoint::load(&path) {
        progress.updates_skipped(train_config.updates as u64);
        return Ok(Trained {
            network: checkpoint.network,
            final_loss: checkpoint.meta.final_loss,
        });
    }
    let seed_text = spec.seed.to_string();
    let parts = [
        "train",
        spec.task.as_str(),
        spec.activation.as_str(),
        seed_text.as_str(),
    ];
    let mut init_rng = stream_rng(config.run.master_seed, &[&parts[..], &["init"]].concat());
    let mut network = Network::<f32>::init(net_config, &mut init_rng)
        .map_err(|e| CellFailure::new(spec, stage, None, e.to_string()))?;
    let batch_seed = stream_seed(config.run.master_seed, &[&parts[..], &["batches"]].concat());
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(batch_seed);
    let mut observer = |_: &replay_core::StepReport| progress.update_done();
    let summary =
        train(&mut network, task, &train_config, &mut rng, &mut observer).map_err(|e| {
            let step = match &e {
                replay_core::TrainError::NonFinite { step, .. } => Some(*step),
                _ => None,
            };
            CellFailure::new(spec, stage, step, e.to_string())
        })?;
    let meta = TrainingMeta {
        updates: summary.updates,
        final_loss: summary.final_loss(),
        seed: Some(batch_seed),
        training: Some(train_config),
    };
    let checkpoint = Checkpoint::new(network, meta);
    checkpoint
        .save(&path, Format::Json)
        .map_err(|e| CellFailure::new(spec, stage, None, e.to_string()))?;
    Ok(Trained {
        network: checkpoint.network,
        final_loss: summary.final_loss(),
    })
}
