//! The report's map: an inline SVG in a Mercator projection fitted to the
//! vessels of interest, with Natural Earth land ([`sea::outline`]),
//! a graticule, watched and visited ports, tracks coloured by vessel,
//! silences drawn dashed (via the port for dark port calls), and event
//! markers that link to the vessel's dossier.

use crate::{ReportError, ReportParams, Vessel};
use detect::{Event, EventKind};
use geo::Simplify;
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Map width in SVG user units (the page scales it).
pub const WIDTH: f64 = 1000.0;
/// Map height in SVG user units.
pub const HEIGHT: f64 = 700.0;
/// Deepest zoom the page allows (the script's limit); tracks are
/// simplified for it.
pub const MAX_ZOOM: f64 = 8.0;

/// A vessel's fixes as drawn: runs of fixes without a long silence, and
/// the silences between them.
#[derive(Debug, Clone, Default)]
pub struct Track {
    /// The vessel.
    pub mmsi: u32,
    /// (lon, lat) runs.
    pub runs: Vec<Vec<(f64, f64)>>,
    /// Times (unix ms) of each run's first and last fix.
    pub run_times: Vec<(i64, i64)>,
    /// Fixes drawn (after simplification).
    pub fixes: usize,
}

impl Track {
    /// Runs simplified with Ramer-Douglas-Peucker at `tol_deg`.
    pub fn simplified(&self, tol_deg: f64) -> Vec<Vec<(f64, f64)>> {
        self.runs
            .iter()
            .map(|r| {
                let ls: geo::LineString<f64> =
                    r.iter().map(|&(x, y)| geo::coord! { x: x, y: y }).collect();
                ls.simplify(tol_deg).0.iter().map(|c| (c.x, c.y)).collect()
            })
            .collect()
    }
}

/// Reads the tracks of `vessels` from the store.
pub fn load_tracks(
    st: &store::Store,
    vessels: &[Vessel],
    p: &ReportParams,
) -> Result<Vec<Track>, ReportError> {
    let brk = (p.track_break_minutes * 60_000.0) as i64;
    vessels
        .iter()
        .map(|v| {
            let fixes = st.vessel_positions(v.mmsi)?;
            let mut t = Track {
                mmsi: v.mmsi,
                fixes: fixes.len(),
                ..Track::default()
            };
            let mut last: Option<i64> = None;
            for f in &fixes {
                if last.is_none_or(|l| f.time_ms - l > brk) {
                    t.runs.push(Vec::new());
                    t.run_times.push((f.time_ms, f.time_ms));
                }
                if let (Some(r), Some(rt)) = (t.runs.last_mut(), t.run_times.last_mut()) {
                    r.push((f.lon, f.lat));
                    rt.1 = f.time_ms;
                }
                last = Some(f.time_ms);
            }
            Ok(t)
        })
        .collect()
}

fn merc(lat: f64) -> f64 {
    let lat = lat.clamp(-85.0, 85.0).to_radians();
    (std::f64::consts::FRAC_PI_4 + lat / 2.0)
        .tan()
        .ln()
        .to_degrees()
}

/// Mercator fitted to a box of [`WIDTH`] x [`HEIGHT`].
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    lon0: f64,
    top: f64,
    /// Pixels per degree of longitude.
    pub k: f64,
}

impl Projection {
    /// Fits (min lon, min lat, max lon, max lat), padded by 8 %.
    pub fn fit(b: (f64, f64, f64, f64)) -> Projection {
        let (x0, x1) = (b.0, b.2.max(b.0 + 0.1));
        let (y0, y1) = (merc(b.1), merc(b.3).max(merc(b.1) + 0.1));
        let k = (WIDTH / ((x1 - x0) * 1.16)).min(HEIGHT / ((y1 - y0) * 1.16));
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        Projection {
            lon0: cx - WIDTH / 2.0 / k,
            top: cy + HEIGHT / 2.0 / k,
            k,
        }
    }
    /// (lon0, top, k): x = (lon - lon0) k, y = (top - mercator(lat)) k, with
    /// mercator(lat) = ln(tan(45° + lat/2)) in degrees — for a script that
    /// places live positions on a map drawn here.
    pub fn params(&self) -> (f64, f64, f64) {
        (self.lon0, self.top, self.k)
    }
    /// SVG user coordinates of a position.
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.lon0) * self.k, (self.top - merc(lat)) * self.k)
    }
    /// The (lon, lat) box the map shows.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let inv =
            |m: f64| (2.0 * m.to_radians().exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
        (
            self.lon0,
            inv(self.top - HEIGHT / self.k),
            self.lon0 + WIDTH / self.k,
            inv(self.top),
        )
    }
}

/// Sutherland-Hodgman clipping of a closed ring to a lon/lat box. Written
/// here rather than taken from `geo`'s boolean operations because the map
/// only fills the result (the degenerate edges this leaves along the box
/// are invisible) and it cannot fail on the self-touching rings Natural
/// Earth has, where a full polygon intersection may.
fn clip_ring(ring: &[(f64, f64)], b: (f64, f64, f64, f64)) -> Vec<(f64, f64)> {
    let mut pts = ring.to_vec();
    // (inside test, intersection with the edge) for each of the 4 edges
    type Inside = fn(&(f64, f64), f64) -> bool;
    let edges: [(Inside, f64, bool); 4] = [
        (|p, v| p.0 >= v, b.0, true),
        (|p, v| p.0 <= v, b.2, true),
        (|p, v| p.1 >= v, b.1, false),
        (|p, v| p.1 <= v, b.3, false),
    ];
    for (inside, v, vertical) in edges {
        if pts.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(pts.len());
        for i in 0..pts.len() {
            let (a, c) = (pts[(i + pts.len() - 1) % pts.len()], pts[i]);
            let cut = |a: (f64, f64), c: (f64, f64)| {
                if vertical {
                    let t = (v - a.0) / (c.0 - a.0);
                    (v, a.1 + t * (c.1 - a.1))
                } else {
                    let t = (v - a.1) / (c.1 - a.1);
                    (a.0 + t * (c.0 - a.0), v)
                }
            };
            match (inside(&a, v), inside(&c, v)) {
                (true, true) => out.push(c),
                (true, false) => out.push(cut(a, c)),
                (false, true) => {
                    out.push(cut(a, c));
                    out.push(c)
                }
                (false, false) => {}
            }
        }
        pts = out;
    }
    pts
}

/// SVG path data of a polyline (or ring when `close`), dropping points
/// closer than `min_px` to the last one kept.
fn path_data(out: &mut String, pts: impl Iterator<Item = (f64, f64)>, min_px: f64, close: bool) {
    let mut last: Option<(f64, f64)> = None;
    let mut n = 0;
    let start = out.len();
    for (x, y) in pts {
        if let Some((lx, ly)) = last {
            if (x - lx).abs() < min_px && (y - ly).abs() < min_px {
                continue;
            }
        }
        let _ = write!(out, "{}{:.1} {:.1}", if n == 0 { "M" } else { "L" }, x, y);
        last = Some((x, y));
        n += 1;
    }
    if n < 2 {
        out.truncate(start);
    } else if close {
        out.push('Z');
    }
}

/// Land within the projection's view as one even-odd path.
pub fn land_path(pr: &Projection) -> String {
    let b = pr.bounds();
    let (dx, dy) = ((b.2 - b.0) * 0.05, (b.3 - b.1) * 0.05);
    let clip = (b.0 - dx, b.1 - dy, b.2 + dx, b.3 + dy);
    let mut d = String::new();
    for r in sea::outline::land_in(clip) {
        let c = clip_ring(&r.points, clip);
        path_data(
            &mut d,
            c.into_iter().map(|(x, y)| pr.xy(x, y)),
            0.4 / MAX_ZOOM * 2.0,
            true,
        );
    }
    d
}

/// Box around the tracks, watched places and events to show.
fn extent(tracks: &[Track], events: &[&Event], watched: &[intel::Watched]) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut add = |lon: f64, lat: f64| {
        b = (b.0.min(lon), b.1.min(lat), b.2.max(lon), b.3.max(lat));
    };
    for t in tracks {
        for r in &t.runs {
            for &(x, y) in r {
                add(x, y);
            }
        }
    }
    for e in events {
        if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
            add(lon, lat);
        }
    }
    for w in watched {
        add(w.lon, w.lat);
    }
    if b.0 > b.2 {
        // nothing to show: the Sea of Japan, where the built-in scenario is
        (128.0, 34.0, 142.0, 46.0)
    } else {
        b
    }
}

fn graticule_step(span_deg: f64) -> f64 {
    [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0]
        .into_iter()
        .find(|s| span_deg / s <= 8.0)
        .unwrap_or(45.0)
}

fn marker_title(e: &Event) -> String {
    let name = e
        .vessel
        .as_ref()
        .and_then(|v| v.name.as_deref())
        .unwrap_or("?");
    let mut t = format!(
        "{} - {} ({}) {}",
        e.kind().as_str().replace('_', " "),
        name,
        e.mmsi,
        crate::short(e.start)
    );
    if let Some(end) = &e.end {
        let _ = write!(t, " to {}", crate::short(*end));
    }
    if let Some(o) = e.other_mmsi {
        let _ = write!(t, " with {o}");
    }
    if let Some(p) = &e.port {
        let _ = write!(t, " at {}", p.name);
    }
    let _ = write!(t, ", confidence {:.2}", e.confidence);
    t
}

/// Event kinds drawn as markers: (kind, shape, colour, legend label).
pub const MARKERS: [(EventKind, &str, &str, &str); 6] = [
    (
        EventKind::DarkPortCall,
        "circle",
        "#d00000",
        "dark port call (at the port)",
    ),
    (EventKind::Encounter, "triangle", "#ff8c00", "encounter"),
    (EventKind::Loitering, "square", "#7b2cbf", "loitering"),
    (
        EventKind::IdentityChange,
        "diamond",
        "#0057b7",
        "identity change",
    ),
    (EventKind::SharedMmsi, "cross", "#000000", "shared MMSI"),
    (EventKind::PositionJump, "cross", "#555555", "position jump"),
];

fn shape(kind: &str, x: f64, y: f64) -> String {
    let s = 5.0;
    match kind {
        "circle" => format!(
            "M{:.1} {:.1}m-{s} 0a{s} {s} 0 1 0 {} 0a{s} {s} 0 1 0 -{} 0",
            x,
            y,
            2.0 * s,
            2.0 * s
        ),
        "triangle" => format!("M{:.1} {:.1}l{s} {}h-{}z", x, y - s, 2.0 * s, 2.0 * s),
        "square" => format!(
            "M{:.1} {:.1}h{}v{}h-{}z",
            x - s,
            y - s,
            2.0 * s,
            2.0 * s,
            2.0 * s
        ),
        "diamond" => format!("M{:.1} {:.1}l{s} {s}l-{s} {s}l-{s} -{s}z", x, y - s),
        _ => format!(
            "M{:.1} {:.1}l{} {}m0 -{}l-{} {}",
            x - s,
            y - s,
            2.0 * s,
            2.0 * s,
            2.0 * s,
            2.0 * s,
            2.0 * s
        ),
    }
}

/// Where a dark port call's silence began and ended, from the ais_gap
/// event it rests on.
fn dark_path(
    e: &Event,
    gaps: &BTreeMap<(u32, detect::event::Time), &Event>,
) -> Option<[(f64, f64); 3]> {
    let from = e.evidence.dark_port_call()?.gap.from;
    let g = gaps.get(&(e.mmsi, from))?.evidence.ais_gap()?;
    let (a, b) = (g.went_dark(), g.reappeared()?);
    Some([(a.lon, a.lat), (e.lon?, e.lat?), (b.lon, b.lat)])
}

/// The map (an `<svg class="zoomable">`) and its legend.
pub fn render(
    vessels: &[Vessel],
    tracks: &[Track],
    events: &[Event],
    watched: &[intel::Watched],
    p: &ReportParams,
) -> Markup {
    let shown: BTreeSet<u32> = vessels.iter().map(|v| v.mmsi).collect();
    let colour: BTreeMap<u32, &str> = vessels.iter().map(|v| (v.mmsi, v.colour)).collect();
    let mine: Vec<&Event> = events
        .iter()
        .filter(|e| shown.contains(&e.mmsi) || e.other_mmsi.is_some_and(|o| shown.contains(&o)))
        .collect();
    let marked: Vec<&Event> = mine
        .iter()
        .copied()
        .filter(|e| e.lat.is_some() && MARKERS.iter().any(|m| m.0 == e.kind()))
        .collect();
    let pr = Projection::fit(extent(tracks, &marked, watched));
    let land = land_path(&pr);
    let b = pr.bounds();
    let step = graticule_step((b.2 - b.0).max(b.3 - b.1));
    let mut grid = String::new();
    let mut labels: Vec<(f64, f64, String)> = Vec::new();
    let mut lon = (b.0 / step).ceil() * step;
    while lon <= b.2 {
        let (x, _) = pr.xy(lon, 0.0);
        let _ = write!(grid, "M{x:.1} 0V{HEIGHT}");
        labels.push((
            x + 2.0,
            HEIGHT - 4.0,
            format!("{lon}°{}", if lon < 0.0 { "W" } else { "E" }),
        ));
        lon += step;
    }
    let mut lat = (b.1 / step).ceil() * step;
    while lat <= b.3 {
        let (_, y) = pr.xy(0.0, lat);
        let _ = write!(grid, "M0 {y:.1}H{WIDTH}");
        labels.push((
            2.0,
            y - 2.0,
            format!("{lat}°{}", if lat < 0.0 { "S" } else { "N" }),
        ));
        lat += step;
    }
    // tracks at the deepest zoom's tolerance
    let tol_deg = p.track_tolerance_px / (pr.k * MAX_ZOOM);
    let lines: Vec<(u32, &str, String, String)> = tracks
        .iter()
        .map(|t| {
            let c = colour.get(&t.mmsi).copied().unwrap_or("#333");
            let mut d = String::new();
            for r in t.simplified(tol_deg) {
                path_data(&mut d, r.into_iter().map(|(x, y)| pr.xy(x, y)), 0.0, false);
            }
            // silences between runs: straight dashed hints
            let mut dash = String::new();
            for w in t.runs.windows(2) {
                if let (Some(&a), Some(&c)) = (w[0].last(), w[1].first()) {
                    let (a, c) = (pr.xy(a.0, a.1), pr.xy(c.0, c.1));
                    let _ = write!(dash, "M{:.1} {:.1}L{:.1} {:.1}", a.0, a.1, c.0, c.1);
                }
            }
            (t.mmsi, c, d, dash)
        })
        .collect();
    let gaps: BTreeMap<(u32, detect::event::Time), &Event> = mine
        .iter()
        .filter(|e| e.kind() == EventKind::AisGap)
        .map(|e| ((e.mmsi, e.start), *e))
        .collect();
    let mut dark = String::new();
    for e in mine
        .iter()
        .filter(|e| e.kind() == EventKind::DarkPortCall && e.confidence >= crate::html::LIKELY)
    {
        if let Some(pts) = dark_path(e, &gaps) {
            let q: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| pr.xy(x, y)).collect();
            let _ = write!(
                dark,
                "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}",
                q[0].0, q[0].1, q[1].0, q[1].1, q[2].0, q[2].1
            );
        }
    }
    // ports: watched ones named, visited ones dotted
    let mut visited: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    for e in mine.iter().filter(|e| e.kind() == EventKind::PortVisit) {
        if let (Some(port), Some(lat), Some(lon)) = (&e.port, e.lat, e.lon) {
            visited.entry(port.name.clone()).or_insert((lon, lat, 0)).2 += 1;
        }
    }
    html! {
        figure.map {
            div.mapbar {
                button type="button" data-zoom="in" title="zoom in" { "+" }
                button type="button" data-zoom="out" title="zoom out" { "\u{2212}" }
                button type="button" data-zoom="reset" title="whole map" { "reset" }
                span.hint { "Scroll or use the buttons to zoom, drag to pan; markers link to the vessel's dossier." }
            }
            svg #map .zoomable xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label="Map of the vessels of interest" {
                rect.sea x="0" y="0" width=(WIDTH) height=(HEIGHT) {}
                path.grid d=(grid) {}
                path.land d=(land) fill-rule="evenodd" {}
                @for (x, y, t) in &labels { text.gridlabel x=(format!("{x:.1}")) y=(format!("{y:.1}")) { (t) } }
                @for (mmsi, c, d, dash) in &lines {
                    g.track data-mmsi=(mmsi) {
                        path.run d=(d) stroke=(c) {}
                        path.silence d=(dash) stroke=(c) {}
                    }
                }
                path.darkcall d=(dark) {}
                @for (name, (lon, lat, n)) in &visited {
                    @let (x, y) = pr.xy(*lon, *lat);
                    circle.port cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="2.5" {
                        title { (name) " - " (n) " visit(s) by vessels of interest" }
                    }
                }
                @for w in watched {
                    @let (x, y) = pr.xy(w.lon, w.lat);
                    g.watched {
                        rect x=(format!("{:.1}", x - 4.0)) y=(format!("{:.1}", y - 4.0)) width="8" height="8" {
                            title { "watched: " (w.name) @if let Some(l) = &w.locode { " (" (l) ")" } }
                        }
                        text x=(format!("{:.1}", x + 7.0)) y=(format!("{:.1}", y + 4.0)) { (w.name) }
                    }
                }
                @for e in &marked {
                    @let (x, y) = pr.xy(e.lon.unwrap_or(0.0), e.lat.unwrap_or(0.0));
                    @let m = MARKERS.iter().find(|m| m.0 == e.kind()).copied().unwrap_or(MARKERS[0]);
                    a.marker href=(format!("#v-{}", if shown.contains(&e.mmsi) { e.mmsi } else { e.other_mmsi.unwrap_or(e.mmsi) })) data-kind=(e.kind().as_str()) {
                        path d=(shape(m.1, x, y)) fill=(m.2) stroke=(m.2) {
                            title { (marker_title(e)) }
                        }
                    }
                }
            }
            figcaption {
                ul.legend {
                    @for v in vessels {
                        li {
                            svg.swatch viewBox="0 0 20 10" width="20" height="10" { path d="M0 5H20" stroke=(v.colour) stroke-width="3" {} }
                            a href=(format!("#v-{}", v.mmsi)) { (v.name.as_deref().unwrap_or("(no name)")) " " span.mmsi { (v.mmsi) } }
                        }
                    }
                }
                ul.legend {
                    @for m in MARKERS {
                        li { svg.swatch viewBox="-6 -6 12 12" width="12" height="12" { path d=(shape(m.1, 0.0, 0.0)) fill=(m.2) stroke=(m.2) {} } " " (m.3) }
                    }
                    li { svg.swatch viewBox="0 0 20 10" width="20" height="10" { path.silence d="M0 5H20" stroke="#333" {} } " silence (straight line, not a route)" }
                    li { svg.swatch viewBox="0 0 20 10" width="20" height="10" { path.darkcall d="M0 5H20" {} } " dark port call: went dark, the port, reappeared" }
                    li { svg.swatch viewBox="-6 -6 12 12" width="12" height="12" { rect.watchedkey x="-4" y="-4" width="8" height="8" {} } " watched port" }
                }
                p.small {
                    "Mercator; land: Natural Earth 1:10m (public domain), simplified to about 200 m. "
                    "Tracks of the " (vessels.len()) " vessels of interest, split where fixes are more than "
                    (p.track_break_minutes) " minutes apart. Dashed lines are hints of where a vessel could have been, not observed routes."
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_inside() {
        let sq = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let c = clip_ring(&sq, (5.0, -1.0, 20.0, 5.0));
        let xs: Vec<f64> = c.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = c.iter().map(|p| p.1).collect();
        assert!(xs.iter().all(|&x| (5.0..=10.0).contains(&x)));
        assert!(ys.iter().all(|&y| (0.0..=5.0).contains(&y)));
        assert_eq!(c.len(), 4);
        assert!(clip_ring(&sq, (20.0, 20.0, 30.0, 30.0)).is_empty());
    }

    #[test]
    fn projection_round_trips_its_bounds() {
        let pr = Projection::fit((129.0, 41.0, 133.0, 43.5));
        let b = pr.bounds();
        let (x0, y1) = pr.xy(b.0, b.1);
        let (x1, y0) = pr.xy(b.2, b.3);
        assert!(x0.abs() < 1e-6 && (x1 - WIDTH).abs() < 1e-6);
        assert!(y0.abs() < 1e-6 && (y1 - HEIGHT).abs() < 1e-6);
        assert!(b.0 < 129.0 && b.2 > 133.0 && b.1 < 41.0 && b.3 > 43.5);
    }
}
