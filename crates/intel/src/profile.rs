//! What each MMSI said about itself over the whole store: every name,
//! IMO and callsign with when it was first and last broadcast, dimensions,
//! and the draught over time. Built in one streaming pass over the
//! identity reports (memory grows with vessels, not reports).

use serde::Serialize;
use std::collections::BTreeMap;
use store::{Filter, Store, StoreError};

/// A value broadcast over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seen<T> {
    /// The value.
    pub value: T,
    /// First broadcast, unix ms.
    pub first_ms: i64,
    /// Last broadcast, unix ms.
    pub last_ms: i64,
}

/// One MMSI's self-description.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Profile {
    /// The MMSI.
    pub mmsi: u32,
    /// ISO alpha-2 flag from the MID.
    pub flag: Option<String>,
    /// Names broadcast (attacker-controlled text).
    pub names: Vec<Seen<String>>,
    /// IMO numbers broadcast.
    pub imos: Vec<Seen<u32>>,
    /// Call signs broadcast.
    pub callsigns: Vec<Seen<String>>,
    /// Ship type codes broadcast.
    pub ship_types: Vec<Seen<u8>>,
    /// Destinations as typed by the crew (attacker-controlled text).
    pub destinations: Vec<Seen<String>>,
    /// Length from the antenna offsets, m.
    pub length_m: Option<f64>,
    /// Beam from the antenna offsets, m.
    pub beam_m: Option<f64>,
    /// (time, draught m) at every change of broadcast draught.
    pub draughts: Vec<(i64, f32)>,
}

fn note<T: PartialEq + Clone>(v: &mut Vec<Seen<T>>, x: &T, t: i64) {
    match v.iter_mut().find(|s| &s.value == x) {
        Some(s) => {
            s.first_ms = s.first_ms.min(t);
            s.last_ms = s.last_ms.max(t);
        }
        None => v.push(Seen {
            value: x.clone(),
            first_ms: t,
            last_ms: t,
        }),
    }
}

impl Profile {
    /// An empty profile of this MMSI (its flag from the MID).
    pub fn new(mmsi: u32) -> Profile {
        Profile {
            mmsi,
            flag: ais::mid::flag(mmsi).map(|f| f.alpha2.to_string()),
            ..Profile::default()
        }
    }

    /// Adds one identity report (reports of one MMSI in time order).
    pub fn add(&mut self, i: &store::Identity) {
        let t = i.time_ms;
        if let Some(n) = &i.name {
            note(&mut self.names, n, t);
        }
        if let Some(x) = i.imo {
            note(&mut self.imos, &x, t);
        }
        if let Some(c) = &i.callsign {
            note(&mut self.callsigns, c, t);
        }
        if let Some(s) = i.ship_type {
            note(&mut self.ship_types, &s, t);
        }
        if let Some(d) = &i.destination {
            note(&mut self.destinations, d, t);
        }
        if let (Some(a), Some(b)) = (i.to_bow, i.to_stern) {
            if a + b > 0 {
                self.length_m = Some((a + b) as f64);
            }
        }
        if let (Some(a), Some(b)) = (i.to_port, i.to_starboard) {
            if a + b > 0 {
                self.beam_m = Some((a + b) as f64);
            }
        }
        if let Some(d) = i.draught {
            if d > 0.0 && self.draughts.last().is_none_or(|x| x.1 != d) {
                self.draughts.push((t, d));
            }
        }
    }

    /// The latest name broadcast.
    pub fn name(&self) -> Option<&str> {
        self.names
            .iter()
            .max_by_key(|s| s.last_ms)
            .map(|s| s.value.as_str())
    }

    /// The draught broadcast at `t` (the latest at or before it).
    pub fn draught_at(&self, t: i64) -> Option<f32> {
        let k = self.draughts.partition_point(|x| x.0 <= t);
        k.checked_sub(1).map(|k| self.draughts[k].1)
    }

    /// The deepest draught broadcast.
    pub fn max_draught(&self) -> Option<f32> {
        self.draughts.iter().map(|x| x.1).reduce(f32::max)
    }
}

/// Profiles of every MMSI with identity reports in a store.
pub fn from_store(store: &Store) -> Result<BTreeMap<u32, Profile>, StoreError> {
    let mut out: BTreeMap<u32, Profile> = BTreeMap::new();
    let mut rows: Vec<store::Identity> = Vec::new();
    for b in store.scan_identities(&Filter::default()) {
        let (path, b) = b?;
        rows.clear();
        rows.extend(
            store::schema::identities_from_batch(&b)
                .map_err(|msg| StoreError::Corrupt { path, msg })?,
        );
        rows.sort_by_key(|i| (i.mmsi, i.time_ms));
        for i in &rows {
            out.entry(i.mmsi)
                .or_insert_with(|| Profile::new(i.mmsi))
                .add(i);
        }
    }
    for p in out.values_mut() {
        // batches come day by day: keep draught changes in time order
        p.draughts.sort_by_key(|x| x.0);
        p.draughts.dedup_by(|b, a| a.1 == b.1);
    }
    Ok(out)
}
