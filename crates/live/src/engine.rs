//! The live engine: one task that persists each line, decodes it, and feeds
//! each vessel's fixes and identity reports to the same detectors the batch
//! path uses — `detect::vessel::TrackState` (gaps, port visits, loitering),
//! `detect::dark_port_call`, `detect::encounter::{index_slice,
//! encounters}`, `detect::vessel::detect_vessel` for identity changes,
//! `intel::matching` for lists. What is live-only is the clock: a silence
//! is alerted when it passes the threshold on the feed clock (the latest
//! receive time, advanced by the wall clock between sentences), not when
//! the vessel reappears.
//!
//! Not done live (batch only): separating two transmitters on one MMSI and
//! position jumps (they need a vessel's whole history), loitering, voyages.

use crate::persist::Persist;
use crate::{wall_ms, Alert, Counters, WatchParams};
use detect::gazetteer::Gazetteer;
use detect::{Event, EventKind, Params};
use intel::profile::Profile;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};
use store::{Identity, Position};

/// Recent fixes of a vessel: (time, lat, lon).
pub type Track = VecDeque<(i64, f64, f64)>;
/// One slow fix per vessel in a 10-minute bucket, as the encounter index takes them.
type Bucket = HashMap<u32, (u32, i64, f64, f64, f32)>;

/// What the HTTP API shows of a vessel.
#[derive(Debug, Clone, Serialize, Default)]
pub struct VesselView {
    /// The vessel.
    pub mmsi: u32,
    /// Latest name broadcast (attacker-controlled text).
    pub name: Option<String>,
    /// Latest IMO number broadcast.
    pub imo: Option<u32>,
    /// Latest call sign broadcast.
    pub callsign: Option<String>,
    /// Flag of its MMSI's MID (ISO 3166 alpha-2).
    pub flag: Option<String>,
    /// Latest ship type code broadcast.
    pub ship_type: Option<u8>,
    /// Latest destination broadcast (attacker-controlled text).
    pub destination: Option<String>,
    /// Latest position, latitude.
    pub lat: Option<f64>,
    /// Latest position, longitude.
    pub lon: Option<f64>,
    /// Latest speed over ground, knots.
    pub sog: Option<f32>,
    /// Latest course over ground, degrees.
    pub cog: Option<f32>,
    /// Feed time of its latest fix (RFC 3339).
    pub last_seen: Option<String>,
    /// Minutes since then on the feed clock.
    pub silent_minutes: Option<f64>,
    /// List matches ("strong OFAC SDN: NAME").
    pub listed: Vec<String>,
    /// The port it is in, if any.
    pub in_port: Option<String>,
    /// Fixes heard.
    pub fixes: u64,
}

/// The state the API reads, published by the engine about once a second.
#[derive(Debug, Default)]
pub struct Shared {
    /// The feed clock (RFC 3339).
    pub clock: RwLock<Option<String>>,
    /// Every vessel heard, as the API shows it.
    pub vessels: RwLock<BTreeMap<u32, VesselView>>,
    /// Written by the engine fix by fix (an uncontended lock), read by
    /// `/api/vessels/{mmsi}`: no copies made for readers that never come.
    pub tracks: Mutex<HashMap<u32, Track>>,
    /// The latest alerts (`[watch] alert_history`).
    pub alerts: Mutex<VecDeque<Arc<Alert>>>,
}

/// One alert to raise: what, who, when and where, why, and the
/// detector's event when there is one.
struct Raise {
    kind: &'static str,
    mmsi: u32,
    other: Option<u32>,
    /// Feed time, unix ms.
    t: i64,
    pos: Option<(f64, f64)>,
    place: Option<String>,
    why: Vec<String>,
    summary: String,
    event: Option<Event>,
}

struct Vessel {
    last: Option<Position>,
    /// The batch detectors' streaming state (gaps, port visits, loitering).
    track: detect::vessel::TrackState,
    moving: VecDeque<f32>,
    draughts: VecDeque<(i64, f32)>,
    ident: Option<Identity>,
    profile: Profile,
    listed: Vec<String>,
    went_dark_alerted: bool,
    suspect_alerted: bool,
    fixes: u64,
    dirty: bool,
    /// (day, cell) of the latest fix, for the coverage map's visits.
    last_visit: Option<detect::coverage::CellDay>,
    /// Where this vessel's earlier long silences began and ended (the
    /// repeat pattern of the dark-call model).
    silences: VecDeque<((f64, f64), (f64, f64))>,
}

impl Vessel {
    fn new(mmsi: u32) -> Vessel {
        Vessel {
            last: None,
            track: Default::default(),
            moving: VecDeque::new(),
            draughts: VecDeque::new(),
            ident: None,
            profile: Profile::new(mmsi),
            listed: Vec::new(),
            went_dark_alerted: false,
            suspect_alerted: false,
            fixes: 0,
            dirty: true,
            last_visit: None,
            silences: VecDeque::new(),
        }
    }
}

/// The feed clock: the latest receive time seen, advanced by the wall
/// clock since it was seen (times `rate`: 1 live, the replay speed when
/// replaying, 0 for as-fast-as-possible replays).
struct Clock {
    feed: Option<i64>,
    at: std::time::Instant,
    rate: f64,
}

impl Clock {
    fn now(&self) -> Option<i64> {
        self.feed
            .map(|f| f + (self.at.elapsed().as_secs_f64() * 1000.0 * self.rate) as i64)
    }
    fn saw(&mut self, t: i64) {
        if self.now().is_none_or(|n| t > n) {
            self.feed = Some(t);
            self.at = std::time::Instant::now();
        }
    }
}

/// Where alerts go besides the history: a JSONL file, SSE subscribers,
/// webhooks.
pub struct Outputs {
    /// alerts.jsonl.
    pub jsonl: Option<std::io::BufWriter<std::fs::File>>,
    /// Server-sent-event subscribers.
    pub broadcast: tokio::sync::broadcast::Sender<Arc<Alert>>,
    /// The webhook sender's queue.
    pub webhooks: Option<tokio::sync::mpsc::Sender<Arc<Alert>>>,
}

/// The engine: per-vessel state, the detectors, alerts.
pub struct Engine {
    p: Params,
    wp: WatchParams,
    gaz: Arc<Gazetteer>,
    watched: Vec<usize>,
    watched_set: HashSet<usize>,
    watched_pos: Vec<(String, f64, f64)>,
    entries: Vec<intel::watchlist::Entry>,
    /// `entries` indexed once (each new vessel is matched against them).
    list_index: intel::matching::ListIndex,
    mp: intel::matching::MatchParams,
    /// Owners, managers, sister ships, and how they are weighed.
    network: (intel::network::Graph, intel::network::NetworkParams),
    decoders: HashMap<Arc<str>, ais::Decoder>,
    vessels: HashMap<u32, Vessel>,
    clock: Clock,
    buckets: BTreeMap<i64, Bucket>,
    hits: detect::encounter::PairHits,
    /// Start of the latest meeting alerted, per pair.
    alerted_pairs: HashMap<(u32, u32), i64>,
    seq: u64,
    out: Outputs,
    /// What the API reads.
    pub shared: Arc<Shared>,
    c: Arc<Counters>,
    /// Raw segments and their rolls into the store.
    pub persist: Persist,
    last_scan: std::time::Instant,
    last_scan_feed: i64,
    /// Reception learned from what has been heard so far (the batch
    /// detector's map, built as the feed arrives; pruned to the window).
    cov: detect::coverage::Coverage,
    cov_pruned_day: i64,
}

const H: f64 = 3_600_000.0;

impl Engine {
    /// An engine with these parameters, lists and outputs.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        p: Params,
        wp: WatchParams,
        gaz: Gazetteer,
        entries: Vec<intel::watchlist::Entry>,
        mp: intel::matching::MatchParams,
        network: (intel::network::Graph, intel::network::NetworkParams),
        clock_rate: f64,
        out: Outputs,
        persist: Persist,
        c: Arc<Counters>,
    ) -> Engine {
        let watched = gaz.watched(&p);
        let cov = detect::coverage::Coverage::new(&p);
        let watched_pos = watched
            .iter()
            .map(|&i| {
                (
                    gaz.places[i].name.clone(),
                    gaz.places[i].lat,
                    gaz.places[i].lon,
                )
            })
            .collect();
        Engine {
            watched_set: watched.iter().copied().collect(),
            watched,
            watched_pos,
            p,
            wp,
            gaz: Arc::new(gaz),
            list_index: intel::matching::ListIndex::new(&entries),
            entries,
            mp,
            network,
            decoders: HashMap::new(),
            vessels: HashMap::new(),
            clock: Clock {
                feed: None,
                at: std::time::Instant::now(),
                rate: clock_rate,
            },
            buckets: BTreeMap::new(),
            hits: HashMap::new(),
            alerted_pairs: HashMap::new(),
            seq: 0,
            out,
            shared: Arc::new(Shared::default()),
            c,
            persist,
            last_scan: std::time::Instant::now(),
            last_scan_feed: i64::MIN / 2,
            cov,
            cov_pruned_day: i64::MIN,
        }
    }

    /// The feed clock now (unix ms), once anything has been heard.
    pub fn feed_now(&self) -> Option<i64> {
        self.clock.now()
    }

    /// The places known (shared with the imagery fusion).
    pub fn gazetteer(&self) -> Arc<Gazetteer> {
        self.gaz.clone()
    }

    /// The dark vessels of one fused detection file: those at or above
    /// `[watch] imagery_min_confidence` within `imagery.port_radius_km` of
    /// a watched place are alerted, each with the vessels that were silent
    /// at the image time, could have reached it at their top speed and
    /// whose broadcast length fits the hull (`could_be` of the event).
    /// Returns the alerts raised.
    pub fn imagery(&mut self, d: &crate::imagery::Done, ip: &imagery::ImageryParams) -> usize {
        Counters::add(&self.c.imagery_dark, d.dark.len() as u64);
        let mut n = 0;
        for e in &d.dark {
            let (Some(lat), Some(lon)) = (e.lat, e.lon) else {
                continue;
            };
            if e.confidence < self.wp.imagery_min_confidence {
                continue;
            }
            let Some((i, km)) = self
                .watched
                .iter()
                .map(|&i| (i, self.gaz.distance_km(i, lat, lon)))
                .filter(|x| x.1 <= ip.port_radius_km)
                .min_by(|a, b| a.1.total_cmp(&b.1))
            else {
                continue;
            };
            let Some(dv) = e.evidence.dark_vessel() else {
                continue;
            };
            let t = e.start_ms();
            let place = self.gaz.places[i].name.clone();
            let mut why = vec![format!("watched place {place}")];
            why.push(format!(
                "image {} ({})",
                dv.scene_id,
                dv.source.as_deref().unwrap_or("source not given")
            ));
            // who could it be: the vessels silent around the image that
            // could have reached it, of a fitting length (the fusion's list)
            for c in &dv.could_be {
                let v = self.vessels.get(&c.mmsi);
                let name = v
                    .and_then(|v| v.profile.name())
                    .map(|s| format!(" {s:?}"))
                    .unwrap_or_default();
                let listed = if v.is_some_and(|v| !v.listed.is_empty()) {
                    ", listed"
                } else {
                    ""
                };
                let silent = match (c.last_before, c.first_after) {
                    (Some(b), Some(a)) => format!("silent {:.0} h", (a.0 - b.0) as f64 / H),
                    (Some(b), None) => format!("silent since {}", detect::event::rfc3339(b.0)),
                    (None, _) => "first heard after the image".to_string(),
                };
                why.push(format!(
                    "could be {}{name}: {silent}, {:.1} kn needed of {:.1}{}{listed}",
                    c.mmsi,
                    c.speed_needed_kn,
                    c.top_speed_kn,
                    c.length_m
                        .map(|l| format!(", {l:.0} m"))
                        .unwrap_or_default()
                ));
            }
            let candidates = dv.could_be_count;
            if candidates > dv.could_be.len() {
                why.push(format!(
                    "and {} more silent vessels within reach",
                    candidates - dv.could_be.len()
                ));
            }
            let summary = format!(
                "{} in a satellite image {km:.1} km from {place} with no AIS (confidence {:.2}); {} silent vessel{} could be it",
                dv.length_m
                    .map(|l| format!("a {l:.0} m hull"))
                    .unwrap_or_else(|| "a hull".into()),
                e.confidence,
                candidates,
                if candidates == 1 { "" } else { "s" },
            );
            self.alert(Raise {
                kind: "dark_vessel",
                mmsi: 0,
                other: None,
                t,
                pos: Some((lat, lon)),
                place: Some(place),
                why,
                summary,
                event: Some(e.clone()),
            });
            n += 1;
        }
        n
    }

    /// Persists, decodes and processes one line.
    pub fn line(&mut self, l: &crate::input::Line) -> Result<(), crate::persist::PersistError> {
        self.persist.write(&l.input, &l.bytes, l.wall_ms)?;
        Counters::add(&self.c.processed, 1);
        if self.decoders.len() > 4096 && !self.decoders.contains_key(&l.input) {
            // every TCP connection has its own decoder (multi-sentence
            // messages are assembled per connection); reconnecting clients
            // must not grow this without bound
            self.decoders.clear();
        }
        let dec = self.decoders.entry(l.input.clone()).or_default();
        let rec = match dec.feed(&l.bytes) {
            Ok(Some(d)) => {
                Counters::add(&self.c.decoded, 1);
                let t = d.meta.received_ms.unwrap_or(l.wall_ms);
                let id19 = store::record::identity_of_type19(d, t, None);
                Some((t, store::record::from_decoded(d, t, None), id19))
            }
            Ok(None) => None,
            Err(_) => {
                Counters::add(&self.c.rejected, 1);
                None
            }
        };
        if let Some((t, r, id19)) = rec {
            if !store::limits::plausible_time(t, l.wall_ms) {
                // a forged or corrupt time must not move the feed clock
                Counters::add(&self.c.implausible_time, 1);
                return Ok(());
            }
            self.clock.saw(t);
            if let Some(i) = id19 {
                self.identity(i);
            }
            match r {
                store::record::Record::Position(p) => self.fix(p),
                store::record::Record::Identity(i) => self.identity(i),
                store::record::Record::None => {}
            }
        }
        Ok(())
    }

    fn why(&self, v: &Vessel, place: Option<usize>) -> Vec<String> {
        let mut w = v.listed.clone();
        if let Some(i) = place.filter(|i| self.watched_set.contains(i)) {
            w.push(format!("watched place {}", self.gaz.places[i].name));
        }
        w
    }

    fn nearest_watched(&self, lat: f64, lon: f64) -> Option<(&str, f64)> {
        self.watched_pos
            .iter()
            .map(|(n, a, b)| (n.as_str(), sea::geo::distance_nm(lat, lon, *a, *b)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Raises an alert: numbered, written to alerts.jsonl, broadcast to
    /// subscribers and webhooks, kept in the history.
    fn alert(&mut self, r: Raise) {
        let Raise {
            kind,
            mmsi,
            other,
            t,
            pos,
            place,
            why,
            summary,
            event,
        } = r;
        self.seq += 1;
        let name = self
            .vessels
            .get(&mmsi)
            .and_then(|v| v.profile.name().map(str::to_string));
        let a = Arc::new(Alert {
            seq: self.seq,
            kind: kind.into(),
            mmsi,
            other_mmsi: other,
            time: detect::event::rfc3339(t),
            raised: detect::event::rfc3339(wall_ms()),
            name,
            lat: pos.map(|p| p.0),
            lon: pos.map(|p| p.1),
            place,
            why,
            summary,
            event,
        });
        Counters::add(&self.c.alerts, 1);
        if let Some(w) = self.out.jsonl.as_mut() {
            // a failed write is logged, not fatal: the alert still goes out
            if let Err(e) = serde_json::to_writer(&mut *w, &*a)
                .map_err(std::io::Error::other)
                .and_then(|_| w.write_all(b"\n"))
                .and_then(|_| w.flush())
            {
                tracing::error!("alerts file: {e}");
            }
        }
        let _ = self.out.broadcast.send(a.clone());
        if let Some(tx) = &self.out.webhooks {
            if tx.try_send(a.clone()).is_err() {
                Counters::add(&self.c.webhook_dropped, 1);
            }
        }
        if let Ok(mut h) = self.shared.alerts.lock() {
            h.push_back(a);
            while h.len() > self.wp.alert_history {
                h.pop_front();
            }
        }
    }

    fn fix(&mut self, f: Position) {
        if self.p.tracks.is_noise(f.sog) {
            return;
        }
        let m = f.mmsi;
        self.make_room(m);
        let v = self.vessels.entry(m).or_insert_with(|| Vessel::new(m));
        if v.fixes == 0 {
            // lists that name the MMSI match before any identity is heard
            v.listed = listed(
                &v.profile,
                &self.entries,
                &self.list_index,
                &self.mp,
                &self.network,
            );
        }
        if v.last.as_ref().is_some_and(|l| f.time_ms < l.time_ms) {
            return; // late sentence from a slower receiver: kept in the store, not re-run
        }
        v.fixes += 1;
        v.dirty = true;
        detect::coverage::count_visit(
            self.cov.visits_mut(),
            &mut v.last_visit,
            f.time_ms,
            f.lat,
            f.lon,
            self.p.gaps.density_cell_deg,
        );
        v.went_dark_alerted = false;
        v.suspect_alerted = false;
        if let Some(s) = self.p.tracks.moving(f.sog) {
            v.moving.push_back(s);
            if v.moving.len() > 2000 {
                v.moving.pop_front();
            }
        }
        if let Ok(mut t) = self.shared.tracks.lock() {
            let q = t.entry(m).or_default();
            q.push_back((f.time_ms, f.lat, f.lon));
            while q.len() > self.wp.track_points {
                q.pop_front();
            }
        }
        // speeds are only needed when a silence ends: filled in below
        let before = v.track.ports.current_port();
        let step = v.track.push(m, &f, &self.p, &self.gaz, (0.0, 0.0));
        let after = v.track.ports.current_port();
        let (gap, mut visit) = (step.gap, step.visit);
        // loitering at sea that this fix ended
        let mut loiter = step.loiter.map(|x| x.0);
        for e in visit.iter_mut().chain(loiter.iter_mut()) {
            detect::calibrate_score(e, &self.p);
        }
        v.last = Some(f.clone());
        // a silence ended: was it a dark port call?
        if let Some(mut g) = gap {
            let moving: Vec<f32> = v.moving.iter().copied().collect();
            (g.top_speed_kn, g.cruise_kn) = detect::vessel::speeds(&moving, &self.p);
            g.draught_before = v.draughts.iter().rev().find(|d| d.0 <= g.t0).map(|d| d.1);
            g.draught_after = v
                .draughts
                .iter()
                .find(|d| d.0 >= g.t1)
                .map(|d| d.1)
                .or(v.draughts.back().map(|d| d.1));
            let repeat_nm = self.p.dark_port_call.repeat_nm;
            let long = (g.t1 - g.t0) as f64 / H >= self.p.dark_port_call.min_gap_hours;
            let v = self.vessels.get_mut(&m).expect("inserted above");
            let repeats = v
                .silences
                .iter()
                .filter(|(a, b)| {
                    sea::geo::distance_nm(g.a.0, g.a.1, a.0, a.1) <= repeat_nm
                        || sea::geo::distance_nm(g.b.0, g.b.1, b.0, b.1) <= repeat_nm
                })
                .count();
            if long {
                v.silences.push_back((g.a, g.b));
                while v.silences.len() > 256 {
                    v.silences.pop_front();
                }
            }
            let hrs = (g.t1 - g.t0) as f64 / H;
            let ctx = detect::CallContext {
                usual: Some((
                    self.cov
                        .usualness(g.a.0, g.a.1, g.t0, hrs, &[m], true, &self.p),
                    self.cov
                        .usualness(g.b.0, g.b.1, g.t1, hrs, &[m], false, &self.p),
                )),
                repeats,
            };
            let call = detect::dark_port_call(&g, &self.p, &self.gaz, &self.watched, &ctx);
            self.cov.add_silence(&g);
            // a call more likely than not is confirmed; a merely feasible
            // one stays what the silence already raised (suspected)
            if let Some(mut e) = call.filter(|e| e.confidence >= 0.5) {
                e.mmsi = m;
                let place = e.port.as_ref().map(|p| p.name.clone());
                let why = {
                    let v = &self.vessels[&m];
                    let mut w = v.listed.clone();
                    if let Some(pl) = &place {
                        w.push(format!("watched port {pl}"));
                    }
                    w
                };
                let s = format!(
                    "dark port call at {}: silent {:.1} h, probability {:.2}",
                    place.as_deref().unwrap_or("?"),
                    (g.t1 - g.t0) as f64 / H,
                    e.confidence
                );
                self.alert(Raise {
                    kind: EventKind::DarkPortCall.as_str(),
                    mmsi: m,
                    other: None,
                    t: g.t1,
                    pos: e.lat.zip(e.lon),
                    place,
                    why,
                    summary: s,
                    event: Some(e),
                });
            }
        }
        let v = &self.vessels[&m];
        let listed = !v.listed.is_empty();
        if let Some(e) = visit {
            let idx = e
                .port
                .as_ref()
                .and_then(|p| self.gaz.find(p.locode.as_deref().unwrap_or(&p.name)));
            if listed || idx.is_some_and(|i| self.watched_set.contains(&i)) {
                let why = self.why(v, idx);
                let place = e.port.as_ref().map(|p| p.name.clone());
                let s = format!(
                    "left {} after {:.1} h",
                    place.as_deref().unwrap_or("?"),
                    (e.end_ms() - e.start_ms()) as f64 / H
                );
                self.alert(Raise {
                    kind: "left",
                    mmsi: m,
                    other: None,
                    t: f.time_ms,
                    pos: Some((f.lat, f.lon)),
                    place,
                    why,
                    summary: s,
                    event: Some(e),
                });
            }
        }
        if let Some(e) = loiter.filter(|_| listed || self.wp.all_loitering) {
            let v = &self.vessels[&m];
            let s = format!(
                "loitered {:.1} h at sea, {} slow fixes",
                (e.end_ms() - e.start_ms()) as f64 / H,
                e.evidence.detail.loitering().map_or(0, |l| l.fixes)
            );
            self.alert(Raise {
                kind: EventKind::Loitering.as_str(),
                mmsi: m,
                other: None,
                t: f.time_ms,
                pos: e.lat.zip(e.lon),
                place: None,
                why: v.listed.clone(),
                summary: s,
                event: Some(e),
            });
        }
        // a vessel first heard in port did not enter it now
        if let Some(i) = after.filter(|&i| Some(i) != before && self.vessels[&m].fixes > 1) {
            let v = &self.vessels[&m];
            if listed || self.watched_set.contains(&i) {
                let why = self.why(v, Some(i));
                let place = self.gaz.places[i].name.clone();
                let s = format!("entered {place}");
                self.alert(Raise {
                    kind: "entered",
                    mmsi: m,
                    other: None,
                    t: f.time_ms,
                    pos: Some((f.lat, f.lon)),
                    place: Some(place),
                    why,
                    summary: s,
                    event: None,
                });
            }
        }
        // encounters: the latest slow fix per vessel and 10-minute bucket
        if self.p.encounters.is_slow(f.sog) {
            let b = f.time_ms.div_euclid(self.bucket_ms());
            self.buckets
                .entry(b)
                .or_default()
                .insert(m, (m, f.time_ms, f.lat, f.lon, f.sog.unwrap_or(0.0)));
        }
    }

    fn bucket_ms(&self) -> i64 {
        self.p.encounters.bucket_minutes.max(1) * 60_000
    }

    /// Keeps the vessel table within `[watch] max_vessels` before `m` is
    /// added: forgets the stalest 1% (unlisted vessels first, then the
    /// longest silent), so the cost is a scan per 1% of the limit.
    fn make_room(&mut self, m: u32) {
        if self.vessels.len() < self.wp.max_vessels || self.vessels.contains_key(&m) {
            return;
        }
        let mut keys: Vec<(bool, i64, u32)> = self
            .vessels
            .iter()
            .map(|(m, v)| {
                let t = v
                    .last
                    .as_ref()
                    .map(|l| l.time_ms)
                    .or(v.ident.as_ref().map(|i| i.time_ms))
                    .unwrap_or(i64::MIN);
                (!v.listed.is_empty(), t, *m)
            })
            .collect();
        let n = (self.wp.max_vessels / 100).max(1);
        keys.select_nth_unstable(n - 1);
        let gone: Vec<u32> = keys[..n].iter().map(|k| k.2).collect();
        for m in &gone {
            self.vessels.remove(m);
        }
        if let Ok(mut t) = self.shared.tracks.lock() {
            for m in &gone {
                t.remove(m);
            }
        }
        if let Ok(mut w) = self.shared.vessels.write() {
            for m in &gone {
                w.remove(m);
            }
        }
        Counters::add(&self.c.vessels_evicted, gone.len() as u64);
    }

    fn identity(&mut self, i: Identity) {
        let m = i.mmsi;
        self.make_room(m);
        let v = self.vessels.entry(m).or_insert_with(|| Vessel::new(m));
        v.dirty = true;
        v.profile.add(&i);
        if let Some(d) = i.draught.filter(|&d| d > 0.0) {
            if v.draughts.back().is_none_or(|x| x.1 != d) {
                v.draughts.push_back((i.time_ms, d));
                if v.draughts.len() > 64 {
                    v.draughts.pop_front();
                }
            }
        }
        let prev = v.ident.clone();
        let mut merged = prev.clone().unwrap_or_else(|| Identity {
            mmsi: m,
            ..Identity::default()
        });
        merged.overlay(&i);
        let changed_id = prev.as_ref().is_none_or(|p| {
            p.name != merged.name || p.imo != merged.imo || p.callsign != merged.callsign
        });
        v.ident = Some(merged.clone());
        if changed_id {
            v.listed = listed(
                &v.profile,
                &self.entries,
                &self.list_index,
                &self.mp,
                &self.network,
            );
        }
        let Some(prev) = prev else { return };
        // the batch detector, over the two merged identities
        let r = detect::vessel::detect_vessel(m, &[], &[prev, merged], &self.p, &self.gaz);
        for mut e in r
            .events
            .into_iter()
            .filter(|e| e.kind() == EventKind::IdentityChange)
        {
            detect::calibrate_score(&mut e, &self.p);
            let v = &self.vessels[&m];
            if v.listed.is_empty() {
                continue;
            }
            let why = v.listed.clone();
            let pos = v.last.as_ref().map(|f| (f.lat, f.lon));
            let s = format!(
                "identity changed: {}",
                match e.evidence.identity_change() {
                    Some(model::evidence::IdentityChange::Fields(f)) =>
                        serde_json::to_string(&f.changes).unwrap_or_default(),
                    _ => String::new(),
                }
            );
            self.alert(Raise {
                kind: EventKind::IdentityChange.as_str(),
                mmsi: m,
                other: None,
                t: i.time_ms,
                pos,
                place: None,
                why,
                summary: s,
                event: Some(e),
            });
        }
    }

    /// Periodic work: silences past their thresholds, encounter buckets
    /// that are complete, the API's view. Call about once a second (and
    /// more often during fast replays: it returns at once when not due).
    pub fn tick(&mut self, force: bool) {
        let Some(now) = self.clock.now() else { return };
        // due every half second of wall time, or every feed minute (fast replays)
        if !force
            && self.last_scan.elapsed() < std::time::Duration::from_millis(500)
            && now - self.last_scan_feed < 60_000
        {
            return;
        }
        self.last_scan = std::time::Instant::now();
        self.last_scan_feed = now;
        let keep_from = now
            .saturating_sub(detect::coverage::window_ms(&self.p))
            .div_euclid(86_400_000)
            - 1;
        if keep_from > self.cov_pruned_day {
            self.cov.prune_before_day(keep_from);
            self.cov_pruned_day = keep_from;
        }
        // silences
        let gap_ms = (self.p.gaps.min_hours * H) as i64;
        let dark_ms = (self.p.dark_port_call.min_gap_hours * H) as i64;
        let mut due: Vec<(u32, i64, f64, f64, bool)> = Vec::new();
        for (m, v) in &self.vessels {
            let Some(l) = &v.last else { continue };
            let silent = now - l.time_ms;
            if silent >= gap_ms && !v.went_dark_alerted {
                due.push((*m, l.time_ms, l.lat, l.lon, false));
            }
            if silent >= dark_ms && !v.suspect_alerted {
                due.push((*m, l.time_ms, l.lat, l.lon, true));
            }
        }
        for (m, t0, lat, lon, suspect) in due {
            let near = self
                .nearest_watched(lat, lon)
                .map(|(n, d)| (n.to_string(), d));
            let v = self.vessels.get_mut(&m).expect("listed above");
            // silent inside a port is a coverage question, not going dark
            // near one (the batch rule: no dark call from a gap seen in port)
            let in_port = v.track.ports.current_port().is_some();
            let near_ok = near
                .as_ref()
                .filter(|n| n.1 <= self.p.dark_port_call.near_port_nm && !in_port)
                .cloned();
            let listed = !v.listed.is_empty();
            let mut why = v.listed.clone();
            if let Some((n, d)) = &near_ok {
                why.push(format!("went dark {d:.0} nm from watched port {n}"));
            }
            if suspect {
                v.suspect_alerted = true;
                if let Some((n, d)) = near_ok {
                    let s = format!(
                        "silent {:.1} h since {:.0} nm from {n}: long enough to call there unseen",
                        (now - t0) as f64 / H,
                        d
                    );
                    self.alert(Raise {
                        kind: "dark_port_call_suspected",
                        mmsi: m,
                        other: None,
                        t: now,
                        pos: Some((lat, lon)),
                        place: Some(n),
                        why,
                        summary: s,
                        event: None,
                    });
                }
            } else {
                v.went_dark_alerted = true;
                if listed || near_ok.is_some() || self.wp.all_gaps {
                    let s = format!(
                        "no position for {:.1} h (threshold {} h)",
                        (now - t0) as f64 / H,
                        self.p.gaps.min_hours
                    );
                    self.alert(Raise {
                        kind: "went_dark",
                        mmsi: m,
                        other: None,
                        t: now,
                        pos: Some((lat, lon)),
                        place: near.map(|n| n.0),
                        why,
                        summary: s,
                        event: None,
                    });
                }
            }
        }
        self.encounters(now);
        self.publish(now);
    }

    fn encounters(&mut self, now: i64) {
        let bms = self.bucket_ms();
        // a bucket is complete one bucket after it ends (late sentences)
        let ready: Vec<i64> = self
            .buckets
            .keys()
            .copied()
            .filter(|&b| b + 2 <= now.div_euclid(bms))
            .collect();
        for b in ready {
            let Some(fixes) = self.buckets.remove(&b) else {
                continue;
            };
            let slice: Vec<(u32, i64, f64, f64, f32)> = fixes.into_values().collect();
            let mut fresh = detect::encounter::PairHits::new();
            detect::encounter::index_slice(&slice, &self.p, &self.gaz, &mut fresh);
            for (pair, h) in fresh {
                self.hits.entry(pair).or_default().extend(h);
                let mut one = detect::encounter::PairHits::new();
                one.insert(pair, self.hits[&pair].clone());
                for mut e in detect::encounter::encounters(&mut one, &self.p, &self.gaz) {
                    detect::calibrate_score(&mut e, &self.p);
                    // each meeting once: the pair's hits still hold the
                    // earlier meetings, which were alerted already
                    let t = e.start_ms();
                    if self.alerted_pairs.get(&pair).is_some_and(|&last| t <= last) {
                        continue;
                    }
                    self.alerted_pairs.insert(pair, t);
                    let listed: Vec<String> = [pair.0, pair.1]
                        .iter()
                        .flat_map(|m| {
                            self.vessels
                                .get(m)
                                .map(|v| v.listed.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    if listed.is_empty() && !self.wp.all_encounters {
                        continue;
                    }
                    let s = format!(
                        "{} and {} within {} km for {:.1} h",
                        pair.0,
                        pair.1,
                        self.p.encounters.max_distance_km,
                        (e.end_ms() - t) as f64 / H
                    );
                    self.alert(Raise {
                        kind: EventKind::Encounter.as_str(),
                        mmsi: pair.0,
                        other: Some(pair.1),
                        t: now,
                        pos: e.lat.zip(e.lon),
                        place: None,
                        why: listed,
                        summary: s,
                        event: Some(e),
                    });
                }
            }
        }
        // forget pairs whose last meeting is over
        let keep_b = now.div_euclid(bms) - ((self.p.encounters.merge_hours * H) as i64 / bms) - 3;
        self.hits
            .retain(|_, v| v.last().is_some_and(|h| h.bucket >= keep_b));
        let hits = &self.hits;
        self.alerted_pairs.retain(|k, _| hits.contains_key(k));
    }

    fn publish(&mut self, now: i64) {
        if let Ok(mut c) = self.shared.clock.write() {
            *c = Some(detect::event::rfc3339(now));
        }
        let mut views = Vec::new();
        for (m, v) in self.vessels.iter_mut() {
            let silent = v.last.as_ref().map(|l| (now - l.time_ms) as f64 / 60_000.0);
            if !v.dirty {
                views.push((*m, None, silent));
                continue;
            }
            v.dirty = false;
            let id = v.ident.clone().unwrap_or_default();
            let port = v
                .track
                .ports
                .current_port()
                .map(|i| self.gaz.places[i].name.clone());
            views.push((
                *m,
                Some(VesselView {
                    mmsi: *m,
                    name: id.name,
                    imo: id.imo,
                    callsign: id.callsign,
                    flag: v.profile.flag.clone(),
                    ship_type: id.ship_type,
                    destination: id.destination,
                    lat: v.last.as_ref().map(|f| f.lat),
                    lon: v.last.as_ref().map(|f| f.lon),
                    sog: v.last.as_ref().and_then(|f| f.sog),
                    cog: v.last.as_ref().and_then(|f| f.cog),
                    last_seen: v.last.as_ref().map(|f| detect::event::rfc3339(f.time_ms)),
                    silent_minutes: silent,
                    listed: v.listed.clone(),
                    in_port: port,
                    fixes: v.fixes,
                }),
                silent,
            ));
        }
        if let Ok(mut w) = self.shared.vessels.write() {
            for (m, view, silent) in views {
                match view {
                    Some(x) => {
                        w.insert(m, x);
                    }
                    None => {
                        if let Some(x) = w.get_mut(&m) {
                            x.silent_minutes = silent;
                        }
                    }
                }
            }
        }
    }

    /// Fsyncs the alerts file (called with the segment's once-a-second sync).
    pub fn sync_alerts(&mut self) {
        if let Some(w) = self.out.jsonl.as_mut() {
            let _ = w.flush();
            let _ = w.get_ref().sync_data();
        }
    }
}

/// List matches of a profile, and the strongest network match (a listed
/// owner, manager or sister ship behind the IMO it broadcast), as short
/// texts.
fn listed(
    p: &Profile,
    entries: &[intel::watchlist::Entry],
    index: &intel::matching::ListIndex,
    mp: &intel::matching::MatchParams,
    network: &(intel::network::Graph, intel::network::NetworkParams),
) -> Vec<String> {
    if entries.is_empty() && network.0.edges.is_empty() {
        return Vec::new();
    }
    let mut one = BTreeMap::new();
    one.insert(p.mmsi, p.clone());
    let mut out: Vec<String> = index
        .match_all(&one, entries, mp)
        .into_iter()
        .map(|m| format!("{} match on {}: {:?}", m.level, m.list, m.listed_name))
        .collect();
    if let Some(n) = intel::network::of_profile(&network.0, p, &network.1) {
        if let Some(m) = n.matches.first() {
            out.push(format!("{}: {}", m.kind.replace('_', " "), m.words));
        }
    }
    out
}
