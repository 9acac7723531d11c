//! # shiptrace detect
//!
//! From stored fixes to events: the behaviours that reveal covert
//! shipments, each with its evidence and a confidence. Per-vessel
//! detectors ([`vessel`]) take one MMSI's fixes in time order; the batch
//! driver ([`detect_store`]) replays the store by MMSI range on both cores,
//! then runs the cross-vessel parts: reception density for gaps, dark port
//! calls, voyages, identities shared across MMSIs and encounters
//! ([`encounter`]). Every threshold is in [`Params`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod calibrate;
pub mod coverage;
pub mod encounter;
pub mod eval;
pub mod event;
pub mod gazetteer;
pub mod params;
pub mod table;
pub mod vessel;

pub use event::{Event, EventKind};
pub use params::Params;

use event::{evidence, Detail};
use rayon::prelude::*;
use sea::geo::distance_nm;
use std::collections::HashMap;
use store::arrow::Array;
use store::{Filter, Store, StoreError};

/// Counts of what the detection ran over.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Vessels (MMSIs) with fixes.
    pub vessels: usize,
    /// Fixes read.
    pub fixes: u64,
    /// Identity reports read.
    pub identities: u64,
    /// Events per kind.
    pub by_kind: std::collections::BTreeMap<String, usize>,
    /// Vessels read thinned ([`params::Tracks::max_vessel_fixes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thinned: Vec<Thinned>,
    /// Seconds spent per stage: a measurement, not a result (not
    /// serialized, so that summaries of the same input compare equal).
    #[serde(skip)]
    pub seconds: StageSeconds,
}

/// A vessel with more fixes than `tracks.max_vessel_fixes`, read thinned:
/// its events come from the fixes kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thinned {
    /// The MMSI.
    pub mmsi: u32,
    /// Its fixes in the data.
    pub fixes: u64,
    /// The fixes kept.
    pub kept: u64,
    /// About one in this many kept.
    pub one_in: u64,
}

/// How each vessel over `tracks.max_vessel_fixes` is thinned: MMSI -> k
/// (keep one fix in about k), from fixes per MMSI.
pub type Thinning = HashMap<u32, u64>;

/// The thinning of the vessels counted in `counts` (MMSI, fixes).
pub fn thinning(counts: impl IntoIterator<Item = (u32, u64)>, p: &Params) -> Thinning {
    let max = p.tracks.max_vessel_fixes.max(1);
    counts
        .into_iter()
        .filter(|&(_, n)| n > max)
        .map(|(m, n)| (m, n.div_ceil(max)))
        .collect()
}

/// Whether a vessel thinned to one fix in `k` keeps the fix at `time_ms`:
/// its time hashed (SplitMix64's finalizer), 0 mod `k`. The same fixes
/// whatever order or split they are read in.
pub fn thin_keeps(k: u64, time_ms: i64) -> bool {
    let mut z = (time_ms as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    k <= 1 || (z ^ (z >> 31)).is_multiple_of(k)
}

/// The thinning of MMSIs `a..=z` of a store for a reader that was not
/// given the counts (a cluster's task): none when the row groups that can
/// hold the range have no more rows than `tracks.max_vessel_fixes` (the
/// footers alone), else from a count of the range's MMSI column.
pub fn range_thinning(st: &Store, a: u32, z: u32, p: &Params) -> Result<Thinning, StoreError> {
    let rows: u64 = st
        .position_spans()?
        .iter()
        .filter(|s| s.0 <= z && s.1 >= a)
        .map(|s| s.2)
        .sum();
    if rows <= p.tracks.max_vessel_fixes {
        return Ok(Thinning::new());
    }
    let f = Filter {
        mmsi: Some((a, z)),
        columns: Some(vec!["mmsi"]),
        ..Filter::default()
    };
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for b in st.scan_positions(&f) {
        let (path, b) = b?;
        let m = b
            .column_by_name("mmsi")
            .and_then(|c| c.as_any().downcast_ref::<store::arrow::UInt32Array>())
            .ok_or_else(|| StoreError::Corrupt {
                path,
                msg: "no mmsi column of type uint32".into(),
            })?;
        for v in m.values().iter().filter(|v| (a..=z).contains(*v)) {
            *counts.entry(*v).or_default() += 1;
        }
    }
    Ok(thinning(counts, p))
}

/// Fixes per MMSI in `pos`.
fn count_mmsis(pos: &[store::Position]) -> impl Iterator<Item = (u32, u64)> {
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for p in pos {
        *counts.entry(p.mmsi).or_default() += 1;
    }
    counts.into_iter()
}

/// Fixes read for a range with `thin` applied: keeps what the thinning
/// keeps and counts, per thinned vessel, the fixes read and kept.
#[derive(Default)]
struct ThinnedRead {
    kept: Vec<store::Position>,
    seen: HashMap<u32, (u64, u64)>,
}

impl ThinnedRead {
    fn add(&mut self, fixes: impl IntoIterator<Item = store::Position>, thin: &Thinning) {
        if thin.is_empty() {
            if self.kept.is_empty() {
                // (a Vec handed over whole keeps its buffer: no copy)
                self.kept = fixes.into_iter().collect();
            } else {
                self.kept.extend(fixes);
            }
            return;
        }
        for f in fixes {
            match thin.get(&f.mmsi) {
                None => self.kept.push(f),
                Some(&k) => {
                    let c = self.seen.entry(f.mmsi).or_default();
                    c.0 += 1;
                    if thin_keeps(k, f.time_ms) {
                        c.1 += 1;
                        self.kept.push(f);
                    }
                }
            }
        }
    }

    fn finish(self, thin: &Thinning) -> (Vec<store::Position>, Vec<Thinned>) {
        let mut t: Vec<Thinned> = self
            .seen
            .into_iter()
            .map(|(mmsi, (fixes, kept))| Thinned {
                mmsi,
                fixes,
                kept,
                one_in: thin[&mmsi],
            })
            .collect();
        t.sort_by_key(|t| t.mmsi);
        (self.kept, t)
    }
}

/// Wall-clock seconds per stage of a detection run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageSeconds {
    /// Counting fixes per MMSI and planning the ranges.
    pub plan: f64,
    /// Phase one: reading each MMSI range and the per-vessel detectors.
    pub phase_one: f64,
    /// The encounter index, one day of slow fixes at a time.
    pub encounters: f64,
    /// Phase two.
    pub phase_two: f64,
}

/// Why detection could not run.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The parameters or the gazetteer are unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The reads disagree with each other (a file's statistics are wrong,
    /// or the store changed during the run): no events rather than some.
    #[error("{0}")]
    Inconsistent(String),
}

/// What phase one (the per-vessel detectors) finds over a set of vessels:
/// the part phase two needs of every vessel at once ([`SharedPart`]:
/// it grows with vessels, IMO numbers, silences and reception cells, not
/// with fixes), and the
/// part only the vessel's own phase two needs ([`VesselPart`]: its
/// events, silences, identities). One MMSI range makes one of these on a
/// core here, or one task on a Spark executor; the shared parts are merged
/// ([`SharedPart::absorb`]) into [`Shared`], and each set of vessel parts
/// is finished by [`phase_two_vessels`] wherever it is. Serializable so
/// that workers can ship it (as JSON; floats round-trip exactly).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PhaseOne {
    /// What the whole run shares.
    pub shared: SharedPart,
    /// One entry per vessel, in MMSI order.
    pub vessels: Vec<VesselPart>,
}

/// Phase one's output for one vessel (one MMSI): what its own phase two
/// needs.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct VesselPart {
    /// The MMSI.
    pub mmsi: u32,
    /// Identity over time.
    pub idlog: Vec<(i64, event::VesselRef)>,
    /// Where its own track began and ended (none for a shared MMSI).
    pub ends: Option<vessel::TrackEnds>,
    /// Its events so far.
    pub events: Vec<Event>,
    /// Its silences.
    pub gaps: Vec<vessel::Gap>,
    /// Loitering at sea: (start, end, lat, lon).
    pub loiters: Vec<(i64, i64, f64, f64)>,
}

/// Phase one's output over a set of vessels that every vessel's phase two
/// depends on: track ends (IMO links, the end of the data), when each MMSI
/// broadcast each IMO number, and the reception counts of the coverage
/// model. Without the counts (which stay where they were made on a
/// cluster: [`coverage::Record`]) its size grows with vessels and IMO
/// numbers only, not with fixes, silences or events.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SharedPart {
    /// Track ends, per MMSI.
    pub ends: Vec<(u32, vessel::TrackEnds)>,
    /// (imo, mmsi, first report, last report) of every MMSI that
    /// broadcast an IMO number.
    pub imo_spans: Vec<(u32, u32, i64, i64)>,
    /// Fixes and visits per cell and day, for the coverage model (not
    /// serialized: a cluster sends them to the model's blocks as
    /// [`coverage::Counts::records`], not to the driver).
    #[serde(skip)]
    pub counts: coverage::Counts,
    /// Vessels read thinned.
    #[serde(default)]
    pub thinned: Vec<Thinned>,
    /// Fixes read (kept, for thinned vessels).
    pub fixes: u64,
    /// Identity reports read.
    pub identities: u64,
    /// Vessels (MMSIs) with fixes.
    pub vessels: usize,
}

impl SharedPart {
    /// Adds another set of vessels' part (disjoint MMSIs) to this one.
    pub fn absorb(&mut self, o: SharedPart) {
        self.ends.extend(o.ends);
        self.imo_spans.extend(o.imo_spans);
        self.counts.absorb(o.counts);
        self.thinned.extend(o.thinned);
        self.fixes += o.fixes;
        self.identities += o.identities;
        self.vessels += o.vessels;
    }

    /// UTC days (since 1970-01-01) with fixes, in order.
    pub fn days(&self) -> Vec<i64> {
        self.counts.days()
    }

    /// Fixes read, those thinning left out included.
    pub fn fixes_read(&self) -> u64 {
        self.fixes + self.thinned.iter().map(|t| t.fixes - t.kept).sum::<u64>()
    }
}

/// Phase one over the fixes of a set of vessels, sorted by (mmsi, time),
/// and their identity reports per MMSI ([`Source::range`]); `n_ids` is how
/// many identity reports were read for them.
pub fn phase_one(
    pos: &[store::Position],
    mut by_id: HashMap<u32, Vec<store::Identity>>,
    n_ids: u64,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> PhaseOne {
    let mut sh = SharedPart {
        fixes: pos.len() as u64,
        identities: n_ids,
        ..SharedPart::default()
    };
    let mut vessels = Vec::new();
    let cell = p.gaps.density_cell_deg;
    // (a vessel heard with identities only links no IMO and has no track)
    let mut one_vessel =
        |sh: &mut SharedPart, m: u32, fixes: &[store::Position], vid: Vec<store::Identity>| {
            let r = vessel::detect_vessel(m, fixes, &vid, p, gaz);
            if fixes.is_empty() {
                vessels.push(VesselPart {
                    mmsi: m,
                    idlog: vessel::identity_log(m, &vid),
                    events: r.events,
                    ..VesselPart::default()
                });
                return;
            }
            // when this MMSI broadcast each IMO number
            let mut spans: Vec<(u32, u32, i64, i64)> = Vec::new();
            for i in &vid {
                if let Some(imo) = i.imo {
                    match spans.iter_mut().find(|s| s.0 == imo) {
                        Some(s) => {
                            s.2 = s.2.min(i.time_ms);
                            s.3 = s.3.max(i.time_ms);
                        }
                        None => spans.push((imo, m, i.time_ms, i.time_ms)),
                    }
                }
            }
            sh.imo_spans.extend(spans);
            if let Some(e) = r.ends {
                sh.ends.push((m, e));
            }
            vessels.push(VesselPart {
                mmsi: m,
                idlog: vessel::identity_log(m, &vid),
                ends: r.ends,
                events: r.events,
                gaps: r.gaps,
                loiters: r.loiters,
            });
        };
    let mut start = 0;
    while start < pos.len() {
        let m = pos[start].mmsi;
        let mut end = start;
        // visits and fixes per cell and day, a run at a time: a vessel's
        // consecutive fixes are mostly in one cell on one day (one visit,
        // n fixes), and a hashed add per fix was a visible part of phase one
        let mut run: Option<(coverage::CellDay, u32)> = None;
        while end < pos.len() && pos[end].mmsi == m {
            let f = &pos[end];
            let k = coverage::cell_day(f.time_ms, f.lat, f.lon, cell);
            match &mut run {
                Some((rk, n)) if *rk == k => *n += 1,
                _ => {
                    if let Some((rk, n)) = run.replace((k, 1)) {
                        sh.counts.add_run(rk, n);
                    }
                }
            }
            end += 1;
        }
        if let Some((rk, n)) = run {
            sh.counts.add_run(rk, n);
        }
        let vid = by_id.remove(&m).unwrap_or_default();
        one_vessel(&mut sh, m, &pos[start..end], vid);
        sh.vessels += 1;
        start = end;
    }
    // vessels with identities but no positions, in MMSI order
    let mut rest: Vec<(u32, Vec<store::Identity>)> = by_id.into_iter().collect();
    rest.sort_unstable_by_key(|r| r.0);
    for (m, vid) in rest {
        one_vessel(&mut sh, m, &[], vid);
    }
    PhaseOne {
        shared: sh,
        vessels,
    }
}

/// Runs every detector over a store, with the built-in gazetteer and the
/// geofences of `p` (GeoJSON paths relative to the working directory).
pub fn detect_store(store: &Store, p: &Params) -> Result<(Vec<Event>, Summary), DetectError> {
    let gaz = gazetteer::Gazetteer::for_params(p, None).map_err(DetectError::Config)?;
    detect_store_with(store, p, &gaz)
}

/// Two reports say the same (every field but time, station and payload hash).
fn same_identity(a: &store::Identity, b: &store::Identity) -> bool {
    a.msg_type == b.msg_type
        && a.imo == b.imo
        && a.name == b.name
        && a.callsign == b.callsign
        && a.ship_type == b.ship_type
        && (a.to_bow, a.to_stern, a.to_port, a.to_starboard)
            == (b.to_bow, b.to_stern, b.to_port, b.to_starboard)
        && a.draught == b.draught
        && a.destination == b.destination
        && a.eta == b.eta
}

/// Puts one vessel's identity reports in time order and cuts each run of
/// identical reports (every field but time, station and payload hash) to
/// its first and last. Ships repeat their static data every six minutes,
/// so this keeps a few reports per identity instead of hundreds of
/// thousands, and loses nothing the detectors use: every change, the time
/// each value was first and last broadcast, and the value at any time.
pub fn collapse_identities(v: &mut Vec<store::Identity>) {
    v.sort_by(|a, b| a.total_cmp(b));
    let same = same_identity;
    let mut keep = 0usize;
    for k in 0..v.len() {
        // v[..keep] is the result so far; a run's middle report is replaced
        // by the run's latest
        if keep >= 2 && same(&v[keep - 1], &v[k]) && same(&v[keep - 2], &v[k]) {
            v.swap(keep - 1, k);
        } else {
            v.swap(keep, k);
            keep += 1;
        }
    }
    v.truncate(keep);
}

/// Appends a report arriving in time order, replacing the latest of a run
/// of identical reports instead of growing the run (see
/// [`collapse_identities`], which the caller still runs to cover
/// reports that arrive out of order).
fn push_identity(v: &mut Vec<store::Identity>, i: store::Identity) {
    let n = v.len();
    if n >= 2
        && v[n - 1].time_ms <= i.time_ms
        && same_identity(&v[n - 1], &i)
        && same_identity(&v[n - 2], &i)
    {
        v[n - 1] = i;
    } else {
        v.push(i);
    }
}

/// Runs every detector over a store with a given gazetteer.
pub fn detect_store_with(
    store: &Store,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> Result<(Vec<Event>, Summary), DetectError> {
    detect_source(store, p, gaz, None, None)
}

/// Runs every detector over fixes and identity reports held in memory
/// (e.g. an Arrow table handed over from Python or a Spark partition):
/// the same code as [`detect_store_with`], reading from `r` instead of a
/// store.
pub fn detect_records(
    r: &Records,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> Result<(Vec<Event>, Summary), DetectError> {
    detect_source(r, p, gaz, None, None)
}

/// One MMSI range read for phase one: its fixes sorted by (mmsi, time),
/// its identity reports grouped per MMSI ([`IdentityGroups`]), how many
/// identity reports were read, and the vessels read thinned.
pub type Range = (
    Vec<store::Position>,
    HashMap<u32, Vec<store::Identity>>,
    u64,
    Vec<Thinned>,
);

/// Identity reports grouped per MMSI as they are read, runs of repeats cut
/// as they come and again at the end (for reports out of time order).
#[derive(Default)]
struct IdentityGroups {
    by_id: HashMap<u32, Vec<store::Identity>>,
    read: u64,
}

impl IdentityGroups {
    fn add(&mut self, it: impl IntoIterator<Item = store::Identity>) {
        for i in it {
            self.read += 1;
            push_identity(self.by_id.entry(i.mmsi).or_default(), i);
        }
    }
    fn finish(mut self) -> (HashMap<u32, Vec<store::Identity>>, u64) {
        for v in self.by_id.values_mut() {
            collapse_identities(v);
        }
        (self.by_id, self.read)
    }
}

/// A fix as the encounter index takes it: (mmsi, time, lat, lon, sog).
pub type SlowFix = (u32, i64, f64, f64, f32);

/// Where detection reads from: the three reads it makes.
pub trait Source: Sync {
    /// Fixes per MMSI.
    fn mmsi_counts(&self) -> Result<HashMap<u32, u64>, StoreError>;
    /// The fixes of MMSIs `a..=z` sorted by (mmsi, time) (the vessels in
    /// `thin` thinned, [`thin_keeps`]), their identity reports per MMSI in
    /// time order with runs of repeats cut ([`collapse_identities`]), and
    /// how many identity reports were read.
    fn range(&self, a: u32, z: u32, thin: &Thinning) -> Result<Range, StoreError>;
    /// (mmsi, time, lat, lon, sog) of every fix under 5 kn on UTC day `d`
    /// (days since 1970-01-01), for the encounter index (the vessels in
    /// `thin` thinned as in [`Source::range`]).
    fn slow_fixes_of_day(
        &self,
        d: i64,
        p: &Params,
        thin: &Thinning,
    ) -> Result<Vec<SlowFix>, StoreError>;
}

impl Source for Store {
    fn mmsi_counts(&self) -> Result<HashMap<u32, u64>, StoreError> {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        let only_mmsi = Filter {
            columns: Some(vec!["mmsi"]),
            ..Filter::default()
        };
        for b in self.scan_positions(&only_mmsi) {
            let (_, b) = b?;
            let m = b.column_by_name("mmsi").and_then(|c| {
                c.as_any()
                    .downcast_ref::<store::arrow::UInt32Array>()
                    .cloned()
            });
            if let Some(m) = m {
                for v in m.values().iter() {
                    *counts.entry(*v).or_default() += 1;
                }
            }
        }
        Ok(counts)
    }

    fn range(&self, a: u32, z: u32, thin: &Thinning) -> Result<Range, StoreError> {
        let f = Filter {
            mmsi: Some((a, z)),
            ..Filter::default()
        };
        // batch by batch, so that a thinned vessel is never held whole
        let mut read = ThinnedRead::default();
        for b in self.scan_positions(&f) {
            let (path, b) = b?;
            read.add(
                store::schema::positions_from_batch(&b)
                    .map_err(|msg| StoreError::Corrupt { path, msg })?,
                thin,
            );
        }
        let (mut pos, thinned) = read.finish(thin);
        pos.sort_by(|a, b| a.total_cmp(b));
        // identity reports batch by batch, runs of repeats cut as they
        // come (a busy MMSI range has millions of them)
        let mut ids = IdentityGroups::default();
        for b in self.scan_identities(&f) {
            let (path, b) = b?;
            ids.add(
                store::schema::identities_from_batch(&b)
                    .map_err(|msg| StoreError::Corrupt { path, msg })?,
            );
        }
        let (by_id, n_ids) = ids.finish();
        Ok((pos, by_id, n_ids, thinned))
    }

    fn slow_fixes_of_day(
        &self,
        d: i64,
        p: &Params,
        thin: &Thinning,
    ) -> Result<Vec<SlowFix>, StoreError> {
        // only the columns a slow fix holds
        let f = Filter {
            time: Some((d * 86_400_000, (d + 1) * 86_400_000)),
            columns: Some(vec!["time", "mmsi", "lat", "lon", "sog"]),
            ..Filter::default()
        };
        let mut slice = Vec::new();
        for b in self.scan_positions(&f) {
            let (path, b) = b?;
            for x in store::schema::fixes_from_batch(&b)
                .map_err(|msg| StoreError::Corrupt { path, msg })?
            {
                if thin.get(&x.mmsi).is_none_or(|&k| thin_keeps(k, x.time_ms)) {
                    slice.extend(encounter::slow_fix(&x, p));
                }
            }
        }
        Ok(slice)
    }
}

/// Fixes per phase-one MMSI range (about; a vessel is never split): a
/// range's fixes, about 100 MB, are what a worker holds.
pub const RANGE_FIXES: u64 = 1_000_000;

/// MMSI ranges that cover every MMSI (`0..=u32::MAX`), each holding about
/// `per` fixes, planned from the store's row-group spans alone
/// ([`store::Store::position_spans`]: lowest MMSI, highest MMSI, rows),
/// each group's rows taken as spread evenly over its span. A vessel is
/// never split: ranges are cut between MMSIs. For a planner that must not
/// read the rows (a cluster's driver); ranges only share the work out,
/// the events do not depend on them.
pub fn plan_ranges(spans: &[(u32, u32, u64)], per: u64) -> Vec<(u32, u32)> {
    let per = per.max(1) as f64;
    // the density of rows per MMSI changes at each span's start and end
    let mut edges: Vec<(u64, f64)> = Vec::with_capacity(spans.len() * 2);
    for &(lo, hi, n) in spans {
        if n == 0 || hi < lo {
            continue;
        }
        let d = n as f64 / (hi as u64 - lo as u64 + 1) as f64;
        edges.push((lo as u64, d));
        edges.push((hi as u64 + 1, -d));
    }
    edges.sort_by_key(|e| e.0);
    let mut ranges = Vec::new();
    let (mut start, mut x, mut acc, mut dens) = (0u64, 0u64, 0f64, 0f64);
    for (pos, dd) in edges {
        while x < pos && dens > 1e-12 {
            let room = (pos - x) as f64 * dens;
            if acc + room < per {
                acc += room;
                break;
            }
            let cut = (x + ((per - acc) / dens).ceil().max(1.0) as u64).min(pos);
            ranges.push((start as u32, (cut - 1) as u32));
            (start, x, acc) = (cut, cut, 0.0);
        }
        x = x.max(pos);
        dens = (dens + dd).max(0.0);
    }
    if start <= u32::MAX as u64 {
        ranges.push((start as u32, u32::MAX));
    }
    ranges
}

/// Fixes and identity reports in memory, for [`detect_records`].
#[derive(Debug, Clone, Default)]
pub struct Records {
    positions: Vec<store::Position>,
    identities: Vec<store::Identity>,
}

impl Records {
    /// Takes the records in any order (sorted here by MMSI and time).
    pub fn new(
        mut positions: Vec<store::Position>,
        mut identities: Vec<store::Identity>,
    ) -> Records {
        positions.sort_by(|a, b| a.total_cmp(b));
        identities.sort_by(|a, b| a.total_cmp(b));
        Records {
            positions,
            identities,
        }
    }

    /// All of it as one [`Range`], without copying the fixes (a Spark
    /// partition is one range).
    /// As one range (every MMSI), thinned as `p` says.
    pub fn into_range(self, p: &Params) -> Range {
        let mut ids = IdentityGroups::default();
        ids.add(self.identities);
        let (by_id, n_ids) = ids.finish();
        let thin = thinning(count_mmsis(&self.positions), p);
        let mut read = ThinnedRead::default();
        read.add(self.positions, &thin);
        let (pos, thinned) = read.finish(&thin);
        (pos, by_id, n_ids, thinned)
    }
}

impl Source for Records {
    fn mmsi_counts(&self) -> Result<HashMap<u32, u64>, StoreError> {
        Ok(count_mmsis(&self.positions).collect())
    }

    fn range(&self, a: u32, z: u32, thin: &Thinning) -> Result<Range, StoreError> {
        let lo = self.positions.partition_point(|p| p.mmsi < a);
        let hi = self.positions.partition_point(|p| p.mmsi <= z);
        let ilo = self.identities.partition_point(|i| i.mmsi < a);
        let ihi = self.identities.partition_point(|i| i.mmsi <= z);
        let mut ids = IdentityGroups::default();
        ids.add(self.identities[ilo..ihi].iter().cloned());
        let (by_id, n_ids) = ids.finish();
        let mut read = ThinnedRead::default();
        read.add(self.positions[lo..hi].iter().cloned(), thin);
        let (pos, thinned) = read.finish(thin);
        Ok((pos, by_id, n_ids, thinned))
    }

    fn slow_fixes_of_day(
        &self,
        d: i64,
        p: &Params,
        thin: &Thinning,
    ) -> Result<Vec<SlowFix>, StoreError> {
        let (t0, t1) = (d * 86_400_000, (d + 1) * 86_400_000);
        Ok(self
            .positions
            .iter()
            .filter(|p| p.time_ms >= t0 && p.time_ms < t1)
            .filter(|x| thin.get(&x.mmsi).is_none_or(|&k| thin_keeps(k, x.time_ms)))
            .filter_map(|x| encounter::slow_fix(x, p))
            .collect())
    }
}

/// [`detect_store_with`] with phase one in ranges of `per` fixes: the
/// events do not depend on it (for the tests that check so).
#[doc(hidden)]
pub fn detect_store_in_ranges(
    store: &Store,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
    per: u64,
) -> Result<(Vec<Event>, Summary), DetectError> {
    detect_source(store, p, gaz, Some(per), None)
}

/// [`detect_store_in_ranges`] with the reception map answered as a
/// cluster answers it: its inputs and the questions routed to `blocks`,
/// each block answered from what it was sent alone, the answers routed
/// back to the asking vessels' sets (for the tests that check the events
/// do not change).
#[doc(hidden)]
pub fn detect_store_in_blocks(
    store: &Store,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
    per: u64,
    blocks: coverage::Blocks,
) -> Result<(Vec<Event>, Summary), DetectError> {
    detect_source(store, p, gaz, Some(per), Some(blocks))
}

fn detect_source<S: Source>(
    src: &S,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
    per: Option<u64>,
    blocks: Option<coverage::Blocks>,
) -> Result<(Vec<Event>, Summary), DetectError> {
    let mut clock = std::time::Instant::now();
    let mut lap = || {
        let now = std::time::Instant::now();
        (now - std::mem::replace(&mut clock, now)).as_secs_f64()
    };
    let mut seconds = StageSeconds::default();
    // MMSI ranges of about equal size, from a count of fixes per MMSI.
    let counts = src.mmsi_counts()?;
    let mut mmsis: Vec<(u32, u64)> = counts.into_iter().collect();
    mmsis.sort();
    let total: u64 = mmsis.iter().map(|m| m.1).sum();
    let shards = (total / RANGE_FIXES + 1).max(rayon::current_num_threads() as u64 * 2);
    let per = per.unwrap_or_else(|| total.div_ceil(shards)).max(1);
    let mut ranges = Vec::new();
    let mut acc = 0u64;
    let mut lo = None;
    for (m, n) in &mmsis {
        lo.get_or_insert(*m);
        acc += *n;
        if acc >= per {
            ranges.push((lo.take().expect("set above"), *m));
            acc = 0;
        }
    }
    if let Some(l) = lo {
        ranges.push((l, mmsis.last().map(|m| m.0).unwrap_or(l)));
    }
    // a vessel over `tracks.max_vessel_fixes` is read thinned
    let thin = thinning(mmsis.iter().copied(), p);
    seconds.plan = lap();
    // Phase one, per vessel, in parallel.
    let results: Vec<Result<PhaseOne, StoreError>> = ranges
        .par_iter()
        .map(|&(a, z)| {
            let (pos, by_id, n_ids, thinned) = src.range(a, z, &thin)?;
            let mut one = phase_one(&pos, by_id, n_ids, p, gaz);
            one.shared.thinned = thinned;
            Ok(one)
        })
        .collect();
    let mut shared = SharedPart::default();
    let mut parts: Vec<Vec<VesselPart>> = Vec::with_capacity(results.len());
    for r in results {
        let r = r?;
        shared.absorb(r.shared);
        parts.push(r.vessels);
    }
    let read = shared.fixes_read();
    if read != total {
        return Err(DetectError::Inconsistent(format!(
            "the store holds {total} fixes, its MMSI ranges read {read}: a file's statistics are \
             wrong or the store changed during the run"
        )));
    }
    seconds.phase_one = lap();
    // Encounters, one day of slow fixes at a time.
    let mut hits = encounter::PairHits::new();
    for d in shared.days() {
        let slice = src.slow_fixes_of_day(d, p, &thin)?;
        encounter::index_slice(&slice, p, gaz, &mut hits);
    }
    let pair_events = encounter::encounters(&mut hits, p, gaz);
    seconds.encounters = lap();
    let (events, mut summary) = match blocks {
        None => phase_two(shared, parts, pair_events, p, gaz),
        Some(b) => phase_two_in_blocks(shared, parts, pair_events, p, gaz, b)?,
    };
    seconds.phase_two = lap();
    summary.seconds = seconds;
    Ok((events, summary))
}

/// Phase two over every vessel's phase-one output and the pair encounters
/// ([`encounter::encounters`]), in this process: the shared part
/// ([`Shared::build`]), then each set of vessel parts on its own
/// ([`phase_two_vessels`], in parallel), then the order and the ids
/// ([`number_events`]). A Spark job runs the same three steps, the middle
/// one in its executors.
pub fn phase_two(
    mut shared: SharedPart,
    parts: Vec<Vec<VesselPart>>,
    pair_events: Vec<Event>,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> (Vec<Event>, Summary) {
    let counts = std::mem::take(&mut shared.counts);
    let ready = Ready::new(Shared::build(shared, p));
    // the whole reception map, in this process
    let cov = whole_map(p, counts, &parts, &ready);
    let maps: Vec<&dyn coverage::Lookup> = vec![&cov; parts.len() + 1];
    finish_sets(ready, parts, pair_events, &maps, p, gaz)
        .expect("the whole map answers every question")
}

/// [`phase_two`] with the reception map in blocks, as on a cluster
/// ([`detect_store_in_blocks`]).
fn phase_two_in_blocks(
    mut shared: SharedPart,
    parts: Vec<Vec<VesselPart>>,
    pair_events: Vec<Event>,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
    blocks: coverage::Blocks,
) -> Result<(Vec<Event>, Summary), DetectError> {
    let counts = std::mem::take(&mut shared.counts);
    let ready = Ready::new(Shared::build(shared, p));
    let mut sent: std::collections::BTreeMap<coverage::Block, Vec<coverage::Record>> =
        Default::default();
    let records = counts
        .records()
        .into_iter()
        .chain(parts.iter().flat_map(|vs| coverage_records(vs, &ready, p)));
    for r in records {
        for b in blocks.route(&r, p) {
            sent.entry(b).or_default().push(r);
        }
    }
    let home = homes(&parts);
    let mut answers: Vec<Vec<(coverage::Query, coverage::Answer)>> =
        vec![Vec::new(); parts.len() + 1];
    for rs in sent.values() {
        for (q, a) in coverage::answer_block(rs, p) {
            answers[home.get(&q.mmsi).copied().unwrap_or(parts.len())].push((q, a));
        }
    }
    let answers: Vec<coverage::Answers> = answers
        .into_iter()
        .map(|v| v.into_iter().collect())
        .collect();
    let maps: Vec<&dyn coverage::Lookup> =
        answers.iter().map(|a| a as &dyn coverage::Lookup).collect();
    finish_sets(ready, parts, pair_events, &maps, p, gaz)
}

/// Which set of vessel parts each MMSI is in.
fn homes(parts: &[Vec<VesselPart>]) -> HashMap<u32, usize> {
    let mut home = HashMap::new();
    for (k, vs) in parts.iter().enumerate() {
        for v in vs {
            home.insert(v.mmsi, k);
        }
    }
    home
}

/// Phase two's per-vessel part over sets of vessels, in parallel (set k
/// asks `maps[k]`; the last map is for pair encounters of no set), then
/// the order and the ids.
fn finish_sets(
    ready: Ready,
    parts: Vec<Vec<VesselPart>>,
    pair_events: Vec<Event>,
    maps: &[&dyn coverage::Lookup],
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> Result<(Vec<Event>, Summary), DetectError> {
    // each pair encounter goes to its vessel's set (to be finished there)
    // and, as a time span, to its partner's (for the one-sided check)
    let home = homes(&parts);
    let mut own: Vec<Vec<Event>> = vec![Vec::new(); parts.len()];
    let mut seen: Vec<Vec<Seen>> = vec![Vec::new(); parts.len()];
    let mut orphans = Vec::new();
    for e in pair_events {
        if let Some(o) = e.other_mmsi {
            if let Some(&k) = home.get(&o) {
                seen[k].push((o, e.start_ms(), e.end_ms()));
            }
        }
        match home.get(&e.mmsi) {
            Some(&k) => own[k].push(e),
            None => orphans.push(e),
        }
    }
    drop(home);
    let mut sets: Vec<(Vec<VesselPart>, Vec<Event>, Vec<Seen>)> = parts
        .into_iter()
        .zip(own)
        .zip(seen)
        .map(|((a, b), c)| (a, b, c))
        .collect();
    // (a pair encounter of a vessel phase one never saw: none by
    // construction, finished on its own rather than lost)
    if !orphans.is_empty() {
        sets.push((Vec::new(), orphans, Vec::new()));
    }
    let done: Vec<Vec<Event>> = sets
        .into_par_iter()
        .zip(maps.par_iter())
        .map(|((vs, own, seen), map)| phase_two_vessels(vs, own, &seen, &ready, *map, p, gaz))
        .collect::<Result<_, _>>()?;
    let mut events: Vec<Event> = done.into_iter().flatten().collect();
    let mut summary = ready.summary();
    number_events(&mut events, &mut summary);
    Ok((events, summary))
}

/// The reception map of every vessel: phase one's counts, every vessel's
/// silences and the silences that join an old MMSI's track to a new one's.
fn whole_map(
    p: &Params,
    counts: coverage::Counts,
    parts: &[Vec<VesselPart>],
    ready: &Ready,
) -> coverage::Coverage {
    let mut cov = coverage::Coverage::from_counts(p, counts);
    for vs in parts {
        for g in silences_of(vs, ready).0 {
            cov.add_silence(g);
        }
    }
    cov
}

/// What a set of vessels sends to the reception map's blocks on a cluster
/// ([`coverage::Blocks::route`]): both ends of each of their silences
/// (with the silences that join an old MMSI to a new one, sent by the old
/// MMSI's set) and every question their phase two will ask of the map.
pub fn coverage_records(
    vessels: &[VesselPart],
    ready: &Ready,
    p: &Params,
) -> Vec<coverage::Record> {
    let (gaps, ends) = silences_of(vessels, ready);
    let mut out: Vec<coverage::Record> = gaps
        .iter()
        .flat_map(|g| coverage::Record::ends_of(g))
        .collect();
    out.extend(
        silence_queries(&gaps, &ends, ready, p)
            .into_iter()
            .map(coverage::Record::Ask),
    );
    out
}

/// The silences of a set of vessels (their own, then the linked ones)
/// and where their tracks ended.
fn silences_of<'a>(
    vessels: &'a [VesselPart],
    ready: &'a Ready,
) -> (Vec<&'a vessel::Gap>, Vec<(u32, &'a vessel::TrackEnds)>) {
    let mut gaps = Vec::new();
    let mut ends = Vec::new();
    for v in vessels {
        gaps.extend(v.gaps.iter());
        gaps.extend(ready.linked_gaps.get(&v.mmsi).into_iter().flatten());
        if let Some(e) = &v.ends {
            ends.push((v.mmsi, e));
        }
    }
    (gaps, ends)
}

/// The silences still open at the end of the data: (MMSI, where its
/// track ended, hours to the end of the data).
fn open_silences<'a>(
    ends: &[(u32, &'a vessel::TrackEnds)],
    ready: &Ready,
    p: &Params,
) -> Vec<(u32, &'a vessel::TrackEnds, f64)> {
    ends.iter()
        .filter_map(|&(m, e)| {
            let hrs = (ready.data_end - e.last.0) as f64 / 3_600_000.0;
            (hrs >= p.gaps.min_hours && !ready.linked.contains(&m)).then_some((m, e, hrs))
        })
        .collect()
}

/// The questions phase two asks the reception map about these silences,
/// in the order it reads the answers: where each gap began and where it
/// ended, then where each open silence began.
fn silence_queries(
    gaps: &[&vessel::Gap],
    ends: &[(u32, &vessel::TrackEnds)],
    ready: &Ready,
    p: &Params,
) -> Vec<coverage::Query> {
    let mut qs = Vec::with_capacity(gaps.len() * 2);
    for g in gaps {
        let hours = (g.t1 - g.t0) as f64 / 3_600_000.0;
        let q = |(lat, lon): (f64, f64), t, start| coverage::Query {
            lat,
            lon,
            t,
            hours,
            mmsi: g.mmsi,
            also: g.reappeared_as,
            start,
        };
        qs.push(q(g.a, g.t0, true));
        qs.push(q(g.b, g.t1, false));
    }
    for (m, e, hours) in open_silences(ends, ready, p) {
        qs.push(coverage::Query {
            lat: e.last.1,
            lon: e.last.2,
            t: e.last.0,
            hours,
            mmsi: m,
            also: None,
            start: true,
        });
    }
    qs
}

/// A pair encounter as its partner's phase two sees it: (the partner's
/// MMSI, start, end), for the one-sided check.
pub type Seen = (u32, i64, i64);

/// Phase two's shared part, computed once over every vessel's
/// [`SharedPart`] (on a cluster's driver, then broadcast): IMO numbers
/// that moved between MMSIs (their identity-change events and the
/// silences that join the two tracks), the end of the data, and the
/// reception model's inputs. Serializable (JSON).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Shared {
    /// The last fix of the data, ms.
    pub data_end: i64,
    /// Old MMSIs whose track another MMSI with the same IMO continues
    /// (their silence to the end of the data is not an open gap).
    pub linked: Vec<u32>,
    /// The silences between an old MMSI's last fix and the new one's
    /// first (`mmsi` is the old MMSI).
    pub linked_gaps: Vec<vessel::Gap>,
    /// Identity changes of IMO numbers moving between MMSIs (`mmsi` is the
    /// new MMSI).
    pub imo_events: Vec<Event>,
    /// Vessels read thinned, by MMSI.
    #[serde(default)]
    pub thinned: Vec<Thinned>,
    /// Fixes read.
    pub fixes: u64,
    /// Identity reports read.
    pub identities: u64,
    /// Vessels (MMSIs) with fixes.
    pub vessels: usize,
}

impl Shared {
    /// The shared part of phase two from every vessel's shared part.
    pub fn build(part: SharedPart, p: &Params) -> Shared {
        let SharedPart {
            ends,
            mut imo_spans,
            counts: _,
            mut thinned,
            fixes,
            identities,
            vessels,
        } = part;
        thinned.sort_by_key(|t| t.mmsi);
        let data_end = ends.iter().map(|e| e.1.last.0).max().unwrap_or(0);
        let ends: HashMap<u32, vessel::TrackEnds> = ends.into_iter().collect();
        let (linked, linked_gaps, imo_events) = imo_links(&mut imo_spans, &ends, p);
        Shared {
            data_end,
            linked,
            linked_gaps,
            imo_events,
            thinned,
            fixes,
            identities,
            vessels,
        }
    }
}

/// [`Shared`] made ready for lookups (IMO events and linked silences by
/// MMSI); built once per process.
#[derive(Debug)]
pub struct Ready {
    data_end: i64,
    linked: std::collections::HashSet<u32>,
    linked_gaps: HashMap<u32, Vec<vessel::Gap>>,
    imo_events: HashMap<u32, Vec<Event>>,
    /// what phase one read (no events yet)
    read: Summary,
}

impl Ready {
    /// Builds the lookups.
    pub fn new(s: Shared) -> Ready {
        let mut linked_gaps: HashMap<u32, Vec<vessel::Gap>> = HashMap::new();
        for g in s.linked_gaps {
            linked_gaps.entry(g.mmsi).or_default().push(g);
        }
        let mut imo_events: HashMap<u32, Vec<Event>> = HashMap::new();
        for e in s.imo_events {
            imo_events.entry(e.mmsi).or_default().push(e);
        }
        Ready {
            data_end: s.data_end,
            linked: s.linked.into_iter().collect(),
            linked_gaps,
            imo_events,
            read: Summary {
                fixes: s.fixes,
                identities: s.identities,
                vessels: s.vessels,
                thinned: s.thinned,
                ..Summary::default()
            },
        }
    }

    /// A summary with the counts of what phase one read (no events yet).
    pub fn summary(&self) -> Summary {
        self.read.clone()
    }
}

/// Phase two of a set of vessels, given the shared part: each silence
/// scored by the gap model over the reception map (and checked for a dark
/// port call, with its repeat pattern), the silences still open at the end
/// of the data, the other kinds calibrated, one-sided encounters, voyages,
/// and who each vessel said it was at each event. `pairs` are the pair
/// encounters of these vessels (their `mmsi` among them); `seen` the
/// (mmsi, start, end) of pair encounters whose partner (`other_mmsi`) is
/// one of them; `map` answers the questions about the reception map
/// ([`coverage::Coverage`] in one process, the [`coverage::Answers`] a
/// cluster computed for these vessels). Events come out unordered and
/// without ids ([`number_events`]). The events of a vessel depend only on
/// its own parts, `ready` and the map: any split of the vessels gives the
/// same events. A question `map` cannot answer is an error.
#[allow(clippy::too_many_arguments)]
pub fn phase_two_vessels(
    vessels: Vec<VesselPart>,
    pairs: Vec<Event>,
    seen: &[Seen],
    ready: &Ready,
    map: &dyn coverage::Lookup,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) -> Result<Vec<Event>, DetectError> {
    let answers = {
        let (gaps, ends) = silences_of(&vessels, ready);
        silence_queries(&gaps, &ends, ready, p)
            .iter()
            .map(|q| {
                map.answer(q, p).ok_or_else(|| {
                    DetectError::Inconsistent(format!(
                        "the reception map has no answer for MMSI {}'s silence at {} ms: \
                         the answers of the map's blocks were lost",
                        q.mmsi, q.t
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut events = Vec::new();
    let mut gaps = Vec::new();
    let mut loiters = Vec::new();
    let mut ends = Vec::new();
    let mut idlogs: HashMap<u32, Vec<(i64, event::VesselRef)>> = HashMap::new();
    for v in vessels {
        events.extend(v.events);
        if let Some(x) = ready.imo_events.get(&v.mmsi) {
            events.extend(x.iter().cloned());
        }
        gaps.extend(v.gaps);
        if let Some(x) = ready.linked_gaps.get(&v.mmsi) {
            gaps.extend(x.iter().cloned());
        }
        loiters.extend(v.loiters.into_iter().map(|l| (v.mmsi, l.0, l.1, l.2, l.3)));
        if let Some(e) = v.ends {
            ends.push((v.mmsi, e));
        }
        idlogs.insert(v.mmsi, v.idlog);
    }
    silences(&mut events, &gaps, ready, &ends, &answers, p, gaz);
    at_sea_meetings(&mut events, pairs, seen, &loiters, p);
    let voyages = voyages(&events, p);
    events.extend(voyages);
    identities_at_events(&mut events, &idlogs);
    Ok(events)
}

/// Phase two, one IMO on several MMSIs: an identity change, and when the
/// old MMSI fell silent before the new one appeared, the silence between
/// them is a gap of one ship (checked for dark port calls). `spans` are
/// (imo, mmsi, first report, last report). Returns the old MMSIs so
/// linked (sorted), the joining silences and the identity-change events.
fn imo_links(
    spans: &mut [(u32, u32, i64, i64)],
    ends: &HashMap<u32, vessel::TrackEnds>,
    p: &Params,
) -> (Vec<u32>, Vec<vessel::Gap>, Vec<Event>) {
    let mut linked: Vec<u32> = Vec::new();
    let mut gaps = Vec::new();
    let mut events = Vec::new();
    spans.sort_unstable();
    let mut i = 0;
    while i < spans.len() {
        let imo = spans[i].0;
        let j = i + spans[i..].partition_point(|s| s.0 == imo);
        // first and last report per MMSI (one entry each, merged in case
        // a vessel's reports came from several parts)
        let mut v: Vec<(u32, (i64, i64))> = Vec::new();
        for s in &spans[i..j] {
            match v.last_mut() {
                Some(x) if x.0 == s.1 => x.1 = (x.1 .0.min(s.2), x.1 .1.max(s.3)),
                _ => v.push((s.1, (s.2, s.3))),
            }
        }
        if v.len() > 1 && imo != 0 {
            v.sort_by_key(|x| (x.1 .0, x.0));
            for w in v.windows(2) {
                // The old MMSI's last report and the new one's first; if
                // both were on the air at once, the IMO is claimed twice.
                let (old, new) = (w[0].0, w[1].0);
                let (old_last, new_first) = (w[0].1 .1, w[1].1 .0);
                let simultaneous = new_first < old_last;
                let flag = |m: u32| ais::mid::flag(m).map(|f| f.alpha2);
                let ev = evidence::IdentityChange::ImoMoved(evidence::ImoMoved {
                    rule: if simultaneous { "one IMO number broadcast by two MMSIs at the same time (a cloned or mistyped IMO)" } else { "one IMO number moving from one MMSI to another" }.into(),
                    imo, old_mmsi: old, new_mmsi: new, simultaneous,
                    flag_from: flag(old).map(str::to_string), flag_to: flag(new).map(str::to_string), flag_changed: flag(old) != flag(new),
                });
                let mut e = Event::new(
                    new,
                    old_last.min(new_first),
                    Some(old_last.max(new_first)),
                    None,
                    ev,
                );
                e.other_mmsi = Some(old);
                e.confidence = if simultaneous { 0.5 } else { 0.85 };
                events.push(e);
                if simultaneous {
                    continue;
                }
                if let (Some(a), Some(b)) = (ends.get(&old), ends.get(&new)) {
                    let hrs = (b.first.0 - a.last.0) as f64 / 3_600_000.0;
                    if hrs >= p.gaps.min_hours {
                        linked.push(old);
                        gaps.push(vessel::Gap {
                            mmsi: old,
                            t0: a.last.0,
                            t1: b.first.0,
                            a: (a.last.1, a.last.2),
                            b: (b.first.1, b.first.2),
                            draught_before: a.draught_last,
                            draught_after: b.draught_first,
                            top_speed_kn: a.top_speed_kn.max(b.top_speed_kn),
                            cruise_kn: a.cruise_kn.max(b.cruise_kn),
                            ambiguous: false,
                            reappeared_as: Some(new),
                            cog_a: None,
                            cog_b: None,
                        });
                    }
                }
            }
        }
        i = j;
    }
    linked.sort_unstable();
    linked.dedup();
    (linked, gaps, events)
}

/// Phase two, silences: each gap scored by the gap model over the
/// reception map (and checked for a dark port call), then the silences
/// still open at the end of the data. `answers` are the map's answers to
/// [`silence_queries`] over these gaps and ends, in its order.
fn silences(
    events: &mut Vec<Event>,
    gaps: &[vessel::Gap],
    ready: &Ready,
    ends: &[(u32, vessel::TrackEnds)],
    answers: &[coverage::Answer],
    p: &Params,
    gaz: &gazetteer::Gazetteer,
) {
    // Gaps with reception density, and dark port calls.
    let watched = gaz.watched(p);
    let cell = p.gaps.density_cell_deg;
    let mask = sea::LandMask::global();
    let (at_gaps, at_open) = answers.split_at(gaps.len() * 2);
    // The same pattern repeating: per ship, where its silences began and
    // ended (a ship that changed MMSI is one ship: linked gaps carry the
    // old MMSI and the new one).
    let mut ship_gaps: HashMap<u32, Vec<usize>> = HashMap::new();
    for (k, g) in gaps.iter().enumerate() {
        if (g.t1 - g.t0) as f64 / 3_600_000.0 >= p.dark_port_call.min_gap_hours {
            ship_gaps.entry(g.mmsi).or_default().push(k);
        }
    }
    let repeats = |k: usize| -> usize {
        let g = &gaps[k];
        ship_gaps
            .get(&g.mmsi)
            .map(|v| {
                v.iter()
                    .filter(|&&j| j != k)
                    .filter(|&&j| {
                        let o = &gaps[j];
                        distance_nm(g.a.0, g.a.1, o.a.0, o.a.1) <= p.dark_port_call.repeat_nm
                            || distance_nm(g.b.0, g.b.1, o.b.0, o.b.1) <= p.dark_port_call.repeat_nm
                    })
                    .count()
            })
            .unwrap_or(0)
    };
    // Each gap on its own (shore distance and the dark-call search are the
    // costly parts), in parallel; the events keep the gaps' order.
    let per_gap: Vec<(Event, Option<Event>)> = gaps
        .par_iter()
        .enumerate()
        .map(|(k, g)| {
            let hrs = (g.t1 - g.t0) as f64 / 3_600_000.0;
            let (start, end) = (at_gaps[2 * k].usual, at_gaps[2 * k + 1].usual);
            // fixes per hour heard around the place where the vessel went dark
            let per_hour = at_gaps[2 * k].per_hour;
            let shore_nm = mask.nearest_land_nm(g.a.0, g.a.1, 60);
            let ctx = CallContext {
                usual: Some((start, end)),
                repeats: repeats(k),
            };
            let call = dark_port_call(g, p, gaz, &watched, &ctx).map(|mut c| {
                if let Some(b) = g.reappeared_as {
                    c.other_mmsi = Some(b);
                    if let Detail::DarkPortCall(d) = &mut c.evidence.detail {
                        d.reappeared_as_mmsi = Some(b);
                    }
                }
                c
            });
            let in_port = |(lat, lon): (f64, f64)| {
                gaz.locate(lat, lon, p.ports.entry_km, p.ports.exit_km)
                    .is_some_and(|x| x.1)
            };
            let x = gap_features(
                &start,
                Some(&end),
                hrs,
                in_port(g.a),
                in_port(g.b),
                call.as_ref().map(|c| c.confidence),
            );
            let (conf, parts) = p.calibration.ais_gap.predict(&x);
            let ev = evidence::ClosedGap {
                rule: if g.reappeared_as.is_some() {
                    "the vessel fell silent under one MMSI and reappeared under another with the same IMO"
                } else {
                    "a silence of the vessel; confidence: the probability that its transponder was off rather than out of reception"
                }
                .into(),
                hours: hrs, went_dark: evidence::LatLon { lat: g.a.0, lon: g.a.1 }, reappeared: evidence::LatLon { lat: g.b.0, lon: g.b.1 },
                distance_nm: distance_nm(g.a.0, g.a.1, g.b.0, g.b.1),
                distance_from_shore_nm: shore_nm,
                fixes_per_hour_heard_nearby: per_hour,
                coverage_where_it_went_dark: start, coverage_where_it_reappeared: end,
                reception: coverage_words(&start, p),
                features: x, contributions: parts,
                parameters: serde_json::json!({"min_hours": p.gaps.min_hours, "density_cell_deg": cell, "coverage_window_days": p.coverage.window_days}),
                reappeared_as_mmsi: g.reappeared_as,
            };
            let mut e = Event::new(g.mmsi, g.t0, Some(g.t1), Some(g.a), ev);
            e.other_mmsi = g.reappeared_as;
            e.confidence = conf;
            (e, call)
        })
        .collect();
    for (e, call) in per_gap {
        events.push(e);
        events.extend(call);
    }
    // Silences still running at the end of the data: open gaps (no end).
    let ends: Vec<(u32, &vessel::TrackEnds)> = ends.iter().map(|(m, e)| (*m, e)).collect();
    for ((m, e, hrs), a) in open_silences(&ends, ready, p).into_iter().zip(at_open) {
        let (lat, lon) = (e.last.1, e.last.2);
        let (per_hour, start) = (a.per_hour, a.usual);
        let in_port = gaz
            .locate(lat, lon, p.ports.entry_km, p.ports.exit_km)
            .is_some_and(|x| x.1);
        let x = gap_features(&start, None, hrs, in_port, false, None);
        let (conf, parts) = p.calibration.ais_gap.predict(&x);
        let gap = evidence::OpenGap {
            open: true, rule: "silent from its last fix to the end of the data (it may also have left the area covered)".into(),
            hours_to_end_of_data: hrs, went_dark: evidence::LatLon { lat, lon },
            distance_from_shore_nm: mask.nearest_land_nm(lat, lon, 60),
            fixes_per_hour_heard_nearby: per_hour,
            coverage_where_it_went_dark: start, reception: coverage_words(&start, p),
            features: x, contributions: parts,
            parameters: serde_json::json!({"min_hours": p.gaps.min_hours, "density_cell_deg": cell, "coverage_window_days": p.coverage.window_days}),
        };
        let mut ev = Event::new(m, e.last.0, None, Some((lat, lon)), gap);
        ev.confidence = conf;
        events.push(ev);
    }
}

/// Phase two, meetings at sea: the other kinds calibrated, pair
/// encounters, and one-sided encounters of vessels with dark calls that
/// loitered with no partner heard.
fn at_sea_meetings(
    events: &mut Vec<Event>,
    pair_events: Vec<Event>,
    seen: &[Seen],
    loiters: &[(u32, i64, i64, f64, f64)],
    p: &Params,
) {
    // Dark calls per vessel that are more likely than not (the repeat
    // pattern itself is a feature of each call's model).
    let mut calls: HashMap<u32, usize> = HashMap::new();
    for e in events
        .iter()
        .filter(|e| e.kind() == EventKind::DarkPortCall && e.confidence >= 0.5)
    {
        *calls.entry(e.mmsi).or_default() += 1;
    }
    // Every other kind: the detector's score, calibrated.
    for e in events.iter_mut() {
        calibrate_score(e, p);
    }
    let mut pair_events = pair_events;
    for e in pair_events.iter_mut() {
        calibrate_score(e, p);
    }
    // One-sided: a vessel that made a dark call loiters at sea, no partner heard.
    for (m, t0, t1, lat, lon) in loiters {
        let hrs = (t1 - t0) as f64 / 3_600_000.0;
        if calls.get(m).copied().unwrap_or(0) == 0 || hrs < p.encounters.one_sided_min_hours {
            continue;
        }
        let covered = pair_events.iter().any(|e| {
            (e.mmsi == *m || e.other_mmsi == Some(*m)) && e.start_ms() < *t1 && e.end_ms() > *t0
        }) || seen.iter().any(|&(o, s, e)| o == *m && s < *t1 && e > *t0);
        if covered {
            continue;
        }
        let ev = evidence::Encounter::OneSided(evidence::OneSidedEncounter {
            rule: "a vessel with dark port calls loitering at sea with no partner heard: a possible transfer with a dark vessel".into(),
            partner: "not seen (dark)".into(),
            hours: hrs,
            dark_port_calls: calls[m],
            partner_imaged: Vec::new(),
        });
        let mut e = Event::new(*m, *t0, Some(*t1), Some((*lat, *lon)), ev);
        e.confidence = 0.5;
        calibrate_score_as(&mut e, "encounter_one_sided", p);
        events.push(e);
    }
    events.extend(pair_events);
}

/// Phase two, voyages between consecutive calls (port visits and dark
/// port calls more likely than not) at different ports.
fn voyages(events: &[Event], p: &Params) -> Vec<Event> {
    // Voyages between consecutive calls (port visits and dark port calls).
    let mut stops: HashMap<u32, Vec<&Event>> = HashMap::new();
    // (candidate calls, under 0.5, are not stops: a voyage is only as
    // real as the calls at its ends)
    for e in events
        .iter()
        .filter(|e| e.kind() == EventKind::PortVisit || e.kind() == EventKind::DarkPortCall)
        .filter(|e| e.confidence >= 0.5)
    {
        stops.entry(e.mmsi).or_default().push(e);
    }
    let mut voyages = Vec::new();
    for (m, mut v) in stops {
        v.sort_by_key(|e| e.start_ms());
        for w in v.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a.port.as_ref().map(|x| &x.name) == b.port.as_ref().map(|x| &x.name) {
                continue;
            }
            let ev = evidence::Voyage {
                from: a.port.as_ref().map(|x| x.name.clone()),
                to: b.port.as_ref().map(|x| x.name.clone()),
                from_kind: a.kind(),
                to_kind: b.kind(),
            };
            let mut e = Event::new(m, a.end_ms(), Some(b.start_ms()), a.lat.zip(a.lon), ev);
            e.port = b.port.clone();
            e.confidence = a.confidence.min(b.confidence);
            calibrate_score(&mut e, p);
            voyages.push(e);
        }
    }
    voyages
}

/// Phase two of a set of vessels, last: who each vessel said it was when
/// each event began.
fn identities_at_events(events: &mut [Event], idlogs: &HashMap<u32, Vec<(i64, event::VesselRef)>>) {
    for e in events.iter_mut() {
        let t = e.start_ms();
        e.vessel = match idlogs.get(&e.mmsi) {
            Some(log) => vessel::identity_at(log, t).cloned(),
            None => Some(event::VesselRef {
                flag: ais::mid::flag(e.mmsi).map(|f| f.alpha2.to_string()),
                ..Default::default()
            }),
        };
    }
}

/// The events' total order as bytes that compare as the order does
/// (unsigned, byte by byte: how Spark sorts a binary column): start, MMSI,
/// kind, end, other MMSI, lat, lon, port name. Ids follow this order, so
/// they do not depend on the order in which vessels were processed (MMSI
/// ranges here, partitions on Spark).
pub fn order_key(e: &Event) -> Vec<u8> {
    let port = e.port.as_ref().map(|x| x.name.as_bytes());
    let mut k = Vec::with_capacity(48 + port.map_or(0, |x| x.len()));
    let i64_key = |x: i64| ((x as u64) ^ (1 << 63)).to_be_bytes();
    k.extend(i64_key(e.start_ms()));
    k.extend(e.mmsi.to_be_bytes());
    // kinds order by name: the kind's rank among the names
    let kind = e.kind();
    k.push(EventKind::ALL.iter().filter(|x| **x < kind).count() as u8);
    k.extend(i64_key(e.end_ms()));
    match e.other_mmsi {
        Some(o) => {
            k.push(1);
            k.extend(o.to_be_bytes());
        }
        None => k.extend([0; 5]),
    }
    k.extend(i64_key(total_key(e.lat.unwrap_or(f64::NAN))));
    k.extend(i64_key(total_key(e.lon.unwrap_or(f64::NAN))));
    if let Some(name) = port {
        k.push(1);
        k.extend(name);
    }
    k
}

/// Puts events in their total order ([`order_key`]), numbers them
/// (`ev-0`, `ev-1`, ...) and counts them per kind into `summary`.
pub fn number_events(events: &mut [Event], summary: &mut Summary) {
    events.sort_by_cached_key(order_key);
    for (i, e) in events.iter_mut().enumerate() {
        e.id = format!("ev-{i}");
        *summary.by_kind.entry(e.kind().to_string()).or_default() += 1;
    }
}

/// An integer that orders as `f64::total_cmp` orders floats.
fn total_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// What phase two knows beyond the gap itself when judging a dark call.
#[derive(Debug, Default, Clone, Copy)]
pub struct CallContext {
    /// How usual the silence is for other vessels where it began and
    /// where it ended ([`coverage::Coverage::usualness`], the ship's own
    /// MMSIs left out); without them it is unknown (share 0.5) and said so.
    pub usual: Option<(coverage::Usualness, coverage::Usualness)>,
    /// Other silences of this ship that began or ended within
    /// `dark_port_call.repeat_nm` of this one's.
    pub repeats: usize,
}

/// Words for a reader about how usual a silence is where it began.
fn coverage_words(u: &coverage::Usualness, p: &Params) -> String {
    if u.visits < p.coverage.min_visits {
        format!(
            "few data: {} visits of other vessels heard nearby in the window; the silence cannot be told from coverage",
            u.visits
        )
    } else if u.share < p.coverage.unusual_share {
        format!(
            "unusual for this water: of {} visits of other vessels nearby, {} were followed by a silence as long ({:.1}%)",
            u.visits,
            u.silences_as_long,
            100.0 * u.share
        )
    } else {
        format!(
            "usual for this water: of {} visits of other vessels nearby, {} were followed by a silence as long ({:.0}%): the silence may be coverage",
            u.visits,
            u.silences_as_long,
            100.0 * u.share
        )
    }
}

/// The AIS-gap model's features ([`calibrate::GAP_FEATURES`]).
fn gap_features(
    start: &coverage::Usualness,
    end: Option<&coverage::Usualness>,
    hours: f64,
    in_port_start: bool,
    in_port_end: bool,
    dark_call: Option<f64>,
) -> std::collections::BTreeMap<String, f64> {
    let f = |b: bool| if b { 1.0 } else { 0.0 };
    [
        ("cov_start", start.share.ln()),
        ("cov_end", end.map(|e| e.share.ln()).unwrap_or(0.0)),
        ("log_hours", hours.max(1e-3).ln()),
        ("in_port_start", f(in_port_start)),
        ("in_port_end", f(in_port_end)),
        ("open", f(end.is_none())),
        ("dark_call", dark_call.unwrap_or(0.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Calibrates the score of an event of a kind without a feature model:
/// keeps the detector's score in `evidence.score` and sets the confidence
/// by the kind's Platt scaling (`calibration.platt`), when it has one.
pub fn calibrate_score(e: &mut Event, p: &Params) {
    let kind = e.kind();
    calibrate_score_as(e, kind.as_str(), p);
}

/// [`calibrate_score`] under another calibration key (e.g. one-sided
/// encounters, which share the kind `encounter` with pair encounters).
pub fn calibrate_score_as(e: &mut Event, key: &str, p: &Params) {
    if matches!(e.kind(), EventKind::DarkPortCall | EventKind::AisGap) {
        return;
    }
    let score = e.confidence;
    if let Some(ab) = p.calibration.platt.get(key) {
        e.confidence = calibrate::platt(*ab, score);
    }
    e.evidence.score = Some(score);
    e.evidence.calibration = Some(key.to_string());
}

/// cos of the angle between a course and a bearing; 0 when the course is
/// unknown (the vessel was not moving).
fn alignment(cog: Option<f32>, bearing: f64) -> f64 {
    cog.map(|c| ((c as f64 - bearing).to_radians()).cos())
        .unwrap_or(0.0)
}

/// Whether a silence could hide a call at a watched port, and if so the
/// event. Feasibility is necessary, never sufficient: the vessel could
/// have sailed from where it went dark to the port at its top speed,
/// stayed at least the minimum, and sailed to where it reappeared, and
/// sailing straight between the two points does not explain the time.
/// Its confidence is the dark-port-call model's probability
/// ([`calibrate`]) over the evidence: how unusual the silence is for that
/// water where it began and ended ([`coverage`]), going dark on a course
/// toward the port and reappearing on one away from it, how close to the
/// port, the share of the silence straight sailing cannot explain, a
/// draught change, the same pattern repeating, going dark in a port.
/// A merely feasible silence is a candidate (confidence under 0.5).
pub fn dark_port_call(
    g: &vessel::Gap,
    p: &Params,
    gaz: &gazetteer::Gazetteer,
    watched: &[usize],
    ctx: &CallContext,
) -> Option<Event> {
    let hrs = (g.t1 - g.t0) as f64 / 3_600_000.0;
    if hrs < p.dark_port_call.min_gap_hours || g.ambiguous {
        return None;
    }
    // Seen in a watched port at both ends of the silence: a visit there
    // with a coverage gap, not a dark call. Silent from one port to another
    // (or back to the same) is a candidate: ships that evade switch off
    // before they leave; the coverage of the port tells how unusual that is.
    let port_at = |(lat, lon): (f64, f64)| {
        gaz.locate(lat, lon, p.ports.entry_km, p.ports.exit_km)
            .filter(|x| x.1)
            .map(|x| x.0)
    };
    let (pa, pb) = (port_at(g.a), port_at(g.b));
    let (port_a, port_b) = (pa.is_some(), pb.is_some());
    if pa.is_some() && pa == pb && watched.contains(&pa.expect("some")) {
        return None;
    }
    let mut best: Option<(usize, f64, f64, f64)> = None;
    let mut feasible = Vec::new();
    let mut detours: Vec<(f64, String)> = Vec::new();
    for &w in watched {
        let pl = &gaz.places[w];
        let d1 = distance_nm(g.a.0, g.a.1, pl.lat, pl.lon);
        let d2 = distance_nm(pl.lat, pl.lon, g.b.0, g.b.1);
        let need = (d1 + d2) / g.top_speed_kn.max(1.0);
        let stay = hrs - need;
        if stay >= p.dark_port_call.min_stay_hours {
            feasible.push(pl.name.clone());
            detours.push((d1 + d2, pl.name.clone()));
            if best.is_none_or(|b| d1 + d2 < b.1 + b.2) {
                best = Some((w, d1, d2, stay));
            }
        }
    }
    let (w, d1, d2, stay) = best?;
    detours.sort_by(|a, b| a.0.total_cmp(&b.0));
    let shortest = detours.first().map_or(0.0, |d| d.0);
    let mut closest: Vec<String> = vec![gaz.places[w].name.clone()];
    for (d, n) in detours {
        if d - shortest <= p.dark_port_call.port_tie_nm && !closest.contains(&n) {
            closest.push(n);
        }
    }
    // The simpler story: sailing straight from where it went dark to
    // where it reappeared. Time it cannot explain is time for a call.
    let direct_h = distance_nm(g.a.0, g.a.1, g.b.0, g.b.1) / g.cruise_kn.max(1.0);
    let unexplained = hrs - direct_h;
    if unexplained < p.dark_port_call.min_stay_hours {
        return None;
    }
    let pl = &gaz.places[w];
    let draught_up = match (g.draught_before, g.draught_after) {
        (Some(a), Some(b)) => (b - a).abs() >= p.dark_port_call.draught_change_m,
        _ => false,
    };
    let (start, end) = ctx.usual.unwrap_or_default();
    let share = |u: &coverage::Usualness| if ctx.usual.is_some() { u.share } else { 0.5 };
    let toward = alignment(g.cog_a, sea::geo::bearing_deg(g.a.0, g.a.1, pl.lat, pl.lon));
    let away = alignment(g.cog_b, sea::geo::bearing_deg(pl.lat, pl.lon, g.b.0, g.b.1));
    let f = |b: bool| if b { 1.0 } else { 0.0 };
    let x: std::collections::BTreeMap<String, f64> = [
        ("cov_start", share(&start).ln()),
        ("cov_end", share(&end).ln()),
        ("toward_port", toward),
        ("from_port", away),
        ("near_start", d1 / 100.0),
        ("near_end", d2 / 100.0),
        ("unexplained", (unexplained / hrs).clamp(0.0, 1.0)),
        ("draught_changed", f(draught_up)),
        ("repeats", (1.0 + ctx.repeats as f64).ln()),
        ("dark_in_port", f(port_a)),
        ("back_in_port", f(port_b)),
        ("log_hours", hrs.ln()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (model_p, parts) = p.calibration.dark_port_call.predict(&x);
    // the second-stage scaling multiplies every log-odds contribution by
    // its slope (and adds its offset to the intercept), so the parts
    // still explain the final confidence
    let [a, b] = p.calibration.dark_port_call_scale;
    let conf = calibrate::platt([a, b], model_p);
    let parts: std::collections::BTreeMap<String, f64> =
        parts.into_iter().map(|(k, v)| (k, a * v)).collect();
    let arrive = g.t0 + (d1 / g.cruise_kn.max(1.0) * 3_600_000.0) as i64;
    let leave = (g.t1 - (d2 / g.cruise_kn.max(1.0) * 3_600_000.0) as i64).max(arrive);
    let status = if conf >= 0.5 {
        "likely"
    } else {
        "candidate: feasible, evidence weak"
    };
    let ev = evidence::DarkPortCall {
        rule: "a silence long enough to sail to a watched port, stay, and come back, that sailing straight cannot explain; confidence weighs the evidence".into(),
        status: status.into(),
        gap: evidence::GapSpan { from: event::Time(g.t0), to: event::Time(g.t1), hours: hrs },
        to_port_nm: d1, from_port_nm: d2, top_speed_kn: g.top_speed_kn, cruise_kn: g.cruise_kn,
        possible_hours_in_port: stay, feasible_watched_ports: feasible, closest_ports: closest, imaged: Vec::new(), direct_passage_hours: direct_h, unexplained_hours: unexplained,
        draught_before_m: g.draught_before, draught_after_m: g.draught_after, draught_changed: draught_up,
        draught_never_updated: g.draught_before.is_some() && g.draught_before == g.draught_after,
        course_toward_port: toward, course_from_port: away, repeat_silences: ctx.repeats,
        went_dark_in_port: port_a, reappeared_in_port: port_b,
        coverage_where_it_went_dark: start, coverage_where_it_reappeared: end,
        coverage_known: ctx.usual.is_some(),
        reception: coverage_words(&start, p),
        features: x, contributions: parts, model_probability: model_p,
        parameters: serde_json::json!({"watched_ports": p.dark_port_call.watched_ports, "min_stay_hours": p.dark_port_call.min_stay_hours, "min_gap_hours": p.dark_port_call.min_gap_hours, "speed_margin": p.dark_port_call.speed_margin, "near_port_nm": p.dark_port_call.near_port_nm, "repeat_nm": p.dark_port_call.repeat_nm, "port_tie_nm": p.dark_port_call.port_tie_nm, "coverage_window_days": p.coverage.window_days, "model_fitted_on": p.calibration.fitted_on}),
        reappeared_as_mmsi: None,
    };
    let mut e = Event::new(g.mmsi, arrive, Some(leave), Some((pl.lat, pl.lon)), ev);
    e.port = Some(event::PortRef {
        name: pl.name.clone(),
        locode: pl.locode.clone(),
    });
    e.confidence = conf;
    Some(e)
}

#[cfg(test)]
mod plan_tests {
    use super::plan_ranges;

    #[test]
    fn ranges_cover_every_mmsi_and_share_the_rows_out() {
        // three narrow row groups of 100 rows and one wide of 300 under them
        let spans = [
            (100, 199, 100),
            (200, 299, 100),
            (300, 399, 100),
            (100, 399, 300),
        ];
        let r = plan_ranges(&spans, 150);
        assert_eq!(r.first().map(|r| r.0), Some(0));
        assert_eq!(r.last().map(|r| r.1), Some(u32::MAX));
        for w in r.windows(2) {
            assert_eq!(w[0].1 + 1, w[1].0, "{r:?}");
        }
        // 600 rows over 100..=399 at 2 per MMSI: ranges of 75 MMSIs
        assert_eq!(&r[..4], &[(0, 174), (175, 249), (250, 324), (325, 399)]);
        assert_eq!(r.len(), 5);
        // nothing known: one range
        assert_eq!(plan_ranges(&[], 10), vec![(0, u32::MAX)]);
        // a span over every MMSI is cut evenly
        let all = plan_ranges(&[(0, u32::MAX, 4_000)], 1_000);
        assert_eq!(all.len(), 4, "{all:?}");
    }
}
