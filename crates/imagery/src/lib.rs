//! # shiptrace imagery
//!
//! Satellite vessel detections (Sentinel-1 radar, optical) fused with AIS.
//! An image shows every hull, transponder on or off; AIS only shows the
//! ships that chose to be seen. For each scene every vessel with fixes
//! near the image time is placed where it was when the image was taken
//! (interpolated between its fixes, or dead-reckoned from the nearest),
//! with an uncertainty that grows with the time to that fix; detections
//! and vessels are paired one to one by the Hungarian method over the
//! likelihood of distance and length ([`fuse`]). What is left is named:
//! detections no AIS vessel explains become `dark_vessel` events, AIS
//! vessels in the footprint that the image did not show are listed with
//! how surprising the miss is, and a dark vessel at a watched port during
//! a vessel's silence, of that vessel's length, is an image of its dark
//! port call ([`imaged`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod eval;
pub mod fuse;
pub mod imaged;
pub mod input;
pub mod partner;
pub mod run;

pub use fuse::{fuse, Fusion, Matched, Missed};
pub use input::{read_detections, read_scenes, Detection, Loaded, RowError, Scene};

use serde::{Deserialize, Serialize};

/// `[imagery]` in shiptrace.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageryParams {
    /// Detection files (CSV or GeoJSON), read with the others given on
    /// the command line.
    pub detections: Vec<String>,
    /// Scene footprint files (GeoJSON polygons or CSV boxes).
    pub scenes: Vec<String>,
    /// A vessel is placed at an image's time from fixes at most this far
    /// from it, hours. Default 6: Global Fishing Watch's SAR matching
    /// extrapolates over hours, and beyond a few hours a position is a
    /// guess that matches anything.
    pub window_hours: f64,
    /// Position error of a detection and of a fix at the image time, km.
    /// Default 0.3: Sentinel-1 geolocation and the pixel of a hull (100-300
    /// m) and AIS GPS error.
    pub base_error_km: f64,
    /// How fast a vessel's true position drifts from the one predicted
    /// (interpolated between fixes, or dead-reckoned from one), knots.
    /// Default 2: course and speed changes between reports of a merchant
    /// ship.
    pub drift_kn: f64,
    /// A vessel heard before and after an image, the two fixes at most
    /// this many hours apart, is placed between them even when one is
    /// farther than `window_hours` (its error grows with ta x tb / (ta +
    /// tb), largest halfway). Default 24: a ship's positions on both sides
    /// of a day's silence bound it better than one fix a few hours old.
    pub bridge_hours: f64,
    /// Drift of a vessel reported still (under 1 kn) at the same place
    /// (within 0.5 km) before and after an image, knots. Default 0.2: a
    /// ship moored or at anchor swings about its berth; one that left and
    /// came back in between is not told apart.
    pub still_drift_kn: f64,
    /// Spread of the ratio of a detection's length to the vessel's
    /// broadcast length (log scale). Default 0.25: SAR length estimates are
    /// off by about 20% (Paolo et al. 2024), broadcast dimensions by a few
    /// percent.
    pub length_log_sd: f64,
    /// Objects per km² that no AIS vessel explains (other dark vessels,
    /// clutter), against which a pairing must be more likely. Default
    /// 0.001 (one per 1,000 km², coastal waters).
    pub background_per_km2: f64,
    /// False alarms of a detector per 1,000 km² of image, when a detection
    /// carries no score. Default 0.02 (a CFAR detector with a classifier
    /// behind it).
    pub false_alarms_per_1000km2: f64,
    /// Length at which a hull is detected half the time, metres. Default
    /// 25 (Sentinel-1 at 20 m pixels sees most vessels over 15-30 m).
    pub detect_length_50_m: f64,
    /// How sharply detection rises with length (metres per factor e).
    /// Default 8.
    pub detect_length_scale_m: f64,
    /// A dark vessel within this distance of a watched port images that
    /// port, km. Default 5: a harbour and its anchorage.
    pub port_radius_km: f64,
    /// A detection fits a vessel's length when their log ratio is within
    /// this many `length_log_sd`. Default 2.5.
    pub length_fit_sd: f64,
    /// A dark vessel lists the AIS vessels silent at its image time that
    /// could have been it, over silences up to this long, hours. Default
    /// 168 (a week): a shuttle's round trip of two ~2-day legs (Rajin to
    /// Vostochny, FACTS §1) and days alongside, transponder off.
    pub silence_max_hours: f64,
    /// A dark vessel within this distance of a vessel's own detection in
    /// the same image, while that vessel loiters at sea, is the partner of
    /// a transfer, km. Default 1: hulls alongside lie tens of metres
    /// apart and each detection errs by 100-300 m; a partner standing off
    /// waits within a kilometre.
    pub partner_km: f64,
}

impl Default for ImageryParams {
    fn default() -> Self {
        ImageryParams {
            detections: Vec::new(),
            scenes: Vec::new(),
            window_hours: 6.0,
            base_error_km: 0.3,
            drift_kn: 2.0,
            bridge_hours: 24.0,
            still_drift_kn: 0.2,
            length_log_sd: 0.25,
            background_per_km2: 0.001,
            false_alarms_per_1000km2: 0.02,
            detect_length_50_m: 25.0,
            detect_length_scale_m: 8.0,
            port_radius_km: 5.0,
            length_fit_sd: 2.5,
            silence_max_hours: 168.0,
            partner_km: 1.0,
        }
    }
}

impl ImageryParams {
    /// Refuses values the fusion cannot use, naming the key and its range.
    pub fn check(&self) -> Result<(), String> {
        let within = |k: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!("imagery.{k} = {v}: must be >= {lo} and <= {hi}"))
            }
        };
        within("window_hours", self.window_hours, 0.0, 240.0)?;
        within("base_error_km", self.base_error_km, 0.001, 100.0)?;
        within("drift_kn", self.drift_kn, 0.0, 50.0)?;
        within("bridge_hours", self.bridge_hours, 0.0, 240.0)?;
        within("still_drift_kn", self.still_drift_kn, 0.0, 50.0)?;
        within("length_log_sd", self.length_log_sd, 0.01, 5.0)?;
        within("background_per_km2", self.background_per_km2, 1e-9, 1e3)?;
        within(
            "false_alarms_per_1000km2",
            self.false_alarms_per_1000km2,
            0.0,
            1e4,
        )?;
        within("detect_length_50_m", self.detect_length_50_m, 0.0, 500.0)?;
        within(
            "detect_length_scale_m",
            self.detect_length_scale_m,
            0.01,
            500.0,
        )?;
        within("port_radius_km", self.port_radius_km, 0.0, 200.0)?;
        within(
            "silence_max_hours",
            self.silence_max_hours,
            0.0,
            24.0 * 366.0,
        )?;
        within("partner_km", self.partner_km, 0.0, 100.0)?;
        within("length_fit_sd", self.length_fit_sd, 0.1, 100.0)?;
        Ok(())
    }

    /// The chance an image shows a hull of `length_m` (logistic in
    /// length), 0.5 for an unknown length.
    pub fn p_detect(&self, length_m: Option<f64>) -> f64 {
        match length_m {
            Some(l) => {
                1.0 / (1.0 + (-(l - self.detect_length_50_m) / self.detect_length_scale_m).exp())
            }
            None => 0.5,
        }
    }

    /// Whether a detection's length fits a vessel's broadcast length
    /// (their log ratio within `length_fit_sd` of `length_log_sd`); an
    /// unknown length fits anything.
    pub fn length_fits(&self, detected_m: Option<f64>, vessel_m: Option<f64>) -> bool {
        match (detected_m, vessel_m) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 => {
                ((a / b).ln() / self.length_log_sd).abs() <= self.length_fit_sd
            }
            _ => true,
        }
    }
}
