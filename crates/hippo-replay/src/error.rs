//! The runner's error type.

use std::path::PathBuf;

/// Everything that can stop a reproduction run or one of its cells.
///
/// ```
/// let e = hippo_replay::RunError::InvalidField {
///     field: "run.seeds",
///     value: "0".into(),
///     expected: "a whole number from 1 to 1000000".into(),
/// };
/// assert_eq!(
///     e.to_string(),
///     "invalid value for run.seeds: 0 (expected a whole number from 1 to 1000000)"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A configuration field holds a value outside its domain.
    #[error("invalid value for {field}: {value} (expected {expected})")]
    InvalidField {
        /// Dotted path of the field.
        field: &'static str,
        /// The offending value.
        value: String,
        /// What the field accepts.
        expected: String,
    },
    /// A task's parameters are invalid.
    #[error("{field}: {source}")]
    Task {
        /// The configuration table holding the parameters.
        field: &'static str,
        /// The task crate's error, naming the parameter and value.
        source: replay_tasks::TaskError,
    },
    /// A configuration file names a field that does not exist.
    #[error("unknown configuration field {0}")]
    UnknownField(String),
    /// A configuration file could not be parsed.
    #[error("configuration: {0}")]
    Config(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
