//! `shiptrace simulate` end to end: the feed it writes is read in full by
//! `shiptrace decode` (rejects only for the sentences damaged on purpose)
//! and ingests into a store.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shiptrace"))
}

#[test]
fn decode_reads_every_sentence_simulate_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sim");
    let st = bin()
        .args([
            "simulate",
            "--days",
            "0.3",
            "--vessels",
            "25",
            "--start",
            "2023-08-10",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let truth = std::fs::read_to_string(out.join("truth.jsonl")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(truth.lines().next().unwrap()).unwrap();
    assert_eq!(summary["simulated"], true);
    let counts = &summary["summary"]["counts"];
    let dec = bin()
        .args(["decode", "--show-rejects", "0"])
        .arg(out.join("ais.nmea.gz"))
        .output()
        .unwrap();
    assert!(dec.status.success());
    let stderr = String::from_utf8(dec.stderr).unwrap();
    let lines = counts["lines"].as_u64().unwrap();
    assert!(stderr.contains(&format!("lines {lines} ")), "{stderr}");
    let corrupted = counts["corrupted_lines"].as_u64().unwrap();
    let rejected = |reason: &str| -> u64 {
        stderr
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("rejected {reason} ")))
            .map(|l| l.split_whitespace().last().unwrap().parse().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(rejected("checksum"), corrupted, "{stderr}");
    for other in [
        "not_nmea",
        "missing_checksum",
        "malformed",
        "bad_payload",
        "unknown_type",
        "too_short",
        "too_long",
    ] {
        assert_eq!(rejected(other), 0, "{other}: {stderr}");
    }
    // and it ingests
    let store = tmp.path().join("store");
    let ing = bin()
        .arg("ingest")
        .arg(out.join("ais.nmea.gz"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        ing.status.success(),
        "{}",
        String::from_utf8_lossy(&ing.stderr)
    );
}

#[test]
fn print_scenario_gives_an_editable_copy() {
    let out = bin()
        .args(["simulate", "--print-scenario", "rason-shuttle"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[[shuttles]]") && text.contains("KPRJN"));
    let bad = bin()
        .args(["simulate", "--scenario", "no-such", "--out", "/tmp/x"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8(bad.stderr)
        .unwrap()
        .contains("built-in scenarios"));
}
