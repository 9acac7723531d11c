//! `shiptrace decode`: raw NMEA in, one JSON object per message out, and a
//! summary of what was read and rejected on stderr.

use anyhow::{Context, Result};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace decode capture.nmea.gz > messages.jsonl\n  nc feed.example 5631 | shiptrace decode -"
)]
pub struct DecodeArgs {
    /// Input files (plain, .gz or .zst); `-` reads standard input.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Print up to this many rejected lines (file:line, reason, text) to
    /// stderr; the summary counts them all.
    #[arg(long, default_value_t = 10)]
    pub show_rejects: usize,
}

pub fn run(args: &DecodeArgs) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut total = ais::Stats::default();
    let mut shown = 0usize;
    let mut overlong = 0u64;
    for path in &args.inputs {
        let mut reader = store::open_input(path).map_err(|e| anyhow::anyhow!("cannot open {e}"))?;
        let mut dec = ais::Decoder::new();
        let mut line = Vec::with_capacity(256);
        let mut lineno = 0u64;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {}", path.display()))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            match dec.feed(&line) {
                Ok(Some(m)) => {
                    serde_json::to_writer(&mut out, &m)?;
                    out.write_all(b"\n")?;
                }
                Ok(None) => {}
                Err(e) => {
                    if shown < args.show_rejects {
                        shown += 1;
                        let text = String::from_utf8_lossy(&line);
                        let text: String = text
                            .trim_end()
                            .chars()
                            .take(120)
                            .flat_map(char::escape_default)
                            .collect();
                        eprintln!(
                            "{}:{}: {} ({}): {}",
                            path.display(),
                            lineno,
                            e,
                            e.reason().name(),
                            text
                        );
                    }
                }
            }
        }
        dec.finish();
        total.merge(dec.stats());
        overlong += reader.overlong_lines();
    }
    out.flush()?;
    eprint!("{}", summary(&total));
    if overlong > 0 {
        // each dropped line also reached the decoder as a blank line
        eprintln!(
            "  rejected {:<18} {} (longer than {} bytes, dropped as read)",
            "overlong_line",
            overlong,
            store::limits::MAX_LINE_BYTES
        );
    }
    Ok(())
}

/// Human-readable summary of decoder counts.
pub fn summary(s: &ais::Stats) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "lines {}  ais sentences {}  other sentences {}  messages decoded {}  rejects {}\n",
        s.lines,
        s.sentences,
        s.other_sentences,
        s.messages,
        s.total_rejects()
    ));
    for r in ais::RejectReason::ALL {
        let n = s.rejected(r);
        if n > 0 {
            o.push_str(&format!("  rejected {:<18} {}\n", r.name(), n));
        }
    }
    if s.tag_checksum_mismatches > 0 {
        o.push_str(&format!(
            "  note: {} tag blocks had a wrong checksum (sentences kept)\n",
            s.tag_checksum_mismatches
        ));
    }
    if s.comment_lines + s.blank_lines > 0 {
        o.push_str(&format!(
            "  skipped {} comment and {} blank lines\n",
            s.comment_lines, s.blank_lines
        ));
    }
    o
}
