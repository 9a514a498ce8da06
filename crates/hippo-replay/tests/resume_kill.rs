//! Resume after a real interruption: the runner is killed part-way through in a child process
//! (this test executable re-invoked on itself), then resumed, and must write exactly the
//! metrics an uninterrupted run writes.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{run_and_report, scratch, tiny};
use hippo_replay::config::Config;

/// When set, the test runs the pipeline into this directory (as the child to be killed).
const CHILD_OUT: &str = "HIPPO_REPLAY_KILLED_RUN_OUT";
const TEST_NAME: &str = "resume_after_kill_writes_byte_identical_metrics";

/// Two tasks, both activations and three seeds: twelve cells that finish one after another
/// with one thread, so the child can be killed between (or inside) cells.
fn config() -> Config {
    let mut config = tiny();
    config.tasks.enabled = vec!["triangle".into(), "t_maze".into()];
    config.run.seeds = 3;
    config.validate().unwrap();
    config
}

/// Finished cell files: final names only, not the temporaries a write goes through.
fn finished_cells(dir: &Path) -> usize {
    common::file_names(dir)
        .iter()
        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
        .count()
}

#[test]
fn resume_after_kill_writes_byte_identical_metrics() {
    let config = config();
    if let Some(out) = std::env::var_os(CHILD_OUT) {
        run_and_report(&config, Path::new(&out), 1);
        return;
    }
    let total = hippo_replay::runner::cells(&config).len();
    let killed = scratch("killed");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--test-threads=1"])
        .env(CHILD_OUT, &killed)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cells = killed.join("cells");
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished_cells(&cells) == 0 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child run ended ({status}) before any cell was written");
        }
        assert!(Instant::now() < deadline, "no cell written within 120 s");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed, not finished");
    let done = finished_cells(&cells);
    assert!(
        (1..total).contains(&done),
        "{done} of {total} cells finished before the kill"
    );
    assert!(!killed.join("metrics.json").exists());

    run_and_report(&config, &killed, 2);
    let uninterrupted = scratch("uninterrupted");
    run_and_report(&config, &uninterrupted, 2);
    for file in ["metrics.json", "metrics.csv", "report.md"] {
        let resumed = std::fs::read(killed.join(file)).unwrap();
        let reference = std::fs::read(uninterrupted.join(file)).unwrap();
        assert!(
            resumed == reference,
            "{file} after kill and resume differs from the uninterrupted run"
        );
    }
    assert_eq!(finished_cells(&cells), total);
    for dir in [killed, uninterrupted] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
