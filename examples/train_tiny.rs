//! Trains a small noisy leaky RNN to integrate 2-D random-walk velocities, printing its loss
//! curve, then replays it briefly through the sampler.
//!
//! Run with `cargo run --release -p hippo-replay --example train_tiny`.

use std::time::Instant;

use nalgebra::DMatrix;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::toy::RandomWalk;
use replay_core::{
    DecodedTrajectory, Dynamics, Network, NetworkConfig, StepReport, TrainConfig, replay, train,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 1;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let config = NetworkConfig::new(64, 2, 2).with_leak(0.5);
    let mut net = Network::<f32>::init(config, &mut rng)?;
    let mut training = TrainConfig::new(Dynamics::new(0.01), 32, 20, 600);
    training.optimizer.learning_rate = 3e-3;
    training.optimizer.clip_norm = Some(1.0);

    println!(
        "training N = 64, α = 0.5, batch 32 × 20 steps, {} updates",
        training.updates
    );
    let start = Instant::now();
    let mut window = 0.0;
    let mut log = |r: &StepReport| {
        window += r.loss;
        if (r.step + 1).is_multiple_of(50) {
            println!(
                "update {:>4}  mean loss {:.5}  |grad| {:.3}",
                r.step + 1,
                window / 50.0,
                r.grad_norm
            );
            window = 0.0;
        }
    };
    let summary = train(
        &mut net,
        &RandomWalk::default(),
        &training,
        &mut rng,
        &mut log,
    )?;
    let elapsed = start.elapsed();

    // A short quiescent replay from the origin, decoded to positions.
    let starts = DMatrix::zeros(2, 4);
    let mut decoded = DecodedTrajectory::new(&net, 4, 25, 5);
    replay(
        &net,
        &Dynamics::new(0.01 * 2f64.sqrt()),
        &starts,
        100,
        &mut rng,
        &mut decoded,
    )?;
    for k in 0..decoded.len() {
        let p = decoded.frame(k);
        println!(
            "replay step {:>3}: path 0 decoded at ({:+.3}, {:+.3})",
            decoded.step_of(k),
            p[(0, 0)],
            p[(1, 0)]
        );
    }

    println!(
        "trained in {:.2} s; initial loss {:.5}; final loss {:.5}",
        elapsed.as_secs_f64(),
        summary.initial_loss().unwrap_or(f64::NAN),
        summary.final_loss().unwrap_or(f64::NAN)
    );
    Ok(())
}
