//! The port gazetteer: NGA World Port Index (public domain, derived to
//! `data/ports.csv` by `make-sea-data`) plus places it lacks.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

static WPI: &str = include_str!("../data/ports.csv");

/// A port of the World Port Index (or a place added to it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    /// Its name.
    pub name: String,
    /// UN/LOCODE without spaces (`KPRJN`), empty if none.
    pub locode: String,
    /// Country name, as the World Port Index gives it.
    pub country: String,
    /// Latitude of its reference point, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// WPI harbour size (Very Small ... Large), or the source of the place.
    pub size: String,
}

/// Places that matter to the product and are not in the WPI (FACTS.md §2).
fn extra_places() -> Vec<Port> {
    let p = |name: &str, locode: &str, country: &str, lat: f64, lon: f64, size: &str| Port {
        name: name.into(),
        locode: locode.into(),
        country: country.into(),
        lat,
        lon,
        size: size.into(),
    };
    vec![
        p(
            "Dunai",
            "",
            "Russia",
            42.88028,
            132.33750,
            "naval pier (open-source reporting)",
        ),
        p(
            "Sonbong",
            "",
            "North Korea",
            42.33333,
            130.40000,
            "WPI Sonbong/Senbong",
        ),
        p(
            "Tumangang",
            "",
            "North Korea",
            42.42168,
            130.60255,
            "rail bridge (open-source reporting)",
        ),
    ]
}

/// All ports: WPI entries then the extra places.
pub fn all() -> &'static [Port] {
    static P: OnceLock<Vec<Port>> = OnceLock::new();
    P.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(WPI.as_bytes());
        let mut v: Vec<Port> = rdr.deserialize().filter_map(Result::ok).collect();
        v.extend(extra_places());
        v
    })
}

/// A port by UN/LOCODE (`KPRJN`) or, failing that, by name (case-insensitive).
pub fn find(key: &str) -> Option<&'static Port> {
    let k = key.replace(' ', "").to_ascii_uppercase();
    all()
        .iter()
        .find(|p| !p.locode.is_empty() && p.locode == k)
        .or_else(|| all().iter().find(|p| p.name.eq_ignore_ascii_case(key)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_flagship_places() {
        let najin = super::find("KPRJN").unwrap();
        assert!(
            (najin.lat - 42.2333).abs() < 0.01 && (najin.lon - 130.3).abs() < 0.01,
            "{najin:?}"
        );
        assert!(super::find("RUVYP").is_some());
        assert!(super::find("Dunai").is_some());
        assert!(super::all().len() > 3800);
    }
}
