//! Fuzzing of the runner's configuration: arbitrary override text, overrides of any fields with
//! boundary values and wrong types, and line-level mutations of a complete configuration.
//! Parsing never panics; whatever is accepted is valid, round-trips through its TOML, and builds
//! its tasks (or fails with a typed task error).
//!
//! proptest runs 256 cases by default and `PROPTEST_CASES` when it is set, for a long run.

use hippo_replay::RunError;
use hippo_replay::config::Config;
use hippo_replay::runner::build_task;
use proptest::prelude::*;

/// Every field of the configuration as (table, key).
const FIELDS: &[(&str, &str)] = &[
    ("run", "name"),
    ("run", "seeds"),
    ("run", "master_seed"),
    ("network", "hidden"),
    ("network", "activations"),
    ("network", "alpha_leaky"),
    ("network", "sigma_train"),
    ("training", "steps"),
    ("training", "batch_size"),
    ("training", "seq_len"),
    ("training", "learning_rate"),
    ("training", "grad_clip"),
    ("training", "weight_decay"),
    ("replay", "steps"),
    ("replay", "trajectories"),
    ("replay", "burn_in"),
    ("replay", "sigma_scale"),
    ("replay", "lambda_v"),
    ("replay", "adaptation_strength"),
    ("replay", "adaptation_tau"),
    ("metrics", "distribution_points"),
    ("metrics", "msd_max_lag"),
    ("metrics", "test_batch"),
    ("metrics", "region_tolerance"),
    ("metrics", "compression_distance"),
    ("tasks", "enabled"),
    ("tasks.track", "mean_speed"),
    ("tasks.track", "speed_sd"),
    ("tasks.track", "speed_reversion"),
    ("tasks.track", "bins_per_edge"),
    ("tasks.track", "reach_radius"),
    ("tasks.open_box", "side"),
    ("tasks.open_box", "dt"),
    ("tasks.open_box", "speed_scale"),
    ("tasks.open_box", "turn_sd"),
    ("tasks.open_box", "wall_margin"),
    ("tasks.open_box", "wall_slowdown"),
    ("tasks.open_box", "regions_per_side"),
    ("tasks.open_box", "reach_size"),
    ("tasks.open_box", "stationary_burn_in"),
    ("tasks.open_box", "stationary_thinning"),
    ("tasks.open_box.place_cells", "n_cells"),
    ("tasks.open_box.place_cells", "sigma"),
    ("tasks.open_box.place_cells", "surround_scale"),
    ("tasks.open_box.place_cells", "decode_k"),
    // Misspellings and keys of no table.
    ("replay", "friction"),
    ("tasks.track", "speed"),
    ("optimizer", "lr"),
];

/// Values at and beyond every boundary, and values of the wrong type.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "-1",
            "7",
            "40",
            "100000",
            "9223372036854775807",
            "0.0",
            "-0.0",
            "1e-300",
            "0.3",
            "1.0",
            "1.5",
            "1e300",
            "nan",
            "inf",
            "-inf",
            "\"relu\"",
            "\"tanh\"",
            "\"\"",
            "true",
            "[]",
            "[\"relu\", \"gelu\"]",
            "[\"triangle\"]",
            "[\"open_box\", \"x\"]",
            "{ a = 1 }",
            "1979-05-27",
        ])
        .prop_map(String::from),
        (-3.0f64..3.0).prop_map(|v| format!("{v:?}")),
        (0u32..200).prop_map(|v| v.to_string()),
    ]
}

/// Overrides of any fields, grouped into their tables.
fn overrides() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(FIELDS.to_vec()), value()), 0..6).prop_map(
        |edits| {
            let mut tables: Vec<(&str, Vec<String>)> = Vec::new();
            for ((table, key), v) in edits {
                let line = format!("{key} = {v}");
                match tables.iter_mut().find(|(t, _)| *t == table) {
                    Some((_, lines)) => {
                        if !lines.iter().any(|l| l.starts_with(&format!("{key} ="))) {
                            lines.push(line);
                        }
                    }
                    None => tables.push((table, vec![line])),
                }
            }
            tables
                .iter()
                .map(|(t, lines)| format!("[{t}]\n{}\n", lines.join("\n")))
                .collect()
        },
    )
}

/// Whatever parses is valid, round-trips exactly through its TOML, and builds its tasks or
/// fails with a typed task error.
fn check_accepted(result: Result<Config, RunError>) -> Result<(), TestCaseError> {
    let Ok(config) = result else {
        return Ok(());
    };
    prop_assert!(config.validate().is_ok());
    let text = config.to_toml();
    let again = Config::from_toml_str(&text);
    prop_assert!(again.is_ok(), "{:?}\n{}", again, text);
    prop_assert_eq!(again.unwrap(), config.clone());
    for name in &config.tasks.enabled {
        match build_task(&config, name) {
            Ok(_) | Err(RunError::Task { .. }) => {}
            Err(other) => prop_assert!(false, "{}: {:?}", name, other),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary override text never panics.
    #[test]
    fn fuzz_runner_config_arbitrary_text_never_panics(text in "(\\[[a-z_.]{1,12}\\]\n)?[ -~\n]{0,120}") {
        check_accepted(Config::with_overrides("quick", &text))?;
    }

    /// Overrides of any fields with boundary values or wrong types never panic, and whatever
    /// they produce is valid.
    #[test]
    fn fuzz_runner_config_overrides_are_valid_or_rejected(text in overrides()) {
        check_accepted(Config::with_overrides("quick", &text))?;
    }

    /// A complete configuration with a line dropped, doubled or cut never panics the parser.
    #[test]
    fn fuzz_runner_config_mutated_complete_file_never_panics(
        line in any::<prop::sample::Index>(),
        action in 0u8..3,
        cut in any::<prop::sample::Index>(),
    ) {
        let text = Config::profile("quick").unwrap().to_toml();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let i = line.index(lines.len());
        match action {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            _ => {
                let l = &lines[i];
                let at = cut.index(l.len() + 1);
                let at = (0..=at).rev().find(|&k| l.is_char_boundary(k)).unwrap_or(0);
                lines[i] = l[..at].to_string();
            }
        }
        check_accepted(Config::from_toml_str(&lines.join("\n")))?;
    }

    /// Any master seed round-trips through the written config.toml.
    #[test]
    fn fuzz_runner_config_any_master_seed_round_trips(seed in any::<u64>()) {
        let mut config = Config::profile("quick").unwrap();
        config.run.master_seed = seed;
        check_accepted(config.validate().map(|()| config.clone()))?;
    }
}

/// Found by the override property: 2^63 − 1 place cells overflowed the capacity of their
/// centres' buffer (a panic). Every size is now capped, by name: the tasks' counts at
/// 1,000,000, the runner's sizes at `MAX_SIZE`.
#[test]
fn fuzz_runner_config_regression_enormous_sizes_are_rejected_by_name() {
    let err = Config::with_overrides(
        "quick",
        "[tasks.open_box.place_cells]\nn_cells = 9223372036854775807\n",
    )
    .unwrap_err();
    assert!(
        matches!(&err, RunError::Task { field: "tasks.open_box", source } if source.to_string().contains("n_cells")),
        "{err:?}"
    );
    assert!(err.to_string().contains("9223372036854775807"), "{err}");
    for field in [
        "network.hidden",
        "training.batch_size",
        "replay.trajectories",
    ] {
        let (table, key) = field.split_once('.').unwrap();
        let text = format!("[{table}]\n{key} = 9223372036854775807\n");
        let err = Config::with_overrides("quick", &text).unwrap_err();
        assert!(
            matches!(&err, RunError::InvalidField { field: f, value, .. } if f == &field && value == "9223372036854775807"),
            "{err:?}"
        );
    }
}
