//! Scenario files (TOML): what a simulation contains. Built-in scenarios
//! are embedded; users copy one (`shiptrace simulate --print-scenario NAME`)
//! and edit it.

use serde::{Deserialize, Serialize};

/// The built-in `rason-shuttle` scenario (TOML).
pub const RASON_SHUTTLE: &str = include_str!("../scenarios/rason-shuttle.toml");
/// The built-in `load` scenario (TOML).
pub const LOAD: &str = include_str!("../scenarios/load.toml");
/// The built-in `rason-evasive` scenario (TOML).
pub const RASON_EVASIVE: &str = include_str!("../scenarios/rason-evasive.toml");

/// Names of the built-in scenarios.
pub const BUILTIN: [&str; 3] = ["rason-shuttle", "rason-evasive", "load"];

// Every field added after the first two built-in scenarios is optional:
// its default reproduces the earlier behaviour, and the random numbers a
// new feature needs are drawn only when it is enabled (from a stream of
// their own), so `rason-shuttle` and `load` give the same bytes as before.

/// A scenario: what a simulated world contains.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// What it shows, in words.
    #[serde(default)]
    pub description: String,
    /// RFC 3339 start time.
    pub start: String,
    /// Simulated days.
    pub days: f64,
    /// Random seed (the output is a function of scenario and seed).
    pub seed: u64,
    /// Keep the first report heard after every interval per vessel
    /// (0: every report, at ITU-R M.1371 rates).
    #[serde(default)]
    pub archive_interval_s: u32,
    /// Who hears what.
    pub reception: Reception,
    /// Terrestrial receiving stations.
    #[serde(default)]
    pub stations: Vec<Station>,
    /// Fleets of ordinary vessels.
    #[serde(default)]
    pub fleet: Vec<Fleet>,
    /// Shuttles: ships that go dark to load at a watched port.
    #[serde(default)]
    pub shuttles: Vec<Shuttle>,
    /// How the shuttles behave.
    #[serde(default)]
    pub shuttle_profile: Option<ShuttleProfile>,
    /// Ship-to-ship transfers of a shuttle with a dark partner.
    #[serde(default)]
    pub sts: Vec<Sts>,
    /// MMSIs broadcast by two ships at once.
    #[serde(default)]
    pub shared_mmsi: Vec<SharedMmsi>,
    /// Spoofed positions.
    #[serde(default)]
    pub spoof: Vec<Spoof>,
    /// Ordinary ship-to-ship meetings at sea (bunkering, transfers) with
    /// both transponders on.
    #[serde(default)]
    pub rendezvous: Option<Rendezvous>,
    /// `load` scenario: this many vessels anywhere at sea.
    #[serde(default)]
    pub open_sea: Option<OpenSea>,
    /// Satellite imagery of the scenario's waters (`[[imagery]]`), written
    /// under `imagery/` with its own truth.
    #[serde(default)]
    pub imagery: Vec<crate::imagery::Sensor>,
    /// Ships in a port lie at their own berth: points up to this far (nm)
    /// from the port's berth, one per vessel, `berth_spacing_nm` apart
    /// (0: every ship at the port's one point, as before this key). At
    /// most [`crate::world::MAX_BERTH_RADIUS_NM`].
    #[serde(default)]
    pub berth_radius_nm: f64,
    /// Spacing of the berth points, nm.
    #[serde(default = "default_berth_spacing_nm")]
    pub berth_spacing_nm: f64,
}

/// Reception by terrestrial stations and satellites.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reception {
    /// A station hears reports up to this far, nm.
    pub terrestrial_range_nm: f64,
    /// Probability a station hears a report from close by.
    pub terrestrial_max_p: f64,
    /// Vessels a station hears before slot collisions lower its reception.
    pub station_capacity: f64,
    /// Satellite passes per day (0: none).
    pub satellite_passes_per_day: f64,
    /// Length of a pass, minutes.
    pub satellite_pass_minutes: f64,
    /// Probability a report is heard during a pass.
    pub satellite_p: f64,
    /// Share of lines damaged (one character changed).
    pub corrupt_fraction: f64,
    /// Probability a sentence of a multi-sentence message is lost.
    pub fragment_loss: f64,
    /// Each satellite pass starts up to this many minutes earlier or later
    /// than its slot in the regular schedule (a fixed pseudo-random shift
    /// per pass, from the seed), so passes do not recur at the same UTC
    /// times every day. Default 0: the regular schedule.
    #[serde(default)]
    pub satellite_pass_jitter_minutes: f64,
}

/// A terrestrial receiving station.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// Its name (in tag blocks).
    pub name: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// A fleet of ordinary vessels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    /// How many.
    pub count: usize,
    /// Kinds drawn from (`cargo`, `container`, `tanker`, `bulk`, `roro`, `fishing`).
    pub kinds: Vec<String>,
    /// Flags drawn from (ISO 3166 alpha-2).
    pub flags: Vec<String>,
    /// Ports they sail between (names or UN/LOCODEs; at least two).
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
fn default_berth_spacing_nm() -> f64 {
    0.2
}
fn default_true() -> bool {
    true
}
fn default_repeats() -> u32 {
    1
}

/// A shuttle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shuttle {
    /// Its name.
    pub name: String,
    /// IMO number.
    pub imo: u32,
    /// MMSI.
    pub mmsi: u32,
    /// Call sign.
    pub callsign: String,
    /// Kind (as a fleet's kinds).
    pub kind: String,
    /// Length, m.
    pub length_m: u16,
    /// Beam, m.
    pub beam_m: u16,
    /// The watched port it loads at (dark).
    pub load_port: String,
    /// Ports it unloads at, in turn.
    pub unload_ports: Vec<String>,
    /// First departure (RFC 3339 or a day).
    pub first_departure: String,
    /// When it changes its name (and maybe MMSI).
    #[serde(default)]
    pub rename_at: Option<String>,
    /// The new name.
    #[serde(default)]
    pub new_name: Option<String>,
    /// The new MMSI (default: unchanged).
    #[serde(default)]
    pub new_mmsi: Option<u32>,
    /// This ship's own `update_draught` (see [`ShuttleProfile`]). Default:
    /// the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_draught: Option<bool>,
}

/// How shuttles behave.
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
    /// Hours loading, range.
    pub load_hours: [f64; 2],
    /// Hours unloading, range.
    pub unload_hours: [f64; 2],
    /// Hours in port before the next trip, range.
    pub turnaround_hours: [f64; 2],
    /// Draught in ballast, m.
    pub draught_ballast_m: f64,
    /// Laden draught, m, range.
    pub draught_laden_m: [f64; 2],
    /// Speed, knots, range.
    pub speed_kn: [f64; 2],
}

/// A ship-to-ship transfer with a dark partner.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sts {
    /// The shuttle (by name).
    pub vessel: String,
    /// The partner's name.
    pub partner_name: String,
    /// The partner's MMSI.
    pub partner_mmsi: u32,
    /// When they meet (RFC 3339 or a day).
    pub at: String,
    /// Where, latitude.
    pub lat: f64,
    /// Where, longitude.
    pub lon: f64,
    /// Hours alongside.
    pub hours: f64,
}

/// One MMSI broadcast by two ships.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedMmsi {
    /// The shared MMSI.
    pub mmsi: u32,
    /// The two ships' names.
    pub names: [String; 2],
    /// The port each ship trades from.
    pub areas: [String; 2],
}

/// Spoofed positions of one vessel.
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
    /// The bearing of the offset, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing_deg: Option<f64>,
    /// A fixed false position broadcast instead of the true one (within
    /// about 150 m: a little jitter per report), wherever the ship really
    /// is. Both or neither; when given, the offset is not used. Default:
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// (the false position's longitude)
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

/// Ordinary ship-to-ship meetings at sea, both transponders on.
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

/// Vessels roaming the open sea (load tests).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSea {
    /// How many.
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
        let scn: Scenario = toml::from_str(&text)
            .map_err(|e| crate::SimError::Scenario(format!("{name_or_path}: {e}")))?;
        scn.validate()
            .map_err(|e| crate::SimError::Scenario(format!("{name_or_path}: {e}")))?;
        Ok(scn)
    }

    /// Checks what building the world would otherwise trip over: empty
    /// lists something is drawn from, ranges with the ends swapped or not
    /// finite, probabilities outside [0, 1], unknown flags and kinds. The
    /// error names the field (`fleet[1].ports`, `shuttle_profile.speed_kn`).
    pub fn validate(&self) -> Result<(), String> {
        let prob = |k: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("{k} = {v}: must be a probability in [0, 1]"))
            }
        };
        let nonneg = |k: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{k} = {v}: must be finite and >= 0"))
            }
        };
        let positive = |k: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("{k} = {v}: must be finite and > 0"))
            }
        };
        // `open`: drawn from a half-open range, so the ends must differ
        let span = |k: &str, r: [f64; 2], open: bool| {
            let ordered = if open { r[0] < r[1] } else { r[0] <= r[1] };
            if r.iter().all(|x| x.is_finite() && *x >= 0.0) && ordered {
                Ok(())
            } else {
                let op = if open { "<" } else { "<=" };
                Err(format!(
                    "{k} = [{}, {}]: must be [low, high] with 0 <= low {op} high",
                    r[0], r[1]
                ))
            }
        };
        let range = |k: &str, r: [f64; 2]| span(k, r, false);
        let open_range = |k: &str, r: [f64; 2]| span(k, r, true);
        let nonempty = |k: &str, n: usize| {
            if n > 0 {
                Ok(())
            } else {
                Err(format!("{k}: must not be empty"))
            }
        };
        crate::world::parse_time(&self.start).map_err(|e| format!("start: {e}"))?;
        if !(self.days > 0.0 && self.days <= 3660.0) {
            return Err(format!("days = {}: must be in (0, 3660]", self.days));
        }
        if !(0.0..=crate::world::MAX_BERTH_RADIUS_NM).contains(&self.berth_radius_nm) {
            return Err(format!(
                "berth_radius_nm = {}: must be in [0, {}]",
                self.berth_radius_nm,
                crate::world::MAX_BERTH_RADIUS_NM
            ));
        }
        if !(self.berth_spacing_nm.is_finite() && self.berth_spacing_nm >= 0.05) {
            return Err(format!(
                "berth_spacing_nm = {}: must be at least 0.05",
                self.berth_spacing_nm
            ));
        }
        let r = &self.reception;
        nonneg("reception.terrestrial_range_nm", r.terrestrial_range_nm)?;
        prob("reception.terrestrial_max_p", r.terrestrial_max_p)?;
        positive("reception.station_capacity", r.station_capacity)?;
        nonneg(
            "reception.satellite_passes_per_day",
            r.satellite_passes_per_day,
        )?;
        nonneg("reception.satellite_pass_minutes", r.satellite_pass_minutes)?;
        prob("reception.satellite_p", r.satellite_p)?;
        prob("reception.corrupt_fraction", r.corrupt_fraction)?;
        prob("reception.fragment_loss", r.fragment_loss)?;
        nonneg(
            "reception.satellite_pass_jitter_minutes",
            r.satellite_pass_jitter_minutes,
        )?;
        for (i, st) in self.stations.iter().enumerate() {
            if !(st.lat.abs() <= 90.0 && st.lon.abs() <= 180.0) {
                return Err(format!("stations[{i}] ({}): lat/lon out of range", st.name));
            }
        }
        for (i, f) in self.fleet.iter().enumerate() {
            let k = |x: &str| format!("fleet[{i}].{x}");
            if f.count == 0 {
                continue;
            }
            nonempty(&k("kinds"), f.kinds.len())?;
            nonempty(&k("flags"), f.flags.len())?;
            if f.ports.len() < 2 {
                return Err(format!(
                    "{}: needs at least two ports (ships sail between them)",
                    k("ports")
                ));
            }
            if let Some(x) = f
                .kinds
                .iter()
                .find(|x| !crate::world::KINDS.contains(&x.as_str()))
            {
                return Err(format!(
                    "{}: unknown kind {x:?} (known: {})",
                    k("kinds"),
                    crate::world::KINDS.join(", ")
                ));
            }
            if let Some(x) = f.flags.iter().find(|x| crate::world::mid(x).is_none()) {
                let known: Vec<&str> = crate::world::FLAGS.iter().map(|f| f.0).collect();
                return Err(format!(
                    "{}: unknown flag {x:?} (known: {})",
                    k("flags"),
                    known.join(", ")
                ));
            }
            prob(&k("offshore_wait_p"), f.offshore_wait_p)?;
            range(&k("offshore_wait_hours"), f.offshore_wait_hours)?;
            range(&k("offshore_wait_nm"), f.offshore_wait_nm)?;
            prob(&k("coastal_p"), f.coastal_p)?;
            if f.coastal_p > 0.0 {
                nonempty(&k("coastal_waypoints"), f.coastal_waypoints.len())?;
            }
            prob(&k("open_sea_p"), f.open_sea_p)?;
            range(&k("open_sea_hours"), f.open_sea_hours)?;
            range(&k("open_sea_nm"), f.open_sea_nm)?;
        }
        for (i, sh) in self.shuttles.iter().enumerate() {
            nonempty(
                &format!("shuttles[{i}].unload_ports"),
                sh.unload_ports.len(),
            )?;
            crate::world::parse_time(&sh.first_departure)
                .map_err(|e| format!("shuttles[{i}].first_departure: {e}"))?;
            if let Some(t) = &sh.rename_at {
                crate::world::parse_time(t).map_err(|e| format!("shuttles[{i}].rename_at: {e}"))?;
            }
        }
        if let Some(sp) = &self.shuttle_profile {
            let k = |x: &str| format!("shuttle_profile.{x}");
            match (sp.dark_radius_nm, sp.dark_radius_nm_range) {
                (_, Some(r)) => range(&k("dark_radius_nm_range"), r)?,
                (Some(r), None) => nonneg(&k("dark_radius_nm"), r)?,
                (None, None) if !self.shuttles.is_empty() => {
                    return Err(format!(
                        "{}: needed unless dark_radius_nm_range is given",
                        k("dark_radius_nm")
                    ));
                }
                (None, None) => {}
            }
            prob(&k("dark_in_home_port_p"), sp.dark_in_home_port_p)?;
            range(&k("load_hours"), sp.load_hours)?;
            range(&k("unload_hours"), sp.unload_hours)?;
            range(&k("turnaround_hours"), sp.turnaround_hours)?;
            positive(&k("draught_ballast_m"), sp.draught_ballast_m)?;
            open_range(&k("draught_laden_m"), sp.draught_laden_m)?;
            open_range(&k("speed_kn"), sp.speed_kn)?;
            positive(&k("speed_kn (low end)"), sp.speed_kn[0])?;
        } else if !self.shuttles.is_empty() {
            return Err("shuttle_profile: needed when there are shuttles".into());
        }
        for (i, s) in self.sts.iter().enumerate() {
            positive(&format!("sts[{i}].hours"), s.hours)?;
            crate::world::parse_time(&s.at).map_err(|e| format!("sts[{i}].at: {e}"))?;
        }
        for (i, s) in self.spoof.iter().enumerate() {
            let k = |x: &str| format!("spoof[{i}].{x}");
            positive(&k("hours"), s.hours)?;
            crate::world::parse_time(&s.from).map_err(|e| format!("{}: {e}", k("from")))?;
            if s.repeats == 0 {
                return Err(format!("{} = 0: must be >= 1", k("repeats")));
            }
            if s.repeats > 1
                && !s
                    .repeat_after_hours
                    .is_some_and(|h| h.is_finite() && h > s.hours)
            {
                return Err(format!(
                    "{}: needed when repeats > 1, and more than hours",
                    k("repeat_after_hours")
                ));
            }
            if s.lat.is_some() != s.lon.is_some() {
                return Err(format!("{}: give both lat and lon, or neither", k("lat")));
            }
        }
        if let Some(r) = &self.rendezvous {
            if r.pairs > 0 {
                if r.ports.len() < 2 {
                    return Err("rendezvous.ports: needs at least two ports".into());
                }
                range("rendezvous.hours", r.hours)?;
                open_range("rendezvous.station_distance_nm", r.station_distance_nm)?;
            }
        }
        if let Some(o) = &self.open_sea {
            prob("open_sea.dark_fraction", o.dark_fraction)?;
            prob("open_sea.spoof_fraction", o.spoof_fraction)?;
        }
        for s in &self.imagery {
            s.check()?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_scenarios_are_valid() {
        for name in BUILTIN {
            Scenario::load(name).unwrap().validate().unwrap();
        }
    }

    #[test]
    fn each_flag_mid_decodes_back_to_its_flag() {
        for (flag, mid) in crate::world::FLAGS {
            let f = ais::mid::flag(mid * 1_000_000 + 123_456).unwrap();
            assert_eq!(f.alpha2, flag);
        }
    }

    #[test]
    fn every_empty_list_and_degenerate_range_is_refused_by_name() {
        type Break = fn(&mut Scenario);
        let cases: [(&str, Break); 18] = [
            ("berth_radius_nm", |s| s.berth_radius_nm = f64::NAN),
            ("berth_radius_nm", |s| s.berth_radius_nm = 1e9),
            ("berth_spacing_nm", |s| s.berth_spacing_nm = 0.0),
            ("fleet[0].ports", |s| s.fleet[0].ports.truncate(1)),
            ("fleet[0].kinds", |s| s.fleet[0].kinds.clear()),
            ("fleet[0].flags", |s| s.fleet[0].flags.clear()),
            ("fleet[0].flags", |s| s.fleet[0].flags.push("XX".into())),
            ("fleet[0].kinds", |s| s.fleet[0].kinds.push("yacht".into())),
            ("fleet[0].open_sea_hours", |s| {
                s.fleet[0].open_sea_hours = [96.0, 24.0]
            }),
            ("fleet[0].offshore_wait_nm", |s| {
                s.fleet[0].offshore_wait_nm = [f64::NAN, 1.0]
            }),
            ("fleet[0].coastal_p", |s| s.fleet[0].coastal_p = 1.5),
            ("shuttles[0].unload_ports", |s| {
                s.shuttles[0].unload_ports.clear()
            }),
            ("shuttle_profile.speed_kn", |s| {
                s.shuttle_profile.as_mut().unwrap().speed_kn = [12.0, 12.0]
            }),
            ("shuttle_profile.load_hours", |s| {
                s.shuttle_profile.as_mut().unwrap().load_hours = [5.0, -1.0]
            }),
            ("reception.satellite_p", |s| s.reception.satellite_p = -0.1),
            ("days", |s| s.days = 0.0),
            ("start", |s| s.start = "soon".into()),
            ("spoof[0].repeat_after_hours", |s| {
                s.spoof.insert(
                    0,
                    Spoof {
                        vessel: "X".into(),
                        from: "2023-08-02".into(),
                        hours: 5.0,
                        offset_nm: Some(1.0),
                        bearing_deg: Some(0.0),
                        lat: None,
                        lon: None,
                        repeats: 2,
                        repeat_after_hours: None,
                    },
                )
            }),
        ];
        let out = std::env::temp_dir().join(format!("shiptrace-scn-{}", std::process::id()));
        for (key, brk) in cases {
            let mut s = Scenario::load("rason-shuttle").unwrap();
            brk(&mut s);
            let e = s.validate().unwrap_err();
            assert!(e.starts_with(key), "{key}: {e}");
            // and a run stops with that error instead of panicking
            let opts = crate::Options {
                days: Some(1.0),
                ..Default::default()
            };
            let r = crate::run(&s, &opts, &out).unwrap_err().to_string();
            assert!(r.contains(key), "{key}: {r}");
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
