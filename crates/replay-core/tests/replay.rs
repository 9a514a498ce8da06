//! Replay of a trained network through the sampler against the hand-written update.

use nalgebra::DMatrix;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::toy::RandomWalk;
use replay_core::{
    Activation, DecodedTrajectory, Dynamics, Momentum, Network, NetworkConfig, ReplayError,
    TrainConfig, Workspace, replay, train,
};
use replay_sampler::{SamplerState, Trajectory, fill_standard_normal};
use replay_tasks::{Batch, Task};

const STEPS: usize = 60;
const PATHS: usize = 8;

fn trained(activation: Activation) -> Network<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let config = NetworkConfig::new(24, 2, 2)
        .with_activation(activation)
        .with_leak(0.3);
    let mut net = Network::init(config, &mut rng).unwrap();
    let train_config = TrainConfig::new(Dynamics::new(0.05), 16, 15, 40);
    train(
        &mut net,
        &RandomWalk::default(),
        &train_config,
        &mut rng,
        &mut (),
    )
    .unwrap();
    net
}

fn start_codes() -> DMatrix<f32> {
    DMatrix::from_fn(2, PATHS, |i, j| (i as f32 - 0.5) * 0.3 + j as f32 * 0.05)
}

fn replayed(net: &Network<f32>, dynamics: &Dynamics, seed: u64) -> Trajectory<f32> {
    let mut traj = Trajectory::new(net.hidden(), PATHS, 1, STEPS + 1).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    replay(net, dynamics, &start_codes(), STEPS, &mut rng, &mut traj).unwrap();
    traj
}

/// `h_{t+1} = h_t + α (φ(W h_t + b) − h_t) + σ ξ_t` (with `max(z, 0)` written out for ReLU), grouped as the sampler documents its
/// Euler–Maruyama step (`x + (f + σ ξ)`), with `ξ_t` drawn per step as `N × B` column-major.
fn hand_written(net: &Network<f32>, sigma: f32, seed: u64) -> Vec<DMatrix<f32>> {
    let w = net.weights();
    let alpha = net.config().leak as f32;
    // φ as the network defines it (in f32, tanh is its vectorisable approximation).
    let phi = |z: f32| net.config().activation.apply(z);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut h = net.initial_state(&start_codes()).unwrap();
    let mut xi = DMatrix::<f32>::zeros(net.hidden(), PATHS);
    let mut states = vec![h.clone()];
    for _ in 0..STEPS {
        fill_standard_normal(&mut xi, &mut rng);
        let wh = &w.w * &h;
        for j in 0..PATHS {
            for i in 0..net.hidden() {
                let f = alpha * (phi(wh[(i, j)] + w.b[i]) - h[(i, j)]);
                h[(i, j)] += f + sigma * xi[(i, j)];
            }
        }
        states.push(h.clone());
    }
    states
}

#[test]
fn replay_trained_network_equals_hand_written_first_order_update_bit_for_bit() {
    for activation in [Activation::Relu, Activation::Tanh] {
        let net = trained(activation);
        let sigma = 0.05 * 2f32.sqrt();
        let traj = replayed(&net, &Dynamics::new(sigma as f64), 5);
        let hand = hand_written(&net, sigma, 5);
        assert_eq!(traj.len(), STEPS + 1);
        for (k, h) in hand.iter().enumerate() {
            assert_eq!(traj.frame(k), *h, "{activation:?}: step {k} differs");
        }
        // The replay moves: the comparison is not between two frozen states.
        assert!((&hand[STEPS] - &hand[0]).amax() > 1e-2);
    }
}

#[test]
fn replay_momentum_with_unit_friction_equals_first_order_bit_for_bit() {
    let net = trained(Activation::Relu);
    let sigma = 0.07;
    let first = replayed(&net, &Dynamics::new(sigma), 8);
    let unit = replayed(
        &net,
        &Dynamics::new(sigma).with_momentum(Momentum::new(1.0)),
        8,
    );
    assert_eq!(first, unit);
    // And with adaptation on in both.
    let adapted = Dynamics::new(sigma).with_adaptation(0.1, 30.0);
    let a = replayed(&net, &adapted, 8);
    let b = replayed(&net, &adapted.with_momentum(Momentum::new(1.0)), 8);
    assert_eq!(a, b);
    assert_ne!(a, first);
}

#[test]
fn replay_equals_training_forward_pass_with_zero_input_for_every_mechanism() {
    let net = trained(Activation::Tanh);
    let sigma = 0.05;
    let all = [
        Dynamics::new(sigma),
        Dynamics::new(sigma).with_adaptation(0.2, 10.0),
        Dynamics::new(sigma).with_momentum(Momentum::new(0.3)),
        Dynamics::new(sigma)
            .with_adaptation(0.2, 10.0)
            .with_momentum(Momentum::new(0.3).with_noise(0.02)),
    ];
    for dynamics in all {
        let traj = replayed(&net, &dynamics, 13);
        let tb = STEPS * PATHS;
        let batch = Batch {
            batch_size: PATHS,
            steps: STEPS,
            inputs: DMatrix::zeros(2, tb),
            targets: DMatrix::zeros(2, tb),
            positions: DMatrix::zeros(2, tb),
            start_positions: DMatrix::zeros(2, PATHS),
            initial_codes: start_codes(),
        };
        let mut noise = DMatrix::zeros(net.hidden(), tb);
        fill_standard_normal(&mut noise, &mut ChaCha8Rng::seed_from_u64(13));
        let mut ws = Workspace::new();
        ws.forward(&net, &dynamics, &batch, &noise).unwrap();
        let h = ws.hidden_states();
        for k in 0..=STEPS {
            assert_eq!(
                traj.frame(k),
                h.columns(k * PATHS, PATHS),
                "{dynamics:?}: step {k} differs"
            );
        }
    }
}

#[test]
fn replay_decoded_trajectory_is_the_readout_of_the_states() {
    let net = trained(Activation::Relu);
    let dynamics = Dynamics::new(0.07).with_momentum(Momentum::new(0.3));
    let traj = replayed(&net, &dynamics, 2);
    let mut decoded = DecodedTrajectory::new(&net, PATHS, 10, 7);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    replay(
        &net,
        &dynamics,
        &start_codes(),
        STEPS,
        &mut rng,
        &mut decoded,
    )
    .unwrap();
    assert_eq!(decoded.len(), STEPS / 10 + 1);
    for k in 0..decoded.len() {
        let step = decoded.step_of(k);
        assert_eq!(step, 10 * k);
        let y = net.decode(&traj.frame(step).into_owned()).unwrap();
        assert_eq!(decoded.frame(k), y);
    }
}

#[test]
fn replay_starts_from_encoded_task_start_positions() {
    let net = trained(Activation::Relu);
    let batch: Batch<f32> =
        RandomWalk::default().sample_batch(&mut ChaCha8Rng::seed_from_u64(0), 4, 1);
    let mut first: Option<DMatrix<f32>> = None;
    let mut grab = |s: &SamplerState<f32>| {
        if first.is_none() {
            first = Some(s.positions().clone());
        }
    };
    replay(
        &net,
        &Dynamics::new(0.0),
        &batch.initial_codes,
        3,
        &mut ChaCha8Rng::seed_from_u64(0),
        &mut grab,
    )
    .unwrap();
    let first = first.unwrap();
    assert_eq!(first, net.initial_state(&batch.initial_codes).unwrap());
    let plain = &net.weights().e * &batch.initial_codes;
    assert!((first - plain).amax() < 1e-6);
}

#[test]
fn rejects_replay_with_invalid_dynamics_or_codes() {
    let net = trained(Activation::Relu);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut ignore = |_: &SamplerState<f32>| {};
    let bad = Dynamics::new(0.1).with_momentum(Momentum::new(1.5));
    let err = replay(&net, &bad, &start_codes(), 5, &mut rng, &mut ignore).unwrap_err();
    assert!(matches!(err, ReplayError::Config(_)));
    assert!(err.to_string().contains("momentum.friction = 1.5"), "{err}");
    let codes = DMatrix::from_element(2, 3, f32::NAN);
    let err = replay(&net, &Dynamics::new(0.1), &codes, 5, &mut rng, &mut ignore).unwrap_err();
    assert!(matches!(err, ReplayError::Sampler(_)), "{err}");
}
