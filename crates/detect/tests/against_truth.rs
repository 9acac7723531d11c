//! Detection scored against the simulator's truth, end to end: simulate a
//! stretch of the built-in scenario, ingest it, detect, evaluate.

use detect::eval::{evaluate, read_events, Matching};

#[test]
fn port_visits_and_dark_port_calls_meet_the_targets_on_a_short_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut scn = sim::Scenario::load("rason-shuttle").unwrap();
    scn.days = 35.0;
    scn.rendezvous = None;
    let opts = sim::Options {
        seed: Some(4242),
        vessels: Some(30),
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
    let (events, _) = detect::detect_store(&store, &detect::Params::default()).unwrap();
    let truth =
        read_events(&std::fs::read_to_string(tmp.path().join("sim/truth.jsonl")).unwrap()).unwrap();
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
