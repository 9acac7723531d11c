//! Scoring detections against the simulator's truth: precision and recall
//! per event kind.

use crate::event::Event;
use sea::geo::distance_nm;
use std::collections::BTreeMap;

/// Scores of one kind.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindScore {
    pub kind: String,
    pub truth: usize,
    pub detected: usize,
    /// Truth events matched by at least one detection.
    pub found: usize,
    /// Detections that match a truth event.
    pub correct: usize,
    pub recall: f64,
    pub precision: f64,
}

/// How close a detection must be to a truth event to match it.
#[derive(Debug, Clone, Copy)]
pub struct Matching {
    /// Time windows may miss each other by this much, hours.
    pub tolerance_hours: f64,
    /// Ports without a common UN/LOCODE match within this distance, km.
    pub port_km: f64,
    /// Detections below this confidence are left out.
    pub min_confidence: f64,
}

impl Default for Matching {
    fn default() -> Self {
        Matching {
            tolerance_hours: 2.0,
            port_km: 15.0,
            min_confidence: 0.0,
        }
    }
}

fn same_vessel(t: &Event, d: &Event) -> bool {
    t.mmsi == d.mmsi || t.other_mmsi == Some(d.mmsi) || d.other_mmsi == Some(t.mmsi)
}

fn same_port(t: &Event, d: &Event, km: f64) -> bool {
    match (&t.port, &d.port) {
        (Some(a), Some(b)) => {
            if a.locode.is_some() && a.locode == b.locode || a.name.eq_ignore_ascii_case(&b.name) {
                return true;
            }
            match (t.lat.zip(t.lon), d.lat.zip(d.lon)) {
                (Some(x), Some(y)) => distance_nm(x.0, x.1, y.0, y.1) * 1.852 <= km,
                _ => false,
            }
        }
        (None, _) | (_, None) => true,
    }
}

pub fn matches(t: &Event, d: &Event, m: &Matching) -> bool {
    let tol = (m.tolerance_hours * 3_600_000.0) as i64;
    t.kind == d.kind
        && same_vessel(t, d)
        && d.start_ms() <= t.end_ms() + tol
        && d.end_ms() >= t.start_ms() - tol
        && (!matches!(t.kind.as_str(), "port_visit" | "dark_port_call")
            || same_port(t, d, m.port_km))
}

/// Precision and recall per kind present in either set.
pub fn evaluate(truth: &[Event], detected: &[Event], m: &Matching) -> Vec<KindScore> {
    let det: Vec<&Event> = detected
        .iter()
        .filter(|d| d.confidence >= m.min_confidence)
        .collect();
    let mut kinds: BTreeMap<&str, ()> = BTreeMap::new();
    for e in truth
        .iter()
        .map(|e| e.kind.as_str())
        .chain(det.iter().map(|e| e.kind.as_str()))
    {
        kinds.insert(e, ());
    }
    let mut out = Vec::new();
    for kind in kinds.keys() {
        let t: Vec<&Event> = truth.iter().filter(|e| e.kind == *kind).collect();
        let d: Vec<&Event> = det.iter().copied().filter(|e| e.kind == *kind).collect();
        // index detections by vessel for speed
        let mut by_m: std::collections::HashMap<u32, Vec<&Event>> =
            std::collections::HashMap::new();
        for e in &d {
            by_m.entry(e.mmsi).or_default().push(e);
            if let Some(o) = e.other_mmsi {
                by_m.entry(o).or_default().push(e);
            }
        }
        let found = t
            .iter()
            .filter(|te| {
                by_m.get(&te.mmsi)
                    .is_some_and(|v| v.iter().any(|de| matches(te, de, m)))
                    || te
                        .other_mmsi
                        .and_then(|o| by_m.get(&o))
                        .is_some_and(|v| v.iter().any(|de| matches(te, de, m)))
            })
            .count();
        let mut tby: std::collections::HashMap<u32, Vec<&Event>> = std::collections::HashMap::new();
        for e in &t {
            tby.entry(e.mmsi).or_default().push(e);
            if let Some(o) = e.other_mmsi {
                tby.entry(o).or_default().push(e);
            }
        }
        let correct = d
            .iter()
            .filter(|de| {
                tby.get(&de.mmsi)
                    .is_some_and(|v| v.iter().any(|te| matches(te, de, m)))
                    || de
                        .other_mmsi
                        .and_then(|o| tby.get(&o))
                        .is_some_and(|v| v.iter().any(|te| matches(te, de, m)))
            })
            .count();
        out.push(KindScore {
            kind: kind.to_string(),
            truth: t.len(),
            detected: d.len(),
            found,
            correct,
            recall: if t.is_empty() {
                f64::NAN
            } else {
                found as f64 / t.len() as f64
            },
            precision: if d.is_empty() {
                f64::NAN
            } else {
                correct as f64 / d.len() as f64
            },
        });
    }
    out
}

/// Reads the events of a truth file (lines with `"record":"event"`) or an
/// events file (every line an event).
pub fn read_events(text: &str) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if v.get("record").is_some_and(|r| r != "event") {
            continue;
        }
        out.push(serde_json::from_value(v).map_err(|e| format!("line {}: {e}", i + 1))?);
    }
    Ok(out)
}
