//! `[watch]`: the live monitor's settings.

use serde::{Deserialize, Serialize};

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
    /// Alert on loitering of any vessel, not only listed vessels. Default
    /// false.
    pub all_loitering: bool,
    /// Largest HTTP request accepted, bytes. Default 16 KiB (the API has
    /// no uploads).
    pub max_request_bytes: usize,
    /// Maximum server-sent-event subscribers. Default 64.
    pub max_subscribers: usize,
    /// Area of the live map, [min lon, min lat, max lon, max lat]. Default:
    /// the watched ports with 3° around them.
    pub map_bbox: Option<[f64; 4]>,
    /// Vessels held live. Default 250,000 (about the vessels a global
    /// feed hears in a day); past it the stalest 1% (longest silent) are
    /// forgotten (counted as `vessels_evicted`; their fixes stay in the
    /// store), so a flood of invented MMSIs costs bounded memory and time.
    pub max_vessels: usize,
    /// Open connections per TCP listening input. Default 256 (a receiver
    /// network has a few feeders); past it new connections wait in the
    /// kernel's backlog until one closes.
    pub tcp_max_connections: usize,
    /// Open HTTP connections. Default 128 (a page holds two, the stream and
    /// its fetches); past it new connections wait in the backlog, so idle
    /// HTTP peers cannot take the file descriptors the feed inputs need.
    pub api_max_connections: usize,
    /// Seconds a client has to send a request's headers, and an idle
    /// keep-alive connection is held. Default 10: a slow or silent peer is
    /// cut off instead of holding a connection.
    pub api_header_timeout_s: f64,
    /// Largest page of `/api/vessels` (`?limit=`). Default 10,000 (about
    /// 3 MB of JSON); the default page is 1,000.
    pub api_page_max: usize,
    /// How often `--imagery-dir` is looked at for new files, seconds.
    /// Default 10: images reach a monitor hours after they are taken, and
    /// a file is only taken once its size has held still for one look.
    pub imagery_poll_s: f64,
    /// A `dark_vessel` of a dropped detection file is alerted at or above
    /// this confidence when it lies within `imagery.port_radius_km` of a
    /// watched place. Default 0.7: on the simulated scenario's seeds
    /// `dark_vessel` events at 0.7-0.9 are right 77-85% of the time and
    /// above 0.9 always; at 0.5-0.7 only 14-21% (the confidence overstates
    /// there: BENCHMARKS, "Satellite imagery fused with AIS").
    pub imagery_min_confidence: f64,
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
            all_loitering: false,
            max_request_bytes: 16 * 1024,
            max_subscribers: 64,
            map_bbox: None,
            max_vessels: 250_000,
            tcp_max_connections: 256,
            api_max_connections: 128,
            api_header_timeout_s: 10.0,
            api_page_max: 10_000,
            imagery_poll_s: 10.0,
            imagery_min_confidence: 0.7,
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

    /// Refuses values the monitor cannot run with, naming the key.
    pub fn check(&self) -> Result<(), String> {
        // (upper bounds: what one process can hold; every buffer is bounded)
        let within = |k: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!("watch.{k} = {v}: must be >= {lo} and <= {hi}"))
            }
        };
        within("queue", self.queue as f64, 1.0, 16_777_216.0)?;
        if !(self.roll_minutes.is_finite()
            && self.roll_minutes > 0.0
            && self.roll_minutes <= 1440.0)
        {
            return Err(format!(
                "watch.roll_minutes = {}: must be > 0 and <= 1440",
                self.roll_minutes
            ));
        }
        within(
            "alert_history",
            self.alert_history as f64,
            1.0,
            10_000_000.0,
        )?;
        within("imagery_poll_s", self.imagery_poll_s, 0.05, 86_400.0)?;
        within(
            "imagery_min_confidence",
            self.imagery_min_confidence,
            0.0,
            1.0,
        )?;
        within("track_points", self.track_points as f64, 1.0, 1_000_000.0)?;
        within("webhook_attempts", self.webhook_attempts as f64, 1.0, 100.0)?;
        within(
            "webhook_queue",
            self.webhook_queue as f64,
            1.0,
            10_000_000.0,
        )?;
        within(
            "max_request_bytes",
            self.max_request_bytes as f64,
            1024.0,
            67_108_864.0,
        )?;
        within(
            "max_subscribers",
            self.max_subscribers as f64,
            1.0,
            100_000.0,
        )?;
        within("max_vessels", self.max_vessels as f64, 100.0, 10_000_000.0)?;
        within(
            "tcp_max_connections",
            self.tcp_max_connections as f64,
            1.0,
            100_000.0,
        )?;
        within(
            "api_max_connections",
            self.api_max_connections as f64,
            1.0,
            100_000.0,
        )?;
        within(
            "api_header_timeout_s",
            self.api_header_timeout_s,
            0.1,
            3600.0,
        )?;
        within("api_page_max", self.api_page_max as f64, 1.0, 1_000_000.0)?;
        if let Some([x0, y0, x1, y1]) = self.map_bbox {
            let ok = [x0, x1].iter().all(|x| x.abs() <= 180.0)
                && [y0, y1].iter().all(|y| y.abs() <= 90.0)
                && x0 < x1
                && y0 < y1;
            if !ok {
                return Err(format!(
                    "watch.map_bbox = [{x0}, {y0}, {x1}, {y1}]: must be [min lon, min lat, max lon, max lat] inside the globe"
                ));
            }
        }
        Ok(())
    }
}
