//! The open box: the foraging walk stays in the box and covers it, its speed and turning follow
//! the stated laws, and the place-cell code is a probability vector that decodes back to position.

mod common;

use std::f64::consts::PI;

use common::integration_error;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use replay_tasks::{
    Batch, Decode, Encode, LinearDecoder, OpenBoxParams, OpenBoxTask, PlaceCellParams, Regions,
    StationaryPositions, Task, Walker,
};

fn arena(n_cells: usize, seed: u64) -> OpenBoxTask {
    let params = OpenBoxParams {
        place_cells: PlaceCellParams {
            n_cells,
            ..Default::default()
        },
        ..Default::default()
    };
    OpenBoxTask::new(params, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap()
}

fn inside(x: [f64; 2], half: f64) -> bool {
    x[0].abs() <= half && x[1].abs() <= half
}

#[test]
fn box_paths_integrate_inputs_and_stay_in_box() {
    let task = arena(32, 0);
    let batch: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(1), 16, 3000);
    let err = integration_error(&batch);
    assert!(err < 1e-9, "integration error {err}");
    for col in 0..batch.positions.ncols() {
        let x = [batch.positions[(0, col)], batch.positions[(1, col)]];
        assert!(inside(x, 1.1), "column {col} at {x:?}");
    }
}

#[test]
fn box_long_run_visits_every_cell_of_a_coarse_grid() {
    // One walker, 10⁵ steps (2000 s of foraging); every cell of the 8 × 8 grid must be visited.
    // The occupancy of the least and most visited cells relative to uniform is printed.
    let task = arena(8, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut w = task.walker(&mut rng);
    let mut counts = vec![0usize; task.region_count()];
    let steps = 100_000;
    for _ in 0..steps {
        let x = w.step(&mut rng);
        assert!(inside(x, 1.1));
        counts[task.region_of(x, 0.0).unwrap()] += 1;
    }
    let uniform = steps as f64 / counts.len() as f64;
    let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    println!(
        "box occupancy per cell / uniform: min {:.2}, max {:.2}; reflected steps {}",
        *lo as f64 / uniform,
        *hi as f64 / uniform,
        w.reflections()
    );
    assert!(*lo > 0, "unvisited cell: {counts:?}");
}

#[test]
fn box_stationary_samples_fill_the_box_nearly_uniformly() {
    let task = arena(8, 0);
    let xs = task.sample_positions(&mut ChaCha8Rng::seed_from_u64(3), 6400);
    assert_eq!(xs.len(), 6400);
    let mut counts = [0usize; 4];
    for x in &xs {
        assert!(inside(*x, 1.1));
        // Quadrants must hold a quarter each (binomial s.d. 0.0054; allow 5).
        counts[usize::from(x[0] > 0.0) + 2 * usize::from(x[1] > 0.0)] += 1;
    }
    for c in counts {
        assert!((c as f64 / 6400.0 - 0.25).abs() < 0.027, "{counts:?}");
    }
    // The inner square of half the side holds a quarter of the area; measured share printed.
    let inner = xs
        .iter()
        .filter(|x| x[0].abs() < 0.55 && x[1].abs() < 0.55)
        .count() as f64
        / 6400.0;
    println!("share of stationary samples in the central quarter of the box: {inner:.3}");
    assert!((inner - 0.25).abs() < 0.06, "{inner}");
}

#[test]
fn box_interior_speed_is_rayleigh_and_turning_gaussian() {
    // Away from the walls (> 0.2 m) no wall rule applies: step length = dt · Rayleigh(σ), with
    // mean σ√(π/2) dt and mean square 2σ² dt², and heading change ~ N(0, (dt · 11.52)²).
    let task = arena(8, 0);
    let p = task.params().clone();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut w = task.walker(&mut rng);
    let (mut n, mut s1, mut s2, mut t2) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..200_000 {
        let (before, heading) = (w.position(), w.heading());
        let after = w.step(&mut rng);
        if before[0].abs() < 0.9 && before[1].abs() < 0.9 {
            let len = (after[0] - before[0]).hypot(after[1] - before[1]);
            let turn = (w.heading() - heading + PI).rem_euclid(2.0 * PI) - PI;
            n += 1.0;
            s1 += len;
            s2 += len * len;
            t2 += turn * turn;
        }
    }
    let mean = s1 / n;
    let expect_mean = p.speed_scale * (PI / 2.0).sqrt() * p.dt;
    let mean_square = s2 / n;
    let expect_square = 2.0 * (p.speed_scale * p.dt).powi(2);
    let turn_sd = (t2 / n).sqrt();
    println!(
        "interior steps {n}: mean {mean:.5} (Rayleigh {expect_mean:.5}), turn s.d. {turn_sd:.4} (expected {:.4})",
        p.dt * p.turn_sd
    );
    assert!(
        (mean / expect_mean - 1.0).abs() < 0.01,
        "{mean} vs {expect_mean}"
    );
    assert!(
        (mean_square / expect_square - 1.0).abs() < 0.02,
        "{mean_square} vs {expect_square}"
    );
    assert!(
        (turn_sd / (p.dt * p.turn_sd) - 1.0).abs() < 0.01,
        "{turn_sd}"
    );
}

#[test]
fn box_near_wall_turns_parallel_and_slows() {
    // 1 cm from the right wall heading 0.3 rad towards it: without turning noise the heading
    // becomes π/2 (parallel to the wall), and the step, taken along the old heading, is a
    // quarter of a Rayleigh step.
    let params = OpenBoxParams {
        turn_sd: 0.0,
        place_cells: PlaceCellParams {
            n_cells: 4,
            ..Default::default()
        },
        ..Default::default()
    };
    let task = OpenBoxTask::new(params, &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut n, mut sum) = (0.0, 0.0);
    for _ in 0..20_000 {
        let mut w = task.walker_at([1.09, 0.0], 0.3).unwrap();
        let after = w.step(&mut rng);
        assert!((w.heading() - PI / 2.0).abs() < 1e-12 || w.reflections() > 0);
        if w.reflections() == 0 {
            assert!((after[1].atan2(after[0] - 1.09) - 0.3).abs() < 1e-9);
        }
        n += 1.0;
        sum += (after[0] - 1.09).hypot(after[1]);
    }
    let expect = 0.25 * task.params().speed_scale * (PI / 2.0).sqrt() * task.params().dt;
    assert!(
        (sum / n / expect - 1.0).abs() < 0.02,
        "{} vs {expect}",
        sum / n
    );
}

#[test]
fn place_code_sums_to_one_and_peaks_at_the_nearest_centre() {
    for surround_scale in [None, Some(2.0)] {
        let params = OpenBoxParams {
            place_cells: PlaceCellParams {
                surround_scale,
                ..Default::default()
            },
            ..Default::default()
        };
        let task = OpenBoxTask::new(params, &mut ChaCha8Rng::seed_from_u64(6)).unwrap();
        let centres = task.place_cells().centres();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut code = vec![0.0; task.output_dim()];
        for _ in 0..500 {
            let x = [rng.random_range(-1.1..1.1), rng.random_range(-1.1..1.1)];
            task.encode_into(x, &mut code);
            let sum: f64 = code.iter().sum();
            assert!((sum - 1.0).abs() < 1e-12, "sum {sum}");
            assert!(code.iter().all(|&v| v >= 0.0));
            let nearest = (0..centres.len())
                .min_by(|&a, &b| {
                    let d = |i: usize| (centres[i][0] - x[0]).hypot(centres[i][1] - x[1]);
                    d(a).partial_cmp(&d(b)).unwrap()
                })
                .unwrap();
            let top = (0..code.len())
                .max_by(|&a, &b| code[a].partial_cmp(&code[b]).unwrap())
                .unwrap();
            assert_eq!(
                top, nearest,
                "the most active cell is the nearest one ({surround_scale:?})"
            );
        }
    }
}

/// Decoding errors of `decoder` on the true codes of `xs`: (mean, 95th percentile, max).
fn decoding_errors<D: Decode>(task: &OpenBoxTask, decoder: &D, xs: &[[f64; 2]]) -> (f64, f64, f64) {
    let codes = task.encode::<f64>(xs);
    let decoded = decoder.decode(&codes).unwrap();
    let mut errors: Vec<f64> = xs
        .iter()
        .zip(&decoded)
        .map(|(x, y)| (x[0] - y[0]).hypot(x[1] - y[1]))
        .collect();
    errors.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    (
        mean,
        errors[errors.len() * 95 / 100],
        errors[errors.len() - 1],
    )
}

#[test]
fn place_top_k_decoding_recovers_position() {
    // 512 cells (spacing ≈ 2.2/√512 ≈ 0.097 m). Measured: mean 0.040 m, 95th percentile
    // 0.084 m, max 0.148 m; the bounds leave 50 % headroom.
    let task = arena(512, 8);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let xs: Vec<[f64; 2]> = (0..4000)
        .map(|_| [rng.random_range(-1.1..1.1), rng.random_range(-1.1..1.1)])
        .collect();
    let (mean, p95, max) = decoding_errors(&task, &task, &xs);
    println!(
        "top-3 decoding error on true codes (m): mean {mean:.4}, 95th percentile {p95:.4}, max {max:.4}"
    );
    assert!(mean < 0.06 && p95 < 0.12, "mean {mean}, p95 {p95}");
}

#[test]
fn place_least_squares_decoder_recovers_position() {
    let task = arena(512, 8);
    let fit_at = task.sample_positions(&mut ChaCha8Rng::seed_from_u64(10), 3000);
    let decoder = LinearDecoder::fit(&task, &fit_at, 1e-6).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let xs: Vec<[f64; 2]> = (0..2000)
        .map(|_| [rng.random_range(-1.1..1.1), rng.random_range(-1.1..1.1)])
        .collect();
    let (mean, p95, max) = decoding_errors(&task, &decoder, &xs);
    println!(
        "least-squares decoding error on true codes (m): mean {mean:.4}, 95th percentile {p95:.4}, max {max:.4}"
    );
    // Measured: mean 0.0025 m, 95th percentile 0.0053 m; bounds about twice that.
    assert!(mean < 0.005 && p95 < 0.011, "mean {mean}, p95 {p95}");
}

#[test]
fn box_reach_runs_corner_to_opposite_corner() {
    use replay_tasks::{Area, Reach};
    let task = arena(8, 0);
    let reach = task.reach_regions();
    let Area::Rect { min, max } = reach.start.area else {
        panic!("corners are squares")
    };
    assert_eq!(min, [-1.1, -1.1]);
    assert!(
        (max[0] + 0.6).abs() < 1e-12 && (max[1] + 0.6).abs() < 1e-12,
        "{max:?}"
    );
    assert!(reach.goal.area.contains([1.1, 1.1]) && !reach.goal.area.contains([0.5, 0.5]));
    assert!(reach.start.area.contains(reach.replay_start));
}
