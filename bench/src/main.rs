//! `cargo run --release --manifest-path bench/Cargo.toml -- [--sentences N] [--peers]`
//!
//! Builds a corpus of about a million real AIS sentences by repeating the
//! four real captures in tests/data, then decodes it on one core with each
//! decoder and prints messages/s. In-process Rust decoders decode from
//! memory; external tools (gpsdecode, pyais, aiscat) read a file and write to
//! /dev/null, so their figures include process I/O and output formatting.
//!
//! Two corpora:
//! - `plain`: only VDM/VDO sentences, tag blocks and suffixes stripped, so
//!   every peer can read every line;
//! - `raw`: the captures as they are (tag blocks, `$PGHP`, `$GPZDA`,
//!   suffixes, garbage), for shiptrace only.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
        out
    } else {
        raw
    }
}

fn plain_sentence(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line.iter().position(|&c| c == b'!')?;
    let s = &line[start..];
    if s.len() < 7 || &s[3..6] != b"VDM" && &s[3..6] != b"VDO" {
        return None;
    }
    if !s[1..3].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let star = s.iter().rposition(|&c| c == b'*')?;
    Some(&s[..(star + 3).min(s.len())])
}

fn build(target: usize) -> (Vec<u8>, usize, Vec<u8>, usize) {
    let files = ["amsa-terrestrial.nmea.gz", "dma-stream-example.nmea", "exactearth-satellite.nmea", "kystverket-1000.nm4"];
    let raw_once: Vec<u8> = files.iter().flat_map(|f| load(f)).collect();
    let mut plain_once = Vec::new();
    let mut plain_n = 0;
    for l in raw_once.split(|&c| c == b'\n') {
        if let Some(s) = plain_sentence(l) {
            plain_once.extend_from_slice(s);
            plain_once.push(b'\n');
            plain_n += 1;
        }
    }
    let raw_n_once = raw_once.split(|&c| c == b'\n').filter(|l| plain_sentence(l).is_some()).count();
    let reps = target.div_ceil(plain_n);
    let plain = plain_once.repeat(reps);
    let raw = raw_once.repeat(reps);
    (plain, plain_n * reps, raw, raw_n_once * reps)
}

fn best_of<F: FnMut() -> usize>(runs: usize, mut f: F) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

/// Lines of a buffer, split with memchr as a buffered reader would.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = input;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        Some(line)
    })
}

fn shiptrace(input: &[u8]) -> usize {
    let mut d = shiptrace_ais::Decoder::new();
    let mut n = 0;
    for line in lines(input) {
        if let Ok(Some(m)) = d.feed(line) {
            n += 1;
            std::hint::black_box(&m);
        }
    }
    n
}

fn ais_crate(input: &[u8]) -> usize {
    let mut p = ais::AisParser::new();
    let mut n = 0;
    for line in lines(input) {
        if line.is_empty() {
            continue;
        }
        if let Ok(ais::AisFragments::Complete(s)) = p.parse(line, true) {
            if s.message.is_some() {
                n += 1;
            }
            std::hint::black_box(&s);
        }
    }
    n
}

fn nmea_parser(input: &[u8]) -> usize {
    let mut p = nmea_parser::NmeaParser::new();
    let mut n = 0;
    for line in lines(input) {
        let Ok(s) = std::str::from_utf8(line) else { continue };
        if s.is_empty() {
            continue;
        }
        match p.parse_sentence(s) {
            Ok(nmea_parser::ParsedMessage::Incomplete) | Err(_) => {}
            Ok(m) => {
                n += 1;
                std::hint::black_box(&m);
            }
        }
    }
    n
}

/// Runs an external decoder on a file, stdout to /dev/null, best of `runs`.
fn external(cmd: &[&str], file: &str, runs: usize) -> Option<f64> {
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let status = Command::new(cmd[0])
            .args(&cmd[1..])
            .stdin(std::fs::File::open(file).ok()?)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    Some(best)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let target = args.iter().position(|a| a == "--sentences").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let peers = args.iter().any(|a| a == "--peers");
    let (plain, plain_n, raw, raw_n) = build(target);
    println!("corpus: {plain_n} VDM/VDO sentences ({} MB plain), raw {} MB with {raw_n} AIS sentences", plain.len() / 1_000_000, raw.len() / 1_000_000);
    println!("{:<34} {:>12} {:>14} {:>8}", "decoder", "messages", "messages/s", "ratio");
    let (t, n) = best_of(5, || shiptrace(&plain));
    let ours = n as f64 / t;
    let row = |name: &str, n: usize, t: f64| {
        let rate = n as f64 / t;
        println!("{name:<34} {n:>12} {:>14.0} {:>8.2}", rate, ours / rate);
    };
    row("shiptrace (plain)", n, t);
    let (t, n) = best_of(5, || shiptrace(&raw));
    row("shiptrace (raw framings)", n, t);
    if !peers {
        return;
    }
    let (t, n) = best_of(3, || ais_crate(&plain));
    row("ais crate 0.12", n, t);
    let (t, n) = best_of(3, || nmea_parser(&plain));
    row("nmea-parser crate 0.11", n, t);
    let file = std::env::temp_dir().join("shiptrace-bench-plain.nmea");
    std::fs::write(&file, &plain).unwrap();
    let f = file.to_str().unwrap();
    // External tools: messages counted as shiptrace's count on the same
    // input (they print one line per message; their own counts differ by
    // the coverage gaps noted in BENCHMARKS.md).
    let ext: [(&str, Vec<&str>); 3] = [
        ("gpsdecode -u -c (gpsd-clients)", vec!["gpsdecode", "-u", "-c"]),
        ("pyais 3.3 (python)", vec!["python3", "-c", PYAIS]),
        ("aiscat 0.68 (C++ core, JSON out)", vec!["python3", "-c", AISCAT]),
    ];
    let (_, ours_n) = best_of(1, || shiptrace(&plain));
    for (name, cmd) in ext {
        match external(&cmd, f, 1) {
            Some(t) => row(name, ours_n, t),
            None => println!("{name:<34} not installed or failed"),
        }
    }
}

const PYAIS: &str = "
import sys
from pyais.stream import IterMessages
n = 0
for msg in IterMessages(sys.stdin.buffer):
    try:
        msg.decode(); n += 1
    except Exception:
        pass
print(n)
";

const AISCAT: &str = "
import sys, aiscat
n = 0
for m in aiscat.iter_decode(iter(lambda: sys.stdin.buffer.read(1 << 20), b''), format='json'):
    n += 1
print(n)
";
