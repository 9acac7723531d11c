//! The store end to end: real captures in, rows back out; idempotent
//! re-ingest; duplicates; rejects; receive time; CSV formats; filters.

use std::io::Write;
use std::path::{Path, PathBuf};
use store::{ingest, Filter, IngestOptions, SourceOutcome, Store};

fn data(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../../tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn run(dir: &Path, sources: &[PathBuf], opts: &IngestOptions) -> Vec<SourceOutcome> {
    ingest(dir, sources, opts, &mut |_| {}).unwrap()
}

fn ingested(o: &[SourceOutcome]) -> Vec<&store::SourceEntry> {
    o.iter()
        .map(|o| match o {
            SourceOutcome::Ingested(e) => e,
            other => panic!("not ingested: {other:?}"),
        })
        .collect()
}

/// Positions the store keeps of the test vessel 371798000.
fn kept(store: &Path) -> usize {
    Store::open(store)
        .unwrap()
        .vessel_positions(371798000)
        .unwrap()
        .len()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    p
}

#[test]
fn real_captures_round_trip_and_reingest_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    let opts = IngestOptions::default();
    let first = run(
        &st,
        &[data("kystverket-1000.nm4"), data("dma-stream-example.nmea")],
        &opts,
    );
    let e = ingested(&first);
    assert_eq!(e[0].messages, 877);
    assert_eq!(e[1].messages, 4051);
    let store = Store::open(&st).unwrap();
    let all = store.positions(&Filter::default()).unwrap();
    assert_eq!(all.len() as u64, e[0].positions + e[1].positions);
    assert!(all.len() > 3000);
    let ids = store.identities(&Filter::default()).unwrap();
    assert_eq!(ids.len() as u64, e[0].identities + e[1].identities);
    // Tag-block receive time made it into the rows.
    assert!(all.iter().any(|p| p.time_ms == 1_565_218_798_000));

    // Same files again: nothing added.
    let again = run(
        &st,
        &[data("kystverket-1000.nm4"), data("dma-stream-example.nmea")],
        &opts,
    );
    assert!(again
        .iter()
        .all(|o| matches!(o, SourceOutcome::AlreadyIngested { .. })));
    assert_eq!(
        Store::open(&st)
            .unwrap()
            .positions(&Filter::default())
            .unwrap()
            .len(),
        all.len()
    );

    // A new file adds exactly its rows.
    let third = run(
        &st,
        &[
            data("kystverket-1000.nm4"),
            data("exactearth-satellite.nmea"),
        ],
        &opts,
    );
    assert!(matches!(third[0], SourceOutcome::AlreadyIngested { .. }));
    let added = match &third[1] {
        SourceOutcome::Ingested(e) => e.positions,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        Store::open(&st)
            .unwrap()
            .positions(&Filter::default())
            .unwrap()
            .len() as u64,
        all.len() as u64 + added
    );
}

#[test]
fn every_file_is_sorted_by_mmsi_then_time() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    let opts = IngestOptions {
        flush_rows: 3000,
        ..IngestOptions::default()
    };
    let e = run(&st, &[data("amsa-terrestrial.nmea.gz")], &opts);
    let entry = ingested(&e)[0];
    assert!(
        entry
            .files
            .iter()
            .filter(|f| f.starts_with("positions/"))
            .count()
            > 3,
        "{:?}",
        entry.files
    );
    let store = Store::open(&st).unwrap();
    for item in store.scan_positions(&Filter::default()) {
        let (path, batch) = item.unwrap();
        let rows = store::schema::positions_from_batch(&batch).unwrap();
        assert!(
            rows.windows(2)
                .all(|w| (w[0].mmsi, w[0].time_ms) <= (w[1].mmsi, w[1].time_ms)),
            "{}",
            path.display()
        );
    }
}

/// (table/day, lowest and highest MMSI) of every data file of a store.
fn mmsi_spans(st: &Path) -> Vec<(String, u32, u32)> {
    let mut out = Vec::new();
    for e in Store::open(st).unwrap().sources() {
        for f in e.files.iter().filter(|f| f.ends_with(".parquet")) {
            let file = std::fs::File::open(st.join(f)).unwrap();
            let b = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .build()
                .unwrap();
            let mut span: Option<(u32, u32)> = None;
            for batch in b {
                let batch = batch.unwrap();
                let m = batch
                    .column_by_name("mmsi")
                    .unwrap()
                    .as_any()
                    .downcast_ref::<store::arrow::UInt32Array>()
                    .unwrap()
                    .clone();
                for v in m.values().iter() {
                    span = Some(span.map_or((*v, *v), |(a, z)| (a.min(*v), z.max(*v))));
                }
            }
            let (a, z) = span.expect("no empty files");
            let dir = f.rsplit_once('/').unwrap().0.to_string();
            out.push((dir, a, z));
        }
    }
    out.sort();
    out
}

#[test]
fn a_days_sorted_runs_become_files_of_disjoint_vessel_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let cap = data("amsa-terrestrial.nmea.gz");
    let st = tmp.path().join("runs");
    let o = IngestOptions {
        flush_rows: 1000,
        ..IngestOptions::default()
    };
    let e = run(&st, std::slice::from_ref(&cap), &o);
    let e = ingested(&e)[0];
    let spans = mmsi_spans(&st);
    assert!(spans.len() > 4, "{spans:?}");
    for w in spans.windows(2) {
        if w[0].0 == w[1].0 {
            assert!(w[0].2 < w[1].1, "files of {} overlap: {w:?}", w[0].0);
        }
    }
    // every row kept, none twice; no run left behind
    let store = Store::open(&st).unwrap();
    assert_eq!(
        store.positions(&Filter::default()).unwrap().len() as u64,
        e.positions
    );
    assert_eq!(
        store.identities(&Filter::default()).unwrap().len() as u64,
        e.identities
    );
    assert_eq!(std::fs::read_dir(st.join(".tmp")).unwrap().count(), 0);
}

#[test]
fn a_stuck_transmitter_is_cut_between_rows_and_every_row_kept() {
    let tmp = tempfile::tempdir().unwrap();
    // one vessel, 2,500 reports 31 s apart (beyond the duplicate window)
    // within one day: five runs of 500
    let s = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let day = 1_699_920_000i64;
    let text: String = (0..2500)
        .map(|k| format!("\\c:{}*00\\{s}\n", day + 31 * k))
        .collect();
    let src = write(tmp.path(), "stuck.nmea", &text);
    let st = tmp.path().join("store");
    let o = IngestOptions {
        flush_rows: 500,
        ..IngestOptions::default()
    };
    let e = run(&st, &[src], &o);
    assert_eq!(ingested(&e)[0].positions, 2500);
    // pieces of at most 4 x 500 rows (cut between rows of one vessel)
    let spans = mmsi_spans(&st);
    let pieces = spans
        .iter()
        .filter(|s| s.0.starts_with("positions/"))
        .count();
    assert_eq!(pieces, 2, "{spans:?}");
    let rows = Store::open(&st)
        .unwrap()
        .vessel_positions(371798000)
        .unwrap();
    assert_eq!(rows.len(), 2500);
    assert!(rows
        .windows(2)
        .all(|w| w[1].time_ms - w[0].time_ms == 31_000));
}

#[test]
fn the_same_message_heard_twice_is_kept_once_at_its_earliest_time() {
    let tmp = tempfile::tempdir().unwrap();
    let s = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let text = format!(
        "\\s:rx2,c:1700000005*00\\{s}\n\\s:rx1,c:1700000000*00\\{s}\n\\s:rx3,c:1700000120*00\\{s}\n"
    );
    let src = write(tmp.path(), "dups.nmea", &text);
    let st = tmp.path().join("store");
    let e = run(&st, &[src], &IngestOptions::default());
    let e = ingested(&e)[0];
    assert_eq!(e.duplicates, 1);
    let rows = Store::open(&st)
        .unwrap()
        .vessel_positions(371798000)
        .unwrap();
    // 5 s apart: one message heard twice, earliest kept; 120 s later: a new report.
    assert_eq!(
        rows.iter().map(|p| p.time_ms / 1000).collect::<Vec<_>>(),
        vec![1_700_000_000, 1_700_000_120]
    );
    assert_eq!(rows[0].source.as_deref(), Some("rx1"));
}

#[test]
fn duplicates_are_removed_across_flushes_and_across_ingests_with_a_state() {
    let tmp = tempfile::tempdir().unwrap();
    let s = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let src = write(
        tmp.path(),
        "dups.nmea",
        &format!("\\c:1700000000*00\\{s}\n\\c:1700000005*00\\{s}\n"),
    );
    // a flush between the two receptions
    let e = run(
        &tmp.path().join("a"),
        std::slice::from_ref(&src),
        &IngestOptions {
            flush_rows: 1,
            ..IngestOptions::default()
        },
    );
    assert_eq!(ingested(&e)[0].duplicates, 1, "kept once across a flush");
    // a real capture cut into flushes of every size keeps the same rows
    let rows = |st: &Path| {
        let mut v: Vec<_> = Store::open(st)
            .unwrap()
            .positions(&Filter::default())
            .unwrap()
            .iter()
            .map(|p| (p.mmsi, p.time_ms, p.source.clone()))
            .collect();
        v.sort();
        v
    };
    let cap = data("amsa-terrestrial.nmea.gz");
    run(
        &tmp.path().join("whole"),
        std::slice::from_ref(&cap),
        &IngestOptions::default(),
    );
    let whole = rows(&tmp.path().join("whole"));
    for n in [997, 5000] {
        let st = tmp.path().join(format!("f{n}"));
        let o = IngestOptions {
            flush_rows: n,
            ..IngestOptions::default()
        };
        run(&st, std::slice::from_ref(&cap), &o);
        assert_eq!(rows(&st), whole, "flushes of {n} rows");
    }
    // one feed in two files: with a state file, the second ingest carries
    // the window on; without, the second file's copy is merged with the
    // first's when it is committed
    let one = write(tmp.path(), "one.nmea", &format!("\\c:1700000000*00\\{s}\n"));
    let two = write(tmp.path(), "two.nmea", &format!("\\c:1700000005*00\\{s}\n"));
    let with = IngestOptions {
        dedup_state: Some(tmp.path().join("dedup.state")),
        ..IngestOptions::default()
    };
    let st = tmp.path().join("carried");
    run(&st, std::slice::from_ref(&one), &with);
    let e = run(&st, std::slice::from_ref(&two), &with);
    assert_eq!(ingested(&e)[0].duplicates, 1);
    assert_eq!(kept(&st), 1);
    let st = tmp.path().join("apart");
    let e = run(&st, &[one, two], &IngestOptions::default());
    assert_eq!(kept(&st), 1);
    assert_eq!(ingested(&e)[1].merges[0].positions_merged, 1);
}

#[test]
fn rejects_are_counted_and_kept_as_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "\\c:1700000000*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\nnot nmea at all\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n";
    let src = write(tmp.path(), "bad.nmea", text);
    let st = tmp.path().join("store");
    let e = run(&st, &[src], &IngestOptions::default());
    let e = ingested(&e)[0];
    assert_eq!(e.rejects.get("not_nmea"), Some(&1));
    assert_eq!(e.rejects.get("checksum"), Some(&1));
    let rej = e.files.iter().find(|f| f.starts_with("rejects/")).unwrap();
    let samples: Vec<serde_json::Value> = std::fs::read_to_string(st.join(rej))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[0]["line"], 2);
    assert_eq!(samples[0]["reason"], "not_nmea");
    assert_eq!(samples[1]["line"], 3);
    assert!(samples[1]["message"].as_str().unwrap().contains("checksum"));
}

#[test]
fn input_without_receive_time_needs_assume_time() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    let out = run(&st, &[data("sample.aivdm")], &IngestOptions::default());
    match &out[0] {
        SourceOutcome::Failed { error, .. } => {
            assert!(error.to_string().contains("--assume-time"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    assert!(Store::open(&st).unwrap().sources().is_empty());
    let opts = IngestOptions {
        assume_time_ms: Some(1_700_000_000_000),
        ..IngestOptions::default()
    };
    let out = run(&st, &[data("sample.aivdm")], &opts);
    assert!(ingested(&out)[0].positions > 10);
}

#[test]
fn files_that_hold_no_ais_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    let out = run(&st, &[data("SOURCES.md")], &IngestOptions::default());
    match &out[0] {
        SourceOutcome::Failed { error, .. } => {
            assert!(error.to_string().contains("no AIS data found"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn marinecadastre_csv_with_a_bad_row() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n\
273210440,2023-09-07T12:00:00,42.10,131.50,11.2,212.5,210,ANGARA,IMO9179842,UBCT6,70,0,124,20,6.5,70,A\n\
273210440,2023-09-07T12:05:00,north,131.49,11.0,212.0,210,ANGARA,IMO9179842,UBCT6,70,0,124,20,6.5,70,A\n\
273210440,2023-09-07T12:10:00,42.06,131.47,10.9,211.0,511,ANGARA,IMO9179842,UBCT6,70,0,124,20,6.5,70,A\n\
367000001,2023-09-07T12:10:00,40.00,-70.00,,,,\"<script>alert(1)</script>\",,,37,,10,3,,,B\n";
    let src = write(tmp.path(), "mc.csv", csv);
    let st = tmp.path().join("store");
    let out = run(&st, &[src], &IngestOptions::default());
    let e = ingested(&out)[0];
    assert_eq!(e.format, "marinecadastre-csv");
    assert_eq!(e.rejects.get("bad_row"), Some(&1));
    assert_eq!(e.positions, 3);
    // one identity per vessel: the rows repeat it unchanged
    assert_eq!(e.identities, 2);
    let store = Store::open(&st).unwrap();
    let angara = store.vessel_positions(273210440).unwrap();
    assert_eq!(angara.len(), 2);
    assert_eq!(angara[1].heading, None, "511 is not available");
    let ids = store.identities(&Filter::vessel(273210440)).unwrap();
    assert_eq!(ids[0].imo, Some(9179842));
    assert_eq!(ids[0].name.as_deref(), Some("ANGARA"));
    assert_eq!((ids[0].to_bow, ids[0].to_stern), (Some(62), Some(62)));
    let other = store.identities(&Filter::vessel(367000001)).unwrap();
    assert_eq!(
        other[0].name.as_deref(),
        Some("<script>alert(1)</script>"),
        "stored verbatim; escaped where shown"
    );
    let rej = e.files.iter().find(|f| f.starts_with("rejects/")).unwrap();
    let text = std::fs::read_to_string(st.join(rej)).unwrap();
    assert!(
        text.contains("\"line\":3") && text.contains("column LAT"),
        "{text}"
    );
}

#[test]
fn dma_csv_is_detected_and_mapped() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D\n\
01/01/2024 00:00:01,Class A,219000001,55.5,11.2,Under way using engine,0.0,12.1,45.2,44,9000001,OXAB2,NORDIC STAR,Cargo,,20,120,GPS,7.1,AARHUS,02/01/2024 08:00:00,AIS,100,20,10,10\n\
01/01/2024 00:00:11,Base Station,2190001,55.6,11.3,Unknown value,,,,,Unknown,Unknown,,Undefined,,,,GPS,,,,AIS,,,,\n\
01/01/2024 00:00:21,Class A,219000001,55.51,11.21,Under way using engine,0.0,12.0,45.0,44,9000001,OXAB2,NORDIC STAR,Cargo,,20,120,GPS,7.1,AARHUS,02/01/2024 08:00:00,AIS,100,20,10,10\n";
    let src = write(tmp.path(), "aisdk.csv", csv);
    let st = tmp.path().join("store");
    let out = run(&st, &[src], &IngestOptions::default());
    let e = ingested(&out)[0];
    assert_eq!(e.format, "dma-csv");
    assert_eq!(e.positions, 2, "base stations are not vessels");
    let store = Store::open(&st).unwrap();
    let p = store.vessel_positions(219000001).unwrap();
    assert_eq!(p[0].nav_status, Some(0));
    assert_eq!(p[0].heading, Some(44));
    assert_eq!(p[0].time_ms, 1_704_067_201_000);
    let ids = store.identities(&Filter::vessel(219000001)).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].ship_type, Some(70));
    assert_eq!(ids[0].eta.as_deref(), Some("01-02T08:00"));
    assert_eq!(ids[0].draught, Some(7.1));
}

#[test]
fn csv_with_wrong_columns_names_the_missing_one() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "wrong.csv",
        "MMSI,BaseDateTime,LAT,X_COORD\n1,2023-01-01T00:00:00,1,2\n",
    );
    let st = tmp.path().join("store");
    let out = run(&st, &[src], &IngestOptions::default());
    match &out[0] {
        SourceOutcome::Failed { error, .. } => {
            let m = error.to_string();
            assert!(
                m.contains("wrong.csv:1") && m.contains("missing column \"LON\""),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn zstd_and_gzip_inputs_read_like_plain_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = std::fs::read(data("kystverket-1000.nm4")).unwrap();
    let zst = tmp.path().join("k.nm4.zst");
    std::fs::write(&zst, zstd::encode_all(&plain[..], 3).unwrap()).unwrap();
    let st = tmp.path().join("store");
    let e = run(&st, &[zst], &IngestOptions::default());
    assert_eq!(ingested(&e)[0].messages, 877);
}

#[test]
fn filters_select_by_vessel_time_box_and_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    run(
        &st,
        &[
            data("dma-stream-example.nmea"),
            data("exactearth-satellite.nmea"),
            data("kystverket-1000.nm4"),
        ],
        &IngestOptions::default(),
    );
    let store = Store::open(&st).unwrap();
    let all = store.positions(&Filter::default()).unwrap();
    // shards partition the data
    let mut union: Vec<_> = (0..4)
        .flat_map(|k| store.shard_positions(k, 4).unwrap())
        .collect();
    union.sort_by_key(|p| (p.mmsi, p.time_ms, p.lat.to_bits()));
    let mut sorted = all.clone();
    sorted.sort_by_key(|p| (p.mmsi, p.time_ms, p.lat.to_bits()));
    assert_eq!(union, sorted);
    // one vessel, in time order
    let m = all[all.len() / 2].mmsi;
    let v = store.vessel_positions(m).unwrap();
    assert!(!v.is_empty() && v.iter().all(|p| p.mmsi == m));
    assert!(v.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
    // a time range touches only its day's files
    let t0 = 1_565_218_798_000;
    let mut scan = store.scan_positions(&Filter {
        time: Some((t0, t0 + 1000)),
        ..Filter::default()
    });
    let n: usize = scan.by_ref().map(|b| b.unwrap().1.num_rows()).sum();
    assert_eq!(
        n,
        all.iter()
            .filter(|p| p.time_ms >= t0 && p.time_ms < t0 + 1000)
            .count()
    );
    assert_eq!(scan.files_skipped, 2);
    // a bounding box (Norway)
    let bbox = (4.0, 57.0, 32.0, 72.0);
    let inbox = store
        .positions(&Filter {
            bbox: Some(bbox),
            ..Filter::default()
        })
        .unwrap();
    let expect = all
        .iter()
        .filter(|p| p.lon >= 4.0 && p.lon <= 32.0 && p.lat >= 57.0 && p.lat <= 72.0)
        .count();
    assert_eq!(inbox.len(), expect);
    assert!(expect > 500);
}

#[test]
fn a_torn_manifest_line_is_ignored_and_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    run(
        &st,
        &[data("kystverket-1000.nm4")],
        &IngestOptions::default(),
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(st.join("manifest.jsonl"))
        .unwrap();
    f.write_all(b"{\"path\":\"half a li").unwrap();
    drop(f);
    assert_eq!(Store::open(&st).unwrap().sources().len(), 1);
    run(
        &st,
        &[data("dma-stream-example.nmea")],
        &IngestOptions::default(),
    );
    let s = Store::open(&st).unwrap();
    assert_eq!(s.sources().len(), 2);
    assert!(
        std::fs::read_to_string(st.join("manifest.jsonl"))
            .unwrap()
            .lines()
            .count()
            == 2
    );
}

#[test]
fn a_read_by_vessel_skips_row_groups_by_their_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    let opts = IngestOptions {
        row_group_rows: 1000,
        ..IngestOptions::default()
    };
    run(&st, &[data("amsa-terrestrial.nmea.gz")], &opts);
    let store = Store::open(&st).unwrap();
    let all = store.positions(&Filter::default()).unwrap();
    let m = all[all.len() / 3].mmsi;
    let mut scan = store.scan_positions(&Filter::vessel(m));
    let rows: usize = scan.by_ref().map(|b| b.unwrap().1.num_rows()).sum();
    assert_eq!(rows, all.iter().filter(|p| p.mmsi == m).count());
    assert!(
        scan.row_groups_read <= 2,
        "read {} row groups",
        scan.row_groups_read
    );
    assert!(
        scan.row_groups_skipped >= 15,
        "skipped only {}",
        scan.row_groups_skipped
    );
}

#[test]
fn tracks_merge_every_file_into_one_track_per_vessel() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("store");
    // two ingests: several day partitions, more than one file
    run(
        &st,
        &[data("dma-stream-example.nmea"), data("kystverket-1000.nm4")],
        &IngestOptions::default(),
    );
    run(
        &st,
        &[data("exactearth-satellite.nmea")],
        &IngestOptions::default(),
    );
    let store = Store::open(&st).unwrap();
    let all = store.positions(&Filter::default()).unwrap();
    let cols = Some(vec!["time", "mmsi", "lat", "lon", "sog", "cog"]);
    let tracks: Vec<(u32, Vec<store::Position>)> = store
        .tracks(&Filter {
            columns: cols.clone(),
            ..Filter::default()
        })
        .map(|t| t.unwrap())
        .collect();
    // one track per vessel, in MMSI order, each in time order
    assert!(tracks.windows(2).all(|w| w[0].0 < w[1].0));
    let mut mmsis: Vec<u32> = all.iter().map(|p| p.mmsi).collect();
    mmsis.dedup();
    assert_eq!(tracks.iter().map(|t| t.0).collect::<Vec<_>>(), mmsis);
    let key = |p: &store::Position| {
        (
            p.mmsi,
            p.time_ms,
            p.lat.to_bits(),
            p.lon.to_bits(),
            p.sog.map(f32::to_bits),
            p.cog.map(f32::to_bits),
        )
    };
    let got: Vec<_> = tracks.iter().flat_map(|t| t.1.iter().map(key)).collect();
    let mut want: Vec<_> = all.iter().map(key).collect();
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
    assert!(tracks
        .iter()
        .all(|t| t.1.windows(2).all(|w| w[0].time_ms <= w[1].time_ms)));
    // a time range keeps only its fixes
    let t0 = 1_565_218_798_000;
    let n: usize = store
        .tracks(&Filter {
            time: Some((t0, t0 + 60_000)),
            columns: cols,
            ..Filter::default()
        })
        .map(|t| t.unwrap().1.len())
        .sum();
    assert_eq!(
        n,
        all.iter()
            .filter(|p| p.time_ms >= t0 && p.time_ms < t0 + 60_000)
            .count()
    );
    assert!(n > 0);
}

#[test]
fn ingest_into_a_url_is_an_error_not_a_local_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let feed = write(
        tmp.path(),
        "a.nmea",
        "!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26,1565218798\n",
    );
    let url = Path::new("s3://bucket/ais/store");
    let e = ingest(url, &[feed], &IngestOptions::default(), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("s3://bucket/ais/store: ingest writes a store to a local directory"),
        "{e}"
    );
    assert!(!Path::new("s3:").exists());
}
