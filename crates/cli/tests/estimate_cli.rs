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

/// The release binary when the test run has one (the hostile suite's),
/// else this build's: the demo below simulates 75 days.
fn fast_bin() -> Command {
    match std::env::var_os("SHIPTRACE_HOSTILE_BIN") {
        Some(b) => Command::new(b),
        None => bin(),
    }
}

#[test]
fn the_demo_claims_are_judged_with_their_bounds() {
    // 75 days from 2023-08-01 cover the period of the US claim of
    // 2023-10-13 ("more than 1,000 containers") and about a fifth of the
    // June 2024 claim's (2023-08-01..2024-06-30)
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("demo");
    let o = fast_bin()
        .args(["demo", "--days", "75", "--vessels", "20", "--out"])
        .arg(&d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("judgement.json")).unwrap()).unwrap();
    let claims = j["claims"].as_array().unwrap();
    let find = |date: &str, unit: &str| {
        claims
            .iter()
            .find(|c| c["claim"]["date"] == date && c["claim"]["unit"] == unit)
            .unwrap_or_else(|| panic!("no claim {date} {unit}"))
    };
    let us = find("2023-10-13", "containers");
    assert_eq!(us["claim"]["bound"], "at_least");
    assert_eq!(us["verdict"], "consistent", "{us}");
    let june = find("2024-06", "containers");
    assert_eq!(june["verdict"], "not_covered", "{june}");
    let cov = june["coverage"].as_f64().unwrap();
    // 75 of the 335 days
    assert!((cov - 75.0 / 335.0).abs() < 0.01, "{cov}");
    assert!(june["extrapolation"]["explanation"]
        .as_str()
        .unwrap()
        .starts_with("extrapolated"));
    // 5 million shells in 10,000 containers: 500 a box, 20-26 t
    let a = j["claim_arithmetic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["date"] == "2024-06")
        .expect("the June 2024 pair");
    assert_eq!(a["value"].as_f64().unwrap(), 500.0);
    assert_eq!(a["physics"], "possible");
    // the estimate keeps capacity and likely apart
    let camp = &j["estimate"]["campaign"];
    assert!(
        camp["likely"]["containers"]["p90"].as_f64().unwrap()
            <= camp["capacity"]["containers"]["p90"].as_f64().unwrap()
    );
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("The draught survey, worked for"));
    let csv = std::fs::read_to_string(d.join("voyages.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("likely_method"));

    // the demo's OFAC-format excerpt: LADY R and MAIA-1 sister ships under
    // TRANSMORFLOT LLC, ANGARA under M LEASING LLC, each link with its row
    let net = |mmsi: u64| {
        j["network"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["mmsi"] == mmsi)
            .unwrap_or_else(|| panic!("{mmsi} not in the network"))
            .clone()
    };
    let lady = net(273214860);
    assert_eq!(lady["links"][0]["to"], "TRANSMORFLOT LLC");
    assert!(lady["links"][0]["origin"]
        .as_str()
        .unwrap()
        .ends_with("sdn-excerpt.csv:3"));
    assert_eq!(lady["sisters"][0]["name"], "MAIA-1");
    assert_eq!(net(273210440)["links"][0]["to"], "M LEASING LLC");
    assert!(html.contains("Sister ships") && html.contains("TRANSMORFLOT LLC"));
    let events = std::fs::read_to_string(d.join("events.csv")).unwrap();
    assert!(events
        .lines()
        .next()
        .unwrap()
        .contains(",owner,manager,linked_to,"));
    assert!(events
        .lines()
        .any(|l| l.contains(",273210440,") && l.contains(",M LEASING LLC,")));

    // an at-least claim at ten times what the voyages of the US claim's
    // period could carry
    let cap = us["capacity"]["p90"].as_f64().unwrap();
    let ledger = tmp.path().join("ten.toml");
    std::fs::write(
        &ledger,
        format!(
            "[[claim]]\nclaimant = \"test\"\ndate = \"2023-10-13\"\nquantity = {:.0}\nunit = \"containers\"\nbound = \"at_least\"\nperiod = [\"2023-08-01\", \"2023-10-13\"]\n",
            10.0 * cap
        ),
    )
    .unwrap();
    let out = tmp.path().join("ten.json");
    let o = fast_bin()
        .args(["estimate", "--store"])
        .arg(d.join("store"))
        .arg("--events")
        .arg(d.join("events.jsonl"))
        .arg("--claims")
        .arg(&ledger)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        j["claims"][0]["verdict"], "exceeds_capacity",
        "{}",
        j["claims"][0]
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("EXCEEDS_CAPACITY") && err.contains("x the capacity of the voyages seen"),
        "{err}"
    );
}
