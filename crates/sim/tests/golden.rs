//! The built-in `rason-shuttle` scenario is the reference world detection
//! was developed alongside: changes to the simulator (new optional scenario
//! features) must not change a byte of what it produces. Hashes of its feed
//! (decompressed) and truth for seed 7 over 20 days, taken before the
//! `rason-evasive` features were added, and retaken once when the
//! scenario's MAIA-1 got its public IMO number (9358010 for the invented
//! 9300001: the same length, a changed scenario file, not a changed
//! simulator), and once more when its ships were given their own berths in
//! port (`berth_radius_nm`: before, every ship in a port lay on one point,
//! which no image could tell apart; scenarios without the key are
//! unchanged, as the `load` hashes show).

use sim::{Options, Scenario};
use std::io::Read;

/// FNV-1a, 64 bits.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Runs a built-in scenario; (feed length, its hash, truth length, its
/// hash) and the vessel count.
fn fingerprint(name: &str, opts: &Options) -> ((usize, u64, usize, u64), usize) {
    let tmp = tempfile::tempdir().unwrap();
    let scn = Scenario::load(name).unwrap();
    let summary = sim::run(&scn, opts, tmp.path()).unwrap();
    let mut nmea = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(tmp.path().join("ais.nmea.gz")).unwrap())
        .read_to_end(&mut nmea)
        .unwrap();
    let truth = std::fs::read(tmp.path().join("truth.jsonl")).unwrap();
    (
        (nmea.len(), fnv(&nmea), truth.len(), fnv(&truth)),
        summary.vessels,
    )
}

#[test]
fn rason_shuttle_output_is_unchanged() {
    let (got, vessels) = fingerprint(
        "rason-shuttle",
        &Options {
            seed: Some(7),
            days: Some(20.0),
            ..Options::default()
        },
    );
    eprintln!("{got:x?} {vessels} vessels");
    assert_eq!(
        got,
        (
            124_593_421,
            EXPECTED_NMEA_FNV,
            1_473_488,
            EXPECTED_TRUTH_FNV
        ),
        "rason-shuttle seed 7, 20 days: output changed"
    );
}

const EXPECTED_NMEA_FNV: u64 = 0x03df_6cee_4705_f942;
const EXPECTED_TRUTH_FNV: u64 = 0x98ab_34de_3006_3626;

/// The `load` scenario likewise (300 vessels, 2 hours, its own seed).
#[test]
fn load_output_is_unchanged() {
    let (got, _) = fingerprint(
        "load",
        &Options {
            days: Some(2.0 / 24.0),
            vessels: Some(300),
            ..Options::default()
        },
    );
    eprintln!("{got:x?}");
    assert_eq!(
        got,
        (
            19_109_512,
            0xa9fc_b4bf_5307_ec79,
            112_517,
            0x06ab_a390_b0d6_d73f
        ),
        "load, 300 vessels, 2 h: output changed"
    );
}
