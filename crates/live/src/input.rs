//! Feed inputs. Each turns bytes into lines on the engine's queue: UDP
//! (datagrams may hold several sentences; a full queue drops and counts),
//! TCP listen and TCP client (a full queue makes them wait: TCP flow
//! control slows the sender, nothing is lost), and file replay paced by the
//! sentences' own receive times.

use crate::{wall_ms, Counters};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// No NMEA sentence with a tag block comes near this; longer input is
/// not AIS and is cut off (counted as `overlong`).
pub const MAX_LINE: usize = 4096;

/// A TCP peer (listening inputs) or feed (client inputs) that sends nothing
/// for this long is disconnected (counted `idle_closed`; a client input
/// reconnects): five minutes, where a live AIS feed carries several
/// messages a second.
pub const IDLE: Duration = Duration::from_secs(300);

/// One received line.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line, without its end.
    pub bytes: Vec<u8>,
    /// Which input: "udp:0.0.0.0:10110", "tcp:127.0.0.1:5631", "file:x.nmea".
    pub input: Arc<str>,
    /// Wall clock at reception, unix ms.
    pub wall_ms: i64,
}

/// An input to run.
#[derive(Debug, Clone)]
pub enum Spec {
    /// Datagrams on a UDP port.
    Udp(SocketAddr),
    /// Clients connecting to a TCP port.
    TcpListen(SocketAddr),
    /// A TCP server to connect to (`host:port`), reconnecting with backoff.
    TcpConnect(String),
    /// A gpsd daemon (`host:port`, gpsd's port is 2947): asked for its
    /// reports as JSON (`?WATCH={"enable":true,"json":true}`), whose AIS
    /// reports are built back into their messages; reconnecting like
    /// `TcpConnect`.
    Gpsd(String),
    /// A file (plain, .gz, .zst) replayed at `speed` x real time (0: as
    /// fast as the engine takes it).
    Replay {
        /// The file.
        path: PathBuf,
        /// Times real time.
        speed: f64,
    },
}

impl Spec {
    /// Its name in lines and counters (`udp:0.0.0.0:10110`).
    pub fn name(&self) -> String {
        match self {
            Spec::Udp(a) => format!("udp:{a}"),
            Spec::TcpListen(a) => format!("tcp-listen:{a}"),
            Spec::TcpConnect(a) => format!("tcp:{a}"),
            Spec::Gpsd(a) => format!("gpsd:{a}"),
            Spec::Replay { path, .. } => format!("file:{}", path.display()),
        }
    }
}

fn split_lines(buf: &[u8], input: &Arc<str>, now: i64, out: &mut Vec<Line>, c: &Counters) {
    for l in buf.split(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.is_empty() {
            continue;
        }
        if l.len() > MAX_LINE {
            Counters::add(&c.overlong, 1);
            continue;
        }
        out.push(Line {
            bytes: l.to_vec(),
            input: input.clone(),
            wall_ms: now,
        });
    }
}

/// Reads lines from a byte stream until it ends; `false` when the queue closed.
async fn pump<R: tokio::io::AsyncRead + Unpin>(
    r: R,
    input: Arc<str>,
    tx: &mpsc::Sender<Line>,
    c: &Counters,
) -> bool {
    pump_as(r, input, tx, c, false).await
}

/// [`pump`]; with `gpsd`, each line is a gpsd JSON report, turned into the
/// sentences of its message (other classes carry none; lines that are no
/// report are counted `bad_json`).
async fn pump_as<R: tokio::io::AsyncRead + Unpin>(
    r: R,
    input: Arc<str>,
    tx: &mpsc::Sender<Line>,
    c: &Counters,
    gpsd: bool,
) -> bool {
    let mut group = 0u32;
    let mut r = tokio::io::BufReader::with_capacity(64 * 1024, r);
    let mut buf = Vec::with_capacity(256);
    // one idle timer for the connection, moved on lazily when it fires
    // (not re-armed for every line: that would cost a timer per line)
    let idle = tokio::time::sleep(IDLE);
    tokio::pin!(idle);
    let mut last = tokio::time::Instant::now();
    loop {
        buf.clear();
        // read_until with a cap: a peer that never sends a newline cannot
        // grow the buffer without bound
        match read_idle(&mut r, &mut buf, MAX_LINE + 1, idle.as_mut(), &mut last, c).await {
            Some(0) | None => return true,
            Some(_) => {}
        }
        if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
            // skip the rest of the overlong line
            Counters::add(&c.overlong, 1);
            let mut sink = Vec::new();
            loop {
                sink.clear();
                match read_idle(&mut r, &mut sink, MAX_LINE, idle.as_mut(), &mut last, c).await {
                    Some(0) | None => return true,
                    Some(_) if sink.last() == Some(&b'\n') => break,
                    Some(_) => {}
                }
            }
            continue;
        }
        let mut lines = Vec::with_capacity(1);
        if gpsd {
            let text = String::from_utf8_lossy(&buf);
            if text.trim().is_empty() {
                continue;
            }
            match store::jsonsrc::sentences_of_line(
                store::jsonsrc::JsonKind::Gpsd,
                &text,
                &mut group,
            ) {
                Ok(sentences) => {
                    let now = wall_ms();
                    lines.extend(sentences.into_iter().map(|s| Line {
                        bytes: s.into_bytes(),
                        input: input.clone(),
                        wall_ms: now,
                    }));
                }
                Err(e) => {
                    Counters::add(&c.bad_json, 1);
                    tracing::debug!("{input}: {e}");
                }
            }
        } else {
            split_lines(&buf, &input, wall_ms(), &mut lines, c);
        }
        for l in lines {
            Counters::add(&c.lines, 1);
            if tx.send(l).await.is_err() {
                return false;
            }
        }
    }
}

/// Reads up to a newline, at most `limit` bytes, into `buf`; `None` when
/// the peer is gone or has sent nothing for [`IDLE`] (counted
/// `idle_closed`: a feed sends every few seconds, a dropped feeder
/// reconnects). The timer fires at most once per [`IDLE`] and is moved on
/// from the last read then.
async fn read_idle<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
    mut idle: std::pin::Pin<&mut tokio::time::Sleep>,
    last: &mut tokio::time::Instant,
    c: &Counters,
) -> Option<usize> {
    let start = buf.len();
    loop {
        let mut limited = (&mut *r).take((limit - (buf.len() - start)) as u64);
        tokio::select! {
            res = tokio::io::AsyncBufReadExt::read_until(&mut limited, b'\n', buf) => {
                *last = tokio::time::Instant::now();
                return match res {
                    Ok(_) => Some(buf.len() - start),
                    Err(_) => None,
                };
            }
            _ = idle.as_mut() => {
                if last.elapsed() >= IDLE {
                    Counters::add(&c.idle_closed, 1);
                    return None;
                }
                // bytes read so far stay in `buf` (read_until appends as it
                // goes); the read goes on with what is left of the limit
                idle.as_mut().reset(*last + IDLE);
                if buf.len() - start >= limit {
                    return Some(buf.len() - start);
                }
            }
        }
    }
}

use tokio::io::AsyncReadExt;

/// Runs one input until the queue closes or `stop` is set; a listening
/// TCP input holds at most `max_connections` peers at once.
pub async fn run(
    spec: Spec,
    tx: mpsc::Sender<Line>,
    c: Arc<Counters>,
    stop: Arc<AtomicBool>,
    max_connections: usize,
) -> std::io::Result<()> {
    let name: Arc<str> = spec.name().into();
    match spec {
        Spec::Udp(addr) => {
            // a large receive buffer rides out bursts (the kernel caps it at
            // net.core.rmem_max)
            let s2 = socket2::Socket::new(
                socket2::Domain::for_address(addr),
                socket2::Type::DGRAM,
                None,
            )?;
            let _ = s2.set_recv_buffer_size(8 << 20);
            s2.bind(&addr.into())?;
            s2.set_nonblocking(true)?;
            let sock = tokio::net::UdpSocket::from_std(s2.into())?;
            let mut buf = vec![0u8; 65_536];
            let mut lines = Vec::new();
            loop {
                let (n, _) = sock.recv_from(&mut buf).await?;
                Counters::add(&c.udp_datagrams, 1);
                lines.clear();
                split_lines(&buf[..n], &name, wall_ms(), &mut lines, &c);
                for l in lines.drain(..) {
                    Counters::add(&c.lines, 1);
                    match tx.try_send(l) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => Counters::add(&c.queue_drops, 1),
                        Err(mpsc::error::TrySendError::Closed(_)) => return Ok(()),
                    }
                }
            }
        }
        Spec::TcpListen(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await?;
            // connections live in this set: when the input is stopped, the
            // set is dropped and they end with it
            let mut conns = tokio::task::JoinSet::new();
            let slots = Arc::new(tokio::sync::Semaphore::new(max_connections.max(1)));
            loop {
                // at the cap, further peers wait in the kernel's backlog
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    return Ok(());
                };
                let (s, peer) = match l.accept().await {
                    Ok(x) => x,
                    Err(e) => {
                        // out of descriptors (or a peer gone before the
                        // accept): retried, the input never dies of it
                        Counters::add(&c.accept_errors, 1);
                        tracing::warn!("{name}: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                while conns.try_join_next().is_some() {}
                Counters::add(&c.connections, 1);
                let (tx, c) = (tx.clone(), c.clone());
                let input: Arc<str> = format!("{name}<-{peer}").into();
                conns.spawn(async move {
                    pump(s, input, &tx, &c).await;
                    drop(permit);
                });
            }
        }
        Spec::TcpConnect(ref addr) | Spec::Gpsd(ref addr) => {
            let gpsd = matches!(spec, Spec::Gpsd(_));
            let mut backoff = Duration::from_secs(1);
            loop {
                match tokio::net::TcpStream::connect(addr).await {
                    Ok(mut s) => {
                        Counters::add(&c.connections, 1);
                        backoff = Duration::from_secs(1);
                        let mut asked = Ok(());
                        if gpsd {
                            use tokio::io::AsyncWriteExt;
                            asked = s
                                .write_all(b"?WATCH={\"enable\":true,\"json\":true};\n")
                                .await;
                        }
                        match asked {
                            Err(e) => tracing::warn!("{addr}: {e}"),
                            Ok(()) => {
                                if !pump_as(s, name.clone(), &tx, &c, gpsd).await {
                                    return Ok(());
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!("{addr}: {e}"),
                }
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                Counters::add(&c.reconnects, 1);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
        Spec::Replay { path, speed } => {
            let c2 = c.clone();
            tokio::task::spawn_blocking(move || replay(&path, speed, name, &tx, &c2, &stop))
                .await
                .map_err(std::io::Error::other)?
        }
    }
}

/// The receive time in a line's tag block (`c:`, seconds or
/// milliseconds, normalised by the decoder's own framing), if any.
pub fn tag_time_ms(line: &[u8]) -> Option<i64> {
    match ais::nmea::parse_line(line).ok()? {
        ais::nmea::Line::Ais { tag, .. } => tag?.time_ms,
        _ => None,
    }
}

fn replay(
    path: &std::path::Path,
    speed: f64,
    name: Arc<str>,
    tx: &mpsc::Sender<Line>,
    c: &Counters,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    // lines longer than store::limits::MAX_LINE_BYTES are dropped as read;
    // those over MAX_LINE but under it are dropped and counted by split_lines
    let mut r = store::open_input(path).map_err(std::io::Error::other)?;
    let res = replay_lines(&mut r, speed, name, tx, c, stop);
    Counters::add(&c.overlong, r.overlong_lines());
    res
}

fn replay_lines(
    r: &mut store::Input,
    speed: f64,
    name: Arc<str>,
    tx: &mpsc::Sender<Line>,
    c: &Counters,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    use std::io::BufRead;
    let start = std::time::Instant::now();
    // pacing: feed time `t0` is due at wall instant `start`; the latest
    // time paced by, so that a silence of more than a day (or a forged
    // time) is skipped, not waited out
    let mut t0: Option<i64> = None;
    let mut latest = i64::MIN;
    let mut skipped = Duration::ZERO;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf)? == 0 || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        if speed > 0.0 {
            if let Some(t) =
                tag_time_ms(&buf).filter(|&t| store::limits::plausible_time(t, wall_ms()))
            {
                let base = *t0.get_or_insert(t);
                if latest != i64::MIN && t - latest > store::limits::MAX_AHEAD_MS {
                    skipped = skipped.saturating_add(
                        Duration::try_from_secs_f64(((t - latest) as f64 / 1000.0) / speed)
                            .unwrap_or(Duration::MAX),
                    );
                }
                latest = latest.max(t);
                let due = Duration::try_from_secs_f64(((t - base).max(0) as f64 / 1000.0) / speed)
                    .unwrap_or(Duration::MAX)
                    .saturating_sub(skipped);
                // in short steps: a stop is not kept waiting
                while let Some(wait) = due.checked_sub(start.elapsed()) {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    std::thread::sleep(wait.min(Duration::from_millis(200)));
                }
            }
        }
        let mut lines = Vec::with_capacity(1);
        split_lines(&buf, &name, wall_ms(), &mut lines, c);
        for l in lines {
            Counters::add(&c.lines, 1);
            if tx.blocking_send(l).is_err() {
                return Ok(());
            }
        }
    }
}
