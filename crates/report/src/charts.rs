//! Per-vessel charts as inline SVG: a timeline of events in lanes, and
//! the broadcast draught over time.

use detect::{Event, EventKind};
use maud::{html, Markup};
use std::fmt::Write;

const W: f64 = 900.0;
const LEFT: f64 = 120.0;
const LANE: f64 = 16.0;

/// Timeline lanes: (kinds, label, colour).
const LANES: [(&[EventKind], &str, &str); 7] = [
    (&[EventKind::PortVisit], "port visits", "#2a9d8f"),
    (&[EventKind::DarkPortCall], "dark port calls", "#d00000"),
    (&[EventKind::AisGap], "AIS gaps", "#888888"),
    (&[EventKind::Encounter], "encounters", "#ff8c00"),
    (&[EventKind::Loitering], "loitering", "#7b2cbf"),
    (
        &[
            EventKind::IdentityChange,
            EventKind::SharedMmsi,
            EventKind::PositionJump,
        ],
        "identity / jumps",
        "#0057b7",
    ),
    (
        &[EventKind::DraughtChange, EventKind::Voyage],
        "draught, voyages",
        "#6c757d",
    ),
];

fn x_of(t: i64, t0: i64, t1: i64) -> f64 {
    LEFT + (t - t0) as f64 / (t1 - t0).max(1) as f64 * (W - LEFT - 10.0)
}

/// Month starts between t0 and t1 (unix ms), with "YYYY-MM" labels.
fn months(t0: i64, t1: i64) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let s = ais::nmea::format_rfc3339_ms(t0);
    let (mut y, mut m): (i32, u32) = (s[..4].parse().unwrap_or(1970), s[5..7].parse().unwrap_or(1));
    loop {
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
        let label = format!("{y:04}-{m:02}");
        let Some(t) = ais::nmea::parse_rfc3339_ms(&format!("{label}-01T00:00:00Z")) else {
            break;
        };
        if t > t1 || out.len() > 240 {
            break;
        }
        out.push((t, label));
    }
    out
}

fn axis(t0: i64, t1: i64, y: f64) -> Markup {
    let ticks = months(t0, t1);
    let every = ticks.len().div_ceil(12).max(1);
    html! {
        @for (k, (t, l)) in ticks.iter().enumerate() {
            @let x = x_of(*t, t0, t1);
            path.tick d=(format!("M{x:.1} 0V{y:.1}")) {}
            @if k % every == 0 { text.axis x=(format!("{:.1}", x + 2.0)) y=(format!("{:.1}", y + 11.0)) { (l) } }
        }
    }
}

fn event_title(e: &Event) -> String {
    let mut s = format!(
        "{} {}",
        e.kind().as_str().replace('_', " "),
        crate::short(e.start)
    );
    if let Some(end) = &e.end {
        let _ = write!(s, " to {} ({:.1} h)", crate::short(*end), crate::hours(e));
    }
    if let Some(p) = &e.port {
        let _ = write!(s, ", {}", p.name);
    }
    if let Some(o) = e.other_mmsi {
        let _ = write!(s, ", with {o}");
    }
    let _ = write!(s, ", confidence {:.2} [{}]", e.confidence, e.id);
    s
}

/// The events of one vessel in lanes over [t0, t1].
pub fn timeline(events: &[&Event], t0: i64, t1: i64) -> Markup {
    let h = LANES.len() as f64 * LANE + 16.0;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {h}")) role="img" aria-label="timeline of events" {
            (axis(t0, t1, h - 16.0))
            @for (k, (kinds, label, colour)) in LANES.iter().enumerate() {
                @let y = k as f64 * LANE;
                text.lane x="0" y=(format!("{:.1}", y + 11.0)) { (label) }
                @for e in events.iter().filter(|e| kinds.contains(&e.kind())) {
                    @let (xa, xb) = (x_of(e.start_ms(), t0, t1), x_of(e.end_ms(), t0, t1));
                    rect x=(format!("{xa:.1}")) y=(format!("{:.1}", y + 2.0)) width=(format!("{:.1}", (xb - xa).max(2.0))) height=(LANE - 4.0) fill=(colour) {
                        title { (event_title(e)) }
                    }
                }
            }
        }
    }
}

/// The broadcast draught (metres) as a step line over [t0, t1].
pub fn draught(points: &[(i64, f32)], t0: i64, t1: i64) -> Markup {
    let h = 90.0;
    let top = points
        .iter()
        .map(|p| p.1 as f64)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.1;
    let y_of = |d: f64| 4.0 + (1.0 - d / top) * (h - 24.0);
    let mut d = String::new();
    let mut last_y: Option<f64> = None;
    for &(t, v) in points {
        let (x, y) = (x_of(t.clamp(t0, t1), t0, t1), y_of(v as f64));
        match last_y {
            None => {
                let _ = write!(d, "M{x:.1} {y:.1}");
            }
            Some(_) => {
                let _ = write!(d, "H{x:.1}V{y:.1}");
            }
        }
        last_y = Some(y);
    }
    if last_y.is_some() {
        let _ = write!(d, "H{:.1}", x_of(t1, t0, t1));
    }
    let ticks: Vec<f64> = (0..=4).map(|k| top / 4.0 * k as f64).collect();
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {h}")) role="img" aria-label="draught over time" {
            (axis(t0, t1, h - 16.0))
            text.lane x="0" y="11" { "draught (m)" }
            @for v in &ticks {
                text.axis x=(format!("{:.1}", LEFT - 4.0)) y=(format!("{:.1}", y_of(*v) + 3.0)) text-anchor="end" { (format!("{v:.1}")) }
            }
            path.draught d=(d) {}
        }
    }
}

/// A vessel's network as a small three-column graph: the vessel, the
/// companies and people behind it (by hop), and the sister ships; listed
/// nodes outlined in red; each line a link with its kind in the tooltip.
pub fn network(n: &intel::network::VesselNetwork, vessel: &str) -> Markup {
    const W: f64 = 720.0;
    const ROW: f64 = 26.0;
    let mut parties: Vec<&str> = Vec::new();
    for l in &n.links {
        if !parties.contains(&l.to.as_str()) {
            parties.push(&l.to);
        }
    }
    let mut sisters: Vec<&intel::network::Sister> = Vec::new();
    for s in &n.sisters {
        if !sisters.iter().any(|x| x.name == s.name && x.via == s.via) {
            sisters.push(s);
        }
    }
    let rows = parties.len().max(sisters.len()).max(1);
    let h = 16.0 + ROW * rows as f64;
    let y = |i: usize| 12.0 + ROW * i as f64 + ROW / 2.0;
    let (x0, x1, x2, bw) = (4.0, 250.0, 496.0, 220.0);
    let py = |name: &str| parties.iter().position(|p| *p == name).map(y);
    let listed_party = |name: &str| {
        n.matches
            .iter()
            .any(|m| m.kind != "sister_of_listed" && m.listed_name == name)
    };
    let cut = |s: &str| -> String {
        let c: String = s.chars().take(30).collect();
        if s.chars().count() > 30 {
            format!("{c}…")
        } else {
            c
        }
    };
    let vy = 12.0 + ROW / 2.0;
    html! {
        svg.chart.network xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {h}")) role="img" aria-label="owners, managers and sister ships" {
            @for l in &n.links {
                @let from_y = if l.hop == 1 { Some(vy) } else { py(&l.from) };
                @let from_x = if l.hop == 1 { x0 + bw } else { x1 + bw };
                @if let (Some(a), Some(b)) = (from_y, py(&l.to)) {
                    @if l.hop == 1 {
                        line.link x1=(from_x) y1=(a) x2=(x1) y2=(b) { title { (l.from) " " (l.kind.words()) " " (l.to) " [" (l.origin) "]" } }
                    } @else {
                        path.link d=(format!("M{:.1} {a:.1} C{:.1} {a:.1} {:.1} {b:.1} {:.1} {b:.1}", x1 + bw, x1 + bw + 18.0, x1 + bw + 18.0, x1 + bw)) fill="none" { title { (l.from) " " (l.kind.words()) " " (l.to) " [" (l.origin) "]" } }
                    }
                }
            }
            @for (i, s) in sisters.iter().enumerate() {
                @if let Some(a) = py(&s.via) {
                    line.link x1=(x1 + bw) y1=(a) x2=(x2) y2=(y(i)) { title { (s.name) " " (s.kind.words()) " " (s.via) " [" (s.origin) "]" } }
                }
            }
            g.node.vessel {
                rect x=(x0) y=(vy - 10.0) width=(bw) height="20" rx="3" {}
                text x=(x0 + 6.0) y=(vy + 4.0) { (cut(vessel)) }
            }
            @for (i, p) in parties.iter().enumerate() {
                g class=(if listed_party(p) { "node party listed" } else { "node party" }) {
                    rect x=(x1) y=(y(i) - 10.0) width=(bw) height="20" rx="3" {}
                    text x=(x1 + 6.0) y=(y(i) + 4.0) { (cut(p)) }
                }
            }
            @for (i, s) in sisters.iter().enumerate() {
                g class=(if s.listed.is_empty() { "node vessel" } else { "node vessel listed" }) {
                    rect x=(x2) y=(y(i) - 10.0) width=(bw) height="20" rx="3" {}
                    text x=(x2 + 6.0) y=(y(i) + 4.0) { (cut(&s.name)) @if let Some(m) = s.imo { " · " (m) } }
                }
            }
        }
    }
}
