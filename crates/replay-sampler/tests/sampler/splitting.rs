//! BAOAB and OBABO on harmonic targets: exact stationary marginals and bounded energy error.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::IsotropicGaussian;
use replay_sampler::{Baoab, Integrator, Obabo, SamplerState, Splitting};

use crate::common::{lyapunov, mat2, second_moments, vec2};

/// The pieces of a splitting step for the force `−ω² x`, as 2 × 2 maps on `(x, v)`.
struct Pieces {
    kick: DMatrix<f64>,
    drift_half: DMatrix<f64>,
    drift_full: DMatrix<f64>,
}

fn pieces(h: f64, w2: f64) -> Pieces {
    Pieces {
        kick: mat2([1.0, 0.0], [-0.5 * h * w2, 1.0]),
        drift_half: mat2([1.0, 0.5 * h], [0.0, 1.0]),
        drift_full: mat2([1.0, h], [0.0, 1.0]),
    }
}

/// Exact stationary covariance of BAOAB on `−ω² x`, at `kT = 1`.
fn baoab_covariance(h: f64, gamma: f64, w2: f64) -> DMatrix<f64> {
    let p = pieces(h, w2);
    let c = (-gamma * h).exp();
    let o = mat2([1.0, 0.0], [0.0, c]);
    let step = &p.kick * &p.drift_half * &o * &p.drift_half * &p.kick;
    let load = &p.kick * &p.drift_half * vec2(0.0, (1.0 - c * c).sqrt());
    lyapunov(&step, &[load])
}

/// Exact stationary covariance of OBABO on `−ω² x`, at `kT = 1`.
fn obabo_covariance(h: f64, gamma: f64, w2: f64) -> DMatrix<f64> {
    let p = pieces(h, w2);
    let c = (-gamma * h / 2.0).exp();
    let o = mat2([1.0, 0.0], [0.0, c]);
    let noise = vec2(0.0, (1.0 - c * c).sqrt());
    let verlet = &p.kick * &p.drift_full * &p.kick;
    let step = &o * &verlet * &o;
    let first = &o * &verlet * &noise;
    lyapunov(&step, &[first, noise])
}

/// Runs `scheme` on `N(0, s²)` and returns the measured `E[x²]`, `E[v²]`.
fn measure<I: Integrator<f64>>(
    scheme: &I,
    s: f64,
    seed: u64,
) -> (crate::common::Estimate, crate::common::Estimate) {
    let target = IsotropicGaussian::new(DVector::zeros(1), s * s).unwrap();
    let mut state = SamplerState::new(DMatrix::zeros(1, 2000)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (x, v) = second_moments(scheme, &mut state, &target, 300, 800, &mut rng);
    (x, v.unwrap())
}

/// BAOAB's configurational variance is exactly `s²` for every stable step (`h ω < 2`): the
/// linear algebra says so, for any friction; its velocity variance is `1 − (hω/2)²`.
#[test]
fn baoab_harmonic_configurational_variance_is_exact_by_lyapunov() {
    for &(hw, gw) in &[(0.1, 0.5), (0.7, 1.0), (1.5, 3.0), (1.99, 0.2), (1.2, 20.0)] {
        let s: f64 = 1.7;
        let w = 1.0 / s;
        let c = baoab_covariance(hw / w, gw * w, w * w);
        assert!(
            (c[(0, 0)] / (s * s) - 1.0).abs() < 1e-9,
            "hω={hw} γ/ω={gw}: {}",
            c[(0, 0)]
        );
    }
}

/// OBABO's velocity marginal is exact, and its position variance is `s² / (1 − (hω/2)²)`.
#[test]
fn obabo_harmonic_marginals_match_closed_form_by_lyapunov() {
    for &(hw, gw) in &[(0.1, 0.5), (0.7, 1.0), (1.5, 3.0), (1.9, 0.3)] {
        let s: f64 = 0.6;
        let w = 1.0 / s;
        let c = obabo_covariance(hw / w, gw * w, w * w);
        let x_truth = s * s / (1.0 - hw * hw / 4.0);
        assert!(
            (c[(0, 0)] / x_truth - 1.0).abs() < 1e-9,
            "hω={hw}: {}",
            c[(0, 0)]
        );
        assert!((c[(1, 1)] - 1.0).abs() < 1e-9, "hω={hw}: {}", c[(1, 1)]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn baoab_harmonic_configurational_variance_is_exact_for_stable_steps(
        s in 0.3f64..3.0,
        hw in 0.3f64..1.9,
        gw in 0.5f64..4.0,
        seed in any::<u64>(),
    ) {
        let w = 1.0 / s;
        let scheme = Baoab::new(Splitting::new(hw / w, gw * w, 1.0).unwrap());
        let (x, v) = measure(&scheme, s, seed);
        let exact = baoab_covariance(hw / w, gw * w, w * w);
        eprintln!("baoab: s={s:.3} hω={hw:.3} γ/ω={gw:.3} s²={:.5} measured={:.5}±{:.5} z={:.2}; v² lyapunov={:.4} measured={:.4}±{:.4}",
            s * s, x.mean, x.se, x.z(s * s), exact[(1, 1)], v.mean, v.se);
        prop_assert!(x.z(s * s).abs() < 5.0, "z = {}", x.z(s * s));
        prop_assert!(v.z(exact[(1, 1)]).abs() < 5.0, "velocity z = {}", v.z(exact[(1, 1)]));
    }

    #[test]
    fn obabo_harmonic_marginals_match_closed_form(
        s in 0.3f64..3.0,
        hw in 0.3f64..1.9,
        gw in 0.5f64..4.0,
        seed in any::<u64>(),
    ) {
        let w = 1.0 / s;
        let scheme = Obabo::new(Splitting::new(hw / w, gw * w, 1.0).unwrap());
        let (x, v) = measure(&scheme, s, seed);
        let x_truth = s * s / (1.0 - hw * hw / 4.0);
        eprintln!("obabo: s={s:.3} hω={hw:.3} γ/ω={gw:.3} x² truth={x_truth:.5} measured={:.5}±{:.5} z={:.2}; v² measured={:.4}±{:.4}",
            x.mean, x.se, x.z(x_truth), v.mean, v.se);
        prop_assert!(x.z(x_truth).abs() < 5.0, "z = {}", x.z(x_truth));
        prop_assert!(v.z(1.0).abs() < 5.0, "velocity z = {}", v.z(1.0));
    }
}

/// Maximum relative deviation of `H = v²/2 + ω² x²/2` from its start over `steps` steps
/// without friction or noise, and the drift of its mean between the first and last tenth.
fn energy_error<I: Integrator<f64>>(scheme: &I, w: f64, steps: usize) -> (f64, f64) {
    let target = IsotropicGaussian::new(DVector::zeros(1), 1.0 / (w * w)).unwrap();
    let mut state = SamplerState::new(DMatrix::from_element(1, 1, 1.0))
        .unwrap()
        .with_velocities(DMatrix::from_element(1, 1, 0.3))
        .unwrap();
    let energy = |s: &SamplerState<f64>| {
        let (x, v) = (s.positions()[(0, 0)], s.velocities().unwrap()[(0, 0)]);
        0.5 * v * v + 0.5 * w * w * x * x
    };
    let h0 = energy(&state);
    let tenth = steps / 10;
    let (mut worst, mut first, mut last, mut n) = (0.0_f64, 0.0, 0.0, 0usize);
    let mut watch = |s: &SamplerState<f64>| {
        let e = energy(s);
        worst = worst.max((e - h0).abs() / h0);
        if n < tenth {
            first += e;
        } else if n >= steps - tenth {
            last += e;
        }
        n += 1;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    scheme
        .run(&mut state, &target, None, steps, &mut rng, &mut watch)
        .unwrap();
    (worst, (last - first).abs() / (tenth as f64 * h0))
}

/// Velocity Verlet conserves a modified energy exactly on a harmonic oscillator, so the true
/// energy oscillates within `(hω)² / (4 − (hω)²)` of its start (relative) and never drifts.
#[test]
fn baoab_obabo_energy_error_bounded_without_noise_or_friction() {
    let steps = 100_000;
    for &hw in &[0.05, 0.3, 1.0, 1.8] {
        let w = 2.0;
        let p = Splitting::new(hw / w, 0.0, 1.0).unwrap();
        let bound = hw * hw / (4.0 - hw * hw);
        for (name, (worst, drift)) in [
            ("baoab", energy_error(&Baoab::new(p), w, steps)),
            ("obabo", energy_error(&Obabo::new(p), w, steps)),
        ] {
            eprintln!(
                "{name}: hω={hw} max relative energy error {worst:.3e} (bound {bound:.3e}), mean drift {drift:.3e}"
            );
            assert!(
                worst <= bound * (1.0 + 1e-6) + 1e-12,
                "{name} hω={hw}: {worst} > {bound}"
            );
            assert!(drift <= bound, "{name} hω={hw}: drift {drift}");
        }
    }
}
