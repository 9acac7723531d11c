//! Feeds arbitrary bytes to the ingest readers as a file would reach them
//! (format told from the first line: NMEA, MarineCadastre CSV or DMA CSV),
//! through the line cap, the time window and the text caps: it must never
//! panic, and every line is either read or counted.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = store::IngestOptions {
        clock_ms: Some(1_700_000_000_000),
        flush_rows: 64,
        ..Default::default()
    };
    if let Ok(s) = store::read_only(data, &opts) {
        // nothing is made from nothing
        assert!(s.positions + s.identities <= 2 * s.messages);
    }
});
