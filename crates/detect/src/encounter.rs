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

/// Whether a pair's midpoint is far enough from every port to count
/// (`encounters.min_port_distance_km`), answered per ~1 km cell where the
/// whole cell is clearly out or in, and exactly otherwise.
struct PortFilter<'a> {
    gaz: &'a Gazetteer,
    km: f64,
    cells: HashMap<(i64, i64), Option<bool>>,
}

impl PortFilter<'_> {
    fn away(&mut self, lat: f64, lon: f64) -> bool {
        // A midpoint lies within 1.5 km of the centre of the cell of 0.01°
        // it falls in; decide the cell once when that margin settles it.
        let key = ((lat * 100.0).floor() as i64, (lon * 100.0).floor() as i64);
        let (gaz, km) = (self.gaz, self.km);
        let verdict = *self.cells.entry(key).or_insert_with(|| {
            let (clat, clon) = ((key.0 as f64 + 0.5) / 100.0, (key.1 as f64 + 0.5) / 100.0);
            if gaz.nearest(clat, clon, km + 1.5).is_none() {
                Some(true)
            } else if km > 1.5 && gaz.nearest(clat, clon, km - 1.5).is_some() {
                Some(false)
            } else {
                None
            }
        });
        verdict.unwrap_or_else(|| gaz.nearest(lat, lon, km).is_none())
    }
}

/// Index one slice of fixes (mmsi, t, lat, lon, sog) and record close
/// pairs. Pairs side by side in a port are berthed, not meeting: they are
/// dropped here, so months of ships moored together cost no memory.
pub fn index_slice(
    fixes: &[(u32, i64, f64, f64, f32)],
    p: &Params,
    gaz: &Gazetteer,
    hits: &mut PairHits,
) {
    let mut ports = PortFilter {
        gaz,
        km: p.encounters.min_port_distance_km,
        cells: HashMap::new(),
    };
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
                        let (mlat, mlon) = ((a.2 + o.2) / 2.0, (a.3 + o.3) / 2.0);
                        if distance_nm(a.2, a.3, o.2, o.3) <= max_nm && ports.away(mlat, mlon) {
                            hits.entry((a.0, o.0))
                                .or_default()
                                .push((b, mlat, mlon, a.4, o.4));
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
        // (hits near a port were dropped by index_slice)
        let v = hits.get_mut(&pair).expect("key from the map");
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
