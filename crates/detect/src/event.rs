//! The event schema shared by every detector (and the simulator's truth):
//! defined in the `model` crate and re-exported here.

pub use model::evidence::{self, Usualness};
pub use model::{Detail, Event, EventKind, Evidence, PortRef, Time, VesselRef};

/// Unix ms as RFC 3339 UTC (the form of every time in events files).
pub fn rfc3339(ms: i64) -> String {
    ais::nmea::format_rfc3339_ms(ms)
}

/// Parses the RFC 3339 UTC form written here back to unix ms.
pub fn parse_time(s: &str) -> Option<i64> {
    ais::nmea::parse_rfc3339_ms(s)
}
