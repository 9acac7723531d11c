//! The hostile-input suite: each attack of the security review, run against
//! the binary on loopback, bounded in time (seconds each). CI runs it
//! against the release binary (`SHIPTRACE_HOSTILE_BIN`, set by
//! `scripts/test.sh`); without it, against this build's binary. Attacks
//! and what must hold are listed in SECURITY.md.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn exe() -> PathBuf {
    std::env::var_os("SHIPTRACE_HOSTILE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_shiptrace")))
}

fn bin() -> Command {
    Command::new(exe())
}

/// Runs shiptrace in `dir`, returning (success, stderr).
fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let o = bin().args(args).current_dir(dir).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs shiptrace in `dir` and returns (success, stderr, peak resident
/// memory in MB), measured by the kernel for the child (getrusage).
fn run_peak(dir: &Path, args: &[&str]) -> (bool, String, f64) {
    let rss = dir.join(".peak");
    let o = Command::new("python3")
        .arg("-c")
        .arg(
            "import resource,subprocess,sys\n\
             r=subprocess.run(sys.argv[2:])\n\
             open(sys.argv[1],'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n\
             sys.exit(r.returncode)",
        )
        .arg(&rss)
        .arg(exe())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let kb: f64 = std::fs::read_to_string(&rss)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        kb / 1024.0,
    )
}

/// A type 1 position report with a tag-block time.
fn pos(mmsi: u32, t_ms: i64, lat: f64, lon: f64, sog_kn: f64) -> String {
    let mut m = ais::random_message(1, &mut std::iter::repeat(0));
    m.msg_type = 1;
    m.mmsi = mmsi;
    if let ais::Body::Position(p) = &mut m.body {
        p.lat = (lat * 600_000.0).round() as i32;
        p.lon = (lon * 600_000.0).round() as i32;
        p.speed = (sog_kn * 10.0).round() as u16;
        p.course = 0;
        p.heading = 0;
        p.status = 0;
        p.second = ((t_ms / 1000) % 60) as u8;
    }
    let o = ais::encode::SentenceOptions {
        tag_time_ms: Some(t_ms),
        ..Default::default()
    };
    ais::encode::to_sentences(&m, &o).join("\n")
}

/// 2023-09-01T00:00Z.
const T0: i64 = 1_693_526_400_000;

fn manifest(store: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(store.join("manifest.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for table in ["positions", "identities"] {
        let Ok(days) = std::fs::read_dir(dir.join(table)) else {
            continue;
        };
        for d in days.flatten() {
            for f in std::fs::read_dir(d.path()).unwrap().flatten() {
                out.push(format!(
                    "{table}/{}/{}",
                    d.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ));
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------- watch

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Watch {
    child: Child,
    http: u16,
    stderr: PathBuf,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Watch {
    /// Starts `watch --dir DIR --http 127.0.0.1:PORT` with `args`, under
    /// `ulimit -n` when given; waits for the API.
    fn start(dir: &Path, args: &[&str], nofile: Option<u32>) -> Watch {
        std::fs::create_dir_all(dir).unwrap();
        let http = free_port();
        let mut a: Vec<String> = vec![
            "watch".into(),
            "--dir".into(),
            dir.join("w").display().to_string(),
            "--http".into(),
            format!("127.0.0.1:{http}"),
        ];
        a.extend(args.iter().map(|s| s.to_string()));
        let stderr = dir.join("watch.stderr");
        let mut cmd = match nofile {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(exe())
                    .args(&a);
                c
            }
            None => {
                let mut c = bin();
                c.args(&a);
                c
            }
        };
        let child = cmd
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .env_remove("SHIPTRACE_TOKEN")
            .spawn()
            .unwrap();
        let mut w = Watch {
            child,
            http,
            stderr,
        };
        let t = Instant::now();
        while request(http, "/api/stats", "localhost").is_none() {
            if let Some(st) = w.child.try_wait().unwrap() {
                panic!("watch exited ({st}): {}", w.log());
            }
            assert!(t.elapsed() < Duration::from_secs(60), "no API: {}", w.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        w
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn stats(&self) -> serde_json::Value {
        let (st, body) = request(self.http, "/api/stats", "localhost").expect("stats");
        assert_eq!(st, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn term(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let t = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(t.elapsed() < Duration::from_secs(60), "watch did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// GET `path` with this `Host`; `None` when the connection fails.
fn request(port: u16, path: &str, host: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut r = String::new();
    s.read_to_string(&mut r).ok()?;
    let status = r.split(' ').nth(1)?.parse().ok()?;
    let body = r.split_once("\r\n\r\n").map(|x| x.1.to_string())?;
    Some((status, body))
}

fn get(port: u16, path: &str) -> Option<serde_json::Value> {
    match request(port, path, "localhost")? {
        (200, b) => serde_json::from_str(&b).ok(),
        _ => None,
    }
}

fn feed(port: u16, text: &str) {
    let t = Instant::now();
    let mut s = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(e) => {
                assert!(t.elapsed() < Duration::from_secs(30), "feed port: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    // a reset here is the input having died: the caller's wait reports it
    let _ = s.write_all(text.as_bytes());
    let _ = s.write_all(b"\n");
}

/// 1. One junk datagram, then kill -9: the next start runs (the junk-only
///    segment is kept as its rejects, not a fatal error).
#[test]
fn a_junk_datagram_does_not_stop_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let udp = free_port();
    let w = Watch::start(tmp.path(), &["--udp", &format!("127.0.0.1:{udp}")], None);
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(b"x\n", ("127.0.0.1", udp)).unwrap();
    wait("the junk line persisted", 30, || {
        w.stats()["persisted"].as_u64().unwrap() >= 1
    });
    w.kill9();
    let w = Watch::start(tmp.path(), &["--udp", &format!("127.0.0.1:{udp}")], None);
    std::thread::sleep(Duration::from_millis(500));
    assert!(w.stats()["segments_rolled"].is_u64(), "{}", w.log());
    w.term();
    // and a third start after a clean stop
    let w = Watch::start(tmp.path(), &["--udp", &format!("127.0.0.1:{udp}")], None);
    w.term();
}

/// 2. Idle HTTP connections past the descriptor limit do not kill the NMEA
///    input (connections capped, accept errors retried); slow clients that
///    never finish their headers are cut off.
#[test]
fn idle_http_peers_cannot_starve_the_feed_or_hold_connections() {
    // the defaults: at most 128 API connections, 10 s to send headers
    let tmp = tempfile::tempdir().unwrap();
    let nmea = free_port();
    let w = Watch::start(
        tmp.path(),
        &["--tcp-listen", &format!("127.0.0.1:{nmea}")],
        Some(200),
    );
    // more idle connections than the process has descriptors
    let idle: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", w.http)).ok())
        .collect();
    assert!(idle.len() >= 200, "{}", idle.len());
    feed(nmea, &pos(273_000_001, T0, 42.0, 131.0, 10.0));
    drop(idle);
    wait("the feed line decoded", 30, || {
        get(w.http, "/api/stats").is_some_and(|s| s["decoded"].as_u64() >= Some(1))
    });
    // slowloris: a request line and then nothing; the server hangs up
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", w.http)).unwrap();
            s.write_all(b"GET /api/stats HTTP/1.1\r\nHost: localhost\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
            s
        })
        .collect();
    for s in &mut slow {
        let mut b = [0u8; 256];
        let r = s.read(&mut b);
        assert!(
            r.is_ok()
                || r.as_ref()
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "a slow client was still held after 15 s: {r:?}"
        );
    }
    let st = w.stats();
    assert_eq!(st["decoded"].as_u64(), Some(1), "{st}");
    w.term();
}

/// 5. A forged far-future tag time neither moves the feed clock nor is
///    processed; it is counted.
#[test]
fn a_forged_time_does_not_move_the_live_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let nmea = free_port();
    let w = Watch::start(
        tmp.path(),
        &["--tcp-listen", &format!("127.0.0.1:{nmea}")],
        None,
    );
    let text = [
        pos(273_000_001, T0, 42.0, 131.0, 10.0),
        pos(273_000_001, 4_102_444_800_000, 42.0, 131.0, 10.0), // 2100
        pos(273_000_001, T0 + 60_000, 42.01, 131.0, 10.0),
    ]
    .join("\n");
    feed(nmea, &text);
    wait("three lines", 30, || {
        w.stats()["processed"].as_u64() >= Some(3)
    });
    wait("the clock published", 10, || w.stats()["clock"].is_string());
    let st = w.stats();
    assert_eq!(st["implausible_time"].as_u64(), Some(1), "{st}");
    let clock = st["clock"].as_str().unwrap_or("");
    assert!(clock.starts_with("2023-09-01"), "{clock}");
    w.term();
}

/// 6. A flood of invented MMSIs: the vessel table stays within its limit
///    and `/api/vessels` is paged.
#[test]
fn invented_mmsis_cannot_grow_the_vessel_table_without_bound() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("w.toml"),
        "[watch]\nmax_vessels = 500\napi_page_max = 100\n",
    )
    .unwrap();
    let nmea = free_port();
    let w = Watch::start(
        tmp.path(),
        &[
            "--tcp-listen",
            &format!("127.0.0.1:{nmea}"),
            "--config",
            tmp.path().join("w.toml").to_str().unwrap(),
        ],
        None,
    );
    let text: Vec<String> = (0..3000u32)
        .map(|i| {
            pos(
                211_000_000 + i,
                T0 + i as i64 * 100,
                54.0,
                10.0 + i as f64 * 1e-4,
                5.0,
            )
        })
        .collect();
    feed(nmea, &text.join("\n"));
    wait("the flood", 60, || {
        w.stats()["processed"].as_u64() >= Some(3000)
    });
    wait("a publish", 10, || {
        w.stats()["vessels"].as_u64() >= Some(100)
    });
    let st = w.stats();
    assert!(st["vessels"].as_u64().unwrap() <= 500, "{st}");
    assert!(st["vessels_evicted"].as_u64().unwrap() >= 2500, "{st}");
    // the newest are kept
    let last = get(w.http, "/api/vessels/211002999").unwrap();
    assert_eq!(last["vessel"]["mmsi"], 211002999);
    let page = get(w.http, "/api/vessels?limit=100000").unwrap();
    assert_eq!(page.as_array().unwrap().len(), 100);
    let after = page[99]["mmsi"].as_u64().unwrap();
    let next = get(w.http, &format!("/api/vessels?after={after}&limit=10")).unwrap();
    assert!(next[0]["mmsi"].as_u64().unwrap() > after);
    assert_eq!(
        request(w.http, "/api/vessels?limit=0", "localhost")
            .unwrap()
            .0,
        400
    );
    w.term();
}

/// 7. On loopback the API answers only requests addressed to a loopback
///    host: a page that rebinds its own name to 127.0.0.1 gets nothing.
///
/// 12. A blank or short token is refused; `?token=` only opens the page
///     and the stream.
#[test]
fn dns_rebinding_and_weak_tokens_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let w = Watch::start(
        tmp.path(),
        &["--udp", &format!("127.0.0.1:{}", free_port())],
        None,
    );
    let p = w.http;
    assert_eq!(request(p, "/api/stats", "evil.example").unwrap().0, 421);
    assert_eq!(
        request(p, "/", &format!("evil.example:{p}")).unwrap().0,
        421
    );
    assert_eq!(
        request(p, "/api/stats", &format!("localhost:{p}"))
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        request(p, "/api/stats", &format!("127.0.0.1:{p}"))
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        request(p, "/api/stats", &format!("[::1]:{p}")).unwrap().0,
        200
    );
    w.term();
    for bad in [" ", "short", "has space in it"] {
        let (ok, err) = run(
            tmp.path(),
            &[
                "watch",
                "--dir",
                "t",
                "--udp",
                "127.0.0.1:0",
                "--token",
                bad,
            ],
        );
        assert!(!ok && err.contains("--token"), "{bad:?}: {err}");
    }
    let w = Watch::start(
        &tmp.path().join("tok"),
        &[
            "--udp",
            &format!("127.0.0.1:{}", free_port()),
            "--token",
            "0123456789abcdef",
        ],
        None,
    );
    assert_eq!(
        request(w.http, "/api/stats?token=0123456789abcdef", "localhost")
            .unwrap()
            .0,
        401
    );
    assert_eq!(
        request(w.http, "/?token=0123456789abcdef", "localhost")
            .unwrap()
            .0,
        200
    );
    w.term();
}

/// 13. `--keep-running` keeps the API up after a replay ends.
#[test]
fn keep_running_outlives_the_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("short.nmea");
    std::fs::write(&f, pos(273_000_001, T0, 42.0, 131.0, 10.0) + "\n").unwrap();
    let w = Watch::start(
        tmp.path(),
        &[
            "--replay",
            f.to_str().unwrap(),
            "--speed",
            "0",
            "--keep-running",
        ],
        None,
    );
    wait("the replay", 30, || {
        w.stats()["processed"].as_u64() >= Some(1)
    });
    std::thread::sleep(Duration::from_secs(2));
    let mut w = w;
    assert!(w.child.try_wait().unwrap().is_none(), "exited: {}", w.log());
    assert_eq!(w.stats()["decoded"].as_u64(), Some(1));
    w.term();
}

// ---------------------------------------------------------------- files

/// `n` gzip members of 64 MiB of zeros each: a line of n x 64 MiB without
/// a newline, a few hundred KB on disk.
fn zero_bomb(dir: &Path, n: usize) -> PathBuf {
    let member = dir.join("zeros.gz");
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "head -c 67108864 /dev/zero | gzip -1 > {}",
            member.display()
        ))
        .status()
        .unwrap();
    assert!(ok.success());
    let one = std::fs::read(&member).unwrap();
    let out = dir.join("bomb.nmea.gz");
    let mut f = std::fs::File::create(&out).unwrap();
    for _ in 0..n {
        f.write_all(&one).unwrap();
    }
    let good = dir.join("good.gz");
    let mut g = flate2::write::GzEncoder::new(
        std::fs::File::create(&good).unwrap(),
        flate2::Compression::fast(),
    );
    writeln!(g).unwrap();
    writeln!(g, "{}", pos(273_000_001, T0, 42.0, 131.0, 10.0)).unwrap();
    g.finish().unwrap();
    f.write_all(&std::fs::read(&good).unwrap()).unwrap();
    out
}

/// 3. A line without end is dropped as it is read: a quarter gigabyte of
///    zeros in a few hundred KB of gzip costs `ingest` and `decode` a few
///    MB, and the line after it is still read.
#[test]
fn an_endless_line_costs_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let bomb = zero_bomb(d, 4);
    let (ok, err, mb) = run_peak(d, &["ingest", "--store", "s", bomb.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(mb < 150.0, "ingest peaked at {mb:.0} MB");
    let m = manifest(&d.join("s"));
    assert_eq!(m[0]["rejects"]["overlong_line"], 1, "{m:?}");
    assert_eq!(m[0]["positions"], 1, "{m:?}");
    let (ok, err, mb) = run_peak(d, &["decode", bomb.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(mb < 150.0, "decode peaked at {mb:.0} MB");
    assert!(err.contains("overlong_line"), "{err}");
}

/// 4. The same payload twice, 5 s apart, is one record however small the
///    flushes.
#[test]
fn duplicates_are_removed_across_flushes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let a = pos(273_000_001, T0, 42.0, 131.0, 10.0);
    let body = a.rsplit('\\').next().unwrap().to_string();
    let b = pos(273_000_001, T0 + 5_000, 42.0, 131.0, 10.0);
    // same sentence (payload), received 5 s later
    let b = format!("{}\\{body}", b.rsplit_once('\\').unwrap().0);
    let other: Vec<String> = (1..6)
        .map(|i| {
            pos(
                273_000_002,
                T0 + i * 60_000,
                42.0,
                131.0 + i as f64 * 0.01,
                10.0,
            )
        })
        .collect();
    let text = format!(
        "{a}\n{}\n{}\n{b}\n",
        other[..3].join("\n"),
        other[3..].join("\n")
    );
    std::fs::write(d.join("dup.nmea"), text).unwrap();
    let (ok, err) = run(
        d,
        &["ingest", "--store", "s", "--flush-rows", "2", "dup.nmea"],
    );
    assert!(ok, "{err}");
    let m = manifest(&d.join("s"));
    assert_eq!(
        (m[0]["positions"].as_u64(), m[0]["duplicates"].as_u64()),
        (Some(6), Some(1)),
        "{m:?}"
    );
}

/// 5. Forged times in a file: rejected and counted, no partition for them.
#[test]
fn forged_times_make_no_partition() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let text = [
        pos(273_000_001, T0, 42.0, 131.0, 10.0),
        pos(273_000_001, 999_999_999_999_999_999, 42.0, 131.0, 10.0),
        pos(273_000_001, 4_102_444_800_000, 42.0, 131.0, 10.0),
        pos(273_000_001, 1_000, 42.0, 131.0, 10.0), // 1970
        pos(273_000_001, T0 + 60_000, 42.01, 131.0, 10.0),
    ]
    .join("\n");
    std::fs::write(d.join("t.nmea"), text).unwrap();
    let (ok, err) = run(d, &["ingest", "--store", "s", "t.nmea"]);
    assert!(ok, "{err}");
    let m = manifest(&d.join("s"));
    assert_eq!(m[0]["rejects"]["implausible_time"], 3, "{m:?}");
    assert_eq!(m[0]["positions"], 2, "{m:?}");
    let days: Vec<String> = files_under(&d.join("s"))
        .iter()
        .map(|f| f.split('/').nth(1).unwrap().to_string())
        .collect();
    assert!(days.iter().all(|x| x == "day=2023-09-01"), "{days:?}");
}

/// 8. Hostile geofences: huge circles refused by name; a 200,000-vertex
///    polygon around a busy anchorage is tested fast (edges indexed).
#[test]
fn hostile_geofences_neither_hang_nor_exhaust() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("big.toml"),
        "[detect]\n[[detect.geofences]]\nname = \"world\"\nlat = 0.0\nlon = 0.0\nradius_km = 1e9\n",
    )
    .unwrap();
    std::fs::write(
        d.join("pt.geojson"),
        r#"{"type":"Feature","properties":{"name":"p","radius_km":1e12},"geometry":{"type":"Point","coordinates":[131,42]}}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("pt.toml"),
        "[detect]\n[[detect.geofences]]\ngeojson = \"pt.geojson\"\n",
    )
    .unwrap();
    // a store: one vessel anchored for two days inside the polygon below
    let fixes: Vec<String> = (0..20_000)
        .map(|i| {
            let a = i as f64 * 0.001;
            pos(
                273_000_001,
                T0 + i * 9_000,
                42.0 + 0.05 * a.sin(),
                131.0 + 0.05 * a.cos(),
                0.2,
            )
        })
        .collect();
    std::fs::write(d.join("f.nmea"), fixes.join("\n")).unwrap();
    let (ok, err) = run(d, &["ingest", "--store", "s", "f.nmea"]);
    assert!(ok, "{err}");
    for cfg in ["big.toml", "pt.toml"] {
        let t = Instant::now();
        let (ok, err) = run(
            d,
            &[
                "detect", "--store", "s", "--out", "e.jsonl", "--config", cfg,
            ],
        );
        assert!(!ok && err.contains("radius_km"), "{cfg}: {err}");
        assert!(t.elapsed() < Duration::from_secs(30), "{cfg}");
    }
    let n = 200_000;
    let ring: Vec<String> = (0..=n)
        .map(|i| {
            let a = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
            let r = 0.2 * (1.0 + 0.1 * (40.0 * a).sin());
            format!("[{:.6},{:.6}]", 131.0 + r * a.cos(), 42.0 + r * a.sin())
        })
        .collect();
    std::fs::write(
        d.join("poly.geojson"),
        format!(
            r#"{{"type":"Feature","properties":{{"name":"anchorage"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
            ring.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("poly.toml"),
        "[detect]\n[[detect.geofences]]\ngeojson = \"poly.geojson\"\nwatched = true\n",
    )
    .unwrap();
    let mut child = bin()
        .args([
            "detect",
            "--store",
            "s",
            "--out",
            "e.jsonl",
            "--config",
            "poly.toml",
        ])
        .current_dir(d)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("detect with a 200,000-vertex geofence ran over 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{err}");
    let events = std::fs::read_to_string(d.join("e.jsonl")).unwrap();
    assert!(
        events.contains("anchorage"),
        "the visit to the area is found"
    );
}

/// 9. Configuration mistakes are errors naming the key, before any work.
#[test]
fn configuration_mistakes_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for (text, key) in [
        ("[detcet]\n", "detcet"),
        ("[detect.gaps]\nmin_hours = -5\n", "min_hours"),
        (
            "[detect.encounters]\nbucket_minutes = 9223372036854775807\n",
            "bucket_minutes",
        ),
        ("[watch]\nroll_minutes = 1e300\n", "roll_minutes"),
        ("[watch]\nqueue = 9223372036854775807\n", "queue"),
    ] {
        std::fs::write(d.join("c.toml"), text).unwrap();
        let (ok, err) = run(
            d,
            &["detect", "--store", "s", "--out", "e", "--config", "c.toml"],
        );
        assert!(!ok && err.contains(key), "{text}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// 10. A huge name: a row longer than the line limit is dropped and counted,
///     a long field cut to the text limit and counted; outputs stay small.
#[test]
fn huge_names_are_bounded() {
    let (_tmp, d) = common::hostile_case();
    let csv = std::fs::read_to_string(d.join("dma.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let long = "N".repeat(30_000);
    let huge = "H".repeat(5_000_000);
    let row = lines[5].clone();
    lines[3] = row.replace(common::DESTINATION, &long);
    lines.insert(6, row.replace(common::DESTINATION, &huge));
    std::fs::write(d.join("dma.csv"), lines.join("\n") + "\n").unwrap();
    let (ok, err) = run(
        &d,
        &[
            "analyze",
            "dma.csv",
            "--out",
            "case",
            "--watchlist",
            "list.toml",
        ],
    );
    assert!(ok, "{err}");
    assert!(err.contains("overlong_line 1"), "{err}");
    assert!(err.contains("text fields cut"), "{err}");
    let size: u64 = std::fs::read_dir(d.join("case"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert!(size < 5_000_000, "outputs {size} bytes");
    let html = std::fs::read_to_string(d.join("case/report.html")).unwrap();
    assert!(!html.contains(&"N".repeat(121)));
}

/// 11. A source that fails part-way leaves no files a globbing reader would
///     see, and the next run starts clean.
#[test]
fn a_failed_source_leaves_no_orphans() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let lines: Vec<String> = (0..2000)
        .map(|i| {
            pos(
                273_000_001,
                T0 + i * 10_000,
                42.0 + i as f64 * 1e-3,
                131.0,
                10.0,
            )
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.join("\n").as_bytes()).unwrap();
    let mut bytes = gz.finish().unwrap();
    // corrupt the tail of the deflate stream: reading fails part-way
    let n = bytes.len();
    for b in &mut bytes[n * 3 / 4..n - 8] {
        *b = 0xff;
    }
    std::fs::write(d.join("bad.nmea.gz"), &bytes).unwrap();
    std::fs::write(
        d.join("good.nmea"),
        pos(273_000_009, T0, 42.0, 131.0, 10.0) + "\n",
    )
    .unwrap();
    let (ok, err) = run(
        d,
        &[
            "ingest",
            "--store",
            "s",
            "--flush-rows",
            "100",
            "--row-group-rows",
            "100",
            "bad.nmea.gz",
            "good.nmea",
        ],
    );
    assert!(!ok, "the failed source is reported: {err}");
    let committed: std::collections::BTreeSet<String> = manifest(&d.join("s"))
        .iter()
        .flat_map(|e| {
            e["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string())
        })
        .filter(|f| !f.starts_with("rejects/"))
        .collect();
    let on_disk: std::collections::BTreeSet<String> =
        files_under(&d.join("s")).into_iter().collect();
    assert_eq!(on_disk, committed);
    assert!(!committed.is_empty());
}

/// 12. Bidirectional overrides in a name are shown escaped in the report;
///     a symlink loop is named as one.
#[test]
fn bidi_names_are_escaped_and_symlink_loops_named() {
    let (_tmp, d) = common::hostile_case();
    let csv = std::fs::read_to_string(d.join("dma.csv")).unwrap();
    std::fs::write(
        d.join("dma.csv"),
        csv.replace(common::DESTINATION, "\u{202E}gnp.exe\u{2066}"),
    )
    .unwrap();
    let (ok, err) = run(
        &d,
        &[
            "analyze",
            "dma.csv",
            "--out",
            "case",
            "--watchlist",
            "list.toml",
        ],
    );
    assert!(ok, "{err}");
    let html = std::fs::read_to_string(d.join("case/report.html")).unwrap();
    assert!(!html.contains('\u{202E}') && !html.contains('\u{2066}'));
    assert!(html.contains("\\u{202e}gnp.exe"), "the override is shown");
    std::os::unix::fs::symlink("loop.nmea", d.join("loop.nmea")).unwrap();
    let (ok, err) = run(&d, &["ingest", "--store", "s", "loop.nmea"]);
    assert!(!ok);
    assert!(err.to_lowercase().contains("symbolic links"), "{err}");
}

/// Reading lines from a stream is also bounded in `watch --replay`.
#[test]
fn replay_of_a_zero_bomb_is_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let bomb = zero_bomb(d, 4);
    let (ok, err, mb) = run_peak(
        d,
        &[
            "watch",
            "--dir",
            "w",
            "--no-http",
            "--replay",
            bomb.to_str().unwrap(),
            "--speed",
            "0",
        ],
    );
    assert!(ok, "{err}");
    assert!(mb < 200.0, "watch --replay peaked at {mb:.0} MB");
}
