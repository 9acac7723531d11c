//! AIS 6-bit text (names, callsigns, destinations) held inline, without
//! allocation.

use crate::bits::{BitReader, BitWriter};

/// The ITU-R M.1371 6-bit character set: value `v` is `SIXBIT[v]`.
pub const SIXBIT: &[u8; 64] = b"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/// Inline text of at most `N` characters. Decoding stops at the first `@`
/// (the padding character) and strips trailing spaces, as receivers and gpsd
/// do.
///
/// The text is attacker-controlled (anyone can transmit any name): it is
/// always printable ASCII here, but callers must still escape it for HTML,
/// CSV or shells.
#[derive(Clone, Copy)]
pub struct AisText<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> Default for AisText<N> {
    fn default() -> Self {
        AisText {
            bytes: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> AisText<N> {
    /// The text (ASCII).
    pub fn as_str(&self) -> &str {
        // Only bytes from SIXBIT are ever stored: always ASCII.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Length in characters.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Builds a text from a string, keeping only characters of the 6-bit set
    /// (lower case is upper-cased, others become `?`) and at most `N` of them.
    pub fn from_str_lossy(s: &str) -> Self {
        let mut t = Self::default();
        for c in s.chars().take(N) {
            let c = c.to_ascii_uppercase();
            let b = if c.is_ascii() && SIXBIT.contains(&(c as u8)) {
                c as u8
            } else {
                b'?'
            };
            t.bytes[t.len as usize] = b;
            t.len += 1;
        }
        t
    }

    /// Reads `nchars` 6-bit characters (at most `N` are kept).
    #[inline]
    pub(crate) fn read(r: &mut BitReader<'_>, nchars: usize) -> Self {
        let mut t = Self::default();
        let mut ended = false;
        for _ in 0..nchars {
            let v = r.u(6) as usize;
            if ended || t.len as usize >= N {
                continue;
            }
            let c = SIXBIT[v];
            if c == b'@' {
                ended = true;
                continue;
            }
            t.bytes[t.len as usize] = c;
            t.len += 1;
        }
        while t.len > 0 && t.bytes[t.len as usize - 1] == b' ' {
            t.len -= 1;
        }
        t
    }

    /// Writes exactly `nchars` characters, padding with `@`.
    pub(crate) fn write(&self, w: &mut BitWriter, nchars: usize) {
        for i in 0..nchars {
            let c = if i < self.len as usize {
                self.bytes[i]
            } else {
                b'@'
            };
            let v = SIXBIT.iter().position(|&x| x == c).unwrap_or(0);
            w.put(v as u64, 6);
        }
    }
}

// Equality and hashing look at the text only, not at bytes past its end.
impl<const N: usize> PartialEq for AisText<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl<const N: usize> Eq for AisText<N> {}
impl<const N: usize> std::hash::Hash for AisText<N> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl<const N: usize> std::fmt::Debug for AisText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl<const N: usize> std::fmt::Display for AisText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> AisText<N> {
    /// Reads `n1` characters at bit `s1` and, if none of them was the `@`
    /// terminator, continues with `n2` characters at bit `s2` (type 21 name
    /// and name extension).
    pub(crate) fn read_joined(
        bits: &crate::bits::Bits,
        s1: usize,
        n1: usize,
        s2: usize,
        n2: usize,
    ) -> Self {
        let mut t = Self::default();
        let push_run = |t: &mut Self, start: usize, n: usize| -> bool {
            for i in 0..n {
                let c = SIXBIT[bits.get(start + 6 * i, 6) as usize];
                if c == b'@' {
                    return false;
                }
                if (t.len as usize) < N {
                    t.bytes[t.len as usize] = c;
                    t.len += 1;
                }
            }
            true
        };
        if push_run(&mut t, s1, n1) {
            push_run(&mut t, s2, n2);
        }
        while t.len > 0 && t.bytes[t.len as usize - 1] == b' ' {
            t.len -= 1;
        }
        t
    }
}
