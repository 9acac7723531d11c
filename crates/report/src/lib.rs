//! # shiptrace report
//!
//! The evidence dossier and the exports a GIS user loads:
//!
//! - `report.html`: one self-contained file (inline SVG map with Natural
//!   Earth land, inline CSS and a small inline script, a Content Security
//!   Policy that forbids any network request) — see [`html`].
//! - `events.geojson`, `tracks.kml`, `events.csv`, `voyages.csv` — see
//!   [`export`].
//!
//! Broadcast text (names, callsigns, destinations) is attacker-controlled:
//! the HTML is built with `maud`, which escapes every interpolated value;
//! KML goes through `quick-xml`'s escaping; CSV cells that a spreadsheet
//! would run as a formula are defused ([`export::csv_text`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod charts;
pub mod export;
pub mod html;
pub mod live;
pub mod map;
pub mod words;

use detect::Event;
use intel::profile::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `[report]` in shiptrace.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportParams {
    /// Vessels with at least this risk score (0-100) get a dossier and a
    /// track on the map; so does every vessel with a list match. Default
    /// 20: one dark port call or encounter with a listed vessel (see
    /// `[intel.risk]`) puts a vessel in; routine gaps alone do not.
    pub min_risk: f64,
    /// At most this many dossiers (highest risk first). Default 30: keeps
    /// the file small enough to mail (about 2-5 MB).
    pub max_vessels: usize,
    /// Fixes further apart than this split a drawn track; the silence is
    /// drawn dashed. Default 60 minutes (longer than any ITU reporting
    /// interval, shorter than the 12 h of a detected dark port call).
    pub track_break_minutes: f64,
    /// Track points closer than this on the map at 8x zoom are merged
    /// (Ramer-Douglas-Peucker in pixels). Default 0.5 px.
    pub track_tolerance_px: f64,
    /// Rows in the notable-events table before it says "and N more in
    /// events.csv". Default 2,000.
    pub max_event_rows: usize,
    /// Share of the fixes of the vessels of interest that the map's first
    /// view is fitted to, besides the case's places (the watched ports
    /// its events name, its likely events, where voyages from watched
    /// ports ended): the fixes nearest those places. Default 0.95: one
    /// vessel's excursion or a second transmitter far away (under 5% of
    /// the fixes) is noted under the map instead of shrinking the case to
    /// a corner; "fit all" shows everything.
    pub map_core_share: f64,
    /// Fixes farther than this from every one of the case's places are
    /// left out of the map's first view (and noted under it), km. Default
    /// 150 km, about `dark_port_call.near_port_nm` (80 nm): the water in
    /// which a ship's approach to a port is evidence; beyond it a vessel
    /// of interest is about its other business.
    pub map_reach_km: f64,
}

impl Default for ReportParams {
    fn default() -> Self {
        ReportParams {
            min_risk: 20.0,
            max_vessels: 30,
            track_break_minutes: 60.0,
            track_tolerance_px: 0.5,
            max_event_rows: 2000,
            map_core_share: 0.95,
            map_reach_km: 150.0,
        }
    }
}

impl ReportParams {
    /// Refuses values the report cannot use, naming the key and its range.
    pub fn check(&self) -> Result<(), String> {
        let within = |k: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!("report.{k} = {v}: must be >= {lo} and <= {hi}"))
            }
        };
        within("min_risk", self.min_risk, 0.0, 100.0)?;
        within("max_vessels", self.max_vessels as f64, 1.0, 1e6)?;
        within("track_break_minutes", self.track_break_minutes, 0.1, 1e6)?;
        within("track_tolerance_px", self.track_tolerance_px, 0.0, 100.0)?;
        within("max_event_rows", self.max_event_rows as f64, 1.0, 1e7)?;
        within("map_core_share", self.map_core_share, 0.5, 1.0)?;
        within("map_reach_km", self.map_reach_km, 1.0, 20_000.0)?;
        Ok(())
    }

    /// `[report]` of a configuration file; other tables are left alone.
    pub fn from_toml(text: &str) -> Result<ReportParams, String> {
        let v: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        match v.get("report") {
            Some(r) => r
                .clone()
                .try_into::<ReportParams>()
                .map_err(|e| format!("[report]: {e}")),
            None => Ok(ReportParams::default()),
        }
    }
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The store could not be read.
    #[error("{0}")]
    Store(#[from] store::StoreError),
    /// An output file could not be written.
    #[error("cannot write {path}: {err}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        err: std::io::Error,
    },
    /// An export could not be encoded.
    #[error("{0}")]
    Encode(String),
}

/// Everything a report is made of.
pub struct Inputs<'a> {
    /// Shown as the page title (attacker-free: chosen by the user).
    pub title: String,
    /// A banner above everything, e.g. that the data are simulated.
    pub notice: Option<String>,
    /// The store the events were detected in (tracks, identities).
    pub store: &'a store::Store,
    /// Events after judgement (confidence raised where corroborated).
    pub events: &'a [Event],
    /// Matches, risk, estimates, claims and observations.
    pub judgement: &'a intel::Judgement,
    /// Identity profiles per MMSI.
    pub profiles: &'a BTreeMap<u32, Profile>,
    /// The detection parameters used (printed in the methods).
    pub detect_params: &'a detect::Params,
    /// `[report]`.
    pub params: &'a ReportParams,
    /// Places for the map (ports, user areas).
    pub gazetteer: &'a detect::gazetteer::Gazetteer,
    /// Files the run read besides the store (configuration, lists...):
    /// hashed and listed under provenance.
    pub inputs: Vec<PathBuf>,
    /// The command line that made the report.
    pub command: String,
    /// RFC 3339 time of writing.
    pub generated: String,
    /// Extra sections (e.g. a simulation's scores), title and preformatted text.
    pub extra: Vec<(String, String)>,
    /// Sources the run was given that failed to ingest (path, error): not
    /// in this report, listed under provenance.
    pub failed_sources: Vec<(String, String)>,
    /// Satellite images fused with the AIS, when any were given.
    pub imagery: Option<Imagery>,
}

/// The satellite images of a case, as the report shows them.
#[derive(Debug, Clone, Default)]
pub struct Imagery {
    /// Scenes with a known footprint.
    pub scenes: Vec<SceneView>,
    /// Detections paired with AIS vessels.
    pub seen: Vec<Sighting>,
}

/// One image's footprint.
#[derive(Debug, Clone)]
pub struct SceneView {
    /// Its id.
    pub id: String,
    /// When it was taken, unix ms.
    pub time_ms: i64,
    /// Footprint rings (lon, lat).
    pub rings: Vec<Vec<(f64, f64)>>,
    /// The sensor or provider.
    pub source: Option<String>,
}

/// A detection paired with an AIS vessel.
#[derive(Debug, Clone)]
pub struct Sighting {
    /// The vessel.
    pub mmsi: u32,
    /// The image.
    pub scene_id: String,
    /// The detection.
    pub detection_id: String,
    /// When, unix ms.
    pub time_ms: i64,
    /// Where the image put it, latitude.
    pub lat: f64,
    /// Where the image put it, longitude.
    pub lon: f64,
    /// The sensor or provider.
    pub source: Option<String>,
    /// From the detection to where the vessel was placed, km.
    pub distance_km: f64,
    /// Estimated length, m.
    pub length_m: Option<f64>,
    /// Other vessels nearly as likely (ships side by side).
    pub alternatives: Vec<u32>,
}

/// A vessel that gets a dossier and a track.
#[derive(Debug, Clone)]
pub struct Vessel {
    /// Its MMSI.
    pub mmsi: u32,
    /// The latest name broadcast (attacker-controlled: escape).
    pub name: Option<String>,
    /// Its risk score.
    pub risk: f64,
    /// Its track colour.
    pub colour: &'static str,
}

/// Distinct colours for tracks (Sasha Trubetskoy's list of 20, the dark
/// and saturated ones, which read on both land and sea).
pub const PALETTE: [&str; 14] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#f032e6", "#9a6324", "#800000",
    "#469990", "#000075", "#808000", "#42d4f4", "#bfef45", "#fabed4",
];

/// Vessels of interest: risk >= `min_risk` or any list match, highest
/// risk first, at most `max_vessels`.
pub fn vessels_of_interest(
    j: &intel::Judgement,
    profiles: &BTreeMap<u32, Profile>,
    p: &ReportParams,
) -> Vec<Vessel> {
    let mut score: BTreeMap<u32, f64> = BTreeMap::new();
    for r in &j.risk {
        if r.score >= p.min_risk {
            score.insert(r.mmsi, r.score);
        }
    }
    for m in &j.matches {
        let s = j
            .risk
            .iter()
            .find(|r| r.mmsi == m.mmsi)
            .map_or(0.0, |r| r.score);
        score.insert(m.mmsi, s);
    }
    let mut v: Vec<(u32, f64)> = score.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(p.max_vessels);
    v.into_iter()
        .enumerate()
        .map(|(k, (mmsi, risk))| Vessel {
            mmsi,
            name: profiles
                .get(&mmsi)
                .and_then(|p| p.name())
                .map(str::to_string),
            risk,
            colour: PALETTE[k % PALETTE.len()],
        })
        .collect()
}

/// What [`write_all`] wrote: file name, bytes, BLAKE3.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// File name in the output folder.
    pub file: String,
    /// Size.
    pub bytes: u64,
    /// BLAKE3 of its bytes, hex.
    pub blake3: String,
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<Written, ReportError> {
    let path = dir.join(name);
    // Written whole to a temporary name, then renamed: a reader never
    // sees half a report.
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|err| ReportError::Write {
            path: path.display().to_string(),
            err,
        })?;
    Ok(Written {
        file: name.to_string(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(bytes).to_hex().to_string(),
    })
}

/// Writes the exports, then the report `html_name` (which lists the
/// exports with their hashes) into `dir`.
pub fn write_all(dir: &Path, html_name: &str, inp: &Inputs) -> Result<Vec<Written>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|err| ReportError::Write {
        path: dir.display().to_string(),
        err,
    })?;
    let vessels = vessels_of_interest(inp.judgement, inp.profiles, inp.params);
    let tracks = map::load_tracks(
        inp.store,
        &vessels,
        inp.params,
        inp.events,
        inp.detect_params,
    )?;
    let mut written = vec![
        write_file(
            dir,
            "events.geojson",
            &export::events_geojson(inp.events, &export::parties(inp.judgement))?,
        )?,
        write_file(
            dir,
            "tracks.kml",
            &export::tracks_kml(&vessels, &tracks, inp.events)?,
        )?,
        write_file(
            dir,
            "events.csv",
            &export::events_csv(inp.events, &export::parties(inp.judgement))?,
        )?,
        write_file(
            dir,
            "voyages.csv",
            &export::voyages_csv(inp.events, inp.judgement)?,
        )?,
    ];
    // The template has no control characters of its own; any in the page
    // came from broadcast text.
    let page = visible(&html::render(inp, &vessels, &tracks, &written)).into_owned();
    written.push(write_file(dir, html_name, page.as_bytes())?);
    Ok(written)
}

/// Text with C0/C1 control characters (other than tab and newline) and
/// bidirectional overrides shown as `\u{1b}`, `\u{202e}`
/// ([`model::is_hidden_char`]): a broadcast name can carry terminal
/// escapes, which XML 1.0 forbids outright and HTML treats as parse errors,
/// or reorder how it and the text after it read.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(model::is_hidden_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if model::is_hidden_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `2023-08-10T15:45:22.643Z` -> `2023-08-10 15:45Z`; any other text
/// (a user's events file may hold anything) unchanged.
pub fn short_time(t: &str) -> String {
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(hm)) if t.is_ascii() => format!("{d} {hm}Z"),
        _ => t.to_string(),
    }
}

/// An event time shortened as [`short_time`].
pub fn short(t: detect::event::Time) -> String {
    short_time(&t.to_string())
}

/// Hours between an event's start and end (0 for instants).
pub fn hours(e: &Event) -> f64 {
    (e.end_ms() - e.start_ms()) as f64 / 3.6e6
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn short_time_shortens_rfc3339_and_keeps_anything_else() {
        assert_eq!(short_time("2023-08-10T15:45:22.643Z"), "2023-08-10 15:45Z");
        assert_eq!(short_time("2023"), "2023");
        // a multi-byte character across byte 10 or 16 must not panic
        for t in ["2023-08-1é:45:22.643Z", "2023-08-10T15:4é5Z", "ééééééééééé"] {
            assert_eq!(short_time(t), t);
        }
    }
}
