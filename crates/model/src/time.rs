//! Event times: integer milliseconds, RFC 3339 UTC in files.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A time in unix milliseconds (UTC). Displayed and serialized as RFC 3339
/// UTC (`2023-08-10T15:45:22Z`, with milliseconds only when not whole
/// seconds); parsed from that form only, so a file with any other time is
/// refused, never read as 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub i64);

impl Time {
    /// Unix milliseconds.
    pub const fn ms(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 UTC (the form written here).
    pub fn parse(s: &str) -> Option<Time> {
        ais::nmea::parse_rfc3339_ms(s).map(Time)
    }

    /// The date part, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let mut s = self.to_string();
        s.truncate(10);
        s
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&ais::nmea::format_rfc3339_ms(self.0))
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Time::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 UTC time")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_as_rfc3339() {
        let t = Time(1_691_682_322_000);
        assert_eq!(t.to_string(), "2023-08-10T15:45:22Z");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2023-08-10T15:45:22Z\""
        );
        assert_eq!(
            serde_json::from_str::<Time>("\"2023-08-10T15:45:22Z\"").unwrap(),
            t
        );
        assert_eq!(t.date(), "2023-08-10");
        let e = serde_json::from_str::<Time>("\"10/08/2023\"").unwrap_err();
        assert!(e.to_string().contains("not an RFC 3339 UTC time"), "{e}");
        assert!(serde_json::from_str::<Time>("\"é2023-08-10T15:45:22Z\"").is_err());
    }
}
