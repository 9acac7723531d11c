//! Observed vessels matched to list entries. Each match names its basis
//! (which broadcast field agreed with which listed field, and when it was
//! broadcast) and a strength; several agreeing fields combine as
//! independent evidence: `1 - prod(1 - s_i)`.
//!
//! MMSIs are reused and mistyped, so an MMSI match is weakened to a note
//! when the same MMSI broadcast an IMO different from the listed one.
//! Names are compared after normalisation, against every name the MMSI
//! ever broadcast (a renamed ship still matches its former names) and
//! every listed alias.

use crate::profile::Profile;
use crate::watchlist::Entry;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Strength of each kind of agreement. Defaults are judgement, not
/// measurement: an IMO number is permanent and unique to a hull; an MMSI is
/// unique at any one time but reassigned; callsigns are national and
/// reused; names are far from unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchParams {
    /// Strength of an IMO match.
    pub imo: f64,
    /// Strength of an MMSI match.
    pub mmsi: f64,
    /// An MMSI match where the MMSI broadcast a different IMO than listed.
    pub mmsi_conflicting_imo: f64,
    /// Strength of a call-sign match.
    pub callsign: f64,
    /// Strength of a name match.
    pub name: f64,
    /// Report matches at least this strong.
    pub min_strength: f64,
    /// A match at least this strong is called "strong" (an IMO match).
    pub strong: f64,
    /// At least this strong, "medium" (e.g. an MMSI match, or name and
    /// call sign together); below, "weak" (a name alone).
    pub medium: f64,
}

impl Default for MatchParams {
    fn default() -> Self {
        MatchParams {
            imo: 0.95,
            mmsi: 0.7,
            mmsi_conflicting_imo: 0.15,
            callsign: 0.5,
            name: 0.4,
            min_strength: 0.4,
            strong: 0.9,
            medium: 0.6,
        }
    }
}

/// One agreeing field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Basis {
    /// The field (`imo`, `mmsi`, `callsign`, `name`).
    pub field: String,
    /// The value broadcast (attacker-controlled text).
    pub observed: String,
    /// The value listed.
    pub listed: String,
    /// First broadcast (RFC 3339).
    pub first_seen: String,
    /// Last broadcast (RFC 3339).
    pub last_seen: String,
    /// This field's strength.
    pub strength: f64,
    /// e.g. "former name", "alias", "MMSI also broadcast IMO 1234567"
    pub note: Option<String>,
}

/// An observed MMSI matched to a list entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The vessel.
    pub mmsi: u32,
    /// Index into the entries given to [`match_all`].
    pub entry: usize,
    /// The list's name.
    pub list: String,
    /// The listed name.
    pub listed_name: String,
    /// The listed IMO number.
    pub listed_imo: Option<u32>,
    /// Where in the list (file:line).
    pub origin: String,
    /// Combined strength (0..1).
    pub strength: f64,
    /// "strong" (>= 0.9), "medium" (>= 0.6) or "weak".
    pub level: String,
    /// The agreeing fields.
    pub basis: Vec<Basis>,
}

/// Upper case, letters and digits only, single spaces, without the
/// prefixes vessel names often carry (M/V, MV, MT, SS).
pub fn normalise(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                ' '
            }
        })
        .collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["M V ", "MV ", "M T ", "MT ", "SS "] {
        if let Some(r) = s.strip_prefix(p) {
            s = r.to_string();
            break;
        }
    }
    s
}

fn t(ms: i64) -> String {
    detect::event::rfc3339(ms)
}

/// Matches every profile against every entry (through indexes on IMO,
/// MMSI, callsign and normalised names, so the cost is linear).
pub fn match_all(
    profiles: &BTreeMap<u32, Profile>,
    entries: &[Entry],
    p: &MatchParams,
) -> Vec<Match> {
    ListIndex::new(entries).match_all(profiles, entries, p)
}

/// The indexes of a list's entries (IMO, MMSI, call sign, normalised names
/// and aliases), built once: `watch` matches each new vessel against them
/// without re-reading the list.
#[derive(Debug, Clone, Default)]
pub struct ListIndex {
    by_imo: HashMap<u32, Vec<usize>>,
    by_mmsi: HashMap<u32, Vec<usize>>,
    by_call: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<(usize, bool)>>,
}

impl ListIndex {
    /// Indexes `entries`; use it with the same slice.
    pub fn new(entries: &[Entry]) -> ListIndex {
        let mut ix = ListIndex::default();
        for (i, e) in entries.iter().enumerate() {
            if let Some(x) = e.imo {
                ix.by_imo.entry(x).or_default().push(i);
            }
            if let Some(x) = e.mmsi {
                ix.by_mmsi.entry(x).or_default().push(i);
            }
            if let Some(c) = &e.callsign {
                ix.by_call.entry(normalise(c)).or_default().push(i);
            }
            ix.by_name
                .entry(normalise(&e.name))
                .or_default()
                .push((i, false));
            for a in &e.aliases {
                ix.by_name.entry(normalise(a)).or_default().push((i, true));
            }
        }
        ix
    }

    /// [`match_all`] with these indexes over `entries` (the slice they were
    /// built from).
    pub fn match_all(
        &self,
        profiles: &BTreeMap<u32, Profile>,
        entries: &[Entry],
        p: &MatchParams,
    ) -> Vec<Match> {
        let ListIndex {
            by_imo,
            by_mmsi,
            by_call,
            by_name,
        } = self;
        match_indexed(profiles, entries, p, by_imo, by_mmsi, by_call, by_name)
    }
}

#[allow(clippy::too_many_arguments)]
fn match_indexed(
    profiles: &BTreeMap<u32, Profile>,
    entries: &[Entry],
    p: &MatchParams,
    by_imo: &HashMap<u32, Vec<usize>>,
    by_mmsi: &HashMap<u32, Vec<usize>>,
    by_call: &HashMap<String, Vec<usize>>,
    by_name: &HashMap<String, Vec<(usize, bool)>>,
) -> Vec<Match> {
    let mut out = Vec::new();
    for pr in profiles.values() {
        let mut found: BTreeMap<usize, Vec<Basis>> = BTreeMap::new();
        for s in &pr.imos {
            for &i in by_imo.get(&s.value).into_iter().flatten() {
                found.entry(i).or_default().push(Basis {
                    field: "imo".into(),
                    observed: s.value.to_string(),
                    listed: s.value.to_string(),
                    first_seen: t(s.first_ms),
                    last_seen: t(s.last_ms),
                    strength: p.imo,
                    note: None,
                });
            }
        }
        for &i in by_mmsi.get(&pr.mmsi).into_iter().flatten() {
            let e = &entries[i];
            let other: Vec<u32> = pr
                .imos
                .iter()
                .map(|s| s.value)
                .filter(|x| Some(*x) != e.imo)
                .collect();
            let conflict = e.imo.is_some()
                && !other.is_empty()
                && !pr.imos.iter().any(|s| Some(s.value) == e.imo);
            let (first, last) = (
                pr.names.iter().map(|s| s.first_ms).min().unwrap_or(0),
                pr.names.iter().map(|s| s.last_ms).max().unwrap_or(0),
            );
            found.entry(i).or_default().push(Basis {
                field: "mmsi".into(),
                observed: pr.mmsi.to_string(),
                listed: pr.mmsi.to_string(),
                first_seen: t(first),
                last_seen: t(last),
                strength: if conflict { p.mmsi_conflicting_imo } else { p.mmsi },
                note: conflict.then(|| {
                    format!(
                        "this MMSI broadcast IMO {} while the list gives {}: the MMSI may have been reassigned",
                        other.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
                        e.imo.unwrap_or(0)
                    )
                }),
            });
        }
        for s in &pr.callsigns {
            for &i in by_call.get(&normalise(&s.value)).into_iter().flatten() {
                found.entry(i).or_default().push(Basis {
                    field: "callsign".into(),
                    observed: s.value.clone(),
                    listed: entries[i].callsign.clone().unwrap_or_default(),
                    first_seen: t(s.first_ms),
                    last_seen: t(s.last_ms),
                    strength: p.callsign,
                    note: None,
                });
            }
        }
        let latest = pr.name().map(normalise);
        for s in &pr.names {
            let n = normalise(&s.value);
            if n.is_empty() {
                continue;
            }
            for &(i, alias) in by_name.get(&n).into_iter().flatten() {
                let former = latest.as_deref() != Some(n.as_str());
                let mut notes = Vec::new();
                if former {
                    notes.push("a former name of this MMSI");
                }
                if alias {
                    notes.push("a listed alias or former name");
                }
                found.entry(i).or_default().push(Basis {
                    field: "name".into(),
                    observed: s.value.clone(),
                    listed: if alias {
                        s.value.clone()
                    } else {
                        entries[i].name.clone()
                    },
                    first_seen: t(s.first_ms),
                    last_seen: t(s.last_ms),
                    strength: p.name,
                    note: (!notes.is_empty()).then(|| notes.join("; ")),
                });
            }
        }
        for (i, mut basis) in found {
            // one contribution per field: the strongest
            basis.sort_by(|a, b| {
                a.field
                    .cmp(&b.field)
                    .then(b.strength.total_cmp(&a.strength))
            });
            let mut seen = std::collections::HashSet::new();
            let strength = 1.0
                - basis
                    .iter()
                    .filter(|b| seen.insert(b.field.clone()))
                    .map(|b| 1.0 - b.strength)
                    .product::<f64>();
            if strength < p.min_strength {
                continue;
            }
            let e = &entries[i];
            out.push(Match {
                mmsi: pr.mmsi,
                entry: i,
                list: e.list.clone(),
                listed_name: e.name.clone(),
                listed_imo: e.imo,
                origin: e.origin.clone(),
                strength,
                level: if strength >= p.strong {
                    "strong"
                } else if strength >= p.medium {
                    "medium"
                } else {
                    "weak"
                }
                .into(),
                basis,
            });
        }
    }
    out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.mmsi.cmp(&b.mmsi)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalise("M/V  Lady-R "), "LADY R");
        assert_eq!(normalise("MAIA-1"), "MAIA 1");
        assert_eq!(normalise("mt. ocean rose"), "OCEAN ROSE");
        assert_eq!(normalise("<script>"), "SCRIPT");
    }
}
