//! # shiptrace live (`shiptrace watch`)
//!
//! Feeds in (UDP, TCP listen, TCP client with reconnects, files replayed
//! at a chosen speed), the batch detectors of `detect` fed one fix at a
//! time ([`engine`]), alerts out (JSONL file, webhooks, HTTP API with a
//! server-sent-events stream, a live web page: [`server`]), and every
//! sentence persisted ([`persist`]): appended to a segment that is fsynced
//! every second, then compressed and rolled into the Parquet store, so
//! `detect` and `report` work on what `watch` collected.
//!
//! Flow: inputs -> one bounded queue (UDP drops counted when it is full;
//! TCP and replays wait, so nothing is lost) -> the engine task, which
//! persists each line, decodes it and updates its vessels.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod engine;
pub mod imagery;
pub mod input;
pub mod persist;
pub mod server;

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

pub use config::WatchParams;

/// One alert. `event` is the detector's event where there is one (the same
/// schema as `shiptrace detect`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alert {
    /// Sequence number, from 1, unique within a run of `watch`.
    pub seq: u64,
    /// went_dark, dark_port_call_suspected, dark_port_call, entered, left,
    /// encounter, identity_change, loitering, dark_vessel (a hull in a
    /// satellite image with no AIS, at a watched place; `mmsi` 0).
    pub kind: String,
    /// The vessel.
    pub mmsi: u32,
    /// The other vessel (encounters).
    pub other_mmsi: Option<u32>,
    /// Feed time of the alert (RFC 3339): when the condition held.
    pub time: String,
    /// Wall-clock time the alert was raised.
    pub raised: String,
    /// Its latest name (attacker-controlled text).
    pub name: Option<String>,
    /// Where, latitude.
    pub lat: Option<f64>,
    /// Where, longitude.
    pub lon: Option<f64>,
    /// The port or area, if any.
    pub place: Option<String>,
    /// Why this alert is raised for this vessel: list matches, watched place.
    pub why: Vec<String>,
    /// One line for people.
    pub summary: String,
    /// The detector's event, when there is one.
    pub event: Option<detect::Event>,
}

/// Counters shown by `/api/stats` and printed at shutdown.
#[derive(Debug, Default)]
pub struct Counters {
    /// Lines received.
    pub lines: AtomicU64,
    /// UDP datagrams received.
    pub udp_datagrams: AtomicU64,
    /// Lines dropped because the queue was full (UDP only).
    pub queue_drops: AtomicU64,
    /// Lines taken off the queue and handled by the engine; `lines -
    /// queue_drops - processed` is what waits in the queue.
    pub processed: AtomicU64,
    /// Messages decoded.
    pub decoded: AtomicU64,
    /// Lines rejected by the decoder.
    pub rejected: AtomicU64,
    /// Lines written and fsynced to a segment.
    pub persisted: AtomicU64,
    /// Segments rolled into the store.
    pub segments_rolled: AtomicU64,
    /// Rolls that failed (the segment is kept and retried at the next start).
    pub roll_errors: AtomicU64,
    /// Alerts raised.
    pub alerts: AtomicU64,
    /// Webhook deliveries that succeeded.
    pub webhook_sent: AtomicU64,
    /// Webhook deliveries that failed after every attempt.
    pub webhook_failed: AtomicU64,
    /// Alerts dropped because the webhook queue was full.
    pub webhook_dropped: AtomicU64,
    /// Times a slow stream subscriber fell behind and missed alerts.
    pub sse_lagged: AtomicU64,
    /// TCP connections accepted or made.
    pub connections: AtomicU64,
    /// Reconnections of TCP clients.
    pub reconnects: AtomicU64,
    /// Lines longer than an NMEA sentence can be, cut off and counted.
    pub overlong: AtomicU64,
    /// Messages whose receive time is before 1990 or more than a day after
    /// the wall clock at reception: counted, not processed, never moving
    /// the feed clock (`store::limits::plausible_time`).
    pub implausible_time: AtomicU64,
    /// Vessels forgotten to stay within `[watch] max_vessels`.
    pub vessels_evicted: AtomicU64,
    /// TCP peers disconnected after `input::IDLE` without a byte.
    pub idle_closed: AtomicU64,
    /// Failed accepts on the TCP inputs and the API (such as running out of
    /// file descriptors): retried after a pause, never fatal.
    pub accept_errors: AtomicU64,
    /// Lines of a gpsd input that are no AIS report gpsd's JSON can give
    /// (not JSON, a missing or mistyped field).
    pub bad_json: AtomicU64,
    /// Detection files taken from `--imagery-dir`.
    pub imagery_files: AtomicU64,
    /// Detection or scenes files refused whole (unreadable, no usable
    /// columns).
    pub imagery_files_refused: AtomicU64,
    /// Rows of imagery files refused (reported with file and line).
    pub imagery_rows_refused: AtomicU64,
    /// `dark_vessel` events found in them (alerted or not).
    pub imagery_dark: AtomicU64,
}

impl Counters {
    /// Adds to a counter.
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
    /// Reads a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
    /// Every counter, as `/api/stats` shows them.
    pub fn to_json(&self) -> serde_json::Value {
        let g = Counters::get;
        serde_json::json!({
            "lines": g(&self.lines), "udp_datagrams": g(&self.udp_datagrams),
            "queue_drops": g(&self.queue_drops), "processed": g(&self.processed),
            "decoded": g(&self.decoded),
            "rejected": g(&self.rejected), "persisted": g(&self.persisted),
            "segments_rolled": g(&self.segments_rolled), "roll_errors": g(&self.roll_errors),
            "alerts": g(&self.alerts), "webhook_sent": g(&self.webhook_sent),
            "webhook_failed": g(&self.webhook_failed), "webhook_dropped": g(&self.webhook_dropped),
            "sse_lagged": g(&self.sse_lagged), "connections": g(&self.connections),
            "reconnects": g(&self.reconnects), "overlong": g(&self.overlong),
            "implausible_time": g(&self.implausible_time),
            "vessels_evicted": g(&self.vessels_evicted), "accept_errors": g(&self.accept_errors), "idle_closed": g(&self.idle_closed),
            "bad_json": g(&self.bad_json),
            "imagery_files": g(&self.imagery_files), "imagery_files_refused": g(&self.imagery_files_refused),
            "imagery_rows_refused": g(&self.imagery_rows_refused), "imagery_dark": g(&self.imagery_dark),
        })
    }
}

/// Wall clock, unix ms (the store's: one clock for receive-time checks).
pub use store::limits::wall_ms;
