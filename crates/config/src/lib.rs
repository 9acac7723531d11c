//! The configuration file, read once and checked, and the steps every
//! front end runs (the `shiptrace` CLI and the Python extension alike).
//!
//! `shiptrace.toml` has these tables, every key optional: `[detect]`
//! (thresholds, [`detect::Params`]), `[intel]` (lists, claims, risk and
//! estimate settings, [`intel::IntelConfig`]), `[report]`
//! ([`report::ReportParams`]), `[watch]` ([`WatchParams`]), `[imagery]`
//! ([`imagery::ImageryParams`]) and `[ingest.csv]`. A key out
//! of its range, an unknown key or an unknown table is an error naming the
//! file and the key.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod watch;

pub use watch::WatchParams;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The tables a configuration file may have.
pub const TABLES: [&str; 6] = ["detect", "imagery", "ingest", "intel", "report", "watch"];

/// A configuration file's tables (defaults for what it leaves out), and
/// the folder its relative paths start from.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `[intel]`.
    pub intel: intel::IntelConfig,
    /// `[detect]`, geofence files resolved against the file's folder.
    pub detect: detect::Params,
    /// `[report]`.
    pub report: report::ReportParams,
    /// `[watch]`.
    pub watch: WatchParams,
    /// `[imagery]`: satellite detections and scenes, and how they are
    /// matched to AIS; files resolved against the file's folder.
    pub imagery: imagery::ImageryParams,
    /// `[ingest.csv]`: how CSV exports' columns map onto AIS fields.
    pub csv: store::CsvMapping,
    /// The folder of the file (relative paths start there).
    pub base: Option<PathBuf>,
    /// The file.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Reads and checks a configuration file; the defaults without one.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        match path {
            Some(p) => Config::from_text(&read_text(p)?, p),
            None => Ok(Config::default()),
        }
    }

    /// The configuration in `text`, read from `path`.
    pub fn from_text(text: &str, path: &Path) -> Result<Config> {
        let err = |e: String| anyhow::anyhow!("{}: {e}", path.display());
        let table: toml::Table = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if let Some(k) = table.keys().find(|k| !TABLES.contains(&k.as_str())) {
            return Err(err(format!(
                "unknown table or key `{k}` (a configuration has [{}])",
                TABLES.join("], [")
            )));
        }
        let watch = WatchParams::from_toml(text).map_err(err)?;
        watch.check().map_err(err)?;
        let intel = intel::IntelConfig::from_toml(text).map_err(err)?;
        intel.check().map_err(err)?;
        let report = report::ReportParams::from_toml(text).map_err(err)?;
        report.check().map_err(err)?;
        let csv = ingest_csv(&table).map_err(err)?;
        let mut imagery: imagery::ImageryParams = match table.get("imagery") {
            Some(t) => t
                .clone()
                .try_into()
                .map_err(|e| err(format!("[imagery]: {e}")))?,
            None => imagery::ImageryParams::default(),
        };
        imagery.check().map_err(err)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for f in imagery
            .detections
            .iter_mut()
            .chain(imagery.scenes.iter_mut())
        {
            if Path::new(f.as_str()).is_relative() {
                *f = base.join(&*f).to_string_lossy().into_owned();
            }
        }
        Ok(Config {
            imagery,
            intel,
            detect: detect_params(text, path)?,
            report,
            watch,
            csv,
            base: path.parent().map(Path::to_path_buf),
            path: Some(path.to_path_buf()),
        })
    }
}

/// `[ingest.csv]`: `field = "Header"` pairs and `time_format`,
/// `speed_unit`, `draught_unit`, as `--csv-columns` takes them.
fn ingest_csv(table: &toml::Table) -> std::result::Result<store::CsvMapping, String> {
    let mut m = store::CsvMapping::default();
    let Some(ingest) = table.get("ingest") else {
        return Ok(m);
    };
    let ingest = ingest.as_table().ok_or("ingest: expected a table")?;
    if let Some(k) = ingest.keys().find(|k| *k != "csv") {
        return Err(format!(
            "unknown key `ingest.{k}` ([ingest] has the table [ingest.csv])"
        ));
    }
    let Some(csv) = ingest.get("csv") else {
        return Ok(m);
    };
    let csv = csv.as_table().ok_or("ingest.csv: expected a table")?;
    for (k, v) in csv {
        let v = v
            .as_str()
            .ok_or_else(|| format!("ingest.csv.{k}: expected a string"))?;
        m.set(k, v).map_err(|e| format!("ingest.csv.{k}: {e}"))?;
    }
    Ok(m)
}

/// The text of a configuration (or any input) file.
pub fn read_text(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

/// `[detect]` of a configuration file (the defaults without one); the
/// whole file is checked.
pub fn params(config: Option<&Path>) -> Result<detect::Params> {
    Ok(Config::load(config)?.detect)
}

/// `[detect]` of the configuration `text` read from `path`; geofence
/// files are named relative to the configuration file.
fn detect_params(text: &str, path: &Path) -> Result<detect::Params> {
    let mut params =
        detect::Params::from_toml(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    for g in &mut params.geofences {
        if let Some(f) = &g.geojson {
            if Path::new(f).is_relative() {
                g.geojson = Some(base.join(f).to_string_lossy().into_owned());
            }
        }
    }
    Ok(params)
}

/// Events from a JSON-lines file (`shiptrace detect`'s output, a world's
/// truth, or `watch`'s alerts): a line that is not an event of the
/// schema is an error naming the file and line.
pub fn read_events(path: &Path) -> Result<Vec<detect::Event>> {
    let text = read_text(path)?;
    detect::eval::read_events(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// What a judgement reads besides the store.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// shiptrace.toml.
    pub config: Option<PathBuf>,
    /// Vessel lists beyond those the configuration names.
    pub watchlists: Vec<PathBuf>,
    /// Registers of owners and managers beyond the configuration's.
    pub registries: Vec<PathBuf>,
    /// A claims ledger (TOML) or `builtin:NAME`, instead of the configuration's.
    pub claims: Option<String>,
    /// Observation files beyond the configuration's.
    pub observations: Vec<PathBuf>,
    /// Satellite detection files beyond the configuration's.
    pub imagery: Vec<PathBuf>,
    /// Scene footprint files beyond the configuration's.
    pub scenes: Vec<PathBuf>,
}

/// The configuration and every input file of a judgement, read.
pub struct Prepared {
    /// The configuration (its lists and observations include those of
    /// [`Sources`]).
    pub cfg: Config,
    /// Lists, claims and observations, read.
    pub inputs: intel::Inputs,
    /// The port gazetteer of `cfg.detect`.
    pub gazetteer: detect::gazetteer::Gazetteer,
    /// The watched ports.
    pub watched: Vec<intel::Watched>,
    /// Files read (for provenance): configuration, lists, claims, observations.
    pub files: Vec<PathBuf>,
}

/// Reads the configuration and every input of a judgement.
pub fn prepare(s: &Sources) -> Result<Prepared> {
    let mut cfg = Config::load(s.config.as_deref())?;
    let gazetteer = detect::gazetteer::Gazetteer::for_params(&cfg.detect, None)
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let watched = intel::watched_ports(&gazetteer, &cfg.detect);
    if let Some(c) = &s.claims {
        cfg.intel.claims = Some(c.clone());
    }
    let base = cfg.base.as_deref();
    let mut inputs = intel::Inputs::load(&cfg.intel, base)?;
    let mut files: Vec<PathBuf> = cfg.path.iter().cloned().collect();
    files.extend(cfg.intel.watchlists.iter().map(|f| intel::resolve(base, f)));
    files.extend(cfg.intel.registries.iter().map(|f| intel::resolve(base, f)));
    files.extend(
        cfg.intel
            .observations
            .iter()
            .map(|f| intel::resolve(base, f)),
    );
    if let Some(c) = cfg
        .intel
        .claims
        .as_deref()
        .filter(|c| !c.starts_with("builtin:"))
    {
        files.push(intel::resolve(base, c));
    }
    for g in &cfg.detect.geofences {
        files.extend(g.geojson.as_ref().map(PathBuf::from));
    }
    for w in &s.watchlists {
        inputs.add_list(w)?;
        cfg.intel.watchlists.push(w.display().to_string());
        files.push(w.clone());
    }
    for r in &s.registries {
        inputs.add_registry(r)?;
        cfg.intel.registries.push(r.display().to_string());
        files.push(r.clone());
    }
    for o in &s.observations {
        inputs.add_observations(o)?;
        cfg.intel.observations.push(o.display().to_string());
        files.push(o.clone());
    }
    files.extend(
        cfg.imagery
            .detections
            .iter()
            .chain(&cfg.imagery.scenes)
            .map(PathBuf::from),
    );
    for (given, into) in [
        (&s.imagery, &mut cfg.imagery.detections),
        (&s.scenes, &mut cfg.imagery.scenes),
    ] {
        for f in given {
            into.push(f.display().to_string());
            files.push(f.clone());
        }
    }
    Ok(Prepared {
        cfg,
        inputs,
        gazetteer,
        watched,
        files,
    })
}

/// Identity profiles per MMSI.
pub type Profiles = std::collections::BTreeMap<u32, intel::profile::Profile>;

/// The judgement of `events` with the store's identity profiles and the
/// prepared lists, claims and observations; and the profiles.
pub fn judge(
    st: &store::Store,
    events: Vec<detect::Event>,
    prep: &Prepared,
) -> Result<(intel::Judgement, Profiles)> {
    let profiles = intel::profile::from_store(st)?;
    let j = intel::judge(
        events,
        &profiles,
        &prep.inputs,
        &prep.cfg.intel,
        &prep.watched,
        data_span(st),
    );
    Ok((j, profiles))
}

/// The time a store's sources cover, [first, last] in unix ms.
pub fn data_span(st: &store::Store) -> Option<[i64; 2]> {
    let t = |s: &Option<String>| s.as_deref().and_then(detect::event::parse_time);
    let first = st.sources().iter().filter_map(|s| t(&s.first_time)).min()?;
    let last = st.sources().iter().filter_map(|s| t(&s.last_time)).max()?;
    Some([first, last])
}

/// Overrides of a scenario's own settings for one run.
#[derive(Debug, Clone, Default)]
pub struct RunOpts {
    /// Random seed.
    pub seed: Option<u64>,
    /// Simulated days.
    pub days: Option<f64>,
    /// Number of ordinary vessels.
    pub vessels: Option<usize>,
    /// Start (RFC 3339 or a day).
    pub start: Option<String>,
}

/// Runs a scenario (built-in name or TOML file) into `out`: ais.nmea.gz
/// and truth.jsonl.
pub fn run_scenario(scenario: &str, run: &RunOpts, out: &Path) -> Result<sim::Summary> {
    let scn = sim::Scenario::load(scenario)?;
    let start_ms = match &run.start {
        Some(s) => Some(sim::world::parse_time(s)?),
        None => None,
    };
    let opts = sim::Options {
        seed: run.seed,
        days: run.days,
        vessels: run.vessels,
        start_ms,
    };
    Ok(sim::run(&scn, &opts, out)?)
}

/// A time given by a user: RFC 3339 (`2024-01-01T12:00:00Z`) or a day
/// (`2024-01-01`, its midnight UTC), as unix ms.
pub fn parse_time(s: &str) -> Result<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        let ts = d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .context("date out of range")?
            .timestamp();
        return Ok(ts.as_millisecond());
    }
    bail!("{s:?}: expected RFC 3339 (2024-01-01T12:00:00Z) or a day (2024-01-01)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("shiptrace.toml");
        std::fs::write(&p, text).unwrap();
        Config::load(Some(&p))
    }

    #[test]
    fn every_table_is_read_once_and_checked() {
        let c = load(
            "[detect.gaps]\nmin_hours = 8.0\n[watch]\nroll_minutes = 2.0\n[report]\n[intel]\n",
        )
        .unwrap();
        assert_eq!(c.detect.gaps.min_hours, 8.0);
        assert_eq!(c.watch.roll_minutes, 2.0);
        let c = load("[ingest.csv]\nmmsi = 'Ship'\ntime_format = 'unix'\n").unwrap();
        assert_eq!(c.csv.columns[&store::CsvField::Mmsi], "Ship");
        assert_eq!(c.csv.time_format, store::TimeFormat::UnixSeconds);
        for (text, key) in [
            ("[detekt]\n", "detekt"),
            ("[watch]\nroll_minutes = 0.0\n", "watch.roll_minutes"),
            ("[watch]\nqueue = 0\n", "watch.queue"),
            (
                "[watch]\nmap_bbox = [10.0, 50.0, 5.0, 60.0]\n",
                "watch.map_bbox",
            ),
            ("[watch]\nqueu = 5\n", "queu"),
            ("[detect.gaps]\nmin_hours = -1.0\n", "detect.gaps.min_hours"),
            ("[detect.gaps]\nmin_hours = 'x'\n", "min_hours"),
            ("[ingest.csv]\nspeed = 'SOG'\n", "ingest.csv.speed"),
            ("[ingest.csv]\nmmsi = 5\n", "ingest.csv.mmsi"),
            (
                "[ingest.csv]\ntime_format = 'dd/mm'\n",
                "ingest.csv.time_format",
            ),
            ("[ingest]\ncsv_columns = 'x'\n", "ingest.csv_columns"),
        ] {
            let e = format!("{:#}", load(text).unwrap_err());
            assert!(
                e.contains("shiptrace.toml") && e.contains(key),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn every_intel_report_and_watch_number_out_of_range_is_refused_by_name() {
        #[derive(serde::Serialize)]
        struct Defaults {
            intel: intel::IntelConfig,
            report: report::ReportParams,
            watch: WatchParams,
        }
        let d = Defaults {
            intel: Default::default(),
            report: Default::default(),
            watch: Default::default(),
        };
        let all: toml::Table = toml::from_str(&toml::to_string(&d).unwrap()).unwrap();
        // (table path, key, value) of every number
        let mut keys: Vec<(String, String, toml::Value)> = Vec::new();
        fn walk(path: &str, t: &toml::Table, out: &mut Vec<(String, String, toml::Value)>) {
            for (k, v) in t {
                match v {
                    toml::Value::Table(sub) => walk(&format!("{path}.{k}"), sub, out),
                    toml::Value::Float(_) | toml::Value::Integer(_) => {
                        out.push((path.to_string(), k.clone(), v.clone()))
                    }
                    toml::Value::Array(a) if a.len() == 2 && a.iter().all(|x| x.is_float()) => {
                        out.push((path.to_string(), k.clone(), v.clone()))
                    }
                    _ => {}
                }
            }
        }
        for (k, v) in &all {
            walk(k, v.as_table().unwrap(), &mut keys);
        }
        let mut checked = 0;
        for (table, key, value) in &keys {
            if key == "seed" {
                continue; // any seed is a seed
            }
            let bads: &[&str] = match value {
                toml::Value::Float(_) => &["nan", "inf", "-1.0", "1e300"],
                toml::Value::Integer(_) => &["-1", "0", "9223372036854775807"],
                _ => &["[nan, 1.0]", "[-1.0, 1.0]", "[5.0, 1.0]"],
            };
            for bad in bads {
                // a weight or tolerance of 0 is allowed; counts are not
                if *bad == "0"
                    && ![
                        "samples",
                        "max_vessels",
                        "max_event_rows",
                        "queue",
                        "alert_history",
                        "track_points",
                        "webhook_attempts",
                        "webhook_queue",
                        "max_request_bytes",
                        "max_subscribers",
                        "tcp_max_connections",
                        "api_max_connections",
                        "api_page_max",
                    ]
                    .contains(&key.as_str())
                {
                    continue;
                }
                let text = format!("[{table}]\n{key} = {bad}\n");
                let e = match load(&text) {
                    Ok(_) => panic!("accepted: {text}"),
                    Err(e) => format!("{e:#}"),
                };
                assert!(e.contains(key.as_str()), "{text}: {e}");
                checked += 1;
            }
        }
        assert!(checked >= 100, "{checked} values checked");
    }

    #[test]
    fn times_and_days_parse() {
        assert_eq!(parse_time("2024-01-01").unwrap(), 1_704_067_200_000);
        assert_eq!(
            parse_time("2024-01-01T00:00:01Z").unwrap(),
            1_704_067_201_000
        );
        assert!(parse_time("yesterday").is_err());
    }
}
