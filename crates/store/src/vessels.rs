//! Every vessel's records in one pass: the store's files (each sorted by
//! (mmsi, time)) read once, side by side, a small batch at a time, and
//! merged by MMSI, so that a reader of the whole store reads each row
//! group once whatever the number of files. Memory holds a batch and the
//! current row group's column chunks per file, and one vessel: fine for a
//! store of a few hundred files (the imagery fusion's read), not the way
//! to read an archive of thousands (detection reads MMSI ranges, pruned
//! to the pages that hold them).

use crate::reader::{Filter, Scan, Table};
use crate::record::Position;
use crate::{schema, Store, StoreError};
use arrow_array::RecordBatch;
use std::path::PathBuf;

/// A record the merge can key: its vessel.
trait Keyed {
    /// Its MMSI.
    fn mmsi(&self) -> u32;
}

impl Keyed for Position {
    fn mmsi(&self) -> u32 {
        self.mmsi
    }
}

type Decode<T> = fn(&RecordBatch) -> Result<Vec<T>, String>;

/// Rows read per batch and file: small, since every file has one open.
const BATCH_ROWS: usize = 4096;

/// One file's rows.
struct Cursor<T> {
    scan: Scan,
    rows: Vec<T>,
    at: usize,
    path: PathBuf,
}

impl<T: Keyed> Cursor<T> {
    /// The MMSI of the next row, loading the next batch when needed.
    fn peek(&mut self, decode: Decode<T>) -> Result<Option<u32>, StoreError> {
        while self.at >= self.rows.len() {
            match self.scan.next() {
                None => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok((path, b))) => {
                    self.rows = decode(&b).map_err(|msg| StoreError::Corrupt {
                        path: path.clone(),
                        msg,
                    })?;
                    self.path = path;
                    self.at = 0;
                }
            }
        }
        Ok(Some(self.rows[self.at].mmsi()))
    }
}

/// Iterator of (mmsi, records) over one table of a store, in MMSI order;
/// a vessel's records come file by file in the store's file order, each
/// file's in its row order (time order), as a scan of the whole store
/// restricted to that vessel would give them. A file whose rows are not
/// in MMSI order is an error.
struct Merged<T> {
    cursors: Vec<Cursor<T>>,
    decode: Decode<T>,
    last: Option<u32>,
    failed: bool,
}

impl<T: Keyed> Merged<T> {
    fn new(files: Vec<PathBuf>, filter: &Filter, table: Table, decode: Decode<T>) -> Merged<T> {
        let mut f = filter.clone();
        f.shard = None;
        f.mmsi = None;
        Merged {
            cursors: files
                .into_iter()
                .map(|path| Cursor {
                    scan: Scan::new(vec![path], f.clone(), table).with_batch_rows(BATCH_ROWS),
                    rows: Vec::new(),
                    at: 0,
                    path: PathBuf::new(),
                })
                .collect(),
            decode,
            last: None,
            failed: false,
        }
    }

    /// The next vessel's MMSI without taking its records.
    fn peek(&mut self) -> Result<Option<u32>, StoreError> {
        let mut next: Option<u32> = None;
        for c in &mut self.cursors {
            if let Some(m) = c.peek(self.decode)? {
                if self.last.is_some_and(|l| m <= l) {
                    return Err(StoreError::Corrupt {
                        path: c.path.clone(),
                        msg: format!(
                            "rows not sorted by MMSI ({m} after {})",
                            self.last.unwrap_or(0)
                        ),
                    });
                }
                next = Some(next.map_or(m, |n| n.min(m)));
            }
        }
        Ok(next)
    }

    fn step(&mut self) -> Result<Option<(u32, Vec<T>)>, StoreError> {
        let Some(m) = self.peek()? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for c in &mut self.cursors {
            while c.peek(self.decode)? == Some(m) {
                let end = c.at + c.rows[c.at..].partition_point(|f| f.mmsi() == m);
                out.extend(c.rows.drain(c.at..end));
            }
        }
        self.last = Some(m);
        Ok(Some((m, out)))
    }
}

impl<T: Keyed> Iterator for Merged<T> {
    type Item = Result<(u32, Vec<T>), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.step() {
            Ok(x) => x.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl Store {
    /// Every vessel's fixes in time order, one vessel at a time in MMSI
    /// order: the store's files read once and merged, so memory holds a
    /// batch per file and one vessel. The filter's `time`, `bbox` and
    /// `columns` apply; fixes are built with [`schema::fixes_from_batch`]
    /// (read `time`, `mmsi`, `lat`, `lon`, and `sog`, `cog` if asked for;
    /// the rest default). A file whose rows are not in MMSI order is an
    /// error.
    pub fn tracks(&self, filter: &Filter) -> Tracks {
        Tracks(Merged::new(
            self.files(Table::Positions),
            filter,
            Table::Positions,
            schema::fixes_from_batch,
        ))
    }
}

/// Iterator of (mmsi, fixes in time order) over a store: see
/// [`Store::tracks`].
pub struct Tracks(Merged<Position>);

impl Iterator for Tracks {
    type Item = Result<(u32, Vec<Position>), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| {
            r.map(|(m, mut v)| {
                // files of different days (and ingests) each hold part of
                // the track
                v.sort_by_key(|f| f.time_ms);
                (m, v)
            })
        })
    }
}
