//! `cargo run --release --manifest-path bench/Cargo.toml --bin gen -- MESSAGES OUT.nmea [OUT.csv]`
//!
//! Writes a synthetic, time-ordered NMEA 4.0 stream of MESSAGES distinct
//! messages for ingest benchmarks: 20,000 vessels, a type 1 report each 10 s
//! (moving positions) and a type 5 every 6 minutes, with tag-block receive
//! time and station. Optionally the same positions as MarineCadastre CSV,
//! for loaders that read CSV.

use shiptrace_ais::encode::{to_sentences, SentenceOptions};
use shiptrace_ais::*;
use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|v| v.parse().ok()).expect("MESSAGES");
    let out = args.get(2).expect("OUT.nmea");
    let mut w = BufWriter::with_capacity(1 << 22, std::fs::File::create(out).unwrap());
    let mut csv = args.get(3).map(|p| BufWriter::with_capacity(1 << 22, std::fs::File::create(p).unwrap()));
    if let Some(c) = csv.as_mut() {
        writeln!(c, "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass").unwrap();
    }
    let vessels = 20_000u64;
    let t0 = 1_690_848_000i64; // 2023-08-01T00:00:00Z
    let mut written = 0u64;
    let mut tick = 0u64;
    let mut seed = 1u64;
    'outer: loop {
        for v in 0..vessels {
            let t = t0 + (tick * 10) as i64 + (v % 10) as i64;
            let mmsi = 200_000_000 + v as u32 * 37;
            let lat = 30.0 + (v % 300) as f64 * 0.1 + tick as f64 * 1e-4;
            let lon = 120.0 + (v / 300) as f64 * 0.1 + tick as f64 * 1.3e-4;
            let mut m = random_message(1, &mut std::iter::repeat_with(|| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                seed
            }));
            m.mmsi = mmsi;
            m.repeat = 0;
            if let Body::Position(p) = &mut m.body {
                p.lat = (lat * 600_000.0) as i32;
                p.lon = (lon * 600_000.0) as i32;
                p.speed = 120;
                p.course = 450;
                p.heading = 45;
                p.second = (t % 60) as u8;
            }
            let opts = SentenceOptions { tag_time_s: Some(t), tag_source: Some("bench-rx"), ..SentenceOptions::default() };
            for s in to_sentences(&m, &opts) {
                writeln!(w, "{s}").unwrap();
            }
            if let Some(c) = csv.as_mut() {
                let (y, mo, d) = nmea::civil_from_days(t.div_euclid(86_400));
                let r = t.rem_euclid(86_400);
                writeln!(c, "{mmsi},{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02},{lat:.5},{lon:.5},12.0,45.0,45,VESSEL {v},IMO{},CALL{v},70,0,120,20,7.5,70,A", r / 3600, r / 60 % 60, r % 60, 9_000_000 + v).unwrap();
            }
            written += 1;
            if written >= n {
                break 'outer;
            }
            if tick % 36 == (v % 36) {
                let mut s = random_message(5, &mut std::iter::repeat(7));
                s.mmsi = mmsi;
                if let Body::StaticAndVoyage(b) = &mut s.body {
                    b.shipname = AisText::from_str_lossy(&format!("VESSEL {v}"));
                    b.imo = 9_000_000 + v as u32;
                    b.draught = 75;
                }
                for l in to_sentences(&s, &SentenceOptions { tag_time_s: Some(t), tag_source: Some("bench-rx"), tag_group_id: Some((written % 10_000) as u32), seq_id: (written % 10) as u8, ..SentenceOptions::default() }) {
                    writeln!(w, "{l}").unwrap();
                }
                written += 1;
                if written >= n {
                    break 'outer;
                }
            }
        }
        tick += 1;
    }
    w.flush().unwrap();
    eprintln!("wrote {written} messages to {out}");
}
