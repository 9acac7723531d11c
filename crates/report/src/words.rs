//! The report's sentences: what a vessel did and how sure the evidence
//! is, in words a reader can quote. Every rule of wording is here, and
//! nowhere else: probabilities in the calibrated language of the IPCC's
//! guidance note (Mastrandrea et al. 2010: "virtually certain" 99-100%,
//! "very likely" 90-100%, "likely" 66-100%, "about as likely as not"
//! 33-66%, "unlikely" 0-33%, "very unlikely" 0-10%), counts in words,
//! and each piece of evidence linked to its event. The facts come in as
//! plain values ([`VesselFacts`], [`CaseFacts`]); the text goes out as
//! `maud` markup, which escapes every name and place (broadcast text is
//! attacker-controlled).

use maud::{html, Markup};

/// A probability in words (IPCC calibrated language), for the
/// calibrated confidence of an event.
pub fn likelihood(p: f64) -> &'static str {
    match p {
        p if p >= 0.99 => "virtually certain",
        p if p >= 0.90 => "very likely",
        p if p >= 0.66 => "likely",
        p if p >= 0.33 => "about as likely as not",
        p if p >= 0.10 => "unlikely",
        p if p >= 0.01 => "very unlikely",
        _ => "exceptionally unlikely",
    }
}

/// "1 dark port call", "3 dark port calls".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a", "a and b", "a, b and c".
pub fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Confidences grouped by their words, strongest first: "7 virtually
/// certain, 2 very likely".
pub fn by_likelihood(confidences: &[f64]) -> String {
    let mut groups: Vec<(&str, usize)> = Vec::new();
    let mut sorted = confidences.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for c in sorted {
        let w = likelihood(c);
        match groups.last_mut() {
            Some(g) if g.0 == w => g.1 += 1,
            _ => groups.push((w, 1)),
        }
    }
    let parts: Vec<String> = groups.iter().map(|(w, n)| format!("{n} {w}")).collect();
    list(&parts)
}

/// A claim's verdict as a sentence ends: "5 are consistent with the data".
pub fn verdict(v: intel::claims::Verdict) -> &'static str {
    use intel::claims::Verdict as V;
    match v {
        V::Consistent => "consistent with the data",
        V::ExceedsCapacity => "beyond what the voyages seen could carry",
        V::ExceedsLikely => "within capacity but above the likely range",
        V::BelowLikely => "below the likely range",
        V::NotCovered => "about periods the data do not cover enough",
        V::NotCheckable => "not checkable against these data",
    }
}

/// One piece of evidence, linked to its event in the page.
#[derive(Debug, Clone)]
pub struct Piece {
    /// The link to the event's row in the page (`#e-<id>`).
    pub href: String,
    /// Its kind, in words ("dark port call").
    pub kind: String,
    /// The vessel's name (attacker-controlled), for the case summary.
    pub vessel: Option<String>,
    /// When (short time).
    pub when: String,
    /// Where, in words (a port, "Najin or Sonbong", or none).
    pub place: Option<String>,
    /// Calibrated confidence.
    pub confidence: f64,
}

fn piece(p: &Piece, with_vessel: bool) -> Markup {
    html! {
        a href=(p.href) {
            (p.kind)
            @if with_vessel { @if let Some(v) = &p.vessel { " of " (v) } }
            @if let Some(pl) = &p.place { " at " (pl) }
            " on " (p.when)
        }
        " (" (likelihood(p.confidence)) ", " (format!("{:.2}", p.confidence)) ")"
    }
}

fn pieces(ps: &[Piece], with_vessel: bool) -> Markup {
    html! {
        @for (k, p) in ps.iter().enumerate() {
            @if k > 0 { @if k + 1 == ps.len() { " and " } @else { "; " } }
            (piece(p, with_vessel))
        }
    }
}

/// What a dossier's summary says of one vessel.
#[derive(Debug, Clone, Default)]
pub struct VesselFacts {
    /// Latest name broadcast (attacker-controlled).
    pub name: Option<String>,
    /// MMSI.
    pub mmsi: u32,
    /// IMO broadcast.
    pub imo: Option<u32>,
    /// Flag.
    pub flag: Option<String>,
    /// List matches: (list, level, fields that matched).
    pub listed: Vec<(String, String, Vec<String>)>,
    /// The strongest ownership-network match, in words.
    pub network: Option<String>,
    /// Other MMSIs of the same hull (same IMO), in order.
    pub same_hull: Vec<u32>,
    /// Confidences of its likely dark port calls.
    pub dark_calls: Vec<f64>,
    /// The ports those calls may have been at, in words.
    pub dark_ports: Option<String>,
    /// Candidate dark port calls (confidence under 0.5).
    pub candidates: usize,
    /// Likely encounters, and how many with a listed vessel.
    pub encounters: (usize, usize),
    /// AIS gaps.
    pub gaps: usize,
    /// Identity changes.
    pub identity_changes: usize,
    /// Whether two transmitters share its MMSI.
    pub shared_mmsi: bool,
    /// Laden voyages from watched ports, and where they ended.
    pub voyages: usize,
    /// Where those voyages ended.
    pub destinations: Vec<String>,
    /// Sum of the voyages' median likely containers.
    pub likely_containers: Option<f64>,
    /// The strongest evidence, strongest first.
    pub strongest: Vec<Piece>,
}

/// The paragraph at the top of a vessel's dossier.
pub fn vessel_summary(f: &VesselFacts) -> Markup {
    let name = f
        .name
        .as_deref()
        .unwrap_or("This vessel (no name broadcast)");
    let mut did: Vec<String> = Vec::new();
    if !f.dark_calls.is_empty() {
        did.push(format!(
            "{}{} ({})",
            count(f.dark_calls.len(), "dark port call", "dark port calls"),
            f.dark_ports
                .as_deref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default(),
            by_likelihood(&f.dark_calls)
        ));
    }
    if f.encounters.0 > 0 {
        did.push(format!(
            "{}{}",
            count(f.encounters.0, "encounter at sea", "encounters at sea"),
            if f.encounters.1 > 0 {
                format!(" ({} with a listed vessel)", f.encounters.1)
            } else {
                String::new()
            }
        ));
    }
    if f.identity_changes > 0 {
        did.push(count(
            f.identity_changes,
            "change of broadcast identity",
            "changes of broadcast identity",
        ));
    }
    html! {
        p.vsummary {
            b { (name) } " (MMSI " (f.mmsi)
            @if let Some(i) = f.imo { ", IMO " (i) }
            @if let Some(fl) = &f.flag { ", flag " (fl) }
            ")"
            @if f.listed.is_empty() { " is on no list given" } @else {
                " is listed: "
                @for (k, (l, level, fields)) in f.listed.iter().enumerate() {
                    @if k > 0 { "; " }
                    (l) " (" (level) " match by " (list(fields)) ")"
                }
            }
            @if let Some(n) = &f.network { "; " (n) }
            ". "
            @if !f.same_hull.is_empty() {
                "The same hull (its IMO) also broadcast as MMSI " (list(&f.same_hull.iter().map(u32::to_string).collect::<Vec<_>>())) ". "
            }
            @if f.shared_mmsi { "Two or more transmitters use its MMSI at the same time; their tracks are drawn apart. " }
            @if did.is_empty() { "The data show no dark port call, encounter or identity change for it" } @else { "In the data it made " (list(&did)) }
            @if f.candidates > 0 { ", besides " (count(f.candidates, "candidate silence", "candidate silences")) " that the data allow but do not support" }
            ". "
            @if f.voyages > 0 {
                (count(f.voyages, "laden voyage", "laden voyages")) " from watched ports"
                @if !f.destinations.is_empty() { " ended at " (list(&f.destinations)) }
                @if let Some(c) = f.likely_containers { ", likely carrying about " (crate::html::thousands(c)) " containers in all (the median of each voyage's estimate, summed)" }
                ". "
            }
            @if f.gaps > 0 { (count(f.gaps, "AIS silence", "AIS silences")) " in all. " }
            @if !f.strongest.is_empty() { "Strongest evidence: " (pieces(&f.strongest, false)) "." }
        }
    }
}

/// What the case summary at the top of the report says.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    /// First and last day of the data.
    pub period: (String, String),
    /// Vessels of interest, and how many of them are on a list.
    pub vessels: (usize, usize),
    /// Confidences of the likely dark port calls of the vessels of interest.
    pub dark_calls: Vec<f64>,
    /// Where those calls may have been, in words.
    pub dark_ports: Option<String>,
    /// Laden voyages from watched ports.
    pub voyages: usize,
    /// Likely containers of the campaign (P10, P50, P90).
    pub likely_containers: Option<(f64, f64, f64)>,
    /// The campaign's capacity in containers (P90).
    pub capacity_containers: Option<f64>,
    /// Claims checked, by verdict in words.
    pub claims: Vec<(String, usize)>,
    /// The strongest evidence of the case.
    pub strongest: Vec<Piece>,
}

/// The paragraph at the top of the report.
pub fn case_summary(f: &CaseFacts) -> Markup {
    html! {
        p.lede {
            "From " (f.period.0) " to " (f.period.1) ", "
            (count(f.vessels.0, "vessel", "vessels")) " stand out"
            @if f.vessels.1 > 0 { " (" (f.vessels.1) " on a list given)" }
            @if f.dark_calls.is_empty() { ". None of them made a likely dark port call" } @else {
                ". Between them they made " (count(f.dark_calls.len(), "likely dark port call", "likely dark port calls"))
                @if let Some(p) = &f.dark_ports { " at " (p) }
                " (" (by_likelihood(&f.dark_calls)) ")"
            }
            @if f.voyages > 0 {
                " and " (count(f.voyages, "laden voyage", "laden voyages")) " from watched ports"
                @if let Some((a, m, b)) = f.likely_containers { ", which likely carried " (crate::html::thousands(a)) " to " (crate::html::thousands(b)) " containers (median " (crate::html::thousands(m)) ")" }
                @if let Some(c) = f.capacity_containers { "; they could have carried at most about " (crate::html::thousands(c)) }
            }
            ". "
            @if !f.claims.is_empty() {
                "Of the public claims checked, "
                @for (k, (v, n)) in f.claims.iter().enumerate() {
                    @if k > 0 { @if k + 1 == f.claims.len() { " and " } @else { ", " } }
                    (n) " " (if *n == 1 { "is" } else { "are" }) " " (v)
                }
                ". "
            }
            @if !f.strongest.is_empty() { "The strongest evidence: " (pieces(&f.strongest, true)) "." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>\"'&";

    #[test]
    fn probabilities_read_in_calibrated_language() {
        assert_eq!(likelihood(0.995), "virtually certain");
        assert_eq!(likelihood(0.93), "very likely");
        assert_eq!(likelihood(0.7), "likely");
        assert_eq!(likelihood(0.5), "about as likely as not");
        assert_eq!(likelihood(0.2), "unlikely");
        assert_eq!(likelihood(0.05), "very unlikely");
        assert_eq!(
            by_likelihood(&[0.95, 0.995, 0.999]),
            "2 virtually certain and 1 very likely"
        );
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(count(1, "call", "calls"), "1 call");
    }

    #[test]
    fn hostile_names_and_places_are_escaped() {
        let ev = Piece {
            href: "#e-ev-1\"><b>".into(),
            kind: "dark port call".into(),
            vessel: Some(HOSTILE.into()),
            when: "2023-08-10".into(),
            place: Some(HOSTILE.into()),
            confidence: 0.97,
        };
        let v = VesselFacts {
            name: Some(HOSTILE.into()),
            mmsi: 273210440,
            flag: Some(HOSTILE.into()),
            listed: vec![(HOSTILE.into(), "strong".into(), vec![HOSTILE.into()])],
            dark_calls: vec![0.97],
            dark_ports: Some(HOSTILE.into()),
            destinations: vec![HOSTILE.into()],
            voyages: 1,
            strongest: vec![ev.clone()],
            ..VesselFacts::default()
        };
        let c = CaseFacts {
            period: (HOSTILE.into(), HOSTILE.into()),
            vessels: (1, 1),
            dark_calls: vec![0.97],
            dark_ports: Some(HOSTILE.into()),
            claims: vec![(HOSTILE.into(), 1)],
            strongest: vec![ev],
            ..CaseFacts::default()
        };
        for html in [
            vessel_summary(&v).into_string(),
            case_summary(&c).into_string(),
        ] {
            assert!(!html.contains("<script"), "{html}");
            assert!(
                html.contains(r##"href="#e-ev-1&quot;&gt;&lt;b&gt;""##),
                "{html}"
            );
            assert!(
                html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{html}"
            );
            assert!(html.contains("very likely"), "{html}");
        }
    }

    #[test]
    fn a_vessel_with_nothing_against_it_says_so() {
        let v = VesselFacts {
            name: Some("ORDINARY".into()),
            mmsi: 1,
            ..VesselFacts::default()
        };
        let t = vessel_summary(&v).into_string();
        assert!(t.contains("is on no list given"), "{t}");
        assert!(t.contains("show no dark port call"), "{t}");
        assert!(!t.contains("Strongest evidence"), "{t}");
    }
}
