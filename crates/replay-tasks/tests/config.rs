//! Task configurations: every kind builds from TOML, and every bad value is rejected by name.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_tasks::{AnyTask, Reach, Regions, StationaryPositions, Task, TaskConfig, TaskError};

fn build(text: &str) -> Result<AnyTask, String> {
    let config: TaskConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    config
        .build(&mut ChaCha8Rng::seed_from_u64(0))
        .map_err(|e| e.to_string())
}

#[test]
fn config_builds_every_kind_with_defaults() {
    for (kind, dim, regions) in [
        ("triangle", 2, 15),
        ("t_maze", 2, 15),
        ("linear", 2, 5),
        ("open_box", 512, 64),
        ("ou", 2, 64),
    ] {
        let task = build(&format!("kind = \"{kind}\"")).unwrap();
        assert_eq!(task.name(), kind);
        assert_eq!(task.output_dim(), dim, "{kind}");
        assert_eq!(task.region_count(), regions, "{kind}");
        let reach = task.reach_regions();
        assert!(reach.start.area.contains(reach.replay_start), "{kind}");
        assert!(!reach.goal.area.contains(reach.replay_start), "{kind}");
        let xs = task.sample_positions(&mut ChaCha8Rng::seed_from_u64(1), 50);
        assert!(xs.iter().all(|x| x[0].is_finite() && x[1].is_finite()));
    }
}

#[test]
fn config_round_trips_through_toml() {
    let config: TaskConfig =
        toml::from_str("kind = \"open_box\"\nside = 1.5\n[place_cells]\nn_cells = 10\n").unwrap();
    let text = toml::to_string(&config).unwrap();
    assert_eq!(toml::from_str::<TaskConfig>(&text).unwrap(), config);
}

#[test]
fn rejects_unknown_fields_and_kinds_by_name() {
    let err = build("kind = \"triangle\"\nmean_sped = 0.1\n").unwrap_err();
    assert!(err.contains("mean_sped"), "{err}");
    let err = build("kind = \"open_box\"\n[place_cells]\nn_cels = 3\n").unwrap_err();
    assert!(err.contains("n_cels"), "{err}");
    let err = build("kind = \"hexagon\"").unwrap_err();
    assert!(err.contains("hexagon"), "{err}");
}

#[test]
fn invalid_values_are_rejected_naming_field_and_value() {
    let cases = [
        (
            "kind = \"triangle\"\nmean_speed = -0.03",
            "mean_speed must be positive, got -0.03",
        ),
        (
            "kind = \"t_maze\"\nspeed_sd = -1.0",
            "speed_sd must be non-negative, got -1",
        ),
        (
            "kind = \"linear\"\nspeed_reversion = 1.5",
            "speed_reversion must lie in (0, 1], got 1.5",
        ),
        (
            "kind = \"linear\"\nmean_speed = nan",
            "mean_speed must be finite, got NaN",
        ),
        (
            "kind = \"linear\"\nbins_per_edge = 0",
            "bins_per_edge must be at least 1, got 0",
        ),
        (
            "kind = \"triangle\"\nreach_radius = 0.0",
            "reach_radius must be positive, got 0",
        ),
        (
            "kind = \"open_box\"\nside = 0.0",
            "side must be positive, got 0",
        ),
        (
            "kind = \"open_box\"\ndt = inf",
            "dt must be finite, got inf",
        ),
        (
            "kind = \"open_box\"\nspeed_scale = -1.0",
            "speed_scale must be positive, got -1",
        ),
        (
            "kind = \"open_box\"\nwall_slowdown = 0.0",
            "wall_slowdown must lie in (0, 1], got 0",
        ),
        (
            "kind = \"open_box\"\nreach_size = 2.0",
            "reach_size must lie in (0, 1.1], got 2",
        ),
        (
            "kind = \"open_box\"\nregions_per_side = 0",
            "regions_per_side must be at least 1, got 0",
        ),
        (
            "kind = \"open_box\"\n[place_cells]\nn_cells = 0",
            "n_cells must be at least 1, got 0",
        ),
        (
            "kind = \"open_box\"\n[place_cells]\nsigma = -0.2",
            "sigma must be positive, got -0.2",
        ),
        (
            "kind = \"open_box\"\n[place_cells]\nn_cells = 2",
            "decode_k must be at most 2, got 3",
        ),
        (
            "kind = \"ou\"\ndiffusion = nan",
            "diffusion must be finite, got NaN",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(build(text).unwrap_err(), message, "{text}");
    }
}

#[test]
fn invalid_graphs_are_rejected() {
    let graph = |nodes: &str, edges: &str, goal: usize| {
        format!(
            "kind = \"graph\"\nnodes = {nodes}\nedges = {edges}\nstart_node = 0\ngoal_node = {goal}\n"
        )
    };
    let cases = [
        (
            graph("[[0, 0], [1, 0]]", "[]", 1),
            TaskError::NoEdges.to_string(),
        ),
        (
            graph("[[0, 0], [1, 0]]", "[[0, 2]]", 1),
            "edges[0] = [0, 2] refers to node 2, but nodes has only 2 entries".into(),
        ),
        (
            graph("[[0, 0], [0, 0]]", "[[0, 1]]", 1),
            "edges[0] = [0, 1] has zero length".into(),
        ),
        (
            graph("[[0, 0], [1, 0], [2, 0], [3, 0]]", "[[0, 1], [2, 3]]", 1),
            "nodes[2] is not connected to nodes[0]: the track must be one connected graph".into(),
        ),
        (
            graph("[[0, 0], [1, nan]]", "[[0, 1]]", 1),
            "nodes[1][1] must be finite, got NaN".into(),
        ),
        (
            graph("[[0, 0], [1, 0]]", "[[0, 1]]", 5),
            "goal_node must be at most 1, got 5".into(),
        ),
    ];
    for (text, message) in cases {
        assert_eq!(build(&text).unwrap_err(), message, "{text}");
    }
}

#[test]
fn config_graph_track_reads_its_track_table() {
    let task = build("kind = \"graph\"\nnodes = [[0, 0], [2, 0]]\nedges = [[0, 1]]\nstart_node = 1\ngoal_node = 0\n[track]\nbins_per_edge = 7\n").unwrap();
    assert_eq!(task.region_count(), 7);
    assert_eq!(task.reach_regions().replay_start, [2.0, 0.0]);
    assert_eq!(task.reach_regions().start.name, "node 1");
}
