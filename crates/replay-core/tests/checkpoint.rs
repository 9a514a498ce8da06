//! Checkpoint round trips and rejection of damaged files.

use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::checkpoint::{Checkpoint, FORMAT_VERSION, Format, TrainingMeta, fnv1a64};
use replay_core::toy::RandomWalk;
use replay_core::{
    Activation, CheckpointError, Dynamics, Momentum, Network, NetworkConfig, NetworkError,
    TrainConfig, train,
};

fn trained_checkpoint() -> Checkpoint {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let config = NetworkConfig::new(6, 2, 2)
        .with_activation(Activation::Tanh)
        .with_leak(0.3);
    let mut net = Network::<f32>::init(config, &mut rng).unwrap();
    let mut training = TrainConfig::new(
        Dynamics::new(0.05).with_momentum(Momentum::new(0.5)),
        4,
        5,
        10,
    );
    training.optimizer.clip_norm = Some(1.0);
    let summary = train(
        &mut net,
        &RandomWalk::default(),
        &training,
        &mut rng,
        &mut (),
    )
    .unwrap();
    Checkpoint::new(
        net,
        TrainingMeta {
            updates: summary.updates,
            final_loss: summary.final_loss(),
            seed: Some(5),
            training: Some(training),
        },
    )
}

#[test]
fn checkpoint_round_trip_is_exact_in_both_formats() {
    let c = trained_checkpoint();
    for format in [Format::Json, Format::Binary] {
        let bytes = c.to_bytes(format).unwrap();
        let back = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(back, c);
        // Bit-exact weights, not merely equal up to rounding.
        for ((_, a), (_, b)) in back
            .network
            .weights()
            .groups()
            .iter()
            .zip(c.network.weights().groups())
        {
            assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
        // Encoding is deterministic.
        assert_eq!(back.to_bytes(format).unwrap(), bytes);
    }
}

#[test]
fn checkpoint_round_trip_of_extreme_values_is_exact() {
    let config = NetworkConfig::new(2, 1, 1);
    let mut weights = Network::<f32>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0))
        .unwrap()
        .into_weights();
    weights.w[(0, 0)] = f32::MAX;
    weights.w[(1, 0)] = f32::MIN_POSITIVE;
    weights.w[(0, 1)] = -1.0e-45; // subnormal
    weights.w[(1, 1)] = -0.0;
    let c = Checkpoint::new(
        Network::new(config, weights).unwrap(),
        TrainingMeta::default(),
    );
    for format in [Format::Json, Format::Binary] {
        let back = Checkpoint::from_bytes(&c.to_bytes(format).unwrap()).unwrap();
        let (a, b) = (back.network.weights(), c.network.weights());
        assert!(
            a.w.iter()
                .zip(b.w.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
    }
}

#[test]
fn checkpoint_save_and_load_through_a_file() {
    let c = trained_checkpoint();
    let dir = std::env::temp_dir().join(format!("replay-core-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, format) in [("a.json", Format::Json), ("a.bin", Format::Binary)] {
        let path = dir.join(name);
        c.save(&path, format).unwrap();
        // Overwriting is atomic and leaves no temporary behind.
        c.save(&path, format).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), c);
    }
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a.bin", "a.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn checkpoint_save_into_missing_directory_is_an_io_error() {
    let c = trained_checkpoint();
    let err = c
        .save("/nonexistent-dir-for-replay-core/x.json", Format::Json)
        .unwrap_err();
    assert!(matches!(err, CheckpointError::Io { .. }), "{err}");
}

#[test]
fn rejects_checkpoint_of_other_version() {
    let c = trained_checkpoint();
    let json = String::from_utf8(c.to_bytes(Format::Json).unwrap()).unwrap();
    let other = json.replacen(&format!("\"version\":{FORMAT_VERSION}"), "\"version\":2", 1);
    let err = Checkpoint::from_bytes(other.as_bytes()).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::Version {
                found: 2,
                supported: 1
            }
        ),
        "{err}"
    );

    let mut bin = c.to_bytes(Format::Binary).unwrap();
    bin[8] = 9;
    let err = Checkpoint::from_bytes(&bin).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Version { found: 9, .. }),
        "{err}"
    );
}

/// Re-signs an edited JSON checkpoint so that only the validation of its content can reject
/// it: the checksum the loader computes for the edited payload is taken from its error.
fn resign(json: &str) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    match Checkpoint::from_bytes(json.as_bytes()) {
        Err(CheckpointError::Checksum { computed, .. }) => {
            value["checksum"] = serde_json::json!(computed);
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn rejects_checkpoint_with_wrong_shape_or_non_finite_weight() {
    let c = trained_checkpoint();
    let json = String::from_utf8(c.to_bytes(Format::Json).unwrap()).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();

    // A hidden size that disagrees with the stored matrices.
    let mut wrong = value.clone();
    wrong["payload"]["config"]["hidden"] = serde_json::json!(7);
    let err = Checkpoint::from_bytes(&resign(&wrong.to_string())).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Network(NetworkError::Shape(ref e)) if e.what == "W"),
        "{err}"
    );

    // A matrix whose data length disagrees with its stated shape.
    let mut short = value.clone();
    short["payload"]["weights"]["u"]["data"]
        .as_array_mut()
        .unwrap()
        .pop();
    let err = Checkpoint::from_bytes(&resign(&short.to_string())).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Parse(ref m) if m.contains("U")),
        "{err}"
    );

    // An out-of-range configuration.
    let mut leak = value.clone();
    leak["payload"]["config"]["leak"] = serde_json::json!(2.0);
    let err = Checkpoint::from_bytes(&resign(&leak.to_string())).unwrap_err();
    assert!(err.to_string().contains("leak = 2"), "{err}");

    // A weight beyond the f32 range cannot even be read from JSON.
    value["payload"]["weights"]["b"]["data"][0] = serde_json::json!(1e39);
    let edited = serde_json::to_vec(&value).unwrap();
    let err = Checkpoint::from_bytes(&edited).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Parse(ref m) if m.contains("out of range")),
        "{err}"
    );

    // An infinite weight in a binary file with a valid checksum.
    let mut bin = c.to_bytes(Format::Binary).unwrap();
    let header_len = u32::from_le_bytes(bin[20..24].try_into().unwrap()) as usize;
    let w0 = 24 + header_len + 8; // after the header and W's rows and columns
    bin[w0..w0 + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
    let body = bin.len() - 8;
    let checksum = fnv1a64(&bin[..body]);
    bin[body..].copy_from_slice(&checksum.to_le_bytes());
    let err = Checkpoint::from_bytes(&bin).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::Network(NetworkError::NonFinite {
                group: "W",
                index: 0
            })
        ),
        "{err}"
    );
}

#[test]
fn rejects_checkpoint_with_edited_weight_by_checksum() {
    let c = trained_checkpoint();
    let json = String::from_utf8(c.to_bytes(Format::Json).unwrap()).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["payload"]["weights"]["w"]["data"][3] = serde_json::json!(0.125);
    let err = Checkpoint::from_bytes(value.to_string().as_bytes()).unwrap_err();
    assert!(matches!(err, CheckpointError::Checksum { .. }), "{err}");
}

#[test]
fn rejects_checkpoint_with_trailing_or_foreign_bytes() {
    let c = trained_checkpoint();
    let mut bin = c.to_bytes(Format::Binary).unwrap();
    bin.push(0);
    assert!(matches!(
        Checkpoint::from_bytes(&bin),
        Err(CheckpointError::Parse(_))
    ));
    assert!(matches!(
        Checkpoint::from_bytes(b"HELLO WORLD"),
        Err(CheckpointError::Parse(_))
    ));
    assert!(matches!(
        Checkpoint::from_bytes(b"HIPPO"),
        Err(CheckpointError::Truncated { length: 5 })
    ));
    let mut json = c.to_bytes(Format::Json).unwrap();
    json.extend_from_slice(b"{}");
    assert!(matches!(
        Checkpoint::from_bytes(&json),
        Err(CheckpointError::Parse(_))
    ));
}

fn encoded() -> &'static [(Format, Vec<u8>, Checkpoint)] {
    static CACHE: std::sync::OnceLock<Vec<(Format, Vec<u8>, Checkpoint)>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        let c = trained_checkpoint();
        [Format::Json, Format::Binary]
            .into_iter()
            .map(|f| (f, c.to_bytes(f).unwrap(), c.clone()))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every proper prefix is an error: truncation is never mistaken for a checkpoint.
    #[test]
    fn checkpoint_truncated_is_an_error(which in 0usize..2, fraction in 0.0f64..1.0) {
        let (format, bytes, _) = &encoded()[which];
        // JSON ends with a newline that carries no content; cut before it.
        let content = if *format == Format::Json { bytes.len() - 1 } else { bytes.len() };
        let cut = ((content as f64) * fraction) as usize;
        let result = Checkpoint::from_bytes(&bytes[..cut]);
        prop_assert!(result.is_err(), "prefix of {} bytes loaded", cut);
    }

    /// A changed byte either is rejected or leaves the content unchanged (e.g. whitespace).
    #[test]
    fn checkpoint_corrupted_byte_is_rejected_or_harmless(which in 0usize..2, pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (_, bytes, original) = &encoded()[which];
        let mut damaged = bytes.clone();
        let i = pos.index(damaged.len());
        prop_assume!(damaged[i] != byte);
        damaged[i] = byte;
        match Checkpoint::from_bytes(&damaged) {
            Err(_) => {}
            Ok(loaded) => prop_assert_eq!(&loaded, original),
        }
    }
}

#[test]
fn checkpoint_every_truncation_point_of_binary_is_an_error() {
    let (_, bytes, _) = &encoded()[1];
    for cut in 0..bytes.len() {
        assert!(
            Checkpoint::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
}
