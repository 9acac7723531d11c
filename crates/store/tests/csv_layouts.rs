//! CSV exports as published: MarineCadastre files of every year's layout,
//! a decoded-message export (one row per AIS message of any type), and a
//! layout of its own read through a column mapping. Rows in
//! `tests/data/csv/` are copied from published files (see
//! `tests/data/SOURCES.md`).

use std::path::{Path, PathBuf};
use store::{ingest, CsvMapping, Filter, IngestOptions, SourceOutcome, Store};

fn data(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../../tests/data/csv/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn one(dir: &Path, src: PathBuf, opts: &IngestOptions) -> store::SourceEntry {
    match ingest(dir, &[src], opts, &mut |_| {}).unwrap().remove(0) {
        SourceOutcome::Ingested(e) => e,
        other => panic!("{other:?}"),
    }
}

fn rows(p: &Path) -> u64 {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count() as u64
}

#[test]
fn marinecadastre_files_of_every_year_keep_their_rows() {
    for year in [2017, 2021, 2022, 2023, 2024, 2025] {
        let tmp = tempfile::tempdir().unwrap();
        let src = data(&format!("marinecadastre_{year}.csv"));
        let n = rows(&src);
        let e = one(&tmp.path().join("s"), src, &IngestOptions::default());
        assert_eq!(e.format, "marinecadastre-csv", "{year}");
        assert_eq!(e.messages, n, "{year}");
        let rejected: u64 = e.rejects.values().sum();
        assert_eq!(rejected, 0, "{year}: {:?}", e.rejects);
        assert!(
            e.positions as f64 >= 0.99 * n as f64,
            "{year}: {} of {n}",
            e.positions
        );
    }
}

#[test]
fn marinecadastre_2023_float_integers_are_read_as_the_integers() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("s");
    one(
        &st,
        data("marinecadastre_2023.csv"),
        &IngestOptions::default(),
    );
    let s = Store::open(&st).unwrap();
    // 636021061,2023-01-11T00:00:00,...,MSC NAISHA III,IMO9307839,5LCB4,70,8.0,208.0,30.0,8.0,70.0,A
    let p = s.vessel_positions(636021061).unwrap();
    assert_eq!(p[0].nav_status, Some(8));
    assert_eq!(p[0].heading, Some(270));
    let id = &s.identities(&Filter::vessel(636021061)).unwrap()[0];
    assert_eq!(id.imo, Some(9307839));
    assert_eq!(id.name.as_deref(), Some("MSC NAISHA III"));
    assert_eq!((id.to_bow, id.to_stern), (Some(104), Some(104)));
    assert_eq!(id.draught, Some(8.0));
    // COG 360.0 is "not available"
    let p = s.vessel_positions(367752440).unwrap();
    assert_eq!(p[0].cog, None);
}

#[test]
fn an_imo_column_holding_no_imo_number_keeps_the_row() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("s");
    one(
        &st,
        data("marinecadastre_2024.csv"),
        &IngestOptions::default(),
    );
    let s = Store::open(&st).unwrap();
    // 368131890,...,AYDEN PHILIP,IMO1001281793,... (ten digits: no IMO number)
    let id = &s.identities(&Filter::vessel(368131890)).unwrap()[0];
    assert_eq!((id.imo, id.name.as_deref()), (None, Some("AYDEN PHILIP")));
    assert_eq!(s.vessel_positions(368131890).unwrap().len(), 1);
}

#[test]
fn a_decoded_message_export_is_read_by_message_type() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("s");
    let src = data("decoded_ais.csv");
    let n = rows(&src);
    let e = one(&st, src, &IngestOptions::default());
    assert_eq!(e.format, "decoded-ais-csv");
    assert_eq!(e.messages, n);
    assert_eq!(e.rejects.values().sum::<u64>(), 0, "{:?}", e.rejects);
    let s = Store::open(&st).unwrap();
    let all = s.positions(&Filter::default()).unwrap();
    // types 1, 3 and 27 with a position; the type 4 base station is not a vessel
    let mut types: Vec<u8> = all.iter().map(|p| p.msg_type).collect();
    types.sort();
    types.dedup();
    assert_eq!(types, [1, 3, 27]);
    assert!(all.iter().all(|p| p.mmsi != 3160123));
    // 564988000,5,0,20210701_215810,850,...,BW EVERETT,9V2862,9243148.0,81.0,...,114.0 (dm)
    let id = &s.identities(&Filter::vessel(564988000)).unwrap()[0];
    assert_eq!(id.time_ms, 1_625_176_690_850);
    assert_eq!(id.imo, Some(9243148));
    assert_eq!(id.ship_type, Some(81));
    assert_eq!(id.draught, Some(11.4));
    assert_eq!(id.destination.as_deref(), Some("ZHOUSHAN, CHINA"));
    assert_eq!(id.msg_type, 5);
    // a type 1 row: 366728420,...,20210701_121541,600,...,SOG 7.8, lon -66.961625, lat 41.0530916667, COG 275.6, heading 282
    let p = &s.vessel_positions(366728420).unwrap()[0];
    assert_eq!(p.time_ms, 1_625_141_741_600);
    assert_eq!(
        (p.sog, p.cog, p.heading, p.nav_status),
        (Some(7.8), Some(275.6), Some(282), Some(7))
    );
    assert!((p.lat - 41.0530916667).abs() < 1e-9 && (p.lon + 66.961625).abs() < 1e-9);
}

/// The MarineCadastre 2023 rows rewritten as another provider might export
/// them: other column names and order, semicolons, day-first times, speed in
/// m/s, draught in dm.
fn relayout(src: &Path) -> String {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out =
        String::from("Ship ID;When (UTC);Y;X;Speed m/s;Course;Hdg;Vessel;Lloyds;Draught dm\n");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let t = f[1]; // 2023-01-11T00:00:00
        let when = format!("{}.{}.{} {}", &t[8..10], &t[5..7], &t[0..4], &t[11..19]);
        let ms = f[4]
            .parse::<f64>()
            .map(|k| format!("{}", k * 1852.0 / 3600.0))
            .unwrap_or_default();
        let dm = f[14]
            .parse::<f64>()
            .map(|m| format!("{}", (m * 10.0).round()))
            .unwrap_or_default();
        out.push_str(&[f[0], &when, f[2], f[3], &ms, f[5], f[6], f[7], f[8], &dm].join(";"));
        out.push('\n');
    }
    out
}

#[test]
fn any_layout_through_a_mapping_gives_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("a");
    one(
        &reference,
        data("marinecadastre_2023.csv"),
        &IngestOptions::default(),
    );
    let other = tmp.path().join("other.csv");
    std::fs::write(&other, relayout(&data("marinecadastre_2023.csv"))).unwrap();
    let mapped = tmp.path().join("b");
    let opts = IngestOptions {
        csv: CsvMapping::parse(
            "mmsi=Ship ID,time=When (UTC),lat=y,lon=x,sog=Speed m/s,cog=Course,heading=Hdg,name=Vessel,imo=LLOYDS,draught=Draught dm,time_format=%d.%m.%Y %H:%M:%S,speed_unit=m/s,draught_unit=dm",
        )
        .unwrap(),
        ..IngestOptions::default()
    };
    let e = one(&mapped, other, &opts);
    assert_eq!(e.format, "csv");
    assert_eq!(e.rejects.values().sum::<u64>(), 0, "{:?}", e.rejects);
    let a = Store::open(&reference)
        .unwrap()
        .positions(&Filter::default())
        .unwrap();
    let b = Store::open(&mapped)
        .unwrap()
        .positions(&Filter::default())
        .unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.mmsi, x.time_ms, x.lat, x.lon, x.cog, x.heading),
            (y.mmsi, y.time_ms, y.lat, y.lon, y.cog, y.heading)
        );
        assert!(match (x.sog, y.sog) {
            (Some(p), Some(q)) => (p - q).abs() < 1e-4,
            (p, q) => p == q,
        });
    }
    let ia = Store::open(&reference)
        .unwrap()
        .identities(&Filter::vessel(636021061))
        .unwrap();
    let ib = Store::open(&mapped)
        .unwrap()
        .identities(&Filter::vessel(636021061))
        .unwrap();
    assert_eq!(
        (ia[0].imo, &ia[0].name, ia[0].draught),
        (ib[0].imo, &ib[0].name, ib[0].draught)
    );
}

#[test]
fn a_mapping_that_names_a_missing_column_is_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = IngestOptions {
        csv: CsvMapping::parse("mmsi=MMSI,lat=Breite").unwrap(),
        ..IngestOptions::default()
    };
    let out = ingest(
        &tmp.path().join("s"),
        &[data("marinecadastre_2023.csv")],
        &opts,
        &mut |_| {},
    )
    .unwrap();
    match &out[0] {
        SourceOutcome::Failed { error, .. } => {
            let m = error.to_string();
            assert!(
                m.contains("marinecadastre_2023.csv:1") && m.contains("\"Breite\" for lat"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_values_are_rejects_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.csv");
    std::fs::write(
        &p,
        "mmsi,time,lat,lon,status,millisecond\n\
         1,2023-01-11T00:00:00,1,2,0.5,0\n\
         2,2023-01-11T00:00:00,1,2,,1500\n\
         3,2023-01-11T00:00:00,1,2,1.0,10\n\
         9999999999,2023-01-11T00:00:00,1,2,,\n",
    )
    .unwrap();
    let st = tmp.path().join("s");
    let e = one(&st, p, &IngestOptions::default());
    assert_eq!(
        e.positions, 2,
        "0.5 is no status code: unknown, not a reject"
    );
    assert_eq!(e.rejects.get("bad_row"), Some(&2));
    let rej = e.files.iter().find(|f| f.starts_with("rejects/")).unwrap();
    let text = std::fs::read_to_string(st.join(rej)).unwrap();
    assert!(
        text.contains("\"line\":3") && text.contains("column millisecond"),
        "{text}"
    );
    assert!(
        text.contains("\"line\":5") && text.contains("column mmsi: not an MMSI"),
        "{text}"
    );
    let p = Store::open(&st).unwrap().vessel_positions(3).unwrap();
    assert_eq!((p[0].nav_status, p[0].time_ms % 1000), (Some(1), 10));
}
