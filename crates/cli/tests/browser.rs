//! The report in a real browser: Debian's headless Chromium (installed by
//! .ci/run), driven over the DevTools protocol. It opens the demo's report
//! and the report of an archive with hostile names, and checks: no console
//! errors or exceptions (a Content-Security-Policy violation is one), no
//! network request but the file itself, no dialog (an injected `alert`),
//! the script ran to its end, the map, dossiers and tables are there and
//! work; then saves screenshots under target/tmp.
//!
//! Set SHIPTRACE_CHROMIUM to use another Chromium binary.

mod common;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Network, Page};
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("SHIPTRACE_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "no Chromium found: install Debian's `chromium` (.ci/run does) or set SHIPTRACE_CHROMIUM"
    );
}

#[derive(Default, Debug)]
struct Seen {
    errors: Vec<String>,
    warnings: Vec<String>,
    requests: Vec<String>,
    dialogs: Vec<String>,
}

struct Page_ {
    _browser: Browser,
    tab: Arc<Tab>,
    seen: Arc<Mutex<Seen>>,
}

/// Chromium on `url`, with console errors, exceptions, requests and
/// dialogs recorded from before the page loads.
fn launch(url: &str, window: (u32, u32)) -> Page_ {
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chromium()))
            .headless(true)
            .sandbox(false)
            .window_size(Some(window))
            // no calls home: this machine's network is closed, and a report
            // must not need one
            .args(
                [
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                ]
                .iter()
                .map(std::ffi::OsStr::new)
                .collect(),
            )
            .idle_browser_timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap(),
    )
    .expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(std::time::Duration::from_secs(60));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    tab.add_event_listener(Arc::new(move |e: &Event| {
        let mut s = s.lock().unwrap_or_else(|e| e.into_inner());
        match e {
            Event::RuntimeConsoleAPICalled(c) => {
                let text = format!(
                    "{:?}",
                    c.params
                        .args
                        .iter()
                        .map(|a| a.value.clone())
                        .collect::<Vec<_>>()
                );
                use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption as T;
                match c.params.Type {
                    T::Error | T::Assert => s.errors.push(format!("console: {text}")),
                    T::Warning => s.warnings.push(format!("console: {text}")),
                    _ => {}
                }
            }
            Event::RuntimeExceptionThrown(x) => s
                .errors
                .push(format!("exception: {:?}", x.params.exception_details.text)),
            Event::LogEntryAdded(l) => {
                use headless_chrome::protocol::cdp::Log::LogEntryLevel as L;
                match l.params.entry.level {
                    L::Error => s.errors.push(format!("log: {}", l.params.entry.text)),
                    L::Warning => s.warnings.push(format!("log: {}", l.params.entry.text)),
                    _ => {}
                }
            }
            Event::NetworkRequestWillBeSent(r) => s.requests.push(r.params.request.url.clone()),
            Event::PageJavascriptDialogOpening(d) => s.dialogs.push(d.params.message.clone()),
            _ => {}
        }
    }))
    .unwrap();
    tab.enable_log().unwrap();
    tab.enable_runtime().unwrap();
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .unwrap();
    tab.navigate_to(url).unwrap();
    tab.wait_until_navigated().unwrap();
    Page_ {
        _browser: browser,
        tab,
        seen,
    }
}

fn open(file: &Path) -> Page_ {
    open_sized(file, (1280, 1800))
}

/// [`open`] in a window of `window` pixels.
fn open_sized(file: &Path, window: (u32, u32)) -> Page_ {
    let url = format!("file://{}", file.canonicalize().unwrap().display());
    let p = launch(&url, window);
    let (tab, seen) = (&p.tab, &p.seen);
    // the script marks the page when it has run to its end
    let mut ready = false;
    for _ in 0..100 {
        if js(tab, "document.documentElement.getAttribute('data-ready')") == serde_json::json!("1")
        {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        ready,
        "the report's script did not run to its end: {:?}",
        seen.lock().unwrap()
    );
    p
}

fn js(tab: &Tab, expr: &str) -> serde_json::Value {
    let r = tab
        .evaluate(&format!("JSON.stringify({expr})"), false)
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    let s = r
        .value
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "null".into());
    serde_json::from_str(&s).unwrap()
}

fn n(tab: &Tab, selector: &str) -> u64 {
    js(
        tab,
        &format!("document.querySelectorAll({selector:?}).length"),
    )
    .as_u64()
    .unwrap()
}

fn assert_clean(p: &Page_, file: &Path) {
    let s = p.seen.lock().unwrap();
    assert!(s.errors.is_empty(), "console errors: {:?}", s.errors);
    assert!(
        s.dialogs.is_empty(),
        "a dialog opened (injected script ran): {:?}",
        s.dialogs
    );
    let own = format!("file://{}", file.canonicalize().unwrap().display());
    let others: Vec<&String> = s.requests.iter().filter(|u| **u != own).collect();
    assert!(
        others.is_empty(),
        "network requests besides the file: {others:?}"
    );
    assert!(
        !s.requests.is_empty(),
        "the request log saw nothing: is Network enabled?"
    );
    if !s.warnings.is_empty() {
        eprintln!("warnings (not failures): {:?}", s.warnings);
    }
}

fn screenshot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    assert!(png.len() > 10_000, "a blank screenshot?");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

#[test]
fn demo_report_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = common::run(
        tmp.path(),
        &["demo", "--out", "demo", "--days", "20", "--vessels", "30"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("demo/report.html"),
        "the demo says where the report is: {err}"
    );
    let file = out.join("report.html");
    let p = open(&file);
    let tab = &p.tab;
    // the map: land from Natural Earth, tracks, watched ports, markers
    assert_eq!(n(tab, "svg#map path.land.near"), 1);
    let land = js(
        tab,
        "document.querySelector('svg#map path.land.near').getAttribute('d').length",
    )
    .as_u64()
    .unwrap();
    assert!(
        land > 2_000,
        "the coast is drawn ({land} characters of path)"
    );
    assert!(n(tab, "svg#map g.track") >= 4, "the four shuttles' tracks");
    assert!(
        n(tab, "svg#map g.watched") >= 2,
        "Rajin and the other watched ports"
    );
    assert!(
        n(tab, "svg#map a.marker[data-kind=dark_port_call]") >= 1,
        "dark port calls marked"
    );
    // dossiers, voyages, claims, events, parameters, provenance
    assert!(n(tab, "article.dossier") >= 4);
    assert!(n(tab, "#voyage-table tbody tr") >= 1);
    assert!(
        n(tab, "#claims tbody tr") >= 5,
        "the built-in claims ledger"
    );
    assert!(n(tab, "#event-table tbody tr") >= 1);
    // likely events and candidates apart: the confidence column (9th)
    let conf = |table: &str| -> Vec<f64> {
        js(
            tab,
            &format!("[...document.querySelectorAll('#{table} tbody tr td:nth-child(9)')].map(td => parseFloat(td.textContent))"),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
    };
    assert!(
        conf("event-table").iter().all(|&c| c >= 0.5),
        "a candidate among the notable events"
    );
    assert!(
        conf("candidate-table").iter().all(|&c| c < 0.5),
        "a likely event among the candidates"
    );
    assert_eq!(
        n(tab, "#candidates h2"),
        1,
        "the candidates have a section of their own"
    );
    assert!(
        n(tab, "#methods details pre") >= 3,
        "detect, intel and report parameters"
    );
    assert!(
        n(tab, "#provenance td.hash") >= 5,
        "the source and the exports, hashed"
    );
    let text = js(tab, "document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    for s in [
        "SIMULATED DATA",
        "ANGARA",
        "Najin",
        "Detections scored against the simulation",
    ] {
        assert!(text.contains(s), "{s:?} not on the page");
    }
    // every figure is a number: an evidence key read but never written
    // shows as NaN (encounters once read "within NaN m")
    assert!(
        !text.contains("NaN") && !text.contains("inf "),
        "a figure is not a number: {}",
        text.lines()
            .find(|l| l.contains("NaN") || l.contains("inf "))
            .unwrap_or("")
    );
    let encounters = js(
        tab,
        "[...document.querySelectorAll('#event-table tbody tr')].map(r => r.innerText).filter(t => t.includes('encounter')).join('\\n')",
    );
    let encounters = encounters.as_str().unwrap_or("");
    assert!(
        encounters.contains(" m for "),
        "the encounter rows give the distance: {encounters}"
    );
    // sorting: the risk column ascending puts the lowest first
    let first = |tab: &Tab| {
        js(tab, "document.querySelector('#vessel-table tbody tr td:nth-child(5)').getAttribute('data-v')")
    };
    js(
        tab,
        "document.querySelectorAll('#vessel-table thead th')[4].click()",
    );
    let asc = first(tab);
    js(
        tab,
        "document.querySelectorAll('#vessel-table thead th')[4].click()",
    );
    let desc = first(tab);
    let f = |v: &serde_json::Value| v.as_str().unwrap().parse::<f64>().unwrap();
    assert!(f(&asc) <= f(&desc), "sorting by risk: {asc} then {desc}");
    assert_eq!(
        js(
            tab,
            "document.querySelectorAll('#vessel-table thead th')[4].getAttribute('aria-sort')"
        ),
        "descending"
    );
    // zoom: the map's viewBox narrows, reset restores it
    let vb0 = js(
        tab,
        "document.querySelector('svg#map').getAttribute('viewBox')",
    );
    js(
        tab,
        "document.querySelector('button[data-zoom=in]').click()",
    );
    let vb1 = js(
        tab,
        "document.querySelector('svg#map').getAttribute('viewBox')",
    );
    assert_ne!(vb0, vb1, "zoom in changes the view");
    let w = |v: &serde_json::Value| {
        v.as_str()
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(w(&vb1) < w(&vb0));
    js(
        tab,
        "document.querySelector('button[data-zoom=reset]').click()",
    );
    let vb2 = js(
        tab,
        "document.querySelector('svg#map').getAttribute('viewBox')",
    );
    assert_eq!(w(&vb2), w(&vb0));
    screenshot(tab, "report-demo.png");
    map_shows_the_case(tab);
    time_window_filters_the_map(tab);
    images_are_on_the_map_and_in_the_dossiers(tab);
    summaries_link_their_evidence(tab);
    // the page prints: A4, a page break before each dossier
    let dossiers = n(tab, "article.dossier") as usize;
    let pdf = tab
        .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
            prefer_css_page_size: Some(true),
            ..Default::default()
        }))
        .expect("Chromium prints the page to PDF");
    let pages = pdf_pages(&pdf);
    assert!(
        pages > dossiers,
        "{pages} PDF pages for {dossiers} dossiers (each starts a page)"
    );
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-demo.pdf"),
        &pdf,
    )
    .unwrap();
    assert_clean(&p, &file);
}

/// Pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf);
    let mut n = 0;
    let mut rest: &str = &s;
    while let Some(k) = rest.find("/Type") {
        rest = &rest[k + 5..];
        let t = rest.trim_start();
        if t.starts_with("/Page") && !t.starts_with("/Pages") {
            n += 1;
        }
    }
    n
}

/// The first view holds Najin, Vostochny and Dunai, and the case is not
/// squeezed into a corner: Najin to Vostochny spans a third of the width.
fn map_shows_the_case(tab: &Tab) {
    let r = js(
        tab,
        r#"(() => {
            const svg = document.querySelector('svg#map');
            const vb = svg.getAttribute('viewBox').split(' ').map(Number);
            // a watched port or a voyage's end (data-x, data-y), or a port visited (cx, cy)
            const at = sel => {
                const g = document.querySelector(sel);
                if (!g) return null;
                return g.hasAttribute('data-x') ? [Number(g.getAttribute('data-x')), Number(g.getAttribute('data-y'))] : [Number(g.getAttribute('cx')), Number(g.getAttribute('cy'))];
            };
            return { vb, najin: at('g.watched[data-name="Najin"]'), vostochny: at('svg#map [data-name^="Vostochn"]'), dunai: at('svg#map [data-name="Dunai"]') };
        })()"#,
    );
    let vb: Vec<f64> = r["vb"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let pt = |k: &str| -> (f64, f64) {
        let a = r[k]
            .as_array()
            .unwrap_or_else(|| panic!("{k} is not drawn on the map: {r}"));
        (a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
    };
    for k in ["najin", "vostochny", "dunai"] {
        let (x, y) = pt(k);
        assert!(
            x >= vb[0] && x <= vb[0] + vb[2] && y >= vb[1] && y <= vb[1] + vb[3],
            "{k} at ({x}, {y}) is outside the first view {vb:?}"
        );
    }
    let span = (pt("vostochny").0 - pt("najin").0).abs();
    assert!(
        span >= vb[2] / 3.0,
        "Najin to Vostochny is {span:.0} of {:.0} units: the case is squeezed",
        vb[2]
    );
    // "fit all" widens the view to every fix; "fit case" returns
    js(
        tab,
        "document.querySelector('button[data-zoom=all]').click()",
    );
    let all = js(
        tab,
        "document.querySelector('svg#map').getAttribute('viewBox')",
    );
    let w_all: f64 = all
        .as_str()
        .unwrap()
        .split(' ')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!(w_all >= vb[2], "fit all shows at least the case: {all}");
    js(
        tab,
        "document.querySelector('button[data-zoom=reset]').click()",
    );
}

/// Event markers drawn (not hidden by the time window or as candidates).
fn drawn_markers(tab: &Tab) -> u64 {
    js(
        tab,
        "[...document.querySelectorAll('svg#map a.marker')].filter(a => getComputedStyle(a).display !== 'none').length",
    )
    .as_u64()
    .unwrap()
}

/// The time window hides what falls outside it and shows it all again.
fn time_window_filters_the_map(tab: &Tab) {
    let whole = drawn_markers(tab);
    assert!(whole >= 2, "markers to filter: {whole}");
    assert_eq!(
        js(tab, "[...document.querySelectorAll('svg#map a.marker.candidate')].filter(a => getComputedStyle(a).display !== 'none').length"),
        serde_json::json!(0),
        "candidates are not drawn by default"
    );
    // a 7-day window ending a week after the first marker
    js(
        tab,
        r#"(() => {
            const w = document.getElementById('t-window'), e = document.getElementById('t-end');
            const first = Math.min(...[...document.querySelectorAll('svg#map a.marker:not(.candidate)')].map(a => Number(a.getAttribute('data-t0'))));
            w.value = '604800000'; w.dispatchEvent(new Event('change'));
            e.value = String(first + 3 * 86400000); e.dispatchEvent(new Event('input'));
        })()"#,
    );
    let windowed = drawn_markers(tab);
    assert!(
        windowed >= 1 && windowed < whole,
        "a 7-day window draws {windowed} of {whole} markers"
    );
    let label = js(tab, "document.getElementById('t-label').textContent");
    assert!(
        label.as_str().unwrap().contains(" to "),
        "the window is said: {label}"
    );
    js(
        tab,
        "(() => { const w = document.getElementById('t-window'); w.value = '0'; w.dispatchEvent(new Event('change')); })()",
    );
    assert_eq!(drawn_markers(tab), whole, "'all' shows every marker again");
}

/// The demo's simulated satellite images: footprints drawn when asked
/// for, dark vessels marked, each dossier listing the images that showed
/// its vessel.
fn images_are_on_the_map_and_in_the_dossiers(tab: &Tab) {
    let shown = |tab: &Tab| {
        js(
            tab,
            "[...document.querySelectorAll('svg#map path.scene')].filter(p => getComputedStyle(p).display !== 'none').length",
        )
        .as_u64()
        .unwrap()
    };
    assert!(n(tab, "svg#map path.scene") >= 1, "image footprints drawn");
    assert_eq!(shown(tab), 0, "footprints are hidden until asked for");
    js(tab, "(() => { const c = document.getElementById('show-scenes'); c.checked = true; c.dispatchEvent(new Event('change')); })()");
    assert!(shown(tab) >= 1, "the box shows the footprints");
    js(tab, "(() => { const c = document.getElementById('show-scenes'); c.checked = false; c.dispatchEvent(new Event('change')); })()");
    assert!(
        n(tab, "svg#map a.marker[data-kind=dark_vessel]") >= 1,
        "dark vessels marked"
    );
    assert!(
        n(tab, "article.dossier details.images tbody tr") >= 1,
        "a dossier lists the images that showed its vessel"
    );
}

/// The case and each dossier open with a paragraph whose evidence links
/// lead to rows of the page, in calibrated words.
fn summaries_link_their_evidence(tab: &Tab) {
    let lede = js(tab, "document.querySelector('#summary p.lede').innerText");
    let lede = lede.as_str().unwrap();
    assert!(
        lede.contains("dark port call") && lede.contains("Najin"),
        "the case summary: {lede}"
    );
    assert!(
        lede.contains("Sonbong or Najin") || lede.contains("Najin or Sonbong"),
        "ports the silences cannot tell apart are named together: {lede}"
    );
    assert!(
        ["virtually certain", "very likely", "likely"]
            .iter()
            .any(|w| lede.contains(w)),
        "confidence in words: {lede}"
    );
    let broken = js(
        tab,
        "[...document.querySelectorAll('p.lede a, p.vsummary a')].map(a => a.getAttribute('href')).filter(h => !document.getElementById(h.slice(1)))",
    );
    assert_eq!(broken, serde_json::json!([]), "summary links to no row");
    assert!(
        n(tab, "article.dossier p.vsummary") >= 4,
        "each dossier opens with a summary"
    );
    let ids = js(
        tab,
        "(() => { const s = new Set(), d = []; document.querySelectorAll('[id]').forEach(e => { if (s.has(e.id)) d.push(e.id); s.add(e.id); }); return d.slice(0, 5); })()",
    );
    assert_eq!(ids, serde_json::json!([]), "an id given twice");
}

#[test]
fn hostile_names_run_no_script_in_chromium() {
    let (_tmp, d) = common::hostile_case();
    common::analyze_hostile(&d);
    let file = d.join("case/report.html");
    let p = open(&file);
    let tab = &p.tab;
    assert_eq!(n(tab, "img"), 0, "an injected image element exists");
    assert_eq!(n(tab, "script"), 1, "only the report's own script");
    assert_eq!(
        js(
            tab,
            "Array.from(document.querySelectorAll('b')).some(b => b.textContent === \"C'S\")"
        ),
        false,
        "markup from the callsign was parsed"
    );
    let text = js(tab, "document.getElementById('v-273210440').innerText")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("<script>alert(2)</script>"),
        "the name is shown as text: {text}"
    );
    assert!(
        text.contains(common::CALLSIGN),
        "the callsign is shown as text"
    );
    assert!(
        text.contains(common::DESTINATION),
        "the destination is shown as text"
    );
    screenshot(tab, "report-hostile.png");
    assert_clean(&p, &file);
}

#[test]
fn live_page_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let port = |_: ()| {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (http, udp) = (port(()), port(()));
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let child = common::bin()
        .args([
            "watch",
            "--dir",
            "w",
            "--http",
            &format!("127.0.0.1:{http}"),
            "--udp",
            &format!("127.0.0.1:{udp}"),
        ])
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let t = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", http)).is_err() {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(60),
            "watch did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // one vessel heard, so the map has something to place; sent again
    // until the page shows it (the UDP socket may open after the HTTP
    // port, and a datagram sent before is lost)
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let send = || {
        s.send_to(
            b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n",
            ("127.0.0.1", udp),
        )
        .unwrap()
    };
    send();
    let p = launch(&format!("http://127.0.0.1:{http}/"), (1280, 800));
    let tab = &p.tab;
    let mut ok = false;
    for _ in 0..100 {
        send();
        let stat = js(tab, "document.getElementById('stat').textContent");
        let ships = js(tab, "document.querySelectorAll('#ships circle').length");
        if stat.as_str().is_some_and(|s| s.contains("1 vessels")) && ships == serde_json::json!(1) {
            ok = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(
        ok,
        "the page shows the vessel heard: {:?}",
        js(tab, "document.getElementById('stat').textContent")
    );
    assert_eq!(n(tab, "#map path.land"), 1);
    screenshot(tab, "watch-live.png");
    // judged before the server stops (which cuts the page's event stream)
    {
        let s = p.seen.lock().unwrap();
        assert!(s.errors.is_empty(), "console errors: {:?}", s.errors);
        let origin = format!("http://127.0.0.1:{http}/");
        let others: Vec<&String> = s
            .requests
            .iter()
            .filter(|u| !u.starts_with(&origin))
            .collect();
        assert!(
            others.is_empty(),
            "requests beyond the watch server: {others:?}"
        );
    }
    drop(p);
    std::process::Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    let _ = child.0.wait();
}

/// The README's pictures: the first screen and one dossier of the demo's
/// report, written to docs/img. Run by `scripts/screenshots.sh` (the full
/// demo takes two minutes, so it is not part of the suite):
/// SHIPTRACE_DOCS_REPORT=path/to/report.html.
#[test]
#[ignore = "writes docs/img from a full demo: scripts/screenshots.sh"]
fn screenshots_for_the_docs() {
    let file = PathBuf::from(
        std::env::var("SHIPTRACE_DOCS_REPORT").expect("SHIPTRACE_DOCS_REPORT=report.html"),
    );
    let p = open_sized(&file, (1400, 1100));
    let tab = &p.tab;
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/img");
    std::fs::create_dir_all(&docs).unwrap();
    let first = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(docs.join("report-first-screen.png"), first).unwrap();
    let id = std::env::var("SHIPTRACE_DOCS_DOSSIER").unwrap_or_else(|_| "v-273298410".into());
    assert_eq!(
        js(
            tab,
            &format!("(() => {{ const d = document.getElementById({id:?}); if (!d) return false; d.scrollIntoView(); return true; }})()")
        ),
        serde_json::json!(true),
        "the dossier {id} is on the page"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let dossier = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(docs.join("report-dossier.png"), dossier).unwrap();
    assert_clean(&p, &file);
}
