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
/// the silences between them. A vessel whose MMSI two transmitters share
/// (a `shared_mmsi` event) has one stream per transmitter, each with its
/// own runs, so that the two are never joined into one line.
#[derive(Debug, Clone, Default)]
pub struct Track {
    /// The vessel.
    pub mmsi: u32,
    /// (lon, lat) runs, stream by stream, each stream's in time order.
    pub runs: Vec<Vec<(f64, f64)>>,
    /// Times (unix ms) of each run's first and last fix.
    pub run_times: Vec<(i64, i64)>,
    /// The stream (0 = the one with the most fixes) of each run.
    pub run_stream: Vec<usize>,
    /// Streams: 1, or one per transmitter of a shared MMSI.
    pub streams: usize,
    /// Fixes read.
    pub fixes: usize,
    /// Fixes of a shared MMSI that belong to no stream (isolated jumps):
    /// not drawn as lines (each is in the position-jump events).
    pub unjoined: usize,
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

    /// First and last fix time (unix ms).
    pub fn span(&self) -> Option<(i64, i64)> {
        let a = self.run_times.iter().map(|t| t.0).min()?;
        let b = self.run_times.iter().map(|t| t.1).max()?;
        Some((a, b))
    }

    fn push_stream(&mut self, fixes: &[&store::Position], brk: i64, stream: usize) {
        let mut last: Option<i64> = None;
        for f in fixes {
            if last.is_none_or(|l| f.time_ms - l > brk) {
                self.runs.push(Vec::new());
                self.run_times.push((f.time_ms, f.time_ms));
                self.run_stream.push(stream);
            }
            if let (Some(r), Some(rt)) = (self.runs.last_mut(), self.run_times.last_mut()) {
                r.push((f.lon, f.lat));
                rt.1 = f.time_ms;
            }
            last = Some(f.time_ms);
        }
    }
}

/// Reads the tracks of `vessels` from the store. A vessel with a
/// `shared_mmsi` event among `events` is split into its transmitters'
/// streams with the detector's own segmentation (`dp`), so each is drawn
/// as a track of its own.
pub fn load_tracks(
    st: &store::Store,
    vessels: &[Vessel],
    p: &ReportParams,
    events: &[Event],
    dp: &detect::Params,
) -> Result<Vec<Track>, ReportError> {
    let brk = (p.track_break_minutes * 60_000.0) as i64;
    let shared: BTreeSet<u32> = events
        .iter()
        .filter(|e| e.kind() == EventKind::SharedMmsi)
        .map(|e| e.mmsi)
        .collect();
    vessels
        .iter()
        .map(|v| {
            let fixes = st.vessel_positions(v.mmsi)?;
            let mut t = Track {
                mmsi: v.mmsi,
                fixes: fixes.len(),
                streams: 1,
                ..Track::default()
            };
            if shared.contains(&v.mmsi) {
                let kept: Vec<store::Position> = fixes
                    .iter()
                    .filter(|f| !dp.tracks.is_noise(f.sog))
                    .cloned()
                    .collect();
                let mut streams = detect::vessel::streams(&kept, dp);
                if streams.is_empty() {
                    streams.push((0..kept.len()).collect());
                }
                t.streams = streams.len();
                t.unjoined = fixes.len() - streams.iter().map(Vec::len).sum::<usize>();
                for (k, s) in streams.iter().enumerate() {
                    let f: Vec<&store::Position> = s.iter().map(|&i| &kept[i]).collect();
                    t.push_stream(&f, brk, k);
                }
            } else {
                let f: Vec<&store::Position> = fixes.iter().collect();
                t.push_stream(&f, brk, 0);
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
    /// The position at SVG user coordinates (x, y).
    pub fn lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        let m = self.top - y / self.k;
        (
            self.lon0 + x / self.k,
            (2.0 * m.to_radians().exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
        )
    }
    /// The (lon, lat) box the map shows.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let (x0, y0) = self.lonlat(0.0, HEIGHT);
        let (x1, y1) = self.lonlat(WIDTH, 0.0);
        (x0, y0, x1, y1)
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
    land_clipped(
        pr,
        (b.0 - dx, b.1 - dy, b.2 + dx, b.3 + dy),
        0.4 / MAX_ZOOM * 2.0,
    )
}

/// Land within `clip` (lon/lat) as one even-odd path in `pr`'s units,
/// points closer than `min_px` merged.
fn land_clipped(pr: &Projection, clip: Bbox, min_px: f64) -> String {
    let mut d = String::new();
    for r in sea::outline::land_in(clip) {
        let c = clip_ring(&r.points, clip);
        path_data(
            &mut d,
            c.into_iter().map(|(x, y)| pr.xy(x, y)),
            min_px,
            true,
        );
    }
    d
}

/// A (min lon, min lat, max lon, max lat) box.
pub type Bbox = (f64, f64, f64, f64);

const EMPTY: Bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);

fn grow(b: &mut Bbox, lon: f64, lat: f64) {
    *b = (b.0.min(lon), b.1.min(lat), b.2.max(lon), b.3.max(lat));
}

fn is_empty(b: &Bbox) -> bool {
    b.0 > b.2
}

/// Degrees (longitude scaled by the cosine of the latitude) from a
/// position to a box; 0 inside.
fn to_box(b: &Bbox, lon: f64, lat: f64) -> f64 {
    let dx = (b.0 - lon).max(lon - b.2).max(0.0) * lat.to_radians().cos();
    let dy = (b.1 - lat).max(lat - b.3).max(0.0);
    dx.hypot(dy)
}

/// The box the map opens on: the places that make the case (`anchors`:
/// watched ports the events name, the likely events of the vessels of
/// interest, where their voyages from watched ports ended) and the
/// `share` of the fixes nearest them, none farther than `reach_km` from
/// the anchors' box. A vessel's excursion far from the case (a second
/// transmitter on its MMSI off another coast, say) is left out of the
/// first view, and noted.
pub fn case_box(anchors: &[(f64, f64)], fixes: &[(f64, f64)], share: f64, reach_km: f64) -> Bbox {
    let mut core = EMPTY;
    for &(lon, lat) in anchors {
        grow(&mut core, lon, lat);
    }
    if is_empty(&core) {
        // no case places: start from the fixes' median position
        if fixes.is_empty() {
            return EMPTY;
        }
        let mid = |f: fn(&(f64, f64)) -> f64| {
            let mut v: Vec<f64> = fixes.iter().map(f).collect();
            let k = v.len() / 2;
            *v.select_nth_unstable_by(k, f64::total_cmp).1
        };
        let (lon, lat) = (mid(|p| p.0), mid(|p| p.1));
        core = (lon, lat, lon, lat);
    }
    if fixes.is_empty() {
        return core;
    }
    let mut d: Vec<f64> = fixes.iter().map(|&(x, y)| to_box(&core, x, y)).collect();
    let k = ((d.len() as f64 * share.clamp(0.0, 1.0)).ceil() as usize).clamp(1, d.len()) - 1;
    let cut = d
        .select_nth_unstable_by(k, f64::total_cmp)
        .1
        .min(reach_km / 111.2);
    let mut b = core;
    for &(x, y) in fixes {
        if to_box(&core, x, y) <= cut {
            grow(&mut b, x, y);
        }
    }
    b
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
    if let Some(p) = e.port_words() {
        let _ = write!(t, " at {p}");
    }
    let _ = write!(t, ", confidence {:.2}", e.confidence);
    t
}

/// Event kinds drawn as markers: (kind, shape, colour, legend label).
pub const MARKERS: [(EventKind, &str, &str, &str); 7] = [
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
    (
        EventKind::DarkVessel,
        "triangle",
        "#222222",
        "dark vessel (in an image, no AIS)",
    ),
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

/// What the map draws besides the tracks.
pub struct MapInputs<'a> {
    /// All events (the map picks those of the vessels of interest).
    pub events: &'a [Event],
    /// The watched ports.
    pub watched: &'a [intel::Watched],
    /// Ports that laden voyages from watched ports ended at (labelled).
    pub destinations: &'a BTreeSet<String>,
    /// Places, to say where fixes outside the first view are.
    pub gazetteer: &'a detect::gazetteer::Gazetteer,
    /// First and last time of the data (unix ms), for the time slider.
    pub period: (i64, i64),
    /// Footprints of the satellite images fused with the AIS.
    pub scenes: &'a [crate::SceneView],
    /// Detections paired with AIS vessels (those of the vessels of
    /// interest are drawn with the footprints).
    pub seen: &'a [crate::Sighting],
}

fn num(v: f64) -> String {
    format!("{v:.1}")
}

/// A run of a track or a silence between two runs, as drawn.
struct Line {
    stream: usize,
    d: String,
    t: (i64, i64),
    silence: bool,
}

fn track_lines(t: &Track, pr: &Projection, tol_deg: f64) -> Vec<Line> {
    let mut out = Vec::new();
    for (k, r) in t.simplified(tol_deg).into_iter().enumerate() {
        let mut d = String::new();
        path_data(&mut d, r.into_iter().map(|(x, y)| pr.xy(x, y)), 0.0, false);
        if !d.is_empty() {
            out.push(Line {
                stream: t.run_stream[k],
                d,
                t: t.run_times[k],
                silence: false,
            });
        }
    }
    for k in 1..t.runs.len() {
        if t.run_stream[k] != t.run_stream[k - 1] {
            continue;
        }
        if let (Some(&a), Some(&c)) = (t.runs[k - 1].last(), t.runs[k].first()) {
            let (a, c) = (pr.xy(a.0, a.1), pr.xy(c.0, c.1));
            out.push(Line {
                stream: t.run_stream[k],
                d: format!("M{:.1} {:.1}L{:.1} {:.1}", a.0, a.1, c.0, c.1),
                t: (t.run_times[k - 1].1, t.run_times[k].0),
                silence: true,
            });
        }
    }
    out
}

/// The map (an `<svg class="zoomable">`), its time slider and its legend.
pub fn render(vessels: &[Vessel], tracks: &[Track], m: &MapInputs, p: &ReportParams) -> Markup {
    let (events, watched) = (m.events, m.watched);
    let shown: BTreeSet<u32> = vessels.iter().map(|v| v.mmsi).collect();
    let colour: BTreeMap<u32, &str> = vessels.iter().map(|v| (v.mmsi, v.colour)).collect();
    let name: BTreeMap<u32, &str> = vessels
        .iter()
        .map(|v| (v.mmsi, v.name.as_deref().unwrap_or("(no name)")))
        .collect();
    // the vessels of interest's events, and the dark vessels the images
    // showed (they have no MMSI)
    let mine: Vec<&Event> = events
        .iter()
        .filter(|e| {
            shown.contains(&e.mmsi)
                || e.other_mmsi.is_some_and(|o| shown.contains(&o))
                || e.kind() == EventKind::DarkVessel
        })
        .collect();
    let marked: Vec<&Event> = mine
        .iter()
        .copied()
        .filter(|e| {
            e.lat.is_some_and(f64::is_finite)
                && e.lon.is_some_and(f64::is_finite)
                && MARKERS.iter().any(|m| m.0 == e.kind())
        })
        .collect();
    // ports: watched ones named, visited ones dotted, voyage ends labelled
    let mut visited: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    for e in mine.iter().filter(|e| e.kind() == EventKind::PortVisit) {
        if let (Some(port), Some(lat), Some(lon)) = (&e.port, e.lat, e.lon) {
            visited.entry(port.name.clone()).or_insert((lon, lat, 0)).2 += 1;
        }
    }
    // the case: likely events, the watched ports they name, voyage ends
    let mut named: BTreeSet<&str> = BTreeSet::new();
    let mut anchors: Vec<(f64, f64)> = Vec::new();
    for e in marked
        .iter()
        .filter(|e| e.confidence >= crate::html::LIKELY && e.kind() != EventKind::DarkVessel)
    {
        anchors.push((e.lon.unwrap_or(0.0), e.lat.unwrap_or(0.0)));
        named.extend(e.ports());
    }
    for w in watched.iter().filter(|w| named.contains(w.name.as_str())) {
        anchors.push((w.lon, w.lat));
    }
    for (n, (lon, lat, _)) in &visited {
        if m.destinations.contains(n) {
            anchors.push((*lon, *lat));
        }
    }
    if anchors.is_empty() {
        anchors.extend(watched.iter().map(|w| (w.lon, w.lat)));
    }
    let fixes: Vec<(f64, f64)> = tracks
        .iter()
        .flat_map(|t| t.runs.iter().flatten().copied())
        .collect();
    let mut case = case_box(&anchors, &fixes, p.map_core_share, p.map_reach_km);
    let mut all = case;
    for &(x, y) in fixes.iter().chain(&anchors) {
        grow(&mut all, x, y);
    }
    for w in watched {
        grow(&mut all, w.lon, w.lat);
    }
    for e in &marked {
        grow(&mut all, e.lon.unwrap_or(0.0), e.lat.unwrap_or(0.0));
    }
    if is_empty(&case) {
        // nothing to show: the Sea of Japan, where the built-in scenario is
        case = (128.0, 34.0, 142.0, 46.0);
        all = case;
    }
    let pr = Projection::fit(case);
    let view = pr.bounds();
    let inside =
        |lon: f64, lat: f64| lon >= view.0 && lon <= view.2 && lat >= view.1 && lat <= view.3;
    // what the first view leaves out, said in words
    let mut outside: Vec<String> = Vec::new();
    for t in tracks {
        let out: Vec<(f64, f64)> = t
            .runs
            .iter()
            .flatten()
            .copied()
            .filter(|&(x, y)| !inside(x, y))
            .collect();
        if out.is_empty() {
            continue;
        }
        let mid = out[out.len() / 2];
        let place = m
            .gazetteer
            .nearest(mid.1, mid.0, 300.0)
            .map(|(i, _)| format!("near {}", m.gazetteer.places[i].name))
            .unwrap_or_else(|| format!("around {:.1}°, {:.1}°", mid.1, mid.0));
        outside.push(format!(
            "{} ({}): {} of its {} fixes, {}",
            name.get(&t.mmsi).copied().unwrap_or("?"),
            t.mmsi,
            crate::html::thousands(out.len() as f64),
            crate::html::thousands(t.runs.iter().map(Vec::len).sum::<usize>() as f64),
            place
        ));
    }
    for w in watched.iter().filter(|w| !inside(w.lon, w.lat)) {
        outside.push(format!("the watched port {}", w.name));
    }
    // the whole drawing in SVG units, at the map's aspect ratio
    let (ax0, ay1) = pr.xy(all.0, all.1);
    let (ax1, ay0) = pr.xy(all.2, all.3);
    let (ax0, ay0, ax1, ay1) = (ax0.min(0.0), ay0.min(0.0), ax1.max(WIDTH), ay1.max(HEIGHT));
    let (mut aw, mut ah) = ((ax1 - ax0) * 1.04, (ay1 - ay0) * 1.04);
    if aw / ah > WIDTH / HEIGHT {
        ah = aw * HEIGHT / WIDTH;
    } else {
        aw = ah * WIDTH / HEIGHT;
    }
    let (acx, acy) = ((ax0 + ax1) / 2.0, (ay0 + ay1) / 2.0);
    let all_box = format!(
        "{:.1} {:.1} {:.1} {:.1}",
        acx - aw / 2.0,
        acy - ah / 2.0,
        aw,
        ah
    );
    let zoom_out = aw / WIDTH;
    let land = land_path(&pr);
    // land beyond the first view, coarser: it is only seen zoomed out
    let far_land = if zoom_out > 1.01 {
        let (lo0, la0) = pr.lonlat(acx - aw / 2.0, acy + ah / 2.0);
        let (lo1, la1) = pr.lonlat(acx + aw / 2.0, acy - ah / 2.0);
        land_clipped(&pr, (lo0, la0, lo1, la1), zoom_out * 0.5)
    } else {
        String::new()
    };
    let step = graticule_step((view.2 - view.0).max(view.3 - view.1));
    let mut grid = String::new();
    let mut labels: Vec<(f64, f64, String)> = Vec::new();
    let mut lon = (view.0 / step).ceil() * step;
    while lon <= view.2 {
        let (x, _) = pr.xy(lon, 0.0);
        let _ = write!(grid, "M{x:.1} 0V{HEIGHT}");
        labels.push((
            x + 2.0,
            HEIGHT - 4.0,
            format!("{lon}°{}", if lon < 0.0 { "W" } else { "E" }),
        ));
        lon += step;
    }
    let mut lat = (view.1 / step).ceil() * step;
    while lat <= view.3 {
        let (_, y) = pr.xy(0.0, lat);
        let _ = write!(grid, "M0 {y:.1}H{WIDTH}");
        labels.push((
            2.0,
            y - 2.0,
            format!("{lat}°{}", if lat < 0.0 { "S" } else { "N" }),
        ));
        lat += step;
    }
    // tracks at the deepest zoom's tolerance: one path per run and per
    // silence, so that the time slider can show and hide them
    let tol_deg = p.track_tolerance_px / (pr.k * MAX_ZOOM);
    let lines: Vec<(u32, &str, usize, Vec<Line>)> = tracks
        .iter()
        .map(|t| {
            let c = colour.get(&t.mmsi).copied().unwrap_or("#333");
            (t.mmsi, c, t.streams, track_lines(t, &pr, tol_deg))
        })
        .collect();
    let gaps: BTreeMap<(u32, detect::event::Time), &Event> = mine
        .iter()
        .filter(|e| e.kind() == EventKind::AisGap)
        .map(|e| ((e.mmsi, e.start), *e))
        .collect();
    let dark: Vec<(&Event, String)> = mine
        .iter()
        .filter(|e| e.kind() == EventKind::DarkPortCall && e.confidence >= crate::html::LIKELY)
        .filter_map(|e| {
            let pts = dark_path(e, &gaps)?;
            let q: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| pr.xy(x, y)).collect();
            Some((
                *e,
                format!(
                    "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}",
                    q[0].0, q[0].1, q[1].0, q[1].1, q[2].0, q[2].1
                ),
            ))
        })
        .collect();
    let scene_paths: Vec<(&crate::SceneView, String)> = m
        .scenes
        .iter()
        .map(|s| {
            let mut d = String::new();
            for r in &s.rings {
                path_data(&mut d, r.iter().map(|&(x, y)| pr.xy(x, y)), 0.0, true);
            }
            (s, d)
        })
        .collect();
    let (t0, t1) = (m.period.0, m.period.1.max(m.period.0 + 1));
    let candidates = marked
        .iter()
        .filter(|e| e.confidence < crate::html::LIKELY)
        .count();
    html! {
        figure.map {
            div.mapbar {
                button type="button" data-zoom="in" title="zoom in" { "+" }
                button type="button" data-zoom="out" title="zoom out" { "\u{2212}" }
                button type="button" data-zoom="reset" title="the case: watched ports, events, most fixes" { "fit case" }
                button type="button" data-zoom="all" title="every fix of the vessels of interest" { "fit all" }
                label.cand { input type="checkbox" #show-candidates; " candidates (" (candidates) ")" }
                @if !m.scenes.is_empty() { label.cand { input type="checkbox" #show-scenes; " image footprints (" (m.scenes.len()) ")" } }
                span.hint { "Scroll or use the buttons to zoom, drag to pan; markers link to their event." }
            }
            div.timebar #timebar data-t0=(t0) data-t1=(t1) {
                label { "time window " select #t-window {
                    option value="0" selected { "all" }
                    option value="86400000" { "1 day" }
                    option value="604800000" { "7 days" }
                    option value="2592000000" { "30 days" }
                } }
                " "
                input type="range" #t-end min=(t0) max=(t1) value=(t1) step="3600000" aria-label="end of the time window" disabled;
                " "
                button type="button" #t-play title="play the window through the period" { "play" }
                " "
                output #t-label { "the whole period" }
            }
            svg #map .zoomable xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) data-all=(all_box) role="img" aria-label="Map of the vessels of interest" {
                rect.sea x=(num(acx - aw)) y=(num(acy - ah)) width=(num(aw * 2.0)) height=(num(ah * 2.0)) {}
                path.grid d=(grid) {}
                @if !far_land.is_empty() { path.land.far d=(far_land) fill-rule="evenodd" {} }
                path.land.near d=(land) fill-rule="evenodd" {}
                @for (x, y, t) in &labels { text.gridlabel x=(num(*x)) y=(num(*y)) { (t) } }
                @for (mmsi, c, streams, ls) in &lines {
                    @for s in 0..*streams {
                        g.track.second[s > 0] data-mmsi=(mmsi) data-stream=(s) {
                            @if *streams > 1 { title { (name.get(mmsi).copied().unwrap_or("?")) " (" (mmsi) "): transmitter " (s + 1) " of " (streams) " on this MMSI" } }
                            @for l in ls.iter().filter(|l| l.stream == s) {
                                path class=(if l.silence { "silence" } else { "run" }) d=(l.d) stroke=(c) data-t0=(l.t.0) data-t1=(l.t.1) {}
                            }
                        }
                    }
                }
                @for (s, d) in &scene_paths {
                    path.scene d=(d) data-t0=(s.time_ms) data-t1=(s.time_ms) {
                        title { "image " (s.id) @if let Some(src) = &s.source { " (" (src) ")" } ", " (crate::short_time(&detect::event::rfc3339(s.time_ms))) }
                    }
                }
                @for s in m.seen.iter().filter(|s| shown.contains(&s.mmsi)) {
                    @let (x, y) = pr.xy(s.lon, s.lat);
                    circle.seenhull cx=(num(x)) cy=(num(y)) r="2.5" stroke=(colour.get(&s.mmsi).copied().unwrap_or("#333")) data-t0=(s.time_ms) data-t1=(s.time_ms) {
                        title { (name.get(&s.mmsi).copied().unwrap_or("?")) " (" (s.mmsi) ") seen in image " (s.scene_id) ", " (crate::short_time(&detect::event::rfc3339(s.time_ms))) ", " (format!("{:.1}", s.distance_km)) " km from where its AIS placed it" @if !s.alternatives.is_empty() { "; ships side by side: the pairing is uncertain" } }
                    }
                }
                @for (e, d) in &dark { path.darkcall d=(d) data-t0=(e.start_ms()) data-t1=(e.end_ms()) {} }
                @for (n, (lon, lat, k)) in &visited {
                    @let (x, y) = pr.xy(*lon, *lat);
                    @if m.destinations.contains(n) {
                        g.dest data-name=(n) data-x=(num(x)) data-y=(num(y)) {
                            circle.port cx=(num(x)) cy=(num(y)) r="3.5" { title { (n) " - " (k) " visit(s) by vessels of interest; laden voyages from watched ports ended here" } }
                            text x=(num(x + 6.0)) y=(num(y + 4.0)) { (n) }
                        }
                    } @else {
                        circle.port cx=(num(x)) cy=(num(y)) r="2.5" data-name=(n) {
                            title { (n) " - " (k) " visit(s) by vessels of interest" }
                        }
                    }
                }
                @for (k, w) in watched.iter().enumerate() {
                    @let (x, y) = pr.xy(w.lon, w.lat);
                    // labels of ports a few km apart would overprint: the
                    // later one moves below the earlier
                    @let below = watched[..k].iter().any(|o| { let (ox, oy) = pr.xy(o.lon, o.lat); (ox - x).abs() < 60.0 && (oy - y).abs() < 12.0 });
                    g.watched data-name=(w.name) data-x=(num(x)) data-y=(num(y)) {
                        rect x=(num(x - 4.0)) y=(num(y - 4.0)) width="8" height="8" {
                            title { "watched: " (w.name) @if let Some(l) = &w.locode { " (" (l) ")" } }
                        }
                        text x=(num(x + 7.0)) y=(num(if below { y + 16.0 } else { y + 4.0 })) { (w.name) }
                    }
                }
                @for e in &marked {
                    @let (x, y) = pr.xy(e.lon.unwrap_or(0.0), e.lat.unwrap_or(0.0));
                    @let mk = MARKERS.iter().find(|mk| mk.0 == e.kind()).copied().unwrap_or(MARKERS[0]);
                    a.marker.candidate[e.confidence < crate::html::LIKELY] href=(format!("#e-{}", e.id)) data-kind=(e.kind().as_str()) data-t0=(e.start_ms()) data-t1=(e.end_ms()) {
                        path d=(shape(mk.1, x, y)) fill=(mk.2) stroke=(mk.2) {
                            title { (marker_title(e)) }
                        }
                    }
                }
            }
            @if !outside.is_empty() {
                p.outside { "Outside this view (\u{201c}fit all\u{201d} shows them): " @for (k, o) in outside.iter().enumerate() { @if k > 0 { "; " } (o) } "." }
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
                    @for mk in MARKERS {
                        li { svg.swatch viewBox="-6 -6 12 12" width="12" height="12" { path d=(shape(mk.1, 0.0, 0.0)) fill=(mk.2) stroke=(mk.2) {} } " " (mk.3) }
                    }
                    li { svg.swatch viewBox="0 0 20 10" width="20" height="10" { path.silence d="M0 5H20" stroke="#333" {} } " silence (straight line, not a route)" }
                    li { svg.swatch viewBox="0 0 20 10" width="20" height="10" { path.darkcall d="M0 5H20" {} } " dark port call: went dark, the port, reappeared" }
                    li { svg.swatch viewBox="0 0 20 10" width="20" height="10" { path.run.secondkey d="M0 5H20" stroke="#333" {} } " another transmitter on the same MMSI (thin)" }
                    li { svg.swatch viewBox="-6 -6 12 12" width="12" height="12" { rect.watchedkey x="-4" y="-4" width="8" height="8" {} } " watched port" }
                }
                p.small {
                    "Mercator; land: Natural Earth 1:10m (public domain), simplified to about 200 m. "
                    "Tracks of the " (vessels.len()) " vessels of interest, split where fixes are more than "
                    (p.track_break_minutes) " minutes apart; an MMSI that two transmitters share is drawn as one track per transmitter. Dashed lines are hints of where a vessel could have been, not observed routes. "
                    "The first view holds the watched ports the events name, the likely events, the ports that voyages from watched ports ended at, and the "
                    (format!("{:.0}%", p.map_core_share * 100.0)) " of the fixes nearest them, none farther than " (p.map_reach_km) " km (report.map_core_share, report.map_reach_km). Candidates (confidence under 0.5) are drawn only when ticked."
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
    fn the_first_view_leaves_a_far_excursion_out() {
        // the case: Najin and Vostochny; 97 fixes between them, 3 off
        // Zhoushan (a second transmitter on one MMSI)
        let anchors = [(130.3, 42.25), (133.05, 42.75)];
        let mut fixes: Vec<(f64, f64)> = (0..97)
            .map(|k| {
                (
                    130.3 + 2.75 * k as f64 / 96.0,
                    42.25 + 0.5 * k as f64 / 96.0,
                )
            })
            .collect();
        fixes.extend([(122.1, 30.0), (122.2, 30.1), (122.3, 30.2)]);
        let b = case_box(&anchors, &fixes, 0.95, 150.0);
        assert!(b.0 > 130.0 && b.1 > 42.0, "{b:?}");
        // every fix when the share is 1 and the reach unlimited
        let b = case_box(&anchors, &fixes, 1.0, 20_000.0);
        assert!(b.0 < 123.0 && b.1 < 31.0, "{b:?}");
        // fixes beyond the reach stay out whatever their share
        let mut near: Vec<(f64, f64)> = fixes[..97].to_vec();
        near.extend((0..50).map(|k| (131.0, 38.0 - k as f64 * 0.01)));
        let b = case_box(&anchors, &near, 1.0, 150.0);
        assert!(b.1 > 40.5, "{b:?}");
        // no anchors: around the fixes' median
        let b = case_box(&[], &fixes, 0.95, 20_000.0);
        assert!(b.0 > 129.0, "{b:?}");
        assert!(is_empty(&case_box(&[], &[], 0.95, 150.0)));
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
