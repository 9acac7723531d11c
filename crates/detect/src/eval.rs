//! Scoring detections against the simulator's truth, honestly: each truth
//! event pairs with at most one detection and each detection with at most
//! one truth event (duplicates and splits count as false), then precision
//! and recall per event kind, the Brier score and a reliability table of the
//! confidences.
//!
//! The pairing is done over all detections, higher confidences first, so a
//! low-confidence duplicate cannot take a truth event from a high-confidence
//! detection; only detections at or above [`Matching::min_confidence`] are
//! scored for precision and recall, the rest are reported as candidates.

use crate::event::{Event, EventKind};
use sea::geo::distance_nm;
use std::collections::{BTreeMap, HashMap};

/// One confidence bin of a reliability table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bin {
    /// Lower bound (inclusive).
    pub lo: f64,
    /// Upper bound (exclusive, except 1.0 which is inclusive).
    pub hi: f64,
    /// Detections in the bin.
    pub n: usize,
    /// Mean confidence of those detections (NaN, null in JSON, when n = 0).
    pub mean_confidence: f64,
    /// Share of them paired with a truth event (NaN when n = 0).
    pub share_true: f64,
    /// |share_true - mean_confidence| (NaN when n = 0).
    pub gap: f64,
    /// gap <= 0.1. Only meaningful with n >= 10: judge it with `n`.
    pub calibrated: bool,
}

/// The bins of every reliability table: candidates below 0.5, then three
/// bins of scored confidences.
pub const BINS: [(f64, f64); 4] = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0)];

/// Largest |share_true - mean_confidence| for a bin to count as calibrated.
pub const CALIBRATION_TOLERANCE: f64 = 0.1;

/// Scores of one kind.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindScore {
    /// The kind.
    pub kind: EventKind,
    /// Truth events of the kind.
    pub truth: usize,
    /// Scored detections (confidence >= min_confidence).
    pub detected: usize,
    /// Truth events paired with a scored detection.
    pub found: usize,
    /// Truth events not paired with a scored detection (truth - found).
    pub missed: usize,
    /// Scored detections paired with a truth event.
    pub correct: usize,
    /// found / truth; NaN (null in JSON) without truth events.
    pub recall: f64,
    /// correct / detected; NaN (null in JSON) without scored detections.
    pub precision: f64,
    /// Mean of (confidence - paired)^2 over all detections of the kind,
    /// candidates included; NaN without detections.
    pub brier: f64,
    /// Reliability over all detections of the kind, one entry per [`BINS`].
    pub bins: Vec<Bin>,
    /// Detections below min_confidence: not scored for precision.
    pub candidates: usize,
    /// Candidates paired with a truth event.
    pub candidates_true: usize,
    /// Truth events the data could show ([`observable`]); equals `truth`
    /// when no fixes were given.
    pub truth_observable: usize,
    /// Of them, paired with a scored detection.
    pub found_observable: usize,
    /// found_observable / truth_observable.
    pub recall_observable: f64,
}

/// Fixes heard per MMSI (sorted receive times), for [`observable`].
pub type HeardTimes = std::collections::HashMap<u32, Vec<i64>>;

/// The receive time of every fix in a store, per MMSI, sorted (two
/// columns read).
pub fn heard_times(st: &store::Store) -> Result<HeardTimes, String> {
    use store::arrow::Array;
    let f = store::Filter {
        columns: Some(vec!["mmsi", "time"]),
        ..store::Filter::default()
    };
    let mut out = HeardTimes::new();
    for b in st.scan_positions(&f) {
        let (p, b) = b.map_err(|e| e.to_string())?;
        let m = b.column_by_name("mmsi").and_then(|c| {
            c.as_any()
                .downcast_ref::<store::arrow::UInt32Array>()
                .cloned()
        });
        let t = b.column_by_name("time").and_then(|c| {
            c.as_any()
                .downcast_ref::<store::arrow::TimestampMillisecondArray>()
                .cloned()
        });
        let (Some(m), Some(t)) = (m, t) else {
            return Err(format!(
                "{}: positions without mmsi/time columns",
                p.display()
            ));
        };
        for (m, t) in m.values().iter().zip(t.values().iter()) {
            out.entry(*m).or_default().push(*t);
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    Ok(out)
}

/// Whether the data could show a truth event at all. Silences (dark port
/// calls, AIS gaps) need the vessel heard within `window` hours before
/// they began and after they ended (a silence running past the end of the
/// data, or begun before the vessel was ever heard, has no edges to find),
/// and so do instants (an identity change);
/// everything else needs at least `min_fixes` fixes of the vessel (or its
/// partner) inside the event's time window. No detector working from AIS
/// can find the rest; they are reported apart, not hidden.
pub fn observable(e: &Event, heard: &HeardTimes, min_fixes: usize, window_hours: f64) -> bool {
    let w = (window_hours * 3_600_000.0) as i64;
    let count = |m: u32, a: i64, b: i64| {
        heard.get(&m).map_or(0, |v| {
            v.partition_point(|&t| t <= b) - v.partition_point(|&t| t < a)
        })
    };
    let (a, b) = (e.start_ms(), e.end_ms());
    // an identity change is heard under the old MMSI before it and the
    // new one after
    // (truth events: their evidence is the simulator's, kept as read)
    let truth = |k: &str| e.evidence.raw().and_then(|v| v.get(k));
    let named = ["old_mmsi", "new_mmsi"]
        .into_iter()
        .filter_map(|k| truth(k).and_then(|v| v.as_u64()))
        .filter_map(|m| u32::try_from(m).ok());
    let ms: Vec<u32> = std::iter::once(e.mmsi)
        .chain(e.other_mmsi)
        .chain(named)
        .collect();
    if matches!(e.kind(), EventKind::DarkPortCall | EventKind::AisGap) || b <= a {
        // (an instant, e.g. a change of identity: heard on both sides)
        // a dark call's window is the stay in port; its silence is wider
        let (a, b) = match (
            truth("dark_from")
                .and_then(|x| x.as_str())
                .and_then(crate::event::parse_time),
            truth("dark_to")
                .and_then(|x| x.as_str())
                .and_then(crate::event::parse_time),
        ) {
            (Some(x), Some(y)) => (x.min(a), y.max(b)),
            _ => (a, b),
        };
        let before = ms.iter().any(|&m| count(m, a - w, a) > 0);
        let after = ms.iter().any(|&m| count(m, b, b + w) > 0);
        before && after
    } else {
        ms.iter().map(|&m| count(m, a, b)).sum::<usize>() >= min_fixes
    }
}

/// Everything [`evaluation`] measures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evaluation {
    /// How detections were paired with truth.
    pub matching: Matching,
    /// One entry per kind present in the truth or the detections.
    pub kinds: Vec<KindScore>,
    /// Brier score over all detections of all kinds.
    pub brier: f64,
    /// Reliability over all detections of all kinds.
    pub pooled: Vec<Bin>,
}

/// How close a detection must be to a truth event to match it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Matching {
    /// Time windows may miss each other by this much, hours.
    pub tolerance_hours: f64,
    /// Ports without a common UN/LOCODE match within this distance, km.
    pub port_km: f64,
    /// Detections below this confidence are candidates: still paired (so
    /// they are reported and calibrated) but not scored for precision or
    /// recall.
    pub min_confidence: f64,
}

impl Default for Matching {
    fn default() -> Self {
        Matching {
            tolerance_hours: 2.0,
            port_km: 15.0,
            min_confidence: 0.5,
        }
    }
}

fn same_vessel(t: &Event, d: &Event) -> bool {
    t.mmsi == d.mmsi || t.other_mmsi == Some(d.mmsi) || d.other_mmsi == Some(t.mmsi)
}

fn same_port(t: &Event, d: &Event, km: f64) -> bool {
    match (&t.port, &d.port) {
        (Some(a), Some(b)) => {
            if a.locode.is_some() && a.locode == b.locode || a.name.eq_ignore_ascii_case(&b.name) {
                return true;
            }
            match (t.lat.zip(t.lon), d.lat.zip(d.lon)) {
                (Some(x), Some(y)) => distance_nm(x.0, x.1, y.0, y.1) * 1.852 <= km,
                _ => false,
            }
        }
        (None, _) | (_, None) => true,
    }
}

/// Whether detection `d` may pair with truth event `t`: same kind, same
/// vessel (either MMSI of an encounter), times overlapping within the
/// tolerance, and the same port for port visits and dark port calls.
pub fn matches(t: &Event, d: &Event, m: &Matching) -> bool {
    let tol = (m.tolerance_hours * 3_600_000.0) as i64;
    t.kind() == d.kind()
        && same_vessel(t, d)
        && d.start_ms() <= t.end_ms() + tol
        && d.end_ms() >= t.start_ms() - tol
        && (!t.kind().is_call() || same_port(t, d, m.port_km))
}

/// A confidence usable in sums and sorts: NaN as 0, clamped to [0, 1].
fn conf(e: &Event) -> f64 {
    if e.confidence.is_nan() {
        0.0
    } else {
        e.confidence.clamp(0.0, 1.0)
    }
}

/// Distance between two windows: |start difference| + |end difference|, ms.
fn apart(t: (i64, i64), d: (i64, i64)) -> i64 {
    (t.0 - d.0).abs().saturating_add((t.1 - d.1).abs())
}

/// Pairs each detection (same order as `detected`) with at most one truth
/// event, and each truth event with at most one detection: the index into
/// `truth` of its pair, None for a false detection.
///
/// Edges are [`matches`]. Per kind, the pairing has the most pairs possible
/// (maximum bipartite matching by augmenting paths); detections are taken in
/// descending confidence (closer ones first among equal confidences), so a
/// detection once paired stays paired and a lower-confidence one can never
/// take its truth event away; each detection tries its closest truth events
/// first. `min_confidence` plays no part: all detections are paired.
pub fn label(truth: &[Event], detected: &[Event], m: &Matching) -> Vec<Option<usize>> {
    let times = |e: &Event| (e.start_ms(), e.end_ms());
    let tol = (m.tolerance_hours * 3_600_000.0) as i64;
    let tt: Vec<(i64, i64)> = truth.iter().map(times).collect();
    // truth by (kind, vessel), both MMSIs of an encounter, in start order,
    // with the longest duration of the bucket
    let mut tby: HashMap<(&str, u32), (Vec<usize>, i64)> = HashMap::new();
    for (i, e) in truth.iter().enumerate() {
        let dur = (tt[i].1 - tt[i].0).max(0);
        for k in std::iter::once(e.mmsi).chain(e.other_mmsi.filter(|&o| o != e.mmsi)) {
            let b = tby.entry((e.kind().as_str(), k)).or_default();
            b.0.push(i);
            b.1 = b.1.max(dur);
        }
    }
    for b in tby.values_mut() {
        b.0.sort_by_key(|&i| (tt[i].0, i));
    }
    // adjacency of each detection, closest truth first
    let adj: Vec<Vec<usize>> = detected
        .iter()
        .map(|d| {
            let dt = times(d);
            let mut v: Vec<usize> = Vec::new();
            for k in std::iter::once(d.mmsi).chain(d.other_mmsi) {
                let Some((b, longest)) = tby.get(&(d.kind().as_str(), k)) else {
                    continue;
                };
                // only events starting late enough to end after
                // d.start - tol, and early enough to start before d.end + tol
                let from = dt.0.saturating_sub(tol).saturating_sub(*longest);
                let to = dt.1.saturating_add(tol);
                let lo = b.partition_point(|&i| tt[i].0 < from);
                let hi = b.partition_point(|&i| tt[i].0 <= to);
                v.extend_from_slice(&b[lo..hi.max(lo)]);
            }
            v.sort_unstable();
            v.dedup();
            // the time test on the parsed times first: cheap
            v.retain(|&t| {
                dt.0 <= tt[t].1.saturating_add(tol)
                    && dt.1 >= tt[t].0.saturating_sub(tol)
                    && matches(&truth[t], d, m)
            });
            v.sort_by_key(|&t| (apart(tt[t], dt), t));
            v
        })
        .collect();
    // higher confidence first, then the closest pair, then input order
    let mut order: Vec<usize> = (0..detected.len()).collect();
    let best = |i: usize| {
        adj[i]
            .first()
            .map_or(i64::MAX, |&t| apart(tt[t], times(&detected[i])))
    };
    let bests: Vec<i64> = order.iter().map(|&i| best(i)).collect();
    order.sort_by(|&a, &b| {
        conf(&detected[b])
            .total_cmp(&conf(&detected[a]))
            .then(bests[a].cmp(&bests[b]))
            .then(a.cmp(&b))
    });
    let mut match_t: Vec<Option<usize>> = vec![None; truth.len()];
    let mut match_d: Vec<Option<usize>> = vec![None; detected.len()];
    let mut seen: Vec<u32> = vec![0; truth.len()];
    let mut stamp = 0u32;
    // One confidence level at a time: first the closest free pairs of the
    // level (so duplicates of equal confidence do not push each other onto
    // neighbouring truth events), then an augmenting path for each
    // detection of the level still unpaired. Both only add pairs, so the
    // matching stays maximum over the detections seen so far (Kuhn).
    let mut edges: Vec<(i64, usize, usize)> = Vec::new();
    for level in order.chunk_by(|&a, &b| conf(&detected[a]) == conf(&detected[b])) {
        edges.clear();
        for (rank, &d) in level.iter().enumerate() {
            let dt = times(&detected[d]);
            edges.extend(adj[d].iter().map(|&t| (apart(tt[t], dt), rank, t)));
        }
        edges.sort_unstable();
        for &(_, rank, t) in &edges {
            let d = level[rank];
            if match_d[d].is_none() && match_t[t].is_none() {
                match_d[d] = Some(t);
                match_t[t] = Some(d);
            }
        }
        // Truth events seen by a failed search lead nowhere for as long
        // as the matching stays the same: the marks are kept until a
        // search succeeds.
        stamp += 1;
        for &d in level {
            if match_d[d].is_some() || adj[d].is_empty() {
                continue;
            }
            if augment(d, &adj, &mut match_t, &mut match_d, &mut seen, stamp) {
                stamp += 1;
            }
        }
    }
    match_d
}

/// Kuhn's search for an augmenting path from detection `root`, iterative
/// (paths may be long). At each detection a free truth event is taken
/// before any is re-routed, so paired detections keep their closest pair
/// where they can.
fn augment(
    root: usize,
    adj: &[Vec<usize>],
    match_t: &mut [Option<usize>],
    match_d: &mut [Option<usize>],
    seen: &mut [u32],
    stamp: u32,
) -> bool {
    // (detection, next edge to try); via[k] is the truth event taken by
    // stack[k] on the current path
    let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
    let mut via: Vec<usize> = Vec::new();
    while let Some(&(d, i)) = stack.last() {
        if i == 0 {
            if let Some(&t) = adj[d]
                .iter()
                .find(|&&t| match_t[t].is_none() && seen[t] != stamp)
            {
                via.push(t);
                for (k, &(dd, _)) in stack.iter().enumerate() {
                    match_t[via[k]] = Some(dd);
                    match_d[dd] = Some(via[k]);
                }
                return true;
            }
        }
        if i < adj[d].len() {
            stack.last_mut().unwrap().1 = i + 1;
            let t = adj[d][i];
            if seen[t] == stamp {
                continue;
            }
            seen[t] = stamp;
            if let Some(d2) = match_t[t] {
                via.push(t);
                stack.push((d2, 0));
            }
            // a free t would have been taken above
        } else {
            stack.pop();
            via.pop();
        }
    }
    false
}

/// The reliability table of (confidence, paired) pairs, one entry per
/// [`BINS`].
fn bins_of(items: &[(f64, bool)]) -> Vec<Bin> {
    let mut n = [0usize; 4];
    let mut sum = [0f64; 4];
    let mut yes = [0usize; 4];
    for &(c, y) in items {
        let b = BINS
            .iter()
            .position(|&(_, hi)| c < hi)
            .unwrap_or(BINS.len() - 1);
        n[b] += 1;
        sum[b] += c;
        yes[b] += y as usize;
    }
    BINS.iter()
        .enumerate()
        .map(|(b, &(lo, hi))| {
            let mean = sum[b] / n[b] as f64;
            let share = yes[b] as f64 / n[b] as f64;
            let gap = (share - mean).abs();
            Bin {
                lo,
                hi,
                n: n[b],
                mean_confidence: mean,
                share_true: share,
                gap,
                calibrated: gap <= CALIBRATION_TOLERANCE + 1e-9,
            }
        })
        .collect()
}

/// Mean of (confidence - paired)^2; NaN when empty.
fn brier_of(items: &[(f64, bool)]) -> f64 {
    items
        .iter()
        .map(|&(c, y)| (c - y as u8 as f64).powi(2))
        .sum::<f64>()
        / items.len() as f64
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// Pairs the detections ([`label`]) and scores them: per kind and pooled.
pub fn evaluation(truth: &[Event], detected: &[Event], m: &Matching) -> Evaluation {
    let labels = label(truth, detected, m);
    score(truth, detected, &labels, &vec![true; truth.len()], m)
}

/// [`evaluation`] over several worlds at once: each world's detections
/// are paired with its own truth only (MMSIs repeat across simulated
/// worlds), then everything is scored together.
pub fn evaluation_worlds(worlds: &[(Vec<Event>, Vec<Event>)], m: &Matching) -> Evaluation {
    let w: Vec<World> = worlds
        .iter()
        .map(|(t, d)| (t.clone(), d.clone(), None))
        .collect();
    evaluation_observed(&w, m)
}

/// One world to score: its truth, its detections, and which truth events
/// the data could show ([`observable`]; None: all of them).
pub type World = (Vec<Event>, Vec<Event>, Option<Vec<bool>>);

/// [`evaluation_worlds`] with, per world, which truth events the data could
/// show ([`observable`]; None: all of them).
pub fn evaluation_observed(worlds: &[World], m: &Matching) -> Evaluation {
    let mut truth = Vec::new();
    let mut detected = Vec::new();
    let mut labels = Vec::new();
    let mut seen = Vec::new();
    for (t, d, o) in worlds {
        let off = truth.len();
        labels.extend(label(t, d, m).into_iter().map(|l| l.map(|i| i + off)));
        truth.extend(t.iter().cloned());
        detected.extend(d.iter().cloned());
        match o {
            Some(o) => seen.extend(o.iter().copied()),
            None => seen.extend(std::iter::repeat_n(true, t.len())),
        }
    }
    score(&truth, &detected, &labels, &seen, m)
}

fn score(
    truth: &[Event],
    detected: &[Event],
    labels: &[Option<usize>],
    seen: &[bool],
    m: &Matching,
) -> Evaluation {
    // (in the order of the kinds' names)
    let mut kinds: BTreeMap<&str, (EventKind, Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, e) in truth.iter().enumerate() {
        let k = e.kind();
        kinds
            .entry(k.as_str())
            .or_insert((k, vec![], vec![]))
            .1
            .push(i);
    }
    for (i, e) in detected.iter().enumerate() {
        let k = e.kind();
        kinds
            .entry(k.as_str())
            .or_insert((k, vec![], vec![]))
            .2
            .push(i);
    }
    let scored = |i: usize| detected[i].confidence >= m.min_confidence;
    let mut out = Vec::new();
    let mut all: Vec<(f64, bool)> = Vec::with_capacity(detected.len());
    for (kind, t, d) in kinds.values() {
        let items: Vec<(f64, bool)> = d
            .iter()
            .map(|&i| (conf(&detected[i]), labels[i].is_some()))
            .collect();
        all.extend(&items);
        let n_scored = d.iter().filter(|&&i| scored(i)).count();
        let correct = d
            .iter()
            .filter(|&&i| scored(i) && labels[i].is_some())
            .count();
        // each truth event has at most one pair, so counting the scored
        // paired detections counts the found truth events
        let found = correct;
        let candidates = d.len() - n_scored;
        let candidates_true = d
            .iter()
            .filter(|&&i| !scored(i) && labels[i].is_some())
            .count();
        let truth_observable = t.iter().filter(|&&i| seen[i]).count();
        let found_observable = d
            .iter()
            .filter(|&&i| scored(i))
            .filter_map(|&i| labels[i])
            .filter(|&ti| seen[ti])
            .count();
        out.push(KindScore {
            kind: *kind,
            truth: t.len(),
            detected: n_scored,
            found,
            missed: t.len() - found,
            correct,
            recall: ratio(found, t.len()),
            precision: ratio(correct, n_scored),
            brier: brier_of(&items),
            bins: bins_of(&items),
            candidates,
            candidates_true,
            truth_observable,
            found_observable,
            recall_observable: ratio(found_observable, truth_observable),
        });
    }
    Evaluation {
        matching: *m,
        kinds: out,
        brier: brier_of(&all),
        pooled: bins_of(&all),
    }
}

/// Precision and recall (and Brier, reliability, candidates) per kind
/// present in either set; see [`evaluation`].
pub fn evaluate(truth: &[Event], detected: &[Event], m: &Matching) -> Vec<KindScore> {
    evaluation(truth, detected, m).kinds
}

/// The reliability table over all detections of all kinds.
pub fn reliability(truth: &[Event], detected: &[Event], m: &Matching) -> Vec<Bin> {
    evaluation(truth, detected, m).pooled
}

/// Reads the events of a truth file (lines with `"record":"event"`), an
/// events file (every line an event) or an alerts file of `shiptrace
/// watch` (the event each alert carries; alerts without one are skipped).
pub fn read_events(text: &str) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if v.get("record").is_some_and(|r| r != "event") {
            continue;
        }
        // an alert of `shiptrace watch` (alerts.jsonl): the event it carries
        let v = if v.get("seq").is_some() && v.get("raised").is_some() {
            match v.get("event") {
                Some(e) if e.is_object() => e.clone(),
                _ => continue,
            }
        } else {
            v
        };
        // a time that does not parse is named here, never taken for 1970
        for key in ["start", "end"] {
            match v.get(key) {
                None | Some(serde_json::Value::Null) => {}
                Some(t) if t.as_str().and_then(crate::event::Time::parse).is_some() => {}
                Some(t) => {
                    let t = t.as_str().map_or_else(|| t.to_string(), str::to_string);
                    return Err(format!(
                        "line {}: {key} {:?} is not an RFC 3339 UTC time (e.g. 2023-08-10T15:45:22Z)",
                        i + 1,
                        t.chars().take(40).collect::<String>()
                    ));
                }
            }
        }
        let e: Event = serde_json::from_value(v).map_err(|e| format!("line {}: {e}", i + 1))?;
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::PortRef;

    #[test]
    fn an_identity_change_is_observable_under_its_old_and_new_mmsi() {
        let mut e = ev(EventKind::IdentityChange, 2, 10, 10, 1.0);
        e.end = None;
        let heard: HeardTimes = [(1, vec![T0 + 5 * H]), (2, vec![T0 + 12 * H])]
            .into_iter()
            .collect();
        assert!(
            !observable(&e, &heard, 3, 48.0),
            "the new MMSI alone is not heard before"
        );
        e.evidence = crate::event::Evidence::from_value(
            EventKind::IdentityChange,
            serde_json::json!({"old_mmsi": 1, "new_mmsi": 2}),
        );
        assert!(observable(&e, &heard, 3, 48.0));
    }

    #[test]
    fn an_event_whose_time_does_not_parse_is_named_not_taken_for_1970() {
        let good = r#"{"id":"a","kind":"ais_gap","mmsi":1,"other_mmsi":null,"start":"2023-08-10T15:45:22Z","end":null,"lat":null,"lon":null,"port":null,"confidence":0.9,"evidence":{}}"#;
        assert_eq!(read_events(good).unwrap().len(), 1);
        for bad in ["2023-08-1é:45:22Z", "yesterday", ""] {
            let line = good.replace("2023-08-10T15:45:22Z", bad);
            let text = format!("{good}\n{line}\n");
            let err = read_events(&text).unwrap_err();
            assert!(err.starts_with("line 2: start"), "{err}");
        }
        let end = good.replace(r#""end":null"#, r#""end":"2023-13-45T00:00:00Z""#);
        assert!(read_events(&end).unwrap_err().starts_with("line 1: end"));
    }

    const H: i64 = 3_600_000;
    const T0: i64 = 1_700_000_000_000;

    fn ev(kind: EventKind, mmsi: u32, from_h: i64, to_h: i64, confidence: f64) -> Event {
        let detail = crate::event::Detail::Raw(kind, serde_json::Value::Null);
        let mut e = Event::new(mmsi, T0 + from_h * H, Some(T0 + to_h * H), None, detail);
        e.confidence = confidence;
        e
    }

    fn at_port(mut e: Event, name: &str) -> Event {
        e.port = Some(PortRef {
            name: name.to_string(),
            locode: None,
        });
        e
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn score(s: &[KindScore], kind: EventKind) -> &KindScore {
        s.iter().find(|k| k.kind == kind).unwrap()
    }

    #[test]
    fn a_duplicate_counts_once_correct_and_once_false() {
        let truth = vec![ev(EventKind::AisGap, 1, 0, 10, 1.0)];
        let det = vec![
            ev(EventKind::AisGap, 1, 0, 10, 0.9),
            ev(EventKind::AisGap, 1, 0, 10, 0.8),
        ];
        let m = Matching::default();
        assert_eq!(label(&truth, &det, &m), vec![Some(0), None]);
        let s = evaluate(&truth, &det, &m);
        let g = score(&s, EventKind::AisGap);
        assert_eq!(
            (g.truth, g.detected, g.found, g.correct, g.missed),
            (1, 2, 1, 1, 0)
        );
        assert_eq!(g.recall, 1.0);
        assert_eq!(g.precision, 0.5);
    }

    #[test]
    fn a_split_counts_one_correct() {
        let truth = vec![ev(EventKind::Loitering, 7, 0, 10, 1.0)];
        let det = vec![
            ev(EventKind::Loitering, 7, 0, 5, 0.9),
            ev(EventKind::Loitering, 7, 5, 10, 0.9),
        ];
        let m = Matching::default();
        assert_eq!(label(&truth, &det, &m), vec![Some(0), None]);
        let g = &evaluate(&truth, &det, &m)[0];
        assert_eq!((g.detected, g.found, g.correct), (2, 1, 1));
        assert_eq!(g.precision, 0.5);
        assert_eq!(g.recall, 1.0);
    }

    #[test]
    fn one_detection_over_two_truth_events_pairs_with_one() {
        let truth = vec![
            ev(EventKind::AisGap, 1, 0, 4, 1.0),
            ev(EventKind::AisGap, 1, 6, 10, 1.0),
        ];
        let det = vec![ev(EventKind::AisGap, 1, 0, 10, 0.9)];
        let m = Matching::default();
        // both 6 h apart: the first truth event wins the tie
        assert_eq!(label(&truth, &det, &m), vec![Some(0)]);
        let g = &evaluate(&truth, &det, &m)[0];
        assert_eq!((g.truth, g.found, g.missed, g.correct), (2, 1, 1, 1));
        assert_eq!(g.recall, 0.5);
        assert_eq!(g.precision, 1.0);
    }

    #[test]
    fn the_closest_of_equal_confidences_takes_the_pair() {
        let truth = vec![ev(EventKind::AisGap, 1, 0, 10, 1.0)];
        let det = vec![
            ev(EventKind::AisGap, 1, 1, 11, 0.9),
            ev(EventKind::AisGap, 1, 0, 10, 0.9),
        ];
        assert_eq!(
            label(&truth, &det, &Matching::default()),
            vec![None, Some(0)]
        );
    }

    #[test]
    fn a_low_confidence_duplicate_does_not_steal_the_pair() {
        let truth = vec![ev(EventKind::AisGap, 1, 0, 10, 1.0)];
        // the candidate comes first and fits exactly; the confident one is
        // an hour off
        let det = vec![
            ev(EventKind::AisGap, 1, 0, 10, 0.3),
            ev(EventKind::AisGap, 1, 1, 11, 0.9),
        ];
        let m = Matching::default();
        assert_eq!(label(&truth, &det, &m), vec![None, Some(0)]);
        let g = &evaluate(&truth, &det, &m)[0];
        assert_eq!((g.detected, g.found, g.correct), (1, 1, 1));
        assert_eq!((g.candidates, g.candidates_true), (1, 0));
        assert_eq!(g.precision, 1.0);
    }

    #[test]
    fn the_pairing_has_the_most_pairs_and_keeps_confident_ones_paired() {
        // a (0.9) fits t0 (closest) and t1; b (0.8) fits only t0: a moves
        let truth = vec![
            ev(EventKind::AisGap, 1, 0, 10, 1.0),
            ev(EventKind::AisGap, 1, 12, 20, 1.0),
        ];
        let det = vec![
            ev(EventKind::AisGap, 1, 2, 10, 0.9),
            ev(EventKind::AisGap, 1, 0, 9, 0.8),
        ];
        let m = Matching::default();
        assert_eq!(label(&truth, &det, &m), vec![Some(1), Some(0)]);
        // the same with b a candidate: both still paired, b is a true candidate
        let mut det2 = det.clone();
        det2[1].confidence = 0.2;
        assert_eq!(label(&truth, &det2, &m), vec![Some(1), Some(0)]);
        let g = &evaluate(&truth, &det2, &m)[0];
        assert_eq!((g.detected, g.found, g.correct, g.missed), (1, 1, 1, 1));
        assert_eq!((g.candidates, g.candidates_true), (1, 1));
        assert_eq!(g.recall, 0.5);
        // when both fit only t0, the confident one keeps it
        let det3 = vec![
            ev(EventKind::AisGap, 1, 0, 9, 0.2),
            ev(EventKind::AisGap, 1, 0, 9, 0.8),
        ];
        assert_eq!(label(&truth, &det3, &m), vec![None, Some(0)]);
    }

    #[test]
    fn label_gives_the_index_of_the_paired_truth_event() {
        let mut enc = ev(EventKind::Encounter, 2, 0, 3, 1.0);
        enc.other_mmsi = Some(3);
        let truth = vec![
            at_port(ev(EventKind::PortVisit, 1, 0, 10, 1.0), "Rason"),
            enc,
            ev(EventKind::AisGap, 4, 0, 10, 1.0),
            at_port(ev(EventKind::PortVisit, 1, 0, 10, 1.0), "Nakhodka"),
        ];
        let mut denc = ev(EventKind::Encounter, 3, 0, 3, 0.9);
        denc.other_mmsi = Some(2);
        let det = vec![
            denc,
            ev(EventKind::AisGap, 4, 1, 9, 0.7),
            at_port(ev(EventKind::PortVisit, 1, 0, 10, 0.8), "nakhodka"),
            ev(EventKind::AisGap, 5, 0, 10, 0.9),
            at_port(ev(EventKind::PortVisit, 1, 0, 10, 0.8), "Vladivostok"),
            ev(EventKind::AisGap, 4, 13, 20, 0.9), // 3 h after the end: too late
            at_port(ev(EventKind::PortVisit, 1, 0, 10, 0.6), "RASON"),
        ];
        assert_eq!(
            label(&truth, &det, &Matching::default()),
            vec![Some(1), Some(2), Some(3), None, None, None, Some(0)]
        );
    }

    #[test]
    fn brier_by_hand() {
        let truth = vec![ev(EventKind::AisGap, 1, 0, 10, 1.0)];
        let det = vec![
            ev(EventKind::AisGap, 1, 0, 10, 0.9), // true
            ev(EventKind::AisGap, 2, 0, 10, 0.6), // false: other vessel
            ev(EventKind::AisGap, 1, 0, 10, 0.2), // false: duplicate
        ];
        let e = evaluation(&truth, &det, &Matching::default());
        let g = &e.kinds[0];
        // (0.1^2 + 0.6^2 + 0.2^2) / 3
        assert!(close(g.brier, 0.41 / 3.0), "{}", g.brier);
        assert!(close(e.brier, 0.41 / 3.0));
        assert_eq!(
            (g.detected, g.correct, g.candidates, g.candidates_true),
            (2, 1, 1, 0)
        );
        assert_eq!(g.precision, 0.5);
    }

    #[test]
    fn reliability_bins_by_hand() {
        // (confidence, true?) over two kinds
        let cases = [
            (EventKind::AisGap, 0.2, false),
            (EventKind::AisGap, 0.4, true),
            (EventKind::AisGap, 0.5, true),
            (EventKind::Loitering, 0.65, false),
            (EventKind::Loitering, 0.7, true),
            (EventKind::Loitering, 0.95, true),
            (EventKind::AisGap, 1.0, true),
        ];
        let mut truth = Vec::new();
        let mut det = Vec::new();
        for (i, &(kind, c, yes)) in cases.iter().enumerate() {
            let v = 100 + i as u32;
            if yes {
                truth.push(ev(kind, v, 0, 10, 1.0));
            }
            det.push(ev(kind, v, 0, 10, c));
        }
        let m = Matching::default();
        let pooled = reliability(&truth, &det, &m);
        let want = [
            (0.0, 0.5, 2, 0.3, 0.5, false),
            (0.5, 0.7, 2, 0.575, 0.5, true),
            (0.7, 0.9, 1, 0.7, 1.0, false),
            (0.9, 1.0, 2, 0.975, 1.0, true),
        ];
        assert_eq!(pooled.len(), 4);
        for (b, w) in pooled.iter().zip(want) {
            assert_eq!((b.lo, b.hi, b.n), (w.0, w.1, w.2), "{b:?}");
            assert!(close(b.mean_confidence, w.3), "{b:?}");
            assert!(close(b.share_true, w.4), "{b:?}");
            assert!(close(b.gap, (w.4 - w.3).abs()), "{b:?}");
            assert_eq!(b.calibrated, w.5, "{b:?}");
        }
        let s = evaluate(&truth, &det, &m);
        let g = score(&s, EventKind::AisGap);
        let n: Vec<usize> = g.bins.iter().map(|b| b.n).collect();
        assert_eq!(n, vec![2, 1, 0, 1]);
        assert!(g.bins[2].mean_confidence.is_nan() && !g.bins[2].calibrated);
        assert_eq!((g.candidates, g.candidates_true), (2, 1));
        assert_eq!((g.truth, g.detected, g.found, g.correct), (3, 2, 2, 2));
        assert!(close(g.recall, 2.0 / 3.0));
        let l = score(&s, EventKind::Loitering);
        let n: Vec<usize> = l.bins.iter().map(|b| b.n).collect();
        assert_eq!(n, vec![0, 1, 1, 1]);
        assert!(close(l.precision, 2.0 / 3.0));
        assert!(close(
            l.brier,
            (0.65f64.powi(2) + 0.3f64.powi(2) + 0.05f64.powi(2)) / 3.0
        ));
    }

    #[test]
    fn undefined_rates_are_nan_and_null_in_json() {
        let truth = vec![ev(EventKind::AisGap, 1, 0, 10, 1.0)];
        let det = vec![ev(EventKind::Loitering, 1, 0, 10, 0.9)];
        let e = evaluation(&truth, &det, &Matching::default());
        let g = score(&e.kinds, EventKind::AisGap);
        assert!(g.precision.is_nan() && g.brier.is_nan());
        assert_eq!((g.recall, g.missed), (0.0, 1));
        assert!(score(&e.kinds, EventKind::Loitering).recall.is_nan());
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kinds"][0]["kind"], "ais_gap");
        assert!(v["kinds"][0]["precision"].is_null());
        assert!(v["kinds"][0]["bins"][0]["mean_confidence"].is_null());
        assert_eq!(v["kinds"][1]["precision"], 0.0);
        assert_eq!(v["matching"]["min_confidence"], 0.5);
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"recall\":null"), "{text}");
    }

    #[test]
    fn many_duplicates_in_a_chain_stay_fast_and_exact() {
        // 5000 truth windows back to back and each detected twice: half
        // the detections pair, every truth event is found
        let n = 5000;
        let truth: Vec<Event> = (0..n)
            .map(|i| ev(EventKind::AisGap, 9, 4 * i, 4 * i + 3, 1.0))
            .collect();
        let det: Vec<Event> = (0..2 * n)
            .map(|i| ev(EventKind::AisGap, 9, 4 * (i / 2), 4 * (i / 2) + 3, 0.9))
            .collect();
        let m = Matching::default();
        let g = &evaluate(&truth, &det, &m)[0];
        assert_eq!(
            (g.found, g.correct, g.detected),
            (n as usize, n as usize, 2 * n as usize)
        );
        // each truth event pairs with its own first copy, not a neighbour's
        let l = label(&truth, &det, &m);
        assert!((0..2 * n as usize).all(|i| l[i] == (i % 2 == 0).then_some(i / 2)));
        // the same with the copies less confident than the originals
        let det: Vec<Event> = det
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.confidence = if i % 2 == 0 { 0.9 } else { 0.6 };
                e
            })
            .collect();
        let l = label(&truth, &det, &m);
        assert!((0..2 * n as usize).all(|i| l[i] == (i % 2 == 0).then_some(i / 2)));
    }
}
