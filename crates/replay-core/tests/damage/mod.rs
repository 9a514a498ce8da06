//! A small trained checkpoint and ways to damage it while keeping its checksum valid, so that
//! the loader's validation of the content (not only the checksum) is exercised.

#![allow(dead_code)]

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use replay_core::checkpoint::{Checkpoint, Format, TrainingMeta, fnv1a64};
use replay_core::{Activation, CheckpointError, Dynamics, Network, NetworkConfig, TrainConfig};

/// A 5-unit tanh network with complete metadata (the loader checks every field of it).
pub fn small_checkpoint() -> Checkpoint {
    let config = NetworkConfig::new(5, 2, 2)
        .with_activation(Activation::Tanh)
        .with_leak(0.4);
    let network = Network::<f32>::init(config, &mut ChaCha8Rng::seed_from_u64(11)).unwrap();
    let dynamics = Dynamics::new(0.02).with_adaptation(0.1, 10.0);
    let meta = TrainingMeta {
        updates: 5,
        final_loss: Some(0.125),
        seed: Some(11),
        training: Some(TrainConfig::new(dynamics, 3, 4, 5)),
    };
    Checkpoint::new(network, meta)
}

/// The checkpoint encoded in both formats, computed once.
pub fn encodings() -> &'static [(Format, Vec<u8>)] {
    static CACHE: std::sync::OnceLock<Vec<(Format, Vec<u8>)>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        let c = small_checkpoint();
        [Format::Json, Format::Binary]
            .into_iter()
            .map(|f| (f, c.to_bytes(f).unwrap()))
            .collect()
    })
}

/// Stores the checksum the loader computes for an edited JSON checkpoint, so that only the
/// validation of the content can reject it. Returns the input unchanged when it does not parse
/// far enough to have its checksum computed.
pub fn resign_json(bytes: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return bytes.to_vec();
    };
    match Checkpoint::from_bytes(bytes) {
        Err(CheckpointError::Checksum { computed, .. }) => {
            value["checksum"] = serde_json::json!(computed);
            serde_json::to_vec(&value).unwrap()
        }
        _ => bytes.to_vec(),
    }
}

/// Rewrites the total length and the checksum of an edited binary checkpoint.
pub fn resign_binary(bytes: &mut [u8]) {
    if bytes.len() < 28 {
        return;
    }
    let total = bytes.len() as u64;
    bytes[12..20].copy_from_slice(&total.to_le_bytes());
    let body = bytes.len() - 8;
    let checksum = fnv1a64(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum.to_le_bytes());
}

/// Re-signs `bytes` in whichever format its first byte says it is.
pub fn resign(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.first() == Some(&b'H') {
        resign_binary(&mut bytes);
        bytes
    } else {
        resign_json(&bytes)
    }
}

/// The JSON checkpoint as a value, for structural edits.
pub fn json_value() -> serde_json::Value {
    serde_json::from_slice(&encodings()[0].1).unwrap()
}

/// Encodes an edited JSON value and re-signs it.
pub fn signed(value: &serde_json::Value) -> Vec<u8> {
    resign_json(&serde_json::to_vec(value).unwrap())
}
