//! Scenario files (TOML): what a simulation contains. Built-in scenarios
//! are embedded; users copy one (`shiptrace simulate --print-scenario NAME`)
//! and edit it.

use serde::{Deserialize, Serialize};

pub const RASON_SHUTTLE: &str = include_str!("../scenarios/rason-shuttle.toml");
pub const LOAD: &str = include_str!("../scenarios/load.toml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// RFC 3339 start time.
    pub start: String,
    pub days: f64,
    pub seed: u64,
    /// Keep the first report heard after every interval per vessel
    /// (0: every report, at ITU-R M.1371 rates).
    #[serde(default)]
    pub archive_interval_s: u32,
    pub reception: Reception,
    #[serde(default)]
    pub stations: Vec<Station>,
    #[serde(default)]
    pub fleet: Vec<Fleet>,
    #[serde(default)]
    pub shuttles: Vec<Shuttle>,
    #[serde(default)]
    pub shuttle_profile: Option<ShuttleProfile>,
    #[serde(default)]
    pub sts: Vec<Sts>,
    #[serde(default)]
    pub shared_mmsi: Vec<SharedMmsi>,
    #[serde(default)]
    pub spoof: Vec<Spoof>,
    /// Ordinary ship-to-ship meetings at sea (bunkering, transfers) with
    /// both transponders on.
    #[serde(default)]
    pub rendezvous: Option<Rendezvous>,
    /// `load` scenario: this many vessels anywhere at sea.
    #[serde(default)]
    pub open_sea: Option<OpenSea>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reception {
    pub terrestrial_range_nm: f64,
    pub terrestrial_max_p: f64,
    pub station_capacity: f64,
    pub satellite_passes_per_day: f64,
    pub satellite_pass_minutes: f64,
    pub satellite_p: f64,
    pub corrupt_fraction: f64,
    pub fragment_loss: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    pub count: usize,
    pub kinds: Vec<String>,
    pub flags: Vec<String>,
    pub ports: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shuttle {
    pub name: String,
    pub imo: u32,
    pub mmsi: u32,
    pub callsign: String,
    pub kind: String,
    pub length_m: u16,
    pub beam_m: u16,
    pub load_port: String,
    pub unload_ports: Vec<String>,
    pub first_departure: String,
    #[serde(default)]
    pub rename_at: Option<String>,
    #[serde(default)]
    pub new_name: Option<String>,
    #[serde(default)]
    pub new_mmsi: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShuttleProfile {
    pub dark_radius_nm: f64,
    pub load_hours: [f64; 2],
    pub unload_hours: [f64; 2],
    pub turnaround_hours: [f64; 2],
    pub draught_ballast_m: f64,
    pub draught_laden_m: [f64; 2],
    pub speed_kn: [f64; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sts {
    pub vessel: String,
    pub partner_name: String,
    pub partner_mmsi: u32,
    pub at: String,
    pub lat: f64,
    pub lon: f64,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedMmsi {
    pub mmsi: u32,
    pub names: [String; 2],
    pub areas: [String; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spoof {
    pub vessel: String,
    pub from: String,
    pub hours: f64,
    pub offset_nm: f64,
    pub bearing_deg: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rendezvous {
    /// Pairs of vessels that meet once each.
    pub pairs: usize,
    /// Ports they start from and go on to.
    pub ports: Vec<String>,
    /// Hours alongside, range.
    pub hours: [f64; 2],
    /// The meeting point lies this far from a coastal station, nm (inside
    /// its range, so the meeting is heard).
    pub station_distance_nm: [f64; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSea {
    pub vessels: usize,
    /// Fraction of vessels that switch AIS off for a while.
    pub dark_fraction: f64,
    /// Fraction that broadcast a displaced position for a while.
    pub spoof_fraction: f64,
}

impl Scenario {
    /// A built-in scenario by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, crate::SimError> {
        let text = match name_or_path {
            "rason-shuttle" => RASON_SHUTTLE.to_string(),
            "load" => LOAD.to_string(),
            p => std::fs::read_to_string(p).map_err(|e| {
                crate::SimError::Scenario(format!(
                    "{p}: {e} (built-in scenarios: rason-shuttle, load)"
                ))
            })?,
        };
        toml::from_str(&text).map_err(|e| crate::SimError::Scenario(format!("{name_or_path}: {e}")))
    }

    /// The TOML text of a built-in scenario.
    pub fn builtin_text(name: &str) -> Option<&'static str> {
        match name {
            "rason-shuttle" => Some(RASON_SHUTTLE),
            "load" => Some(LOAD),
            _ => None,
        }
    }
}
