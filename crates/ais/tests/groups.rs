//! NMEA 4.0 sentence groups as real networks write them: the group's first
//! sentence carries the station and time (`\g:1-2-3458,s:41925,c:...\`),
//! later ones only the group code (`\g:2-2-3458\`), and the IEC 61162-450
//! spelling `\1G2:58944\` of the Norwegian coastal feed.

use ais::{Decoder, RejectReason};

const P1: &str = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
const P2: &str = "!AIVDM,2,2,1,A,88888888880,2*25";

/// A tag block with its checksum around `fields`.
fn tag(fields: &str, sentence: &str) -> String {
    format!(
        "\\{fields}*{:02X}\\{sentence}",
        ais::nmea::checksum(fields.as_bytes())
    )
}

fn run(lines: &[String]) -> (Vec<ais::Decoded>, ais::Stats) {
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

#[test]
fn later_sentences_with_only_the_group_code_join_the_first() {
    let lines = [
        tag("g:1-2-3458,s:41925,c:1565218798", P1),
        tag("g:2-2-3458", P2),
    ];
    let (out, stats) = run(&lines);
    assert_eq!(out.len(), 1, "{stats:?}");
    let m = &out[0];
    assert_eq!(m.message.mmsi, 351759000);
    assert_eq!(m.meta.source.as_str(), "41925");
    assert_eq!(m.meta.received_ms, Some(1_565_218_798_000));
    assert_eq!(m.meta.sentences, 2);
    assert_eq!(stats.rejected(RejectReason::FragmentLost), 0);
}

#[test]
fn iec_61162_450_group_form_is_read() {
    let lines = [
        tag("1G2:58944,s:2573305,c:1565218798", P1),
        tag("2G2:58944", P2),
    ];
    let (out, stats) = run(&lines);
    assert_eq!(out.len(), 1, "{stats:?}");
    assert_eq!(out[0].meta.source.as_str(), "2573305");
    assert_eq!(stats.rejected(RejectReason::BadTagBlock), 0);
    // The form with the station first, and with a two-digit count.
    let (out, _) = run(&[tag("s:r1,c:1565218798,1G2:7", P1), tag("2G2:7", P2)]);
    assert_eq!(out.len(), 1);
    for bad in ["1G:7", "G2:7", "1G2:", "1G2", "1X2:7", "9999999999G2:7"] {
        let (out, stats) = run(&[tag(bad, P1)]);
        assert!(out.is_empty());
        assert_eq!(stats.rejected(RejectReason::BadTagBlock), 1, "{bad}");
    }
}

#[test]
fn group_parts_in_any_order_and_among_other_stations_traffic() {
    let single = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let lines = [
        tag("g:2-2-12", P2),
        tag("g:1-1-13,s:other,c:1565218790", single),
        tag("g:1-2-12,s:41925,c:1565218798", P1),
    ];
    let (out, stats) = run(&lines);
    assert_eq!(stats.total_rejects(), 0, "{stats:?}");
    assert_eq!(out.len(), 2);
    let two = out.iter().find(|m| m.meta.sentences == 2).unwrap();
    assert_eq!(two.meta.source.as_str(), "41925");
    // The first sentence's time, although the second part arrived first.
    assert_eq!(two.meta.received_ms, Some(1_565_218_798_000));
}

#[test]
fn a_group_code_reused_by_another_station_is_another_message() {
    // Station B's first part reuses A's code while A's group is open; A's
    // second part names A: each part goes to its own station's group.
    let lines = [
        tag("g:1-2-5,s:A,c:1565218798", P1),
        tag("g:1-2-5,s:B,c:1565218799", P1),
        tag("g:2-2-5,s:A", P2),
        tag("g:2-2-5,s:B", P2),
    ];
    let (out, stats) = run(&lines);
    assert_eq!(stats.total_rejects(), 0, "{stats:?}");
    let mut srcs: Vec<_> = out
        .iter()
        .map(|m| m.meta.source.as_str().to_string())
        .collect();
    srcs.sort();
    assert_eq!(srcs, ["A", "B"]);
}

#[test]
fn parts_on_different_stations_never_join_and_are_counted() {
    let lines = [tag("g:1-2-9,s:A", P1), tag("g:2-2-9,s:B", P2)];
    let (out, stats) = run(&lines);
    assert!(out.is_empty());
    assert_eq!(stats.rejected(RejectReason::FragmentLost), 2);
}

#[test]
fn a_code_reused_within_a_file_after_completion_starts_afresh() {
    let lines = [
        tag("g:1-2-1,s:A,c:1565218798", P1),
        tag("g:2-2-1", P2),
        tag("g:1-2-1,s:A,c:1565218899", P1),
        tag("g:2-2-1", P2),
        // Reused while open: the first part repeats, the earlier one is lost.
        tag("g:1-2-1,s:A,c:1565218900", P1),
        tag("g:1-2-1,s:A,c:1565218901", P1),
        tag("g:2-2-1", P2),
    ];
    let (out, stats) = run(&lines);
    let times: Vec<_> = out
        .iter()
        .map(|m| m.meta.received_ms.unwrap() / 1000)
        .collect();
    assert_eq!(times, [1565218798, 1565218899, 1565218901]);
    assert_eq!(stats.rejected(RejectReason::FragmentLost), 1);
}

#[test]
fn a_tag_block_on_the_line_above_belongs_to_the_sentence() {
    let lines = [
        tag("1G2:125,s:r1,c:1354719388", "")
            .trim_end_matches('\\')
            .to_string()
            + "\\",
        P1.to_string(),
        tag("2G2:125", P2),
    ];
    let (out, stats) = run(&lines);
    assert_eq!(out.len(), 1, "{stats:?}");
    assert_eq!(out[0].meta.source.as_str(), "r1");
    assert_eq!(out[0].meta.received_ms, Some(1_354_719_388_000));
    assert_eq!(stats.total_rejects(), 0);
}

#[test]
fn a_tag_line_does_not_reach_past_the_next_line() {
    let single = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let lines = [
        tag("s:r1,c:1354719388", "")
            .trim_end_matches('\\')
            .to_string()
            + "\\",
        "$GPZDA,114702.51,27,01,2012,,*66".to_string(),
        single.to_string(),
    ];
    let (out, _) = run(&lines);
    assert_eq!(
        out[0].meta.source.as_str(),
        "",
        "the ZDA line ended the held tag"
    );
}

#[test]
fn stale_later_parts_do_not_complete_a_new_group_with_their_code() {
    let single = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    // part 2 of group 4 whose part 1 was lost, then traffic, then a new
    // message reusing code 4 whose own part 2 follows
    let mut lines = vec![tag("g:2-2-4", P2)];
    lines.extend(std::iter::repeat_n(single.to_string(), 12));
    lines.push(tag("g:1-2-4,s:A,c:1565218798", P1));
    lines.push(tag("g:2-2-4", P2));
    let (out, stats) = run(&lines);
    assert_eq!(out.iter().filter(|m| m.meta.sentences == 2).count(), 1);
    assert_eq!(stats.rejected(RejectReason::FragmentLost), 1);
}
