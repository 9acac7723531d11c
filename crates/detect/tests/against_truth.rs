//! Detection scored against the simulator's truth, end to end: simulate a
//! stretch of the built-in scenario, ingest it, detect, evaluate.

use detect::eval::{evaluate, read_events, Matching};

#[test]
fn port_visits_and_dark_port_calls_meet_the_targets_on_a_short_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut scn = sim::Scenario::load("rason-shuttle").unwrap();
    scn.days = 50.0;
    scn.rendezvous = None;
    let opts = sim::Options {
        seed: Some(4242),
        vessels: Some(20),
        ..sim::Options::default()
    };
    sim::run(&scn, &opts, &tmp.path().join("sim")).unwrap();
    let st = tmp.path().join("store");
    store::ingest(
        &st,
        &[tmp.path().join("sim/ais.nmea.gz")],
        &store::IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let store = store::Store::open(&st).unwrap();
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
    let mut truth =
        read_events(&std::fs::read_to_string(tmp.path().join("sim/truth.jsonl")).unwrap()).unwrap();
    // A call whose silence lasts past the end of the data cannot be seen
    // (the ship never reappears): a known limit, left out of the score.
    let end = sim::world::parse_time(&scn.start).unwrap() + (scn.days * 86_400_000.0) as i64;
    truth.retain(|e| {
        e.kind != "dark_port_call"
            || e.evidence["dark_to"]
                .as_str()
                .and_then(detect::event::parse_time)
                .is_some_and(|t| t < end)
    });
    let scores = evaluate(&truth, &events, &Matching::default());
    let get = |k: &str| {
        scores
            .iter()
            .find(|s| s.kind == k)
            .unwrap_or_else(|| panic!("no {k} in {scores:?}"))
    };
    for k in ["port_visit", "dark_port_call"] {
        let s = get(k);
        eprintln!(
            "{k}: truth {} detected {} recall {:.3} precision {:.3}",
            s.truth, s.detected, s.recall, s.precision
        );
        assert!(s.truth >= 5, "{s:?}");
        assert!(s.recall >= 0.9 && s.precision >= 0.9, "{s:?}");
    }
}
