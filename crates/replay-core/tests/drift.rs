//! The training forward pass against the sampler-facing drift and against a naive transcription
//! of the network's update (the crate documentation's equation).

mod common;

use nalgebra::{DMatrix, RealField};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::{Activation, Dynamics, Momentum, Network, NetworkConfig, Workspace};
use replay_sampler::{
    Adaptation, Adapted, EulerMaruyama, Integrator, SamplerState, fill_standard_normal,
};
use replay_tasks::Batch;

use common::{random_batch, random_network};

const HIDDEN: usize = 12;
const BATCH: usize = 7;
const STEPS: usize = 9;

fn mechanisms() -> Vec<(&'static str, Dynamics)> {
    let sigma = 0.2;
    vec![
        ("first order", Dynamics::new(sigma)),
        ("adaptation", Dynamics::new(sigma).with_adaptation(0.4, 3.0)),
        (
            "momentum",
            Dynamics::new(sigma).with_momentum(Momentum::new(0.3)),
        ),
        (
            "momentum with its own noise",
            Dynamics::new(sigma).with_momentum(Momentum::new(0.6).with_noise(0.05)),
        ),
        (
            "both",
            Dynamics::new(sigma)
                .with_adaptation(0.4, 3.0)
                .with_momentum(Momentum::new(0.3)),
        ),
    ]
}

fn to_f32_batch(b: &Batch<f64>) -> Batch<f32> {
    let c = |m: &DMatrix<f64>| m.map(|x| x as f32);
    Batch {
        batch_size: b.batch_size,
        steps: b.steps,
        inputs: c(&b.inputs),
        targets: c(&b.targets),
        positions: c(&b.positions),
        start_positions: c(&b.start_positions),
        initial_codes: c(&b.initial_codes),
    }
}

/// Steps the sampler's integrator for this dynamics, one step per input block, with the input
/// current `U u_t` of each step, and returns the states `h_1 … h_T`.
fn sampler_states<T>(
    net: &Network<T>,
    dynamics: &Dynamics,
    batch: &Batch<T>,
    seed: u64,
) -> Vec<DMatrix<T>>
where
    T: RealField + Copy,
{
    let c = |x: f64| -> T { nalgebra::convert(x) };
    let sigma = c(dynamics.noise);
    let first = EulerMaruyama::new(T::one(), sigma).unwrap();
    let momentum = dynamics.momentum.map(|m| match m.noise {
        Some(s) => replay_sampler::Momentum::with_velocity_noise(c(m.friction), c(s)).unwrap(),
        None => replay_sampler::Momentum::new(c(m.friction), sigma).unwrap(),
    });
    let adaptation = dynamics
        .adaptation
        .map(|a| Adaptation::new(c(a.strength), c(a.time_constant)).unwrap());
    let currents = net.input_current(&batch.inputs).unwrap();
    let mut state = SamplerState::new(net.initial_state(&batch.initial_codes).unwrap()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for t in 0..batch.steps {
        let current = currents
            .columns(t * batch.batch_size, batch.batch_size)
            .into_owned();
        let cur = Some(&current);
        match (momentum, adaptation) {
            (None, None) => first.step(&mut state, net, cur, &mut rng),
            (Some(m), None) => m.step(&mut state, net, cur, &mut rng),
            (None, Some(a)) => Adapted::new(first, a).step(&mut state, net, cur, &mut rng),
            (Some(m), Some(a)) => Adapted::new(m, a).step(&mut state, net, cur, &mut rng),
        }
        .unwrap();
        out.push(state.positions().clone());
    }
    out
}

fn forward_states<T>(
    net: &Network<T>,
    dynamics: &Dynamics,
    batch: &Batch<T>,
    seed: u64,
) -> DMatrix<T>
where
    T: RealField + Copy,
{
    // One N × T·B draw has the same order as T per-step N × B draws when N · B is even, as in
    // every case here: block t is step t.
    assert_eq!(net.hidden() * batch.batch_size % 2, 0);
    let mut noise = DMatrix::zeros(net.hidden(), batch.batch_size * batch.steps);
    fill_standard_normal(&mut noise, &mut ChaCha8Rng::seed_from_u64(seed));
    let mut ws = Workspace::new();
    ws.forward(net, dynamics, batch, &noise).unwrap();
    ws.hidden_states().clone()
}

fn assert_bitwise_equal<T: RealField + Copy>(
    label: &str,
    forward: &DMatrix<T>,
    sampled: &[DMatrix<T>],
) {
    for (t, s) in sampled.iter().enumerate() {
        let block = forward.columns((t + 1) * BATCH, BATCH);
        assert!(
            block.iter().zip(s.iter()).all(|(a, b)| a == b),
            "{label}: step {} differs",
            t + 1
        );
    }
}

#[test]
fn drift_training_forward_equals_sampler_steps_bit_for_bit_f32() {
    for activation in [Activation::Relu, Activation::Tanh] {
        for (label, dynamics) in mechanisms() {
            let net: Network<f32> = random_network(3, HIDDEN, 2, 3, activation, 0.3, 1.5).cast();
            let batch = to_f32_batch(&random_batch(
                &mut ChaCha8Rng::seed_from_u64(4),
                2,
                3,
                BATCH,
                STEPS,
                0.5,
            ));
            let forward = forward_states(&net, &dynamics, &batch, 99);
            let sampled = sampler_states(&net, &dynamics, &batch, 99);
            assert_bitwise_equal(label, &forward, &sampled);
        }
    }
}

#[test]
fn drift_training_forward_equals_sampler_steps_bit_for_bit_f64() {
    for (label, dynamics) in mechanisms() {
        let net = random_network(5, HIDDEN, 2, 3, Activation::Tanh, 0.7, 1.5);
        let batch = random_batch(&mut ChaCha8Rng::seed_from_u64(6), 2, 3, BATCH, STEPS, 0.5);
        let forward = forward_states(&net, &dynamics, &batch, 7);
        let sampled = sampler_states(&net, &dynamics, &batch, 7);
        assert_bitwise_equal(label, &forward, &sampled);
    }
}

/// The network's update transcribed one trajectory and one step at a time with plain matrix
/// expressions, independently of the batched kernels.
fn naive_states(
    net: &Network<f64>,
    dynamics: &Dynamics,
    batch: &Batch<f64>,
    noise: &DMatrix<f64>,
) -> DMatrix<f64> {
    let w = net.weights();
    let config = net.config();
    let alpha = config.leak;
    let phi = |z: f64| match config.activation {
        Activation::Relu => z.max(0.0),
        Activation::Tanh => z.tanh(),
        Activation::Identity => z,
    };
    let n = config.hidden;
    let (bsz, steps) = (batch.batch_size, batch.steps);
    let mut out = DMatrix::zeros(n, (steps + 1) * bsz);
    for b in 0..bsz {
        let mut h = &w.e * batch.initial_codes.column(b);
        let mut v = nalgebra::DVector::zeros(n);
        let mut a = nalgebra::DVector::zeros(n);
        out.column_mut(b).copy_from(&h);
        for t in 0..steps {
            let col = t * bsz + b;
            let z = &w.w * &h + &w.u * batch.inputs.column(col) + &w.b - &a;
            let f = (z.map(phi) - &h) * alpha;
            let xi = noise.column(col);
            let h_next = match dynamics.momentum {
                None => &h + &f + xi * dynamics.noise,
                Some(m) => {
                    v = &v * (1.0 - m.friction) + &f + xi * m.noise_for(dynamics.noise);
                    &h + &v
                }
            };
            if let Some(ad) = dynamics.adaptation {
                a = &a * (1.0 - 1.0 / ad.time_constant) + &h * (ad.strength / ad.time_constant);
            }
            h = h_next;
            out.column_mut(col + bsz).copy_from(&h);
        }
    }
    out
}

#[test]
fn drift_forward_matches_naive_transcription_of_the_design() {
    for activation in [Activation::Relu, Activation::Tanh, Activation::Identity] {
        for leak in [1.0, 0.25] {
            for (label, dynamics) in mechanisms() {
                let net = random_network(8, HIDDEN, 2, 3, activation, leak, 1.5);
                let mut rng = ChaCha8Rng::seed_from_u64(9);
                let batch = random_batch(&mut rng, 2, 3, BATCH, STEPS, 0.5);
                let noise = common::random_noise(&mut rng, HIDDEN, BATCH * STEPS);
                let mut ws = Workspace::new();
                ws.forward(&net, &dynamics, &batch, &noise).unwrap();
                let naive = naive_states(&net, &dynamics, &batch, &noise);
                let err = (ws.hidden_states() - &naive).amax();
                assert!(
                    err < 1e-12,
                    "{activation:?} α={leak} {label}: max difference {err:e}"
                );
                // The outputs are the readout of the same states.
                let y = net
                    .decode(&naive.columns(BATCH, BATCH * STEPS).into_owned())
                    .unwrap();
                assert!((ws.outputs() - y).amax() < 1e-12);
            }
        }
    }
}

#[test]
fn drift_adaptation_changes_the_trajectory() {
    // Guards against a mechanism silently switched off: with identical noise, each mechanism
    // must move the states away from the plain first-order run.
    let net = random_network(8, HIDDEN, 2, 3, Activation::Tanh, 0.5, 1.5);
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let batch = random_batch(&mut rng, 2, 3, BATCH, STEPS, 0.5);
    let noise = common::random_noise(&mut rng, HIDDEN, BATCH * STEPS);
    let mut ws = Workspace::new();
    let mut run = |d: &Dynamics| {
        ws.forward(&net, d, &batch, &noise).unwrap();
        ws.hidden_states().clone()
    };
    let plain = run(&Dynamics::new(0.2));
    for (label, dynamics) in mechanisms().into_iter().skip(1) {
        let other = run(&dynamics);
        assert!((other - &plain).amax() > 1e-3, "{label} has no effect");
    }
}

#[test]
fn drift_impl_reports_network_dimension() {
    use replay_sampler::Drift;
    let net = Network::<f32>::init(
        NetworkConfig::new(6, 2, 2),
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    assert_eq!(net.dim(), Some(6));
}

#[test]
fn drift_tanh_in_f32_is_within_5e7_of_the_true_tanh() {
    let n = 2_000_001;
    let mut worst = 0.0f64;
    for i in 0..n {
        let x = (-12.0 + 24.0 * i as f64 / (n - 1) as f64) as f32;
        let y = Activation::Tanh.apply(x);
        assert!(y.abs() <= 1.0, "tanh({x}) = {y}");
        worst = worst.max((y as f64 - (x as f64).tanh()).abs());
    }
    assert!(worst < 5e-7, "max error {worst:e}");
    assert!(Activation::Tanh.apply(f32::NAN).is_nan());
    assert_eq!(Activation::Tanh.apply(f32::INFINITY), 1.0);
    assert_eq!(
        Activation::Tanh.apply(-0.0f32).to_bits(),
        (-0.0f32).to_bits()
    );
    // Odd symmetry holds exactly.
    for x in [0.001f32, 0.3, 1.7, 5.0, 9.0] {
        assert_eq!(Activation::Tanh.apply(-x), -Activation::Tanh.apply(x));
    }
    eprintln!("f32 tanh: max abs error {worst:e}");
}
