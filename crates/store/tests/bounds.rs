//! The input bounds as properties: the line cap hands on exactly the lines
//! of the input (an overlong one as an empty line, counted) however the
//! input is chunked; and the fuzz seeds of the ingest readers (the short
//! form in CI of `fuzz/fuzz_targets/ingest_input.rs`) read without panic,
//! never making more records than two per message.

use proptest::prelude::*;
use std::io::BufRead;
use store::limits::LineCap;

fn expected(input: &[u8], max: usize) -> (Vec<Vec<u8>>, u64) {
    let mut out = Vec::new();
    let mut over = 0;
    let mut parts: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let last = parts.pop().unwrap_or(&[]);
    for p in parts {
        if p.len() > max {
            over += 1;
            out.push(b"\n".to_vec());
        } else {
            let mut l = p.to_vec();
            l.push(b'\n');
            out.push(l);
        }
    }
    if !last.is_empty() {
        if last.len() > max {
            over += 1;
            out.push(b"\n".to_vec());
        } else {
            out.push(last.to_vec());
        }
    }
    (out, over)
}

proptest! {
    #[test]
    fn the_line_cap_keeps_every_line_within_the_limit(
        input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), any::<u8>()], 0..400),
        max in 1usize..40,
        chunk in 1usize..64,
    ) {
        let mut r = LineCap::new(std::io::BufReader::with_capacity(chunk, input.as_slice()), max);
        let mut got = Vec::new();
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).unwrap() > 0 {
            got.push(std::mem::take(&mut line));
        }
        let (want, over) = expected(&input, max);
        prop_assert_eq!(got, want);
        prop_assert_eq!(r.overlong_lines(), over);
    }
}

#[test]
fn the_fuzz_seeds_read_without_panic() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/ingest_input");
    let opts = store::IngestOptions {
        clock_ms: Some(1_800_000_000_000),
        ..Default::default()
    };
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let s = store::read_only(&bytes, &opts).unwrap();
        assert!(
            s.messages > 0 && s.positions + s.identities <= 2 * s.messages,
            "{s:?}"
        );
        n += 1;
    }
    assert!(n >= 4, "{n} seeds");
}
