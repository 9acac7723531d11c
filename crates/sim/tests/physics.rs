//! The simulator's physics and its feed, checked on its own output decoded
//! by the product's decoder: no fix on land, no speed above the ship's
//! maximum, ITU reporting intervals, reception falling off with range, every
//! sentence readable except the ones damaged on purpose, determinism, and
//! the truth agreeing with the feed (dark means silent).

use ais::{Body, Decoder};
use sea::geo::distance_nm;
use sim::{Options, Scenario};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

struct Fix {
    t: i64,
    lat: f64,
    lon: f64,
    sog: f64,
    status: u8,
    class_b: bool,
    station: String,
    hash: u64,
}

struct Run {
    fixes: HashMap<u32, Vec<Fix>>,
    stats: ais::Stats,
    truth: Vec<serde_json::Value>,
}

fn read_run(dir: &Path) -> Run {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("ais.nmea.gz")).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut dec = Decoder::new();
    let mut fixes: HashMap<u32, Vec<Fix>> = HashMap::new();
    for line in text.split(|&c| c == b'\n') {
        if let Ok(Some(d)) = dec.feed(line) {
            let m = &d.message;
            let (sog, status, class_b) = match &m.body {
                Body::Position(p) => (p.speed as f64 / 10.0, p.status, false),
                Body::ClassBPosition(p) => (p.speed as f64 / 10.0, 0, true),
                _ => continue,
            };
            let (lon, lat) = m.position().expect("simulated positions are valid");
            fixes.entry(m.mmsi).or_default().push(Fix {
                t: d.meta.received_ms.expect("tag-block time"),
                lat,
                lon,
                sog,
                status,
                class_b,
                station: d.meta.source.as_str().to_string(),
                hash: d.meta.payload_hash,
            });
        }
    }
    dec.finish();
    let truth = std::fs::read_to_string(dir.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Run {
        fixes,
        stats: dec.stats().clone(),
        truth,
    }
}

/// One reception per transmission: the earliest of identical payloads heard
/// by coastal stations (their latency is under 0.3 s; satellites add up to
/// 4 s, which would blur the intervals measured here).
fn unique(fixes: &[Fix]) -> Vec<&Fix> {
    let mut seen = HashSet::new();
    let mut v: Vec<&Fix> = fixes
        .iter()
        .filter(|f| f.station != "SAT-1" && seen.insert(f.hash))
        .collect();
    v.sort_by_key(|f| f.t);
    v
}

fn short_scenario(days: f64, archive: u32) -> Scenario {
    let mut s = Scenario::load("rason-shuttle").unwrap();
    s.archive_interval_s = archive;
    s.days = days;
    s
}

fn simulate(s: &Scenario, start: &str, vessels: usize, dir: &Path) -> sim::Summary {
    let opts = Options {
        vessels: Some(vessels),
        start_ms: Some(sim::world::parse_time(start).unwrap()),
        ..Options::default()
    };
    sim::run(s, &opts, dir).unwrap()
}

#[test]
fn full_rate_traffic_obeys_physics_and_the_reporting_standard() {
    let tmp = tempfile::tempdir().unwrap();
    // 12 h around ANGARA's first departure, every report kept.
    let summary = simulate(
        &short_scenario(0.5, 0),
        "2023-08-10T00:00:00Z",
        30,
        tmp.path(),
    );
    let run = read_run(tmp.path());
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
    let shared: HashSet<u64> = run
        .truth
        .iter()
        .filter(|r| r["kind"] == "shared_mmsi")
        .map(|r| r["mmsi"].as_u64().unwrap())
        .collect();
    let mut checked_intervals = 0;
    let mut legs = 0;
    for (mmsi, fixes) in &run.fixes {
        let u = unique(fixes);
        for f in &u {
            assert!(
                !mask.is_land(f.lat, f.lon),
                "{mmsi} on land at {},{}",
                f.lat,
                f.lon
            );
        }
        if shared.contains(&(*mmsi as u64)) {
            continue;
        }
        let vmax = max_speed[&(*mmsi as u64)];
        for w in u.windows(2) {
            let dt_h = (w[1].t - w[0].t) as f64 / 3_600_000.0;
            let d = distance_nm(w[0].lat, w[0].lon, w[1].lat, w[1].lon);
            // receive-time latency (< 0.3 s) and position rounding allow a little slack
            if dt_h > 0.0 && d > 0.01 {
                legs += 1;
                assert!(
                    d / dt_h <= vmax * 1.05 + 0.5,
                    "{mmsi}: {:.1} kn over {:.0} s (max {vmax:.1})",
                    d / dt_h,
                    dt_h * 3600.0
                );
            }
            assert!(w[0].sog <= vmax + 0.1, "{mmsi} reports {} kn", w[0].sog);
            // ITU-R M.1371: the interval after a report depends on its state.
            let nominal = if w[0].class_b {
                if w[0].sog > 2.0 {
                    30.0
                } else {
                    180.0
                }
            } else if (w[0].status == 5 || w[0].status == 1) && w[0].sog <= 3.0 {
                180.0
            } else if w[0].sog > 23.0 {
                2.0
            } else if w[0].sog > 14.0 {
                6.0
            } else {
                10.0
            };
            let dt = (w[1].t - w[0].t) as f64 / 1000.0;
            assert!(
                dt >= nominal - 0.4,
                "{mmsi}: {dt:.1} s after a report whose nominal interval is {nominal} s"
            );
            checked_intervals += 1;
        }
    }
    assert!(
        legs > 1000 && checked_intervals > 5000,
        "{legs} legs, {checked_intervals} intervals"
    );
    // Every interval between consecutive reports of one vessel is the
    // nominal one or a multiple (lost reports), never shorter: checked above.
    // Every sentence decodes, except those damaged on purpose.
    let s = &run.stats;
    let c = &summary.counts;
    assert_eq!(s.rejected(ais::RejectReason::Checksum), c.corrupted_lines);
    let lost = s.rejected(ais::RejectReason::FragmentLost);
    assert!(
        lost >= c.dropped_fragments && lost <= c.dropped_fragments + c.corrupted_lines,
        "{lost} vs {c:?}"
    );
    assert_eq!(s.total_rejects(), c.corrupted_lines + lost, "{s:?}");
    assert!(s.messages > 20_000, "{}", s.messages);
}

#[test]
fn reception_falls_off_with_range() {
    let tmp = tempfile::tempdir().unwrap();
    simulate(
        &short_scenario(2.0, 60),
        "2023-08-10T00:00:00Z",
        120,
        tmp.path(),
    );
    let run = read_run(tmp.path());
    let scn = Scenario::load("rason-shuttle").unwrap();
    // For each transmission heard somewhere, was it heard by each nearby station?
    let mut heard = [0u64; 4];
    let mut total = [0u64; 4];
    for fixes in run.fixes.values() {
        let mut by_tx: HashMap<u64, (f64, f64, HashSet<&str>)> = HashMap::new();
        for f in fixes {
            by_tx
                .entry(f.hash)
                .or_insert((f.lat, f.lon, HashSet::new()))
                .2
                .insert(&f.station);
        }
        for (lat, lon, stations) in by_tx.values() {
            for st in &scn.stations {
                let d = distance_nm(*lat, *lon, st.lat, st.lon);
                if d < 40.0 {
                    let bin = (d / 10.0) as usize;
                    total[bin] += 1;
                    heard[bin] += stations.contains(st.name.as_str()) as u64;
                }
                assert!(
                    d < 40.0 || !stations.contains(st.name.as_str()),
                    "{} heard a ship {d:.0} nm away",
                    st.name
                );
            }
        }
    }
    let ratio: Vec<f64> = (0..4)
        .map(|i| heard[i] as f64 / total[i].max(1) as f64)
        .collect();
    assert!(total.iter().all(|&t| t > 50), "{total:?}");
    assert!(
        ratio[0] > ratio[2] && ratio[2] > ratio[3] && ratio[3] < 0.5,
        "{ratio:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let s = short_scenario(0.25, 600);
    simulate(&s, "2023-09-01T00:00:00Z", 20, a.path());
    simulate(&s, "2023-09-01T00:00:00Z", 20, b.path());
    for f in ["ais.nmea.gz", "truth.jsonl"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
    let c = tempfile::tempdir().unwrap();
    sim::run(
        &s,
        &Options {
            seed: Some(99),
            vessels: Some(20),
            start_ms: Some(sim::world::parse_time("2023-09-01").unwrap()),
            ..Options::default()
        },
        c.path(),
    )
    .unwrap();
    assert_ne!(
        std::fs::read(a.path().join("ais.nmea.gz")).unwrap(),
        std::fs::read(c.path().join("ais.nmea.gz")).unwrap()
    );
}

#[test]
fn shuttles_are_silent_when_the_truth_says_dark_and_call_at_najin() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = short_scenario(40.0, 600);
    s.fleet.truncate(1);
    simulate(&s, "2023-08-01T00:00:00Z", 10, tmp.path());
    let run = read_run(tmp.path());
    let parse = |v: &serde_json::Value| sim::world::parse_time(v.as_str().unwrap()).unwrap();
    let calls: Vec<&serde_json::Value> = run
        .truth
        .iter()
        .filter(|r| r["kind"] == "dark_port_call")
        .collect();
    assert!(
        calls.len() >= 6,
        "{} dark port calls in 40 days",
        calls.len()
    );
    assert!(calls.iter().all(|c| c["port"]["locode"] == "KPRJN"));
    let gaps: Vec<&serde_json::Value> = run
        .truth
        .iter()
        .filter(|r| r["kind"] == "ais_gap")
        .collect();
    for g in &gaps {
        let (t0, t1) = (parse(&g["start"]), parse(&g["end"]));
        let m = g["mmsi"].as_u64().unwrap() as u32;
        if let Some(f) = run.fixes.get(&m) {
            // a report sent just before going dark can arrive a moment later
            assert!(
                f.iter().all(|x| x.t < t0 + 1000 || x.t >= t1),
                "{m} heard while dark"
            );
        }
    }
    // and the laden draught shows after the call
    assert!(run
        .truth
        .iter()
        .any(|r| r["kind"] == "draught_change" && r["evidence"]["loaded"] == true));
}

#[test]
fn the_load_scenario_puts_vessels_anywhere_at_sea() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Scenario::load("load").unwrap();
    s.days = 0.05;
    let summary = sim::run(
        &s,
        &Options {
            vessels: Some(300),
            ..Options::default()
        },
        tmp.path(),
    )
    .unwrap();
    assert_eq!(summary.vessels, 300);
    let run = read_run(tmp.path());
    let mask = sea::LandMask::global();
    assert!(run.fixes.len() > 250);
    for fixes in run.fixes.values() {
        for f in fixes {
            assert!(
                !mask.is_land(f.lat, f.lon)
                    || run.truth.iter().any(|r| r["kind"] == "position_jump"),
                "{},{}",
                f.lat,
                f.lon
            );
        }
    }
}

#[test]
fn a_scenario_with_an_unknown_port_is_a_clear_error() {
    let mut s = short_scenario(1.0, 600);
    s.fleet[0].ports.push("XXNOPE".into());
    let tmp = tempfile::tempdir().unwrap();
    let e = sim::run(
        &s,
        &Options {
            vessels: Some(5),
            ..Options::default()
        },
        tmp.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown port \"XXNOPE\""), "{e}");
    assert!(Scenario::load("/nonexistent.toml")
        .unwrap_err()
        .to_string()
        .contains("built-in scenarios"));
}

#[test]
fn ships_in_port_lie_at_their_own_berths() {
    // 30 days of rason-shuttle: at noon every day, the ships moored in
    // each port are at distinct points at sea (a port never holds more
    // than its berth points at this scale), and each point is within the
    // scenario's berth radius of the port's berth.
    let s = Scenario::load("rason-shuttle").unwrap();
    assert!(s.berth_radius_nm > 0.0);
    let start = sim::world::parse_time(&s.start).unwrap();
    let w = sim::world::build(&s, start, 30.0, None, 7).unwrap();
    let mask = sea::LandMask::global();
    let (mut moored, mut shared) = (0, 0);
    for day in 0..30 {
        let t = start + day * 86_400_000 + 43_200_000;
        let mut at: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
        for v in &w.vessels {
            let sim::world::Motion::Plan(plan) = &v.motion else {
                continue;
            };
            let i = plan.partition_point(|it| it.t1() <= t);
            let Some(sim::motion::Item::Stay { port: Some(p), .. }) = plan.get(i) else {
                continue;
            };
            let st = sim::motion::state_on(plan, t, &v.berths).unwrap();
            assert!(!mask.is_land(st.lat, st.lon), "moored on land at {st:?}");
            let b = w.ports[*p].berth;
            assert!(
                distance_nm(st.lat, st.lon, b.0, b.1) <= s.berth_radius_nm + 0.01,
                "{st:?} is off {:?}'s berths",
                w.ports[*p].name
            );
            at.entry(*p).or_default().push((st.lat, st.lon));
        }
        for pts in at.values() {
            for (k, a) in pts.iter().enumerate() {
                moored += 1;
                if pts[..k]
                    .iter()
                    .any(|b| distance_nm(a.0, a.1, b.0, b.1) < s.berth_spacing_nm * 0.9)
                {
                    shared += 1;
                }
            }
        }
    }
    assert!(moored > 500, "{moored} ships moored");
    assert!(
        shared * 100 <= moored,
        "{shared} of {moored} moored ships share a berth point"
    );
}
