//! Hand-written cases for the detectors' edges: midnight crossings, gaps
//! inside ports, the antimeridian, a vessel heard by two stations at once,
//! the worked dark-port-call example, shared MMSIs and position jumps.

use detect::gazetteer::{Gazetteer, Place};
use detect::vessel::{detect_vessel, Gap};
use detect::{EventKind, Params};
use store::{Class, Identity, Position};

const H: i64 = 3_600_000;
const T0: i64 = 1_694_044_800_000; // 2023-09-07T00:00:00Z

fn fix(t: i64, lat: f64, lon: f64, sog: f32) -> Position {
    Position {
        time_ms: t,
        mmsi: 273210440,
        lat,
        lon,
        sog: Some(sog),
        cog: Some(0.0),
        heading: None,
        nav_status: Some(0),
        msg_type: 1,
        class: Class::A,
        source: None,
        accuracy: true,
        payload_hash: 0,
    }
}

fn port_gaz() -> Gazetteer {
    Gazetteer::new(vec![Place {
        name: "Testport".into(),
        locode: Some("XXTST".into()),
        lat: 40.0,
        lon: 130.0,
    }])
}

fn kinds(ev: &[detect::Event], k: EventKind) -> Vec<detect::Event> {
    ev.iter().filter(|e| e.kind() == k).cloned().collect()
}

#[test]
fn a_port_visit_across_midnight_is_one_visit() {
    let mut fixes = Vec::new();
    // approach from 20 km out, arrive 23:00, stopped until 02:00, leave
    for i in 0..12 {
        fixes.push(fix(
            T0 - 5 * H + i * 600_000,
            40.0 - 0.2 + i as f64 * 0.015,
            130.0,
            10.0,
        ));
    }
    for i in 0..18 {
        fixes.push(fix(T0 - H + i * 600_000, 40.0, 130.0, 0.0));
    }
    for i in 0..12 {
        fixes.push(fix(
            T0 + 2 * H + i * 600_000,
            40.0 + i as f64 * 0.015,
            130.0,
            10.0,
        ));
    }
    let r = detect_vessel(273210440, &fixes, &[], &Params::default(), &port_gaz());
    let visits = kinds(&r.events, EventKind::PortVisit);
    assert_eq!(visits.len(), 1, "{visits:?}");
    let v = &visits[0];
    assert!(
        v.start.to_string().as_str() < "2023-09-07T00:00:00Z"
            && v.end.unwrap().to_string().as_str() > "2023-09-07T01:00:00Z"
    );
    assert_eq!(evidence_json(v)["level"], 4);
    assert_eq!(v.port.as_ref().unwrap().locode.as_deref(), Some("XXTST"));
}

#[test]
fn a_silence_inside_a_port_is_a_port_gap_not_a_dark_call() {
    // moving slowly in port (never below the stop speed), silent 8 h, seen again in port
    let mut fixes = vec![
        fix(T0, 40.0, 130.0, 1.0),
        fix(T0 + 600_000, 40.001, 130.0, 1.0),
    ];
    fixes.push(fix(T0 + 8 * H, 40.0, 130.001, 1.0));
    fixes.push(fix(T0 + 8 * H + 600_000, 40.0, 130.002, 1.0));
    let p = Params::default();
    let gaz = port_gaz();
    let r = detect_vessel(273210440, &fixes, &[], &p, &gaz);
    let visits = kinds(&r.events, EventKind::PortVisit);
    assert_eq!(visits.len(), 1);
    assert_eq!(evidence_json(&visits[0])["stopped_or_port_gap"], true);
    assert_eq!(r.gaps.len(), 1);
    // The port is watched and both ends are in it: a visit seen there, no dark call.
    let watched = vec![0usize];
    let mut p2 = p.clone();
    p2.dark_port_call.min_gap_hours = 6.0;
    p2.dark_port_call.min_stay_hours = 1.0;
    assert!(detect::dark_port_call(&r.gaps[0], &p2, &gaz, &watched, &Default::default()).is_none());
    // the same silence ending out at sea could have been a call
    let mut g = r.gaps[0].clone();
    g.b = (39.0, 130.0);
    assert!(detect::dark_port_call(&g, &p2, &gaz, &watched, &Default::default()).is_some());
}

#[test]
fn crossing_the_antimeridian_is_not_a_jump() {
    let fixes: Vec<Position> = (0..40)
        .map(|i| fix(T0 + i * 600_000, 10.0, 179.9 + i as f64 * 0.005, 12.0))
        .map(|mut f| {
            if f.lon > 180.0 {
                f.lon -= 360.0;
            }
            f
        })
        .collect();
    assert!(fixes.iter().any(|f| f.lon < 0.0) && fixes.iter().any(|f| f.lon > 0.0));
    let segs = detect::vessel::segments(&fixes, &Params::default());
    assert_eq!(segs.len(), 1);
    let r = detect_vessel(
        273210440,
        &fixes,
        &[],
        &Params::default(),
        &Gazetteer::new(vec![]),
    );
    assert!(
        kinds(&r.events, EventKind::PositionJump).is_empty()
            && kinds(&r.events, EventKind::SharedMmsi).is_empty()
    );
}

#[test]
fn a_vessel_heard_by_two_stations_at_once_is_one_track() {
    let mut fixes = Vec::new();
    for i in 0..30 {
        let f = fix(T0 + i * 600_000, 41.0 + i as f64 * 0.02, 131.0, 12.0);
        let mut g = f.clone();
        g.time_ms += 150; // the other station, 150 ms later
        fixes.push(f);
        fixes.push(g);
    }
    let r = detect_vessel(
        273210440,
        &fixes,
        &[],
        &Params::default(),
        &Gazetteer::new(vec![]),
    );
    assert!(
        r.events
            .iter()
            .all(|e| e.kind() != EventKind::PositionJump && e.kind() != EventKind::SharedMmsi),
        "{:?}",
        r.events
    );
    assert_eq!(
        detect::vessel::segments(&fixes, &Params::default()).len(),
        1
    );
}

#[test]
fn dark_20_nm_off_vostochny_for_70_hours_with_3_m_more_draught_is_a_dark_call_in_rason() {
    let gaz = Gazetteer::builtin();
    let p = Params::default();
    let watched: Vec<usize> = p
        .dark_port_call
        .watched_ports
        .iter()
        .filter_map(|k| gaz.find(k))
        .collect();
    // 20 nm south-west of Vostochny, 12 kn ship
    let a = sea::geo::destination(42.75, 133.083, 225.0, 20.0);
    let g = Gap {
        mmsi: 273210440,
        t0: T0,
        t1: T0 + 70 * H,
        a,
        b: a,
        draught_before: Some(4.6),
        draught_after: Some(7.6),
        top_speed_kn: 13.0,
        cruise_kn: 12.0,
        ambiguous: false,
        reappeared_as: None,
        // heading south-west, toward Rason, when it went dark
        cog_a: Some(225.0),
        cog_b: None,
    };
    let e = detect::dark_port_call(&g, &p, &gaz, &watched, &Default::default())
        .expect("a dark port call");
    let port = e.port.as_ref().unwrap();
    assert!(
        port.locode.as_deref() == Some("KPRJN") || port.name == "Sonbong",
        "{port:?}"
    );
    assert_eq!(evidence_json(&e)["draught_changed"], true);
    assert!(evidence_json(&e)["feasible_watched_ports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "Najin"));
    // without a coverage map the silence's usualness is unknown, and said so
    assert_eq!(evidence_json(&e)["coverage_known"], false);
    assert!(evidence_json(&e)["reception"]
        .as_str()
        .unwrap()
        .starts_with("few data"));
    assert!(e.confidence.is_finite() && e.confidence > 0.0 && e.confidence < 1.0);
    // the same silence where every other ship is heard all the time is
    // stronger evidence than where every ship crossing goes unheard as long
    let quiet = coverage_with(&g, 400, 0, &p);
    let deaf = coverage_with(&g, 400, 300, &p);
    let own = [g.mmsi];
    let ctx = |c: &detect::coverage::Coverage| {
        let hrs = (g.t1 - g.t0) as f64 / 3_600_000.0;
        detect::CallContext {
            usual: Some((
                c.usualness(g.a.0, g.a.1, g.t0, hrs, &own, true, &p),
                c.usualness(g.b.0, g.b.1, g.t1, hrs, &own, false, &p),
            )),
            repeats: 0,
        }
    };
    let strong = detect::dark_port_call(&g, &p, &gaz, &watched, &ctx(&quiet)).unwrap();
    let weak = detect::dark_port_call(&g, &p, &gaz, &watched, &ctx(&deaf)).unwrap();
    assert!(
        strong.confidence > weak.confidence + 0.2,
        "{} vs {}",
        strong.confidence,
        weak.confidence
    );
    assert_eq!(
        evidence_json(&strong)["coverage_where_it_went_dark"]["silences_as_long"],
        0
    );
    assert_eq!(
        evidence_json(&weak)["coverage_where_it_went_dark"]["silences_as_long"],
        300
    );
    // the same silence, only 10 hours long: not enough to get there and back
    let short = Gap {
        t1: T0 + 10 * H,
        ..g.clone()
    };
    assert!(detect::dark_port_call(&short, &p, &gaz, &watched, &Default::default()).is_none());
    // a silence fully explained by sailing straight on is not a call
    let far = sea::geo::destination(a.0, a.1, 90.0, 800.0);
    let passage = Gap {
        b: far,
        t1: T0 + 70 * H,
        ..g
    };
    assert!(detect::dark_port_call(&passage, &p, &gaz, &watched, &Default::default()).is_none());
}

#[test]
fn interleaved_streams_are_a_shared_mmsi_and_a_silent_excursion_is_a_jump() {
    let p = Params::default();
    // two transmitters 300 nm apart, alternating every 10 minutes for 2 days
    let fixes: Vec<Position> = (0..288)
        .map(|i| {
            if i % 2 == 0 {
                fix(T0 + i * 600_000, 35.0, 129.0 + i as f64 * 1e-4, 0.1)
            } else {
                fix(T0 + i * 600_000, 30.0, 122.0, 0.1)
            }
        })
        .collect();
    let ids = vec![
        Identity {
            time_ms: T0,
            mmsi: 273210440,
            msg_type: 5,
            callsign: Some("AAA".into()),
            draught: Some(5.0),
            ..Identity::default()
        },
        Identity {
            time_ms: T0 + 600_000,
            mmsi: 273210440,
            msg_type: 5,
            callsign: Some("BBB".into()),
            draught: Some(9.0),
            ..Identity::default()
        },
    ];
    let r = detect_vessel(273210440, &fixes, &ids, &p, &Gazetteer::new(vec![]));
    let s = kinds(&r.events, EventKind::SharedMmsi);
    assert_eq!(s.len(), 1, "{:?}", r.events);
    assert_eq!(evidence_json(&s[0])["identity_flips"], 1);
    assert!(
        kinds(&r.events, EventKind::IdentityChange).is_empty()
            && kinds(&r.events, EventKind::DraughtChange).is_empty()
    );
    // one transmitter, displaced 60 nm for 6 hours while its own track is silent
    let mut fixes: Vec<Position> = (0..72)
        .map(|i| fix(T0 + i * 600_000, 40.0, 131.0, 0.1))
        .collect();
    for f in fixes.iter_mut().skip(30).take(36) {
        f.lat += 1.0;
    }
    let r = detect_vessel(273210440, &fixes, &[], &p, &Gazetteer::new(vec![]));
    let j = kinds(&r.events, EventKind::PositionJump);
    assert_eq!(j.len(), 1, "{:?}", r.events);
    assert!((evidence_json(&j[0])["offset_nm"].as_f64().unwrap() - 60.0).abs() < 1.0);
    assert!(kinds(&r.events, EventKind::SharedMmsi).is_empty());
}

#[test]
fn a_user_area_is_a_port_with_its_edge_as_the_entry() {
    // a 10 km circle 100 km from any gazetteer port; entry at its edge,
    // where a port reference point would need the ship within 6 km
    let mut gaz = Gazetteer::new(vec![]);
    let fence = sea::geofence::Geofence::circle("Anchorage Z", 41.0, 132.0, 10.0).unwrap();
    gaz.add_fence(fence, true);
    let p = Params::default();
    let mut fixes = Vec::new();
    // in from 30 km north, stop 8 km from the centre for 10 hours, leave
    for i in 0..12 {
        let (lat, lon) = sea::geo::destination(41.0, 132.0, 0.0, (30.0 - 2.0 * i as f64) / 1.852);
        fixes.push(fix(T0 + i * 600_000, lat, lon, 8.0));
    }
    let (slat, slon) = sea::geo::destination(41.0, 132.0, 0.0, 8.0 / 1.852);
    for i in 0..60 {
        fixes.push(fix(T0 + 2 * H + i * 600_000, slat, slon, 0.0));
    }
    for i in 0..12 {
        let (lat, lon) = sea::geo::destination(41.0, 132.0, 0.0, (8.0 + 2.0 * i as f64) / 1.852);
        fixes.push(fix(T0 + 12 * H + i * 600_000, lat, lon, 8.0));
    }
    let r = detect_vessel(273210440, &fixes, &[], &p, &gaz);
    let v = kinds(&r.events, EventKind::PortVisit);
    assert_eq!(v.len(), 1, "{:?}", r.events);
    assert_eq!(v[0].port.as_ref().unwrap().name, "Anchorage Z");
    assert_eq!(evidence_json(&v[0])["level"], 4);
    assert_eq!(evidence_json(&v[0])["user_area"], true);
    // entered between 20 and 22 km out from the centre's 30 km start: at
    // the 10 km edge, i.e. fix 10 (30 - 20 km)
    assert_eq!(v[0].start_ms(), T0 + 10 * 600_000);
    // the same track with only the gazetteer: the stop is 8 km from the
    // point, beyond the 6 km entry, so no visit
    let point = Gazetteer::new(vec![Place {
        name: "Point".into(),
        locode: None,
        lat: 41.0,
        lon: 132.0,
    }]);
    let r = detect_vessel(273210440, &fixes, &[], &p, &point);
    assert!(kinds(&r.events, EventKind::PortVisit).is_empty());
}

#[test]
fn geofences_from_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("areas.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Pier <7>"},
          "geometry":{"type":"Polygon","coordinates":[[[132.0,41.0],[132.1,41.0],[132.1,41.1],[132.0,41.1],[132.0,41.0]]]}}]}"#,
    )
    .unwrap();
    let p = Params::from_toml(
        "[[detect.geofences]]\ngeojson = \"areas.geojson\"\nwatched = true\n\n[[detect.geofences]]\nname = \"Ring\"\nlat = 40.0\nlon = 133.0\nradius_km = 3.0\n",
    )
    .unwrap();
    let gaz = Gazetteer::for_params(&p, Some(dir.path())).unwrap();
    let i = gaz.find("Pier <7>").unwrap();
    let j = gaz.find("Ring").unwrap();
    assert!(gaz.is_fence(i) && gaz.is_fence(j));
    assert_eq!(gaz.watched_fences, vec![i]);
    assert_eq!(gaz.distance_km(i, 41.05, 132.05), 0.0);
    assert!(gaz.nearest(41.05, 132.05, 0.0).is_some_and(|x| x.0 == i));
}

#[test]
fn identities_merge_over_time_and_type_changes_are_reported() {
    let id = |t: i64, f: &dyn Fn(&mut Identity)| {
        let mut i = Identity {
            time_ms: t,
            mmsi: 273210440,
            msg_type: 24,
            ..Identity::default()
        };
        f(&mut i);
        i
    };
    let ids = vec![
        id(T0, &|i| i.name = Some("OCEAN ONE".into())),
        id(T0 + H, &|i| {
            i.callsign = Some("UBX1".into());
            i.ship_type = Some(70);
        }),
        id(T0 + 2 * H, &|i| i.name = Some("OCEAN ONE".into())),
        // class B part A again, then part B with a new type: a change
        // even though the report just before carried no type
        id(T0 + 3 * H, &|i| i.ship_type = Some(80)),
    ];
    let log = detect::vessel::identity_log(273210440, &ids);
    let at = |t| detect::vessel::identity_at(&log, t).unwrap().clone();
    assert_eq!(at(T0 - H).name.as_deref(), Some("OCEAN ONE"));
    assert_eq!(at(T0 + 90 * 60_000).ship_type, Some(70));
    assert_eq!(at(T0 + 90 * 60_000).callsign.as_deref(), Some("UBX1"));
    assert_eq!(at(T0 + 4 * H).ship_type, Some(80));
    assert_eq!(at(T0).flag.as_deref(), Some("RU"));
    let fixes: Vec<Position> = (0..30)
        .map(|i| fix(T0 + i * 600_000, 40.0, 131.0, 0.1))
        .collect();
    let r = detect_vessel(
        273210440,
        &fixes,
        &ids,
        &Params::default(),
        &Gazetteer::new(vec![]),
    );
    let c = kinds(&r.events, EventKind::IdentityChange);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(evidence_json(&c[0])["changes"][0]["field"], "ship_type");
    assert_eq!(evidence_json(&c[0])["changes"][0]["from"], 70);
    assert_eq!(evidence_json(&c[0])["changes"][0]["to"], 80);
}

#[test]
fn streaming_loitering_matches_a_run_at_the_end_of_the_data() {
    // 5 hours drifting at 0.5 kn far from ports, data ends while drifting
    let p = Params::default();
    let gaz = Gazetteer::new(vec![]);
    let mut t = detect::vessel::LoiterTracker::default();
    let mut out = Vec::new();
    for i in 0..30 {
        out.extend(t.push(
            273210440,
            &fix(T0 + i * 600_000, 40.0, 131.0, 0.5),
            &p,
            &gaz,
        ));
    }
    assert!(out.is_empty(), "nothing ends before the data does");
    let end = t.finish(273210440, &p, &gaz);
    let (e, _) = end.as_ref().expect("the stop in progress is reported");
    assert_eq!(e.start_ms(), T0);
    assert_eq!(e.end_ms(), T0 + 29 * 600_000);
}

#[test]
fn a_short_stop_is_measured_fix_by_fix_and_a_speed_glitch_does_not_split_it() {
    // sailing at 9 kn, stopped 3 h 20 min (fixes every 10 min, one of them
    // a 12 kn glitch), sailing again: hourly bins would see under 3 slow
    // hours; fix by fix the stop is 3 h 20 min, its edges halfway to the
    // fast fixes around it
    let p = Params::default();
    let gaz = Gazetteer::new(vec![]);
    let mut t = detect::vessel::LoiterTracker::default();
    let mut out = Vec::new();
    let m = 600_000;
    for i in 0..60i64 {
        let sog = match i {
            5 => 0.8,
            10..=29 if i != 17 => 1.2,
            10..=29 => 12.0,
            _ => 9.0,
        };
        out.extend(t.push(
            273210440,
            &fix(T0 + 7 * m + i * m, 40.0, 131.0, sog),
            &p,
            &gaz,
        ));
    }
    out.extend(t.finish(273210440, &p, &gaz));
    assert_eq!(
        out.len(),
        1,
        "{:?}",
        out.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    let (e, _) = &out[0];
    assert_eq!(e.start_ms(), T0 + 7 * m + 10 * m - m / 2);
    assert_eq!(e.end_ms(), T0 + 7 * m + 29 * m + m / 2);
    assert_eq!(evidence_json(e)["fixes"], 19);
    // two fast fixes in a row end a run; a stop under min_hours is none
    let mut t = detect::vessel::LoiterTracker::default();
    let mut out = Vec::new();
    for i in 0..40i64 {
        let sog = if (16..=17).contains(&i) { 9.0 } else { 0.5 };
        out.extend(t.push(273210440, &fix(T0 + i * m, 40.0, 131.0, sog), &p, &gaz));
    }
    out.extend(t.finish(273210440, &p, &gaz));
    assert_eq!(out.len(), 1, "the first 2.6 h are too short");
    assert_eq!(out[0].0.start_ms(), T0 + 17 * m + m / 2);
}

#[test]
fn repeated_identity_reports_collapse_to_first_and_last() {
    let id = |t: i64, d: f32| Identity {
        time_ms: t,
        mmsi: 273210440,
        msg_type: 5,
        name: Some("ANGARA".into()),
        draught: Some(d),
        ..Identity::default()
    };
    // out of order on purpose; draught 5 x4, then 7 x3, then 5 once
    let mut v = vec![
        id(T0 + 2 * H, 5.0),
        id(T0, 5.0),
        id(T0 + H, 5.0),
        id(T0 + 3 * H, 5.0),
        id(T0 + 4 * H, 7.0),
        id(T0 + 6 * H, 7.0),
        id(T0 + 5 * H, 7.0),
        id(T0 + 7 * H, 5.0),
    ];
    detect::collapse_identities(&mut v);
    let got: Vec<(i64, f32)> = v
        .iter()
        .map(|i| ((i.time_ms - T0) / H, i.draught.unwrap()))
        .collect();
    assert_eq!(got, vec![(0, 5.0), (3, 5.0), (4, 7.0), (6, 7.0), (7, 5.0)]);
}

/// A coverage map around a gap's ends: `visits` visits of other vessels on
/// the gap's first day, `long` of them followed by a silence longer than
/// the gap (and preceded by one, at the other end).
fn coverage_with(g: &Gap, visits: u32, long: usize, p: &Params) -> detect::coverage::Coverage {
    let mut c = detect::coverage::Coverage::new(p);
    for (lat, lon, t) in [(g.a.0, g.a.1, g.t0), (g.b.0, g.b.1, g.t1)] {
        let (cy, cx) = detect::coverage::cell_of(lat, lon, p.gaps.density_cell_deg);
        c.add_visits((t.div_euclid(86_400_000), cy, cx), visits);
    }
    for k in 0..long {
        let other = Gap {
            mmsi: 100_000_000 + k as u32,
            t1: g.t1 + 10 * H,
            ..g.clone()
        };
        c.add_silence(&other);
    }
    c
}

#[test]
fn a_spoof_repeated_at_the_same_false_place_is_two_jumps_not_a_shared_mmsi() {
    let p = Params::default();
    // one ship reporting every 10 minutes for 14 days; twice, twelve days
    // apart, for two hours, its broadcast position is one false place
    // 80 nm away while its own track is silent
    let mut fixes: Vec<Position> = (0..14 * 144)
        .map(|i| fix(T0 + i * 600_000, 40.0 + i as f64 * 1e-5, 131.0, 0.1))
        .collect();
    for start in [20 * 6, 20 * 6 + 12 * 144] {
        for f in fixes.iter_mut().skip(start).take(12) {
            f.lat = 41.3;
            f.lon = 131.2;
        }
    }
    let r = detect_vessel(273210440, &fixes, &[], &p, &Gazetteer::new(vec![]));
    let j = kinds(&r.events, EventKind::PositionJump);
    assert_eq!(j.len(), 2, "{:?}", r.events);
    assert!(
        kinds(&r.events, EventKind::SharedMmsi).is_empty(),
        "{:?}",
        r.events
    );
    assert_eq!(evidence_json(&j[0])["times_at_this_false_place"], 2);
    assert!(j
        .iter()
        .all(|e| evidence_json(e)["hours"].as_f64().unwrap() < 2.0));
}

#[test]
fn unusable_coverage_and_calibration_values_are_errors_naming_the_key() {
    for (text, key) in [
        (
            "[detect.coverage]\nwindow_days = nan\n",
            "coverage.window_days",
        ),
        (
            "[detect.coverage]\nwindow_days = 1e300\n",
            "coverage.window_days",
        ),
        (
            "[detect.coverage]\nwindow_days = -1.0\n",
            "coverage.window_days",
        ),
        (
            "[detect.tracks]\ndormant_hours = inf\n",
            "tracks.dormant_hours",
        ),
        (
            "[detect.calibration.dark_port_call]\nintercept = nan\n",
            "calibration.dark_port_call.intercept",
        ),
        (
            "[detect.calibration.ais_gap.weights]\ncov_start = -inf\n",
            "calibration.ais_gap.cov_start",
        ),
        (
            "[detect.calibration.platt]\nport_visit = [nan, 1.0]\n",
            "calibration.platt.port_visit",
        ),
        (
            "[detect.calibration]\ndark_port_call_scale = [inf, 0.0]\n",
            "calibration.dark_port_call_scale",
        ),
        (
            "[detect.tracks]\nmax_vessel_fixes = 0\n",
            "tracks.max_vessel_fixes",
        ),
    ] {
        let e = Params::from_toml(text).expect_err(text);
        assert!(e.contains(key), "{text}: {e}");
    }
    // set in code past the check, a huge window is clamped: the query ends
    let mut p = Params::default();
    p.coverage.window_days = f64::MAX;
    let c = detect::coverage::Coverage::new(&p);
    let u = c.usualness(42.0, 131.0, T0, 40.0, &[1], true, &p);
    assert_eq!(u.visits, 0);
    assert!(u.share.is_finite());
}

/// Every numeric threshold of `[detect]`, set to a value no computation can
/// use (NaN, infinite, negative, far too large), is refused with one error
/// that names its key; never a panic, never a silent default.
#[test]
fn every_threshold_out_of_range_is_refused_by_name() {
    let text = toml::to_string(&Params::default()).unwrap();
    let all: toml::Table = toml::from_str(&text).unwrap();
    let mut checked = 0;
    for (section, v) in &all {
        let Some(t) = v.as_table() else { continue };
        if section == "calibration" {
            continue; // coefficients may be any finite number: tested above
        }
        for (key, value) in t {
            let bads: &[&str] = match value {
                toml::Value::Float(_) => &["nan", "inf", "-1.0", "1e300"],
                toml::Value::Integer(_) => &["-1", "1000000000000"],
                toml::Value::Array(_) => &["[nan]", "[-1.0]"],
                _ => continue,
            };
            for bad in bads {
                // integers that are counts only have a floor
                if *bad == "1000000000000"
                    && matches!(
                        key.as_str(),
                        "min_segment_fixes" | "jump_max_repeats" | "max_vessel_fixes"
                    )
                {
                    continue;
                }
                let cfg = format!("[detect.{section}]\n{key} = {bad}\n");
                match Params::from_toml(&cfg) {
                    Ok(_) => panic!("accepted: {cfg}"),
                    Err(e) => assert!(
                        e.contains(&format!("{section}.{key}")) || e.contains(key),
                        "{cfg}: {e}"
                    ),
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 100, "{checked} values checked");
    // ranges that depend on each other
    for (cfg, key) in [
        (
            "[detect.ports]\nentry_km = 6.0\nexit_km = 5.0\n",
            "ports.exit_km",
        ),
        (
            "[detect.ports]\nstop_kn = 1.0\nmoving_kn = 0.5\n",
            "ports.moving_kn",
        ),
        (
            "[detect.encounters]\nbucket_minutes = 0\n",
            "encounters.bucket_minutes",
        ),
        (
            "[detect.gaps]\ndensity_cell_deg = 0.0\n",
            "gaps.density_cell_deg",
        ),
        (
            "[[detect.geofences]]\nlat = 91.0\nlon = 0.0\nradius_km = 1.0\n",
            "geofences[0].lat",
        ),
        (
            "[[detect.geofences]]\nlat = 0.0\nlon = 0.0\nradius_km = -1.0\n",
            "geofences[0].radius_km",
        ),
    ] {
        let e = Params::from_toml(cfg).expect_err(cfg);
        assert!(e.contains(key), "{cfg}: {e}");
    }
}

/// An event's evidence as written to events files.
fn evidence_json(e: &detect::Event) -> serde_json::Value {
    e.evidence.to_value().expect("evidence serializes")
}
