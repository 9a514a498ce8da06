//! The tasks' bad-input corpus: zero, negative and non-finite time steps and rates, degenerate
//! track graphs, steps too long to walk, mismatched codes, unknown keys. Each is a typed error
//! naming the field and the value.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_tasks::{
    Decode, GridRegions, LinearDecoder, OpenBoxParams, OpenBoxTask, OuParams, OuTask, TaskConfig,
    TaskError, TrackGraph, TrackParams, TrackTask,
};

fn build(text: &str) -> Result<replay_tasks::AnyTask, TaskError> {
    let config: TaskConfig = toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    config.build(&mut ChaCha8Rng::seed_from_u64(0))
}

/// Asserts that `err` names `field` as its field and that its message shows `field` and `value`.
fn assert_names(err: &TaskError, field: &str, value: &str) {
    let named = match err {
        TaskError::NotFinite { field, .. }
        | TaskError::NotPositive { field, .. }
        | TaskError::Negative { field, .. }
        | TaskError::OutOfRange { field, .. }
        | TaskError::ZeroCount { field }
        | TaskError::TooLarge { field, .. }
        | TaskError::Shape { field, .. } => field.as_str(),
        other => panic!("{other:?} names no field"),
    };
    assert_eq!(named, field, "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(field) && message.contains(value),
        "{message}"
    );
}

#[test]
fn invalid_open_box_time_step_zero_negative_or_nan() {
    for (dt, shown) in [
        ("0.0", "0"),
        ("-0.02", "-0.02"),
        ("nan", "NaN"),
        ("inf", "inf"),
    ] {
        let err = build(&format!("kind = \"open_box\"\ndt = {dt}\n")).unwrap_err();
        assert_names(&err, "dt", shown);
    }
}

#[test]
fn invalid_ou_time_step_and_rates() {
    for (key, value, shown) in [
        ("dt", "0.0", "0"),
        ("dt", "-1.0", "-1"),
        ("reversion", "0.0", "0"),
        ("diffusion", "-0.05", "-0.05"),
        ("start_sd", "-1.0", "-1"),
    ] {
        let params: OuParams = toml::from_str(&format!("{key} = {value}\n")).unwrap();
        let err = OuTask::new(params).unwrap_err();
        assert_names(&err, key, shown);
    }
    let err = build("kind = \"ou\"\nstart = [inf, 0.0]\n").unwrap_err();
    assert_names(&err, "start[0]", "inf");
}

#[test]
fn invalid_open_box_geometry_and_place_cells() {
    for (text, field, shown) in [
        ("side = 0.0", "side", "0"),
        ("reach_size = 1.2", "reach_size", "1.2"),
        ("wall_slowdown = 0.0", "wall_slowdown", "0"),
        ("regions_per_side = 0", "regions_per_side", "0"),
        ("stationary_thinning = 0", "stationary_thinning", "0"),
        ("[place_cells]\nn_cells = 0", "n_cells", "0"),
        ("[place_cells]\nsigma = -0.2", "sigma", "-0.2"),
        ("[place_cells]\nsurround_scale = 1.0", "surround_scale", "1"),
        ("[place_cells]\nn_cells = 4\ndecode_k = 5", "decode_k", "5"),
    ] {
        let err = build(&format!("kind = \"open_box\"\n{text}\n")).unwrap_err();
        assert_names(&err, field, shown);
    }
    let params = OpenBoxParams::default();
    let err = OpenBoxTask::new(params.clone(), &mut ChaCha8Rng::seed_from_u64(1))
        .unwrap()
        .walker_at([0.0, f64::NAN], 0.0)
        .err()
        .unwrap();
    assert_names(&err, "position[1]", "NaN");
}

#[test]
fn invalid_track_speeds_bins_and_radius() {
    for (text, field, shown) in [
        ("mean_speed = 0.0", "mean_speed", "0"),
        ("mean_speed = inf", "mean_speed", "inf"),
        ("speed_reversion = 1.5", "speed_reversion", "1.5"),
        ("bins_per_edge = 0", "bins_per_edge", "0"),
        ("reach_radius = -0.15", "reach_radius", "-0.15"),
    ] {
        for kind in ["triangle", "t_maze", "linear"] {
            let err = build(&format!("kind = \"{kind}\"\n{text}\n")).unwrap_err();
            assert_names(&err, field, shown);
        }
    }
}

/// A step of 1e300 on a track of length 2 would walk edge by edge forever: `remaining -= room`
/// no longer changes `remaining` at that magnitude.
#[test]
fn rejects_track_steps_longer_than_a_thousand_track_lengths() {
    let err = build("kind = \"linear\"\nmean_speed = 1e300\n").unwrap_err();
    assert!(
        matches!(&err, TaskError::OutOfRange { value, .. } if *value == 1e300),
        "{err:?}"
    );
    assert_names(&err, "mean_speed", "got 1000000000000000");
    let err = build("kind = \"triangle\"\nspeed_sd = 1e7\n").unwrap_err();
    assert_names(&err, "speed_sd", "10000000");
    let line = TrackTask::linear(TrackParams::default()).unwrap();
    let err = line.walker_at(0, 0.5, true, 2001.0).err().unwrap();
    assert_names(&err, "speed", "2001");
    // At the bound itself the walk is allowed, and a step ends.
    let mut walker = line.walker_at(0, 0.5, true, 2000.0).unwrap();
    let p = replay_tasks::Walker::step(&mut walker, &mut ChaCha8Rng::seed_from_u64(2));
    assert!(p[0].abs() <= 1.0 && p[1] == 0.0, "{p:?}");
}

#[test]
fn rejects_degenerate_track_graphs() {
    let graph = |nodes: Vec<[f64; 2]>, edges: Vec<[usize; 2]>| TrackGraph::new(nodes, edges);
    // A single point, no track at all.
    assert_eq!(graph(vec![[0.0, 0.0]], vec![]), Err(TaskError::NoEdges));
    // An edge without nodes.
    let err = graph(vec![], vec![[0, 0]]).unwrap_err();
    assert!(
        matches!(
            err,
            TaskError::MissingNode {
                edge: 0,
                node: 0,
                nodes: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("edges[0] = [0, 0]"), "{err}");
    // A self-loop, and two nodes at the same place.
    let err = graph(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1], [0, 0]]).unwrap_err();
    assert_eq!(
        err,
        TaskError::ZeroLengthEdge {
            edge: 1,
            from: 0,
            to: 0
        }
    );
    let err = graph(vec![[0.5, 0.5], [0.5, 0.5]], vec![[1, 0]]).unwrap_err();
    assert!(
        err.to_string()
            .contains("edges[0] = [1, 0] has zero length"),
        "{err}"
    );
    // A node no edge reaches.
    let err = graph(vec![[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]], vec![[0, 1]]).unwrap_err();
    assert_eq!(err, TaskError::Disconnected { node: 2 });
    assert!(err.to_string().contains("nodes[2]"), "{err}");
    // An edge too long to measure, and a track too long to add up.
    let err = graph(vec![[-1e308, 0.0], [1e308, 0.0]], vec![[0, 1]]).unwrap_err();
    assert_names(&err, "length of edges[0]", "inf");
    let err = graph(vec![[-8e307, 0.0], [8e307, 0.0]], vec![[0, 1], [1, 0]]).unwrap_err();
    assert_names(&err, "total track length", "inf");
    // A node that is not a point of the plane.
    let err = graph(vec![[0.0, 0.0], [f64::NEG_INFINITY, 1.0]], vec![[0, 1]]).unwrap_err();
    assert_names(&err, "nodes[1][0]", "-inf");
    // Reach nodes beyond the graph.
    let err = build(
        "kind = \"graph\"\nnodes = [[0.0, 0.0], [1.0, 0.0]]\nedges = [[0, 1]]\nstart_node = 2\ngoal_node = 1\n",
    )
    .unwrap_err();
    assert!(
        matches!(&err, TaskError::TooLarge { field, value: 2, max: 1 } if field == "start_node"),
        "{err:?}"
    );
}

#[test]
fn rejects_unknown_task_keys_and_kinds_by_name() {
    for (text, name) in [
        ("kind = \"ou\"\nmean_revert = 0.1\n", "mean_revert"),
        (
            "kind = \"graph\"\nnodes = []\nedges = []\nstart_node = 0\ngoal_node = 0\nloop = true\n",
            "loop",
        ),
        (
            "kind = \"open_box\"\n[place_cell]\nn_cells = 3\n",
            "place_cell",
        ),
        ("kind = \"pentagon\"\n", "pentagon"),
    ] {
        let err = toml::from_str::<TaskConfig>(text).unwrap_err();
        assert!(err.to_string().contains(name), "{text}: {err}");
    }
    let err = toml::from_str::<TaskConfig>("mean_speed = 0.03\n").unwrap_err();
    assert!(
        err.to_string().contains("kind"),
        "a missing kind is named: {err}"
    );
}

#[test]
fn rejects_codes_of_the_wrong_dimension() {
    let task = build("kind = \"open_box\"\n[place_cells]\nn_cells = 6\n").unwrap();
    let err = task.decode(&DMatrix::<f64>::zeros(2, 3)).unwrap_err();
    assert_eq!(
        err,
        TaskError::Shape {
            field: "codes".into(),
            expected: 6,
            got: 2
        }
    );
    assert!(
        err.to_string().contains("codes must have 6 rows, got 2"),
        "{err}"
    );
}

#[test]
fn rejects_decoder_fits_on_empty_or_non_finite_samples() {
    let task = TrackTask::t_maze(TrackParams::default()).unwrap();
    let err = LinearDecoder::fit(&task, &[], 0.0).unwrap_err();
    assert!(
        matches!(err, TaskError::SingularFit { samples: 0, .. }),
        "{err:?}"
    );
    let err = LinearDecoder::fit(&task, &[[0.0, 0.0], [0.0, f64::NAN]], 0.0).unwrap_err();
    assert_names(&err, "positions[1][1]", "NaN");
    let err = LinearDecoder::fit(&task, &[[0.0, 0.0]], -1.0).unwrap_err();
    assert_names(&err, "ridge", "-1");
}

#[test]
fn rejects_empty_or_degenerate_region_grids() {
    let err = GridRegions::new([0.0, 0.0], 0.0, 4).unwrap_err();
    assert_names(&err, "side", "0");
    let err = GridRegions::new([0.0, 0.0], 1.0, 0).unwrap_err();
    assert_names(&err, "regions_per_side", "0");
    let err = GridRegions::new([f64::NAN, 0.0], 1.0, 2).unwrap_err();
    assert_names(&err, "min[0]", "NaN");
}

#[test]
fn rejects_counts_beyond_a_million() {
    for (text, field) in [
        (
            "kind = \"open_box\"\n[place_cells]\nn_cells = 9223372036854775807\n",
            "n_cells",
        ),
        (
            "kind = \"open_box\"\nregions_per_side = 1000001\n",
            "regions_per_side",
        ),
        (
            "kind = \"open_box\"\nstationary_burn_in = 1000001\n",
            "stationary_burn_in",
        ),
        (
            "kind = \"t_maze\"\nbins_per_edge = 1000001\n",
            "bins_per_edge",
        ),
    ] {
        let err = build(text).unwrap_err();
        assert!(
            matches!(&err, TaskError::TooLarge { field: f, max: 1_000_000, .. } if f == field),
            "{text}: {err:?}"
        );
        assert_names(&err, field, "at most 1000000");
    }
}
