//! The experiment runner: every task × activation × seed cell, in parallel, cached, then the
//! report, the tables and the figures.

mod cell;
mod measure;
mod seed;
mod train;

use std::path::{Path, PathBuf};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use replay_core::checkpoint::fnv1a64;
use replay_tasks::{AnyTask, TaskConfig};
use serde::Serialize;

pub use cell::{CellFailure, CellResult, CellSpec, VariantResult, reference_positions};
pub use measure::MetricValues;
pub use seed::{stream_rng, stream_seed};

use crate::RunError;
use crate::config::Config;
use crate::io::{create_dir, write_atomic};
use crate::variant::Variant;

/// The most worker threads a run accepts. Cells are independent and each uses one thread at a
/// time, so threads beyond the cell count only add scheduling; the cap turns a mistyped count
/// into an error instead of thousands of idle threads.
///
/// ```
/// use hippo_replay::config::Config;
/// use hippo_replay::runner::{MAX_THREADS, RunOptions, run};
/// let mut options = RunOptions::new(Config::profile("quick")?, "unused".into());
/// options.threads = Some(MAX_THREADS + 1);
/// assert!(run(&options).unwrap_err().to_string().contains("threads"));
/// # Ok::<(), hippo_replay::RunError>(())
/// ```
pub const MAX_THREADS: usize = 1024;

/// How to run: the configuration, where to write, and how.
///
/// ```
/// let options = hippo_replay::runner::RunOptions::new(
///     hippo_replay::config::Config::profile("quick").unwrap(),
///     "results/quick".into(),
/// );
/// assert!(!options.fresh);
/// ```
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The validated configuration.
    pub config: Config,
    /// Output directory.
    pub out: PathBuf,
    /// Worker threads, 1 to [`MAX_THREADS`] (None: one per core).
    pub threads: Option<usize>,
    /// Retrain and remeasure every cell, ignoring the cache.
    pub fresh: bool,
    /// Draw progress bars on the terminal.
    pub progress: bool,
}

impl RunOptions {
    /// Options with defaults: all cores, cache on, no progress bars.
    ///
    /// ```
    /// let o = hippo_replay::runner::RunOptions::new(hippo_replay::config::Config::profile("quick").unwrap(), "out".into());
    /// assert_eq!(o.threads, None);
    /// ```
    pub fn new(config: Config, out: PathBuf) -> Self {
        Self {
            config,
            out,
            threads: None,
            fresh: false,
            progress: false,
        }
    }
}

/// The results of a run, in a fixed order (task, activation, seed) whatever the thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResults {
    /// Every cell.
    pub cells: Vec<CellResult>,
}

/// The cells of a configuration, in report order.
///
/// ```
/// let config = hippo_replay::config::Config::profile("quick").unwrap();
/// let cells = hippo_replay::runner::cells(&config);
/// assert_eq!(cells.len(), 3 * 2 * config.run.seeds);
/// ```
pub fn cells(config: &Config) -> Vec<CellSpec> {
    let mut out = Vec::new();
    for task in &config.tasks.enabled {
        for activation in &config.network.activations {
            for seed in 0..config.run.seeds {
                out.push(CellSpec {
                    task: task.clone(),
                    activation: activation.clone(),
                    seed,
                });
            }
        }
    }
    out
}

/// Builds a task of the configuration. Place-cell centres come from a stream of their own, so
/// every network of a task sees the same code.
///
/// ```
/// let config = hippo_replay::config::Config::profile("quick").unwrap();
/// let task = hippo_replay::runner::build_task(&config, "triangle").unwrap();
/// assert_eq!(task.name(), "triangle");
/// ```
pub fn build_task(config: &Config, name: &str) -> Result<AnyTask, RunError> {
    let t = &config.tasks;
    let task_config = match name {
        "triangle" => TaskConfig::Triangle(t.track.clone()),
        "t_maze" => TaskConfig::TMaze(t.track.clone()),
        "open_box" => TaskConfig::OpenBox(t.open_box.clone()),
        other => {
            return Err(RunError::InvalidField {
                field: "tasks.enabled",
                value: format!("{other:?}"),
                expected: crate::config::task_names(false),
            });
        }
    };
    let mut rng = stream_rng(config.run.master_seed, &["task", name]);
    task_config
        .build(&mut rng)
        .map_err(|source| RunError::Task {
            field: "tasks",
            source,
        })
}

/// Everything that determines a cell's results; its hash names the cached result.
#[derive(Serialize)]
struct CellIdentity<'a> {
    /// Replay noise and training noise follow this convention ([`replay_sampler::NOISE_CONVENTION`]).
    noise_convention: u32,
    spec: &'a CellSpec,
    config: &'a Config,
}

fn cell_path(dir: &Path, config: &Config, spec: &CellSpec) -> PathBuf {
    // The run's name is only a label; it does not change any number.
    let mut config = config.clone();
    config.run.name.clear();
    let identity = CellIdentity {
        noise_convention: replay_sampler::NOISE_CONVENTION,
        spec,
        config: &config,
    };
    let key = fnv1a64(
        serde_json::to_string(&identity)
            .expect("serialisable")
            .as_bytes(),
    );
    dir.join(format!(
        "{}-{}-s{}-{key:016x}.json",
        spec.task, spec.activation, spec.seed
    ))
}

/// Runs every cell (in parallel, reusing cached cells unless `fresh`), writes `config.toml`,
/// the checkpoints and one result file per cell under `out`, and returns the results.
///
/// ```no_run
/// use hippo_replay::{config::Config, runner::{run, RunOptions}};
/// let results = run(&RunOptions::new(Config::profile("quick")?, "results/quick".into()))?;
/// println!("{} cells", results.cells.len());
/// # Ok::<(), hippo_replay::RunError>(())
/// ```
pub fn run(options: &RunOptions) -> Result<RunResults, RunError> {
    let config = &options.config;
    config.validate()?;
    if let Some(threads) = options.threads {
        crate::config::check_count("threads", threads, MAX_THREADS)?;
    }
    let out = &options.out;
    // The output or the first of its ancestors that exists must be a directory; said of that
    // path itself, rather than of the first directory made under it.
    if let Some(blocker) = out.ancestors().find(|p| p.exists())
        && !blocker.is_dir()
    {
        return Err(RunError::Io {
            path: blocker.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "exists and is not a directory (the output must be a directory)",
            ),
        });
    }
    let checkpoints = out.join("checkpoints");
    let cell_dir = out.join("cells");
    create_dir(&checkpoints)?;
    create_dir(&cell_dir)?;
    write_atomic(&out.join("config.toml"), config.to_toml().as_bytes())?;

    let mut tasks = Vec::new();
    for name in &config.tasks.enabled {
        tasks.push((name.clone(), build_task(config, name)?));
    }
    let specs = cells(config);

    let bars = Progress::new(
        options.progress,
        specs.len(),
        config.training.steps as u64 * 2 * specs.len() as u64,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|e| RunError::Config(format!("thread pool: {e}")))?;
    let results: Vec<Result<CellResult, RunError>> = pool.install(|| {
        specs
            .par_iter()
            .map(|spec| {
                let path = cell_path(&cell_dir, config, spec);
                if !options.fresh
                    && let Ok(bytes) = std::fs::read(&path)
                    && let Ok(cached) = serde_json::from_slice::<CellResult>(&bytes)
                    && cached.spec == *spec
                {
                    bars.cell_done(true, config.training.steps as u64 * 2);
                    return Ok(cached);
                }
                let task = &tasks
                    .iter()
                    .find(|(n, _)| *n == spec.task)
                    .expect("built above")
                    .1;
                let result = cell::run_cell(config, task, spec, &checkpoints, options.fresh, &bars);
                let json = serde_json::to_vec_pretty(&result)
                    .map_err(|e| RunError::Config(e.to_string()))?;
                write_atomic(&path, &json)?;
                bars.cell_done(false, 0);
                Ok(result)
            })
            .collect()
    });
    bars.finish();
    let cells = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(RunResults { cells })
}

/// Progress bars, one per stage: training updates, replayed variants, finished cells.
pub(crate) struct Progress {
    training: ProgressBar,
    replay: ProgressBar,
    cells: ProgressBar,
}

impl Progress {
    fn new(visible: bool, cells: usize, updates: u64) -> Self {
        let multi = MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = ProgressStyle::with_template(
            "{prefix:>9} [{bar:40}] {pos}/{len} {elapsed_precise} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> ");
        let bar = |len: u64, name: &'static str| {
            multi.add(
                ProgressBar::new(len)
                    .with_style(style.clone())
                    .with_prefix(name),
            )
        };
        Self {
            training: bar(updates, "training"),
            replay: bar((cells * Variant::ALL.len()) as u64, "replay"),
            cells: bar(cells as u64, "cells"),
        }
    }

    /// One Adam update done.
    pub(crate) fn update_done(&self) {
        self.training.inc(1);
    }

    /// A network's updates skipped (its checkpoint was reused).
    pub(crate) fn updates_skipped(&self, updates: u64) {
        self.training.inc(updates);
    }

    /// One variant replayed and measured (or failed).
    pub(crate) fn variant_done(&self) {
        self.replay.inc(1);
    }

    fn cell_done(&self, cached: bool, skipped_updates: u64) {
        if cached {
            self.training.inc(skipped_updates);
            self.replay.inc(Variant::ALL.len() as u64);
        }
        self.cells.inc(1);
    }

    fn finish(&self) {
        self.training.finish();
        self.replay.finish();
        self.cells.finish();
    }
}
