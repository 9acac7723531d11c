//! The streaming decoder: lines in, messages out, with multi-sentence
//! assembly, receive-time tracking and reject accounting.

use crate::bits::{ArmorError, Bits};
use crate::messages::{Message, MessageError};
use crate::nmea::{parse_line, FrameError, Line, LineError, Sentence, TagBlock};

/// Why a line or message was rejected. Each kind has a stable name for
/// counting and reporting ([`RejectReason::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// Not an NMEA sentence.
    NotNmea,
    /// No `*hh` checksum.
    MissingChecksum,
    /// Checksum mismatch.
    Checksum,
    /// A field missing or malformed.
    Malformed,
    /// Tag block not closed or malformed.
    BadTagBlock,
    /// Payload characters outside the armour alphabet, too many bits, or a
    /// bad fill.
    BadPayload,
    /// A multi-sentence message that never completed (fragment lost,
    /// replaced by a newer message with the same id, or still open at the
    /// end of input).
    FragmentLost,
    /// Message type 0 or 28-63.
    UnknownType,
    /// Fewer bits than the type needs.
    TooShort,
    /// More bits than the type can carry.
    TooLong,
}

impl RejectReason {
    /// Every reason, in the order of `Stats::rejects`.
    pub const ALL: [RejectReason; 10] = [
        RejectReason::NotNmea,
        RejectReason::MissingChecksum,
        RejectReason::Checksum,
        RejectReason::Malformed,
        RejectReason::BadTagBlock,
        RejectReason::BadPayload,
        RejectReason::FragmentLost,
        RejectReason::UnknownType,
        RejectReason::TooShort,
        RejectReason::TooLong,
    ];
    /// Its stable name (`checksum`, `fragment_lost`, ...).
    pub fn name(self) -> &'static str {
        match self {
            RejectReason::NotNmea => "not_nmea",
            RejectReason::MissingChecksum => "missing_checksum",
            RejectReason::Checksum => "checksum",
            RejectReason::Malformed => "malformed",
            RejectReason::BadTagBlock => "bad_tag_block",
            RejectReason::BadPayload => "bad_payload",
            RejectReason::FragmentLost => "fragment_lost",
            RejectReason::UnknownType => "unknown_type",
            RejectReason::TooShort => "too_short",
            RejectReason::TooLong => "too_long",
        }
    }
}

/// What went wrong with a line, with the byte offset in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The line's framing.
    Frame(FrameError),
    /// The payload's armour.
    Payload(ArmorError),
    /// The message's bits.
    Message(MessageError),
    /// This many incomplete multi-sentence messages were dropped.
    FragmentsLost(u32),
}

/// A rejected line or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Byte offset in the line (0 where the whole line or message is meant).
    pub offset: usize,
}

impl Error {
    /// The reason it is counted under.
    pub fn reason(&self) -> RejectReason {
        match self.kind {
            ErrorKind::Frame(FrameError::NotNmea) => RejectReason::NotNmea,
            ErrorKind::Frame(FrameError::MissingChecksum) => RejectReason::MissingChecksum,
            ErrorKind::Frame(FrameError::Checksum { .. }) => RejectReason::Checksum,
            ErrorKind::Frame(FrameError::Field(_)) => RejectReason::Malformed,
            ErrorKind::Frame(FrameError::TagBlock) => RejectReason::BadTagBlock,
            ErrorKind::Payload(_) => RejectReason::BadPayload,
            ErrorKind::Message(MessageError::UnknownType(_)) => RejectReason::UnknownType,
            ErrorKind::Message(MessageError::TooShort { .. }) => RejectReason::TooShort,
            ErrorKind::Message(MessageError::TooLong { .. }) => RejectReason::TooLong,
            ErrorKind::FragmentsLost(_) => RejectReason::FragmentLost,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            ErrorKind::Frame(e) => write!(f, "{e} at byte {}", self.offset),
            ErrorKind::Payload(ArmorError::BadChar(i)) => {
                write!(f, "invalid payload character at byte {}", self.offset + i)
            }
            ErrorKind::Payload(ArmorError::TooLong) => {
                write!(f, "payload too long at byte {}", self.offset)
            }
            ErrorKind::Payload(ArmorError::BadFill) => {
                write!(f, "invalid fill bits at byte {}", self.offset)
            }
            ErrorKind::Message(e) => write!(f, "{e}"),
            ErrorKind::FragmentsLost(n) => {
                write!(f, "{n} incomplete multi-sentence message(s) dropped")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<LineError> for Error {
    fn from(e: LineError) -> Self {
        Error {
            kind: ErrorKind::Frame(e.kind),
            offset: e.offset,
        }
    }
}

/// Receiver/source name, inline (tag block `s:`), at most 23 bytes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Source {
    bytes: [u8; 23],
    len: u8,
}

impl Source {
    /// A source name (cut to 23 bytes).
    pub fn new(s: &str) -> Self {
        let mut src = Source::default();
        let mut n = s.len().min(23);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        src.bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
        src.len = n as u8;
        src
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
    /// Whether there is no name.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// Where and when a message was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// Receive time, unix milliseconds, when the input carries one.
    pub received_ms: Option<i64>,
    /// Receiver / source station from the tag block, if any.
    pub source: Source,
    /// Radio channel byte, 0 if not given.
    pub channel: u8,
    /// Talker id (`AI`, `AB`, ...).
    pub talker: [u8; 2],
    /// `VDO`: the receiver's own ship.
    pub own_ship: bool,
    /// How many sentences carried the message.
    pub sentences: u8,
    /// 64-bit hash of the de-armoured payload: the same message heard by
    /// several receivers has the same hash (used to remove duplicates).
    pub payload_hash: u64,
}

/// A decoded message and its reception metadata.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decoded {
    /// The message.
    pub message: Message,
    /// Where and when it was received.
    pub meta: Meta,
}

/// Counts kept by the decoder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// Empty lines.
    pub blank_lines: u64,
    /// `#` comment lines.
    pub comment_lines: u64,
    /// AIS sentences (VDM/VDO) that framed and passed their checksum.
    pub sentences: u64,
    /// Other NMEA sentences (time, alarms, GPS...).
    pub other_sentences: u64,
    /// Messages decoded.
    pub messages: u64,
    /// Tag blocks whose own checksum did not match (sentence kept).
    pub tag_checksum_mismatches: u64,
    /// Rejects by [`RejectReason`] (index into `RejectReason::ALL`).
    pub rejects: [u64; 10],
}

impl Stats {
    /// Rejects of one reason.
    pub fn rejected(&self, r: RejectReason) -> u64 {
        self.rejects[r as usize]
    }
    /// All rejects.
    pub fn total_rejects(&self) -> u64 {
        self.rejects.iter().sum()
    }
    /// Adds another decoder's counts (parallel decoding).
    pub fn merge(&mut self, o: &Stats) {
        self.lines += o.lines;
        self.blank_lines += o.blank_lines;
        self.comment_lines += o.comment_lines;
        self.sentences += o.sentences;
        self.other_sentences += o.other_sentences;
        self.messages += o.messages;
        self.tag_checksum_mismatches += o.tag_checksum_mismatches;
        for (a, b) in self.rejects.iter_mut().zip(o.rejects.iter()) {
            *a += b;
        }
    }
}

/// How many sentences a tag-block group's first part may arrive after its
/// later parts (merged feeds interleave a few other messages): beyond it
/// the later parts are a lost group's, not this one's.
const GROUP_REORDER_SENTENCES: u64 = 8;

/// Tunables of multi-sentence assembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderParams {
    /// An incomplete multi-sentence message is dropped (counted as
    /// `fragment_lost`) once this many AIS sentences have passed since its
    /// last fragment. Fragments of one message arrive back to back from one
    /// receiver; merged feeds interleave a few others. A small window keeps a
    /// lost fragment from pairing with a later message that reuses the same
    /// sequential id (ids cycle 0-9). Default 32.
    pub max_fragment_distance: u64,
    /// At most this many incomplete messages are held; the oldest is dropped
    /// beyond it. Default 64.
    pub max_pending: usize,
}

impl Default for DecoderParams {
    fn default() -> Self {
        DecoderParams {
            max_fragment_distance: 32,
            max_pending: 64,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct FragKey {
    source_hash: u64,
    group: u32,
    channel: u8,
    seq: u8,
    total: u8,
    own_ship: bool,
}

impl FragKey {
    /// Whether a fragment with key `k` belongs to the message pending as
    /// `self`. Without a tag-block group every part must agree. With one
    /// (NMEA 4.0 `g:` or IEC 61162-450 `xGy:`), the group code names the
    /// message: aggregators write the station, time and sometimes the channel
    /// only on the group's first sentence, so a part that leaves them out
    /// still joins; one that names a different station, channel or sequential
    /// id is another receiver's group that reuses the code.
    fn joins(&self, k: &FragKey) -> bool {
        if self.group == u32::MAX || k.group == u32::MAX {
            return self == k;
        }
        fn agree<T: PartialEq>(a: T, b: T, none: T) -> bool {
            a == none || b == none || a == b
        }
        self.group == k.group
            && self.total == k.total
            && self.own_ship == k.own_ship
            && agree(self.source_hash, k.source_hash, 0)
            && agree(self.channel, k.channel, 0)
            && agree(self.seq, k.seq, 255)
    }
    /// Fills what this part names and the pending message did not.
    fn absorb(&mut self, k: &FragKey) {
        if self.source_hash == 0 {
            self.source_hash = k.source_hash;
        }
        if self.channel == 0 {
            self.channel = k.channel;
        }
        if self.seq == 255 {
            self.seq = k.seq;
        }
    }
}

struct Pending {
    key: FragKey,
    /// Armoured characters of each fragment, by index-1.
    chars: [Vec<u8>; 9],
    fills: [u8; 9],
    have: u16,
    last_seen: u64,
    time_ms: Option<i64>,
    source: Source,
    talker: [u8; 2],
}

impl Pending {
    fn new(key: FragKey) -> Self {
        Pending {
            key,
            chars: Default::default(),
            fills: [0; 9],
            have: 0,
            last_seen: 0,
            time_ms: None,
            source: Source::default(),
            talker: [0; 2],
        }
    }
}

/// Streaming AIS decoder. Feed it lines in input order; it returns a message
/// when one completes.
///
/// ```
/// let mut d = ais::Decoder::new();
/// let m = d.feed(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap().unwrap();
/// assert_eq!(m.message.mmsi, 371798000);
/// assert_eq!(m.message.position(), Some((-123.39538333333333, 48.38163333333333)));
/// ```
pub struct Decoder {
    params: DecoderParams,
    bits: Bits,
    pending: Vec<Pending>,
    /// Reusable slots (their buffers keep their capacity).
    free: Vec<Pending>,
    /// `$PGHP` time for the next AIS sentence.
    next_time_ms: Option<i64>,
    /// Last `$xxZDA` clock.
    clock_ms: Option<i64>,
    sentence_no: u64,
    stats: Stats,
    /// The last decoded message: `feed` lends it out instead of copying.
    last: Option<Decoded>,
    /// A tag block that stood alone on its line, for the next sentence.
    tag_line: Option<HeldTag>,
}

/// A tag block kept from a line of its own (owned: the line is gone).
#[derive(Clone, Copy)]
struct HeldTag {
    time_ms: Option<i64>,
    source: Option<Source>,
    group: Option<(u8, u8, u32)>,
    line_count: Option<u32>,
    checksum_ok: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a: tiny, no allocation, good enough to separate receiver names.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Decoder {
    /// A decoder with the default parameters.
    pub fn new() -> Self {
        Self::with_params(DecoderParams::default())
    }

    /// A decoder with these parameters.
    pub fn with_params(params: DecoderParams) -> Self {
        Decoder {
            params,
            bits: Bits::new(),
            pending: Vec::new(),
            free: Vec::new(),
            next_time_ms: None,
            clock_ms: None,
            sentence_no: 0,
            stats: Stats::default(),
            last: None,
            tag_line: None,
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Feeds one line. `Ok(Some)` is a complete message; `Ok(None)` a line
    /// that carried no complete message (a fragment, a time sentence, a
    /// comment...); `Err` a rejected line, already counted in [`Stats`].
    ///
    /// The message is lent from the decoder (no copy on the hot path); it
    /// is `Copy`, so `*m` keeps it.
    #[inline]
    pub fn feed(&mut self, line: &[u8]) -> Result<Option<&Decoded>, Error> {
        self.stats.lines += 1;
        match self.feed_inner(line) {
            Ok(true) => Ok(self.last.as_ref()),
            Ok(false) => Ok(None),
            Err(e) => {
                self.count_reject(&e);
                Err(e)
            }
        }
    }

    fn count_reject(&mut self, e: &Error) {
        let n = match e.kind {
            ErrorKind::FragmentsLost(n) => n as u64,
            _ => 1,
        };
        self.stats.rejects[e.reason() as usize] += n;
    }

    #[inline]
    fn feed_inner(&mut self, line: &[u8]) -> Result<bool, Error> {
        // A tag block on its own line belongs to the sentence on the next
        // line only: any other line in between (but a blank one) ends it.
        let held = match self.tag_line {
            Some(_) => self.tag_line.take(),
            None => None,
        };
        let parsed = parse_line(line)?;
        if held.is_some() && matches!(parsed, Line::Blank) {
            self.tag_line = held;
        }
        match parsed {
            Line::Ais {
                tag,
                sentence,
                suffix_time_ms,
                prefix_time_ms,
            } => {
                self.stats.sentences += 1;
                self.sentence_no += 1;
                // A tag block on the line above belongs to this sentence.
                let held_source = held.and_then(|h| h.source);
                let tag = tag.or_else(|| {
                    held.map(|h| TagBlock {
                        time_ms: h.time_ms,
                        source: held_source.as_ref().map(Source::as_str),
                        group: h.group,
                        line_count: h.line_count,
                        checksum_ok: h.checksum_ok,
                    })
                });
                if let Some(t) = &tag {
                    if !t.checksum_ok {
                        self.stats.tag_checksum_mismatches += 1;
                    }
                }
                let pghp = self.next_time_ms.take();
                let time_ms = tag
                    .and_then(|t| t.time_ms)
                    .or(suffix_time_ms)
                    .or(prefix_time_ms)
                    .or(pghp)
                    .or(self.clock_ms);
                let payload_offset = offset_of(line, sentence.payload);
                self.sentence(tag, sentence, time_ms, payload_offset)
            }
            Line::Pghp { time_ms } => {
                self.stats.other_sentences += 1;
                self.next_time_ms = Some(time_ms);
                Ok(false)
            }
            Line::Zda { time_ms } => {
                self.stats.other_sentences += 1;
                self.clock_ms = Some(time_ms);
                Ok(false)
            }
            Line::Other => {
                self.stats.other_sentences += 1;
                Ok(false)
            }
            Line::TagOnly { tag } => {
                self.stats.other_sentences += 1;
                self.tag_line = Some(HeldTag {
                    time_ms: tag.time_ms,
                    source: tag.source.map(Source::new),
                    group: tag.group,
                    line_count: tag.line_count,
                    checksum_ok: tag.checksum_ok,
                });
                Ok(false)
            }
            Line::Blank => {
                self.stats.blank_lines += 1;
                Ok(false)
            }
            Line::Comment => {
                self.stats.comment_lines += 1;
                Ok(false)
            }
        }
    }

    #[inline]
    fn sentence(
        &mut self,
        tag: Option<TagBlock<'_>>,
        s: Sentence<'_>,
        time_ms: Option<i64>,
        payload_offset: usize,
    ) -> Result<bool, Error> {
        let source = tag
            .and_then(|t| t.source)
            .map(Source::new)
            .unwrap_or_default();
        if s.total == 1 {
            self.bits.clear();
            self.bits
                .push_armored(s.payload, s.fill)
                .map_err(|e| Error {
                    kind: ErrorKind::Payload(e),
                    offset: payload_offset,
                })?;
            let meta = Meta {
                received_ms: time_ms,
                source,
                channel: s.channel,
                talker: s.talker,
                own_ship: s.own_ship,
                sentences: 1,
                payload_hash: 0,
            };
            return self.finish_message(meta);
        }
        // Multi-sentence: validate the armour now so a bad fragment is
        // reported at its own line.
        if let Some(i) = s
            .payload
            .iter()
            .position(|&c| crate::bits::unarmor(c).is_none())
        {
            return Err(Error {
                kind: ErrorKind::Payload(ArmorError::BadChar(i)),
                offset: payload_offset,
            });
        }
        let key = FragKey {
            source_hash: tag.and_then(|t| t.source).map(hash_str).unwrap_or(0),
            group: tag.and_then(|t| t.group).map(|g| g.2).unwrap_or(u32::MAX),
            channel: s.channel,
            seq: s.seq_id.unwrap_or(255),
            total: s.total,
            own_ship: s.own_ship,
        };
        let mut lost = self.expire();
        let idx = s.index as usize - 1;
        // Without a tag-block group, fragment 1 always starts a new message:
        // a lost first fragment must not let the tail of one message join
        // the head of the next that reuses its sequential id. Later
        // fragments may arrive in any order. With a group id, the group
        // identifies the message and any order is accepted.
        let grouped = key.group != u32::MAX;
        // A group's first part may follow its later ones, but only closely:
        // later parts left over from a group whose first part was lost must
        // not complete a new message that reuses the group code.
        let stale = |p: &Pending| {
            idx == 0 && grouped && self.sentence_no - p.last_seen > GROUP_REORDER_SENTENCES
        };
        let slot = match self.pending.iter().position(|p| p.key.joins(&key)) {
            Some(i)
                if self.pending[i].have & (1 << idx) != 0
                    || (idx == 0 && !grouped)
                    || stale(&self.pending[i]) =>
            {
                // Same fragment again: the earlier message never completed.
                lost += 1;
                self.reset_slot(i, key);
                i
            }
            Some(i) => {
                self.pending[i].key.absorb(&key);
                i
            }
            None => {
                if self.pending.len() >= self.params.max_pending {
                    // Drop the stalest.
                    let (oldest, _) = self
                        .pending
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, p)| p.last_seen)
                        .expect("non-empty");
                    let p = self.pending.swap_remove(oldest);
                    self.free.push(p);
                    lost += 1;
                }
                let mut p = self.free.pop().unwrap_or_else(|| Pending::new(key));
                p.key = key;
                p.have = 0;
                p.time_ms = None;
                self.pending.push(p);
                self.pending.len() - 1
            }
        };
        let p = &mut self.pending[slot];
        p.chars[idx].clear();
        p.chars[idx].extend_from_slice(s.payload);
        p.fills[idx] = s.fill;
        p.have |= 1 << idx;
        p.last_seen = self.sentence_no;
        // The group's first sentence gives the whole message its time.
        if p.time_ms.is_none() || (idx == 0 && time_ms.is_some()) {
            p.time_ms = time_ms;
        }
        if idx == 0 || p.source.is_empty() {
            p.source = source;
            p.talker = s.talker;
        }
        let complete = p.have == (1u16 << s.total) - 1;
        if !complete {
            return if lost > 0 {
                Err(Error {
                    kind: ErrorKind::FragmentsLost(lost),
                    offset: 0,
                })
            } else {
                Ok(false)
            };
        }
        if lost > 0 {
            // Count the dropped ones now; the completed message still goes out.
            self.stats.rejects[RejectReason::FragmentLost as usize] += lost as u64;
        }
        let p = self.pending.swap_remove(slot);
        self.bits.clear();
        let mut res = Ok(());
        for i in 0..s.total as usize {
            if let Err(e) = self.bits.push_armored(&p.chars[i], p.fills[i]) {
                res = Err(Error {
                    kind: ErrorKind::Payload(e),
                    offset: payload_offset,
                });
                break;
            }
        }
        let meta = Meta {
            received_ms: p.time_ms,
            source: p.source,
            channel: p.key.channel,
            talker: p.talker,
            own_ship: s.own_ship,
            sentences: s.total,
            payload_hash: 0,
        };
        self.free.push(p);
        res?;
        self.finish_message(meta)
    }

    fn reset_slot(&mut self, i: usize, key: FragKey) {
        let p = &mut self.pending[i];
        p.key = key;
        p.have = 0;
        p.time_ms = None;
        p.source = Source::default();
    }

    /// Drops pending messages whose last fragment is too old.
    fn expire(&mut self) -> u32 {
        let now = self.sentence_no;
        let max = self.params.max_fragment_distance;
        let mut lost = 0;
        let mut i = 0;
        while i < self.pending.len() {
            if now - self.pending[i].last_seen > max {
                let p = self.pending.swap_remove(i);
                self.free.push(p);
                lost += 1;
            } else {
                i += 1;
            }
        }
        lost
    }

    #[inline]
    fn finish_message(&mut self, mut meta: Meta) -> Result<bool, Error> {
        match Message::decode(&self.bits) {
            Ok(message) => {
                self.stats.messages += 1;
                meta.payload_hash = payload_hash(self.bits.as_bytes(), self.bits.len());
                self.last = Some(Decoded { message, meta });
                Ok(true)
            }
            Err(e) => Err(Error {
                kind: ErrorKind::Message(e),
                offset: 0,
            }),
        }
    }

    /// Ends the input: incomplete multi-sentence messages are counted as
    /// `fragment_lost`. Returns how many.
    pub fn finish(&mut self) -> u64 {
        let n = self.pending.len() as u64;
        self.stats.rejects[RejectReason::FragmentLost as usize] += n;
        self.free.append(&mut self.pending);
        n
    }
}

/// A fast 64-bit hash of payload bytes (multiply-xor over 8-byte words,
/// finished with a murmur-style mix); not cryptographic.
fn payload_hash(bytes: &[u8], nbits: usize) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ nbits as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w))
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29);
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 33)
}

fn offset_of(line: &[u8], sub: &[u8]) -> usize {
    (sub.as_ptr() as usize).saturating_sub(line.as_ptr() as usize)
}
