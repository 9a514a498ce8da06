//! Exact Wasserstein distances on the line, through quantile functions.
//!
//! In one dimension the optimal plan is monotone, so `W_p^p = ∫_0^1 |F⁻¹(t) − G⁻¹(t)|^p dt`,
//! a merge of the two sorted samples along their cumulative weights.

use crate::{MetricsError, Order, Result, check};

/// `W_p` between the uniform empirical distributions of two 1-D samples of any sizes.
///
/// ```
/// use replay_metrics::{Order, wasserstein_1d};
///
/// // Quantiles of {0, 1} against {0, 0.5, 1, 1.5}: half the mass moves by 0 and 0.5, half by 0 and 0.5.
/// let w1 = wasserstein_1d(&[0.0, 1.0], &[0.0, 0.5, 1.0, 1.5], Order::W1).unwrap();
/// assert!((w1 - 0.25).abs() < 1e-15);
/// ```
pub fn wasserstein_1d(x: &[f64], y: &[f64], order: Order) -> Result<f64> {
    nonempty_finite("x", x)?;
    nonempty_finite("y", y)?;
    Ok(order.root(wasserstein_1d_pow(x, None, y, None, order)))
}

/// `W_p` between weighted 1-D distributions `Σ a_i δ_{x_i}` and `Σ b_j δ_{y_j}`.
///
/// Weights must be non-negative with positive sums; they are normalised.
///
/// ```
/// use replay_metrics::{Order, wasserstein_1d_weighted};
///
/// // δ_0 against 1/4 δ_1 + 3/4 δ_2.
/// let w2 = wasserstein_1d_weighted(&[0.0], &[1.0], &[1.0, 2.0], &[0.25, 0.75], Order::W2).unwrap();
/// assert!((w2 - (0.25_f64 + 3.0).sqrt()).abs() < 1e-15);
/// ```
pub fn wasserstein_1d_weighted(
    x: &[f64],
    a: &[f64],
    y: &[f64],
    b: &[f64],
    order: Order,
) -> Result<f64> {
    nonempty_finite("x", x)?;
    nonempty_finite("y", y)?;
    let a = check::weights("a", a, x.len())?;
    let b = check::weights("b", b, y.len())?;
    Ok(order.root(wasserstein_1d_pow(x, Some(&a), y, Some(&b), order)))
}

fn nonempty_finite(field: &'static str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(MetricsError::Empty { field });
    }
    check::finite(field, values)
}

/// `W_p^p` on validated input; `None` weights mean uniform. Weights, if given, sum to 1.
pub(crate) fn wasserstein_1d_pow(
    x: &[f64],
    a: Option<&[f64]>,
    y: &[f64],
    b: Option<&[f64]>,
    order: Order,
) -> f64 {
    match (a, b) {
        (None, None) => {
            let mut xs = x.to_vec();
            let mut ys = y.to_vec();
            xs.sort_unstable_by(f64::total_cmp);
            ys.sort_unstable_by(f64::total_cmp);
            sorted_uniform_pow(&xs, &ys, order)
        }
        _ => {
            let uniform = |len: usize| vec![1.0 / len as f64; len];
            let a = a.map_or_else(|| uniform(x.len()), <[f64]>::to_vec);
            let b = b.map_or_else(|| uniform(y.len()), <[f64]>::to_vec);
            let (xs, a) = sorted_with_weights(x, &a);
            let (ys, b) = sorted_with_weights(y, &b);
            sorted_weighted_pow(&xs, &a, &ys, &b, order)
        }
    }
}

fn sorted_with_weights(x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_unstable_by(|&i, &j| x[i].total_cmp(&x[j]).then(i.cmp(&j)));
    (
        idx.iter().map(|&i| x[i]).collect(),
        idx.iter().map(|&i| w[i]).collect(),
    )
}

/// `W_p^p` between sorted samples with uniform weights. Masses are counted in integer units of
/// `1 / (n·m)` (each x atom holds `m` units, each y atom `n`), so the merge has no rounding drift.
pub(crate) fn sorted_uniform_pow(xs: &[f64], ys: &[f64], order: Order) -> f64 {
    let (n, m) = (xs.len(), ys.len());
    if n == m {
        let total: f64 = xs.iter().zip(ys).map(|(a, b)| order.pow_abs(a - b)).sum();
        return total / n as f64;
    }
    let (mut i, mut j) = (0, 0);
    let (mut ra, mut rb) = (m, n);
    let mut total = 0.0;
    while i < n && j < m {
        let step = ra.min(rb);
        total += step as f64 * order.pow_abs(xs[i] - ys[j]);
        ra -= step;
        rb -= step;
        if ra == 0 {
            i += 1;
            ra = m;
        }
        if rb == 0 {
            j += 1;
            rb = n;
        }
    }
    total / (n as f64 * m as f64)
}

/// `W_p^p` between sorted samples with weights summing to 1 each.
fn sorted_weighted_pow(xs: &[f64], a: &[f64], ys: &[f64], b: &[f64], order: Order) -> f64 {
    let (mut i, mut j) = (0, 0);
    let (mut ra, mut rb) = (a[0], b[0]);
    let mut total = 0.0;
    // The two weight sums can differ in the last ulp: stop when either side runs out.
    loop {
        let step = ra.min(rb);
        total += step * order.pow_abs(xs[i] - ys[j]);
        ra -= step;
        rb -= step;
        if ra <= 0.0 {
            i += 1;
            if i == xs.len() {
                break;
            }
            ra = a[i];
        }
        if rb <= 0.0 {
            j += 1;
            if j == ys.len() {
                break;
            }
            rb = b[j];
        }
    }
    total
}
