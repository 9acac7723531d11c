//! Detection scored against the simulator's truth, end to end: simulate a
//! stretch of the built-in scenario, ingest it, detect, evaluate.

use detect::eval::{evaluate, read_events, Matching};
use detect::EventKind;

/// Simulates a world into a temporary directory and ingests it.
fn world(scn: &sim::Scenario, opts: &sim::Options) -> (tempfile::TempDir, store::Store) {
    let tmp = tempfile::tempdir().unwrap();
    sim::run(scn, opts, &tmp.path().join("sim")).unwrap();
    let st = tmp.path().join("store");
    store::ingest(
        &st,
        &[tmp.path().join("sim/ais.nmea.gz")],
        &store::IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let store = store::Store::open(&st).unwrap();
    (tmp, store)
}

#[test]
fn port_visits_and_dark_port_calls_meet_the_targets_on_a_short_run() {
    let mut scn = sim::Scenario::load("rason-shuttle").unwrap();
    scn.days = 50.0;
    scn.rendezvous = None;
    let opts = sim::Options {
        seed: Some(4242),
        vessels: Some(20),
        ..sim::Options::default()
    };
    let (tmp, store) = world(&scn, &opts);
    let (events, summary) = detect::detect_store(&store, &detect::Params::default()).unwrap();
    // The same detection over the same records held in memory (the entry
    // for Python and Spark) gives the same events.
    let all = store::Filter::default();
    let rec = detect::Records::new(
        store.positions(&all).unwrap(),
        store.identities(&all).unwrap(),
    );
    let gaz = detect::gazetteer::Gazetteer::for_params(&detect::Params::default(), None).unwrap();
    let (mem, msum) = detect::detect_records(&rec, &detect::Params::default(), &gaz).unwrap();
    assert_eq!(
        (msum.fixes, msum.identities, msum.vessels),
        (summary.fixes, summary.identities, summary.vessels)
    );
    assert_eq!(mem.len(), events.len());
    assert!(
        mem == events,
        "in-memory detection differs from the store's"
    );
    // phase one in small ranges (a vessel never split) gives the same
    // events as one range: the store read in one merged pass, cut anywhere
    let (small, ssum) =
        detect::detect_store_in_ranges(&store, &detect::Params::default(), &gaz, 5_000).unwrap();
    assert_eq!(
        (ssum.fixes, ssum.identities, ssum.vessels),
        (summary.fixes, summary.identities, summary.vessels)
    );
    assert!(
        small == events,
        "events depend on the ranges phase one is cut in"
    );
    // the reception map cut in blocks (as on a cluster: its inputs and the
    // questions routed to blocks, each answered from what it was sent)
    // gives the same events, however small the blocks (the Spark job's
    // default blocks: python/tests/test_spark.py)
    for blocks in [
        detect::coverage::Blocks { cells: 1, days: 1 },
        detect::coverage::Blocks { cells: 3, days: 7 },
    ] {
        let (cut, _) =
            detect::detect_store_in_blocks(&store, &detect::Params::default(), &gaz, 5_000, blocks)
                .unwrap();
        assert!(
            cut == events,
            "events depend on the map's blocks {blocks:?}"
        );
    }
    // (the map mattered: silences were judged against other vessels' visits)
    let visits = |v: &serde_json::Value| -> u64 {
        fn find(v: &serde_json::Value) -> Option<u64> {
            match v {
                serde_json::Value::Object(m) => m
                    .get("coverage_where_it_went_dark")
                    .and_then(|c| c["visits"].as_u64())
                    .or_else(|| m.values().find_map(find)),
                _ => None,
            }
        }
        find(v).unwrap_or(0)
    };
    assert!(events
        .iter()
        .any(|e| e.kind() == EventKind::AisGap && visits(&serde_json::to_value(e).unwrap()) > 0));
    // the same feed ingested in runs of 2,000 rows (each day's runs merged
    // into files of disjoint MMSI ranges) gives the same events
    let st2 = tmp.path().join("store-runs");
    store::ingest(
        &st2,
        &[tmp.path().join("sim/ais.nmea.gz")],
        &store::IngestOptions {
            flush_rows: 2_000,
            ..store::IngestOptions::default()
        },
        &mut |_| {},
    )
    .unwrap();
    let store2 = store::Store::open(&st2).unwrap();
    let files = |s: &store::Store| s.sources().iter().map(|e| e.files.len()).sum::<usize>();
    assert!(
        files(&store2) > files(&store) + 50,
        "{} files",
        files(&store2)
    );
    let (runs, _) = detect::detect_store(&store2, &detect::Params::default()).unwrap();
    assert!(runs == events, "events depend on how ingest cut its runs");
    let mut truth =
        read_events(&std::fs::read_to_string(tmp.path().join("sim/truth.jsonl")).unwrap()).unwrap();
    // A call whose silence lasts past the end of the data cannot be seen
    // (the ship never reappears): a known limit, left out of the score.
    let end = sim::world::parse_time(&scn.start).unwrap() + (scn.days * 86_400_000.0) as i64;
    truth.retain(|e| {
        e.kind() != EventKind::DarkPortCall
            || evidence_json(e)["dark_to"]
                .as_str()
                .and_then(detect::event::parse_time)
                .is_some_and(|t| t < end)
    });
    let scores = evaluate(&truth, &events, &Matching::default());
    let get = |k: EventKind| {
        scores
            .iter()
            .find(|s| s.kind == k)
            .unwrap_or_else(|| panic!("no {k} in {scores:?}"))
    };
    for k in [EventKind::PortVisit, EventKind::DarkPortCall] {
        let s = get(k);
        eprintln!(
            "{k}: truth {} detected {} recall {:.3} precision {:.3}",
            s.truth, s.detected, s.recall, s.precision
        );
        assert!(s.truth >= 5, "{s:?}");
        assert!(s.recall >= 0.9 && s.precision >= 0.9, "{s:?}");
    }
}

/// A world of the other family, on a seed the calibration was not fitted
/// on (see `HELD_OUT`): poor offshore reception, where every
/// ordinary ship crossing open water goes unheard for a day or more and
/// shuttles switch off far out. Merely feasible silences must stay
/// candidates (under 0.5), the confidences must mean what they say.
#[test]
fn on_a_poorly_covered_world_coverage_silences_stay_candidates() {
    let scn = sim::Scenario::load("rason-evasive").unwrap();
    let opts = sim::Options {
        seed: Some(HELD_OUT[0]),
        days: Some(30.0),
        ..sim::Options::default()
    };
    let (tmp, store) = world(&scn, &opts);
    let (events, _) = detect::detect_store(&store, &detect::Params::default()).unwrap();
    let truth =
        read_events(&std::fs::read_to_string(tmp.path().join("sim/truth.jsonl")).unwrap()).unwrap();
    let m = Matching::default();
    let e = detect::eval::evaluation(&truth, &events, &m);
    let calls = e
        .kinds
        .iter()
        .find(|k| k.kind == EventKind::DarkPortCall)
        .unwrap();
    eprintln!("{calls:?}");
    // the failure this guards against: ordinary ships' coverage silences
    // offshore reported as dark calls at 0.5
    assert!(calls.candidates >= 10, "{calls:?}");
    assert!(calls.candidates_true <= 1, "{calls:?}");
    // (one world holds about ten calls: precision is asserted over six
    // worlds below; here, that ordinary silences are not reported by the
    // dozen: at most two false calls at 0.5 or more, against 75 before)
    assert!(calls.detected - calls.correct <= 2, "{calls:?}");
    assert!(calls.recall >= 0.75, "{calls:?}");
    // every candidate and every event is a finite probability
    assert!(events
        .iter()
        .all(|e| e.confidence.is_finite() && (0.0..=1.0).contains(&e.confidence)));
    // pooled over kinds, each reliability bin with enough events is within 0.1
    for b in &e.pooled {
        eprintln!("{b:?}");
        if b.n >= 30 {
            assert!(b.calibrated, "{b:?}");
        }
    }
    // each dark call explains itself: the features and their contributions
    let c = events
        .iter()
        .find(|e| e.kind() == EventKind::DarkPortCall)
        .unwrap();
    for k in detect::calibrate::DARK_CALL_FEATURES {
        assert!(
            evidence_json(c)["features"][*k].is_number(),
            "{k}: {}",
            c.evidence
        );
        assert!(evidence_json(c)["contributions"][*k].is_number(), "{k}");
    }
}

/// Seeds the built-in calibration was not fitted on (its `fitted_on` names
/// the training worlds; BENCHMARKS.md reports seeds 3-8 / 4-9 in full).
const HELD_OUT: [u64; 3] = [31, 32, 33];

/// The short form of `scripts/eval-seeds.sh` (CI): three held-out seeds of
/// each scenario family, shortened, scored together one to one. Each kind
/// with enough scored detections holds precision 0.9, dark port calls and
/// port visits recall 0.9 over the calls the data could show, and every
/// pooled reliability bin with enough events is within 0.1.
#[test]
fn three_held_out_seeds_of_each_family_meet_the_targets() {
    let fitted_on = detect::calibrate::defaults().fitted_on;
    let mut worlds: Vec<detect::eval::World> = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for (family, days, vessels) in [
        ("rason-shuttle", 30.0, Some(24)),
        ("rason-evasive", 20.0, None),
    ] {
        for seed in HELD_OUT {
            // a seed the defaults were fitted on would not test anything
            assert!(
                !fitted_on.contains(&format!("{family}:{seed} ")),
                "{family}:{seed} is a training world: {fitted_on}"
            );
            let scn = sim::Scenario::load(family).unwrap();
            let opts = sim::Options {
                seed: Some(seed),
                days: Some(days),
                vessels,
                ..sim::Options::default()
            };
            let (tmp, store) = world(&scn, &opts);
            let (events, _) = detect::detect_store(&store, &detect::Params::default()).unwrap();
            // every detection's evidence is its kind's typed struct, and an
            // events file gives back exactly the events written
            for e in &events {
                assert!(
                    e.evidence.raw().is_none(),
                    "{}: untyped evidence {}",
                    e.kind(),
                    e.evidence
                );
                let line = serde_json::to_string(e).unwrap();
                let back: detect::Event = serde_json::from_str(&line).unwrap();
                assert_eq!(&back, e, "{line}");
                kinds.insert(e.kind());
            }
            let truth =
                read_events(&std::fs::read_to_string(tmp.path().join("sim/truth.jsonl")).unwrap())
                    .unwrap();
            let heard = detect::eval::heard_times(&store).unwrap();
            let seen = truth
                .iter()
                .map(|e| detect::eval::observable(e, &heard, 3, 48.0))
                .collect();
            worlds.push((truth, events, Some(seen)));
        }
    }
    eprintln!("kinds detected (typed, round-tripped): {kinds:?}");
    assert!(kinds.len() >= 7, "{kinds:?}");
    let e = detect::eval::evaluation_observed(&worlds, &Matching::default());
    for k in &e.kinds {
        eprintln!(
            "{:<16} truth {:>6} detected {:>6} recall {:.3} (observable {:.3}) precision {:.3}",
            k.kind, k.truth, k.detected, k.recall, k.recall_observable, k.precision
        );
    }
    let get = |k: EventKind| e.kinds.iter().find(|s| s.kind == k).unwrap();
    for k in &e.kinds {
        if k.detected >= 10 {
            assert!(k.precision >= 0.9, "{k:?}");
        }
    }
    for k in [EventKind::DarkPortCall, EventKind::PortVisit] {
        let s = get(k);
        assert!(s.truth_observable >= 10, "{s:?}");
        assert!(s.recall_observable >= 0.9, "{s:?}");
    }
    for b in &e.pooled {
        eprintln!("{b:?}");
        if b.n >= 30 {
            assert!(b.calibrated, "{b:?}");
        }
    }
}

/// An event's evidence as written to events files.
fn evidence_json(e: &detect::Event) -> serde_json::Value {
    e.evidence.to_value().expect("evidence serializes")
}

/// A positions file whose row-group statistics lie (the highest MMSI's
/// value lowered in the footer, so that a range read skips rows the group
/// holds): detection refuses with the reason rather than writing events
/// without those fixes.
#[test]
fn wrong_mmsi_statistics_in_a_file_are_an_error_not_fewer_events() {
    let mut scn = sim::Scenario::load("rason-shuttle").unwrap();
    scn.days = 2.0;
    scn.rendezvous = None;
    let opts = sim::Options {
        seed: Some(7),
        vessels: Some(6),
        ..sim::Options::default()
    };
    let (tmp, store) = world(&scn, &opts);
    let p = detect::Params::default();
    let gaz = detect::gazetteer::Gazetteer::for_params(&p, None).unwrap();
    // one range per vessel: the highest MMSI's range reads only its own
    detect::detect_store_in_ranges(&store, &p, &gaz, 1).unwrap();
    let hi = store
        .position_spans()
        .unwrap()
        .iter()
        .map(|s| s.1)
        .max()
        .unwrap();
    drop(store);
    let (from, to) = (hi.to_le_bytes(), (hi - 1).to_le_bytes());
    let mut patched = 0;
    let mut dirs = vec![tmp.path().join("store/positions")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|x| x != "parquet") {
                continue;
            }
            // the footer: its length in the 4 bytes before the closing "PAR1"
            let mut b = std::fs::read(&path).unwrap();
            let n = b.len();
            let len = u32::from_le_bytes(b[n - 8..n - 4].try_into().unwrap()) as usize;
            let footer = &mut b[n - 8 - len..n - 8];
            let mut k = 0;
            while k + 4 <= footer.len() {
                if footer[k..k + 4] == from {
                    footer[k..k + 4].copy_from_slice(&to);
                    patched += 1;
                    k += 4;
                } else {
                    k += 1;
                }
            }
            std::fs::write(&path, &b).unwrap();
        }
    }
    assert!(patched > 0, "MMSI {hi} not found in any footer");
    let store = store::Store::open(&tmp.path().join("store")).unwrap();
    match detect::detect_store_in_ranges(&store, &p, &gaz, 1) {
        Err(detect::DetectError::Inconsistent(m)) => assert!(m.contains("statistics"), "{m}"),
        Err(e) => panic!("another error: {e}"),
        Ok((ev, s)) => panic!(
            "{} events from {} fixes despite the wrong statistics",
            ev.len(),
            s.fixes
        ),
    }
}

/// Vessels over `tracks.max_vessel_fixes` (a stuck transmitter, an MMSI
/// many transmitters share) are read thinned, batch by batch: the summary
/// names each with its fixes and the fixes kept, the count check holds,
/// and the events do not depend on how the store is cut or read.
#[test]
fn a_vessel_over_the_fix_limit_is_read_thinned_and_said_so() {
    let mut scn = sim::Scenario::load("rason-shuttle").unwrap();
    scn.days = 4.0;
    scn.rendezvous = None;
    let opts = sim::Options {
        seed: Some(11),
        vessels: Some(8),
        ..sim::Options::default()
    };
    let (_tmp, store) = world(&scn, &opts);
    let all = store::Filter::default();
    let pos = store.positions(&all).unwrap();
    let mut counts: std::collections::BTreeMap<u32, u64> = Default::default();
    for f in &pos {
        *counts.entry(f.mmsi).or_default() += 1;
    }
    let mut sizes: Vec<u64> = counts.values().copied().collect();
    sizes.sort_unstable();
    // the limit at the median vessel
    let max = sizes[sizes.len() / 2];
    let mut p = detect::Params::default();
    p.tracks.max_vessel_fixes = max;
    let gaz = detect::gazetteer::Gazetteer::for_params(&p, None).unwrap();
    let (events, summary) = detect::detect_store_with(&store, &p, &gaz).unwrap();
    let over: Vec<u32> = counts.iter().filter(|c| *c.1 > max).map(|c| *c.0).collect();
    assert!(!over.is_empty() && over.len() < counts.len());
    assert_eq!(
        summary.thinned.iter().map(|t| t.mmsi).collect::<Vec<_>>(),
        over
    );
    for t in &summary.thinned {
        assert_eq!(t.fixes, counts[&t.mmsi]);
        assert_eq!(t.one_in, t.fixes.div_ceil(max));
        let keeps = pos
            .iter()
            .filter(|f| f.mmsi == t.mmsi && detect::thin_keeps(t.one_in, f.time_ms))
            .count() as u64;
        assert_eq!(t.kept, keeps);
        // about one in k: under the limit, not emptied
        assert!(
            t.kept * 2 > t.fixes / t.one_in && t.kept < max + max / 4,
            "{t:?}"
        );
    }
    let dropped: u64 = summary.thinned.iter().map(|t| t.fixes - t.kept).sum();
    assert_eq!(summary.fixes + dropped, pos.len() as u64);
    // a thinned vessel's events come from its kept fixes: fewer than
    // without the limit, but still its own
    let (whole, _) = detect::detect_store(&store, &detect::Params::default()).unwrap();
    assert!(events != whole);
    assert!(events.iter().any(|e| over.contains(&e.mmsi)));
    // the same events with the store cut in one range per vessel, and
    // from the same records in memory
    let (ranges, _) = detect::detect_store_in_ranges(&store, &p, &gaz, 1).unwrap();
    assert!(ranges == events, "thinning depends on the ranges");
    let rec = detect::Records::new(pos, store.identities(&all).unwrap());
    let (mem, msum) = detect::detect_records(&rec, &p, &gaz).unwrap();
    assert_eq!(msum.thinned, summary.thinned);
    assert!(
        mem == events,
        "thinning depends on where the fixes are read from"
    );
}
