//! Feeds arbitrary text to the configuration loader (all four tables,
//! every range check): an error or a configuration, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = config::Config::from_text(text, std::path::Path::new("fuzz.toml"));
    }
});
