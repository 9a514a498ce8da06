//! The runner's bad-input corpus: every invalid configuration value, unknown key and unwritable
//! output gives a typed error naming the field (or path) and the value, never a panic, and
//! leaves nothing half-written behind.

mod common;

use std::path::Path;

use common::{file_names, scratch, tiny};
use hippo_replay::RunError;
use hippo_replay::config::Config;
use hippo_replay::io::write_atomic;
use hippo_replay::report::write_report;
use hippo_replay::runner::{RunOptions, RunResults, run};
use replay_tasks::TaskError;

/// The error of the quick profile overridden by `text`.
fn override_error(text: &str) -> RunError {
    match Config::with_overrides("quick", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts that `err` is `InvalidField` for `field` with `value`, and that its message says so.
fn assert_invalid_field(err: &RunError, field: &str, value: &str) {
    assert!(
        matches!(err, RunError::InvalidField { field: f, value: v, .. } if *f == field && v == value),
        "expected InvalidField {{ {field}, {value} }}, got {err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(field) && message.contains(value),
        "{message}"
    );
}

/// Asserts that setting `field` (`table.key`) to each TOML text is rejected as `InvalidField`
/// showing the value as given.
fn assert_rejects(field: &str, cases: &[(&str, &str)]) {
    let (table, key) = field.rsplit_once('.').unwrap();
    for (text, value) in cases {
        let err = override_error(&format!("[{table}]\n{key} = {text}\n"));
        assert_invalid_field(&err, field, value);
    }
}

#[test]
fn invalid_noise_nan_inf_or_negative_names_the_field() {
    assert_rejects(
        "network.sigma_train",
        &[
            ("nan", "NaN"),
            ("inf", "inf"),
            ("-0.05", "-0.05"),
            ("0.0", "0"),
        ],
    );
    assert_rejects("replay.sigma_scale", &[("-inf", "-inf")]);
}

#[test]
fn invalid_alpha_outside_the_unit_interval() {
    assert_rejects(
        "network.alpha_leaky",
        &[
            ("0.0", "0"),
            ("-0.2", "-0.2"),
            ("1.0000001", "1.0000001"),
            ("nan", "NaN"),
        ],
    );
}

#[test]
fn invalid_lambda_v_outside_the_unit_interval() {
    assert_rejects(
        "replay.lambda_v",
        &[
            ("0.0", "0"),
            ("2.0", "2"),
            ("-1e-9", "-0.000000001"),
            ("inf", "inf"),
        ],
    );
}

#[test]
fn invalid_adaptation_time_constant_below_one_or_strength_negative() {
    assert_rejects(
        "replay.adaptation_tau",
        &[
            ("0.999", "0.999"),
            ("0.0", "0"),
            ("-30.0", "-30"),
            ("inf", "inf"),
        ],
    );
    assert_rejects(
        "replay.adaptation_strength",
        &[("-0.1", "-0.1"), ("nan", "NaN"), ("inf", "inf")],
    );
}

#[test]
fn invalid_zero_sizes_and_steps_name_the_field() {
    for field in [
        "training.steps",
        "training.seq_len",
        "replay.steps",
        "replay.trajectories",
        "metrics.distribution_points",
        "metrics.msd_max_lag",
        "metrics.test_batch",
    ] {
        assert_rejects(field, &[("0", "0")]);
    }
    // Sizes are unsigned: a negative one is a type error that quotes the key and the value.
    let message = override_error("[network]\nhidden = -4\n").to_string();
    assert!(
        message.contains("hidden") && message.contains("-4"),
        "{message}"
    );
}

#[test]
fn invalid_lengths_that_leave_nothing_to_measure() {
    let err = override_error("[replay]\nsteps = 40\nburn_in = 40\n");
    assert_invalid_field(&err, "replay.burn_in", "40");
    let err = override_error("[replay]\nsteps = 40\nburn_in = 5\n[metrics]\nmsd_max_lag = 40\n");
    assert_invalid_field(&err, "metrics.msd_max_lag", "40");
    assert_rejects("training.learning_rate", &[("0.0", "0")]);
    assert_rejects("training.grad_clip", &[("-1.0", "-1")]);
}

#[test]
fn invalid_task_parameters_name_their_table_field_and_value() {
    let cases = [
        ("[tasks.open_box]\ndt = 0.0\n", "tasks.open_box", "dt", "0"),
        (
            "[tasks.open_box]\ndt = -0.02\n",
            "tasks.open_box",
            "dt",
            "-0.02",
        ),
        (
            "[tasks.open_box]\nside = nan\n",
            "tasks.open_box",
            "side",
            "NaN",
        ),
        (
            "[tasks.track]\nspeed_sd = -0.01\n",
            "tasks.track",
            "speed_sd",
            "-0.01",
        ),
        (
            "[tasks.track]\nspeed_reversion = 0.0\n",
            "tasks.track",
            "speed_reversion",
            "0",
        ),
    ];
    for (text, table, field, value) in cases {
        let err = override_error(text);
        assert!(
            matches!(&err, RunError::Task { field: t, source } if *t == table
                && matches!(source, TaskError::NotFinite { field: f, .. }
                    | TaskError::NotPositive { field: f, .. }
                    | TaskError::Negative { field: f, .. }
                    | TaskError::OutOfRange { field: f, .. } if f == field)),
            "{text}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(table) && message.contains(field) && message.contains(value),
            "{message}"
        );
    }
}

#[test]
fn rejects_unknown_configuration_keys_by_their_full_path() {
    for (text, path) in [
        ("seed = 3\n", "seed"),
        ("[training]\nlr = 0.1\n", "training.lr"),
        (
            "[tasks.open_box.place_cells]\nwidth = 0.3\n",
            "tasks.open_box.place_cells.width",
        ),
        ("[tasks.track]\nmean_sped = 0.03\n", "tasks.track.mean_sped"),
    ] {
        let err = override_error(text);
        assert!(
            matches!(&err, RunError::UnknownField(p) if p == path),
            "{text}: {err:?}"
        );
        assert!(err.to_string().contains(path), "{err}");
    }
}

#[test]
fn rejects_malformed_or_mistyped_configuration_text() {
    let err = override_error("[replay]\nsteps = \"many\"\n");
    let message = err.to_string();
    assert!(
        matches!(err, RunError::Config(_)) && message.contains("steps") && message.contains("many"),
        "{message}"
    );
    let err = override_error("run = 3\n");
    assert!(
        matches!(&err, RunError::Config(m) if m.contains("run must be a table")),
        "{err:?}"
    );
    let err = override_error("[run\nseeds = 2\n");
    assert!(matches!(err, RunError::Config(_)), "{err:?}");
    let err = Config::with_overrides("enormous", "").unwrap_err();
    assert!(
        matches!(&err, RunError::InvalidField { field: "profile", value, .. } if value.contains("enormous")),
        "{err:?}"
    );
    let err = Config::from_toml_str("[run]\nname = \"x\"\n").unwrap_err();
    assert!(
        matches!(&err, RunError::Config(m) if m.contains("missing field `seeds`")),
        "a missing field is named: {err:?}"
    );
}

#[test]
fn negative_counts_name_the_field_and_value_not_a_line_of_the_merged_text() {
    for field in [
        "run.seeds",
        "run.master_seed",
        "training.batch_size",
        "replay.steps",
    ] {
        let (table, key) = field.split_once('.').unwrap();
        let err = override_error(&format!("# overrides\n\n[{table}]\n{key} = -4\n"));
        assert_eq!(
            err.to_string(),
            format!("configuration: {field} cannot be negative (-4)")
        );
    }
}

#[test]
fn invalid_thread_counts_are_rejected_before_anything_is_written() {
    let dir = scratch("invalid-threads");
    for threads in [0, hippo_replay::runner::MAX_THREADS + 1, usize::MAX] {
        let mut options = RunOptions::new(tiny(), dir.clone());
        options.threads = Some(threads);
        let err = run(&options).unwrap_err();
        assert_invalid_field(&err, "threads", &threads.to_string());
        assert!(err.to_string().contains("from 1 to 1024"), "{err}");
    }
    assert!(!dir.exists(), "a rejected run created {}", dir.display());
}

#[test]
fn range_errors_say_what_the_field_accepts() {
    let err = override_error("[run]\nseeds = 2000000\n");
    assert_eq!(
        err.to_string(),
        "invalid value for run.seeds: 2000000 (expected a whole number from 1 to 1000000)"
    );
    let err = override_error("[replay]\nlambda_v = 1.5\n");
    assert!(
        err.to_string().ends_with("(expected a number in (0, 1])"),
        "{err}"
    );
    let err = override_error("[tasks]\nenabled = [\"hexagon\"]\n");
    assert!(
        err.to_string()
            .ends_with("(expected one of \"triangle\", \"t_maze\", \"open_box\")"),
        "{err}"
    );
}

#[test]
fn invalid_configuration_built_in_code_is_rejected_before_anything_is_written() {
    let dir = scratch("invalid-in-code");
    let mut config = tiny();
    config.network.alpha_leaky = f64::NAN;
    let err = run(&RunOptions::new(config, dir.clone())).unwrap_err();
    assert_invalid_field(&err, "network.alpha_leaky", "NaN");
    assert!(!dir.exists(), "a rejected run created {}", dir.display());
}

/// A regular file whose path is used as a directory: root can write anywhere, but nothing can
/// create a directory under a file.
fn blocking_file(name: &str) -> std::path::PathBuf {
    let parent = scratch(name);
    std::fs::create_dir_all(&parent).unwrap();
    let file = parent.join("not-a-directory");
    std::fs::write(&file, b"occupied").unwrap();
    file
}

/// Asserts that `err` is an I/O error about a path under `file` and names it.
fn assert_io_under(err: &RunError, file: &Path) {
    match err {
        RunError::Io { path, .. } => assert!(path.starts_with(file), "{}", path.display()),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
}

#[test]
fn rejects_an_output_directory_under_a_regular_file() {
    let file = blocking_file("out-under-file");
    let out = file.join("results").join("deeper");
    let err = run(&RunOptions::new(tiny(), out)).unwrap_err();
    // The error names the file in the way, not a directory the run would have made under it.
    assert!(
        matches!(&err, RunError::Io { path, .. } if *path == file),
        "{err:?}"
    );
    assert!(err.to_string().contains("is not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"occupied");
    assert_eq!(file_names(file.parent().unwrap()), ["not-a-directory"]);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn rejects_an_output_directory_that_is_a_regular_file() {
    let file = blocking_file("out-is-file");
    let err = run(&RunOptions::new(tiny(), file.clone())).unwrap_err();
    assert!(
        matches!(&err, RunError::Io { path, .. } if *path == file),
        "{err:?}"
    );
    assert!(err.to_string().contains("is not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"occupied");
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn rejects_a_report_directory_under_a_regular_file() {
    let file = blocking_file("report-under-file");
    let results = RunResults { cells: Vec::new() };
    let err = write_report(&file.join("report"), &tiny(), &results).unwrap_err();
    assert_io_under(&err, &file);
    assert_eq!(file_names(file.parent().unwrap()), ["not-a-directory"]);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn invalid_atomic_write_over_a_directory_leaves_no_partial_file() {
    let dir = scratch("atomic-over-dir");
    let target = dir.join("metrics.json");
    std::fs::create_dir_all(target.join("inside")).unwrap();
    let err = write_atomic(&target, b"{\"rows\": []}").unwrap_err();
    assert!(
        matches!(&err, RunError::Io { path, .. } if *path == target),
        "{err:?}"
    );
    assert!(err.to_string().contains("metrics.json"), "{err}");
    // The target is untouched and the temporary file is gone.
    assert!(target.is_dir());
    assert_eq!(file_names(&target), ["inside"]);
    assert_eq!(file_names(&dir), ["metrics.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_atomic_write_into_a_missing_directory_creates_nothing() {
    let dir = scratch("atomic-missing");
    let target = dir.join("missing").join("report.md");
    let err = write_atomic(&target, b"# report").unwrap_err();
    assert!(
        matches!(&err, RunError::Io { path, .. } if *path == target),
        "{err:?}"
    );
    assert!(!dir.exists());
}

#[test]
fn invalid_cached_cell_and_checkpoint_files_are_recomputed_not_trusted() {
    let config = tiny();
    let reference = scratch("cache-reference");
    common::run_and_report(&config, &reference, 2);
    let damaged = scratch("cache-damaged");
    common::run_and_report(&config, &damaged, 2);
    // Truncate one cached cell, corrupt another, and cut every checkpoint in half.
    let cells = damaged.join("cells");
    let names = file_names(&cells);
    std::fs::write(cells.join(&names[0]), b"{\"spec\": {\"task\": \"tri").unwrap();
    std::fs::write(cells.join(&names[1]), b"\x00\xffnot json").unwrap();
    let checkpoints = damaged.join("checkpoints");
    for name in file_names(&checkpoints) {
        let path = checkpoints.join(name);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    }
    std::fs::remove_file(damaged.join("metrics.json")).unwrap();
    common::run_and_report(&config, &damaged, 2);
    assert_eq!(
        std::fs::read(damaged.join("metrics.json")).unwrap(),
        std::fs::read(reference.join("metrics.json")).unwrap()
    );
    for dir in [reference, damaged] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
