//! The manifest: one JSON line per committed source. A source's files count
//! as part of the store only once its line is written; a torn last line
//! (crash while appending) is ignored and cut off before the next append.

use crate::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// The manifest's file name in the store root.
pub const MANIFEST: &str = "manifest.jsonl";

/// The store format this version writes and reads. Format 2 (merged
/// sources) is marked by a line `{"store_format":2,...}` written before the
/// first entry with merges: a version that reads only format 1 cannot
/// parse that line and refuses the store, instead of sweeping away merged
/// files it does not know.
pub const STORE_FORMAT: u32 = 2;

const FORMAT_PREFIX: &str = "{\"store_format\":";

/// What was ingested from one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// Path as given (or `-` for standard input).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// BLAKE3 of the source's bytes (as stored, before decompression).
    pub hash: String,
    /// `nmea` or the CSV layout (`marinecadastre-csv`, `dma-csv`,
    /// `aishub-csv`, `decoded-ais-csv`, `csv`).
    pub format: String,
    /// Messages (NMEA) or rows (CSV) read.
    pub messages: u64,
    /// Position rows stored.
    pub positions: u64,
    /// Identity rows stored.
    pub identities: u64,
    /// Records dropped as duplicates of an earlier one within the window.
    pub duplicates: u64,
    /// Rejects by reason.
    pub rejects: BTreeMap<String, u64>,
    /// Text fields (names, call signs, destinations) of kept rows cut to
    /// [`crate::limits::MAX_TEXT_CHARS`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub truncated_fields: u64,
    /// Receive-time range of the stored rows, RFC 3339.
    pub first_time: Option<String>,
    /// (end of the range)
    pub last_time: Option<String>,
    /// Files of this source, relative to the store root.
    pub files: Vec<String>,
    /// Parameters the ingest ran with.
    pub dedup_window_ms: i64,
    /// Days merged with the sources already in the store when this one was
    /// committed (the same report carried by several sources kept once):
    /// committed in the same line, so a source and its merges are one
    /// commit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<Merge>,
}

/// One day's files rewritten with the reports several sources carried kept
/// once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// Files (of this or earlier sources, or earlier merges) whose rows are
    /// now in `files`: no longer part of the store.
    pub replaces: Vec<String>,
    /// The merged files, relative to the store root.
    pub files: Vec<String>,
    /// Position rows dropped as copies of a report another source carried.
    pub positions_merged: u64,
    /// Identity rows dropped likewise.
    pub identities_merged: u64,
}

/// The data files the store holds: every file a committed line lists,
/// less those a merge replaced, in manifest order.
pub fn live_files(entries: &[SourceEntry]) -> Vec<String> {
    let replaced: std::collections::HashSet<&str> = entries
        .iter()
        .flat_map(|e| e.merges.iter())
        .flat_map(|m| m.replaces.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for e in entries {
        for f in e
            .files
            .iter()
            .chain(e.merges.iter().flat_map(|m| m.files.iter()))
        {
            if !replaced.contains(f.as_str()) {
                out.push(f.clone());
            }
        }
    }
    out
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Reads all committed entries.
pub fn read(dir: &Path) -> Result<Vec<SourceEntry>, StoreError> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(&path, e)),
    };
    parse(&text, &path)
}

/// The committed entries of a manifest's text (read from `path`): a torn
/// last line (no newline yet) is not committed.
pub fn parse(text: &str, path: &Path) -> Result<Vec<SourceEntry>, StoreError> {
    let path = path.to_path_buf();
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let mut out = Vec::new();
    for (i, line) in complete.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(FORMAT_PREFIX) {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| StoreError::Corrupt {
                    path: path.clone(),
                    msg: format!("line {}: {e}", i + 1),
                })?;
            let f = v["store_format"].as_u64().unwrap_or(u64::MAX);
            if f > STORE_FORMAT as u64 {
                return Err(StoreError::Corrupt {
                    path: path.clone(),
                    msg: format!(
                        "line {}: store format {f}, written by a newer shiptrace (this one reads up to {STORE_FORMAT})",
                        i + 1
                    ),
                });
            }
            continue;
        }
        let e: SourceEntry = serde_json::from_str(line).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            msg: format!("line {}: {e}", i + 1),
        })?;
        out.push(e);
    }
    Ok(out)
}

/// Appends one entry durably (fsync), first cutting off a torn last line.
pub fn append(dir: &Path, entry: &SourceEntry) -> Result<(), StoreError> {
    let path = dir.join(MANIFEST);
    let mut f = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| StoreError::io(&path, e))?;
    let text = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
    let keep = text
        .iter()
        .rposition(|&c| c == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    if keep != text.len() {
        f.set_len(keep as u64)
            .map_err(|e| StoreError::io(&path, e))?;
    }
    f.seek(SeekFrom::Start(keep as u64))
        .map_err(|e| StoreError::io(&path, e))?;
    let mut line = String::new();
    if !entry.merges.is_empty()
        && !text
            .split(|&c| c == b'\n')
            .any(|l| l.starts_with(FORMAT_PREFIX.as_bytes()))
    {
        line.push_str(&format!(
            "{FORMAT_PREFIX}{STORE_FORMAT},\"note\":\"sources merged: read and write this store with shiptrace 0.1 of 2026-11-29 or later\"}}\n"
        ));
    }
    line.push_str(
        &serde_json::to_string(entry).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            msg: e.to_string(),
        })?,
    );
    line.push('\n');
    f.write_all(line.as_bytes())
        .map_err(|e| StoreError::io(&path, e))?;
    f.sync_all().map_err(|e| StoreError::io(&path, e))?;
    Ok(())
}
