//! One fusion run as the command line and the Python API do it: the
//! detection and scene files read, fused with the store, `dark_vessel`
//! events added to the events and the dark port calls imaged raised; and
//! `imagery.csv`, every detection's outcome.

use crate::input::{InputError, RowError};
use crate::{Fusion, ImageryParams};
use model::{Event, EventKind};
use std::collections::HashSet;
use std::path::PathBuf;

/// What a fusion run gave.
pub struct Fused {
    /// The fusion itself.
    pub fusion: Fusion,
    /// `dark_vessel` events (also appended to the events), ids `dv-N`.
    pub dark: Vec<Event>,
    /// Dark port calls imaged.
    pub imaged: usize,
    /// Transfers at sea whose dark partner an image showed.
    pub partners: crate::partner::Partners,
    /// Rows refused in the files.
    pub errors: Vec<RowError>,
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A detection or scene file refused whole.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Scenes given without detections.
    #[error("scenes without detections: give the detections too")]
    ScenesOnly,
}

/// Reads the detection and scene files, fuses them with the store
/// (MMSIs with a `shared_mmsi` event in `events` split into their
/// transmitters with `dp`), appends `dark_vessel` events to `events` and
/// raises the dark port calls imaged. `None` when no detections are given.
pub fn fuse_files(
    st: &store::Store,
    events: &mut Vec<Event>,
    detections: &[PathBuf],
    scenes: &[PathBuf],
    p: &ImageryParams,
    gaz: &detect::gazetteer::Gazetteer,
    dp: &detect::Params,
) -> Result<Option<Fused>, RunError> {
    if detections.is_empty() {
        if !scenes.is_empty() {
            return Err(RunError::ScenesOnly);
        }
        return Ok(None);
    }
    let mut errors = Vec::new();
    let mut dets = Vec::new();
    for f in detections {
        let l = crate::read_detections(f)?;
        dets.extend(l.items);
        errors.extend(l.errors);
    }
    let mut scs = Vec::new();
    for f in scenes {
        let l = crate::read_scenes(f)?;
        scs.extend(l.items);
        errors.extend(l.errors);
    }
    let lengths = crate::fuse::lengths(st)?;
    let shared: HashSet<u32> = events
        .iter()
        .filter(|e| e.kind() == EventKind::SharedMmsi)
        .map(|e| e.mmsi)
        .collect();
    let fusion = crate::fuse(st, dets, scs, &lengths, p, Some((&shared, dp)))?;
    let mut dark = fusion.dark_vessel_events(p, gaz);
    for (k, e) in dark.iter_mut().enumerate() {
        e.id = format!("dv-{}", k + 1);
    }
    let imaged = crate::imaged::apply(events, &dark, &fusion, &lengths, gaz, p);
    let partners = crate::partner::apply(events, &dark, &fusion, p);
    events.extend(dark.iter().cloned());
    Ok(Some(Fused {
        fusion,
        dark,
        imaged,
        partners,
        errors,
    }))
}

/// The columns of `imagery.csv`.
pub const CSV_COLUMNS: [&str; 15] = [
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
];

/// `imagery.csv`: every detection with its outcome (`matched` to an MMSI,
/// or `dark_vessel`, with distances and likelihoods), then the AIS vessels
/// in a footprint the image did not show (`not_seen`).
pub fn write_csv<W: std::io::Write>(w: W, f: &Fused) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(w);
    w.write_record(CSV_COLUMNS)?;
    let time = detect::event::rfc3339;
    let s = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
    for m in &f.fusion.matched {
        let d = &f.fusion.detections[m.detection];
        w.write_record([
            "matched".to_string(),
            model::csv_text(&d.scene_id),
            model::csv_text(&d.id),
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
            model::csv_text(&d.scene_id),
            model::csv_text(&d.detection_id),
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
            model::csv_text(&sc.id),
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
