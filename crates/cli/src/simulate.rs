//! `shiptrace simulate`: a scenario in, a simulated NMEA feed and its ground
//! truth out.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace simulate --out sim/                       # the built-in rason-shuttle scenario\n  shiptrace simulate --scenario load --vessels 10000 --days 1 --out load/\n  shiptrace simulate --scenario rason-evasive --seed 4 --out evasive/   # poor offshore reception, shuttles that evade\n  shiptrace simulate --print-scenario rason-shuttle > my.toml   # copy, edit, then --scenario my.toml"
)]
pub struct SimulateArgs {
    /// Built-in scenario name (rason-shuttle, rason-evasive, load) or a scenario TOML file.
    #[arg(long, default_value = "rason-shuttle")]
    pub scenario: String,
    /// Output directory: ais.nmea.gz and truth.jsonl.
    #[arg(long, required_unless_present = "print_scenario")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOpts,
    /// Start day or time, e.g. 2023-08-01 (default: the scenario's).
    #[arg(long)]
    pub start: Option<String>,
    /// Print a built-in scenario's TOML and exit.
    #[arg(long, value_name = "NAME")]
    pub print_scenario: Option<String>,
}

/// Seed, length and size of a simulated run (shared with `demo`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RunOpts {
    /// Random seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated days (default: the scenario's).
    #[arg(long)]
    pub days: Option<f64>,
    /// Number of ordinary vessels (default: the scenario's fleets).
    #[arg(long)]
    pub vessels: Option<usize>,
}

pub fn run(a: &SimulateArgs) -> Result<()> {
    if let Some(name) = &a.print_scenario {
        match sim::Scenario::builtin_text(name) {
            Some(t) => {
                print!("{t}");
                return Ok(());
            }
            None => bail!(
                "no built-in scenario {name:?} (built-in: rason-shuttle, rason-evasive, load)"
            ),
        }
    }
    let out = a.out.as_ref().context("--out is required")?;
    let t = std::time::Instant::now();
    eprintln!("simulating {} ...", a.scenario);
    let run = config::RunOpts {
        seed: a.run.seed,
        days: a.run.days,
        vessels: a.run.vessels,
        start: a.start.clone(),
    };
    let s = config::run_scenario(&a.scenario, &run, out)?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{}: {} vessels, {} .. {}, {} transmissions ({} while dark), {} lines heard ({} damaged, {} fragments dropped), {} true events, in {:.1} s ({:.0} lines/s)",
        s.scenario,
        s.vessels,
        s.start,
        s.end,
        s.counts.transmissions,
        s.counts.dark_skipped,
        s.counts.lines,
        s.counts.corrupted_lines,
        s.counts.dropped_fragments,
        s.truth_events,
        secs,
        s.counts.lines as f64 / secs.max(1e-3)
    );
    eprintln!(
        "wrote {}/ais.nmea.gz and {}/truth.jsonl (SIMULATED data)",
        out.display(),
        out.display()
    );
    Ok(())
}
