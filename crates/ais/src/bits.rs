//! The 6-bit ASCII armour of AIS payloads and big-endian bit access.
//!
//! Hand-written rather than taken from a bit-vector crate: de-armouring and
//! field extraction are the whole cost of decoding, and doing them on a fixed
//! stack buffer with one unaligned 64-bit load per field is what makes this
//! decoder several times faster than its peers.

/// Largest payload the decoder accepts, in bytes of de-armoured bits.
/// An AIS message occupies at most 5 slots (1,008 bits, 126 bytes); the
/// buffer is larger so that over-long input is reported rather than cut.
pub const MAX_PAYLOAD_BYTES: usize = 512;
/// Largest payload in bits.
pub const MAX_PAYLOAD_BITS: usize = MAX_PAYLOAD_BYTES * 8;

/// De-armoured payload bits, zero-padded, with its length in bits.
#[derive(Clone)]
pub struct Bits {
    // 8 bytes of padding so that a field read near the end can always load a
    // whole u64 without a bounds branch per field.
    buf: [u8; MAX_PAYLOAD_BYTES + 8],
    len: usize,
    /// Bytes that may be non-zero (also those written by a failed append),
    /// so that `clear` restores the all-zero padding reads rely on.
    dirty: usize,
}

impl Default for Bits {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Bits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bits({} bits)", self.len)
    }
}

/// Why an armoured payload could not be turned into bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmorError {
    /// A character outside the 6-bit armour alphabet, at this index.
    BadChar(usize),
    /// More bits than [`MAX_PAYLOAD_BITS`].
    TooLong,
    /// Fill bits outside 0..=5 or more than the payload holds.
    BadFill,
}

/// 6-bit value of each armour character; 0xFF for characters outside the
/// alphabet (`0`..`W` and `` ` ``..`w`).
static UNARMOR: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut c = 0usize;
    while c < 256 {
        let v = (c as u8).wrapping_sub(48);
        if v < 40 {
            t[c] = v;
        } else if v >= 48 && v <= 71 {
            t[c] = v - 8;
        }
        c += 1;
    }
    t
};

/// Value of one armour character, or `None` if it is not in the alphabet
/// (`0`..`W` and `` ` ``..`w`).
#[inline(always)]
pub fn unarmor(c: u8) -> Option<u8> {
    let v = UNARMOR[c as usize];
    if v == 0xFF {
        None
    } else {
        Some(v)
    }
}

/// The armour character for a 6-bit value.
#[inline]
pub fn armor(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 40 {
        v + 48
    } else {
        v + 56
    }
}

impl Bits {
    /// Empty.
    pub const fn new() -> Self {
        Bits {
            buf: [0; MAX_PAYLOAD_BYTES + 8],
            len: 0,
            dirty: 0,
        }
    }

    /// Length in bits.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no bits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed bytes (the last one zero-padded).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len.div_ceil(8)]
    }

    /// Empties it, zeroing every byte a failed append may have touched.
    pub fn clear(&mut self) {
        let used = self.len.div_ceil(8).max(self.dirty).min(self.buf.len());
        self.buf[..used].fill(0);
        self.len = 0;
        self.dirty = 0;
    }

    /// Appends armoured characters; `fill` bits are dropped from the end of
    /// this chunk (each sentence of a multi-part message carries its own).
    pub fn push_armored(&mut self, chars: &[u8], fill: u8) -> Result<(), ArmorError> {
        let nbits = chars.len() * 6;
        if fill > 5 || (fill as usize) > nbits {
            return Err(ArmorError::BadFill);
        }
        if self.len + nbits > MAX_PAYLOAD_BITS {
            return Err(ArmorError::TooLong);
        }
        // Every character fills less than one byte; +1 for a partial byte.
        self.dirty = self.dirty.max(self.len / 8 + chars.len() + 1);
        let mut chars = chars;
        let mut first_char = 0;
        if self.len.is_multiple_of(8) {
            // Fast path for a byte-aligned start (every single-sentence
            // message): four characters make three whole bytes.
            let mut out = self.len / 8;
            let mut chunks = chars.chunks_exact(4);
            for (k, c) in (&mut chunks).enumerate() {
                let (a, b, d, e) = (
                    UNARMOR[c[0] as usize],
                    UNARMOR[c[1] as usize],
                    UNARMOR[c[2] as usize],
                    UNARMOR[c[3] as usize],
                );
                if (a | b | d | e) & 0x80 != 0 {
                    let i = c
                        .iter()
                        .position(|&x| UNARMOR[x as usize] == 0xFF)
                        .unwrap_or(0);
                    return Err(ArmorError::BadChar(k * 4 + i));
                }
                let w = (a as u32) << 18 | (b as u32) << 12 | (d as u32) << 6 | e as u32;
                self.buf[out] = (w >> 16) as u8;
                self.buf[out + 1] = (w >> 8) as u8;
                self.buf[out + 2] = w as u8;
                out += 3;
            }
            let done = chars.len() - chunks.remainder().len();
            first_char = done;
            self.len += done * 6;
            chars = chunks.remainder();
        }
        let nbits = chars.len() * 6;
        // Accumulate 6-bit groups in a 64-bit register and flush whole bytes.
        let mut acc: u64 = 0;
        let mut acc_bits: u32 = 0;
        let mut pos = self.len;
        // Align: merge with a partial trailing byte.
        let rem = (pos % 8) as u32;
        if rem != 0 {
            let byte = self.buf[pos / 8] >> (8 - rem);
            acc = byte as u64;
            acc_bits = rem;
            pos -= rem as usize;
        }
        let mut out = pos / 8;
        for (i, &c) in chars.iter().enumerate() {
            let v = unarmor(c).ok_or(ArmorError::BadChar(first_char + i))?;
            acc = (acc << 6) | v as u64;
            acc_bits += 6;
            if acc_bits >= 32 {
                // flush 4 bytes at once
                let shift = acc_bits - 32;
                let word = (acc >> shift) as u32;
                self.buf[out..out + 4].copy_from_slice(&word.to_be_bytes());
                out += 4;
                acc_bits = shift;
                acc &= (1u64 << shift) - 1;
            }
        }
        while acc_bits >= 8 {
            acc_bits -= 8;
            self.buf[out] = (acc >> acc_bits) as u8;
            out += 1;
            acc &= (1u64 << acc_bits) - 1;
        }
        if acc_bits > 0 {
            self.buf[out] = (acc << (8 - acc_bits)) as u8;
        }
        self.len = self.len + nbits - fill as usize;
        // Clear the fill bits so that later appends and reads see zeros.
        let end = self.len;
        let used_end = (self.len + fill as usize).div_ceil(8);
        if !end.is_multiple_of(8) {
            let keep = (end % 8) as u32;
            self.buf[end / 8] &= 0xffu8 << (8 - keep);
        }
        let clear_from = end.div_ceil(8);
        if used_end > clear_from {
            self.buf[clear_from..used_end].fill(0);
        }
        Ok(())
    }

    /// `len` (<= 57) bits starting at bit `start`, as unsigned. Bits past the
    /// end of the payload read as zero.
    #[inline(always)]
    pub fn get(&self, start: usize, len: u32) -> u64 {
        debug_assert!(len <= 57);
        let byte = start / 8;
        if byte + 8 > self.buf.len() || len == 0 {
            return 0;
        }
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.buf[byte..byte + 8]);
        let word = u64::from_be_bytes(w);
        let shift = (start % 8) as u32;
        (word << shift) >> (64 - len)
    }

    /// `len` bits at `start` as a two's-complement signed number.
    #[inline(always)]
    pub fn get_signed(&self, start: usize, len: u32) -> i64 {
        let v = self.get(start, len);
        let sh = 64 - len;
        ((v << sh) as i64) >> sh
    }

    /// Copies `nbits` bits from `start` into `out` (packed, big-endian,
    /// zero-padded), returning the number of bytes written.
    pub fn copy_bits(&self, start: usize, nbits: usize, out: &mut [u8]) -> usize {
        let nbytes = nbits.div_ceil(8).min(out.len());
        for (i, o) in out.iter_mut().take(nbytes).enumerate() {
            let take = (nbits - i * 8).min(8) as u32;
            *o = (self.get(start + i * 8, take) << (8 - take)) as u8;
        }
        nbytes
    }
}

/// Sequential reader over [`Bits`], used by the message layouts.
pub struct BitReader<'a> {
    bits: &'a Bits,
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader of `bits` from bit `pos`.
    #[inline(always)]
    pub fn new(bits: &'a Bits, pos: usize) -> Self {
        BitReader { bits, pos }
    }
    /// Reads `n` bits as unsigned (zeros past the end).
    #[inline(always)]
    pub fn u(&mut self, n: u32) -> u64 {
        let v = self.bits.get(self.pos, n);
        self.pos += n as usize;
        v
    }
    /// Reads `n` bits as two's complement signed.
    #[inline(always)]
    pub fn i(&mut self, n: u32) -> i64 {
        let v = self.bits.get_signed(self.pos, n);
        self.pos += n as usize;
        v
    }
    /// The next bit to read.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// The bits read from.
    pub fn bits(&self) -> &'a Bits {
        self.bits
    }
}

/// Sequential big-endian bit writer, the inverse of [`BitReader`].
#[derive(Default, Clone)]
pub struct BitWriter {
    bytes: Vec<u8>,
    len: usize,
}

impl BitWriter {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    /// Writes the low `n` bits of `v` (n <= 64).
    pub fn put(&mut self, v: u64, n: u32) {
        let v = if n < 64 { v & ((1u64 << n) - 1) } else { v };
        let mut remaining = n;
        while remaining > 0 {
            let off = (self.len % 8) as u32;
            if off == 0 {
                self.bytes.push(0);
            }
            let free = 8 - off;
            let take = free.min(remaining);
            let chunk = ((v >> (remaining - take)) & ((1u64 << take) - 1)) as u8;
            let last = self.bytes.len() - 1;
            self.bytes[last] |= chunk << (free - take);
            self.len += take as usize;
            remaining -= take;
        }
    }
    /// Appends `nbits` bits from packed big-endian `bytes`.
    pub fn put_bytes(&mut self, bytes: &[u8], nbits: usize) {
        for i in 0..nbits {
            let b = (bytes[i / 8] >> (7 - i % 8)) & 1;
            self.put(b as u64, 1);
        }
    }
    /// Length in bits.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Armoured payload characters and the number of fill bits.
    pub fn to_armored(&self) -> (String, u8) {
        let nchars = self.len.div_ceil(6);
        let fill = (nchars * 6 - self.len) as u8;
        let mut s = String::with_capacity(nchars);
        for c in 0..nchars {
            let bit = c * 6;
            let byte = bit / 8;
            let hi = self.bytes.get(byte).copied().unwrap_or(0) as u16;
            let lo = self.bytes.get(byte + 1).copied().unwrap_or(0) as u16;
            let v = (((hi << 8) | lo) >> (10 - bit % 8)) as u8 & 0x3f;
            s.push(armor(v) as char);
        }
        (s, fill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armor_alphabet_round_trips() {
        for v in 0..64u8 {
            assert_eq!(unarmor(armor(v)), Some(v));
        }
        assert_eq!(unarmor(b'X'), None);
        assert_eq!(unarmor(b'_'), None);
    }

    #[test]
    fn reads_fields_across_byte_boundaries() {
        let mut b = Bits::new();
        // "15RTgt0PAso;90TKcjM8h6g208CQ": type 1, MMSI 371798000
        b.push_armored(b"15RTgt0PAso;90TKcjM8h6g208CQ", 0).unwrap();
        assert_eq!(b.len(), 168);
        assert_eq!(b.get(0, 6), 1);
        assert_eq!(b.get(8, 30), 371798000);
        assert_eq!(b.get_signed(42, 8), -127);
        assert_eq!(b.get_signed(61, 28), -74037230);
    }

    #[test]
    fn appends_unaligned_chunks_and_drops_fill() {
        let mut w = BitWriter::new();
        for i in 0..100u64 {
            w.put(i * 7919 % 1021, 10);
        }
        let (s, fill) = w.to_armored();
        let (a, b) = s.as_bytes().split_at(7);
        let mut bits = Bits::new();
        bits.push_armored(a, 0).unwrap();
        bits.push_armored(b, fill).unwrap();
        assert_eq!(bits.len(), 1000);
        for i in 0..100u64 {
            assert_eq!(bits.get(i as usize * 10, 10), i * 7919 % 1021);
        }
    }

    #[test]
    fn a_failed_append_leaves_no_garbage_for_the_next_payload() {
        let mut b = Bits::new();
        assert_eq!(
            b.push_armored(b"wwwwwwwwwwwwwwwwwwwwwwwwwwwww!", 0),
            Err(ArmorError::BadChar(29))
        );
        b.clear();
        b.push_armored(b"1", 0).unwrap();
        assert_eq!(b.get(6, 50), 0);
    }

    #[test]
    fn reads_past_the_end_as_zero() {
        let mut b = Bits::new();
        b.push_armored(b"w", 0).unwrap();
        assert_eq!(b.get(0, 6), 63);
        assert_eq!(b.get(6, 30), 0);
        assert_eq!(b.get(MAX_PAYLOAD_BITS + 100, 30), 0);
    }
}
