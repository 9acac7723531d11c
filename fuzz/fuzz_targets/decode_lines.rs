//! Feeds arbitrary bytes, split into lines, to the decoder: it must never
//! panic, and every decoded message must re-encode.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut d = ais::Decoder::new();
    for line in data.split(|&c| c == b'\n') {
        if let Ok(Some(m)) = d.feed(line) {
            let _ = m.message.encode();
            let mut n = 0;
            m.message.visit(&mut |_, _| n += 1);
        }
    }
    d.finish();
});
