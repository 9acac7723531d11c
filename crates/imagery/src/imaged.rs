//! Images of dark port calls. A dark vessel at a watched port during a
//! vessel's silence, of that vessel's length, is evidence that the
//! vessel was there; how strong depends on how often the images of that
//! port show such a hull anyway.
//!
//! For one image of the port: with `q` the chance the image shows the
//! vessel if it is there (`ImageryParams::p_detect` of its length) and
//! `λ` the number of other unexplained hulls of a fitting length the
//! images of that port show on average (counted over its images outside
//! this vessel's silences, with half a hull added so that a port seen
//! empty twice is not taken as always empty), the chance of at least one
//! fitting hull is `1 - (1 - q) e^-λ` if the vessel is there and
//! `1 - e^-λ` if not. Their ratio is the likelihood ratio; the call's
//! calibrated probability is updated by Bayes' rule (odds times the ratio,
//! images multiplied as independent looks).

use crate::fuse::Fusion;
use crate::ImageryParams;
use model::evidence::Imaged;
use model::{Event, EventKind};
use sea::geo::distance_nm;
use std::collections::HashMap;

/// A dark port call: its index, its silence (ms) and its ports with
/// their positions (lat, lon).
type Span = (usize, i64, i64, Vec<(String, (f64, f64))>);

/// Attaches the dark vessels of `f` (`dark`, from
/// [`Fusion::dark_vessel_events`]) to the dark port calls among `events`
/// whose silence and port they fall in, and raises their confidence.
/// Returns how many calls were imaged.
pub fn apply(
    events: &mut [Event],
    dark: &[Event],
    f: &Fusion,
    lengths: &HashMap<u32, f64>,
    gaz: &detect::gazetteer::Gazetteer,
    p: &ImageryParams,
) -> usize {
    let km = |a: (f64, f64), b: (f64, f64)| distance_nm(a.0, a.1, b.0, b.1) * 1.852;
    // each dark call's ports (those its silence cannot tell apart), with
    // their positions
    let spans: Vec<Span> = events
        .iter()
        .enumerate()
        .filter_map(|(k, e)| {
            let d = e.evidence.dark_port_call()?;
            let ports: Vec<(String, (f64, f64))> = e
                .ports()
                .into_iter()
                .filter_map(|n| {
                    let i = gaz.find(n)?;
                    Some((n.to_string(), (gaz.places[i].lat, gaz.places[i].lon)))
                })
                .collect();
            Some((k, d.gap.from.0, d.gap.to.0, ports))
        })
        .collect();
    let fits = |len: Option<f64>, vessel: Option<f64>| p.length_fits(len, vessel);
    let mut imaged = 0;
    for (k, t0, t1, ports) in &spans {
        let mmsi = events[*k].mmsi;
        let vlen = lengths.get(&mmsi).copied();
        let mut found: Vec<Imaged> = Vec::new();
        for (name, at) in ports {
            // the images of this port, and the fitting unexplained hulls
            // they show outside this vessel's silences
            let mut looks = 0usize;
            let mut others = 0usize;
            for s in f.scenes.iter().filter(|s| s.contains(at.1, at.0)) {
                let silent = spans
                    .iter()
                    .any(|x| events[x.0].mmsi == mmsi && s.time_ms >= x.1 && s.time_ms <= x.2);
                if silent {
                    continue;
                }
                looks += 1;
                others += dark
                    .iter()
                    .filter(|e| {
                        e.start.0 == s.time_ms
                            && e.evidence
                                .dark_vessel()
                                .is_some_and(|d| d.scene_id == s.id && fits(d.length_m, vlen))
                            && km((e.lat.unwrap_or(0.0), e.lon.unwrap_or(0.0)), *at)
                                <= p.port_radius_km
                    })
                    .count();
            }
            let lambda = (others as f64 + 0.5) / (looks as f64 + 1.0);
            let q = p.p_detect(vlen);
            let lr = (1.0 - (1.0 - q) * (-lambda).exp()) / (1.0 - (-lambda).exp());
            for e in dark.iter().filter(|e| e.start.0 >= *t0 && e.start.0 <= *t1) {
                let Some(d) = e.evidence.dark_vessel() else {
                    continue;
                };
                let dist = km((e.lat.unwrap_or(0.0), e.lon.unwrap_or(0.0)), *at);
                if dist <= p.port_radius_km
                    && fits(d.length_m, vlen)
                    && !found.iter().any(|x| x.scene_id == d.scene_id)
                {
                    found.push(Imaged {
                        scene_id: d.scene_id.clone(),
                        detection_id: d.detection_id.clone(),
                        time: e.start,
                        source: d.source.clone(),
                        port: name.clone(),
                        distance_km: dist,
                        length_m: d.length_m,
                        vessel_length_m: vlen,
                        likelihood_ratio: lr,
                        port_images: looks,
                        other_fitting_hulls: others,
                    });
                }
            }
        }
        if found.is_empty() {
            continue;
        }
        let e = &mut events[*k];
        let c = e.confidence.clamp(1e-6, 1.0 - 1e-6);
        let odds = c / (1.0 - c) * found.iter().map(|x| x.likelihood_ratio).product::<f64>();
        e.confidence = (odds / (1.0 + odds)).min(0.999);
        if let Some(d) = e.evidence.dark_port_call_mut() {
            d.imaged = found;
        }
        imaged += 1;
    }
    debug_assert!(events
        .iter()
        .all(|e| e.kind() != EventKind::DarkVessel || e.mmsi == 0));
    imaged
}
