//! Backpropagation through time against central finite differences in f64, for every
//! mechanism combination, activation and loss, on random small sizes.

mod common;

use std::sync::Mutex;

use nalgebra::DMatrix;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::{Activation, Dynamics, GROUPS, Loss, Momentum, Network, Weights, Workspace};
use replay_tasks::Batch;

use common::{random_batch, random_network, random_noise};

/// Finite-difference step: truncation error ~h² and round-off ~1e-16/h both far below 1e-6.
const STEP: f64 = 1e-5;
const TOLERANCE: f64 = 1e-6;

#[derive(Debug, Clone, Copy)]
enum Mechanism {
    Vanilla,
    Leaky,
    Adaptation,
    Momentum,
    Both,
}

/// Largest relative error per group over the cases of one run, and kinked entries skipped and
/// checked.
#[derive(Debug, Default)]
struct Worst {
    errors: [f64; 6],
    skipped: usize,
    checked: usize,
}

struct Problem {
    net: Network<f64>,
    dynamics: Dynamics,
    batch: Batch<f64>,
    noise: DMatrix<f64>,
    loss: Loss,
}

impl Problem {
    fn eval(&self, ws: &mut Workspace<f64>, weights: &Weights<f64>) -> f64 {
        let net = Network::new(self.net.config().clone(), weights.clone()).unwrap();
        ws.forward(&net, &self.dynamics, &self.batch, &self.noise)
            .unwrap();
        ws.loss(&self.batch.targets, self.loss).unwrap()
    }
}

fn active_pattern(ws: &Workspace<f64>) -> Vec<bool> {
    ws.activations().iter().map(|&p| p > 0.0).collect()
}

/// Checks every parameter group, recording the relative error per group in `worst`.
fn check(problem: &Problem, worst: &Mutex<Worst>) -> Result<(), TestCaseError> {
    let relu = problem.net.config().activation == Activation::Relu;
    let mut ws = Workspace::new();
    let mut grads = Weights::zeros(problem.net.config());
    ws.gradient(
        &problem.net,
        &problem.dynamics,
        &problem.batch,
        &problem.noise,
        problem.loss,
        &mut grads,
    )
    .unwrap();
    let base_pattern = active_pattern(&ws);
    let base = problem.net.weights().clone();
    let mut errors = [0.0; 6];
    let (mut skipped, mut checked) = (0, 0);
    for (gi, (name, g)) in grads.groups().into_iter().enumerate() {
        let mut diff2 = 0.0;
        let mut g2 = 0.0;
        let mut fd2 = 0.0;
        for (k, &gk) in g.iter().enumerate() {
            let mut w = base.clone();
            w.groups_mut()[gi].1[k] += STEP;
            let up = problem.eval(&mut ws, &w);
            let kinked_up = relu && active_pattern(&ws) != base_pattern;
            w.groups_mut()[gi].1[k] -= 2.0 * STEP;
            let down = problem.eval(&mut ws, &w);
            let kinked_down = relu && active_pattern(&ws) != base_pattern;
            if kinked_up || kinked_down {
                // The difference straddles a ReLU kink: not a derivative, so not comparable.
                skipped += 1;
                continue;
            }
            checked += 1;
            let fd = (up - down) / (2.0 * STEP);
            diff2 += (fd - gk) * (fd - gk);
            g2 += gk * gk;
            fd2 += fd * fd;
        }
        let scale = g2.max(fd2).sqrt();
        let err = if scale > 1e-9 {
            diff2.sqrt() / scale
        } else {
            diff2.sqrt()
        };
        prop_assert!(
            err < TOLERANCE,
            "group {name}: relative error {err:e} (|g| = {:e}, |fd| = {:e})",
            g2.sqrt(),
            fd2.sqrt()
        );
        errors[gi] = err;
    }
    let mut worst = worst.lock().unwrap();
    for (w, e) in worst.errors.iter_mut().zip(errors) {
        *w = w.max(e);
    }
    worst.skipped += skipped;
    worst.checked += checked;
    // Kinks within ±1e-5 of a pre-activation are rare; many would mean the check proves little.
    prop_assert!(
        skipped * 20 <= checked + skipped,
        "{skipped} of {} entries straddle a kink",
        checked + skipped
    );
    Ok(())
}

#[derive(Debug, Clone)]
struct Sizes {
    hidden: usize,
    n_in: usize,
    n_out: usize,
    batch: usize,
    steps: usize,
    seed: u64,
    leak: f64,
    sigma: f64,
    strength: f64,
    tau: f64,
    friction: f64,
    gain: f64,
}

fn sizes() -> impl Strategy<Value = Sizes> {
    (
        (2usize..8, 1usize..4, 1usize..8, 1usize..8, 1usize..10),
        any::<u64>(),
        (
            0.1f64..0.95,
            0.0f64..0.3,
            0.05f64..1.0,
            1.0f64..10.0,
            0.1f64..1.0,
            0.5f64..1.5,
        ),
    )
        .prop_map(
            |(
                (hidden, n_in, n_out, batch, steps),
                seed,
                (leak, sigma, strength, tau, friction, gain),
            )| {
                Sizes {
                    hidden,
                    n_in,
                    n_out,
                    batch,
                    steps,
                    seed,
                    leak,
                    sigma,
                    strength,
                    tau,
                    friction,
                    gain,
                }
            },
        )
}

fn problem(s: &Sizes, mechanism: Mechanism, activation: Activation, loss: Loss) -> Problem {
    let leak = match mechanism {
        Mechanism::Vanilla => 1.0,
        _ => s.leak,
    };
    let mut dynamics = Dynamics::new(s.sigma);
    if matches!(mechanism, Mechanism::Adaptation | Mechanism::Both) {
        dynamics = dynamics.with_adaptation(s.strength, s.tau);
    }
    if matches!(mechanism, Mechanism::Momentum | Mechanism::Both) {
        dynamics = dynamics.with_momentum(Momentum::new(s.friction));
    }
    let gain = s.gain * (s.hidden as f64).sqrt() * 0.5;
    let net = random_network(s.seed, s.hidden, s.n_in, s.n_out, activation, leak, gain);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5eed);
    let mut batch = random_batch(&mut rng, s.n_in, s.n_out, s.batch, s.steps, 0.5);
    if loss == Loss::CrossEntropy {
        // Place-cell-like targets: positive and summing to one per column.
        for mut col in batch.targets.column_iter_mut() {
            col.iter_mut().for_each(|x| *x = x.exp());
            let total = col.sum();
            col /= total;
        }
    }
    let noise = random_noise(&mut rng, s.hidden, s.batch * s.steps);
    Problem {
        net,
        dynamics,
        batch,
        noise,
        loss,
    }
}

/// Runs `cases` random problems of one kind and reports the worst errors.
fn run(label: &str, mechanism: Mechanism, activation: Activation, loss: Loss) {
    let worst = Mutex::new(Worst::default());
    let config = ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let outcome = runner.run(&sizes(), |s| {
        check(&problem(&s, mechanism, activation, loss), &worst)
    });
    let worst = worst.into_inner().unwrap();
    eprintln!(
        "{label}: max relative error per group {GROUPS:?} = {:?}; kinked entries skipped {} of {}",
        worst.errors.map(|e| format!("{e:.1e}")),
        worst.skipped,
        worst.skipped + worst.checked
    );
    outcome.unwrap();
}

macro_rules! grad_case {
    ($name:ident, $mechanism:expr, $activation:expr, $loss:expr) => {
        #[test]
        fn $name() {
            run(stringify!($name), $mechanism, $activation, $loss);
        }
    };
}
grad_case!(
    grad_vanilla_relu_matches_finite_differences,
    Mechanism::Vanilla,
    Activation::Relu,
    Loss::Mse
);
grad_case!(
    grad_vanilla_tanh_matches_finite_differences,
    Mechanism::Vanilla,
    Activation::Tanh,
    Loss::Mse
);
grad_case!(
    grad_leaky_relu_matches_finite_differences,
    Mechanism::Leaky,
    Activation::Relu,
    Loss::Mse
);
grad_case!(
    grad_leaky_tanh_matches_finite_differences,
    Mechanism::Leaky,
    Activation::Tanh,
    Loss::Mse
);
grad_case!(
    grad_adaptation_relu_matches_finite_differences,
    Mechanism::Adaptation,
    Activation::Relu,
    Loss::Mse
);
grad_case!(
    grad_adaptation_tanh_matches_finite_differences,
    Mechanism::Adaptation,
    Activation::Tanh,
    Loss::Mse
);
grad_case!(
    grad_momentum_relu_matches_finite_differences,
    Mechanism::Momentum,
    Activation::Relu,
    Loss::Mse
);
grad_case!(
    grad_momentum_tanh_matches_finite_differences,
    Mechanism::Momentum,
    Activation::Tanh,
    Loss::Mse
);
grad_case!(
    grad_both_relu_matches_finite_differences,
    Mechanism::Both,
    Activation::Relu,
    Loss::Mse
);
grad_case!(
    grad_both_tanh_matches_finite_differences,
    Mechanism::Both,
    Activation::Tanh,
    Loss::Mse
);
grad_case!(
    grad_both_identity_matches_finite_differences,
    Mechanism::Both,
    Activation::Identity,
    Loss::Mse
);
grad_case!(
    grad_cross_entropy_both_tanh_matches_finite_differences,
    Mechanism::Both,
    Activation::Tanh,
    Loss::CrossEntropy
);
grad_case!(
    grad_cross_entropy_leaky_relu_matches_finite_differences,
    Mechanism::Leaky,
    Activation::Relu,
    Loss::CrossEntropy
);

/// A fixed larger case that crosses the matrix-product kernels' small-size threshold (sizes
/// above 5 take the blocked kernel path with transposed strided operands).
#[test]
fn grad_large_sizes_use_blocked_products_and_match_finite_differences() {
    let s = Sizes {
        hidden: 9,
        n_in: 2,
        n_out: 7,
        batch: 8,
        steps: 4,
        seed: 11,
        leak: 0.3,
        sigma: 0.1,
        strength: 0.3,
        tau: 4.0,
        friction: 0.4,
        gain: 1.0,
    };
    let worst = Mutex::new(Worst::default());
    for activation in [Activation::Relu, Activation::Tanh] {
        check(&problem(&s, Mechanism::Both, activation, Loss::Mse), &worst).unwrap();
    }
    let errors = worst.into_inner().unwrap().errors;
    eprintln!("large sizes: {:?}", errors.map(|e| format!("{e:.1e}")));
}

/// A batch wide enough that the backward pass works through the sequence in several chunks
/// (about two thousand columns each, the last one shorter): the chunks' shares must add up to
/// the whole gradient, for the direct-loop readout (`n_out ≤ 4`) and the blocked one.
#[test]
fn grad_over_several_backward_chunks_matches_finite_differences() {
    let worst = Mutex::new(Worst::default());
    for (n_out, loss) in [(3, Loss::Mse), (6, Loss::Mse), (6, Loss::CrossEntropy)] {
        let s = Sizes {
            hidden: 4,
            n_in: 2,
            n_out,
            batch: 700,
            steps: 7,
            seed: 5,
            leak: 0.4,
            sigma: 0.1,
            strength: 0.3,
            tau: 4.0,
            friction: 0.4,
            gain: 1.0,
        };
        check(
            &problem(&s, Mechanism::Both, Activation::Tanh, loss),
            &worst,
        )
        .unwrap();
    }
    let worst = worst.into_inner().unwrap();
    assert!(worst.checked > 0);
    eprintln!(
        "several chunks: {:?}",
        worst.errors.map(|e| format!("{e:.1e}"))
    );
}
