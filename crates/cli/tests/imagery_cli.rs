//! Satellite imagery end to end: the built-in scenario's simulated radar
//! and optical images fused with its AIS by `shiptrace analyze --imagery
//! --scenes`, scored against the simulation's own imagery truth; and
//! detection files with bad rows, unknown scenes and hostile text.

mod common;

use std::collections::HashMap;
use std::path::Path;

fn events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The built-in scenario, with its imagery, into `dir/sim`.
fn simulate(dir: &Path, days: &str, vessels: &str) {
    common::run(
        dir,
        &[
            "simulate",
            "--scenario",
            "rason-shuttle",
            "--days",
            days,
            "--vessels",
            vessels,
            "--out",
            "sim",
        ],
    );
}

#[test]
fn simulated_images_name_the_dark_shuttles_and_image_their_calls() {
    let tmp = tempfile::tempdir().unwrap();
    simulate(tmp.path(), "20", "60");
    let sim = tmp.path().join("sim");
    assert!(sim.join("imagery/scenes.csv").exists());
    // a bad row and a detection of a scene no scenes file has, appended
    let dets = tmp.path().join("detections.csv");
    let mut text = std::fs::read_to_string(sim.join("imagery/detections.csv")).unwrap();
    let rows = text.lines().count();
    text.push_str("bad,sar-0001,2023-08-02T21:00:00,42.2,130.3,100,,0.9,sar\n");
    text.push_str("x-1,nowhere-1,2023-08-02T21:00:00Z,42.0,131.0,50,,0.9,sar\n");
    std::fs::write(&dets, text).unwrap();
    let o = common::run(
        tmp.path(),
        &[
            "analyze",
            "sim/ais.nmea.gz",
            "--out",
            "case",
            "--imagery",
            "detections.csv",
            "--scenes",
            "sim/imagery/scenes.csv",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("imagery: "), "{err}");
    assert!(
        err.contains(&format!("detections.csv:{}", rows + 1)) && err.contains("no zone"),
        "the bad row is reported with its line: {err}"
    );
    assert!(
        err.contains("nowhere-1"),
        "a detection of no known scene is reported: {err}"
    );
    let case = tmp.path().join("case");
    let ev = events(&case.join("events.jsonl"));
    let dark: Vec<&serde_json::Value> = ev.iter().filter(|e| e["kind"] == "dark_vessel").collect();
    assert!(!dark.is_empty(), "no dark_vessel event");
    for d in &dark {
        assert_eq!(d["mmsi"], 0, "a dark vessel has no MMSI");
        assert!(d["evidence"]["detection_id"].is_string());
    }
    // the shuttles were imaged at Najin while silent
    let imaged: Vec<f64> = ev
        .iter()
        .filter(|e| e["kind"] == "dark_port_call")
        .filter(|e| {
            e["evidence"]["imaged"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .map(|e| e["confidence"].as_f64().unwrap())
        .collect();
    assert!(!imaged.is_empty(), "no dark port call was imaged");
    assert!(
        imaged.iter().all(|&c| c >= 0.95),
        "imaged calls below 0.95: {imaged:?}"
    );
    // every detection has an outcome in imagery.csv, matched ones an MMSI
    let mut r = csv::Reader::from_path(case.join("imagery.csv")).unwrap();
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        *outcomes.entry(rec[0].to_string()).or_default() += 1;
        if &rec[0] == "matched" {
            assert!(rec[7].parse::<u32>().is_ok(), "{rec:?}");
        }
    }
    assert!(
        outcomes.get("matched").copied().unwrap_or(0) > 0,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get("dark_vessel").copied().unwrap_or(0),
        dark.len()
    );
    // `shiptrace eval` scores the same run from its files
    let o = common::run(
        tmp.path(),
        &[
            "eval",
            "--events",
            "case/events.jsonl",
            "--imagery-truth",
            "sim/imagery/truth.jsonl",
            "--imagery-csv",
            "case/imagery.csv",
            "--json",
        ],
    );
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = s["transmitting"].as_u64().unwrap();
    assert!(n > 0 && n as usize <= outcomes.get("matched").copied().unwrap_or(0) + dark.len());
    assert_eq!(
        s["matched_right"].as_u64().unwrap()
            + s["matched_wrong"].as_u64().unwrap()
            + s["unmatched"].as_u64().unwrap(),
        n
    );
    assert!(s["match_rate"].as_f64().unwrap() > 0.5, "{s}");
    // every dark vessel is a point in tracks.kml too
    let kml = std::fs::read_to_string(case.join("tracks.kml")).unwrap();
    let folder = kml
        .split("dark vessels (satellite images, no AIS)")
        .nth(1)
        .expect("a dark vessels folder in tracks.kml");
    assert_eq!(folder.matches("<Placemark>").count(), dark.len());
    // scored against the simulation's truth, in the report too
    let html = std::fs::read_to_string(case.join("report.html")).unwrap();
    assert!(html.contains("dark vessel"), "dark vessels in the report");
    assert!(
        html.contains("Imagery parameters used") && html.contains("window_hours"),
        "the report prints the [imagery] parameters it used"
    );
    // the images that showed the vessels of interest, on the map with the
    // footprints, each in the time window of its image
    let seen = html.matches("class=\"seenhull\"").count();
    assert!(
        seen > 0,
        "no sighting of a vessel of interest drawn on the map"
    );
    assert!(
        html.contains(" seen in image "),
        "a sighting says which image"
    );
}

#[test]
fn imagery_files_that_cannot_be_read_are_refused_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    simulate(tmp.path(), "2", "20");
    std::fs::write(tmp.path().join("cols.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(tmp.path().join("broken.geojson"), "{\"type\": \"Feat").unwrap();
    for (file, says) in [
        ("cols.csv", "no column for"),
        ("broken.geojson", "not GeoJSON"),
        ("missing.csv", "missing.csv"),
    ] {
        let o = common::bin()
            .args([
                "analyze",
                "sim/ais.nmea.gz",
                "--out",
                "case",
                "--imagery",
                file,
            ])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{file} accepted");
        assert!(err.contains(says), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
}
