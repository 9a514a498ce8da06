//! The two reference shapes of the performance comparison with the PyTorch peer, and the
//! random network and batch both benches build from them (uniform weights as PyTorch's `Linear`,
//! inputs `0.05·N(0, 1)`, uniform targets and initial codes, as the peer script draws them).

use std::time::Duration;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use hippo_replay::core::{Network, NetworkConfig};
use hippo_replay::tasks::Batch;
use nalgebra::DMatrix;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A reference shape: hidden size, batch, steps, outputs (two inputs, ReLU, leak 0.2).
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub name: &'static str,
    pub hidden: usize,
    pub batch: usize,
    pub steps: usize,
    pub outputs: usize,
}

/// (A) the track tasks and (B) the open box with 512 place cells.
pub const SHAPES: [Shape; 2] = [
    Shape {
        name: "A_N128_B64_T100_out2",
        hidden: 128,
        batch: 64,
        steps: 100,
        outputs: 2,
    },
    Shape {
        name: "B_N512_B200_T100_out512",
        hidden: 512,
        batch: 200,
        steps: 100,
        outputs: 512,
    },
];

/// Leak of both shapes.
pub const LEAK: f64 = 0.2;

impl Shape {
    pub fn network(&self, rng: &mut ChaCha8Rng) -> Network<f32> {
        let config = NetworkConfig::new(self.hidden, 2, self.outputs).with_leak(LEAK);
        Network::init(config, rng).expect("valid configuration")
    }

    pub fn batch(&self, rng: &mut ChaCha8Rng) -> Batch<f32> {
        let tb = self.batch * self.steps;
        let mut normal = |r, c| {
            DMatrix::from_fn(r, c, |_, _| {
                let z: f32 = StandardNormal.sample(&mut *rng);
                0.05 * z
            })
        };
        let inputs = normal(2, tb);
        let mut uniform = |r, c| DMatrix::from_fn(r, c, |_, _| rng.random::<f32>());
        Batch {
            batch_size: self.batch,
            steps: self.steps,
            inputs,
            targets: uniform(self.outputs, tb),
            positions: DMatrix::zeros(2, tb),
            start_positions: DMatrix::zeros(2, self.batch),
            initial_codes: uniform(self.outputs, self.batch),
        }
    }

    /// Sample counts that keep the whole `cargo bench` within a few minutes on two cores.
    pub fn configure(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if self.hidden > 256 { 12 } else { 4 }));
    }
}
