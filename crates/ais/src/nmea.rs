//! NMEA 0183 / 4.0 framing: tag blocks, `!xxVDM`/`!xxVDO` sentences,
//! checksums, receive-time suffixes, and the time-bearing `$PGHP` and
//! `$xxZDA` sentences that real archives interleave.

/// Parsed NMEA 4.0 tag block (`\s:rx1,c:1565218798,g:1-2-1234*hh\`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TagBlock<'a> {
    /// `c:` unix time, normalised to milliseconds (seconds and milliseconds
    /// are both seen in the wild; values above 10^11 are milliseconds).
    pub time_ms: Option<i64>,
    /// `s:` source (receiver) name.
    pub source: Option<&'a str>,
    /// `g:` sentence group: (index, total, group id).
    pub group: Option<(u8, u8, u32)>,
    /// `n:` line count.
    pub line_count: Option<u32>,
    /// Whether the tag block's own checksum matched. Some public feeds write
    /// a wrong one; the sentence inside has its own checksum, so a mismatch
    /// is counted, not rejected.
    pub checksum_ok: bool,
}

/// A framed `!xxVDM` / `!xxVDO` sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Talker id, e.g. `AI`, `AB`, `BS`.
    pub talker: [u8; 2],
    /// `true` for VDO (own ship), `false` for VDM.
    pub own_ship: bool,
    /// Number of sentences in the message (1..=9).
    pub total: u8,
    /// This sentence's index (1..=total).
    pub index: u8,
    /// Sequential message id (0..=9) for multi-sentence messages.
    pub seq_id: Option<u8>,
    /// Radio channel (`A`, `B`, `1`, `2`...) or 0 when empty.
    pub channel: u8,
    /// Armoured payload characters.
    pub payload: &'a [u8],
    /// Fill bits (0..=5).
    pub fill: u8,
}

/// What kind of framing problem a line had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The line is neither NMEA nor a comment.
    NotNmea,
    /// No `*hh` checksum.
    MissingChecksum,
    /// Checksum mismatch: computed, found.
    Checksum {
        /// The checksum of the sentence.
        computed: u8,
        /// The one it carries.
        found: u8,
    },
    /// A field is missing or malformed (which one).
    Field(&'static str),
    /// Tag block not closed or malformed.
    TagBlock,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::NotNmea => f.write_str("not an NMEA sentence"),
            FrameError::MissingChecksum => f.write_str("missing *hh checksum"),
            FrameError::Checksum { computed, found } => {
                write!(
                    f,
                    "checksum mismatch: computed {computed:02X}, found {found:02X}"
                )
            }
            FrameError::Field(name) => write!(f, "bad or missing field: {name}"),
            FrameError::TagBlock => f.write_str("malformed tag block"),
        }
    }
}

/// One input line, classified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Line<'a> {
    /// Empty or whitespace only.
    Blank,
    /// `#` comment.
    Comment,
    /// An AIS sentence, with its tag block and a `,<epoch>` suffix (in
    /// milliseconds) if present.
    Ais {
        /// The tag block, if any.
        tag: Option<TagBlock<'a>>,
        /// The sentence.
        sentence: Sentence<'a>,
        /// Time from a `,<epoch>` suffix, ms.
        suffix_time_ms: Option<i64>,
        /// Time from a prefix before the sentence, ms.
        prefix_time_ms: Option<i64>,
    },
    /// `$PGHP,1,...`: receive time of the next sentence (ms).
    Pghp {
        /// The time, unix ms.
        time_ms: i64,
    },
    /// `$xxZDA`: the receiver's clock (ms).
    Zda {
        /// The time, unix ms.
        time_ms: i64,
    },
    /// Any other well-formed NMEA sentence (`$GPGGA`, `$AIALR`...).
    Other,
    /// A tag block alone on its line: NMEA 4.0 lets it stand before the
    /// sentence it belongs to, on the line above.
    TagOnly {
        /// The tag block.
        tag: TagBlock<'a>,
    },
}

/// A framing error and the byte offset in the line where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineError {
    /// What is wrong.
    pub kind: FrameError,
    /// Byte offset in the line.
    pub offset: usize,
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// XOR of all bytes.
#[inline]
pub fn checksum(bytes: &[u8]) -> u8 {
    // Fold eight bytes at a time: this loop runs over every byte of input.
    let mut acc = 0u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        acc ^= u64::from_ne_bytes(w);
    }
    let mut x = 0u8;
    for &b in chunks.remainder() {
        x ^= b;
    }
    for b in acc.to_ne_bytes() {
        x ^= b;
    }
    x
}

#[inline]
fn parse_uint(s: &[u8]) -> Option<u64> {
    // 18 digits always fit in a u64; longer numbers are not valid here.
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    Some(v)
}

/// Unix epoch seconds or milliseconds (possibly fractional seconds) to ms.
fn epoch_to_ms(s: &[u8]) -> Option<i64> {
    let (int, frac) = match s.iter().position(|&c| c == b'.') {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, &s[s.len()..]),
    };
    let v = parse_uint(int)? as i64;
    if v >= 100_000_000_000 {
        return Some(v); // already milliseconds
    }
    let mut ms = 0i64;
    let mut scale = 100;
    for &c in frac.iter().take(3) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        ms += d as i64 * scale;
        scale /= 10;
    }
    Some(v * 1000 + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<i64> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || s > 60
        || ms > 999
    {
        return None;
    }
    Some(
        ((days_from_civil(y, mo, d) * 24 + h as i64) * 60 + mi as i64) * 60_000
            + s as i64 * 1000
            + ms as i64,
    )
}

fn field_u32(f: Option<&[u8]>) -> Option<u32> {
    f.and_then(parse_uint).and_then(|v| u32::try_from(v).ok())
}

/// Validates `*hh` at `star` over `body` (the bytes between the start
/// character and the `*`).
#[inline]
fn check(line: &[u8], start: usize, star: usize) -> Result<(), LineError> {
    let (h, l) = match (line.get(star + 1), line.get(star + 2)) {
        (Some(&h), Some(&l)) => (h, l),
        _ => {
            return Err(LineError {
                kind: FrameError::MissingChecksum,
                offset: star,
            })
        }
    };
    let found = match (hex_val(h), hex_val(l)) {
        (Some(h), Some(l)) => h << 4 | l,
        _ => {
            return Err(LineError {
                kind: FrameError::MissingChecksum,
                offset: star + 1,
            })
        }
    };
    let computed = checksum(&line[start + 1..star]);
    if computed != found {
        return Err(LineError {
            kind: FrameError::Checksum { computed, found },
            offset: star + 1,
        });
    }
    Ok(())
}

/// `<index>G<total>:<group>`, the IEC 61162-450 spelling of `g:`.
fn parse_iec_group(part: &[u8]) -> Option<(u8, u8, u32)> {
    let g = part.iter().position(|&c| c == b'G')?;
    let colon = part.iter().position(|&c| c == b':')?;
    if colon < g {
        return None;
    }
    let i = field_u32(Some(&part[..g]))?;
    let t = field_u32(Some(&part[g + 1..colon]))?;
    let id = field_u32(Some(&part[colon + 1..]))?;
    Some((i.min(255) as u8, t.min(255) as u8, id))
}

fn parse_tag_block(tb: &[u8], base: usize) -> Result<TagBlock<'_>, LineError> {
    // tb is the text between the backslashes: "k:v,k:v*hh"
    let err = |o: usize| LineError {
        kind: FrameError::TagBlock,
        offset: base + o,
    };
    let star = tb.iter().rposition(|&c| c == b'*');
    let (body, checksum_ok) = match star {
        Some(p) => {
            let ok = match (
                tb.get(p + 1).copied().and_then(hex_val),
                tb.get(p + 2).copied().and_then(hex_val),
            ) {
                (Some(h), Some(l)) => checksum(&tb[..p]) == (h << 4 | l),
                _ => false,
            };
            (&tb[..p], ok)
        }
        None => (tb, false),
    };
    let mut tag = TagBlock {
        checksum_ok,
        ..TagBlock::default()
    };
    let mut off = 0;
    for part in body.split(|&c| c == b',') {
        if part.first().is_some_and(u8::is_ascii_digit) {
            // IEC 61162-450 group form `1G2:58944` (sentence 1 of 2, group 58944).
            tag.group = Some(parse_iec_group(part).ok_or(err(off))?);
            off += part.len() + 1;
            continue;
        }
        if part.len() < 2 || part[1] != b':' {
            if part.is_empty() {
                off += 1;
                continue;
            }
            return Err(err(off));
        }
        let v = &part[2..];
        match part[0] {
            b'c' => tag.time_ms = Some(epoch_to_ms(v).ok_or(err(off))?),
            b's' => tag.source = Some(std::str::from_utf8(v).map_err(|_| err(off))?),
            b'n' => tag.line_count = field_u32(Some(v)),
            b'g' => {
                let mut it = v.split(|&c| c == b'-');
                let i = field_u32(it.next()).ok_or(err(off))?;
                let t = field_u32(it.next()).ok_or(err(off))?;
                let g = field_u32(it.next()).ok_or(err(off))?;
                tag.group = Some((i.min(255) as u8, t.min(255) as u8, g));
            }
            // d: destination, r: relative time, t: text, and others.
            _ => {}
        }
        off += part.len() + 1;
    }
    Ok(tag)
}

/// Classifies and frames one line (without its line terminator; a trailing
/// CR is ignored).
pub fn parse_line(line: &[u8]) -> Result<Line<'_>, LineError> {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n' | b' ' | b'\t') {
        end -= 1;
    }
    let line = &line[..end];
    let mut start = 0;
    while start < line.len() && matches!(line[start], b' ' | b'\t') {
        start += 1;
    }
    if start == line.len() {
        return Ok(Line::Blank);
    }
    let mut tag = None;
    let mut prefix_time_ms = None;
    match line[start] {
        b'!' => {}
        b'\\' => {
            let close = line[start + 1..]
                .iter()
                .position(|&c| c == b'\\')
                .ok_or(LineError {
                    kind: FrameError::TagBlock,
                    offset: start,
                })?;
            tag = Some(parse_tag_block(
                &line[start + 1..start + 1 + close],
                start + 1,
            )?);
            start += close + 2;
            if start >= line.len() {
                return Ok(Line::TagOnly {
                    tag: tag.expect("just parsed"),
                });
            }
            if line[start] == b'$' {
                return parse_dollar(line, start);
            }
            if line[start] != b'!' {
                return Err(LineError {
                    kind: FrameError::NotNmea,
                    offset: start,
                });
            }
        }
        b'$' => return parse_dollar(line, start),
        b'#' => return Ok(Line::Comment),
        _ => {
            // Some loggers prefix each sentence with a unix time and a
            // space or separator: "1565218798.123 !AIVDM,...".
            match line.iter().position(|&c| c == b'!') {
                Some(p) if p > start => {
                    let pre = &line[start..p];
                    let pre = pre
                        .strip_suffix(b" ")
                        .or_else(|| pre.strip_suffix(b";"))
                        .or_else(|| pre.strip_suffix(b","))
                        .unwrap_or(pre);
                    prefix_time_ms = epoch_to_ms(pre);
                    if prefix_time_ms.is_none() {
                        return Err(LineError {
                            kind: FrameError::NotNmea,
                            offset: start,
                        });
                    }
                    start = p;
                }
                _ => {
                    return Err(LineError {
                        kind: FrameError::NotNmea,
                        offset: start,
                    })
                }
            }
        }
    }
    match parse_vdm(line, start)? {
        Some((sentence, suffix_time_ms)) => Ok(Line::Ais {
            tag,
            sentence,
            suffix_time_ms,
            prefix_time_ms,
        }),
        None => Ok(Line::Other),
    }
}

#[inline]
fn parse_vdm(line: &[u8], start: usize) -> Result<Option<(Sentence<'_>, Option<i64>)>, LineError> {
    // Find the checksum star from the right: payload characters never
    // include '*'.
    let star = line[start..]
        .iter()
        .rposition(|&c| c == b'*')
        .map(|p| p + start)
        .ok_or(LineError {
            kind: FrameError::MissingChecksum,
            offset: line.len(),
        })?;
    let body = &line[start + 1..star];
    // "AIVDM" then fields
    if body.len() < 6
        || body[5] != b','
        || &body[2..4] != b"VD"
        || !(body[4] == b'M' || body[4] == b'O')
    {
        // A well-formed non-AIS "!" sentence (e.g. !AIABK, !AIPWR) is "other".
        check(line, start, star)?;
        return Ok(None);
    }
    check(line, start, star)?;
    let own_ship = body[4] == b'O';
    let talker = [body[0], body[1]];
    let base = start + 7;
    let fe = |name: &'static str| LineError {
        kind: FrameError::Field(name),
        offset: base,
    };
    // Fields: total, index, seq id, channel, payload, fill. The payload is
    // the long one: take the fill from the right and the four short fields
    // from the left, so payload bytes are never scanned for commas.
    let rest = &body[6..];
    let last_comma = rest
        .iter()
        .rposition(|&c| c == b',')
        .ok_or(fe("fill bits"))?;
    let fill = match &rest[last_comma + 1..] {
        [c @ b'0'..=b'5'] => c - b'0',
        // Some encoders leave the fill empty on aligned payloads.
        [] => 0,
        _ => return Err(fe("fill bits")),
    };
    let head = &rest[..last_comma];
    let mut pos = 0;
    let mut next_field = |name: &'static str| -> Result<&[u8], LineError> {
        let len = head[pos..]
            .iter()
            .position(|&c| c == b',')
            .ok_or(fe(name))?;
        let f = &head[pos..pos + len];
        pos += len + 1;
        Ok(f)
    };
    let total = parse_uint(next_field("fragment count")?)
        .filter(|v| (1..=9).contains(v))
        .ok_or(fe("fragment count"))? as u8;
    let index = parse_uint(next_field("fragment number")?)
        .filter(|&v| v >= 1 && v <= total as u64)
        .ok_or(fe("fragment number"))? as u8;
    let seq_field = next_field("sequential message id")?;
    let seq_id = if seq_field.is_empty() {
        None
    } else {
        Some(
            parse_uint(seq_field)
                .filter(|&v| v <= 9)
                .ok_or(fe("sequential message id"))? as u8,
        )
    };
    let channel = match next_field("channel")? {
        [] => 0,
        [c] => *c,
        _ => return Err(fe("channel")),
    };
    // A stray comma in the payload is caught by the armour check.
    let payload = &head[pos..];
    // Anything after the checksum: ",<epoch>" suffix (seconds or ms).
    let after = &line[(star + 3).min(line.len())..];
    let suffix_time_ms = match after {
        [] => None,
        [b',', rest @ ..] => epoch_to_ms(rest),
        _ => None,
    };
    Ok(Some((
        Sentence {
            talker,
            own_ship,
            total,
            index,
            seq_id,
            channel,
            payload,
            fill,
        },
        suffix_time_ms,
    )))
}

fn parse_dollar(line: &[u8], start: usize) -> Result<Line<'_>, LineError> {
    let star = line[start..]
        .iter()
        .rposition(|&c| c == b'*')
        .map(|p| p + start)
        .ok_or(LineError {
            kind: FrameError::MissingChecksum,
            offset: line.len(),
        })?;
    check(line, start, star)?;
    let body = &line[start + 1..star];
    let mut f = body.split(|&c| c == b',');
    let id = f.next().unwrap_or(b"");
    let fe = |name: &'static str| LineError {
        kind: FrameError::Field(name),
        offset: start + 1,
    };
    if id == b"PGHP" {
        // $PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,... (msg type 1 carries a time)
        if f.next() != Some(b"1") {
            return Ok(Line::Other);
        }
        let y = field_u32(f.next()).ok_or(fe("PGHP year"))?;
        let mo = field_u32(f.next()).ok_or(fe("PGHP month"))?;
        let d = field_u32(f.next()).ok_or(fe("PGHP day"))?;
        let h = field_u32(f.next()).ok_or(fe("PGHP hour"))?;
        let mi = field_u32(f.next()).ok_or(fe("PGHP minute"))?;
        let s = field_u32(f.next()).ok_or(fe("PGHP second"))?;
        let ms = field_u32(f.next()).unwrap_or(0);
        let t = civil_ms(y as i64, mo, d, h, mi, s, ms).ok_or(fe("PGHP date"))?;
        return Ok(Line::Pghp { time_ms: t });
    }
    if id.len() == 5 && &id[2..] == b"ZDA" {
        // $GPZDA,hhmmss.ss,dd,mm,yyyy,zh,zm
        let hms = f.next().ok_or(fe("ZDA time"))?;
        if hms.len() < 6 {
            return Err(fe("ZDA time"));
        }
        let h = parse_uint(&hms[0..2]).ok_or(fe("ZDA time"))? as u32;
        let mi = parse_uint(&hms[2..4]).ok_or(fe("ZDA time"))? as u32;
        let s = parse_uint(&hms[4..6]).ok_or(fe("ZDA time"))? as u32;
        let ms = if hms.len() > 7 && hms[6] == b'.' {
            let frac = &hms[7..hms.len().min(10)];
            let v = parse_uint(frac).ok_or(fe("ZDA time"))? as u32;
            v * 10u32.pow(3 - frac.len() as u32)
        } else {
            0
        };
        let d = field_u32(f.next()).ok_or(fe("ZDA day"))?;
        let mo = field_u32(f.next()).ok_or(fe("ZDA month"))?;
        let y = field_u32(f.next()).ok_or(fe("ZDA year"))?;
        let t = civil_ms(y as i64, mo, d, h, mi, s, ms).ok_or(fe("ZDA date"))?;
        return Ok(Line::Zda { time_ms: t });
    }
    Ok(Line::Other)
}

/// Inverse of [`days_from_civil`]: (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses what [`format_rfc3339_ms`] writes, and plain days:
/// `2023-08-01`, `2023-08-01T12:00:00Z`, `2023-08-01T12:00:00.250Z`.
/// `None` for anything else or an impossible date or time.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        let f = s.get(r)?;
        if f.bytes().all(|b| b.is_ascii_digit()) {
            f.parse().ok()
        } else {
            None
        }
    };
    let b = s.as_bytes();
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, mo, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    if b.len() == 10 {
        return civil_ms(y as i64, mo, d, 0, 0, 0, 0);
    }
    if !matches!(b.get(10), Some(b'T' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (h, mi, sec) = (n(11..13)?, n(14..16)?, n(17..19)?);
    let (ms, rest) = if b.get(19) == Some(&b'.') {
        (n(20..23)?, 23)
    } else {
        (0, 19)
    };
    if !matches!(&s[rest..], "" | "Z") {
        return None;
    }
    civil_ms(y as i64, mo, d, h, mi, sec, ms)
}

/// Unix milliseconds as RFC 3339 UTC (`2019-08-07T22:59:58.123Z`; the
/// fraction is left out when it is zero).
pub fn format_rfc3339_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, frac) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_a_plain_sentence() {
        let l = parse_line(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r").unwrap();
        match l {
            Line::Ais {
                tag: None,
                sentence,
                suffix_time_ms: None,
                ..
            } => {
                assert_eq!(&sentence.talker, b"AI");
                assert_eq!(sentence.channel, b'A');
                assert_eq!(sentence.payload, b"15RTgt0PAso;90TKcjM8h6g208CQ");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_tag_block_time_source_and_group() {
        let line = b"\\g:1-2-9999,s:rx7,c:1565218798*00\\!BSVDM,2,1,3,A,53nPnh8000,0*08";
        let err = parse_line(line).unwrap_err();
        // the sentence checksum is wrong here: reported at the checksum
        assert!(matches!(err.kind, FrameError::Checksum { .. }));
        let good = b"\\c:1565218798123,s:rx7*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
        match parse_line(good).unwrap() {
            Line::Ais { tag: Some(t), .. } => {
                assert_eq!(t.time_ms, Some(1_565_218_798_123));
                assert_eq!(t.source, Some("rx7"));
                assert!(!t.checksum_ok);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_suffix_time_pghp_and_zda() {
        match parse_line(b"!AIVDM,1,1,,B,15?t00002Sctd0aial1<Wb@>0@4W,0*18,1328182324635").unwrap()
        {
            Line::Ais { suffix_time_ms, .. } => assert_eq!(suffix_time_ms, Some(1_328_182_324_635)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_line(b"$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B").unwrap(),
            Line::Pghp {
                time_ms: 1_276_256_771_390
            }
        );
        assert_eq!(
            parse_line(b"$GPZDA,114702.51,27,01,2012,,*66").unwrap(),
            Line::Zda {
                time_ms: 1_327_664_822_510
            }
        );
    }

    #[test]
    fn rfc3339_round_trips() {
        for ms in [0, 1_565_218_798_000, 1_690_848_000_250, 1_706_400_000_000] {
            assert_eq!(parse_rfc3339_ms(&format_rfc3339_ms(ms)), Some(ms));
        }
        assert_eq!(parse_rfc3339_ms("2023-08-01"), Some(1_690_848_000_000));
        assert_eq!(parse_rfc3339_ms("2023-13-01"), None);
        assert_eq!(parse_rfc3339_ms("2023-08-01T25:00:00Z"), None);
        assert_eq!(parse_rfc3339_ms("2023-08-01T12:00:00+02:00"), None);
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }

    #[test]
    fn huge_numbers_are_rejected_not_overflowed() {
        // Found by fuzzing: a 19-digit epoch and a year past 9999.
        let l = parse_line(b"!AIVDM,1,1,,B,15?t00002Sctd0aial1<Wb@>0@4W,0*18,9999999999999999999");
        assert!(matches!(
            l,
            Ok(Line::Ais {
                suffix_time_ms: None,
                ..
            })
        ));
        let pghp = b"PGHP,1,4294967295,6,11,11,46,11,390,231,45,992190934,1,2B";
        let line = format!(
            "${}*{:02X}",
            std::str::from_utf8(pghp).unwrap(),
            checksum(pghp)
        );
        assert_eq!(
            parse_line(line.as_bytes()).unwrap_err().kind,
            FrameError::Field("PGHP date")
        );
    }

    #[test]
    fn classifies_other_lines() {
        assert_eq!(parse_line(b"   \r").unwrap(), Line::Blank);
        assert_eq!(parse_line(b"# comment").unwrap(), Line::Comment);
        assert_eq!(
            parse_line(b"$BSALR,,006,V,V,general failure*62").unwrap(),
            Line::Other
        );
        assert_eq!(parse_line(b"hello").unwrap_err().kind, FrameError::NotNmea);
        assert_eq!(
            parse_line(b"!AIVDM,1,1,,A,15RT,0*4B").unwrap_err().kind,
            FrameError::Checksum {
                computed: 0x24,
                found: 0x4B
            }
        );
    }
}
