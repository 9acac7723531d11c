//! # shiptrace store
//!
//! A loss-free AIS dataset on disk: Apache Parquet files, Hive-partitioned
//! by UTC day, in two tables:
//!
//! ```text
//! STORE/
//!   manifest.jsonl                          one line per committed source
//!   positions/day=2023-08-01/<src>-0000.parquet
//!   identities/day=2023-08-01/<src>-0000.parquet
//!   rejects/<src>.jsonl                     samples of rejected input, by reason
//! ```
//!
//! Rows are sorted by (mmsi, time) in every file, with page statistics, so a
//! read by vessel, time range or bounding box touches only what it needs.
//! Ingest ([`ingest`]) takes raw NMEA (plain, gzip, zstd), US
//! MarineCadastre CSV and Danish Maritime Authority CSV; removes duplicate
//! receptions within a window (across flushes, and across ingests when a
//! state file carries the window on: [`dedup`]); and commits each source atomically: its
//! files are written under temporary names, renamed into place and only
//! then recorded in the manifest. Readers ([`Store`]) see only committed
//! files, so a crash at any moment leaves a readable store, and re-running
//! the ingest completes it to exactly the rows of an uninterrupted run.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod csvmap;
mod csvsrc;
pub mod dedup;
pub mod ingest;
pub mod jsonsrc;
pub mod limits;
pub mod manifest;
mod merge;
mod reader;
pub mod record;
#[cfg(feature = "remote")]
mod remote;
mod runs;
pub mod schema;

pub use csvmap::{CsvField, CsvMapping, DraughtUnit, SpeedUnit, TimeFormat};
pub use dedup::Dedup;
pub use ingest::{
    ingest, open_input, read_only, IngestOptions, Input, Progress, ReadSummary, SourceOutcome,
};

/// Arrow types the readers hand out, for crates that do not depend on arrow.
pub mod arrow {
    pub use arrow_array::{Array, RecordBatch, TimestampMillisecondArray, UInt32Array};
}
pub use manifest::SourceEntry;
pub use reader::{Filter, Store, Tracks};
pub use record::{Class, Identity, Position};

use std::path::{Path, PathBuf};

/// Errors of the store, each naming the file (and line/column for input).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (shown in the message, so not also chained as a
        /// source: error reports would print it twice).
        error: std::io::Error,
    },
    /// A Parquet file could not be read or written.
    #[error("{path}: {msg}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        msg: String,
    },
    /// An input the ingest cannot go on with.
    #[error("{path}:{line}: {msg}")]
    Input {
        /// The input.
        path: PathBuf,
        /// Its line, from 1.
        line: u64,
        /// What is wrong.
        msg: String,
    },
    /// An input without receive times, and none assumed.
    #[error("{path}: no receive time in this input (no tag-block c:, ,<epoch> suffix, $PGHP or $xxZDA, no time column); give one with --assume-time")]
    NoTime {
        /// The input.
        path: PathBuf,
    },
    /// A store in object storage could not be reached or read (network,
    /// credentials, a scheme not read here).
    #[error("{path}: {msg}")]
    Remote {
        /// The store's URL, or the object's.
        path: PathBuf,
        /// What went wrong.
        msg: String,
    },
    /// The store is damaged (manifest or files).
    #[error("store {path}: {msg}")]
    Corrupt {
        /// The store directory or file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_path_buf(),
            error: e,
        }
    }
}

/// `YYYY-MM-DD` of a unix-millisecond time.
pub fn day_of(ms: i64) -> String {
    let (y, m, d) = ais::nmea::civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}
