//! Wasserstein distances at the sizes of the experiments: exact W2 on 2-D Gaussian clouds
//! (1000 and 2000 points, shifted by 0.5) and sliced W2 with 200 projections (10k and 100k
//! points), the shapes of the peer comparison with POT.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use hippo_replay::metrics::{Order, sliced_wasserstein, wasserstein};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn cloud(rng: &mut ChaCha8Rng, n: usize, shift: f64) -> DMatrix<f64> {
    DMatrix::from_fn(2, n, |_, _| {
        let z: f64 = StandardNormal.sample(rng);
        z + shift
    })
}

/// Few samples of a few seconds each: the whole run stays within a few minutes.
fn modest(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
}

fn exact(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_w2");
    modest(&mut group);
    for n in [1000, 2000] {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = cloud(&mut rng, n, 0.0);
        let y = cloud(&mut rng, n, 0.5);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| wasserstein(black_box(&x), black_box(&y), Order::W2).unwrap())
        });
    }
    group.finish();
}

fn sliced(c: &mut Criterion) {
    let mut group = c.benchmark_group("sliced_w2_200_projections");
    modest(&mut group);
    for n in [10_000, 100_000] {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = cloud(&mut rng, n, 0.0);
        let y = cloud(&mut rng, n, 0.0);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let mut proj = ChaCha8Rng::seed_from_u64(1);
                sliced_wasserstein(black_box(&x), black_box(&y), Order::W2, 200, &mut proj).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, exact, sliced);
criterion_main!(benches);
