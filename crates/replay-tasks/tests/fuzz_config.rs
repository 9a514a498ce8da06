//! Fuzzing of task configurations through serde/TOML: arbitrary text, and tables of every kind
//! with any subset of their keys set to boundary values. Parsing and building never panic, and
//! a task that builds yields finite paths, codes and positions.
//!
//! Sizes stay small (a configuration may legitimately ask for millions of place cells; the
//! fuzzer does not test the machine's memory). proptest runs 256 cases by default and
//! `PROPTEST_CASES` when it is set, for a long run.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_tasks::{Decode, Reach, StationaryPositions, Task, TaskConfig};

/// TOML spellings of real numbers at and beyond every boundary the parameters have.
fn real() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0.0", "-0.0", "-1.0", "1e-300", "1e-10", "0.5", "1.0", "1.5", "2.0", "1e10", "1e300",
            "1.7e308", "-1e300", "nan", "inf", "-inf", "0", "3",
        ])
        .prop_map(String::from),
        (-5.0f64..5.0).prop_map(|v| format!("{v:?}")),
    ]
}

/// TOML spellings of counts, small enough not to exhaust memory, and some wrong types.
fn count() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..12).prop_map(|v| v.to_string()),
        prop::sample::select(vec!["-1", "1.5", "\"three\"", "true", "[]", "64"])
            .prop_map(String::from),
    ]
}

fn point() -> impl Strategy<Value = String> {
    prop_oneof![
        (real(), real()).prop_map(|(x, y)| format!("[{x}, {y}]")),
        Just("[1.0]".to_string()),
        Just("[]".to_string()),
    ]
}

/// Any subset of `keys`, each set by its strategy, as `key = value` lines.
fn lines(keys: Vec<(&'static str, BoxedStrategy<String>)>) -> BoxedStrategy<String> {
    let n = keys.len();
    let (names, values): (Vec<_>, Vec<_>) = keys.into_iter().unzip();
    (prop::collection::vec(any::<bool>(), n), values)
        .prop_map(move |(keep, values)| {
            names
                .iter()
                .zip(values)
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|((name, v), _)| format!("{name} = {v}\n"))
                .collect()
        })
        .boxed()
}

fn track_keys() -> Vec<(&'static str, BoxedStrategy<String>)> {
    vec![
        ("mean_speed", real().boxed()),
        ("speed_sd", real().boxed()),
        ("speed_reversion", real().boxed()),
        ("bins_per_edge", count().boxed()),
        ("reach_radius", real().boxed()),
    ]
}

fn open_box() -> BoxedStrategy<String> {
    let outer = lines(vec![
        ("side", real().boxed()),
        ("dt", real().boxed()),
        ("speed_scale", real().boxed()),
        ("turn_sd", real().boxed()),
        ("wall_margin", real().boxed()),
        ("wall_slowdown", real().boxed()),
        ("regions_per_side", count().boxed()),
        ("reach_size", real().boxed()),
        ("stationary_burn_in", count().boxed()),
        ("stationary_thinning", count().boxed()),
    ]);
    let cells = lines(vec![
        ("n_cells", count().boxed()),
        ("sigma", real().boxed()),
        ("surround_scale", real().boxed()),
        ("decode_k", count().boxed()),
    ]);
    (outer, cells)
        .prop_map(|(o, c)| format!("kind = \"open_box\"\n{o}[place_cells]\n{c}"))
        .boxed()
}

fn ou() -> BoxedStrategy<String> {
    lines(vec![
        ("mean", point().boxed()),
        ("start", point().boxed()),
        ("start_sd", real().boxed()),
        ("reversion", real().boxed()),
        ("diffusion", real().boxed()),
        ("dt", real().boxed()),
        ("regions_per_side", count().boxed()),
        ("reach_radius", real().boxed()),
    ])
    .prop_map(|l| format!("kind = \"ou\"\n{l}"))
    .boxed()
}

fn graph() -> BoxedStrategy<String> {
    let nodes = prop::collection::vec(point(), 0..5).prop_map(|p| format!("[{}]", p.join(", ")));
    let edges = prop::collection::vec((0usize..6, 0usize..6), 0..6).prop_map(|e| {
        let list: Vec<String> = e.iter().map(|(a, b)| format!("[{a}, {b}]")).collect();
        format!("[{}]", list.join(", "))
    });
    (nodes, edges, count(), count(), lines(track_keys()))
        .prop_map(|(n, e, s, g, t)| {
            format!(
                "kind = \"graph\"\nnodes = {n}\nedges = {e}\nstart_node = {s}\ngoal_node = {g}\n[track]\n{t}"
            )
        })
        .boxed()
}

fn track(kind: &'static str) -> BoxedStrategy<String> {
    lines(track_keys())
        .prop_map(move |l| format!("kind = \"{kind}\"\n{l}"))
        .boxed()
}

fn any_task_text() -> impl Strategy<Value = String> {
    prop_oneof![
        track("triangle"),
        track("t_maze"),
        track("linear"),
        graph(),
        open_box(),
        ou(),
    ]
}

/// Parses, builds and exercises `text`; never panics, and a built task gives finite output.
fn exercise(text: &str) -> Result<(), TestCaseError> {
    let Ok(config) = toml::from_str::<TaskConfig>(text) else {
        return Ok(());
    };
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let Ok(task) = config.build(&mut rng) else {
        return Ok(());
    };
    let batch = task.sample_batch::<f64, _>(&mut rng, 2, 6);
    for (name, m) in [
        ("inputs", &batch.inputs),
        ("targets", &batch.targets),
        ("positions", &batch.positions),
        ("initial_codes", &batch.initial_codes),
    ] {
        prop_assert!(
            m.iter().all(|v| v.is_finite()),
            "{} not finite for\n{}",
            name,
            text
        );
    }
    prop_assert!(task.decode(&batch.targets).is_ok());
    for p in task.sample_positions(&mut rng, 3) {
        prop_assert!(
            p[0].is_finite() && p[1].is_finite(),
            "stationary {:?}\n{}",
            p,
            text
        );
    }
    for p in task.replay_starts(3) {
        prop_assert!(
            p[0].is_finite() && p[1].is_finite(),
            "start {:?}\n{}",
            p,
            text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary text never panics the parser.
    #[test]
    fn fuzz_task_config_arbitrary_text_never_panics(text in "(kind = \"[a-z_]{0,9}\"\n)?[ -~\n]{0,200}") {
        exercise(&text)?;
    }

    /// Every kind with any of its keys at boundary values: parse and build never panic, and a
    /// task that builds produces finite paths and codes.
    #[test]
    fn fuzz_task_config_boundary_values_build_finite_tasks_or_fail_typed(text in any_task_text()) {
        exercise(&text)?;
    }
}

/// Found by the boundary-value property: a track step of 1e300 (or a speed deviation of 1e10)
/// walked edge by edge forever. It is now rejected when the task is built.
#[test]
fn fuzz_task_config_regression_enormous_track_speed_is_rejected_not_walked() {
    for text in [
        "kind = \"triangle\"\nmean_speed = 1e300\n",
        "kind = \"t_maze\"\nspeed_sd = 1e10\n",
        "kind = \"graph\"\nnodes = [[0.0, 0.0], [1.0, 0.0]]\nedges = [[0, 1]]\nstart_node = 0\ngoal_node = 1\n[track]\nmean_speed = 1.7e308\n",
    ] {
        let config: TaskConfig = toml::from_str(text).unwrap();
        assert!(
            config.build(&mut ChaCha8Rng::seed_from_u64(0)).is_err(),
            "{text}"
        );
        exercise(text).unwrap();
    }
}

/// Found by the boundary-value property: a box of side 1e300 squared its distances to infinity
/// and every place-cell code became NaN; a start spread of 1e300 squared to an infinite
/// variance and NaN paths; a speed scale of 1.7e308 made a step infinitely long, and infinity
/// times the zero sine of a reflected heading is NaN. The same overflows follow from a tuning
/// width whose square underflows and from an infinite turn per step. All are now rejected by
/// name.
#[test]
fn fuzz_task_config_regression_overflowing_scales_are_rejected_by_name() {
    for (text, field) in [
        ("kind = \"open_box\"\nside = 1e300\n", "side"),
        (
            "kind = \"open_box\"\nside = 1.0\n[place_cells]\nsigma = 1e-170\n",
            "sigma",
        ),
        (
            "kind = \"open_box\"\nturn_sd = 1e300\ndt = 1e10\n",
            "turn_sd",
        ),
        (
            "kind = \"open_box\"\ndt = 1e-300\nspeed_scale = 1.7e308\n",
            "speed_scale",
        ),
        ("kind = \"ou\"\nstart_sd = 1e300\n", "start_sd"),
    ] {
        let config: TaskConfig = toml::from_str(text).unwrap();
        let err = config.build(&mut ChaCha8Rng::seed_from_u64(0)).unwrap_err();
        assert!(
            matches!(&err, replay_tasks::TaskError::OutOfRange { field: f, .. } if f == field),
            "{text}: {err:?}"
        );
        exercise(text).unwrap();
    }
}
