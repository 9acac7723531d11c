//! Cargo estimates and claims, with the expected figures worked out by hand
//! in the comments.

use detect::event::evidence;
use detect::{Event, EventKind};
use intel::claims::{self, Bound, ClaimParams, Physics, Verdict};
use intel::estimate::{
    estimate, EstimateParams, LikelyMethod, Munition, Quantiles, Samples, VesselSpec,
};
use intel::profile::Profile;
use std::collections::BTreeMap;
use store::Identity;

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;
/// 2023-09-07T00:00:00Z
const T0: i64 = 1_694_044_800_000;

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
        draught_never_updated: before == after,
        ..Default::default()
    };
    Event::new(mmsi, t0, Some(t1), None, ev)
}

/// A profile of a 100 m x 20 m ship whose deepest broadcast draught is
/// `deepest`.
fn ship(mmsi: u32, deepest: f32) -> Profile {
    let mut p = Profile::new(mmsi);
    p.add(&Identity {
        time_ms: T0 - 100 * H,
        mmsi,
        msg_type: 5,
        name: Some("TEST".into()),
        ship_type: Some(70),
        to_bow: Some(80),
        to_stern: Some(20),
        to_port: Some(10),
        to_starboard: Some(10),
        draught: Some(deepest),
        ..Identity::default()
    });
    p
}

/// Every range collapsed to one figure, so the arithmetic can be done by
/// hand.
fn fixed() -> EstimateParams {
    EstimateParams {
        samples: 2_000,
        waterplane_coefficient: [0.8, 0.8],
        waterline_length_share: [0.95, 0.95],
        water_density_t_m3: [1.025, 1.025],
        draught_reading_error_m: 0.0,
        payload_kg_per_teu: [20_000.0, 20_000.0],
        deadweight_cargo_share: [0.9, 0.9],
        munitions: vec![Munition {
            name: "152mm".into(),
            kg_per_round: [50.0, 50.0],
        }],
        vessels: vec![VesselSpec {
            mmsi: Some(273_000_001),
            teu: Some([500.0, 500.0]),
            deadweight_t: Some(10_000.0),
            ..VesselSpec::default()
        }],
        ..EstimateParams::default()
    }
}

fn close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{got} vs {want} (± {tol})");
}

#[test]
fn a_draught_survey_worked_by_hand() {
    // A 100 m x 20 m ship, 4.6 m before and 6.6 m after its dark call.
    // TPC = Cwp 0.8 x Lwl (0.95 x 100 m = 95 m) x B 20 m x 1.025 t/m³
    //       / 100 = 15.58 t/cm.
    // Draught change 200 cm: 15.58 x 200 = 3,116 t displaced.
    // Boxes of 20 t of munitions + 2.3 t tare = 22.3 t: 139.73 boxes,
    // 2,794.6 t of cargo; 152 mm at 50 kg: 55,892 rounds.
    // Capacity: 500 slots, deadweight 10,000 t of which 90% cargo =
    // 9,000 t: boxes min(500, 9,000 / 22.3 = 403.59) = 403.59; tonnes
    // min(500 x 28.18 = 14,090, 9,000 x 28.18 / 30.48 = 8,320.87).
    let mmsi = 273_000_001;
    let events = vec![
        dark_call(mmsi, T0, T0 + 48 * H, 4.6, 6.6),
        voyage("v1", mmsi, T0 + 48 * H, T0 + 96 * H),
    ];
    let profiles = BTreeMap::from([(mmsi, ship(mmsi, 6.6))]);
    let e = estimate(&events, &profiles, &[], &fixed());
    assert_eq!(e.voyages.len(), 1);
    let v = &e.voyages[0];
    assert_eq!(v.likely_method, LikelyMethod::DraughtSurvey);
    assert!(
        v.likely_basis
            .starts_with("draught survey: 4.6 m -> 6.6 m, +200 cm"),
        "{}",
        v.likely_basis
    );
    close(v.tpc_t_per_cm.unwrap().p50, 15.58, 1e-9);
    close(v.draught_change_cm.unwrap(), 200.0, 1e-9);
    close(v.likely.tonnes.p50, 3_116.0 * 20.0 / 22.3, 1e-6);
    close(v.likely.containers.p50, 3_116.0 / 22.3, 1e-6);
    close(
        v.likely.rounds["152mm"].p50,
        3_116.0 * 20.0 / 22.3 * 1000.0 / 50.0,
        1e-3,
    );
    close(v.capacity.containers.p90, 9_000.0 / 22.3, 1e-6);
    close(v.capacity.tonnes.p90, 9_000.0 * 28.18 / 30.48, 1e-6);
    assert!(
        v.capacity_basis.contains("configured deadweight 10000 t"),
        "{}",
        v.capacity_basis
    );

    // Each AIS reading off by up to 5 cm (uniform): the change is 200 cm
    // plus a triangular error on [-10, 10] cm, whose P10 is
    // -10 + sqrt(0.1 x 200) = -5.53 cm: tonnes P10 = 15.58 x 194.47 x
    // 20 / 22.3 = 2,717.3, P90 = 15.58 x 205.53 x 20 / 22.3 = 2,871.9.
    let p = EstimateParams {
        samples: 200_000,
        draught_reading_error_m: 0.05,
        ..fixed()
    };
    let e = estimate(&events, &profiles, &[], &p);
    let t = &e.voyages[0].likely.tonnes;
    close(t.p10, 2_717.3, 2.0);
    close(t.p50, 2_794.6, 2.0);
    close(t.p90, 2_871.9, 2.0);
    // the worked example the report prints for it
    let w = intel::estimate::worked_survey(&e.voyages[0], &p, Some((100.0, 20.0))).unwrap();
    assert!(
        w.contains("= 15.6 t/cm") && w.contains("3,116 t displaced"),
        "{w}"
    );
}

#[test]
fn no_draught_change_falls_back_to_the_prior_and_says_so() {
    // the same draught before and after (never updated): the likely load
    // is capacity x U(0, 1): P10/P50/P90 = 0.1/0.5/0.9 x 403.59 boxes
    let mmsi = 273_000_001;
    let events = vec![
        dark_call(mmsi, T0, T0 + 48 * H, 4.6, 4.6),
        voyage("v1", mmsi, T0 + 48 * H, T0 + 96 * H),
    ];
    let p = EstimateParams {
        samples: 100_000,
        ..fixed()
    };
    let e = estimate(&events, &BTreeMap::from([(mmsi, ship(mmsi, 4.6))]), &[], &p);
    let v = &e.voyages[0];
    assert_eq!(v.likely_method, LikelyMethod::LoadFactorPrior);
    assert!(
        v.likely_basis.contains("no draught change reported")
            && v.likely_basis.contains("never updated"),
        "{}",
        v.likely_basis
    );
    let cap = 9_000.0 / 22.3;
    close(v.likely.containers.p10, 0.1 * cap, 1.5);
    close(v.likely.containers.p50, 0.5 * cap, 1.5);
    close(v.likely.containers.p90, 0.9 * cap, 1.5);
    assert_eq!((e.campaign.by_draught_survey, e.campaign.by_prior), (0, 1));

    // no dimensions, no draughts, nothing configured: slots and deadweight
    // from the priors, said in the basis
    let e = estimate(
        &[voyage("v2", 273_000_002, T0, T0 + DAY)],
        &BTreeMap::new(),
        &[],
        &EstimateParams::default(),
    );
    let b = &e.voyages[0].capacity_basis;
    assert!(
        b.contains("slots from the prior 100-1000 TEU")
            && b.contains("deadweight from the prior 2000-15000 t"),
        "{b}"
    );
    assert!(e.voyages[0].likely_basis.contains("no draught broadcast"));
}

/// One voyage starting at T0 + 1 day whose capacity is exactly 400 boxes
/// and 8,000 t and whose likely load is exactly 140 boxes and 2,800 t;
/// 152 mm rounds at 50 kg.
fn one_voyage() -> Samples {
    let n = 10;
    Samples {
        samples: n,
        capacity_containers: vec![vec![400.0; n]],
        capacity_tonnes: vec![vec![8_000.0; n]],
        likely_containers: vec![vec![140.0; n]],
        likely_tonnes: vec![vec![2_800.0; n]],
        kg_per_round: BTreeMap::from([("152mm".to_string(), vec![50.0; n])]),
        start_ms: vec![T0 + DAY],
        surveyed: vec![true],
    }
}

fn claim(q: f64, unit: &str, bound: Bound) -> claims::Claim {
    claims::Claim {
        claimant: "x".into(),
        date: "2023-09-30".into(),
        quantity: q,
        unit: unit.into(),
        bound,
        period: Some(["2023-09-07".into(), "2023-09-30".into()]),
        source: None,
        note: None,
        line: 0,
    }
}

#[test]
fn each_verdict_with_hand_worked_numbers() {
    // data from T0 (2023-09-07) for 30 days; every claim's period is
    // 2023-09-07..2023-09-30, inside it. "about" is ± 20%.
    let data = [T0, T0 + 30 * DAY];
    let s = one_voyage();
    let p = ClaimParams::default();
    let mm = ["152mm".to_string()];
    let cases = [
        // at least 100: likely 140 reaches it
        (
            claim(100.0, "containers", Bound::AtLeast),
            Verdict::Consistent,
        ),
        // ten times the capacity: 4,000 > 400
        (
            claim(4_000.0, "containers", Bound::AtLeast),
            Verdict::ExceedsCapacity,
        ),
        // at least 200: above the likely 140, within the capacity 400
        (
            claim(200.0, "containers", Bound::AtLeast),
            Verdict::ExceedsLikely,
        ),
        // about 100 allows 80-120, all under the likely 140
        (
            claim(100.0, "containers", Bound::About),
            Verdict::BelowLikely,
        ),
        // at most 100 likewise
        (
            claim(100.0, "containers", Bound::AtMost),
            Verdict::BelowLikely,
        ),
        // about 150 allows 120-180: 140 inside
        (
            claim(150.0, "containers", Bound::About),
            Verdict::Consistent,
        ),
        // at most 100 t when 2,800 t is likely
        (claim(100.0, "tonnes", Bound::AtMost), Verdict::BelowLikely),
        // rounds: capacity 8,000 t / 50 kg = 160,000; likely 56,000
        (
            claim(100_000.0, "shells", Bound::AtLeast),
            Verdict::ExceedsLikely,
        ),
        (
            claim(170_000.0, "rounds_152mm", Bound::AtLeast),
            Verdict::ExceedsCapacity,
        ),
        (
            claim(50_000.0, "rounds_152mm", Bound::About),
            Verdict::Consistent,
        ),
        // no such munition in the parameters
        (
            claim(5.0, "rounds_999mm", Bound::About),
            Verdict::NotCheckable,
        ),
        // one voyage detected; "at least 3" needs two unseen
        (
            claim(3.0, "voyages", Bound::AtLeast),
            Verdict::ExceedsLikely,
        ),
    ];
    let claims: Vec<_> = cases.iter().map(|c| c.0.clone()).collect();
    let checks = claims::check(&claims, &s, &mm, &[], data, &p);
    for (c, (cl, want)) in checks.iter().zip(&cases) {
        assert_eq!(
            c.verdict, *want,
            "{} {} {:?}: {}",
            cl.quantity, cl.unit, cl.bound, c.explanation
        );
        assert!((c.coverage - 1.0).abs() < 1e-9);
    }
    // what would have to be true, with the numbers: 4,000 is 10.0x the
    // capacity, (4,000 - 400) / 400 per voyage = 9 more voyages
    assert!(
        checks[1]
            .would_need
            .as_deref()
            .unwrap()
            .contains("10.0x the capacity")
            && checks[1]
                .would_need
                .as_deref()
                .unwrap()
                .contains("about 9 more voyages"),
        "{:?}",
        checks[1].would_need
    );
    // 200 / 400 = 50% of capacity against 140 / 400 = 35%
    assert!(
        checks[2]
            .would_need
            .as_deref()
            .unwrap()
            .contains("loads of 50% of capacity on average where the draughts show 35%"),
        "{:?}",
        checks[2].would_need
    );
    assert!(
        checks[11]
            .would_need
            .as_deref()
            .unwrap()
            .starts_with("2 more than detected"),
        "{:?}",
        checks[11].would_need
    );
    assert_eq!(checks[0].would_need, None);
}

#[test]
fn a_period_the_data_does_not_cover() {
    // data 2023-09-07..+15 days; the claim covers 2023-09-07..2023-10-06
    // (30 days): 50% covered, below the 90% needed. At the rate seen
    // (one voyage, 140 boxes likely) the whole period gives 280, which an
    // "at least 250" claim fits.
    let data = [T0, T0 + 15 * DAY];
    let mut c = claim(250.0, "containers", Bound::AtLeast);
    c.period = Some(["2023-09-07".into(), "2023-10-06".into()]);
    let checks = claims::check(&[c], &one_voyage(), &[], &[], data, &ClaimParams::default());
    let k = &checks[0];
    assert_eq!(k.verdict, Verdict::NotCovered);
    close(k.coverage, 0.5, 1e-6);
    assert!(
        k.explanation.contains("covers 50% of the claim's period"),
        "{}",
        k.explanation
    );
    let x = k.extrapolation.as_ref().unwrap();
    close(x.factor, 2.0, 1e-6);
    close(x.likely.p50, 280.0, 1e-6);
    assert_eq!(x.verdict, Verdict::Consistent);
    assert!(
        x.explanation.starts_with("extrapolated"),
        "{}",
        x.explanation
    );
    // a month-precise date covers the whole month
    assert_eq!(claims::when("2024-06").map(|w| (w.1 - w.0) / DAY), Some(30));
}

#[test]
fn the_claims_own_arithmetic() {
    // 5,000,000 shells in 10,000 containers: 500 per box x 40-52 kg =
    // 20.0-26.0 t, under the 28.18 t payload limit: possible.
    // 10,000,000 in 10,000: 1,000 x 40-52 kg = 40-52 t: impossible.
    // 6,000,000 in 10,000: 600 x 40-52 kg = 24.0-31.2 t: only at the light
    // end (marginal).
    let p = EstimateParams::default();
    let mk = |who: &str, q: f64, unit: &str| claims::Claim {
        claimant: who.into(),
        date: "2024-06".into(),
        ..claim(q, unit, Bound::About)
    };
    let ledger = vec![
        mk("a", 10_000.0, "containers"),
        mk("a", 5_000_000.0, "shells"),
        mk("b", 10_000_000.0, "rounds_152mm"),
        mk("b", 10_000.0, "containers"),
        mk("c", 10_000.0, "containers"),
        mk("c", 6_000_000.0, "shells"),
        // different claimants are not paired
        mk("d", 1.0, "containers"),
    ];
    let a = claims::arithmetic(&ledger, &p, &[]);
    assert_eq!(a.len(), 3, "{a:?}");
    close(a[0].value, 500.0, 1e-9);
    close(a[0].implied[0], 20.0, 1e-9);
    close(a[0].implied[1], 26.0, 1e-9);
    close(a[0].limit, 28.18, 1e-9);
    assert_eq!(a[0].physics, Physics::Possible);
    assert!(
        a[0].explanation
            .contains("500 rounds (152mm) per container: 20.0-26.0 t per box"),
        "{}",
        a[0].explanation
    );
    assert_eq!(a[1].physics, Physics::Impossible);
    assert_eq!(a[2].physics, Physics::Marginal);
}

#[test]
fn bad_ledger_rows_are_reported_with_their_line_and_the_rest_loads() {
    let text = r#"
[[claim]]
claimant = "good"
date = "2024-06"
quantity = 10000
unit = "containers"
bound = "at_least"

[[claim]]
claimant = "zero"
date = "2024-01-01"
quantity = 0
unit = "containers"

[[claim]]
claimant = "negative"
date = "2024-01-01"
quantity = -5
unit = "tonnes"

[[claim]]
claimant = "text"
date = "2024-01-01"
quantity = "many"
unit = "tonnes"

[[claim]]
claimant = "bound"
date = "2024-01-01"
quantity = 5
unit = "tonnes"
bound = "roughly"

[[claim]]
claimant = "unit"
date = "2024-01-01"
quantity = 5
unit = "barrels"

[[claim]]
claimant = "date"
date = "01/02/2024"
quantity = 5
unit = "tonnes"

[[claim]]
claimant = "reversed"
date = "2024-01-01"
quantity = 5
unit = "tonnes"
period = ["2024-01-01", "2023-06-01"]
"#;
    let l = claims::parse(text, "ledger.toml").unwrap();
    assert_eq!(l.claims.len(), 1);
    assert_eq!(l.claims[0].bound, Bound::AtLeast);
    assert_eq!(l.claims[0].line, 2);
    let lines: Vec<u64> = l.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [9, 15, 21, 27, 34, 40, 46], "{:?}", l.errors);
    let msg: Vec<String> = l.errors.iter().map(|e| e.to_string()).collect();
    assert!(msg[0].starts_with("ledger.toml:9: quantity 0"), "{msg:?}");
    assert!(msg[3].contains("roughly"), "{msg:?}");
    assert!(msg[4].contains("barrels"), "{msg:?}");
    assert!(msg[6].contains("ends before it starts"), "{msg:?}");
    // not TOML at all, or another table: the whole file is refused
    assert!(claims::parse("[[claim", "x").is_err());
    assert!(claims::parse("[other]\na = 1\n", "x").is_err());
    // the built-in ledger reads clean, every claim with its bound
    let b = claims::parse(claims::builtin("rason-shuttle").unwrap(), "builtin").unwrap();
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert!(b
        .claims
        .iter()
        .any(|c| c.date == "2024-06" && c.unit == "containers" && c.bound == Bound::AtLeast));
}

#[test]
fn campaign_figures_sum_the_voyages() {
    // two identical surveyed voyages: the campaign is twice one voyage
    let mmsi = 273_000_001;
    let events = vec![
        dark_call(mmsi, T0, T0 + 48 * H, 4.6, 6.6),
        voyage("v1", mmsi, T0 + 48 * H, T0 + 96 * H),
        dark_call(mmsi, T0 + 10 * DAY, T0 + 12 * DAY, 4.6, 6.6),
        voyage("v2", mmsi, T0 + 12 * DAY, T0 + 14 * DAY),
    ];
    let e = estimate(
        &events,
        &BTreeMap::from([(mmsi, ship(mmsi, 6.6))]),
        &[],
        &fixed(),
    );
    assert_eq!(e.campaign.voyages, 2);
    close(
        e.campaign.likely.tonnes.p50,
        2.0 * 3_116.0 * 20.0 / 22.3,
        1e-6,
    );
    close(
        e.campaign.capacity.containers.p50,
        2.0 * 9_000.0 / 22.3,
        1e-6,
    );
    let q: Quantiles = e.campaign.likely.rounds["152mm"];
    close(q.p50, 2.0 * 3_116.0 * 20.0 / 22.3 * 20.0, 1e-3);
}

proptest::proptest! {
    /// Any ledger text: an error or rows with lines, never a panic; any
    /// claim that loads can be checked.
    #[test]
    fn arbitrary_ledgers_never_panic(
        q in proptest::prop_oneof![proptest::num::f64::ANY, 0.0..1e12f64],
        unit in "(containers|tonnes|shells|rounds_[a-z0-9]{0,4}|voyages|port_calls|\\PC{0,6})",
        date in "(20[0-9]{2}-[0-1][0-9](-[0-3][0-9])?|\\PC{0,12})",
        bound in "(at_least|about|at_most|\\PC{0,5})",
        junk in "\\PC{0,40}",
    ) {
        let text = format!(
            "[[claim]]\nclaimant = \"x\"\ndate = {date:?}\nquantity = {q:?}\nunit = {unit:?}\nbound = {bound:?}\nperiod = [{date:?}, \"2025-01\"]\n\n{junk}\n"
        );
        if let Ok(l) = claims::parse(&text, "p.toml") {
            let _ = claims::check(&l.claims, &one_voyage(), &["152mm".into()], &[T0], [T0, T0 + DAY], &ClaimParams::default());
            let _ = claims::arithmetic(&l.claims, &EstimateParams::default(), &[]);
        }
    }
}
