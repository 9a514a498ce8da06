//! Checkpoints: the configuration, the weights and the training metadata, in a versioned JSON
//! format (default) or a compact binary one, with a checksum, validated on load and written
//! atomically.
//!
//! JSON layout: `{"format": "hippo-replay-checkpoint", "version": 1, "checksum": …,
//! "payload": {"config": …, "meta": …, "weights": {"w": {"rows", "cols", "data"}, …}}}` where
//! `checksum` is the 64-bit FNV-1a hash of the compact JSON serialisation of `payload`. Weights
//! are `f32`, column-major; JSON numbers are written in the shortest form that reads back to the
//! same `f32`, so a round trip is exact.

use std::io::Write;
use std::path::{Path, PathBuf};

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::binary;
use crate::cell::Network;
use crate::config::{NetworkConfig, TrainConfig};
use crate::error::{CheckpointError, ConfigError, ShapeError};
use crate::weights::{GROUPS, Weights};

/// Name stored in every checkpoint.
///
/// ```
/// assert_eq!(replay_core::checkpoint::FORMAT_NAME, "hippo-replay-checkpoint");
/// ```
pub const FORMAT_NAME: &str = "hippo-replay-checkpoint";
/// Version of the checkpoint format this build writes and reads.
///
/// ```
/// assert_eq!(replay_core::checkpoint::FORMAT_VERSION, 1);
/// ```
pub const FORMAT_VERSION: u32 = 1;

/// The 64-bit FNV-1a hash.
///
/// ```
/// use replay_core::checkpoint::fnv1a64;
/// assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// How a training run produced the weights.
///
/// ```
/// use replay_core::checkpoint::TrainingMeta;
/// let meta = TrainingMeta { updates: 1500, final_loss: Some(0.002), seed: Some(7), training: None };
/// assert!(meta.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingMeta {
    /// Adam updates performed.
    pub updates: usize,
    /// Loss of the last training batch.
    pub final_loss: Option<f64>,
    /// Seed of the training RNG.
    pub seed: Option<u64>,
    /// The training configuration.
    pub training: Option<TrainConfig>,
}

impl TrainingMeta {
    /// Checks that the final loss is finite and non-negative and the configuration valid.
    ///
    /// ```
    /// use replay_core::checkpoint::TrainingMeta;
    /// let meta = TrainingMeta { final_loss: Some(f64::NAN), ..TrainingMeta::default() };
    /// assert!(meta.validate().unwrap_err().to_string().contains("final_loss = NaN"));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(l) = self.final_loss
            && !(l.is_finite() && l >= 0.0)
        {
            return Err(ConfigError::OutOfRange {
                field: "final_loss",
                value: l,
                expected: "finite and >= 0",
            });
        }
        if let Some(t) = &self.training {
            t.validate()?;
        }
        Ok(())
    }
}

/// The file encoding of a checkpoint.
///
/// ```
/// use replay_core::checkpoint::Format;
/// assert_eq!(Format::default(), Format::Json);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Versioned JSON with a checksum (readable, about 10 bytes per weight).
    #[default]
    Json,
    /// Magic bytes, version, length, a JSON header and raw little-endian `f32` weights with a
    /// checksum (4 bytes per weight).
    Binary,
}

/// A trained network and how it was trained.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Network, NetworkConfig};
/// use replay_core::checkpoint::{Checkpoint, Format, TrainingMeta};
///
/// let net = Network::<f32>::init(NetworkConfig::new(8, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let checkpoint = Checkpoint::new(net, TrainingMeta { updates: 10, seed: Some(0), ..TrainingMeta::default() });
/// for format in [Format::Json, Format::Binary] {
///     let bytes = checkpoint.to_bytes(format).unwrap();
///     assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), checkpoint);
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// The network (configuration and weights).
    pub network: Network<f32>,
    /// Training metadata.
    pub meta: TrainingMeta,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredMatrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredWeights {
    w: StoredMatrix,
    u: StoredMatrix,
    b: StoredMatrix,
    d: StoredMatrix,
    c: StoredMatrix,
    e: StoredMatrix,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    config: NetworkConfig,
    meta: TrainingMeta,
    weights: StoredWeights,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    format: String,
    version: u32,
    checksum: u64,
    payload: Payload,
}

/// The fields every version keeps, read first so a future version is reported as such.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

impl StoredMatrix {
    fn from_slice(rows: usize, cols: usize, data: &[f32]) -> Self {
        Self {
            rows,
            cols,
            data: data.to_vec(),
        }
    }
}

/// Builds `[W, U, b, D, c, E]` from stored `(rows, cols, data)` triples, checking every length.
pub(crate) fn weights_from_parts(
    config: &NetworkConfig,
    parts: [(usize, usize, Vec<f32>); 6],
) -> Result<Weights<f32>, CheckpointError> {
    let expected = Weights::<f32>::shapes(config);
    let mut mats = Vec::with_capacity(6);
    for ((name, (rows, cols, data)), shape) in GROUPS.into_iter().zip(parts).zip(expected) {
        ShapeError::check(name, shape, (rows, cols)).map_err(crate::NetworkError::from)?;
        // A forged shape may overflow the element count; it cannot match the data then either.
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(CheckpointError::Parse(format!(
                "{name} holds {} values, expected {rows}x{cols}",
                data.len()
            )));
        }
        mats.push(DMatrix::from_vec(rows, cols, data));
    }
    let mut it = mats.into_iter();
    let mut next = || it.next().expect("six groups");
    let w = next();
    let u = next();
    let b = DVector::from_column_slice(next().as_slice());
    let d = next();
    let c = DVector::from_column_slice(next().as_slice());
    let e = next();
    Ok(Weights { w, u, b, d, c, e })
}

/// Turns a serde_json error into a typed checkpoint error (running out of input is truncation).
pub(crate) fn json_error(e: serde_json::Error, length: usize) -> CheckpointError {
    if e.classify() == serde_json::error::Category::Eof {
        CheckpointError::Truncated { length }
    } else {
        CheckpointError::Parse(e.to_string())
    }
}

impl Checkpoint {
    /// A checkpoint of `network` with `meta`.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Network, NetworkConfig};
    /// use replay_core::checkpoint::{Checkpoint, TrainingMeta};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let c = Checkpoint::new(net, TrainingMeta::default());
    /// assert_eq!(c.meta.updates, 0);
    /// ```
    pub fn new(network: Network<f32>, meta: TrainingMeta) -> Self {
        Self { network, meta }
    }

    /// Encodes the checkpoint. Fails only if the metadata is invalid (e.g. a NaN final loss,
    /// which JSON cannot represent).
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Network, NetworkConfig};
    /// use replay_core::checkpoint::{Checkpoint, Format, TrainingMeta};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let c = Checkpoint::new(net, TrainingMeta::default());
    /// let json = c.to_bytes(Format::Json).unwrap();
    /// assert!(json.starts_with(b"{\"format\":\"hippo-replay-checkpoint\",\"version\":1"));
    /// assert!(c.to_bytes(Format::Binary).unwrap().len() < json.len());
    /// ```
    pub fn to_bytes(&self, format: Format) -> Result<Vec<u8>, CheckpointError> {
        self.meta.validate()?;
        match format {
            Format::Json => self.to_json(),
            Format::Binary => binary::encode(self),
        }
    }

    fn to_json(&self) -> Result<Vec<u8>, CheckpointError> {
        let config = self.network.config().clone();
        let w = self.network.weights();
        let shapes = Weights::<f32>::shapes(&config);
        let stored: Vec<StoredMatrix> = w
            .groups()
            .iter()
            .zip(shapes)
            .map(|((_, g), (r, c))| StoredMatrix::from_slice(r, c, g))
            .collect();
        let mut it = stored.into_iter();
        let mut next = || it.next().expect("six groups");
        let payload = Payload {
            config,
            meta: self.meta.clone(),
            weights: StoredWeights {
                w: next(),
                u: next(),
                b: next(),
                d: next(),
                c: next(),
                e: next(),
            },
        };
        let encoded =
            serde_json::to_vec(&payload).map_err(|e| CheckpointError::Parse(e.to_string()))?;
        let file = JsonFile {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            checksum: fnv1a64(&encoded),
            payload,
        };
        let mut bytes =
            serde_json::to_vec(&file).map_err(|e| CheckpointError::Parse(e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Decodes a checkpoint in either format (told apart by the first byte), validating the
    /// format name, the version, the checksum, every shape, the configuration and the
    /// finiteness of every weight.
    ///
    /// ```
    /// use replay_core::CheckpointError;
    /// use replay_core::checkpoint::Checkpoint;
    /// assert!(matches!(Checkpoint::from_bytes(b""), Err(CheckpointError::Truncated { length: 0 })));
    /// assert!(matches!(Checkpoint::from_bytes(b"[1, 2]"), Err(CheckpointError::Parse(_))));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        match bytes.first() {
            None => Err(CheckpointError::Truncated { length: 0 }),
            Some(&b) if b == binary::MAGIC[0] => binary::decode(bytes),
            Some(_) => Self::from_json(bytes),
        }
    }

    fn from_json(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let header: Header =
            serde_json::from_slice(bytes).map_err(|e| json_error(e, bytes.len()))?;
        check_header(&header.format, header.version)?;
        let file: JsonFile =
            serde_json::from_slice(bytes).map_err(|e| json_error(e, bytes.len()))?;
        let encoded =
            serde_json::to_vec(&file.payload).map_err(|e| CheckpointError::Parse(e.to_string()))?;
        let computed = fnv1a64(&encoded);
        if computed != file.checksum {
            return Err(CheckpointError::Checksum {
                found: file.checksum,
                computed,
            });
        }
        let Payload {
            config,
            meta,
            weights: s,
        } = file.payload;
        let parts = [s.w, s.u, s.b, s.d, s.c, s.e].map(|m| (m.rows, m.cols, m.data));
        Self::assemble(config, meta, parts)
    }

    /// Validates and assembles decoded parts.
    pub(crate) fn assemble(
        config: NetworkConfig,
        meta: TrainingMeta,
        parts: [(usize, usize, Vec<f32>); 6],
    ) -> Result<Self, CheckpointError> {
        config.validate().map_err(crate::NetworkError::from)?;
        meta.validate()?;
        let weights = weights_from_parts(&config, parts)?;
        let network = Network::new(config, weights)?;
        Ok(Self { network, meta })
    }

    /// Writes the checkpoint atomically: to a temporary file in the same directory, flushed to
    /// disk, then renamed over `path`, so a reader never sees a half-written file.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Network, NetworkConfig};
    /// use replay_core::checkpoint::{Checkpoint, Format, TrainingMeta};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let c = Checkpoint::new(net, TrainingMeta::default());
    /// let path = std::env::temp_dir().join(format!("replay-core-doc-{}.json", std::process::id()));
    /// c.save(&path, Format::Json).unwrap();
    /// assert_eq!(Checkpoint::load(&path).unwrap(), c);
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save(&self, path: impl AsRef<Path>, format: Format) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let bytes = self.to_bytes(format)?;
        let tmp = temporary_path(path);
        let io = |source| CheckpointError::Io {
            path: tmp.clone(),
            source,
        };
        let written = (|| {
            let mut file = std::fs::File::create(&tmp).map_err(io)?;
            file.write_all(&bytes).map_err(io)?;
            file.sync_all().map_err(io)
        })();
        let result = written.and_then(|()| {
            std::fs::rename(&tmp, path).map_err(|source| CheckpointError::Io {
                path: path.to_path_buf(),
                source,
            })
        });
        if result.is_err() {
            // Best effort: the temporary may not exist if creating it failed.
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Reads and decodes a checkpoint file in either format.
    ///
    /// ```
    /// use replay_core::CheckpointError;
    /// use replay_core::checkpoint::Checkpoint;
    /// let err = Checkpoint::load("/nonexistent/checkpoint.json").unwrap_err();
    /// assert!(matches!(err, CheckpointError::Io { .. }));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }
}

/// Rejects a file of another format or version.
pub(crate) fn check_header(format: &str, version: u32) -> Result<(), CheckpointError> {
    if format != FORMAT_NAME {
        return Err(CheckpointError::Parse(format!(
            "format = {format:?}, expected {FORMAT_NAME:?}"
        )));
    }
    if version != FORMAT_VERSION {
        return Err(CheckpointError::Version {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}
