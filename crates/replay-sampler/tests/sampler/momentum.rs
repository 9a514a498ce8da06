//! The momentum update: reduction to first order, and the exact stationary variance of the
//! linear case against the overdamped one.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::IsotropicGaussian;
use replay_sampler::{EulerMaruyama, Integrator, Momentum, SamplerState, Trajectory};

use crate::common::{lyapunov, mat2, second_moments, vec2};
use crate::determinism::Bump;

/// Overdamped `h' = h − k h + σ ξ`: `Var = σ² / (k (2 − k))`.
fn overdamped_variance(k: f64, sigma: f64) -> f64 {
    sigma * sigma / (k * (2.0 - k))
}

/// Momentum `v' = (1 − λ) v − k h + σ_v ξ`, `h' = h + v'`:
/// `Var h = σ_v² (2 − λ) / (k λ (2 (2 − λ) − k))` (docs/theory.md).
fn momentum_variance(k: f64, lambda: f64, sigma_v: f64) -> f64 {
    sigma_v * sigma_v * (2.0 - lambda) / (k * lambda * (2.0 * (2.0 - lambda) - k))
}

/// Records a full trajectory of `scheme` from a fixed start.
fn trajectory<I: Integrator<f64>>(scheme: &I, seed: u64, steps: usize) -> Trajectory<f64> {
    let start = DMatrix::from_fn(3, 4, |i, j| (i as f64 - 1.0) * 0.7 + j as f64 * 0.3);
    let mut state = SamplerState::new(start).unwrap();
    let mut traj = Trajectory::new(3, 4, 1, steps).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    scheme
        .run(&mut state, &Bump, None, steps, &mut rng, &mut traj)
        .unwrap();
    traj
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn momentum_with_full_friction_is_bit_identical_to_first_order(
        sigma in 0.0f64..0.5,
        seed in any::<u64>(),
    ) {
        let first = trajectory(&EulerMaruyama::new(1.0, sigma).unwrap(), seed, 200);
        let second = trajectory(&Momentum::new(1.0, sigma).unwrap(), seed, 200);
        prop_assert!(first.as_slice().iter().zip(second.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits()));
        prop_assert_eq!(first.len(), 200);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn momentum_stationary_variance_matches_closed_form(
        k in 0.05f64..0.8,
        lambda in 0.1f64..1.0,
        sigma in 0.1f64..2.0,
        seed in any::<u64>(),
    ) {
        let target = IsotropicGaussian::new(DVector::zeros(1), 1.0 / k).unwrap(); // f = −k h
        let scheme = Momentum::new(lambda, sigma).unwrap();
        let mut state = SamplerState::new(DMatrix::zeros(1, 1000)).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (x, _) = second_moments(&scheme, &mut state, &target, 600, 1200, &mut rng);
        let truth = momentum_variance(k, lambda, sigma * lambda.sqrt());
        eprintln!("momentum: k={k:.3} λ={lambda:.3} σ={sigma:.3} truth={truth:.5} measured={:.5}±{:.5} z={:.2} overdamped={:.5}",
            x.mean, x.se, x.z(truth), overdamped_variance(k, sigma));
        prop_assert!(x.z(truth).abs() < 5.0, "z = {}", x.z(truth));
    }
}

/// The closed form is the exact solution of the 2 × 2 discrete Lyapunov equation.
#[test]
fn momentum_closed_form_equals_lyapunov_solution() {
    for &(k, lambda, sv) in &[
        (0.1, 0.3, 0.2),
        (0.5, 1.0, 1.0),
        (1.2, 0.05, 0.7),
        (2.0, 0.9, 1.0),
    ] {
        let mu = 1.0 - lambda;
        // z = (h, v): v' = μ v − k h + σ_v ξ, h' = h + v'.
        let a = mat2([1.0 - k, mu], [-k, mu]);
        let c = lyapunov(&a, &[vec2(sv, sv)]);
        let closed = momentum_variance(k, lambda, sv);
        let rel = (c[(0, 0)] - closed).abs() / closed;
        assert!(
            rel < 1e-10,
            "k={k} λ={lambda}: lyapunov {} vs closed {closed}",
            c[(0, 0)]
        );
    }
}

/// With `σ_v = σ √λ`, both samplers reach `σ² / (2k)` as `k → 0`, and their relative
/// difference is `k (1 − λ) / (2 (2 − λ) − k)`, first order in `k`.
#[test]
fn momentum_matched_noise_agrees_with_overdamped_to_first_order_in_the_step() {
    for &lambda in &[0.05, 0.3, 0.7, 1.0] {
        for &k in &[1e-4, 1e-3, 1e-2, 0.1, 0.5] {
            let sigma = 0.3;
            let over = overdamped_variance(k, sigma);
            let under = momentum_variance(k, lambda, sigma * f64::sqrt(lambda));
            let rel = under / over - 1.0;
            let predicted = -k * (1.0 - lambda) / (2.0 * (2.0 - lambda) - k);
            assert!(
                (rel - predicted).abs() < 1e-9 * (1.0 + predicted.abs()),
                "λ={lambda} k={k}"
            );
            assert!(
                rel.abs() <= k / 2.0 + 1e-15,
                "not O(k): λ={lambda} k={k} rel={rel}"
            );
            // Leading order: both ≈ σ²/(2k).
            let leading = sigma * sigma / (2.0 * k);
            assert!((under / leading - 1.0).abs() <= k, "λ={lambda} k={k}");
        }
    }
    // Without matching (σ_v = σ), the variances differ by a factor 1/λ even as k → 0.
    let (k, lambda, sigma) = (1e-4, 0.25, 0.3);
    let ratio = momentum_variance(k, lambda, sigma) / overdamped_variance(k, sigma);
    assert!((ratio * lambda - 1.0).abs() < 1e-3);
}
