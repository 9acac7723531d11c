//! Imagery and other observations (a satellite picture of a quay, a
//! sighting, a port record) attached to the port calls and voyages they
//! corroborate. A corroborated event gains confidence, and its evidence
//! names the observation.

use detect::{Event, EventKind};
use serde::{Deserialize, Serialize};

/// One observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// When (YYYY-MM-DD or RFC 3339).
    pub time: String,
    /// A port name or UN/LOCODE, or give `lat` and `lon`.
    #[serde(default)]
    pub place: Option<String>,
    /// Latitude, degrees.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude, degrees.
    #[serde(default)]
    pub lon: Option<f64>,
    /// What was seen.
    pub what: String,
    /// How many (e.g. containers), when counted.
    #[serde(default)]
    pub count: Option<f64>,
    /// Where the observation comes from.
    pub source: String,
}

/// Matching tolerances and the confidence an observation adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObserveParams {
    /// An observation within this many hours of an event's span matches
    /// (satellite revisits are daily at best).
    pub tolerance_hours: f64,
    /// Within this distance of the event's position, km.
    pub radius_km: f64,
    /// Confidence added to a corroborated event (capped at 1).
    pub boost: f64,
}

impl Default for ObserveParams {
    fn default() -> Self {
        ObserveParams {
            tolerance_hours: 24.0,
            radius_km: 15.0,
            boost: 0.15,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    observation: Vec<Observation>,
}

/// Reads observations from TOML (`[[observation]]`) or CSV (columns time,
/// place, lat, lon, what, count, source). Bad rows are errors with their
/// line.
pub fn parse(text: &str, csv_format: bool) -> Result<Vec<Observation>, String> {
    let obs = if csv_format {
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut v = Vec::new();
        for (i, rec) in r.deserialize::<Observation>().enumerate() {
            v.push(rec.map_err(|e| format!("row {}: {e}", i + 2))?);
        }
        v
    } else {
        toml::from_str::<File>(text)
            .map_err(|e| e.to_string())?
            .observation
    };
    for (i, o) in obs.iter().enumerate() {
        if crate::claims::parse_day(&o.time).is_none() {
            return Err(format!(
                "observation {}: time {:?} is not a date",
                i + 1,
                o.time
            ));
        }
        if o.place.is_none() && (o.lat.is_none() || o.lon.is_none()) {
            return Err(format!(
                "observation {}: give a place or lat and lon",
                i + 1
            ));
        }
    }
    Ok(obs)
}

/// Which events each observation corroborates, as (observation index,
/// event index). Port visits and dark port calls match by port (name or
/// LOCODE) or distance; voyages by their destination port.
pub fn attach(obs: &[Observation], events: &[Event], p: &ObserveParams) -> Vec<(usize, usize)> {
    let tol = (p.tolerance_hours * 3_600_000.0) as i64;
    let mut out = Vec::new();
    for (k, o) in obs.iter().enumerate() {
        let t = crate::claims::parse_day(&o.time).unwrap_or(i64::MIN);
        for (i, e) in events.iter().enumerate() {
            if !matches!(
                e.kind(),
                EventKind::PortVisit | EventKind::DarkPortCall | EventKind::Voyage
            ) {
                continue;
            }
            let (s, end) = if e.kind() == EventKind::Voyage {
                // the destination: around the arrival
                (e.end_ms(), e.end_ms())
            } else {
                (e.start_ms(), e.end_ms())
            };
            if t < s - tol || t > end + tol {
                continue;
            }
            let by_place = o.place.as_ref().is_some_and(|pl| {
                e.port.as_ref().is_some_and(|port| {
                    port.name.eq_ignore_ascii_case(pl)
                        || port
                            .locode
                            .as_deref()
                            .is_some_and(|l| l.eq_ignore_ascii_case(pl))
                })
            });
            let by_distance = e.kind() != EventKind::Voyage
                && matches!((o.lat, o.lon, e.lat, e.lon), (Some(a), Some(b), Some(c), Some(d))
                    if sea::geo::distance_nm(a, b, c, d) * 1.852 <= p.radius_km);
            if by_place || by_distance {
                out.push((k, i));
            }
        }
    }
    out
}

/// Raises the confidence of corroborated events and notes the observations
/// in their evidence.
pub fn apply(
    obs: &[Observation],
    events: &mut [Event],
    links: &[(usize, usize)],
    p: &ObserveParams,
) {
    for &(k, i) in links {
        let e = &mut events[i];
        e.confidence = (e.confidence + p.boost).min(1.0);
        let o = &obs[k];
        e.evidence.observations.push(model::evidence::Observation {
            time: o.time.clone(),
            what: o.what.clone(),
            count: o.count,
            source: o.source.clone(),
        });
    }
}
