//! `shiptrace watch` wiring and its HTTP side: `/api/vessels`,
//! `/api/vessels/{mmsi}`, `/api/alerts?since=SEQ`, `/api/stream`
//! (server-sent events, one `alert` event per alert), `/api/stats`, and
//! `/`, a live map page that needs nothing from the internet.
//!
//! Safe by default: binds 127.0.0.1; any other address needs a bearer
//! token (`Authorization: Bearer T`, or `?token=T` for the page and the
//! stream only, which browsers open without headers); on loopback the
//! `Host` header must name a loopback host, so a web page reached by DNS
//! rebinding cannot read the API; connections are capped
//! (`[watch] api_max_connections`, the rest wait in the backlog) and a
//! client that does not send its headers in time, or idles, is cut off
//! (`api_header_timeout_s`); request bodies, subscribers and pages of
//! `/api/vessels` are capped; SIGTERM or Ctrl-C stops the inputs, drains
//! the queue, fsyncs, rolls the last segment into the store, exits.

use crate::engine::{Engine, Outputs, Shared};
use crate::input::{Line, Spec};
use crate::persist::Persist;
use crate::{Alert, Counters, WatchParams};
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio_stream::StreamExt;

/// Everything `watch` needs.
pub struct Options {
    /// The working directory (raw/, store/, alerts.jsonl).
    pub dir: PathBuf,
    /// The feeds.
    pub inputs: Vec<Spec>,
    /// Where the API listens (none: no API).
    pub http: Option<SocketAddr>,
    /// Bearer token the API requires.
    pub token: Option<String>,
    /// URLs alerts are POSTed to.
    pub webhooks: Vec<String>,
    /// The detectors' parameters.
    pub detect: detect::Params,
    /// `[watch]`.
    pub watch: WatchParams,
    /// Ports and user areas.
    pub gazetteer: detect::gazetteer::Gazetteer,
    /// Listed vessels.
    pub entries: Vec<intel::watchlist::Entry>,
    /// How vessels are matched to the lists.
    pub matching: intel::matching::MatchParams,
    /// Owners, managers and sister ships from the lists and registers.
    pub network: intel::network::Graph,
    /// How network matches are weighed.
    pub network_params: intel::network::NetworkParams,
    /// Feed clock rate (see the engine): 1 live, the replay speed, 0 as fast as possible.
    pub clock_rate: f64,
    /// Stop when every input has ended (replays); otherwise run until a signal.
    pub exit_when_inputs_end: bool,
    /// A folder satellite detection files are dropped in ([`crate::imagery`]).
    pub imagery_dir: Option<PathBuf>,
    /// How they are fused (`[imagery]`).
    pub imagery: imagery::ImageryParams,
}

/// Why `watch` stopped.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// Raw lines could not be kept.
    #[error("{0}")]
    Persist(#[from] crate::persist::PersistError),
    /// A socket or file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The options are unusable.
    #[error("{0}")]
    Config(String),
}

#[derive(Clone)]
struct Http {
    shared: Arc<Shared>,
    counters: Arc<Counters>,
    alerts: tokio::sync::broadcast::Sender<Arc<Alert>>,
    token: Option<Arc<str>>,
    subscribers: Arc<AtomicUsize>,
    max_subscribers: usize,
    page: Arc<str>,
    /// On a loopback bind: the only host names a request may carry.
    loopback_only: bool,
    page_max: usize,
}

/// Whether a `Host` header names a loopback host (`localhost`,
/// `127.0.0.1`, `[::1]`, with any port). A page on another origin that
/// rebinds its own name to 127.0.0.1 still sends its own name here.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((a, _)) => a,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(a, _)| a)
    };
    let name = name.trim_end_matches('.');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A usable bearer token: printable ASCII without spaces, at least 8
/// characters (a header carries it verbatim; a blank or one-letter token
/// is no protection).
pub fn check_token(t: &str) -> Result<(), String> {
    if t.len() < 8 || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("--token must be at least 8 printable ASCII characters without spaces".into());
    }
    Ok(())
}

fn same(a: &[u8], b: &[u8]) -> bool {
    // length may leak; content does not (no early exit)
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |x, (p, q)| x | (p ^ q)) == 0
}

async fn auth(
    State(h): State<Http>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if h.loopback_only {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        if !host.is_some_and(loopback_host) {
            return (
                StatusCode::MISDIRECTED_REQUEST,
                "this API answers only requests addressed to a loopback host\n",
            )
                .into_response();
        }
    }
    if let Some(t) = &h.token {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // the query form only where a browser cannot set a header: the page
        // and the event stream (a token in a URL ends up in logs and history)
        let path = req.uri().path();
        let query_ok = path == "/" || path == "/api/stream";
        let given = bearer.or(q.get("token").map(String::as_str).filter(|_| query_ok));
        if !given.is_some_and(|g| same(g.as_bytes(), t.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "a bearer token is required\n",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// A page of vessels in MMSI order: `?after=MMSI&limit=N` (default 1,000,
/// at most `[watch] api_page_max`); a page shorter than the limit is the
/// last.
async fn vessels(
    State(h): State<Http>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let after: Option<u32> = match q.get("after").map(|s| s.parse::<u32>()) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => {
            return (StatusCode::BAD_REQUEST, "after: not an MMSI\n").into_response();
        }
    };
    let limit = match q.get("limit").map(|s| s.parse::<usize>()) {
        None => 1000.min(h.page_max),
        Some(Ok(n)) if n >= 1 => n.min(h.page_max),
        Some(_) => {
            return (StatusCode::BAD_REQUEST, "limit: a count from 1\n").into_response();
        }
    };
    let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
    let v: Vec<crate::engine::VesselView> = h
        .shared
        .vessels
        .read()
        .map(|v| {
            v.range((from, std::ops::Bound::Unbounded))
                .take(limit)
                .map(|(_, x)| x.clone())
                .collect()
        })
        .unwrap_or_default();
    Json(v).into_response()
}

async fn vessel(State(h): State<Http>, AxPath(mmsi): AxPath<u32>) -> Response {
    let v = h
        .shared
        .vessels
        .read()
        .ok()
        .and_then(|v| v.get(&mmsi).cloned());
    let Some(v) = v else {
        return (StatusCode::NOT_FOUND, format!("no vessel {mmsi} heard\n")).into_response();
    };
    let track: Vec<(i64, f64, f64)> = h
        .shared
        .tracks
        .lock()
        .ok()
        .and_then(|t| t.get(&mmsi).map(|q| q.iter().copied().collect()))
        .unwrap_or_default();
    let alerts: Vec<Arc<Alert>> = h
        .shared
        .alerts
        .lock()
        .map(|a| {
            a.iter()
                .filter(|a| a.mmsi == mmsi || a.other_mmsi == Some(mmsi))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let track: Vec<serde_json::Value> = track
        .iter()
        .map(|(t, la, lo)| serde_json::json!({"time": detect::event::rfc3339(*t), "lat": la, "lon": lo}))
        .collect();
    Json(serde_json::json!({"vessel": v, "track": track, "alerts": alerts})).into_response()
}

async fn alerts(
    State(h): State<Http>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let since: u64 = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
    let limit: usize = q
        .get("limit")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
        .min(10_000);
    let v: Vec<Arc<Alert>> = h
        .shared
        .alerts
        .lock()
        .map(|a| {
            a.iter()
                .filter(|a| a.seq > since)
                .take(limit)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Json(v).into_response()
}

async fn stats(State(h): State<Http>) -> Response {
    let mut s = h.counters.to_json();
    s["clock"] = serde_json::json!(h.shared.clock.read().ok().and_then(|c| c.clone()));
    s["vessels"] = serde_json::json!(h.shared.vessels.read().map(|v| v.len()).unwrap_or(0));
    Json(s).into_response()
}

struct Sub(Arc<AtomicUsize>);
impl Drop for Sub {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn stream(State(h): State<Http>) -> Response {
    if h.subscribers.fetch_add(1, Ordering::Relaxed) >= h.max_subscribers {
        h.subscribers.fetch_sub(1, Ordering::Relaxed);
        return (StatusCode::SERVICE_UNAVAILABLE, "too many subscribers\n").into_response();
    }
    let sub = Sub(h.subscribers.clone());
    let counters = h.counters.clone();
    let s =
        tokio_stream::wrappers::BroadcastStream::new(h.alerts.subscribe()).filter_map(move |r| {
            let _keep = &sub;
            match r {
                Ok(a) => SseEvent::default()
                    .event("alert")
                    .json_data(&*a)
                    .ok()
                    .map(Ok::<_, std::convert::Infallible>),
                Err(_) => {
                    Counters::add(&counters.sse_lagged, 1);
                    None
                }
            }
        });
    Sse::new(s).keep_alive(KeepAlive::default()).into_response()
}

async fn page_handler(State(h): State<Http>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                report::live::content_security_policy().as_str(),
            ),
        ],
        Html(h.page.to_string()),
    )
        .into_response()
}

fn area(o: &Options) -> (f64, f64, f64, f64) {
    if let Some(b) = o.watch.map_bbox {
        return (b[0], b[1], b[2], b[3]);
    }
    let w = o.gazetteer.watched(&o.detect);
    if w.is_empty() {
        return (128.0, 34.0, 142.0, 46.0);
    }
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for i in w {
        let p = &o.gazetteer.places[i];
        b = (
            b.0.min(p.lon),
            b.1.min(p.lat),
            b.2.max(p.lon),
            b.3.max(p.lat),
        );
    }
    (b.0 - 3.0, b.1 - 3.0, b.2 + 3.0, b.3 + 3.0)
}

async fn webhooks(
    urls: Vec<String>,
    mut rx: tokio::sync::mpsc::Receiver<Arc<Alert>>,
    attempts: u32,
    c: Arc<Counters>,
) {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    while let Some(a) = rx.recv().await {
        for u in &urls {
            let mut wait = std::time::Duration::from_secs(1);
            let mut ok = false;
            for k in 0..attempts.max(1) {
                match client.post(u).json(&*a).send().await {
                    Ok(r) if r.status().is_success() => {
                        ok = true;
                        break;
                    }
                    Ok(r) => tracing::warn!("webhook {u}: HTTP {}", r.status()),
                    Err(e) => tracing::warn!("webhook {u}: {e}"),
                }
                if k + 1 < attempts {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
            Counters::add(
                if ok {
                    &c.webhook_sent
                } else {
                    &c.webhook_failed
                },
                1,
            );
        }
    }
}

/// Runs `watch` until a signal (or, for replays with
/// `exit_when_inputs_end`, until the inputs end); returns the counters.
pub async fn run(o: Options) -> Result<Arc<Counters>, WatchError> {
    if let Some(a) = o.http {
        if !a.ip().is_loopback() && o.token.is_none() {
            return Err(WatchError::Config(format!(
                "--http {a} is not a loopback address: give --token so the API is not open to the network"
            )));
        }
    }
    if let Some(t) = &o.token {
        check_token(t).map_err(WatchError::Config)?;
    }
    let c = Arc::new(Counters::default());
    std::fs::create_dir_all(&o.dir)?;
    let persist = {
        let (dir, roll, c) = (o.dir.clone(), o.watch.roll_minutes, c.clone());
        tokio::task::spawn_blocking(move || Persist::open(&dir, roll, c))
            .await
            .map_err(std::io::Error::other)??
    };
    let store_dir = persist.store_dir().to_path_buf();
    let jsonl = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(o.dir.join("alerts.jsonl"))?;
    let (btx, _) = tokio::sync::broadcast::channel(4096);
    let (wtx, wrx) = tokio::sync::mpsc::channel(o.watch.webhook_queue.max(1));
    let mut tasks = Vec::new();
    if !o.webhooks.is_empty() {
        tasks.push(tokio::spawn(webhooks(
            o.webhooks.clone(),
            wrx,
            o.watch.webhook_attempts,
            c.clone(),
        )));
    }
    let page: Arc<str> = report::live::page(area(&o)).into();
    let mut engine = Engine::new(
        o.detect.clone(),
        o.watch.clone(),
        o.gazetteer,
        o.entries,
        o.matching,
        (o.network, o.network_params),
        o.clock_rate,
        Outputs {
            jsonl: Some(std::io::BufWriter::new(jsonl)),
            broadcast: btx.clone(),
            webhooks: (!o.webhooks.is_empty()).then_some(wtx),
        },
        persist,
        c.clone(),
    );
    let shared = engine.shared.clone();
    // HTTP
    if let Some(addr) = o.http {
        let h = Http {
            shared: shared.clone(),
            counters: c.clone(),
            alerts: btx.clone(),
            token: o.token.as_deref().map(Arc::from),
            subscribers: Arc::new(AtomicUsize::new(0)),
            max_subscribers: o.watch.max_subscribers,
            page,
            loopback_only: addr.ip().is_loopback(),
            page_max: o.watch.api_page_max,
        };
        let app = Router::new()
            .route("/", get(page_handler))
            .route("/api/vessels", get(vessels))
            .route("/api/vessels/{mmsi}", get(vessel))
            .route("/api/alerts", get(alerts))
            .route("/api/stream", get(stream))
            .route("/api/stats", get(stats))
            .layer(axum::middleware::from_fn_with_state(h.clone(), auth))
            .layer(axum::extract::DefaultBodyLimit::max(
                o.watch.max_request_bytes,
            ))
            .with_state(h);
        let l = tokio::net::TcpListener::bind(addr).await?;
        eprintln!(
            "watch: HTTP on http://{}/ (API under /api/)",
            l.local_addr()?
        );
        tasks.push(tokio::spawn(serve_http(
            l,
            app,
            o.watch.api_max_connections,
            std::time::Duration::from_secs_f64(o.watch.api_header_timeout_s),
            c.clone(),
        )));
    }
    // inputs
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Line>(o.watch.queue.max(1));
    let stop = Arc::new(AtomicBool::new(false));
    let mut inputs = tokio::task::JoinSet::new();
    for s in o.inputs {
        let (tx, c, stop) = (tx.clone(), c.clone(), stop.clone());
        let max_conn = o.watch.tcp_max_connections;
        let name = s.name();
        eprintln!("watch: input {name}");
        inputs.spawn(async move {
            if let Err(e) = crate::input::run(s, tx, c, stop, max_conn).await {
                eprintln!("watch: input {name}: {e}");
            }
        });
    }
    // with --keep-running the queue stays open when the inputs end (a
    // replay), so the API and the page stay up until a signal
    let mut keep_open = (!o.exit_when_inputs_end).then_some(tx);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    let mut stopping = false;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let rolls = Roller::start(
        store_dir.clone(),
        c.clone(),
        FuseWith {
            watch_dir: o.dir.clone(),
            params: o.imagery.clone(),
            gaz: engine.gazetteer(),
            detect: o.detect.clone(),
            done: done_tx,
        },
    );
    let done_log = crate::imagery::done_log(&o.dir);
    let window_ms = (o.imagery.window_hours * 3_600_000.0) as i64;
    let mut pending = Pending::default();
    let (img_tx, mut img_rx) = tokio::sync::mpsc::channel::<crate::imagery::Batch>(64);
    if let Some(idir) = &o.imagery_dir {
        let poll = std::time::Duration::from_secs_f64(o.watch.imagery_poll_s);
        let mut folder = {
            let (idir, wdir, c) = (idir.clone(), o.dir.clone(), c.clone());
            tokio::task::spawn_blocking(move || crate::imagery::Folder::open(&idir, &wdir, poll, c))
                .await
                .map_err(std::io::Error::other)??
        };
        eprintln!("watch: imagery from {}", idir.display());
        // the files already there are taken before any input starts
        let first;
        (folder, first) = tokio::task::spawn_blocking(move || {
            let b = folder.look();
            (folder, b)
        })
        .await
        .map_err(std::io::Error::other)?;
        pending.waiting.extend(first);
        tasks.push(tokio::spawn(async move {
            let mut folder = Some(folder);
            loop {
                tokio::time::sleep(poll).await;
                let Some(mut f) = folder.take() else { return };
                let Ok((f, batches)) = tokio::task::spawn_blocking(move || {
                    let b = f.look();
                    (f, b)
                })
                .await
                else {
                    return;
                };
                folder = Some(f);
                for b in batches {
                    if img_tx.send(b).await.is_err() {
                        return;
                    }
                }
            }
        }));
    } else {
        drop(img_tx);
    }
    let mut n = 0u64;
    loop {
        tokio::select! {
            l = rx.recv() => match l {
                Some(l) => {
                    engine.line(&l)?;
                    n += 1;
                    if n.is_multiple_of(256) {
                        engine.tick(false);
                        let seg = engine.persist.tick()?;
                        let rolled = seg.is_some();
                        if let Some(seg) = seg { rolls.send(seg); }
                        pending.dispatch(rolled, &engine, &rolls);
                    }
                }
                None => break,
            },
            Some(b) = img_rx.recv() => pending.waiting.push(b),
            Some(d) = done_rx.recv() => imagery_done(&mut engine, d, &o.imagery, &done_log),
            _ = tick.tick() => {
                engine.tick(false);
                pending.advance(&mut engine, window_ms, false);
                let synced_before = Counters::get(&c.persisted);
                let seg = engine.persist.tick()?;
                let rolled = seg.is_some();
                if let Some(seg) = seg { rolls.send(seg); }
                pending.dispatch(rolled, &engine, &rolls);
                if Counters::get(&c.persisted) != synced_before { engine.sync_alerts(); }
                if o.exit_when_inputs_end && inputs.is_empty() && !stopping { stopping = true; }
                while inputs.try_join_next().is_some() {}
            },
            _ = tokio::signal::ctrl_c(), if !stopping => { stopping = true; }
            _ = term.recv(), if !stopping => { stopping = true; }
        }
        if stopping && !stop.swap(true, Ordering::Relaxed) {
            eprintln!("watch: stopping: inputs closed, draining the queue");
            inputs.abort_all();
            drop(keep_open.take());
        }
    }
    // drained: final alerts, sync, roll the open segment; the imagery
    // files waiting are fused with what there is
    engine.tick(true);
    engine.sync_alerts();
    while let Ok(b) = img_rx.try_recv() {
        pending.waiting.push(b);
    }
    pending.advance(&mut engine, window_ms, true);
    if let Some(seg) = engine.persist.close()? {
        rolls.send(seg);
    }
    pending.dispatch(true, &engine, &rolls);
    rolls.finish().await;
    while let Ok(d) = done_rx.try_recv() {
        imagery_done(&mut engine, d, &o.imagery, &done_log);
    }
    engine.sync_alerts();
    for t in tasks {
        t.abort();
    }
    Ok(c)
}

/// The API's accept loop: at most `cap` connections at once (the rest wait
/// in the kernel's backlog, using no descriptor of ours), accept errors
/// (out of descriptors) retried after a pause, and each connection served
/// with a header-read deadline that also ends idle keep-alive connections.
async fn serve_http(
    l: tokio::net::TcpListener,
    app: Router,
    cap: usize,
    header_timeout: std::time::Duration,
    c: Arc<Counters>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(cap.max(1)));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let s = match l.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                Counters::add(&c.accept_errors, 1);
                tracing::warn!("HTTP accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(s);
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, svc)
                .await;
            drop(permit);
        });
    }
}

/// Rolls closed segments into the store on a thread of its own, one at a
/// time and in the order they were closed (duplicate removal carries on
/// from one segment to the next); imagery files are fused there too,
/// after the segments sent before them.
struct Roller {
    tx: std::sync::mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
}

enum Job {
    Roll(PathBuf),
    Fuse(Box<crate::imagery::Batch>),
}

/// What the fusions on the rolling thread need.
struct FuseWith {
    watch_dir: PathBuf,
    params: imagery::ImageryParams,
    gaz: Arc<detect::gazetteer::Gazetteer>,
    detect: detect::Params,
    done: tokio::sync::mpsc::UnboundedSender<crate::imagery::Done>,
}

impl Roller {
    fn start(store: PathBuf, c: Arc<Counters>, fw: FuseWith) -> Roller {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let thread = std::thread::spawn(move || {
            for job in rx {
                match job {
                    Job::Roll(seg) => match crate::persist::roll(&seg, &store) {
                        Ok(()) => Counters::add(&c.segments_rolled, 1),
                        Err(e) => {
                            Counters::add(&c.roll_errors, 1);
                            eprintln!(
                                "watch: rolling {} into the store: {e} (kept; retried at the next start)",
                                seg.display()
                            );
                        }
                    },
                    Job::Fuse(b) => {
                        let d = crate::imagery::fuse(
                            *b,
                            &store,
                            &fw.watch_dir,
                            &fw.params,
                            &fw.gaz,
                            &fw.detect,
                        );
                        let _ = fw.done.send(d);
                    }
                }
            }
        });
        Roller { tx, thread }
    }

    fn send(&self, seg: PathBuf) {
        // the thread only ends when the sender is dropped
        let _ = self.tx.send(Job::Roll(seg));
    }

    fn fuse(&self, b: crate::imagery::Batch) {
        let _ = self.tx.send(Job::Fuse(Box::new(b)));
    }

    /// Waits for every segment sent to be rolled.
    async fn finish(self) {
        drop(self.tx);
        let t = self.thread;
        let _ = tokio::task::spawn_blocking(move || t.join()).await;
    }
}

/// Imagery files waiting: for the feed clock to pass their images by
/// `window_hours` (`waiting`), then for the open segment to be rolled
/// (`due`).
#[derive(Default)]
struct Pending {
    waiting: Vec<crate::imagery::Batch>,
    due: Vec<crate::imagery::Batch>,
}

impl Pending {
    /// Moves the files whose images the feed clock has passed (all of them
    /// when `all`) to `due`, asking for the open segment to be rolled.
    fn advance(&mut self, engine: &mut Engine, window_ms: i64, all: bool) {
        let now = engine.feed_now();
        let (ready, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|b| all || now.is_some_and(|n| n >= b.latest_ms.saturating_add(window_ms)));
        self.waiting = wait;
        if !ready.is_empty() {
            engine.persist.roll_soon();
            self.due.extend(ready);
        }
    }

    /// After a segment was (or none needed to be) handed to the roller:
    /// the due files follow it.
    fn dispatch(&mut self, rolled: bool, engine: &Engine, rolls: &Roller) {
        if rolled || !engine.persist.is_open() {
            for b in self.due.drain(..) {
                rolls.fuse(b);
            }
        }
    }
}

/// Alerts for one fused file, and its line in `imagery/done.jsonl`.
fn imagery_done(
    engine: &mut Engine,
    d: crate::imagery::Done,
    ip: &imagery::ImageryParams,
    log: &std::path::Path,
) {
    let alerts = engine.imagery(&d, ip);
    let file = d
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(e) = &d.error {
        eprintln!("watch: imagery {}: {e}", d.file.display());
    } else if d.detections > 0 {
        eprintln!(
            "watch: imagery {}: {} detections, {} paired with AIS, {} dark, {alerts} alerted{}",
            d.file.display(),
            d.detections,
            d.matched,
            d.dark.len(),
            if d.refused > 0 {
                format!(", {} rows refused", d.refused)
            } else {
                String::new()
            }
        );
    }
    let line = serde_json::json!({
        "file": file, "done": detect::event::rfc3339(crate::wall_ms()),
        "detections": d.detections, "refused": d.refused, "matched": d.matched,
        "dark": d.dark.len(), "alerted": alerts,
        "outcomes": d.outcomes.as_ref().map(|p| p.display().to_string()),
        "error": d.error,
    });
    let r = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut f| {
            use std::io::Write;
            writeln!(f, "{line}")?;
            f.sync_data()
        });
    if let Err(e) = r {
        eprintln!("watch: {}: {e}", log.display());
    }
}
