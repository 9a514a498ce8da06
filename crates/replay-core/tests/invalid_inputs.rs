//! The network's bad-input corpus: invalid dynamics, optimiser settings, sizes and shapes reach
//! replay and training as typed errors naming the field and value; damaged checkpoints are
//! rejected by kind; a failed save leaves neither a partial file nor a temporary behind.

mod damage;

use damage::{encodings, json_value, signed, small_checkpoint};
use nalgebra::DMatrix;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::checkpoint::{Checkpoint, Format, TrainingMeta};
use replay_core::toy::RandomWalk;
use replay_core::{
    CheckpointError, ConfigError, Dynamics, Momentum, Network, NetworkConfig, NetworkError,
    ReplayError, ShapeError, TrainConfig, TrainError, Workspace, replay, train,
};
use replay_sampler::SamplerError;

fn net(hidden: usize, outputs: usize) -> Network<f32> {
    let config = NetworkConfig::new(hidden, 2, outputs).with_leak(0.5);
    Network::init(config, &mut ChaCha8Rng::seed_from_u64(3)).unwrap()
}

fn replay_with(dynamics: &Dynamics, codes: &DMatrix<f32>) -> Result<(), ReplayError> {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    replay(&net(6, 2), dynamics, codes, 20, &mut rng, &mut |_: &_| {}).map(|_| ())
}

fn train_with(config: &TrainConfig) -> Result<(), TrainError> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut network = net(6, 2);
    train(
        &mut network,
        &RandomWalk::default(),
        config,
        &mut rng,
        &mut (),
    )
    .map(|_| ())
}

/// Asserts an out-of-range error for `field` whose message shows `field = value`.
fn assert_out_of_range(err: &ConfigError, field: &str, value: &str) {
    assert!(
        matches!(err, ConfigError::OutOfRange { field: f, .. } if *f == field),
        "expected {field} out of range, got {err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(&format!("{field} = {value}")), "{text}");
}

fn codes(batch: usize) -> DMatrix<f32> {
    DMatrix::from_fn(2, batch, |r, c| 0.1 * (r + c) as f32)
}

#[test]
fn invalid_replay_noise_nan_inf_or_negative() {
    for (noise, shown) in [(f64::NAN, "NaN"), (f64::INFINITY, "inf"), (-0.01, "-0.01")] {
        match replay_with(&Dynamics::new(noise), &codes(3)) {
            Err(ReplayError::Config(e)) => assert_out_of_range(&e, "noise", shown),
            other => panic!("noise {noise}: {other:?}"),
        }
    }
}

#[test]
fn invalid_replay_friction_outside_the_unit_interval() {
    for (friction, shown) in [(0.0, "0"), (1.5, "1.5"), (-0.3, "-0.3"), (f64::NAN, "NaN")] {
        let dynamics = Dynamics::new(0.1).with_momentum(Momentum::new(friction));
        match replay_with(&dynamics, &codes(3)) {
            Err(ReplayError::Config(e)) => assert_out_of_range(&e, "momentum.friction", shown),
            other => panic!("friction {friction}: {other:?}"),
        }
    }
    let dynamics = Dynamics::new(0.1).with_momentum(Momentum::new(0.3).with_noise(-1.0));
    match replay_with(&dynamics, &codes(3)) {
        Err(ReplayError::Config(e)) => assert_out_of_range(&e, "momentum.noise", "-1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_adaptation_time_constant_below_one_or_negative_strength() {
    for (strength, tau, field, shown) in [
        (0.1, 0.5, "adaptation.time_constant", "0.5"),
        (0.1, 0.0, "adaptation.time_constant", "0"),
        (-0.1, 30.0, "adaptation.strength", "-0.1"),
        (f64::INFINITY, 30.0, "adaptation.strength", "inf"),
    ] {
        let dynamics = Dynamics::new(0.05).with_adaptation(strength, tau);
        match train_with(&TrainConfig::new(dynamics, 4, 5, 2)) {
            Err(TrainError::Config(e)) => assert_out_of_range(&e, field, shown),
            other => panic!("b_a {strength}, tau_a {tau}: {other:?}"),
        }
        match replay_with(&dynamics, &codes(2)) {
            Err(ReplayError::Config(e)) => assert_out_of_range(&e, field, shown),
            other => panic!("b_a {strength}, tau_a {tau}: {other:?}"),
        }
    }
}

#[test]
fn invalid_zero_batch_or_steps_in_training() {
    for (batch, steps, field) in [(0, 5, "batch_size"), (4, 0, "steps")] {
        let err = train_with(&TrainConfig::new(Dynamics::new(0.05), batch, steps, 3)).unwrap_err();
        assert_eq!(err, TrainError::Config(ConfigError::ZeroSize { field }));
        assert!(err.to_string().contains(&format!("{field} = 0")), "{err}");
    }
}

#[test]
fn invalid_zero_network_sizes() {
    for (config, field) in [
        (NetworkConfig::new(0, 2, 2), "hidden"),
        (NetworkConfig::new(4, 0, 2), "input_dim"),
        (NetworkConfig::new(4, 2, 0), "output_dim"),
    ] {
        let err = Network::<f32>::init(config, &mut ChaCha8Rng::seed_from_u64(0)).unwrap_err();
        assert_eq!(err, NetworkError::Config(ConfigError::ZeroSize { field }));
        assert!(err.to_string().contains(field), "{err}");
    }
}

#[test]
fn invalid_optimizer_settings_reach_training_as_typed_errors() {
    let base = TrainConfig::new(Dynamics::new(0.05), 4, 5, 2);
    type Edit = fn(&mut TrainConfig);
    let cases: [(Edit, &str, &str); 5] = [
        (
            |c| c.optimizer.learning_rate = f64::NAN,
            "learning_rate",
            "NaN",
        ),
        (
            |c| c.optimizer.learning_rate = -1e-3,
            "learning_rate",
            "-0.001",
        ),
        (|c| c.optimizer.beta2 = 1.0, "beta2", "1"),
        (|c| c.optimizer.epsilon = 0.0, "epsilon", "0"),
        (|c| c.optimizer.clip_norm = Some(-1.0), "clip_norm", "-1"),
    ];
    for (edit, field, shown) in cases {
        let mut config = base.clone();
        edit(&mut config);
        match train_with(&config) {
            Err(TrainError::Config(e)) => assert_out_of_range(&e, field, shown),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn rejects_replay_codes_of_the_wrong_dimension() {
    let wrong = DMatrix::<f32>::zeros(3, 4);
    let err = replay_with(&Dynamics::new(0.1), &wrong).unwrap_err();
    assert!(
        matches!(
            &err,
            ReplayError::Shape(ShapeError {
                expected: (2, _),
                found: (3, 4),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("3x4"), "{err}");
}

#[test]
fn rejects_replay_codes_holding_nan() {
    let mut bad = codes(3);
    bad[(1, 2)] = f32::NAN;
    let err = replay_with(&Dynamics::new(0.1), &bad).unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError::Sampler(SamplerError::NonFinite {
                name: "positions",
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("positions"), "{err}");
}

#[test]
fn rejects_training_on_a_task_of_other_dimensions() {
    let mut network = net(6, 3);
    let config = TrainConfig::new(Dynamics::new(0.05), 4, 5, 2);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let err = train(
        &mut network,
        &RandomWalk::default(),
        &config,
        &mut rng,
        &mut (),
    )
    .unwrap_err();
    assert!(
        matches!(
            &err,
            TrainError::Shape(ShapeError {
                expected: (2, 3),
                found: (2, 2),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("output_dim"), "{err}");
}

#[test]
fn rejects_forward_noise_of_the_wrong_shape() {
    let network = net(6, 2).cast::<f64>();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let batch = replay_tasks::Task::sample_batch::<f64, _>(&RandomWalk::default(), &mut rng, 3, 4);
    let noise = DMatrix::<f64>::zeros(6, 11);
    let err = Workspace::new()
        .forward(&network, &Dynamics::new(0.1), &batch, &noise)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            TrainError::Shape(ShapeError {
                what: "noise",
                found: (6, 11),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("noise has shape 6x11"), "{err}");
}

#[test]
fn rejects_weights_with_infinity_or_the_wrong_shape() {
    let config = NetworkConfig::new(4, 2, 2);
    let mut weights = net(4, 2).into_weights();
    weights.e[(3, 1)] = f32::NEG_INFINITY;
    let err = Network::new(config.clone(), weights).unwrap_err();
    assert_eq!(
        err,
        NetworkError::NonFinite {
            group: "E",
            index: 7
        }
    );
    assert!(err.to_string().contains("group E"), "{err}");
    let mut weights = net(4, 2).into_weights();
    weights.u = DMatrix::zeros(4, 3);
    let err = Network::new(config, weights).unwrap_err();
    assert!(
        err.to_string().contains("U has shape 4x3, expected 4x2"),
        "{err}"
    );
}

#[test]
fn divergence_in_training_names_the_step() {
    // Adam moves every weight by about the learning rate in its first update.
    let mut config = TrainConfig::new(Dynamics::new(0.05), 4, 8, 5);
    config.optimizer.learning_rate = 1e30;
    let err = train_with(&config).unwrap_err();
    assert!(
        matches!(err, TrainError::NonFinite { step: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("step 1"), "{err}");
}

#[test]
fn divergence_in_replay_names_the_step() {
    // Negative feedback of strength 1e30 overflows f32 within a few steps.
    let dynamics = Dynamics::new(0.1).with_adaptation(1e30, 1.0);
    let err = replay_with(&dynamics, &codes(4)).unwrap_err();
    let ReplayError::Sampler(SamplerError::Diverged { step, .. }) = err else {
        panic!("{err:?}");
    };
    assert!(step < 20, "{step}");
    assert!(
        err.to_string().contains(&format!("after step {step}")),
        "{err}"
    );
}

// ---- checkpoints -------------------------------------------------------------------------

#[test]
fn rejects_truncated_checkpoints_with_their_length() {
    let (_, json) = &encodings()[0];
    for cut in [0, 1, 40, json.len() / 2, json.len() - 2] {
        let err = Checkpoint::from_bytes(&json[..cut]).unwrap_err();
        assert!(
            matches!(err, CheckpointError::Truncated { length } if length == cut),
            "cut {cut}: {err:?}"
        );
        assert!(
            err.to_string().contains(&format!("after {cut} bytes")),
            "{err}"
        );
    }
    let (_, binary) = &encodings()[1];
    let cut = binary.len() - 3;
    let err = Checkpoint::from_bytes(&binary[..cut]).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Truncated { length } if length == cut),
        "{err:?}"
    );
}

#[test]
fn rejects_corrupt_checkpoints_by_checksum() {
    for (format, bytes) in encodings() {
        let mut corrupt = bytes.clone();
        // A digit in the last weight group (JSON) or the last weight's bytes (binary).
        let at = if *format == Format::Json {
            corrupt
                .iter()
                .rposition(|b| b.is_ascii_digit() && *b != b'0')
                .unwrap()
                - 40
        } else {
            corrupt.len() - 10
        };
        corrupt[at] = if corrupt[at] == b'7' { b'3' } else { b'7' };
        match Checkpoint::from_bytes(&corrupt) {
            Err(e @ CheckpointError::Checksum { found, computed }) => {
                assert_ne!(found, computed);
                assert!(e.to_string().contains(&format!("{found:#018x}")), "{e}");
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}

#[test]
fn rejects_checkpoints_of_another_version() {
    let mut value = json_value();
    value["version"] = serde_json::json!(7);
    let err = Checkpoint::from_bytes(&serde_json::to_vec(&value).unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::Version {
                found: 7,
                supported: 1
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("version = 7"), "{err}");
    let mut binary = encodings()[1].1.clone();
    binary[8..12].copy_from_slice(&0u32.to_le_bytes());
    let err = Checkpoint::from_bytes(&binary).unwrap_err();
    assert!(err.to_string().contains("version = 0"), "{err}");
}

#[test]
fn rejects_checkpoints_of_another_format_or_no_checkpoint_at_all() {
    let mut value = json_value();
    value["format"] = serde_json::json!("pytorch-state-dict");
    let err = Checkpoint::from_bytes(&serde_json::to_vec(&value).unwrap()).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::Parse(m) if m.contains("pytorch-state-dict")),
        "{err:?}"
    );
    for foreign in [
        &b"\x89PNG\r\n"[..],
        b"null",
        b"{\"format\": \"hippo-replay-checkpoint\", \"version\": 1}",
    ] {
        let err = Checkpoint::from_bytes(foreign).unwrap_err();
        assert!(matches!(err, CheckpointError::Parse(_)), "{err:?}");
    }
}

#[test]
fn rejects_checkpoints_of_the_wrong_shape() {
    // The configuration says 8 hidden units; the matrices hold 5.
    let mut value = json_value();
    value["payload"]["config"]["hidden"] = serde_json::json!(8);
    let err = Checkpoint::from_bytes(&signed(&value)).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::Network(NetworkError::Shape(s)) if s.what == "W"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("W has shape 5x5, expected 8x8"),
        "{err}"
    );
    // A readout with a third row, consistent with its data, against two outputs.
    let mut value = json_value();
    let d = &mut value["payload"]["weights"]["d"];
    d["rows"] = serde_json::json!(3);
    let extra: Vec<serde_json::Value> = vec![serde_json::json!(0.5); 5];
    d["data"].as_array_mut().unwrap().extend(extra);
    let err = Checkpoint::from_bytes(&signed(&value)).unwrap_err();
    assert!(
        err.to_string().contains("D has shape 3x5, expected 2x5"),
        "{err}"
    );
    // An invalid leak stored in a well-formed file.
    let mut value = json_value();
    value["payload"]["config"]["leak"] = serde_json::json!(0.0);
    let err = Checkpoint::from_bytes(&signed(&value)).unwrap_err();
    assert!(err.to_string().contains("leak = 0"), "{err}");
}

#[test]
fn invalid_checkpoint_metadata_is_not_saved() {
    let dir = scratch_dir("meta");
    let path = dir.join("net.json");
    let mut c = small_checkpoint();
    c.meta = TrainingMeta {
        final_loss: Some(f64::NAN),
        ..c.meta
    };
    let err = c.save(&path, Format::Json).unwrap_err();
    assert!(
        matches!(
            &err,
            CheckpointError::Meta(ConfigError::OutOfRange {
                field: "final_loss",
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("final_loss = NaN"), "{err}");
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rejects_saving_over_a_directory_and_leaves_no_temporary() {
    let dir = scratch_dir("over-dir");
    let path = dir.join("net.json");
    std::fs::create_dir_all(path.join("kept")).unwrap();
    for format in [Format::Json, Format::Binary] {
        let err = small_checkpoint().save(&path, format).unwrap_err();
        assert!(
            matches!(&err, CheckpointError::Io { path: p, .. } if *p == path),
            "{err:?}"
        );
        assert!(err.to_string().contains("net.json"), "{err}");
        assert_eq!(entries(&dir), ["net.json"]);
        assert_eq!(entries(&path), ["kept"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rejects_saving_under_a_regular_file() {
    let dir = scratch_dir("under-file");
    let file = dir.join("occupied");
    std::fs::write(&file, b"x").unwrap();
    let path = file.join("net.bin");
    let err = small_checkpoint().save(&path, Format::Binary).unwrap_err();
    assert!(matches!(err, CheckpointError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("occupied/net.bin"), "{err}");
    assert_eq!(entries(&dir), ["occupied"]);
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(
        matches!(&err, CheckpointError::Io { path: p, .. } if *p == path),
        "{err:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A failed save over an existing checkpoint leaves the old one intact.
#[test]
fn invalid_save_keeps_the_previous_checkpoint() {
    let dir = scratch_dir("keep-old");
    let path = dir.join("net.json");
    let old = small_checkpoint();
    old.save(&path, Format::Json).unwrap();
    let mut bad = old.clone();
    bad.meta.final_loss = Some(-1.0);
    assert!(bad.save(&path, Format::Json).is_err());
    assert_eq!(Checkpoint::load(&path).unwrap(), old);
    assert_eq!(entries(&dir), ["net.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("replay-core-invalid-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
