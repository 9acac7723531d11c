//! Detections matched to AIS vessels, one to one per scene.
//!
//! 1. Every vessel with a fix within `window_hours` of a scene's time and
//!    near its footprint is placed at the image time: interpolated between
//!    the fixes before and after, or dead-reckoned from the one it has,
//!    with an error `base_error_km + drift_kn x hours`: the hours to the fix
//!    dead-reckoned from, or ta x tb / (ta + tb) between two fixes ta and tb
//!    hours away.
//!    The store is read once, only the columns used, its files merged by
//!    MMSI ([`store::Store::tracks`]), so memory holds one vessel and the
//!    candidates.
//! 2. A detection and a vessel pair when the detection is more likely
//!    that vessel than background: the log likelihood ratio of a 2-D
//!    normal position error against `background_per_km2`, plus the length
//!    agreement, is positive.
//! 3. Pairs are chosen by the Hungarian method (`pathfinding`'s
//!    Kuhn-Munkres, maximising the summed log likelihood ratio), over each
//!    connected group of competing detections and vessels of a scene: a
//!    detection pairs with at most one vessel and a vessel with at most one
//!    detection, the best joint assignment rather than the nearest first.

use crate::input::{Detection, RowError, Scene};
use crate::ImageryParams;
use model::evidence::{CouldBe, DarkVessel, COULD_BE_MAX};
use model::{Event, PortRef};
use pathfinding::prelude::{kuhn_munkres, Matrix};
use sea::geo::{destination, distance_nm};
use std::collections::HashMap;

/// A detection paired with an AIS vessel.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Index into [`Fusion::detections`].
    pub detection: usize,
    /// The vessel.
    pub mmsi: u32,
    /// From the detection to where the vessel was predicted, km.
    pub distance_km: f64,
    /// The prediction's error, km.
    pub sigma_km: f64,
    /// Hours from the image to the vessel's nearest fix.
    pub hours_to_fix: f64,
    /// Log likelihood ratio of the pairing against background.
    pub llr: f64,
    /// Other vessels (MMSIs) nearly as likely for this detection (within a
    /// likelihood factor of [`AMBIGUOUS_FACTOR`]): ships moored side by side
    /// that position and length cannot tell apart.
    pub alternatives: Vec<u32>,
}

/// A pairing is ambiguous when another vessel is within this factor of
/// its likelihood.
pub const AMBIGUOUS_FACTOR: f64 = 10.0;

/// A detection no AIS vessel explains.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    /// Index into [`Fusion::detections`].
    pub detection: usize,
    /// The chance the detection is a vessel (its score, else from the
    /// source's false-alarm rate and the scene's count).
    pub p_vessel: f64,
    /// The chance that an AIS vessel explains it: one left unpaired, or
    /// one paired with a detection this one is exchangeable with.
    pub p_explained: f64,
    /// The nearest AIS vessel placed in the scene, and how far, km.
    pub nearest: Option<(u32, f64)>,
    /// Paired detections this one could have taken the place of (nearly
    /// as likely their vessel): the extra hull among them is any one.
    pub exchangeable: usize,
    /// AIS vessels silent at the image time that could have been it, the
    /// most plausible first (at most [`COULD_BE_MAX`]).
    pub could_be: Vec<CouldBe>,
    /// How many there were.
    pub could_be_count: usize,
}

/// A vessel silent at a scene's time (too long to be placed), with its
/// fixes on either side within `silence_max_hours`: (time, lat, lon).
#[derive(Debug, Clone, Copy)]
struct Silent {
    mmsi: u32,
    before: Option<(i64, f64, f64)>,
    after: Option<(i64, f64, f64)>,
    top_kn: f64,
}

/// An AIS vessel in a footprint that the image did not show.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    /// Index into [`Fusion::scenes`].
    pub scene: usize,
    /// The vessel.
    pub mmsi: u32,
    /// Where it was predicted.
    pub lat: f64,
    /// Where it was predicted.
    pub lon: f64,
    /// Its broadcast length, m.
    pub length_m: Option<f64>,
    /// The chance the image should have shown it: how surprising the miss is.
    pub p_detect: f64,
}

/// What the fusion found.
#[derive(Debug, Clone, Default)]
pub struct Fusion {
    /// Scenes: those given, then one per scene id known only from its
    /// detections (no footprint: nothing is "not seen" there).
    pub scenes: Vec<Scene>,
    /// Every detection read.
    pub detections: Vec<Detection>,
    /// Detections paired with AIS vessels.
    pub matched: Vec<Matched>,
    /// Detections no AIS vessel explains.
    pub unmatched: Vec<Unmatched>,
    /// AIS vessels in a footprint the image did not show.
    pub missed: Vec<Missed>,
    /// Detections outside their scene's footprint or of no scene given:
    /// still matched, reported here with their line.
    pub notes: Vec<RowError>,
    /// Vessels placed in scenes (candidates considered).
    pub placed: usize,
}

/// A vessel placed at an image time.
#[derive(Debug, Clone, Copy)]
struct Placed {
    mmsi: u32,
    lat: f64,
    lon: f64,
    sigma_km: f64,
    hours: f64,
}

fn hours(ms: i64) -> f64 {
    ms as f64 / 3_600_000.0
}

/// Where a vessel was at `t`, from its fixes `before` and `after` it.
fn predict(
    before: Option<&store::Position>,
    after: Option<&store::Position>,
    t: i64,
    p: &ImageryParams,
) -> Option<(f64, f64, f64, f64)> {
    let w = (p.window_hours * 3_600_000.0) as i64;
    let bridge = (p.bridge_hours * 3_600_000.0) as i64;
    let (b, a) = match (before, after) {
        // both sides of the image, close enough together: interpolate
        (Some(b), Some(a)) if a.time_ms - b.time_ms <= bridge => (Some(b), Some(a)),
        (b, a) => (
            b.filter(|f| t - f.time_ms <= w),
            a.filter(|f| f.time_ms - t <= w),
        ),
    };
    let grow = |h: f64| p.base_error_km + p.drift_kn * 1.852 * h;
    match (b, a) {
        (Some(b), Some(a)) => {
            let span = (a.time_ms - b.time_ms).max(1) as f64;
            let k = (t - b.time_ms) as f64 / span;
            let mut dlon = a.lon - b.lon;
            if dlon > 180.0 {
                dlon -= 360.0;
            } else if dlon < -180.0 {
                dlon += 360.0;
            }
            let mut lon = b.lon + k * dlon;
            if lon > 180.0 {
                lon -= 360.0;
            } else if lon < -180.0 {
                lon += 360.0;
            }
            // Pinned at both fixes, the track strays from the straight line
            // between them most halfway: the drift grows with
            // ta x tb / (ta + tb) (a Brownian bridge's variance, in hours),
            // not with the time to the nearer fix alone.
            let (ta, tb) = (hours(t - b.time_ms), hours(a.time_ms - t));
            let h = if ta + tb > 0.0 {
                ta * tb / (ta + tb)
            } else {
                0.0
            };
            let still = |f: &store::Position| f.sog.is_some_and(|s| s < 1.0);
            let drift =
                if still(b) && still(a) && distance_nm(b.lat, b.lon, a.lat, a.lon) * 1.852 < 0.5 {
                    p.still_drift_kn
                } else {
                    p.drift_kn
                };
            let sigma = p.base_error_km + drift * 1.852 * h;
            Some((b.lat + k * (a.lat - b.lat), lon, sigma, ta.min(tb)))
        }
        (Some(f), None) | (None, Some(f)) => {
            let dt = hours(t - f.time_ms);
            let (lat, lon) = match (f.sog, f.cog) {
                (Some(s), Some(c)) if s > 0.5 && s < 60.0 => {
                    let (bearing, nm) = if dt >= 0.0 {
                        (c as f64, s as f64 * dt)
                    } else {
                        (c as f64 + 180.0, -(s as f64) * dt)
                    };
                    destination(f.lat, f.lon, bearing, nm)
                }
                _ => (f.lat, f.lon),
            };
            Some((lat, lon, grow(dt.abs()), dt.abs()))
        }
        (None, None) => None,
    }
}

/// Log likelihood ratio that detection `d` is vessel `v` rather than
/// background, and the distance, km.
fn llr(d: &Detection, v: &Placed, len: Option<f64>, p: &ImageryParams) -> (f64, f64) {
    let km = distance_nm(d.lat, d.lon, v.lat, v.lon) * 1.852;
    let s2 = v.sigma_km * v.sigma_km;
    let mut l =
        -(2.0 * std::f64::consts::PI * s2).ln() - km * km / (2.0 * s2) - p.background_per_km2.ln();
    if let (Some(a), Some(b)) = (d.length_m, len) {
        let r = (a / b).ln() / p.length_log_sd;
        l -= r * r / 2.0;
    }
    (l, km)
}

/// A union-find over detections and placed vessels of one scene.
fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Pairs detections `dets` of one scene with the vessels `placed` in it:
/// (detection index, vessel index, llr, km) for every pair chosen.
fn assign(
    dets: &[&Detection],
    placed: &[Placed],
    lengths: &HashMap<u32, f64>,
    p: &ImageryParams,
) -> Vec<(usize, usize, f64, f64)> {
    // candidate pairs: positive log likelihood ratio
    let mut pairs: Vec<(usize, usize, f64, f64)> = Vec::new();
    for (i, d) in dets.iter().enumerate() {
        for (j, v) in placed.iter().enumerate() {
            // cheap rejection before the great circle
            if (d.lat - v.lat).abs() * 111.0 > v.sigma_km * 8.0 + 1.0 {
                continue;
            }
            let (l, km) = llr(d, v, lengths.get(&v.mmsi).copied(), p);
            if l > 0.0 {
                pairs.push((i, j, l, km));
            }
        }
    }
    let n = dets.len();
    let mut parent: Vec<usize> = (0..n + placed.len()).collect();
    for &(i, j, ..) in &pairs {
        let (a, b) = (find(&mut parent, i), find(&mut parent, n + j));
        if a != b {
            parent[a] = b;
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, &(i, ..)) in pairs.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(k);
    }
    let mut out = Vec::new();
    let mut keys: Vec<usize> = groups.keys().copied().collect();
    keys.sort_unstable();
    for key in keys {
        let ks = &groups[&key];
        if ks.len() == 1 {
            out.push(pairs[ks[0]]);
            continue;
        }
        let mut rows: Vec<usize> = ks.iter().map(|&k| pairs[k].0).collect();
        rows.sort_unstable();
        rows.dedup();
        let mut cols: Vec<usize> = ks.iter().map(|&k| pairs[k].1).collect();
        cols.sort_unstable();
        cols.dedup();
        // one column per vessel, then one "no vessel" column per detection
        let width = cols.len() + rows.len();
        const NONE: i64 = -(1 << 40);
        let mut w = vec![NONE; rows.len() * width];
        for r in 0..rows.len() {
            w[r * width + cols.len() + r] = 0;
        }
        for &k in ks {
            let (i, j, l, _) = pairs[k];
            let r = rows.binary_search(&i).unwrap_or(0);
            let c = cols.binary_search(&j).unwrap_or(0);
            w[r * width + c] = (l * 1000.0).round() as i64;
        }
        let Ok(m) = Matrix::from_vec(rows.len(), width, w) else {
            continue;
        };
        let (_, chosen) = kuhn_munkres(&m);
        for (r, &c) in chosen.iter().enumerate() {
            if c < cols.len() {
                let (i, j) = (rows[r], cols[c]);
                if let Some(&pr) = ks.iter().map(|&k| &pairs[k]).find(|x| x.0 == i && x.1 == j) {
                    out.push(pr);
                }
            }
        }
    }
    out
}

/// Places one vessel's track (one MMSI, or one stream of a shared MMSI)
/// in every scene near it in time and space.
#[allow(clippy::too_many_arguments)]
fn place_track(
    v: &[store::Position],
    times: &[i64],
    order: &[usize],
    search: &[(f64, f64, f64, f64)],
    scenes: &[Scene],
    w: i64,
    p: &ImageryParams,
    placed: &mut [Vec<Placed>],
) {
    let (Some(first), Some(last)) = (v.first(), v.last()) else {
        return;
    };
    let m = first.mmsi;
    let mut bb = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for f in v {
        bb = (
            bb.0.min(f.lon),
            bb.1.min(f.lat),
            bb.2.max(f.lon),
            bb.3.max(f.lat),
        );
    }
    let (t0, t1) = (first.time_ms - w, last.time_ms + w);
    let lo = times.partition_point(|&t| t < t0);
    let hi = times.partition_point(|&t| t <= t1);
    for &si in &order[lo..hi] {
        let sb = search[si];
        let wraps = sb.2 > 180.0 || sb.0 < -180.0;
        if !wraps && (bb.2 < sb.0 || bb.0 > sb.2 || bb.3 < sb.1 || bb.1 > sb.3) {
            continue;
        }
        let t = scenes[si].time_ms;
        let j = v.partition_point(|f| f.time_ms <= t);
        let before = j.checked_sub(1).map(|i| &v[i]);
        if let Some((lat, lon, sigma_km, hours)) = predict(before, v.get(j), t, p) {
            let in_box = |x: f64| x >= sb.0 && x <= sb.2;
            if lat >= sb.1
                && lat <= sb.3
                && (in_box(lon) || in_box(lon + 360.0) || in_box(lon - 360.0))
            {
                placed[si].push(Placed {
                    mmsi: m,
                    lat,
                    lon,
                    sigma_km,
                    hours,
                });
            }
        }
    }
}

/// Notes one vessel's track (one MMSI) in every scene whose time falls in
/// a silence of it too long to place it, when it could have reached the
/// scene's search box from its fixes on either side at its top speed
/// (`top_kn`, called only when a scene falls in such a silence: most
/// tracks never need it).
#[allow(clippy::too_many_arguments)]
fn silent_track(
    v: &[store::Position],
    times: &[i64],
    order: &[usize],
    search: &[(f64, f64, f64, f64)],
    scenes: &[Scene],
    top_kn: impl Fn() -> f64,
    p: &ImageryParams,
    silent: &mut [Vec<Silent>],
) {
    let (Some(first), Some(last)) = (v.first(), v.last()) else {
        return;
    };
    let smax = (p.silence_max_hours * 3_600_000.0) as i64;
    let lo = times.partition_point(|&t| t < first.time_ms - smax);
    let hi = times.partition_point(|&t| t <= last.time_ms + smax);
    let slack_nm = 2.0 * p.base_error_km / 1.852;
    let mut top: Option<f64> = None;
    for &si in &order[lo..hi] {
        let t = scenes[si].time_ms;
        let j = v.partition_point(|f| f.time_ms <= t);
        let before = j.checked_sub(1).map(|i| &v[i]);
        let after = v.get(j);
        if predict(before, after, t, p).is_some() {
            continue; // heard around the image: placed, not silent
        }
        let near = |f: &&store::Position| (f.time_ms - t).abs() <= smax;
        let (b, a) = (before.filter(near), after.filter(near));
        if b.is_none() && a.is_none() {
            continue;
        }
        let top_kn = *top.get_or_insert_with(&top_kn);
        let sb = search[si];
        let (clat, clon) = ((sb.1 + sb.3) / 2.0, (sb.0 + sb.2) / 2.0);
        let radius = distance_nm(clat, clon, sb.3, sb.2);
        let reach = |f: &store::Position| {
            distance_nm(f.lat, f.lon, clat, clon) - radius
                <= top_kn * hours((f.time_ms - t).abs()) + slack_nm
        };
        if b.is_some_and(|f| !reach(f)) || a.is_some_and(|f| !reach(f)) {
            continue;
        }
        silent[si].push(Silent {
            mmsi: first.mmsi,
            before: b.map(|f| (f.time_ms, f.lat, f.lon)),
            after: a.map(|f| (f.time_ms, f.lat, f.lon)),
            top_kn,
        });
    }
}

/// The silent vessels of `silent` that could have been detection `d`:
/// each side's fix within reach at the vessel's top speed, the length
/// fitting; the lowest speed needed first, at most [`COULD_BE_MAX`], and
/// how many there were.
fn could_be(
    d: &Detection,
    silent: &[Silent],
    lengths: &HashMap<u32, f64>,
    p: &ImageryParams,
) -> (Vec<CouldBe>, usize) {
    let slack_nm = 2.0 * p.base_error_km / 1.852;
    let mut v: Vec<CouldBe> = silent
        .iter()
        .filter_map(|s| {
            let len = lengths.get(&s.mmsi).copied();
            if !p.length_fits(d.length_m, len) {
                return None;
            }
            let side = |f: Option<(i64, f64, f64)>| {
                f.map(|(ft, lat, lon)| {
                    (
                        distance_nm(lat, lon, d.lat, d.lon),
                        hours((ft - d.time_ms).abs()),
                        ft,
                    )
                })
            };
            let (b, a) = (side(s.before), side(s.after));
            if [b, a]
                .iter()
                .flatten()
                .any(|&(nm, h, _)| nm > s.top_kn * h + slack_nm)
            {
                return None;
            }
            let (nm, h) = [b, a]
                .iter()
                .flatten()
                .fold((0.0, 0.0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
            Some(CouldBe {
                mmsi: s.mmsi,
                last_before: b.map(|x| model::Time(x.2)),
                first_after: a.map(|x| model::Time(x.2)),
                km_before: b.map(|x| x.0 * 1.852),
                km_after: a.map(|x| x.0 * 1.852),
                speed_needed_kn: if h > 0.0 { nm / h } else { 0.0 },
                top_speed_kn: s.top_kn,
                length_m: len,
            })
        })
        .collect();
    v.sort_by(|a, b| {
        a.speed_needed_kn
            .total_cmp(&b.speed_needed_kn)
            .then(a.mmsi.cmp(&b.mmsi))
    });
    v.dedup_by_key(|c| c.mmsi);
    let n = v.len();
    v.truncate(COULD_BE_MAX);
    (v, n)
}

/// Matches `detections` against the fixes in `st`, scene by scene. An
/// MMSI in `shared` (two transmitters: `shared_mmsi` events) is split
/// into its streams with the detector's segmentation, each placed as a
/// vessel of its own.
/// `lengths` holds each MMSI's broadcast length, m.
pub fn fuse(
    st: &store::Store,
    detections: Vec<Detection>,
    scenes: Vec<Scene>,
    lengths: &HashMap<u32, f64>,
    p: &ImageryParams,
    shared: Option<(&std::collections::HashSet<u32>, &detect::Params)>,
) -> Result<Fusion, store::StoreError> {
    let mut out = Fusion {
        scenes,
        detections,
        ..Fusion::default()
    };
    // scenes known only from their detections
    let mut by_id: HashMap<String, usize> = out
        .scenes
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut of_scene: Vec<Vec<usize>> = vec![Vec::new(); out.scenes.len()];
    for (k, d) in out.detections.iter().enumerate() {
        let i = match by_id.get(&d.scene_id) {
            Some(&i) => {
                let s = &out.scenes[i];
                if s.has_footprint && !s.contains(d.lon, d.lat) {
                    out.notes.push(note(
                        d,
                        format!("outside the footprint of scene {:?}", s.id),
                    ));
                }
                i
            }
            None => {
                if out.scenes.iter().any(|s| s.has_footprint) {
                    out.notes.push(note(
                        d,
                        format!("scene {:?} is in no scenes file: matched, but nothing is \"not seen\" there", d.scene_id),
                    ));
                }
                out.scenes.push(Scene {
                    id: d.scene_id.clone(),
                    time_ms: d.time_ms,
                    rings: Vec::new(),
                    bbox: (d.lon, d.lat, d.lon, d.lat),
                    source: d.source.clone(),
                    origin: "detections".into(),
                    has_footprint: false,
                });
                of_scene.push(Vec::new());
                by_id.insert(d.scene_id.clone(), out.scenes.len() - 1);
                out.scenes.len() - 1
            }
        };
        of_scene[i].push(k);
        let s = &mut out.scenes[i];
        if !s.has_footprint {
            s.bbox = (
                s.bbox.0.min(d.lon),
                s.bbox.1.min(d.lat),
                s.bbox.2.max(d.lon),
                s.bbox.3.max(d.lat),
            );
        }
    }
    if out.scenes.is_empty() {
        return Ok(out);
    }
    // scenes by time, each with the box vessels are looked for in
    let w = (p.window_hours * 3_600_000.0) as i64;
    let mut order: Vec<usize> = (0..out.scenes.len()).collect();
    order.sort_by_key(|&i| out.scenes[i].time_ms);
    let times: Vec<i64> = order.iter().map(|&i| out.scenes[i].time_ms).collect();
    // a vessel placed up to window_hours from a fix at up to 30 kn, and a
    // margin for a pairing just outside the box
    let margin = (p.window_hours * 30.0 / 60.0).max(0.1) + 0.2;
    let search: Vec<(f64, f64, f64, f64)> = out
        .scenes
        .iter()
        .map(|s| {
            (
                s.bbox.0 - margin,
                s.bbox.1 - margin,
                s.bbox.2 + margin,
                s.bbox.3 + margin,
            )
        })
        .collect();
    let mut placed: Vec<Vec<Placed>> = vec![Vec::new(); out.scenes.len()];
    let mut silent: Vec<Vec<Silent>> = vec![Vec::new(); out.scenes.len()];
    let default_dp = detect::Params::default();
    let dp = shared.map_or(&default_dp, |s| s.1);
    let reach = w
        .max((p.bridge_hours * 3_600_000.0) as i64)
        .max((p.silence_max_hours * 3_600_000.0) as i64);
    let span = (
        times.first().copied().unwrap_or(0) - reach,
        times.last().copied().unwrap_or(0) + reach,
    );
    let tracks = st.tracks(&store::Filter {
        time: Some(span),
        columns: Some(vec!["time", "mmsi", "lat", "lon", "sog", "cog"]),
        ..store::Filter::default()
    });
    for track in tracks {
        let (m, v) = track?;
        match shared {
            // two transmitters on one MMSI: each stream is a vessel of its own
            Some((set, dp)) if set.contains(&m) => {
                let streams = detect::vessel::streams(&v, dp);
                if streams.is_empty() {
                    place_track(&v, &times, &order, &search, &out.scenes, w, p, &mut placed);
                }
                for s in streams {
                    let one: Vec<store::Position> = s.into_iter().map(|i| v[i].clone()).collect();
                    place_track(
                        &one,
                        &times,
                        &order,
                        &search,
                        &out.scenes,
                        w,
                        p,
                        &mut placed,
                    );
                }
            }
            _ => {
                place_track(&v, &times, &order, &search, &out.scenes, w, p, &mut placed);
                let top = || {
                    let moving: Vec<f32> =
                        v.iter().filter_map(|f| dp.tracks.moving(f.sog)).collect();
                    detect::vessel::speeds(&moving, dp).0
                };
                silent_track(
                    &v,
                    &times,
                    &order,
                    &search,
                    &out.scenes,
                    top,
                    p,
                    &mut silent,
                );
            }
        }
    }
    out.placed = placed.iter().map(Vec::len).sum();
    for si in 0..out.scenes.len() {
        let dets: Vec<&Detection> = of_scene[si].iter().map(|&k| &out.detections[k]).collect();
        let vs = &placed[si];
        let chosen = assign(&dets, vs, lengths, p);
        let mut taken_det = vec![false; dets.len()];
        let mut taken_v = vec![false; vs.len()];
        for &(i, j, l, km) in &chosen {
            taken_det[i] = true;
            taken_v[j] = true;
            let mut alternatives: Vec<u32> = vs
                .iter()
                .filter(|x| x.mmsi != vs[j].mmsi)
                .filter(|x| {
                    llr(dets[i], x, lengths.get(&x.mmsi).copied(), p).0 >= l - AMBIGUOUS_FACTOR.ln()
                })
                .map(|x| x.mmsi)
                .collect();
            alternatives.sort_unstable();
            alternatives.dedup();
            out.matched.push(Matched {
                detection: of_scene[si][i],
                mmsi: vs[j].mmsi,
                distance_km: km,
                sigma_km: vs[j].sigma_km,
                hours_to_fix: vs[j].hours,
                llr: l,
                alternatives,
            });
        }
        let scene = &out.scenes[si];
        // the share of this scene's detections its source would raise as
        // false alarms, for detections without a score
        let false_share = if scene.has_footprint && !dets.is_empty() {
            (p.false_alarms_per_1000km2 * scene.area_km2() / 1000.0 / dets.len() as f64).min(0.95)
        } else {
            0.05
        };
        for (i, d) in dets.iter().enumerate() {
            if taken_det[i] {
                continue;
            }
            let mut p_explained: f64 = 0.0;
            let mut nearest: Option<(u32, f64)> = None;
            for (j, v) in vs.iter().enumerate() {
                let (l, km) = llr(d, v, lengths.get(&v.mmsi).copied(), p);
                if nearest.is_none_or(|n| km < n.1) {
                    nearest = Some((v.mmsi, km));
                }
                if !taken_v[j] {
                    p_explained = p_explained.max(1.0 / (1.0 + (-l).exp()));
                }
            }
            // Exchangeable with a paired detection: when this detection is
            // nearly as likely the vessel another one was paired with
            // (ships side by side), which of them is the extra hull is not
            // known; each of the k + 1 is it with chance 1 / (k + 1).
            let exchangeable = chosen
                .iter()
                .filter(|&&(_, j, l, _)| {
                    llr(d, &vs[j], lengths.get(&vs[j].mmsi).copied(), p).0
                        >= l - AMBIGUOUS_FACTOR.ln()
                })
                .count();
            let (could_be, could_be_count) = could_be(d, &silent[si], lengths, p);
            out.unmatched.push(Unmatched {
                detection: of_scene[si][i],
                p_vessel: d.score.unwrap_or(1.0 - false_share),
                p_explained: 1.0 - (1.0 - p_explained) / (1.0 + exchangeable as f64),
                nearest,
                exchangeable,
                could_be,
                could_be_count,
            });
        }
        if scene.has_footprint {
            for (j, v) in vs.iter().enumerate() {
                if !taken_v[j] && scene.contains(v.lon, v.lat) {
                    let len = lengths.get(&v.mmsi).copied();
                    out.missed.push(Missed {
                        scene: si,
                        mmsi: v.mmsi,
                        lat: v.lat,
                        lon: v.lon,
                        length_m: len,
                        p_detect: p.p_detect(len),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn note(d: &Detection, message: String) -> RowError {
    let (file, line) = match d.origin.rsplit_once([':', '#']) {
        Some((f, l)) => (f.to_string(), l.parse().unwrap_or(0)),
        None => (d.origin.clone(), 0),
    };
    RowError {
        file,
        line,
        message,
    }
}

/// Each MMSI's broadcast length (bow + stern of its latest static report
/// that gives them), m.
pub fn lengths(st: &store::Store) -> Result<HashMap<u32, f64>, store::StoreError> {
    let mut out = HashMap::new();
    for i in st.identities(&store::Filter::default())? {
        if let (Some(a), Some(b)) = (i.to_bow, i.to_stern) {
            let l = f64::from(a) + f64::from(b);
            if l > 0.0 && l < 511.0 {
                out.insert(i.mmsi, l);
            }
        }
    }
    Ok(out)
}

impl Fusion {
    /// A `dark_vessel` event per detection no AIS vessel explains. Its
    /// confidence is the chance it is a vessel times the chance no AIS
    /// vessel left unpaired explains it; `gaz` names a place within
    /// `port_radius_km`.
    pub fn dark_vessel_events(
        &self,
        p: &ImageryParams,
        gaz: &detect::gazetteer::Gazetteer,
    ) -> Vec<Event> {
        let params = serde_json::json!({
            "window_hours": p.window_hours, "base_error_km": p.base_error_km, "drift_kn": p.drift_kn, "bridge_hours": p.bridge_hours, "still_drift_kn": p.still_drift_kn,
            "length_log_sd": p.length_log_sd, "background_per_km2": p.background_per_km2,
            "false_alarms_per_1000km2": p.false_alarms_per_1000km2, "port_radius_km": p.port_radius_km,
            "silence_max_hours": p.silence_max_hours, "length_fit_sd": p.length_fit_sd,
        });
        let mut v: Vec<Event> = self
            .unmatched
            .iter()
            .map(|u| {
                let d = &self.detections[u.detection];
                let scene = self.scenes.iter().find(|s| s.id == d.scene_id);
                let ev = DarkVessel {
                    rule:
                        "a vessel in an image that no AIS vessel placed at the image time explains"
                            .into(),
                    scene_id: d.scene_id.clone(),
                    detection_id: d.id.clone(),
                    source: d
                        .source
                        .clone()
                        .or_else(|| scene.and_then(|s| s.source.clone())),
                    length_m: d.length_m,
                    score: d.score,
                    p_vessel: u.p_vessel,
                    p_explained_by_ais: u.p_explained,
                    nearest_ais_mmsi: u.nearest.map(|n| n.0),
                    nearest_ais_km: u.nearest.map(|n| n.1),
                    scene_area_km2: scene.filter(|s| s.has_footprint).map(Scene::area_km2),
                    could_be: u.could_be.clone(),
                    could_be_count: u.could_be_count,
                    origin: d.origin.clone(),
                    parameters: params.clone(),
                };
                let mut e = Event::new(0, d.time_ms, Some(d.time_ms), Some((d.lat, d.lon)), ev);
                e.confidence = (u.p_vessel * (1.0 - u.p_explained)).clamp(0.0, 1.0);
                if let Some((i, _)) = gaz.nearest(d.lat, d.lon, p.port_radius_km) {
                    let pl = &gaz.places[i];
                    e.port = Some(PortRef {
                        name: pl.name.clone(),
                        locode: pl.locode.clone(),
                    });
                }
                e
            })
            .collect();
        v.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(a.lat.unwrap_or(0.0).total_cmp(&b.lat.unwrap_or(0.0)))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(id: &str, lat: f64, lon: f64, len: Option<f64>) -> Detection {
        Detection {
            id: id.into(),
            scene_id: "s".into(),
            time_ms: 0,
            lat,
            lon,
            length_m: len,
            heading: None,
            score: None,
            source: None,
            origin: format!("t:{id}"),
        }
    }

    fn at(mmsi: u32, lat: f64, lon: f64) -> Placed {
        Placed {
            mmsi,
            lat,
            lon,
            sigma_km: 0.5,
            hours: 0.1,
        }
    }

    #[test]
    fn the_joint_assignment_beats_nearest_first() {
        // detection a is nearest to vessel 1, but b can only be vessel 1;
        // the best joint pairing is a-2, b-1
        let p = ImageryParams::default();
        let d = [det("a", 42.0, 130.0, None), det("b", 42.0, 130.012, None)];
        let dets: Vec<&Detection> = d.iter().collect();
        let v = [at(1, 42.0, 130.006), at(2, 42.0, 129.994)];
        let mut got: Vec<(usize, u32)> = assign(&dets, &v, &HashMap::new(), &p)
            .into_iter()
            .map(|(i, j, ..)| (i, v[j].mmsi))
            .collect();
        got.sort();
        assert_eq!(got, [(0, 2), (1, 1)]);
    }

    #[test]
    fn length_decides_between_two_close_vessels() {
        let p = ImageryParams::default();
        let d = [det("a", 42.0, 130.0, Some(120.0))];
        let dets: Vec<&Detection> = d.iter().collect();
        let v = [at(1, 42.0, 130.001), at(2, 42.0, 129.999)];
        let lengths: HashMap<u32, f64> = [(1, 30.0), (2, 118.0)].into();
        let got = assign(&dets, &v, &lengths, &p);
        assert_eq!(got.len(), 1);
        assert_eq!(v[got[0].1].mmsi, 2);
        // far from every vessel: nobody
        let d = [det("far", 42.5, 130.5, None)];
        let dets: Vec<&Detection> = d.iter().collect();
        assert!(assign(&dets, &v, &lengths, &p).is_empty());
    }

    #[test]
    fn positions_between_fixes_and_beyond_them() {
        let p = ImageryParams::default();
        let f = |t: i64, lat: f64, lon: f64| store::Position {
            time_ms: t,
            mmsi: 1,
            lat,
            lon,
            sog: Some(10.0),
            cog: Some(90.0),
            heading: None,
            nav_status: None,
            msg_type: 1,
            class: store::Class::A,
            source: None,
            accuracy: false,
            payload_hash: 0,
        };
        let h = 3_600_000;
        let (a, b) = (f(0, 42.0, 130.0), f(2 * h, 42.0, 130.4));
        let (lat, lon, s, hours) = predict(Some(&a), Some(&b), h, &p).unwrap();
        assert!((lat - 42.0).abs() < 1e-9 && (lon - 130.2).abs() < 1e-9);
        // halfway between fixes 1 h either side: drift over 1 x 1 / 2 h
        assert!((s - (0.3 + 2.0 * 1.852 * 0.5)).abs() < 1e-9, "{s}");
        assert!((hours - 1.0).abs() < 1e-9);
        // a quarter of the way: 0.5 x 1.5 / 2 h, less than halfway
        let (_, _, q, _) = predict(Some(&a), Some(&b), h / 2, &p).unwrap();
        assert!((q - (0.3 + 2.0 * 1.852 * 0.375)).abs() < 1e-9, "{q}");
        // dead reckoning: 10 kn east for an hour
        let (_, lon, s, _) = predict(Some(&a), None, h, &p).unwrap();
        assert!((lon - 130.0 - 10.0 / 60.0 / 42f64.to_radians().cos()).abs() < 0.01);
        assert!(s > 3.0);
        // too far from any fix
        assert!(predict(Some(&a), None, 7 * h, &p).is_none());
        // fixes 5 h before and 15 h after: bridged (20 h <= bridge_hours)
        let (far, moored) = (f(20 * h, 42.0, 131.0), f(20 * h, 42.0, 130.002));
        let (_, lon, s, hours) = predict(Some(&a), Some(&far), 5 * h, &p).unwrap();
        assert!((lon - 130.25).abs() < 1e-9 && (hours - 5.0).abs() < 1e-9);
        assert!((s - (0.3 + 2.0 * 1.852 * 3.75)).abs() < 1e-9, "{s}");
        // still at both ends, 160 m apart: moored, drifting at still_drift_kn
        let (still_a, still_b) = (
            store::Position {
                sog: Some(0.1),
                ..a.clone()
            },
            store::Position {
                sog: Some(0.0),
                ..moored
            },
        );
        let (_, _, s, _) = predict(Some(&still_a), Some(&still_b), 5 * h, &p).unwrap();
        assert!((s - (0.3 + 0.2 * 1.852 * 3.75)).abs() < 1e-9, "{s}");
        // beyond the bridge, a fix 7 h away places nothing
        let later = f(40 * h, 42.0, 131.0);
        assert!(predict(Some(&a), Some(&later), 7 * h, &p).is_none());
        // across the antimeridian
        let (c, d) = (f(0, 10.0, 179.9), f(2 * h, 10.0, -179.9));
        let (_, lon, ..) = predict(Some(&c), Some(&d), h, &p).unwrap();
        assert!(lon.abs() > 179.99, "{lon}");
    }

    #[test]
    fn silent_vessels_within_reach_and_of_a_fitting_length_could_be_a_dark_hull() {
        let h = 3_600_000i64;
        let p = ImageryParams::default();
        let f = |m: u32, t: i64, lat: f64, lon: f64| store::Position {
            time_ms: t,
            mmsi: m,
            lat,
            lon,
            sog: Some(0.0),
            cog: None,
            heading: None,
            nav_status: None,
            msg_type: 1,
            class: store::Class::A,
            source: None,
            accuracy: false,
            payload_hash: 0,
        };
        let scene = Scene {
            id: "s".into(),
            time_ms: 100 * h,
            rings: Vec::new(),
            bbox: (130.0, 42.0, 130.6, 42.4),
            source: None,
            origin: "t".into(),
            has_footprint: false,
        };
        let search = [(129.5, 41.5, 131.1, 42.9)];
        let mut silent = vec![Vec::new()];
        let run = |v: &[store::Position], top: f64, silent: &mut Vec<Vec<Silent>>| {
            silent_track(
                v,
                &[100 * h],
                &[0],
                &search,
                std::slice::from_ref(&scene),
                || top,
                &p,
                silent,
            )
        };
        // 1: silent 80 h around the image, 60 nm away on both sides: 1.5 kn
        let deg = 60.0 / 60.0; // 60 nm of latitude
        run(
            &[
                f(1, 60 * h, 42.2 - deg, 130.3),
                f(1, 140 * h, 42.2 - deg, 130.3),
            ],
            12.0,
            &mut silent,
        );
        // 2: heard an hour before the image: placed, not silent
        run(
            &[f(2, 99 * h, 42.2, 130.3), f(2, 150 * h, 42.2, 130.3)],
            12.0,
            &mut silent,
        );
        // 3: silent, 120 nm away 9 h before at 12 kn: within reach of the
        // search box, not of the detection
        run(&[f(3, 91 * h, 42.2 - 2.0, 130.3)], 12.0, &mut silent);
        // 6: silent, 600 nm away 10 h before: out of reach of the box
        run(&[f(6, 90 * h, 42.2 - 10.0, 130.3)], 12.0, &mut silent);
        // 4: silent since 20 h before, 20 nm away, not heard since; too long
        run(
            &[f(4, 80 * h, 42.2 + 20.0 / 60.0, 130.3)],
            12.0,
            &mut silent,
        );
        // 5: silent, in reach, but its last fix is beyond silence_max_hours
        run(&[f(5, 100 * h - 200 * h, 42.2, 130.3)], 12.0, &mut silent);
        let ids: Vec<u32> = silent[0].iter().map(|s| s.mmsi).collect();
        assert_eq!(
            ids,
            vec![1, 3, 4],
            "2 was heard, 5 silent too long before, 6 too far"
        );
        let lengths: HashMap<u32, f64> = [(1, 120.0), (3, 120.0), (4, 60.0)].into();
        let mut d = det("x", 42.2, 130.3, Some(130.0));
        d.time_ms = 100 * h;
        let (v, n) = could_be(&d, &silent[0], &lengths, &p);
        // 3 cannot have reached it, 4 is half the hull's length
        assert_eq!(n, 1);
        assert_eq!(v[0].mmsi, 1);
        assert!(
            (v[0].speed_needed_kn - 120.0 / 80.0).abs() < 0.01,
            "{:?}",
            v[0]
        );
        assert!((v[0].km_before.unwrap() - 60.0 * 1.852).abs() < 0.5);
        assert_eq!(v[0].first_after, Some(model::Time(140 * h)));
        // with no length the short one fits too
        d.length_m = None;
        let (v, n) = could_be(&d, &silent[0], &lengths, &p);
        assert_eq!(
            (n, v.iter().map(|c| c.mmsi).collect::<Vec<_>>()),
            (2, vec![4, 1])
        );
    }
}
