//! Sources that overlap are stored once: two files holding parts of one
//! feed, ingested in either order, give the rows of the feed ingested
//! whole, and each row says which sources carried it.

use std::io::Read;
use std::path::{Path, PathBuf};
use store::{ingest, Filter, IngestOptions, SourceOutcome, Store};

fn capture() -> Vec<Vec<u8>> {
    let p = format!(
        "{}/../../tests/data/amsa-terrestrial.nmea.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    text.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect()
}

fn write(dir: &Path, name: &str, lines: &[Vec<u8>]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join(&b'\n')).unwrap();
    p
}

fn run(dir: &Path, sources: &[PathBuf]) -> Vec<store::SourceEntry> {
    ingest(dir, sources, &IngestOptions::default(), &mut |_| {})
        .unwrap()
        .into_iter()
        .map(|o| match o {
            SourceOutcome::Ingested(e) => e,
            other => panic!("{other:?}"),
        })
        .collect()
}

type Rows = (Vec<String>, Vec<String>);

/// Every stored field of every row but the provenance, sorted.
fn rows(dir: &Path) -> Rows {
    let st = Store::open(dir).unwrap();
    let mut p: Vec<String> = st
        .positions(&Filter::default())
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{} {} {} {} {:?} {:?} {:?} {:?} {} {:?} {:?} {}",
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
                x.source,
                x.accuracy
            )
        })
        .collect();
    p.sort();
    let mut i: Vec<String> = st
        .identities(&Filter::default())
        .unwrap()
        .iter()
        .map(|x| format!("{x:?}"))
        .collect();
    i.sort();
    (p, i)
}

fn carried_by(dir: &Path) -> std::collections::BTreeMap<String, usize> {
    let st = Store::open(dir).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for b in st.scan_positions(&Filter::default()) {
        let (_, b) = b.unwrap();
        for c in store::schema::carried_from_batch(&b) {
            *out.entry(c.unwrap_or_default()).or_default() += 1;
        }
    }
    out
}

#[test]
fn overlapping_files_in_either_order_store_the_rows_of_the_whole_feed() {
    let lines = capture();
    let n = lines.len();
    let tmp = tempfile::tempdir().unwrap();
    let whole = write(tmp.path(), "whole.nmea", &lines);
    // yesterday's download and today's: 60% each, 20% in both
    let a = write(tmp.path(), "a.nmea", &lines[..n * 6 / 10]);
    let b = write(tmp.path(), "b.nmea", &lines[n * 4 / 10..]);
    let reference = tmp.path().join("ref");
    run(&reference, &[whole]);
    let want = rows(&reference);
    assert!(want.0.len() > 15_000, "{} positions", want.0.len());
    for (name, order) in [
        ("ab", [a.clone(), b.clone()]),
        ("ba", [b.clone(), a.clone()]),
    ] {
        let st = tmp.path().join(name);
        // one ingest of both, and one ingest each
        let e = run(&st, &order[..1]);
        let single = e[0].positions;
        let e = run(&st, &order[1..]);
        let merged: u64 = e[0].merges.iter().map(|m| m.positions_merged).sum();
        assert!(merged > 0, "{name}: nothing merged");
        let got = rows(&st);
        if got.0 != want.0 {
            let only = |x: &[String], y: &[String]| {
                x.iter()
                    .filter(|r| y.binary_search(r).is_err())
                    .take(12)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            eprintln!(
                "{name}: only in whole {:#?}\nonly merged {:#?}",
                only(&want.0, &got.0),
                only(&got.0, &want.0)
            );
        }
        assert_eq!(got.0.len(), want.0.len(), "{name}: positions");
        assert!(got.0 == want.0, "{name}: the same positions");
        assert!(
            got.1 == want.1,
            "{name}: the same identities ({} vs {})",
            got.1.len(),
            want.1.len()
        );
        // provenance: rows of the overlap are carried by both sources
        let c = carried_by(&st);
        let both = c
            .iter()
            .filter(|(k, _)| k.contains(' '))
            .map(|(_, v)| v)
            .sum::<usize>();
        assert!(both > 0 && both < single as usize, "{name}: {c:?}");
        // the replaced files are gone from the disk too
        let on_disk = walk(&st.join("positions"));
        let live: Vec<String> = store::manifest::live_files(Store::open(&st).unwrap().sources())
            .into_iter()
            .filter(|f| f.starts_with("positions/"))
            .collect();
        assert_eq!(on_disk.len(), live.len(), "{name}: {on_disk:?} vs {live:?}");
        // the manifest says the store holds merges, in a line a version
        // that knows only unmerged stores cannot read (it refuses the store)
        let text = std::fs::read_to_string(st.join("manifest.jsonl")).unwrap();
        let marker = text
            .lines()
            .find(|l| l.contains("\"store_format\":2"))
            .unwrap();
        assert!(serde_json::from_str::<store::SourceEntry>(marker).is_err());
    }
    // both in one run, and again (nothing new)
    let st = tmp.path().join("one-run");
    run(&st, &[a.clone(), b.clone()]);
    assert!(rows(&st) == want);
    let again = ingest(&st, &[a, b], &IngestOptions::default(), &mut |_| {}).unwrap();
    assert!(again
        .iter()
        .all(|o| matches!(o, SourceOutcome::AlreadyIngested { .. })));
    assert!(rows(&st) == want);
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        if e.path().is_dir() {
            v.extend(walk(&e.path()));
        } else {
            v.push(e.path());
        }
    }
    v
}

#[test]
fn the_same_file_under_two_names_adds_no_row() {
    let lines = capture();
    let tmp = tempfile::tempdir().unwrap();
    let a = write(tmp.path(), "a.nmea", &lines[..5000]);
    // a provider's copy: same reports, its own line endings
    let mut crlf = lines[..5000].join(&b"\r\n"[..]);
    crlf.extend_from_slice(b"\r\n");
    let b = tmp.path().join("b.nmea");
    std::fs::write(&b, crlf).unwrap();
    let st = tmp.path().join("s");
    let e = run(&st, std::slice::from_ref(&a));
    let before = rows(&st);
    let e2 = run(&st, &[b]);
    assert_eq!(rows(&st), before);
    let m: u64 = e2[0].merges.iter().map(|m| m.positions_merged).sum();
    assert_eq!(m, e[0].positions);
}

#[test]
fn consecutive_files_of_one_feed_store_the_rows_of_the_whole_feed() {
    let lines = capture();
    let tmp = tempfile::tempdir().unwrap();
    let whole = write(tmp.path(), "whole.nmea", &lines);
    // hourly files of a provider: cut at a receiver clock sentence (this
    // network times each sentence by the last $GPZDA, so a file must start
    // with one), which no message straddles
    let mut cut = lines.len() / 2;
    while !String::from_utf8_lossy(&lines[cut]).starts_with("$GPZDA") {
        cut += 1;
    }
    let a = write(tmp.path(), "a.nmea", &lines[..cut]);
    let b = write(tmp.path(), "b.nmea", &lines[cut..]);
    let reference = tmp.path().join("ref");
    run(&reference, &[whole]);
    let want = rows(&reference);
    for (name, order) in [
        ("ab", [a.clone(), b.clone()]),
        ("ba", [b.clone(), a.clone()]),
    ] {
        let st = tmp.path().join(name);
        run(&st, &order[..1]);
        run(&st, &order[1..]);
        let got = rows(&st);
        let only = |x: &[String], y: &[String]| -> Vec<String> {
            x.iter()
                .filter(|r| y.binary_search(r).is_err())
                .take(5)
                .cloned()
                .collect()
        };
        assert!(
            got.0 == want.0,
            "{name}: {} vs {} positions; only merged {:?}; only whole {:?}",
            got.0.len(),
            want.0.len(),
            only(&got.0, &want.0),
            only(&want.0, &got.0)
        );
        assert!(got.1 == want.1, "{name}: identities");
    }
}
