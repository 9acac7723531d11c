//! Simulated satellite imagery: scenes over the scenario's waters (radar
//! swaths at a revisit of days, a daily look at a port) and the vessel
//! detections in them. A hull is detected with a chance that rises with
//! its length, transponder on or off; detections are placed with a
//! position error of a few hundred metres and a length error of about
//! 20%; false alarms fall at a rate per 1,000 km². The truth maps each
//! detection to its vessel or to clutter.
//!
//! Drawn from a random stream of its own after the feed is written, so a
//! scenario's AIS feed and truth are the same bytes with or without
//! imagery. Vessels drifting on the open sea (no plan) are not imaged:
//! their positions are only known while the feed is written.

use crate::motion::state_on;
use crate::world::{Motion, World};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// One imaging sensor of a scenario (`[[imagery]]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensor {
    /// Its name, the detections' `source` (`sentinel-1`, `optical`).
    pub name: String,
    /// Days between two images: drawn uniformly in this range.
    pub revisit_days: [f64; 2],
    /// Hour of the day (UTC) the images are taken, give or take 30 minutes.
    #[serde(default = "default_hour")]
    pub hour_utc: f64,
    /// A port the images are centred on (a name in the scenario's world);
    /// otherwise swaths fall anywhere in `region`.
    #[serde(default)]
    pub site: Option<String>,
    /// Where swaths fall: [min lat, min lon, max lat, max lon].
    #[serde(default)]
    pub region: Option<[f64; 4]>,
    /// Footprint east-west, km.
    pub width_km: f64,
    /// Footprint north-south, km.
    pub height_km: f64,
    /// Share of looks lost (clouds for an optical sensor).
    #[serde(default)]
    pub lost_fraction: f64,
    /// Hull length detected half the time, m.
    pub length_50_m: f64,
    /// Metres per factor e of the detection odds.
    pub length_scale_m: f64,
    /// False alarms per 1,000 km².
    pub false_alarms_per_1000km2: f64,
    /// Position error (1 sigma per axis), metres: drawn in this range per scene.
    pub position_error_m: [f64; 2],
    /// Length error (1 sigma of the log ratio).
    pub length_error: f64,
}

fn default_hour() -> f64 {
    21.0
}

impl Sensor {
    /// Refuses values the simulation cannot use.
    pub fn check(&self) -> Result<(), String> {
        let n = &self.name;
        let pos = |k: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("imagery {n}: {k} = {v} must be > 0"))
            }
        };
        pos("revisit_days[0]", self.revisit_days[0])?;
        if self.revisit_days[1] < self.revisit_days[0] {
            return Err(format!("imagery {n}: revisit_days must be [low, high]"));
        }
        pos("width_km", self.width_km)?;
        pos("height_km", self.height_km)?;
        pos("length_scale_m", self.length_scale_m)?;
        if self.site.is_none() && self.region.is_none() {
            return Err(format!("imagery {n}: give a site or a region"));
        }
        if !(0.0..1.0).contains(&self.lost_fraction) {
            return Err(format!("imagery {n}: lost_fraction must be in [0, 1)"));
        }
        if !(self.false_alarms_per_1000km2 >= 0.0 && self.length_error >= 0.0) {
            return Err(format!("imagery {n}: rates and errors must be >= 0"));
        }
        Ok(())
    }
}

/// What the imagery holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Scenes.
    pub scenes: usize,
    /// Detections of vessels.
    pub vessel_detections: usize,
    /// Detections of vessels whose transponder was off.
    pub dark_detections: usize,
    /// False alarms.
    pub false_alarms: usize,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller
    let u: f64 = rng.random_range(1e-12..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn rfc(ms: i64) -> String {
    crate::truth::rfc3339(ms)
}

/// Writes `imagery/scenes.csv`, `imagery/detections.csv` and
/// `imagery/truth.jsonl` under `out`.
pub fn write(w: &World, sensors: &[Sensor], seed: u64, out: &Path) -> std::io::Result<Counts> {
    let dir = out.join("imagery");
    std::fs::create_dir_all(&dir)?;
    let mut scenes = csv::Writer::from_path(dir.join("scenes.csv"))?;
    scenes.write_record([
        "scene_id", "time", "min_lat", "min_lon", "max_lat", "max_lon", "source",
    ])?;
    let mut dets = csv::Writer::from_path(dir.join("detections.csv"))?;
    dets.write_record([
        "id", "scene_id", "time", "lat", "lon", "length_m", "heading", "score", "source",
    ])?;
    let mut truth = std::io::BufWriter::new(std::fs::File::create(dir.join("truth.jsonl"))?);
    let mut counts = Counts::default();
    for (si, s) in sensors.iter().enumerate() {
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ 0x1A6E_0000_0000_0001u64.wrapping_mul(si as u64 + 1));
        let site = s
            .site
            .as_ref()
            .and_then(|n| {
                w.ports
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(n) || p.locode.eq_ignore_ascii_case(n))
            })
            .map(|p| p.berth);
        let day = 86_400_000.0;
        let mut t = w.start_ms as f64 + rng.random_range(0.0..s.revisit_days[0].max(0.01)) * day;
        let mut k = 0;
        while (t as i64) < w.end_ms {
            let gap = rng.random_range(s.revisit_days[0]..=s.revisit_days[1]);
            let day_start = (t / day).floor() * day;
            let when =
                (day_start + (s.hour_utc + rng.random_range(-0.5..0.5)) * 3_600_000.0) as i64;
            t += gap * day;
            if when < w.start_ms || when >= w.end_ms || rng.random_bool(s.lost_fraction) {
                continue;
            }
            let (clat, clon) = match (site, s.region) {
                (Some(b), _) => b,
                (None, Some(r)) => (rng.random_range(r[0]..=r[2]), rng.random_range(r[1]..=r[3])),
                (None, None) => continue,
            };
            let dlat = s.height_km / 2.0 / 110.57;
            let dlon = s.width_km / 2.0 / (111.32 * clat.to_radians().cos());
            let b = (clat - dlat, clon - dlon, clat + dlat, clon + dlon);
            k += 1;
            let id = format!("{}-{k:04}", s.name);
            scenes.write_record([
                id.clone(),
                rfc(when),
                format!("{:.5}", b.0),
                format!("{:.5}", b.1),
                format!("{:.5}", b.2),
                format!("{:.5}", b.3),
                s.name.clone(),
            ])?;
            counts.scenes += 1;
            let sigma_m = rng.random_range(s.position_error_m[0]..=s.position_error_m[1]);
            let mut n = 0;
            let mut put = |rng: &mut ChaCha8Rng,
                           lat: f64,
                           lon: f64,
                           len: f64,
                           heading: Option<f64>,
                           score: f64,
                           truth_rec: serde_json::Value|
             -> std::io::Result<()> {
                n += 1;
                let did = format!("{id}-{n}");
                let lat = lat + normal(rng) * sigma_m / 110_570.0;
                let lon = lon + normal(rng) * sigma_m / (111_320.0 * lat.to_radians().cos());
                let est = len * (normal(rng) * s.length_error).exp();
                dets.write_record([
                    did.clone(),
                    id.clone(),
                    rfc(when),
                    format!("{lat:.6}"),
                    format!("{lon:.6}"),
                    format!("{est:.1}"),
                    heading.map(|h| format!("{h:.0}")).unwrap_or_default(),
                    format!("{score:.3}"),
                    s.name.clone(),
                ])?;
                let mut rec = truth_rec;
                rec["record"] = "detection".into();
                rec["detection_id"] = did.into();
                rec["scene_id"] = id.clone().into();
                rec["time"] = rfc(when).into();
                serde_json::to_writer(&mut truth, &rec)?;
                truth.write_all(b"\n")
            };
            for v in &w.vessels {
                let Motion::Plan(plan) = &v.motion else {
                    continue;
                };
                let Some(st) = state_on(plan, when, &v.berths) else {
                    continue;
                };
                if st.lat < b.0 || st.lat > b.2 || st.lon < b.1 || st.lon > b.3 {
                    continue;
                }
                let len = f64::from(v.length_m);
                let p = 1.0 / (1.0 + (-(len - s.length_50_m) / s.length_scale_m).exp());
                if !rng.random_bool(p.clamp(0.0, 1.0)) {
                    continue;
                }
                let dark = v.is_dark(when);
                counts.vessel_detections += 1;
                if dark {
                    counts.dark_detections += 1;
                }
                let score = rng.random_range(0.75..1.0);
                put(
                    &mut rng,
                    st.lat,
                    st.lon,
                    len,
                    Some(st.cog),
                    score,
                    serde_json::json!({"mmsi": v.identity_at(when).mmsi, "dark": dark, "length_m": len}),
                )?;
            }
            // false alarms: Poisson by inversion
            let area = s.width_km * s.height_km;
            let mean = s.false_alarms_per_1000km2 * area / 1000.0;
            let mut fa = 0;
            let mut acc = (-mean).exp();
            let mut cum = acc;
            let u: f64 = rng.random_range(0.0..1.0);
            while u > cum && fa < 10_000 {
                fa += 1;
                acc *= mean / fa as f64;
                cum += acc;
            }
            for _ in 0..fa {
                let lat = rng.random_range(b.0..=b.2);
                let lon = rng.random_range(b.1..=b.3);
                let len = (normal(&mut rng) * 0.5 + 30f64.ln()).exp();
                let score = rng.random_range(0.2..0.8);
                counts.false_alarms += 1;
                put(
                    &mut rng,
                    lat,
                    lon,
                    len,
                    None,
                    score,
                    serde_json::json!({"mmsi": null, "dark": false, "clutter": true}),
                )?;
            }
        }
    }
    scenes.flush()?;
    dets.flush()?;
    truth.flush()?;
    Ok(counts)
}
