//! Validation of configurations and weights: every invalid value is a typed error naming the
//! field and the value.

use nalgebra::DMatrix;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::{
    AdamConfig, ConfigError, Dynamics, Momentum, Network, NetworkConfig, NetworkError, TrainConfig,
    Weights,
};

fn assert_names(err: ConfigError, field: &str, value: &str) {
    let text = err.to_string();
    assert!(
        text.contains(&format!("{field} = {value}")),
        "message {text:?} lacks {field} = {value}"
    );
}

#[test]
fn invalid_leak_is_rejected_with_field_and_value() {
    for (leak, shown) in [
        (0.0, "0"),
        (-0.1, "-0.1"),
        (1.5, "1.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
    ] {
        let err = NetworkConfig::new(4, 2, 2)
            .with_leak(leak)
            .validate()
            .unwrap_err();
        assert!(matches!(err, ConfigError::OutOfRange { field: "leak", .. }));
        assert_names(err, "leak", shown);
    }
    assert!(
        NetworkConfig::new(4, 2, 2)
            .with_leak(1.0)
            .validate()
            .is_ok()
    );
    assert!(
        NetworkConfig::new(4, 2, 2)
            .with_leak(1e-6)
            .validate()
            .is_ok()
    );
}

#[test]
fn invalid_zero_sizes_are_rejected() {
    for (config, field) in [
        (NetworkConfig::new(0, 2, 2), "hidden"),
        (NetworkConfig::new(4, 0, 2), "input_dim"),
        (NetworkConfig::new(4, 2, 0), "output_dim"),
    ] {
        assert_eq!(
            config.validate().unwrap_err(),
            ConfigError::ZeroSize { field }
        );
    }
    let d = Dynamics::new(0.1);
    assert_eq!(
        TrainConfig::new(d, 4, 0, 10).validate().unwrap_err(),
        ConfigError::ZeroSize { field: "steps" }
    );
    assert!(
        TrainConfig::new(d, 4, 5, 0).validate().is_ok(),
        "zero updates is a valid no-op"
    );
}

#[test]
fn invalid_dynamics_are_rejected_with_field_and_value() {
    let cases = [
        (Dynamics::new(-1.0), "noise", "-1"),
        (Dynamics::new(f64::NAN), "noise", "NaN"),
        (
            Dynamics::new(0.1).with_adaptation(-0.1, 30.0),
            "adaptation.strength",
            "-0.1",
        ),
        (
            Dynamics::new(0.1).with_adaptation(0.1, 0.5),
            "adaptation.time_constant",
            "0.5",
        ),
        (
            Dynamics::new(0.1).with_adaptation(0.1, f64::INFINITY),
            "adaptation.time_constant",
            "inf",
        ),
        (
            Dynamics::new(0.1).with_momentum(Momentum::new(0.0)),
            "momentum.friction",
            "0",
        ),
        (
            Dynamics::new(0.1).with_momentum(Momentum::new(1.2)),
            "momentum.friction",
            "1.2",
        ),
        (
            Dynamics::new(0.1).with_momentum(Momentum::new(f64::NAN)),
            "momentum.friction",
            "NaN",
        ),
        (
            Dynamics::new(0.1).with_momentum(Momentum::new(0.3).with_noise(-0.5)),
            "momentum.noise",
            "-0.5",
        ),
    ];
    for (dynamics, field, value) in cases {
        let err = dynamics.validate().unwrap_err();
        assert!(
            matches!(err, ConfigError::OutOfRange { field: f, .. } if f == field),
            "{err}"
        );
        assert_names(err, field, value);
    }
    // Boundary values that are valid.
    assert!(
        Dynamics::new(0.0)
            .with_adaptation(0.0, 1.0)
            .with_momentum(Momentum::new(1.0))
            .validate()
            .is_ok()
    );
}

#[test]
fn invalid_optimizer_settings_are_rejected() {
    let base = AdamConfig::default();
    let cases = [
        (
            AdamConfig {
                learning_rate: 0.0,
                ..base
            },
            "learning_rate",
        ),
        (
            AdamConfig {
                beta1: -0.1,
                ..base
            },
            "beta1",
        ),
        (AdamConfig { beta2: 1.0, ..base }, "beta2"),
        (
            AdamConfig {
                epsilon: 0.0,
                ..base
            },
            "epsilon",
        ),
        (
            AdamConfig {
                clip_norm: Some(0.0),
                ..base
            },
            "clip_norm",
        ),
        (
            AdamConfig {
                weight_decay: -1e-4,
                ..base
            },
            "weight_decay",
        ),
    ];
    for (adam, field) in cases {
        let err = adam.validate().unwrap_err();
        assert!(
            matches!(err, ConfigError::OutOfRange { field: f, .. } if f == field),
            "{err}"
        );
    }
}

#[test]
fn rejects_weights_of_the_wrong_shape_or_non_finite() {
    let config = NetworkConfig::new(3, 2, 2);
    let mut w = Weights::<f64>::zeros(&config);
    w.e = DMatrix::zeros(3, 1);
    let err = Network::new(config.clone(), w).unwrap_err();
    assert!(
        matches!(err, NetworkError::Shape(ref e) if e.what == "E" && e.expected == (3, 2) && e.found == (3, 1))
    );
    let mut w = Weights::<f64>::zeros(&config);
    w.b[2] = f64::NEG_INFINITY;
    assert_eq!(
        Network::new(config.clone(), w).unwrap_err(),
        NetworkError::NonFinite {
            group: "b",
            index: 2
        }
    );
    let err =
        Network::<f32>::init(config.with_leak(2.0), &mut ChaCha8Rng::seed_from_u64(0)).unwrap_err();
    assert!(matches!(err, NetworkError::Config(_)));
}

#[test]
fn rejects_unknown_fields_when_deserializing_configs() {
    let err = serde_json::from_str::<NetworkConfig>(
        r#"{"hidden":4,"input_dim":2,"output_dim":2,"leak":1.0,"lekage":0.2}"#,
    );
    assert!(err.is_err());
    let ok: Dynamics =
        serde_json::from_str(r#"{"noise":0.1,"momentum":{"friction":0.3}}"#).unwrap();
    assert_eq!(ok, Dynamics::new(0.1).with_momentum(Momentum::new(0.3)));
}

#[test]
fn invalid_activation_name_is_rejected() {
    let err = serde_json::from_str::<NetworkConfig>(
        r#"{"hidden":4,"input_dim":2,"output_dim":2,"leak":1.0,"activation":"sigmoid"}"#,
    );
    assert!(err.unwrap_err().to_string().contains("sigmoid"));
}
