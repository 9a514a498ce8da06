//! Crash-safe file output: every file is written under a temporary name, then renamed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::RunError;

/// Writes `bytes` to `path` atomically: readers see either the old file or the whole new one.
///
/// The data goes to a temporary file in the same directory (so the rename stays on one file
/// system), is flushed to disk, then renamed over `path`.
///
/// ```
/// let dir = std::env::temp_dir().join("hippo-replay-doc-io");
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("note.txt");
/// hippo_replay::io::write_atomic(&path, b"hello").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"hello");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let io_err = |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = temporary_sibling(path);
    let mut file = fs::File::create(&tmp).map_err(io_err)?;
    let written = file.write_all(bytes).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_err(e)
    })
}

/// Creates `dir` and its parents, reporting the directory in the error.
///
/// ```
/// let dir = std::env::temp_dir().join("hippo-replay-doc-io").join("a").join("b");
/// hippo_replay::io::create_dir(&dir).unwrap();
/// assert!(dir.is_dir());
/// ```
pub fn create_dir(dir: &Path) -> Result<(), RunError> {
    fs::create_dir_all(dir).map_err(|source| RunError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
