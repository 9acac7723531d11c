//! `shiptrace analyze` and `report` on an archive with hostile broadcast
//! text: the text is escaped in the report, the exports and the terminal,
//! the GeoJSON is valid RFC 7946, the KML parses.

mod common;
use common::{hostile_case, run, CALLSIGN, DESTINATION, NAME};

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn hostile_text_is_escaped_in_report_exports_and_terminal() {
    let (_tmp, d) = hostile_case();
    let o = common::analyze_hostile(&d);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains('\u{1b}'),
        "a raw escape reached the terminal: {err}"
    );
    assert!(
        err.contains("\\u{1b}[31m"),
        "the escape is shown visibly: {err}"
    );
    let case = d.join("case");

    // report.html: the text appears, escaped; no markup of ours is
    // broken; only our one script element exists
    let html = std::fs::read_to_string(case.join("report.html")).unwrap();
    let clean_name = NAME.trim_end_matches("\u{1b}[31m");
    assert!(
        html.contains(&html_escape(clean_name)),
        "escaped name not in the report"
    );
    assert!(
        html.contains(&html_escape(CALLSIGN)),
        "escaped callsign not in the report"
    );
    assert!(
        html.contains(&html_escape(DESTINATION)),
        "escaped destination not in the report"
    );
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert!(!html.contains("<img"), "an injected element survived");
    assert!(!html.contains("alert(2)</script>"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        !html.contains('\u{1b}') && html.contains("\\u{1b}[31m"),
        "control character shown visibly"
    );
    assert!(
        html.contains("id=\"v-273210440\""),
        "the listed vessel has a dossier"
    );

    // events.geojson: valid, every feature a Point in range or null, the
    // name round-trips exactly (JSON escaping, not HTML)
    let text = std::fs::read_to_string(case.join("events.geojson")).unwrap();
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    assert!(!fc.features.is_empty());
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["type"], "FeatureCollection");
    let mut named = 0;
    for f in &fc.features {
        if let Some(g) = &f.geometry {
            match &g.value {
                geojson::GeometryValue::Point { coordinates } => {
                    let c = coordinates.as_slice();
                    assert_eq!(c.len(), 2);
                    assert!(
                        (-180.0..=180.0).contains(&c[0]) && (-90.0..=90.0).contains(&c[1]),
                        "{c:?}"
                    );
                }
                other => panic!("unexpected geometry {other:?}"),
            }
        }
        let p = f.properties.as_ref().unwrap();
        assert!(p["kind"].is_string() && p["start"].is_string());
        if p["name"] == serde_json::json!(NAME) {
            named += 1;
            assert_eq!(p["callsign"], serde_json::json!(CALLSIGN));
        }
    }
    assert!(named > 0, "no feature carries the vessel's name");
    assert!(fc
        .features
        .iter()
        .any(|f| f.properties.as_ref().unwrap()["kind"] == "ais_gap"));

    // tracks.kml: well-formed XML, KML namespace, the name unescapes back
    let kml = std::fs::read_to_string(case.join("tracks.kml")).unwrap();
    let mut r = quick_xml::Reader::from_str(&kml);
    let (mut root, mut placemarks, mut texts, mut cur) = (None, 0, Vec::new(), String::new());
    loop {
        match r.read_event().expect("KML parses") {
            quick_xml::events::Event::Start(e) => {
                texts.push(std::mem::take(&mut cur));
                let name = e.name().as_ref().to_string();
                if root.is_none() {
                    let ns = e.try_get_attribute("xmlns").unwrap().unwrap();
                    assert_eq!(&*ns.value, "http://www.opengis.net/kml/2.2");
                    root = Some(name.clone());
                }
                placemarks += (name == "Placemark") as usize;
            }
            quick_xml::events::Event::End(_) => texts.push(std::mem::take(&mut cur)),
            quick_xml::events::Event::Text(t) => cur.push_str(&t.xml10_content()),
            quick_xml::events::Event::GeneralRef(g) => {
                let s = match g.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => panic!("unexpected entity"),
                };
                cur.push_str(s);
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("kml"));
    let shown = format!("{clean_name}\\u{{1b}}[31m (273210440)");
    assert!(
        texts.contains(&shown),
        "folder name {shown:?} not among {texts:?}"
    );
    assert!(!kml.contains('\u{1b}'), "control character in XML");
    assert!(placemarks >= 2, "a track and its events");
    assert!(
        !kml.contains("<script>") && !kml.contains("<img"),
        "raw markup in KML"
    );
    assert!(kml.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));

    // events.csv: the formula is defused, the rest verbatim
    let mut rd = csv::Reader::from_path(case.join("events.csv")).unwrap();
    let head = rd.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (ni, ci) = (col("name"), col("callsign"));
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let mine: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| r[col("mmsi")] == *"273210440")
        .collect();
    assert!(!mine.is_empty());
    for r in mine {
        assert_eq!(&r[ni], format!("'{NAME}"), "formula not defused");
        assert_eq!(&r[ci], CALLSIGN);
    }
    let vcsv = std::fs::read_to_string(case.join("voyages.csv")).unwrap();
    assert!(vcsv.starts_with("event_id,mmsi,name"));
}

#[test]
fn report_is_redone_from_a_store_and_errors_are_clear() {
    let (_tmp, d) = hostile_case();
    common::analyze_hostile(&d);
    // analyze again: the source is skipped, not duplicated
    let o = common::analyze_hostile(&d);
    assert!(String::from_utf8_lossy(&o.stderr).contains("already in the store"));
    run(
        &d,
        &[
            "report",
            "--store",
            "case/store",
            "--out",
            "again/dossier.html",
            "--watchlist",
            "list.toml",
        ],
    );
    for f in [
        "dossier.html",
        "events.jsonl",
        "judgement.json",
        "events.geojson",
        "tracks.kml",
        "events.csv",
        "voyages.csv",
    ] {
        assert!(d.join("again").join(f).is_file(), "{f} missing");
    }
    let a = std::fs::read_to_string(d.join("case/events.csv")).unwrap();
    let b = std::fs::read_to_string(d.join("again/events.csv")).unwrap();
    assert_eq!(a, b, "same store, same events");
    // a store that is not there: one clear line, non-zero exit
    let o = common::bin()
        .args(["report", "--store", "nowhere", "--out", "r.html"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("shiptrace: error:") && err.contains("nowhere"),
        "{err}"
    );
    // a demo will not overwrite a folder that is not a demo's
    let o = common::bin()
        .args(["demo", "--out", "case"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a previous demo"));
}

/// A source that fails does not stop the case: the report is written from
/// the others, names the failure under provenance, and the run exits
/// non-zero so a script notices.
#[test]
fn analyze_writes_its_report_when_one_source_fails() {
    let (_tmp, d) = hostile_case();
    std::fs::write(d.join("junk.txt"), "this is not AIS\nnor is this\n").unwrap();
    let o = common::bin()
        .args([
            "analyze",
            "dma.csv",
            "junk.txt",
            "--out",
            "case",
            "--watchlist",
            "list.toml",
        ])
        .current_dir(&d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("1 source(s) failed to ingest"), "{err}");
    let html = std::fs::read_to_string(d.join("case/report.html")).unwrap();
    assert!(
        html.contains("id=\"failed-sources\""),
        "the failure is listed"
    );
    assert!(html.contains("junk.txt") && html.contains("no AIS data found"));
    // the good source is in the report
    assert!(html.contains("dma.csv"));
    // every source failing is an error without a report
    let o = common::bin()
        .args(["analyze", "junk.txt", "--out", "case2"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no source could be ingested"));
    assert!(!d.join("case2/report.html").exists());
}
