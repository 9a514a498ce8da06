//! The whole pipeline on a miniature configuration: train, replay, measure, report.

use std::path::{Path, PathBuf};

use hippo_replay::claims::claim_specs;
use hippo_replay::config::Config;
use hippo_replay::report::{fmt_num, write_report};
use hippo_replay::runner::{RunOptions, run};
use hippo_replay::variant::{Metric, Variant};

const MINI: &str = r#"
[run]
seeds = 2
[network]
hidden = 16
activations = ["relu", "tanh"]
[training]
steps = 30
batch_size = 8
seq_len = 20
[replay]
steps = 60
trajectories = 6
burn_in = 10
[metrics]
distribution_points = 60
msd_max_lag = 8
test_batch = 8
[tasks.open_box.place_cells]
n_cells = 16
"#;

fn mini() -> Config {
    Config::with_overrides("quick", MINI).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hippo-replay-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_into(dir: &Path, threads: usize) -> hippo_replay::report::Summaries {
    let mut options = RunOptions::new(mini(), dir.to_path_buf());
    options.threads = Some(threads);
    let results = run(&options).unwrap();
    write_report(dir, &options.config, &results).unwrap()
}

#[test]
fn pipeline_writes_every_output_and_backs_every_verdict_with_numbers() {
    let dir = scratch("pipeline");
    let summaries = run_into(&dir, 2);
    let config = mini();
    for file in ["report.md", "metrics.json", "metrics.csv", "config.toml"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    // config.toml is the exact configuration used.
    let written = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert_eq!(Config::from_toml_str(&written).unwrap(), config);

    // One CSV row per seed × variant × task × activation (no cell failed at this size).
    assert!(summaries.failures.is_empty(), "{:?}", summaries.failures);
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let expected_rows = 3 * 2 * 2 * Variant::ALL.len();
    assert_eq!(csv.lines().count(), 1 + expected_rows);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header.len(), 4 + Metric::ALL.len());

    // Every CSV value is the JSON value.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected_rows);
    for (line, row) in csv.lines().skip(1).zip(rows) {
        let fields: Vec<&str> = line.split(',').collect();
        for (k, m) in Metric::ALL.iter().enumerate() {
            let from_csv: f64 = fields[4 + k].parse().unwrap();
            let from_json = row[m.key()].as_f64().unwrap_or(f64::NAN);
            assert!(
                from_csv == from_json || (from_csv.is_nan() && from_json.is_nan()),
                "{} {line}",
                m.key()
            );
        }
    }

    // The report shows every group, every claim with its verdict, and the numbers of metrics.json.
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 6);
    for g in groups {
        let title = format!(
            "## {} — {}",
            g["task"].as_str().unwrap(),
            g["activation"].as_str().unwrap()
        );
        let start = report
            .find(&format!("{title}\n"))
            .unwrap_or_else(|| panic!("{title}"));
        let rest = &report[start + title.len()..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let claims = g["claims"].as_array().unwrap();
        assert_eq!(claims.len(), claim_specs().len());
        for c in claims {
            let verdict = c["verdict"].as_str().unwrap().replace('_', " ");
            let d = &c["difference"];
            let mean = d["mean"].as_f64().unwrap_or(f64::NAN);
            // A verdict other than inconclusive needs a finite interval on one side of the boundary.
            if verdict != "inconclusive" {
                let (lo, hi) = (d["low"].as_f64().unwrap(), d["high"].as_f64().unwrap());
                assert!(lo <= mean && mean <= hi);
            }
            let id = c["spec"]["id"].as_str().unwrap();
            let line = section
                .lines()
                .find(|l| l.starts_with(&format!("| {id} (")) && l.contains(&fmt_num(mean)))
                .unwrap_or_else(|| panic!("claim {id} with mean {} not in report", fmt_num(mean)));
            assert!(line.contains(&format!("**{verdict}**")), "{line}");
        }
        for m in g["metrics"].as_array().unwrap() {
            let mean = m["stat"]["mean"].as_f64().unwrap_or(f64::NAN);
            assert!(
                report.contains(&fmt_num(mean)),
                "{} {}",
                m["metric"],
                fmt_num(mean)
            );
        }
    }
    for g in &summaries.groups {
        for kind in ["trajectories", "reach_exploration", "msd"] {
            let name = format!("figures/{kind}_{}_{}.svg", g.task, g.activation);
            assert!(report.contains(&name), "{name} not linked");
            let svg = std::fs::read_to_string(dir.join(&name)).unwrap();
            assert!(svg.starts_with("<svg") || svg.contains("<svg"), "{name}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn determinism_metrics_identical_across_thread_counts_and_reruns() {
    let one = scratch("threads-1");
    let two = scratch("threads-2");
    let again = scratch("threads-2-again");
    run_into(&one, 1);
    run_into(&two, 2);
    run_into(&again, 2);
    let read = |d: &Path| std::fs::read(d.join("metrics.json")).unwrap();
    assert_eq!(
        read(&one),
        read(&two),
        "metrics.json differs between 1 and 2 threads"
    );
    assert_eq!(
        read(&two),
        read(&again),
        "metrics.json differs between two runs"
    );
    for d in [one, two, again] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn resume_reuses_finished_cells_and_gives_the_same_metrics() {
    let dir = scratch("resume");
    run_into(&dir, 2);
    let first = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    // Forget some finished cells, as if the runner had been killed before writing them.
    let cells: Vec<_> = std::fs::read_dir(dir.join("cells"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for path in cells.iter().step_by(2) {
        std::fs::remove_file(path).unwrap();
    }
    std::fs::remove_file(dir.join("metrics.json")).unwrap();
    run_into(&dir, 2);
    let resumed = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    assert!(
        resumed == first,
        "resumed metrics.json differs from the uninterrupted run"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
