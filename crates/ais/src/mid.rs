//! Flag state from an MMSI's Maritime Identification Digits (ITU-R M.585,
//! MID table of ITU Radio Regulations Appendix 43). The table is
//! `data/mid.csv`: one row per MID, ISO 3166 alpha-2 code and a name.

use std::sync::OnceLock;

/// A flag state: ISO 3166-1 alpha-2 code and a readable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// Maritime Identification Digits.
    pub mid: u16,
    /// ISO 3166 alpha-2 code.
    pub alpha2: &'static str,
    /// Country or territory name.
    pub name: &'static str,
}

static TABLE: &str = include_str!("../data/mid.csv");

fn table() -> &'static [Option<Flag>; 1000] {
    static T: OnceLock<Box<[Option<Flag>; 1000]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new([None; 1000]);
        for line in TABLE.lines().skip(1) {
            let mut it = line.splitn(3, ',');
            let (Some(m), Some(a), Some(n)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            if let Ok(mid) = m.parse::<u16>() {
                if (mid as usize) < 1000 {
                    t[mid as usize] = Some(Flag {
                        mid,
                        alpha2: a,
                        name: n,
                    });
                }
            }
        }
        t
    })
}

/// The MID inside an MMSI, by the MMSI's form (ITU-R M.585): ships
/// `MIDxxxxxx`; handhelds `8MIDxxxxx`; coast stations `00MIDxxxx`; craft
/// with a parent ship `98MIDxxxx`; aids to navigation `99MIDxxxx`; SAR
/// aircraft `111MIDxxx`. Group calls (`0MID...`) and the test/SART/MOB
/// ranges (`970`-`974`) carry no flag.
pub fn mid_of(mmsi: u32) -> Option<u16> {
    if mmsi > 999_999_999 {
        return None;
    }
    let d = |i: u32| (mmsi / 10u32.pow(8 - i)) % 10;
    let three = |i: u32| (d(i) * 100 + d(i + 1) * 10 + d(i + 2)) as u16;
    match (d(0), d(1), d(2)) {
        (2..=7, _, _) => Some(three(0)),
        (8, _, _) => Some(three(1)),
        (0, 0, _) => Some(three(2)),
        (9, 8, _) | (9, 9, _) => Some(three(2)),
        (1, 1, 1) => Some(three(3)),
        _ => None,
    }
}

/// The flag state an MMSI was assigned by, if its MID is allocated.
pub fn flag(mmsi: u32) -> Option<Flag> {
    mid_of(mmsi).and_then(|m| table()[m as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_by_mmsi_form() {
        assert_eq!(flag(273_210_440).unwrap().alpha2, "RU");
        assert_eq!(flag(445_123_456).unwrap().alpha2, "KP");
        assert_eq!(flag(351_000_001).unwrap().alpha2, "PA");
        assert_eq!(flag(636_012_345).unwrap().alpha2, "LR");
        // coast station, handheld, AtoN, SAR aircraft
        assert_eq!(flag(2_734_567).unwrap().alpha2, "RU");
        assert_eq!(flag(827_312_345).unwrap().alpha2, "RU");
        assert_eq!(flag(992_351_234).unwrap().alpha2, "GB");
        assert_eq!(flag(111_273_123).unwrap().alpha2, "RU");
        // unallocated MID, SART range, out of range
        assert_eq!(flag(217_000_000), None);
        assert_eq!(flag(970_123_456), None);
        assert_eq!(flag(1_000_000_000), None);
        assert_eq!(mid_of(970_123_456), None);
    }

    #[test]
    fn table_is_well_formed() {
        let n = TABLE.lines().skip(1).count();
        let parsed = table().iter().flatten().count();
        assert_eq!(n, parsed, "every row of mid.csv parses");
        assert!(table()
            .iter()
            .flatten()
            .all(|f| f.alpha2.len() == 2 && f.alpha2.bytes().all(|b| b.is_ascii_uppercase())));
    }
}
