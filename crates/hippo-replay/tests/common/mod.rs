//! A miniature configuration and scratch directories shared by the reliability tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hippo_replay::config::Config;
use hippo_replay::report::{Summaries, write_report};
use hippo_replay::runner::{RunOptions, run};

/// One task, both activations, two seeds, networks and replays a few dozen steps long: the
/// whole run takes well under a second per cell.
pub const TINY: &str = r#"
[run]
seeds = 2
[network]
hidden = 12
activations = ["relu", "tanh"]
[training]
steps = 20
batch_size = 6
seq_len = 16
[replay]
steps = 40
trajectories = 5
burn_in = 5
[metrics]
distribution_points = 40
msd_max_lag = 6
test_batch = 6
[tasks]
enabled = ["triangle"]
"#;

/// The quick profile shrunk by [`TINY`].
pub fn tiny() -> Config {
    Config::with_overrides("quick", TINY).expect("the miniature configuration is valid")
}

/// An empty directory under the system's temporary directory, unique to this process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hippo-replay-reliability-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs `config` into `dir` with `threads` workers and writes the report.
pub fn run_and_report(config: &Config, dir: &Path, threads: usize) -> Summaries {
    let mut options = RunOptions::new(config.clone(), dir.to_path_buf());
    options.threads = Some(threads);
    let results = run(&options).expect("the run completes");
    write_report(dir, config, &results).expect("the report is written")
}

/// Names of the files directly inside `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("readable entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
