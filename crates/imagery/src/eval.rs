//! Scoring a fusion against a simulation's imagery truth
//! (`imagery/truth.jsonl` of `shiptrace simulate`: each detection's
//! vessel, whether its transponder was off, or clutter).

use crate::fuse::Fusion;
use model::{Event, EventKind};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What a detection truly was.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// The vessel, or none for clutter.
    pub mmsi: Option<u32>,
    /// Whether its transponder was off.
    pub dark: bool,
    /// Its true length, m.
    pub length_m: Option<f64>,
}

/// Reads `imagery/truth.jsonl`: detection id to [`Truth`].
pub fn read_truth(path: &Path) -> Result<HashMap<String, Truth>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if v.get("record").and_then(|r| r.as_str()) != Some("detection") {
            continue;
        }
        let id = v
            .get("detection_id")
            .and_then(|x| x.as_str())
            .ok_or_else(|| format!("{}:{}: no detection_id", path.display(), i + 1))?;
        out.insert(
            id.to_string(),
            Truth {
                mmsi: v.get("mmsi").and_then(|x| x.as_u64()).map(|m| m as u32),
                dark: v.get("dark").and_then(|x| x.as_bool()).unwrap_or(false),
                length_m: v.get("length_m").and_then(|x| x.as_f64()),
            },
        );
    }
    Ok(out)
}

/// How well detections were matched and dark vessels named.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    /// Detections of vessels whose transponder was on.
    pub transmitting: usize,
    /// Of those, paired with their own MMSI.
    pub matched_right: usize,
    /// Paired with another MMSI.
    pub matched_wrong: usize,
    /// Left unpaired (so called dark).
    pub unmatched: usize,
    /// `matched_right / transmitting`.
    pub match_rate: f64,
    /// Detections of transmitting vessels whose pairing had an alternative
    /// nearly as likely (ships side by side).
    pub ambiguous: usize,
    /// Of the others, paired with their own MMSI.
    pub unambiguous_right: usize,
    /// `unambiguous_right / (transmitting - ambiguous)`.
    pub unambiguous_rate: f64,
    /// The length from which dark vessels are scored, m.
    pub min_length_m: f64,
    /// Detections of dark hulls of at least that true length.
    pub dark_truth: usize,
    /// Of those, named by a `dark_vessel` event of confidence >= 0.5.
    pub dark_found: usize,
    /// `dark_vessel` events (confidence >= 0.5, estimated length at least
    /// `min_length_m`).
    pub dark_events: usize,
    /// Of those, truly a dark vessel.
    pub dark_events_right: usize,
    /// Precision of `dark_vessel`.
    pub dark_precision: f64,
    /// Recall of `dark_vessel`.
    pub dark_recall: f64,
    /// Dark port calls with an image, and their lowest and median confidence.
    pub imaged_calls: usize,
    /// Lowest confidence of an imaged dark port call.
    pub imaged_min_confidence: f64,
    /// Share of imaged dark port calls at confidence >= 0.95.
    pub imaged_at_095: f64,
}

/// One detection's outcome as the fusion left it (and `imagery.csv`
/// lists it): its id, and the MMSI it was paired with and whether another
/// vessel was nearly as likely (None: left unpaired).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The detection's id.
    pub detection_id: String,
    /// (MMSI, ambiguous) when paired.
    pub paired: Option<(u32, bool)>,
}

/// Every detection's outcome in a fusion.
pub fn outcomes(f: &Fusion) -> Vec<Outcome> {
    let mut paired: HashMap<usize, (u32, bool)> = HashMap::new();
    for m in &f.matched {
        paired.insert(m.detection, (m.mmsi, !m.alternatives.is_empty()));
    }
    f.detections
        .iter()
        .enumerate()
        .map(|(k, d)| Outcome {
            detection_id: d.id.clone(),
            paired: paired.get(&k).copied(),
        })
        .collect()
}

/// The detections' outcomes from an `imagery.csv` written by `analyze`
/// (`matched` rows paired, `dark_vessel` rows not; `not_seen` rows are
/// vessels, not detections, and are skipped).
pub fn read_outcomes(path: &Path) -> Result<Vec<Outcome>, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut r = csv::Reader::from_path(path).map_err(|e| at(&e))?;
    let h = r.headers().map_err(|e| at(&e))?.clone();
    let col = |name: &str| {
        h.iter()
            .position(|c| c == name)
            .ok_or_else(|| at(&format!("no {name} column: not an imagery.csv")))
    };
    let (oc, ic, mc, ac) = (
        col("outcome")?,
        col("detection_id")?,
        col("mmsi")?,
        col("alternatives")?,
    );
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| at(&e))?;
        let line = i + 2;
        let get = |c: usize| rec.get(c).unwrap_or("");
        let paired = match get(oc) {
            "matched" => {
                let m = get(mc)
                    .parse::<u32>()
                    .map_err(|_| format!("{}:{line}: bad mmsi {:?}", path.display(), get(mc)))?;
                Some((m, !get(ac).trim().is_empty()))
            }
            "dark_vessel" => None,
            "not_seen" => continue,
            o => return Err(format!("{}:{line}: unknown outcome {o:?}", path.display())),
        };
        out.push(Outcome {
            detection_id: get(ic).to_string(),
            paired,
        });
    }
    Ok(out)
}

/// [`score_outcomes`] of a fusion.
pub fn score(
    f: &Fusion,
    events: &[Event],
    truth: &HashMap<String, Truth>,
    min_length_m: f64,
) -> Scores {
    score_outcomes(&outcomes(f), events, truth, min_length_m)
}

/// Scores `f` and the events (its `dark_vessel`s and the imaged dark port
/// calls among `events`) against `truth`.
pub fn score_outcomes(
    detections: &[Outcome],
    events: &[Event],
    truth: &HashMap<String, Truth>,
    min_length_m: f64,
) -> Scores {
    let mut s = Scores {
        min_length_m,
        ..Scores::default()
    };
    let paired: HashMap<&str, (u32, bool)> = detections
        .iter()
        .filter_map(|d| Some((d.detection_id.as_str(), d.paired?)))
        .collect();
    for d in detections {
        let Some(t) = truth.get(&d.detection_id) else {
            continue;
        };
        if let (Some(m), false) = (t.mmsi, t.dark) {
            s.transmitting += 1;
            let ambiguous = paired.get(d.detection_id.as_str()).is_some_and(|x| x.1);
            if ambiguous {
                s.ambiguous += 1;
            }
            match paired.get(d.detection_id.as_str()) {
                Some(&(x, _)) if x == m => {
                    s.matched_right += 1;
                    if !ambiguous {
                        s.unambiguous_right += 1;
                    }
                }
                Some(_) => s.matched_wrong += 1,
                None => s.unmatched += 1,
            }
        }
    }
    let dark: HashMap<&str, &Event> = events
        .iter()
        .filter(|e| e.kind() == EventKind::DarkVessel && e.confidence >= 0.5)
        .filter_map(|e| Some((e.evidence.dark_vessel()?.detection_id.as_str(), e)))
        .collect();
    for d in detections {
        let Some(t) = truth.get(&d.detection_id) else {
            continue;
        };
        if t.dark && t.mmsi.is_some() && t.length_m.is_some_and(|l| l >= min_length_m) {
            s.dark_truth += 1;
            if dark.contains_key(d.detection_id.as_str()) {
                s.dark_found += 1;
            }
        }
    }
    for (id, e) in &dark {
        let est = e.evidence.dark_vessel().and_then(|d| d.length_m);
        if est.is_none_or(|l| l < min_length_m) {
            continue;
        }
        s.dark_events += 1;
        if truth.get(*id).is_some_and(|t| t.dark && t.mmsi.is_some()) {
            s.dark_events_right += 1;
        }
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    s.match_rate = ratio(s.matched_right, s.transmitting);
    s.unambiguous_rate = ratio(s.unambiguous_right, s.transmitting - s.ambiguous);
    s.dark_precision = ratio(s.dark_events_right, s.dark_events);
    s.dark_recall = ratio(s.dark_found, s.dark_truth);
    let imaged: Vec<f64> = events
        .iter()
        .filter(|e| {
            e.evidence
                .dark_port_call()
                .is_some_and(|d| !d.imaged.is_empty())
        })
        .map(|e| e.confidence)
        .collect();
    s.imaged_calls = imaged.len();
    s.imaged_min_confidence = imaged.iter().copied().fold(f64::NAN, f64::min);
    s.imaged_at_095 = ratio(imaged.iter().filter(|&&c| c >= 0.95).count(), imaged.len());
    s
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "matching: {} of {} detections of transmitting vessels paired with their own MMSI ({:.3}); {} with another, {} left unpaired",
            self.matched_right, self.transmitting, self.match_rate, self.matched_wrong, self.unmatched
        )?;
        writeln!(
            f,
            "  {} of them ambiguous (another vessel within a likelihood factor of 10: ships side by side); of the rest, {:.3} paired right ({} of {})",
            self.ambiguous,
            self.unambiguous_rate,
            self.unambiguous_right,
            self.transmitting - self.ambiguous
        )?;
        writeln!(
            f,
            "dark_vessel (hulls >= {:.0} m, confidence >= 0.5): precision {:.3} ({} of {}), recall {:.3} ({} of {})",
            self.min_length_m,
            self.dark_precision,
            self.dark_events_right,
            self.dark_events,
            self.dark_recall,
            self.dark_found,
            self.dark_truth
        )?;
        write!(
            f,
            "imaged dark port calls: {}, lowest confidence {:.3}, {:.3} at 0.95 or more",
            self.imaged_calls, self.imaged_min_confidence, self.imaged_at_095
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imagery_csv_outcomes_read_back_and_bad_rows_name_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("imagery.csv");
        let head = crate::run::CSV_COLUMNS.join(",");
        std::fs::write(
            &p,
            format!(
                "{head}\n\
                 matched,s1,d1,2023-08-01T00:00:00Z,42,130,100,273000001,0.1,0.3,0.1,5,,,273000002\n\
                 dark_vessel,s1,d2,2023-08-01T00:00:00Z,42,130,90,,1.0,,,,0.8,,\n\
                 not_seen,s1,,2023-08-01T00:00:00Z,42,130,90,273000003,,,,,,0.9,\n"
            ),
        )
        .unwrap();
        let o = read_outcomes(&p).unwrap();
        assert_eq!(
            o,
            vec![
                Outcome {
                    detection_id: "d1".into(),
                    paired: Some((273000001, true))
                },
                Outcome {
                    detection_id: "d2".into(),
                    paired: None
                },
            ]
        );
        // a forged MMSI and an unknown outcome name their line
        std::fs::write(&p, format!("{head}\nmatched,s1,d1,t,42,130,,NaN,,,,,,,\n")).unwrap();
        let e = read_outcomes(&p).unwrap_err();
        assert!(e.contains("imagery.csv:2") && e.contains("bad mmsi"), "{e}");
        std::fs::write(
            &p,
            format!("{head}\nmatched,s1,d1,t,42,130,,1,,,,,,,\nsunk,s1,d2,t,42,130,,,,,,,,,\n"),
        )
        .unwrap();
        let e = read_outcomes(&p).unwrap_err();
        assert!(
            e.contains("imagery.csv:3") && e.contains("unknown outcome"),
            "{e}"
        );
        // a file that is not an imagery.csv is refused whole
        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        assert!(read_outcomes(&p)
            .unwrap_err()
            .contains("not an imagery.csv"));
    }
}
