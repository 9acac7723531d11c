//! Ground truth: every true event in the event schema of the design
//! (`kind`, `mmsi`, `other_mmsi`, `start`, `end`, `lat`, `lon`, `port`,
//! `confidence`, `evidence`), each vessel's true identities, and a summary
//! of what the feed contains.

use crate::world::PortRef;
use model::EventKind;
use serde::Serialize;

pub fn rfc3339(ms: i64) -> String {
    ais::nmea::format_rfc3339_ms(ms)
}

#[derive(Debug, Clone, Serialize)]
pub struct PortJson {
    pub name: String,
    pub locode: Option<String>,
}

/// A true event.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub mmsi: u32,
    pub other_mmsi: Option<u32>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub pos: Option<(f64, f64)>,
    pub port: Option<PortJson>,
    pub evidence: serde_json::Value,
}

impl Event {
    pub fn new(
        kind: EventKind,
        mmsi: u32,
        start_ms: i64,
        end_ms: Option<i64>,
        pos: Option<(f64, f64)>,
        port: Option<&PortRef>,
        evidence: serde_json::Value,
    ) -> Event {
        Event {
            kind,
            mmsi,
            other_mmsi: None,
            start_ms,
            end_ms,
            pos: pos.or(port.map(|p| p.berth)),
            port: port.map(|p| PortJson {
                name: p.name.clone(),
                locode: (!p.locode.is_empty()).then(|| p.locode.clone()),
            }),
            evidence,
        }
    }

    pub fn port_visit(mmsi: u32, start: i64, end: i64, port: &PortRef, dark: bool) -> Event {
        Event::new(
            EventKind::PortVisit,
            mmsi,
            start,
            Some(end),
            None,
            Some(port),
            serde_json::json!({ "ais_off": dark }),
        )
    }

    pub fn voyage(
        mmsi: u32,
        start: i64,
        end: i64,
        from: &PortRef,
        to: &PortRef,
        shuttle: bool,
    ) -> Event {
        Event::new(
            EventKind::Voyage,
            mmsi,
            start,
            Some(end),
            Some(from.berth),
            Some(to),
            serde_json::json!({ "from": from.name, "to": to.name, "shuttle": shuttle }),
        )
    }

    pub fn to_json(&self, id: usize) -> serde_json::Value {
        serde_json::json!({
            "record": "event",
            "id": format!("truth-{id}"),
            "kind": self.kind,
            "mmsi": self.mmsi,
            "other_mmsi": self.other_mmsi,
            "start": rfc3339(self.start_ms),
            "end": self.end_ms.map(rfc3339),
            "lat": self.pos.map(|p| p.0),
            "lon": self.pos.map(|p| p.1),
            "port": self.port,
            "confidence": 1.0,
            "evidence": self.evidence,
        })
    }
}
