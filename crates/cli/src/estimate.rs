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
    /// A list: OFAC sdn.csv, OpenSanctions CSV or FtM JSON lines, UN 1718 CSV or TOML (repeatable).
    #[arg(long)]
    pub watchlist: Vec<PathBuf>,
    /// A register of owners, managers and operators by IMO: TOML
    /// ([[vessel]], [[company]]) or CSV with an imo column (repeatable).
    #[arg(long)]
    pub registry: Vec<PathBuf>,
    /// A claims ledger (TOML), or builtin:rason-shuttle.
    #[arg(long)]
    pub claims: Option<String>,
    /// Observations (TOML or CSV; repeatable).
    #[arg(long)]
    pub observations: Vec<PathBuf>,
    /// Satellite vessel detections (CSV or GeoJSON points; Global Fishing
    /// Watch's SAR columns accepted; repeatable): fused with the store's
    /// AIS, unexplained ones become dark_vessel events.
    #[arg(long)]
    pub imagery: Vec<PathBuf>,
    /// Scene footprints of those detections (GeoJSON polygons or CSV boxes;
    /// repeatable), so that "not seen" can be told from "not imaged".
    #[arg(long)]
    pub scenes: Vec<PathBuf>,
}

impl JudgeArgs {
    /// The files these arguments name.
    pub fn sources(&self) -> config::Sources {
        config::Sources {
            config: self.config.clone(),
            watchlists: self.watchlist.clone(),
            registries: self.registry.clone(),
            claims: self.claims.clone(),
            observations: self.observations.clone(),
            imagery: self.imagery.clone(),
            scenes: self.scenes.clone(),
        }
    }
}

/// Reads the configuration and every input the arguments name.
pub fn prepare(a: &JudgeArgs) -> Result<config::Prepared> {
    config::prepare(&a.sources())
}

/// Terminal-safe text: broadcast names are attacker-controlled, and a
/// control character could rewrite the terminal, a bidirectional override
/// the order a line reads in.
pub fn term(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || model::is_hidden_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
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
    let linked: Vec<&intel::network::NetworkMatch> =
        j.network.iter().flat_map(|n| n.matches.iter()).collect();
    if !linked.is_empty() {
        eprintln!(
            "\nnetwork ({} vessels, {} companies and people, {} links in the lists and registers):",
            j.network_size.vessels, j.network_size.parties, j.network_size.links
        );
        for m in linked.iter().take(20) {
            eprintln!("  {:>9}  {:.2}  {}", m.mmsi, m.strength, term(&m.words));
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
        "  {:<20} {:<9} {:<22} {:>20} {:>20} {:>9}",
        "start", "mmsi", "from -> to", "likely containers", "likely tonnes", "cap. P90"
    );
    for v in &e.voyages {
        let route = format!(
            "{} -> {}",
            term(v.from.as_deref().unwrap_or("?")),
            term(v.to.as_deref().unwrap_or("?"))
        );
        eprintln!(
            "  {:<20} {:<9} {:<22} {:>20} {:>20} {:>9.0}",
            v.start,
            v.mmsi,
            route,
            q(&v.likely.containers),
            q(&v.likely.tonnes),
            v.capacity.containers.p90
        );
    }
    eprintln!(
        "campaign: {} voyages ({} by draught survey, {} without a reported draught change)",
        e.campaign.voyages, e.campaign.by_draught_survey, e.campaign.by_prior
    );
    eprintln!(
        "  likely:   containers {}, tonnes {}",
        q(&e.campaign.likely.containers),
        q(&e.campaign.likely.tonnes)
    );
    eprintln!(
        "  capacity: containers {}, tonnes {}",
        q(&e.campaign.capacity.containers),
        q(&e.campaign.capacity.tonnes)
    );
    for (k, r) in &e.campaign.likely.rounds {
        eprintln!("  likely rounds {k}: {}", q(r));
    }
    if let Some(l) = &j.ledger {
        for err in &l.errors {
            eprintln!("claims ledger: {}", term(&err.to_string()));
        }
    }
    if !j.claims.is_empty() {
        eprintln!("\nclaims:");
        for c in &j.claims {
            eprintln!(
                "  {} {} {} {} {}: {} - {}",
                c.claim.date,
                term(&c.claim.claimant),
                c.claim.bound.words(),
                c.claim.quantity,
                term(&c.claim.unit),
                c.verdict.as_str().to_uppercase(),
                term(&c.explanation)
            );
            if let Some(n) = &c.would_need {
                eprintln!("      would need: {}", term(n));
            }
            if let Some(x) = &c.extrapolation {
                eprintln!("      {}", term(&x.explanation));
            }
        }
    }
    if !j.claim_arithmetic.is_empty() {
        eprintln!("\nthe claims' own arithmetic:");
        for a in &j.claim_arithmetic {
            eprintln!(
                "  {} {}: {}",
                a.date,
                term(&a.claimant),
                term(&a.explanation)
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
        let cfg = config::Config::load(a.judge.config.as_deref())?;
        print!("{}", toml::to_string(&File { intel: &cfg.intel })?);
        return Ok(());
    }
    let prep = prepare(&a.judge)?;
    let (store_dir, events_path) = (
        a.store.as_ref().context("--store is required")?,
        a.events.as_ref().context("--events is required")?,
    );
    let st = store::Store::open(store_dir)?;
    let events = config::read_events(events_path)?;
    let t = std::time::Instant::now();
    let (j, profiles) = config::judge(&st, events, &prep)?;
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
