//! `shiptrace watch`: live feeds in, alerts out, everything persisted.

use crate::estimate::{prepare, JudgeArgs};
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace watch --dir live/ --tcp-connect feed.example:5631 --watchlist sdn.csv\n  shiptrace watch --dir live/ --udp 0.0.0.0:10110 --tcp-listen 127.0.0.1:5631 --webhook http://127.0.0.1:9000/alerts\n  shiptrace watch --dir live/ --gpsd 127.0.0.1:2947\n  shiptrace watch --dir live/ --udp 0.0.0.0:10110 --imagery-dir drop/ --config shiptrace.toml\n  shiptrace watch --dir replay/ --replay shiptrace-demo/simulation/ais.nmea.gz --speed 3600 --config examples/rason-shuttle/shiptrace.toml\n\nWrites into DIR: raw/ (every sentence, segments compressed as they close),\nstore/ (the Parquet store, for detect and report), alerts.jsonl,\nimagery/ (with --imagery-dir: each detection file's outcomes, done.jsonl).\nThe live map is at http://127.0.0.1:8750/ unless --http says otherwise."
)]
pub struct WatchArgs {
    /// Working directory (made if missing): raw/, store/, alerts.jsonl.
    #[arg(long)]
    pub dir: PathBuf,
    /// Listen for NMEA over UDP on this address (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub udp: Vec<SocketAddr>,
    /// Accept NMEA over TCP on this address (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub tcp_listen: Vec<SocketAddr>,
    /// Connect to a TCP feed, reconnecting with backoff (repeatable).
    #[arg(long, value_name = "HOST:PORT")]
    pub tcp_connect: Vec<String>,
    /// Connect to a gpsd daemon (its port is 2947) and read its AIS reports
    /// (gpsd's JSON), reconnecting with backoff (repeatable).
    #[arg(long, value_name = "HOST:PORT")]
    pub gpsd: Vec<String>,
    /// Replay a file (plain, .gz, .zst) as if live (repeatable).
    #[arg(long, value_name = "FILE")]
    pub replay: Vec<PathBuf>,
    /// Replay speed: times real time, by the sentences' receive times (0:
    /// as fast as possible).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Keep running after the replays end (default: stop when every input
    /// is a replay and all have ended).
    #[arg(long)]
    pub keep_running: bool,
    /// HTTP API and live page address.
    #[arg(long, default_value = "127.0.0.1:8750")]
    pub http: SocketAddr,
    /// No HTTP server.
    #[arg(long)]
    pub no_http: bool,
    /// Bearer token for the HTTP API (required to bind a non-loopback
    /// address); also read from SHIPTRACE_TOKEN.
    #[arg(long, env = "SHIPTRACE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Take satellite vessel detection files dropped in this folder (made
    /// if missing): fused with what was heard, dark vessels in watched
    /// places alerted. Files named *scene* are footprints (drop them
    /// first); the other .csv/.geojson/.json files are detections.
    #[arg(long, value_name = "DIR")]
    pub imagery_dir: Option<PathBuf>,
    /// POST each alert as JSON to this URL (http only; repeatable).
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

pub fn run(a: &WatchArgs) -> Result<()> {
    if a.udp.is_empty()
        && a.tcp_listen.is_empty()
        && a.tcp_connect.is_empty()
        && a.gpsd.is_empty()
        && a.replay.is_empty()
    {
        bail!("no input: give --udp, --tcp-listen, --tcp-connect, --gpsd or --replay");
    }
    if !(a.speed >= 0.0 && a.speed.is_finite()) {
        bail!(
            "--speed {}: must be 0 (as fast as possible) or more",
            a.speed
        );
    }
    for r in &a.replay {
        if !r.is_file() {
            bail!("--replay {}: no such file", r.display());
        }
    }
    for w in &a.webhook {
        if !w.starts_with("http://") {
            bail!("--webhook {w}: only http:// URLs are supported (put a TLS proxy in front for https)");
        }
    }
    let prep = prepare(&a.judge)?;
    let mut inputs = Vec::new();
    inputs.extend(a.udp.iter().map(|&x| live::input::Spec::Udp(x)));
    inputs.extend(
        a.tcp_listen
            .iter()
            .map(|&x| live::input::Spec::TcpListen(x)),
    );
    inputs.extend(
        a.tcp_connect
            .iter()
            .cloned()
            .map(live::input::Spec::TcpConnect),
    );
    inputs.extend(a.gpsd.iter().cloned().map(live::input::Spec::Gpsd));
    inputs.extend(a.replay.iter().map(|p| live::input::Spec::Replay {
        path: p.clone(),
        speed: a.speed,
    }));
    let only_replays = a.udp.is_empty()
        && a.tcp_listen.is_empty()
        && a.tcp_connect.is_empty()
        && a.gpsd.is_empty();
    let opts = live::server::Options {
        dir: a.dir.clone(),
        inputs,
        http: (!a.no_http).then_some(a.http),
        token: a.token.clone().filter(|t| !t.is_empty()),
        webhooks: a.webhook.clone(),
        detect: prep.cfg.detect.clone(),
        watch: prep.cfg.watch.clone(),
        gazetteer: prep.gazetteer,
        entries: prep.inputs.entries.clone(),
        matching: prep.cfg.intel.matching.clone(),
        network: intel::network::Graph::build(&prep.inputs.entries, &prep.inputs.fragment),
        network_params: prep.cfg.intel.network.clone(),
        clock_rate: if a.replay.is_empty() { 1.0 } else { a.speed },
        exit_when_inputs_end: only_replays && !a.keep_running,
        imagery_dir: a.imagery_dir.clone(),
        imagery: prep.cfg.imagery.clone(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let c = rt.block_on(live::server::run(opts))?;
    eprintln!("watch: stopped; {}", c.to_json());
    Ok(())
}
