//! One training step (forward pass, loss, exact BPTT, Adam) at the reference shapes of the
//! PyTorch peer (`torch_rnn_bench.py`): MSE loss, training noise 0.01, Adam with learning rate
//! 1e-3, the same batch every step.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hippo_replay::core::{Dynamics, TrainConfig, Trainer};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[path = "shapes.rs"]
mod shapes;

fn training_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("training_step");
    for shape in shapes::SHAPES {
        shape.configure(&mut group);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut net = shape.network(&mut rng);
        let batch = shape.batch(&mut rng);
        let config = TrainConfig::new(Dynamics::new(0.01), shape.batch, shape.steps, 1);
        let mut trainer = Trainer::new(&net, config).expect("valid configuration");
        group.bench_function(shape.name, |b| {
            b.iter(|| trainer.step(&mut net, black_box(&batch), &mut rng).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, training_step);
criterion_main!(benches);
