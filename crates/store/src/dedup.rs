//! Duplicate removal that does not stop at a boundary.
//!
//! Two receptions of the same payload by one MMSI within the window are one
//! message heard twice (two receivers, a relay); the earliest is kept, and
//! a repeat more than a window after the kept one is a new message. Rows
//! arrive in flushes (bounded memory) and a live feed arrives in segments,
//! so the state of the last window — for every (table, MMSI, payload
//! hash), the time of the last row kept — is carried from one flush to the
//! next, and, when [`crate::IngestOptions::dedup_state`] names a file,
//! from one ingest to the next (`watch` does this: its feed is one stream
//! cut into segments, and a restart must not change what is kept).
//!
//! For data in time order per vessel (give or take the window), with
//! vessels interleaved up to [`REORDER_SLACK_MS`] out of order (a delayed
//! receiver's copy arriving after other vessels' later reports), the rows
//! kept are then the same however the input is cut. The carried state
//! holds, per vessel, only the keys within a window of that vessel's newest
//! row, and nothing older than the slack behind the newest row of all, so
//! memory stays bounded by the vessels heard in the slack.

use crate::StoreError;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

/// How far behind the newest row of all a vessel's keys are still held:
/// 10 minutes of feed time. Copies of one message from several receivers
/// (terrestrial and satellite merged, a relay with a queue) arrive up to a
/// few minutes apart, while other vessels' reports go on.
pub const REORDER_SLACK_MS: i64 = 600_000;

/// Per MMSI: (payload hash, time of the last row kept with it).
type Keys = HashMap<u32, Vec<(u64, i64)>>;

/// The carried state; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dedup {
    window_ms: i64,
    positions: Keys,
    identities: Keys,
}

/// Which table a row belongs to (each has its own keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Position fixes.
    Positions,
    /// Identity reports.
    Identities,
}

const MAGIC: &[u8; 16] = b"shiptrace-dedup1";

impl Dedup {
    /// An empty de-duplicator with this window, ms.
    pub fn new(window_ms: i64) -> Self {
        Dedup {
            window_ms,
            ..Dedup::default()
        }
    }

    fn keys(&mut self, t: Table) -> &mut Keys {
        match t {
            Table::Positions => &mut self.positions,
            Table::Identities => &mut self.identities,
        }
    }

    /// Keys carried (for tests and reports).
    pub fn len(&self) -> usize {
        self.positions
            .values()
            .chain(self.identities.values())
            .map(Vec::len)
            .sum()
    }

    /// Whether no keys are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes duplicates from rows sorted by (mmsi, time); returns the
    /// rows kept and how many were dropped. `key` gives (mmsi, time, hash).
    pub fn filter<T>(
        &mut self,
        table: Table,
        rows: Vec<T>,
        key: impl Fn(&T) -> (u32, i64, u64),
    ) -> (Vec<T>, u64) {
        let window = self.window_ms;
        let newest = rows.iter().map(|r| key(r).1).max().unwrap_or(i64::MIN);
        let keys = self.keys(table);
        let mut out = Vec::with_capacity(rows.len());
        let mut dups = 0u64;
        // one vessel at a time: its carried keys in a small map, then back
        let mut cur: Option<u32> = None;
        let mut seen: HashMap<u64, i64> = HashMap::new();
        let put_back = |keys: &mut Keys, mmsi: u32, seen: &mut HashMap<u64, i64>| {
            let v: Vec<(u64, i64)> = seen.drain().collect();
            if !v.is_empty() {
                keys.insert(mmsi, v);
            }
        };
        for r in rows {
            let (mmsi, t, h) = key(&r);
            if cur != Some(mmsi) {
                if let Some(m) = cur {
                    put_back(keys, m, &mut seen);
                }
                cur = Some(mmsi);
                seen.extend(keys.remove(&mmsi).unwrap_or_default());
            }
            match seen.get(&h) {
                Some(&t0) if (t - t0).abs() <= window => dups += 1,
                _ => {
                    seen.insert(h, t);
                    out.push(r);
                }
            }
        }
        if let Some(m) = cur {
            put_back(keys, m, &mut seen);
        }
        // what can no longer match a row that comes in time order: older
        // than a window before the vessel's own newest row, or than the
        // slack before the newest row of all
        let horizon = newest.saturating_sub(window.max(REORDER_SLACK_MS));
        keys.retain(|_, v| {
            let own = v.iter().map(|x| x.1).max().unwrap_or(i64::MIN);
            let h = horizon.max(own.saturating_sub(window));
            v.retain(|&(_, t)| t >= h);
            !v.is_empty()
        });
        (out, dups)
    }

    /// Reads a state written by [`Dedup::save`]. A missing file, or one
    /// written with another window, is an empty state for `window_ms`.
    pub fn load(path: &Path, window_ms: i64) -> Result<Dedup, StoreError> {
        let mut d = Dedup::new(window_ms);
        let mut b = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut f) => f.read_to_end(&mut b).map_err(|e| StoreError::io(path, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(d),
            Err(e) => return Err(StoreError::io(path, e)),
        };
        let corrupt = || StoreError::Corrupt {
            path: path.to_path_buf(),
            msg: "not a de-duplication state (delete it to start afresh)".into(),
        };
        let body = b.strip_prefix(MAGIC.as_slice()).ok_or_else(corrupt)?;
        if body.len() < 8 || (body.len() - 8) % 21 != 0 {
            return Err(corrupt());
        }
        let w = i64::from_le_bytes(body[..8].try_into().expect("8 bytes"));
        if w != window_ms {
            return Ok(d);
        }
        for rec in body[8..].chunks_exact(21) {
            let table = match rec[0] {
                0 => Table::Positions,
                1 => Table::Identities,
                _ => return Err(corrupt()),
            };
            let mmsi = u32::from_le_bytes(rec[1..5].try_into().expect("4 bytes"));
            let h = u64::from_le_bytes(rec[5..13].try_into().expect("8 bytes"));
            let t = i64::from_le_bytes(rec[13..21].try_into().expect("8 bytes"));
            d.keys(table).entry(mmsi).or_default().push((h, t));
        }
        Ok(d)
    }

    /// Writes the state to `path` atomically (temporary name, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let mut b = Vec::with_capacity(24 + 21 * self.len());
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&self.window_ms.to_le_bytes());
        for (tag, keys) in [(0u8, &self.positions), (1u8, &self.identities)] {
            let mut m: Vec<_> = keys.iter().collect();
            m.sort_by_key(|(k, _)| **k);
            for (mmsi, v) in m {
                for (h, t) in v {
                    b.push(tag);
                    b.extend_from_slice(&mmsi.to_le_bytes());
                    b.extend_from_slice(&h.to_le_bytes());
                    b.extend_from_slice(&t.to_le_bytes());
                }
            }
        }
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        f.write_all(&b)
            .and_then(|_| f.sync_all())
            .map_err(|e| StoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| StoreError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(d: &mut Dedup, rows: &[(u32, i64, u64)]) -> Vec<(u32, i64, u64)> {
        let mut r = rows.to_vec();
        r.sort();
        d.filter(Table::Positions, r, |x| *x).0
    }

    #[test]
    fn the_earliest_is_kept_and_a_window_later_is_new() {
        let mut d = Dedup::new(30_000);
        let rows = [
            (1, 0, 7),
            (1, 20_000, 7),
            (1, 40_000, 7),
            (2, 5_000, 7),
            (1, 45_000, 8),
        ];
        assert_eq!(
            run(&mut d, &rows),
            vec![(1, 0, 7), (1, 40_000, 7), (1, 45_000, 8), (2, 5_000, 7)]
        );
    }

    #[test]
    fn cutting_the_input_anywhere_keeps_the_same_rows() {
        // a busy feed: three vessels, payloads that repeat within and
        // beyond the window, in time order
        let mut rows = Vec::new();
        let mut x = 17u64;
        for i in 0..600i64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            rows.push(((x >> 60) as u32 % 3, i * 1_700, (x >> 33) % 5));
        }
        let whole = run(&mut Dedup::new(30_000), &rows);
        for cut in [1usize, 7, 50, 299, 599] {
            let mut d = Dedup::new(30_000);
            let mut got = Vec::new();
            for part in rows.chunks(cut) {
                got.extend(run(&mut d, part));
            }
            got.sort();
            assert_eq!(got, whole, "cut every {cut} rows");
        }
        // and through a file between the parts
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let mut got = Vec::new();
        for part in rows.chunks(100) {
            let mut d = Dedup::load(&p, 30_000).unwrap();
            got.extend(run(&mut d, part));
            d.save(&p).unwrap();
        }
        got.sort();
        assert_eq!(got, whole, "saved and loaded between parts");
    }

    #[test]
    fn the_state_holds_only_the_last_window() {
        let mut d = Dedup::new(30_000);
        let rows: Vec<_> = (0..1000i64).map(|i| (1u32, i * 1_000, i as u64)).collect();
        run(&mut d, &rows);
        assert_eq!(d.len(), 31);
    }

    #[test]
    fn a_damaged_state_is_a_clear_error_and_another_window_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        std::fs::write(&p, b"junk").unwrap();
        let e = Dedup::load(&p, 30_000).unwrap_err().to_string();
        assert!(e.contains("de-duplication state"), "{e}");
        let mut d = Dedup::new(30_000);
        run(&mut d, &[(1, 0, 1)]);
        d.save(&p).unwrap();
        assert_eq!(Dedup::load(&p, 30_000).unwrap(), d);
        assert!(Dedup::load(&p, 10_000).unwrap().is_empty());
    }
}
