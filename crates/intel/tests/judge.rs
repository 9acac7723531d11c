//! Matching a renamed ship, and estimates whose expected figures are
//! worked out by hand.

use detect::event::{evidence, Detail};
use detect::{Event, EventKind};
use intel::estimate::{estimate, EstimateParams, Munition, VesselSpec};
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

fn voyage(id: &str, mmsi: u32, t0: i64, t1: i64) -> Event {
    let ev = evidence::Voyage {
        from: Some("Najin".into()),
        to: Some("Vostochnyy".into()),
        from_kind: EventKind::DarkPortCall,
        to_kind: EventKind::PortVisit,
    };
    let mut e = Event::new(mmsi, t0, Some(t1), None, ev);
    e.id = id.into();
    e
}

fn dark_call(mmsi: u32, t0: i64, t1: i64, before: f32, after: f32) -> Event {
    let ev = evidence::DarkPortCall {
        draught_before_m: Some(before),
        draught_after_m: Some(after),
        ..Default::default()
    };
    Event::new(mmsi, t0, Some(t1), None, ev)
}

#[test]
fn a_fully_laden_voyage_with_fixed_figures() {
    // 500 TEU known exactly; draught 4.6 m before, 7.6 m after, 7.6 m
    // fully laden (no margin): load factor 1, so 500 TEU; 20 t per TEU:
    // 10,000 t; 152 mm at 50 kg: 20,000 / 50 = 400 per TEU, 200,000.
    let mmsi = 273_210_440;
    let events = vec![
        dark_call(mmsi, T0, T0 + 48 * H, 4.6, 7.6),
        voyage("v1", mmsi, T0 + 48 * H, T0 + 96 * H),
    ];
    let mut prof = Profile::new(mmsi);
    let mut id = ident(mmsi, T0, "ANGARA", Some(9_179_842));
    id.draught = Some(7.6);
    prof.add(&id);
    let p = EstimateParams {
        samples: 1000,
        full_draught_margin: 0.0,
        payload_kg_per_teu: [20_000.0, 20_000.0],
        munitions: vec![Munition {
            name: "152mm".into(),
            kg_per_round: [50.0, 50.0],
        }],
        vessels: vec![VesselSpec {
            imo: Some(9_179_842),
            teu: Some([500.0, 500.0]),
            ..VesselSpec::default()
        }],
        ..EstimateParams::default()
    };
    let e = estimate(&events, &BTreeMap::from([(mmsi, prof)]), &[], &p);
    assert_eq!(e.voyages.len(), 1);
    let v = &e.voyages[0];
    assert!(
        v.capacity_basis.starts_with("configured capacity"),
        "{}",
        v.capacity_basis
    );
    assert!((v.load_factor.p10 - 1.0).abs() < 1e-9 && (v.load_factor.p90 - 1.0).abs() < 1e-9);
    assert!((v.containers.p50 - 500.0).abs() < 1e-9);
    assert!((v.tonnes.p50 - 10_000.0).abs() < 1e-6);
    assert!((v.rounds["152mm"].p50 - 200_000.0).abs() < 1e-6);
    assert!((e.campaign.containers.p10 - 500.0).abs() < 1e-9);
}

#[test]
fn unknown_loads_give_the_uniform_and_triangular_quantiles() {
    // two voyages of a 100 TEU ship with no draughts: each carries
    // 100 x U(0,1) TEU, so P10/P50/P90 = 10/50/90; the campaign is the sum
    // of two independent uniforms on [0, 100], a triangle on [0, 200]:
    // P10 = 100 sqrt(0.2) = 44.7, P50 = 100, P90 = 200 - 44.7 = 155.3.
    let mmsi = 273_000_005;
    let events = vec![
        voyage("a", mmsi, T0, T0 + 24 * H),
        voyage("b", mmsi, T0 + 100 * H, T0 + 124 * H),
        // a voyage from an ordinary port is not part of the campaign
        {
            let mut v = voyage("c", mmsi, T0 + 200 * H, T0 + 224 * H);
            if let Detail::Voyage(x) = &mut v.evidence.detail {
                x.from_kind = EventKind::PortVisit;
                x.from = Some("Busan".into());
            }
            v
        },
    ];
    let p = EstimateParams {
        samples: 200_000,
        vessels: vec![VesselSpec {
            mmsi: Some(mmsi),
            teu: Some([100.0, 100.0]),
            ..VesselSpec::default()
        }],
        ..EstimateParams::default()
    };
    let e = estimate(&events, &BTreeMap::new(), &["Najin".to_string()], &p);
    assert_eq!(e.voyages.len(), 2);
    let c = &e.voyages[0].containers;
    for (got, want) in [(c.p10, 10.0), (c.p50, 50.0), (c.p90, 90.0)] {
        assert!((got - want).abs() < 0.5, "{got} vs {want}");
    }
    let t = &e.campaign.containers;
    for (got, want) in [(t.p10, 44.72), (t.p50, 100.0), (t.p90, 155.28)] {
        assert!((got - want).abs() < 1.0, "{got} vs {want}");
    }
    // a claim of 300 containers over both voyages is above the P90: it
    // needs 3.0x the observed voyages at median loads
    let claims = intel::claims::parse(
        "[[claim]]\nclaimant = \"x\"\ndate = \"2023-09-30\"\nquantity = 300\nunit = \"containers\"\nperiod = [\"2023-09-01\", \"2023-09-30\"]\n",
    )
    .unwrap();
    let checks = intel::claims::check(&claims, &e.samples, &["152mm".into()], &[], T0);
    assert_eq!(checks[0].verdict, "above");
    assert!(
        checks[0].explanation.contains("needs 3.0x"),
        "{}",
        checks[0].explanation
    );
    assert_eq!(checks[0].observed_voyages, 2);
}

#[test]
fn draught_gives_the_load_factor_range() {
    // before 4.0 m, after 6.0 m, deepest broadcast 8.0 m, margin 10%: the
    // full draught is U(8.0, 8.8) so the load factor is 2 / (F - 4) between
    // 2/4.8 = 0.417 and 2/4 = 0.5; with 200 TEU: 83.3 to 100 TEU.
    let mmsi = 273_000_006;
    let events = vec![
        dark_call(mmsi, T0, T0 + 48 * H, 4.0, 6.0),
        voyage("v", mmsi, T0 + 48 * H, T0 + 96 * H),
    ];
    let mut prof = Profile::new(mmsi);
    let mut id = ident(mmsi, T0 - 100 * H, "X", None);
    id.draught = Some(8.0);
    prof.add(&id);
    let p = EstimateParams {
        samples: 20_000,
        vessels: vec![VesselSpec {
            mmsi: Some(mmsi),
            teu: Some([200.0, 200.0]),
            ..VesselSpec::default()
        }],
        ..EstimateParams::default()
    };
    let e = estimate(&events, &BTreeMap::from([(mmsi, prof)]), &[], &p);
    let c = &e.voyages[0].containers;
    assert!(c.p10 > 83.3 && c.p90 < 100.0, "{c:?}");
    // median of 400 / (F - 4) with F uniform on [8, 8.8]: F = 8.4, 90.9
    assert!((c.p50 - 90.9).abs() < 0.3, "{c:?}");
}
