//! Merging sources: a report that several sources carried is stored once.
//!
//! Two providers' files, yesterday's download and today's, a live
//! collection and an archive of the same days: each source is
//! de-duplicated on its own as it is read ([`crate::dedup`]), and when it
//! is committed its rows are merged with the rows already stored for the
//! same days. Rows are the same report when they have the same vessel and
//! the same content (every stored field but the receive time, the receiving
//! station and the provenance; for positions that includes `report_tag`, 8
//! bits of the payload's hash, which tell a vessel's consecutive identical
//! positions apart) and receive times within the de-duplication window,
//! **and were carried by different sources**: rows of one source were
//! already told apart by their whole payloads. The earliest is kept, and
//! the `carried_by` column of the row kept lists every source that carried
//! it.
//!
//! The work is bounded by the new source: per table and day, only the files
//! whose receive times come within a window of the new rows' are read, and
//! only when rows are dropped are they rewritten, into one merged file
//! that replaces them. Day boundaries are handled by reading the last
//! window of the day before as already kept rows, and by looking at the
//! first window of the day after the new source's last day. The source and
//! its merges are committed by one manifest line ([`crate::manifest::Merge`]);
//! the replaced files are removed after the commit.
//!
//! Copies keep their order: where the tag cannot help (a store written
//! before it, rows without payloads), a vessel that repeats an identical
//! report has a copy of each report in both sources, and each row can only
//! meet the kept row that is its twin (the nearest in time after every
//! kept row its sources already carry). The result is the same rows
//! whichever order the sources are ingested in when the copies of a report
//! fall within a window of each other (tested on a real capture cut into
//! overlapping files, and into consecutive ones, in both orders); copies
//! strung out over more than a window (A at 0 s, B at 20 s, C at 40 s) are
//! chained differently by different orders. What the stored fields cannot
//! tell apart is not told apart: two different reports with the same
//! content and the same 8-bit tag (1 in 256), within a window and in
//! different sources, are taken for one. A copy of a row of the day
//! before (kept as it is) is dropped without that row's `carried_by`
//! learning of it. Memory: the rows of one day's files that come within a
//! window of the new source's rows.

use crate::manifest::Merge;
use crate::record::{Identity, Position};
use crate::{day_of, schema, StoreError};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::statistics::Statistics;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::Path;

const DAY_MS: i64 = 86_400_000;

/// Sources that carried a row: their ids (first 16 hex digits of the
/// source's BLAKE3) as numbers, sorted.
type Carriers = Vec<u64>;

fn parse_carriers(s: &str) -> Carriers {
    let mut v: Carriers = s
        .split(' ')
        .filter_map(|x| u64::from_str_radix(x, 16).ok())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn carriers_text(c: &Carriers) -> String {
    c.iter()
        .map(|x| format!("{x:016x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The source of a file written before the `carried_by` column: its name
/// starts with the source id.
fn carriers_of_name(rel: &str) -> Carriers {
    let name = rel.rsplit('/').next().unwrap_or("");
    name.get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .into_iter()
        .collect()
}

fn disjoint(a: &Carriers, b: &Carriers) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

fn union(a: &mut Carriers, b: &Carriers) {
    a.extend_from_slice(b);
    a.sort_unstable();
    a.dedup();
}

/// A table's rows as the merge sees them.
trait Row: Sized {
    const TABLE: &'static str;
    fn key(&self) -> (u32, i64);
    /// Hash of every stored field but time, station, provenance and the
    /// report tag (compared apart: a missing tag matches any).
    fn content(&self) -> u64;
    /// The report tag ([`schema::report_tag`]); 0 where there is none.
    fn tag(&self) -> u8 {
        0
    }
    fn from_batch(b: &arrow_array::RecordBatch) -> Result<Vec<Self>, String>;
    fn batch(rows: &[Self], carried: &[String]) -> arrow_array::RecordBatch;
}

impl Row for Position {
    const TABLE: &'static str = "positions";
    fn key(&self) -> (u32, i64) {
        (self.mmsi, self.time_ms)
    }
    fn content(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            self.mmsi,
            self.lat.to_bits(),
            self.lon.to_bits(),
            self.sog.map(f32::to_bits),
            self.cog.map(f32::to_bits),
            self.heading,
            self.nav_status,
            self.msg_type,
            self.class.as_str(),
            self.accuracy,
        )
            .hash(&mut h);
        h.finish()
    }
    fn tag(&self) -> u8 {
        schema::report_tag(self.payload_hash)
    }
    fn from_batch(b: &arrow_array::RecordBatch) -> Result<Vec<Self>, String> {
        schema::positions_from_batch(b)
    }
    fn batch(rows: &[Self], carried: &[String]) -> arrow_array::RecordBatch {
        schema::positions_batch(rows, schema::Carried::Each(carried))
    }
}

impl Row for Identity {
    const TABLE: &'static str = "identities";
    fn key(&self) -> (u32, i64) {
        (self.mmsi, self.time_ms)
    }
    fn content(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            self.mmsi,
            self.msg_type,
            self.imo,
            &self.name,
            &self.callsign,
            self.ship_type,
            (self.to_bow, self.to_stern, self.to_port, self.to_starboard),
            self.draught.map(f32::to_bits),
            &self.destination,
            &self.eta,
        )
            .hash(&mut h);
        h.finish()
    }
    fn from_batch(b: &arrow_array::RecordBatch) -> Result<Vec<Self>, String> {
        schema::identities_from_batch(b)
    }
    fn batch(rows: &[Self], carried: &[String]) -> arrow_array::RecordBatch {
        schema::identities_batch(rows, schema::Carried::Each(carried))
    }
}

/// The rows of one file, a batch at a time, with the sources that carried
/// each. Files are sorted by (mmsi, time), so a vessel's rows come
/// together.
struct FileRows<T> {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    buf: std::collections::VecDeque<(T, Carriers)>,
    by_name: Carriers,
    path: std::path::PathBuf,
}

impl<T: Row> FileRows<T> {
    fn open(dir: &Path, rel: &str) -> Result<Self, StoreError> {
        let path = dir.join(rel);
        let f = std::fs::File::open(&path).map_err(|e| StoreError::io(&path, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(f)
            .and_then(|b| b.with_batch_size(65_536).build())
            .map_err(|e| StoreError::Parquet {
                path: path.clone(),
                msg: e.to_string(),
            })?;
        Ok(FileRows {
            reader,
            buf: Default::default(),
            by_name: carriers_of_name(rel),
            path,
        })
    }

    /// Reads the next batch if the buffer is empty; false at the end.
    fn fill(&mut self) -> Result<bool, StoreError> {
        while self.buf.is_empty() {
            let Some(b) = self.reader.next() else {
                return Ok(false);
            };
            let pq = |msg: String| StoreError::Parquet {
                path: self.path.clone(),
                msg,
            };
            let b = b.map_err(|e| pq(e.to_string()))?;
            let rows = T::from_batch(&b).map_err(pq)?;
            let carried = schema::carried_from_batch(&b);
            for (r, c) in rows.into_iter().zip(carried) {
                let c = match c {
                    Some(s) => parse_carriers(&s),
                    None => self.by_name.clone(),
                };
                self.buf.push_back((r, c));
            }
        }
        Ok(true)
    }

    /// The vessel of the next row.
    fn peek(&mut self) -> Result<Option<u32>, StoreError> {
        Ok(if self.fill()? {
            self.buf.front().map(|(r, _)| r.key().0)
        } else {
            None
        })
    }

    /// Moves the next rows of vessel `m` to `out`.
    fn take(&mut self, m: u32, out: &mut Vec<(T, Carriers)>) -> Result<(), StoreError> {
        while self.fill()? {
            while self.buf.front().is_some_and(|(r, _)| r.key().0 == m) {
                out.extend(self.buf.pop_front());
            }
            if !self.buf.is_empty() {
                break;
            }
        }
        Ok(())
    }
}

/// A merged file being written: rows go out a row group at a time, into a
/// temporary file that becomes the merged file only if rows were dropped.
struct MergeOut<T> {
    tmp: std::path::PathBuf,
    writer: parquet::arrow::ArrowWriter<std::fs::File>,
    rows: Vec<T>,
    carried: Vec<String>,
    row_group_rows: usize,
}

impl<T: Row> MergeOut<T> {
    fn create(dir: &Path, name: &str, row_group_rows: usize) -> Result<Self, StoreError> {
        let tmp_dir = dir.join(".tmp");
        std::fs::create_dir_all(&tmp_dir).map_err(|e| StoreError::io(&tmp_dir, e))?;
        let tmp = tmp_dir.join(name);
        let f = std::fs::File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        let schema = T::batch(&[], &[]).schema();
        let writer = parquet::arrow::ArrowWriter::try_new(
            f,
            schema,
            Some(crate::ingest::writer_props(row_group_rows)),
        )
        .map_err(|e| StoreError::Parquet {
            path: tmp.clone(),
            msg: e.to_string(),
        })?;
        Ok(MergeOut {
            tmp,
            writer,
            rows: Vec::new(),
            carried: Vec::new(),
            row_group_rows: row_group_rows.max(1),
        })
    }

    fn push(&mut self, kept: Vec<(T, Carriers)>) -> Result<(), StoreError> {
        for (r, c) in kept {
            self.rows.push(r);
            self.carried.push(carriers_text(&c));
        }
        if self.rows.len() >= self.row_group_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let b = T::batch(&self.rows, &self.carried);
        self.rows.clear();
        self.carried.clear();
        self.writer.write(&b).map_err(|e| StoreError::Parquet {
            path: self.tmp.clone(),
            msg: e.to_string(),
        })
    }

    /// Writes the rest, fsyncs, and renames the file to `rel` under `dir`.
    fn commit(mut self, dir: &Path, rel: &str) -> Result<(), StoreError> {
        self.flush()?;
        let f = self.writer.into_inner().map_err(|e| StoreError::Parquet {
            path: self.tmp.clone(),
            msg: e.to_string(),
        })?;
        f.sync_all().map_err(|e| StoreError::io(&self.tmp, e))?;
        drop(f);
        let target = dir.join(rel);
        let parent = target.parent().unwrap_or(dir).to_path_buf();
        std::fs::rename(&self.tmp, &target).map_err(|e| StoreError::io(&target, e))?;
        if let Ok(d) = std::fs::File::open(&parent) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Nothing was dropped: the temporary file goes.
    fn abandon(self) {
        let tmp = self.tmp.clone();
        drop(self);
        let _ = std::fs::remove_file(tmp);
    }
}

/// Receive-time range of a file, from its row-group statistics.
fn time_range(dir: &Path, rel: &str) -> Result<Option<(i64, i64)>, StoreError> {
    let path = dir.join(rel);
    let f = std::fs::File::open(&path).map_err(|e| StoreError::io(&path, e))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| StoreError::Parquet {
        path: path.clone(),
        msg: e.to_string(),
    })?;
    let meta = b.metadata();
    let schema = meta.file_metadata().schema_descr();
    let Some(i) = (0..schema.num_columns()).find(|&i| schema.column(i).name() == "time") else {
        return Ok(None);
    };
    let mut range: Option<(i64, i64)> = None;
    for rg in meta.row_groups() {
        match rg.column(i).statistics() {
            Some(Statistics::Int64(v)) => {
                if let (Some(&lo), Some(&hi)) = (v.min_opt(), v.max_opt()) {
                    range = Some(range.map_or((lo, hi), |(a, z)| (a.min(lo), z.max(hi))));
                }
            }
            // no statistics: the whole day
            _ => return Ok(None),
        }
    }
    Ok(range)
}

/// A row of the day before, kept as it is: (mmsi, time, content, tag,
/// carriers).
type Seed = (u32, i64, u64, u8, Carriers);

/// A row already kept that later rows are compared with.
struct Kept {
    time: i64,
    tag: u8,
    /// Index in the output, or `None` for a row of the day before (kept
    /// as it is; its own carriers are in `seed`).
    slot: Option<usize>,
    seed: Carriers,
}

/// Drops rows that repeat a kept row of another source within the window;
/// returns the rows kept (sorted) with their carriers and how many went.
fn merge_rows<T: Row>(
    mut rows: Vec<(T, Carriers)>,
    mut seeds: Vec<Seed>,
    window: i64,
) -> (Vec<(T, Carriers)>, u64) {
    let mut keyed: Vec<((u32, i64, u64, u8), usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, (r, _))| {
            let (m, t) = r.key();
            ((m, t, r.content(), r.tag()), i)
        })
        .collect();
    // order by vessel, time, content, tag, then carriers: the same
    // whatever order the files came in
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| rows[a.1].1.cmp(&rows[b.1].1)));
    let mut kept: HashMap<(u32, u64), Vec<Kept>> = HashMap::new();
    // in time order, as the rows are compared
    seeds.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| a.4.cmp(&b.4)));
    for (m, t, h, tag, c) in seeds {
        kept.entry((m, h)).or_default().push(Kept {
            time: t,
            tag,
            slot: None,
            seed: c,
        });
    }
    let mut slots: Vec<Option<(T, Carriers)>> = rows.drain(..).map(Some).collect();
    let mut out: Vec<(T, Carriers)> = Vec::with_capacity(slots.len());
    let mut dropped = 0u64;
    for ((m, t, h, _), i) in keyed {
        let (row, c) = slots[i].take().expect("each row once");
        let tag = row.tag();
        let list = kept.entry((m, h)).or_default();
        list.retain(|k| t - k.time <= window);
        let carries = |k: &Kept| -> bool {
            let theirs = match k.slot {
                Some(s) => &out[s].1,
                None => &k.seed,
            };
            !disjoint(theirs, &c)
        };
        // Without a tag, a vessel that repeats an identical report every
        // few seconds has a copy of each in both sources, and each copy
        // must meet its own twin, not a neighbour: copies keep their
        // order, so such a row can only be a copy of a kept row later than
        // every kept row its sources already carry. With one, the tag
        // tells the reports apart.
        let after = if tag == 0 {
            list.iter().rposition(carries).map_or(0, |i| i + 1)
        } else {
            0
        };
        let hit = list[after..]
            .iter_mut()
            .filter(|k| schema::tags_agree(k.tag, tag) && !carries(k))
            .min_by_key(|k| (t - k.time).abs());
        match hit {
            Some(k) => {
                match k.slot {
                    Some(s) => union(&mut out[s].1, &c),
                    None => union(&mut k.seed, &c),
                }
                dropped += 1;
            }
            None => {
                list.push(Kept {
                    time: t,
                    tag,
                    slot: Some(out.len()),
                    seed: Vec::new(),
                });
                out.push((row, c));
            }
        }
    }
    (out, dropped)
}

/// What merging needs to know about the store.
pub(crate) struct MergeRun<'a> {
    /// The store.
    pub dir: &'a Path,
    /// Data files of the committed sources (less merged-away ones).
    pub live: Vec<String>,
    /// Files the new source wrote (not yet committed).
    pub new_files: &'a [String],
    /// De-duplication window, ms.
    pub window_ms: i64,
    /// Rows per row group of merged files.
    pub row_group_rows: usize,
    /// Receive-time ranges of the files looked at, each footer read once.
    ranges: std::cell::RefCell<HashMap<String, Option<(i64, i64)>>>,
}

fn day_number(day: &str) -> Option<i64> {
    let b = day.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let y: i64 = day.get(0..4)?.parse().ok()?;
    let m: u32 = day.get(5..7)?.parse().ok()?;
    let d: u32 = day.get(8..10)?.parse().ok()?;
    Some(ais::nmea::days_from_civil(y, m, d))
}

/// (table, day number) of a data file `table/day=YYYY-MM-DD/name`.
fn place(rel: &str) -> Option<(&str, i64)> {
    let mut it = rel.split('/');
    let table = it.next()?;
    let day = it.next()?.strip_prefix("day=")?;
    it.next()?;
    (table == "positions" || table == "identities").then_some(())?;
    Some((table, day_number(day)?))
}

impl<'a> MergeRun<'a> {
    /// A merge of `new_files` (uncommitted) with the `live` files of the
    /// store at `dir`.
    pub fn new(
        dir: &'a Path,
        live: Vec<String>,
        new_files: &'a [String],
        window_ms: i64,
        row_group_rows: usize,
    ) -> Self {
        MergeRun {
            dir,
            live,
            new_files,
            window_ms,
            row_group_rows,
            ranges: Default::default(),
        }
    }

    /// [`time_range`] of a file, read once per run.
    fn range(&self, rel: &str) -> Result<Option<(i64, i64)>, StoreError> {
        if let Some(r) = self.ranges.borrow().get(rel) {
            return Ok(*r);
        }
        let r = time_range(self.dir, rel)?;
        self.ranges.borrow_mut().insert(rel.to_string(), r);
        Ok(r)
    }

    /// Merges the new source with the stored rows of the days it touched;
    /// writes the merged files (uncommitted) and returns what the commit
    /// line must record.
    pub fn run(&self) -> Result<Vec<Merge>, StoreError> {
        // the current files of every (table, day), and the new source's
        // time range per day
        let mut current: BTreeMap<(String, i64), BTreeSet<String>> = BTreeMap::new();
        for f in self.live.iter().chain(self.new_files) {
            if let Some((t, d)) = place(f) {
                current
                    .entry((t.to_string(), d))
                    .or_default()
                    .insert(f.clone());
            }
        }
        let mut new_range: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for f in self.new_files {
            if let Some((_, d)) = place(f) {
                let r = self.range(f)?.unwrap_or((d * DAY_MS, (d + 1) * DAY_MS - 1));
                let e = new_range.entry(d).or_insert(r);
                *e = (e.0.min(r.0), e.1.max(r.1));
            }
        }
        if new_range.is_empty() {
            return Ok(Vec::new());
        }
        let w = self.window_ms.max(0);
        // days to look at: each day the source touched, in the new rows'
        // range, and the first window of the day after each
        let mut look: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for (&d, &(a, b)) in &new_range {
            let e = look.entry(d).or_insert((a - w, b + w));
            *e = (e.0.min(a - w), e.1.max(b + w));
            if b + w >= (d + 1) * DAY_MS {
                let n = look
                    .entry(d + 1)
                    .or_insert(((d + 1) * DAY_MS, (d + 1) * DAY_MS + w));
                n.1 = n.1.max(b + w);
            }
        }
        let mut merges = Vec::new();
        for (day, range) in look {
            let mut merge = Merge {
                day: day_of(day * DAY_MS),
                replaces: Vec::new(),
                files: Vec::new(),
                positions_merged: 0,
                identities_merged: 0,
            };
            merge.positions_merged =
                self.table::<Position>(&mut current, day, range, &mut merge)?;
            merge.identities_merged =
                self.table::<Identity>(&mut current, day, range, &mut merge)?;
            if !merge.files.is_empty() {
                merges.push(merge);
            }
        }
        Ok(merges)
    }

    /// One table of one day: returns the rows dropped (0: nothing written).
    fn table<T: Row>(
        &self,
        current: &mut BTreeMap<(String, i64), BTreeSet<String>>,
        day: i64,
        (lo, hi): (i64, i64),
        merge: &mut Merge,
    ) -> Result<u64, StoreError> {
        let key = (T::TABLE.to_string(), day);
        let Some(files) = current.get(&key) else {
            return Ok(0);
        };
        let overlaps = |f: &String| -> Result<bool, StoreError> {
            Ok(match self.range(f)? {
                Some((a, b)) => b >= lo && a <= hi,
                None => true,
            })
        };
        let mut members = Vec::new();
        for f in files {
            if overlaps(f)? {
                members.push(f.clone());
            }
        }
        if members.is_empty() {
            return Ok(0);
        }
        // the last window of the day before: rows already kept, by vessel
        let day_start = day * DAY_MS;
        let mut prev_files = Vec::new();
        if lo < day_start + self.window_ms.max(0) {
            if let Some(prev) = current.get(&(T::TABLE.to_string(), day - 1)) {
                for f in prev {
                    if let Some((_, b)) = self.range(f)? {
                        if b < day_start - self.window_ms {
                            continue;
                        }
                    }
                    prev_files.push(f.clone());
                }
            }
        }
        // one source alone (its own rows of the day before included: its
        // duplicates were removed as it was read) has nothing to merge;
        // known from the file names, without reading the rows (a day of
        // files sorted by vessel all reach the day's last window)
        let named: BTreeSet<Carriers> = members
            .iter()
            .chain(&prev_files)
            .map(|f| carriers_of_name(f))
            .collect();
        if named.len() < 2 && !members.iter().chain(&prev_files).any(|f| is_merged(f)) {
            return Ok(0);
        }
        let mut seeds: HashMap<u32, Vec<Seed>> = HashMap::new();
        let mut seed_sources: BTreeSet<Carriers> = BTreeSet::new();
        for f in &prev_files {
            let mut rows = FileRows::<T>::open(self.dir, f)?;
            while rows.fill()? {
                for (r, c) in rows.buf.drain(..) {
                    let (m, t) = r.key();
                    if t >= day_start - self.window_ms {
                        seed_sources.insert(c.clone());
                        seeds
                            .entry(m)
                            .or_default()
                            .push((m, t, r.content(), r.tag(), c));
                    }
                }
            }
        }
        // one source alone, with nothing before it, has nothing to merge
        let sources: BTreeSet<Carriers> = members
            .iter()
            .map(|f| carriers_of_name(f))
            .chain(seed_sources)
            .collect();
        let merged_before = members.iter().any(|f| is_merged(f));
        if members.is_empty() || (sources.len() < 2 && !merged_before && seeds.is_empty()) {
            return Ok(0);
        }
        let mut names = members.clone();
        names.sort();
        let id = blake3::hash(names.join("\n").as_bytes()).to_hex();
        let rel = format!(
            "{}/day={}/m-{}.parquet",
            T::TABLE,
            day_of(day_start),
            &id[..16]
        );
        // vessel by vessel across the files: memory holds one vessel's
        // rows of the window, a batch per file and a row group of output
        let mut streams = Vec::with_capacity(members.len());
        for f in &members {
            streams.push(FileRows::<T>::open(self.dir, f)?);
        }
        let mut out = MergeOut::<T>::create(
            self.dir,
            &format!("{}-m-{}.parquet", T::TABLE, &id[..16]),
            self.row_group_rows,
        )?;
        let mut dropped = 0u64;
        let mut rows = Vec::new();
        loop {
            let mut next: Option<u32> = None;
            for s in streams.iter_mut() {
                if let Some(m) = s.peek()? {
                    next = Some(next.map_or(m, |n| n.min(m)));
                }
            }
            let Some(m) = next else { break };
            rows.clear();
            for s in streams.iter_mut() {
                s.take(m, &mut rows)?;
            }
            let (kept, d) = merge_rows(
                std::mem::take(&mut rows),
                seeds.remove(&m).unwrap_or_default(),
                self.window_ms,
            );
            dropped += d;
            out.push(kept)?;
        }
        if dropped == 0 {
            out.abandon();
            return Ok(0);
        }
        out.commit(self.dir, &rel)?;
        let set = current.get_mut(&key).expect("looked up above");
        for f in &members {
            set.remove(f);
        }
        set.insert(rel.clone());
        merge.replaces.extend(members);
        merge.files.push(rel);
        Ok(dropped)
    }
}

/// Whether a file is a merge's (its rows may come from several sources).
fn is_merged(rel: &str) -> bool {
    rel.rsplit('/').next().is_some_and(|n| n.starts_with("m-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Class;

    fn pos(mmsi: u32, t: i64, lat: f64) -> Position {
        Position {
            time_ms: t,
            mmsi,
            lat,
            lon: 0.0,
            sog: None,
            cog: None,
            heading: None,
            nav_status: None,
            msg_type: 1,
            class: Class::A,
            source: None,
            accuracy: false,
            payload_hash: 0,
        }
    }

    fn run(rows: &[(u32, i64, f64, u64)]) -> Vec<(u32, i64, f64, Carriers)> {
        let rows = rows
            .iter()
            .map(|&(m, t, lat, src)| (pos(m, t, lat), vec![src]))
            .collect();
        merge_rows(rows, Vec::new(), 30_000)
            .0
            .into_iter()
            .map(|(p, c)| (p.mmsi, p.time_ms, p.lat, c))
            .collect()
    }

    #[test]
    fn copies_from_two_sources_are_one_row_carried_by_both() {
        let out = run(&[(1, 1_000, 5.0, 2), (1, 3_000, 5.0, 1), (1, 40_000, 5.0, 1)]);
        assert_eq!(
            out,
            vec![(1, 1_000, 5.0, vec![1, 2]), (1, 40_000, 5.0, vec![1])]
        );
    }

    #[test]
    fn one_sources_identical_rows_stay_apart() {
        // a vessel repeating an identical position every 10 s: different
        // payloads, told apart when the source was read
        let out = run(&[(1, 0, 5.0, 1), (1, 10_000, 5.0, 1), (1, 20_000, 5.0, 1)]);
        assert_eq!(out.len(), 3);
        // the same three from a second source merge one to one
        let out = run(&[
            (1, 0, 5.0, 1),
            (1, 10_000, 5.0, 1),
            (1, 20_000, 5.0, 1),
            (1, 0, 5.0, 2),
            (1, 10_000, 5.0, 2),
            (1, 20_000, 5.0, 2),
        ]);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|r| r.3 == vec![1, 2]));
        // and one source holding only the first copy does not swallow the
        // second source's later report
        let out = run(&[(1, 0, 5.0, 1), (1, 0, 5.0, 2), (1, 10_000, 5.0, 2)]);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn each_copy_meets_its_own_twin() {
        // a vessel repeating an identical report every 3 s; source 1 holds
        // 0-9 s, source 2 holds 6-15 s
        let mut rows: Vec<(u32, i64, f64, u64)> = (0..4).map(|i| (1, i * 3_000, 5.0, 1)).collect();
        rows.extend((2..6).map(|i| (1, i * 3_000, 5.0, 2)));
        let out = run(&rows);
        let times: Vec<i64> = out.iter().map(|r| r.1).collect();
        assert_eq!(times, [0, 3_000, 6_000, 9_000, 12_000, 15_000]);
        let both: Vec<i64> = out.iter().filter(|r| r.3.len() == 2).map(|r| r.1).collect();
        assert_eq!(both, [6_000, 9_000]);
    }

    #[test]
    fn consecutive_reports_in_consecutive_files_are_not_copies() {
        // one feed cut in two: a vessel repeating an identical position
        // every 10 s across the cut; its payloads differ, so do the tags
        let row = |t: i64, src: u64| {
            let mut p = pos(1, t, 5.0);
            p.payload_hash = (t as u64 / 10_000 + 1) << 56;
            (p, vec![src])
        };
        let rows = vec![row(0, 1), row(10_000, 1), row(20_000, 2), row(30_000, 2)];
        assert_eq!(merge_rows(rows, Vec::new(), 30_000).0.len(), 4);
        // the same report in both files is one row
        let rows = vec![row(0, 1), row(10_000, 1), row(10_000, 2), row(20_000, 2)];
        let (out, dropped) = merge_rows(rows, Vec::new(), 30_000);
        assert_eq!((out.len(), dropped), (3, 1));
    }

    #[test]
    fn the_result_does_not_depend_on_input_order() {
        let rows = [
            (1, 0, 5.0, 1),
            (1, 2_000, 5.0, 2),
            (2, 5_000, 6.0, 3),
            (1, 31_000, 5.0, 3),
            (1, 50_000, 7.0, 1),
            (2, 5_000, 6.0, 1),
        ];
        let a = run(&rows);
        let mut rev = rows;
        rev.reverse();
        assert_eq!(run(&rev), a);
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn carriers_read_back_from_text_and_names() {
        let c = parse_carriers("00000000000000ff 0000000000000001 junk");
        assert_eq!(c, vec![1, 255]);
        assert_eq!(carriers_text(&c), "0000000000000001 00000000000000ff");
        assert_eq!(
            carriers_of_name("positions/day=2024-01-01/00000000000000ab-0000.parquet"),
            vec![0xab]
        );
        assert!(carriers_of_name("positions/day=2024-01-01/m-0000000000000001.parquet").is_empty());
    }
}
