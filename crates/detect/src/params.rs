//! Every threshold of every detector: a named parameter with its default
//! and where the default comes from. Settable in `shiptrace.toml` under
//! `[detect.<section>]`; reports print the values used.

use crate::event::EventKind;
use serde::{Deserialize, Serialize};

/// All detector parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Track segmentation and speeds.
    pub tracks: Tracks,
    /// Port visits.
    pub ports: Ports,
    /// AIS gaps.
    pub gaps: Gaps,
    /// Dark port calls.
    pub dark_port_call: DarkPortCall,
    /// Encounters.
    pub encounters: Encounters,
    /// Loitering.
    pub loitering: Loitering,
    /// Identity games: shared MMSIs, position jumps.
    pub identity: Identity,
    /// Draught changes.
    pub draught: Draught,
    /// The reception map.
    pub coverage: Coverage,
    /// Calibration of confidences.
    pub calibration: Calibration,
    /// User geofences added to the port gazetteer: `[[detect.geofences]]`
    /// with `geojson = "file"` (Polygon/MultiPolygon features, or Points
    /// with a `radius_km` property) or `lat`, `lon` and `radius_km`.
    /// `watched = true` adds them to the dark-port-call watched ports.
    pub geofences: Vec<GeofenceSpec>,
}

/// One `[[detect.geofences]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GeofenceSpec {
    /// Its name (for a file of one feature; default: the feature's `name`
    /// property, or `geofence N`; a circle defaults to `lat,lon`).
    pub name: Option<String>,
    /// A UN/LOCODE, when the area is a port.
    pub locode: Option<String>,
    /// A GeoJSON file, relative to the configuration file.
    pub geojson: Option<String>,
    /// Circle centre latitude, degrees.
    pub lat: Option<f64>,
    /// Circle centre longitude, degrees.
    pub lon: Option<f64>,
    /// Circle radius, km.
    pub radius_km: Option<f64>,
    /// Watch this area for dark port calls.
    pub watched: bool,
}

/// Track cleaning and segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tracks {
    /// Reported speeds that are receiver noise, knots. Source: Global
    /// Fishing Watch segmenter (51.2, 63.0, 102.3 kn).
    pub noise_speeds_kn: Vec<f32>,
    /// A fix joins a segment if its distance from the segment's last fix is
    /// at most `hypot(hours, segment_hour_floor) * segment_speed_kn`.
    /// Source: GFW segmenter (25 kn, 0.25 h).
    pub segment_speed_kn: f64,
    /// The time floor of that rule, hours.
    pub segment_hour_floor: f64,
    /// A segment without a fix for this long while another segment of the
    /// MMSI has fixes is closed (later fixes start or join others), hours.
    /// 48 h: the longest displaced excursion still called a jump
    /// (`identity.jump_max_hours`), so a spoofed place revisited days later
    /// is a second excursion, not one stream spanning the days between.
    pub dormant_hours: f64,
    /// A reported speed within this of a noise speed is noise, knots. AIS
    /// reports speed in 0.1 kn steps, so half a step catches exactly the
    /// listed values.
    pub noise_tolerance_kn: f64,
    /// Speeds above this count toward a vessel's top and cruise speed
    /// (below it the vessel is manoeuvring, drifting or at anchor), knots.
    /// 3 kn: above the 2 kn stop speeds of GFW's port and loitering rules.
    pub moving_kn: f32,
    /// With fewer moving speeds than this, a vessel's top speed is
    /// `dark_port_call.default_speed_kn` (and its cruise speed 0.9 of it):
    /// too few for a 95th percentile.
    pub min_speed_samples: usize,
    /// A vessel (MMSI) with more fixes than this is read thinned: about
    /// one fix in `k = ceil(fixes / limit)` (those whose time hashes to 0
    /// mod `k`: about the limit kept, not exactly), said in the run's
    /// summary. It bounds
    /// what one vessel costs in memory (`detect` peaks at about 170 bytes
    /// a fix of one vessel, measured: 20 million is about 3.5 GB). A Class A transponder at its fastest rate (a report
    /// every 2 s) sends 15.8 million fixes a year, so only an MMSI shared
    /// by many transmitters (0, 123456789, a default code) or a stuck
    /// one goes over it.
    pub max_vessel_fixes: u64,
}

impl Default for Tracks {
    fn default() -> Self {
        Tracks {
            noise_speeds_kn: vec![51.2, 63.0, 102.3],
            segment_speed_kn: 25.0,
            segment_hour_floor: 0.25,
            dormant_hours: 48.0,
            noise_tolerance_kn: 0.05,
            moving_kn: 3.0,
            min_speed_samples: 10,
            max_vessel_fixes: 20_000_000,
        }
    }
}

impl Tracks {
    /// Whether a reported speed is receiver noise (the fix is dropped).
    pub fn is_noise(&self, sog: Option<f32>) -> bool {
        sog.is_some_and(|s| {
            self.noise_speeds_kn
                .iter()
                .any(|n| f64::from((s - n).abs()) < self.noise_tolerance_kn)
        })
    }

    /// The speed, if the vessel is moving (it counts toward its speeds).
    pub fn moving(&self, sog: Option<f32>) -> Option<f32> {
        sog.filter(|&s| s > self.moving_kn)
    }
}

/// Port visits: a state machine with entry/exit hysteresis and stops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ports {
    /// Enter a port within this distance of its reference point, km. GFW
    /// uses 3 km from observed anchorages; the gazetteer holds port centres
    /// (World Port Index), so the default is wider.
    pub entry_km: f64,
    /// Leave beyond this distance, km (GFW: 4 km from anchorages).
    pub exit_km: f64,
    /// Stopped below this speed, knots. Source: GFW (0.2 kn).
    pub stop_kn: f32,
    /// Moving again above this speed, knots. Source: GFW (0.5 kn).
    pub moving_kn: f32,
    /// A silence inside a port this long counts as a port gap (a stop).
    /// Source: GFW (4 h).
    pub port_gap_hours: f64,
    /// Lowest confidence level (1-4) to report. GFW: level 1 (entry or exit
    /// only) is mostly false positives, so 2.
    pub min_level: u8,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            entry_km: 6.0,
            exit_km: 8.0,
            stop_kn: 0.2,
            moving_kn: 0.5,
            port_gap_hours: 4.0,
            min_level: 2,
        }
    }
}

/// AIS gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gaps {
    /// Silences at least this long are gaps, hours. Source: GFW raw gaps
    /// (> 6 h; the published set uses 12 h).
    pub min_hours: f64,
    /// Cells of the reception-density grid, degrees.
    pub density_cell_deg: f64,
}

impl Default for Gaps {
    fn default() -> Self {
        Gaps {
            min_hours: 6.0,
            density_cell_deg: 0.5,
        }
    }
}

/// Dark port calls: a gap during which the vessel could have reached a
/// watched port, stayed, and come back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DarkPortCall {
    /// Ports where ships go dark because no receiver shares data there
    /// (UN/LOCODE or gazetteer name). Default: the DPRK ports of the
    /// flagship case (FACTS.md §2).
    pub watched_ports: Vec<String>,
    /// Minimum time alongside for a call, hours.
    pub min_stay_hours: f64,
    /// Gaps shorter than this are not considered, hours.
    pub min_gap_hours: f64,
    /// The vessel's top speed is its 95th-percentile reported speed times
    /// this factor (it could have sailed a little faster while dark).
    pub speed_margin: f64,
    /// Top speed when a vessel reported too few moving fixes, knots.
    pub default_speed_kn: f64,
    /// Going dark or reappearing within this distance of the port adds
    /// confidence, nm.
    pub near_port_nm: f64,
    /// A draught change across the gap of at least this much is evidence
    /// of cargo worked, metres.
    pub draught_change_m: f32,
    /// Other silences of the same ship that began (or ended) within this
    /// distance of this one's are the same pattern repeating, nm.
    pub repeat_nm: f64,
    /// Feasible watched ports whose detour differs from the shortest by
    /// less than this are named together ("Sonbong or Najin"): the
    /// silence cannot tell them apart. Default 30 nm: a silence's ends are
    /// tens of nm from the port, where a ship's course is no guide to
    /// which of two berths a few km apart it made for (Najin and Sonbong
    /// are 8 nm apart, a detour difference of at most 16 nm); ports farther
    /// apart (Ch'ongjin, 45 nm from Najin) are told apart by the detour.
    pub port_tie_nm: f64,
}

impl Default for DarkPortCall {
    fn default() -> Self {
        DarkPortCall {
            watched_ports: vec![
                "KPRJN".into(),
                "Sonbong".into(),
                "KPCHO".into(),
                "KPNAM".into(),
            ],
            min_stay_hours: 6.0,
            min_gap_hours: 12.0,
            speed_margin: 1.1,
            default_speed_kn: 12.0,
            near_port_nm: 80.0,
            draught_change_m: 0.5,
            repeat_nm: 30.0,
            port_tie_nm: 30.0,
        }
    }
}

/// Encounters (ship-to-ship meetings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Encounters {
    /// Two vessels within this distance, km. Source: GFW (0.5 km).
    pub max_distance_km: f64,
    /// For at least this long, hours. Source: GFW (2 h).
    pub min_hours: f64,
    /// With median speed below this, knots. Source: GFW (2 kn).
    pub max_median_kn: f32,
    /// At least this far from a port reference point, km. Source: GFW
    /// (10 km from an anchorage).
    pub min_port_distance_km: f64,
    /// Time buckets of the space-time index, minutes. Source: GFW resamples
    /// to 10 min.
    pub bucket_minutes: i64,
    /// Meetings of one pair less than this apart are merged, hours. GFW: 4 h.
    pub merge_hours: f64,
    /// One-sided encounters: a vessel that made a dark port call and then
    /// loiters at sea for this long is reported as meeting a dark partner.
    pub one_sided_min_hours: f64,
    /// Only fixes slower than this enter the space-time index, knots (an
    /// unknown speed counts as 0). 5 kn: well above `max_median_kn`, so a
    /// pair's median is taken over all its slow fixes, and below the
    /// speed of ships merely passing each other.
    pub slow_kn: f32,
}

impl Encounters {
    /// Whether a fix at this speed enters the encounter index.
    pub fn is_slow(&self, sog: Option<f32>) -> bool {
        sog.unwrap_or(0.0) < self.slow_kn
    }
}

impl Default for Encounters {
    fn default() -> Self {
        Encounters {
            max_distance_km: 0.5,
            min_hours: 2.0,
            max_median_kn: 2.0,
            min_port_distance_km: 10.0,
            bucket_minutes: 10,
            merge_hours: 4.0,
            one_sided_min_hours: 4.0,
            slow_kn: 5.0,
        }
    }
}

/// Loitering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Loitering {
    /// Speed over ground below this at a fix, knots (one fast fix between
    /// slow ones is taken for a glitch; the name dates from hourly bins and
    /// is kept so configurations still load). Source: GFW (2 kn).
    pub max_hourly_kn: f64,
    /// Consecutive slow hours at least this long, hours. Source: GFW's
    /// AIS-disabling study (4 h).
    pub min_hours: f64,
    /// At least this far from a port reference point, km (not berthing).
    pub min_port_distance_km: f64,
    /// Hours without any fix allowed inside a loitering run (satellite-only
    /// coverage hears a ship once per pass, about every 100 minutes).
    pub max_silent_hours: f64,
}

impl Default for Loitering {
    fn default() -> Self {
        Loitering {
            max_hourly_kn: 2.0,
            min_hours: 3.0,
            min_port_distance_km: 10.0,
            max_silent_hours: 3.0,
        }
    }
}

/// Identity changes and shared MMSIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Identity {
    /// Two segments of one MMSI overlapping this long make a shared MMSI,
    /// hours. Source: GFW (> 24 h of overlapping segments).
    pub shared_overlap_hours: f64,
    /// A displaced excursion shorter than this is a position jump, not a
    /// second transmitter, hours.
    pub jump_max_hours: f64,
    /// Minimum fixes in a segment for it to count.
    pub min_segment_fixes: usize,
    /// A displaced stream that replaces the vessel's own track (the track
    /// silent meanwhile) at most this many separate times is spoofing,
    /// each time a position jump; a stream that alternates with the track
    /// more often is a second transmitter (shared MMSI). Two transmitters
    /// heard together alternate fix by fix, hundreds of times a month.
    pub jump_max_repeats: usize,
    /// Jumps of one vessel within this distance of each other are the same
    /// false place revisited (reported in each jump's evidence), nm.
    pub same_place_nm: f64,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            shared_overlap_hours: 24.0,
            jump_max_hours: 48.0,
            min_segment_fixes: 3,
            jump_max_repeats: 4,
            same_place_nm: 2.0,
        }
    }
}

/// Draught changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draught {
    /// Report a change of at least this much, metres.
    pub min_change_m: f32,
}

impl Default for Draught {
    fn default() -> Self {
        Draught { min_change_m: 0.5 }
    }
}

/// Reception learned from the data ([`crate::coverage`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Coverage {
    /// Visits and silences of other vessels within this many days of a
    /// silence describe the water it happened in. 15 days: long enough
    /// that open water crossed by a few ships a day holds tens of visits,
    /// short enough to follow a receiver that failed for a week.
    pub window_days: f64,
    /// With fewer visits of other vessels than this around a silence, the
    /// report says there are too few data to tell it from coverage (words
    /// only; the models weigh the visits themselves).
    pub min_visits: u64,
    /// A silence that at most this share of other vessels' visits around
    /// it were followed by is described as unusual for the water (words
    /// only). 5%: one in twenty.
    pub unusual_share: f64,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            window_days: 15.0,
            min_visits: 10,
            unusual_share: 0.05,
        }
    }
}

/// Calibration of confidences ([`crate::calibrate`]): the probability
/// that an event is real given its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Calibration {
    /// Where the defaults come from (printed with the parameters).
    pub fitted_on: String,
    /// Dark port calls: logistic model over the evidence features.
    pub dark_port_call: crate::calibrate::Logistic,
    /// Platt scaling `[a, b]` of the dark-call model's probability, fitted
    /// on its leave-one-world-out predictions: undoes the shrinkage of the
    /// model's L2 penalty. `[1, 0]` (the value when a configuration gives
    /// its own model without it) changes nothing.
    #[serde(default = "no_scaling")]
    pub dark_port_call_scale: [f64; 2],
    /// AIS gaps (the probability that the transponder was off, rather
    /// than the vessel out of reception).
    pub ais_gap: crate::calibrate::Logistic,
    /// Every other kind: Platt scaling `[a, b]` of the detector's score.
    /// Kinds not listed keep their score.
    pub platt: std::collections::BTreeMap<String, [f64; 2]>,
}

fn no_scaling() -> [f64; 2] {
    [1.0, 0.0]
}

impl Default for Calibration {
    fn default() -> Self {
        crate::calibrate::defaults()
    }
}

impl Params {
    /// Reads `[detect]` from a `shiptrace.toml` text (every key optional).
    pub fn from_toml(text: &str) -> Result<Params, String> {
        #[derive(Deserialize, Default)]
        struct File {
            #[serde(default)]
            detect: Params,
        }
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        f.detect.check()?;
        Ok(f.detect)
    }

    /// Rejects values no computation can use (NaN, infinite, negative, zero
    /// where a size or a speed divides, an exit radius inside the entry
    /// radius, a coverage window over a year), naming the key and the
    /// allowed range.
    pub fn check(&self) -> Result<(), String> {
        let bad = |k: &str, v: f64| Err(format!("detect.{k} = {v}: not a usable value"));
        let t = &self.tracks;
        let po = &self.ports;
        let d = &self.dark_port_call;
        let e = &self.encounters;
        let l = &self.loitering;
        let i = &self.identity;
        // `ge`: at least `lo`; `gt`: more than `lo`; both at most `hi`
        let range = |k: &str, v: f64, lo: f64, strict: bool, hi: f64| {
            let above = if strict { v > lo } else { v >= lo };
            if v.is_finite() && above && v <= hi {
                return Ok(());
            }
            let op = if strict { ">" } else { ">=" };
            Err(format!("detect.{k} = {v}: must be {op} {lo} and <= {hi}"))
        };
        let ge = |k: &str, v: f64, lo: f64, hi: f64| range(k, v, lo, false, hi);
        let gt = |k: &str, v: f64, lo: f64, hi: f64| range(k, v, lo, true, hi);
        // a year (with a leap day), hours; half the Earth's circumference, nm
        const HOURS: f64 = 8784.0;
        const NM: f64 = 20_000.0;
        gt("tracks.segment_speed_kn", t.segment_speed_kn, 0.0, 1000.0)?;
        ge("tracks.segment_hour_floor", t.segment_hour_floor, 0.0, 24.0)?;
        ge("tracks.dormant_hours", t.dormant_hours, 0.0, HOURS)?;
        ge("tracks.noise_tolerance_kn", t.noise_tolerance_kn, 0.0, 1.0)?;
        ge("tracks.moving_kn", t.moving_kn as f64, 0.0, 50.0)?;
        ge(
            "tracks.min_speed_samples",
            t.min_speed_samples as f64,
            1.0,
            1e6,
        )?;
        if t.max_vessel_fixes == 0 {
            return Err("detect.tracks.max_vessel_fixes = 0: must be at least 1".into());
        }
        gt("encounters.slow_kn", e.slow_kn as f64, 0.0, 50.0)?;
        ge(
            "coverage.min_visits",
            self.coverage.min_visits as f64,
            0.0,
            1e9,
        )?;
        gt(
            "coverage.unusual_share",
            self.coverage.unusual_share,
            0.0,
            1.0,
        )?;
        gt("ports.entry_km", po.entry_km, 0.0, 500.0)?;
        ge("ports.exit_km", po.exit_km, po.entry_km, 500.0)?;
        ge("ports.stop_kn", po.stop_kn as f64, 0.0, 50.0)?;
        ge(
            "ports.moving_kn",
            po.moving_kn as f64,
            po.stop_kn as f64,
            50.0,
        )?;
        gt("ports.port_gap_hours", po.port_gap_hours, 0.0, HOURS)?;
        ge("ports.min_level", po.min_level as f64, 1.0, 4.0)?;
        gt("gaps.min_hours", self.gaps.min_hours, 0.0, HOURS)?;
        ge(
            "gaps.density_cell_deg",
            self.gaps.density_cell_deg,
            0.001,
            10.0,
        )?;
        ge(
            "dark_port_call.min_stay_hours",
            d.min_stay_hours,
            0.0,
            HOURS,
        )?;
        gt("dark_port_call.min_gap_hours", d.min_gap_hours, 0.0, HOURS)?;
        gt("dark_port_call.speed_margin", d.speed_margin, 0.0, 10.0)?;
        gt(
            "dark_port_call.default_speed_kn",
            d.default_speed_kn,
            0.0,
            100.0,
        )?;
        ge("dark_port_call.near_port_nm", d.near_port_nm, 0.0, NM)?;
        ge(
            "dark_port_call.draught_change_m",
            d.draught_change_m as f64,
            0.0,
            30.0,
        )?;
        ge("dark_port_call.repeat_nm", d.repeat_nm, 0.0, NM)?;
        ge("dark_port_call.port_tie_nm", d.port_tie_nm, 0.0, NM)?;
        gt("encounters.max_distance_km", e.max_distance_km, 0.0, 100.0)?;
        ge("encounters.min_hours", e.min_hours, 0.0, HOURS)?;
        ge(
            "encounters.max_median_kn",
            e.max_median_kn as f64,
            0.0,
            100.0,
        )?;
        ge(
            "encounters.min_port_distance_km",
            e.min_port_distance_km,
            0.0,
            NM,
        )?;
        ge(
            "encounters.bucket_minutes",
            e.bucket_minutes as f64,
            1.0,
            1440.0,
        )?;
        ge("encounters.merge_hours", e.merge_hours, 0.0, HOURS)?;
        ge(
            "encounters.one_sided_min_hours",
            e.one_sided_min_hours,
            0.0,
            HOURS,
        )?;
        gt("loitering.max_hourly_kn", l.max_hourly_kn, 0.0, 100.0)?;
        ge("loitering.min_hours", l.min_hours, 0.0, HOURS)?;
        ge(
            "loitering.min_port_distance_km",
            l.min_port_distance_km,
            0.0,
            NM,
        )?;
        ge("loitering.max_silent_hours", l.max_silent_hours, 0.0, HOURS)?;
        ge(
            "identity.shared_overlap_hours",
            i.shared_overlap_hours,
            0.0,
            HOURS,
        )?;
        ge("identity.jump_max_hours", i.jump_max_hours, 0.0, HOURS)?;
        ge(
            "identity.min_segment_fixes",
            i.min_segment_fixes as f64,
            1.0,
            1e9,
        )?;
        ge("identity.same_place_nm", i.same_place_nm, 0.0, NM)?;
        gt(
            "draught.min_change_m",
            self.draught.min_change_m as f64,
            0.0,
            30.0,
        )?;
        for v in &t.noise_speeds_kn {
            if !(v.is_finite() && *v >= 0.0) {
                return bad("tracks.noise_speeds_kn", *v as f64);
            }
        }
        let w = self.coverage.window_days;
        if !(w.is_finite() && (0.0..=MAX_WINDOW_DAYS).contains(&w)) {
            return Err(format!(
                "detect.coverage.window_days = {w}: must be between 0 and {MAX_WINDOW_DAYS} days"
            ));
        }
        for (n, g) in self.geofences.iter().enumerate() {
            let at = |k: &str| format!("detect.geofences[{n}].{k}");
            if let Some(v) = g
                .lat
                .filter(|v| !(v.is_finite() && (-90.0..=90.0).contains(v)))
            {
                return Err(format!("{} = {v}: must be between -90 and 90", at("lat")));
            }
            if let Some(v) = g
                .lon
                .filter(|v| !(v.is_finite() && (-180.0..=180.0).contains(v)))
            {
                return Err(format!("{} = {v}: must be between -180 and 180", at("lon")));
            }
            if let Some(v) = g
                .radius_km
                .filter(|v| !(v.is_finite() && *v > 0.0 && *v <= 1000.0))
            {
                return Err(format!(
                    "{} = {v}: must be > 0 and <= 1000 km",
                    at("radius_km")
                ));
            }
        }
        let c = &self.calibration;
        for (name, m) in [
            (EventKind::DarkPortCall, &c.dark_port_call),
            (EventKind::AisGap, &c.ais_gap),
        ] {
            for (k, v) in std::iter::once(("intercept", &m.intercept))
                .chain(m.weights.iter().map(|(k, v)| (k.as_str(), v)))
            {
                if !v.is_finite() {
                    return bad(&format!("calibration.{name}.{k}"), *v);
                }
            }
        }
        for v in c.dark_port_call_scale {
            if !v.is_finite() {
                return bad("calibration.dark_port_call_scale", v);
            }
        }
        for (k, ab) in &c.platt {
            for v in ab {
                if !v.is_finite() {
                    return bad(&format!("calibration.platt.{k}"), *v);
                }
            }
        }
        Ok(())
    }
}

/// The longest coverage window accepted, days.
pub const MAX_WINDOW_DAYS: f64 = 366.0;
