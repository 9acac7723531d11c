//! The bounds every input is held to, whoever wrote it: line length at read
//! time, text length per field, and the window of plausible receive times.
//! Inputs are attacker-controlled (anyone can transmit AIS, files come from
//! third parties); each bound turns what would be unbounded memory or a
//! poisoned clock into a counted reject.

use std::io::{BufRead, Read};

/// Longest input line kept, in bytes (newline excluded). NMEA sentences are
/// at most 82 characters plus framing (a tag block, a prefix, a suffix);
/// CSV rows of the widest export (150 decoded-AIS columns) stay under 4 KiB.
/// 64 KiB leaves room for any of them while bounding what one line may hold
/// in memory: a longer line is dropped as it is read, never buffered whole.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Longest text field kept from a CSV row (names, call signs, destinations,
/// ETAs), in characters. AIS itself carries at most 20 (names) or 120 (the
/// type 5 name extension and safety text) characters; a longer field is cut
/// to this and the cut counted (`text_truncated`).
pub const MAX_TEXT_CHARS: usize = 120;

/// Earliest plausible receive time: 1990-01-01T00:00:00Z. AIS was specified
/// in 1998; earlier times are corrupt or forged.
pub const MIN_TIME_MS: i64 = 631_152_000_000;

/// How far a receive time may lie after the receiver's clock (the wall
/// clock when the line was received or ingested): one day, for receivers
/// whose clocks are set to a local zone or drift. Later times are forged or
/// corrupt; accepted, one of them would move a live feed clock years ahead
/// or create a day partition centuries away.
pub const MAX_AHEAD_MS: i64 = 86_400_000;

/// Whether a receive time is plausible against a receiver clock `clock_ms`:
/// not before 1990 and at most [`MAX_AHEAD_MS`] after the clock.
pub fn plausible_time(t_ms: i64, clock_ms: i64) -> bool {
    t_ms >= MIN_TIME_MS && t_ms <= clock_ms.saturating_add(MAX_AHEAD_MS)
}

/// The wall clock, unix ms: the receiver's clock of an ingest.
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Cuts `s` to at most [`MAX_TEXT_CHARS`] characters; true when it cut.
pub fn cap_text(s: &mut String) -> bool {
    match s.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => {
            s.truncate(i);
            true
        }
        None => false,
    }
}

/// A reader for CSV that fails once one record (newlines inside quotes
/// included) passes `max` bytes: a stray quote would otherwise make the CSV
/// reader gather every following line into one field.
pub struct RecordCap<R> {
    inner: R,
    in_quotes: bool,
    len: usize,
    max: usize,
}

impl<R: Read> RecordCap<R> {
    /// Wraps `inner`, failing records longer than `max` bytes.
    pub fn new(inner: R, max: usize) -> Self {
        RecordCap {
            inner,
            in_quotes: false,
            len: 0,
            max,
        }
    }
}

impl<R: Read> Read for RecordCap<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        for &b in &out[..n] {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.len = 0,
                _ => {}
            }
            self.len += 1;
            if self.len > self.max {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "a CSV record longer than {} bytes (an unclosed quote?)",
                        self.max
                    ),
                ));
            }
        }
        Ok(n)
    }
}

/// A reader that hands on whole lines of at most `max` bytes and replaces a
/// longer one by an empty line (so line numbers stay right), counting it.
/// It holds at most one line plus one chunk of its inner reader: a file of
/// gigabytes without a newline costs `max` bytes, not gigabytes.
pub struct LineCap<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes of `buf` that are complete lines, ready to hand on.
    ready: usize,
    /// Bytes of `buf` already handed on.
    pos: usize,
    /// Inside an overlong line: drop bytes up to its newline.
    discarding: bool,
    max: usize,
    overlong: u64,
}

impl<R: BufRead> LineCap<R> {
    /// Wraps `inner`, keeping lines of at most `max` bytes.
    pub fn new(inner: R, max: usize) -> Self {
        LineCap {
            inner,
            buf: Vec::with_capacity(64 * 1024),
            ready: 0,
            pos: 0,
            discarding: false,
            max,
            overlong: 0,
        }
    }

    /// Lines dropped so far for being longer than the limit.
    pub fn overlong_lines(&self) -> u64 {
        self.overlong
    }

    /// The reader underneath, for an input that is one document rather than
    /// lines (AISHub's JSON): only before any line was read.
    pub fn unread_inner(&mut self) -> Option<&mut R> {
        (self.buf.is_empty() && !self.discarding).then_some(&mut self.inner)
    }

    /// Takes one chunk from the inner reader; false at its end.
    fn take_chunk(&mut self) -> std::io::Result<bool> {
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            return Ok(false);
        }
        let n = avail.len();
        let mut start = 0;
        if self.discarding {
            match avail.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.discarding = false;
                    start = i + 1;
                }
                None => {
                    self.inner.consume(n);
                    return Ok(true);
                }
            }
        }
        while let Some(i) = avail[start..].iter().position(|&b| b == b'\n') {
            let line = &avail[start..start + i + 1];
            // the current line: what is held of it, plus this piece
            if self.buf.len() - self.ready + i > self.max {
                self.buf.truncate(self.ready);
                self.buf.push(b'\n');
                self.overlong += 1;
            } else {
                self.buf.extend_from_slice(line);
            }
            self.ready = self.buf.len();
            start += i + 1;
        }
        let rest = &avail[start..];
        if self.buf.len() - self.ready + rest.len() > self.max {
            self.buf.truncate(self.ready);
            self.buf.push(b'\n');
            self.ready = self.buf.len();
            self.overlong += 1;
            self.discarding = true;
        } else {
            self.buf.extend_from_slice(rest);
        }
        self.inner.consume(n);
        Ok(true)
    }
}

impl<R: BufRead> Read for LineCap<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCap<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos >= self.ready {
            self.buf.drain(..self.ready);
            self.pos = 0;
            self.ready = 0;
            loop {
                if !self.take_chunk()? {
                    // the end: a last line without a newline is handed on
                    if !self.discarding {
                        self.ready = self.buf.len();
                    }
                    break;
                }
                if self.ready > 0 {
                    break;
                }
            }
        }
        Ok(&self.buf[self.pos..self.ready])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.ready);
    }
}

/// The largest input read whole as one document (AISHub's JSON: a world
/// snapshot is tens of megabytes): 256 MiB.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;

/// Whether an input opens with `[` (after a byte-order mark and blanks): a
/// JSON document, read whole instead of by lines.
pub fn starts_document<R: std::io::BufRead>(r: &mut R) -> std::io::Result<bool> {
    let head = r.fill_buf()?;
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    Ok(head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'['))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8], max: usize, chunk: usize) -> (Vec<Vec<u8>>, u64) {
        let inner = std::io::BufReader::with_capacity(chunk, input);
        let mut r = LineCap::new(inner, max);
        let mut out = Vec::new();
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).unwrap() > 0 {
            out.push(std::mem::take(&mut line));
        }
        (out, r.overlong_lines())
    }

    #[test]
    fn short_lines_pass_unchanged_whatever_the_chunking() {
        let input = b"one\ntwo\n\nthree";
        for chunk in [1, 2, 3, 5, 64] {
            let (lines, n) = lines_of(input, 10, chunk);
            assert_eq!(
                lines,
                [&b"one\n"[..], b"two\n", b"\n", b"three"],
                "chunk {chunk}"
            );
            assert_eq!(n, 0);
        }
    }

    #[test]
    fn an_overlong_line_becomes_an_empty_line_and_is_counted() {
        let mut input = b"ok\n".to_vec();
        input.extend(std::iter::repeat_n(b'0', 1000));
        input.extend(b"\nafter\n");
        input.extend(std::iter::repeat_n(b'x', 50));
        for chunk in [1, 7, 64, 4096] {
            let (lines, n) = lines_of(&input, 16, chunk);
            assert_eq!(
                lines,
                [&b"ok\n"[..], b"\n", b"after\n", b"\n"],
                "chunk {chunk}"
            );
            assert_eq!(n, 2, "chunk {chunk}");
        }
        // exactly at the limit is kept
        let (lines, n) = lines_of(b"0123456789abcdef\n", 16, 3);
        assert_eq!((lines.len(), lines[0].len(), n), (1, 17, 0));
    }

    #[test]
    fn memory_stays_bounded_on_a_line_without_end() {
        struct Zeros(u64);
        impl Read for Zeros {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                let n = (b.len() as u64).min(self.0) as usize;
                b[..n].fill(b'0');
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let inner = std::io::BufReader::with_capacity(1 << 16, Zeros(64 << 20));
        let mut r = LineCap::new(inner, 1024);
        let mut line = Vec::new();
        let mut n = 0;
        while r.read_until(b'\n', &mut line).unwrap() > 0 {
            n += 1;
        }
        assert_eq!((n, line.as_slice(), r.overlong_lines()), (1, &b"\n"[..], 1));
        assert!(r.buf.capacity() <= 256 * 1024, "{}", r.buf.capacity());
    }

    #[test]
    fn an_unclosed_quote_fails_the_record_not_the_memory() {
        let mut input = b"a,b\n\"open,".to_vec();
        for _ in 0..10_000 {
            input.extend(b"short line\n");
        }
        let mut r = RecordCap::new(input.as_slice(), 1024);
        let mut sink = Vec::new();
        let e = std::io::copy(&mut r, &mut sink).unwrap_err();
        assert!(e.to_string().contains("unclosed quote"), "{e}");
        let ok = b"a,\"b\nc\",d\ne,f\n".repeat(1000);
        let mut r = RecordCap::new(ok.as_slice(), 64);
        assert_eq!(std::io::copy(&mut r, &mut sink).unwrap(), ok.len() as u64);
    }

    #[test]
    fn times_outside_the_window_are_implausible() {
        let now = 1_700_000_000_000;
        assert!(plausible_time(now, now));
        assert!(plausible_time(now + MAX_AHEAD_MS, now));
        assert!(!plausible_time(now + MAX_AHEAD_MS + 1, now));
        assert!(!plausible_time(4_102_444_800_000, now));
        assert!(!plausible_time(999_999_999_999_999_999, now));
        assert!(!plausible_time(MIN_TIME_MS - 1, now));
        assert!(!plausible_time(i64::MIN, now));
        assert!(plausible_time(i64::MAX, i64::MAX));
    }

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        let mut s = "é".repeat(200);
        assert!(cap_text(&mut s));
        assert_eq!(s.chars().count(), MAX_TEXT_CHARS);
        let mut t = "SHORT".to_string();
        assert!(!cap_text(&mut t));
    }
}
