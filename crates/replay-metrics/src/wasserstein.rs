//! Exact Wasserstein distances between empirical distributions in any dimension.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::assignment::assign;
use crate::one_d::wasserstein_1d_pow;
use crate::transport::successive_shortest_paths;
use crate::{MetricsError, Result, check};

/// Largest dense cost matrix the exact solvers build (`n · m` entries, 512 MiB of `f64`).
///
/// Larger problems get an error naming both sizes; subsample them (see
/// [`subsample`](crate::subsample)) or use [`sliced_wasserstein`](crate::sliced_wasserstein).
///
/// ```
/// // Two samples of 8192 points fit; one more point on each side does not.
/// assert!(8192 * 8192 <= replay_metrics::MAX_DENSE_COSTS);
/// assert!(8193 * 8193 > replay_metrics::MAX_DENSE_COSTS);
/// ```
pub const MAX_DENSE_COSTS: usize = 1 << 26;

/// The order `p` of a Wasserstein distance, with the Euclidean ground metric.
///
/// `W_p(μ, ν) = (min_π Σ π_ij ‖x_i − y_j‖^p)^{1/p}`.
///
/// ```
/// use replay_metrics::Order;
///
/// assert_eq!(Order::W1.p(), 1.0);
/// assert_eq!(Order::W2.p(), 2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Order {
    /// Earth mover's distance, `p = 1`.
    W1,
    /// Quadratic Wasserstein distance, `p = 2`.
    W2,
}

impl Order {
    /// The exponent `p`.
    ///
    /// ```
    /// assert_eq!(replay_metrics::Order::W2.p(), 2.0);
    /// ```
    pub fn p(self) -> f64 {
        match self {
            Order::W1 => 1.0,
            Order::W2 => 2.0,
        }
    }

    /// `|d|^p` for a signed 1-D difference `d`.
    #[inline]
    pub(crate) fn pow_abs(self, d: f64) -> f64 {
        match self {
            Order::W1 => d.abs(),
            Order::W2 => d * d,
        }
    }

    /// `‖·‖^p` from a squared Euclidean distance.
    #[inline]
    fn ground_cost(self, sq: f64) -> f64 {
        match self {
            Order::W1 => sq.sqrt(),
            Order::W2 => sq,
        }
    }

    /// `t^{1/p}`.
    #[inline]
    pub(crate) fn root(self, t: f64) -> f64 {
        match self {
            Order::W1 => t,
            Order::W2 => t.max(0.0).sqrt(),
        }
    }
}

/// `W_p` between the uniform empirical distributions of `x` and `y` (each `dim × n`, one column
/// per point), exactly.
///
/// Dispatches to the fastest exact method: sorting for 1-D data (any sizes); optimal assignment
/// for equal sizes (about 0.06 s for 1000 points and 0.4 s for 2000 in 2-D), and for unequal
/// sizes whose least common multiple `L` is at most four times the larger size (each point
/// repeated to `L` atoms); the general transport solver otherwise. That last one is meant for a
/// few hundred points a side: for larger samples of awkward sizes, [`subsample`](crate::subsample)
/// both to a common size or use [`sliced_wasserstein`](crate::sliced_wasserstein).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{Order, wasserstein};
///
/// let x = DMatrix::from_column_slice(2, 2, &[0.0, 0.0, 1.0, 0.0]);
/// let y = DMatrix::from_column_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]);
/// // Each point moves straight up by 1.
/// assert!((wasserstein(&x, &y, Order::W2).unwrap() - 1.0).abs() < 1e-15);
/// ```
pub fn wasserstein(x: &DMatrix<f64>, y: &DMatrix<f64>, order: Order) -> Result<f64> {
    check::point_pair(x, y)?;
    if x.nrows() == 1 {
        let t = wasserstein_1d_pow(x.as_slice(), None, y.as_slice(), None, order);
        Ok(order.root(t))
    } else if x.ncols() == y.ncols() {
        wasserstein_assignment(x, y, order)
    } else if let Some(common) = replication_size(x.ncols(), y.ncols()) {
        // Uniform weights 1/n and 1/m are uniform weights 1/L on L = lcm(n, m) atoms when each
        // point is repeated L/n (or L/m) times; the L × L assignment then has the same optimum
        // (Birkhoff) and is much faster than the general transport solver.
        let repeat = |p: &DMatrix<f64>| {
            let k = common / p.ncols();
            DMatrix::from_fn(p.nrows(), common, |i, j| p[(i, j / k)])
        };
        wasserstein_assignment(&repeat(x), &repeat(y), order)
    } else {
        let a = vec![1.0 / x.ncols() as f64; x.ncols()];
        let b = vec![1.0 / y.ncols() as f64; y.ncols()];
        let costs = cost_matrix(x, y, order)?;
        Ok(order.root(successive_shortest_paths(&costs, a, b)?.cost))
    }
}

/// `W_p` between two samples of equal size with uniform weights, by optimal assignment (LAPJV),
/// in any dimension: `W_p^p = min_σ (1/n) Σ_i ‖x_i − y_σ(i)‖^p`.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{Order, wasserstein_assignment};
///
/// let x = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 2.0]);
/// let y = DMatrix::from_row_slice(1, 3, &[5.0, 3.0, 4.0]);
/// // Sorted matching: every point moves by 3.
/// assert!((wasserstein_assignment(&x, &y, Order::W1).unwrap() - 3.0).abs() < 1e-15);
/// ```
pub fn wasserstein_assignment(x: &DMatrix<f64>, y: &DMatrix<f64>, order: Order) -> Result<f64> {
    check::point_pair(x, y)?;
    check::same("y (columns = points)", x.ncols(), y.ncols())?;
    let n = x.ncols();
    let costs = cost_matrix(x, y, order)?;
    Ok(order.root(assign(&costs, n).cost / n as f64))
}

/// `W_p` between weighted empirical distributions `Σ a_i δ_{x_i}` and `Σ b_j δ_{y_j}`, exactly.
///
/// Weights must be non-negative with positive sums (they are normalised). The solver is the
/// successive-shortest-path transport solver (see [`solve_transport`](crate::solve_transport)),
/// suited to a few hundred points a side.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::{Order, wasserstein_weighted};
///
/// // Mass 1 at the origin against masses 1/4 and 3/4 at distances 1 and 2.
/// let x = DMatrix::from_column_slice(2, 1, &[0.0, 0.0]);
/// let y = DMatrix::from_column_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]);
/// let w1 = wasserstein_weighted(&x, &[1.0], &y, &[0.25, 0.75], Order::W1).unwrap();
/// assert!((w1 - 1.75).abs() < 1e-15);
/// ```
pub fn wasserstein_weighted(
    x: &DMatrix<f64>,
    a: &[f64],
    y: &DMatrix<f64>,
    b: &[f64],
    order: Order,
) -> Result<f64> {
    check::point_pair(x, y)?;
    let a = check::weights("a", a, x.ncols())?;
    let b = check::weights("b", b, y.ncols())?;
    let costs = cost_matrix(x, y, order)?;
    Ok(order.root(successive_shortest_paths(&costs, a, b)?.cost))
}

/// The common size `lcm(n, m)` when repeating points to it is worth it (at most four times the
/// larger size, and within the dense limit).
fn replication_size(n: usize, m: usize) -> Option<usize> {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let lcm = n / gcd(n, m) * m;
    (lcm <= 4 * n.max(m) && lcm.saturating_mul(lcm) <= MAX_DENSE_COSTS).then_some(lcm)
}

/// Row-major `n × m` matrix of `‖x_i − y_j‖^p`, computed directly (not as `‖x‖² + ‖y‖² − 2x·y`,
/// which cancels catastrophically for nearby points and would make `W(X, X)` non-zero).
pub(crate) fn cost_matrix(x: &DMatrix<f64>, y: &DMatrix<f64>, order: Order) -> Result<Vec<f64>> {
    let (n, m) = (x.ncols(), y.ncols());
    let entries = n.saturating_mul(m);
    if entries > MAX_DENSE_COSTS {
        return Err(MetricsError::InvalidParameter {
            field: "x.ncols() × y.ncols()",
            value: format!("{n} × {m}"),
            reason: "too large for a dense cost matrix; subsample or use sliced_wasserstein",
        });
    }
    let mut costs = vec![0.0; entries];
    match x.nrows() {
        1 => fill::<1>(x, y, order, &mut costs),
        2 => fill::<2>(x, y, order, &mut costs),
        3 => fill::<3>(x, y, order, &mut costs),
        _ => fill_any(x, y, order, &mut costs),
    }
    check::costs("x, y (pairwise costs)", &costs)?;
    Ok(costs)
}

fn fill<const D: usize>(x: &DMatrix<f64>, y: &DMatrix<f64>, order: Order, costs: &mut [f64]) {
    let ys: Vec<[f64; D]> = y
        .as_slice()
        .chunks_exact(D)
        .map(|c| std::array::from_fn(|k| c[k]))
        .collect();
    for (row, xi) in costs
        .chunks_exact_mut(ys.len())
        .zip(x.as_slice().chunks_exact(D))
    {
        for (c, yj) in row.iter_mut().zip(&ys) {
            let mut sq = 0.0;
            for k in 0..D {
                let d = xi[k] - yj[k];
                sq += d * d;
            }
            *c = order.ground_cost(sq);
        }
    }
}

fn fill_any(x: &DMatrix<f64>, y: &DMatrix<f64>, order: Order, costs: &mut [f64]) {
    let d = x.nrows();
    for (row, xi) in costs
        .chunks_exact_mut(y.ncols())
        .zip(x.as_slice().chunks_exact(d))
    {
        for (c, yj) in row.iter_mut().zip(y.as_slice().chunks_exact(d)) {
            let sq: f64 = xi.iter().zip(yj).map(|(a, b)| (a - b) * (a - b)).sum();
            *c = order.ground_cost(sq);
        }
    }
}
