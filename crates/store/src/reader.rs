//! Reading the store: committed files only, pruned by day partition and
//! row-group statistics, filtered row by row, streamed as Arrow batches.

use crate::manifest::{self, SourceEntry};
use crate::record::{Identity, Position};
use crate::{schema, StoreError};
use arrow_array::{
    Array, BooleanArray, Float64Array, RecordBatch, TimestampMillisecondArray, UInt32Array,
};
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelector,
};
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::statistics::Statistics;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
#[cfg(feature = "remote")]
use std::sync::Arc;

/// Where a store's files are: a local directory, or an object store.
#[derive(Debug, Clone)]
enum Root {
    Local,
    #[cfg(feature = "remote")]
    Remote(Arc<crate::remote::Remote>),
}

/// One file of the store, local or remote, as Parquet reads it.
enum Chunk {
    Local(std::fs::File),
    #[cfg(feature = "remote")]
    Remote(crate::remote::RemoteFile),
}

enum ChunkRead {
    Local(<std::fs::File as parquet::file::reader::ChunkReader>::T),
    #[cfg(feature = "remote")]
    Remote(crate::remote::RemoteRead),
}

impl std::io::Read for ChunkRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ChunkRead::Local(r) => r.read(buf),
            #[cfg(feature = "remote")]
            ChunkRead::Remote(r) => r.read(buf),
        }
    }
}

impl parquet::file::reader::Length for Chunk {
    fn len(&self) -> u64 {
        match self {
            Chunk::Local(f) => f.len(),
            #[cfg(feature = "remote")]
            Chunk::Remote(f) => f.len(),
        }
    }
}

impl parquet::file::reader::ChunkReader for Chunk {
    type T = ChunkRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<ChunkRead> {
        Ok(match self {
            Chunk::Local(f) => ChunkRead::Local(f.get_read(start)?),
            #[cfg(feature = "remote")]
            Chunk::Remote(f) => ChunkRead::Remote(f.get_read(start)?),
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        match self {
            Chunk::Local(f) => f.get_bytes(start, length),
            #[cfg(feature = "remote")]
            Chunk::Remote(f) => f.get_bytes(start, length),
        }
    }
}

impl Root {
    fn open(&self, path: &Path) -> Result<Chunk, StoreError> {
        match self {
            Root::Local => std::fs::File::open(path)
                .map(Chunk::Local)
                .map_err(|e| StoreError::io(path, e)),
            #[cfg(feature = "remote")]
            Root::Remote(r) => r.file(path).map(Chunk::Remote),
        }
    }
}

/// `scheme://...`: a URL rather than a path.
pub(crate) fn url_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    (chars.next()?.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Which rows to read. Every part is optional; all given parts must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// MMSIs in this inclusive range.
    pub mmsi: Option<(u32, u32)>,
    /// Receive time in [start, end), unix ms.
    pub time: Option<(i64, i64)>,
    /// Positions inside (min_lon, min_lat, max_lon, max_lat); ignored for
    /// identities.
    pub bbox: Option<(f64, f64, f64, f64)>,
    /// Only MMSIs with `mmsi % n == k`: (k, n).
    pub shard: Option<(u32, u32)>,
    /// Read only these columns (plus those the other parts filter on);
    /// `None` reads all. Batches then hold just these columns, so the
    /// record converters ([`Store::positions`]) need all columns.
    pub columns: Option<Vec<&'static str>>,
}

impl Filter {
    /// Only this vessel.
    pub fn vessel(mmsi: u32) -> Self {
        Filter {
            mmsi: Some((mmsi, mmsi)),
            ..Filter::default()
        }
    }
}

/// An opened store: the committed sources of its manifest.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    entries: Vec<SourceEntry>,
    root: Root,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Positions,
    Identities,
}

impl Store {
    /// Opens the store at `dir`; a directory without a manifest is an empty
    /// store. `dir` may be a URL: `file://` names a local directory; with
    /// the `remote` feature, `s3://` (or `s3a://`), `gs://` and `az://`
    /// (`abfs[s]://`) name a store in object storage, read in place
    /// (credentials and endpoint from the environment: see the `remote`
    /// module). A remote store is read only (scans, tracks, footers) and
    /// must have a manifest.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        if let Some(text) = dir.to_str() {
            if let Some(rest) = text.strip_prefix("file://") {
                return Store::open(Path::new(if rest.is_empty() { "/" } else { rest }));
            }
            if let Some(scheme) = url_scheme(text) {
                return Store::open_remote(text, scheme);
            }
        }
        if !dir.is_dir() {
            return Err(StoreError::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "store directory not found"),
            ));
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            entries: manifest::read(dir)?,
            root: Root::Local,
        })
    }

    #[cfg(feature = "remote")]
    fn open_remote(url: &str, _scheme: &str) -> Result<Store, StoreError> {
        Store::in_remote(Arc::new(crate::remote::Remote::open(url)?))
    }

    /// The store whose manifest and files are in `remote`.
    #[cfg(feature = "remote")]
    pub(crate) fn in_remote(remote: Arc<crate::remote::Remote>) -> Result<Store, StoreError> {
        let dir = PathBuf::from(remote.url());
        let entries = match remote.read(manifest::MANIFEST)? {
            // read only: no ingest will start a store here, so a URL
            // without a manifest is a mistake, not an empty store
            None => {
                return Err(StoreError::Corrupt {
                    path: dir,
                    msg: format!("no {} here: not a shiptrace store", manifest::MANIFEST),
                })
            }
            Some(bytes) => {
                let path = dir.join(manifest::MANIFEST);
                let text = std::str::from_utf8(&bytes).map_err(|e| StoreError::Corrupt {
                    path: path.clone(),
                    msg: e.to_string(),
                })?;
                manifest::parse(text, &path)?
            }
        };
        Ok(Store {
            dir,
            entries,
            root: Root::Remote(remote),
        })
    }

    #[cfg(not(feature = "remote"))]
    fn open_remote(url: &str, scheme: &str) -> Result<Store, StoreError> {
        Err(StoreError::Corrupt {
            path: PathBuf::from(url),
            msg: format!(
                "this build reads local stores only, not {scheme}:// (the `remote` feature is off)"
            ),
        })
    }

    /// For a store in object storage: the requests made and bytes fetched
    /// since it was opened (by every scan of it). `None` for a local store.
    pub fn remote_traffic(&self) -> Option<(u64, u64)> {
        match &self.root {
            Root::Local => None,
            #[cfg(feature = "remote")]
            Root::Remote(r) => Some(r.traffic()),
        }
    }

    /// Whether the store is in object storage (read only) rather than a
    /// local directory.
    pub fn is_remote(&self) -> bool {
        !matches!(self.root, Root::Local)
    }

    /// The store's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Committed sources, in ingest order.
    pub fn sources(&self) -> &[SourceEntry] {
        &self.entries
    }

    pub(crate) fn files(&self, table: Table) -> Vec<PathBuf> {
        let prefix = match table {
            Table::Positions => "positions/",
            Table::Identities => "identities/",
        };
        let mut v: Vec<PathBuf> = manifest::live_files(&self.entries)
            .iter()
            .filter(|f| f.starts_with(prefix))
            .map(|f| self.dir.join(f))
            .collect();
        v.sort();
        v
    }

    /// Streams `positions` batches matching the filter.
    pub fn scan_positions(&self, filter: &Filter) -> Scan {
        Scan::new(
            self.root.clone(),
            self.files(Table::Positions),
            filter.clone(),
            Table::Positions,
        )
    }

    /// Streams `identities` batches matching the filter.
    pub fn scan_identities(&self, filter: &Filter) -> Scan {
        Scan::new(
            self.root.clone(),
            self.files(Table::Identities),
            filter.clone(),
            Table::Identities,
        )
    }

    /// All positions matching the filter, sorted by (mmsi, time).
    pub fn positions(&self, filter: &Filter) -> Result<Vec<Position>, StoreError> {
        let mut out = Vec::new();
        for b in self.scan_positions(filter) {
            let (path, b) = b?;
            out.extend(
                schema::positions_from_batch(&b)
                    .map_err(|msg| StoreError::Corrupt { path, msg })?,
            );
        }
        out.sort_by(|a, b| a.total_cmp(b));
        Ok(out)
    }

    /// All identity reports matching the filter, sorted by (mmsi, time).
    pub fn identities(&self, filter: &Filter) -> Result<Vec<Identity>, StoreError> {
        let mut out = Vec::new();
        for b in self.scan_identities(filter) {
            let (path, b) = b?;
            out.extend(
                schema::identities_from_batch(&b)
                    .map_err(|msg| StoreError::Corrupt { path, msg })?,
            );
        }
        out.sort_by(|a, b| a.total_cmp(b));
        Ok(out)
    }

    /// One vessel's fixes in time order.
    pub fn vessel_positions(&self, mmsi: u32) -> Result<Vec<Position>, StoreError> {
        self.positions(&Filter::vessel(mmsi))
    }

    /// Every vessel's fixes, one vessel at a time in MMSI order, each in
    /// time order: the store's files (each sorted by (mmsi, time)) read once
    /// and merged, so memory holds a batch per file and one vessel. The
    /// filter's `time`, `bbox` and `columns` apply; fixes are built with
    /// [`schema::fixes_from_batch`] (read `time`, `mmsi`, `lat`, `lon`, and
    /// `sog`, `cog` if asked for; the rest default). A file whose rows are
    /// not in MMSI order is an error.
    pub fn tracks(&self, filter: &Filter) -> Tracks {
        let mut f = filter.clone();
        f.shard = None;
        f.mmsi = None;
        let files = self.files(Table::Positions);
        Tracks {
            cursors: files
                .into_iter()
                .map(|path| Cursor {
                    scan: Scan::new(self.root.clone(), vec![path], f.clone(), Table::Positions)
                        .with_batch_rows(4096),
                    rows: Vec::new(),
                    at: 0,
                    path: PathBuf::new(),
                })
                .collect(),
            last: None,
            failed: false,
        }
    }

    /// (lowest MMSI, highest MMSI, rows) of every row group of the
    /// `positions` files, from the files' footers alone (their statistics):
    /// how a planner that must not read the rows (a cluster's driver)
    /// spreads MMSI ranges. A row group without MMSI statistics spans
    /// every MMSI.
    pub fn position_spans(&self) -> Result<Vec<(u32, u32, u64)>, StoreError> {
        let mut out = Vec::new();
        for path in self.files(Table::Positions) {
            let file = self.root.open(&path)?;
            let meta = parquet::file::metadata::ParquetMetaDataReader::new()
                .parse_and_finish(&file)
                .map_err(|e| StoreError::Parquet {
                    path: path.clone(),
                    msg: e.to_string(),
                })?;
            let schema = meta.file_metadata().schema_descr();
            let col = (0..schema.num_columns()).find(|&i| schema.column(i).name() == "mmsi");
            for rg in meta.row_groups() {
                let span = col
                    .and_then(|c| i64_range(rg.column(c).statistics()))
                    .filter(|&(lo, hi)| 0 <= lo && lo <= hi && hi <= u32::MAX as i64)
                    .map_or((0, u32::MAX), |(lo, hi)| (lo as u32, hi as u32));
                out.push((span.0, span.1, rg.num_rows().max(0) as u64));
            }
        }
        Ok(out)
    }

    /// Fixes of MMSI shard `k` of `n`, sorted by (mmsi, time): the unit of
    /// parallel per-vessel work.
    pub fn shard_positions(&self, k: u32, n: u32) -> Result<Vec<Position>, StoreError> {
        self.positions(&Filter {
            shard: Some((k, n)),
            ..Filter::default()
        })
    }
}

/// One file's rows in [`Store::tracks`].
struct Cursor {
    scan: Scan,
    rows: Vec<Position>,
    at: usize,
    path: PathBuf,
}

impl Cursor {
    /// The MMSI of the next row, loading the next batch when needed.
    fn peek(&mut self) -> Result<Option<u32>, StoreError> {
        while self.at >= self.rows.len() {
            match self.scan.next() {
                None => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok((path, b))) => {
                    self.rows =
                        schema::fixes_from_batch(&b).map_err(|msg| StoreError::Corrupt {
                            path: path.clone(),
                            msg,
                        })?;
                    self.path = path;
                    self.at = 0;
                }
            }
        }
        Ok(Some(self.rows[self.at].mmsi))
    }
}

/// Iterator of (mmsi, fixes in time order) over a store: see
/// [`Store::tracks`].
pub struct Tracks {
    cursors: Vec<Cursor>,
    last: Option<u32>,
    failed: bool,
}

impl Tracks {
    fn step(&mut self) -> Result<Option<(u32, Vec<Position>)>, StoreError> {
        let mut next: Option<u32> = None;
        for c in &mut self.cursors {
            if let Some(m) = c.peek()? {
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
        let Some(m) = next else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for c in &mut self.cursors {
            while c.peek()? == Some(m) {
                let end = c.at + c.rows[c.at..].partition_point(|f| f.mmsi == m);
                out.extend(c.rows.drain(c.at..end));
            }
        }
        // files of different days (and ingests) each hold part of the track
        out.sort_by_key(|f| f.time_ms);
        self.last = Some(m);
        Ok(Some((m, out)))
    }
}

impl Iterator for Tracks {
    type Item = Result<(u32, Vec<Position>), StoreError>;

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

/// Iterator of (file, batch) over the files of one table.
pub struct Scan {
    root: Root,
    files: VecDeque<PathBuf>,
    filter: Filter,
    table: Table,
    batch_rows: usize,
    current: Option<(PathBuf, ParquetRecordBatchReader)>,
    /// Row groups read / skipped by statistics (for tests and tuning).
    pub row_groups_read: usize,
    pub row_groups_skipped: usize,
    pub files_skipped: usize,
}

fn day_range_of(path: &Path) -> Option<(i64, i64)> {
    let part = path.parent()?.file_name()?.to_str()?.strip_prefix("day=")?;
    let b = part.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let y: i64 = part.get(0..4)?.parse().ok()?;
    let m: u32 = part.get(5..7)?.parse().ok()?;
    let d: u32 = part.get(8..10)?.parse().ok()?;
    let start = ais::nmea::days_from_civil(y, m, d) * 86_400_000;
    Some((start, start + 86_400_000))
}

pub(crate) fn i64_range(s: Option<&Statistics>) -> Option<(i64, i64)> {
    match s? {
        Statistics::Int64(v) => Some((*v.min_opt()?, *v.max_opt()?)),
        Statistics::Int32(v) => Some((*v.min_opt()? as i64, *v.max_opt()? as i64)),
        _ => None,
    }
}

fn f64_range(s: Option<&Statistics>) -> Option<(f64, f64)> {
    match s? {
        Statistics::Double(v) => Some((*v.min_opt()?, *v.max_opt()?)),
        _ => None,
    }
}

/// The rows of row groups `keep` (in that order) on pages whose MMSI
/// statistics overlap `(a, z)`, from the file's page index: `None` when a
/// row group lacks it (read whole, filtered row by row). MMSIs are stored
/// as 32-bit integers: below 2^31, their order is the unsigned order.
pub(crate) fn page_selection(
    meta: &ParquetMetaData,
    keep: &[usize],
    col: usize,
    (a, z): (u32, u32),
) -> Option<RowSelection> {
    let index = meta.page_index()?;
    let mut sel: Vec<RowSelector> = Vec::new();
    let mut push = |n: usize, take: bool| {
        if n == 0 {
            return;
        }
        match sel.last_mut() {
            Some(l) if l.skip != take => l.row_count += n,
            _ => sel.push(if take {
                RowSelector::select(n)
            } else {
                RowSelector::skip(n)
            }),
        }
    };
    for &g in keep {
        let rows = usize::try_from(meta.row_group(g).num_rows()).ok()?;
        let ColumnIndexMetaData::INT32(ci) = index.column_index(g, col)? else {
            return None;
        };
        let pages = index.offset_index(g, col)?.page_locations();
        if pages.is_empty() || ci.num_pages() as usize != pages.len() {
            return None;
        }
        for (k, pg) in pages.iter().enumerate() {
            let start = usize::try_from(pg.first_row_index).ok()?;
            let end = match pages.get(k + 1) {
                Some(n) => usize::try_from(n.first_row_index).ok()?,
                None => rows,
            };
            let take = match (ci.min_value(k), ci.max_value(k)) {
                (Some(&lo), Some(&hi)) if lo >= 0 && hi >= 0 => {
                    (hi as u32) >= a && (lo as u32) <= z
                }
                // a page without statistics (or negative: not an MMSI order) is read
                _ => true,
            };
            push(end.checked_sub(start)?, take);
        }
    }
    Some(RowSelection::from(sel))
}

/// The names of the columns a scan decodes: those asked for plus those its
/// filter reads; `None`: all.
fn read_columns(filter: &Filter, table: Table) -> Option<Vec<&'static str>> {
    let mut names: Vec<&'static str> = filter.columns.clone()?;
    if filter.mmsi.is_some() || filter.shard.is_some() {
        names.push("mmsi");
    }
    if filter.time.is_some() {
        names.push("time");
    }
    if filter.bbox.is_some() && table == Table::Positions {
        names.extend(["lat", "lon"]);
    }
    Some(names)
}

/// Per row group in `keep`, the byte ranges of the column chunks a scan
/// decodes (a remote file's read plan).
#[cfg(feature = "remote")]
fn chunk_plan(
    meta: &ParquetMetaData,
    keep: &[usize],
    names: Option<&[&'static str]>,
) -> Vec<Vec<std::ops::Range<u64>>> {
    keep.iter()
        .map(|&g| {
            let rg = meta.row_group(g);
            (0..rg.num_columns())
                .filter(|&c| {
                    let root = rg
                        .column(c)
                        .column_path()
                        .parts()
                        .first()
                        .map(String::as_str);
                    names.is_none_or(|n| root.is_some_and(|r| n.contains(&r)))
                })
                .map(|c| {
                    let (start, len) = rg.column(c).byte_range();
                    start..start + len
                })
                .collect()
        })
        .collect()
}

impl Scan {
    fn new(root: Root, files: Vec<PathBuf>, filter: Filter, table: Table) -> Self {
        Scan {
            root,
            files: files.into(),
            filter,
            table,
            current: None,
            row_groups_read: 0,
            row_groups_skipped: 0,
            files_skipped: 0,
            batch_rows: 65_536,
        }
    }

    /// Batches of at most this many rows (default 65,536).
    fn with_batch_rows(mut self, n: usize) -> Self {
        self.batch_rows = n.max(1);
        self
    }

    fn open_next(&mut self) -> Result<bool, StoreError> {
        while let Some(path) = self.files.pop_front() {
            if let (Some((t0, t1)), Some((d0, d1))) = (self.filter.time, day_range_of(&path)) {
                if t1 <= d0 || t0 >= d1 {
                    self.files_skipped += 1;
                    continue;
                }
            }
            let pq = |e: parquet::errors::ParquetError| StoreError::Parquet {
                path: path.clone(),
                msg: e.to_string(),
            };
            let file = self.root.open(&path)?;
            #[cfg(feature = "remote")]
            let remote_file = match &file {
                Chunk::Remote(f) => Some(f.clone()),
                Chunk::Local(_) => None,
            };
            // an MMSI range reads only the pages that hold it (the files
            // are sorted by MMSI; their page index has each page's MMSIs);
            // a remote file reads its page index always, so that each page
            // is one ranged read (without it, headers are read byte runs)
            let opts = ArrowReaderOptions::new().with_page_index_policy(
                if self.filter.mmsi.is_some() || !matches!(self.root, Root::Local) {
                    PageIndexPolicy::Optional
                } else {
                    PageIndexPolicy::Skip
                },
            );
            let builder =
                ParquetRecordBatchReaderBuilder::try_new_with_options(file, opts).map_err(pq)?;
            let meta = builder.metadata().clone();
            let schema = meta.file_metadata().schema_descr();
            let idx =
                |name: &str| (0..schema.num_columns()).find(|&i| schema.column(i).name() == name);
            let (i_time, i_mmsi, i_lat, i_lon) = (idx("time"), idx("mmsi"), idx("lat"), idx("lon"));
            let mut keep = Vec::new();
            for (g, rg) in meta.row_groups().iter().enumerate() {
                let st = |i: Option<usize>| i.and_then(|i| rg.column(i).statistics());
                let mut ok = true;
                if let (Some((a, b)), Some((lo, hi))) = (self.filter.mmsi, i64_range(st(i_mmsi))) {
                    ok &= (b as i64) >= lo && (a as i64) <= hi;
                }
                if let (Some((t0, t1)), Some((lo, hi))) = (self.filter.time, i64_range(st(i_time)))
                {
                    ok &= t1 > lo && t0 <= hi;
                }
                if self.table == Table::Positions {
                    if let Some((x0, y0, x1, y1)) = self.filter.bbox {
                        if let (Some((lo, hi)), Some((alo, ahi))) =
                            (f64_range(st(i_lon)), f64_range(st(i_lat)))
                        {
                            ok &= x1 >= lo && x0 <= hi && y1 >= alo && y0 <= ahi;
                        }
                    }
                }
                if ok {
                    keep.push(g);
                } else {
                    self.row_groups_skipped += 1;
                }
            }
            if keep.is_empty() {
                continue;
            }
            self.row_groups_read += keep.len();
            #[cfg(feature = "remote")]
            if let Some(f) = &remote_file {
                let names = read_columns(&self.filter, self.table);
                f.plan(chunk_plan(&meta, &keep, names.as_deref()));
            }
            let selection = match (self.filter.mmsi, i_mmsi) {
                (Some(range), Some(col)) => page_selection(&meta, &keep, col, range),
                _ => None,
            };
            let builder = match selection {
                Some(s) => builder.with_row_selection(s),
                None => builder,
            };
            let builder = match read_columns(&self.filter, self.table) {
                Some(names) => {
                    let mask = parquet::arrow::ProjectionMask::columns(schema, names);
                    builder.with_projection(mask)
                }
                None => builder,
            };
            let reader = builder
                .with_row_groups(keep)
                .with_batch_size(self.batch_rows)
                .build()
                .map_err(pq)?;
            self.current = Some((path, reader));
            return Ok(true);
        }
        Ok(false)
    }

    fn mask(&self, b: &RecordBatch) -> Option<BooleanArray> {
        let f = &self.filter;
        if f.mmsi.is_none()
            && f.time.is_none()
            && f.shard.is_none()
            && (f.bbox.is_none() || self.table == Table::Identities)
        {
            return None;
        }
        let n = b.num_rows();
        let mmsi = b
            .column_by_name("mmsi")
            .and_then(|c| c.as_any().downcast_ref::<UInt32Array>());
        let time = b
            .column_by_name("time")
            .and_then(|c| c.as_any().downcast_ref::<TimestampMillisecondArray>());
        let lat = b
            .column_by_name("lat")
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>());
        let lon = b
            .column_by_name("lon")
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>());
        let v: Vec<bool> = (0..n)
            .map(|i| {
                let m = mmsi.map(|a| a.value(i)).unwrap_or(0);
                let t = time.map(|a| a.value(i)).unwrap_or(0);
                f.mmsi.is_none_or(|(a, z)| m >= a && m <= z)
                    && f.time.is_none_or(|(t0, t1)| t >= t0 && t < t1)
                    && f.shard.is_none_or(|(k, n)| n == 0 || m % n == k)
                    && (self.table == Table::Identities
                        || f.bbox.is_none_or(|(x0, y0, x1, y1)| {
                            let (x, y) = (
                                lon.map(|a| a.value(i)).unwrap_or(f64::NAN),
                                lat.map(|a| a.value(i)).unwrap_or(f64::NAN),
                            );
                            x >= x0 && x <= x1 && y >= y0 && y <= y1
                        }))
            })
            .collect();
        Some(BooleanArray::from(v))
    }
}

impl Iterator for Scan {
    type Item = Result<(PathBuf, RecordBatch), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.current.is_none() {
                match self.open_next() {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e)),
                }
            }
            let (path, reader) = self.current.as_mut()?;
            match reader.next() {
                None => self.current = None,
                Some(Err(e)) => {
                    let path = path.clone();
                    self.current = None;
                    return Some(Err(StoreError::Parquet {
                        path,
                        msg: e.to_string(),
                    }));
                }
                Some(Ok(batch)) => {
                    let path = path.clone();
                    // Files written before a column existed read as the
                    // current schema, the new column null.
                    let batch = if self.filter.columns.is_none() {
                        let schema = match self.table {
                            Table::Positions => schema::positions_schema(),
                            Table::Identities => schema::identities_schema(),
                        };
                        schema::conform(batch, &schema)
                    } else {
                        batch
                    };
                    let batch = match self.mask(&batch) {
                        None => batch,
                        Some(m) => match arrow_select::filter::filter_record_batch(&batch, &m) {
                            Ok(b) => b,
                            Err(e) => {
                                return Some(Err(StoreError::Parquet {
                                    path,
                                    msg: e.to_string(),
                                }))
                            }
                        },
                    };
                    if batch.num_rows() > 0 {
                        return Some(Ok((path, batch)));
                    }
                }
            }
        }
    }
}
