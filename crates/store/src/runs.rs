//! The last merge of ingest's external sort.
//!
//! Ingest buffers at most [`crate::ingest::IngestOptions::flush_rows`]
//! records, so one day of a large source arrives as several sorted runs,
//! each holding nearly every vessel. Stored as they are, a reader of one
//! MMSI range would open every run of the day and decode a page edge in
//! each: detection over an archive would grow faster than the archive.
//! So the runs are first written to the store's `.tmp` folder (not synced:
//! they are never committed) and, when the source has been read, the runs
//! of each table and day are merged by (mmsi, time) into files of about
//! `flush_rows` rows that are cut only between vessels: the files of one
//! source and day then hold disjoint MMSI ranges, and a reader of a range
//! opens one or two of them. A vessel with more than
//! [`HARD_CUT`] x `flush_rows` rows in a day (a stuck transmitter) is cut
//! between rows; a reader of it opens several files, nothing else changes.
//!
//! A day with one run is renamed into place. Otherwise the files are
//! planned from the rows per MMSI counted as the runs were written (MMSI
//! ranges of about `flush_rows` rows) and merged in parallel, one job per
//! file and a worker per core; a job reads only the pages of its range
//! from each run (the runs carry the page index). The merge streams:
//! memory is, per worker, a batch of [`BATCH_ROWS`] rows per run plus the
//! writer's row group. Rows with the same (mmsi, time) in two runs keep the
//! runs' order. Each job checks that it read and wrote exactly the rows the
//! counts say its range holds.

use crate::ingest::writer_props;
use crate::reader::{i64_range, page_selection};
use crate::StoreError;
use arrow_array::{Array, RecordBatch, TimestampMillisecondArray, UInt32Array};
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::PageIndexPolicy;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Rows read from a run at a time, and written to the output at a time.
const BATCH_ROWS: usize = 8192;

/// A single vessel's rows are cut between rows once a file holds this many
/// times the target.
pub(crate) const HARD_CUT: usize = 4;

fn pq(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> StoreError + '_ {
    move |e| StoreError::Parquet {
        path: path.to_path_buf(),
        msg: e.to_string(),
    }
}

/// Writes one sorted run (not synced, not committed).
pub(crate) fn write_run(
    path: &Path,
    batch: &RecordBatch,
    row_group_rows: usize,
) -> Result<(), StoreError> {
    let f = File::create(path).map_err(|e| StoreError::io(path, e))?;
    let mut w = ArrowWriter::try_new(f, batch.schema(), Some(writer_props(row_group_rows)))
        .map_err(pq(path))?;
    w.write(batch).map_err(pq(path))?;
    w.close().map_err(pq(path))?;
    Ok(())
}

struct Run {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    /// The MMSIs merged (the pages read may hold others).
    range: (u32, u32),
    /// Slot of the current batch in [`Merger::slots`].
    slot: usize,
    mmsi: UInt32Array,
    time: TimestampMillisecondArray,
    /// Next row of the current batch, and the end of its rows in range.
    at: usize,
    end: usize,
}

impl Run {
    /// Opens a run for the MMSIs of `range`: only the pages that hold them
    /// are read (the runs carry the store's page index).
    fn open(path: &Path, range: (u32, u32)) -> Result<Option<(Run, RecordBatch)>, StoreError> {
        let f = File::open(path).map_err(|e| StoreError::io(path, e))?;
        let opts = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
        let builder =
            ParquetRecordBatchReaderBuilder::try_new_with_options(f, opts).map_err(pq(path))?;
        let meta = builder.metadata().clone();
        let schema = meta.file_metadata().schema_descr();
        let col = (0..schema.num_columns()).find(|&i| schema.column(i).name() == "mmsi");
        // row groups whose MMSI statistics overlap (all, without them)
        let keep: Vec<usize> = (0..meta.num_row_groups())
            .filter(|&g| {
                col.and_then(|c| i64_range(meta.row_group(g).column(c).statistics()))
                    .is_none_or(|(lo, hi)| hi >= range.0 as i64 && lo <= range.1 as i64)
            })
            .collect();
        let selection = col.and_then(|c| page_selection(&meta, &keep, c, range));
        let builder = match selection {
            Some(s) => builder.with_row_selection(s),
            None => builder,
        };
        let reader = builder
            .with_row_groups(keep)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(pq(path))?;
        let mut run = Run {
            path: path.to_path_buf(),
            reader,
            range,
            slot: 0,
            mmsi: UInt32Array::from(Vec::<u32>::new()),
            time: TimestampMillisecondArray::from(Vec::<i64>::new()),
            at: 0,
            end: 0,
        };
        Ok(run.next_batch()?.map(|b| (run, b)))
    }

    /// Loads the run's next batch with rows in range; none at its end.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, StoreError> {
        for b in self.reader.by_ref() {
            let b = b.map_err(|e| StoreError::Parquet {
                path: self.path.clone(),
                msg: e.to_string(),
            })?;
            let col = |name: &str| b.column_by_name(name).map(|c| c.as_any());
            let (Some(m), Some(t)) = (
                col("mmsi").and_then(|c| c.downcast_ref::<UInt32Array>()),
                col("time").and_then(|c| c.downcast_ref::<TimestampMillisecondArray>()),
            ) else {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    msg: "run without mmsi and time columns".into(),
                });
            };
            let v = m.values();
            let (a, z) = self.range;
            let start = v.partition_point(|&x| x < a);
            let end = v.partition_point(|&x| x <= z);
            if start == end {
                if end < v.len() {
                    // past the range: the rest of the run is too
                    return Ok(None);
                }
                continue;
            }
            self.mmsi = m.clone();
            self.time = t.clone();
            self.at = start;
            self.end = end;
            return Ok(Some(b));
        }
        Ok(None)
    }

    fn key(&self) -> (u32, i64) {
        (self.mmsi.value(self.at), self.time.value(self.at))
    }

    fn rows(&self) -> u64 {
        (self.end - self.at) as u64
    }
}

/// The runs of one table and day, merged over an MMSI range: a stream of
/// row segments.
struct Merger {
    runs: Vec<Run>,
    /// Batches that pending rows point into.
    slots: Vec<RecordBatch>,
    /// (run key, run index) of each run with rows left.
    heap: BinaryHeap<Reverse<((u32, i64), usize)>>,
    /// Rows taken and not yet written: (slot, row).
    pending: Vec<(usize, usize)>,
    read: u64,
    written: u64,
}

impl Merger {
    fn new(paths: &[PathBuf], range: (u32, u32)) -> Result<Merger, StoreError> {
        let mut m = Merger {
            runs: Vec::new(),
            slots: Vec::new(),
            heap: BinaryHeap::new(),
            pending: Vec::new(),
            read: 0,
            written: 0,
        };
        for p in paths {
            if let Some((mut run, b)) = Run::open(p, range)? {
                run.slot = m.slots.len();
                m.read += run.rows();
                m.slots.push(b);
                m.heap.push(Reverse((run.key(), m.runs.len())));
                m.runs.push(run);
            }
        }
        Ok(m)
    }

    /// Takes the next segment: consecutive rows of one run and one vessel
    /// that come before every other run's next row. Returns its MMSI and
    /// length; none when every run is done.
    fn take(&mut self) -> Result<Option<(u32, usize)>, StoreError> {
        let Some(Reverse((key, r))) = self.heap.pop() else {
            return Ok(None);
        };
        let bound = self.heap.peek().map(|Reverse(k)| *k);
        let run = &mut self.runs[r];
        let start = run.at;
        let n = run.end;
        let mut end = start + 1;
        while end < n {
            let k = (run.mmsi.value(end), run.time.value(end));
            if k.0 != key.0 || bound.is_some_and(|b| (k, r) > b) {
                break;
            }
            end += 1;
        }
        let slot = run.slot;
        self.pending.extend((start..end).map(|i| (slot, i)));
        run.at = end;
        if end == n {
            match run.next_batch()? {
                Some(b) => {
                    self.read += run.rows();
                    run.slot = self.slots.len();
                    self.slots.push(b);
                }
                None => return Ok(Some((key.0, end - start))),
            }
        }
        let run = &self.runs[r];
        self.heap.push(Reverse((run.key(), r)));
        Ok(Some((key.0, end - start)))
    }

    /// Writes the first `upto` pending rows and forgets the batches that
    /// neither a run nor a row still pending points into.
    fn write_pending(&mut self, w: &mut ArrowWriter<File>, upto: usize) -> std::io::Result<()> {
        if upto > 0 {
            let refs: Vec<&RecordBatch> = self.slots.iter().collect();
            let b = arrow_select::interleave::interleave_record_batch(&refs, &self.pending[..upto])
                .map_err(std::io::Error::other)?;
            w.write(&b).map_err(std::io::Error::other)?;
            self.written += upto as u64;
            self.pending.drain(..upto);
        }
        let mut map: Vec<Option<usize>> = vec![None; self.slots.len()];
        let mut kept = Vec::with_capacity(self.runs.len() + 1);
        let mut keep = |s: usize, kept: &mut Vec<RecordBatch>| -> usize {
            *map[s].get_or_insert_with(|| {
                kept.push(self.slots[s].clone());
                kept.len() - 1
            })
        };
        for run in &mut self.runs {
            run.slot = keep(run.slot, &mut kept);
        }
        for p in &mut self.pending {
            p.0 = keep(p.0, &mut kept);
        }
        self.slots = kept;
        Ok(())
    }
}

/// MMSI ranges of about `target` rows each, from the rows per MMSI: the
/// files one merge job writes (a vessel is never split between ranges).
fn plan(counts: &BTreeMap<u32, u64>, target: u64) -> Vec<((u32, u32), u64)> {
    let mut out = Vec::new();
    let mut cur: Option<(u32, u32, u64)> = None;
    for (&m, &n) in counts {
        let c = cur.get_or_insert((m, m, 0));
        c.1 = m;
        c.2 += n;
        if c.2 >= target {
            out.push(((c.0, c.1), c.2));
            cur = None;
        }
    }
    if let Some(c) = cur {
        out.push(((c.0, c.1), c.2));
    }
    out
}

/// Merges the runs of one table and day into files `{prefix}-NNNN.parquet`
/// (relative to the store `dir`) of about `target` rows, cut between
/// vessels; removes the runs. `counts` is the rows per MMSI the runs hold
/// (checked: a merge that writes another number of rows fails). The
/// ranges are merged in parallel, one job per file. Returns the files
/// written, in order.
pub(crate) fn merge_day(
    dir: &Path,
    prefix: &str,
    runs: &[PathBuf],
    counts: &BTreeMap<u32, u64>,
    target: usize,
    row_group_rows: usize,
) -> Result<Vec<String>, StoreError> {
    if let [one] = runs {
        // a day in one run: synced and renamed into place
        let rel = format!("{prefix}-0000.parquet");
        crate::ingest::place_file(dir, one, &rel)?;
        return Ok(vec![rel]);
    }
    let target = target.max(1);
    let jobs = plan(counts, target as u64);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    // each worker's (job, files) pairs
    type Done = Result<Vec<(usize, Vec<String>)>, StoreError>;
    let done: Vec<Done> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(range, rows)) = jobs.get(j) else {
                            return Ok(out);
                        };
                        let name = format!("{prefix}-{j:04}");
                        out.push((
                            j,
                            merge_range(dir, &name, runs, range, rows, target, row_group_rows)?,
                        ));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Corrupt {
                        path: dir.to_path_buf(),
                        msg: format!("merging the runs of {prefix}: a worker panicked"),
                    })
                })
            })
            .collect()
    });
    let mut files: Vec<(usize, Vec<String>)> = Vec::new();
    for d in done {
        files.extend(d?);
    }
    files.sort();
    for r in runs {
        let _ = std::fs::remove_file(r);
    }
    Ok(files.into_iter().flat_map(|f| f.1).collect())
}

/// Merges the rows of MMSIs `range` of every run into `{name}.parquet`, cut
/// into `{name}-KK.parquet` pieces only when one vessel alone exceeds
/// [`HARD_CUT`] x `target` rows. `rows` is how many the runs hold.
fn merge_range(
    dir: &Path,
    name: &str,
    runs: &[PathBuf],
    range: (u32, u32),
    rows: u64,
    target: usize,
    row_group_rows: usize,
) -> Result<Vec<String>, StoreError> {
    let mut m = Merger::new(runs, range)?;
    let mut out = Vec::new();
    // the segment taken but not yet placed (it began a new file)
    let mut carry: Option<usize> = None;
    let mut done = m.slots.is_empty();
    while !done {
        let rel = if out.is_empty() {
            format!("{name}.parquet")
        } else {
            format!("{name}-{:02}.parquet", out.len())
        };
        let target_path = dir.join(&rel);
        let schema = m.slots[0].schema();
        crate::ingest::write_atomic(dir, &rel, |f| {
            let mut w =
                ArrowWriter::try_new(f.try_clone()?, schema, Some(writer_props(row_group_rows)))
                    .map_err(std::io::Error::other)?;
            let mut n_rows = 0usize;
            loop {
                let seg = match carry.take() {
                    Some(n) => Some(n),
                    None => m.take().map_err(std::io::Error::other)?.map(|s| s.1),
                };
                let Some(n) = seg else {
                    done = true;
                    m.write_pending(&mut w, m.pending.len())?;
                    break;
                };
                if n_rows >= target * HARD_CUT {
                    // this segment's rows, pending already, open the next file
                    m.write_pending(&mut w, m.pending.len() - n)?;
                    carry = Some(n);
                    break;
                }
                n_rows += n;
                if m.pending.len() >= BATCH_ROWS {
                    m.write_pending(&mut w, m.pending.len())?;
                }
            }
            w.close().map_err(std::io::Error::other)?;
            Ok(())
        })
        .map_err(|e| match e {
            StoreError::Io { error, .. } => StoreError::Parquet {
                path: target_path.clone(),
                msg: error.to_string(),
            },
            other => other,
        })?;
        out.push(rel);
    }
    if m.read != rows || m.written != rows {
        return Err(StoreError::Corrupt {
            path: dir.join(name),
            msg: format!(
                "merging sorted runs for MMSIs {}..={}: the runs hold {rows} rows, {} were read and {} written",
                range.0, range.1, m.read, m.written
            ),
        });
    }
    Ok(out)
}
