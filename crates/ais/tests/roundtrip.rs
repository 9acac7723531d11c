//! Property tests: any message of any of the 27 types, encoded to NMEA
//! sentences (split across several when long, with or without tag blocks)
//! and decoded again, comes back equal; and the decoder never panics on
//! arbitrary bytes, corrupted sentences or shuffled fragments.

use ais::encode::{to_sentences, SentenceOptions};
use ais::*;
use proptest::prelude::*;

const TYPES: [u8; 27] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27,
];

fn message() -> impl Strategy<Value = Message> {
    (
        prop::sample::select(&TYPES[..]),
        prop::collection::vec(any::<u64>(), 64),
    )
        .prop_map(|(t, seeds)| random_message(t, &mut seeds.into_iter()))
}

/// Types that often need more than one sentence.
fn long_message() -> impl Strategy<Value = Message> {
    (
        prop::sample::select(&[5u8, 6, 8, 12, 14, 17, 26][..]),
        prop::collection::vec(any::<u64>(), 64),
    )
        .prop_map(|(t, seeds)| random_message(t, &mut seeds.into_iter()))
}

fn decode_all(lines: &[String]) -> (Vec<Decoded>, Stats) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    for l in lines {
        if let Ok(Some(m)) = d.feed(l.as_bytes()) {
            out.push(*m);
        }
    }
    d.finish();
    (out, d.stats().clone())
}

/// Binary application decoding (met/hydro, AtoN monitoring) is derived
/// from the payload; the generated message carries the payload only.
fn without_application(mut m: Message) -> Message {
    match &mut m.body {
        Body::AddressedBinary(b) => b.application = None,
        Body::BinaryBroadcast(b) => b.application = None,
        _ => {}
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_identity(m in message(), seq in 0u8..10, tagged in any::<bool>()) {
        let opts = SentenceOptions {
            seq_id: seq,
            tag_time_s: tagged.then_some(1_700_000_000),
            tag_source: tagged.then_some("rx-1"),
            tag_group_id: tagged.then_some(42),
            ..SentenceOptions::default()
        };
        let lines = to_sentences(&m, &opts);
        let bits = m.encode().len();
        let (out, stats) = decode_all(&lines);
        if bits < min_bits(m.msg_type) || bits > max_bits(m.msg_type) {
            // Generated outside the accepted length range: must be a counted reject.
            prop_assert!(out.is_empty());
            prop_assert_eq!(stats.total_rejects(), 1);
        } else {
            prop_assert_eq!(out.len(), 1, "lines: {:?} stats {:?}", lines, stats);
            prop_assert_eq!(without_application(out[0].message), m);
            prop_assert_eq!(out[0].meta.received_ms, tagged.then_some(1_700_000_000_000));
            prop_assert_eq!(stats.total_rejects(), 0);
        }
    }

    #[test]
    fn fragments_survive_interleaving_with_other_messages(a in message(), b in message()) {
        // Two multi-sentence messages on the same channel with different
        // sequential ids, fragments interleaved.
        let la = to_sentences(&a, &SentenceOptions { seq_id: 1, ..Default::default() });
        let lb = to_sentences(&b, &SentenceOptions { seq_id: 2, ..Default::default() });
        let mut lines = Vec::new();
        for i in 0..la.len().max(lb.len()) {
            lines.extend(la.get(i).cloned());
            lines.extend(lb.get(i).cloned());
        }
        let (out, _) = decode_all(&lines);
        let ok = |m: &Message| {
            let n = m.encode().len();
            n >= min_bits(m.msg_type) && n <= max_bits(m.msg_type)
        };
        let expected = ok(&a) as usize + ok(&b) as usize;
        prop_assert_eq!(out.len(), expected);
    }

    #[test]
    fn a_lost_fragment_is_counted_and_never_poisons_the_next_message(m in long_message(), next in message()) {
        let lines = to_sentences(&m, &SentenceOptions { seq_id: 3, ..Default::default() });
        prop_assume!(lines.len() >= 2);
        let n_next = next.encode().len();
        prop_assume!(n_next >= min_bits(next.msg_type) && n_next <= max_bits(next.msg_type));
        // Drop the first fragment, then send another message with the same id.
        let mut input: Vec<String> = lines[1..].to_vec();
        input.extend(to_sentences(&next, &SentenceOptions { seq_id: 3, ..Default::default() }));
        let (out, stats) = decode_all(&input);
        prop_assert_eq!(stats.rejected(RejectReason::FragmentLost), 1);
        prop_assert_eq!(out.len(), 1);
        prop_assert_eq!(without_application(out[0].message), next);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut d = Decoder::new();
        for line in bytes.split(|&c| c == b'\n') {
            let _ = d.feed(line);
        }
        d.finish();
        let s = d.stats();
        prop_assert_eq!(s.lines as usize, bytes.split(|&c| c == b'\n').count());
    }

    #[test]
    fn corrupted_sentences_are_rejected_or_decoded_never_panic(m in message(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut lines = to_sentences(&m, &SentenceOptions::default());
        let i = pos.index(lines.len());
        let mut raw = lines[i].clone().into_bytes();
        let j = pos.index(raw.len());
        raw[j] = byte;
        lines[i] = String::from_utf8_lossy(&raw).into_owned();
        let (out, stats) = decode_all(&lines);
        // Every line is accounted for: a message, a reject or an incomplete fragment.
        prop_assert!(out.len() <= 1);
        if out.is_empty() {
            prop_assert!(stats.total_rejects() + stats.comment_lines + stats.blank_lines + stats.other_sentences >= 1, "{:?}", stats);
        }
    }
}

fn long_binary_broadcast() -> Message {
    let mut m = random_message(
        8,
        &mut (1u64..200).map(|x| x.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    );
    if let Body::BinaryBroadcast(b) = &mut m.body {
        b.head.dac = 366;
        b.data = BinaryData::from_bytes(&[0xa5; 100], 800);
    }
    m
}

#[test]
fn fragments_after_the_first_may_arrive_in_any_order() {
    let m = long_binary_broadcast();
    let mut lines = to_sentences(&m, &SentenceOptions::default());
    assert_eq!(lines.len(), 3);
    lines.swap(1, 2);
    let (out, stats) = decode_all(&lines);
    assert_eq!(out.len(), 1, "{stats:?}");
    assert_eq!(out[0].message, m);
}

#[test]
fn tag_block_groups_allow_any_fragment_order() {
    let m = long_binary_broadcast();
    let mut lines = to_sentences(
        &m,
        &SentenceOptions {
            tag_group_id: Some(7),
            ..Default::default()
        },
    );
    lines.reverse();
    let (out, stats) = decode_all(&lines);
    assert_eq!(out.len(), 1, "{stats:?}");
    assert_eq!(out[0].message, m);
}
