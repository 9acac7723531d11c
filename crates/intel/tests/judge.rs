//! Matching a renamed ship and a reused MMSI (estimates and claims:
//! `cargo.rs`).

use intel::matching::{match_all, MatchParams};
use intel::profile::Profile;
use intel::watchlist::Entry;
use std::collections::BTreeMap;
use store::Identity;

const H: i64 = 3_600_000;
const T0: i64 = 1_694_044_800_000;

fn ident(mmsi: u32, t: i64, name: &str, imo: Option<u32>) -> Identity {
    Identity {
        time_ms: t,
        mmsi,
        msg_type: 5,
        name: Some(name.into()),
        imo,
        ..Identity::default()
    }
}

#[test]
fn a_ship_renamed_twice_is_still_found() {
    // listed under its first name, with no IMO or MMSI; it broadcast that
    // name, then two others on the same MMSI
    let entries = vec![
        Entry {
            list: "test".into(),
            name: "OCEAN RISING".into(),
            ..Entry::default()
        },
        Entry {
            list: "test".into(),
            name: "Somebody Else".into(),
            imo: Some(9_000_001),
            ..Entry::default()
        },
    ];
    let mut p = Profile::new(273_298_410);
    p.add(&ident(273_298_410, T0, "OCEAN RISING", None));
    p.add(&ident(273_298_410, T0 + 100 * H, "BBC HAWAII", None));
    p.add(&ident(273_298_410, T0 + 200 * H, "M/V Neptune Crow", None));
    // an unrelated ship broadcasting the other entry's MMSI-less name only
    let mut q = Profile::new(351_000_001);
    q.add(&ident(351_000_001, T0, "UNRELATED", Some(9_000_002)));
    let profiles = BTreeMap::from([(p.mmsi, p), (q.mmsi, q)]);
    let m = match_all(&profiles, &entries, &MatchParams::default());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].mmsi, m[0].entry), (273_298_410, 0));
    assert_eq!(m[0].basis[0].field, "name");
    assert!(m[0].basis[0]
        .note
        .as_deref()
        .unwrap()
        .contains("former name"));
    assert_eq!(m[0].level, "weak");

    // listed under its latest name with the earlier ones as aliases, and
    // an IMO: the IMO makes it strong, the names add to it
    let entries = vec![Entry {
        list: "test".into(),
        name: "NEPTUNE CROW".into(),
        aliases: vec!["BBC Hawaii".into()],
        imo: Some(9_300_001),
        ..Entry::default()
    }];
    let mut p = Profile::new(273_299_990);
    p.add(&ident(273_299_990, T0, "BBC HAWAII", Some(9_300_001)));
    p.add(&ident(273_299_990, T0 + H, "NEPTUNE CROW", Some(9_300_001)));
    let m = match_all(
        &BTreeMap::from([(p.mmsi, p)]),
        &entries,
        &MatchParams::default(),
    );
    assert_eq!(m.len(), 1);
    // 1 - (1 - 0.95)(1 - 0.4) = 0.97
    assert!((m[0].strength - 0.97).abs() < 1e-9, "{}", m[0].strength);
    assert_eq!(m[0].level, "strong");
}

#[test]
fn a_reused_mmsi_is_not_a_strong_match() {
    let entries = vec![Entry {
        list: "test".into(),
        name: "OLD SHIP".into(),
        imo: Some(9_100_000),
        mmsi: Some(273_000_001),
        ..Entry::default()
    }];
    let mut p = Profile::new(273_000_001);
    p.add(&ident(273_000_001, T0, "NEW OWNER", Some(9_200_000)));
    let params = MatchParams {
        min_strength: 0.0,
        ..MatchParams::default()
    };
    let m = match_all(&BTreeMap::from([(p.mmsi, p)]), &entries, &params);
    assert_eq!(m.len(), 1);
    assert!((m[0].strength - 0.15).abs() < 1e-9);
    assert!(m[0].basis[0]
        .note
        .as_deref()
        .unwrap()
        .contains("reassigned"));
    // at the default threshold it is not reported
    let m = match_all(
        &BTreeMap::from([(273_000_001, {
            let mut p = Profile::new(273_000_001);
            p.add(&ident(273_000_001, T0, "NEW OWNER", Some(9_200_000)));
            p
        })]),
        &entries,
        &MatchParams::default(),
    );
    assert!(m.is_empty());
}
