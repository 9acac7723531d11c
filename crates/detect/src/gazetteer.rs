//! Port lookup by position: the World Port Index and extra places from the
//! `sea` gazetteer, plus user geofences, in a 1-degree grid.

use sea::geo::distance_nm;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub locode: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

pub struct Gazetteer {
    pub places: Vec<Place>,
    grid: HashMap<(i32, i32), Vec<usize>>,
}

fn key(lat: f64, lon: f64) -> (i32, i32) {
    (lat.floor() as i32, lon.floor() as i32)
}

impl Gazetteer {
    pub fn new(places: Vec<Place>) -> Gazetteer {
        let mut grid: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            grid.entry(key(p.lat, p.lon)).or_default().push(i);
        }
        Gazetteer { places, grid }
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

    /// The nearest place within `km`, with its distance in km. Works across
    /// the antimeridian (the grid wraps in longitude).
    pub fn nearest(&self, lat: f64, lon: f64, km: f64) -> Option<(usize, f64)> {
        let (r, c) = key(lat, lon);
        let mut best: Option<(usize, f64)> = None;
        for dr in -1..=1 {
            for dc in -1..=1 {
                let cc = (c + dc + 180).rem_euclid(360) - 180;
                if let Some(v) = self.grid.get(&(r + dr, cc)) {
                    for &i in v {
                        let p = &self.places[i];
                        let d = distance_nm(lat, lon, p.lat, p.lon) * 1.852;
                        if d <= km && best.is_none_or(|b| d < b.1) {
                            best = Some((i, d));
                        }
                    }
                }
            }
        }
        best
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
}
