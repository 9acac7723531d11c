//! Feeds arbitrary bytes to the ingest readers as a file would reach them
//! (format told from the content: NMEA, CSV of any layout, gpsd /
//! AIS-catcher JSON lines, an AISHub document),
//! through the line cap, the time window and the text caps: it must never
//! panic, and every line is either read or counted.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = store::IngestOptions {
        clock_ms: Some(1_700_000_000_000),
        // gpsd's JSON carries no receive time
        assume_time_ms: Some(1_600_000_000_000),
        flush_rows: 64,
        ..Default::default()
    };
    if let Ok(s) = store::read_only(data, &opts) {
        // nothing is made from nothing
        assert!(s.positions + s.identities <= 2 * s.messages);
    }
});
