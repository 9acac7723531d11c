//! Encounters: two vessels close together, slow, for a while, away from
//! ports. A space-time index (cells of about 1 km, 10-minute buckets) makes
//! the cost grow with the number of fixes, not of vessel pairs. The store is
//! read one day at a time; meetings that cross midnight are joined.

use crate::event::Event;
use crate::gazetteer::Gazetteer;
use crate::params::Params;
use crate::SlowFix;
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

/// The fix of `p` the encounter index takes, if it is slow (under 5 kn;
/// an unknown speed counts as 0): (mmsi, time, lat, lon, sog).
pub fn slow_fix(p: &store::Position) -> Option<SlowFix> {
    let sog = p.sog.unwrap_or(0.0);
    (sog < 5.0).then_some((p.mmsi, p.time_ms, p.lat, p.lon, sog))
}

/// One fix per vessel and time bucket is enough: the latest (ties broken
/// by position and speed, so the choice does not depend on the order the
/// fixes come in). Sorted by (mmsi, time).
pub fn representatives(fixes: &[SlowFix], p: &Params) -> Vec<SlowFix> {
    let bucket_ms = p.encounters.bucket_minutes.max(1) * 60_000;
    let later = |a: &SlowFix, b: &SlowFix| {
        a.1.cmp(&b.1)
            .then(a.2.total_cmp(&b.2))
            .then(a.3.total_cmp(&b.3))
            .then(a.4.total_cmp(&b.4))
    };
    let mut last: HashMap<(u32, i64), SlowFix> = HashMap::new();
    for f in fixes {
        last.entry((f.0, f.1.div_euclid(bucket_ms)))
            .and_modify(|k| {
                if later(f, k).is_gt() {
                    *k = *f;
                }
            })
            .or_insert(*f);
    }
    let mut v: Vec<SlowFix> = last.into_values().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(later(a, b)));
    v
}

/// The representatives of one vessel's fixes (sorted by time), taken one
/// UTC day at a time as [`crate::detect_store`] slices them.
pub fn vessel_representatives(pos: &[store::Position], p: &Params) -> Vec<SlowFix> {
    let mut out = Vec::new();
    let mut day_fixes = Vec::new();
    let mut day = None;
    for f in pos {
        let d = f.time_ms.div_euclid(86_400_000);
        if day != Some(d) {
            out.extend(representatives(&day_fixes, p));
            day_fixes.clear();
            day = Some(d);
        }
        day_fixes.extend(slow_fix(f));
    }
    out.extend(representatives(&day_fixes, p));
    out
}

/// Cells of about 1 km (0.01° of latitude, the same distance in
/// longitude) in 10-minute buckets: (bucket, row, column).
fn cell_of(f: &SlowFix, bucket_ms: i64) -> (i64, i64, i64) {
    const CELL: f64 = 0.01;
    let k = f.2.to_radians().cos().max(0.05);
    (
        f.1.div_euclid(bucket_ms),
        (f.2 / CELL).floor() as i64,
        (f.3 * k / CELL).floor() as i64,
    )
}

/// Cells per side of a tile, the unit of work when the index is spread
/// over machines (about 64 km).
pub const TILE_CELLS: i64 = 64;

/// The tiles (UTC day, tile row, tile column) a representative fix goes
/// to when the index is spread over machines, and whether the tile is its
/// home: its own tile, plus every tile holding one of the eight cells
/// around it (the halo), so that a pair on a tile edge is still compared.
/// Each pair is recorded by the home tile of its lower-MMSI fix only.
pub fn tiles_of(f: &SlowFix, p: &Params) -> Vec<((i64, i64, i64), bool)> {
    let bucket_ms = p.encounters.bucket_minutes.max(1) * 60_000;
    let (_, cy, cx) = cell_of(f, bucket_ms);
    let day = f.1.div_euclid(86_400_000);
    let tile = |y: i64, x: i64| (day, y.div_euclid(TILE_CELLS), x.div_euclid(TILE_CELLS));
    let home = tile(cy, cx);
    let mut v = vec![(home, true)];
    for dy in -1..=1 {
        for dx in -1..=1 {
            let t = tile(cy + dy, cx + dx);
            if !v.iter().any(|x| x.0 == t) {
                v.push((t, false));
            }
        }
    }
    v
}

/// Index one slice of fixes (mmsi, t, lat, lon, sog) and record close
/// pairs. Pairs side by side in a port are berthed, not meeting: they are
/// dropped here, so months of ships moored together cost no memory.
pub fn index_slice(fixes: &[SlowFix], p: &Params, gaz: &Gazetteer, hits: &mut PairHits) {
    let reps = representatives(fixes, p);
    index_owned(&reps, &|_| true, p, gaz, hits);
}

/// [`index_slice`] over one tile's representatives ([`tiles_of`]): pairs
/// are recorded only from fixes whose home is this tile (`home[i]`).
pub fn index_tile(
    reps: &[SlowFix],
    home: &[bool],
    p: &Params,
    gaz: &Gazetteer,
    hits: &mut PairHits,
) {
    index_owned(
        reps,
        &|i| home.get(i).copied().unwrap_or(false),
        p,
        gaz,
        hits,
    );
}

/// Close pairs among representatives (one per vessel and bucket), from
/// the fixes `owns` accepts.
fn index_owned(
    fixes: &[SlowFix],
    owns: &dyn Fn(usize) -> bool,
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
    let mut grid: HashMap<(i64, i64, i64), Vec<usize>> = HashMap::new();
    for (i, f) in fixes.iter().enumerate() {
        grid.entry(cell_of(f, bucket_ms)).or_default().push(i);
    }
    let max_nm = p.encounters.max_distance_km / 1.852;
    for (&(b, cy, cx), members) in &grid {
        for &i in members {
            if !owns(i) {
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Random slow fixes packed around tile corners, so that many close
    /// pairs straddle tile edges.
    fn fixes(seed: u64, n: usize) -> Vec<SlowFix> {
        let mut s = seed;
        let mut r = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1_000_000) as f64 / 1_000_000.0
        };
        // 0.64° of latitude is one tile edge; the corner at 42.24 N, 0.64 k
        // columns east, in the Sea of Japan far from ports
        let (lat0, lon0) = (42.24, 0.64 * 156.0 / 42.24f64.to_radians().cos());
        (0..n)
            .map(|i| {
                (
                    200_000_000 + (i % 40) as u32,
                    1_700_000_000_000 + (r() * 3.0 * 3_600_000.0) as i64,
                    lat0 + (r() - 0.5) * 0.03,
                    lon0 + (r() - 0.5) * 0.04,
                    (r() * 4.0) as f32,
                )
            })
            .collect()
    }

    #[test]
    fn tiles_with_halos_find_exactly_the_pairs_of_one_index() {
        let p = Params::default();
        let gaz = Gazetteer::for_params(&p, None).unwrap();
        for seed in 1..6 {
            let f = fixes(seed, 3000);
            let mut whole = PairHits::new();
            index_slice(&f, &p, &gaz, &mut whole);
            // spread as the Spark job spreads them
            let mut tiles: HashMap<(i64, i64, i64), (Vec<SlowFix>, Vec<bool>)> = HashMap::new();
            for r in representatives(&f, &p) {
                for (t, home) in tiles_of(&r, &p) {
                    let e = tiles.entry(t).or_default();
                    e.0.push(r);
                    e.1.push(home);
                }
            }
            assert!(tiles.len() >= 4, "the fixes straddle tile corners");
            let mut spread = PairHits::new();
            for (reps, homes) in tiles.values() {
                index_tile(reps, homes, &p, &gaz, &mut spread);
            }
            let norm = |h: &PairHits| {
                let mut v: Vec<_> = h
                    .iter()
                    .flat_map(|(k, v)| {
                        v.iter()
                            .map(move |x| (*k, x.0, x.1.to_bits(), x.2.to_bits()))
                    })
                    .collect();
                v.sort_unstable();
                v
            };
            assert!(whole.len() > 50, "seed {seed}: {} pairs", whole.len());
            assert_eq!(norm(&whole), norm(&spread), "seed {seed}");
            // without the halo, pairs across edges are lost
            let mut no_halo = PairHits::new();
            for (reps, homes) in tiles.values() {
                let own: Vec<SlowFix> = reps
                    .iter()
                    .zip(homes)
                    .filter(|x| *x.1)
                    .map(|x| *x.0)
                    .collect();
                index_tile(&own, &vec![true; own.len()], &p, &gaz, &mut no_halo);
            }
            assert!(norm(&no_halo).len() < norm(&whole).len());
        }
    }

    #[test]
    fn the_representative_does_not_depend_on_input_order() {
        let p = Params::default();
        let mut f = fixes(9, 2000);
        let a = representatives(&f, &p);
        f.reverse();
        assert_eq!(representatives(&f, &p), a);
    }
}
