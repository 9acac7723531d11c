//! `shiptrace watch` on loopback: the built-in scenario (13 days) replayed
//! over TCP and over UDP raises the expected alerts; the HTTP API, its
//! event stream and its token work; kill -9 and a restart lose nothing
//! that was acknowledged (fsynced, as `/api/stats` reports) and duplicate
//! nothing (the store equals a direct ingest of the same lines).

mod common;

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ANGARA: u32 = 273210440;

struct Fixture {
    dir: PathBuf,
    lines: Vec<Vec<u8>>,
}

/// The scenario's feed (13 days, the shuttles and 2 ordinary fleets'
/// worth of vessels) plus a type 5 at the end in which ANGARA (listed)
/// calls itself "ANGARA II"; a configuration listing the shuttles and
/// alerting on every encounter. Made once for all tests here.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        common::run(&dir, &["simulate", "--days", "13", "--vessels", "2", "--out", "sim"]);
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("sim/ais.nmea.gz")).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
        let mut m = ais::random_message(5, &mut std::iter::repeat(0));
        if let ais::Body::StaticAndVoyage(s) = &mut m.body {
            s.imo = 9179842;
            s.shipname = ais::AisText::from_str_lossy("ANGARA II");
            s.callsign = ais::AisText::from_str_lossy("UBCT6");
            s.shiptype = 70;
        }
        m.msg_type = 5;
        m.mmsi = ANGARA;
        let t = 1_691_971_200_000; // 2023-08-14T00:00Z, the end of the feed
        for s in ais::encode::to_sentences(&m, &ais::encode::SentenceOptions { tag_time_ms: Some(t), ..Default::default() }) {
            lines.push(s.into_bytes());
        }
        // a register: ANGARA's owner, a company the analyst recorded as
        // listed under another spelling (the alerts say so through the
        // network, under the company record's name)
        std::fs::write(
            dir.join("owners.toml"),
            "[[vessel]]\nimo = 9179842\nowner = \"M LEASING LLC\"\n\n[[company]]\nname = \"M Leasing\"\nlisted = \"OFAC SDN (as recorded)\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("watch.toml"),
            format!(
                "[intel]\nwatchlists = [{:?}]\nregistries = [\"owners.toml\"]\n\n[watch]\nall_encounters = true\nall_loitering = true\nroll_minutes = 0.05\n",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rason-shuttle/watchlist.toml").canonicalize().unwrap()
            ),
        )
        .unwrap();
        Fixture { dir, lines }
    })
}

/// A webhook receiver: answers the first POST with 500 (to be retried),
/// later ones with 200; returns the bodies it got.
fn webhook_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for (k, c) in l.incoming().enumerate() {
            let Ok(mut c) = c else { continue };
            let mut r = std::io::BufReader::new(c.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            g.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let status = if k == 0 {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = write!(
                c,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, got)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n{auth}\r\n").unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    let status = r
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = r
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

fn json(port: u16, path: &str) -> serde_json::Value {
    let (st, body) = http(port, path, None);
    assert_eq!(st, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn wait(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Watch {
    child: Child,
    http: u16,
}

impl Drop for Watch {
    /// A failing test must not leave a watcher running.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(dir: &Path, input: &[&str], extra: &[&str]) -> Watch {
    let f = fixture();
    let http = free_port();
    let cfg = f.dir.join("watch.toml");
    let mut args: Vec<String> = vec![
        "watch".into(),
        "--dir".into(),
        dir.display().to_string(),
        "--http".into(),
        format!("127.0.0.1:{http}"),
        "--config".into(),
        cfg.display().to_string(),
    ];
    args.extend(input.iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let child = common::bin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.with_extension("stderr")).unwrap())
        .spawn()
        .unwrap();
    let w = Watch { child, http };
    wait("the HTTP API", 60, || {
        TcpStream::connect(("127.0.0.1", http)).is_ok()
    });
    w
}

/// Whether an NMEA line (tag block or not) is the first sentence of its
/// message.
fn starts_message(l: &[u8]) -> bool {
    let s = String::from_utf8_lossy(l);
    let body = s.rsplit('\\').next().unwrap_or("");
    body.split(',').nth(2) == Some("1")
}

/// The feed listener is bound by its own task, which may come up after
/// the HTTP API on a loaded machine: retried for a while.
fn connect_feed(port: u16) -> TcpStream {
    let t = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(e) => {
                assert!(
                    t.elapsed() < Duration::from_secs(60),
                    "feed port {port}: {e}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn stats(w: &Watch) -> serde_json::Value {
    json(w.http, "/api/stats")
}

fn stop(mut w: Watch) {
    std::process::Command::new("kill")
        .args(["-TERM", &w.child.id().to_string()])
        .status()
        .unwrap();
    let t = Instant::now();
    loop {
        if let Some(st) = w.child.try_wait().unwrap() {
            assert!(st.success(), "watch exited with {st}");
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "watch did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kinds_for(alerts: &serde_json::Value, mmsi: u32) -> Vec<String> {
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["mmsi"] == mmsi)
        .map(|a| a["kind"].as_str().unwrap().to_string())
        .collect()
}

fn expected_alerts(port: u16) {
    let alerts = json(port, "/api/alerts?limit=10000");
    let k = kinds_for(&alerts, ANGARA);
    for want in [
        "left",
        "went_dark",
        "dark_port_call_suspected",
        "dark_port_call",
        "entered",
        "identity_change",
    ] {
        assert!(
            k.iter().any(|x| x == want),
            "no {want} alert for ANGARA: {k:?}"
        );
    }
    // went dark (6 h) before the dark call was suspected (12 h), both
    // before the vessel reappeared and the call was confirmed
    let seq = |kind: &str| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["mmsi"] == ANGARA && a["kind"] == kind)
            .unwrap()["seq"]
            .as_u64()
            .unwrap()
    };
    assert!(seq("went_dark") < seq("dark_port_call_suspected"));
    // the register's listed owner rides along in the reasons
    let entered = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["mmsi"] == ANGARA && a["kind"] == "entered")
        .unwrap();
    assert!(
        entered["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "owner listed: ANGARA -> owned by M Leasing (listed)"),
        "{entered}"
    );
    assert!(seq("dark_port_call_suspected") < seq("dark_port_call"));
    let call = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "dark_port_call")
        .unwrap();
    assert_eq!(
        call["event"]["kind"], "dark_port_call",
        "the batch detector's event rides along"
    );
    let enc = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "encounter")
        .count();
    assert!(enc >= 10, "the scenario's ship-to-ship meetings: {enc}");
    // loitering, fix by fix as in batch; every event's score calibrated
    // as in batch
    let loiter: Vec<&serde_json::Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "loitering")
        .collect();
    assert!(!loiter.is_empty(), "no loitering alert");
    for a in alerts.as_array().unwrap() {
        let k = a["event"]["kind"].as_str().unwrap_or("");
        if ["loitering", "encounter", "identity_change", "port_visit"].contains(&k) {
            assert!(
                a["event"]["evidence"]["calibration"].is_string(),
                "uncalibrated {k} event: {a}"
            );
        }
    }
    // each condition alerted once
    let mut seen = std::collections::HashSet::new();
    for a in alerts.as_array().unwrap() {
        let key = (
            a["kind"].to_string(),
            a["mmsi"].to_string(),
            a["other_mmsi"].to_string(),
            a["event"]["start"].to_string(),
            if a["event"].is_null() {
                a["time"].to_string()
            } else {
                String::new()
            },
        );
        assert!(seen.insert(key.clone()), "alerted twice: {key:?}");
    }
}

#[test]
fn tcp_replay_raises_the_expected_alerts_and_the_api_works() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let feed = free_port();
    let (hook, posted) = webhook_sink();
    let w = start(
        &tmp.path().join("w"),
        &["--tcp-listen", &format!("127.0.0.1:{feed}")],
        &["--webhook", &format!("http://127.0.0.1:{hook}/alerts")],
    );
    // a subscriber to the event stream, before anything happens
    let port = w.http;
    let sse = std::thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        write!(s, "GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let r = std::io::BufReader::new(s);
        for l in r.lines() {
            let l = l.unwrap();
            if let Some(d) = l.strip_prefix("data: ") {
                let a: serde_json::Value = serde_json::from_str(d).unwrap();
                return a["kind"].as_str().unwrap().to_string();
            }
        }
        String::new()
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut s = connect_feed(feed);
    let mut sent = 0u64;
    for l in &f.lines {
        s.write_all(l).unwrap();
        s.write_all(b"\r\n").unwrap();
        sent += 1;
    }
    drop(s);
    wait("every line persisted", 300, || {
        stats(&w)["persisted"].as_u64().unwrap() >= sent
    });
    let st = stats(&w);
    assert_eq!(
        st["lines"].as_u64().unwrap(),
        sent,
        "TCP loses nothing: {st}"
    );
    assert_eq!(st["queue_drops"], 0);
    wait("the last alerts", 30, || {
        kinds_for(&json(w.http, "/api/alerts?limit=10000"), ANGARA)
            .iter()
            .any(|k| k == "identity_change")
    });
    expected_alerts(w.http);
    assert!(
        !sse.join().unwrap().is_empty(),
        "the event stream delivered an alert"
    );
    // the vessel API
    let v = json(w.http, &format!("/api/vessels/{ANGARA}"));
    assert_eq!(v["vessel"]["name"], "ANGARA II");
    assert!(!v["vessel"]["listed"].as_array().unwrap().is_empty());
    assert!(!v["track"].as_array().unwrap().is_empty());
    assert!(json(w.http, "/api/vessels").as_array().unwrap().len() > 20);
    assert_eq!(http(w.http, "/api/vessels/1", None).0, 404);
    let (st, page) = http(w.http, "/", None);
    assert!(st == 200 && page.contains("<svg") && page.contains("/api/stream"));
    // webhooks: every alert posted, the first after a retry (500 first)
    let n_alerts = stats(&w)["alerts"].as_u64().unwrap();
    wait("webhooks delivered", 120, || {
        stats(&w)["webhook_sent"].as_u64().unwrap() >= n_alerts
    });
    let bodies = posted.lock().unwrap().clone();
    assert_eq!(
        bodies.len() as u64,
        n_alerts + 1,
        "one retry, then one POST per alert"
    );
    assert_eq!(
        bodies[0], bodies[1],
        "the failed POST was retried with the same alert"
    );
    let a: serde_json::Value = serde_json::from_str(&bodies[1]).unwrap();
    assert!(a["kind"].is_string() && a["seq"] == 1);
    assert_eq!(stats(&w)["webhook_failed"], 0);
    stop(w);
    // what watch collected is a store detect and report can use
    let dir = tmp.path().join("w");
    assert!(
        std::fs::read_to_string(dir.join("alerts.jsonl"))
            .unwrap()
            .lines()
            .count()
            > 10
    );
    let o = common::run(
        tmp.path(),
        &["detect", "--store", "w/store", "--out", "ev.jsonl"],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("dark_port_call"));
}

#[test]
fn udp_replay_raises_the_expected_alerts() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let feed = free_port();
    let w = start(
        &tmp.path().join("w"),
        &["--udp", &format!("127.0.0.1:{feed}")],
        &[],
    );
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut sent = 0u64;
    let mut dgram = Vec::new();
    for chunk in f.lines.chunks(400) {
        for l in chunk {
            if dgram.len() + l.len() + 2 > 1400 {
                sock.send_to(&dgram, ("127.0.0.1", feed)).unwrap();
                dgram.clear();
            }
            dgram.extend_from_slice(l);
            dgram.extend_from_slice(b"\r\n");
            sent += 1;
        }
        sock.send_to(&dgram, ("127.0.0.1", feed)).unwrap();
        dgram.clear();
        // paced: the next chunk once this one is received and through the
        // queue (UDP has no flow control; on a loaded machine the engine
        // may be slower than the sender); a datagram the kernel dropped
        // shows as lines < sent
        let (want, mut last, mut since) = (sent, 0u64, Instant::now());
        wait("a chunk received and handled", 120, || {
            let s = stats(&w);
            let n = s["lines"].as_u64().unwrap();
            let done = s["processed"].as_u64().unwrap() + s["queue_drops"].as_u64().unwrap();
            if n != last {
                (last, since) = (n, Instant::now());
            }
            (n >= want || since.elapsed() > Duration::from_secs(3)) && done >= n
        });
    }
    wait("every line persisted", 300, || {
        let s = stats(&w);
        s["persisted"].as_u64().unwrap()
            >= s["lines"].as_u64().unwrap() - s["queue_drops"].as_u64().unwrap()
            && s["lines"].as_u64().unwrap() >= sent
    });
    let st = stats(&w);
    eprintln!(
        "UDP: sent {sent} lines, received {}, dropped at the queue {}",
        st["lines"], st["queue_drops"]
    );
    assert_eq!(
        st["lines"].as_u64().unwrap(),
        sent,
        "paced loopback UDP loses nothing"
    );
    assert_eq!(st["queue_drops"], 0, "a paced feed overflows no queue");
    wait("the last alerts", 30, || {
        kinds_for(&json(w.http, "/api/alerts?limit=10000"), ANGARA)
            .iter()
            .any(|k| k == "identity_change")
    });
    expected_alerts(w.http);
    stop(w);
}

/// (mmsi, time, lat, lon) of every position and (mmsi, time, type) of
/// every identity report, sorted.
type Rows = (Vec<(u32, i64, i64, i64)>, Vec<(u32, i64, u8)>);

fn store_rows(dir: &Path) -> Rows {
    let st = store::Store::open(dir).unwrap();
    let mut p: Vec<(u32, i64, i64, i64)> = st
        .positions(&store::Filter::default())
        .unwrap()
        .iter()
        .map(|x| {
            (
                x.mmsi,
                x.time_ms,
                (x.lat * 1e6) as i64,
                (x.lon * 1e6) as i64,
            )
        })
        .collect();
    p.sort();
    let mut i: Vec<(u32, i64, u8)> = st
        .identities(&store::Filter::default())
        .unwrap()
        .iter()
        .map(|x| (x.mmsi, x.time_ms, x.msg_type))
        .collect();
    i.sort();
    (p, i)
}

#[test]
fn kill_and_restart_lose_nothing_acknowledged_and_duplicate_nothing() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    // cut where a message starts (each TCP connection assembles its own
    // multi-sentence messages)
    let mut half = f.lines.len() / 2;
    while !starts_message(&f.lines[half]) {
        half += 1;
    }
    let (a, b) = f.lines.split_at(half);
    for (k, part) in [a, b].iter().enumerate() {
        let feed = free_port();
        let mut w = start(&dir, &["--tcp-listen", &format!("127.0.0.1:{feed}")], &[]);
        let mut s = connect_feed(feed);
        for l in part.iter() {
            s.write_all(l).unwrap();
            s.write_all(b"\n").unwrap();
        }
        drop(s);
        // acknowledged = fsynced
        wait("the part persisted", 300, || {
            stats(&w)["persisted"].as_u64().unwrap() >= part.len() as u64
        });
        if k == 0 {
            w.child.kill().unwrap(); // SIGKILL: no chance to roll or flush
            w.child.wait().unwrap();
        } else {
            stop(w);
        }
        let mut txt = Vec::new();
        for l in part.iter() {
            txt.extend_from_slice(l);
            txt.push(b'\n');
        }
        std::fs::write(tmp.path().join(format!("part{k}.nmea")), txt).unwrap();
    }
    // the killed run's open segment was rolled in at the restart; the
    // watch's segments are one feed: the same rows as one ingest of it
    let mut all = std::fs::read(tmp.path().join("part0.nmea")).unwrap();
    all.extend(std::fs::read(tmp.path().join("part1.nmea")).unwrap());
    std::fs::write(tmp.path().join("all.nmea"), all).unwrap();
    common::run(tmp.path(), &["ingest", "all.nmea", "--store", "ref"]);
    let (got, got_ids) = store_rows(&dir.join("store"));
    let (want, want_ids) = store_rows(&tmp.path().join("ref"));
    assert_eq!(
        got.len(),
        want.len(),
        "positions: watch store vs direct ingest"
    );
    assert!(got == want, "the same positions");
    let only = |a: &[(u32, i64, u8)], b: &[(u32, i64, u8)]| -> Vec<(u32, i64, u8)> {
        a.iter()
            .filter(|x| b.binary_search(x).is_err())
            .copied()
            .collect()
    };
    assert!(
        got_ids == want_ids,
        "identity reports: {} vs {}; only in the watch's store {:?}, only in the direct ingest {:?}",
        got_ids.len(),
        want_ids.len(),
        only(&got_ids, &want_ids),
        only(&want_ids, &got_ids)
    );
    // a restart over a finished directory adds nothing
    let n = std::fs::read_to_string(dir.join("store/manifest.jsonl"))
        .unwrap()
        .lines()
        .count();
    let w = start(
        &dir,
        &["--tcp-listen", &format!("127.0.0.1:{}", free_port())],
        &[],
    );
    stop(w);
    let n2 = std::fs::read_to_string(dir.join("store/manifest.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(n, n2, "nothing re-ingested");
}

#[test]
fn safe_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // a non-loopback bind without a token is refused
    let o = common::bin()
        .args([
            "watch",
            "--dir",
            "w",
            "--udp",
            "127.0.0.1:0",
            "--http",
            "0.0.0.0:0",
        ])
        .current_dir(d)
        .env_remove("SHIPTRACE_TOKEN")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--token"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // with a token, requests without it are refused
    let w = start(
        &d.join("t"),
        &["--udp", &format!("127.0.0.1:{}", free_port())],
        &["--token", "s3cret-token"],
    );
    assert_eq!(http(w.http, "/api/stats", None).0, 401);
    assert_eq!(http(w.http, "/api/stats", Some("wrong")).0, 401);
    assert_eq!(http(w.http, "/api/stats", Some("s3cret-token")).0, 200);
    // the query form only for the page and the stream
    assert_eq!(http(w.http, "/api/stats?token=s3cret-token", None).0, 401);
    assert_eq!(http(w.http, "/?token=s3cret-token", None).0, 200);
    // hostile input: binary garbage and an endless line do not stop it
    let feed = free_port();
    stop(w);
    let w = start(
        &d.join("g"),
        &["--tcp-listen", &format!("127.0.0.1:{feed}")],
        &[],
    );
    let mut s = connect_feed(feed);
    let junk: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    s.write_all(&junk).unwrap();
    s.write_all(&vec![b'!'; 100_000]).unwrap();
    s.write_all(b"\n!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n")
        .unwrap();
    drop(s);
    wait("junk processed", 60, || {
        stats(&w)["decoded"].as_u64().unwrap() >= 1
    });
    let st = stats(&w);
    assert!(
        st["overlong"].as_u64().unwrap() >= 1 && st["rejected"].as_u64().unwrap() >= 1,
        "{st}"
    );
    stop(w);
}

/// A real gpsd daemon (Debian's `gpsd`) on loopback, fed the gpsd
/// known-answer sentences over UDP: `watch --gpsd` reads its JSON reports,
/// and the store holds the positions and identities an ingest of the same
/// sentences holds.
#[test]
fn gpsd_daemon_reports_are_stored_as_their_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let gpsd_port = free_port();
    let udp_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gpsd_bin = ["/usr/sbin/gpsd", "gpsd"]
        .into_iter()
        .find(|b| std::process::Command::new(b).arg("-V").output().is_ok())
        .expect("gpsd (Debian package gpsd) is installed");
    struct Daemon(Child);
    impl Drop for Daemon {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _gpsd = Daemon(
        std::process::Command::new(gpsd_bin)
            .args([
                "-N",
                "-n",
                "-S",
                &gpsd_port.to_string(),
                &format!("udp://127.0.0.1:{udp_port}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait("gpsd", 30, || {
        TcpStream::connect(("127.0.0.1", gpsd_port)).is_ok()
    });
    let dir = tmp.path().join("w");
    let w = start(&dir, &["--gpsd", &format!("127.0.0.1:{gpsd_port}")], &[]);
    wait("the gpsd connection", 30, || {
        stats(&w)["connections"].as_u64().unwrap() >= 1
    });
    std::thread::sleep(Duration::from_millis(500));
    let lines: Vec<String> = std::fs::read_to_string(format!(
        "{}/../../tests/data/sample.aivdm",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .lines()
    .filter(|l| l.starts_with('!'))
    .map(String::from)
    .collect();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    for l in &lines {
        sock.send_to(format!("{l}\n").as_bytes(), ("127.0.0.1", udp_port))
            .unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    // until the reports stop coming
    let mut last = (0, Instant::now());
    wait("gpsd's reports", 60, || {
        let n = stats(&w)["persisted"].as_u64().unwrap();
        if n != last.0 {
            last = (n, Instant::now());
        }
        n > 0 && last.1.elapsed() > Duration::from_secs(2)
    });
    assert_eq!(stats(&w)["bad_json"], 0);
    stop(w);
    std::fs::write(tmp.path().join("s.nmea"), lines.join("\n") + "\n").unwrap();
    common::run(
        tmp.path(),
        &[
            "ingest",
            "s.nmea",
            "--store",
            "ref",
            "--assume-time",
            "2024-01-01",
        ],
    );
    let facts = |d: &Path| {
        let st = store::Store::open(d).unwrap();
        let mut p: Vec<String> = st
            .positions(&store::Filter::default())
            .unwrap()
            .iter()
            .map(|x| {
                format!(
                    "{} {:.6} {:.6} {:?} {:?} {:?} {}",
                    x.mmsi, x.lat, x.lon, x.sog, x.cog, x.heading, x.msg_type
                )
            })
            .collect();
        p.sort();
        let mut i: Vec<String> = st
            .identities(&store::Filter::default())
            .unwrap()
            .iter()
            .filter(|x| x.msg_type != 24)
            .map(|x| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    x.mmsi, x.imo, x.name, x.callsign, x.draught
                )
            })
            .collect();
        i.sort();
        (p, i)
    };
    let (got, want) = (facts(&dir.join("store")), facts(&tmp.path().join("ref")));
    eprintln!(
        "through gpsd: {} of {} positions, {} of {} identities",
        got.0.len(),
        want.0.len(),
        got.1.len(),
        want.1.len()
    );
    let not_in = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter()
            .filter(|x| b.binary_search(x).is_err())
            .cloned()
            .collect()
    };
    assert!(
        not_in(&got.0, &want.0).is_empty(),
        "positions not from the sentences: {:?}",
        not_in(&got.0, &want.0)
    );
    assert!(
        not_in(&got.1, &want.1).is_empty(),
        "identities not from the sentences: {:?}",
        not_in(&got.1, &want.1)
    );
    assert!(
        got.0.len() * 100 >= want.0.len() * 95 && !got.1.is_empty(),
        "{} of {} positions, {} of {} identities: {:?}",
        got.0.len(),
        want.0.len(),
        got.1.len(),
        want.1.len(),
        not_in(&want.0, &got.0)
    );
}

/// Lines of `imagery/done.jsonl` in a watch directory.
fn done_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("imagery/done.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn satellite_detections_dropped_in_a_folder_alert_dark_vessels_in_watched_places() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let drop = tmp.path().join("drop");
    std::fs::create_dir_all(&drop).unwrap();
    let img = f.dir.join("sim/imagery");
    let truth = imagery::eval::read_truth(&img.join("truth.jsonl")).unwrap();
    // footprints first; the detections of the first week before the
    // start, the rest dropped while the monitor runs; a file that is no
    // detection file at all
    std::fs::copy(img.join("scenes.csv"), drop.join("scenes.csv")).unwrap();
    let text = std::fs::read_to_string(img.join("detections.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let tcol = header.split(',').position(|c| c == "time").unwrap();
    let (mut early, mut late) = (format!("{header}\n"), format!("{header}\n"));
    for l in lines {
        let t = l.split(',').nth(tcol).unwrap();
        if t < "2023-08-08" {
            early.push_str(l);
            early.push('\n');
        } else {
            late.push_str(l);
            late.push('\n');
        }
    }
    // a row without a time zone: refused, reported with its line
    let bad_line = early.lines().count() + 1;
    early.push_str("bad,sar-0001,2023-08-02T21:00:00,42.2,130.3,100,,0.9,sar\n");
    std::fs::write(drop.join("week1.csv"), &early).unwrap();
    std::fs::write(drop.join("junk.csv"), "not,a\ndetection,file\n").unwrap();
    // beside the fixture's (its registry path is relative to it)
    let cfg = f.dir.join("watch-imagery.toml");
    let mut c = std::fs::read_to_string(f.dir.join("watch.toml")).unwrap();
    c.push_str("imagery_poll_s = 0.2\n");
    std::fs::write(&cfg, c).unwrap();
    let feed = f.dir.join("sim/ais.nmea.gz");
    let http = free_port();
    let args = |keep: bool| {
        let mut a = vec![
            "watch".to_string(),
            "--dir".into(),
            dir.display().to_string(),
            "--http".into(),
            format!("127.0.0.1:{http}"),
            "--config".into(),
            cfg.display().to_string(),
            "--replay".into(),
            feed.display().to_string(),
            "--speed".into(),
            "0".into(),
            "--imagery-dir".into(),
            drop.display().to_string(),
        ];
        if keep {
            a.push("--keep-running".into());
        }
        a
    };
    let mut child = common::bin()
        .args(args(true))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(tmp.path().join("w.stderr")).unwrap())
        .spawn()
        .unwrap();
    // the first week is fused once the feed has passed it
    wait("the first week's detections fused", 300, || {
        done_lines(&dir).iter().any(|d| d["file"] == "week1.csv")
    });
    // the rest dropped as a file is dropped: written aside, renamed in
    std::fs::write(tmp.path().join("late.part"), &late).unwrap();
    std::fs::rename(tmp.path().join("late.part"), drop.join("week2.csv")).unwrap();
    // taken (it waits for the feed clock, which the ended replay holds
    // at its end: fused when the monitor stops)
    wait("the dropped file taken", 120, || {
        json(http, "/api/stats")["imagery_files"].as_u64() == Some(3)
    });
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let err = std::fs::read_to_string(tmp.path().join("w.stderr")).unwrap();
    let done = done_lines(&dir);
    let files: Vec<&str> = done.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert!(
        files.contains(&"week1.csv") && files.contains(&"week2.csv") && files.contains(&"junk.csv"),
        "{files:?}\n{err}"
    );
    assert_eq!(
        files.len(),
        3,
        "each file taken once, scenes kept aside: {files:?}"
    );
    let junk = done.iter().find(|d| d["file"] == "junk.csv").unwrap();
    assert_eq!(junk["detections"], 0);
    assert!(junk["refused"].as_u64().unwrap() >= 1, "{junk}");
    assert!(err.contains("junk.csv"), "the refused file is named: {err}");
    let w1 = done.iter().find(|d| d["file"] == "week1.csv").unwrap();
    assert_eq!(w1["refused"], 1, "{w1}");
    assert!(
        err.contains(&format!("week1.csv:{bad_line}")) && err.contains("no zone"),
        "the refused row is reported with its line: {err}"
    );
    assert!(w1["matched"].as_u64().unwrap() > 0, "{w1}");
    assert!(dir.join("imagery/week1.outcomes.csv").exists());
    // the alerts: dark vessels at watched places, confident, each a hull
    // that truly had its transponder off, the silent shuttle named
    let alerts: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dark: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["kind"] == "dark_vessel")
        .collect();
    assert!(!dark.is_empty(), "no dark_vessel alert\n{err}");
    let mut named = 0;
    for a in &dark {
        assert_eq!(a["mmsi"], 0);
        assert!(a["event"]["confidence"].as_f64().unwrap() >= 0.7, "{a}");
        assert!(
            a["why"][0].as_str().unwrap().starts_with("watched place "),
            "{a}"
        );
        let id = a["event"]["evidence"]["detection_id"].as_str().unwrap();
        let t = &truth[id];
        assert!(
            t.dark,
            "a transmitting ship or clutter alerted as dark: {a}"
        );
        let who = t.mmsi.unwrap();
        if a["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with(&format!("could be {who}")))
        {
            named += 1;
        }
    }
    assert!(
        named > 0,
        "the silent vessel is among the candidates: {dark:?}"
    );
    // a restart takes no file twice
    let o = common::bin().args(args(false)).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(done_lines(&dir).len(), 3);
    let again = std::fs::read_to_string(dir.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"kind\":\"dark_vessel\""))
        .count();
    assert_eq!(
        again,
        dark.len(),
        "dark vessels alerted again after a restart"
    );
}
