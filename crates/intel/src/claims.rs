//! A ledger of public claims, each checked against the evidence-based range
//! for its period: consistent, above or below, by how much, and what would
//! have to be true for it to hold.

use crate::estimate::{Quantiles, Samples};
use detect::{Event, EventKind};
use serde::{Deserialize, Serialize};

/// One claim, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Who made the claim.
    pub claimant: String,
    /// When the claim was made (YYYY-MM-DD or RFC 3339).
    pub date: String,
    /// The quantity claimed.
    pub quantity: f64,
    /// `containers` (TEU), `tonnes`, `rounds_<munition>` (e.g.
    /// `rounds_152mm`), `shells` (the first munition type), `voyages`
    /// (laden legs from watched ports) or `port_calls` (calls at watched
    /// ports, seen or dark).
    pub unit: String,
    /// [from, to] the claim covers; default: from the start of the data to
    /// the claim's date.
    #[serde(default)]
    pub period: Option<[String; 2]>,
    /// Where the claim was published.
    #[serde(default)]
    pub source: Option<String>,
    /// Anything a reader should know about it.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ledger {
    #[serde(default)]
    claim: Vec<Claim>,
}

/// Reads a ledger (`[[claim]]` tables).
pub fn parse(text: &str) -> Result<Vec<Claim>, String> {
    let l: Ledger = toml::from_str(text).map_err(|e| e.to_string())?;
    for (i, c) in l.claim.iter().enumerate() {
        if !(c.quantity.is_finite() && c.quantity >= 0.0) {
            return Err(format!("claim {}: quantity must be a number >= 0", i + 1));
        }
        if parse_day(&c.date).is_none() {
            return Err(format!(
                "claim {}: date {:?} is not YYYY-MM-DD",
                i + 1,
                c.date
            ));
        }
        if let Some([a, b]) = &c.period {
            if parse_day(a).is_none() || parse_day(b).is_none() {
                return Err(format!("claim {}: period dates must be YYYY-MM-DD", i + 1));
            }
        }
    }
    Ok(l.claim)
}

/// The built-in ledger for a scenario: the public claims of FACTS.md §1
/// for `rason-shuttle`.
pub fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "rason-shuttle" => Some(include_str!("../data/claims-rason-shuttle.toml")),
        _ => None,
    }
}

/// `YYYY-MM-DD` (start of day) or RFC 3339, to unix ms.
pub fn parse_day(s: &str) -> Option<i64> {
    if s.len() == 10 {
        detect::event::parse_time(&format!("{s}T00:00:00Z"))
    } else {
        detect::event::parse_time(s)
    }
}

/// A claim set against the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The claim.
    pub claim: Claim,
    /// The period checked, [from, to].
    pub period: [String; 2],
    /// Voyages (or calls) in the period the evidence rests on.
    pub observed_voyages: usize,
    /// What the evidence allows in that period (P10/P50/P90), when checkable.
    pub evidence: Option<Quantiles>,
    /// "consistent", "above", "below", or "not checkable".
    pub verdict: String,
    /// Claim / evidence median.
    pub ratio_to_median: Option<f64>,
    /// The verdict in words, with the figures.
    pub explanation: String,
}

/// Checks each claim. `calls` are the start times of calls at watched
/// ports (seen or dark), for `port_calls` claims.
pub fn check(
    claims: &[Claim],
    samples: &Samples,
    munitions: &[String],
    calls: &[i64],
    data_start_ms: i64,
) -> Vec<Check> {
    let mut out = Vec::new();
    for c in claims {
        let day = parse_day(&c.date).unwrap_or(0);
        let (from, to) = match &c.period {
            Some([a, b]) => (
                parse_day(a).unwrap_or(data_start_ms),
                parse_day(b).unwrap_or(day) + 86_400_000,
            ),
            None => (data_start_ms, day + 86_400_000),
        };
        let inside = |t: i64| t >= from && t < to;
        let tot = samples.totals(|i| inside(samples.start_ms[i]));
        let unit = c.unit.to_ascii_lowercase();
        let (evidence, what): (Option<Quantiles>, String) = match unit.as_str() {
            "containers" | "teu" => (Some(tot.containers), "containers (TEU)".into()),
            "tonnes" | "t" => (Some(tot.tonnes), "tonnes".into()),
            "shells" | "rounds" => (
                munitions.first().and_then(|m| tot.rounds.get(m)).copied(),
                format!(
                    "rounds ({})",
                    munitions.first().map(String::as_str).unwrap_or("?")
                ),
            ),
            "voyages" | "shipments" => {
                let n = tot.voyages as f64;
                (
                    Some(Quantiles {
                        p10: n,
                        p50: n,
                        p90: n,
                    }),
                    "laden voyages from watched ports".into(),
                )
            }
            "port_calls" => {
                let n = calls.iter().filter(|&&t| inside(t)).count() as f64;
                (
                    Some(Quantiles {
                        p10: n,
                        p50: n,
                        p90: n,
                    }),
                    "calls at watched ports".into(),
                )
            }
            u => match u.strip_prefix("rounds_") {
                Some(m) => (tot.rounds.get(m).copied(), format!("rounds ({m})")),
                None => (None, u.to_string()),
            },
        };
        let period = [detect::event::rfc3339(from), detect::event::rfc3339(to)];
        let count = matches!(unit.as_str(), "voyages" | "shipments" | "port_calls");
        let (verdict, ratio, explanation) = match evidence {
            Some(q) if count => {
                let n = q.p50;
                let verdict = if c.quantity > n {
                    "above"
                } else if c.quantity < n {
                    "below"
                } else {
                    "consistent"
                };
                let why = match verdict {
                    "above" => format!(
                        "claim {} {what}, {n:.0} detected: {:.0} not seen (dark without a detectable gap, or outside the data)",
                        c.quantity,
                        c.quantity - n
                    ),
                    "below" => format!(
                        "claim {} {what}, {n:.0} detected: the detections include {:.0} the claim does not count (or false detections)",
                        c.quantity,
                        n - c.quantity
                    ),
                    _ => format!("claim {} {what}, {n:.0} detected", c.quantity),
                };
                (verdict.to_string(), (n > 0.0).then(|| c.quantity / n), why)
            }
            None => (
                "not checkable".to_string(),
                None,
                format!("unit {:?} is not one the estimator produces", c.unit),
            ),
            Some(q) => {
                let ratio = (q.p50 > 0.0).then(|| c.quantity / q.p50);
                if c.quantity > q.p90 {
                    let need = if q.p50 > 0.0 {
                        format!(
                            "needs {:.1}x the observed voyages at median loads ({:.1}x at the P90), or voyages not seen, or loads heavier than the draughts show",
                            c.quantity / q.p50,
                            c.quantity / q.p90.max(f64::MIN_POSITIVE)
                        )
                    } else {
                        "no observed voyage in the period: it needs voyages not seen".to_string()
                    };
                    (
                        "above".to_string(),
                        ratio,
                        format!(
                            "claim {} {what} is above the evidence range {:.0}-{:.0} (P10-P90, median {:.0}) from {} voyage(s): {need}",
                            c.quantity, q.p10, q.p90, q.p50, tot.voyages
                        ),
                    )
                } else if c.quantity < q.p10 {
                    (
                        "below".to_string(),
                        ratio,
                        format!(
                            "claim {} {what} is below the evidence range {:.0}-{:.0} (median {:.0}): the observed voyages could have carried {:.1}x the claim at the P10",
                            c.quantity, q.p10, q.p90, q.p50, q.p10 / c.quantity.max(f64::MIN_POSITIVE)
                        ),
                    )
                } else {
                    (
                        "consistent".to_string(),
                        ratio,
                        format!(
                            "claim {} {what} lies within the evidence range {:.0}-{:.0} (median {:.0}) from {} voyage(s)",
                            c.quantity, q.p10, q.p90, q.p50, tot.voyages
                        ),
                    )
                }
            }
        };
        out.push(Check {
            claim: c.clone(),
            period,
            observed_voyages: tot.voyages,
            evidence,
            verdict,
            ratio_to_median: ratio,
            explanation,
        });
    }
    out
}

/// Start times of calls at watched ports: dark port calls, and port
/// visits at a port whose name is in `watched_names`.
pub fn watched_calls(events: &[Event], watched_names: &[String]) -> Vec<i64> {
    events
        .iter()
        .filter(|e| {
            (e.kind() == EventKind::DarkPortCall && e.confidence >= 0.5)
                || (e.kind() == EventKind::PortVisit
                    && e.port.as_ref().is_some_and(|p| {
                        watched_names.iter().any(|w| {
                            w.eq_ignore_ascii_case(&p.name)
                                || Some(w.as_str()) == p.locode.as_deref()
                        })
                    }))
        })
        .map(|e| e.start_ms())
        .collect()
}
