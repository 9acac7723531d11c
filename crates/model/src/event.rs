//! The event: one detected behaviour of one vessel.

use crate::{Detail, EventKind, Evidence, Time};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A port (or user area) an event took place at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortRef {
    /// The port's name in the gazetteer.
    pub name: String,
    /// Its UN/LOCODE, when it has one.
    pub locode: Option<String>,
}

/// Who the vessel said it was when an event began: the latest identity
/// reports (types 5, 19, 24) before that time, and the flag state of its
/// MMSI's MID. Broadcast text is attacker-controlled: escape it when shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VesselRef {
    /// Broadcast name.
    pub name: Option<String>,
    /// Broadcast IMO number.
    pub imo: Option<u32>,
    /// Broadcast call sign.
    pub callsign: Option<String>,
    /// Broadcast ship type code.
    pub ship_type: Option<u8>,
    /// ISO 3166 alpha-2 code from the MMSI's MID.
    pub flag: Option<String>,
}

/// One detected behaviour (or one true event of a simulated world). Its
/// kind is its evidence's kind ([`Event::kind`]), so the two cannot
/// disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable id (`<kind>-<mmsi>-<start ms>[-n]`), set when the events are
    /// collected.
    pub id: String,
    /// The vessel.
    pub mmsi: u32,
    /// The other vessel (encounters) or the other MMSI (identity changes,
    /// silences that reappeared under another MMSI).
    pub other_mmsi: Option<u32>,
    /// When it began.
    pub start: Time,
    /// When it ended (`None`: still going at the end of the data).
    pub end: Option<Time>,
    /// Where (latitude), when it has a place.
    pub lat: Option<f64>,
    /// Where (longitude).
    pub lon: Option<f64>,
    /// The port, for calls and voyages (the destination).
    pub port: Option<PortRef>,
    /// Calibrated probability that the event is real.
    pub confidence: f64,
    /// Why: the kind's typed evidence and its calibration.
    pub evidence: Evidence,
    /// The vessel's identity at the start (absent in truth files).
    pub vessel: Option<VesselRef>,
}

impl Event {
    /// A new event of the kind of `detail`, confidence 0.5, no id yet.
    pub fn new(
        mmsi: u32,
        start_ms: i64,
        end_ms: Option<i64>,
        pos: Option<(f64, f64)>,
        detail: impl Into<Detail>,
    ) -> Event {
        Event {
            id: String::new(),
            mmsi,
            other_mmsi: None,
            start: Time(start_ms),
            end: end_ms.map(Time),
            lat: pos.map(|p| p.0),
            lon: pos.map(|p| p.1),
            port: None,
            confidence: 0.5,
            evidence: Evidence::from(detail.into()),
            vessel: None,
        }
    }

    /// An event of `kind` whose evidence is still empty (`null`): for
    /// evidence kept as read ([`Detail::Raw`]), e.g. a world's truth.
    pub fn of_kind(
        kind: EventKind,
        mmsi: u32,
        start_ms: i64,
        end_ms: Option<i64>,
        pos: Option<(f64, f64)>,
    ) -> Event {
        Event::new(
            mmsi,
            start_ms,
            end_ms,
            pos,
            Detail::Raw(kind, serde_json::Value::Null),
        )
    }

    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        self.evidence.detail.kind()
    }

    /// Start, unix ms.
    pub fn start_ms(&self) -> i64 {
        self.start.0
    }

    /// End, unix ms (the start when open).
    pub fn end_ms(&self) -> i64 {
        self.end.unwrap_or(self.start).0
    }

    /// Length in hours (0 when open).
    pub fn hours(&self) -> f64 {
        (self.end_ms() - self.start_ms()) as f64 / 3_600_000.0
    }

    /// The ports the event may have been at, the one it is placed at
    /// first. A dark port call is placed at the watched port of the
    /// shortest detour, but its silence may not tell that port from
    /// another a few km away (Najin and Sonbong): all such ports
    /// (`closest_ports`) are named.
    pub fn ports(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.port.iter().map(|p| p.name.as_str()).collect();
        if let Some(d) = self.evidence.dark_port_call() {
            for f in &d.closest_ports {
                if !v.contains(&f.as_str()) {
                    v.push(f);
                }
            }
        }
        v
    }

    /// Watched ports a dark port call's silence also allows, beyond
    /// [`Event::ports`] (longer detours).
    pub fn also_reachable(&self) -> Vec<&str> {
        let named = self.ports();
        self.evidence
            .dark_port_call()
            .map(|d| {
                d.feasible_watched_ports
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !named.contains(f))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// [`Event::ports`] in words: "Sonbong", "Sonbong or Najin",
    /// "Sonbong, Najin or Ch'ongjin".
    pub fn port_words(&self) -> Option<String> {
        either(&self.ports())
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = if self.vessel.is_some() { 12 } else { 11 };
        let mut st = s.serialize_struct("Event", n)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("mmsi", &self.mmsi)?;
        st.serialize_field("other_mmsi", &self.other_mmsi)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.serialize_field("lat", &self.lat)?;
        st.serialize_field("lon", &self.lon)?;
        st.serialize_field("port", &self.port)?;
        st.serialize_field("confidence", &self.confidence)?;
        st.serialize_field("evidence", &self.evidence)?;
        if let Some(v) = &self.vessel {
            st.serialize_field("vessel", v)?;
        }
        st.end()
    }
}

/// An event as written, before its evidence is typed by its kind.
#[derive(Deserialize)]
struct Raw {
    id: String,
    kind: EventKind,
    mmsi: u32,
    other_mmsi: Option<u32>,
    start: Time,
    end: Option<Time>,
    lat: Option<f64>,
    lon: Option<f64>,
    port: Option<PortRef>,
    confidence: f64,
    evidence: serde_json::Value,
    #[serde(default)]
    vessel: Option<VesselRef>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = Raw::deserialize(d)?;
        Ok(Event {
            id: r.id,
            mmsi: r.mmsi,
            other_mmsi: r.other_mmsi,
            start: r.start,
            end: r.end,
            lat: r.lat,
            lon: r.lon,
            port: r.port,
            confidence: r.confidence,
            evidence: Evidence::from_value(r.kind, r.evidence),
            vessel: r.vessel,
        })
    }
}

/// Alternatives in words: "a", "a or b", "a, b or c"; none for none.
pub fn either<S: AsRef<str>>(names: &[S]) -> Option<String> {
    let v: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    match v.len() {
        0 => None,
        1 => Some(v[0].to_string()),
        n => Some(format!("{} or {}", v[..n - 1].join(", "), v[n - 1])),
    }
}
