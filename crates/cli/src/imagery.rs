//! Satellite detections fused with the store's AIS (`--imagery`,
//! `--scenes`, `[imagery]`): dark vessels added to the events, images of
//! dark port calls attached to them, every detection's outcome written to
//! `imagery.csv`.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a fusion gave, for the terminal and the simulation's score.
pub struct Fused {
    /// The fusion itself.
    pub fusion: imagery::Fusion,
    /// `dark_vessel` events (also appended to the events).
    pub dark: Vec<detect::Event>,
    /// Dark port calls imaged.
    pub imaged: usize,
    /// Rows refused in the files.
    pub errors: Vec<imagery::RowError>,
}

/// Reads the detection and scene files, fuses them with the store,
/// appends `dark_vessel` events to `events` and raises the dark port calls
/// imaged. `None` when no imagery is given.
pub fn fuse_events(
    st: &store::Store,
    events: &mut Vec<detect::Event>,
    detections: &[PathBuf],
    scenes: &[PathBuf],
    p: &imagery::ImageryParams,
    gaz: &detect::gazetteer::Gazetteer,
    dp: &detect::Params,
) -> Result<Option<Fused>> {
    if detections.is_empty() {
        if !scenes.is_empty() {
            anyhow::bail!("--scenes without --imagery: give the detections too");
        }
        return Ok(None);
    }
    let t = std::time::Instant::now();
    let mut errors = Vec::new();
    let mut dets = Vec::new();
    for f in detections {
        let l = imagery::read_detections(f)?;
        dets.extend(l.items);
        errors.extend(l.errors);
    }
    let mut scs = Vec::new();
    for f in scenes {
        let l = imagery::read_scenes(f)?;
        scs.extend(l.items);
        errors.extend(l.errors);
    }
    let lengths = imagery::fuse::lengths(st)?;
    let shared: std::collections::HashSet<u32> = events
        .iter()
        .filter(|e| e.kind() == detect::EventKind::SharedMmsi)
        .map(|e| e.mmsi)
        .collect();
    let fusion = imagery::fuse(st, dets, scs, &lengths, p, Some((&shared, dp)))?;
    let mut dark = fusion.dark_vessel_events(p, gaz);
    for (k, e) in dark.iter_mut().enumerate() {
        e.id = format!("dv-{}", k + 1);
    }
    let imaged = imagery::imaged::apply(events, &dark, &fusion, &lengths, gaz, p);
    events.extend(dark.iter().cloned());
    eprintln!(
        "imagery: {} scenes, {} detections: {} matched to AIS, {} dark vessels, {} AIS vessels in a footprint not seen; {} dark port calls imaged ({:.1} s)",
        fusion.scenes.len(),
        fusion.detections.len(),
        fusion.matched.len(),
        dark.len(),
        fusion.missed.len(),
        imaged,
        t.elapsed().as_secs_f64()
    );
    for e in errors.iter().chain(&fusion.notes).take(10) {
        eprintln!("  {}", crate::estimate::term(&e.to_string()));
    }
    let more = (errors.len() + fusion.notes.len()).saturating_sub(10);
    if more > 0 {
        eprintln!("  and {more} more rows reported");
    }
    Ok(Some(Fused {
        fusion,
        dark,
        imaged,
        errors,
    }))
}

/// What the report shows of a fusion: the footprints, and each
/// detection paired with a vessel.
pub fn for_report(f: &Fused) -> report::Imagery {
    report::Imagery {
        scenes: f
            .fusion
            .scenes
            .iter()
            .filter(|s| s.has_footprint)
            .map(|s| report::SceneView {
                id: s.id.clone(),
                time_ms: s.time_ms,
                rings: s.rings.clone(),
                source: s.source.clone(),
            })
            .collect(),
        seen: f
            .fusion
            .matched
            .iter()
            .map(|m| {
                let d = &f.fusion.detections[m.detection];
                report::Sighting {
                    mmsi: m.mmsi,
                    scene_id: d.scene_id.clone(),
                    detection_id: d.id.clone(),
                    time_ms: d.time_ms,
                    source: d.source.clone(),
                    distance_km: m.distance_km,
                    length_m: d.length_m,
                    alternatives: m.alternatives.clone(),
                }
            })
            .collect(),
    }
}

/// `imagery.csv`: every detection with its outcome (matched to an MMSI,
/// dark, with distances and likelihoods), then the AIS vessels in a
/// footprint the image did not show.
pub fn write_csv(path: &Path, f: &Fused) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record([
        "outcome",
        "scene_id",
        "detection_id",
        "time",
        "lat",
        "lon",
        "length_m",
        "mmsi",
        "distance_km",
        "sigma_km",
        "hours_to_fix",
        "llr",
        "confidence",
        "p_detect",
        "alternatives",
    ])?;
    let time = |ms: i64| ais::nmea::format_rfc3339_ms(ms);
    let s = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
    for m in &f.fusion.matched {
        let d = &f.fusion.detections[m.detection];
        w.write_record([
            "matched".to_string(),
            report::export::csv_text(&d.scene_id),
            report::export::csv_text(&d.id),
            time(d.time_ms),
            format!("{:.6}", d.lat),
            format!("{:.6}", d.lon),
            s(d.length_m),
            m.mmsi.to_string(),
            format!("{:.3}", m.distance_km),
            format!("{:.3}", m.sigma_km),
            format!("{:.2}", m.hours_to_fix),
            format!("{:.2}", m.llr),
            String::new(),
            String::new(),
            m.alternatives
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        ])?;
    }
    for e in &f.dark {
        let Some(d) = e.evidence.dark_vessel() else {
            continue;
        };
        w.write_record([
            "dark_vessel".to_string(),
            report::export::csv_text(&d.scene_id),
            report::export::csv_text(&d.detection_id),
            time(e.start_ms()),
            format!("{:.6}", e.lat.unwrap_or(0.0)),
            format!("{:.6}", e.lon.unwrap_or(0.0)),
            s(d.length_m),
            String::new(),
            s(d.nearest_ais_km),
            String::new(),
            String::new(),
            String::new(),
            format!("{:.3}", e.confidence),
            String::new(),
            String::new(),
        ])?;
    }
    for m in &f.fusion.missed {
        let sc = &f.fusion.scenes[m.scene];
        w.write_record([
            "not_seen".to_string(),
            report::export::csv_text(&sc.id),
            String::new(),
            time(sc.time_ms),
            format!("{:.6}", m.lat),
            format!("{:.6}", m.lon),
            s(m.length_m),
            m.mmsi.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("{:.3}", m.p_detect),
            String::new(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Events written again (after the fusion added and raised some).
pub fn write_events(path: &Path, events: &[detect::Event]) -> Result<()> {
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    for e in events {
        serde_json::to_writer(&mut w, e)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}
