//! The machine's single-precision matrix-product throughput, the yardstick for the
//! matrix-product-bound benchmarks: `C ← A B` for square `f32` matrices, on one thread and split
//! into two column halves over two threads, through faer's kernel (the backend the network uses)
//! and, for comparison, through nalgebra's own product (`matrixmultiply`, the backend it
//! replaced). FLOP/s = 2 n³ / time.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::DMatrix;

/// The two kernels measured.
#[derive(Clone, Copy)]
enum Backend {
    Faer,
    Nalgebra,
}

/// `out ← a · b[:, cols]` for the columns `start..start + len`, on the calling thread.
fn block(backend: Backend, a: &DMatrix<f32>, b: &DMatrix<f32>, out: &mut [f32], start: usize) {
    let (m, k) = a.shape();
    let len = out.len() / m;
    let b_block = &b.as_slice()[start * k..(start + len) * k];
    match backend {
        Backend::Faer => faer::linalg::matmul::matmul(
            faer::MatMut::from_column_major_slice_mut(out, m, len),
            faer::Accum::Replace,
            faer::MatRef::from_column_major_slice(a.as_slice(), m, k),
            faer::MatRef::from_column_major_slice(b_block, k, len),
            1.0,
            faer::Par::Seq,
        ),
        Backend::Nalgebra => {
            let mut out = nalgebra::DMatrixViewMut::from_slice(out, m, len);
            out.gemm(1.0, a, &b.columns(start, len), 0.0);
        }
    }
}

fn product(
    backend: Backend,
    a: &DMatrix<f32>,
    b: &DMatrix<f32>,
    c: &mut DMatrix<f32>,
    threads: usize,
) {
    let m = a.nrows();
    if threads == 1 {
        return block(backend, a, b, c.as_mut_slice(), 0);
    }
    let half = b.ncols() / 2;
    let (left, right) = c.as_mut_slice().split_at_mut(half * m);
    rayon::join(
        || block(backend, a, b, left, 0),
        || block(backend, a, b, right, half),
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
        for (name, backend) in [("faer", Backend::Faer), ("nalgebra", Backend::Nalgebra)] {
            for threads in [1, 2] {
                group.bench_with_input(
                    BenchmarkId::new(format!("{name}/threads{threads}"), n),
                    &n,
                    |bch, _| {
                        bch.iter(|| {
                            product(backend, black_box(&a), black_box(&b), &mut out, threads)
                        })
                    },
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, sgemm);
criterion_main!(benches);
