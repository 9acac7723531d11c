//! Per-vessel detectors, fed one MMSI's fixes in time order: segmentation
//! (shared MMSIs, position jumps), AIS gaps, port visits, loitering,
//! draught and identity changes.

use crate::event::evidence::{self, FieldChange, FieldValue};
use crate::event::{Detail, Event, EventKind, Time};
use crate::gazetteer::Gazetteer;
use crate::params::Params;
use sea::geo::distance_nm;
use store::{Identity, Position};

/// A silence of one vessel, kept for the second phase (reception density,
/// dark port calls).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Gap {
    /// The vessel (the old MMSI of a linked pair).
    pub mmsi: u32,
    /// Last fix before the silence, ms.
    pub t0: i64,
    /// First fix after it, ms.
    pub t1: i64,
    /// Where it went dark (lat, lon).
    pub a: (f64, f64),
    /// Where it reappeared (lat, lon).
    pub b: (f64, f64),
    /// Broadcast draught before, m.
    pub draught_before: Option<f32>,
    /// Broadcast draught after, m.
    pub draught_after: Option<f32>,
    /// The vessel's top speed estimate, knots.
    pub top_speed_kn: f64,
    /// Typical cruising speed, knots.
    pub cruise_kn: f64,
    /// The MMSI is shared by two transmitters: which one fell silent is
    /// unknown, so no dark port call is inferred from this gap.
    pub ambiguous: bool,
    /// The vessel reappeared under this other MMSI (same IMO).
    pub reappeared_as: Option<u32>,
    /// Course over ground at the last fix before the silence, when the
    /// vessel was moving (over 1 kn), degrees.
    #[serde(default)]
    pub cog_a: Option<f32>,
    /// Course over ground at the first fix after it, when moving.
    #[serde(default)]
    pub cog_b: Option<f32>,
}

/// What phase one finds for one vessel.
#[derive(Debug, Default)]
pub struct VesselResult {
    /// Events of the vessel.
    pub events: Vec<Event>,
    /// Its silences, for phase two.
    pub gaps: Vec<Gap>,
    /// Loitering windows at sea: (start, end, lat, lon).
    pub loiters: Vec<(i64, i64, f64, f64)>,
    /// First and last fix of the vessel's own track (none for a shared
    /// MMSI, whose ends belong to two ships), for joining tracks of MMSIs
    /// that share an IMO.
    pub ends: Option<TrackEnds>,
}

/// Where a track began and ended.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct TrackEnds {
    /// First fix (time, lat, lon).
    pub first: (i64, f64, f64),
    /// Last fix (time, lat, lon).
    pub last: (i64, f64, f64),
    /// Draught broadcast at the first fix, m.
    pub draught_first: Option<f32>,
    /// Draught broadcast at the last fix, m.
    pub draught_last: Option<f32>,
    /// Top speed estimate, knots.
    pub top_speed_kn: f64,
    /// Cruise speed estimate, knots.
    pub cruise_kn: f64,
}

/// The identity a vessel broadcast over time: each entry holds from its
/// time until the next. Fields merge across message types (type 24 part A
/// names, part B callsign and type; type 5 and 19 carry several).
pub fn identity_log(mmsi: u32, ids: &[Identity]) -> Vec<(i64, crate::event::VesselRef)> {
    let flag = ais::mid::flag(mmsi).map(|f| f.alpha2.to_string());
    let mut cur = crate::event::VesselRef {
        flag: flag.clone(),
        ..Default::default()
    };
    let mut out: Vec<(i64, crate::event::VesselRef)> = Vec::new();
    for i in ids {
        let mut next = cur.clone();
        if i.name.is_some() {
            next.name = i.name.clone();
        }
        if i.imo.is_some() {
            next.imo = i.imo;
        }
        if i.callsign.is_some() {
            next.callsign = i.callsign.clone();
        }
        if i.ship_type.is_some() {
            next.ship_type = i.ship_type;
        }
        if next != cur || out.is_empty() {
            out.push((i.time_ms, next.clone()));
            cur = next;
        }
    }
    if out.is_empty() {
        out.push((i64::MIN, cur));
    }
    out
}

/// The identity in force at `t` (the first one known, before any report).
pub fn identity_at(
    log: &[(i64, crate::event::VesselRef)],
    t: i64,
) -> Option<&crate::event::VesselRef> {
    let k = log.partition_point(|x| x.0 <= t);
    log.get(k.saturating_sub(1)).map(|x| &x.1)
}

fn hours(ms: i64) -> f64 {
    ms as f64 / 3_600_000.0
}

/// Splits fixes into segments of mutually consistent positions.
/// A segment that has had no fix for `tracks.dormant_hours` while
/// another one has is closed: after a long silence a fix could be
/// consistent with any stale segment (a spoofed place days ago, say), and
/// must not be drawn back into it.
pub fn segments(fixes: &[Position], p: &Params) -> Vec<Vec<usize>> {
    let mut segs: Vec<Vec<usize>> = Vec::new();
    let dormant = (p.tracks.dormant_hours * 3_600_000.0) as i64;
    let mut newest = i64::MIN;
    for (i, f) in fixes.iter().enumerate() {
        // consistent open segments: (index, distance, last time)
        let mut fit: Vec<(usize, f64, i64)> = Vec::new();
        for (k, s) in segs.iter().enumerate() {
            let last = &fixes[*s.last().expect("segments are never empty")];
            if newest.saturating_sub(last.time_ms) > dormant {
                continue;
            }
            let dt = hours(f.time_ms - last.time_ms);
            let allowed = dt.hypot(p.tracks.segment_hour_floor) * p.tracks.segment_speed_kn;
            let d = distance_nm(last.lat, last.lon, f.lat, f.lon);
            if d <= allowed {
                fit.push((k, d, last.time_ms));
            }
        }
        // The closest, with continuity: a segment silent for longer than
        // the most recent consistent one pays the distance it could have
        // sailed meanwhile (beyond the hour floor). After a long silence a
        // fix is consistent with every stale segment; it continues the
        // track that was heard last, unless another is much closer.
        let recent = fit.iter().map(|x| x.2).max().unwrap_or(i64::MIN);
        let mut best: Option<(usize, f64)> = None;
        for &(k, d, t) in &fit {
            let stale = (hours(recent - t) - p.tracks.segment_hour_floor).max(0.0);
            let score = d + stale * p.tracks.segment_speed_kn;
            if best.is_none_or(|b| score < b.1) {
                best = Some((k, score));
            }
        }
        match best {
            Some((k, _)) => segs[k].push(i),
            None => segs.push(vec![i]),
        }
        newest = newest.max(f.time_ms);
    }
    segs
}

/// The streams of an MMSI that several transmitters share: the segments
/// of [`segments`] with at least `identity.min_segment_fixes` fixes (and
/// two), largest first, as indices into `fixes`. For drawing and matching
/// each transmitter apart; empty when no segment is that long.
pub fn streams(fixes: &[Position], p: &Params) -> Vec<Vec<usize>> {
    let mut segs: Vec<Vec<usize>> = segments(fixes, p)
        .into_iter()
        .filter(|s| s.len() >= p.identity.min_segment_fixes.max(2))
        .collect();
    segs.sort_by_key(|s| std::cmp::Reverse(s.len()));
    segs
}

/// Phase one for one vessel.
pub fn detect_vessel(
    mmsi: u32,
    fixes: &[Position],
    ids: &[Identity],
    p: &Params,
    gaz: &Gazetteer,
) -> VesselResult {
    let mut out = VesselResult::default();
    // the fixes without noise; copied only when there is some (most
    // vessels have none, and a copy of every fix is a tenth of phase one)
    let kept: Vec<Position>;
    let fixes: &[Position] = if fixes.iter().any(|f| p.tracks.is_noise(f.sog)) {
        kept = fixes
            .iter()
            .filter(|f| !p.tracks.is_noise(f.sog))
            .cloned()
            .collect();
        &kept
    } else {
        fixes
    };
    if fixes.is_empty() {
        identity_events(mmsi, ids, &[], p, &mut out);
        return out;
    }
    let segs = segments(fixes, p);
    let span = |s: &Vec<usize>| {
        (
            fixes[s[0]].time_ms,
            fixes[*s.last().expect("non-empty")].time_ms,
        )
    };
    let mut long: Vec<usize> = (0..segs.len())
        .filter(|&k| segs[k].len() >= p.identity.min_segment_fixes)
        .collect();
    long.sort_by_key(|&k| std::cmp::Reverse(segs[k].len()));
    let mut tracks: Vec<usize> = Vec::new();
    if let Some(&main) = long.first() {
        tracks.push(main);
        let (m0, m1) = span(&segs[main]);
        let main_times: Vec<i64> = segs[main].iter().map(|&i| fixes[i].time_ms).collect();
        // Another stream whose fixes interleave with the main one is a
        // second transmitter; one during which the main stream is silent is
        // the same transmitter displaced (a jump or spoofed track).
        let mut shared: Vec<usize> = Vec::new();
        let mut shared_hours = 0.0;
        for &k in &long[1..] {
            let (s0, s1) = span(&segs[k]);
            // The stream's runs: maximal stretches with no fix of the main
            // track between them. Two transmitters heard together alternate
            // fix by fix (many runs); a spoofed position replaces the
            // track while the track is silent (one run a time), possibly
            // returning to the same false place days later.
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for (j, &i) in segs[k].iter().enumerate() {
                let t = fixes[i].time_ms;
                let joined = j > 0 && {
                    let prev = fixes[segs[k][j - 1]].time_ms;
                    let lo = main_times.partition_point(|&x| x <= prev);
                    let hi = main_times.partition_point(|&x| x < t);
                    hi <= lo
                };
                if joined {
                    runs.last_mut().expect("a run is open").1 = j;
                } else {
                    runs.push((j, j));
                }
            }
            let run_span =
                |r: &(usize, usize)| (fixes[segs[k][r.0]].time_ms, fixes[segs[k][r.1]].time_ms);
            let jumps = runs.len() <= p.identity.jump_max_repeats
                && runs.iter().all(|r| {
                    let (a, b) = run_span(r);
                    hours(b - a) <= p.identity.jump_max_hours && a >= m0 && b <= m1
                });
            if jumps {
                for r in &runs {
                    let (a, b) = run_span(r);
                    let f0 = &fixes[segs[k][r.0]];
                    let before = segs[main]
                        .iter()
                        .rev()
                        .map(|&i| &fixes[i])
                        .find(|f| f.time_ms <= a)
                        .unwrap_or(&fixes[segs[main][0]]);
                    let off = distance_nm(before.lat, before.lon, f0.lat, f0.lon);
                    let ev = evidence::PositionJump {
                        rule: "positions displaced from the vessel's own track while that track is silent, then back".into(),
                        offset_nm: off, fixes: r.1 - r.0 + 1, hours: hours(b - a), runs_of_this_stream: runs.len(),
                        implied_speed_kn: off / hours((f0.time_ms - before.time_ms).max(60_000)),
                        parameters: serde_json::json!({"jump_max_hours": p.identity.jump_max_hours, "jump_max_repeats": p.identity.jump_max_repeats, "segment_speed_kn": p.tracks.segment_speed_kn}),
                        times_at_this_false_place: None,
                    };
                    let mut e = Event::new(mmsi, a, Some(b), Some((f0.lat, f0.lon)), ev);
                    e.confidence = (0.5 + off / 200.0).min(0.95);
                    out.events.push(e);
                }
            } else if runs.len() > p.identity.jump_max_repeats {
                shared.push(k);
                shared_hours += hours(s1.min(m1) - s0.max(m0)).max(0.0);
                tracks.push(k);
            } else {
                // a separate stretch of track (e.g. after a long silence)
                tracks.push(k);
            }
        }
        if !shared.is_empty() && shared_hours >= p.identity.shared_overlap_hours {
            let s0 = shared
                .iter()
                .map(|&k| span(&segs[k]).0)
                .min()
                .unwrap_or(m0)
                .max(m0);
            let s1 = shared
                .iter()
                .map(|&k| span(&segs[k]).1)
                .max()
                .unwrap_or(m1)
                .min(m1);
            let b = &fixes[segs[shared[0]][0]];
            let a = &fixes[segs[main][0]];
            let ev = evidence::SharedMmsi {
                rule: "two position streams of one MMSI, interleaved in time, that no single ship could join".into(),
                overlap_hours: shared_hours, streams: 1 + shared.len(),
                first_positions: [[a.lat, a.lon], [b.lat, b.lon]],
                parameters: serde_json::json!({"shared_overlap_hours": p.identity.shared_overlap_hours, "segment_speed_kn": p.tracks.segment_speed_kn}),
                identity_flips: None,
            };
            let mut e = Event::new(mmsi, s0, Some(s1), Some((b.lat, b.lon)), ev);
            e.confidence = (shared_hours / (shared_hours + 24.0)).clamp(0.5, 0.95);
            out.events.push(e);
        }
    }
    // Spoofing that returns to the same false place: each jump counts the
    // jumps of this vessel within `identity.same_place_nm` of it.
    let places: Vec<(f64, f64)> = out
        .events
        .iter()
        .filter(|e| e.kind() == EventKind::PositionJump)
        .filter_map(|e| e.lat.zip(e.lon))
        .collect();
    for e in out.events.iter_mut() {
        let (Some((lat, lon)), Detail::PositionJump(j)) =
            (e.lat.zip(e.lon), &mut e.evidence.detail)
        else {
            continue;
        };
        let n = places
            .iter()
            .filter(|q| distance_nm(lat, lon, q.0, q.1) <= p.identity.same_place_nm)
            .count();
        j.times_at_this_false_place = Some(n);
    }
    // The vessel's own track: all kept segments, merged in time order.
    let mut idx: Vec<usize> = tracks
        .iter()
        .flat_map(|&k| segs[k].iter().copied())
        .collect();
    idx.sort_by_key(|&i| fixes[i].time_ms);
    // For a shared MMSI the streams are processed apart.
    let streams: Vec<Vec<usize>> = if out.events.iter().any(|e| e.kind() == EventKind::SharedMmsi) {
        tracks.iter().map(|&k| segs[k].clone()).collect()
    } else {
        vec![idx]
    };
    let moving: Vec<f32> = fixes
        .iter()
        .filter_map(|f| p.tracks.moving(f.sog))
        .collect();
    let (top, cruise) = speeds(&moving, p);
    if streams.len() == 1 {
        if let (Some(&a), Some(&z)) = (streams[0].first(), streams[0].last()) {
            let (fa, fz) = (&fixes[a], &fixes[z]);
            out.ends = Some(TrackEnds {
                first: (fa.time_ms, fa.lat, fa.lon),
                last: (fz.time_ms, fz.lat, fz.lon),
                draught_first: draught_at(ids, fa.time_ms, false),
                draught_last: draught_at(ids, fz.time_ms, true),
                top_speed_kn: top,
                cruise_kn: cruise,
            });
        }
    }
    for stream in &streams {
        let mut state = TrackState::default();
        for &i in stream {
            let step = state.push(mmsi, &fixes[i], p, gaz, (top, cruise));
            step.into_result(ids, &mut out);
        }
        state.finish(mmsi, p, gaz).into_result(ids, &mut out);
    }
    let shared = out.events.iter().any(|e| e.kind() == EventKind::SharedMmsi);
    for g in &mut out.gaps {
        g.ambiguous = shared;
    }
    let mut idr = VesselResult::default();
    identity_events(mmsi, ids, fixes, p, &mut idr);
    let flips = idr
        .events
        .iter()
        .filter(|e| e.kind() == EventKind::IdentityChange)
        .count();
    for e in idr.events {
        // two transmitters alternate identities and draughts: that is the
        // shared MMSI's evidence, not a change of the ship
        if !(shared
            && matches!(
                e.kind(),
                EventKind::IdentityChange | EventKind::DraughtChange
            ))
        {
            out.events.push(e);
        }
    }
    if shared {
        if let Some(e) = out
            .events
            .iter_mut()
            .find(|e| e.kind() == EventKind::SharedMmsi)
        {
            if let Detail::SharedMmsi(s) = &mut e.evidence.detail {
                s.identity_flips = Some(flips);
            }
            if flips > 0 {
                e.confidence = e.confidence.max(0.9);
            }
        }
    }
    out
}

/// (top, cruise) speed of a vessel from its speeds over
/// `tracks.moving_kn`: the 95th percentile times
/// `dark_port_call.speed_margin`, and the median; the configured default
/// with fewer than `tracks.min_speed_samples` values.
pub fn speeds(moving: &[f32], p: &Params) -> (f64, f64) {
    if moving.is_empty() || moving.len() < p.tracks.min_speed_samples {
        return (
            p.dark_port_call.default_speed_kn,
            p.dark_port_call.default_speed_kn * 0.9,
        );
    }
    let mut v = moving.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let p95 = v[(v.len() * 95 / 100).min(v.len() - 1)] as f64;
    let med = v[v.len() / 2] as f64;
    (p95 * p.dark_port_call.speed_margin, med)
}

fn draught_at(ids: &[Identity], t: i64, before: bool) -> Option<f32> {
    if before {
        ids.iter()
            .rev()
            .filter(|i| i.time_ms <= t)
            .find_map(|i| i.draught)
    } else {
        ids.iter()
            .filter(|i| i.time_ms >= t)
            .find_map(|i| i.draught)
    }
}

/// The streaming detectors of one track (one position stream of a
/// vessel), fed fix by fix in time order: silences, port visits and
/// loitering. The batch driver feeds each of a vessel's streams through
/// one; the live monitor feeds every vessel's fixes as they arrive.
#[derive(Debug, Default)]
pub struct TrackState {
    /// Silences.
    pub gaps: GapTracker,
    /// Port visits.
    pub ports: PortVisitTracker,
    /// Loitering at sea.
    pub loiter: LoiterTracker,
}

/// What one fix (or the end of the data) completed.
#[derive(Debug, Default)]
pub struct Step {
    /// A silence the fix ended (draughts still to fill in).
    pub gap: Option<Gap>,
    /// A port visit the fix ended.
    pub visit: Option<Event>,
    /// Loitering the fix ended: the event and (start, end, lat, lon).
    pub loiter: Option<(Event, (i64, i64, f64, f64))>,
}

impl Step {
    /// Into a vessel's batch result, gap draughts from its identity reports.
    fn into_result(self, ids: &[Identity], out: &mut VesselResult) {
        if let Some(mut g) = self.gap {
            g.draught_before = draught_at(ids, g.t0, true);
            g.draught_after = draught_at(ids, g.t1, false);
            out.gaps.push(g);
        }
        out.events.extend(self.visit);
        if let Some((e, l)) = self.loiter {
            out.events.push(e);
            out.loiters.push(l);
        }
    }
}

impl TrackState {
    /// Feeds one fix; `sp` is the vessel's (top, cruise) speed for gaps.
    pub fn push(
        &mut self,
        mmsi: u32,
        f: &Position,
        p: &Params,
        gaz: &Gazetteer,
        sp: (f64, f64),
    ) -> Step {
        Step {
            gap: self.gaps.push(mmsi, f, p, sp),
            visit: self.ports.push(mmsi, f, p, gaz),
            loiter: self.loiter.push(mmsi, f, p, gaz),
        }
    }

    /// What is still open at the end of the data: a port visit (its exit
    /// not seen) and loitering in progress.
    pub fn finish(&mut self, mmsi: u32, p: &Params, gaz: &Gazetteer) -> Step {
        Step {
            gap: None,
            visit: self.ports.finish(mmsi, p, gaz),
            loiter: self.loiter.finish(mmsi, p, gaz),
        }
    }
}

/// Streaming gap detector: fed one track's fixes in time order, it
/// yields a [`Gap`] whenever a fix follows a silence of at least
/// `gaps.min_hours`. Draughts are filled in by the caller, which knows
/// the identity reports.
#[derive(Debug, Default)]
pub struct GapTracker {
    last: Option<(i64, f64, f64, Option<f32>)>,
}

/// The course of a fix when the vessel was moving (over 1 kn).
fn moving_cog(f: &Position) -> Option<f32> {
    f.cog.filter(|_| f.sog.is_some_and(|s| s > 1.0))
}

impl GapTracker {
    /// Feeds one fix; returns the silence it ended, if long enough.
    pub fn push(&mut self, mmsi: u32, f: &Position, p: &Params, sp: (f64, f64)) -> Option<Gap> {
        let prev = self.last.replace((f.time_ms, f.lat, f.lon, moving_cog(f)));
        let (t0, lat, lon, cog_a) = prev?;
        (hours(f.time_ms - t0) >= p.gaps.min_hours).then_some(Gap {
            mmsi,
            t0,
            t1: f.time_ms,
            a: (lat, lon),
            b: (f.lat, f.lon),
            draught_before: None,
            draught_after: None,
            top_speed_kn: sp.0,
            cruise_kn: sp.1,
            ambiguous: false,
            reappeared_as: None,
            cog_a,
            cog_b: moving_cog(f),
        })
    }
}

/// The port-visit state machine (Global Fishing Watch's, over port
/// reference points and user areas): entry and exit with hysteresis, stops
/// and in-port gaps, confidence levels 1-4. Fed fixes in time order; a
/// visit is emitted when the vessel leaves, or by [`PortVisitTracker::finish`]
/// at the end of the data.
#[derive(Debug, Default)]
pub struct PortVisitTracker {
    cur: Option<Visit>,
    prev_outside: bool,
}

#[derive(Debug, Clone)]
struct Visit {
    port: usize,
    t0: i64,
    last: i64,
    entered: bool,
    stopped: bool,
    stops: u32,
    in_stop: bool,
    fixes: u32,
}

impl PortVisitTracker {
    /// Feeds one fix; returns a visit that this fix ended.
    pub fn push(&mut self, mmsi: u32, f: &Position, p: &Params, gaz: &Gazetteer) -> Option<Event> {
        let near = gaz.locate(f.lat, f.lon, p.ports.entry_km, p.ports.exit_km);
        let sog = f.sog.unwrap_or(0.0);
        let mut done = None;
        match self.cur.as_mut() {
            Some(v) if near.is_some_and(|(i, _)| i == v.port) => {
                if hours(f.time_ms - v.last) >= p.ports.port_gap_hours {
                    v.stopped = true;
                }
                if sog <= p.ports.stop_kn && !v.in_stop {
                    v.in_stop = true;
                    v.stopped = true;
                    v.stops += 1;
                } else if sog > p.ports.moving_kn {
                    v.in_stop = false;
                }
                v.last = f.time_ms;
                v.fixes += 1;
            }
            _ => {
                if let Some(v) = self.cur.take() {
                    done = visit_event(mmsi, v, true, p, gaz);
                    self.prev_outside = true;
                }
                match near {
                    Some((i, true)) => {
                        let stop = sog <= p.ports.stop_kn;
                        self.cur = Some(Visit {
                            port: i,
                            t0: f.time_ms,
                            last: f.time_ms,
                            entered: self.prev_outside,
                            stopped: stop,
                            stops: stop as u32,
                            in_stop: stop,
                            fixes: 1,
                        });
                    }
                    _ => self.prev_outside = true,
                }
            }
        }
        done
    }

    /// The place (gazetteer index) of the visit in progress, if any: how a
    /// live watcher sees a vessel enter a port before the visit ends.
    pub fn current_port(&self) -> Option<usize> {
        self.cur.as_ref().map(|v| v.port)
    }

    /// The visit in progress, if any (its exit not seen).
    pub fn finish(&mut self, mmsi: u32, p: &Params, gaz: &Gazetteer) -> Option<Event> {
        self.cur
            .take()
            .and_then(|v| visit_event(mmsi, v, false, p, gaz))
    }
}

fn visit_event(mmsi: u32, v: Visit, exited: bool, p: &Params, gaz: &Gazetteer) -> Option<Event> {
    let stop = v.stopped;
    let level = match (stop, v.entered, exited) {
        (true, true, true) => 4,
        (true, true, false) | (true, false, true) => 3,
        (true, false, false) => 2,
        _ => 1,
    };
    if level < p.ports.min_level {
        return None;
    }
    let pl = &gaz.places[v.port];
    let ev = evidence::PortVisit {
        level,
        entry_seen: v.entered,
        exit_seen: exited,
        stopped_or_port_gap: stop,
        stops: v.stops,
        fixes: v.fixes,
        hours: hours(v.last - v.t0),
        user_area: gaz.is_fence(v.port),
        parameters: serde_json::json!({"entry_km": p.ports.entry_km, "exit_km": p.ports.exit_km, "stop_kn": p.ports.stop_kn, "moving_kn": p.ports.moving_kn, "port_gap_hours": p.ports.port_gap_hours}),
    };
    let mut e = Event::new(mmsi, v.t0, Some(v.last), Some((pl.lat, pl.lon)), ev);
    e.port = Some(crate::event::PortRef {
        name: pl.name.clone(),
        locode: pl.locode.clone(),
    });
    e.confidence = level as f64 / 4.0;
    Some(e)
}

/// Streaming loitering detector, fix by fix: a run of slow fixes (speed
/// under `max_hourly_kn`, farther than `min_port_distance_km` from a port)
/// with no silence over `max_silent_hours` inside it, lasting at least
/// `min_hours`, is loitering. One fast fix between slow ones is a speed
/// glitch and does not end a run (a median of three). A run's edges are
/// put halfway between its first (last) slow fix and the fix before
/// (after) it when that fix is at most [`EDGE_GAP_MS`] away, so a stop is
/// not shortened by up to a reporting interval at each end; farther
/// apart, the edge is the slow fix itself.
#[derive(Debug, Default)]
pub struct LoiterTracker {
    run: Option<Run>,
    /// A fast fix after the run, held until the next fix says whether it
    /// was a glitch: its time.
    held: Option<i64>,
    last_ms: Option<i64>,
    /// The last port lookup: where, and the nearest port's distance
    /// within [`PORT_LOOKUP_PAD_KM`] beyond the limit (None: farther).
    near: Option<(f64, f64, Option<f64>)>,
}

/// How far beyond `loitering.min_port_distance_km` a port lookup looks, so
/// that later fixes within this distance of it can be decided without a
/// new lookup (the triangle inequality), km.
const PORT_LOOKUP_PAD_KM: f64 = 5.0;

/// Distance between two nearby positions, km (equirectangular: good to a
/// fraction of a percent over a few km, which is all it is used for).
fn near_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dy = (a.0 - b.0) * 110.57;
    let mut dl = (a.1 - b.1).abs();
    if dl > 180.0 {
        dl = 360.0 - dl;
    }
    let dx = dl * 111.32 * ((a.0 + b.0) * 0.5).to_radians().cos();
    (dx * dx + dy * dy).sqrt()
}

/// Longest interval from a run's edge fix to its neighbour over which the
/// edge is interpolated (the midpoint), ms: two Class A reporting
/// intervals at anchor (3 min) or one Class B interval at sea are well
/// within it; a satellite revisit is not.
pub const EDGE_GAP_MS: i64 = 30 * 60_000;

#[derive(Debug, Clone, Copy)]
struct Run {
    /// Estimated start (see [`EDGE_GAP_MS`]).
    t0: i64,
    first: i64,
    last: i64,
    n: u32,
    sog: f64,
    lat: f64,
    lon: f64,
}

/// The end of a run whose last slow fix is at `last`, the next fix at
/// `next`.
fn edge(last: i64, next: i64) -> i64 {
    if next - last <= EDGE_GAP_MS {
        last + (next - last) / 2
    } else {
        last
    }
}

impl LoiterTracker {
    /// Whether a fix counts as slow at sea; port lookups are cached for a
    /// vessel that has not moved.
    fn slow(&mut self, f: &Position, p: &Params, gaz: &Gazetteer) -> bool {
        let sog = f.sog.unwrap_or(0.0) as f64;
        if sog >= p.loitering.max_hourly_kn {
            return false;
        }
        let limit = p.loitering.min_port_distance_km;
        let known = self.near.and_then(|(la, lo, d)| {
            let moved = near_km((la, lo), (f.lat, f.lon));
            match d {
                Some(d) if d + moved <= limit => Some(true),
                Some(d) if d - moved > limit => Some(false),
                None if moved < PORT_LOOKUP_PAD_KM => Some(false),
                _ => None,
            }
        });
        let near = known.unwrap_or_else(|| {
            let d = gaz
                .nearest(f.lat, f.lon, limit + PORT_LOOKUP_PAD_KM)
                .map(|x| x.1);
            self.near = Some((f.lat, f.lon, d));
            d.is_some_and(|d| d <= limit)
        });
        !near
    }

    /// Feeds one fix; returns loitering that ended before it.
    pub fn push(
        &mut self,
        mmsi: u32,
        f: &Position,
        p: &Params,
        gaz: &Gazetteer,
    ) -> Option<(Event, (i64, i64, f64, f64))> {
        let t = f.time_ms;
        let prev = self.last_ms.replace(t);
        let slow = self.slow(f, p, gaz);
        let silent_ms = (p.loitering.max_silent_hours * 3_600_000.0) as i64;
        let mut done = None;
        if let Some(r) = self.run {
            let silence = t - self.held.unwrap_or(r.last) > silent_ms;
            if silence || (!slow && self.held.is_some()) {
                // the run ended: at the held fast fix, or at a silence
                let end = self.held.take().map_or(r.last, |h| edge(r.last, h));
                self.run = None;
                done = loiter_event(mmsi, r, end, p);
            } else if !slow {
                self.held = Some(t);
                return None;
            }
        }
        if slow {
            match self.run.as_mut() {
                Some(r) => {
                    self.held = None;
                    r.last = t;
                    r.n += 1;
                    r.sog += f.sog.unwrap_or(0.0) as f64;
                    r.lat += f.lat;
                    r.lon += f.lon;
                }
                None => {
                    let t0 = match prev {
                        Some(a) if t - a <= EDGE_GAP_MS => a + (t - a) / 2,
                        _ => t,
                    };
                    self.run = Some(Run {
                        t0,
                        first: t,
                        last: t,
                        n: 1,
                        sog: f.sog.unwrap_or(0.0) as f64,
                        lat: f.lat,
                        lon: f.lon,
                    });
                }
            }
        }
        done
    }

    /// Loitering in progress at the end of the data.
    pub fn finish(
        &mut self,
        mmsi: u32,
        p: &Params,
        _gaz: &Gazetteer,
    ) -> Option<(Event, (i64, i64, f64, f64))> {
        let held = self.held.take();
        self.run
            .take()
            .and_then(|r| loiter_event(mmsi, r, held.map_or(r.last, |h| edge(r.last, h)), p))
    }
}

fn loiter_event(mmsi: u32, r: Run, end: i64, p: &Params) -> Option<(Event, (i64, i64, f64, f64))> {
    let hrs = hours(end - r.t0);
    if hrs < p.loitering.min_hours {
        return None;
    }
    let n = r.n as f64;
    let (lat, lon) = (r.lat / n, r.lon / n);
    let ev = evidence::Loitering {
        hours: hrs,
        mean_speed_kn: r.sog / n,
        fixes: r.n,
        first_slow_fix: Time(r.first),
        last_slow_fix: Time(r.last),
        parameters: serde_json::json!({"max_hourly_kn": p.loitering.max_hourly_kn, "min_hours": p.loitering.min_hours, "min_port_distance_km": p.loitering.min_port_distance_km, "max_silent_hours": p.loitering.max_silent_hours}),
    };
    let mut e = Event::new(mmsi, r.t0, Some(end), Some((lat, lon)), ev);
    e.confidence = (0.5 + hrs / 24.0).min(0.9);
    Some((e, (r.t0, end, lat, lon)))
}

fn identity_events(
    mmsi: u32,
    ids: &[Identity],
    fixes: &[Position],
    p: &Params,
    out: &mut VesselResult,
) {
    let pos_at = |t: i64| {
        fixes
            .iter()
            .rev()
            .find(|f| f.time_ms <= t)
            .or(fixes.first())
            .map(|f| (f.lat, f.lon))
    };
    // draught changes
    let mut last: Option<(i64, f32)> = None;
    for i in ids {
        if let Some(d) = i.draught {
            if let Some((t0, d0)) = last {
                if (d - d0).abs() >= p.draught.min_change_m {
                    let ev = evidence::DraughtChange {
                        from_m: d0,
                        to_m: d,
                        loaded: d > d0,
                        parameters: serde_json::json!({"min_change_m": p.draught.min_change_m}),
                    };
                    let mut e = Event::new(mmsi, t0, Some(i.time_ms), pos_at(i.time_ms), ev);
                    e.confidence = 0.9;
                    out.events.push(e);
                }
            }
            last = Some((i.time_ms, d));
        }
    }
    // name / callsign / IMO / ship type changes on this MMSI, each field
    // against its last broadcast value (class B splits its identity over
    // type 24 parts A and B, so one report rarely carries every field)
    let mut name: Option<&String> = None;
    let mut callsign: Option<&String> = None;
    let mut imo: Option<u32> = None;
    let mut ship_type: Option<u8> = None;
    let mut last_t: Option<i64> = None;
    for i in ids {
        let mut changed = Vec::new();
        if let (Some(new), Some(old)) = (i.name.as_ref(), name) {
            if new != old {
                changed.push(FieldChange {
                    field: "name".into(),
                    from: FieldValue::Text(old.clone()),
                    to: FieldValue::Text(new.clone()),
                });
            }
        }
        if let (Some(new), Some(old)) = (i.callsign.as_ref(), callsign) {
            if new != old {
                changed.push(FieldChange {
                    field: "callsign".into(),
                    from: FieldValue::Text(old.clone()),
                    to: FieldValue::Text(new.clone()),
                });
            }
        }
        if let (Some(new), Some(old)) = (i.imo, imo) {
            if new != old {
                changed.push(FieldChange {
                    field: "imo".into(),
                    from: FieldValue::Number(old),
                    to: FieldValue::Number(new),
                });
            }
        }
        if let (Some(new), Some(old)) = (i.ship_type, ship_type) {
            if new != old {
                changed.push(FieldChange {
                    field: "ship_type".into(),
                    from: FieldValue::Number(old.into()),
                    to: FieldValue::Number(new.into()),
                });
            }
        }
        if !changed.is_empty() {
            let t0 = last_t.unwrap_or(i.time_ms);
            let ev = evidence::IdentityChange::Fields(evidence::FieldsChanged {
                rule: "identity fields broadcast by one MMSI changed".into(),
                changes: changed,
            });
            let mut e = Event::new(mmsi, t0, Some(i.time_ms), pos_at(i.time_ms), ev);
            e.confidence = 0.8;
            out.events.push(e);
        }
        name = i.name.as_ref().or(name);
        callsign = i.callsign.as_ref().or(callsign);
        imo = i.imo.or(imo);
        ship_type = i.ship_type.or(ship_type);
        if i.name.is_some() || i.callsign.is_some() || i.imo.is_some() || i.ship_type.is_some() {
            last_t = Some(i.time_ms);
        }
    }
}
