//! Scenario files (TOML): what a simulation contains. Built-in scenarios
//! are embedded; users copy one (`shiptrace simulate --print-scenario NAME`)
//! and edit it.

use serde::{Deserialize, Serialize};

pub const RASON_SHUTTLE: &str = include_str!("../scenarios/rason-shuttle.toml");
pub const LOAD: &str = include_str!("../scenarios/load.toml");
pub const RASON_EVASIVE: &str = include_str!("../scenarios/rason-evasive.toml");

/// Names of the built-in scenarios.
pub const BUILTIN: [&str; 3] = ["rason-shuttle", "rason-evasive", "load"];

// Every field added after the first two built-in scenarios is optional:
// its default reproduces the earlier behaviour, and the random numbers a
// new feature needs are drawn only when it is enabled (from a stream of
// their own), so `rason-shuttle` and `load` give the same bytes as before.

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
    /// Each satellite pass starts up to this many minutes earlier or later
    /// than its slot in the regular schedule (a fixed pseudo-random shift
    /// per pass, from the seed), so passes do not recur at the same UTC
    /// times every day. Default 0: the regular schedule.
    #[serde(default)]
    pub satellite_pass_jitter_minutes: f64,
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
    /// Probability, per arrival at a port, that the ship first waits for a
    /// berth at an anchorage off the port (status at anchor, swinging
    /// slowly around the anchor), then enters. A wait more than 6 nm off
    /// the port is a true `loitering` event (`"activity": "waiting for a
    /// berth"`); closer, it counts as part of the port visit. Default 0.
    /// The options below apply to merchant ships, not to `fishing` kinds.
    #[serde(default)]
    pub offshore_wait_p: f64,
    /// Hours of such a wait, drawn uniformly from the range. Default [6, 48].
    #[serde(default = "default_offshore_wait_hours")]
    pub offshore_wait_hours: [f64; 2],
    /// Distance of the anchorage from the port, nm, drawn uniformly (the
    /// point lies on the ship's sea route in, possibly a mile or two to
    /// the side). Default [8, 20].
    #[serde(default = "default_offshore_wait_nm")]
    pub offshore_wait_nm: [f64; 2],
    /// Sea points `[lat, lon]` a voyage may pass close to (e.g. off a
    /// coast of interest) without calling anywhere. Default none.
    #[serde(default)]
    pub coastal_waypoints: Vec<[f64; 2]>,
    /// Probability, per voyage, that the ship sails by one of the
    /// `coastal_waypoints` on its way to the next port (chosen at random
    /// among those that lengthen the sea route by at most half plus 60 nm;
    /// if none does, the voyage is direct). The truth keeps it one
    /// `voyage` (its evidence names the waypoint). Default 0.
    #[serde(default)]
    pub coastal_p: f64,
    /// Probability, per departure, that the ship goes out to a random sea
    /// point `open_sea_nm` from its port (inside the region of the fleet's
    /// ports, clear of the coast), idles there `open_sea_hours`, and comes
    /// back to the same port or another port of the fleet. True events: a
    /// `voyage` and a `loitering` (`"activity": "idling at sea"`). Default 0.
    #[serde(default)]
    pub open_sea_p: f64,
    /// Hours idling at sea, range. Default [24, 96].
    #[serde(default = "default_open_sea_hours")]
    pub open_sea_hours: [f64; 2],
    /// Distance of the idling point from the port, nm, range. Default [60, 200].
    #[serde(default = "default_open_sea_nm")]
    pub open_sea_nm: [f64; 2],
}

fn default_offshore_wait_hours() -> [f64; 2] {
    [6.0, 48.0]
}
fn default_offshore_wait_nm() -> [f64; 2] {
    [8.0, 20.0]
}
fn default_open_sea_hours() -> [f64; 2] {
    [24.0, 96.0]
}
fn default_open_sea_nm() -> [f64; 2] {
    [60.0, 200.0]
}
fn default_true() -> bool {
    true
}
fn default_repeats() -> u32 {
    1
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
    /// This ship's own `update_draught` (see [`ShuttleProfile`]). Default:
    /// the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_draught: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShuttleProfile {
    /// AIS goes off when a ship on its way to the load port comes within
    /// this distance of it (immediately, if it departs from inside it),
    /// and back on when the laden ship is this far away again. Needed
    /// unless `dark_radius_nm_range` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dark_radius_nm: Option<f64>,
    /// Per trip, the dark radius is drawn uniformly from this range, nm
    /// (the same radius for switching off and back on); overrides
    /// `dark_radius_nm`. Default: none (the fixed radius).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dark_radius_nm_range: Option<[f64; 2]>,
    /// Whether the crew updates the broadcast draught after loading and
    /// unloading. With `false` the broadcast draught stays at the ballast
    /// value, no `draught_change` is recorded for the ship (the truth
    /// describes what AIS shows), and its `dark_port_call` evidence says
    /// `"draught_broadcast": false`. Default true.
    #[serde(default = "default_true")]
    pub update_draught: bool,
    /// Probability, per trip, that the ship switches AIS off already in
    /// its port of departure, 1 to 24 hours before the ballast leg (not
    /// before its previous unloading ended), instead of at the dark
    /// radius; it comes back on as usual on the laden leg.
    /// The `ais_gap` then starts in that port (its evidence names it as
    /// `switched_off_in_port`). Default 0.
    #[serde(default)]
    pub dark_in_home_port_p: f64,
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
    /// Name of the vessel (any of its identities).
    pub vessel: String,
    /// Start of the (first) window.
    pub from: String,
    /// Length of each window, hours.
    pub hours: f64,
    /// The broadcast position is the true one moved this far, nm, on
    /// `bearing_deg`. Needed unless `lat` and `lon` are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_nm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing_deg: Option<f64>,
    /// A fixed false position broadcast instead of the true one (within
    /// about 150 m: a little jitter per report), wherever the ship really
    /// is. Both or neither; when given, the offset is not used. Default:
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Number of windows. Default 1.
    #[serde(default = "default_repeats")]
    pub repeats: u32,
    /// Each further window starts this many hours after the previous one
    /// started (more than `hours`); needed when `repeats` > 1. Each window
    /// is a true `position_jump`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_after_hours: Option<f64>,
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
            "rason-evasive" => RASON_EVASIVE.to_string(),
            "load" => LOAD.to_string(),
            p => std::fs::read_to_string(p).map_err(|e| {
                crate::SimError::Scenario(format!(
                    "{p}: {e} (built-in scenarios: {})",
                    BUILTIN.join(", ")
                ))
            })?,
        };
        toml::from_str(&text).map_err(|e| crate::SimError::Scenario(format!("{name_or_path}: {e}")))
    }

    /// The TOML text of a built-in scenario.
    pub fn builtin_text(name: &str) -> Option<&'static str> {
        match name {
            "rason-shuttle" => Some(RASON_SHUTTLE),
            "rason-evasive" => Some(RASON_EVASIVE),
            "load" => Some(LOAD),
            _ => None,
        }
    }
}
