//! Track graphs: paths stay on the track, integrate their inputs, turn and reverse as specified,
//! and occupy the track uniformly in the long run.

mod common;

use common::{Z_0_001, chi_square, chi_square_critical, integration_error, segment_distance};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_tasks::{Batch, Regions, Task, TrackGraph, TrackParams, TrackReach, TrackTask, Walker};

fn presets(params: TrackParams) -> Vec<(&'static str, TrackTask)> {
    vec![
        ("triangle", TrackTask::triangle(params.clone()).unwrap()),
        ("t_maze", TrackTask::t_maze(params.clone()).unwrap()),
        ("linear", TrackTask::linear(params).unwrap()),
    ]
}

fn distance_to_graph(graph: &TrackGraph, x: [f64; 2]) -> f64 {
    graph
        .edges()
        .iter()
        .map(|&[a, b]| segment_distance(x, graph.nodes()[a], graph.nodes()[b]))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn track_presets_have_the_specified_geometry() {
    let triangle = TrackTask::triangle(TrackParams::default()).unwrap();
    for (k, node) in triangle.graph().nodes().iter().enumerate() {
        assert!(
            (node[0].hypot(node[1]) - 1.0).abs() < 1e-15,
            "vertex {k} on the unit circle"
        );
    }
    for e in 0..3 {
        assert!((triangle.graph().edge_length(e) - 3f64.sqrt()).abs() < 1e-15);
    }
    let maze = TrackTask::t_maze(TrackParams::default()).unwrap();
    assert_eq!(
        maze.graph().nodes(),
        &[[0.0, -1.0], [0.0, 0.0], [-1.0, 0.0], [1.0, 0.0]]
    );
    assert_eq!((maze.graph().degree(0), maze.graph().degree(1)), (1, 3));
}

#[test]
fn track_paths_integrate_inputs_and_stay_on_track() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (name, task) in presets(TrackParams::default()) {
        let batch: Batch<f64> = task.sample_batch(&mut rng, 16, 400);
        let err = integration_error(&batch);
        assert!(err < 1e-9, "{name}: integration error {err}");
        for col in 0..batch.positions.ncols() {
            let x = [batch.positions[(0, col)], batch.positions[(1, col)]];
            let d = distance_to_graph(task.graph(), x);
            assert!(d < 1e-9, "{name}: column {col} is {d} off the track");
        }
    }
}

#[test]
fn track_speed_has_the_stationary_mean_and_sd() {
    // Speeds are the lengths travelled along the track; on the linear track away from the ends
    // they equal the input norms. Stationary mean 0.03 and s.d. 0.01 (reflection at zero changes
    // them by < 1e-5).
    let task = TrackTask::linear(TrackParams::default()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut n, mut sum, mut sum2) = (0.0, 0.0, 0.0);
    for _ in 0..400 {
        let mut w = task.walker(&mut rng);
        for _ in 0..200 {
            w.step(&mut rng);
            let v = w.speed();
            n += 1.0;
            sum += v;
            sum2 += v * v;
        }
    }
    let mean = sum / n;
    let sd = (sum2 / n - mean * mean).sqrt();
    // 80 000 draws with correlation time ~19 steps: standard error of the mean ~ 1.6e-4.
    assert!((mean - 0.03).abs() < 8e-4, "mean speed {mean}");
    assert!((sd - 0.01).abs() < 8e-4, "speed sd {sd}");
}

#[test]
fn track_junction_picks_each_other_edge_uniformly() {
    // Run from the stem into the T junction; the agent must take an arm, each half the time.
    let maze = TrackTask::t_maze(TrackParams {
        speed_sd: 0.0,
        ..TrackParams::default()
    })
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let n = 8000;
    let mut left = 0;
    for _ in 0..n {
        let mut w = maze.walker_at(0, 0.99, true, 0.03).unwrap();
        w.step(&mut rng);
        match w.edge() {
            1 => left += 1,
            2 => {}
            e => panic!("entered edge {e} instead of an arm"),
        }
        assert!(w.forward(), "arms run away from the junction");
        assert!(
            (w.offset() - 0.02).abs() < 1e-12,
            "0.02 left over after the junction"
        );
    }
    let p = left as f64 / n as f64;
    // Binomial s.d. 0.0056: five of them.
    assert!((p - 0.5).abs() < 0.028, "left fraction {p}");
}

#[test]
fn track_reverses_at_dead_end_and_continues_on_cycle() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let line = TrackTask::linear(TrackParams {
        speed_sd: 0.0,
        ..TrackParams::default()
    })
    .unwrap();
    let mut w = line.walker_at(0, 1.98, true, 0.03).unwrap();
    let p = w.step(&mut rng);
    assert!(!w.forward());
    assert!(
        (p[0] - 0.99).abs() < 1e-12,
        "0.02 to the end, 0.01 back: {p:?}"
    );
    let triangle = TrackTask::triangle(TrackParams {
        speed_sd: 0.0,
        ..TrackParams::default()
    })
    .unwrap();
    let side = triangle.graph().edge_length(0);
    let mut w = triangle.walker_at(0, side - 0.01, true, 0.03).unwrap();
    w.step(&mut rng);
    assert_eq!(
        (w.edge(), w.forward()),
        (1, true),
        "edge 0 ends at vertex 1, where edge 1 starts"
    );
    assert!((w.offset() - 0.02).abs() < 1e-12);
}

#[test]
fn track_speed_longer_than_several_edges_crosses_them_all() {
    // Triangle side √3: a step of 10 runs five full sides (8.66) and 1.34 of the sixth.
    let triangle = TrackTask::triangle(TrackParams {
        speed_sd: 0.0,
        mean_speed: 10.0,
        ..TrackParams::default()
    })
    .unwrap();
    let mut w = triangle.walker_at(0, 0.0, true, 10.0).unwrap();
    w.step(&mut ChaCha8Rng::seed_from_u64(0));
    let side = 3f64.sqrt();
    assert_eq!(w.edge(), 5 % 3);
    assert!((w.offset() - (10.0 - 5.0 * side)).abs() < 1e-12);
}

/// Counts the final positions of `paths` independent walkers, all started at the same place.
fn final_region_counts(
    task: &TrackTask,
    paths: usize,
    steps: usize,
    start: (usize, f64),
    seed: u64,
) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut counts = vec![0; task.region_count()];
    for i in 0..paths {
        let mut w = task
            .walker_at(start.0, start.1, i % 2 == 0, task.params().mean_speed)
            .unwrap();
        for _ in 0..steps {
            w.step(&mut rng);
        }
        let hit = task.nearest_region(w.position());
        assert!(hit.distance < 1e-9);
        counts[hit.region] += 1;
    }
    counts
}

fn region_probabilities(task: &TrackTask) -> Vec<f64> {
    let bins = task.params().bins_per_edge;
    let g = task.graph();
    (0..g.edges().len())
        .flat_map(|e| std::iter::repeat_n(g.edge_length(e) / bins as f64 / g.total_length(), bins))
        .collect()
}

#[test]
fn track_long_run_occupancy_is_uniform_chi_square() {
    // Independent paths all start at one node (a far-from-stationary start) and are read once,
    // after many mixing times, so the counts are i.i.d. draws from the law at that time; it must
    // be uniform along the track. The test rejects at p = 0.001 (chi-square, Wilson–Hilferty
    // critical value). Measured statistics are printed (run with --nocapture).
    let params = TrackParams {
        bins_per_edge: 10,
        ..TrackParams::default()
    };
    for (name, task) in presets(params) {
        let (paths, steps, start) = match name {
            // The cycle mixes only through speed fluctuations: position s.d. after 10⁴ steps is
            // √(10⁴ · 0.01² · 19) ≈ 4.4, almost the perimeter 5.2.
            "triangle" => (3000, 12_000, (0, 0.0)),
            "t_maze" => (3000, 4_000, (1, 1.0)),
            _ => (3000, 12_000, (0, 0.0)),
        };
        let counts = final_region_counts(&task, paths, steps, start, 17);
        let probs = region_probabilities(&task);
        let stat = chi_square(&counts, &probs);
        let df = counts.len() - 1;
        let critical = chi_square_critical(df, Z_0_001);
        println!("{name}: chi-square {stat:.1} on {df} df (critical {critical:.1} at p = 0.001)");
        assert!(
            stat < critical,
            "{name}: chi-square {stat} ≥ {critical} on {df} df, counts {counts:?}"
        );
    }
}

#[test]
fn track_chi_square_detects_a_start_that_has_not_mixed() {
    // The same statistic after only 20 steps from one node must reject uniformity, or the test
    // above could not fail.
    let task = TrackTask::t_maze(TrackParams {
        bins_per_edge: 10,
        ..TrackParams::default()
    })
    .unwrap();
    let counts = final_region_counts(&task, 3000, 20, (1, 1.0), 17);
    let stat = chi_square(&counts, &region_probabilities(&task));
    assert!(stat > 10.0 * chi_square_critical(29, Z_0_001), "{stat}");
}

#[test]
fn track_regions_are_equal_length_bins_along_each_edge() {
    let maze = TrackTask::t_maze(TrackParams {
        bins_per_edge: 4,
        ..TrackParams::default()
    })
    .unwrap();
    // Edge 0 runs (0,-1) → (0,0): bins of 0.25 upwards. Edge 2 runs (0,0) → (1,0).
    assert_eq!(maze.nearest_region([0.0, -0.9]).region, 0);
    assert_eq!(maze.nearest_region([0.0, -0.1]).region, 3);
    assert_eq!(maze.nearest_region([0.6, 0.0]).region, 2 * 4 + 2);
    let off = maze.nearest_region([0.6, 0.3]);
    assert_eq!(off.region, 10);
    assert!((off.distance - 0.3).abs() < 1e-15);
    assert_eq!(maze.region_of([0.6, 0.3], 0.2), None);
    assert_eq!(maze.region_count(), 12);
}

fn random_graph() -> impl Strategy<Value = (Vec<[f64; 2]>, Vec<[usize; 2]>)> {
    (2usize..7)
        .prop_flat_map(|n| {
            let nodes = prop::collection::vec([-2.0f64..2.0, -2.0f64..2.0], n);
            // A random tree (node i joins a node < i) plus up to three extra edges.
            let parents: Vec<_> = (1..n).map(|i| 0..i).collect();
            let extra = prop::collection::vec((0..n, 0..n), 0..4);
            (nodes, parents, extra)
        })
        .prop_map(|(nodes, parents, extra)| {
            let mut edges: Vec<[usize; 2]> = parents
                .iter()
                .enumerate()
                .map(|(i, &p)| [i + 1, p])
                .collect();
            edges.extend(
                extra
                    .into_iter()
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| [a, b]),
            );
            (nodes, edges)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn track_random_graphs_integrate_exactly_and_stay_on_track(
        (nodes, edges) in random_graph(),
        mean_speed in 0.001f64..1.5,
        speed_sd in 0.0f64..0.5,
        speed_reversion in 0.01f64..=1.0,
        seed in any::<u64>(),
    ) {
        let graph = TrackGraph::new(nodes, edges);
        prop_assume!(graph.is_ok());
        let graph = graph.unwrap();
        prop_assume!((0..graph.edges().len()).all(|e| graph.edge_length(e) > 1e-3));
        let params = TrackParams { mean_speed, speed_sd, speed_reversion, ..TrackParams::default() };
        let task = TrackTask::new(graph, params, TrackReach::nodes(0, 1)).unwrap();
        let batch: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(seed), 3, 80);
        let err = integration_error(&batch);
        prop_assert!(err < 1e-9, "integration error {}", err);
        for col in 0..batch.positions.ncols() {
            let x = [batch.positions[(0, col)], batch.positions[(1, col)]];
            let d = distance_to_graph(task.graph(), x);
            prop_assert!(d < 1e-9, "column {} is {} off the track", col, d);
        }
    }
}
