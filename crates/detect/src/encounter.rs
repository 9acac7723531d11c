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

/// Two vessels close together in one time bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Time bucket (`encounters.bucket_minutes` since the epoch).
    pub bucket: i64,
    /// Midpoint of the two fixes, degrees.
    pub lat: f64,
    /// Midpoint longitude, degrees.
    pub lon: f64,
    /// Speeds over ground of the lower and the higher MMSI, knots.
    pub sog_a: f32,
    /// Speed of the higher MMSI, knots.
    pub sog_b: f32,
    /// Distance between the two fixes, metres.
    pub distance_m: f32,
}

/// Per pair of MMSIs (lower first): the buckets in which they were close.
pub type PairHits = HashMap<(u32, u32), Vec<Hit>>;

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

/// The fix of `f` the encounter index takes, if it is slow
/// ([`crate::params::Encounters::is_slow`]): (mmsi, time, lat, lon, sog).
pub fn slow_fix(f: &store::Position, p: &Params) -> Option<SlowFix> {
    p.encounters
        .is_slow(f.sog)
        .then_some((f.mmsi, f.time_ms, f.lat, f.lon, f.sog.unwrap_or(0.0)))
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
        day_fixes.extend(slow_fix(f, p));
    }
    out.extend(representatives(&day_fixes, p));
    out
}

/// Side of an index cell, degrees of latitude (the same distance in
/// longitude): 0.01° (about 1.1 km), or more when
/// `encounters.max_distance_km` is larger, so that a close pair always
/// lies in the same or neighbouring cells (only those are compared).
pub fn cell_deg(p: &Params) -> f64 {
    // 1° of latitude is at least 110.57 km; keep a margin for rounding
    (p.encounters.max_distance_km / 110.0).max(0.01)
}

/// Cells ([`cell_deg`]) in time buckets: (bucket, row, column).
fn cell_of(f: &SlowFix, bucket_ms: i64, cell: f64) -> (i64, i64, i64) {
    let row = (f.2 / cell).floor() as i64;
    (f.1.div_euclid(bucket_ms), row, column(f.3, row, cell))
}

/// The column of longitude `lon` in cell row `row`. Columns are scaled by
/// the cosine of the row's own latitude, not of the fix's: scaled by the
/// fix's, two fixes a few hundred metres apart north-south far from the
/// prime meridian (lon 180, lat 60) would land more than one column apart
/// and never be compared. A fix looks for partners in a neighbouring row
/// at its column in that row.
fn column(lon: f64, row: i64, cell: f64) -> i64 {
    let k = ((row as f64 + 0.5) * cell).to_radians().cos().max(0.05);
    (lon * k / cell).floor() as i64
}

/// Cells per side of a tile, the unit of work when the index is spread
/// over machines (about 64 km with the default cell).
pub const TILE_CELLS: i64 = 64;

/// The tiles (UTC day, tile row, tile column) a representative fix goes
/// to when the index is spread over machines, and whether the tile is its
/// home: its own tile, plus every tile holding one of the eight cells
/// around it (the halo), so that a pair on a tile edge is still compared.
/// Each pair is recorded by the home tile of its lower-MMSI fix only.
pub fn tiles_of(f: &SlowFix, p: &Params) -> Vec<((i64, i64, i64), bool)> {
    let bucket_ms = p.encounters.bucket_minutes.max(1) * 60_000;
    let cell = cell_deg(p);
    let (_, cy, cx) = cell_of(f, bucket_ms, cell);
    let day = f.1.div_euclid(86_400_000);
    let tile = |y: i64, x: i64| (day, y.div_euclid(TILE_CELLS), x.div_euclid(TILE_CELLS));
    let home = tile(cy, cx);
    let mut v = vec![(home, true)];
    for dy in -1..=1 {
        let x = column(f.3, cy + dy, cell);
        for dx in -1..=1 {
            let t = tile(cy + dy, x + dx);
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
    let cell = cell_deg(p);
    for (i, f) in fixes.iter().enumerate() {
        grid.entry(cell_of(f, bucket_ms, cell)).or_default().push(i);
    }
    let max_nm = p.encounters.max_distance_km / 1.852;
    for (&(b, cy, cx), members) in &grid {
        for &i in members {
            if !owns(i) {
                continue;
            }
            let a = &fixes[i];
            for dy in -1..=1 {
                let x = if dy == 0 {
                    cx
                } else {
                    column(a.3, cy + dy, cell)
                };
                for dx in -1..=1 {
                    let Some(others) = grid.get(&(b, cy + dy, x + dx)) else {
                        continue;
                    };
                    for &j in others {
                        let o = &fixes[j];
                        if o.0 <= a.0 {
                            continue;
                        }
                        let (mlat, mlon) = ((a.2 + o.2) / 2.0, (a.3 + o.3) / 2.0);
                        let nm = distance_nm(a.2, a.3, o.2, o.3);
                        if nm <= max_nm && ports.away(mlat, mlon) {
                            hits.entry((a.0, o.0)).or_default().push(Hit {
                                bucket: b,
                                lat: mlat,
                                lon: mlon,
                                sog_a: a.4,
                                sog_b: o.4,
                                distance_m: (nm * 1852.0) as f32,
                            });
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
        v.sort_by_key(|h| h.bucket);
        v.dedup_by_key(|h| h.bucket);
        let mut i = 0;
        while i < v.len() {
            let mut j = i;
            while j + 1 < v.len() && v[j + 1].bucket - v[j].bucket <= merge.max(1) {
                j += 1;
            }
            let run = &v[i..=j];
            let t0 = run[0].bucket * bucket_ms;
            let t1 = (run[run.len() - 1].bucket + 1) * bucket_ms;
            let hrs = (t1 - t0) as f64 / 3_600_000.0;
            let mut speeds: Vec<f32> = run.iter().flat_map(|h| [h.sog_a, h.sog_b]).collect();
            speeds.sort_by(|a, b| a.total_cmp(b));
            let median = speeds[speeds.len() / 2];
            let mut dist: Vec<f32> = run.iter().map(|h| h.distance_m).collect();
            dist.sort_by(|a, b| a.total_cmp(b));
            let (median_m, max_m) = (dist[dist.len() / 2], dist[dist.len() - 1]);
            let lat = run.iter().map(|h| h.lat).sum::<f64>() / run.len() as f64;
            let lon = run.iter().map(|h| h.lon).sum::<f64>() / run.len() as f64;
            let near_port = gaz.nearest(lat, lon, p.encounters.min_port_distance_km);
            if hrs >= p.encounters.min_hours
                && median < p.encounters.max_median_kn
                && near_port.is_none()
            {
                let ev = model::evidence::Encounter::Pair(model::evidence::PairEncounter {
                    hours: hrs,
                    close_buckets: run.len(),
                    median_speed_kn: median,
                    median_distance_m: median_m.round(),
                    max_distance_m: max_m.round(),
                    parameters: serde_json::json!({"max_distance_km": p.encounters.max_distance_km, "min_hours": p.encounters.min_hours, "max_median_kn": p.encounters.max_median_kn, "min_port_distance_km": p.encounters.min_port_distance_km, "bucket_minutes": p.encounters.bucket_minutes}),
                });
                let mut e = Event::new(pair.0, t0, Some(t1), Some((lat, lon)), ev);
                e.other_mmsi = Some(pair.1);
                e.confidence = (0.6 + hrs / 20.0).min(0.95);
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

    /// Representative fixes per tile, with whether the tile is their home.
    type Tiles = HashMap<(i64, i64, i64), (Vec<SlowFix>, Vec<bool>)>;

    /// Spreads representatives over tiles as the Spark job does.
    fn tiles(reps: &[SlowFix], p: &Params) -> Tiles {
        let mut tiles = Tiles::new();
        for r in reps {
            for (t, home) in tiles_of(r, p) {
                let e = tiles.entry(t).or_default();
                e.0.push(*r);
                e.1.push(home);
            }
        }
        tiles
    }

    #[test]
    fn a_close_pair_is_found_anywhere_and_at_any_distance_setting() {
        let gaz = |p: &Params| Gazetteer::for_params(p, None).unwrap();
        let t = 1_700_000_000_000;
        // lat 58-70, lon 179.9 (Bering Sea, far from ports): north-south
        // pairs just inside 0.5 km, in every phase against the cell rows
        let p = Params::default();
        let g = gaz(&p);
        for i in 0..200 {
            let lat = 58.0 + i as f64 * 0.0613;
            let lon = 179.93 - i as f64 * 0.0007;
            let d = 0.49 / 111.2; // degrees of latitude for 0.49 km
            let f = [(1, t, lat, lon, 0.5), (2, t, lat + d, lon, 0.5)];
            let mut hits = PairHits::new();
            index_slice(&f, &p, &g, &mut hits);
            let h = hits
                .get(&(1, 2))
                .unwrap_or_else(|| panic!("lat {lat}: pair missed"));
            assert!((h[0].distance_m - 490.0).abs() < 5.0, "{h:?}");
            // and spread over tiles as the Spark job spreads them
            let mut spread = PairHits::new();
            let tiles = tiles(&f, &p);
            for (reps, homes) in tiles.values() {
                index_tile(reps, homes, &p, &g, &mut spread);
            }
            assert_eq!(spread.get(&(1, 2)).map(|v| v.len()), Some(1), "lat {lat}");
        }
        // a distance setting above the 1.1 km default cell: the cells grow
        let mut p = Params::default();
        p.encounters.max_distance_km = 3.0;
        let g = gaz(&p);
        let (lat, lon): (f64, f64) = (42.24, 134.5);
        let d = 2.9 / 111.2;
        for (dy, dx) in [
            (d, 0.0),
            (0.0, d / lat.to_radians().cos()),
            (-d * 0.7, d * 0.7 / lat.to_radians().cos()),
        ] {
            let f = [(1, t, lat, lon, 0.5), (2, t, lat + dy, lon + dx, 0.5)];
            let mut hits = PairHits::new();
            index_slice(&f, &p, &g, &mut hits);
            assert!(
                hits.contains_key(&(1, 2)),
                "2.9 km apart ({dy}, {dx}) with max 3 km"
            );
        }
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
            let tiles = tiles(&representatives(&f, &p), &p);
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
                            .map(move |x| (*k, x.bucket, x.lat.to_bits(), x.lon.to_bits()))
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
