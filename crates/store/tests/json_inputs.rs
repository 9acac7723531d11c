//! JSON inputs: gpsd's reports (scaled and unscaled, made by the installed
//! `gpsdecode` from the real captures), AIS-catcher's and AISHub's (real
//! samples in `tests/data/json/`) store the rows the same data stores as
//! NMEA.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use store::{ingest, Filter, IngestOptions, SourceOutcome, Store};

fn data(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../../tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn opts() -> IngestOptions {
    IngestOptions {
        assume_time_ms: Some(1_700_000_000_000),
        ..IngestOptions::default()
    }
}

fn one(dir: &Path, src: &Path, o: &IngestOptions) -> store::SourceEntry {
    match ingest(dir, &[src.to_path_buf()], o, &mut |_| {})
        .unwrap()
        .remove(0)
    {
        SourceOutcome::Ingested(e) => e,
        other => panic!("{other:?}"),
    }
}

fn gpsdecode(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut c = Command::new("gpsdecode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gpsdecode (Debian gpsd-clients) is installed");
    let mut stdin = c.stdin.take().unwrap();
    let input = input.to_vec();
    let w = std::thread::spawn(move || stdin.write_all(&input));
    let out = c.wait_with_output().unwrap();
    w.join().unwrap().unwrap();
    out.stdout
}

type Rows = (Vec<String>, Vec<String>);

/// Stored rows; `tag`: with each position's report tag (unscaled gpsd
/// reports rebuild the broadcast payload exactly, scaled ones do not).
fn rows(dir: &Path, tag: bool) -> Rows {
    let st = Store::open(dir).unwrap();
    let mut p: Vec<String> = st
        .positions(&Filter::default())
        .unwrap()
        .iter()
        .map(|x| {
            let t = if tag {
                store::schema::report_tag(x.payload_hash)
            } else {
                0
            };
            format!(
                "{} {} {} {} {:?} {:?} {:?} {:?} {} {:?} {} {t}",
                x.mmsi,
                x.time_ms,
                x.lat,
                x.lon,
                x.sog,
                x.cog,
                x.heading,
                x.nav_status,
                x.msg_type,
                x.class,
                x.accuracy
            )
        })
        .collect();
    p.sort();
    let mut i: Vec<String> = st
        .identities(&Filter::default())
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{:?}",
                store::Identity {
                    payload_hash: 0,
                    source: None,
                    ..x.clone()
                }
            )
        })
        .collect();
    i.sort();
    (p, i)
}

/// The capture with its times taken out (gpsd's JSON has none): every
/// message gets the assumed time on both paths.
fn untimed(name: &str) -> Vec<u8> {
    let raw = std::fs::read(data(name)).unwrap();
    let mut out = Vec::new();
    for l in raw.split(|&c| c == b'\n') {
        let l = String::from_utf8_lossy(l);
        let l = l.trim_end();
        if !l.contains("VDM") {
            continue;
        }
        // drop a tag block and a ",<epoch>" suffix
        let l = l.rsplit_once('\\').map_or(l, |(_, s)| s);
        let l = match l.find('*') {
            Some(i) if l.len() > i + 3 => &l[..i + 3],
            _ => l,
        };
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
    out
}

#[test]
fn gpsd_json_stores_what_the_nmea_stores() {
    let tmp = tempfile::tempdir().unwrap();
    for capture in [
        "sample.aivdm",
        "dma-stream-example.nmea",
        "kystverket-1000.nm4",
    ] {
        let nmea = untimed(capture);
        let np = tmp.path().join(format!("{capture}.nmea"));
        std::fs::write(&np, &nmea).unwrap();
        let reference = tmp.path().join(format!("{capture}-nmea"));
        one(&reference, &np, &opts());
        for (flavour, args) in [("scaled", vec!["-j"]), ("unscaled", vec!["-u", "-j"])] {
            let json = gpsdecode(&args, &nmea);
            let jp = tmp.path().join(format!("{capture}.{flavour}.json"));
            std::fs::write(&jp, &json).unwrap();
            let st = tmp.path().join(format!("{capture}-{flavour}"));
            let e = one(&st, &jp, &opts());
            assert_eq!(e.format, "gpsd-json");
            // gpsd 3.22's scaled output rounds type 27 positions to 0.1
            // degree: those reports are refused with a reason, nothing else
            if let Some(n) = e.rejects.get("bad_json") {
                let rej = e.files.iter().find(|f| f.starts_with("rejects/")).unwrap();
                let text = std::fs::read_to_string(st.join(rej)).unwrap();
                assert!(
                    flavour == "scaled"
                        && text.lines().all(|l| l.contains("type 27 position rounded")),
                    "{capture} {flavour}: {n} rejected: {text}"
                );
            }
            let tagged = flavour == "unscaled";
            let want = rows(&reference, false);
            let got = rows(&st, false);
            // rebuilt reports carry no report tag: they merge with other
            // sources by content
            assert!(rows(&st, true).0.iter().all(|r| r.ends_with(" 0")));
            // every position gpsd printed is the NMEA's, field for field
            let missing: Vec<&String> = got
                .0
                .iter()
                .filter(|r| want.0.binary_search(r).is_err())
                .collect();
            assert!(
                missing.is_empty(),
                "{capture} {flavour}: positions not from the NMEA: {missing:?}"
            );
            let type27 = want
                .0
                .iter()
                .filter(|r| r.contains(" 27 LongRange "))
                .count();
            let want_n = if tagged {
                want.0.len()
            } else {
                want.0.len() - type27
            };
            assert!(
                got.0.len() * 1000 >= want_n * 995,
                "{capture} {flavour}: {} of {} positions",
                got.0.len(),
                want_n
            );
            // identities: type 5 and 19 field for field; gpsd prints type 24
            // only as pairs of parts
            let not24 = |v: &[String]| -> Vec<String> {
                v.iter()
                    .filter(|r| !r.contains("msg_type: 24"))
                    .cloned()
                    .collect()
            };
            let (g5, w5) = (not24(&got.1), not24(&want.1));
            let missing: Vec<&String> =
                g5.iter().filter(|r| w5.binary_search(r).is_err()).collect();
            assert!(
                missing.is_empty(),
                "{capture} {flavour}: identities not from the NMEA: {missing:?}"
            );
            // gpsd itself drops some type 5 messages of interleaved streams
            // that this decoder assembles (pinned in ais's gpsd_diff test)
            assert!(
                g5.len() * 100 >= w5.len() * 98,
                "{capture} {flavour}: {} of {} identities",
                g5.len(),
                w5.len()
            );
        }
    }
}

#[test]
fn gpsd_json_without_a_time_and_bad_reports_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("g.json");
    std::fs::write(
        &p,
        concat!(
            "{\"class\":\"VERSION\",\"release\":\"3.22\"}\n",
            "{\"class\":\"AIS\",\"type\":1,\"repeat\":0,\"mmsi\":371798000,\"scaled\":false,\"status\":0,\"turn\":-128,\"speed\":123,\"accuracy\":true,\"lon\":-74037230,\"lat\":29028980,\"course\":2240,\"heading\":215,\"second\":33,\"maneuver\":0,\"raim\":false,\"radio\":34017}\n",
            "{\"class\":\"AIS\",\"type\":1,\"mmsi\":\"x\"}\n",
            "{\"class\":\"AIS\",\"type\":1,\"mmsi\":5,\"scaled\":false,\"lat\":99999999999}\n",
            "{\"class\":\"AIS\",\"mmsi\":5}\n",
            "not json\n",
        ),
    )
    .unwrap();
    let st = tmp.path().join("s");
    let e = one(&st, &p, &opts());
    assert_eq!(e.positions, 1);
    assert_eq!(e.rejects.get("bad_json"), Some(&4), "{:?}", e.rejects);
    let rej = e.files.iter().find(|f| f.starts_with("rejects/")).unwrap();
    let text = std::fs::read_to_string(st.join(rej)).unwrap();
    for want in [
        "\"line\":3",
        "field mmsi: not a whole number",
        "field lat: value out of range",
        "field type missing",
        "not JSON",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // without --assume-time gpsd's reports have no receive time
    let out = ingest(
        &tmp.path().join("t"),
        &[p],
        &IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert!(
        matches!(
            &out[0],
            SourceOutcome::Failed {
                error: store::StoreError::NoTime { .. },
                ..
            }
        ),
        "{out:?}"
    );
}

#[test]
fn aiscatcher_json_is_its_nmea_at_its_receive_time() {
    let tmp = tempfile::tempdir().unwrap();
    let src = data("json/aiscatcher.json");
    let st = tmp.path().join("s");
    let e = one(&st, &src, &opts());
    assert_eq!(e.format, "aiscatcher-json");
    assert_eq!(e.messages, 8);
    assert_eq!(e.rejects.values().sum::<u64>(), 0, "{:?}", e.rejects);
    let s = Store::open(&st).unwrap();
    // "rxtime":"20220729191502", "!AIVDM,1,1,,B,33L=LN051HQj3HhRJd7q1W=`0000,0*03"
    let p = s.vessel_positions(230907000).unwrap();
    assert_eq!(p[0].time_ms, 1_659_122_102_000);
    assert!((p[0].lat - 60.148106).abs() < 1e-5 && (p[0].lon - 24.915239).abs() < 1e-5);
    // the line without rxtime takes the assumed time
    assert_eq!(
        s.vessel_positions(477213600).unwrap()[0].time_ms,
        1_700_000_000_000
    );
}

#[test]
fn aishub_json_in_both_formats_gives_the_same_vessel() {
    let tmp = tempfile::tempdir().unwrap();
    let mut got = Vec::new();
    for (name, f) in [
        ("raw", "json/aishub.json"),
        ("human", "json/aishub_human.json"),
    ] {
        let st = tmp.path().join(name);
        let e = one(&st, &data(f), &IngestOptions::default());
        assert_eq!(e.format, "aishub-json");
        assert_eq!((e.messages, e.positions), (1, 1), "{name}: {:?}", e.rejects);
        let s = Store::open(&st).unwrap();
        let p = s.vessel_positions(244750034).unwrap()[0].clone();
        let id = s.identities(&Filter::vessel(244750034)).unwrap()[0].clone();
        assert_eq!(p.nav_status, Some(8), "{name}");
        assert_eq!(
            (p.heading, p.cog),
            (None, None),
            "{name}: 511 and 360 are not available"
        );
        assert_eq!(id.name.as_deref(), Some("CHATEAUROUX"));
        assert_eq!(id.ship_type, Some(69));
        got.push((p.lat, p.lon, id.draught));
    }
    // raw: LATITUDE 31476144 (1/10000 min), DRAUGHT 12 (dm)
    assert!(
        (got[0].0 - 52.46024).abs() < 1e-5 && (got[0].1 - 5.038025).abs() < 1e-5,
        "{got:?}"
    );
    assert_eq!(got[0].2, Some(1.2));
    assert!((got[1].0 - 52.46028).abs() < 1e-9, "{got:?}");
    assert_eq!(got[1].2, Some(1.2));
    // an error document is one clear error
    let p = tmp.path().join("err.json");
    std::fs::write(
        &p,
        "[{\"ERROR\":true,\"USERNAME\":\"x\",\"ERROR_MESSAGE\":\"Too frequent requests!\"}]",
    )
    .unwrap();
    let out = ingest(
        &tmp.path().join("e"),
        &[p],
        &IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    match &out[0] {
        SourceOutcome::Failed { error, .. } => assert!(
            error.to_string().contains("Too frequent requests"),
            "{error}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gpsd_json_of_a_feed_merges_with_the_feeds_nmea() {
    let tmp = tempfile::tempdir().unwrap();
    let nmea = untimed("dma-stream-example.nmea");
    let np = tmp.path().join("feed.nmea");
    std::fs::write(&np, &nmea).unwrap();
    let jp = tmp.path().join("feed.json");
    std::fs::write(&jp, gpsdecode(&["-u", "-j"], &nmea)).unwrap();
    let st = tmp.path().join("s");
    one(&st, &np, &opts());
    let before = rows(&st, false);
    let e = one(&st, &jp, &opts());
    let merged: u64 = e.merges.iter().map(|m| m.positions_merged).sum();
    assert_eq!(rows(&st, false).0, before.0, "no position twice");
    assert_eq!(merged, e.positions);
}
