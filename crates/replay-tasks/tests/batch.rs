//! Batches of every task: layout, integration of the inputs, codes, and determinism.

mod common;

use common::integration_error;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::{ChaCha8Rng, ChaCha20Rng};
use replay_tasks::{AnyTask, Batch, Decode, Encode, Task, TaskConfig, Walker};

fn every_task() -> Vec<AnyTask> {
    let configs = [
        "kind = \"triangle\"",
        "kind = \"t_maze\"",
        "kind = \"linear\"",
        "kind = \"graph\"\nnodes = [[0, 0], [1, 0], [1, 1], [0, 1], [2, 0.5]]\nedges = [[0, 1], [1, 2], [2, 3], [3, 0], [1, 4]]\nstart_node = 0\ngoal_node = 4\n",
        "kind = \"open_box\"\n[place_cells]\nn_cells = 48\n",
        "kind = \"open_box\"\n[place_cells]\nn_cells = 48\nsurround_scale = 2.0\n",
        "kind = \"ou\"\nstart_sd = 0.1\n",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    configs
        .iter()
        .map(|c| {
            toml::from_str::<TaskConfig>(c)
                .unwrap()
                .build(&mut rng)
                .unwrap()
        })
        .collect()
}

fn point(m: &DMatrix<f64>, col: usize) -> [f64; 2] {
    [m[(0, col)], m[(1, col)]]
}

#[test]
fn batch_positions_integrate_inputs_for_every_task() {
    for task in every_task() {
        let batch: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(1), 12, 500);
        let err = integration_error(&batch);
        assert!(err < 1e-9, "{}: {err}", task.name());
    }
}

#[test]
fn batch_columns_hold_step_t_of_path_b() {
    // Paths are drawn one after another from the RNG, so walkers replayed in the same order
    // from the same seed must reproduce column t · B + b.
    for task in every_task() {
        let (batch_size, steps) = (5, 30);
        let batch: Batch<f64> =
            task.sample_batch(&mut ChaCha8Rng::seed_from_u64(2), batch_size, steps);
        assert_eq!(batch.inputs.shape(), (2, batch_size * steps));
        assert_eq!(
            batch.targets.shape(),
            (task.output_dim(), batch_size * steps)
        );
        assert_eq!(batch.initial_codes.shape(), (task.output_dim(), batch_size));
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for b in 0..batch_size {
            let check = |x0: [f64; 2], path: Vec<[f64; 2]>| {
                assert_eq!(x0, point(&batch.start_positions, b), "{}", task.name());
                for (t, x) in path.iter().enumerate() {
                    assert_eq!(
                        *x,
                        point(&batch.positions, batch.column(t, b)),
                        "{} t {t} b {b}",
                        task.name()
                    );
                }
            };
            match &task {
                AnyTask::OpenBox(t) => {
                    let mut w = t.walker(&mut rng);
                    check(w.position(), (0..steps).map(|_| w.step(&mut rng)).collect());
                }
                AnyTask::Ou(t) => {
                    let mut w = t.walker(&mut rng);
                    check(w.position(), (0..steps).map(|_| w.step(&mut rng)).collect());
                }
                AnyTask::Triangle(t)
                | AnyTask::TMaze(t)
                | AnyTask::Linear(t)
                | AnyTask::Graph(t) => {
                    let mut w = t.walker(&mut rng);
                    check(w.position(), (0..steps).map(|_| w.step(&mut rng)).collect());
                }
            }
        }
    }
}

#[test]
fn batch_targets_and_initial_codes_are_codes_of_positions() {
    for task in every_task() {
        let batch: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(3), 4, 25);
        let xs: Vec<[f64; 2]> = (0..batch.positions.ncols())
            .map(|c| point(&batch.positions, c))
            .collect();
        assert_eq!(batch.targets, task.encode::<f64>(&xs), "{}", task.name());
        let starts: Vec<[f64; 2]> = (0..4).map(|c| point(&batch.start_positions, c)).collect();
        assert_eq!(
            batch.initial_codes,
            task.encode::<f64>(&starts),
            "{}",
            task.name()
        );
        // Decoding true codes: exact for 2-D codes; for Gaussian place cells the mean of the
        // three nearest centres (the most active cells), found here by sorting distances.
        let decoded = task.decode(&batch.targets).unwrap();
        let expect: Vec<[f64; 2]> = match &task {
            AnyTask::OpenBox(t) if t.place_cells().params().surround_scale.is_some() => continue,
            AnyTask::OpenBox(t) => xs
                .iter()
                .map(|x| mean_of_nearest(t.place_cells().centres(), *x, 3))
                .collect(),
            _ => xs.clone(),
        };
        let worst = expect
            .iter()
            .zip(&decoded)
            .map(|(x, y)| (x[0] - y[0]).hypot(x[1] - y[1]))
            .fold(0.0, f64::max);
        let bound = 1e-12;
        assert!(worst <= bound, "{}: {worst}", task.name());
    }
}

fn mean_of_nearest(centres: &[[f64; 2]], x: [f64; 2], k: usize) -> [f64; 2] {
    let mut order: Vec<usize> = (0..centres.len()).collect();
    let d = |i: usize| (centres[i][0] - x[0]).hypot(centres[i][1] - x[1]);
    order.sort_by(|&a, &b| d(a).partial_cmp(&d(b)).unwrap());
    let pick = &order[..k];
    [
        pick.iter().map(|&i| centres[i][0]).sum::<f64>() / k as f64,
        pick.iter().map(|&i| centres[i][1]).sum::<f64>() / k as f64,
    ]
}

#[test]
fn batch_same_seed_gives_identical_batches() {
    for task in every_task() {
        let a: Batch<f32> = task.sample_batch(&mut ChaCha20Rng::seed_from_u64(4), 6, 40);
        let b: Batch<f32> = task.sample_batch(&mut ChaCha20Rng::seed_from_u64(4), 6, 40);
        assert_eq!(a, b, "{}", task.name());
        let c: Batch<f32> = task.sample_batch(&mut ChaCha20Rng::seed_from_u64(5), 6, 40);
        assert_ne!(
            a.positions,
            c.positions,
            "{}: another seed, another batch",
            task.name()
        );
    }
}

#[test]
fn batch_f32_is_the_f64_batch_rounded_once() {
    for task in every_task() {
        let wide: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(6), 3, 20);
        let narrow: Batch<f32> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(6), 3, 20);
        assert_eq!(
            narrow.inputs,
            wide.inputs.map(|v| v as f32),
            "{}",
            task.name()
        );
        assert_eq!(
            narrow.targets,
            wide.targets.map(|v| v as f32),
            "{}",
            task.name()
        );
        assert_eq!(
            narrow.positions,
            wide.positions.map(|v| v as f32),
            "{}",
            task.name()
        );
    }
}

#[test]
fn batch_of_zero_paths_or_steps_is_empty() {
    for task in every_task() {
        let none: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(7), 0, 10);
        assert_eq!(none.inputs.ncols(), 0);
        let still: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(7), 3, 0);
        assert_eq!(
            (still.inputs.ncols(), still.start_positions.ncols()),
            (0, 3)
        );
    }
}
