//! Encoding messages to NMEA sentences: the inverse of the decoder, used by
//! the simulator and by round-trip property tests.

use crate::messages::Message;
use crate::nmea::checksum;

/// Payload characters per sentence. NMEA limits a sentence to 82 bytes;
/// 60 armoured characters leave room for the envelope and a tag block-free
/// checksum, as AIS transceivers do.
pub const MAX_CHARS_PER_SENTENCE: usize = 60;

/// Options for [`to_sentences`].
#[derive(Debug, Clone, Copy)]
pub struct SentenceOptions<'a> {
    /// Talker id, e.g. `AI`.
    pub talker: &'a str,
    /// Channel character (`A`/`B`), or `None`.
    pub channel: Option<char>,
    /// Sequential message id for multi-sentence messages (0..=9).
    pub seq_id: u8,
    /// Optional tag block: unix time (s) and source.
    pub tag_time_s: Option<i64>,
    /// Tag-block time in milliseconds (written instead of `tag_time_s`).
    pub tag_time_ms: Option<i64>,
    /// Optional tag block: the source station (`s:`).
    pub tag_source: Option<&'a str>,
    /// Write a `g:` group in the tag block of multi-sentence messages.
    pub tag_group_id: Option<u32>,
}

impl Default for SentenceOptions<'_> {
    fn default() -> Self {
        SentenceOptions {
            talker: "AI",
            channel: Some('A'),
            seq_id: 0,
            tag_time_s: None,
            tag_time_ms: None,
            tag_source: None,
            tag_group_id: None,
        }
    }
}

/// Encodes a message as one or more NMEA sentences (without line endings).
pub fn to_sentences(msg: &Message, opts: &SentenceOptions<'_>) -> Vec<String> {
    let (payload, fill) = msg.encode().to_armored();
    let chunks: Vec<&str> = if payload.is_empty() {
        vec![""]
    } else {
        payload
            .as_bytes()
            .chunks(MAX_CHARS_PER_SENTENCE)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect()
    };
    let total = chunks.len();
    let mut out = Vec::with_capacity(total);
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == total;
        let seq = if total > 1 {
            opts.seq_id.to_string()
        } else {
            String::new()
        };
        let chan = opts.channel.map(|c| c.to_string()).unwrap_or_default();
        let body = format!(
            "{}VDM,{},{},{},{},{},{}",
            opts.talker,
            total,
            i + 1,
            seq,
            chan,
            chunk,
            if last { fill } else { 0 }
        );
        let mut s = String::new();
        let mut tag_parts = Vec::new();
        if let (Some(g), true) = (opts.tag_group_id, total > 1) {
            tag_parts.push(format!("g:{}-{}-{}", i + 1, total, g));
        }
        if let Some(src) = opts.tag_source {
            tag_parts.push(format!("s:{src}"));
        }
        if let Some(t) = opts.tag_time_ms {
            tag_parts.push(format!("c:{t}"));
        } else if let Some(t) = opts.tag_time_s {
            tag_parts.push(format!("c:{t}"));
        }
        if !tag_parts.is_empty() {
            let tb = tag_parts.join(",");
            s.push_str(&format!("\\{}*{:02X}\\", tb, checksum(tb.as_bytes())));
        }
        s.push_str(&format!("!{}*{:02X}", body, checksum(body.as_bytes())));
        out.push(s);
    }
    out
}
