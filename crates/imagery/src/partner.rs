//! The partner of a transfer at sea, seen. A vessel that waits at sea
//! with no partner heard (a one-sided encounter, or loitering) and that
//! an image shows beside a hull no AIS vessel explains has met that hull:
//! the dark vessel is attached to its one-sided encounter, and a
//! loitering vessel that had none gets one.
//!
//! Beside means within `partner_km` of the vessel's own detection in the
//! same image (where the image put it, not where its fixes predicted:
//! both positions then carry the same image's error). A vessel the image
//! did not show is not paired with anything.

use crate::fuse::Fusion;
use crate::ImageryParams;
use model::evidence::{Encounter, OneSidedEncounter, PartnerImaged};
use model::{Event, EventKind, Time};
use sea::geo::distance_nm;
use std::collections::HashMap;

/// What [`apply`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Partners {
    /// One-sided encounters whose partner an image showed.
    pub encounters_imaged: usize,
    /// One-sided encounters made from loitering beside a dark hull.
    pub from_loitering: usize,
}

/// Attaches the dark vessels of `f` (`dark`, from
/// [`Fusion::dark_vessel_events`], with their ids) beside a waiting
/// vessel to its one-sided encounter among `events`, raising its
/// confidence to the dark vessel's when that is higher (the hull beside it
/// is the meeting), and adds a one-sided encounter for a loitering vessel
/// that had none, as likely as the loitering times the dark vessel.
pub fn apply(events: &mut Vec<Event>, dark: &[Event], f: &Fusion, p: &ImageryParams) -> Partners {
    let mut out = Partners::default();
    // each vessel's own detections: mmsi -> (scene id, time, lat, lon)
    let mut seen: HashMap<u32, Vec<(&str, i64, f64, f64)>> = HashMap::new();
    for m in &f.matched {
        let d = &f.detections[m.detection];
        seen.entry(m.mmsi)
            .or_default()
            .push((d.scene_id.as_str(), d.time_ms, d.lat, d.lon));
    }
    // dark vessels by scene
    let mut by_scene: HashMap<&str, Vec<&Event>> = HashMap::new();
    for e in dark {
        if let Some(d) = e.evidence.dark_vessel() {
            by_scene.entry(d.scene_id.as_str()).or_default().push(e);
        }
    }
    let partners_of = |m: u32, t0: i64, t1: i64| -> Vec<PartnerImaged> {
        let mut v: Vec<PartnerImaged> = Vec::new();
        for &(scene, t, lat, lon) in seen.get(&m).map(Vec::as_slice).unwrap_or(&[]) {
            if t < t0 || t > t1 {
                continue;
            }
            for e in by_scene.get(scene).map(Vec::as_slice).unwrap_or(&[]) {
                let (Some(dl), Some(dn), Some(d)) = (e.lat, e.lon, e.evidence.dark_vessel()) else {
                    continue;
                };
                let km = distance_nm(lat, lon, dl, dn) * 1.852;
                if km <= p.partner_km {
                    v.push(PartnerImaged {
                        scene_id: d.scene_id.clone(),
                        detection_id: d.detection_id.clone(),
                        dark_vessel_id: e.id.clone(),
                        time: Time(e.start_ms()),
                        length_m: d.length_m,
                        distance_km: km,
                        confidence: e.confidence,
                    });
                }
            }
        }
        v.sort_by(|a, b| {
            a.time
                .cmp(&b.time)
                .then(a.distance_km.total_cmp(&b.distance_km))
        });
        v
    };
    let best = |v: &[PartnerImaged]| v.iter().map(|x| x.confidence).fold(0.0, f64::max);
    // one-sided encounters: the partner seen
    let mut covered: Vec<(u32, i64, i64)> = Vec::new();
    for e in events.iter_mut() {
        let (m, t0, t1) = (e.mmsi, e.start_ms(), e.end_ms());
        let Some(Encounter::OneSided(_)) = e.evidence.encounter() else {
            continue;
        };
        covered.push((m, t0, t1));
        let v = partners_of(m, t0, t1);
        if v.is_empty() {
            continue;
        }
        let c = best(&v);
        if let model::Detail::Encounter(Encounter::OneSided(o)) = &mut e.evidence.detail {
            o.partner = format!(
                "not heard; a hull with no AIS seen beside it ({})",
                v[0].dark_vessel_id
            );
            o.partner_imaged = v;
        }
        e.confidence = e.confidence.max(c);
        out.encounters_imaged += 1;
    }
    // loitering at sea beside a dark hull, no one-sided encounter yet
    let calls = |m: u32, events: &[Event]| {
        events
            .iter()
            .filter(|e| e.mmsi == m && e.kind() == EventKind::DarkPortCall && e.confidence >= 0.5)
            .count()
    };
    let mut new = Vec::new();
    for e in events.iter() {
        let Some(l) = e.evidence.loitering() else {
            continue;
        };
        let (m, t0, t1) = (e.mmsi, e.start_ms(), e.end_ms());
        if covered
            .iter()
            .any(|&(cm, a, b)| cm == m && a < t1 && b > t0)
        {
            continue;
        }
        let v = partners_of(m, t0, t1);
        if v.is_empty() {
            continue;
        }
        let c = best(&v);
        let ev = Encounter::OneSided(OneSidedEncounter {
            rule: "a vessel loitering at sea beside a hull a satellite image showed with no AIS: a possible transfer with a dark vessel".into(),
            partner: format!("not heard; a hull with no AIS seen beside it ({})", v[0].dark_vessel_id),
            hours: l.hours,
            dark_port_calls: calls(m, events),
            partner_imaged: v,
        });
        let pos = e.lat.zip(e.lon);
        let mut n = Event::new(m, t0, Some(t1), pos, ev);
        n.id = format!("{}-partner", e.id);
        n.vessel = e.vessel.clone();
        // both must hold: the loitering, and the hull a vessel with its
        // AIS off (taken as independent)
        n.confidence = c * e.confidence;
        new.push(n);
    }
    out.from_loitering = new.len();
    events.extend(new);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuse::{Matched, Unmatched};
    use crate::input::Detection;
    use model::evidence::{DarkVessel, Loitering};

    fn det(id: &str, scene: &str, t: i64, lat: f64, lon: f64) -> Detection {
        Detection {
            id: id.into(),
            scene_id: scene.into(),
            time_ms: t,
            lat,
            lon,
            length_m: Some(100.0),
            heading: None,
            score: None,
            source: None,
            origin: format!("t:{id}"),
        }
    }

    fn dark(id: &str, d: &Detection, confidence: f64) -> Event {
        let mut e = Event::new(
            0,
            d.time_ms,
            Some(d.time_ms),
            Some((d.lat, d.lon)),
            DarkVessel {
                scene_id: d.scene_id.clone(),
                detection_id: d.id.clone(),
                length_m: d.length_m,
                ..DarkVessel::default()
            },
        );
        e.id = id.into();
        e.confidence = confidence;
        e
    }

    fn loiter(m: u32, t0: i64, t1: i64, confidence: f64) -> Event {
        let mut e = Event::new(
            m,
            t0,
            Some(t1),
            Some((41.4, 131.9)),
            Loitering {
                hours: (t1 - t0) as f64 / 3_600_000.0,
                mean_speed_kn: 0.5,
                fixes: 40,
                first_slow_fix: Time(t0),
                last_slow_fix: Time(t1),
                parameters: Default::default(),
            },
        );
        e.id = format!("ev-{m}");
        e.confidence = confidence;
        e
    }

    #[test]
    fn a_dark_hull_beside_a_waiting_vessel_is_its_partner() {
        let h = 3_600_000i64;
        // scene a at 5 h: vessel 1 (loitering 0-8 h) at 41.4/131.9, a dark
        // hull 300 m east, another 5 km away; scene b at 20 h: vessel 2
        // (loitering 18-22 h, far from anything), a dark hull 3 km away
        let dets = vec![
            det("a1", "a", 5 * h, 41.4, 131.9),
            det("a2", "a", 5 * h, 41.4, 131.9036),
            det("a3", "a", 5 * h, 41.4, 131.96),
            det("b1", "b", 20 * h, 41.0, 131.0),
            det("b2", "b", 20 * h, 41.0, 131.036),
        ];
        let matched = |k: usize, m: u32| Matched {
            detection: k,
            mmsi: m,
            distance_km: 0.1,
            sigma_km: 0.3,
            hours_to_fix: 0.1,
            llr: 5.0,
            alternatives: Vec::new(),
        };
        let f = Fusion {
            detections: dets.clone(),
            matched: vec![matched(0, 1), matched(3, 2)],
            unmatched: Vec::<Unmatched>::new(),
            ..Fusion::default()
        };
        let dk = vec![
            dark("dv-1", &dets[1], 0.9),
            dark("dv-2", &dets[2], 0.95),
            dark("dv-3", &dets[4], 0.9),
        ];
        let mut events = vec![loiter(1, 0, 8 * h, 0.6), loiter(2, 18 * h, 22 * h, 0.6)];
        let p = ImageryParams::default();
        let r = apply(&mut events, &dk, &f, &p);
        assert_eq!(
            r,
            Partners {
                encounters_imaged: 0,
                from_loitering: 1
            }
        );
        let enc = events
            .iter()
            .find(|e| e.kind() == EventKind::Encounter)
            .unwrap();
        assert_eq!(enc.mmsi, 1);
        let Some(Encounter::OneSided(o)) = enc.evidence.encounter() else {
            panic!()
        };
        assert_eq!(o.partner_imaged.len(), 1, "only the hull beside it");
        assert_eq!(o.partner_imaged[0].dark_vessel_id, "dv-1");
        assert!((o.partner_imaged[0].distance_km - 0.3).abs() < 0.01);
        assert!((enc.confidence - 0.9 * 0.6).abs() < 1e-9, "both must hold");
        // run again over its own output: the encounter is now one-sided
        // and imaged, nothing new is made
        let r = apply(&mut events, &dk, &f, &p);
        assert_eq!(
            r,
            Partners {
                encounters_imaged: 1,
                from_loitering: 0
            }
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.kind() == EventKind::Encounter)
                .count(),
            1
        );
    }
}
