//! The event schema shared by every detector (and the simulator's truth).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortRef {
    pub name: String,
    pub locode: Option<String>,
}

/// Who the vessel said it was when an event began: the latest identity
/// reports (types 5, 19, 24) before that time, and the flag state of its
/// MMSI's MID. Broadcast text is attacker-controlled: escape it when shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VesselRef {
    pub name: Option<String>,
    pub imo: Option<u32>,
    pub callsign: Option<String>,
    pub ship_type: Option<u8>,
    /// ISO 3166 alpha-2 code from the MMSI's MID.
    pub flag: Option<String>,
}

/// One detected behaviour. Times are RFC 3339 UTC in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub mmsi: u32,
    pub other_mmsi: Option<u32>,
    pub start: String,
    pub end: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub port: Option<PortRef>,
    pub confidence: f64,
    pub evidence: serde_json::Value,
    /// The vessel's identity at the start (absent in truth files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<VesselRef>,
}

pub fn rfc3339(ms: i64) -> String {
    ais::nmea::format_rfc3339_ms(ms)
}

/// Parses the RFC 3339 UTC form written here back to unix ms.
pub fn parse_time(s: &str) -> Option<i64> {
    ais::nmea::parse_rfc3339_ms(s)
}

impl Event {
    pub fn new(
        kind: &str,
        mmsi: u32,
        start_ms: i64,
        end_ms: Option<i64>,
        pos: Option<(f64, f64)>,
    ) -> Event {
        Event {
            id: String::new(),
            kind: kind.to_string(),
            mmsi,
            other_mmsi: None,
            start: rfc3339(start_ms),
            end: end_ms.map(rfc3339),
            lat: pos.map(|p| p.0),
            lon: pos.map(|p| p.1),
            port: None,
            confidence: 0.5,
            evidence: serde_json::Value::Null,
            vessel: None,
        }
    }
    pub fn start_ms(&self) -> i64 {
        parse_time(&self.start).unwrap_or(0)
    }
    pub fn end_ms(&self) -> i64 {
        self.end
            .as_deref()
            .and_then(parse_time)
            .unwrap_or_else(|| self.start_ms())
    }
}
