//! User geofences: named areas an investigator watches, from GeoJSON
//! (Polygon and MultiPolygon features, or Point features with a
//! `radius_km` property) or from configuration (a point and a radius).
//!
//! Geometry (containment, closest point on a boundary) is the `geo`
//! crate's; this module only adds the distance semantics the detectors
//! need: 0 inside the area, else the great-circle distance to its edge.

use ::geo::{Closest, Contains, HaversineClosestPoint, MultiPolygon, Point};

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
        if !(radius_km > 0.0 && radius_km.is_finite()) {
            return Err(format!(
                "geofence {name:?}: radius_km must be positive, got {radius_km}"
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
            Shape::Area(mp) => {
                let p = Point::new(lon, lat);
                if mp.contains(&p) {
                    return 0.0;
                }
                match mp.haversine_closest_point(&p) {
                    Closest::Intersection(_) => 0.0,
                    Closest::SinglePoint(q) => {
                        crate::geo::distance_nm(lat, lon, q.y(), q.x()) * 1.852
                    }
                    Closest::Indeterminate => f64::INFINITY,
                }
            }
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
    let mut out = Vec::new();
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
                        .flat_map(|p| p.exterior().0.iter())
                        .all(|c| (-90.0..=90.0).contains(&c.y) && (-180.0..=180.0).contains(&c.x));
                if !ok || mp.0.iter().any(|p| p.exterior().0.len() < 4) {
                    return Err(err(format!(
                        "polygon {name:?} has coordinates off the globe or fewer than 3 corners"
                    )));
                }
                Shape::Area(mp)
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
    }
}
