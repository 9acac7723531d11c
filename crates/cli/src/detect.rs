//! `shiptrace detect` and `shiptrace eval`.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace detect --store store/ --out events.jsonl\n  shiptrace detect --store store/ --out events.jsonl --config shiptrace.toml\n  shiptrace detect --print-params > shiptrace.toml"
)]
pub struct DetectArgs {
    /// Store directory (from `shiptrace ingest`).
    #[arg(long, required_unless_present = "print_params")]
    pub store: Option<PathBuf>,
    /// Events output (JSON lines).
    #[arg(long, required_unless_present = "print_params")]
    pub out: Option<PathBuf>,
    /// shiptrace.toml with a [detect] table (every key optional).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print every detector parameter with its default, as TOML, and exit.
    #[arg(long)]
    pub print_params: bool,
}

pub fn params(config: Option<&PathBuf>) -> Result<detect::Params> {
    match config {
        Some(p) => params_from(&read_config(p)?, p),
        None => Ok(detect::Params::default()),
    }
}

/// The text of a configuration file.
pub fn read_config(p: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

/// `[detect]` of the configuration `text` read from `path`; geofence
/// files are named relative to the configuration file.
pub fn params_from(text: &str, path: &std::path::Path) -> Result<detect::Params> {
    let mut params =
        detect::Params::from_toml(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(std::path::Path::new("."));
    for g in &mut params.geofences {
        if let Some(f) = &g.geojson {
            if std::path::Path::new(f).is_relative() {
                g.geojson = Some(base.join(f).to_string_lossy().into_owned());
            }
        }
    }
    Ok(params)
}

fn params_toml(p: &detect::Params) -> String {
    #[derive(serde::Serialize)]
    struct File<'a> {
        detect: &'a detect::Params,
    }
    toml::to_string(&File { detect: p }).unwrap_or_default()
}

pub fn run(a: &DetectArgs) -> Result<()> {
    let p = params(a.config.as_ref())?;
    if a.print_params {
        print!("{}", params_toml(&p));
        return Ok(());
    }
    let (store_dir, out) = (
        a.store.as_ref().context("--store is required")?,
        a.out.as_ref().context("--out is required")?,
    );
    let st = store::Store::open(store_dir)?;
    let gaz = detect::gazetteer::Gazetteer::for_params(&p, None)
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    detect_and_write(&st, &p, &gaz, out)?;
    eprintln!("parameters used:\n{}", params_toml(&p));
    Ok(())
}

/// Runs detection over a store, writes the events as JSON lines to `out`
/// and prints a summary on stderr.
pub fn detect_and_write(
    st: &store::Store,
    p: &detect::Params,
    gaz: &detect::gazetteer::Gazetteer,
    out: &std::path::Path,
) -> Result<Vec<detect::Event>> {
    let t = std::time::Instant::now();
    let (events, summary) = detect::detect_store_with(st, p, gaz)?;
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    for e in &events {
        serde_json::to_writer(&mut w, e)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    eprintln!(
        "detect: {} vessels, {} fixes, {} identity reports in {:.1} s",
        summary.vessels,
        summary.fixes,
        summary.identities,
        t.elapsed().as_secs_f64()
    );
    for (k, n) in &summary.by_kind {
        eprintln!("  {k:<16} {n}");
    }
    eprintln!("wrote {} events to {}", events.len(), out.display());
    Ok(events)
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  shiptrace eval --truth sim/truth.jsonl --events events.jsonl")]
pub struct EvalArgs {
    /// Ground truth (`truth.jsonl` from `shiptrace simulate`).
    #[arg(long)]
    pub truth: PathBuf,
    /// Detected events (`shiptrace detect --out`).
    #[arg(long)]
    pub events: PathBuf,
    /// Leave out detections below this confidence.
    #[arg(long, default_value_t = 0.0)]
    pub min_confidence: f64,
    /// Time tolerance for a match, hours.
    #[arg(long, default_value_t = 2.0)]
    pub tolerance_hours: f64,
}

pub fn eval(a: &EvalArgs) -> Result<()> {
    let read = |p: &PathBuf| -> Result<Vec<detect::Event>> {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        detect::eval::read_events(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    let truth = read(&a.truth)?;
    let events = read(&a.events)?;
    let m = detect::eval::Matching {
        tolerance_hours: a.tolerance_hours,
        min_confidence: a.min_confidence,
        ..Default::default()
    };
    print!("{}", eval_table(&truth, &events, &m));
    Ok(())
}

/// Recall and precision per kind, as a text table.
pub fn eval_table(
    truth: &[detect::Event],
    events: &[detect::Event],
    m: &detect::eval::Matching,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:>7} {:>9} {:>7} {:>8} {:>7} {:>9}",
        "kind", "truth", "detected", "found", "correct", "recall", "precision"
    );
    let f = |x: f64| {
        if x.is_nan() {
            "-".to_string()
        } else {
            format!("{x:.3}")
        }
    };
    for s in detect::eval::evaluate(truth, events, m) {
        let _ = writeln!(
            out,
            "{:<16} {:>7} {:>9} {:>7} {:>8} {:>7} {:>9}",
            s.kind,
            s.truth,
            s.detected,
            s.found,
            s.correct,
            f(s.recall),
            f(s.precision)
        );
    }
    let _ = writeln!(out, "(match: same kind and vessel, times within {} h, same port for port visits and dark port calls; detections with confidence >= {})", m.tolerance_hours, m.min_confidence);
    out
}
