//! `shiptrace ingest`: sources in, a Parquet store out, with a progress bar
//! and a summary.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace ingest archive/ --store store/\n  shiptrace ingest ais-2024-01-01.csv --store store/\n  nc feed.example 5631 | shiptrace ingest - --store store/ --assume-time 2024-01-01"
)]
pub struct IngestArgs {
    /// Sources (plain, .gz, .zst), told apart by content: NMEA logs, CSV
    /// exports (MarineCadastre, DMA, AISHub, decoded-message exports, any
    /// other through --csv-columns), gpsd / AIS-catcher / AISHub JSON;
    /// directories (recursively), or `-` for standard input. A report
    /// another source already brought is stored once.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Store directory (created if missing).
    #[arg(long)]
    pub store: PathBuf,
    /// Receive time for messages whose input carries none: RFC 3339
    /// (2024-01-01T12:00:00Z) or a day (2024-01-01, midnight UTC).
    #[arg(long)]
    pub assume_time: Option<String>,
    /// Window for duplicate receptions of one payload, seconds (< 60).
    #[arg(long, default_value_t = 30.0)]
    pub dedup_window: f64,
    /// Records buffered before a flush to a sorted run (bounds memory), and
    /// about the rows of each stored file.
    #[arg(long, default_value_t = 2_000_000)]
    pub flush_rows: usize,
    /// Rejected-line samples kept per reason and source.
    #[arg(long, default_value_t = 20)]
    pub reject_samples: usize,
    /// Rows per Parquet row group (the unit a filtered read can skip).
    #[arg(long, default_value_t = 131_072)]
    pub row_group_rows: usize,
    /// CSV columns for exports whose headers are not the usual names:
    /// `mmsi=Ship,time=When,lat=Y,lon=X,time_format=%d/%m/%Y %H:%M:%S,speed_unit=m/s`
    /// (keys: mmsi time millis lat lon sog cog heading status msg_type name
    /// imo callsign ship_type draught length width to_bow to_stern to_port
    /// to_starboard class destination eta; time_format
    /// auto|rfc3339|unix|unix_ms|strftime; speed_unit knots|m/s|km/h;
    /// draught_unit m|dm).
    /// Overrides [ingest.csv] of --config.
    #[arg(long)]
    pub csv_columns: Option<String>,
    /// shiptrace.toml: its [ingest.csv] table maps CSV columns.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// The CSV mapping of a configuration's `[ingest.csv]` with `--csv-columns`
/// over it.
pub fn csv_mapping(config: &store::CsvMapping, flag: Option<&str>) -> Result<store::CsvMapping> {
    let mut m = config.clone();
    if let Some(spec) = flag {
        let over =
            store::CsvMapping::parse(spec).map_err(|e| anyhow::anyhow!("--csv-columns: {e}"))?;
        m.columns.extend(over.columns);
        if spec
            .split(',')
            .any(|p| p.trim_start().starts_with("time_format"))
        {
            m.time_format = over.time_format;
        }
        m.speed_unit = over.speed_unit.or(m.speed_unit);
        m.draught_unit = over.draught_unit.or(m.draught_unit);
    }
    Ok(m)
}

impl IngestArgs {
    /// Ingest of `sources` into `store` with every other option at its
    /// default (as `analyze` runs it).
    pub fn with_defaults(sources: Vec<PathBuf>, store: PathBuf) -> IngestArgs {
        let d = store::IngestOptions::default();
        IngestArgs {
            sources,
            store,
            assume_time: None,
            dedup_window: d.dedup_window_ms as f64 / 1000.0,
            flush_rows: d.flush_rows,
            reject_samples: d.reject_samples,
            row_group_rows: d.row_group_rows,
            csv_columns: None,
            config: None,
        }
    }
}

/// Ingests; a source that fails is reported and the others go on. Fails if
/// any source failed.
pub fn run(a: &IngestArgs) -> Result<()> {
    let failed = run_each(a)?;
    if !failed.is_empty() {
        bail!(
            "{} source(s) failed; the others were ingested",
            failed.len()
        );
    }
    Ok(())
}

/// Ingests every source it can; returns those that failed (path, error).
/// An error is one that stops all of them (bad options, the store).
pub fn run_each(a: &IngestArgs) -> Result<Vec<(String, String)>> {
    let cfg = config::Config::load(a.config.as_deref())?;
    run_with(a, csv_mapping(&cfg.csv, a.csv_columns.as_deref())?)
}

/// [`run_each`] with the CSV mapping already made.
pub fn run_with(a: &IngestArgs, csv: store::CsvMapping) -> Result<Vec<(String, String)>> {
    if !(0.0..60.0).contains(&a.dedup_window) {
        bail!(
            "--dedup-window {}: must be at least 0 and under 60 seconds",
            a.dedup_window
        );
    }
    let opts = store::IngestOptions {
        dedup_window_ms: (a.dedup_window * 1000.0) as i64,
        assume_time_ms: a
            .assume_time
            .as_deref()
            .map(|t| config::parse_time(t).context("--assume-time"))
            .transpose()?,
        flush_rows: a.flush_rows,
        reject_samples: a.reject_samples,
        row_group_rows: a.row_group_rows,
        csv,
        ..Default::default()
    };
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = std::time::Instant::now();
    let mut on_progress = |p: &store::Progress| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
        let rate = p.messages as f64 / start.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{} msgs ({:.0}/s) {}", p.messages, rate, p.current));
    };
    let outcomes = store::ingest(&a.store, &a.sources, &opts, &mut on_progress)?;
    bar.finish_and_clear();
    let mut failed = Vec::new();
    let (mut msgs, mut pos, mut ids, mut dups, mut rej) = (0, 0, 0, 0, 0u64);
    for o in &outcomes {
        match o {
            store::SourceOutcome::Ingested(e) => {
                let r: u64 = e.rejects.values().sum();
                let merged: u64 = e
                    .merges
                    .iter()
                    .map(|m| m.positions_merged + m.identities_merged)
                    .sum();
                eprintln!(
                    "ingested {}: {} messages, {} positions, {} identities, {} duplicates, {}{} rejects{}{}",
                    e.path,
                    e.messages,
                    e.positions,
                    e.identities,
                    e.duplicates,
                    if merged > 0 {
                        format!("{merged} rows merged with other sources' copies ({} days), ", e.merges.len())
                    } else {
                        String::new()
                    },
                    r,
                    if r > 0 { format!(" ({})", e.rejects.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")) } else { String::new() },
                    if e.truncated_fields > 0 {
                        format!("; {} text fields cut to {} characters", e.truncated_fields, store::limits::MAX_TEXT_CHARS)
                    } else {
                        String::new()
                    }
                );
                msgs += e.messages;
                pos += e
                    .positions
                    .saturating_sub(e.merges.iter().map(|m| m.positions_merged).sum());
                ids += e
                    .identities
                    .saturating_sub(e.merges.iter().map(|m| m.identities_merged).sum());
                dups += e.duplicates;
                rej += r;
            }
            store::SourceOutcome::AlreadyIngested { path, hash } => eprintln!(
                "skipped {path}: already in the store (content {})",
                &hash[..16]
            ),
            store::SourceOutcome::Failed { path, error } => {
                eprintln!("failed: {error}");
                failed.push((path.clone(), error.to_string()));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "store {}: +{pos} positions, +{ids} identities from {msgs} messages in {secs:.1} s ({:.0} msgs/s); {dups} duplicates removed, {rej} rejects (samples in rejects/)",
        a.store.display(),
        msgs as f64 / secs.max(1e-3)
    );
    Ok(failed)
}
