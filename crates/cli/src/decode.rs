//! `shiptrace decode`: NMEA (or gpsd / AIS-catcher JSON) in, one JSON object
//! per message out (shiptrace's or gpsd's), and a summary of what was read
//! and rejected on stderr.

use anyhow::{Context, Result};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  shiptrace decode capture.nmea.gz > messages.jsonl\n  nc feed.example 5631 | shiptrace decode -\n  shiptrace decode --format gpsd capture.nmea > gpsd.jsonl   # gpsd's unscaled JSON"
)]
pub struct DecodeArgs {
    /// Input files (plain, .gz or .zst): NMEA in any framing, gpsd JSON
    /// (its reports built back into their messages) or AIS-catcher JSON;
    /// `-` reads standard input.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Print up to this many rejected lines (file:line, reason, text) to
    /// stderr; the summary counts them all.
    #[arg(long, default_value_t = 10)]
    pub show_rejects: usize,
    /// Output: `shiptrace` (interpreted values, with receive time, station
    /// and channel) or `gpsd` (gpsd's unscaled JSON, as `gpsdecode -u -j`
    /// prints it: `class`, `device`, raw field values, so tools built on
    /// gpsd take it unchanged).
    #[arg(long, value_enum, default_value_t = OutputFormat::Shiptrace)]
    pub format: OutputFormat,
}

/// What `decode` prints per message.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// shiptrace's JSON.
    Shiptrace,
    /// gpsd's unscaled JSON.
    Gpsd,
}

/// One message as gpsd's unscaled JSON (`gpsdecode -u -j`).
fn gpsd_json(m: &ais::Message, device: &str) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("class".into(), "AIS".into());
    map.insert("device".into(), device.into());
    m.visit_in(true, &mut |name, v| {
        let j = match v {
            ais::Value::U(x) => serde_json::Value::from(x),
            ais::Value::I(x) => serde_json::Value::from(x),
            ais::Value::F(x) => serde_json::Value::from(x),
            ais::Value::Bool(b) => serde_json::Value::from(b),
            ais::Value::Str(s) => serde_json::Value::from(s),
            ais::Value::Bits(b, n) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                serde_json::Value::from(format!("{n}:{hex}"))
            }
            ais::Value::Absent => serde_json::Value::from(""),
        };
        // gpsd calls a type 24's part number "partno" and writes the DTE
        // flag as a number
        let name = if name == "part" { "partno" } else { name };
        let j = match (name, j) {
            ("dte", serde_json::Value::Bool(b)) => serde_json::Value::from(b as u8),
            (_, j) => j,
        };
        map.insert(name.into(), j);
        if name == "mmsi" {
            map.insert("scaled".into(), false.into());
        }
    });
    // a type 5's ETA as gpsd writes it: "MM-DDTHH:MMZ"
    if m.msg_type == 5 {
        let mut n = |k: &str| map.remove(k).and_then(|v| v.as_u64()).unwrap_or(0);
        let (mo, d, h, mi) = (n("month"), n("day"), n("hour"), n("minute"));
        map.insert(
            "eta".into(),
            format!("{mo:02}-{d:02}T{h:02}:{mi:02}Z").into(),
        );
    }
    serde_json::Value::Object(map)
}

pub fn run(args: &DecodeArgs) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut total = ais::Stats::default();
    let mut shown = 0usize;
    let mut overlong = 0u64;
    for path in &args.inputs {
        let mut reader = store::open_input(path).map_err(|e| anyhow::anyhow!("cannot open {e}"))?;
        let first = reader
            .fill_buf()
            .with_context(|| format!("reading {}", path.display()))?;
        let first = String::from_utf8_lossy(
            &first[..first
                .iter()
                .position(|&c| c == b'\n')
                .unwrap_or(first.len())],
        )
        .into_owned();
        // JSON inputs: gpsd's reports are built back into their messages,
        // AIS-catcher's carry theirs
        let json = store::jsonsrc::JsonKind::detect(&first);
        if json == Some(store::jsonsrc::JsonKind::AisHub) {
            anyhow::bail!(
                "{}: an AISHub document holds reports, not AIS messages: read it with `shiptrace ingest`",
                path.display()
            );
        }
        let device = if path.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        let mut dec = ais::Decoder::new();
        let mut line = Vec::with_capacity(256);
        let mut lineno = 0u64;
        let mut group = 0u32;
        let mut json_rejects = 0u64;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {}", path.display()))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            let sentences: Vec<Vec<u8>> = match json {
                None => vec![std::mem::take(&mut line)],
                Some(kind) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if text.trim().is_empty() {
                        continue;
                    }
                    match store::jsonsrc::sentences_of_line(kind, &text, &mut group) {
                        Ok(v) => v.into_iter().map(String::into_bytes).collect(),
                        Err(msg) => {
                            json_rejects += 1;
                            if shown < args.show_rejects {
                                shown += 1;
                                eprintln!(
                                    "{}:{}: {} (bad_json)",
                                    path.display(),
                                    lineno,
                                    crate::estimate::term(&msg)
                                );
                            }
                            continue;
                        }
                    }
                }
            };
            for sentence in &sentences {
                match dec.feed(sentence) {
                    Ok(Some(m)) => {
                        match args.format {
                            OutputFormat::Shiptrace => serde_json::to_writer(&mut out, &m)?,
                            OutputFormat::Gpsd => {
                                serde_json::to_writer(&mut out, &gpsd_json(&m.message, &device))?
                            }
                        }
                        out.write_all(b"\n")?;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        if shown < args.show_rejects {
                            shown += 1;
                            let text = String::from_utf8_lossy(sentence);
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
            if json.is_none() {
                line = sentences.into_iter().next().unwrap_or_default();
            }
        }
        if json_rejects > 0 {
            eprintln!(
                "  rejected {:<18} {} (JSON lines that are no AIS report)",
                "bad_json", json_rejects
            );
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
