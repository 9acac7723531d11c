//! Per-vessel detectors, fed one MMSI's fixes in time order: segmentation
//! (shared MMSIs, position jumps), AIS gaps, port visits, loitering,
//! draught and identity changes.

use crate::event::Event;
use crate::gazetteer::Gazetteer;
use crate::params::Params;
use sea::geo::distance_nm;
use store::{Identity, Position};

/// A silence of one vessel, kept for the second phase (reception density,
/// dark port calls).
#[derive(Debug, Clone)]
pub struct Gap {
    pub mmsi: u32,
    pub t0: i64,
    pub t1: i64,
    pub a: (f64, f64),
    pub b: (f64, f64),
    pub draught_before: Option<f32>,
    pub draught_after: Option<f32>,
    /// The vessel's top speed estimate, knots.
    pub top_speed_kn: f64,
    /// Typical cruising speed, knots.
    pub cruise_kn: f64,
    /// The MMSI is shared by two transmitters: which one fell silent is
    /// unknown, so no dark port call is inferred from this gap.
    pub ambiguous: bool,
}

/// What phase one finds for one vessel.
#[derive(Debug, Default)]
pub struct VesselResult {
    pub events: Vec<Event>,
    pub gaps: Vec<Gap>,
    /// Loitering windows at sea: (start, end, lat, lon).
    pub loiters: Vec<(i64, i64, f64, f64)>,
}

fn hours(ms: i64) -> f64 {
    ms as f64 / 3_600_000.0
}

/// Splits fixes into segments of mutually consistent positions.
pub fn segments(fixes: &[Position], p: &Params) -> Vec<Vec<usize>> {
    let mut segs: Vec<Vec<usize>> = Vec::new();
    for (i, f) in fixes.iter().enumerate() {
        let mut best: Option<(usize, f64)> = None;
        for (k, s) in segs.iter().enumerate() {
            let last = &fixes[*s.last().expect("segments are never empty")];
            let dt = hours(f.time_ms - last.time_ms);
            let allowed = dt.hypot(p.tracks.segment_hour_floor) * p.tracks.segment_speed_kn;
            let d = distance_nm(last.lat, last.lon, f.lat, f.lon);
            if d <= allowed && best.is_none_or(|b| d < b.1) {
                best = Some((k, d));
            }
        }
        match best {
            Some((k, _)) => segs[k].push(i),
            None => segs.push(vec![i]),
        }
    }
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
    let fixes: Vec<Position> = fixes
        .iter()
        .filter(|f| {
            !f.sog.is_some_and(|s| {
                p.tracks
                    .noise_speeds_kn
                    .iter()
                    .any(|n| (s - n).abs() < 0.05)
            })
        })
        .cloned()
        .collect();
    if fixes.is_empty() {
        identity_events(mmsi, ids, &[], p, &mut out);
        return out;
    }
    let segs = segments(&fixes, p);
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
            let lo = main_times.partition_point(|&t| t < s0);
            let hi = main_times.partition_point(|&t| t <= s1);
            let interleaved = hi - lo;
            let dur = hours(s1 - s0);
            if interleaved >= p.identity.min_segment_fixes {
                shared.push(k);
                shared_hours += hours(s1.min(m1) - s0.max(m0)).max(0.0);
                tracks.push(k);
            } else if dur <= p.identity.jump_max_hours && s0 >= m0 && s1 <= m1 {
                let f0 = &fixes[segs[k][0]];
                let before = segs[main]
                    .iter()
                    .rev()
                    .map(|&i| &fixes[i])
                    .find(|f| f.time_ms <= s0)
                    .unwrap_or(&fixes[segs[main][0]]);
                let off = distance_nm(before.lat, before.lon, f0.lat, f0.lon);
                let mut e = Event::new("position_jump", mmsi, s0, Some(s1), Some((f0.lat, f0.lon)));
                e.confidence = (0.5 + off / 200.0).min(0.95);
                e.evidence = serde_json::json!({
                    "rule": "positions displaced from the vessel's own track while that track is silent, then back",
                    "offset_nm": off, "fixes": segs[k].len(), "hours": dur,
                    "implied_speed_kn": off / hours((f0.time_ms - before.time_ms).max(60_000)),
                    "parameters": {"jump_max_hours": p.identity.jump_max_hours, "segment_speed_kn": p.tracks.segment_speed_kn}
                });
                out.events.push(e);
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
            let mut e = Event::new("shared_mmsi", mmsi, s0, Some(s1), Some((b.lat, b.lon)));
            e.confidence = (shared_hours / (shared_hours + 24.0)).clamp(0.5, 0.95);
            e.evidence = serde_json::json!({
                "rule": "two position streams of one MMSI, interleaved in time, that no single ship could join",
                "overlap_hours": shared_hours, "streams": 1 + shared.len(),
                "first_positions": [[a.lat, a.lon], [b.lat, b.lon]],
                "parameters": {"shared_overlap_hours": p.identity.shared_overlap_hours, "segment_speed_kn": p.tracks.segment_speed_kn}
            });
            out.events.push(e);
        }
    }
    // The vessel's own track: all kept segments, merged in time order.
    let mut idx: Vec<usize> = tracks
        .iter()
        .flat_map(|&k| segs[k].iter().copied())
        .collect();
    idx.sort_by_key(|&i| fixes[i].time_ms);
    // For a shared MMSI the streams are processed apart.
    let streams: Vec<Vec<usize>> = if out.events.iter().any(|e| e.kind == "shared_mmsi") {
        tracks.iter().map(|&k| segs[k].clone()).collect()
    } else {
        vec![idx]
    };
    let moving: Vec<f32> = fixes
        .iter()
        .filter_map(|f| f.sog)
        .filter(|&s| s > 3.0)
        .collect();
    let (top, cruise) = speeds(&moving, p);
    for stream in &streams {
        let track: Vec<&Position> = stream.iter().map(|&i| &fixes[i]).collect();
        gaps(mmsi, &track, ids, p, top, cruise, &mut out);
        port_visits(mmsi, &track, p, gaz, &mut out);
        loitering(mmsi, &track, p, gaz, &mut out);
    }
    let shared = out.events.iter().any(|e| e.kind == "shared_mmsi");
    for g in &mut out.gaps {
        g.ambiguous = shared;
    }
    let mut idr = VesselResult::default();
    identity_events(mmsi, ids, &fixes, p, &mut idr);
    let flips = idr
        .events
        .iter()
        .filter(|e| e.kind == "identity_change")
        .count();
    for e in idr.events {
        // two transmitters alternate identities and draughts: that is the
        // shared MMSI's evidence, not a change of the ship
        if !(shared && (e.kind == "identity_change" || e.kind == "draught_change")) {
            out.events.push(e);
        }
    }
    if shared {
        if let Some(e) = out.events.iter_mut().find(|e| e.kind == "shared_mmsi") {
            e.evidence["identity_flips"] = serde_json::json!(flips);
            if flips > 0 {
                e.confidence = e.confidence.max(0.9);
            }
        }
    }
    out
}

fn speeds(moving: &[f32], p: &Params) -> (f64, f64) {
    if moving.len() < 10 {
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

fn gaps(
    mmsi: u32,
    track: &[&Position],
    ids: &[Identity],
    p: &Params,
    top: f64,
    cruise: f64,
    out: &mut VesselResult,
) {
    for w in track.windows(2) {
        let (a, b) = (w[0], w[1]);
        if hours(b.time_ms - a.time_ms) >= p.gaps.min_hours {
            out.gaps.push(Gap {
                mmsi,
                t0: a.time_ms,
                t1: b.time_ms,
                a: (a.lat, a.lon),
                b: (b.lat, b.lon),
                draught_before: draught_at(ids, a.time_ms, true),
                draught_after: draught_at(ids, b.time_ms, false),
                top_speed_kn: top,
                cruise_kn: cruise,
                ambiguous: false,
            });
        }
    }
}

/// The port-visit state machine (Global Fishing Watch's, over port
/// reference points): entry and exit with hysteresis, stops and in-port
/// gaps, confidence levels 1-4.
pub fn port_visits(
    mmsi: u32,
    track: &[&Position],
    p: &Params,
    gaz: &Gazetteer,
    out: &mut VesselResult,
) {
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
    let mut cur: Option<Visit> = None;
    let mut prev_outside = false;
    let close = |v: Visit, exited: bool, out: &mut VesselResult| {
        let stop = v.stopped;
        let level = match (stop, v.entered, exited) {
            (true, true, true) => 4,
            (true, true, false) | (true, false, true) => 3,
            (true, false, false) => 2,
            _ => 1,
        };
        if level < p.ports.min_level {
            return;
        }
        let pl = &gaz.places[v.port];
        let mut e = Event::new(
            "port_visit",
            mmsi,
            v.t0,
            Some(v.last),
            Some((pl.lat, pl.lon)),
        );
        e.port = Some(crate::event::PortRef {
            name: pl.name.clone(),
            locode: pl.locode.clone(),
        });
        e.confidence = level as f64 / 4.0;
        e.evidence = serde_json::json!({
            "level": level, "entry_seen": v.entered, "exit_seen": exited, "stopped_or_port_gap": stop, "stops": v.stops, "fixes": v.fixes,
            "hours": hours(v.last - v.t0),
            "parameters": {"entry_km": p.ports.entry_km, "exit_km": p.ports.exit_km, "stop_kn": p.ports.stop_kn, "moving_kn": p.ports.moving_kn, "port_gap_hours": p.ports.port_gap_hours}
        });
        out.events.push(e);
    };
    for f in track {
        let near = gaz.nearest(f.lat, f.lon, p.ports.exit_km);
        let sog = f.sog.unwrap_or(0.0);
        match cur.as_mut() {
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
                if let Some(v) = cur.take() {
                    close(v, true, out);
                    prev_outside = true;
                }
                match near {
                    Some((i, d)) if d <= p.ports.entry_km => {
                        let stop = sog <= p.ports.stop_kn;
                        cur = Some(Visit {
                            port: i,
                            t0: f.time_ms,
                            last: f.time_ms,
                            entered: prev_outside,
                            stopped: stop,
                            stops: stop as u32,
                            in_stop: stop,
                            fixes: 1,
                        });
                    }
                    _ => prev_outside = true,
                }
            }
        }
    }
    if let Some(v) = cur.take() {
        close(v, false, out);
    }
}

/// Loitering: consecutive hours with a mean speed under the threshold, away
/// from ports.
pub fn loitering(
    mmsi: u32,
    track: &[&Position],
    p: &Params,
    gaz: &Gazetteer,
    out: &mut VesselResult,
) {
    let hour = 3_600_000i64;
    // hourly bins: (hour, sum sog, n, sum lat, sum lon, first t, last t)
    let mut bins: Vec<(i64, f64, u32, f64, f64, i64, i64)> = Vec::new();
    for f in track {
        let h = f.time_ms.div_euclid(hour);
        match bins.last_mut() {
            Some(b) if b.0 == h => {
                b.1 += f.sog.unwrap_or(0.0) as f64;
                b.2 += 1;
                b.3 += f.lat;
                b.4 += f.lon;
                b.6 = f.time_ms;
            }
            _ => bins.push((
                h,
                f.sog.unwrap_or(0.0) as f64,
                1,
                f.lat,
                f.lon,
                f.time_ms,
                f.time_ms,
            )),
        }
    }
    let slow = |b: &(i64, f64, u32, f64, f64, i64, i64)| {
        let (lat, lon) = (b.3 / b.2 as f64, b.4 / b.2 as f64);
        b.1 / (b.2 as f64) < p.loitering.max_hourly_kn
            && gaz
                .nearest(lat, lon, p.loitering.min_port_distance_km)
                .is_none()
    };
    let mut i = 0;
    while i < bins.len() {
        if !slow(&bins[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < bins.len()
            && bins[j + 1].0 - bins[j].0 <= 1 + p.loitering.max_silent_hours as i64
            && slow(&bins[j + 1])
        {
            j += 1;
        }
        let (t0, t1) = (bins[i].5, bins[j].6);
        if hours(t1 - t0) >= p.loitering.min_hours {
            let n: u32 = bins[i..=j].iter().map(|b| b.2).sum();
            let lat = bins[i..=j].iter().map(|b| b.3).sum::<f64>() / n as f64;
            let lon = bins[i..=j].iter().map(|b| b.4).sum::<f64>() / n as f64;
            let mean = bins[i..=j].iter().map(|b| b.1).sum::<f64>() / n as f64;
            let mut e = Event::new("loitering", mmsi, t0, Some(t1), Some((lat, lon)));
            e.confidence = (0.5 + hours(t1 - t0) / 24.0).min(0.9);
            e.evidence = serde_json::json!({
                "hours": hours(t1 - t0), "mean_speed_kn": mean, "fixes": n,
                "parameters": {"max_hourly_kn": p.loitering.max_hourly_kn, "min_hours": p.loitering.min_hours, "min_port_distance_km": p.loitering.min_port_distance_km}
            });
            out.events.push(e);
            out.loiters.push((t0, t1, lat, lon));
        }
        i = j + 1;
    }
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
                    let mut e = Event::new(
                        "draught_change",
                        mmsi,
                        t0,
                        Some(i.time_ms),
                        pos_at(i.time_ms),
                    );
                    e.confidence = 0.9;
                    e.evidence = serde_json::json!({"from_m": d0, "to_m": d, "loaded": d > d0, "parameters": {"min_change_m": p.draught.min_change_m}});
                    out.events.push(e);
                }
            }
            last = Some((i.time_ms, d));
        }
    }
    // name / callsign / IMO changes on this MMSI
    let mut prev: Option<&Identity> = None;
    for i in ids {
        if let Some(pv) = prev {
            let mut changed = Vec::new();
            if i.name.is_some() && pv.name.is_some() && i.name != pv.name {
                changed.push(serde_json::json!({"field": "name", "from": pv.name, "to": i.name}));
            }
            if i.callsign.is_some() && pv.callsign.is_some() && i.callsign != pv.callsign {
                changed.push(
                    serde_json::json!({"field": "callsign", "from": pv.callsign, "to": i.callsign}),
                );
            }
            if i.imo.is_some() && pv.imo.is_some() && i.imo != pv.imo {
                changed.push(serde_json::json!({"field": "imo", "from": pv.imo, "to": i.imo}));
            }
            if !changed.is_empty() {
                let mut e = Event::new(
                    "identity_change",
                    mmsi,
                    pv.time_ms,
                    Some(i.time_ms),
                    pos_at(i.time_ms),
                );
                e.confidence = 0.8;
                e.evidence = serde_json::json!({"changes": changed});
                out.events.push(e);
            }
        }
        if i.name.is_some() || i.callsign.is_some() || i.imo.is_some() {
            prev = Some(i);
        }
    }
}
