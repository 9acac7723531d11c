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

pub use event::{Event, PortRef, VesselRef};
pub use evidence::{Detail, Evidence};
pub use kind::{EventKind, UnknownKind};
pub use time::Time;
