//! Satellite detections fused with the store's AIS (`--imagery`,
//! `--scenes`, `[imagery]`): dark vessels added to the events, images of
//! dark port calls attached to them, every detection's outcome written to
//! `imagery.csv`.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use imagery::run::Fused;

/// Reads the detection and scene files, fuses them with the store,
/// appends `dark_vessel` events to `events` and raises the dark port calls
/// imaged ([`imagery::run::fuse_files`]), and says what it did. `None`
/// when no imagery is given.
pub fn fuse_events(
    st: &store::Store,
    events: &mut Vec<detect::Event>,
    detections: &[PathBuf],
    scenes: &[PathBuf],
    p: &imagery::ImageryParams,
    gaz: &detect::gazetteer::Gazetteer,
    dp: &detect::Params,
) -> Result<Option<Fused>> {
    if detections.is_empty() && !scenes.is_empty() {
        anyhow::bail!("--scenes without --imagery: give the detections too");
    }
    let t = std::time::Instant::now();
    let Some(f) = imagery::run::fuse_files(st, events, detections, scenes, p, gaz, dp)? else {
        return Ok(None);
    };
    let (fusion, dark, imaged, errors) = (&f.fusion, &f.dark, f.imaged, &f.errors);
    eprintln!(
        "imagery: {} scenes, {} detections: {} matched to AIS, {} dark vessels, {} AIS vessels in a footprint not seen; {} dark port calls imaged; {} waiting vessels with a dark hull beside them ({} one-sided encounters imaged, {} new from loitering) ({:.1} s)",
        fusion.scenes.len(),
        fusion.detections.len(),
        fusion.matched.len(),
        dark.len(),
        fusion.missed.len(),
        imaged,
        f.partners.encounters_imaged + f.partners.from_loitering,
        f.partners.encounters_imaged,
        f.partners.from_loitering,
        t.elapsed().as_secs_f64()
    );
    for e in errors.iter().chain(&fusion.notes).take(10) {
        eprintln!("  {}", crate::estimate::term(&e.to_string()));
    }
    let more = (errors.len() + fusion.notes.len()).saturating_sub(10);
    if more > 0 {
        eprintln!("  and {more} more rows reported");
    }
    Ok(Some(f))
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
                    lat: d.lat,
                    lon: d.lon,
                    source: d.source.clone(),
                    distance_km: m.distance_km,
                    length_m: d.length_m,
                    alternatives: m.alternatives.clone(),
                }
            })
            .collect(),
    }
}

/// `imagery.csv`: every detection with its outcome
/// ([`imagery::run::write_csv`]).
pub fn write_csv(path: &Path, f: &Fused) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    imagery::run::write_csv(std::io::BufWriter::new(file), f)
        .with_context(|| format!("cannot write {}", path.display()))
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
