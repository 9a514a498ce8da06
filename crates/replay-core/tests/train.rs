//! Training: loss reduction on a tiny integration task, determinism, Adam against its
//! formulas, divergence detection and observers.

use std::cell::Cell;
use std::ops::ControlFlow;

use nalgebra::{DMatrix, RealField};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::toy::RandomWalk;
use replay_core::{
    Activation, Adam, AdamConfig, Dynamics, Loss, Momentum, Network, NetworkConfig, Observer,
    ShapeError, StepReport, TrainConfig, TrainError, TrainSummary, Weights, Workspace, train,
};
use replay_sampler::{fill_standard_normal, fill_standard_normal_slice};
use replay_tasks::{Batch, Task};

fn tiny_config() -> TrainConfig {
    let mut c = TrainConfig::new(Dynamics::new(0.01), 16, 15, 250);
    c.optimizer.learning_rate = 3e-3;
    c.optimizer.clip_norm = Some(1.0);
    c
}

/// Mean loss of `net` over a fixed evaluation set (other seed than training), with noise.
fn held_out_loss(net: &Network<f32>, dynamics: &Dynamics) -> f32 {
    let mut rng = ChaCha8Rng::seed_from_u64(1_000);
    let batch: Batch<f32> = RandomWalk::default().sample_batch(&mut rng, 256, 15);
    let mut noise = DMatrix::zeros(net.hidden(), 256 * 15);
    fill_standard_normal(&mut noise, &mut rng);
    let mut ws = Workspace::new();
    ws.forward(net, dynamics, &batch, &noise).unwrap();
    ws.loss(&batch.targets, Loss::Mse).unwrap()
}

fn run(seed: u64, activation: Activation, config: &TrainConfig) -> (Network<f32>, TrainSummary) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let net_config = NetworkConfig::new(32, 2, 2)
        .with_activation(activation)
        .with_leak(0.5);
    let mut net = Network::init(net_config, &mut rng).unwrap();
    let summary = train(&mut net, &RandomWalk::default(), config, &mut rng, &mut ()).unwrap();
    (net, summary)
}

#[test]
fn train_reduces_held_out_loss_below_threshold_for_relu_and_tanh() {
    // The targets have variance about 0.08 + 0.01 t per coordinate (start spread plus walk), so
    // predicting the mean scores about 0.16; an integrating network must do far better.
    let config = tiny_config();
    for activation in [Activation::Relu, Activation::Tanh] {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let untrained = Network::<f32>::init(
            NetworkConfig::new(32, 2, 2)
                .with_activation(activation)
                .with_leak(0.5),
            &mut rng,
        )
        .unwrap();
        let before = held_out_loss(&untrained, &config.dynamics);
        let (net, summary) = run(3, activation, &config);
        let after = held_out_loss(&net, &config.dynamics);
        eprintln!(
            "{activation:?}: held-out loss {before:.4} -> {after:.5}; batch loss {:.4} -> {:.5}",
            summary.initial_loss().unwrap(),
            summary.final_loss().unwrap()
        );
        assert!(
            after < 0.01,
            "{activation:?}: held-out loss {after} not below 0.01"
        );
        assert!(after < before / 10.0);
    }
}

#[test]
fn train_with_adaptation_and_momentum_on_reduces_loss() {
    let mut config = tiny_config();
    config.dynamics = Dynamics::new(0.01)
        .with_adaptation(0.1, 10.0)
        .with_momentum(Momentum::new(0.5));
    let (net, summary) = run(4, Activation::Tanh, &config);
    let after = held_out_loss(&net, &config.dynamics);
    assert!(
        (after as f64) < summary.initial_loss().unwrap() / 5.0,
        "held-out loss {after}"
    );
}

#[test]
fn train_is_bit_identical_for_the_same_seed() {
    let mut config = tiny_config();
    config.updates = 30;
    let (a, sa) = run(9, Activation::Relu, &config);
    let (b, sb) = run(9, Activation::Relu, &config);
    assert_eq!(
        sa.losses.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        sb.losses.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    for ((_, x), (_, y)) in a.weights().groups().iter().zip(b.weights().groups()) {
        assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
    let (c, _) = run(10, Activation::Relu, &config);
    assert_ne!(a, c);
}

/// Adam of Kingma & Ba written out for one scalar: m̂ / (√v̂ + ε) with bias corrections, the
/// gradient first rescaled to the clip norm and then given the L2 term.
#[test]
fn train_adam_matches_the_textbook_update_with_clipping_and_weight_decay() {
    let config = NetworkConfig::new(1, 1, 1);
    let mut net = Network::<f64>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    let adam_config = AdamConfig {
        learning_rate: 0.01,
        clip_norm: Some(0.5),
        weight_decay: 0.1,
        ..AdamConfig::default()
    };
    let mut adam = Adam::new(adam_config, &config).unwrap();
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-8, 0.01);
    let mut theta = net.weights().w[(0, 0)];
    // Every weight except W's single entry.
    let rest = |net: &Network<f64>| -> Vec<f64> {
        let groups = net.weights().groups();
        groups
            .iter()
            .skip(1)
            .flat_map(|(_, g)| g.to_vec())
            .collect()
    };
    let others = rest(&net);
    let (mut m, mut v) = (0.0, 0.0);
    for (t, raw) in [2.0f64, -0.3, 0.7, 1.5].into_iter().enumerate() {
        let mut grads = Weights::zeros(&config);
        grads.w[(0, 0)] = raw;
        let norm = adam.update(&mut net, &mut grads).unwrap();
        assert_eq!(norm, raw.abs());
        let clipped = if raw.abs() > 0.5 {
            raw * 0.5 / (raw.abs() + 1e-6)
        } else {
            raw
        };
        let g = clipped + 0.1 * theta;
        m = b1 * m + (1.0 - b1) * g;
        v = b2 * v + (1.0 - b2) * g * g;
        let t = (t + 1) as i32;
        let m_hat = m / (1.0 - b1.powi(t));
        let v_hat = v / (1.0 - b2.powi(t));
        theta -= lr * m_hat / (v_hat.sqrt() + eps);
        let got = net.weights().w[(0, 0)];
        assert!((got - theta).abs() < 1e-12, "step {t}: {got} vs {theta}");
    }
    // Weight decay moves the other groups (zero gradient) towards zero, never away.
    for (x0, x1) in others.iter().zip(&rest(&net)) {
        assert!(x1.abs() <= x0.abs());
    }
}

/// A random walk whose targets are overwritten with `value` from the `from`-th batch on (one
/// entry, or all of them).
struct BadTargets {
    from: usize,
    value: f64,
    everywhere: bool,
    drawn: Cell<usize>,
}

impl BadTargets {
    fn new(from: usize, value: f64, everywhere: bool) -> Self {
        let drawn = Cell::new(0);
        Self {
            from,
            value,
            everywhere,
            drawn,
        }
    }
}

impl Task for BadTargets {
    fn output_dim(&self) -> usize {
        2
    }
    fn sample_batch<T: RealField + Copy, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        b: usize,
        t: usize,
    ) -> Batch<T> {
        let mut batch: Batch<T> = RandomWalk::default().sample_batch(rng, b, t);
        if self.drawn.get() >= self.from {
            let v = nalgebra::convert(self.value);
            if self.everywhere {
                batch.targets.fill(v);
            } else {
                batch.targets[(1, 3)] = v;
            }
        }
        self.drawn.set(self.drawn.get() + 1);
        batch
    }
}

#[test]
fn train_names_the_step_at_which_the_loss_became_nan() {
    let task = BadTargets::new(7, f64::NAN, false);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Network::<f32>::init(NetworkConfig::new(8, 2, 2), &mut rng).unwrap();
    let err = train(&mut net, &task, &tiny_config(), &mut rng, &mut ()).unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFinite {
            step: 7,
            what: "loss"
        }
    );
    assert!(err.to_string().contains("step 7"));
}

#[test]
fn train_detects_a_loss_that_overflows_f32() {
    // Targets of 1e19 make every squared error about 1e38, so their sum overflows f32.
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Network::<f32>::init(NetworkConfig::new(8, 2, 2), &mut rng).unwrap();
    let task = BadTargets::new(0, 1e19, true);
    let err = train(&mut net, &task, &tiny_config(), &mut rng, &mut ()).unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFinite {
            step: 0,
            what: "loss"
        }
    );
}

#[test]
fn train_observer_sees_every_step_and_can_stop_early() {
    struct Recorder {
        steps: Vec<usize>,
        finished: Option<usize>,
    }
    impl Observer for Recorder {
        fn on_step(&mut self, r: &StepReport) -> ControlFlow<()> {
            self.steps.push(r.step);
            assert!(r.loss.is_finite() && r.grad_norm.is_finite());
            if r.step == 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn on_finish(&mut self, s: &TrainSummary) {
            self.finished = Some(s.updates);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Network::<f32>::init(NetworkConfig::new(8, 2, 2), &mut rng).unwrap();
    let mut rec = Recorder {
        steps: vec![],
        finished: None,
    };
    let summary = train(
        &mut net,
        &RandomWalk::default(),
        &tiny_config(),
        &mut rng,
        &mut rec,
    )
    .unwrap();
    assert_eq!(rec.steps, [0, 1, 2, 3, 4]);
    assert_eq!(rec.finished, Some(5));
    assert!(summary.stopped_early);
    assert_eq!(summary.losses.len(), 5);
}

#[test]
fn rejects_task_whose_output_does_not_fit_the_network() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Network::<f32>::init(NetworkConfig::new(8, 2, 3), &mut rng).unwrap();
    let err = train(
        &mut net,
        &RandomWalk::default(),
        &tiny_config(),
        &mut rng,
        &mut (),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TrainError::Shape(ShapeError {
            what: "task (input_dim, output_dim)",
            expected: (2, 3),
            found: (2, 2)
        })
    );
}

#[test]
fn rejects_invalid_training_configuration_before_any_update() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Network::<f32>::init(NetworkConfig::new(8, 2, 2), &mut rng).unwrap();
    let before = net.clone();
    let mut config = tiny_config();
    config.optimizer.learning_rate = f64::NAN;
    let err = train(&mut net, &RandomWalk::default(), &config, &mut rng, &mut ()).unwrap_err();
    assert!(err.to_string().contains("learning_rate = NaN"), "{err}");
    assert_eq!(net, before);
}

/// The trainer draws its noise one step's `N × B` block at a time with `fill_standard_normal`,
/// so a step equals the gradient on those blocks followed by Adam, bit for bit. When `N · B` is
/// even the blocks are one column-major fill of `N × T·B`; when it is odd each block discards
/// one sine, so only the per-step fills reproduce it.
#[test]
fn trainer_step_equals_gradient_on_per_step_noise_then_adam() {
    for (hidden, paths) in [(16, 6), (5, 3)] {
        let steps = 9;
        let net_config = NetworkConfig::new(hidden, 2, 2).with_leak(0.3);
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let net = Network::<f32>::init(net_config.clone(), &mut rng).unwrap();
        let dynamics = Dynamics::new(0.05).with_momentum(Momentum::new(0.5));
        let config = TrainConfig::new(dynamics, paths, steps, 1);
        let batch: Batch<f32> = RandomWalk::default().sample_batch(&mut rng, paths, steps);

        let mut stepped = net.clone();
        let mut trainer = replay_core::Trainer::new(&stepped, config.clone()).unwrap();
        let report = trainer
            .step(&mut stepped, &batch, &mut ChaCha8Rng::seed_from_u64(4))
            .unwrap();

        let mut by_hand = net;
        let mut noise = DMatrix::zeros(hidden, paths * steps);
        let mut noise_rng = ChaCha8Rng::seed_from_u64(4);
        for block in noise.as_mut_slice().chunks_mut(hidden * paths) {
            fill_standard_normal_slice(block, &mut noise_rng);
        }
        let mut whole = DMatrix::zeros(hidden, paths * steps);
        fill_standard_normal(&mut whole, &mut ChaCha8Rng::seed_from_u64(4));
        assert_eq!(whole == noise, hidden * paths % 2 == 0);
        let mut grads = Weights::zeros(&net_config);
        let loss = Workspace::new()
            .gradient(&by_hand, &dynamics, &batch, &noise, Loss::Mse, &mut grads)
            .unwrap();
        Adam::new(config.optimizer, &net_config)
            .unwrap()
            .update(&mut by_hand, &mut grads)
            .unwrap();
        assert_eq!(report.loss.to_bits(), f64::from(loss).to_bits());
        assert_eq!(stepped, by_hand);
    }
}

/// Steps large enough that the next step's noise is drawn beside the arithmetic (256² · 128
/// multiply–adds per step) and chunk products large enough to be split over threads
/// (256 · 1920 · 256): training on a pool of one thread and on a pool of two gives the same bits.
#[test]
fn train_is_bit_identical_on_one_and_two_threads() {
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(8);
            let config = NetworkConfig::new(256, 2, 2).with_leak(0.2);
            let mut net = Network::<f32>::init(config, &mut rng).unwrap();
            let train_config = TrainConfig::new(Dynamics::new(0.01), 128, 20, 3);
            let summary = train(
                &mut net,
                &RandomWalk::default(),
                &train_config,
                &mut rng,
                &mut (),
            )
            .unwrap();
            (net, summary.losses)
        })
    };
    let (one, losses_one) = run_on(1);
    let (two, losses_two) = run_on(2);
    assert_eq!(losses_one, losses_two);
    for ((_, x), (_, y)) in one.weights().groups().iter().zip(two.weights().groups()) {
        assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
}
