//! Euler–Maruyama on a Gaussian target: the stationary variance with its step bias.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::IsotropicGaussian;
use replay_sampler::{EulerMaruyama, SamplerState};

use crate::common::{Estimate, lyapunov, second_moments};

const CHAINS: usize = 2000;

/// Stationary `E[x²]` of Langevin Euler–Maruyama with step `h` on `N(0, s²)`.
fn em_measured(s: f64, h: f64, seed: u64) -> Estimate {
    let target = IsotropicGaussian::new(DVector::zeros(1), s * s).unwrap();
    let em = EulerMaruyama::langevin(h).unwrap();
    let mut state = SamplerState::new(DMatrix::zeros(1, CHAINS)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    second_moments(&em, &mut state, &target, 100, 400, &mut rng).0
}

/// `s² / (1 − h/(2s²))`: from `x' = (1 − k) x + √(2h) ξ`, `k = h/s²`, `Var = 2h / (1 − (1 − k)²)`.
fn em_closed_form(s: f64, h: f64) -> f64 {
    s * s / (1.0 - h / (2.0 * s * s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn em_stationary_variance_matches_step_biased_closed_form(
        s in 0.3f64..3.0,
        k in 0.2f64..1.5,
        seed in any::<u64>(),
    ) {
        let h = k * s * s;
        let measured = em_measured(s, h, seed);
        let truth = em_closed_form(s, h);
        eprintln!("em: s={s:.3} h/s²={k:.3} truth={truth:.5} measured={:.5}±{:.5} z={:.2}",
            measured.mean, measured.se, measured.z(truth));
        prop_assert!(measured.z(truth).abs() < 5.0, "z = {}", measured.z(truth));
    }
}

/// The estimator has power: with a large step it rejects the unbiased value `s²`.
#[test]
fn em_variance_check_rejects_the_unbiased_value_at_large_step() {
    let (s, h) = (1.3, 1.0 * 1.3 * 1.3);
    let measured = em_measured(s, h, 11);
    eprintln!(
        "em power: truth={:.4} s²={:.4} measured={:.4}±{:.4}",
        em_closed_form(s, h),
        s * s,
        measured.mean,
        measured.se
    );
    assert!(measured.z(em_closed_form(s, h)).abs() < 5.0);
    assert!(measured.z(s * s).abs() > 20.0);
}

/// The closed form agrees with the exact stationary covariance of the scalar linear recursion.
#[test]
fn em_closed_form_equals_lyapunov_solution() {
    for &(s, k) in &[(0.5, 0.1), (1.0, 0.7), (2.0, 1.9)] {
        let h = k * s * s;
        let a = DMatrix::from_element(1, 1, 1.0 - k);
        let c = lyapunov(&a, &[DVector::from_element(1, (2.0 * h).sqrt())]);
        let rel = (c[(0, 0)] - em_closed_form(s, h)).abs() / em_closed_form(s, h);
        assert!(rel < 1e-12, "s={s} k={k}: {rel}");
    }
}
