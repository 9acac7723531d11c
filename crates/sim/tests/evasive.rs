//! The `rason-evasive` scenario and the optional scenario features it uses
//! (varying dark radius, draught never updated, AIS off in the home port,
//! offshore waits, coastal waypoints, idling at sea, a spoof repeated at a
//! fixed false place, irregular satellite passes), checked on the feed
//! decoded by the product's decoder against the truth.

use ais::{Body, Decoder};
use sea::geo::distance_nm;
use sim::{Options, Scenario};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

struct Fix {
    t: i64,
    lat: f64,
    lon: f64,
    sog: f64,
    status: u8,
    station: String,
}

struct Run {
    summary: sim::Summary,
    fixes: HashMap<u32, Vec<Fix>>,
    /// (receive time, draught m) of each type 5 heard, per MMSI
    draughts: HashMap<u32, Vec<(i64, f64)>>,
    truth: Vec<serde_json::Value>,
}

fn read_run(dir: &Path, summary: sim::Summary) -> Run {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("ais.nmea.gz")).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut dec = Decoder::new();
    let mut fixes: HashMap<u32, Vec<Fix>> = HashMap::new();
    let mut draughts: HashMap<u32, Vec<(i64, f64)>> = HashMap::new();
    for line in text.split(|&c| c == b'\n') {
        if let Ok(Some(d)) = dec.feed(line) {
            let m = &d.message;
            let t = d.meta.received_ms.expect("tag-block time");
            let (sog, status) = match &m.body {
                Body::Position(p) => (p.speed as f64 / 10.0, p.status),
                Body::ClassBPosition(p) => (p.speed as f64 / 10.0, 0),
                Body::StaticAndVoyage(s) => {
                    draughts
                        .entry(m.mmsi)
                        .or_default()
                        .push((t, s.draught as f64 / 10.0));
                    continue;
                }
                _ => continue,
            };
            let (lon, lat) = m.position().expect("simulated positions are valid");
            fixes.entry(m.mmsi).or_default().push(Fix {
                t,
                lat,
                lon,
                sog,
                status,
                station: d.meta.source.as_str().to_string(),
            });
        }
    }
    dec.finish();
    for v in fixes.values_mut() {
        v.sort_by_key(|f| f.t);
    }
    let truth = std::fs::read_to_string(dir.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Run {
        summary,
        fixes,
        draughts,
        truth,
    }
}

fn time(v: &serde_json::Value) -> i64 {
    sim::world::parse_time(v.as_str().unwrap()).unwrap()
}

/// A receiver network that hears every report (a satellite whose pass
/// lasts all day): what the ships broadcast, not what poor coverage lets
/// through, is checked.
fn hear_everything(s: &mut Scenario) {
    let r = &mut s.reception;
    r.satellite_passes_per_day = 1.0;
    r.satellite_pass_minutes = 1440.0;
    r.satellite_p = 1.0;
    r.satellite_pass_jitter_minutes = 0.0;
    r.corrupt_fraction = 0.0;
    r.fragment_loss = 0.0;
}

fn simulate(s: &Scenario, days: f64) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let summary = sim::run(
        s,
        &Options {
            days: Some(days),
            ..Options::default()
        },
        tmp.path(),
    )
    .unwrap();
    read_run(tmp.path(), summary)
}

/// The evasive world over 15 days, everything heard (shared by the tests).
fn world() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut s = Scenario::load("rason-evasive").unwrap();
        hear_everything(&mut s);
        simulate(&s, 15.0)
    })
}

fn events<'a>(run: &'a Run, kind: &str) -> Vec<&'a serde_json::Value> {
    run.truth
        .iter()
        .filter(|r| r["record"] == "event" && r["kind"] == kind)
        .collect()
}

fn port_berth(run: &Run, key: &str) -> (f64, f64) {
    let p = run
        .truth
        .iter()
        .find(|r| r["record"] == "port" && (r["locode"] == key || r["name"] == key))
        .unwrap_or_else(|| panic!("no port {key} in the truth"));
    (p["lat"].as_f64().unwrap(), p["lon"].as_f64().unwrap())
}

fn pos(e: &serde_json::Value) -> (f64, f64) {
    (e["lat"].as_f64().unwrap(), e["lon"].as_f64().unwrap())
}

#[test]
fn the_evasive_scenario_builds_and_runs() {
    let scn = Scenario::load("rason-evasive").unwrap();
    assert_eq!(scn.days, 45.0);
    assert!(Scenario::builtin_text("rason-evasive")
        .unwrap()
        .contains("SIMULATED"));
    let run = world();
    let fleet: usize = scn.fleet.iter().map(|f| f.count).sum();
    let pairs = scn.rendezvous.as_ref().unwrap().pairs;
    assert_eq!(
        run.summary.vessels,
        scn.shuttles.len() + fleet + 2 * pairs + 2 * scn.shared_mmsi.len()
    );
    let count = |kind: &str| events(run, kind).len();
    assert!(count("dark_port_call") >= 4, "{}", count("dark_port_call"));
    assert_eq!(count("ais_gap"), count("dark_port_call"));
    assert_eq!(count("position_jump"), 2);
    assert_eq!(count("shared_mmsi"), 1);
    let activity = |a: &str| {
        events(run, "loitering")
            .iter()
            .filter(|e| e["evidence"]["activity"] == a)
            .count()
    };
    assert!(activity("waiting for a berth") >= 10);
    assert!(activity("idling at sea") >= 5);
    assert!(activity("fishing") >= 10);
    assert!(
        events(run, "voyage")
            .iter()
            .filter(|e| e["evidence"]["coastal_waypoint"].is_array())
            .count()
            >= 5
    );
    // No fix on land, none faster than the ship can sail (a fixed false
    // place and a shared MMSI excepted).
    let mask = sea::LandMask::global();
    let max_speed: HashMap<u64, f64> = run
        .truth
        .iter()
        .filter(|r| r["record"] == "vessel")
        .map(|r| {
            (
                r["mmsi"].as_u64().unwrap(),
                r["max_speed_kn"].as_f64().unwrap(),
            )
        })
        .collect();
    let odd: HashSet<u64> = events(run, "shared_mmsi")
        .iter()
        .chain(events(run, "position_jump").iter())
        .map(|e| e["mmsi"].as_u64().unwrap())
        .collect();
    let mut legs = 0;
    for (mmsi, fixes) in &run.fixes {
        for f in fixes {
            assert!(
                !mask.is_land(f.lat, f.lon),
                "{mmsi} on land at {},{}",
                f.lat,
                f.lon
            );
        }
        if odd.contains(&(*mmsi as u64)) {
            continue;
        }
        let vmax = max_speed[&(*mmsi as u64)];
        for w in fixes.windows(2) {
            let dt_h = (w[1].t - w[0].t) as f64 / 3_600_000.0;
            let d = distance_nm(w[0].lat, w[0].lon, w[1].lat, w[1].lon);
            if dt_h > 0.05 {
                legs += 1;
                assert!(
                    d / dt_h <= vmax * 1.05 + 0.5,
                    "{mmsi}: {:.1} kn over {:.0} s",
                    d / dt_h,
                    dt_h * 3600.0
                );
            }
            assert!(w[0].sog <= vmax + 0.1, "{mmsi} reports {} kn", w[0].sog);
        }
    }
    assert!(legs > 10_000, "{legs}");
}

#[test]
fn a_repeated_spoof_broadcasts_the_same_false_place() {
    let run = world();
    let jumps = events(run, "position_jump");
    assert_eq!(jumps.len(), 2);
    let mmsi = jumps[0]["mmsi"].as_u64().unwrap() as u32;
    assert!(jumps.iter().all(|j| j["mmsi"] == mmsi));
    let starts: Vec<i64> = jumps.iter().map(|j| time(&j["start"])).collect();
    assert_eq!(starts[1] - starts[0], 288 * 3_600_000, "12 days apart");
    let scn = Scenario::load("rason-evasive").unwrap();
    let sp = &scn.spoof[0];
    let place = (sp.lat.unwrap(), sp.lon.unwrap());
    let fixes = &run.fixes[&mmsi];
    for j in &jumps {
        assert_eq!(j["evidence"]["false_lat"], place.0);
        let (t0, t1) = (time(&j["start"]), time(&j["end"]));
        assert_eq!(t1 - t0, 2 * 3_600_000);
        // receive times lag transmissions by up to 4 s
        let inside: Vec<&Fix> = fixes
            .iter()
            .filter(|f| f.t >= t0 + 5_000 && f.t < t1)
            .collect();
        assert!(inside.len() >= 8, "{} fixes in a 2 h window", inside.len());
        for f in &inside {
            let d = distance_nm(f.lat, f.lon, place.0, place.1);
            assert!(d < 0.2, "{d:.2} nm from the false place");
        }
        // before and after, the true track (the ship is not really there)
        let before = fixes.iter().rev().find(|f| f.t < t0).unwrap();
        let after = fixes.iter().find(|f| f.t >= t1 + 5_000).unwrap();
        for f in [before, after] {
            assert!(distance_nm(f.lat, f.lon, place.0, place.1) > 5.0);
        }
    }
}

fn shuttle_mmsis(run: &Run, scn: &Scenario, update: bool) -> Vec<u32> {
    let pr = scn.shuttle_profile.as_ref().unwrap();
    let v: Vec<u32> = scn
        .shuttles
        .iter()
        .filter(|s| s.update_draught.unwrap_or(pr.update_draught) == update)
        .map(|s| s.mmsi)
        .collect();
    assert!(v.iter().all(|m| run.fixes.contains_key(m)));
    v
}

#[test]
fn ships_that_never_update_draught_always_broadcast_ballast() {
    let run = world();
    let scn = Scenario::load("rason-evasive").unwrap();
    let ballast = scn.shuttle_profile.as_ref().unwrap().draught_ballast_m;
    let silent = shuttle_mmsis(run, &scn, false);
    let updating = shuttle_mmsis(run, &scn, true);
    assert!(!silent.is_empty() && !updating.is_empty());
    for m in &silent {
        let d = &run.draughts[m];
        assert!(d.len() > 100);
        assert!(
            d.iter().all(|x| (x.1 - ballast).abs() < 0.05),
            "{m} broadcast a draught other than {ballast}"
        );
        assert!(!run
            .truth
            .iter()
            .any(|r| r["kind"] == "draught_change" && r["mmsi"] == *m));
        let calls: Vec<_> = events(run, "dark_port_call")
            .into_iter()
            .filter(|e| e["mmsi"] == *m)
            .collect();
        assert!(!calls.is_empty());
        assert!(calls
            .iter()
            .all(|c| c["evidence"]["draught_broadcast"] == false));
    }
    // the others show their laden draught after a call
    let laden = updating
        .iter()
        .filter(|m| run.draughts[m].iter().any(|x| x.1 > ballast + 1.0))
        .count();
    assert!(laden >= 1);
    assert!(events(run, "dark_port_call")
        .iter()
        .filter(|e| updating.contains(&(e["mmsi"].as_u64().unwrap() as u32)))
        .all(|c| c["evidence"]["draught_broadcast"].is_null()));
}

#[test]
fn the_dark_radius_varies_within_its_range() {
    let run = world();
    let scn = Scenario::load("rason-evasive").unwrap();
    let [a, b] = scn
        .shuttle_profile
        .as_ref()
        .unwrap()
        .dark_radius_nm_range
        .unwrap();
    let rajin = port_berth(run, "KPRJN");
    // 10 minutes between kept reports at up to 13 kn, and a little more
    let tol = 3.0;
    let mut radii = Vec::new();
    let mut checked = 0;
    for g in events(run, "ais_gap") {
        let m = g["mmsi"].as_u64().unwrap() as u32;
        let (t0, t1) = (time(&g["start"]), time(&g["end"]));
        let r = g["evidence"]["dark_radius_nm"].as_f64().unwrap();
        assert!((a..=b).contains(&r), "{r}");
        radii.push(r);
        let fixes = &run.fixes[&m];
        assert!(
            fixes.iter().all(|f| f.t < t0 + 5_000 || f.t >= t1),
            "{m} heard while dark"
        );
        let dist = |f: &Fix| distance_nm(f.lat, f.lon, rajin.0, rajin.1);
        if let Some(last) = fixes.iter().rev().find(|f| f.t < t0) {
            let d = dist(last);
            assert!(d >= a - tol && d <= b + tol, "{m}: last fix {d:.1} nm out");
            assert!(d <= r + tol, "{m}: last fix {d:.1} nm out, radius {r:.1}");
            if last.sog > 3.0 && g["evidence"]["switched_off_in_port"].is_null() {
                // switched off under way: at the radius
                assert!((d - r).abs() <= tol, "{m}: off at {d:.1} nm, radius {r:.1}");
            }
            checked += 1;
        }
        if let Some(first) = fixes.iter().find(|f| f.t >= t1) {
            let d = dist(first);
            assert!(
                d >= a - tol && d <= r + tol,
                "{m}: back on {d:.1} nm out (radius {r:.1})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "{checked}");
    radii.sort_by(f64::total_cmp);
    assert!(radii.last().unwrap() - radii[0] > 5.0, "{radii:?}");
}

#[test]
fn dark_in_home_port_starts_the_silence_in_port() {
    let mut s = Scenario::load("rason-evasive").unwrap();
    hear_everything(&mut s);
    s.fleet.clear();
    s.rendezvous = None;
    s.shared_mmsi.clear();
    s.spoof.clear();
    s.shuttle_profile.as_mut().unwrap().dark_in_home_port_p = 1.0;
    let run = simulate(&s, 30.0);
    let gaps = events(&run, "ais_gap");
    assert!(gaps.len() >= 6, "{}", gaps.len());
    let calls = events(&run, "dark_port_call");
    for g in &gaps {
        let m = g["mmsi"].as_u64().unwrap() as u32;
        let port = g["evidence"]["switched_off_in_port"].as_str().unwrap();
        let berth = port_berth(&run, port);
        let (t0, t1) = (time(&g["start"]), time(&g["end"]));
        // the gap starts at the port, moored, before the voyage to Rajin
        assert!(distance_nm(pos(g).0, pos(g).1, berth.0, berth.1) < 0.1);
        let fixes = &run.fixes[&m];
        if let Some(last) = fixes.iter().rev().find(|f| f.t < t0) {
            assert!(distance_nm(last.lat, last.lon, berth.0, berth.1) < 0.5);
            assert_eq!(last.status, 5, "moored");
            assert!(t0 - last.t < 15 * 60_000);
        }
        let departs = events(&run, "voyage")
            .into_iter()
            .find(|v| v["mmsi"] == m && v["port"]["locode"] == "KPRJN" && time(&v["start"]) >= t0)
            .expect("the ballast voyage");
        assert!(time(&departs["start"]) - t0 <= 24 * 3_600_000 + 1);
        // the call's dark window is the gap
        let call = calls
            .iter()
            .find(|c| c["mmsi"] == m && time(&c["start"]) > t0 && time(&c["end"]) < t1)
            .expect("a dark call inside the gap");
        assert_eq!(time(&call["evidence"]["dark_from"]), t0);
        assert_eq!(time(&call["evidence"]["dark_to"]), t1);
        assert!(fixes.iter().all(|f| f.t < t0 + 5_000 || f.t >= t1));
    }
}

#[test]
fn ordinary_ships_wait_offshore_pass_the_coast_and_idle_at_sea() {
    let run = world();
    let mask = sea::LandMask::global();
    let inside = |m: u32, t0: i64, t1: i64| -> Vec<&Fix> {
        run.fixes
            .get(&m)
            .map(|v| v.iter().filter(|f| f.t >= t0 && f.t < t1).collect())
            .unwrap_or_default()
    };
    // (a shared MMSI mixes two tracks; a spoofed one shows a false place)
    let shared: HashSet<u64> = events(run, "shared_mmsi")
        .iter()
        .chain(events(run, "position_jump").iter())
        .map(|e| e["mmsi"].as_u64().unwrap())
        .collect();
    let mut waits = 0;
    for e in events(run, "loitering") {
        let m = e["mmsi"].as_u64().unwrap();
        if shared.contains(&m) {
            continue;
        }
        let (t0, t1) = (time(&e["start"]), time(&e["end"]));
        let p = pos(e);
        match e["evidence"]["activity"].as_str().unwrap() {
            "waiting for a berth" => {
                let port = port_berth(run, e["evidence"]["off_port"].as_str().unwrap());
                assert!(distance_nm(p.0, p.1, port.0, port.1) > 6.0);
                let fx = inside(m as u32, t0 + 60_000, t1 - 60_000);
                for f in &fx {
                    assert!(
                        distance_nm(f.lat, f.lon, p.0, p.1) < 0.5,
                        "{m} at {},{}: {e}",
                        f.lat,
                        f.lon
                    );
                    assert_eq!(f.status, 1, "at anchor");
                    assert!(f.sog < 0.5);
                }
                waits += !fx.is_empty() as usize;
            }
            "idling at sea" => {
                // 60-200 nm out from the port it left, off the coast
                let v = events(run, "voyage")
                    .into_iter()
                    .find(|v| v["mmsi"] == m && time(&v["start"]) <= t0 && time(&v["end"]) >= t1)
                    .expect("the voyage of the excursion");
                assert_eq!(v["evidence"]["idle_at_sea"], true);
                let from = pos(v);
                let d = distance_nm(from.0, from.1, p.0, p.1);
                assert!((59.0..=201.0).contains(&d), "{d}");
                assert!(mask.nearest_land_nm(p.0, p.1, 8).is_none());
                for f in inside(m as u32, t0 + 5_000, t1) {
                    assert!(distance_nm(f.lat, f.lon, p.0, p.1) < 6.5);
                    assert!(f.sog < 2.0);
                }
            }
            _ => {}
        }
    }
    assert!(waits >= 10, "{waits}");
    // coastal voyages pass close to their waypoint, which lies off the
    // DPRK coast, and call nowhere there
    let run_end = sim::world::parse_time(&run.summary.end).unwrap();
    let mut passed = 0;
    for v in events(run, "voyage") {
        let w = &v["evidence"]["coastal_waypoint"];
        if !w.is_array() {
            continue;
        }
        let m = v["mmsi"].as_u64().unwrap();
        if shared.contains(&m) {
            continue;
        }
        let w = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
        if time(&v["end"]) > run_end {
            continue;
        }
        let fx = inside(m as u32, time(&v["start"]), time(&v["end"]));
        if fx.is_empty() {
            continue;
        }
        let closest = fx
            .iter()
            .map(|f| distance_nm(f.lat, f.lon, w.0, w.1))
            .fold(f64::INFINITY, f64::min);
        assert!(closest < 3.0, "{m} passed {closest:.1} nm from {w:?}");
        assert!(fx
            .iter()
            .all(|f| f.status == 0 || f.status == 1 || f.status == 5));
        passed += 1;
    }
    assert!(passed >= 5, "{passed}");
    // no voyage to or from a DPRK port but the shuttles'
    let shuttles: HashSet<u64> = run
        .truth
        .iter()
        .filter(|r| r["record"] == "vessel" && r["role"] == "shuttle")
        .map(|r| r["mmsi"].as_u64().unwrap())
        .collect();
    assert!(events(run, "port_visit")
        .iter()
        .filter(|e| e["port"]["locode"]
            .as_str()
            .is_some_and(|l| l.starts_with("KP")))
        .all(|e| shuttles.contains(&e["mmsi"].as_u64().unwrap())));
}

#[test]
fn poor_reception_and_irregular_satellite_passes() {
    let s = Scenario::load("rason-evasive").unwrap();
    let run = simulate(&s, 8.0);
    let day = 86_400_000i64;
    // satellite receptions: in passes of about 10 minutes (plus the up to
    // 4 s delay), at different times of day from one day to the next
    let mut sat: Vec<i64> = run
        .fixes
        .values()
        .flatten()
        .filter(|f| f.station == "SAT-1")
        .map(|f| f.t)
        .collect();
    sat.sort();
    let mut passes = vec![(sat[0], sat[0])];
    for &t in &sat[1..] {
        let last = passes.last_mut().unwrap();
        if t - last.0 < 30 * 60_000 {
            last.1 = t;
        } else {
            passes.push((t, t));
        }
    }
    assert!(passes.iter().all(|p| p.1 - p.0 <= 10 * 60_000 + 4_000));
    assert!(
        (24..=33).contains(&passes.len()),
        "{} passes in 8 days",
        passes.len()
    );
    let tod: HashSet<i64> = passes.iter().map(|p| (p.0 % day) / (10 * 60_000)).collect();
    assert!(tod.len() > 12, "pass times of day: {tod:?}");
    // ordinary ships at sea go unheard for a day or more at a time
    let ordinary: HashSet<u64> = run
        .truth
        .iter()
        .filter(|r| r["record"] == "vessel" && r["role"] == "ordinary")
        .map(|r| r["mmsi"].as_u64().unwrap())
        .collect();
    let long_gaps = run
        .fixes
        .iter()
        .filter(|(m, _)| ordinary.contains(&(**m as u64)))
        .flat_map(|(_, v)| v.windows(2).map(|w| w[1].t - w[0].t))
        .filter(|&g| g >= day)
        .count();
    assert!(long_gaps >= 20, "{long_gaps} silences of a day or more");
}

#[test]
fn scenario_errors_name_the_problem() {
    let mut s = Scenario::load("rason-evasive").unwrap();
    s.spoof[0].repeat_after_hours = None;
    let tmp = tempfile::tempdir().unwrap();
    let e = sim::run(&s, &Options::default(), tmp.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("repeat_after_hours"), "{e}");
    let mut s = Scenario::load("rason-evasive").unwrap();
    s.fleet[0].coastal_waypoints.clear();
    let e = sim::run(&s, &Options::default(), tmp.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("coastal_waypoints"), "{e}");
    let e = Scenario::load("/nonexistent.toml").unwrap_err().to_string();
    assert!(e.contains("rason-evasive"), "{e}");
    // the new fields are optional: a scenario without them still loads
    let old = Scenario::load("rason-shuttle").unwrap();
    assert!(old
        .fleet
        .iter()
        .all(|f| f.offshore_wait_p == 0.0 && f.coastal_p == 0.0));
    assert!(old.shuttle_profile.as_ref().unwrap().update_draught);
    assert_eq!(old.spoof[0].repeats, 1);
}

#[test]
fn the_same_seed_gives_the_same_evasive_world() {
    let s = Scenario::load("rason-evasive").unwrap();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for d in &dirs {
        sim::run(
            &s,
            &Options {
                days: Some(2.0),
                ..Options::default()
            },
            d.path(),
        )
        .unwrap();
    }
    for f in ["ais.nmea.gz", "truth.jsonl"] {
        assert!(
            std::fs::read(dirs[0].path().join(f)).unwrap()
                == std::fs::read(dirs[1].path().join(f)).unwrap(),
            "{f}"
        );
    }
}
