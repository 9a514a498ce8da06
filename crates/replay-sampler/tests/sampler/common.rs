//! Shared tools: chain statistics over many parallel chains, and exact stationary covariances
//! of linear recursions.

use nalgebra::{DMatrix, DVector};
use rand_chacha::ChaCha8Rng;
use replay_sampler::{Drift, Integrator, SamplerState};

/// A sample mean and its standard error.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub mean: f64,
    pub se: f64,
}

impl Estimate {
    /// Number of standard errors between the estimate and `truth`.
    pub fn z(&self, truth: f64) -> f64 {
        (self.mean - truth) / self.se
    }
}

/// Mean and standard error of independent values.
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Estimate {
        mean,
        se: (var / n).sqrt(),
    }
}

/// Runs one-dimensional chains (the columns of `state`) for `burn` steps, then `keep` steps,
/// and estimates the stationary `E[x²]` and `E[v²]` from each chain's time average. Chains are
/// independent, so the spread of their averages gives an honest standard error whatever the
/// autocorrelation within a chain.
pub fn second_moments<I: Integrator<f64>, D: Drift<f64>>(
    scheme: &I,
    state: &mut SamplerState<f64>,
    drift: &D,
    burn: usize,
    keep: usize,
    rng: &mut ChaCha8Rng,
) -> (Estimate, Option<Estimate>) {
    assert_eq!(state.dim(), 1);
    scheme
        .run(state, drift, None, burn, rng, &mut |_: &SamplerState<
            f64,
        >| {})
        .unwrap();
    let batch = state.batch();
    let mut xx = vec![0.0; batch];
    let mut vv = vec![0.0; batch];
    let mut acc = |s: &SamplerState<f64>| {
        for (a, x) in xx.iter_mut().zip(s.positions().iter()) {
            *a += x * x;
        }
        if let Some(v) = s.velocities() {
            for (a, v) in vv.iter_mut().zip(v.iter()) {
                *a += v * v;
            }
        }
    };
    scheme.run(state, drift, None, keep, rng, &mut acc).unwrap();
    let k = keep as f64;
    let xs: Vec<f64> = xx.iter().map(|a| a / k).collect();
    let vs: Vec<f64> = vv.iter().map(|a| a / k).collect();
    let v_est = state.velocities().map(|_| estimate(&vs));
    (estimate(&xs), v_est)
}

/// Stationary covariance `C = A C Aᵀ + Σ_i b_i b_iᵀ` of `z' = A z + Σ_i b_i ξ_i`, by the doubling
/// iteration `C ← C + A C Aᵀ`, `A ← A²` (requires spectral radius of `A` below one).
pub fn lyapunov(a: &DMatrix<f64>, loadings: &[DVector<f64>]) -> DMatrix<f64> {
    let n = a.nrows();
    let mut c = DMatrix::zeros(n, n);
    for b in loadings {
        c += b * b.transpose();
    }
    let mut a = a.clone();
    for _ in 0..60 {
        c = &c + &a * &c * a.transpose();
        a = &a * &a;
    }
    c
}

/// A 2 × 2 matrix from rows.
pub fn mat2(r0: [f64; 2], r1: [f64; 2]) -> DMatrix<f64> {
    DMatrix::from_row_slice(2, 2, &[r0[0], r0[1], r1[0], r1[1]])
}

/// A 2-vector.
pub fn vec2(a: f64, b: f64) -> DVector<f64> {
    DVector::from_vec(vec![a, b])
}
