//! The samplers' bad-input corpus in single precision (the precision replay runs in) and for the
//! parts of a state and a run that the other suites leave out: each is a typed error naming the
//! field and the value; a run that blows up names its step.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::IsotropicGaussian;
use replay_sampler::{
    Adaptation, Adapted, EulerMaruyama, Integrator, Momentum, SamplerError, SamplerState,
};

fn assert_parameter<T: std::fmt::Debug>(result: Result<T, SamplerError>, name: &str, shown: &str) {
    let err = result.expect_err("accepted a bad parameter");
    assert!(
        matches!(&err, SamplerError::InvalidParameter { name: n, .. } if *n == name),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&format!("`{name}` = {shown}")),
        "{message}"
    );
}

#[test]
fn invalid_single_precision_noise_step_and_friction() {
    assert_parameter(
        EulerMaruyama::<f32>::new(1.0, f32::INFINITY),
        "noise",
        "inf",
    );
    assert_parameter(EulerMaruyama::<f32>::new(0.0, 0.1), "step", "0");
    assert_parameter(EulerMaruyama::<f32>::new(f32::NAN, 0.1), "step", "NaN");
    assert_parameter(Momentum::<f32>::new(0.0, 0.1), "friction", "0");
    assert_parameter(Momentum::<f32>::new(1.25, 0.1), "friction", "1.25");
    assert_parameter(
        Momentum::<f32>::with_velocity_noise(0.3, -0.5),
        "velocity_noise",
        "-0.5",
    );
}

#[test]
fn invalid_single_precision_adaptation() {
    assert_parameter(Adaptation::<f32>::new(-0.25, 30.0), "strength", "-0.25");
    assert_parameter(Adaptation::<f32>::new(f32::NAN, 30.0), "strength", "NaN");
    assert_parameter(Adaptation::<f32>::new(0.1, 0.5), "time_constant", "0.5");
    assert_parameter(
        Adaptation::<f32>::new(0.1, f32::NEG_INFINITY),
        "time_constant",
        "-inf",
    );
}

#[test]
fn rejects_state_parts_of_the_wrong_shape_or_not_finite() {
    let state = || SamplerState::new(DMatrix::<f32>::zeros(3, 2)).unwrap();
    let err = state().with_adaptation(DMatrix::zeros(2, 3)).unwrap_err();
    assert!(
        matches!(
            err,
            SamplerError::ShapeMismatch {
                name: "adaptation",
                found_rows: 2,
                found_cols: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("2×3, expected 3×2"), "{err}");
    let mut v = DMatrix::<f32>::zeros(3, 2);
    v[(2, 1)] = f32::INFINITY;
    let err = state().with_velocities(v).unwrap_err();
    assert_eq!(
        err,
        SamplerError::NonFinite {
            name: "velocities",
            index: 5
        }
    );
    let err = SamplerState::new(DMatrix::<f32>::zeros(3, 0)).unwrap_err();
    assert_eq!(err, SamplerError::Empty { name: "positions" });
}

#[test]
fn rejects_a_run_whose_current_or_drift_does_not_fit_the_state() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let em = EulerMaruyama::new(0.1f64, 0.1).unwrap();
    let mut state = SamplerState::new(DMatrix::<f64>::zeros(2, 4)).unwrap();
    let mut run = |dim: usize, current: Option<&DMatrix<f64>>| {
        let drift = IsotropicGaussian::standard(dim);
        em.run(&mut state, &drift, current, 3, &mut rng, &mut |_: &_| {})
            .unwrap_err()
    };
    let err = run(2, Some(&DMatrix::zeros(2, 5)));
    let current = matches!(
        err,
        SamplerError::ShapeMismatch {
            name: "current",
            found_cols: 5,
            ..
        }
    );
    assert!(current, "{err:?}");
    let err = run(3, None);
    let states = matches!(
        err,
        SamplerError::ShapeMismatch {
            name: "states",
            expected_rows: 3,
            found_rows: 2,
            ..
        }
    );
    assert!(states, "{err:?}");
    assert_eq!(state.steps_taken(), 0, "a rejected run takes no step");
}

/// Negative feedback of strength 1e30 on a standard Gaussian score: `a = b h` overflows f32 in a
/// few steps, and the run stops there with the step's index.
#[test]
fn divergence_under_extreme_adaptation_names_the_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let adapted = Adapted::new(
        EulerMaruyama::new(1.0f32, 0.5).unwrap(),
        Adaptation::new(1e30, 1.0).unwrap(),
    );
    let mut state = SamplerState::new(DMatrix::<f32>::from_element(2, 3, 0.5)).unwrap();
    let mut seen = 0;
    let err = adapted
        .run(
            &mut state,
            &IsotropicGaussian::standard(2),
            None,
            100,
            &mut rng,
            &mut |_: &_| seen += 1,
        )
        .unwrap_err();
    let SamplerError::Diverged { step, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!(seen, step, "every step before the failing one was observed");
    assert_eq!(state.steps_taken(), step);
    assert!(
        err.to_string().contains(&format!("after step {step}")),
        "{err}"
    );
}
