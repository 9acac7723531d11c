//! End to end over a real store: a ship that goes dark near a watched port
//! under one MMSI and reappears under another with the same IMO (the
//! rename trick), and a ship still silent at the end of the data.

use ais::encode::{to_sentences, SentenceOptions};
use ais::{AisText, Body};
use detect::EventKind;
use std::io::Write;

const H: i64 = 3_600_000;
const T0: i64 = 1_694_044_800_000; // 2023-09-07T00:00:00Z
const RAJIN: (f64, f64) = (42.24, 130.30);

fn pos(mmsi: u32, t: i64, lat: f64, lon: f64, sog: f32) -> Vec<String> {
    let mut m = ais::random_message(1, &mut std::iter::repeat(0));
    if let Body::Position(p) = &mut m.body {
        p.speed = (sog * 10.0) as u16;
        p.lat = (lat * 600_000.0).round() as i32;
        p.lon = (lon * 600_000.0).round() as i32;
        p.turn = -128;
        p.heading = 511;
        p.second = ((t / 1000) % 60) as u8;
    }
    m.mmsi = mmsi;
    let o = SentenceOptions {
        tag_time_ms: Some(t),
        ..SentenceOptions::default()
    };
    to_sentences(&m, &o)
}

fn static5(mmsi: u32, t: i64, imo: u32, name: &str, draught_m: f32) -> Vec<String> {
    let mut m = ais::random_message(5, &mut std::iter::repeat(0));
    m.mmsi = mmsi;
    if let Body::StaticAndVoyage(s) = &mut m.body {
        s.imo = imo;
        s.shipname = AisText::from_str_lossy(name);
        s.callsign = AisText::from_str_lossy("UBX9");
        s.shiptype = 71;
        s.draught = (draught_m * 10.0) as u8;
        s.hour = 24;
        s.minute = 60;
    }
    let o = SentenceOptions {
        tag_time_ms: Some(t),
        ..SentenceOptions::default()
    };
    to_sentences(&m, &o)
}

#[test]
fn a_dark_call_under_a_new_mmsi_is_joined_by_imo() {
    let (a, b, c) = (273_000_001u32, 273_000_002u32, 273_000_003u32);
    let mut lines: Vec<(i64, String)> = Vec::new();
    let mut add = |t: i64, v: Vec<String>| lines.extend(v.into_iter().map(|s| (t, s)));
    // A sails 24 h at 12 kn toward Rajin and goes dark 40 nm out
    for i in 0..=144 {
        let t = T0 + i * 600_000;
        let d = 40.0 + 12.0 * (24.0 - i as f64 / 6.0);
        let (lat, lon) = sea::geo::destination(RAJIN.0, RAJIN.1, 120.0, d);
        add(t, pos(a, t, lat, lon, 12.0));
        if i % 6 == 0 {
            add(t, static5(a, t, 9_300_001, "OLD NAME", 4.6));
        }
    }
    // 60 h later B, same IMO, new name, deeper, sails back out
    for i in 0..=144 {
        let t = T0 + 84 * H + i * 600_000;
        let d = 40.0 + 12.0 * (i as f64 / 6.0);
        let (lat, lon) = sea::geo::destination(RAJIN.0, RAJIN.1, 120.0, d);
        add(t, pos(b, t, lat, lon, 12.0));
        if i % 6 == 0 {
            add(t, static5(b, t, 9_300_001, "NEW NAME", 7.5));
        }
    }
    // C drifts off Vladivostok and falls silent 20 h before the data ends
    for i in 0..=(88 * 6) {
        let t = T0 + i * 600_000;
        add(t, pos(c, t, 42.9, 131.9, 0.3));
    }
    lines.sort_by_key(|x| x.0);
    let tmp = tempfile::tempdir().unwrap();
    let nmea = tmp.path().join("feed.nmea");
    let mut f = std::fs::File::create(&nmea).unwrap();
    for (_, l) in &lines {
        writeln!(f, "{l}").unwrap();
    }
    drop(f);
    let st = tmp.path().join("store");
    store::ingest(&st, &[nmea], &store::IngestOptions::default(), &mut |_| {}).unwrap();
    let store = store::Store::open(&st).unwrap();
    let (events, summary) = detect::detect_store(&store, &detect::Params::default()).unwrap();
    assert_eq!(summary.vessels, 3);
    let of = |k: EventKind| events.iter().filter(|e| e.kind() == k).collect::<Vec<_>>();

    let idc: Vec<_> = of(EventKind::IdentityChange)
        .into_iter()
        .filter(|e| evidence_json(e)["imo"] == 9_300_001)
        .collect();
    assert_eq!(idc.len(), 1, "{idc:?}");
    assert_eq!((idc[0].mmsi, idc[0].other_mmsi), (b, Some(a)));
    assert_eq!(evidence_json(idc[0])["flag_changed"], false);

    let gaps: Vec<_> = of(EventKind::AisGap)
        .into_iter()
        .filter(|e| e.mmsi == a)
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].other_mmsi, Some(b));
    assert!((evidence_json(gaps[0])["hours"].as_f64().unwrap() - 60.0).abs() < 0.1);

    let calls = of(EventKind::DarkPortCall);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = calls[0];
    assert_eq!((call.mmsi, call.other_mmsi), (a, Some(b)));
    let port = call.port.as_ref().unwrap();
    assert!(
        port.locode.as_deref() == Some("KPRJN") || port.name == "Sonbong",
        "{port:?}"
    );
    assert_eq!(evidence_json(call)["draught_changed"], true);
    // the event says who the ship was when it went dark
    let v = call.vessel.as_ref().unwrap();
    assert_eq!(v.name.as_deref(), Some("OLD NAME"));
    assert_eq!(v.imo, Some(9_300_001));
    assert_eq!(v.flag.as_deref(), Some("RU"));

    // C: an open gap, no end; A's silence is explained by B, B runs to the end
    let open: Vec<_> = of(EventKind::AisGap)
        .into_iter()
        .filter(|e| e.end.is_none())
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].mmsi, c);
    assert!(
        (evidence_json(open[0])["hours_to_end_of_data"]
            .as_f64()
            .unwrap()
            - 20.0)
            .abs()
            < 0.1
    );
}

/// An event's evidence as written to events files.
fn evidence_json(e: &detect::Event) -> serde_json::Value {
    e.evidence.to_value().expect("evidence serializes")
}
