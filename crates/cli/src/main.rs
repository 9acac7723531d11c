//! The `shiptrace` command line: argument parsing and wiring only; the work
//! lives in the library crates.

use shiptrace::{analyze, decode, detect, estimate, ingest, simulate, watch};

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "shiptrace",
    version,
    about = "Maritime intelligence engine: AIS in, evidence of covert shipments out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The built-in scenario end to end: simulate, analyze, write the report.
    Demo(analyze::DemoArgs),
    /// Ingest, detect, judge and report in one go.
    Analyze(analyze::AnalyzeArgs),
    /// The evidence report (HTML) and exports from a store.
    Report(analyze::ReportArgs),
    /// Decode AIS (NMEA, gpsd or AIS-catcher JSON) to JSON lines, one message per line.
    Decode(decode::DecodeArgs),
    /// Ingest AIS archives (NMEA, CSV, JSON) into a loss-free Parquet store, each report once.
    Ingest(ingest::IngestArgs),
    /// Simulate AIS traffic with ground truth (the built-in scenario).
    Simulate(simulate::SimulateArgs),
    /// Detect behaviours (port visits, dark port calls, gaps, encounters...) in a store.
    Detect(detect::DetectArgs),
    /// Watch live feeds: alerts, an HTTP API and live map, everything persisted.
    Watch(watch::WatchArgs),
    /// Score detected events against a simulation's ground truth.
    Eval(detect::EvalArgs),
    /// Fit the confidence models on simulated worlds with known truth.
    Calibrate(detect::CalibrateArgs),
    /// Watchlist matches, risk, what the voyages could have carried, claims checked.
    Estimate(estimate::EstimateArgs),
}

fn main() {
    let cli = Cli::parse();
    let res = match &cli.command {
        Command::Demo(a) => analyze::demo(a),
        Command::Analyze(a) => analyze::analyze(a),
        Command::Report(a) => analyze::report(a),
        Command::Decode(a) => decode::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Detect(a) => detect::run(a),
        Command::Eval(a) => detect::eval(a),
        Command::Calibrate(a) => detect::calibrate(a),
        Command::Watch(a) => watch::run(a),
        Command::Estimate(a) => estimate::run(a),
    };
    if let Err(e) = res {
        // Broken pipe (e.g. `| head`) is not a failure.
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            std::process::exit(0);
        }
        eprintln!("shiptrace: error: {e:#}");
        std::process::exit(1);
    }
}
