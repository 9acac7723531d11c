//! `shiptrace analyze` (ingest, detect, judge, report in one go),
//! `shiptrace report` (the report again from a store) and `shiptrace demo`
//! (the built-in scenario simulated and analysed).

use crate::estimate::{prepare, print_summary, JudgeArgs};
use anyhow::{bail, Context, Result};
use config::Prepared;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace analyze archive/ --out case/\n  shiptrace analyze feed.nmea.gz ais.csv --out case/ --config shiptrace.toml --watchlist sdn.csv --claims builtin:rason-shuttle\n\nWrites into DIR: store/ (Parquet), events.jsonl, judgement.json, report.html,\nevents.geojson, tracks.kml, events.csv, voyages.csv. Sources already in DIR/store\nare skipped, new ones added."
)]
pub struct AnalyzeArgs {
    /// Sources: NMEA logs (plain, .gz, .zst), CSV exports, directories.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Title of the report.
    #[arg(long, default_value = "shiptrace evidence report")]
    pub title: String,
    /// CSV columns for exports whose headers are not the usual names
    /// (as `shiptrace ingest --csv-columns`; overrides [ingest.csv]).
    #[arg(long)]
    pub csv_columns: Option<String>,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace report --store case/store --out case/report.html\n  shiptrace report --store store/ --events events.jsonl --out report.html --config shiptrace.toml\n\nThe exports (events.geojson, tracks.kml, events.csv, voyages.csv) and\njudgement.json are written next to the report."
)]
pub struct ReportArgs {
    /// Store directory (from `shiptrace ingest` or `analyze`).
    #[arg(long)]
    pub store: PathBuf,
    /// The report to write (an .html file); exports go beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// Events from `shiptrace detect` (default: detect again, writing
    /// events.jsonl beside the report).
    #[arg(long)]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Title of the report.
    #[arg(long, default_value = "shiptrace evidence report")]
    pub title: String,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  shiptrace demo                 # writes shiptrace-demo/report.html\n  shiptrace demo --out /tmp/demo --days 60"
)]
pub struct DemoArgs {
    /// Output directory (made if missing; a previous demo there is replaced).
    #[arg(long, default_value = "shiptrace-demo")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: crate::simulate::RunOpts,
}

fn now() -> String {
    ais::nmea::format_rfc3339_ms(jiff::Timestamp::now().as_millisecond())
}

fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Judges `events`, writes judgement.json and the report with its exports
/// into `dir`.
#[allow(clippy::too_many_arguments)]
fn judge_and_report(
    st: &store::Store,
    events: Vec<detect::Event>,
    prep: &Prepared,
    dir: &Path,
    html_name: &str,
    title: &str,
    notice: Option<String>,
    extra: Vec<(String, String)>,
    failed_sources: Vec<(String, String)>,
    imagery: Option<report::Imagery>,
) -> Result<()> {
    let t = std::time::Instant::now();
    let mut extra = extra;
    if imagery.is_some() {
        // the report prints every parameter it used: [imagery] too
        let mut t = toml::Table::new();
        t.insert(
            "imagery".to_string(),
            toml::Value::try_from(&prep.cfg.imagery)?,
        );
        extra.push((
            "Imagery parameters used ([imagery])".to_string(),
            toml::to_string(&t)?,
        ));
    }
    let (j, profiles) = config::judge(st, events, prep)?;
    print_summary(&j);
    eprintln!(
        "\njudged {} vessels in {:.1} s",
        profiles.len(),
        t.elapsed().as_secs_f64()
    );
    let jpath = dir.join("judgement.json");
    std::fs::write(&jpath, serde_json::to_string_pretty(&j)?)
        .with_context(|| format!("cannot write {}", jpath.display()))?;
    let t = std::time::Instant::now();
    let inp = report::Inputs {
        title: title.to_string(),
        notice,
        store: st,
        events: &j.events,
        judgement: &j,
        profiles: &profiles,
        detect_params: &prep.cfg.detect,
        params: &prep.cfg.report,
        gazetteer: &prep.gazetteer,
        inputs: prep.files.clone(),
        command: command_line(),
        generated: now(),
        extra,
        failed_sources,
        imagery,
    };
    let written = report::write_all(dir, html_name, &inp)?;
    eprintln!("\nreport written in {:.1} s:", t.elapsed().as_secs_f64());
    eprintln!("  {}", jpath.display());
    for w in &written {
        eprintln!(
            "  {:<60} {:>10} bytes",
            dir.join(&w.file).display(),
            w.bytes
        );
    }
    Ok(())
}

/// Fuses the satellite detections the configuration and arguments name
/// with the store: `dark_vessel` events added, imaged dark port calls
/// raised, events.jsonl written again and imagery.csv beside it.
fn fuse_imagery(
    st: &store::Store,
    events: &mut Vec<detect::Event>,
    prep: &Prepared,
    out: &Path,
) -> Result<Option<crate::imagery::Fused>> {
    let p = &prep.cfg.imagery;
    let paths = |v: &[String]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
    let Some(f) = crate::imagery::fuse_events(
        st,
        events,
        &paths(&p.detections),
        &paths(&p.scenes),
        p,
        &prep.gazetteer,
        &prep.cfg.detect,
    )?
    else {
        return Ok(None);
    };
    crate::imagery::write_events(&out.join("events.jsonl"), events)?;
    crate::imagery::write_csv(&out.join("imagery.csv"), &f)?;
    Ok(Some(f))
}

/// analyze with an optional ground truth to score against (the demo).
fn analyze_into(
    sources: &[PathBuf],
    out: &Path,
    judge: &JudgeArgs,
    title: &str,
    notice: Option<String>,
    truth: Option<&Path>,
    csv_columns: Option<&str>,
) -> Result<()> {
    let prep = prepare(judge)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let store_dir = out.join("store");
    // One failing source does not stop the case: the report is written
    // from the others, lists the failure, and the run exits non-zero.
    let failed = crate::ingest::run_with(
        &crate::ingest::IngestArgs::with_defaults(sources.to_vec(), store_dir.clone()),
        crate::ingest::csv_mapping(&prep.cfg.csv, csv_columns)?,
    )?;
    let st = match store::Store::open(&store_dir) {
        Ok(st) if failed.is_empty() || !st.sources().is_empty() => st,
        Err(e) if failed.is_empty() => return Err(e.into()),
        _ => anyhow::bail!("no source could be ingested: {}", failed[0].1),
    };
    eprintln!();
    let mut events = crate::detect::detect_and_write(
        &st,
        &prep.cfg.detect,
        &prep.gazetteer,
        &out.join("events.jsonl"),
    )?;
    let mut extra = Vec::new();
    let fused = fuse_imagery(&st, &mut events, &prep, out)?;
    let imagery = fused.as_ref().map(crate::imagery::for_report);
    if let Some(f) = &fused {
        let itruth = truth
            .and_then(|t| t.parent())
            .map(|d| d.join("imagery/truth.jsonl"));
        if let Some(tp) = itruth.filter(|p| p.exists()) {
            let t = imagery::eval::read_truth(&tp).map_err(anyhow::Error::msg)?;
            let s = imagery::eval::score(&f.fusion, &events, &t, 80.0);
            eprintln!(
                "
imagery scored against the simulation's truth:\n{s}"
            );
            extra.push((
                "Imagery matching scored against the simulation's truth".to_string(),
                s.to_string(),
            ));
        }
    }
    if let Some(tp) = truth {
        let truth = config::read_events(tp)?;
        let table = crate::detect::eval_table(&truth, &events, &detect::eval::Matching::default());
        eprintln!("\ndetections scored against the simulation's ground truth:\n{table}");
        extra.push((
            "Detections scored against the simulation's ground truth".to_string(),
            table,
        ));
    }
    eprintln!();
    judge_and_report(
        &st,
        events,
        &prep,
        out,
        "report.html",
        title,
        notice,
        extra,
        failed.clone(),
        imagery,
    )?;
    if !failed.is_empty() {
        anyhow::bail!(
            "{} source(s) failed to ingest (listed in the report's provenance); the report was written from the others",
            failed.len()
        );
    }
    Ok(())
}

pub fn analyze(a: &AnalyzeArgs) -> Result<()> {
    analyze_into(
        &a.sources,
        &a.out,
        &a.judge,
        &a.title,
        None,
        None,
        a.csv_columns.as_deref(),
    )?;
    eprintln!("\nopen {}", a.out.join("report.html").display());
    Ok(())
}

pub fn report(a: &ReportArgs) -> Result<()> {
    let prep = prepare(&a.judge)?;
    let st = store::Store::open(&a.store)?;
    let dir = match a.out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = a
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .context("--out must name a file, e.g. report.html")?
        .to_string();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut imagery = None;
    let events = match &a.events {
        Some(p) => config::read_events(p)?,
        None => {
            let mut events = crate::detect::detect_and_write(
                &st,
                &prep.cfg.detect,
                &prep.gazetteer,
                &dir.join("events.jsonl"),
            )?;
            imagery = fuse_imagery(&st, &mut events, &prep, &dir)?
                .as_ref()
                .map(crate::imagery::for_report);
            events
        }
    };
    judge_and_report(
        &st,
        events,
        &prep,
        &dir,
        &name,
        &a.title,
        None,
        Vec::new(),
        Vec::new(),
        imagery,
    )
}

/// The example configuration of the built-in scenario, shipped in the
/// binary so the demo runs from anywhere.
const DEMO_FILES: [(&str, &str); 4] = [
    (
        "shiptrace.toml",
        include_str!("../../../examples/rason-shuttle/shiptrace.toml"),
    ),
    (
        "watchlist.toml",
        include_str!("../../../examples/rason-shuttle/watchlist.toml"),
    ),
    (
        "observations.toml",
        include_str!("../../../examples/rason-shuttle/observations.toml"),
    ),
    (
        "sdn-excerpt.csv",
        include_str!("../../../examples/rason-shuttle/sdn-excerpt.csv"),
    ),
];
const DEMO_MARK: &str = ".shiptrace-demo";
const DEMO_OUTPUTS: [&str; 11] = [
    "simulation",
    "config",
    "store",
    "events.jsonl",
    "judgement.json",
    "report.html",
    "events.geojson",
    "tracks.kml",
    "events.csv",
    "voyages.csv",
    "imagery.csv",
];

pub fn demo(a: &DemoArgs) -> Result<()> {
    let out = &a.out;
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if out.join(DEMO_MARK).exists() {
            // a previous demo: replace what it wrote, nothing else
            for f in DEMO_OUTPUTS {
                let p = out.join(f);
                if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else if p.exists() {
                    std::fs::remove_file(&p)
                } else {
                    Ok(())
                }
                .with_context(|| format!("cannot remove {}", p.display()))?;
            }
        } else if !empty {
            bail!(
                "{} exists and is not a previous demo's output: choose another --out",
                out.display()
            );
        }
    }
    std::fs::create_dir_all(out.join("config"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(
        out.join(DEMO_MARK),
        "output of `shiptrace demo`; the next demo here replaces it\n",
    )?;
    for (name, text) in DEMO_FILES {
        std::fs::write(out.join("config").join(name), text)?;
    }
    let sim_dir = out.join("simulation");
    crate::simulate::run(&crate::simulate::SimulateArgs {
        scenario: "rason-shuttle".into(),
        out: Some(sim_dir.clone()),
        run: a.run.clone(),
        start: None,
        print_scenario: None,
    })?;
    eprintln!();
    let judge = JudgeArgs {
        config: Some(out.join("config").join("shiptrace.toml")),
        imagery: vec![sim_dir.join("imagery/detections.csv")],
        scenes: vec![sim_dir.join("imagery/scenes.csv")],
        ..JudgeArgs::default()
    };
    analyze_into(
        &[sim_dir.join("ais.nmea.gz")],
        out,
        &judge,
        "shiptrace demo: a simulated Rajin shuttle",
        Some("SIMULATED DATA. The built-in rason-shuttle scenario: four shuttle ships with the public identities of the 2023-24 case, sailing Rajin to Dunai and Vostochny with AIS off near Rajin, among ordinary traffic. No real vessel track is shown.".into()),
        Some(&sim_dir.join("truth.jsonl")),
        None,
    )?;
    eprintln!("\nthe report: {}", out.join("report.html").display());
    Ok(())
}
