//! Ground truth: every true event in the event schema of the design
//! (`kind`, `mmsi`, `other_mmsi`, `start`, `end`, `lat`, `lon`, `port`,
//! `confidence`, `evidence`), each vessel's true identities, and a summary
//! of what the feed contains.

use crate::world::PortRef;
use model::EventKind;
use serde::Serialize;

/// Unix ms as RFC 3339 UTC.
pub fn rfc3339(ms: i64) -> String {
    ais::nmea::format_rfc3339_ms(ms)
}

/// A port in a true event.
#[derive(Debug, Clone, Serialize)]
pub struct PortJson {
    /// Its name.
    pub name: String,
    /// Its UN/LOCODE.
    pub locode: Option<String>,
}

/// A true event.
#[derive(Debug, Clone)]
pub struct Event {
    /// The kind.
    pub kind: EventKind,
    /// The vessel.
    pub mmsi: u32,
    /// The other vessel or MMSI.
    pub other_mmsi: Option<u32>,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: Option<i64>,
    /// Where (lat, lon).
    pub pos: Option<(f64, f64)>,
    /// The port.
    pub port: Option<PortJson>,
    /// What the simulator knows about it (not the detectors' evidence).
    pub evidence: serde_json::Value,
}

impl Event {
    /// A true event (its place the port's berth when it has a port and no place).
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

    /// A port visit (`dark`: with the transponder off).
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

    /// A voyage between two ports (`shuttle`: a shuttle's leg).
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

    /// The event as a line of truth.jsonl.
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
