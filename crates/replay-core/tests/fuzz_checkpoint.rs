//! Fuzzing of checkpoint loading: arbitrary bytes, byte-level mutations of valid files (re-signed
//! so that they pass the checksum and reach the content checks) and structural edits of the JSON
//! payload. Loading must never panic, and whatever loads must be a valid network that encodes
//! back to itself.
//!
//! proptest runs 256 cases by default and `PROPTEST_CASES` when it is set, for a long run.

mod damage;

use damage::{encodings, json_value, resign, signed};
use proptest::prelude::*;
use replay_core::checkpoint::{Checkpoint, Format};

/// Whatever loads is validated: finite weights of the configured shapes, and an exact round trip.
fn check_loaded(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(c) = Checkpoint::from_bytes(bytes) {
        prop_assert!(c.network.config().validate().is_ok());
        prop_assert!(c.network.weights().check_finite().is_ok());
        prop_assert!(c.meta.validate().is_ok());
        for format in [Format::Json, Format::Binary] {
            let again = Checkpoint::from_bytes(&c.to_bytes(format).unwrap()).unwrap();
            prop_assert_eq!(&again, &c);
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Duplicate(prop::sample::Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<u8>(), 1..8)
        )
            .prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        Edit::Set(i, b) => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        Edit::Insert(i, v) => {
            let i = i.index(bytes.len() + 1);
            bytes.splice(i..i, v.iter().copied());
        }
        Edit::Delete(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Duplicate(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            let copy: Vec<u8> = bytes[i..end].to_vec();
            bytes.splice(i..i, copy);
        }
    }
}

/// Dotted paths of every leaf of the JSON checkpoint (array elements as indices).
fn leaves(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{prefix}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate().take(3) {
                leaves(v, &format!("{prefix}/{i}"), out);
            }
            out.push(prefix.to_string());
        }
        _ => out.push(prefix.to_string()),
    }
}

fn json_leaves() -> &'static [String] {
    static CACHE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        let mut out = Vec::new();
        leaves(&json_value(), "", &mut out);
        out
    })
}

/// Replacement values: the boundaries a loader has to survive.
fn json_replacement() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        Just(json!(null)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1u64 << 32)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!(-0.0)),
        Just(json!("")),
        Just(json!("tanh")),
        Just(json!([])),
        Just(json!({})),
        any::<u32>().prop_map(|v| json!(v)),
        any::<f32>()
            .prop_filter("JSON numbers are finite", |v| v.is_finite())
            .prop_map(|v| json!(v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary bytes, alone or after either format's opening, never panic.
    #[test]
    fn fuzz_checkpoint_arbitrary_bytes_never_panic(
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"HIPPOCKP"[..]),
            Just(&b"HIPPOCKP\x01\x00\x00\x00"[..]),
            Just(&b"{\"format\":\"hippo-replay-checkpoint\",\"version\":1,"[..]),
        ],
        tail in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(tail);
        check_loaded(&bytes)?;
    }

    /// Byte-level mutations of both formats, re-signed or not, never panic.
    #[test]
    fn fuzz_checkpoint_mutated_files_never_panic(
        which in 0usize..2,
        edits in prop::collection::vec(edit(), 1..6),
        sign in any::<bool>(),
    ) {
        let mut bytes = encodings()[which].1.clone();
        for e in &edits {
            apply(&mut bytes, e);
        }
        if sign {
            bytes = resign(bytes);
        }
        check_loaded(&bytes)?;
    }

    /// Any one or two fields of the JSON checkpoint replaced by a boundary value, re-signed,
    /// never panic.
    #[test]
    fn fuzz_checkpoint_edited_json_fields_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), json_replacement()), 1..3),
    ) {
        let mut value = json_value();
        for (i, replacement) in &edits {
            let path = &json_leaves()[i.index(json_leaves().len())];
            if let Some(slot) = value.pointer_mut(path) {
                *slot = replacement.clone();
            }
        }
        check_loaded(&signed(&value))?;
    }
}

/// Found by reading the loader: a stored hidden size of 2^32 with a recurrent matrix claiming
/// 2^32 × 2^32 entries overflowed the element count (a panic where overflow checks are on).
#[test]
fn fuzz_checkpoint_regression_element_count_overflow_is_an_error() {
    let mut value = json_value();
    let n = 1u64 << 32;
    value["payload"]["config"]["hidden"] = serde_json::json!(n);
    value["payload"]["weights"]["w"]["rows"] = serde_json::json!(n);
    value["payload"]["weights"]["w"]["cols"] = serde_json::json!(n);
    let err = Checkpoint::from_bytes(&signed(&value)).unwrap_err();
    assert!(
        matches!(&err, replay_core::CheckpointError::Parse(m) if m.contains("W holds")),
        "{err:?}"
    );
}
