//! Every bad input gives the right typed error, naming the field and value; divergence names
//! the step.

use std::sync::atomic::{AtomicUsize, Ordering};

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::{Gaussian, GaussianMixture, IsotropicGaussian, OrnsteinUhlenbeck};
use replay_sampler::{
    Adaptation, Baoab, Drift, EulerMaruyama, Integrator, Momentum, SamplerError, SamplerState,
    Splitting, Trajectory,
};

/// Asserts `result` is an `InvalidParameter` error for `name` carrying `value` (NaN-aware),
/// and that the message names both.
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, SamplerError>, name: &str, value: f64) {
    let err = result.expect_err("accepted a bad parameter");
    match &err {
        SamplerError::InvalidParameter {
            name: n, value: v, ..
        } => {
            assert_eq!(*n, name);
            assert!(
                v == &value || (v.is_nan() && value.is_nan()),
                "{v} vs {value}"
            );
        }
        other => panic!("wrong error for {name}: {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(name) && msg.contains(&format!("{value}")),
        "{msg}"
    );
}

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn validation_euler_maruyama_rejects_bad_step_and_noise() {
    for bad in [0.0, -0.5].into_iter().chain(NON_FINITE) {
        assert_invalid(EulerMaruyama::new(bad, 0.1), "step", bad);
        assert_invalid(EulerMaruyama::langevin(bad), "step", bad);
    }
    for bad in [-1e-9, -3.0].into_iter().chain(NON_FINITE) {
        assert_invalid(EulerMaruyama::new(0.1, bad), "noise", bad);
    }
}

#[test]
fn validation_momentum_rejects_friction_outside_unit_interval_and_bad_noise() {
    for bad in [0.0, -0.1, 1.0 + 1e-12, 2.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Momentum::new(bad, 0.1), "friction", bad);
        assert_invalid(Momentum::with_velocity_noise(bad, 0.1), "friction", bad);
    }
    for bad in [-0.1].into_iter().chain(NON_FINITE) {
        assert_invalid(Momentum::new(0.5, bad), "sigma", bad);
        assert_invalid(
            Momentum::with_velocity_noise(0.5, bad),
            "velocity_noise",
            bad,
        );
    }
}

#[test]
fn validation_splitting_rejects_bad_step_friction_temperature() {
    for bad in [0.0, -1.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Splitting::new(bad, 1.0, 1.0), "step", bad);
    }
    for bad in [-1.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Splitting::new(0.1, bad, 1.0), "friction", bad);
        assert_invalid(Splitting::new(0.1, 1.0, bad), "temperature", bad);
    }
}

#[test]
fn validation_adaptation_rejects_negative_strength_and_short_time_constant() {
    for bad in [-0.01].into_iter().chain(NON_FINITE) {
        assert_invalid(Adaptation::new(bad, 10.0), "strength", bad);
    }
    for bad in [0.999, 0.0, -5.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Adaptation::new(0.1, bad), "time_constant", bad);
    }
}

proptest! {
    #[test]
    fn validation_any_negative_noise_is_reported_with_its_value(bad in -1e6f64..-1e-12) {
        assert_invalid(EulerMaruyama::new(1.0, bad), "noise", bad);
    }

    #[test]
    fn validation_any_friction_above_one_is_reported_with_its_value(bad in 1.0f64..1e6) {
        prop_assume!(bad > 1.0);
        assert_invalid(Momentum::new(bad, 0.1), "friction", bad);
    }
}

#[test]
fn validation_shapes_and_non_finite_inputs() {
    let shape_err =
        |e: SamplerError, name: &str, found: (usize, usize), expected: (usize, usize)| {
            assert_eq!(
                e,
                SamplerError::ShapeMismatch {
                    name: name.to_string().leak(),
                    expected_rows: expected.0,
                    expected_cols: expected.1,
                    found_rows: found.0,
                    found_cols: found.1
                }
            );
        };
    let state = || SamplerState::new(DMatrix::<f64>::zeros(2, 3)).unwrap();
    shape_err(
        state().with_velocities(DMatrix::zeros(2, 4)).unwrap_err(),
        "velocities",
        (2, 4),
        (2, 3),
    );
    shape_err(
        state().with_adaptation(DMatrix::zeros(3, 3)).unwrap_err(),
        "adaptation",
        (3, 3),
        (2, 3),
    );
    assert_eq!(
        SamplerState::new(DMatrix::<f64>::zeros(0, 3)).unwrap_err(),
        SamplerError::Empty { name: "positions" }
    );
    let mut v = DMatrix::zeros(2, 3);
    v[(1, 2)] = f64::INFINITY;
    assert_eq!(
        state().with_velocities(v).unwrap_err(),
        SamplerError::NonFinite {
            name: "velocities",
            index: 5
        }
    );

    let em = EulerMaruyama::new(0.1, 0.1).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut s = state();
    let e = em
        .step(&mut s, &IsotropicGaussian::standard(3), None, &mut rng)
        .unwrap_err();
    shape_err(e, "states", (2, 3), (3, 3));
    let bad_current = DMatrix::zeros(2, 2);
    let e = em
        .step(
            &mut s,
            &IsotropicGaussian::standard(2),
            Some(&bad_current),
            &mut rng,
        )
        .unwrap_err();
    shape_err(e, "current", (2, 2), (2, 3));
    assert_eq!(s.steps_taken(), 0);
    assert_eq!(
        s.positions(),
        &DMatrix::zeros(2, 3),
        "a rejected step must not move the state"
    );

    let e = Gaussian::new(DVector::zeros(2), DMatrix::<f64>::zeros(2, 3)).unwrap_err();
    shape_err(e, "covariance", (2, 3), (2, 2));
    let asym = DMatrix::from_row_slice(2, 2, &[2.0, 0.5, -0.5, 2.0]);
    assert_eq!(
        Gaussian::new(DVector::zeros(2), asym).unwrap_err(),
        SamplerError::NotPositiveDefinite { name: "covariance" }
    );
    let e = Gaussian::new(
        DVector::from_vec(vec![0.0, f64::NAN]),
        DMatrix::identity(2, 2),
    )
    .unwrap_err();
    assert_eq!(
        e,
        SamplerError::NonFinite {
            name: "mean",
            index: 1
        }
    );
    let g2 = Gaussian::new(DVector::<f64>::zeros(2), DMatrix::identity(2, 2)).unwrap();
    let g3 = Gaussian::new(DVector::<f64>::zeros(3), DMatrix::identity(3, 3)).unwrap();
    shape_err(
        GaussianMixture::new(&[1.0, 1.0], vec![g2.clone(), g3]).unwrap_err(),
        "components",
        (3, 1),
        (2, 1),
    );
    assert_eq!(
        GaussianMixture::<f64>::new(&[], vec![]).unwrap_err(),
        SamplerError::Empty { name: "components" }
    );
    assert_invalid(
        GaussianMixture::new(&[f64::NAN], vec![g2]),
        "weights",
        f64::NAN,
    );
    assert_invalid(
        IsotropicGaussian::new(DVector::zeros(1), -1.0),
        "variance",
        -1.0,
    );
    let ou =
        |theta, s, t| OrnsteinUhlenbeck::new(theta, s, DVector::zeros(1), DVector::zeros(1), t);
    assert_invalid(ou(0.0, 1.0, 1.0), "reversion", 0.0);
    assert_invalid(ou(1.0, -1.0, 1.0), "diffusion", -1.0);
    assert_invalid(ou(1.0, 1.0, -2.0), "time", -2.0);
    assert_invalid(Trajectory::<f64>::new(1, 0, 1, 1), "batch", 0.0);
}

/// Returns NaN from its `fail_on`-th call on (1-based), a decaying field before.
struct FailsOnCall {
    calls: AtomicUsize,
    fail_on: usize,
}

impl Drift<f64> for FailsOnCall {
    fn drift_into(&self, states: &DMatrix<f64>, _: Option<&DMatrix<f64>>, out: &mut DMatrix<f64>) {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let poison = if calls >= self.fail_on { f64::NAN } else { 0.0 };
        out.copy_from(&(states * -0.1));
        out[(0, 1)] += poison;
    }
}

#[test]
fn validation_divergence_reports_the_failing_step_index() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    // One drift call per step: call 8 is step index 7.
    let drift = FailsOnCall {
        calls: AtomicUsize::new(0),
        fail_on: 8,
    };
    let mut s = SamplerState::new(DMatrix::from_element(2, 2, 1.0)).unwrap();
    let mut observed = 0;
    let e = Momentum::new(0.5, 0.1)
        .unwrap()
        .run(
            &mut s,
            &drift,
            None,
            100,
            &mut rng,
            &mut |_: &SamplerState<f64>| observed += 1,
        )
        .unwrap_err();
    assert_eq!(
        e,
        SamplerError::Diverged {
            step: 7,
            name: "positions",
            index: 2
        }
    );
    assert_eq!((observed, s.steps_taken()), (7, 7));
    assert!(e.to_string().contains("step 7"));

    // BAOAB calls the drift twice per step; a NaN at the closing kick poisons only velocities.
    let drift = FailsOnCall {
        calls: AtomicUsize::new(0),
        fail_on: 8,
    };
    let mut s = SamplerState::new(DMatrix::from_element(2, 2, 1.0)).unwrap();
    let baoab = Baoab::new(Splitting::new(0.1, 1.0, 1.0).unwrap());
    let e = baoab
        .run(
            &mut s,
            &drift,
            None,
            100,
            &mut rng,
            &mut |_: &SamplerState<f64>| {},
        )
        .unwrap_err();
    assert_eq!(
        e,
        SamplerError::Diverged {
            step: 3,
            name: "velocities",
            index: 2
        }
    );
}
