//! One replay step of the whole batch at the reference shapes, as the PyTorch peer's replay loop
//! does it: zero input, noise `√2 · 0.01`, the network's drift, the integrator's update (first
//! order, or momentum with friction 0.3), and the readout `y = D h + c` of the new states.
//! Also the noise draw alone at both shapes' sizes (8192 and 102 400 normals), beside the generator's
//! raw words and the `f64` ziggurat of `rand_distr` rounded to `f32`, the convention it replaced.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hippo_replay::core::Network;
use hippo_replay::sampler::fill_standard_normal_slice;
use hippo_replay::sampler::{EulerMaruyama, Integrator, Momentum, SamplerState};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

#[path = "shapes.rs"]
mod shapes;

/// Steps `integrator` once and decodes the result, `iters` times.
fn run<I: Integrator<f32>>(
    integrator: &I,
    net: &Network<f32>,
    state: &mut SamplerState<f32>,
    decoded: &mut DMatrix<f32>,
    rng: &mut ChaCha8Rng,
) {
    integrator.step(state, net, None, rng).unwrap();
    net.decode_into(state.positions(), decoded).unwrap();
    black_box(&decoded);
}

fn replay_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay_step");
    let sigma = 0.01 * std::f32::consts::SQRT_2;
    for shape in shapes::SHAPES {
        shape.configure(&mut group);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let net = shape.network(&mut rng);
        let codes = shape.batch(&mut rng).initial_codes;
        let h0 = net.initial_state(&codes).unwrap();
        let mut decoded = DMatrix::zeros(shape.outputs, shape.batch);

        let first_order = EulerMaruyama::new(1.0, sigma).unwrap();
        let mut state = SamplerState::new(h0.clone()).unwrap();
        group.bench_function(format!("first_order/{}", shape.name), |b| {
            b.iter(|| run(&first_order, &net, &mut state, &mut decoded, &mut rng))
        });

        let momentum = Momentum::new(0.3, sigma).unwrap();
        let mut state = SamplerState::new(h0).unwrap();
        group.bench_function(format!("momentum/{}", shape.name), |b| {
            b.iter(|| run(&momentum, &net, &mut state, &mut decoded, &mut rng))
        });
    }
    group.finish();
}

fn noise_draw(c: &mut Criterion) {
    let mut group = c.benchmark_group("noise_draw");
    group.sample_size(30);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for n in [8192usize, 102_400] {
        let mut out = vec![0.0f32; n];
        group.bench_function(format!("box_muller/{n}"), |b| {
            b.iter(|| fill_standard_normal_slice(black_box(&mut out), &mut rng))
        });
        let mut words = vec![0u32; n];
        group.bench_function(format!("chacha8_words/{n}"), |b| {
            b.iter(|| rng.fill(black_box(&mut words[..])))
        });
        group.bench_function(format!("ziggurat_f64_rounded/{n}"), |b| {
            b.iter(|| {
                for o in black_box(&mut out).iter_mut() {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    *o = z as f32;
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, replay_step, noise_draw);
criterion_main!(benches);
