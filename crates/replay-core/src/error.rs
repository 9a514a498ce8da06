//! Typed errors: every message names the offending field and its value.

use std::path::PathBuf;

/// A configuration value outside its valid range.
///
/// ```
/// use replay_core::{ConfigError, NetworkConfig};
/// let err = NetworkConfig::new(8, 2, 2).with_leak(1.5).validate().unwrap_err();
/// assert_eq!(
///     err,
///     ConfigError::OutOfRange { field: "leak", value: 1.5, expected: "0 < leak <= 1" }
/// );
/// assert!(err.to_string().contains("leak = 1.5"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A real-valued field is NaN, infinite or outside its range.
    #[error("{field} = {value} is out of range: expected {expected}")]
    OutOfRange {
        /// Name of the field.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range, as a formula.
        expected: &'static str,
    },
    /// A size that must be at least one is zero.
    #[error("{field} = 0: must be at least 1")]
    ZeroSize {
        /// Name of the field.
        field: &'static str,
    },
}

/// Data whose shape does not match the network or the workspace it is used with.
///
/// ```
/// use replay_core::ShapeError;
/// let err = ShapeError { what: "noise", expected: (8, 40), found: (8, 39) };
/// assert_eq!(err.to_string(), "noise has shape 8x39, expected 8x40");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} has shape {}x{}, expected {}x{}", found.0, found.1, expected.0, expected.1)]
pub struct ShapeError {
    /// Name of the offending matrix.
    pub what: &'static str,
    /// Expected `(rows, columns)`.
    pub expected: (usize, usize),
    /// Actual `(rows, columns)`.
    pub found: (usize, usize),
}

impl ShapeError {
    /// Returns `Ok(())` when `found == expected`, the error naming `what` otherwise.
    ///
    /// ```
    /// use replay_core::ShapeError;
    /// assert!(ShapeError::check("W", (3, 3), (3, 3)).is_ok());
    /// assert!(ShapeError::check("W", (3, 3), (3, 2)).is_err());
    /// ```
    pub fn check(
        what: &'static str,
        expected: (usize, usize),
        found: (usize, usize),
    ) -> Result<(), ShapeError> {
        if expected == found {
            Ok(())
        } else {
            Err(ShapeError {
                what,
                expected,
                found,
            })
        }
    }
}

/// Why building a network from given weights failed.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Network, NetworkConfig, NetworkError};
/// let config = NetworkConfig::new(4, 2, 2);
/// let mut weights = Network::<f64>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0))
///     .unwrap()
///     .into_weights();
/// weights.w[(0, 0)] = f64::NAN;
/// let err = Network::new(config, weights).unwrap_err();
/// assert!(matches!(err, NetworkError::NonFinite { group: "W", index: 0 }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A weight matrix has the wrong shape for the configuration.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A weight is NaN or infinite.
    #[error("weight group {group} has a non-finite entry at index {index}")]
    NonFinite {
        /// Parameter group (`W`, `U`, `b`, `D`, `c`, `E`).
        group: &'static str,
        /// Column-major index of the first offending entry.
        index: usize,
    },
}

/// Why training stopped with an error.
///
/// ```
/// use replay_core::TrainError;
/// let err = TrainError::NonFinite { step: 12, what: "loss" };
/// assert_eq!(err.to_string(), "non-finite loss at training step 12");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// The training or dynamics configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A batch or noise sample does not fit the network.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The loss or a gradient became NaN or infinite.
    #[error("non-finite {what} at training step {step}")]
    NonFinite {
        /// Zero-based index of the update at which it happened.
        step: usize,
        /// `loss` or the gradient group, e.g. `gradient of W`.
        what: &'static str,
    },
}

/// Why a replay could not run.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Dynamics, Network, NetworkConfig, ReplayError, replay};
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut rng).unwrap();
/// let wrong_codes = DMatrix::zeros(3, 1);
/// let err = replay(&net, &Dynamics::new(0.1), &wrong_codes, 10, &mut rng, &mut |_: &_| {}).unwrap_err();
/// assert!(matches!(err, ReplayError::Shape(_)));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplayError {
    /// The replay dynamics are invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The initial codes do not fit the network.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The sampler rejected a parameter or the replay diverged.
    #[error(transparent)]
    Sampler(#[from] replay_sampler::SamplerError),
}

/// Why saving or loading a checkpoint failed.
///
/// ```
/// use replay_core::{Checkpoint, CheckpointError};
/// let err = Checkpoint::from_bytes(b"{\"format\": \"hippo").unwrap_err();
/// assert!(matches!(err, CheckpointError::Truncated { length: 17 }));
/// let err = Checkpoint::from_bytes(b"{\"format\": 3}").unwrap_err();
/// assert!(matches!(err, CheckpointError::Parse(_)));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing the file failed.
    #[error("checkpoint file {path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data ends before the checkpoint does.
    #[error("checkpoint is truncated: it ends after {length} bytes")]
    Truncated {
        /// Number of bytes available.
        length: usize,
    },
    /// The bytes are not a well-formed checkpoint (corrupt, or not a checkpoint at all).
    #[error("checkpoint is malformed: {0}")]
    Parse(String),
    /// The file was written by an unsupported format version.
    #[error("checkpoint version = {found} is not supported (expected {supported})")]
    Version {
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The stored checksum does not match the content.
    #[error("checkpoint checksum = {found:#018x} does not match the content ({computed:#018x})")]
    Checksum {
        /// Checksum stored in the file.
        found: u64,
        /// Checksum of the content as read.
        computed: u64,
    },
    /// The stored network is invalid (configuration, shapes or non-finite weights).
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The stored training metadata is invalid.
    #[error("checkpoint metadata: {0}")]
    Meta(#[from] ConfigError),
}
