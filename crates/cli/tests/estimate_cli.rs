//! `shiptrace estimate` end to end on a tiny CSV archive whose vessel name
//! is hostile (terminal escapes, HTML): matched by IMO, printed escaped.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shiptrace"))
}

#[test]
fn hostile_names_are_matched_and_printed_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut csv = String::from("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "273210440,2023-09-07T{:02}:{:02}:00,42.{:02},131.50,11.0,180.0,180,\"\u{1b}[31mEVIL<script>x</script>\",IMO9179842,UBCT6,70,0,124,20,6.5,70,A\n",
            i / 6,
            (i % 6) * 10,
            90 - i
        ));
    }
    std::fs::write(d.join("mc.csv"), csv).unwrap();
    std::fs::write(
        d.join("list.toml"),
        "[[vessel]]\nname = \"ANGARA\"\nimo = 9179842\n\n[[vessel]]\nname = \"BROKEN\"\nimo = 12\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let o = bin().args(args).current_dir(d).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    run(&["ingest", "mc.csv", "--store", "store"]);
    run(&["detect", "--store", "store", "--out", "events.jsonl"]);
    let o = run(&[
        "estimate",
        "--store",
        "store",
        "--events",
        "events.jsonl",
        "--watchlist",
        "list.toml",
        "--out",
        "intel.json",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains('\u{1b}'),
        "raw escape reached the terminal: {err}"
    );
    assert!(err.contains("\\u{1b}[31mEVIL<script>"), "{err}");
    assert!(
        err.contains("list.toml:5"),
        "the bad row is reported: {err}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("intel.json")).unwrap()).unwrap();
    let m = &j["matches"][0];
    assert_eq!(m["mmsi"], 273210440);
    assert_eq!(m["level"], "strong");
    assert_eq!(m["basis"][0]["field"], "imo");
    assert_eq!(j["lists"][0]["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn every_parameter_round_trips_through_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin().args(["estimate", "--print-params"]).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("[intel.estimate]") && text.contains("payload_kg_per_teu"),
        "{text}"
    );
    let f = tmp.path().join("shiptrace.toml");
    std::fs::write(&f, &text).unwrap();
    let o = bin()
        .args(["estimate", "--print-params", "--config"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);
    // a misspelt key is an error naming it
    std::fs::write(&f, "[intel.risk]\ndark_call = 3\n").unwrap();
    let o = bin()
        .args(["estimate", "--print-params", "--config"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("dark_call"));
}
