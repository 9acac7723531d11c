//! Fixtures shared by the report tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shiptrace"))
}

/// Runs shiptrace in `dir`; panics with its stderr when it fails.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let o = bin().args(args).current_dir(dir).output().unwrap();
    assert!(
        o.status.success(),
        "shiptrace {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A name that is a spreadsheet formula, breaks out of an HTML attribute,
/// adds an image with a script handler, a script element, and a terminal
/// colour escape.
pub const NAME: &str = "=1+1\"><img src=x onerror=alert(1)><script>alert(2)</script>\u{1b}[31m";
pub const CALLSIGN: &str = "<b>C'S</b>&amp;";
pub const DESTINATION: &str = "</script><script>alert(3)</script>";

/// A Danish Maritime Authority CSV export with one listed vessel (IMO
/// 9179842) whose name, callsign and destination are hostile, sailing
/// north, silent for 14 hours (an AIS gap), then sailing on; and a
/// watchlist naming it. Returns the folder.
pub fn hostile_case() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_path_buf();
    let mut w = csv::Writer::from_path(d.join("dma.csv")).unwrap();
    w.write_record([
        "# Timestamp",
        "Type of mobile",
        "MMSI",
        "Latitude",
        "Longitude",
        "Navigational status",
        "ROT",
        "SOG",
        "COG",
        "Heading",
        "IMO",
        "Callsign",
        "Name",
        "Ship type",
        "Cargo type",
        "Width",
        "Length",
        "Type of position fixing device",
        "Draught",
        "Destination",
        "ETA",
        "Data source type",
        "A",
        "B",
        "C",
        "D",
    ])
    .unwrap();
    let mut k = 0;
    for (day, hours) in [(7, 0..6), (8, 2..8)] {
        for h in hours {
            for m in (0..60).step_by(10) {
                let lat = 41.0 + k as f64 * 0.02;
                k += 1;
                w.write_record([
                    format!("{day:02}/09/2023 {h:02}:{m:02}:00"),
                    "Class A".into(),
                    "273210440".into(),
                    format!("{lat:.4}"),
                    "131.5000".into(),
                    "Under way using engine".into(),
                    "0".into(),
                    "11.0".into(),
                    "0.0".into(),
                    "0".into(),
                    "9179842".into(),
                    CALLSIGN.into(),
                    NAME.into(),
                    "Cargo".into(),
                    "".into(),
                    "20".into(),
                    "124".into(),
                    "GPS".into(),
                    "6.5".into(),
                    DESTINATION.into(),
                    "".into(),
                    "AIS".into(),
                    "100".into(),
                    "24".into(),
                    "10".into(),
                    "10".into(),
                ])
                .unwrap();
            }
        }
    }
    w.flush().unwrap();
    std::fs::write(
        d.join("list.toml"),
        "[[vessel]]\nname = \"ANGARA\"\nimo = 9179842\n",
    )
    .unwrap();
    (tmp, d)
}

/// `shiptrace analyze dma.csv --out case --watchlist list.toml` in the
/// folder of [`hostile_case`].
pub fn analyze_hostile(d: &Path) -> Output {
    run(
        d,
        &[
            "analyze",
            "dma.csv",
            "--out",
            "case",
            "--watchlist",
            "list.toml",
        ],
    )
}
