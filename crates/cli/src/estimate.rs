//! `shiptrace estimate`: watchlist matches, risk, what the campaign's
//! voyages could have carried, and public claims checked against it.

use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace estimate --store store/ --events events.jsonl --claims builtin:rason-shuttle --out intel.json\n  shiptrace estimate --store store/ --events events.jsonl --watchlist sdn.csv --watchlist un1718.csv --config shiptrace.toml\n  shiptrace estimate --print-params > shiptrace.toml"
)]
pub struct EstimateArgs {
    /// Store directory (from `shiptrace ingest`).
    #[arg(long, required_unless_present = "print_params")]
    pub store: Option<PathBuf>,
    /// Events (from `shiptrace detect`).
    #[arg(long, required_unless_present = "print_params")]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Write the judgement as JSON here (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print every [intel] parameter with its default, as TOML, and exit.
    #[arg(long)]
    pub print_params: bool,
}

/// What a judgement reads besides the store: configuration, lists,
/// claims, observations (shared by estimate, report and analyze).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct JudgeArgs {
    /// shiptrace.toml with [detect], [intel] and [report] tables (every key optional).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A vessel list: OFAC sdn.csv, OpenSanctions CSV, UN 1718 CSV or TOML (repeatable).
    #[arg(long)]
    pub watchlist: Vec<PathBuf>,
    /// A claims ledger (TOML), or builtin:rason-shuttle.
    #[arg(long)]
    pub claims: Option<String>,
    /// Observations (TOML or CSV; repeatable).
    #[arg(long)]
    pub observations: Vec<PathBuf>,
}

/// The configuration and every input file of a judgement, read.
pub struct Prepared {
    pub cfg: Config,
    pub inputs: intel::Inputs,
    pub gazetteer: detect::gazetteer::Gazetteer,
    pub watched: Vec<intel::Watched>,
    /// Files read (for provenance): configuration, lists, claims, observations.
    pub files: Vec<PathBuf>,
}

pub fn prepare(a: &JudgeArgs) -> Result<Prepared> {
    let mut cfg = config(a.config.as_ref())?;
    let gazetteer = detect::gazetteer::Gazetteer::for_params(&cfg.detect, None)
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let watched = intel::watched_ports(&gazetteer, &cfg.detect);
    if let Some(c) = &a.claims {
        cfg.intel.claims = Some(c.clone());
    }
    let base = cfg.base.as_deref();
    let mut inputs = intel::Inputs::load(&cfg.intel, base)?;
    let mut files: Vec<PathBuf> = cfg.path.iter().cloned().collect();
    files.extend(cfg.intel.watchlists.iter().map(|f| intel::resolve(base, f)));
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
    for w in &a.watchlist {
        inputs.add_list(w)?;
        cfg.intel.watchlists.push(w.display().to_string());
        files.push(w.clone());
    }
    for o in &a.observations {
        inputs.add_observations(o)?;
        cfg.intel.observations.push(o.display().to_string());
        files.push(o.clone());
    }
    Ok(Prepared {
        cfg,
        inputs,
        gazetteer,
        watched,
        files,
    })
}

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
    );
    Ok((j, profiles))
}

/// Identity profiles per MMSI.
pub type Profiles = std::collections::BTreeMap<u32, intel::profile::Profile>;

/// Terminal-safe text: broadcast names are attacker-controlled, and a
/// control character could rewrite the terminal.
pub fn term(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A configuration file's `[intel]`, `[detect]` and `[report]` tables
/// (read once), and the folder its relative paths start from.
pub struct Config {
    pub intel: intel::IntelConfig,
    pub detect: detect::Params,
    pub report: report::ReportParams,
    pub base: Option<PathBuf>,
    pub path: Option<PathBuf>,
}

pub fn config(path: Option<&PathBuf>) -> Result<Config> {
    match path {
        Some(p) => {
            let text = crate::detect::read_config(p)?;
            let err = |e: String| anyhow::anyhow!("{}: {e}", p.display());
            Ok(Config {
                intel: intel::IntelConfig::from_toml(&text).map_err(err)?,
                detect: crate::detect::params_from(&text, p)?,
                report: report::ReportParams::from_toml(&text).map_err(err)?,
                base: p.parent().map(|d| d.to_path_buf()),
                path: Some(p.clone()),
            })
        }
        None => Ok(Config {
            intel: intel::IntelConfig::default(),
            detect: detect::Params::default(),
            report: report::ReportParams::default(),
            base: None,
            path: None,
        }),
    }
}

/// Reads events written by `shiptrace detect`.
pub fn read_events(path: &PathBuf) -> Result<Vec<detect::Event>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    detect::eval::read_events(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn q(x: &intel::estimate::Quantiles) -> String {
    format!("{:.0} / {:.0} / {:.0}", x.p10, x.p50, x.p90)
}

/// Prints the judgement's summary on stderr.
pub fn print_summary(j: &intel::Judgement) {
    for l in &j.lists {
        eprintln!(
            "list {}: {} vessels, {} bad rows",
            term(&l.file),
            l.entries,
            l.errors.len()
        );
        for e in l.errors.iter().take(10) {
            eprintln!("  {}", term(&e.to_string()));
        }
    }
    if !j.matches.is_empty() {
        eprintln!("\nlist matches:");
        for m in j.matches.iter().take(20) {
            let basis: Vec<String> = m
                .basis
                .iter()
                .map(|b| format!("{}={}", b.field, term(&b.observed)))
                .collect();
            eprintln!(
                "  {:>9}  {:<6} {:.2}  {} {:?} ({})",
                m.mmsi,
                m.level,
                m.strength,
                term(&m.list),
                term(&m.listed_name),
                basis.join(", ")
            );
        }
    }
    eprintln!("\nhighest risk:");
    for r in j.risk.iter().take(10) {
        eprintln!(
            "  {:>9}  {:>5.1}  {}",
            r.mmsi,
            r.score,
            term(r.name.as_deref().unwrap_or("?"))
        );
        for c in &r.contributions {
            eprintln!("             +{:>5.1}  {}", c.points, term(&c.reason));
        }
    }
    let e = &j.estimate;
    eprintln!(
        "\nladen voyages from watched ports: {} (P10 / P50 / P90)",
        e.voyages.len()
    );
    eprintln!(
        "  {:<20} {:<9} {:<22} {:>20} {:>20}",
        "start", "mmsi", "from -> to", "containers", "tonnes"
    );
    for v in &e.voyages {
        let route = format!(
            "{} -> {}",
            term(v.from.as_deref().unwrap_or("?")),
            term(v.to.as_deref().unwrap_or("?"))
        );
        eprintln!(
            "  {:<20} {:<9} {:<22} {:>20} {:>20}",
            v.start,
            v.mmsi,
            route,
            q(&v.containers),
            q(&v.tonnes)
        );
    }
    eprintln!(
        "campaign: {} voyages, containers {}, tonnes {}",
        e.campaign.voyages,
        q(&e.campaign.containers),
        q(&e.campaign.tonnes)
    );
    for (k, r) in &e.campaign.rounds {
        eprintln!("  rounds {k}: {}", q(r));
    }
    if !j.claims.is_empty() {
        eprintln!("\nclaims:");
        for c in &j.claims {
            eprintln!(
                "  {} {} {} {}: {} - {}",
                c.claim.date,
                term(&c.claim.claimant),
                c.claim.quantity,
                term(&c.claim.unit),
                c.verdict.to_uppercase(),
                term(&c.explanation)
            );
        }
    }
    let corroborating = j
        .observations
        .iter()
        .filter(|o| !o.events.is_empty())
        .count();
    if !j.observations.is_empty() {
        eprintln!(
            "\nobservations: {} read, {corroborating} corroborate events",
            j.observations.len()
        );
    }
}

pub fn run(a: &EstimateArgs) -> Result<()> {
    if a.print_params {
        #[derive(serde::Serialize)]
        struct File<'a> {
            intel: &'a intel::IntelConfig,
        }
        let cfg = config(a.judge.config.as_ref())?;
        print!("{}", toml::to_string(&File { intel: &cfg.intel })?);
        return Ok(());
    }
    let prep = prepare(&a.judge)?;
    let (store_dir, events_path) = (
        a.store.as_ref().context("--store is required")?,
        a.events.as_ref().context("--events is required")?,
    );
    let st = store::Store::open(store_dir)?;
    let events = read_events(events_path)?;
    let t = std::time::Instant::now();
    let (j, profiles) = judge(&st, events, &prep)?;
    print_summary(&j);
    eprintln!(
        "\njudged {} vessels in {:.1} s",
        profiles.len(),
        t.elapsed().as_secs_f64()
    );
    let json = serde_json::to_string_pretty(&j)?;
    match &a.out {
        Some(p) => {
            std::fs::write(p, json).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {}", p.display());
        }
        None => println!("{json}"),
    }
    Ok(())
}
