//! # shiptrace simulator
//!
//! Simulated AIS traffic with the truth kept alongside: vessels sail sea
//! routes that never cross land (Natural Earth mask), report at ITU-R
//! M.1371 rates, are heard by coastal stations and satellites with realistic
//! losses, duplicates and damage, and some behave covertly (dark port calls,
//! ship-to-ship transfers, identity changes, shared MMSIs, spoofing,
//! draught changes). Output: `ais.nmea.gz` (NMEA 4.0 with tag blocks) and
//! `truth.jsonl` (every true event in the product's event schema, every
//! vessel's identities, a summary). Same scenario and seed, same bytes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod emit;
pub mod imagery;
pub mod motion;
pub mod scenario;
pub mod truth;
pub mod world;

pub use scenario::Scenario;
use std::io::Write;
use std::path::Path;

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario is unusable (the message names the field).
    #[error("scenario: {0}")]
    Scenario(String),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Overrides of the scenario's own settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Random seed.
    pub seed: Option<u64>,
    /// Simulated days.
    pub days: Option<f64>,
    /// Scale the ordinary fleets (or the open-sea count) to this many.
    pub vessels: Option<usize>,
    /// Start time, unix ms.
    pub start_ms: Option<i64>,
}

/// What a run produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// The seed used.
    pub seed: u64,
    /// Start (RFC 3339).
    pub start: String,
    /// End (RFC 3339).
    pub end: String,
    /// Vessels simulated.
    pub vessels: usize,
    /// True events written.
    pub truth_events: usize,
    /// What the feed holds.
    pub counts: emit::Counts,
    /// Scenes and detections of the simulated imagery (not in the truth's
    /// summary record, so that a scenario's truth is the same bytes with
    /// or without imagery).
    #[serde(skip)]
    pub imagery: Option<imagery::Counts>,
}

/// Runs a scenario into `out_dir` (created if missing).
pub fn run(scn: &Scenario, opts: &Options, out_dir: &Path) -> Result<Summary, SimError> {
    // (a scenario changed in code after loading is checked again)
    scn.validate().map_err(SimError::Scenario)?;
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e| SimError::Io {
            path: p.clone(),
            source: e,
        }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let seed = opts.seed.unwrap_or(scn.seed);
    let start = match opts.start_ms {
        Some(s) => s,
        None => world::parse_time(&scn.start)?,
    };
    let days = opts.days.unwrap_or(scn.days);
    if !(days > 0.0 && days <= 3660.0) {
        return Err(SimError::Scenario(format!(
            "days must be in (0, 3660], got {days}"
        )));
    }
    let world = world::build(scn, start, days, opts.vessels, seed)?;
    let nmea_path = out_dir.join("ais.nmea.gz");
    let f = std::fs::File::create(&nmea_path).map_err(io(&nmea_path))?;
    // Lines are buffered before compression: the compressor works on large
    // blocks instead of one call per line.
    let gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::with_capacity(1 << 20, f),
        flate2::Compression::fast(),
    );
    let mut w = std::io::BufWriter::with_capacity(1 << 20, gz);
    let counts = emit::emit(&world, scn, seed, &mut w).map_err(io(&nmea_path))?;
    w.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|gz| gz.finish())
        .and_then(|mut f| f.flush())
        .map_err(io(&nmea_path))?;
    let summary = Summary {
        scenario: scn.name.clone(),
        seed,
        start: truth::rfc3339(world.start_ms),
        end: truth::rfc3339(world.end_ms),
        vessels: world.vessels.len(),
        truth_events: world.events.len(),
        counts,
        imagery: None,
    };
    let truth_path = out_dir.join("truth.jsonl");
    let mut t =
        std::io::BufWriter::new(std::fs::File::create(&truth_path).map_err(io(&truth_path))?);
    let mut write = |v: serde_json::Value| -> Result<(), SimError> {
        serde_json::to_writer(&mut t, &v).map_err(|e| SimError::Io {
            path: truth_path.display().to_string(),
            source: e.into(),
        })?;
        t.write_all(b"\n").map_err(io(&truth_path))
    };
    write(serde_json::json!({"record": "summary", "simulated": true, "summary": summary}))?;
    for p in &world.ports {
        write(
            serde_json::json!({"record": "port", "name": p.name, "locode": p.locode, "lat": p.berth.0, "lon": p.berth.1}),
        )?;
    }
    for v in &world.vessels {
        let id = &v.identities[0];
        write(serde_json::json!({
            "record": "vessel",
            "role": v.role,
            "mmsi": id.mmsi,
            "imo": (id.imo != 0).then_some(id.imo),
            "name": id.name,
            "callsign": id.callsign,
            "flag": id.flag,
            "ship_type": id.ship_type,
            "class": if v.class_b { "B" } else { "A" },
            "length_m": v.length_m,
            "beam_m": v.beam_m,
            "max_speed_kn": v.max_speed_kn,
            "identities": v.identities.iter().map(|i| serde_json::json!({"from": truth::rfc3339(i.from_ms), "mmsi": i.mmsi, "name": i.name, "imo": i.imo, "callsign": i.callsign, "flag": i.flag})).collect::<Vec<_>>(),
            "dark_windows": v.dark.iter().map(|d| [truth::rfc3339(d.0), truth::rfc3339(d.1)]).collect::<Vec<_>>(),
            "spoof_windows": v.spoof.iter().map(|d| [truth::rfc3339(d.0), truth::rfc3339(d.1)]).collect::<Vec<_>>(),
        }))?;
    }
    for (i, e) in world.events.iter().enumerate() {
        write(e.to_json(i))?;
    }
    t.flush().map_err(io(&truth_path))?;
    let mut summary = summary;
    if !scn.imagery.is_empty() {
        let dir = out_dir.join("imagery");
        summary.imagery =
            Some(imagery::write(&world, &scn.imagery, seed, out_dir).map_err(io(&dir))?);
    }
    Ok(summary)
}
