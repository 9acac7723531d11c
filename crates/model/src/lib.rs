//! The event model every shiptrace crate shares: what a detector reports
//! ([`Event`]), of which [`EventKind`], when ([`Time`]) and on what
//! evidence ([`Evidence`], one typed struct per kind).
//!
//! Events are written as JSON lines (`events.jsonl`) in the schema of the
//! design: `id, kind, mmsi, other_mmsi, start, end, lat, lon, port,
//! confidence, evidence, vessel`, times as RFC 3339 UTC, the evidence an
//! object whose keys are in alphabetical order. Code reads evidence through
//! the fields of the kind's struct, never by key, so a renamed field is a
//! compile error, not a silent `null`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod event;
pub mod evidence;
mod kind;
mod time;

pub use event::{either, Event, PortRef, VesselRef};
pub use evidence::{Detail, Evidence};
pub use kind::{EventKind, UnknownKind};
pub use time::Time;

/// Text for a CSV cell. Spreadsheets run a cell that starts with `=`, `+`,
/// `-`, `@`, tab or carriage return as a formula; broadcast names and
/// detection ids are attacker-controlled, so such text gets a leading `'`
/// (OWASP's advice for CSV injection). Numbers are written as numbers and
/// left alone.
pub fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Whether a character of attacker-controlled text (a broadcast name, a
/// destination, a list's remark) must be shown escaped wherever it is
/// displayed: C0/C1 controls other than tab and newline (terminal escapes,
/// forbidden in XML) and the bidirectional overrides and isolates
/// (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), which make a
/// name display in another order than it is stored ("Trojan Source").
pub fn is_hidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}
