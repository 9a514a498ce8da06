//! Adaptation: switching it off is exact, the update follows its formula, and the linear
//! stationary variance matches the exact covariance of the joint (x, a) recursion.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::IsotropicGaussian;
use replay_sampler::{
    Adaptation, Adapted, Baoab, Drift, EulerMaruyama, Integrator, Momentum, Obabo, SamplerState,
    Splitting, fill_standard_normal,
};

use crate::common::{estimate, lyapunov, mat2, vec2};
use crate::determinism::{Bump, record, same_bits};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn adapt_zero_strength_is_bit_identical_to_no_adaptation(
        seed in any::<u64>(),
        tau in 1.0f64..50.0,
        with_current in any::<bool>(),
    ) {
        let off = Adaptation::new(0.0, tau).unwrap();
        let c = DMatrix::from_fn(3, 5, |i, j| 0.1 * i as f64 - 0.05 * j as f64);
        let cur = with_current.then_some(&c);
        let em = EulerMaruyama::new(1.0, 0.2).unwrap();
        prop_assert!(same_bits(&record(&em, seed, 80, cur), &record(&Adapted::new(em, off), seed, 80, cur)));
        let m = Momentum::new(0.4, 0.2).unwrap();
        prop_assert!(same_bits(&record(&m, seed, 80, cur), &record(&Adapted::new(m, off), seed, 80, cur)));
        let b = Baoab::new(Splitting::new(0.3, 1.0, 0.5).unwrap());
        prop_assert!(same_bits(&record(&b, seed, 80, cur), &record(&Adapted::new(b, off), seed, 80, cur)));
        let o = Obabo::new(Splitting::new(0.3, 1.0, 0.5).unwrap());
        prop_assert!(same_bits(&record(&o, seed, 80, cur), &record(&Adapted::new(o, off), seed, 80, cur)));
        // Switched on, it changes the path.
        let on = Adaptation::new(0.5, tau).unwrap();
        prop_assert!(!same_bits(&record(&em, seed, 80, cur), &record(&Adapted::new(em, on), seed, 80, cur)));
    }

    /// A hand-written reference of the adapted first-order update, drawing its noise with the
    /// published convention, reproduces the integrator bit for bit:
    /// `ξ ~ fill_standard_normal`, `h' = h + (f(h, c − a) + σ ξ)`, `a' = (1 − 1/τ) a + (b/τ) h`.
    #[test]
    fn adapt_first_order_matches_hand_written_reference(
        seed in any::<u64>(),
        b in 0.0f64..1.0,
        tau in 1.0f64..40.0,
        sigma in 0.0f64..0.5,
    ) {
        let scheme = Adapted::new(EulerMaruyama::new(1.0, sigma).unwrap(), Adaptation::new(b, tau).unwrap());
        let h0 = DMatrix::from_fn(3, 4, |i, j| 0.2 * i as f64 - 0.1 * j as f64);
        let a0 = DMatrix::from_fn(3, 4, |i, j| 0.05 * (i + j) as f64);
        let c = DMatrix::from_fn(3, 4, |i, j| 0.01 * (i * j) as f64);
        let mut state = SamplerState::new(h0.clone()).unwrap().with_adaptation(a0.clone()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);

        let (mut h, mut a) = (h0, a0);
        let mut ref_rng = ChaCha8Rng::seed_from_u64(seed);
        let mut xi = DMatrix::<f64>::zeros(3, 4);
        let mut f = DMatrix::<f64>::zeros(3, 4);
        for _ in 0..50 {
            scheme.step(&mut state, &Bump, Some(&c), &mut rng).unwrap();
            fill_standard_normal(&mut xi, &mut ref_rng);
            let effective = &c - &a;
            Bump.drift_into(&h, Some(&effective), &mut f);
            a = a * (1.0 - 1.0 / tau) + &h * (b / tau);
            h += f.zip_map(&xi, |f, x| f + sigma * x);
            prop_assert!(same_bits(state.positions().as_slice(), h.as_slice()));
            prop_assert!(same_bits(state.adaptation().unwrap().as_slice(), a.as_slice()));
        }
    }
}

/// Linear case `f = −k x + c`, `c = −a`: the joint recursion
/// `x' = (1 − h k) x − h a + σ ξ`, `a' = (b/τ) x + (1 − 1/τ) a` is Markov in `(x, a)` only,
/// and its exact stationary `Var x` is what the sampler reaches.
#[test]
fn adapt_linear_stationary_variance_matches_joint_lyapunov() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for &(k, b, tau) in &[(0.3, 0.5, 5.0), (0.1, 0.2, 20.0), (0.5, 1.0, 3.0)] {
        let sigma = 0.4;
        let a = mat2([1.0 - k, -1.0], [b / tau, 1.0 - 1.0 / tau]);
        let exact = lyapunov(&a, &[vec2(sigma, 0.0)])[(0, 0)];
        let target = IsotropicGaussian::new(DVector::zeros(1), 1.0 / k).unwrap();
        let scheme = Adapted::new(
            EulerMaruyama::new(1.0, sigma).unwrap(),
            Adaptation::new(b, tau).unwrap(),
        );
        let mut state = SamplerState::new(DMatrix::zeros(1, 1000)).unwrap();
        scheme
            .run(
                &mut state,
                &target,
                None,
                500,
                &mut rng,
                &mut |_: &SamplerState<f64>| {},
            )
            .unwrap();
        let mut sums = vec![0.0; 1000];
        let mut acc = |s: &SamplerState<f64>| {
            for (m, x) in sums.iter_mut().zip(s.positions().iter()) {
                *m += x * x;
            }
        };
        scheme
            .run(&mut state, &target, None, 1000, &mut rng, &mut acc)
            .unwrap();
        let per_chain: Vec<f64> = sums.iter().map(|s| s / 1000.0).collect();
        let est = estimate(&per_chain);
        let without = sigma * sigma / (k * (2.0 - k));
        eprintln!(
            "adapt: k={k} b={b} τ={tau} exact={exact:.5} measured={:.5}±{:.5} z={:.2} (no adaptation: {without:.5})",
            est.mean,
            est.se,
            est.z(exact)
        );
        assert!(est.z(exact).abs() < 5.0);
    }
}

/// The adapted sampler is not Markov in the positions alone: two chains at the same positions
/// with different adaptation traces take different deterministic steps.
#[test]
fn adapt_next_position_depends_on_the_trace_not_only_the_position() {
    let scheme = Adapted::new(
        EulerMaruyama::new(1.0, 0.0).unwrap(),
        Adaptation::new(0.5, 10.0).unwrap(),
    );
    let x = DMatrix::from_element(3, 1, 0.2);
    let mut fresh = SamplerState::new(x.clone()).unwrap();
    let mut tired = SamplerState::new(x)
        .unwrap()
        .with_adaptation(DMatrix::from_element(3, 1, 0.3))
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    scheme.step(&mut fresh, &Bump, None, &mut rng).unwrap();
    scheme.step(&mut tired, &Bump, None, &mut rng).unwrap();
    let gap = (fresh.positions() - tired.positions()).amax();
    assert!(gap > 0.05, "gap {gap}");
}

/// Eliminating the trace from the linear first-order case leaves an ARMA(2, 1) recursion in the
/// positions alone: `x_{t+1} = (1 − k + ρ) x_t − (ρ (1 − k) + b/τ) x_{t−1} + σ (ξ_t − ρ ξ_{t−1})`,
/// `ρ = 1 − 1/τ` (docs/theory.md, section 4).
#[test]
fn adapt_linear_positions_follow_arma_2_1() {
    let (k, b, tau, sigma): (f64, f64, f64, f64) = (0.3, 0.8, 6.0, 0.5);
    let rho = 1.0 - 1.0 / tau;
    let target = IsotropicGaussian::new(DVector::zeros(1), 1.0 / k).unwrap();
    let scheme = Adapted::new(
        EulerMaruyama::new(1.0, sigma).unwrap(),
        Adaptation::new(b, tau).unwrap(),
    );
    let mut state = SamplerState::new(DMatrix::from_element(1, 1, 1.0)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (mut xs, mut xis) = (vec![1.0], vec![]);
    for _ in 0..200 {
        scheme.step(&mut state, &target, None, &mut rng).unwrap();
        xs.push(state.positions()[(0, 0)]);
        xis.push(state.last_noise()[(0, 0)]);
    }
    for t in 1..200 {
        let predicted = (1.0 - k + rho) * xs[t] - (rho * (1.0 - k) + b / tau) * xs[t - 1]
            + sigma * (xis[t] - rho * xis[t - 1]);
        assert!(
            (xs[t + 1] - predicted).abs() < 1e-12,
            "t={t}: {} vs {predicted}",
            xs[t + 1]
        );
    }
}
