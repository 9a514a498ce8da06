//! Matrix products on column-major slices with arbitrary operand strides.
//!
//! Every product of the network goes through [`gemm`], so training, replay and decoding compute
//! the same numbers with the same kernel. Transposes are stride swaps, never copies.
//!
//! Skinny products, where the result has at most [`SKINNY`] rows or columns (the `n_out = 2`
//! readout and its gradient, `∂U` with `n_in = 2`, a batch of a few replay paths), use direct
//! loops: the blocked kernel would spend most of its time packing the large operand for a handful
//! of dot products (measured 5–10× slower for `2 × 128 · 128 × 6400`). Everything else calls the
//! blocked `f32`/`f64` kernels of faer directly on strided views (nalgebra's own product goes
//! through `matrixmultiply`, measured 1.3–2.4× slower at the network's shapes, and switches to a
//! slow column-by-column loop when any dimension is at most 5).
//!
//! Large products are split over the rayon pool into blocks of output rows or columns, each
//! computed by one kernel call. Every output entry is then still one kernel's sum over the whole
//! inner dimension, in the same order, so the result does not depend on the number of threads.

use std::any::TypeId;

use nalgebra::RealField;

use replay_sampler::simd::wide;

/// Largest number of result rows or columns handled by the direct loops.
pub(crate) const SKINNY: usize = 4;

/// Length of the blocks of the inner dimension copied to the stack by the few-rows loop.
const BLOCK: usize = 256;

/// A read-only matrix over a slice: entry `(i, j)` is `data[i·rs + j·cs]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mat<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a, T> Mat<'a, T> {
    /// A column-major `rows × cols` matrix stored in `data`.
    pub(crate) fn new(data: &'a [T], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            rs: 1,
            cs: rows,
        }
    }

    /// The transpose, sharing the data.
    pub(crate) fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// The first `r` rows and the rest.
    fn split_rows(self, r: usize) -> (Self, Self) {
        let rest = Self {
            data: &self.data[r * self.rs..],
            rows: self.rows - r,
            ..self
        };
        (Self { rows: r, ..self }, rest)
    }

    /// The first `c` columns and the rest.
    fn split_cols(self, c: usize) -> (Self, Self) {
        let rest = Self {
            data: &self.data[c * self.cs..],
            cols: self.cols - c,
            ..self
        };
        (Self { cols: c, ..self }, rest)
    }

    /// Whether every index the shape and strides address lies inside `data`.
    fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < self.data.len()
    }
}

/// `c ← α a b + β c`, with `c` a column-major `a.rows × b.cols` slice. With `β = 0`, `c` is
/// overwritten without being read.
///
/// Shapes are the caller's invariant (checked when data enters the crate), so a mismatch here is
/// a bug and panics.
pub(crate) fn gemm<T: RealField + Copy>(
    alpha: T,
    a: Mat<'_, T>,
    b: Mat<'_, T>,
    beta: T,
    c: &mut [T],
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert!(
        b.rows == k && c.len() == m * n && a.in_bounds() && b.in_bounds(),
        "gemm: {}x{} times {}x{} into {} entries",
        a.rows,
        a.cols,
        b.rows,
        b.cols,
        c.len()
    );
    if m == 0 || n == 0 {
        return;
    }
    if n <= SKINNY && a.rs == 1 {
        return wide(
            #[inline(always)]
            || few_columns(alpha, a, b, beta, c),
        );
    }
    if m <= SKINNY && b.rs == 1 {
        return wide(
            #[inline(always)]
            || few_rows(alpha, a, b, beta, c),
        );
    }
    let id = TypeId::of::<T>();
    if id != TypeId::of::<f32>() && id != TypeId::of::<f64>() {
        return gemm_loops(alpha, a, b, beta, c);
    }
    let threads = rayon::current_num_threads();
    let work = m * k * n;
    let out = Out {
        ptr: c.as_mut_ptr(),
        rows: m,
        cols: n,
        cs: m,
    };
    if threads > 1 && work >= SHARED_PACKING_WORK {
        // SAFETY: `out` addresses exactly the `m × n` entries of the exclusively borrowed `c`.
        return unsafe { blocked(alpha, a, b, beta, out, faer::Par::rayon(threads)) };
    }
    let parts = if work >= PARALLEL_WORK { threads } else { 1 };
    // SAFETY: as above.
    unsafe { blocked_parts(alpha, a, b, beta, out, parts) }
}

/// Products with at least this many multiply–adds go to faer's own parallel product, whose
/// threads share the packed operands, instead of being split into independent blocks that each
/// pack all of the shared operand. Measured on a two-core Zen 4 (fastest-of-25 medians): faer's
/// parallel product ran `512 × 512 × 2000` at 186 GFLOP/s against 174 for two halves and
/// `512 × 2000 × 512` at 180 against 151, but `512 × 512 × 200` (a replay or per-step product at
/// shape B) at 110 against 179, so products below this size keep the split.
pub(crate) const SHARED_PACKING_WORK: usize = 1 << 26;

/// Products with at least this many multiply–adds (about 0.3 ms on one core) are split over the
/// rayon pool. Below it the hand-over to a second thread, and that thread's spinning while the
/// calling thread works on, cost more than the split saves: on a two-core virtual machine the
/// training step at shape A (whose largest products have just under 2²⁵ multiply–adds) ran 10 % slower on
/// two threads than on one with the threshold at 2²¹.
pub(crate) const PARALLEL_WORK: usize = 1 << 25;

/// A column-major block of the output: entry `(i, j)` at `ptr + i + j·cs`.
#[derive(Clone, Copy)]
struct Out<T> {
    ptr: *mut T,
    rows: usize,
    cols: usize,
    cs: usize,
}

// SAFETY: an `Out` is only ever handed to one thread at a time, and the blocks given to
// concurrent threads are disjoint (see `blocked_parts`).
unsafe impl<T: Send> Send for Out<T> {}

/// `out ← α a b + β out` with the blocked kernel, split into `parts` disjoint blocks of output
/// rows or columns computed in parallel.
///
/// The split never changes a bit of the result: every output entry is computed by the same
/// kernel from the same row of `a` and column of `b`, accumulating over the inner dimension in
/// the same blocks and order, whichever block it falls in; only the inner dimension's order
/// matters for rounding, and it is never split. So the product is identical for any number of
/// threads (tested against the unsplit product).
///
/// # Safety
///
/// `out` must address `a.rows × b.cols` entries that nothing else reads or writes meanwhile, and
/// `T` must be `f32` or `f64`.
unsafe fn blocked_parts<T: RealField + Copy>(
    alpha: T,
    a: Mat<'_, T>,
    b: Mat<'_, T>,
    beta: T,
    out: Out<T>,
    parts: usize,
) {
    let (m, n) = (out.rows, out.cols);
    // Split the dimension whose halves save the most packing: each part packs its share of the
    // operand being split and all of the other one.
    let by_rows = m >= n;
    let len = if by_rows { m } else { n };
    if parts < 2 || len < 64 {
        // SAFETY: forwarded from the caller.
        return unsafe { blocked(alpha, a, b, beta, out, faer::Par::Seq) };
    }
    let first = parts / 2;
    // A multiple of 32 so that the kernels' tiles stay whole.
    let cut = (len * first / parts).div_ceil(32) * 32;
    if cut >= len {
        // SAFETY: forwarded from the caller.
        return unsafe { blocked(alpha, a, b, beta, out, faer::Par::Seq) };
    }
    let (a1, a2, b1, b2, o1, o2) = if by_rows {
        let o1 = Out { rows: cut, ..out };
        // SAFETY: `cut < m`, so the offset stays inside the block.
        let o2 = Out {
            ptr: unsafe { out.ptr.add(cut) },
            rows: m - cut,
            ..out
        };
        let (a1, a2) = a.split_rows(cut);
        (a1, a2, b, b, o1, o2)
    } else {
        let o1 = Out { cols: cut, ..out };
        // SAFETY: `cut < n`, so the offset stays inside the block.
        let o2 = Out {
            ptr: unsafe { out.ptr.add(cut * out.cs) },
            cols: n - cut,
            ..out
        };
        let (b1, b2) = b.split_cols(cut);
        (a, a, b1, b2, o1, o2)
    };
    // SAFETY: `o1` and `o2` are disjoint blocks of `out`.
    rayon::join(
        move || unsafe { blocked_parts(alpha, a1, b1, beta, o1, first) },
        move || unsafe { blocked_parts(alpha, a2, b2, beta, o2, parts - first) },
    );
}

/// One call of faer's blocked kernel for `T`: on the calling thread with `Par::Seq`, over the
/// rayon pool with `Par::Rayon`.
///
/// faer is the backend because it was measured 1.3–2.4× faster than `matrixmultiply` at the
/// network's shapes on an AVX-512 machine (docs/performance.md). Three properties of it are
/// relied on, and tested here and by the training and replay equality tests: an output entry
/// does not depend on which block of rows or columns (of at least [`SKINNY`]` + 1` entries) it
/// is computed in, nor on the operands' strides, nor on how many threads faer's own parallel
/// product runs on (it divides the output, never the inner dimension).
///
/// # Safety
///
/// As [`blocked_parts`].
unsafe fn blocked<T: RealField + Copy>(
    alpha: T,
    a: Mat<'_, T>,
    b: Mat<'_, T>,
    beta: T,
    out: Out<T>,
    par: faer::Par,
) {
    let (m, k, n) = (out.rows, a.cols, out.cols);
    let accum = if beta == T::zero() {
        faer::Accum::Replace
    } else {
        if beta != T::one() {
            for j in 0..n {
                // SAFETY: column `j` of the block is `m` entries from `ptr + j·cs`, ours alone.
                let col = unsafe { std::slice::from_raw_parts_mut(out.ptr.add(j * out.cs), m) };
                col.iter_mut().for_each(|x| *x *= beta);
            }
        }
        faer::Accum::Add
    };
    macro_rules! call {
        ($f:ty) => {{
            let s = |x: T| x.to_subset().unwrap_or(f64::NAN) as $f;
            // SAFETY: `T` is `$f`, so the pointer casts are identities; `gemm` checked that
            // every address the shapes and strides form lies inside `a` and `b`, and the caller
            // guarantees `out` is exclusively ours.
            let (lhs, rhs, dst) = unsafe {
                (
                    faer::MatRef::<$f>::from_raw_parts(
                        a.data.as_ptr().cast(),
                        m,
                        k,
                        a.rs as isize,
                        a.cs as isize,
                    ),
                    faer::MatRef::<$f>::from_raw_parts(
                        b.data.as_ptr().cast(),
                        k,
                        n,
                        b.rs as isize,
                        b.cs as isize,
                    ),
                    faer::MatMut::<$f>::from_raw_parts_mut(
                        out.ptr.cast(),
                        m,
                        n,
                        1,
                        out.cs as isize,
                    ),
                )
            };
            faer::linalg::matmul::matmul(dst, accum, lhs, rhs, s(alpha), par);
        }};
    }
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        call!(f32);
    } else {
        call!(f64);
    }
}

/// `c ← β c`, without reading `c` when `β = 0`.
#[inline(always)]
fn scale<T: RealField + Copy>(c: &mut [T], beta: T) {
    if beta == T::zero() {
        c.fill(T::zero());
    } else if beta != T::one() {
        c.iter_mut().for_each(|x| *x *= beta);
    }
}

/// Few result columns, `a` column-major: one contiguous axpy per inner index and column.
#[inline(always)]
fn few_columns<T: RealField + Copy>(alpha: T, a: Mat<'_, T>, b: Mat<'_, T>, beta: T, c: &mut [T]) {
    let m = a.rows;
    scale(c, beta);
    for l in 0..a.cols {
        let a_col = &a.data[l * a.cs..l * a.cs + m];
        for (j, c_col) in c.chunks_exact_mut(m).enumerate() {
            let s = alpha * b.data[l * b.rs + j * b.cs];
            for (ci, &ai) in c_col.iter_mut().zip(a_col) {
                *ci += s * ai;
            }
        }
    }
}

/// Few result rows, `b` column-major: dot products of the rows of `a` (copied block by block
/// to a contiguous stack buffer) with the columns of `b`.
#[inline(always)]
fn few_rows<T: RealField + Copy>(alpha: T, a: Mat<'_, T>, b: Mat<'_, T>, beta: T, c: &mut [T]) {
    let (m, k) = (a.rows, a.cols);
    scale(c, beta);
    let mut rows = [T::zero(); SKINNY * BLOCK];
    for start in (0..k).step_by(BLOCK) {
        let len = BLOCK.min(k - start);
        for i in 0..m {
            for (l, r) in rows[i * BLOCK..i * BLOCK + len].iter_mut().enumerate() {
                *r = a.data[i * a.rs + (start + l) * a.cs];
            }
        }
        for (j, c_col) in c.chunks_exact_mut(m).enumerate() {
            let b_col = &b.data[j * b.cs + start..j * b.cs + start + len];
            for (i, ci) in c_col.iter_mut().enumerate() {
                *ci += alpha * dot(&rows[i * BLOCK..i * BLOCK + len], b_col);
            }
        }
    }
}

/// Dot product with eight independent partial sums, so that it vectorises.
#[inline(always)]
fn dot<T: RealField + Copy>(x: &[T], y: &[T]) -> T {
    sum_pairs(x, y, |a, b| a * b)
}

/// `Σ_i term(x_i, y_i)` with eight independent partial sums, added in a fixed tree, so that the
/// loop vectorises and the result does not depend on the vector width.
#[inline(always)]
pub(crate) fn sum_pairs<T: RealField + Copy>(x: &[T], y: &[T], term: impl Fn(T, T) -> T) -> T {
    const LANES: usize = 8;
    let mut acc = [T::zero(); LANES];
    let (xc, xr) = x.as_chunks::<LANES>();
    let (yc, yr) = y.as_chunks::<LANES>();
    for (xs, ys) in xc.iter().zip(yc) {
        for q in 0..LANES {
            acc[q] += term(xs[q], ys[q]);
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (&a, &b) in xr.iter().zip(yr) {
        s += term(a, b);
    }
    s
}

/// The plain triple loop, for scalar types other than `f32` and `f64`.
pub(crate) fn gemm_loops<T: RealField + Copy>(
    alpha: T,
    a: Mat<'_, T>,
    b: Mat<'_, T>,
    beta: T,
    c: &mut [T],
) {
    let m = a.rows;
    for j in 0..b.cols {
        for i in 0..m {
            let mut acc = T::zero();
            for l in 0..a.cols {
                acc += a.data[i * a.rs + l * a.cs] * b.data[l * b.rs + j * b.cs];
            }
            let out = &mut c[i + j * m];
            *out = if beta == T::zero() {
                alpha * acc
            } else {
                alpha * acc + beta * *out
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_kernel_and_loops_agree_on_every_transpose_and_small_size() {
        let data: Vec<f64> = (0..64).map(|i| ((i * 37) % 23) as f64 - 11.0).collect();
        for (m, k, n) in [
            (1, 1, 1),
            (2, 3, 1),
            (3, 2, 7),
            (7, 6, 2),
            (9, 4, 8),
            (2, 5, 9),
        ] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = if ta {
                    Mat::new(&data, k, m).t()
                } else {
                    Mat::new(&data, m, k)
                };
                let b = if tb {
                    Mat::new(&data[5..], n, k).t()
                } else {
                    Mat::new(&data[5..], k, n)
                };
                let mut c1: Vec<f64> = (0..m * n).map(|i| i as f64).collect();
                let mut c2 = c1.clone();
                gemm(2.0, a, b, 0.5, &mut c1);
                gemm_loops(2.0, a, b, 0.5, &mut c2);
                // Small integers: both are exact, so they agree exactly.
                assert_eq!(c1, c2, "{m}x{k}x{n} transposes {ta} {tb}");
            }
        }
    }

    #[test]
    fn gemm_few_rows_over_several_blocks_matches_loops() {
        // k spans more than one stack block; values are small integers so sums are exact.
        let (m, k, n) = (3, 2 * BLOCK + 37, 6);
        let a: Vec<f64> = (0..m * k).map(|i| ((i * 13) % 7) as f64 - 3.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| ((i * 5) % 9) as f64 - 4.0).collect();
        let mut c1 = vec![1.0; m * n];
        let mut c2 = c1.clone();
        gemm(1.0, Mat::new(&a, m, k), Mat::new(&b, k, n), 1.0, &mut c1);
        gemm_loops(1.0, Mat::new(&a, m, k), Mat::new(&b, k, n), 1.0, &mut c2);
        assert_eq!(c1, c2);
        // And with few columns.
        let mut c1 = vec![0.0; n * m];
        let mut c2 = c1.clone();
        gemm(
            1.0,
            Mat::new(&b, k, n).t(),
            Mat::new(&a, m, k).t(),
            0.0,
            &mut c1,
        );
        gemm_loops(
            1.0,
            Mat::new(&b, k, n).t(),
            Mat::new(&a, m, k).t(),
            0.0,
            &mut c2,
        );
        assert_eq!(c1, c2);
    }

    /// Products of irrational-looking values, so that any change of summation order would show.
    fn split_product(
        m: usize,
        k: usize,
        n: usize,
        transposed: bool,
        beta: f32,
        parts: usize,
    ) -> Vec<f32> {
        let x: Vec<f32> = (0..m * k).map(|i| ((i as f32) * 0.618_034).sin()).collect();
        let y: Vec<f32> = (0..k * n).map(|i| ((i as f32) * 1.732_05).cos()).collect();
        let a = if transposed {
            Mat::new(&x, k, m).t()
        } else {
            Mat::new(&x, m, k)
        };
        let b = if transposed {
            Mat::new(&y, n, k).t()
        } else {
            Mat::new(&y, k, n)
        };
        let mut c: Vec<f32> = (0..m * n).map(|i| (i as f32 * 0.1).sin()).collect();
        let out = Out {
            ptr: c.as_mut_ptr(),
            rows: m,
            cols: n,
            cs: m,
        };
        // SAFETY: `out` is the whole of `c`, borrowed by nothing else.
        unsafe { blocked_parts(1.5, a, b, beta, out, parts) };
        c
    }

    #[test]
    fn gemm_split_over_threads_is_bit_identical_to_one_call() {
        // Tall (split by rows) and wide (split by columns) outputs, odd sizes, both layouts.
        for (m, k, n) in [
            (300, 257, 70),
            (70, 300, 333),
            (128, 6400, 128),
            (65, 9, 64),
        ] {
            for transposed in [false, true] {
                for beta in [0.0, 1.0] {
                    let whole = split_product(m, k, n, transposed, beta, 1);
                    for parts in [2, 3, 5] {
                        let split = split_product(m, k, n, transposed, beta, parts);
                        let same = whole
                            .iter()
                            .zip(&split)
                            .all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(
                            same,
                            "{m}x{k}x{n} transposed {transposed} beta {beta} parts {parts}"
                        );
                    }
                }
            }
        }
        // And through the public entry point, on a pool of two threads against one.
        let product = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| split_product(512, 512, 200, false, 1.0, rayon::current_num_threads()))
        };
        assert_eq!(product(1), product(2));
    }

    /// `gemm` itself, on a pool of `threads`: above [`SHARED_PACKING_WORK`] on two threads it is
    /// faer's parallel product, below it the split.
    fn pooled_product(m: usize, k: usize, n: usize, transposed: bool, threads: usize) -> Vec<f32> {
        let x: Vec<f32> = (0..m * k).map(|i| ((i as f32) * 0.618_034).sin()).collect();
        let y: Vec<f32> = (0..k * n).map(|i| ((i as f32) * 1.732_05).cos()).collect();
        let (a, b) = if transposed {
            (Mat::new(&x, k, m).t(), Mat::new(&y, n, k).t())
        } else {
            (Mat::new(&x, m, k), Mat::new(&y, k, n))
        };
        let mut c: Vec<f32> = (0..m * n).map(|i| (i as f32 * 0.1).sin()).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| gemm(1.5, a, b, 1.0, &mut c));
        c
    }

    #[test]
    fn gemm_shared_packing_product_is_bit_identical_on_one_two_and_three_threads() {
        // The shapes of training B's chunk products, one below the threshold, and odd sizes.
        for (m, k, n) in [
            (512, 512, 2000),
            (512, 2000, 512),
            (300, 1999, 257),
            (512, 512, 200),
        ] {
            for transposed in [false, true] {
                let one = pooled_product(m, k, n, transposed, 1);
                for threads in [2, 3] {
                    let many = pooled_product(m, k, n, transposed, threads);
                    let same = one
                        .iter()
                        .zip(&many)
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(
                        same,
                        "{m}x{k}x{n} transposed {transposed} threads {threads}"
                    );
                }
            }
        }
    }
    const _: () = assert!(512 * 512 * 2000 >= SHARED_PACKING_WORK);
    const _: () = assert!(300 * 1999 * 257 >= SHARED_PACKING_WORK);
    const _: () = assert!(512 * 512 * 200 < SHARED_PACKING_WORK);

    #[test]
    fn gemm_result_does_not_depend_on_operand_layout() {
        // Backward products read their operands transposed (stride swaps); the forward ones read
        // them as stored. The same values must give the same bits either way.
        for (m, k, n) in [(128, 128, 64), (512, 300, 200), (33, 2000, 40)] {
            let a = |i: usize, l: usize| ((i * 31 + l * 17) as f32 * 0.618_034).sin();
            let b = |l: usize, j: usize| ((l * 13 + j * 7) as f32 * 1.732_05).cos();
            let a_col: Vec<f32> = (0..m * k).map(|p| a(p % m, p / m)).collect();
            let a_row: Vec<f32> = (0..m * k).map(|p| a(p / k, p % k)).collect();
            let b_col: Vec<f32> = (0..k * n).map(|p| b(p % k, p / k)).collect();
            let b_row: Vec<f32> = (0..k * n).map(|p| b(p / n, p % n)).collect();
            let mut stored = vec![0.0f32; m * n];
            gemm(
                1.0,
                Mat::new(&a_col, m, k),
                Mat::new(&b_col, k, n),
                0.0,
                &mut stored,
            );
            let mut swapped = vec![0.0f32; m * n];
            let (at, bt) = (Mat::new(&a_row, k, m).t(), Mat::new(&b_row, n, k).t());
            gemm(1.0, at, bt, 0.0, &mut swapped);
            let same = stored
                .iter()
                .zip(&swapped)
                .all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{m}x{k}x{n}");
        }
    }

    // `train_is_bit_identical_on_one_and_two_threads` (tests/train.rs) proves nothing unless its
    // steps overlap the noise and its chunk products run over the pool: checked when the tests
    // compile.
    const _: () = assert!(256 * 256 * 128 >= crate::forward::OVERLAP_WORK);
    const _: () = assert!(256 * 1920 * 256 >= SHARED_PACKING_WORK);

    #[test]
    fn gemm_with_zero_beta_ignores_nan_in_output() {
        let a = [1.0f32, 2.0];
        let b = [3.0f32];
        let mut c = [f32::NAN, f32::NAN];
        gemm(1.0, Mat::new(&a, 2, 1), Mat::new(&b, 1, 1), 0.0, &mut c);
        assert_eq!(c, [3.0, 6.0]);
    }
}
