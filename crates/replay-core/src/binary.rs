//! The compact binary checkpoint encoding.
//!
//! ```text
//! magic "HIPPOCKP" | version u32 | total length u64 | header length u32 | header JSON
//! {"config", "meta"} | 6 × (rows u32 | cols u32 | rows·cols f32) | FNV-1a 64 of all before
//! ```
//!
//! All integers and floats little-endian; groups in the order `W, U, b, D, c, E`, column-major.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{
    Checkpoint, FORMAT_NAME, FORMAT_VERSION, TrainingMeta, check_header, fnv1a64,
};
use crate::config::NetworkConfig;
use crate::error::CheckpointError;
use crate::weights::Weights;

/// First bytes of a binary checkpoint.
pub(crate) const MAGIC: &[u8; 8] = b"HIPPOCKP";

/// Bytes before the header: magic, version, total length, header length.
const PREFIX: usize = 8 + 4 + 8 + 4;
const CHECKSUM: usize = 8;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BinaryHeader {
    config: NetworkConfig,
    meta: TrainingMeta,
}

pub(crate) fn encode(checkpoint: &Checkpoint) -> Result<Vec<u8>, CheckpointError> {
    let config = checkpoint.network.config();
    let header = serde_json::to_vec(&BinaryHeader {
        config: config.clone(),
        meta: checkpoint.meta.clone(),
    })
    .map_err(|e| CheckpointError::Parse(e.to_string()))?;
    let header_len = u32::try_from(header.len())
        .map_err(|_| CheckpointError::Parse("header longer than 4 GiB".into()))?;
    let weights = checkpoint.network.weights();
    let values = weights.len();
    let mut out = Vec::with_capacity(PREFIX + header.len() + 6 * 8 + 4 * values + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes()); // total length, patched below
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&header);
    for ((_, g), (rows, cols)) in weights.groups().iter().zip(Weights::<f32>::shapes(config)) {
        for dim in [rows, cols] {
            let dim = u32::try_from(dim)
                .map_err(|_| CheckpointError::Parse(format!("dimension {dim} exceeds u32")))?;
            out.extend_from_slice(&dim.to_le_bytes());
        }
        for x in g.iter() {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    let total = (out.len() + CHECKSUM) as u64;
    out[12..20].copy_from_slice(&total.to_le_bytes());
    let checksum = fnv1a64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    Ok(out)
}

/// Reads fixed-size fields from a byte slice, failing (never panicking) past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CheckpointError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(CheckpointError::Parse(format!(
                "{what} runs past the end of the data at byte {}",
                self.pos
            ))),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, CheckpointError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, CheckpointError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let length = bytes.len();
    let magic_len = MAGIC.len().min(length);
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(CheckpointError::Parse(
            "not a checkpoint (bad magic bytes)".into(),
        ));
    }
    if length < 20 {
        return Err(CheckpointError::Truncated { length });
    }
    let mut r = Reader { bytes, pos: 8 };
    let version = r.u32("version")?;
    check_header(FORMAT_NAME, version)?;
    let total = r.u64("total length")?;
    if (length as u64) < total {
        return Err(CheckpointError::Truncated { length });
    }
    if (length as u64) > total {
        return Err(CheckpointError::Parse(format!(
            "{} bytes after the end of the checkpoint",
            length as u64 - total
        )));
    }
    if length < PREFIX + CHECKSUM {
        return Err(CheckpointError::Parse(format!(
            "total length = {total} is too short"
        )));
    }
    let body = &bytes[..length - CHECKSUM];
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&bytes[length - CHECKSUM..]);
    let found = u64::from_le_bytes(stored);
    let computed = fnv1a64(body);
    if found != computed {
        return Err(CheckpointError::Checksum { found, computed });
    }
    let mut r = Reader {
        bytes: body,
        pos: r.pos,
    };
    let header_len = r.u32("header length")? as usize;
    let header: BinaryHeader = serde_json::from_slice(r.take(header_len, "header")?)
        .map_err(|e| CheckpointError::Parse(format!("header: {e}")))?;
    let mut parts: [(usize, usize, Vec<f32>); 6] = Default::default();
    for part in parts.iter_mut() {
        let rows = r.u32("rows")? as usize;
        let cols = r.u32("cols")? as usize;
        let n = rows
            .checked_mul(cols)
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(|| CheckpointError::Parse(format!("{rows}x{cols} overflows")))?;
        let data = r
            .take(n, "weights")?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        *part = (rows, cols, data);
    }
    if r.pos != body.len() {
        return Err(CheckpointError::Parse(format!(
            "{} unread bytes before the checksum",
            body.len() - r.pos
        )));
    }
    Checkpoint::assemble(header.config, header.meta, parts)
}
