//! Everything received is kept. Lines are appended to a segment
//! (`raw/<start>.nmea`) with their receive time in an NMEA 4.0 tag block
//! (added when the line has none), fsynced at least once a second, so a
//! crash or `kill -9` loses at most the last second. A segment is closed
//! after `roll_minutes`, compressed to `.nmea.gz` (written to a temporary
//! name, fsynced, renamed) and ingested into `store/` by the store's own
//! crash-safe ingest, which skips content it already holds: a restart
//! redoes whatever a crash interrupted (open segments are compressed and
//! ingested first) and duplicates nothing. Segments are rolled one at a
//! time, in order, with duplicate removal carried from one to the next
//! (`dedup.state`), so the store holds the same rows however the feed was
//! cut into segments or interrupted.

use crate::Counters;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why raw lines could not be kept or rolled.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// A segment file could not be written or read.
    #[error("{path}: {err}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        err: std::io::Error,
    },
    /// A segment could not be ingested into the store.
    #[error("{0}")]
    Store(#[from] store::StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |err| PersistError::Io {
        path: path.display().to_string(),
        err,
    }
}

struct Segment {
    path: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
    opened: Instant,
}

/// The raw archive and the store of one `watch` directory.
pub struct Persist {
    raw: PathBuf,
    store: PathBuf,
    cur: Option<Segment>,
    unsynced: u64,
    last_sync: Instant,
    roll_after: Duration,
    seq: u64,
    c: Arc<Counters>,
    /// Multi-sentence messages begun in the open segment and not finished:
    /// (input, sequential id, channel) -> when the first part came. A
    /// segment is not closed between the parts of a message (each segment
    /// is ingested on its own and could not put it together).
    open_messages: std::collections::HashMap<(Arc<str>, Vec<u8>), Instant>,
    /// [`FRAGMENT_WAIT`] (shorter in tests).
    fragment_wait: Duration,
}

/// Open multi-sentence messages tracked at most (a feed can hold one per
/// sequential id and channel; more is a hostile or broken feed, whose
/// extra parts are left to the ingest to count as rejects).
const MAX_OPEN_MESSAGES: usize = 1024;

/// How long a roll waits for the rest of a multi-sentence message whose
/// first part is in the segment; a part that never follows is then left
/// to the ingest, which counts it as a reject. The parts of one message
/// are sent back to back (ITU-R M.1371 allows at most 5, within one
/// slot's worth of time), so seconds are plenty. A segment is rolled at
/// most this long after it is due, whatever the feed sends (a stream of
/// first parts that never finish cannot hold it open).
const FRAGMENT_WAIT: Duration = Duration::from_secs(10);

/// (count, number, sequential id and channel) of a multi-sentence NMEA
/// line, tag block or not; `None` for a single sentence or other text.
fn fragment(line: &[u8]) -> Option<(u8, u8, Vec<u8>)> {
    let body = match line.strip_prefix(b"\\") {
        Some(r) => &r[r.iter().position(|&b| b == b'\\')? + 1..],
        None => line,
    };
    if !body.starts_with(b"!") {
        return None;
    }
    let mut f = body.split(|&b| b == b',').skip(1);
    let n: u8 = std::str::from_utf8(f.next()?).ok()?.parse().ok()?;
    let k: u8 = std::str::from_utf8(f.next()?).ok()?.parse().ok()?;
    if n < 2 {
        return None;
    }
    // a sequential id is one digit and a channel one character: anything
    // longer is not a message part to wait for
    let (seq, chan) = (f.next()?, f.next()?);
    if seq.len() > 2 || chan.len() > 2 {
        return None;
    }
    let mut key = seq.to_vec();
    key.push(b',');
    key.extend_from_slice(chan);
    Some((n, k, key))
}

/// Whether the line's tag block has a `c:` field (whatever the rest of the
/// line holds: a damaged sentence keeps the time it was received with).
fn has_tag_time(line: &[u8]) -> bool {
    line.strip_prefix(b"\\")
        .and_then(|r| r.iter().position(|&b| b == b'\\').map(|e| &r[..e]))
        .is_some_and(|tag| {
            let body = tag.split(|&b| b == b'*').next().unwrap_or(b"");
            body.split(|&b| b == b',').any(|f| f.starts_with(b"c:"))
        })
}

/// The line with its receive time in its tag block: unchanged when it
/// already has `c:`; otherwise `c:<ms>` is added to its tag block or a new
/// tag block is put in front.
pub fn with_time(line: &[u8], ms: i64) -> Vec<u8> {
    if has_tag_time(line) {
        return line.to_vec();
    }
    let (body, rest): (Vec<u8>, &[u8]) = match line.strip_prefix(b"\\").and_then(|r| {
        let end = r.iter().position(|&b| b == b'\\')?;
        Some((&r[..end], &r[end + 1..]))
    }) {
        Some((tag, rest)) => {
            let inner = tag.split(|&b| b == b'*').next().unwrap_or(b"");
            let mut b = format!("c:{ms}").into_bytes();
            if !inner.is_empty() {
                b.push(b',');
                b.extend_from_slice(inner);
            }
            (b, rest)
        }
        None => (format!("c:{ms}").into_bytes(), line),
    };
    let mut out = Vec::with_capacity(line.len() + body.len() + 6);
    out.push(b'\\');
    out.extend_from_slice(&body);
    out.extend_from_slice(format!("*{:02X}\\", ais::nmea::checksum(&body)).as_bytes());
    out.extend_from_slice(rest);
    out
}

impl Persist {
    /// Opens `dir` (made if missing) and finishes what a previous run left:
    /// open segments are compressed, and every compressed segment the
    /// store does not hold yet is ingested.
    pub fn open(dir: &Path, roll_minutes: f64, c: Arc<Counters>) -> Result<Persist, PersistError> {
        let raw = dir.join("raw");
        std::fs::create_dir_all(&raw).map_err(io(&raw))?;
        let p = Persist {
            store: dir.join("store"),
            raw,
            cur: None,
            unsynced: 0,
            last_sync: Instant::now(),
            roll_after: Duration::from_secs_f64((roll_minutes * 60.0).max(1.0)),
            seq: 0,
            c,
            open_messages: Default::default(),
            fragment_wait: FRAGMENT_WAIT,
        };
        p.recover()?;
        Ok(p)
    }

    fn list(&self, ext: &str) -> Result<Vec<PathBuf>, PersistError> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.raw)
            .map_err(io(&self.raw))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(ext))
            .collect();
        v.sort();
        Ok(v)
    }

    fn recover(&self) -> Result<(), PersistError> {
        for p in self.list(".nmea")? {
            compress(&p)?;
        }
        let gz = self.list(".nmea.gz")?;
        if !gz.is_empty() {
            ingest(&gz, &self.store)?;
        }
        Ok(())
    }

    /// Appends one line (its receive time added if it has none).
    pub fn write(
        &mut self,
        input: &Arc<str>,
        line: &[u8],
        wall_ms: i64,
    ) -> Result<(), PersistError> {
        if let Some((n, k, key)) = fragment(line) {
            let key = (input.clone(), key);
            if k < n {
                if k == 1 {
                    // a first part begins a message (an id may be reused)
                    if self.open_messages.len() < MAX_OPEN_MESSAGES
                        || self.open_messages.contains_key(&key)
                    {
                        self.open_messages.insert(key, Instant::now());
                    }
                }
            } else {
                self.open_messages.remove(&key);
            }
        }
        if self.cur.is_none() {
            self.seq += 1;
            let name = format!(
                "{}-{:04}.nmea",
                ais::nmea::format_rfc3339_ms(wall_ms).replace([':', '-', '.'], ""),
                self.seq
            );
            let path = self.raw.join(name);
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io(&path))?;
            self.cur = Some(Segment {
                w: std::io::BufWriter::with_capacity(1 << 20, f),
                path,
                opened: Instant::now(),
            });
        }
        let s = self.cur.as_mut().expect("opened above");
        let l = with_time(line, wall_ms);
        s.w.write_all(&l)
            .and_then(|_| s.w.write_all(b"\n"))
            .map_err(io(&s.path))?;
        self.unsynced += 1;
        Ok(())
    }

    /// Writes out and fsyncs what is buffered.
    pub fn sync(&mut self) -> Result<(), PersistError> {
        if let Some(s) = self.cur.as_mut() {
            s.w.flush().map_err(io(&s.path))?;
            s.w.get_ref().sync_data().map_err(io(&s.path))?;
        }
        Counters::add(&self.c.persisted, self.unsynced);
        self.unsynced = 0;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Called often: fsyncs once a second; returns a segment that is due to
    /// be rolled (closed and synced), for [`roll`].
    pub fn tick(&mut self) -> Result<Option<PathBuf>, PersistError> {
        if self.unsynced > 0 && self.last_sync.elapsed() >= Duration::from_secs(1) {
            self.sync()?;
        }
        if let Some(age) = self.cur.as_ref().map(|s| s.opened.elapsed()) {
            if age >= self.roll_after {
                let wait = self.fragment_wait;
                self.open_messages.retain(|_, t| t.elapsed() < wait);
                if self.open_messages.is_empty() || age >= self.roll_after + wait {
                    return self.close();
                }
            }
        }
        Ok(None)
    }

    /// Asks for the open segment to be rolled at the next [`Persist::tick`]
    /// (once the messages begun in it are whole, as when it is due).
    pub fn roll_soon(&mut self) {
        if let Some(s) = self.cur.as_mut() {
            // due from now on: the fragment wait counts from now
            if let Some(due) = Instant::now().checked_sub(self.roll_after) {
                s.opened = s.opened.min(due);
            }
        }
    }

    /// Whether a segment is open (lines written since the last roll).
    pub fn is_open(&self) -> bool {
        self.cur.is_some()
    }

    /// Closes the open segment (synced); returns it for [`roll`].
    pub fn close(&mut self) -> Result<Option<PathBuf>, PersistError> {
        self.sync()?;
        self.open_messages.clear();
        Ok(self.cur.take().map(|s| s.path))
    }

    /// The store segments are rolled into.
    pub fn store_dir(&self) -> &Path {
        &self.store
    }
}

/// Compresses a closed segment to `.nmea.gz` (temporary name, fsync,
/// rename), then removes the plain file.
pub fn compress(path: &Path) -> Result<PathBuf, PersistError> {
    let gz = PathBuf::from(format!("{}.gz", path.display()));
    let tmp = PathBuf::from(format!("{}.gz.tmp", path.display()));
    let mut r = std::fs::File::open(path).map_err(io(path))?;
    let f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut w = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    std::io::copy(&mut r, &mut w).map_err(io(&tmp))?;
    let f = w.finish().map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, &gz).map_err(io(&gz))?;
    std::fs::remove_file(path).map_err(io(path))?;
    Ok(gz)
}

/// Segments are one feed cut in pieces: duplicate removal carries its
/// window from one to the next, and across restarts, in this file beside
/// `store/` (see `store::dedup`). Segments are therefore rolled one at a
/// time, in order.
fn dedup_state(store_dir: &Path) -> PathBuf {
    store_dir.with_file_name("dedup.state")
}

fn ingest(files: &[PathBuf], store_dir: &Path) -> Result<(), PersistError> {
    let outcomes = store::ingest(
        store_dir,
        files,
        &store::IngestOptions {
            dedup_state: Some(dedup_state(store_dir)),
            // a segment of junk is kept as its rejects, never a failed start
            keep_empty: true,
            ..store::IngestOptions::default()
        },
        &mut |_| {},
    )?;
    for o in outcomes {
        if let store::SourceOutcome::Failed { error, .. } = o {
            return Err(PersistError::Store(error));
        }
    }
    Ok(())
}

/// Compresses a closed segment and ingests it into the store.
pub fn roll(path: &Path, store_dir: &Path) -> Result<(), PersistError> {
    let gz = compress(path)?;
    ingest(&[gz], store_dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn receive_time_goes_into_the_tag_block() {
        let plain = b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24";
        let t = super::with_time(plain, 1_700_000_000_123);
        assert_eq!(crate::input::tag_time_ms(&t), Some(1_700_000_000_123));
        assert_eq!(super::fragment(plain), None);
        assert!(t.ends_with(plain));
        let tagged = b"\\s:rx1*2F\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24";
        let t = super::with_time(tagged, 1_700_000_000_123);
        assert!(t.starts_with(b"\\c:1700000000123,s:rx1*"));
        let timed = b"\\c:1700000000,s:rx1*00\\!AIVDM";
        assert_eq!(super::with_time(timed, 5), timed.to_vec());
        // the decoder reads the result
        let mut d = ais::Decoder::new();
        let m = d
            .feed(&super::with_time(plain, 1_700_000_000_123))
            .unwrap()
            .unwrap();
        assert_eq!(m.meta.received_ms, Some(1_700_000_000_123));
    }

    #[test]
    fn a_segment_of_junk_is_kept_as_rejects_and_does_not_stop_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        std::fs::create_dir_all(&raw).unwrap();
        // what a kill -9 leaves after one junk datagram
        std::fs::write(raw.join("00000001.nmea"), "\\c:1700000000000*00\\x\n").unwrap();
        let c = std::sync::Arc::new(crate::Counters::default());
        super::Persist::open(dir.path(), 10.0, c.clone()).unwrap();
        let st = store::Store::open(&dir.path().join("store")).unwrap();
        let src = &st.sources()[0];
        assert_eq!((src.positions, src.identities), (0, 0));
        assert_eq!(src.rejects.values().sum::<u64>(), 1, "{:?}", src.rejects);
        // and the next start too
        super::Persist::open(dir.path(), 10.0, c).unwrap();
    }

    #[test]
    fn a_segment_is_not_cut_inside_a_multi_sentence_message() {
        let dir = tempfile::tempdir().unwrap();
        let c = std::sync::Arc::new(crate::Counters::default());
        let mut p = super::Persist::open(dir.path(), 0.0, c).unwrap();
        let input: std::sync::Arc<str> = "tcp".into();
        let one = b"\\c:1700000000000*00\\!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E";
        let two = b"\\c:1700000000000*00\\!AIVDM,2,2,3,B,1@0000000000000,2*55";
        assert_eq!(super::fragment(one), Some((2, 1, b"3,B".to_vec())));
        p.write(&input, one, 0).unwrap();
        // the roll is due (1 s minimum) but waits for the second part
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(p.tick().unwrap(), None);
        p.write(&input, two, 0).unwrap();
        let seg = p.tick().unwrap().expect("rolled once the message is whole");
        let text = std::fs::read_to_string(seg).unwrap();
        assert_eq!(text.lines().count(), 2);
        // a feed of first parts that never finish cannot hold a segment
        // open past the wait; forged sequence fields are not waited for
        assert_eq!(super::fragment(b"!AIVDM,2,1,12345,B,x,0*00"), None);
        p.fragment_wait = std::time::Duration::from_millis(300);
        let t = std::time::Instant::now();
        let rolled = loop {
            p.write(&input, one, 0).unwrap();
            if let Some(seg) = p.tick().unwrap() {
                break seg;
            }
            assert!(t.elapsed().as_secs() < 10, "never rolled");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert!(t.elapsed() >= std::time::Duration::from_millis(1300));
        assert!(std::fs::read_to_string(rolled).unwrap().lines().count() > 10);
    }
}
