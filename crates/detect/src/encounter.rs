//! Encounters: two vessels close together, slow, for a while, away from
//! ports. A space-time index (cells of about 1 km, 10-minute buckets) makes
//! the cost grow with the number of fixes, not of vessel pairs. The store is
//! read one day at a time; meetings that cross midnight are joined.

use crate::event::Event;
use crate::gazetteer::Gazetteer;
use crate::params::Params;
use sea::geo::distance_nm;
use std::collections::HashMap;

/// Per pair of MMSIs: the buckets in which they were close, with position
/// and both speeds.
pub type PairHits = HashMap<(u32, u32), Vec<(i64, f64, f64, f32, f32)>>;

/// Index one slice of fixes (mmsi, t, lat, lon, sog) and record close pairs.
pub fn index_slice(fixes: &[(u32, i64, f64, f64, f32)], p: &Params, hits: &mut PairHits) {
    let bucket_ms = p.encounters.bucket_minutes.max(1) * 60_000;
    // cell size ~1 km: 0.01° latitude
    let cell = 0.01f64;
    let mut grid: HashMap<(i64, i64, i64), Vec<usize>> = HashMap::new();
    // one fix per vessel and bucket is enough (the latest)
    let mut last: HashMap<(u32, i64), usize> = HashMap::new();
    for (i, f) in fixes.iter().enumerate() {
        last.insert((f.0, f.1.div_euclid(bucket_ms)), i);
    }
    let key = |f: &(u32, i64, f64, f64, f32)| {
        let k = f.2.to_radians().cos().max(0.05);
        (
            f.1.div_euclid(bucket_ms),
            (f.2 / cell).floor() as i64,
            (f.3 * k / cell).floor() as i64,
        )
    };
    for &i in last.values() {
        grid.entry(key(&fixes[i])).or_default().push(i);
    }
    let max_nm = p.encounters.max_distance_km / 1.852;
    for (&(b, cy, cx), members) in &grid {
        for &i in members {
            let a = &fixes[i];
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let Some(others) = grid.get(&(b, cy + dy, cx + dx)) else {
                        continue;
                    };
                    for &j in others {
                        let o = &fixes[j];
                        if o.0 <= a.0 {
                            continue;
                        }
                        if distance_nm(a.2, a.3, o.2, o.3) <= max_nm {
                            hits.entry((a.0, o.0)).or_default().push((
                                b,
                                (a.2 + o.2) / 2.0,
                                (a.3 + o.3) / 2.0,
                                a.4,
                                o.4,
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Turns pair hits into encounter events.
pub fn encounters(hits: &mut PairHits, p: &Params, gaz: &Gazetteer) -> Vec<Event> {
    let bucket_ms = p.encounters.bucket_minutes.max(1) * 60_000;
    let merge = (p.encounters.merge_hours * 3_600_000.0) as i64 / bucket_ms;
    let mut out = Vec::new();
    let mut pairs: Vec<_> = hits.keys().copied().collect();
    pairs.sort();
    for pair in pairs {
        let v = hits.get_mut(&pair).expect("key from the map");
        // Ships side by side in a port are berthed, not meeting: drop hits
        // near a port before joining them into runs.
        v.retain(|h| {
            gaz.nearest(h.1, h.2, p.encounters.min_port_distance_km)
                .is_none()
        });
        v.sort_by_key(|h| h.0);
        v.dedup_by_key(|h| h.0);
        let mut i = 0;
        while i < v.len() {
            let mut j = i;
            while j + 1 < v.len() && v[j + 1].0 - v[j].0 <= merge.max(1) {
                j += 1;
            }
            let run = &v[i..=j];
            let t0 = run[0].0 * bucket_ms;
            let t1 = (run[run.len() - 1].0 + 1) * bucket_ms;
            let hrs = (t1 - t0) as f64 / 3_600_000.0;
            let mut speeds: Vec<f32> = run.iter().flat_map(|h| [h.3, h.4]).collect();
            speeds.sort_by(|a, b| a.total_cmp(b));
            let median = speeds[speeds.len() / 2];
            let lat = run.iter().map(|h| h.1).sum::<f64>() / run.len() as f64;
            let lon = run.iter().map(|h| h.2).sum::<f64>() / run.len() as f64;
            let near_port = gaz.nearest(lat, lon, p.encounters.min_port_distance_km);
            if hrs >= p.encounters.min_hours
                && median < p.encounters.max_median_kn
                && near_port.is_none()
            {
                let mut e = Event::new("encounter", pair.0, t0, Some(t1), Some((lat, lon)));
                e.other_mmsi = Some(pair.1);
                e.confidence = (0.6 + hrs / 20.0).min(0.95);
                e.evidence = serde_json::json!({
                    "hours": hrs, "close_buckets": run.len(), "median_speed_kn": median,
                    "parameters": {"max_distance_km": p.encounters.max_distance_km, "min_hours": p.encounters.min_hours, "max_median_kn": p.encounters.max_median_kn, "min_port_distance_km": p.encounters.min_port_distance_km, "bucket_minutes": p.encounters.bucket_minutes}
                });
                out.push(e);
            }
            i = j + 1;
        }
    }
    out
}
