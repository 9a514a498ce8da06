//! Statistics shared by the integration tests, computed independently of the crate.

#![allow(dead_code)]

/// Upper `1 − p` quantile of the chi-square distribution with `df` degrees of freedom, by the
/// Wilson–Hilferty approximation (relative error below 1 % for df ≥ 10 at these tails).
pub fn chi_square_critical(df: usize, z_upper: f64) -> f64 {
    let k = df as f64;
    let a = 2.0 / (9.0 * k);
    k * (1.0 - a + z_upper * a.sqrt()).powi(3)
}

/// Standard normal quantile for an upper tail of 0.001.
pub const Z_0_001: f64 = 3.090_232_306;

/// Pearson's chi-square statistic of `counts` against expected probabilities `probs`.
pub fn chi_square(counts: &[usize], probs: &[f64]) -> f64 {
    let n: usize = counts.iter().sum();
    counts
        .iter()
        .zip(probs)
        .map(|(&c, &p)| {
            let e = p * n as f64;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

/// Distance from `x` to the segment from `a` to `b`, by the textbook formula.
pub fn segment_distance(x: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let t = (((x[0] - a[0]) * dx + (x[1] - a[1]) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    (a[0] + t * dx - x[0]).hypot(a[1] + t * dy - x[1])
}

/// Largest deviation between `start + cumsum(inputs)` and `positions`, over every path and step.
pub fn integration_error(batch: &replay_tasks::Batch<f64>) -> f64 {
    let mut worst: f64 = 0.0;
    for b in 0..batch.batch_size {
        let mut x = [batch.start_positions[(0, b)], batch.start_positions[(1, b)]];
        for t in 0..batch.steps {
            let col = t * batch.batch_size + b;
            x[0] += batch.inputs[(0, col)];
            x[1] += batch.inputs[(1, col)];
            worst = worst
                .max((x[0] - batch.positions[(0, col)]).abs())
                .max((x[1] - batch.positions[(1, col)]).abs());
        }
    }
    worst
}

#[test]
fn chi_square_critical_matches_tabulated_values() {
    // Tables: chi2_{0.999}(10) = 29.588, (30) = 59.703, (100) = 149.449.
    for (df, table) in [(10, 29.588), (30, 59.703), (100, 149.449)] {
        let approx = chi_square_critical(df, Z_0_001);
        assert!(
            (approx / table - 1.0).abs() < 0.01,
            "df {df}: {approx} vs {table}"
        );
    }
}
