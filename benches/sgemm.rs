//! The machine's single-precision matrix-product throughput, the yardstick for the
//! matrix-product-bound benchmarks: `C ← A B` for square `f32` matrices through nalgebra's `gemm`
//! (the `matrixmultiply` kernels the network uses), on one thread and split by output columns
//! over two threads. FLOP/s = 2 n³ / time.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::DMatrix;

fn product(a: &DMatrix<f32>, b: &DMatrix<f32>, c: &mut DMatrix<f32>, threads: usize) {
    let n = b.ncols();
    if threads == 1 {
        c.gemm(1.0, a, b, 0.0);
        return;
    }
    let half = n / 2;
    let (left, right) = c.as_mut_slice().split_at_mut(half * a.nrows());
    let mut left = nalgebra::DMatrixViewMut::from_slice(left, a.nrows(), half);
    let mut right = nalgebra::DMatrixViewMut::from_slice(right, a.nrows(), n - half);
    rayon::join(
        || left.gemm(1.0, a, &b.columns(0, half), 0.0),
        || right.gemm(1.0, a, &b.columns(half, n - half), 0.0),
    );
}

fn sgemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("sgemm_square");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [512, 1024, 2048] {
        let a = DMatrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f32 * 0.1);
        let b = DMatrix::from_fn(n, n, |i, j| ((i * 5 + j) % 13) as f32 * 0.1);
        let mut out = DMatrix::zeros(n, n);
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
        for threads in [1, 2] {
            group.bench_with_input(
                BenchmarkId::new(format!("threads{threads}"), n),
                &n,
                |bch, _| bch.iter(|| product(black_box(&a), black_box(&b), &mut out, threads)),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, sgemm);
criterion_main!(benches);
