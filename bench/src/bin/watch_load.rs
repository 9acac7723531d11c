//! Load test of `shiptrace watch`, loopback only, bounded in count and
//! time:
//!
//! ```sh
//! cargo build --release -p shiptrace
//! cargo run --release --manifest-path bench/Cargo.toml --bin watch_load -- \
//!     target/release/shiptrace [RATE=50000] [SECONDS=600] [VESSELS=10000]
//! ```
//!
//! 1. TCP: RATE position reports a second (type 1, VESSELS vessels, no tag
//!    block: the receive time is the arrival) for SECONDS, paced in 10 ms
//!    slices. Once a second a listed vessel (100 are listed by MMSI) sends
//!    a type 5 with a new name: `watch` raises an identity_change alert,
//!    read from its server-sent-event stream; sentence-to-alert latency is
//!    the time from writing the trigger to reading its alert.
//! 2. Every 10 s: the watch process's RSS (/proc/PID/status).
//! 3. TCP loss: lines sent vs lines `watch` counted (`/api/stats`).
//! 4. UDP: RATE for 10 s in 1,400-byte datagrams; loss = sent - received.

use shiptrace_ais as ais;
use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn get(port: u16, path: &str) -> serde_json::Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    serde_json::from_str(r.split_once("\r\n\r\n").unwrap().1).unwrap()
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn position(mmsi: u32, k: u64) -> String {
    let mut m = ais::random_message(1, &mut std::iter::repeat(0));
    if let ais::Body::Position(p) = &mut m.body {
        let i = mmsi % 10_000;
        // spread over the Sea of Japan, creeping east
        p.lat = ((35.0 + (i / 100) as f64 * 0.08) * 600_000.0) as i32;
        p.lon = ((130.0 + (i % 100) as f64 * 0.08 + k as f64 * 1e-5) * 600_000.0) as i32;
        p.speed = 120;
        p.course = 900;
        p.heading = 90;
        p.turn = -128;
        p.second = (k % 60) as u8;
    }
    m.msg_type = 1;
    m.mmsi = mmsi;
    ais::encode::to_sentences(&m, &ais::encode::SentenceOptions::default()).remove(0)
}

fn static5(mmsi: u32, name: &str) -> Vec<String> {
    let mut m = ais::random_message(5, &mut std::iter::repeat(0));
    if let ais::Body::StaticAndVoyage(s) = &mut m.body {
        s.imo = 0;
        s.shipname = ais::AisText::from_str_lossy(name);
        s.callsign = ais::AisText::from_str_lossy("LOAD");
        s.shiptype = 70;
    }
    m.msg_type = 5;
    m.mmsi = mmsi;
    ais::encode::to_sentences(&m, &ais::encode::SentenceOptions::default())
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bin = a.get(1).expect("usage: watch_load PATH/TO/shiptrace [RATE] [SECONDS] [VESSELS]");
    let rate: u64 = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let secs: u64 = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(600);
    let vessels: u32 = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("watch-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let listed: Vec<u32> = (0..100).map(|i| 999_000_001 + i).collect();
    let mut list = String::new();
    for m in &listed {
        list.push_str(&format!("[[vessel]]\nname = \"LISTED {m}\"\nmmsi = {m}\n\n"));
    }
    std::fs::write(dir.join("list.toml"), list).unwrap();
    std::fs::write(dir.join("cfg.toml"), "[intel]\nwatchlists = [\"list.toml\"]\n").unwrap();
    let (http, tcp, udp) = (free_port(), free_port(), free_port());
    let mut child = std::process::Command::new(bin)
        .args(["watch", "--dir", &dir.join("w").display().to_string(), "--config", &dir.join("cfg.toml").display().to_string()])
        .args(["--http", &format!("127.0.0.1:{http}"), "--tcp-listen", &format!("127.0.0.1:{tcp}"), "--udp", &format!("127.0.0.1:{udp}")])
        .stderr(std::fs::File::create(dir.join("watch.stderr")).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", http)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(30), "watch did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // alerts, timestamped on arrival
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    {
        let arrived = arrived.clone();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(("127.0.0.1", http)).unwrap();
            write!(s, "GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
            for l in std::io::BufReader::new(s).lines() {
                let Ok(l) = l else { return };
                if let Some(d) = l.strip_prefix("data: ") {
                    let v: serde_json::Value = serde_json::from_str(d).unwrap();
                    if v["kind"] == "identity_change" {
                        if let Some(n) = v["name"].as_str() {
                            arrived.lock().unwrap().insert(n.to_string(), Instant::now());
                        }
                    }
                }
            }
        });
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut s = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    s.set_nodelay(true).unwrap();
    let mut sent: u64 = 0;
    for m in &listed {
        for l in static5(*m, &format!("BASE {m}")) {
            s.write_all(l.as_bytes()).unwrap();
            s.write_all(b"\r\n").unwrap();
            sent += 1;
        }
    }
    let mut triggers: HashMap<String, Instant> = HashMap::new();
    let mut rss: Vec<(u64, u64)> = vec![(0, rss_kb(pid))];
    let slice = Duration::from_millis(10);
    let per_slice = rate / 100;
    let start = Instant::now();
    let mut k: u64 = 0;
    let mut buf = Vec::with_capacity(per_slice as usize * 60);
    let (mut next_trigger, mut next_rss, mut trig_n) = (1u64, 10u64, 0u64);
    let mut late_slices = 0u64;
    while start.elapsed() < Duration::from_secs(secs) {
        let due = slice * (k / per_slice.max(1)) as u32;
        if let Some(w) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(w);
        } else if start.elapsed() - due > Duration::from_millis(100) {
            late_slices += 1;
        }
        buf.clear();
        for _ in 0..per_slice {
            let m = 200_000_000 + (k % vessels as u64) as u32;
            buf.extend_from_slice(position(m, k / vessels as u64).as_bytes());
            buf.extend_from_slice(b"\r\n");
            k += 1;
        }
        s.write_all(&buf).unwrap();
        sent += per_slice;
        let el = start.elapsed().as_secs();
        if el >= next_trigger {
            next_trigger += 1;
            trig_n += 1;
            let m = listed[(trig_n % listed.len() as u64) as usize];
            let name = format!("TRIG {trig_n}");
            let mut b = Vec::new();
            for l in static5(m, &name) {
                b.extend_from_slice(l.as_bytes());
                b.extend_from_slice(b"\r\n");
                sent += 1;
            }
            s.write_all(&b).unwrap();
            triggers.insert(name, Instant::now());
        }
        if el >= next_rss {
            next_rss += 10;
            rss.push((el, rss_kb(pid)));
        }
    }
    let send_secs = start.elapsed().as_secs_f64();
    drop(s);
    // wait for watch to take everything in
    let t = Instant::now();
    let mut st = get(http, "/api/stats");
    while st["persisted"].as_u64().unwrap() < sent && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(200));
        st = get(http, "/api/stats");
    }
    let drain = t.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(2));
    rss.push((start.elapsed().as_secs(), rss_kb(pid)));
    let received = st["lines"].as_u64().unwrap();
    let arrived = arrived.lock().unwrap().clone();
    let mut lat: Vec<f64> = triggers
        .iter()
        .filter_map(|(n, t)| arrived.get(n).map(|a| a.duration_since(*t).as_secs_f64() * 1000.0))
        .collect();
    let missing = triggers.len() - lat.len();
    // UDP
    let before = get(http, "/api/stats");
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ustart = Instant::now();
    let (mut usent, mut dgram, mut uk) = (0u64, Vec::new(), 0u64);
    while ustart.elapsed() < Duration::from_secs(10) {
        let due = slice * (uk / per_slice.max(1)) as u32;
        if let Some(w) = due.checked_sub(ustart.elapsed()) {
            std::thread::sleep(w);
        }
        for _ in 0..per_slice {
            let l = position(300_000_000 + (uk % vessels as u64) as u32, uk);
            if dgram.len() + l.len() + 2 > 1400 {
                u.send_to(&dgram, ("127.0.0.1", udp)).unwrap();
                dgram.clear();
            }
            dgram.extend_from_slice(l.as_bytes());
            dgram.extend_from_slice(b"\r\n");
            usent += 1;
            uk += 1;
        }
    }
    if !dgram.is_empty() {
        u.send_to(&dgram, ("127.0.0.1", udp)).unwrap();
    }
    std::thread::sleep(Duration::from_secs(3));
    let after = get(http, "/api/stats");
    let urecv = after["lines"].as_u64().unwrap() - before["lines"].as_u64().unwrap();
    let uqueue = after["queue_drops"].as_u64().unwrap() - before["queue_drops"].as_u64().unwrap();
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    let _ = child.wait();
    println!("watch load test: {rate} msg/s target, {vessels} vessels, {secs} s over TCP on loopback");
    println!("  TCP: sent {sent} lines in {send_secs:.1} s ({:.0}/s; {late_slices} slices >100 ms late), watch counted {received} (loss {}), all persisted {drain:.1} s after the last write, queue drops {}",
        sent as f64 / send_secs, sent as i64 - received as i64, st["queue_drops"]);
    println!("  sentence-to-alert latency over {} triggers ({missing} without an alert): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        triggers.len(), pct(&mut lat, 0.5), pct(&mut lat, 0.99), pct(&mut lat, 1.0));
    println!("  RSS (s, MB): {}", rss.iter().map(|(t, k)| format!("{t}:{:.0}", *k as f64 / 1024.0)).collect::<Vec<_>>().join(" "));
    println!("  UDP: sent {usent} lines in 10 s, received {urecv} (lost in the kernel {}), dropped at the full queue {uqueue}", usent as i64 - urecv as i64);
    let _ = std::fs::remove_dir_all(&dir);
}
