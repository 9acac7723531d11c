//! Port lookup by position: the World Port Index and extra places from the
//! `sea` gazetteer, plus user geofences (GeoJSON areas or a point and a
//! radius), in a 1-degree grid.
//!
//! Distances to a place are measured to its edge: to the reference point
//! for a gazetteer port, and to the boundary for a geofence (0 inside).
//! So a vessel "within 6 km of a port" is within 6 km of a WPI reference
//! point, or within 6 km of a user's area.

use crate::params::{GeofenceSpec, Params};
use sea::geo::distance_nm;
use sea::geofence::Geofence;
use std::path::Path;

/// Most one-degree grid cells the geofences of a configuration may cover
/// between them (each covered cell lists the area): 1,000,000 is every
/// cell of the globe about 15 times over.
pub const MAX_FENCE_CELLS: usize = 1_000_000;

/// A port or user area.
#[derive(Debug, Clone)]
pub struct Place {
    /// Its name (as events name the port).
    pub name: String,
    /// Its UN/LOCODE, when it has one.
    pub locode: Option<String>,
    /// Reference point latitude, degrees.
    pub lat: f64,
    /// Reference point longitude, degrees.
    pub lon: f64,
}

/// The places detection knows (World Port Index ports and user areas),
/// indexed on a 1° grid.
pub struct Gazetteer {
    /// Every place; events and lookups refer to them by index.
    pub places: Vec<Place>,
    /// The user's area for a place, by place index (`None` for a port).
    fences: Vec<Option<Geofence>>,
    /// Places that came from geofences marked `watched`.
    pub watched_fences: Vec<usize>,
    /// The places in or near each one-degree cell, by [`cell`]. A dense
    /// table, not a map: port lookup runs once per fix of every vessel and
    /// is the largest single cost of phase one.
    grid: Vec<Vec<usize>>,
}

/// Rows of the grid: latitudes -90 to 90 (a fix at the pole is in row 90).
const ROWS: i64 = 181;
/// Columns of the grid: longitudes -180 to 179 (180 is -180).
const COLS: i64 = 360;

/// The grid cell of one-degree row `r` (floor of the latitude) and column
/// `c` (floor of the longitude, wrapped across the antimeridian); `None`
/// beyond the poles. In i64: a position far out of range (a table handed
/// over unchecked) saturates the cast and must not overflow here.
fn cell(r: i64, c: i64) -> Option<usize> {
    let c = (c.rem_euclid(COLS) + 180) % COLS;
    (-90..=90)
        .contains(&r)
        .then(|| ((r + 90) * COLS + c) as usize)
}

/// Kilometres per radian of latitude on the sphere `distance_nm` measures
/// on: no two points are closer than this times their latitude difference.
const KM_PER_RADIAN: f64 = sea::geo::EARTH_RADIUS_NM * 1.852;

impl Gazetteer {
    /// A gazetteer of these places.
    pub fn new(places: Vec<Place>) -> Gazetteer {
        let mut g = Gazetteer {
            places: Vec::new(),
            fences: Vec::new(),
            watched_fences: Vec::new(),
            grid: vec![Vec::new(); (ROWS * COLS) as usize],
        };
        for p in places {
            // a place beyond the poles (not in the data) is near no fix
            if let Some(k) = cell(p.lat.floor() as i64, p.lon.floor() as i64) {
                g.grid[k].push(g.places.len());
            }
            g.places.push(p);
            g.fences.push(None);
        }
        g
    }

    /// The built-in gazetteer.
    pub fn builtin() -> Gazetteer {
        Gazetteer::new(
            sea::ports::all()
                .iter()
                .map(|p| Place {
                    name: p.name.clone(),
                    locode: (!p.locode.is_empty()).then(|| p.locode.clone()),
                    lat: p.lat,
                    lon: p.lon,
                })
                .collect(),
        )
    }

    /// The built-in gazetteer plus the geofences of `p.geofences`; GeoJSON
    /// paths are read relative to `base` (the configuration file's folder).
    pub fn for_params(p: &Params, base: Option<&Path>) -> Result<Gazetteer, String> {
        let mut g = Gazetteer::builtin();
        let mut cells = 0usize;
        for (i, spec) in p.geofences.iter().enumerate() {
            for f in load_spec(spec, base).map_err(|e| format!("geofence {}: {e}", i + 1))? {
                let (a, b, c, d) = f.bbox();
                cells += ((c.min(90.0).floor() - a.max(-90.0).floor() + 1.0).max(1.0)
                    * (d.floor() - b.floor() + 1.0).clamp(1.0, 360.0))
                    as usize;
                if cells > MAX_FENCE_CELLS {
                    return Err(format!(
                        "geofence {}: the geofences cover more than {MAX_FENCE_CELLS} one-degree cells between them (areas too many or too large)",
                        i + 1
                    ));
                }
                g.add_fence(f, spec.watched);
            }
        }
        Ok(g)
    }

    /// Adds a user area as a place.
    pub fn add_fence(&mut self, f: Geofence, watched: bool) -> usize {
        let (lat, lon) = f.center();
        let idx = self.places.len();
        self.places.push(Place {
            name: f.name.clone(),
            locode: f.locode.clone(),
            lat,
            lon,
        });
        // the 1-degree cells it covers (rows inside the globe, columns
        // wrapped across the antimeridian and at most once round)
        let (a, b, c, d) = f.bbox();
        let rows = (a.max(-90.0).floor() as i32)..=(c.min(90.0).floor() as i32);
        let c0 = b.floor() as i64;
        let c1 = (d.floor() as i64).min(c0 + 359);
        for r in rows {
            for col in c0..=c1 {
                if let Some(k) = cell(r as i64, col) {
                    self.grid[k].push(idx);
                }
            }
        }
        self.fences.push(Some(f));
        if watched {
            self.watched_fences.push(idx);
        }
        idx
    }

    /// Whether a place is a user area (its distances are to its edge).
    pub fn is_fence(&self, i: usize) -> bool {
        matches!(self.fences.get(i), Some(Some(_)))
    }

    /// Distance from a position to place `i`, km (0 inside an area).
    pub fn distance_km(&self, i: usize, lat: f64, lon: f64) -> f64 {
        match self.fences.get(i) {
            Some(Some(f)) => f.distance_km(lat, lon),
            _ => {
                let p = &self.places[i];
                distance_nm(lat, lon, p.lat, p.lon) * 1.852
            }
        }
    }

    /// The nearest place within `km` of a position, with its distance in
    /// km. Works across the antimeridian (the grid wraps in longitude).
    pub fn nearest(&self, lat: f64, lon: f64, km: f64) -> Option<(usize, f64)> {
        self.nearest_by(lat, lon, |_| km)
    }

    /// The nearest place whose own limit (`limit(place)`, km) the position
    /// is within.
    fn nearest_by(&self, lat: f64, lon: f64, limit: impl Fn(usize) -> f64) -> Option<(usize, f64)> {
        let (r, c) = (lat.floor() as i64, lon.floor() as i64);
        let mut best: Option<(usize, f64)> = None;
        for dr in -1..=1 {
            for dc in -1..=1 {
                let Some(k) = cell(r.saturating_add(dr), c.saturating_add(dc)) else {
                    continue;
                };
                for &i in &self.grid[k] {
                    let lim = limit(i);
                    // A port further in latitude alone than its limit
                    // (with a millimetre for rounding) is out of reach:
                    // skip the trigonometry.
                    if self.fences[i].is_none()
                        && KM_PER_RADIAN * (lat - self.places[i].lat).to_radians().abs()
                            > lim + 1e-6
                    {
                        continue;
                    }
                    let d = self.distance_km(i, lat, lon);
                    if d <= lim && best.is_none_or(|b| d < b.1) {
                        best = Some((i, d));
                    }
                }
            }
        }
        best
    }

    /// For the port-visit state machine: the nearest place the position is
    /// within the exit distance of, and whether it is also within the
    /// entry distance. A gazetteer port is entered within `entry_km` of its
    /// reference point; a user area is entered on crossing its edge, and
    /// both are left beyond `exit_km - entry_km` more (the hysteresis).
    pub fn locate(&self, lat: f64, lon: f64, entry_km: f64, exit_km: f64) -> Option<(usize, bool)> {
        let entry = |i: usize| if self.is_fence(i) { 0.0 } else { entry_km };
        let margin = (exit_km - entry_km).max(0.0);
        self.nearest_by(lat, lon, |i| entry(i) + margin)
            .map(|(i, d)| (i, d <= entry(i)))
    }

    /// The places watched for dark port calls: `watched_ports` found here
    /// (by LOCODE or name) and the geofences marked `watched`.
    pub fn watched(&self, p: &Params) -> Vec<usize> {
        let mut v: Vec<usize> = p
            .dark_port_call
            .watched_ports
            .iter()
            .filter_map(|k| self.find(k))
            .collect();
        v.extend(self.watched_fences.iter().copied());
        v
    }

    /// A place by UN/LOCODE or name.
    pub fn find(&self, key: &str) -> Option<usize> {
        let k = key.replace(' ', "").to_ascii_uppercase();
        self.places
            .iter()
            .position(|p| p.locode.as_deref() == Some(k.as_str()))
            .or_else(|| {
                self.places
                    .iter()
                    .position(|p| p.name.eq_ignore_ascii_case(key))
            })
    }
}

fn load_spec(spec: &GeofenceSpec, base: Option<&Path>) -> Result<Vec<Geofence>, String> {
    match (&spec.geojson, spec.lat, spec.lon, spec.radius_km) {
        (Some(path), None, None, None) => {
            let full = match base {
                Some(b) if Path::new(path).is_relative() => b.join(path),
                _ => Path::new(path).to_path_buf(),
            };
            let text =
                std::fs::read_to_string(&full).map_err(|e| format!("{}: {e}", full.display()))?;
            let mut v = sea::geofence::from_geojson(&text)
                .map_err(|e| format!("{}: {e}", full.display()))?;
            if let Some(n) = &spec.name {
                if v.len() == 1 {
                    v[0].name = n.clone();
                }
            }
            if spec.locode.is_some() {
                for f in &mut v {
                    f.locode = spec.locode.clone();
                }
            }
            Ok(v)
        }
        (None, Some(lat), Some(lon), Some(r)) => {
            let name = spec
                .name
                .clone()
                .unwrap_or_else(|| format!("{lat:.4},{lon:.4}"));
            let mut f = Geofence::circle(&name, lat, lon, r)?;
            f.locode = spec.locode.clone();
            Ok(vec![f])
        }
        _ => Err("give either `geojson = \"file\"` or all of `lat`, `lon` and `radius_km`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ports_across_the_antimeridian() {
        let g = Gazetteer::new(vec![
            Place {
                name: "East".into(),
                locode: None,
                lat: 0.0,
                lon: 179.99,
            },
            Place {
                name: "West".into(),
                locode: None,
                lat: 0.0,
                lon: -179.99,
            },
        ]);
        let (i, d) = g.nearest(0.0, -179.995, 5.0).unwrap();
        assert_eq!(g.places[i].name, "West");
        assert!(d < 1.0);
        assert_eq!(
            g.places[g.nearest(0.0, 179.999, 5.0).unwrap().0].name,
            "East"
        );
        // 179.95 is 4.4 km from East
        assert!(g.nearest(0.0, 179.95, 3.0).is_none());
        assert!(g.nearest(0.0, 179.95, 5.0).is_some());
    }

    #[test]
    fn the_grid_finds_what_a_search_of_every_place_finds() {
        // the built-in ports plus areas, queried near ports, across the
        // antimeridian and at the edge of the limits: the grid (and its
        // latitude shortcut) must answer as a look at every place does
        let mut g = Gazetteer::builtin();
        g.add_fence(Geofence::circle("Ring", 42.6, 131.2, 12.0).unwrap(), false);
        g.add_fence(
            Geofence::circle("Date line", -16.8, 179.95, 9.0).unwrap(),
            false,
        );
        let n = g.places.len();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut hits, mut misses) = (0, 0);
        for q in 0..6_000 {
            let base = &g.places[(rnd() * n as f64) as usize % n];
            let (blat, blon) = if q % 10 == 0 {
                (-16.8, 180.0)
            } else {
                (base.lat, base.lon)
            };
            let lat = blat + (rnd() - 0.5) * 0.4;
            let lon = ((blon + (rnd() - 0.5) * 0.4) + 540.0) % 360.0 - 180.0;
            // the grid covers one degree around: limits short of a
            // degree of longitude at 60 degrees
            if lat.abs() > 60.0 {
                continue;
            }
            let km = [0.5, 6.0, 8.0, 25.0, 50.0][q % 5];
            let every = (0..n)
                .map(|i| (i, g.distance_km(i, lat, lon)))
                .filter(|&(_, d)| d <= km)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let grid = g.nearest(lat, lon, km);
            assert_eq!(
                grid.map(|(_, d)| d),
                every.map(|(_, d)| d),
                "({lat}, {lon}) within {km} km"
            );
            if let Some((i, d)) = grid {
                assert_eq!(g.distance_km(i, lat, lon), d);
                hits += 1;
            } else {
                misses += 1;
            }
        }
        assert!(hits > 1_500 && misses > 300, "{hits} hits, {misses} misses");
        // positions far out of range (a table handed over unchecked) find
        // nothing and do not overflow the grid's arithmetic
        for (lat, lon) in [
            (1e300, 0.0),
            (-1e300, 1e300),
            (0.0, -1e300),
            (f64::NAN, f64::INFINITY),
        ] {
            assert!(g.nearest(lat, lon, 50.0).is_none(), "({lat}, {lon})");
        }
    }

    #[test]
    fn geofences_enter_at_their_edge() {
        let mut g = Gazetteer::new(vec![]);
        // a 20 km circle: its centre is far beyond the 6 km port entry
        let i = g.add_fence(
            Geofence::circle("Anchorage X", 40.0, 131.0, 20.0).unwrap(),
            true,
        );
        assert_eq!(g.watched_fences, vec![i]);
        // 15 km from the centre: inside
        let (lat, lon) = sea::geo::destination(40.0, 131.0, 90.0, 15.0 / 1.852);
        assert_eq!(g.locate(lat, lon, 6.0, 8.0), Some((i, true)));
        // 21 km: beyond the edge but inside the 2 km hysteresis
        let (lat, lon) = sea::geo::destination(40.0, 131.0, 90.0, 21.0 / 1.852);
        assert_eq!(g.locate(lat, lon, 6.0, 8.0), Some((i, false)));
        // 23 km: outside
        let (lat, lon) = sea::geo::destination(40.0, 131.0, 90.0, 23.0 / 1.852);
        assert_eq!(g.locate(lat, lon, 6.0, 8.0), None);
    }

    #[test]
    fn bad_geofence_specs_are_errors() {
        let p = Params::from_toml("[[detect.geofences]]\nname = \"x\"\nlat = 1.0\n").unwrap();
        let e = Gazetteer::for_params(&p, None).err().unwrap();
        assert!(e.contains("radius_km"), "{e}");
        let p = Params::from_toml("[[detect.geofences]]\ngeojson = \"/nonexistent.geojson\"\n")
            .unwrap();
        assert!(Gazetteer::for_params(&p, None)
            .err()
            .unwrap()
            .contains("nonexistent"));
    }
}
