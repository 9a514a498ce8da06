//! Shared fixtures for the integration tests: random batches and networks of small sizes.

#![allow(dead_code)]

use nalgebra::DMatrix;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use replay_core::{Activation, Network, NetworkConfig};
use replay_tasks::Batch;

/// A batch with standard-normal inputs, targets and initial codes scaled by `scale`.
pub fn random_batch(
    rng: &mut ChaCha8Rng,
    n_in: usize,
    n_out: usize,
    batch_size: usize,
    steps: usize,
    scale: f64,
) -> Batch<f64> {
    let tb = batch_size * steps;
    let mut normal = |r: usize, c: usize| -> DMatrix<f64> {
        DMatrix::from_fn(r, c, |_, _| {
            let z: f64 = StandardNormal.sample(&mut *rng);
            scale * z
        })
    };
    Batch {
        batch_size,
        steps,
        inputs: normal(n_in, tb),
        targets: normal(n_out, tb),
        positions: DMatrix::zeros(2, tb),
        start_positions: DMatrix::zeros(2, batch_size),
        initial_codes: normal(n_out, batch_size),
    }
}

/// Standard-normal noise `n × cols`.
pub fn random_noise(rng: &mut ChaCha8Rng, n: usize, cols: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, cols, |_, _| StandardNormal.sample(&mut *rng))
}

/// A network initialised from `seed`, with the recurrent weights scaled by `gain` so that
/// the dynamics are neither trivial nor exploding.
pub fn random_network(
    seed: u64,
    hidden: usize,
    n_in: usize,
    n_out: usize,
    activation: Activation,
    leak: f64,
    gain: f64,
) -> Network<f64> {
    let config = NetworkConfig::new(hidden, n_in, n_out)
        .with_activation(activation)
        .with_leak(leak);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut weights = Network::<f64>::init(config.clone(), &mut rng)
        .expect("valid config")
        .into_weights();
    weights.w *= gain;
    weights
        .b
        .iter_mut()
        .for_each(|b| *b += 0.1 * rng.random_range(-1.0..1.0));
    Network::new(config, weights).expect("finite weights")
}
