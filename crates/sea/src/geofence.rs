//! User geofences: named areas an investigator watches, from GeoJSON
//! (Polygon and MultiPolygon features, or Point features with a
//! `radius_km` property) or from configuration (a point and a radius).
//!
//! Geometry (closest point on an edge) is the `geo` crate's, edges are
//! indexed in an `rstar` R-tree so that a test costs a logarithm of the
//! vertices, not all of them; this module adds the distance semantics the
//! detectors need: 0 inside the area, else the great-circle distance to
//! its edge. Sizes are capped ([`MAX_RADIUS_KM`], [`MAX_VERTICES`]): a
//! geofence file is input like any other and must not hang or exhaust a run.

use ::geo::{Closest, Contains, HaversineClosestPoint, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Line as Edge};
use rstar::{RTree, AABB};
use std::sync::Arc;

/// Largest circle radius, km: a watched area is a port or an anchorage, at
/// most a strait; 1,000 km is the same limit as `radius_km` in the
/// configuration.
pub const MAX_RADIUS_KM: f64 = 1000.0;

/// Most features (areas) in one geofence file: a watch list of ports and
/// anchorages has tens or hundreds.
pub const MAX_FEATURES: usize = 10_000;

/// Most vertices in one geofence file: a detailed coastline-following
/// harbour outline has thousands; a million is generous and still indexed
/// in about a second.
pub const MAX_VERTICES: usize = 1_000_000;

/// The shape of a geofence.
#[derive(Debug, Clone)]
pub enum Shape {
    /// A circle on the sphere.
    Circle {
        /// Centre latitude, degrees.
        lat: f64,
        /// Centre longitude, degrees.
        lon: f64,
        /// Radius, km.
        radius_km: f64,
    },
    /// Polygons (lon/lat) from GeoJSON.
    Area(MultiPolygon<f64>),
}

/// One named area.
#[derive(Debug, Clone)]
pub struct Geofence {
    /// Its name (as events name the place).
    pub name: String,
    /// An optional UN/LOCODE, when the area is a port.
    pub locode: Option<String>,
    /// Where it is.
    pub shape: Shape,
    /// The edges of an area, indexed (none for a circle).
    index: Option<Arc<EdgeIndex>>,
}

/// The edges of an area's rings in an R-tree (lon/lat), each with the
/// number of its polygon, and the highest latitude they reach (for the
/// bound that ends a nearest-edge search).
#[derive(Debug)]
struct EdgeIndex {
    tree: RTree<GeomWithData<Edge<[f64; 2]>, u32>>,
    max_x: f64,
    cos_max_lat: f64,
    /// How much shorter than its plane length an edge's great circle may
    /// run: 2/pi with edges over a degree long (they bow poleward of a
    /// parallel), 0.98 for shorter ones (the bow is under a thousandth).
    bow: f64,
}

impl EdgeIndex {
    fn new(mp: &MultiPolygon<f64>) -> EdgeIndex {
        let mut edges = Vec::new();
        let (mut max_x, mut max_lat, mut max_len) = (f64::MIN, 0.0f64, 0.0f64);
        for (i, pg) in mp.0.iter().enumerate() {
            for ring in std::iter::once(pg.exterior()).chain(pg.interiors()) {
                for w in ring.0.windows(2) {
                    edges.push(GeomWithData::new(
                        Edge::new([w[0].x, w[0].y], [w[1].x, w[1].y]),
                        i as u32,
                    ));
                    max_x = max_x.max(w[0].x);
                    max_lat = max_lat.max(w[0].y.abs());
                    max_len = max_len.max((w[1].x - w[0].x).hypot(w[1].y - w[0].y));
                }
            }
        }
        EdgeIndex {
            tree: RTree::bulk_load(edges),
            max_x,
            cos_max_lat: max_lat.min(89.0).to_radians().cos(),
            bow: if max_len > 1.0 {
                std::f64::consts::FRAC_2_PI
            } else {
                0.98
            },
        }
    }

    /// Inside when inside any one polygon, each by the even-odd rule over
    /// its own rings (holes included): crossings of the ray east of the
    /// point, counted per polygon so overlapping polygons do not cancel.
    fn contains(&self, x: f64, y: f64) -> bool {
        if x > self.max_x {
            return false;
        }
        let ray = AABB::from_corners([x, y], [self.max_x, y]);
        let mut crossed: Vec<u32> = Vec::new();
        for e in self.tree.locate_in_envelope_intersecting(&ray) {
            let (a, b) = (e.geom().from, e.geom().to);
            if (a[1] > y) != (b[1] > y) {
                let cx = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if cx > x {
                    crossed.push(e.data);
                }
            }
        }
        crossed.sort_unstable();
        crossed
            .chunk_by(|a, b| a == b)
            .any(|run| run.len() % 2 == 1)
    }

    /// Great-circle distance to the nearest edge, km. Edges come nearest
    /// first in degrees, searched from the point and from its copies a turn
    /// east and west (an area across the antimeridian); a degree of that
    /// plane is at least `111.2 * cos(latitude) * bow` km on the sphere
    /// (`bow` for great circles that run poleward of a parallel), so a
    /// search ends once that bound passes the best found.
    fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        let p = Point::new(lon, lat);
        let k = 111.2 * self.cos_max_lat.min(lat.abs().min(89.0).to_radians().cos()) * self.bow;
        let mut best = f64::INFINITY;
        for shift in [0.0, -360.0, 360.0] {
            for (e, d2) in self
                .tree
                .nearest_neighbor_iter_with_distance_2(&[lon + shift, lat])
            {
                if d2.sqrt() * k > best {
                    break;
                }
                let g = e.geom();
                let line = ::geo::Line::new((g.from[0], g.from[1]), (g.to[0], g.to[1]));
                let d = match line.haversine_closest_point(&p) {
                    Closest::Intersection(_) => 0.0,
                    Closest::SinglePoint(q) => {
                        crate::geo::distance_nm(lat, lon, q.y(), q.x()) * 1.852
                    }
                    Closest::Indeterminate => continue,
                };
                best = best.min(d);
            }
        }
        best
    }
}

/// A GeoJSON file that could not be read as geofences.
#[derive(Debug, thiserror::Error)]
pub enum GeofenceError {
    /// The text is not GeoJSON.
    #[error("not GeoJSON: {0}")]
    Parse(String),
    /// One feature is not a usable area.
    #[error("feature {number}: {msg}")]
    Feature {
        /// Counts features from 1, in file order.
        number: usize,
        /// What is wrong with it.
        msg: String,
    },
}

impl Geofence {
    /// A point with a radius.
    pub fn circle(name: &str, lat: f64, lon: f64, radius_km: f64) -> Result<Geofence, String> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(format!(
                "geofence {name:?}: position {lat},{lon} is not on the globe"
            ));
        }
        if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
            return Err(format!(
                "geofence {name:?}: radius_km must be > 0 and <= {MAX_RADIUS_KM}, got {radius_km}"
            ));
        }
        Ok(Geofence {
            name: name.to_string(),
            locode: None,
            shape: Shape::Circle {
                lat,
                lon,
                radius_km,
            },
            index: None,
        })
    }

    /// An area of polygons (lon/lat), indexed; refused when it has more than
    /// [`MAX_VERTICES`] vertices.
    pub fn area(name: &str, mp: MultiPolygon<f64>) -> Result<Geofence, String> {
        let n: usize = mp
            .0
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
        if n > MAX_VERTICES {
            return Err(format!(
                "geofence {name:?}: {n} vertices, more than the {MAX_VERTICES} accepted"
            ));
        }
        Ok(Geofence {
            name: name.to_string(),
            locode: None,
            index: Some(Arc::new(EdgeIndex::new(&mp))),
            shape: Shape::Area(mp),
        })
    }

    /// A representative point: the circle's centre, or the centre of the
    /// area's bounding box moved onto the area if it falls outside.
    pub fn center(&self) -> (f64, f64) {
        match &self.shape {
            Shape::Circle { lat, lon, .. } => (*lat, *lon),
            Shape::Area(mp) => {
                let (a, b, c, d) = self.bbox();
                let (lat, lon) = ((a + c) / 2.0, (b + d) / 2.0);
                let p = Point::new(lon, lat);
                if mp.contains(&p) {
                    return (lat, lon);
                }
                mp.0.first()
                    .and_then(|pg| pg.exterior().0.first())
                    .map(|c| (c.y, c.x))
                    .unwrap_or((lat, lon))
            }
        }
    }

    /// (min lat, min lon, max lat, max lon).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        match &self.shape {
            Shape::Circle {
                lat,
                lon,
                radius_km,
            } => {
                let dlat = radius_km / 111.2;
                let dlon = dlat / lat.to_radians().cos().max(0.01);
                (lat - dlat, lon - dlon, lat + dlat, lon + dlon)
            }
            Shape::Area(mp) => {
                let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
                for pg in &mp.0 {
                    for c in &pg.exterior().0 {
                        b = (b.0.min(c.y), b.1.min(c.x), b.2.max(c.y), b.3.max(c.x));
                    }
                }
                b
            }
        }
    }

    /// Distance from a position to the area, km: 0 inside.
    pub fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        match &self.shape {
            Shape::Circle {
                lat: a,
                lon: b,
                radius_km,
            } => (crate::geo::distance_nm(lat, lon, *a, *b) * 1.852 - radius_km).max(0.0),
            Shape::Area(mp) => match &self.index {
                Some(ix) => {
                    if ix.contains(lon, lat) {
                        0.0
                    } else {
                        ix.distance_km(lat, lon)
                    }
                }
                None => EdgeIndex::new(mp).distance_km(lat, lon),
            },
        }
    }
}

/// Reads the geofences of a GeoJSON document: a FeatureCollection, a
/// Feature or a bare geometry. Names come from the `name` property
/// (else "geofence N"); Point features need `radius_km` (or `radius_m`).
pub fn from_geojson(text: &str) -> Result<Vec<Geofence>, GeofenceError> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| GeofenceError::Parse(e.to_string()))?;
    let features: Vec<geojson::Feature> = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(g) => vec![geojson::Feature {
            geometry: Some(g),
            ..Default::default()
        }],
    };
    if features.len() > MAX_FEATURES {
        return Err(GeofenceError::Parse(format!(
            "{} features, more than the {MAX_FEATURES} accepted in one geofence file",
            features.len()
        )));
    }
    let mut out = Vec::new();
    let mut vertices = 0usize;
    for (index, f) in features.into_iter().enumerate() {
        let err = |msg: String| GeofenceError::Feature {
            number: index + 1,
            msg,
        };
        let prop = |k: &str| f.properties.as_ref().and_then(|p| p.get(k));
        let name = prop("name")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("geofence {}", index + 1));
        let locode = prop("locode").and_then(|v| v.as_str()).map(str::to_string);
        let Some(g) = f.geometry.as_ref() else {
            return Err(err("no geometry".into()));
        };
        let shape = match &g.value {
            geojson::GeometryValue::Point { coordinates: c } if c.len() >= 2 => {
                let r = prop("radius_km")
                    .and_then(|v| v.as_f64())
                    .or_else(|| {
                        prop("radius_m")
                            .and_then(|v| v.as_f64())
                            .map(|m| m / 1000.0)
                    })
                    .ok_or_else(|| err(format!("point {name:?} needs a radius_km property")))?;
                Geofence::circle(&name, c[1], c[0], r).map_err(err)?.shape
            }
            geojson::GeometryValue::Polygon { .. }
            | geojson::GeometryValue::MultiPolygon { .. } => {
                let geom: ::geo::Geometry<f64> = g
                    .clone()
                    .try_into()
                    .map_err(|e: geojson::Error| err(e.to_string()))?;
                let mp = match geom {
                    ::geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                    ::geo::Geometry::MultiPolygon(m) => m,
                    _ => return Err(err("unexpected geometry".into())),
                };
                let ok =
                    mp.0.iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                        .flat_map(|r| r.0.iter())
                        .all(|c| (-90.0..=90.0).contains(&c.y) && (-180.0..=180.0).contains(&c.x));
                if !ok || mp.0.iter().any(|p| p.exterior().0.len() < 4) {
                    return Err(err(format!(
                        "polygon {name:?} has coordinates off the globe or fewer than 3 corners"
                    )));
                }
                vertices +=
                    mp.0.iter()
                        .map(|p| {
                            p.exterior().0.len()
                                + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
                        })
                        .sum::<usize>();
                if vertices > MAX_VERTICES {
                    return Err(err(format!(
                        "more than {MAX_VERTICES} vertices in this file: too detailed a geofence"
                    )));
                }
                let mut f = Geofence::area(&name, mp).map_err(err)?;
                f.locode = locode;
                out.push(f);
                continue;
            }
            other => {
                return Err(err(format!(
                "{} geometries are not areas (use Polygon, MultiPolygon or Point with radius_km)",
                other.type_name()
            )))
            }
        };
        out.push(Geofence {
            name,
            locode,
            shape,
            index: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"Box","locode":"XXBOX"},
       "geometry":{"type":"Polygon","coordinates":[[[130.0,42.0],[130.2,42.0],[130.2,42.2],[130.0,42.2],[130.0,42.0]]]}},
      {"type":"Feature","properties":{"name":"Ring","radius_km":5},
       "geometry":{"type":"Point","coordinates":[131.0,43.0]}}]}"#;

    #[test]
    fn polygons_and_circles() {
        let g = from_geojson(SQUARE).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].name, "Box");
        assert_eq!(g[0].locode.as_deref(), Some("XXBOX"));
        assert_eq!(g[0].distance_km(42.1, 130.1), 0.0);
        // 0.1 degree of latitude south of the southern edge: about 11.1 km
        let d = g[0].distance_km(41.9, 130.1);
        assert!((d - 11.12).abs() < 0.1, "{d}");
        assert!(g[1].distance_km(43.0, 131.0) == 0.0);
        let d = g[1].distance_km(43.1, 131.0); // 11.1 km from the centre
        assert!((d - 6.12).abs() < 0.1, "{d}");
        let (lat, lon) = g[0].center();
        assert!((lat - 42.1).abs() < 1e-9 && (lon - 130.1).abs() < 1e-9);
    }

    #[test]
    fn bad_geojson_is_a_clear_error() {
        assert!(matches!(from_geojson("{"), Err(GeofenceError::Parse(_))));
        let line = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
        let e = from_geojson(line).unwrap_err().to_string();
        assert!(e.contains("LineString"), "{e}");
        let pt = r#"{"type":"Point","coordinates":[0,0]}"#;
        assert!(from_geojson(pt)
            .unwrap_err()
            .to_string()
            .contains("radius_km"));
        let off = r#"{"type":"Polygon","coordinates":[[[0,0],[500,0],[0,1],[0,0]]]}"#;
        assert!(from_geojson(off).is_err());
        assert!(Geofence::circle("x", 0.0, 0.0, -1.0).is_err());
        assert!(Geofence::circle("x", 0.0, 0.0, 1e9).is_err());
        let huge = r#"{"type":"Feature","properties":{"radius_km":1e12},"geometry":{"type":"Point","coordinates":[0,0]}}"#;
        assert!(from_geojson(huge)
            .unwrap_err()
            .to_string()
            .contains("radius_km"));
    }

    /// The indexed tests agree with geo's own on a ring with a hole and
    /// many vertices, and a million-vertex ring is read and tested fast.
    #[test]
    fn indexed_area_agrees_with_geo() {
        use ::geo::{LineString, Polygon};
        let ring = |cx: f64, cy: f64, r: f64, n: usize| -> LineString<f64> {
            let mut v: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let a = i as f64 / n as f64 * std::f64::consts::TAU;
                    // a wavy outline, like a coast
                    let rr = r * (1.0 + 0.2 * (7.0 * a).sin());
                    (cx + rr * a.cos(), cy + rr * a.sin())
                })
                .collect();
            v.push(v[0]);
            LineString::from(v)
        };
        let pg = Polygon::new(
            ring(130.0, 42.0, 0.5, 500),
            vec![ring(130.0, 42.0, 0.1, 50)],
        );
        let mp = MultiPolygon(vec![pg]);
        let f = Geofence::area("wavy", mp.clone()).unwrap();
        let mut n_in = 0;
        for i in 0..40 {
            for j in 0..40 {
                let (lon, lat) = (129.2 + i as f64 * 0.04, 41.2 + j as f64 * 0.04);
                let p = Point::new(lon, lat);
                let inside = mp.contains(&p);
                let d = f.distance_km(lat, lon);
                if inside {
                    n_in += 1;
                    assert_eq!(d, 0.0, "{lat},{lon}");
                } else {
                    let want = match mp.haversine_closest_point(&p) {
                        Closest::SinglePoint(q) => {
                            crate::geo::distance_nm(lat, lon, q.y(), q.x()) * 1.852
                        }
                        _ => 0.0,
                    };
                    assert!((d - want).abs() < 1e-6, "{lat},{lon}: {d} vs {want}");
                }
            }
        }
        assert!(n_in > 100, "{n_in}");
        let big = MultiPolygon(vec![Polygon::new(ring(0.0, 0.0, 1.0, 200_000), vec![])]);
        let f = Geofence::area("big", big).unwrap();
        // two thousand tests: a scan of every vertex per test would be 400
        // million steps, the index makes it a few thousand
        for i in 0..1000 {
            assert_eq!(f.distance_km(0.001 * i as f64, 0.5), 0.0);
            assert!(f.distance_km(2.0, 0.001 * i as f64) > 50.0);
        }
        // an area up to the antimeridian, a vessel just across it
        let east = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (177.0, 64.0),
                (180.0, 64.0),
                (180.0, 66.0),
                (177.0, 66.0),
                (177.0, 64.0),
            ]),
            vec![],
        )]);
        let f = Geofence::area("east", east).unwrap();
        let d = f.distance_km(65.0, -179.9);
        assert!((d - 4.7).abs() < 0.2, "{d}");
        // two overlapping squares: inside both is inside
        let sq = |x: f64| {
            Polygon::new(
                LineString::from(vec![
                    (x, 0.0),
                    (x + 2.0, 0.0),
                    (x + 2.0, 2.0),
                    (x, 2.0),
                    (x, 0.0),
                ]),
                vec![],
            )
        };
        let f = Geofence::area("two", MultiPolygon(vec![sq(0.0), sq(1.0)])).unwrap();
        assert_eq!(f.distance_km(1.0, 1.5), 0.0);
        let too_many = MultiPolygon(vec![Polygon::new(
            ring(0.0, 0.0, 1.0, MAX_VERTICES + 1),
            vec![],
        )]);
        assert!(Geofence::area("x", too_many).is_err());
    }
}
