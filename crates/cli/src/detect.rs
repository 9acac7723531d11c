//! `shiptrace detect` and `shiptrace eval`.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

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

fn params_toml(p: &detect::Params) -> String {
    #[derive(serde::Serialize)]
    struct File<'a> {
        detect: &'a detect::Params,
    }
    toml::to_string(&File { detect: p }).unwrap_or_default()
}

pub fn run(a: &DetectArgs) -> Result<()> {
    let p = config::params(a.config.as_deref())?;
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
    if let Some((requests, bytes)) = st.remote_traffic() {
        eprintln!(
            "read {:.1} MB from {} in {requests} requests",
            bytes as f64 / 1e6,
            st.dir().display()
        );
    }
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    for e in &events {
        serde_json::to_writer(&mut w, e)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    eprintln!(
        "detect: {} vessels, {} fixes, {} identity reports in {:.1} s (plan {:.1} s, phase one {:.1} s, encounters {:.1} s, phase two {:.1} s)",
        summary.vessels,
        summary.fixes,
        summary.identities,
        t.elapsed().as_secs_f64(),
        summary.seconds.plan,
        summary.seconds.phase_one,
        summary.seconds.encounters,
        summary.seconds.phase_two,
    );
    for (k, n) in &summary.by_kind {
        eprintln!("  {k:<16} {n}");
    }
    for t in &summary.thinned {
        eprintln!(
            "  MMSI {} has {} fixes, over tracks.max_vessel_fixes = {}: read one fix in about {} \
             ({} kept); its events come from those",
            t.mmsi, t.fixes, p.tracks.max_vessel_fixes, t.one_in, t.kept
        );
    }
    eprintln!("wrote {} events to {}", events.len(), out.display());
    Ok(events)
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace eval --truth sim/truth.jsonl --events events.jsonl\n  shiptrace eval --truth sim/truth.jsonl --events events.jsonl --min-confidence 0.7 --json\n  shiptrace eval --events case/events.jsonl --imagery-truth sim/imagery/truth.jsonl --imagery-csv case/imagery.csv"
)]
pub struct EvalArgs {
    /// Ground truth (`truth.jsonl` from `shiptrace simulate`).
    #[arg(long, requires = "events")]
    pub truth: Option<PathBuf>,
    /// Detected events (`shiptrace detect --out`), or the alerts.jsonl of
    /// `shiptrace watch` (the events the alerts carry).
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// The store the events were detected from: truth events the data
    /// could not show (no fixes around them) are then reported apart.
    #[arg(long, requires = "truth")]
    pub store: Option<PathBuf>,
    /// A world: its truth and its events; repeat to score several worlds
    /// together (each world's events are paired with its own truth).
    #[arg(long, num_args = 2, value_names = ["TRUTH", "EVENTS"])]
    pub world: Vec<PathBuf>,
    /// The store of each --world, in the same order (all or none).
    #[arg(long)]
    pub world_store: Vec<PathBuf>,
    /// With a store: fixes of the vessel inside a truth event's window that
    /// make it observable (silences: heard within `--edge-hours` before and
    /// after instead).
    #[arg(long, default_value_t = 3)]
    pub min_fixes: usize,
    /// With a store: how near a silence's edges the vessel must be heard, hours.
    #[arg(long, default_value_t = 48.0)]
    pub edge_hours: f64,
    /// Score only these kinds (comma-separated), e.g. dark_port_call.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<detect::EventKind>,
    /// Score detections at or above this confidence; lower ones are still
    /// paired with the truth but reported apart, as candidates.
    #[arg(long, default_value_t = 0.5)]
    pub min_confidence: f64,
    /// Time tolerance for a match, hours.
    #[arg(long, default_value_t = 2.0)]
    pub tolerance_hours: f64,
    /// Print the whole result as JSON (undefined rates as null).
    #[arg(long)]
    pub json: bool,
    /// A simulation's imagery truth (`imagery/truth.jsonl`): with
    /// --imagery-csv and --events, scores the fusion of its detections
    /// (pairing with the right MMSI, `dark_vessel`, imaged dark port calls).
    #[arg(long, requires_all = ["imagery_csv", "events"])]
    pub imagery_truth: Option<PathBuf>,
    /// The `imagery.csv` of the same run (every detection's outcome).
    #[arg(long, requires = "imagery_truth")]
    pub imagery_csv: Option<PathBuf>,
    /// Length from which `dark_vessel` events are scored, m.
    #[arg(long, default_value_t = 80.0)]
    pub dark_min_length_m: f64,
}

/// The imagery fusion of one run scored against its simulation's truth.
fn eval_imagery(a: &EvalArgs, truth: &Path, csv: &Path) -> Result<()> {
    let events = config::read_events(a.events.as_ref().context("--events is needed")?)?;
    let t = imagery::eval::read_truth(truth).map_err(anyhow::Error::msg)?;
    let o = imagery::eval::read_outcomes(csv).map_err(anyhow::Error::msg)?;
    let s = imagery::eval::score_outcomes(&o, &events, &t, a.dark_min_length_m);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("imagery scored against the simulation's truth:\n{s}");
    }
    Ok(())
}

pub fn eval(a: &EvalArgs) -> Result<()> {
    if a.events.is_some() && a.truth.is_none() && a.imagery_truth.is_none() {
        anyhow::bail!("--events needs --truth (or --imagery-truth) to score against");
    }
    if let (Some(t), Some(c)) = (&a.imagery_truth, &a.imagery_csv) {
        eval_imagery(a, t, c)?;
        if a.truth.is_none() && a.world.is_empty() {
            return Ok(());
        }
    }
    let read = |p: &PathBuf| -> Result<Vec<detect::Event>> {
        let mut v = config::read_events(p)?;
        if !a.kinds.is_empty() {
            v.retain(|e| a.kinds.contains(&e.kind()));
        }
        Ok(v)
    };
    let n = a.world.len() / 2;
    if !a.world_store.is_empty() && a.world_store.len() != n {
        anyhow::bail!(
            "{} --world-store for {n} --world: give a store for every world or none",
            a.world_store.len()
        );
    }
    let mut files: Vec<(&PathBuf, &PathBuf, Option<&PathBuf>)> = a
        .world
        .chunks(2)
        .enumerate()
        .map(|(k, w)| (&w[0], &w[1], a.world_store.get(k)))
        .collect();
    if let (Some(t), Some(e)) = (&a.truth, &a.events) {
        files.insert(0, (t, e, a.store.as_ref()));
    }
    if files.is_empty() {
        anyhow::bail!("nothing to score: give --truth and --events, or --world TRUTH EVENTS");
    }
    let mut worlds = Vec::new();
    for (t, e, st) in files {
        let truth = read(t)?;
        let seen = match st {
            Some(st) => {
                let heard = heard_times(st)?;
                Some(
                    truth
                        .iter()
                        .map(|e| detect::eval::observable(e, &heard, a.min_fixes, a.edge_hours))
                        .collect(),
                )
            }
            None => None,
        };
        worlds.push((truth, read(e)?, seen));
    }
    let m = detect::eval::Matching {
        tolerance_hours: a.tolerance_hours,
        min_confidence: a.min_confidence,
        ..Default::default()
    };
    let e = detect::eval::evaluation_observed(&worlds, &m);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        print!("{}", eval_text(&e, &m));
    }
    Ok(())
}

/// Receive times of every fix per MMSI, sorted (two columns read).
fn heard_times(path: &std::path::Path) -> Result<detect::eval::HeardTimes> {
    let st = store::Store::open(path)
        .with_context(|| format!("cannot open store {}", path.display()))?;
    detect::eval::heard_times(&st).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Recall, precision, Brier score and candidates per kind, then the
/// reliability of the confidences per kind and pooled, as text tables.
pub fn eval_table(
    truth: &[detect::Event],
    events: &[detect::Event],
    m: &detect::eval::Matching,
) -> String {
    eval_text(&detect::eval::evaluation(truth, events, m), m)
}

/// [`eval_table`] of an evaluation already made.
pub fn eval_text(e: &detect::eval::Evaluation, m: &detect::eval::Matching) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let f = |x: f64| {
        if x.is_nan() {
            "-".to_string()
        } else {
            format!("{x:.3}")
        }
    };
    let _ = writeln!(
        out,
        "{:<16} {:>7} {:>9} {:>7} {:>8} {:>7} {:>9} {:>7} {:>12} {:>15}",
        "kind",
        "truth",
        "detected",
        "found",
        "correct",
        "recall",
        "precision",
        "brier",
        "candidates",
        "observable"
    );
    for s in &e.kinds {
        let _ = writeln!(
            out,
            "{:<16} {:>7} {:>9} {:>7} {:>8} {:>7} {:>9} {:>7} {:>12} {:>15}",
            s.kind,
            s.truth,
            s.detected,
            s.found,
            s.correct,
            f(s.recall),
            f(s.precision),
            f(s.brier),
            format!("{}/{}", s.candidates, s.candidates_true),
            if s.truth_observable == s.truth {
                "all".to_string()
            } else {
                format!("{} R {}", s.truth_observable, f(s.recall_observable))
            }
        );
    }
    let _ = writeln!(
        out,
        "(match: one to one, same kind and vessel, times within {} h, same port for port visits and dark port calls; \
         detections with confidence >= {} scored, lower ones paired too but shown apart as candidates (n/true); \
         brier over all detections of the kind; observable: with a store, the truth events the data could show and the recall over them)",
        m.tolerance_hours, m.min_confidence
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<16} {:>10} {:>7} {:>9} {:>10} {:>7} {:>10}",
        "reliability", "confidence", "n", "mean conf", "share true", "gap", "gap <= 0.1"
    );
    let bins = |out: &mut String, name: &str, bins: &[detect::eval::Bin]| {
        for b in bins.iter().filter(|b| b.n > 0) {
            let range = if b.hi >= 1.0 {
                format!("[{:.1},{:.1}]", b.lo, b.hi)
            } else {
                format!("[{:.1},{:.1})", b.lo, b.hi)
            };
            let flag = match (b.calibrated, b.n >= 10) {
                (true, true) => "yes",
                (false, true) => "no",
                (true, false) => "yes (n<10)",
                (false, false) => "no (n<10)",
            };
            let _ = writeln!(
                out,
                "{:<16} {:>10} {:>7} {:>9} {:>10} {:>7} {:>10}",
                name,
                range,
                b.n,
                f(b.mean_confidence),
                f(b.share_true),
                f(b.gap),
                flag
            );
        }
    };
    for s in &e.kinds {
        bins(&mut out, s.kind.as_str(), &s.bins);
    }
    bins(&mut out, "all kinds", &e.pooled);
    let _ = writeln!(
        out,
        "(share true: share of the bin's detections paired with a truth event; gap: |share true - mean conf|, judge it at n >= 10; brier over all kinds {})",
        f(e.brier)
    );
    out
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Fits the confidence models on simulated worlds with known truth and prints them as a\n[detect.calibration] section for shiptrace.toml. Run it twice when the Platt scalings\nchange a lot: voyages take their score from the calibrated calls at their ends.\n\nExample:\n  shiptrace calibrate --world w1/sim/truth.jsonl w1/events.jsonl --world w2/sim/truth.jsonl w2/events.jsonl \\\n    --fitted-on 'rason-shuttle seeds 1-2, rason-evasive seeds 1-2'"
)]
pub struct CalibrateArgs {
    /// A world: its truth file and the events detected on it (repeat).
    #[arg(long, num_args = 2, value_names = ["TRUTH", "EVENTS"], required = true)]
    pub world: Vec<PathBuf>,
    /// L2 penalty on the weights (keeps fits finite on separable data).
    /// Without it, each model family's penalty is chosen by
    /// leave-one-world-out cross-validation over the worlds given.
    #[arg(long)]
    pub l2: Option<f64>,
    /// The dark-port-call model's penalty alone (the others as above).
    /// `scripts/calibrate.sh` sets it to 1: cross-validation on batch
    /// detections picks a weaker one, whose confidences run too high in
    /// `watch`, where the coverage map holds only the past.
    #[arg(long)]
    pub l2_dark_port_call: Option<f64>,
    /// What the fit was made on, recorded in the output.
    #[arg(long, default_value = "")]
    pub fitted_on: String,
    /// Time tolerance for pairing detections with truth, hours.
    #[arg(long, default_value_t = 2.0)]
    pub tolerance_hours: f64,
}

pub fn calibrate(a: &CalibrateArgs) -> Result<()> {
    let read = |p: &PathBuf| config::read_events(p);
    let m = detect::eval::Matching {
        tolerance_hours: a.tolerance_hours,
        min_confidence: 0.0,
        ..Default::default()
    };
    let mut rows = detect::calibrate::Rows::default();
    for w in a.world.chunks(2) {
        let (truth, events) = (read(&w[0])?, read(&w[1])?);
        rows.add(&truth, &events, &m);
    }
    let fitted_on = if a.fitted_on.is_empty() {
        a.world
            .chunks(2)
            .map(|w| w[0].display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        a.fitted_on.clone()
    };
    for (flag, v) in [("--l2", a.l2), ("--l2-dark-port-call", a.l2_dark_port_call)] {
        if let Some(x) = v.filter(|x| !(x.is_finite() && *x >= 0.0)) {
            anyhow::bail!("{flag} {x}: must be a number at least 0");
        }
    }
    let mut l2 = match a.l2 {
        Some(x) => detect::calibrate::L2::all(x),
        None => rows.choose_l2(),
    };
    if let Some(x) = a.l2_dark_port_call {
        l2.dark_port_call = x;
    }
    let how = match a.l2 {
        Some(_) => "given",
        None if rows.worlds() >= 2 => "by leave-one-world-out",
        None => "1 (one world: no cross-validation)",
    };
    let fitted_on = format!(
        "{fitted_on}; L2 {how}: dark_port_call {}{}, ais_gap {}, platt {}",
        l2.dark_port_call,
        if a.l2_dark_port_call.is_some() {
            " (given)"
        } else {
            ""
        },
        l2.ais_gap,
        l2.platt
    );
    let c = rows.fit(l2, &fitted_on);
    eprintln!(
        "fitted on {} dark-call candidates ({} true), {} gaps ({} true), {} scored kinds",
        rows.dark_port_call.len(),
        rows.dark_port_call.iter().filter(|r| r.1).count(),
        rows.ais_gap.len(),
        rows.ais_gap.iter().filter(|r| r.1).count(),
        rows.scores.len()
    );
    eprintln!(
        "L2: dark_port_call {}, ais_gap {}, platt {}",
        l2.dark_port_call, l2.ais_gap, l2.platt
    );
    #[derive(serde::Serialize)]
    struct Detect {
        calibration: detect::params::Calibration,
    }
    #[derive(serde::Serialize)]
    struct File {
        detect: Detect,
    }
    print!(
        "{}",
        toml::to_string(&File {
            detect: Detect { calibration: c }
        })?
    );
    Ok(())
}
