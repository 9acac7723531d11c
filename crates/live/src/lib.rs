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

pub mod engine;
pub mod input;
pub mod persist;
pub mod server;

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// `[watch]` in shiptrace.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchParams {
    /// Sentences queued between the inputs and the engine. Default 65,536
    /// (about a second at 50,000 messages/s): bounds memory; UDP input
    /// beyond it is dropped and counted, TCP input waits.
    pub queue: usize,
    /// A segment of raw sentences is closed, compressed and rolled into the
    /// store after this many minutes. Default 10: the store lags the feed
    /// by at most this much; smaller means more, smaller files.
    pub roll_minutes: f64,
    /// Alerts kept in memory for `/api/alerts`. Default 10,000.
    pub alert_history: usize,
    /// Fixes kept per vessel for `/api/vessels/{mmsi}`. Default 200.
    pub track_points: usize,
    /// Webhook attempts per alert (1 s, 2 s, 4 s... apart). Default 5.
    pub webhook_attempts: u32,
    /// Alerts waiting for webhooks before new ones are dropped (counted).
    /// Default 10,000.
    pub webhook_queue: usize,
    /// Alert on encounters of any two vessels, not only those involving a
    /// listed vessel. Default false.
    pub all_encounters: bool,
    /// Alert when any vessel goes dark, not only listed vessels and those
    /// near a watched place. Default false.
    pub all_gaps: bool,
    /// Largest HTTP request accepted, bytes. Default 16 KiB (the API has
    /// no uploads).
    pub max_request_bytes: usize,
    /// Maximum server-sent-event subscribers. Default 64.
    pub max_subscribers: usize,
    /// Area of the live map, [min lon, min lat, max lon, max lat]. Default:
    /// the watched ports with 3° around them.
    pub map_bbox: Option<[f64; 4]>,
}

impl Default for WatchParams {
    fn default() -> Self {
        WatchParams {
            queue: 65_536,
            roll_minutes: 10.0,
            alert_history: 10_000,
            track_points: 200,
            webhook_attempts: 5,
            webhook_queue: 10_000,
            all_encounters: false,
            all_gaps: false,
            max_request_bytes: 16 * 1024,
            max_subscribers: 64,
            map_bbox: None,
        }
    }
}

impl WatchParams {
    /// `[watch]` of a configuration file; other tables are left alone.
    pub fn from_toml(text: &str) -> Result<WatchParams, String> {
        let v: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        match v.get("watch") {
            Some(w) => w
                .clone()
                .try_into::<WatchParams>()
                .map_err(|e| format!("[watch]: {e}")),
            None => Ok(WatchParams::default()),
        }
    }
}

/// One alert. `event` is the detector's event where there is one (the same
/// schema as `shiptrace detect`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alert {
    /// Sequence number, from 1, unique within a run of `watch`.
    pub seq: u64,
    /// went_dark, dark_port_call_suspected, dark_port_call, entered, left,
    /// encounter, identity_change.
    pub kind: String,
    pub mmsi: u32,
    pub other_mmsi: Option<u32>,
    /// Feed time of the alert (RFC 3339): when the condition held.
    pub time: String,
    /// Wall-clock time the alert was raised.
    pub raised: String,
    pub name: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place: Option<String>,
    /// Why this alert is raised for this vessel: list matches, watched place.
    pub why: Vec<String>,
    pub summary: String,
    pub event: Option<detect::Event>,
}

/// Counters shown by `/api/stats` and printed at shutdown.
#[derive(Debug, Default)]
pub struct Counters {
    pub lines: AtomicU64,
    pub udp_datagrams: AtomicU64,
    /// Lines dropped because the queue was full (UDP only).
    pub queue_drops: AtomicU64,
    /// Lines taken off the queue and handled by the engine; `lines -
    /// queue_drops - processed` is what waits in the queue.
    pub processed: AtomicU64,
    pub decoded: AtomicU64,
    pub rejected: AtomicU64,
    /// Lines written and fsynced to a segment.
    pub persisted: AtomicU64,
    pub segments_rolled: AtomicU64,
    pub roll_errors: AtomicU64,
    pub alerts: AtomicU64,
    pub webhook_sent: AtomicU64,
    pub webhook_failed: AtomicU64,
    pub webhook_dropped: AtomicU64,
    pub sse_lagged: AtomicU64,
    pub connections: AtomicU64,
    pub reconnects: AtomicU64,
    /// Lines longer than an NMEA sentence can be, cut off and counted.
    pub overlong: AtomicU64,
}

impl Counters {
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
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
        })
    }
}

/// Wall clock, unix ms.
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
