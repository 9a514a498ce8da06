//! Ornstein–Uhlenbeck paths: Monte Carlo marginals against the closed form, and the score
//! against finite differences of the log-density.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_tasks::{Batch, OuParams, OuTask, StationaryPositions, Task, Walker};

/// Checks the empirical mean and variance of `samples` against `law`, within 5 standard errors.
fn assert_matches(samples: &[[f64; 2]], law: replay_tasks::GaussianMarginal, label: &str) {
    let n = samples.len() as f64;
    for i in 0..2 {
        let mean = samples.iter().map(|x| x[i]).sum::<f64>() / n;
        let var = samples.iter().map(|x| (x[i] - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let se_mean = (law.variance / n).sqrt();
        let se_var = law.variance * (2.0 / (n - 1.0)).sqrt();
        assert!(
            (mean - law.mean[i]).abs() < 5.0 * se_mean + 1e-15,
            "{label}, coordinate {i}: mean {mean} vs {}",
            law.mean[i]
        );
        assert!(
            (var - law.variance).abs() < 5.0 * se_var + 1e-15,
            "{label}, coordinate {i}: variance {var} vs {}",
            law.variance
        );
    }
}

#[test]
fn ou_batch_marginals_match_closed_form() {
    let task = OuTask::new(OuParams::default()).unwrap();
    let batch: Batch<f64> = task.sample_batch(&mut ChaCha8Rng::seed_from_u64(1), 8000, 200);
    for step in [1usize, 10, 50, 100, 200] {
        let t = step - 1; // batch step t holds the position after t + 1 steps
        let xs: Vec<[f64; 2]> = (0..batch.batch_size)
            .map(|b| {
                let col = t * batch.batch_size + b;
                [batch.positions[(0, col)], batch.positions[(1, col)]]
            })
            .collect();
        assert_matches(&xs, task.marginal_at_step(step), &format!("step {step}"));
    }
}

#[test]
fn ou_exact_discretisation_holds_for_large_steps() {
    // θ dt = 1 per step: an Euler scheme would be far off; the exact one is not.
    let params = OuParams {
        mean: [1.0, -2.0],
        start: [3.0, 0.0],
        start_sd: 0.3,
        reversion: 0.5,
        diffusion: 0.8,
        dt: 2.0,
        ..OuParams::default()
    };
    let task = OuTask::new(params).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for steps in [1usize, 2, 5] {
        let xs: Vec<[f64; 2]> = (0..20_000)
            .map(|_| {
                let mut w = task.walker(&mut rng);
                for _ in 0..steps {
                    w.step(&mut rng);
                }
                w.position()
            })
            .collect();
        assert_matches(&xs, task.marginal_at_step(steps), &format!("{steps} steps"));
    }
}

#[test]
fn ou_marginal_formula_matches_hand_computation() {
    let params = OuParams {
        mean: [1.0, 0.0],
        start: [2.0, 4.0],
        start_sd: 0.5,
        reversion: 0.25,
        diffusion: 1.0,
        ..OuParams::default()
    };
    let task = OuTask::new(params).unwrap();
    let m = task.marginal(4.0).unwrap();
    // e^{-θt} = e^{-1}: mean μ + (x0 − μ)/e, variance 0.25/e² + (1/0.5)(1 − 1/e²).
    let a = (-1.0f64).exp();
    assert!((m.mean[0] - (1.0 + a)).abs() < 1e-15 && (m.mean[1] - 4.0 * a).abs() < 1e-15);
    assert!((m.variance - (0.25 * a * a + 2.0 * (1.0 - a * a))).abs() < 1e-15);
    assert_eq!(
        task.marginal(1e9).unwrap().variance,
        task.stationary().variance
    );
}

#[test]
fn ou_score_equals_finite_difference_of_log_density() {
    let task = OuTask::new(OuParams {
        start_sd: 0.0,
        ..OuParams::default()
    })
    .unwrap();
    let h = 1e-5;
    for t in [1.0, 10.0, 100.0, 1000.0] {
        let law = task.marginal(t).unwrap();
        for x in [[0.3, -0.2], [-1.0, 0.5], [0.5, 0.0], [2.0, 2.0]] {
            let score = law.score(x).unwrap();
            for i in 0..2 {
                let (mut up, mut down) = (x, x);
                up[i] += h;
                down[i] -= h;
                let fd = (law.log_density(up) - law.log_density(down)) / (2.0 * h);
                let tol = 1e-6 * (1.0 + score[i].abs());
                assert!(
                    (fd - score[i]).abs() < tol,
                    "t {t}, x {x:?}, i {i}: {fd} vs {}",
                    score[i]
                );
            }
        }
    }
    assert_eq!(
        task.marginal(0.0).unwrap().score([0.0, 0.0]),
        None,
        "point mass at t = 0"
    );
}

#[test]
fn ou_log_density_integrates_to_one() {
    // Riemann sum over ±6 s.d. on a 400 × 400 grid.
    let law = OuTask::new(OuParams::default())
        .unwrap()
        .marginal(30.0)
        .unwrap();
    let (sd, n) = (law.variance.sqrt(), 400);
    let step = 12.0 * sd / n as f64;
    let mut total = 0.0;
    for i in 0..n {
        for j in 0..n {
            let x = [
                law.mean[0] - 6.0 * sd + (i as f64 + 0.5) * step,
                law.mean[1] - 6.0 * sd + (j as f64 + 0.5) * step,
            ];
            total += law.log_density(x).exp() * step * step;
        }
    }
    assert!((total - 1.0).abs() < 1e-6, "{total}");
}

#[test]
fn ou_stationary_samples_match_stationary_law() {
    let task = OuTask::new(OuParams::default()).unwrap();
    let xs = task.sample_positions(&mut ChaCha8Rng::seed_from_u64(3), 20_000);
    assert_matches(&xs, task.stationary(), "stationary");
}

#[test]
fn ou_visited_positions_mix_the_marginals_over_time() {
    // The mixture over steps 1..=T has mean (1/T) Σ m_k.
    let task = OuTask::new(OuParams::default()).unwrap();
    let steps = 100;
    let xs = task.visited_positions(&mut ChaCha8Rng::seed_from_u64(4), 40_000, steps);
    let expect = (1..=steps)
        .map(|k| task.marginal_at_step(k).mean[0])
        .sum::<f64>()
        / steps as f64;
    let mean = xs.iter().map(|x| x[0]).sum::<f64>() / xs.len() as f64;
    // The mixture's variance is below 0.125 + 0.25, so its s.e. is below 0.0031.
    assert!((mean - expect).abs() < 0.016, "{mean} vs {expect}");
}

#[test]
fn rejects_invalid_ou_parameters() {
    let cases = [
        (
            OuParams {
                reversion: -1.0,
                ..OuParams::default()
            },
            "reversion",
        ),
        (
            OuParams {
                diffusion: 0.0,
                ..OuParams::default()
            },
            "diffusion",
        ),
        (
            OuParams {
                dt: 0.0,
                ..OuParams::default()
            },
            "dt",
        ),
        (
            OuParams {
                start_sd: -0.1,
                ..OuParams::default()
            },
            "start_sd",
        ),
        (
            OuParams {
                start: [f64::NAN, 0.0],
                ..OuParams::default()
            },
            "start[0]",
        ),
        (
            OuParams {
                mean: [0.0, f64::INFINITY],
                ..OuParams::default()
            },
            "mean[1]",
        ),
        (
            OuParams {
                regions_per_side: 0,
                ..OuParams::default()
            },
            "regions_per_side",
        ),
        (
            OuParams {
                reach_radius: f64::NAN,
                ..OuParams::default()
            },
            "reach_radius",
        ),
    ];
    for (params, field) in cases {
        let msg = OuTask::new(params).unwrap_err().to_string();
        assert!(msg.contains(field), "{field}: {msg}");
    }
}
