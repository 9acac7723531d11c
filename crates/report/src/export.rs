//! Exports for GIS tools and spreadsheets: `events.geojson` (RFC 7946,
//! loads in QGIS), `tracks.kml` (KML 2.2, Google Earth), `events.csv`,
//! `voyages.csv`. Every event is exported, including those without a
//! position (GeoJSON: `"geometry": null`, which RFC 7946 §3.2 allows).

use crate::map::Track;
use crate::{ReportError, Vessel};
use detect::{Event, EventKind};
use quick_xml::events::{BytesDecl, BytesText};
use quick_xml::Writer;
use std::collections::BTreeMap;

fn enc<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Encode(e.to_string())
}

pub use model::csv_text;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Per MMSI, the parties the vessel is tied to by the lists and
/// registers: [owner, manager (and operator), linked to].
pub type Parties = BTreeMap<u32, [String; 3]>;

/// The owner, manager and linked-party columns of each vessel placed in
/// the graph.
pub fn parties(j: &intel::Judgement) -> Parties {
    use intel::network::LinkKind as K;
    j.network
        .iter()
        .map(|n| {
            (
                n.mmsi,
                [
                    n.direct(&[K::Owner]),
                    n.direct(&[K::Manager, K::Operator]),
                    n.direct(&[K::LinkedTo]),
                ],
            )
        })
        .collect()
}

/// Every event as a GeoJSON Feature (properties flat; evidence as a JSON
/// object); the vessel's owner, manager and linked parties from `parties`.
pub fn events_geojson(events: &[Event], parties: &Parties) -> Result<Vec<u8>, ReportError> {
    let features = events
        .iter()
        .map(|e| {
            let geometry = match (e.lat, e.lon) {
                (Some(lat), Some(lon)) => Some(geojson::Geometry::new_point([lon, lat])),
                _ => None,
            };
            let mut p = geojson::JsonObject::new();
            let v = e.vessel.clone().unwrap_or_default();
            let put = |p: &mut geojson::JsonObject, k: &str, v: serde_json::Value| {
                p.insert(k.to_string(), v);
            };
            put(&mut p, "id", e.id.clone().into());
            put(&mut p, "kind", e.kind().as_str().into());
            put(&mut p, "mmsi", e.mmsi.into());
            put(&mut p, "other_mmsi", e.other_mmsi.into());
            put(&mut p, "start", e.start.to_string().into());
            put(&mut p, "end", e.end.map(|t| t.to_string()).into());
            put(&mut p, "hours", crate::hours(e).into());
            put(
                &mut p,
                "port",
                e.port.as_ref().map(|p| p.name.clone()).into(),
            );
            put(
                &mut p,
                "locode",
                e.port.as_ref().and_then(|p| p.locode.clone()).into(),
            );
            put(&mut p, "confidence", e.confidence.into());
            put(&mut p, "name", v.name.into());
            put(&mut p, "imo", v.imo.into());
            put(&mut p, "callsign", v.callsign.into());
            put(&mut p, "ship_type", v.ship_type.into());
            put(&mut p, "flag", v.flag.into());
            let no = [String::new(), String::new(), String::new()];
            let [owner, manager, linked] = parties.get(&e.mmsi).unwrap_or(&no);
            put(&mut p, "owner", owner.as_str().into());
            put(&mut p, "manager", manager.as_str().into());
            put(&mut p, "linked_to", linked.as_str().into());
            put(
                &mut p,
                "evidence",
                e.evidence.to_value().unwrap_or_default(),
            );
            geojson::Feature {
                bbox: None,
                geometry,
                id: Some(geojson::feature::Id::String(e.id.clone())),
                properties: Some(p),
                foreign_members: None,
            }
        })
        .collect();
    let fc = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    serde_json::to_vec(&fc).map_err(enc)
}

/// `#rrggbb` -> KML `aabbggrr`.
fn kml_colour(hex: &str) -> String {
    let h = hex.trim_start_matches('#');
    if h.len() != 6 {
        return "ff333333".into();
    }
    format!("ff{}{}{}", &h[4..6], &h[2..4], &h[0..2])
}

type W = Writer<Vec<u8>>;

fn text_el(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&crate::visible(text)))
        .map(|_| ())
}

fn timespan(w: &mut W, begin: &str, end: Option<&str>) -> std::io::Result<()> {
    w.create_element("TimeSpan").write_inner_content(|w| {
        text_el(w, "begin", begin)?;
        if let Some(e) = end {
            text_el(w, "end", e)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Tracks of the vessels of interest (one folder each: the track as a
/// MultiGeometry of runs, then its events as points), KML 2.2.
pub fn tracks_kml(
    vessels: &[Vessel],
    tracks: &[Track],
    events: &[Event],
) -> Result<Vec<u8>, ReportError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let by_mmsi: BTreeMap<u32, &Track> = tracks.iter().map(|t| (t.mmsi, t)).collect();
    (|| -> std::io::Result<()> {
        w.write_event(quick_xml::events::Event::Decl(BytesDecl::new(
            "1.0",
            Some("UTF-8"),
            None,
        )))?;
        w.create_element("kml")
            .with_attribute(("xmlns", "http://www.opengis.net/kml/2.2"))
            .write_inner_content(|w| {
                w.create_element("Document").write_inner_content(|w| {
                    text_el(w, "name", "shiptrace: tracks of the vessels of interest")?;
                    for (k, v) in vessels.iter().enumerate() {
                        w.create_element("Style")
                            .with_attribute(("id", format!("v{k}").as_str()))
                            .write_inner_content(|w| {
                                w.create_element("LineStyle").write_inner_content(|w| {
                                    text_el(w, "color", &kml_colour(v.colour))?;
                                    text_el(w, "width", "2")
                                })?;
                                w.create_element("IconStyle").write_inner_content(|w| {
                                    text_el(w, "color", &kml_colour(v.colour))
                                })?;
                                Ok(())
                            })?;
                    }
                    for (k, v) in vessels.iter().enumerate() {
                        let name =
                            format!("{} ({})", v.name.as_deref().unwrap_or("no name"), v.mmsi);
                        w.create_element("Folder").write_inner_content(|w| {
                            text_el(w, "name", &name)?;
                            text_el(w, "description", &format!("risk {:.1}", v.risk))?;
                            if let Some(t) = by_mmsi.get(&v.mmsi) {
                                w.create_element("Placemark").write_inner_content(|w| {
                                    text_el(w, "name", &format!("track of {name}"))?;
                                    if let Some((a, b)) = t.span() {
                                        timespan(
                                            w,
                                            &detect::event::rfc3339(a),
                                            Some(&detect::event::rfc3339(b)),
                                        )?;
                                    }
                                    text_el(w, "styleUrl", &format!("#v{k}"))?;
                                    w.create_element("MultiGeometry").write_inner_content(|w| {
                                        // about 50 m: below what Google Earth shows at port scale
                                        for run in
                                            t.simplified(0.0005).iter().filter(|r| r.len() >= 2)
                                        {
                                            let coords: Vec<String> = run
                                                .iter()
                                                .map(|(x, y)| format!("{x:.5},{y:.5}"))
                                                .collect();
                                            w.create_element("LineString").write_inner_content(
                                                |w| {
                                                    text_el(w, "tessellate", "1")?;
                                                    text_el(w, "coordinates", &coords.join(" "))
                                                },
                                            )?;
                                        }
                                        Ok(())
                                    })?;
                                    Ok(())
                                })?;
                            }
                            for e in events.iter().filter(|e| {
                                e.mmsi == v.mmsi && e.lat.is_some() && e.kind() != EventKind::Voyage
                            }) {
                                event_placemark(w, e, Some(&format!("#v{k}")))?;
                            }
                            Ok(())
                        })?;
                    }
                    // hulls in satellite images that no AIS vessel explains
                    let dark: Vec<&Event> = events
                        .iter()
                        .filter(|e| e.kind() == EventKind::DarkVessel && e.lat.is_some())
                        .collect();
                    if !dark.is_empty() {
                        w.create_element("Folder").write_inner_content(|w| {
                            text_el(w, "name", "dark vessels (satellite images, no AIS)")?;
                            for e in &dark {
                                event_placemark(w, e, None)?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
        Ok(())
    })()
    .map_err(enc)?;
    Ok(w.into_inner())
}

/// One event as a KML point: kind, id, confidence, port, partner, time.
fn event_placemark(w: &mut Writer<Vec<u8>>, e: &Event, style: Option<&str>) -> std::io::Result<()> {
    w.create_element("Placemark").write_inner_content(|w| {
        text_el(w, "name", &e.kind().as_str().replace('_', " "))?;
        let mut d = format!("{} [{}], confidence {:.2}", e.kind(), e.id, e.confidence);
        if let Some(p) = &e.port {
            d.push_str(&format!(", {}", p.name));
        }
        if let Some(o) = e.other_mmsi {
            d.push_str(&format!(", with MMSI {o}"));
        }
        text_el(w, "description", &d)?;
        timespan(
            w,
            &e.start.to_string(),
            e.end.map(|t| t.to_string()).as_deref(),
        )?;
        if let Some(s) = style {
            text_el(w, "styleUrl", s)?;
        }
        w.create_element("Point").write_inner_content(|w| {
            text_el(
                w,
                "coordinates",
                &format!("{:.5},{:.5}", e.lon.unwrap_or(0.0), e.lat.unwrap_or(0.0)),
            )
        })?;
        Ok(())
    })?;
    Ok(())
}

/// Every event, one row each (evidence as a JSON cell; the vessel's
/// owner, manager and linked parties from `parties`).
pub fn events_csv(events: &[Event], parties: &Parties) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "kind",
        "mmsi",
        "other_mmsi",
        "start",
        "end",
        "hours",
        "lat",
        "lon",
        "port",
        "locode",
        "confidence",
        "name",
        "imo",
        "callsign",
        "ship_type",
        "flag",
        "owner",
        "manager",
        "linked_to",
        "evidence",
    ])
    .map_err(enc)?;
    let no = [String::new(), String::new(), String::new()];
    for e in events {
        let v = e.vessel.clone().unwrap_or_default();
        let [owner, manager, linked] = parties.get(&e.mmsi).unwrap_or(&no);
        w.write_record([
            e.id.clone(),
            e.kind().to_string(),
            e.mmsi.to_string(),
            opt(e.other_mmsi),
            e.start.to_string(),
            e.end.map(|t| t.to_string()).unwrap_or_default(),
            format!("{:.3}", crate::hours(e)),
            opt(e.lat),
            opt(e.lon),
            csv_text(e.port.as_ref().map_or("", |p| &p.name)),
            csv_text(
                e.port
                    .as_ref()
                    .and_then(|p| p.locode.as_deref())
                    .unwrap_or(""),
            ),
            format!("{:.3}", e.confidence),
            csv_text(v.name.as_deref().unwrap_or("")),
            opt(v.imo),
            csv_text(v.callsign.as_deref().unwrap_or("")),
            opt(v.ship_type),
            v.flag.unwrap_or_default(),
            csv_text(owner),
            csv_text(manager),
            csv_text(linked),
            e.evidence.to_string(),
        ])
        .map_err(enc)?;
    }
    w.into_inner().map_err(enc)
}

/// Every detected voyage, with what it could have carried where it is a
/// laden leg from a watched port (the campaign); other voyages have empty
/// estimate cells.
pub fn voyages_csv(events: &[Event], j: &intel::Judgement) -> Result<Vec<u8>, ReportError> {
    let est: BTreeMap<&str, &intel::estimate::VoyageEstimate> = j
        .estimate
        .voyages
        .iter()
        .map(|v| (v.event_id.as_str(), v))
        .collect();
    let munitions: Vec<String> = j
        .parameters
        .estimate
        .munitions
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let mut head: Vec<String> = [
        "event_id",
        "mmsi",
        "name",
        "imo",
        "from",
        "from_kind",
        "to",
        "to_kind",
        "start",
        "end",
        "hours",
        "campaign",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let q = |name: &str, head: &mut Vec<String>| {
        for p in ["p10", "p50", "p90"] {
            head.push(format!("{name}_{p}"));
        }
    };
    q("slots_teu", &mut head);
    q("deadweight_t", &mut head);
    head.push("capacity_basis".into());
    q("capacity_containers", &mut head);
    q("capacity_tonnes", &mut head);
    for m in &munitions {
        q(&format!("capacity_rounds_{m}"), &mut head);
    }
    for h in [
        "draught_before_m",
        "draught_after_m",
        "draught_change_cm",
        "tpc_t_per_cm_p50",
        "likely_method",
        "likely_basis",
    ] {
        head.push(h.into());
    }
    q("likely_containers", &mut head);
    q("likely_tonnes", &mut head);
    for m in &munitions {
        q(&format!("likely_rounds_{m}"), &mut head);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&head).map_err(enc)?;
    let q3 = |q: &intel::estimate::Quantiles, d: usize| {
        [
            format!("{:.d$}", q.p10),
            format!("{:.d$}", q.p50),
            format!("{:.d$}", q.p90),
        ]
    };
    for e in events.iter().filter(|e| e.kind() == EventKind::Voyage) {
        let v = e.vessel.clone().unwrap_or_default();
        let voyage = e.evidence.voyage();
        let port = |f: fn(&model::evidence::Voyage) -> Option<&str>| {
            csv_text(voyage.and_then(f).unwrap_or(""))
        };
        let kind = |f: fn(&model::evidence::Voyage) -> EventKind| {
            voyage.map_or(String::new(), |v| f(v).to_string())
        };
        let mut row = vec![
            e.id.clone(),
            e.mmsi.to_string(),
            csv_text(v.name.as_deref().unwrap_or("")),
            opt(v.imo),
            port(|v| v.from.as_deref()),
            kind(|v| v.from_kind),
            port(|v| v.to.as_deref()),
            kind(|v| v.to_kind),
            e.start.to_string(),
            e.end.map(|t| t.to_string()).unwrap_or_default(),
            format!("{:.2}", crate::hours(e)),
        ];
        match est.get(e.id.as_str()) {
            Some(x) => {
                row.push("yes".into());
                let rounds = |row: &mut Vec<String>, l: &intel::estimate::Load| {
                    for m in &munitions {
                        match l.rounds.get(m) {
                            Some(r) => row.extend(q3(r, 0)),
                            None => row.extend([String::new(), String::new(), String::new()]),
                        }
                    }
                };
                row.extend(q3(&x.slots_teu, 0));
                row.extend(q3(&x.deadweight_t, 0));
                row.push(x.capacity_basis.clone());
                row.extend(q3(&x.capacity.containers, 0));
                row.extend(q3(&x.capacity.tonnes, 0));
                rounds(&mut row, &x.capacity);
                row.push(
                    x.draught_before_m
                        .map(|d| format!("{d:.1}"))
                        .unwrap_or_default(),
                );
                row.push(
                    x.draught_after_m
                        .map(|d| format!("{d:.1}"))
                        .unwrap_or_default(),
                );
                row.push(
                    x.draught_change_cm
                        .map(|d| format!("{d:.0}"))
                        .unwrap_or_default(),
                );
                row.push(
                    x.tpc_t_per_cm
                        .map(|d| format!("{:.2}", d.p50))
                        .unwrap_or_default(),
                );
                row.push(
                    serde_json::to_value(x.likely_method)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                );
                row.push(x.likely_basis.clone());
                row.extend(q3(&x.likely.containers, 0));
                row.extend(q3(&x.likely.tonnes, 0));
                rounds(&mut row, &x.likely);
            }
            None => {
                row.push("no".into());
                row.resize(head.len(), String::new());
            }
        }
        w.write_record(&row).map_err(enc)?;
    }
    w.into_inner().map_err(enc)
}
