//! Ingest: sources in, committed Parquet files and manifest entries out.
//!
//! Per source: hash it (skip if the manifest has the hash), stream-decode
//! it, buffer records by UTC day, and hand full buffers to a writer thread
//! that sorts them by (mmsi, time), removes duplicates and writes sorted
//! runs; when the source is read, each day's runs are merged into files of
//! disjoint MMSI ranges ([`crate::runs`]). Memory is bounded by
//! [`IngestOptions::flush_rows`], not by input size.

use crate::dedup::{Dedup, Table};
use crate::manifest::{self, SourceEntry};
use crate::record::{self, Identity, Position, Record};
use crate::schema;
use crate::{day_of, StoreError};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Ingest parameters.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Two receptions of the same payload by one MMSI within this many
    /// milliseconds are one message heard twice; the earliest is kept.
    /// Default 30 s: it must stay under 60 s because the UTC-second field
    /// makes every real re-broadcast of a position differ within a minute,
    /// and static reports repeat only every 6 minutes (ITU-R M.1371).
    pub dedup_window_ms: i64,
    /// Receive time to give messages that carry none. Without it, a source
    /// with no time at all is an error, and untimed messages in a source
    /// that has times elsewhere are counted as `no_receive_time` rejects.
    pub assume_time_ms: Option<i64>,
    /// Records buffered before a flush to a sorted run (bounds memory:
    /// about 150 bytes a record), and the rows of each stored file (a
    /// day's runs are merged into files of about this many rows, cut
    /// between vessels). Default 2,000,000.
    pub flush_rows: usize,
    /// Samples kept per reject reason and source. Default 20.
    pub reject_samples: usize,
    /// Rows per Parquet row group: the unit that statistics let a read
    /// skip. Smaller groups make reads by vessel touch less, larger ones
    /// compress a little better. Default 131,072.
    pub row_group_rows: usize,
    /// A file that carries duplicate removal from one ingest to the next
    /// (read before the first source, written after each commit): for a
    /// feed ingested in pieces, such as `watch`'s segments. Without it the
    /// window is carried across the flushes of one source only.
    pub dedup_state: Option<PathBuf>,
    /// Commit a source that yields no AIS data (every line rejected) with
    /// its reject counts instead of failing it. `watch` sets it: a segment
    /// of junk is a record of what was received, and failing it failed
    /// every later start. Default false: a file with no AIS data at all is
    /// worth stopping for.
    pub keep_empty: bool,
    /// The receiver's clock that receive times are judged against (unix
    /// ms): a time before 1990 or more than a day after it is rejected as
    /// `implausible_time` ([`crate::limits::plausible_time`]). Default: the
    /// wall clock when the ingest starts.
    pub clock_ms: Option<i64>,
    /// How CSV columns map onto AIS fields (`--csv-columns`, `[ingest.csv]`).
    /// Default: every field by its usual header names.
    pub csv: crate::csvmap::CsvMapping,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            dedup_window_ms: 30_000,
            assume_time_ms: None,
            flush_rows: 2_000_000,
            reject_samples: 20,
            row_group_rows: 131_072,
            dedup_state: None,
            keep_empty: false,
            clock_ms: None,
            csv: Default::default(),
        }
    }
}

/// Progress of a running ingest.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Bytes of the current source read so far.
    pub bytes_done: u64,
    /// Its size, when known.
    pub bytes_total: u64,
    /// Messages (or rows) read so far.
    pub messages: u64,
    /// The source being read.
    pub current: String,
}

/// What reading an input would yield, storing nothing ([`read_only`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadSummary {
    /// The format told from its first line.
    pub format: &'static str,
    /// Messages (NMEA) or rows (CSV) read.
    pub messages: u64,
    /// Position records (before duplicate removal).
    pub positions: u64,
    /// Identity records (before duplicate removal).
    pub identities: u64,
    /// Rejects by reason.
    pub rejects: BTreeMap<String, u64>,
    /// Text fields cut to the limit.
    pub truncated_fields: u64,
}

/// Reads an input (any format [`ingest`] takes, already decompressed) as
/// ingest would, with every bound and reject, but stores nothing: what a
/// file would yield, and the entry point of the input fuzz target.
pub fn read_only(bytes: &[u8], opts: &IngestOptions) -> Result<ReadSummary, StoreError> {
    let path = Path::new("-");
    let (mut reader, format) = detect_format(path, bytes, &opts.csv)?;
    let mut rejects = Rejects::new(opts.reject_samples);
    let mut sink = Sink::new(opts, None);
    let mut messages = 0u64;
    read_format(
        path,
        format,
        &mut reader,
        opts,
        &mut sink,
        &mut rejects,
        &mut messages,
        &mut |_| {},
    )?;
    sink.flush();
    Ok(ReadSummary {
        format: format.name(),
        messages,
        positions: sink.kept.0,
        identities: sink.kept.1,
        rejects: rejects.counts,
        truncated_fields: rejects.truncated_fields,
    })
}

/// What happened to one source.
#[derive(Debug)]
pub enum SourceOutcome {
    /// Read and committed.
    Ingested(SourceEntry),
    /// The manifest already holds a source with the same content hash.
    AlreadyIngested {
        /// The source.
        path: String,
        /// Its content hash.
        hash: String,
    },
    /// Not committed (nothing of it is visible).
    Failed {
        /// The source.
        path: String,
        /// Why.
        error: StoreError,
    },
}

/// One rejected input line, kept as a sample in `rejects/<source>.jsonl`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct RejectSample {
    /// The reject reason (`checksum`, `bad_row`, ...).
    pub reason: String,
    /// Line number in the source, from 1.
    pub line: u64,
    /// What was wrong.
    pub message: String,
    /// The line as read (lossy UTF-8, at most 200 characters).
    pub text: String,
}

pub(crate) struct Rejects {
    pub counts: BTreeMap<String, u64>,
    pub samples: Vec<RejectSample>,
    per_reason: HashMap<String, usize>,
    max: usize,
    /// Text fields cut to the limit (kept rows, not rejects).
    pub truncated_fields: u64,
}

impl Rejects {
    fn new(max: usize) -> Self {
        Rejects {
            counts: BTreeMap::new(),
            samples: Vec::new(),
            per_reason: HashMap::new(),
            truncated_fields: 0,
            max,
        }
    }
    /// Records a sample; `count` says whether to count it here too (the
    /// decoder counts its own rejects).
    pub(crate) fn add(
        &mut self,
        reason: &str,
        line: u64,
        message: String,
        text: &[u8],
        count: bool,
    ) {
        if count {
            *self.counts.entry(reason.to_string()).or_default() += 1;
        }
        let n = self.per_reason.entry(reason.to_string()).or_default();
        if *n < self.max {
            *n += 1;
            let t = String::from_utf8_lossy(text);
            self.samples.push(RejectSample {
                reason: reason.to_string(),
                line,
                message,
                text: t.trim_end().chars().take(200).collect(),
            });
        }
    }
}

/// Lists the files a set of source arguments stands for: files as given,
/// directories recursively (sorted, hidden entries skipped), `-` as is.
pub fn expand_sources(sources: &[PathBuf]) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    for s in sources {
        if s.as_os_str() == "-" {
            out.push(s.clone());
        } else if s.is_dir() {
            let mut files = Vec::new();
            for e in walkdir::WalkDir::new(s)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
            {
                let e = e.map_err(|e| StoreError::Io {
                    path: s.clone(),
                    error: e.into(),
                })?;
                if e.file_type().is_file() {
                    files.push(e.into_path());
                }
            }
            out.extend(files);
        } else {
            // the system's own reason: "no such file", "permission denied",
            // "too many levels of symbolic links" (a symlink loop)
            std::fs::metadata(s).map_err(|e| StoreError::io(s, e))?;
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// Ingests `sources` into the store at `dir` (created if missing).
pub fn ingest(
    dir: &Path,
    sources: &[PathBuf],
    opts: &IngestOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Vec<SourceOutcome>, StoreError> {
    // `Store::open` reads URLs; a store is written only to a local
    // directory (a URL here would become a folder named `s3:`)
    if let Some(scheme) = dir.to_str().and_then(crate::reader::url_scheme) {
        return Err(StoreError::Remote {
            path: dir.to_path_buf(),
            msg: format!(
                "ingest writes a store to a local directory, not to {scheme}://; ingest locally, then copy the store's folder there"
            ),
        });
    }
    std::fs::create_dir_all(dir.join(".tmp")).map_err(|e| StoreError::io(dir, e))?;
    // one ingest at a time per store: manifest appends do not interleave,
    // and the sweep below cannot take another ingest's files in flight
    let lock_path = dir.join(".lock");
    let lock = File::create(&lock_path).map_err(|e| StoreError::io(&lock_path, e))?;
    lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
    sweep_uncommitted(dir)?;
    clear_tmp(dir);
    let files = expand_sources(sources)?;
    let mut known: HashSet<String> = manifest::read(dir)?.into_iter().map(|e| e.hash).collect();
    let mut prog = Progress::default();
    let mut spooled = Vec::new();
    let mut plan = Vec::new();
    for f in &files {
        if f.as_os_str() == "-" {
            // Standard input is spooled first so that it can be hashed and
            // committed like a file.
            let tmp = dir
                .join(".tmp")
                .join(format!("stdin-{}", std::process::id()));
            let mut out = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
            std::io::copy(&mut std::io::stdin().lock(), &mut out)
                .map_err(|e| StoreError::io(Path::new("-"), e))?;
            spooled.push(tmp.clone());
            plan.push(("-".to_string(), tmp));
        } else {
            plan.push((f.display().to_string(), f.clone()));
        }
    }
    for (_, p) in &plan {
        prog.bytes_total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    }
    let mut carried = match &opts.dedup_state {
        Some(p) => Some(Dedup::load(p, opts.dedup_window_ms)?),
        None => None,
    };
    let mut outcomes = Vec::new();
    for (name, path) in plan {
        prog.current = name.clone();
        let (size, hash) = match hash_file(&path) {
            Ok(v) => v,
            Err(error) => {
                outcomes.push(SourceOutcome::Failed { path: name, error });
                continue;
            }
        };
        if known.contains(&hash) {
            prog.bytes_done += size;
            progress(&prog);
            outcomes.push(SourceOutcome::AlreadyIngested { path: name, hash });
            continue;
        }
        let dedup = carried
            .clone()
            .unwrap_or_else(|| Dedup::new(opts.dedup_window_ms));
        match ingest_one(
            dir, &name, &path, size, &hash, opts, dedup, &mut prog, progress,
        ) {
            Ok((entry, dedup)) => {
                known.insert(hash);
                if !entry.merges.is_empty() {
                    // the files the merges replaced go now
                    sweep_uncommitted(dir)?;
                }
                outcomes.push(SourceOutcome::Ingested(entry));
                // after the commit: a source that failed must not leave its
                // rows in the state (a retry would drop them as duplicates)
                if let (Some(p), Some(c)) = (&opts.dedup_state, carried.as_mut()) {
                    *c = dedup;
                    c.save(p)?;
                }
            }
            Err(error) => {
                // what it wrote before failing is not in the manifest:
                // removed now, so that no reader globbing the files sees it
                sweep_uncommitted(dir)?;
                outcomes.push(SourceOutcome::Failed { path: name, error })
            }
        }
    }
    for s in spooled {
        let _ = std::fs::remove_file(s);
    }
    drop(lock);
    Ok(outcomes)
}

/// Temporary files of an earlier run (a crash before a rename); called at
/// the start, with the lock held, before this run spools anything there.
fn clear_tmp(dir: &Path) {
    if let Ok(tmp) = std::fs::read_dir(dir.join(".tmp")) {
        for f in tmp.flatten() {
            let _ = std::fs::remove_file(f.path());
        }
    }
}

/// Removes the data files no manifest entry lists (left by a source that
/// failed, or by a crash before its commit): the manifest is the truth of
/// what the store holds. Returns how many went. Called with the store's
/// lock held.
pub fn sweep_uncommitted(dir: &Path) -> Result<u64, StoreError> {
    let entries = manifest::read(dir)?;
    let committed: HashSet<String> = manifest::live_files(&entries)
        .into_iter()
        .chain(entries.iter().flat_map(|e| {
            e.files
                .iter()
                .filter(|f| f.starts_with("rejects/"))
                .cloned()
        }))
        .collect();
    let mut removed = 0u64;
    for table in ["positions", "identities"] {
        let root = dir.join(table);
        let Ok(days) = std::fs::read_dir(&root) else {
            continue;
        };
        for day in days.flatten() {
            let Ok(files) = std::fs::read_dir(day.path()) else {
                continue;
            };
            for f in files.flatten() {
                let rel = format!(
                    "{table}/{}/{}",
                    day.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                );
                if !committed.contains(&rel) {
                    std::fs::remove_file(f.path()).map_err(|e| StoreError::io(&f.path(), e))?;
                    removed += 1;
                }
            }
        }
    }
    Ok(removed)
}

fn hash_file(path: &Path) -> Result<(u64, String), StoreError> {
    let mut f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| StoreError::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((size, h.finalize().to_hex().to_string()))
}

/// Counts bytes read from the raw (possibly compressed) file, for progress.
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

fn open_decompressed(
    path: &Path,
    count: std::rc::Rc<std::cell::Cell<u64>>,
) -> Result<Box<dyn BufRead>, StoreError> {
    let f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    decompressed(
        BufReader::with_capacity(1 << 20, Counting { inner: f, count }),
        path,
    )
}

/// Wraps a reader in gzip or zstd decompression when its first bytes say so.
fn decompressed<R: Read + 'static>(
    mut buf: BufReader<R>,
    path: &Path,
) -> Result<Box<dyn BufRead>, StoreError> {
    let head = buf.fill_buf().map_err(|e| StoreError::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(buf),
        )))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let d =
            zstd::stream::read::Decoder::with_buffer(buf).map_err(|e| StoreError::io(path, e))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, d)))
    } else {
        Ok(Box::new(buf))
    }
}

/// An opened input: decompressed, in lines of at most
/// [`crate::limits::MAX_LINE_BYTES`] (longer ones counted and dropped).
pub type Input = crate::limits::LineCap<Box<dyn BufRead>>;

/// Opens an input file (or standard input for `-`) as a buffered reader,
/// decompressing gzip and zstd told apart by their magic bytes, and holding
/// lines to [`crate::limits::MAX_LINE_BYTES`].
pub fn open_input(path: &Path) -> Result<Input, StoreError> {
    let r = if path.as_os_str() == "-" {
        decompressed(
            BufReader::with_capacity(1 << 20, std::io::stdin().lock()),
            path,
        )?
    } else {
        let f = File::open(path).map_err(|e| StoreError::io(path, e))?;
        decompressed(BufReader::with_capacity(1 << 20, f), path)?
    };
    Ok(crate::limits::LineCap::new(
        r,
        crate::limits::MAX_LINE_BYTES,
    ))
}

/// Input formats, told apart by the first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// NMEA 0183/4.0 sentences, with any framing.
    Nmea,
    /// A CSV export: its layout's name (`marinecadastre-csv`, `dma-csv`,
    /// `aishub-csv`, `decoded-ais-csv` or `csv`) and delimiter.
    Csv {
        /// The layout's name in the manifest.
        layout: &'static str,
        /// `,`, `;` or tab.
        delim: u8,
    },
    /// JSON: gpsd, AIS-catcher or AISHub.
    Json(crate::jsonsrc::JsonKind),
}

impl Format {
    /// Its name in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Format::Nmea => "nmea",
            Format::Csv { layout, .. } => layout,
            Format::Json(k) => k.name(),
        }
    }
    fn detect(first_line: &[u8], csv: &crate::csvmap::CsvMapping) -> Format {
        let l = String::from_utf8_lossy(first_line);
        if let Some(k) = crate::jsonsrc::JsonKind::detect(&l) {
            return Format::Json(k);
        }
        match crate::csvmap::looks_like_header(&l, csv) {
            Some(delim) => {
                let names: Vec<String> = l
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .split(delim as char)
                    .map(crate::csvmap::normalise)
                    .collect();
                Format::Csv {
                    layout: crate::csvmap::layout_name(&names),
                    delim,
                }
            }
            None => Format::Nmea,
        }
    }
}

/// Records of one flush, by UTC day number.
type DayBuffers = BTreeMap<i64, (Vec<Position>, Vec<Identity>)>;

/// Accumulates records of one source and sends full buffers to the writer.
pub(crate) struct Sink {
    days: DayBuffers,
    buffered: usize,
    flush_rows: usize,
    /// The writer; none when reading only (the records are counted and
    /// dropped).
    tx: Option<mpsc::SyncSender<DayBuffers>>,
    pub(crate) timed: u64,
    kept: (u64, u64),
}

impl Sink {
    fn new(opts: &IngestOptions, tx: Option<mpsc::SyncSender<DayBuffers>>) -> Sink {
        Sink {
            days: BTreeMap::new(),
            buffered: 0,
            flush_rows: opts.flush_rows.max(1),
            tx,
            timed: 0,
            kept: (0, 0),
        }
    }

    pub(crate) fn position(&mut self, p: Position) {
        let day = p.time_ms.div_euclid(86_400_000);
        self.days.entry(day).or_default().0.push(p);
        self.bump();
    }
    pub(crate) fn identity(&mut self, i: Identity) {
        let day = i.time_ms.div_euclid(86_400_000);
        self.days.entry(day).or_default().1.push(i);
        self.bump();
    }
    fn bump(&mut self) {
        self.buffered += 1;
        if self.buffered >= self.flush_rows {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if self.buffered == 0 {
            return;
        }
        let days = std::mem::take(&mut self.days);
        self.buffered = 0;
        for (p, i) in days.values() {
            self.kept.0 += p.len() as u64;
            self.kept.1 += i.len() as u64;
        }
        // The writer only stops on error; its error is reported at join.
        if let Some(tx) = &self.tx {
            let _ = tx.send(days);
        }
    }
}

/// One table's sorted runs of one day.
#[derive(Default)]
struct DayRuns {
    paths: Vec<PathBuf>,
    /// Rows per MMSI over the runs (what the merge plans its files by).
    counts: BTreeMap<u32, u64>,
}

#[derive(Default)]
struct Written {
    row_group_rows: usize,
    /// Sorted runs in `.tmp` per table and day, merged at the end
    /// ([`crate::runs`]).
    runs: BTreeMap<(&'static str, String), DayRuns>,
    files: Vec<String>,
    positions: u64,
    identities: u64,
    duplicates: u64,
    dedup: Dedup,
    tmin: Option<i64>,
    tmax: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
fn ingest_one(
    dir: &Path,
    name: &str,
    path: &Path,
    size: u64,
    hash: &str,
    opts: &IngestOptions,
    dedup: Dedup,
    prog: &mut Progress,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(SourceEntry, Dedup), StoreError> {
    let src_id = &hash[..16];
    let base_done = prog.bytes_done;
    let count = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let (mut reader, format) =
        detect_format(path, open_decompressed(path, count.clone())?, &opts.csv)?;
    let mut rejects = Rejects::new(opts.reject_samples);
    let (tx, rx) = mpsc::sync_channel(1);
    let mut messages = 0u64;
    let written = std::thread::scope(|scope| -> Result<Written, StoreError> {
        let writer = scope.spawn(move || {
            write_loop(
                dir,
                src_id,
                dedup,
                opts.row_group_rows,
                opts.flush_rows.max(1),
                rx,
            )
        });
        let mut sink = Sink::new(opts, Some(tx));
        let mut tick = |messages: u64| {
            prog.bytes_done = base_done + count.get();
            prog.messages = messages;
            progress(prog);
        };
        let res = read_format(
            path,
            format,
            &mut reader,
            opts,
            &mut sink,
            &mut rejects,
            &mut messages,
            &mut tick,
        );
        sink.flush();
        let timed = sink.timed;
        drop(sink);
        let written = writer.join().map_err(|_| StoreError::Corrupt {
            path: dir.to_path_buf(),
            msg: "writer thread panicked".into(),
        })?;
        res?;
        let written = written?;
        if timed == 0 && rejects.counts.get("no_receive_time").copied().unwrap_or(0) > 0 {
            return Err(StoreError::NoTime {
                path: path.to_path_buf(),
            });
        }
        if messages == 0 && !rejects.counts.is_empty() && !opts.keep_empty {
            let first = rejects
                .samples
                .first()
                .map(|s| format!(" (line {}: {})", s.line, s.message))
                .unwrap_or_default();
            return Err(StoreError::Input {
                path: path.to_path_buf(),
                line: 0,
                msg: format!("no AIS data found: every line was rejected{first}"),
            });
        }
        Ok(written)
    })?;
    prog.bytes_done = base_done + size;
    progress(prog);
    // Reject samples, then the manifest line: the commit point.
    let mut files = written.files;
    let rej_rel = format!("rejects/{src_id}.jsonl");
    let mut text = String::new();
    for s in &rejects.samples {
        text.push_str(&serde_json::to_string(s).unwrap_or_default());
        text.push('\n');
    }
    write_atomic(dir, &rej_rel, |f| f.write_all(text.as_bytes()))?;
    // The same reports already stored from other sources: merged, and
    // committed with this source in one line.
    let merges = crate::merge::MergeRun::new(
        dir,
        manifest::live_files(&manifest::read(dir)?),
        &files,
        opts.dedup_window_ms,
        opts.row_group_rows,
    )
    .run()?;
    files.push(rej_rel);
    let entry = SourceEntry {
        path: name.to_string(),
        size,
        hash: hash.to_string(),
        format: format.name().to_string(),
        messages,
        positions: written.positions,
        identities: written.identities,
        duplicates: written.duplicates,
        rejects: rejects.counts,
        truncated_fields: rejects.truncated_fields,
        first_time: written.tmin.map(ais::nmea::format_rfc3339_ms),
        last_time: written.tmax.map(ais::nmea::format_rfc3339_ms),
        files,
        dedup_window_ms: opts.dedup_window_ms,
        merges,
    };
    manifest::append(dir, &entry)?;
    Ok((entry, written.dedup))
}

/// The format of an input, told from its content (a JSON document by its
/// first byte, before any line is read; anything else by its first line),
/// and the input in lines of at most [`crate::limits::MAX_LINE_BYTES`].
fn detect_format<R: BufRead>(
    path: &Path,
    mut raw: R,
    csv: &crate::csvmap::CsvMapping,
) -> Result<(crate::limits::LineCap<R>, Format), StoreError> {
    let doc = crate::limits::starts_document(&mut raw).map_err(|e| StoreError::io(path, e))?;
    let mut reader = crate::limits::LineCap::new(raw, crate::limits::MAX_LINE_BYTES);
    if doc {
        return Ok((reader, Format::Json(crate::jsonsrc::JsonKind::AisHub)));
    }
    let first = reader.fill_buf().map_err(|e| StoreError::io(path, e))?;
    let end = first
        .iter()
        .position(|&c| c == b'\n')
        .unwrap_or(first.len());
    let format = Format::detect(&first[..end], csv);
    Ok((reader, format))
}

/// Reads an input of `format` into `sink`; lines the cap dropped are
/// counted as `overlong_line` rejects.
#[allow(clippy::too_many_arguments)]
fn read_format<R: BufRead>(
    path: &Path,
    format: Format,
    reader: &mut crate::limits::LineCap<R>,
    opts: &IngestOptions,
    sink: &mut Sink,
    rejects: &mut Rejects,
    messages: &mut u64,
    tick: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let res = match format {
        Format::Nmea => read_nmea(path, reader, opts, sink, rejects, messages, tick),
        Format::Csv { delim, .. } => {
            crate::csvsrc::read_csv(path, delim, reader, opts, sink, rejects, messages, tick)
        }
        Format::Json(crate::jsonsrc::JsonKind::AisHub) => {
            let inner = reader.unread_inner().ok_or_else(|| StoreError::Input {
                path: path.to_path_buf(),
                line: 1,
                msg: "an AISHub document must start the input".into(),
            })?;
            let (names, rows) = crate::jsonsrc::aishub_rows(path, inner)?;
            let headers = csv::StringRecord::from(names);
            let mut it = rows.into_iter().enumerate();
            let mut next = |rec: &mut csv::StringRecord| -> Result<Option<u64>, (u64, csv::Error)> {
                Ok(it.next().map(|(i, r)| {
                    *rec = csv::StringRecord::from(r);
                    i as u64 + 1
                }))
            };
            crate::csvsrc::read_table(
                path, &headers, b',', &mut next, opts, sink, rejects, messages, tick,
            )
        }
        Format::Json(kind) => {
            let mut nmea = NmeaLines::new(opts);
            let mut n = 0u64;
            let mut not_built = 0u64;
            let mut feed =
                |line: &[u8], lineno: u64, sample: &[u8], rebuilt: bool, rejects: &mut Rejects| {
                    nmea.untagged = rebuilt;
                    nmea.line(line, lineno, sample, opts, sink, rejects, messages);
                    n += 1;
                    if n.is_multiple_of(65_536) {
                        tick(*messages);
                    }
                };
            let r = crate::jsonsrc::read_json_lines(
                path,
                kind,
                reader,
                rejects,
                &mut not_built,
                &mut feed,
            );
            nmea.finish(rejects);
            *messages += not_built;
            r
        }
    };
    let overlong = reader.overlong_lines();
    if overlong > 0 {
        rejects.add(
            "overlong_line",
            0,
            format!(
                "{overlong} line(s) longer than {} bytes dropped as read",
                crate::limits::MAX_LINE_BYTES
            ),
            b"",
            false,
        );
        *rejects.counts.entry("overlong_line".into()).or_default() += overlong;
    }
    res
}

fn read_nmea(
    path: &Path,
    reader: &mut dyn BufRead,
    opts: &IngestOptions,
    sink: &mut Sink,
    rejects: &mut Rejects,
    messages: &mut u64,
    tick: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let mut nmea = NmeaLines::new(opts);
    let mut line = Vec::with_capacity(256);
    let mut lineno = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| StoreError::io(path, e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if lineno.is_multiple_of(65_536) {
            tick(*messages);
        }
        nmea.line(&line, lineno, &line, opts, sink, rejects, messages);
    }
    nmea.finish(rejects);
    tick(*messages);
    Ok(())
}

/// The NMEA path, one line at a time: decode, time, store. JSON inputs
/// that carry or are built into sentences go through it too.
pub(crate) struct NmeaLines {
    dec: ais::Decoder,
    sources: record::SourceNames,
    clock: i64,
    /// The sentences are rebuilt, not as broadcast (gpsd's JSON):
    /// positions get no report tag.
    pub(crate) untagged: bool,
}

impl NmeaLines {
    pub(crate) fn new(opts: &IngestOptions) -> Self {
        NmeaLines {
            dec: ais::Decoder::new(),
            sources: record::SourceNames::default(),
            clock: opts.clock_ms.unwrap_or_else(crate::limits::wall_ms),
            untagged: false,
        }
    }

    /// Feeds one sentence (`line`); `sample` is what a reject shows (the
    /// input line it came from).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn line(
        &mut self,
        line: &[u8],
        lineno: u64,
        sample: &[u8],
        opts: &IngestOptions,
        sink: &mut Sink,
        rejects: &mut Rejects,
        messages: &mut u64,
    ) {
        match self.dec.feed(line) {
            Ok(Some(d)) => {
                *messages += 1;
                let Some(t) = d.meta.received_ms.or(opts.assume_time_ms) else {
                    rejects.add(
                        "no_receive_time",
                        lineno,
                        "message has no receive time".into(),
                        sample,
                        true,
                    );
                    return;
                };
                if !crate::limits::plausible_time(t, self.clock) {
                    rejects.add(
                        "implausible_time",
                        lineno,
                        format!(
                            "receive time {t} ms is before 1990 or more than a day after the ingest clock"
                        ),
                        sample,
                        true,
                    );
                    return;
                }
                sink.timed += 1;
                let source = self.sources.get(d.meta.source.as_str());
                if let Some(i) = record::identity_of_type19(d, t, source.clone()) {
                    sink.identity(i);
                }
                match record::from_decoded(d, t, source) {
                    Record::Position(mut p) => {
                        if self.untagged {
                            p.payload_hash &= !(0xFF << 56);
                        }
                        sink.position(p)
                    }
                    Record::Identity(i) => sink.identity(i),
                    Record::None => {}
                }
            }
            Ok(None) => {}
            Err(e) => rejects.add(e.reason().name(), lineno, e.to_string(), sample, false),
        }
    }

    /// Ends the input: the decoder's counts go into the rejects.
    pub(crate) fn finish(&mut self, rejects: &mut Rejects) {
        self.dec.finish();
        for r in ais::RejectReason::ALL {
            let n = self.dec.stats().rejected(r);
            if n > 0 {
                *rejects.counts.entry(r.name().to_string()).or_default() += n;
            }
        }
    }
}

/// Writes `rel` under `dir` atomically: a temporary file, fsync, rename,
/// fsync of the directory.
pub(crate) fn write_atomic(
    dir: &Path,
    rel: &str,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    let target = dir.join(rel);
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|e| StoreError::io(&parent, e))?;
    let tmp = dir.join(".tmp").join(rel.replace('/', "__"));
    let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
    fill(&mut f).map_err(|e| StoreError::io(&tmp, e))?;
    f.sync_all().map_err(|e| StoreError::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(|e| StoreError::io(&target, e))?;
    if let Ok(d) = File::open(&parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Moves a finished file (under `dir`) to `rel` as [`write_atomic`] would
/// have written it: synced, renamed, its folder synced.
pub(crate) fn place_file(dir: &Path, from: &Path, rel: &str) -> Result<(), StoreError> {
    let target = dir.join(rel);
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|e| StoreError::io(&parent, e))?;
    File::open(from)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(from, e))?;
    std::fs::rename(from, &target).map_err(|e| StoreError::io(&target, e))?;
    if let Ok(d) = File::open(&parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Rows per data page at most (see [`writer_props`]).
pub(crate) const PAGE_ROWS: usize = 4096;

pub(crate) fn writer_props(row_group_rows: usize) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("valid level"),
        ))
        .set_statistics_enabled(EnabledStatistics::Page)
        // no reader filters on these: statistics would only cost time
        .set_column_statistics_enabled("report_tag".into(), EnabledStatistics::None)
        .set_column_statistics_enabled("carried_by".into(), EnabledStatistics::None)
        // Nearly every value distinct: a dictionary only fills to its limit
        // (1 MB a column chunk) and falls back to plain, and a reader of one
        // MMSI range must decode that whole page before the pages it wants
        // (the cost that made range reads grow with the number of files).
        // Pages of at most 4,096 rows: a reader of one MMSI range decodes
        // the pages that hold it, wasting at most a page's worth at each
        // end in every file it reads (20,000 rows by default: 2-3 times
        // the rows wanted when a range's rows are spread over 50 files).
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_column_dictionary_enabled("time".into(), false)
        // a vessel's times rise by seconds to minutes, row after row: delta
        // encoded they take about a byte a row (plain, zstd kept 2 bytes a
        // row of a file holding whole days of each vessel). Every reader
        // tried takes it (DuckDB, Polars, pyarrow, Spark); BYTE_STREAM_SPLIT
        // for lat/lon would save a third more but Spark 4.0's reader
        // refuses it.
        .set_column_encoding("time".into(), parquet::basic::Encoding::DELTA_BINARY_PACKED)
        .set_column_dictionary_enabled("lat".into(), false)
        .set_column_dictionary_enabled("lon".into(), false)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        // time (0) within mmsi (1)
        .set_sorting_columns(Some(vec![
            SortingColumn {
                column_idx: 1,
                descending: false,
                nulls_first: false,
            },
            SortingColumn {
                column_idx: 0,
                descending: false,
                nulls_first: false,
            },
        ]))
        .build()
}

/// Sorts by a small key without moving the records more than once: the
/// keys and indices are sorted, then the records are taken in that order.
fn sorted<T>(rows: Vec<T>, key: impl Fn(&T) -> (u32, i64, u64)) -> Vec<T> {
    let mut keys: Vec<((u32, i64, u64), u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key(r), i as u32))
        .collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<T>> = rows.into_iter().map(Some).collect();
    keys.into_iter()
        .filter_map(|(_, i)| slots[i as usize].take())
        .collect()
}

impl Written {
    /// Sorts, de-duplicates and writes one table's rows of one flush;
    /// returns how many rows were written.
    #[allow(clippy::too_many_arguments)]
    fn table<T>(
        &mut self,
        dir: &Path,
        table: Table,
        day: &str,
        rows: Vec<T>,
        key: impl Fn(&T) -> (u32, i64, u64) + Copy,
        batch: impl Fn(&[T]) -> arrow_array::RecordBatch,
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let (rows, dups) = self.dedup.filter(table, sorted(rows, key), key);
        self.duplicates += dups;
        for r in &rows {
            let t = key(r).1;
            self.tmin = Some(self.tmin.map_or(t, |m| m.min(t)));
            self.tmax = Some(self.tmax.map_or(t, |m| m.max(t)));
        }
        let table = match table {
            Table::Positions => "positions",
            Table::Identities => "identities",
        };
        let runs = self.runs.entry((table, day.to_string())).or_default();
        // rows are sorted: one update per vessel
        let mut k = 0;
        while k < rows.len() {
            let m = key(&rows[k]).0;
            let n = rows[k..].partition_point(|r| key(r).0 == m);
            *runs.counts.entry(m).or_default() += n as u64;
            k += n;
        }
        let path = dir
            .join(".tmp")
            .join(format!("run-{table}-{day}-{:04}.parquet", runs.paths.len()));
        crate::runs::write_run(&path, &batch(&rows), self.row_group_rows)?;
        runs.paths.push(path);
        Ok(rows.len() as u64)
    }
}

fn write_loop(
    dir: &Path,
    src_id: &str,
    dedup: Dedup,
    row_group_rows: usize,
    file_rows: usize,
    rx: mpsc::Receiver<DayBuffers>,
) -> Result<Written, StoreError> {
    let mut w = Written {
        row_group_rows,
        dedup,
        ..Written::default()
    };
    for days in rx {
        for (day, (pos, ids)) in days {
            let day = day_of(day * 86_400_000);
            w.positions += w.table(
                dir,
                Table::Positions,
                &day,
                pos,
                |p| (p.mmsi, p.time_ms, p.payload_hash),
                |r| schema::positions_batch(r, schema::Carried::Unknown),
            )?;
            w.identities += w.table(
                dir,
                Table::Identities,
                &day,
                ids,
                |i| (i.mmsi, i.time_ms, i.payload_hash),
                |r| schema::identities_batch(r, schema::Carried::Unknown),
            )?;
        }
    }
    // the last merge: each day's runs into files of disjoint MMSI ranges
    for ((table, day), runs) in std::mem::take(&mut w.runs) {
        let prefix = format!("{table}/day={day}/{src_id}");
        w.files.extend(crate::runs::merge_day(
            dir,
            &prefix,
            &runs.paths,
            &runs.counts,
            file_rows,
            row_group_rows,
        )?);
    }
    Ok(w)
}
