//! A per-vessel risk score from its events and list matches. Every
//! contribution is reported in words and numbers (what, how many, points
//! each, total) so a reader can recompute the score; the weights are
//! parameters. The score is a ranking aid for an analyst, not a
//! probability.

use crate::matching::Match;
use detect::{Event, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Points per kind of evidence. Defaults are judgement: dark calls at
/// watched ports and list matches are what sanctions monitors act on
/// (FACTS.md §1: the shuttle was found by its dark calls); identity games
/// and meetings at sea are the usual companions; gaps alone are common.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskParams {
    /// Each dark port call, times its confidence.
    pub dark_port_call: f64,
    /// The most dark port calls can add.
    pub dark_port_call_cap: f64,
    /// Each encounter with a listed vessel (matched at least
    /// `listed_min_strength`).
    pub encounter_with_listed: f64,
    /// A partner counts as listed when matched at least this strongly
    /// (0.6: a "medium" match; a name alone is not enough).
    pub listed_min_strength: f64,
    /// Each encounter with a dark partner, or with an unlisted vessel.
    pub encounter: f64,
    /// The most encounters can add.
    pub encounter_cap: f64,
    /// Each identity change on this MMSI (name, callsign, IMO, type).
    pub identity_change: f64,
    /// An IMO moving to or from this MMSI; more when the flag changed.
    pub imo_moved: f64,
    /// More for an IMO move that changed the flag.
    pub flag_change: f64,
    /// The most identity games can add.
    pub identity_cap: f64,
    /// A shared MMSI.
    pub shared_mmsi: f64,
    /// Each position jump.
    pub position_jump: f64,
    /// Each AIS gap that began within `high_risk_nm` of a watched port.
    pub gap_near_watched: f64,
    /// The most gaps can add.
    pub gap_cap: f64,
    /// Distance from a watched port within which a gap counts, nm.
    pub high_risk_nm: f64,
    /// A list match, times its strength (the strongest match counts).
    pub list_match: f64,
    /// A network match (a listed owner, manager or sister ship), times its
    /// strength (the strongest counts), for a vessel not itself listed.
    pub network_match: f64,
}

impl Default for RiskParams {
    fn default() -> Self {
        RiskParams {
            dark_port_call: 20.0,
            dark_port_call_cap: 50.0,
            encounter_with_listed: 15.0,
            listed_min_strength: 0.6,
            encounter: 5.0,
            encounter_cap: 25.0,
            identity_change: 5.0,
            imo_moved: 10.0,
            flag_change: 10.0,
            identity_cap: 25.0,
            shared_mmsi: 10.0,
            position_jump: 5.0,
            gap_near_watched: 3.0,
            gap_cap: 15.0,
            high_risk_nm: 100.0,
            list_match: 40.0,
            network_match: 25.0,
        }
    }
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Why, in words.
    pub reason: String,
    /// How many events of that reason.
    pub count: usize,
    /// Points added.
    pub points: f64,
}

/// A vessel's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// The vessel.
    pub mmsi: u32,
    /// Its latest name (attacker-controlled text).
    pub name: Option<String>,
    /// 0-100.
    pub score: f64,
    /// What the score is made of.
    pub contributions: Vec<Contribution>,
}

/// Scores every vessel that has any event or match. `watched` are the
/// positions of watched ports (lat, lon).
pub fn score(
    events: &[Event],
    matches: &[Match],
    network: &[&crate::network::NetworkMatch],
    watched: &[(f64, f64)],
    p: &RiskParams,
) -> Vec<Risk> {
    let listed: std::collections::HashSet<u32> = matches
        .iter()
        .filter(|m| m.strength >= p.listed_min_strength)
        .map(|m| m.mmsi)
        .collect();
    let mut by: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by.entry(e.mmsi).or_default().push(e);
        if e.kind() == EventKind::Encounter || e.kind() == EventKind::IdentityChange {
            if let Some(o) = e.other_mmsi {
                by.entry(o).or_default().push(e);
            }
        }
    }
    for m in matches {
        by.entry(m.mmsi).or_default();
    }
    for m in network {
        by.entry(m.mmsi).or_default();
    }
    let mut out = Vec::new();
    for (mmsi, evs) in by {
        let mut c: Vec<Contribution> = Vec::new();
        let mut add = |reason: String, count: usize, points: f64| {
            if count > 0 && points > 0.0 {
                c.push(Contribution {
                    reason,
                    count,
                    points,
                });
            }
        };
        let of = |k: EventKind| evs.iter().filter(move |e| e.kind() == k && e.mmsi == mmsi);
        // dark port calls
        // likely calls only: a candidate (probability under 0.5) is a
        // feasible silence, not an accusation
        let calls: Vec<&&Event> = of(EventKind::DarkPortCall)
            .filter(|e| e.confidence >= 0.5)
            .collect();
        let pts: f64 = calls.iter().map(|e| e.confidence * p.dark_port_call).sum();
        // every port each silence allows, not only the one it is placed
        // at: the reachability test cannot tell ports a few km apart
        let mut ports: Vec<&str> = Vec::new();
        for e in &calls {
            for x in e.ports() {
                if !ports.contains(&x) {
                    ports.push(x);
                }
            }
        }
        let ports = match model::either(&ports) {
            Some(w) if ports.len() > 1 => format!("{w}: the silences do not tell which"),
            w => w.unwrap_or_default(),
        };
        add(
            format!(
                "{} likely dark port call(s) at watched ports ({}), {} points each times its probability, capped at {}",
                calls.len(),
                ports,
                p.dark_port_call,
                p.dark_port_call_cap
            ),
            calls.len(),
            pts.min(p.dark_port_call_cap),
        );
        // encounters
        let enc: Vec<&&Event> = evs
            .iter()
            .filter(|e| {
                e.kind() == EventKind::Encounter && (e.mmsi == mmsi || e.other_mmsi == Some(mmsi))
            })
            .collect();
        let partner = |e: &Event| {
            if e.mmsi == mmsi {
                e.other_mmsi
            } else {
                Some(e.mmsi)
            }
        };
        let with_listed = enc
            .iter()
            .filter(|e| partner(e).is_some_and(|o| listed.contains(&o)))
            .count();
        let other = enc.len() - with_listed;
        let pts = with_listed as f64 * p.encounter_with_listed + other as f64 * p.encounter;
        add(
            format!(
                "{} encounter(s) at sea: {with_listed} with a listed vessel ({} points each), {other} with an unlisted or dark partner ({} each), capped at {}",
                enc.len(), p.encounter_with_listed, p.encounter, p.encounter_cap
            ),
            enc.len(),
            pts.min(p.encounter_cap),
        );
        // identity
        let own = of(EventKind::IdentityChange)
            .filter(|e| e.other_mmsi.is_none())
            .count();
        let moved: Vec<&&Event> = evs
            .iter()
            .filter(|e| {
                e.kind() == EventKind::IdentityChange
                    && e.other_mmsi.is_some()
                    && (e.mmsi == mmsi || e.other_mmsi == Some(mmsi))
            })
            .collect();
        let flags = moved
            .iter()
            .filter(|e| {
                matches!(
                    e.evidence.identity_change(),
                    Some(model::evidence::IdentityChange::ImoMoved(m)) if m.flag_changed
                )
            })
            .count();
        let pts = own as f64 * p.identity_change
            + moved.len() as f64 * p.imo_moved
            + flags as f64 * p.flag_change;
        add(
            format!(
                "identity games: {own} change(s) of name/callsign/IMO/type ({} each), {} IMO move(s) between MMSIs ({} each), {flags} with a flag change ({} more each), capped at {}",
                p.identity_change, moved.len(), p.imo_moved, p.flag_change, p.identity_cap
            ),
            own + moved.len(),
            pts.min(p.identity_cap),
        );
        let n = of(EventKind::SharedMmsi).count();
        add(
            format!("MMSI shared by two transmitters ({} points)", p.shared_mmsi),
            n,
            if n > 0 { p.shared_mmsi } else { 0.0 },
        );
        let n = of(EventKind::PositionJump).count();
        add(
            format!(
                "{n} position jump(s) typical of spoofing ({} points)",
                p.position_jump
            ),
            n,
            if n > 0 { p.position_jump } else { 0.0 },
        );
        let gaps = of(EventKind::AisGap)
            .filter(|e| {
                let (Some(lat), Some(lon)) = (e.lat, e.lon) else {
                    return false;
                };
                watched
                    .iter()
                    .any(|w| sea::geo::distance_nm(lat, lon, w.0, w.1) <= p.high_risk_nm)
            })
            .count();
        add(
            format!(
                "{gaps} AIS gap(s) beginning within {} nm of a watched port ({} each, capped at {})",
                p.high_risk_nm, p.gap_near_watched, p.gap_cap
            ),
            gaps,
            (gaps as f64 * p.gap_near_watched).min(p.gap_cap),
        );
        if let Some(m) = matches
            .iter()
            .filter(|m| m.mmsi == mmsi)
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
        {
            add(
                format!(
                    "matches {} entry {:?} ({}, strength {:.2}: {}), {} points times strength",
                    m.list,
                    m.listed_name,
                    m.level,
                    m.strength,
                    m.basis
                        .iter()
                        .map(|b| b.field.as_str())
                        .collect::<Vec<_>>()
                        .join("+"),
                    p.list_match
                ),
                1,
                m.strength * p.list_match,
            );
        }
        // a listed vessel's own listing already answers for its company:
        // the network adds points only for vessels not listed themselves
        if let Some(m) = network
            .iter()
            .filter(|m| m.mmsi == mmsi && !listed.contains(&mmsi))
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
        {
            add(
                format!(
                    "{}: {} (strength {:.2}), {} points times strength",
                    m.kind.replace('_', " "),
                    m.words,
                    m.strength,
                    p.network_match
                ),
                1,
                m.strength * p.network_match,
            );
        }
        if c.is_empty() {
            continue;
        }
        let score = c.iter().map(|x| x.points).sum::<f64>().min(100.0);
        let name = evs
            .iter()
            .filter(|e| e.mmsi == mmsi)
            .filter_map(|e| e.vessel.as_ref().and_then(|v| v.name.clone()))
            .next_back();
        out.push(Risk {
            mmsi,
            name,
            score,
            contributions: c,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.mmsi.cmp(&b.mmsi)));
    out
}
