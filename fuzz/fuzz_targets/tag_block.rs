//! Feeds arbitrary bytes as one line to the NMEA framing (tag blocks,
//! IEC 61162-450 groups, prefixes and suffixes) and the decoder: no panic,
//! and a tag-block time is either read or the line rejected.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ais::nmea::Line::Ais { tag: Some(t), .. }) = ais::nmea::parse_line(data) {
        if let Some(ms) = t.time_ms {
            // what the store and watch then decide about it
            let _ = store::limits::plausible_time(ms, 1_700_000_000_000);
        }
    }
    let mut d = ais::Decoder::new();
    let _ = d.feed(data);
    let _ = d.feed(data);
    d.finish();
});
