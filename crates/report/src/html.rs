//! `report.html`: the evidence dossier. One file, no network: the map and
//! charts are inline SVG, the style and the small script are inline and
//! pinned by hash in a Content Security Policy that forbids everything else
//! (`default-src 'none'`), so neither a broken link nor injected markup can
//! make the page load or run anything.

use crate::map::Track;
use crate::{charts, map, short_time, words, Inputs, Vessel, Written};
use base64::Engine;
use detect::event::Detail;
use detect::{Event, EventKind};
use intel::estimate::Quantiles;
use intel::profile::{Profile, Seen};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::Digest;
use std::collections::BTreeMap;

const CSS: &str = include_str!("../assets/report.css");
const JS: &str = include_str!("../assets/report.js");

fn csp_hash(s: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s.as_bytes()))
    )
}

/// The policy the page carries: nothing but its own inline style and script.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(JS),
        csp_hash(CSS)
    )
}

/// 12345.6 -> "12,346".
pub fn thousands(x: f64) -> String {
    intel::estimate::thousands(x)
}

fn q3(q: &Quantiles) -> Markup {
    html! {
        td.num data-v=(format!("{:.3}", q.p10)) { (thousands(q.p10)) }
        td.num data-v=(format!("{:.3}", q.p50)) { (thousands(q.p50)) }
        td.num data-v=(format!("{:.3}", q.p90)) { (thousands(q.p90)) }
    }
}

fn ms_time(ms: i64) -> String {
    short_time(&detect::event::rfc3339(ms))
}

fn seen_rows<T: std::fmt::Display>(label: &str, v: &[Seen<T>]) -> Markup {
    html! {
        @for s in v {
            tr { th { (label) } td { (s.value.to_string()) } td { (ms_time(s.first_ms)) } td { (ms_time(s.last_ms)) } }
        }
    }
}

/// Confidence from which an event is shown as likely rather than as a
/// candidate (a calibrated probability: more likely than not).
pub const LIKELY: f64 = 0.5;

/// One line on why an event was raised, from its evidence.
pub fn why(e: &Event) -> String {
    use model::evidence::Encounter;
    match &e.evidence.detail {
        Detail::DarkPortCall(d) => {
            let mut s = format!(
                "{}silent {:.0} h, {:.0} h that sailing straight cannot explain",
                if e.confidence < LIKELY {
                    "candidate only (feasible, evidence weak): "
                } else {
                    ""
                },
                d.gap.hours,
                d.unexplained_hours
            );
            if let (Some(a), Some(b)) = (d.draught_before_m, d.draught_after_m) {
                let (a, b) = (f64::from(a), f64::from(b));
                s.push_str(&format!("; draught {a:.1} -> {b:.1} m"));
            }
            for i in &d.imaged {
                s.push_str(&format!(
                    "; imaged at {} by {} {} ({}{}, likelihood ratio {:.1})",
                    i.port,
                    i.source.as_deref().unwrap_or("an image"),
                    crate::short(i.time),
                    i.scene_id,
                    i.length_m
                        .map(|l| format!(", a {l:.0} m hull"))
                        .unwrap_or_default(),
                    i.likelihood_ratio
                ));
            }
            s
        }
        Detail::AisGap(g) => {
            let mut s = format!("silent {:.1} h", g.hours());
            if let Some(d) = g.distance_from_shore_nm() {
                s.push_str(&format!(", {d:.0} nm from shore"));
            }
            if e.end.is_none() {
                s.push_str(", still silent at the end of the data");
            }
            s
        }
        Detail::Encounter(Encounter::Pair(x)) if f64::from(x.median_distance_m).is_finite() => {
            format!(
                "within {:.0} m for {:.1} h",
                f64::from(x.median_distance_m),
                crate::hours(e)
            )
        }
        Detail::Encounter(Encounter::Pair(_)) => format!("for {:.1} h", crate::hours(e)),
        Detail::DraughtChange(d) => {
            format!("{:.1} -> {:.1} m", f64::from(d.from_m), f64::from(d.to_m))
        }
        Detail::PortVisit(v) => format!("level {}, {:.1} h", v.level, crate::hours(e)),
        Detail::DarkVessel(d) => {
            format!(
                "{}{} in {} ({}), the nearest AIS vessel placed at that time {}",
                d.length_m
                    .map(|l| format!("a {l:.0} m hull"))
                    .unwrap_or_else(|| "a hull".into()),
                d.source
                    .as_deref()
                    .map(|s| format!(" seen by {s}"))
                    .unwrap_or_default(),
                d.scene_id,
                d.detection_id,
                d.nearest_ais_km
                    .map(|k| format!("{k:.1} km away"))
                    .unwrap_or_else(|| "none".into()),
            ) + &could_be(d)
        }
        d => d.rule().unwrap_or_default().to_string(),
    }
}

/// The silent vessels a dark vessel could be, in words.
fn could_be(d: &model::evidence::DarkVessel) -> String {
    if d.could_be.is_empty() {
        return "; no silent AIS vessel could have been there".into();
    }
    let v: Vec<String> = d
        .could_be
        .iter()
        .map(|c| format!("{} ({:.1} kn needed)", c.mmsi, c.speed_needed_kn))
        .collect();
    let more = d.could_be_count.saturating_sub(d.could_be.len());
    format!(
        "; silent then and within reach: {}{}",
        v.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Rows of an events table; each row's id is `prefix` and the event id
/// (the notable and candidate tables use `e-`, a dossier `v<MMSI>-e-`, so
/// that no id is given twice).
fn event_rows(events: &[&Event], vessel_link: bool, prefix: &str) -> Markup {
    html! {
        @for e in events {
            tr id=(format!("{prefix}{}", e.id)) {
                td { (e.kind().as_str().replace('_', " ")) }
                @if vessel_link {
                    td { @if e.mmsi == 0 { span.small { "no AIS" } } @else { a href=(format!("#v-{}", e.mmsi)) { (e.mmsi) } } }
                    td { (e.vessel.as_ref().and_then(|v| v.name.as_deref()).unwrap_or("")) }
                }
                td data-v=(e.start_ms()) { (crate::short(e.start)) }
                td data-v=(e.end_ms()) { (e.end.map(crate::short).unwrap_or_else(|| "open".into())) }
                td.num data-v=(format!("{:.3}", crate::hours(e))) { (format!("{:.1}", crate::hours(e))) }
                td { @if let Some(p) = e.port_words() { (p) @let also = e.also_reachable(); @if !also.is_empty() { br; span.small { "also reachable: " (also.join(", ")) } } } @else if let (Some(la), Some(lo)) = (e.lat, e.lon) { (format!("{la:.3}, {lo:.3}")) } }
                td { @if let Some(o) = e.other_mmsi { a href=(format!("#v-{o}")) { (o) } } }
                td.num { (format!("{:.2}", e.confidence)) }
                td { (why(e)) }
                td.small { (e.id) }
            }
        }
    }
}

fn event_head(vessel_link: bool) -> Markup {
    html! {
        thead { tr {
            th { "kind" }
            @if vessel_link { th { "MMSI" } th { "name" } }
            th { "start" } th { "end" } th { "hours" } th { "place" } th { "with" } th { "confidence" } th { "why" } th { "id" }
        } }
    }
}

/// Event kinds a summary may cite as evidence and the map marks.
const NOTABLE: [EventKind; 7] = [
    EventKind::DarkPortCall,
    EventKind::Encounter,
    EventKind::Loitering,
    EventKind::IdentityChange,
    EventKind::SharedMmsi,
    EventKind::PositionJump,
    EventKind::DarkVessel,
];

fn piece(e: &Event, prefix: &str) -> words::Piece {
    words::Piece {
        href: format!("#{prefix}{}", e.id),
        kind: e.kind().as_str().replace('_', " "),
        vessel: e.vessel.as_ref().and_then(|v| v.name.clone()),
        when: crate::short(e.start).get(..10).unwrap_or("").to_string(),
        place: e.port_words(),
        confidence: e.confidence,
    }
}

/// The `n` likely notable events with the highest confidence, earliest
/// first among equals; a dark port call counts before other kinds.
fn strongest(events: &[&Event], n: usize, prefix: &str) -> Vec<words::Piece> {
    let mut v: Vec<&Event> = events
        .iter()
        .copied()
        .filter(|e| NOTABLE.contains(&e.kind()) && e.confidence >= LIKELY)
        .collect();
    v.sort_by(|a, b| {
        (b.kind() == EventKind::DarkPortCall)
            .cmp(&(a.kind() == EventKind::DarkPortCall))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.start_ms().cmp(&b.start_ms()))
    });
    v.into_iter().take(n).map(|e| piece(e, prefix)).collect()
}

/// Every port a set of dark port calls may have been at, most named first.
fn ports_of(calls: &[&Event]) -> Option<String> {
    let mut n: Vec<(String, usize)> = Vec::new();
    for e in calls {
        for p in e.ports() {
            match n.iter_mut().find(|x| x.0 == p) {
                Some(x) => x.1 += 1,
                None => n.push((p.to_string(), 1)),
            }
        }
    }
    n.sort_by_key(|x| std::cmp::Reverse(x.1));
    let names: Vec<String> = n.into_iter().map(|x| x.0).collect();
    model::either(&names)
}

fn vessel_facts(v: &Vessel, inp: &Inputs, events: &[&Event]) -> words::VesselFacts {
    let j = inp.judgement;
    let p = inp.profiles.get(&v.mmsi);
    let listed: std::collections::BTreeSet<u32> = j.matches.iter().map(|m| m.mmsi).collect();
    let own = |k: EventKind| -> Vec<&Event> {
        events
            .iter()
            .copied()
            .filter(|e| e.kind() == k && (e.mmsi == v.mmsi || e.other_mmsi == Some(v.mmsi)))
            .collect()
    };
    let calls: Vec<&Event> = own(EventKind::DarkPortCall)
        .into_iter()
        .filter(|e| e.mmsi == v.mmsi)
        .collect();
    let (likely_calls, candidates): (Vec<&Event>, Vec<&Event>) =
        calls.into_iter().partition(|e| e.confidence >= LIKELY);
    let enc: Vec<&Event> = own(EventKind::Encounter)
        .into_iter()
        .filter(|e| e.confidence >= LIKELY)
        .collect();
    let with_listed = enc
        .iter()
        .filter(|e| {
            let other = if e.mmsi == v.mmsi {
                e.other_mmsi
            } else {
                Some(e.mmsi)
            };
            other.is_some_and(|o| listed.contains(&o))
        })
        .count();
    let voyages: Vec<&intel::estimate::VoyageEstimate> = j
        .estimate
        .voyages
        .iter()
        .filter(|x| x.mmsi == v.mmsi)
        .collect();
    let mut destinations: Vec<String> = Vec::new();
    for x in &voyages {
        if let Some(t) = &x.to {
            if !destinations.contains(t) {
                destinations.push(t.clone());
            }
        }
    }
    let same_hull = j
        .hulls
        .iter()
        .find(|h| h.identities.iter().any(|i| i.mmsi == v.mmsi))
        .map(|h| {
            h.identities
                .iter()
                .map(|i| i.mmsi)
                .filter(|&m| m != v.mmsi)
                .collect()
        })
        .unwrap_or_default();
    let network = j
        .network
        .iter()
        .find(|n| n.mmsi == v.mmsi)
        .and_then(|n| {
            n.matches
                .iter()
                .max_by(|a, b| a.strength.total_cmp(&b.strength))
        })
        .map(|m| m.words.clone());
    words::VesselFacts {
        name: v.name.clone(),
        mmsi: v.mmsi,
        imo: p.and_then(|p| p.imos.last()).map(|s| s.value),
        flag: p.and_then(|p| p.flag.clone()),
        listed: j
            .matches
            .iter()
            .filter(|m| m.mmsi == v.mmsi)
            .map(|m| {
                let mut f: Vec<String> = Vec::new();
                for b in &m.basis {
                    if !f.contains(&b.field) {
                        f.push(b.field.clone());
                    }
                }
                (m.list.clone(), m.level.clone(), f)
            })
            .collect(),
        network,
        same_hull,
        dark_calls: likely_calls.iter().map(|e| e.confidence).collect(),
        dark_ports: ports_of(&likely_calls),
        candidates: candidates.len(),
        encounters: (enc.len(), with_listed),
        gaps: own(EventKind::AisGap)
            .into_iter()
            .filter(|e| e.mmsi == v.mmsi)
            .count(),
        identity_changes: own(EventKind::IdentityChange).len(),
        shared_mmsi: !own(EventKind::SharedMmsi).is_empty(),
        voyages: voyages.len(),
        destinations,
        likely_containers: (!voyages.is_empty())
            .then(|| voyages.iter().map(|x| x.likely.containers.p50).sum()),
        strongest: strongest(events, 3, &format!("v{}-e-", v.mmsi)),
    }
}

fn dossier(v: &Vessel, inp: &Inputs, events: &[&Event], period: (i64, i64)) -> Markup {
    let p = inp
        .profiles
        .get(&v.mmsi)
        .cloned()
        .unwrap_or_else(|| Profile::new(v.mmsi));
    let risk = inp.judgement.risk.iter().find(|r| r.mmsi == v.mmsi);
    let net = inp.judgement.network.iter().find(|n| n.mmsi == v.mmsi);
    let hull = inp
        .judgement
        .hulls
        .iter()
        .find(|h| h.identities.iter().any(|i| i.mmsi == v.mmsi));
    let matches: Vec<&intel::matching::Match> = inp
        .judgement
        .matches
        .iter()
        .filter(|m| m.mmsi == v.mmsi)
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events {
        *count.entry(e.kind().as_str()).or_default() += 1;
    }
    let flag = p.flag.clone().unwrap_or_else(|| "?".into());
    html! {
        article.dossier id=(format!("v-{}", v.mmsi)) {
            h3 {
                svg.swatch viewBox="0 0 20 10" width="20" height="10" { path d="M0 5H20" stroke=(v.colour) stroke-width="4" {} }
                " " (v.name.as_deref().unwrap_or("(no name broadcast)"))
                " " span.mmsi { "MMSI " (v.mmsi) " · flag " (flag) }
                " " span.risk { "risk " (format!("{:.0}", v.risk)) }
            }
            (words::vessel_summary(&vessel_facts(v, inp, events)))
            div.cols {
                div {
                    h4 { "Identities broadcast" }
                    table.ident {
                        thead { tr { th { "field" } th { "value" } th { "first seen" } th { "last seen" } } }
                        tbody {
                            (seen_rows("name", &p.names))
                            (seen_rows("IMO", &p.imos))
                            (seen_rows("callsign", &p.callsigns))
                            (seen_rows("ship type", &p.ship_types))
                            (seen_rows("destination", &p.destinations))
                        }
                    }
                    @if let (Some(l), Some(b)) = (p.length_m, p.beam_m) { p.small { "Broadcast dimensions " (format!("{l:.0} m x {b:.0} m")) "." } }
                    @if let Some(h) = hull {
                        h4 { "One hull, IMO " (h.imo) ", under " (h.identities.len()) " MMSIs" }
                        ul.small {
                            @for i in &h.identities {
                                li { @if i.mmsi == v.mmsi { b { "MMSI " (i.mmsi) } } @else { a href=(format!("#v-{}", i.mmsi)) { "MMSI " (i.mmsi) } }
                                    " " (i.names.join(" / ")) " (" (short_time(&i.first)) " to " (short_time(&i.last)) ")" }
                            }
                            @for x in &h.handovers {
                                li { (x.from_mmsi) " -> " (x.to_mmsi) ": " @if x.hours < 0.0 { b { "both broadcast this IMO at once for " (format!("{:.0}", -x.hours)) " h (two transmitters, one identity)" } } @else { (format!("{:.1}", x.hours)) " h between the last report of one and the first of the next" } }
                            }
                        }
                    }
                }
                div {
                    h4 { "Risk " (format!("{:.1}", v.risk)) " / 100" }
                    @if let Some(r) = risk {
                        ul { @for c in &r.contributions { li { (format!("+{:.1}", c.points)) " " (c.reason) } } }
                    } @else { p { "No risk contributions." } }
                    h4 { "List matches" }
                    @if matches.is_empty() { p { "None." } }
                    @for m in &matches {
                        p {
                            b { (m.level) } " (" (format!("{:.2}", m.strength)) ") " (m.list) ": " q { (m.listed_name) }
                            @if let Some(i) = m.listed_imo { " IMO " (i) }
                            " " span.small { "[" (m.origin) "]" }
                        }
                        ul.small { @for b in &m.basis {
                            li { (b.field) ": " q { (b.observed) } " = listed " q { (b.listed) } " (" (short_time(&b.first_seen)) " to " (short_time(&b.last_seen)) ")"
                                @if let Some(n) = &b.note { " - " (n) } }
                        } }
                    }
                    @if let Some(n) = net {
                        h4 { "Owners, managers and sister ships" }
                        ul.small { @for l in &n.links {
                            li { (l.from) " " (l.kind.words()) " " b { (l.to) } " [" (l.origin) "]"
                                @if l.since.is_some() || l.until.is_some() { " (" (l.since.as_deref().unwrap_or("?")) " to " (l.until.as_deref().unwrap_or("?")) ")" } }
                        } }
                        @if !n.sisters.is_empty() {
                            p.small { "Sister ships (the same party behind them): "
                                @for s in &n.sisters { (s.name) @if let Some(i) = s.imo { " IMO " (i) } " via " (s.via) @if !s.listed.is_empty() { " (" b { "listed" } ")" } "; " } }
                        }
                        @for m in &n.matches {
                            p.small { b { (m.kind.replace('_', " ")) } " (" (format!("{:.2}", m.strength)) "): " (m.words) }
                        }
                    }
                    h4 { "Events" }
                    p { @for (k, n) in &count { span.pill { (k.replace('_', " ")) " " (n) } " " } }
                }
            }
            @if let Some(n) = net {
                h4 { "Network" }
                (charts::network(n, v.name.as_deref().unwrap_or("(no name broadcast)")))
            }
            @if let Some(im) = &inp.imagery {
                @let seen: Vec<&crate::Sighting> = im.seen.iter().filter(|s| s.mmsi == v.mmsi).collect();
                @if !seen.is_empty() {
                    details.images {
                        summary { "Seen in " (seen.len()) " satellite image(s), paired with its AIS position" }
                        table.sortable {
                            thead { tr { th { "time" } th { "image" } th { "source" } th { "detection" } th { "length" } th { "from its AIS position" } th { "other vessels as likely" } } }
                            tbody { @for s in &seen {
                                tr {
                                    td data-v=(s.time_ms) { (short_time(&detect::event::rfc3339(s.time_ms))) }
                                    td { (s.scene_id) } td { (s.source.as_deref().unwrap_or("")) } td.small { (s.detection_id) }
                                    td.num { @if let Some(l) = s.length_m { (format!("{l:.0} m")) } }
                                    td.num { (format!("{:.2} km", s.distance_km)) }
                                    td.small { @if s.alternatives.is_empty() { "none" } @else { (s.alternatives.len()) " (ships side by side: the pairing is not certain)" } }
                                }
                            } }
                        }
                    }
                }
            }
            h4 { "Timeline" }
            (charts::timeline(events, period.0, period.1))
            @if !p.draughts.is_empty() {
                h4 { "Draught broadcast" }
                (charts::draught(&p.draughts, period.0, period.1))
            }
            details {
                summary { "All " (events.len()) " events of this vessel" }
                table.sortable.events { (event_head(false)) tbody { (event_rows(events, false, &format!("v{}-e-", v.mmsi))) } }
            }
        }
    }
}

const METHODS: &[(&str, &str)] = &[
    ("Decoding and storage", "Raw NMEA (any talker, tag blocks, multi-sentence assembly) and CSV exports are decoded and stored loss-free in a Parquet dataset; a message heard twice by one source within the dedup window is kept once; every rejected line is counted by reason (see Provenance)."),
    ("Port visits", "A state machine over each vessel's fixes: entry within entry_km of a port, exit beyond exit_km, with stop and moving speeds and in-port silences tolerated (Global Fishing Watch's port-visit method)."),
    ("AIS gaps", "A silence of at least gaps.min_hours between two fixes, with the distance from shore and how many fixes other vessels had nearby that day (reception quality); a silence running to the end of the data is an open gap."),
    ("Dark port calls", "A silence long enough to sail to a watched port at the vessel's own 95th-percentile speed (times the margin), stay there the minimum time, and return, which sailing straight between the ends cannot explain, is a candidate. Its confidence is a calibrated probability from a logistic model over named evidence (course toward the port when it went dark and away from it when it reappeared, distance to the port at both ends, whether other vessels are usually heard where the silence began and ended, the share of the silence straight sailing cannot explain, a draught change, going dark or reappearing in a port, repeats, the silence's length), fitted on simulated worlds with known truth and checked on others; each event lists every feature's contribution."),
    ("Encounters", "Two vessels within the encounter distance at low speed for the minimum duration, found on a space-time index; the one-sided form flags a vessel waiting at sea next to a silent partner."),
    ("Loitering, identity, jumps", "Loitering: a run of fixes under the speed threshold away from ports, one fast fix tolerated as a glitch, its edges halfway to the fixes around it. Identity changes: any change of name, IMO, callsign, ship type or flag, and one IMO on several MMSIs. Shared MMSI vs position jump: consistent position streams are separated by the speed they would need."),
    ("Judgement", "List matches by IMO, MMSI, callsign and normalised name (incl. former names); risk as a sum of capped, named contributions; what each laden voyage from a watched port could have carried (capacity: container slots, the 20-ft payload limit and the ship's deadweight) and probably carried (likely: a draught survey, tonnes per centimetre immersion times the broadcast draught change with the 0.1 m reading error, or a load-factor prior where no change was reported, said so), as a seeded Monte Carlo; public claims read with their bound (at least, about, at most) and set against both ranges over the part of their period the data covers, and paired claims' own arithmetic against the payload limit."),
];

/// The whole page.
pub fn render(inp: &Inputs, vessels: &[Vessel], tracks: &[Track], written: &[Written]) -> String {
    let j = inp.judgement;
    let sources = inp.store.sources();
    let first = sources
        .iter()
        .filter_map(|s| s.first_time.as_deref())
        .min()
        .map(str::to_string);
    let last = sources
        .iter()
        .filter_map(|s| s.last_time.as_deref())
        .max()
        .map(str::to_string);
    let t0 = first
        .as_deref()
        .and_then(ais::nmea::parse_rfc3339_ms)
        .or_else(|| inp.events.iter().map(|e| e.start_ms()).min())
        .unwrap_or(0);
    let t1 = last
        .as_deref()
        .and_then(ais::nmea::parse_rfc3339_ms)
        .or_else(|| inp.events.iter().map(|e| e.end_ms()).max())
        .unwrap_or(t0 + 1)
        .max(t0 + 1);
    // positions stored: each source's, less the copies merged away
    let (messages, positions, dups): (u64, u64, u64) = sources.iter().fold((0, 0, 0), |a, s| {
        let merged: u64 = s.merges.iter().map(|m| m.positions_merged).sum();
        (
            a.0 + s.messages,
            (a.1 + s.positions).saturating_sub(merged),
            a.2 + s.duplicates + merged,
        )
    });
    let rejects: u64 = sources
        .iter()
        .map(|s| s.rejects.values().sum::<u64>())
        .sum();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for e in inp.events {
        *by_kind.entry(e.kind().as_str()).or_default() += 1;
    }
    let of_vessel = |m: u32| -> Vec<&Event> {
        let mut v: Vec<&Event> = inp
            .events
            .iter()
            .filter(|e| e.mmsi == m || e.other_mmsi == Some(m))
            .collect();
        v.sort_by_key(|e| e.start_ms());
        v
    };
    // Likely events (calibrated confidence >= 0.5) and candidates (merely
    // feasible, evidence weak) in separate tables: a candidate is not an
    // accusation and must not read like one.
    let (mut notable, mut candidates): (Vec<&Event>, Vec<&Event>) = inp
        .events
        .iter()
        .filter(|e| NOTABLE.contains(&e.kind()))
        .partition(|e| e.confidence >= LIKELY);
    for v in [&mut notable, &mut candidates] {
        v.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.start_ms().cmp(&b.start_ms()))
        });
    }
    let more = notable.len().saturating_sub(inp.params.max_event_rows);
    notable.truncate(inp.params.max_event_rows);
    let more_candidates = candidates.len().saturating_sub(inp.params.max_event_rows);
    candidates.truncate(inp.params.max_event_rows);
    let munitions: Vec<String> = j
        .parameters
        .estimate
        .munitions
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let camp = &j.estimate.campaign;
    // where laden voyages from watched ports ended: labelled on the map
    let destinations: std::collections::BTreeSet<String> = j
        .estimate
        .voyages
        .iter()
        .filter_map(|v| v.to.clone())
        .collect();
    // vessels of interest grouped by hull (one IMO under several MMSIs),
    // in the order of each group's first vessel
    let mut groups: Vec<(Option<&intel::Hull>, Vec<&Vessel>)> = Vec::new();
    for v in vessels {
        let hull = j
            .hulls
            .iter()
            .find(|h| !h.overlapping && h.identities.iter().any(|i| i.mmsi == v.mmsi));
        match hull.and_then(|h| {
            groups
                .iter_mut()
                .find(|g| g.0.is_some_and(|x| x.imo == h.imo))
        }) {
            Some(g) => g.1.push(v),
            None => groups.push((hull, vec![v])),
        }
    }
    // one voyage's draught survey worked by hand, for the reader
    let worked = j.estimate.voyages.iter().find_map(|v| {
        let dims = inp
            .profiles
            .get(&v.mmsi)
            .and_then(|p| p.length_m.zip(p.beam_m));
        intel::estimate::worked_survey(v, &j.parameters.estimate, dims).map(|w| {
            (
                format!(
                    "{} leaving {} on {}",
                    v.name.as_deref().unwrap_or("?"),
                    v.from.as_deref().unwrap_or("?"),
                    short_time(&v.start)
                ),
                w,
            )
        })
    });
    // the case in one paragraph
    let shown: std::collections::BTreeSet<u32> = vessels.iter().map(|v| v.mmsi).collect();
    let case_events: Vec<&Event> = inp
        .events
        .iter()
        .filter(|e| shown.contains(&e.mmsi))
        .collect();
    let case_calls: Vec<&Event> = case_events
        .iter()
        .copied()
        .filter(|e| e.kind() == EventKind::DarkPortCall && e.confidence >= LIKELY)
        .collect();
    let mut claims: Vec<(String, usize)> = Vec::new();
    for c in &j.claims {
        let w = words::verdict(c.verdict).to_string();
        match claims.iter_mut().find(|x| x.0 == w) {
            Some(x) => x.1 += 1,
            None => claims.push((w, 1)),
        }
    }
    let case = words::CaseFacts {
        period: (
            first
                .as_deref()
                .map(|t| t.get(..10).unwrap_or(t).to_string())
                .unwrap_or_default(),
            last.as_deref()
                .map(|t| t.get(..10).unwrap_or(t).to_string())
                .unwrap_or_default(),
        ),
        vessels: (
            vessels.len(),
            vessels
                .iter()
                .filter(|v| j.matches.iter().any(|m| m.mmsi == v.mmsi))
                .count(),
        ),
        dark_calls: case_calls.iter().map(|e| e.confidence).collect(),
        dark_ports: ports_of(&case_calls),
        voyages: camp.voyages,
        likely_containers: (camp.voyages > 0).then_some((
            camp.likely.containers.p10,
            camp.likely.containers.p50,
            camp.likely.containers.p90,
        )),
        capacity_containers: (camp.voyages > 0).then_some(camp.capacity.containers.p90),
        claims,
        strongest: strongest(&case_events, 3, "e-"),
    };
    let params_toml = |name: &str, v: &dyn erased::Ser| v.toml(name);
    let input_hashes: Vec<(String, Option<(u64, String)>)> = inp
        .inputs
        .iter()
        .map(|p| {
            let h = std::fs::read(p)
                .ok()
                .map(|b| (b.len() as u64, blake3::hash(&b).to_hex().to_string()));
            (p.display().to_string(), h)
        })
        .collect();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                meta name="referrer" content="no-referrer";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("shiptrace {}", env!("CARGO_PKG_VERSION")));
                title { (inp.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    @if let Some(n) = &inp.notice { p.notice { (n) } }
                    h1 { (inp.title) }
                    p.small { "Generated " (short_time(&inp.generated)) " by shiptrace " (env!("CARGO_PKG_VERSION")) " · " code { (inp.command) } }
                    nav { a href="#summary" { "Summary" } a href="#map-section" { "Map" } a href="#vessels" { "Vessels" } a href="#voyages" { "Voyages and estimates" } a href="#claims" { "Claims" } a href="#events" { "Events" } a href="#candidates" { "Candidates" } a href="#methods" { "Methods and parameters" } a href="#provenance" { "Provenance" } }
                }
                main {
                    section #summary {
                        h2 { "Summary" }
                        (words::case_summary(&case))
                        dl.facts {
                            dt { "Period" } dd { (first.as_deref().map(short_time).unwrap_or_default()) " to " (last.as_deref().map(short_time).unwrap_or_default()) }
                            dt { "Input" } dd { (sources.len()) " source(s), " (thousands(messages as f64)) " messages, " (thousands(positions as f64)) " positions, " (thousands(dups as f64)) " duplicates dropped, " (thousands(rejects as f64)) " rejected lines" }
                            dt { "Vessels" } dd { (inp.profiles.len()) " identified, " (vessels.len()) " of interest (risk at least " (inp.params.min_risk) " or on a list)" }
                            dt { "Events" } dd { (inp.events.len()) ": " @for (k, n) in &by_kind { span.pill { (k.replace('_', " ")) " " (n) } " " } }
                            dt { "Laden voyages from watched ports" } dd { (camp.voyages) " (" (camp.by_draught_survey) " weighed by draught survey, " (camp.by_prior) " without a reported draught change)" }
                            dt { "Likely carried (P10/P50/P90)" } dd { "containers " b { (thousands(camp.likely.containers.p10)) " / " (thousands(camp.likely.containers.p50)) " / " (thousands(camp.likely.containers.p90)) } " · tonnes " (thousands(camp.likely.tonnes.p10)) " / " (thousands(camp.likely.tonnes.p50)) " / " (thousands(camp.likely.tonnes.p90)) }
                            dt { "Could have carried (capacity)" } dd { "containers " (thousands(camp.capacity.containers.p10)) " / " (thousands(camp.capacity.containers.p50)) " / " (thousands(camp.capacity.containers.p90)) " · tonnes " (thousands(camp.capacity.tonnes.p10)) " / " (thousands(camp.capacity.tonnes.p50)) " / " (thousands(camp.capacity.tonnes.p90)) }
                            @for (m, r) in &camp.likely.rounds { dt { "Rounds, " (m) } dd { "likely " (thousands(r.p10)) " / " (thousands(r.p50)) " / " (thousands(r.p90)) @if let Some(c) = camp.capacity.rounds.get(m) { " · capacity up to " (thousands(c.p90)) } " (if the cargo were only this calibre)" } }
                            dt { "Watched ports" } dd { @for w in &j.watched_ports { span.pill { (w.name) @if let Some(l) = &w.locode { " " (l) } } " " } }
                            dt { "Claims checked" } dd { (j.claims.len()) }
                        }
                    }
                    section #map-section {
                        h2 { "Map" }
                        (map::render(vessels, tracks, &map::MapInputs { events: inp.events, watched: &j.watched_ports, destinations: &destinations, gazetteer: inp.gazetteer, period: (t0, t1), scenes: inp.imagery.as_ref().map(|i| i.scenes.as_slice()).unwrap_or(&[]), seen: inp.imagery.as_ref().map(|i| i.seen.as_slice()).unwrap_or(&[]) }, inp.params))
                    }
                    section #vessels {
                        h2 { "Vessels of interest" }
                        table.sortable #vessel-table {
                            thead { tr { th { "MMSI" } th { "name" } th { "flag" } th { "IMO" } th { "risk" } th { "dark port calls" } th { "gaps" } th { "encounters" } th { "list match" } } }
                            tbody {
                                @for v in vessels {
                                    @let ev = of_vessel(v.mmsi);
                                    @let n = |k: EventKind| ev.iter().filter(|e| e.kind() == k).count();
                                    @let p = inp.profiles.get(&v.mmsi);
                                    tr {
                                        td { a href=(format!("#v-{}", v.mmsi)) { (v.mmsi) } }
                                        td { (v.name.as_deref().unwrap_or("")) }
                                        td { (p.and_then(|p| p.flag.clone()).unwrap_or_default()) }
                                        td { (p.and_then(|p| p.imos.last()).map(|s| s.value.to_string()).unwrap_or_default()) }
                                        td.num data-v=(format!("{:.2}", v.risk)) { (format!("{:.1}", v.risk)) }
                                        td.num { (n(EventKind::DarkPortCall)) }
                                        td.num { (n(EventKind::AisGap)) }
                                        td.num { (n(EventKind::Encounter)) }
                                        td { @for m in j.matches.iter().filter(|m| m.mmsi == v.mmsi) { (m.level) " " (m.list) " " } }
                                    }
                                }
                            }
                        }
                        @for g in &groups {
                            @if let (Some(h), true) = (g.0, g.1.len() > 1) {
                                section.hull id=(format!("hull-{}", h.imo)) {
                                    h3 { "One hull, IMO " (h.imo) ": "
                                        @for (k, v) in g.1.iter().enumerate() { @if k > 0 { " · " } (v.name.as_deref().unwrap_or("?")) " " span.mmsi { "MMSI " (v.mmsi) } } }
                                    p.small { "The same IMO number broadcast under " (h.identities.len()) " MMSIs, in order: "
                                        @for (k, i) in h.identities.iter().enumerate() { @if k > 0 { "; then " } (i.mmsi) " (" (i.names.join(" / ")) ", " (short_time(&i.first)) " to " (short_time(&i.last)) ")" }
                                        @if h.overlapping { ". " b { "Two MMSIs broadcast it at the same time: two transmitters claim one identity." } } @else { "." } }
                                    @for v in &g.1 { (dossier(v, inp, &of_vessel(v.mmsi), (t0, t1))) }
                                }
                            } @else {
                                @for v in &g.1 { (dossier(v, inp, &of_vessel(v.mmsi), (t0, t1))) }
                            }
                        }
                        @if !j.risk.is_empty() {
                            details {
                                summary { "Risk of every scored vessel (" (j.risk.len()) ")" }
                                table.sortable {
                                    thead { tr { th { "MMSI" } th { "name" } th { "risk" } th { "reasons" } } }
                                    tbody { @for r in &j.risk {
                                        tr { td { (r.mmsi) } td { (r.name.as_deref().unwrap_or("")) } td.num { (format!("{:.1}", r.score)) }
                                            td.small { @for c in &r.contributions { (format!("+{:.1} ", c.points)) (c.reason) br; } } }
                                    } }
                                }
                            }
                        }
                    }
                    section #voyages {
                        h2 { "Voyages and what they could have carried" }
                        p { "Laden legs from a watched port, P10 / P50 / P90 of " (j.parameters.estimate.samples) " seeded samples (the assumptions are under Methods and parameters). Two ranges, kept apart: " b { "capacity" } ", the most a voyage could carry (container slots, the 20-ft payload limit and the ship's deadweight), and " b { "likely" } ", what it probably carried: a draught survey of the draught change the crew broadcast, or, where no change was reported, the capacity times a load-factor prior (said in the basis). Every detected voyage is in voyages.csv." }
                        @if let Some(w) = worked {
                            p.small { b { "The draught survey, worked for " (w.0) ": " } (w.1) "." }
                        }
                        table.sortable #voyage-table {
                            thead {
                                tr { th rowspan="2" { "start" } th rowspan="2" { "vessel" } th rowspan="2" { "from" } th rowspan="2" { "to" } th colspan="2" { "capacity P90" } th rowspan="2" { "likely basis" } th colspan="3" { "likely containers" } th colspan="3" { "likely tonnes" } }
                                tr { th { "containers" } th { "tonnes" } th { "P10" } th { "P50" } th { "P90" } th { "P10" } th { "P50" } th { "P90" } }
                            }
                            tbody { @for x in &j.estimate.voyages {
                                tr {
                                    td data-v=(ais::nmea::parse_rfc3339_ms(&x.start).unwrap_or(0)) { (short_time(&x.start)) }
                                    td { a href=(format!("#v-{}", x.mmsi)) { (x.name.as_deref().unwrap_or("?")) } " " span.mmsi { (x.mmsi) } }
                                    td { (x.from.as_deref().unwrap_or("?")) " " span.small { "(" (x.from_kind.replace('_', " ")) ")" } }
                                    td { (x.to.as_deref().unwrap_or("?")) }
                                    td.num data-v=(format!("{:.3}", x.capacity.containers.p90)) { (thousands(x.capacity.containers.p90)) }
                                    td.num data-v=(format!("{:.3}", x.capacity.tonnes.p90)) { (thousands(x.capacity.tonnes.p90)) }
                                    td.small { (x.likely_basis) br; span.muted { "capacity: " (x.capacity_basis) } }
                                    (q3(&x.likely.containers))
                                    (q3(&x.likely.tonnes))
                                }
                            } }
                            tfoot { tr {
                                th colspan="4" { "campaign: " (camp.voyages) " voyages (sums per sample, so the P10 of the total is not the sum of P10s)" }
                                td.num { (thousands(camp.capacity.containers.p90)) } td.num { (thousands(camp.capacity.tonnes.p90)) } td {}
                                (q3(&camp.likely.containers)) (q3(&camp.likely.tonnes))
                            } }
                        }
                        @if !munitions.is_empty() {
                            table {
                                thead { tr { th { "if the cargo were only" } th { "kg per round (incl. packaging)" } th { "likely rounds P10" } th { "P50" } th { "P90" } th { "capacity P90" } } }
                                tbody { @for m in &j.parameters.estimate.munitions {
                                    tr { td { (m.name) } td { (format!("{:.0}-{:.0}", m.kg_per_round[0], m.kg_per_round[1])) }
                                        @if let Some(r) = camp.likely.rounds.get(&m.name) { (q3(r)) } @else { td {} td {} td {} }
                                        td.num { @if let Some(r) = camp.capacity.rounds.get(&m.name) { (thousands(r.p90)) } } }
                                } }
                            }
                        }
                    }
                    section #claims {
                        h2 { "Public claims checked" }
                        @if j.claims.is_empty() && j.ledger.is_none() { p { "No claims ledger given." } } @else {
                            p { "Each claim is read with its bound (\"more than\" is " i { "at least" } ", a round figure " i { "about" } " ± " (format!("{:.0}%", j.parameters.claim_check.about_tolerance * 100.0)) ", \"up to\" " i { "at most" } ") and set against the voyages that started in its period: " b { "exceeds capacity" } " when even the P90 of what they could carry falls short; " b { "exceeds likely" } " when it is within capacity but above the draught-based likely range; " b { "below likely" } " when it is under the likely range; " b { "not covered" } " when the data covers less than " (format!("{:.0}%", j.parameters.claim_check.min_coverage * 100.0)) " of its period (an extrapolation at the rate seen is shown, labelled)." }
                            @if let Some(l) = &j.ledger { @if !l.errors.is_empty() {
                                p.notice { (l.errors.len()) " ledger row(s) refused: " @for e in &l.errors { (e.to_string()) "; " } }
                            } }
                            table.sortable {
                                thead { tr { th { "date" } th { "claimant" } th { "claim" } th { "period (covered)" } th { "voyages" } th { "likely P10-P90" } th { "capacity P90" } th { "verdict" } th { "explanation" } th { "source" } } }
                                tbody { @for c in &j.claims {
                                    tr {
                                        td { (c.claim.date) }
                                        td { (c.claim.claimant) }
                                        td { (c.claim.bound.words()) " " (thousands(c.claim.quantity)) " " (c.claim.unit) @if let Some(n) = &c.claim.note { br; span.small { (n) } } }
                                        td.small { (c.period[0].get(..10).unwrap_or(&c.period[0])) " to " (c.period[1].get(..10).unwrap_or(&c.period[1])) " (" (format!("{:.0}%", c.coverage * 100.0)) ")" }
                                        td.num { (c.observed_voyages) }
                                        td { @if let Some(q) = &c.likely { (thousands(q.p10)) " - " (thousands(q.p90)) } }
                                        td { @if let Some(q) = &c.capacity { (thousands(q.p90)) } }
                                        td { span class=(format!("verdict {}", c.verdict.as_str().replace('_', "-"))) { (c.verdict.as_str().replace('_', " ")) } }
                                        td.small { (c.explanation) @if let Some(n) = &c.would_need { br; b { "Would need: " } (n) } @if let Some(x) = &c.extrapolation { br; i { (x.explanation) } } }
                                        td.small { (c.claim.source.as_deref().unwrap_or("")) }
                                    }
                                } }
                            }
                            @if !j.claim_arithmetic.is_empty() {
                                h3 { "The claims' own arithmetic" }
                                p { "Claims of one source on one date imply a density; each is set against the physical limit it cannot exceed." }
                                table {
                                    thead { tr { th { "date" } th { "claimant" } th { "implies" } th { "verdict" } th { "the numbers" } } }
                                    tbody { @for a in &j.claim_arithmetic {
                                        tr { td { (a.date) } td { (a.claimant) } td { (if a.value >= 100.0 { thousands(a.value) } else { format!("{:.1}", a.value) }) " " (a.what) }
                                            td { span class=(format!("verdict {}", match a.physics { intel::claims::Physics::Possible => "consistent", intel::claims::Physics::Marginal => "exceeds-likely", intel::claims::Physics::Impossible => "exceeds-capacity" })) { (format!("{:?}", a.physics).to_lowercase()) } }
                                            td.small { (a.explanation) } }
                                    } }
                                }
                            }
                        }
                        @if !j.observations.is_empty() {
                            h3 { "Observations" }
                            table.sortable {
                                thead { tr { th { "time" } th { "place" } th { "what" } th { "source" } th { "corroborates" } } }
                                tbody { @for o in &j.observations {
                                    tr {
                                        td { (o.observation.time) }
                                        td { (o.observation.place.as_deref().unwrap_or("")) @if let (Some(a), Some(b)) = (o.observation.lat, o.observation.lon) { " " (format!("{a:.3}, {b:.3}")) } }
                                        td { (o.observation.what) }
                                        td.small { (o.observation.source) }
                                        td { @if o.events.is_empty() { "nothing detected" } @for id in &o.events { a href=(format!("#e-{id}")) { (id) } " " } }
                                    }
                                } }
                            }
                        }
                    }
                    section #events {
                        h2 { "Notable events" }
                        p { "Dark port calls, encounters, loitering, identity changes, shared MMSIs and position jumps that are more likely than not (confidence 0.5 or more: a calibrated probability that the event is real), most confident first. Every event (incl. port visits, gaps, draught changes, voyages and the candidates below) is in events.csv and events.geojson." }
                        table.sortable.events #event-table { (event_head(true)) tbody { (event_rows(&notable, true, "e-")) } }
                        @if more > 0 { p.warn { "And " (more) " more in events.csv (report.max_event_rows = " (inp.params.max_event_rows) ")." } }
                    }
                    section #candidates {
                        h2 { "Candidates (confidence under 0.5)" }
                        p { "Events of the same kinds that the data allow but do not support: for a dark port call, a silence long enough to have reached a watched port and come back, without the evidence that separates real calls from ordinary coverage silences (going dark toward the port or near it, reappearing from it, a silence unusual for that water, a draught change, repeats). They are leads to check, not findings; " (candidates.len() + more_candidates) " in all." }
                        @if candidates.is_empty() { p { "None." } } @else {
                            details {
                                summary { "Show the " (candidates.len()) " candidates" }
                                table.sortable.events #candidate-table { (event_head(true)) tbody { (event_rows(&candidates, true, "e-")) } }
                            }
                        }
                        @if more_candidates > 0 { p.warn { "And " (more_candidates) " more in events.csv (report.max_event_rows = " (inp.params.max_event_rows) ")." } }
                    }
                    section #methods {
                        h2 { "Methods and parameters" }
                        @for (h, t) in METHODS { h3 { (h) } p { (t) } }
                        p { "Every threshold below is a named parameter; its default and where it comes from are documented with the parameter (" code { "shiptrace detect --print-params" } ", " code { "shiptrace estimate --print-params" } "). These are the values this report used." }
                        @for (name, text) in [("detect", params_toml("detect", inp.detect_params)), ("intel", params_toml("intel", &j.parameters)), ("report", params_toml("report", inp.params))] {
                            details { summary { "[" (name) "]" } pre { (text) } }
                        }
                        h3 { "Lists" }
                        @if j.lists.is_empty() { p { "No watchlists given." } }
                        ul { @for l in &j.lists { li { (l.file) ": " (l.entries) " vessels, " (l.errors.len()) " bad rows"
                            @if !l.errors.is_empty() { ul.small { @for e in l.errors.iter().take(20) { li { (e.to_string()) } } } } } } }
                        @for (h, t) in &inp.extra { h3 { (h) } pre { (t) } }
                    }
                    section #provenance {
                        h2 { "Provenance" }
                        p { "Store " code { (inp.store.dir().display().to_string()) } ". Each source as recorded in the store's manifest when it was ingested (BLAKE3 of its bytes); a report that several sources carried is stored once (\"merged\": rows of this source dropped as copies, or copies in the store it replaced):" }
                        table.sortable {
                            thead { tr { th { "source" } th { "format" } th { "bytes" } th { "BLAKE3" } th { "messages" } th { "positions" } th { "identities" } th { "duplicates" } th title="rows dropped as copies of reports other sources carried" { "merged" } th { "rejects" } th { "first" } th { "last" } } }
                            tbody { @for s in sources {
                                tr {
                                    td { (s.path) } td { (s.format) } td.num { (thousands(s.size as f64)) } td.hash { (s.hash) }
                                    td.num { (thousands(s.messages as f64)) } td.num { (thousands(s.positions as f64)) } td.num { (thousands(s.identities as f64)) } td.num { (thousands(s.duplicates as f64)) }
                                    td.num { (thousands(s.merges.iter().map(|m| m.positions_merged + m.identities_merged).sum::<u64>() as f64)) }
                                    td.small { @for (k, n) in &s.rejects { (k) " " (n) br; } }
                                    td { (s.first_time.as_deref().map(short_time).unwrap_or_default()) } td { (s.last_time.as_deref().map(short_time).unwrap_or_default()) }
                                }
                            } }
                        }
                        @if !inp.failed_sources.is_empty() {
                            p.warn #failed-sources { (inp.failed_sources.len()) " source(s) given to this run failed to ingest; nothing of them is in this report:" }
                            table { thead { tr { th { "source" } th { "error" } } } tbody { @for (p, e) in &inp.failed_sources { tr { td { (crate::visible(p)) } td { (crate::visible(e)) } } } } }
                        }
                        @if !input_hashes.is_empty() {
                            p { "Other files read:" }
                            table { tbody { @for (p, h) in &input_hashes { tr { td { (p) } @if let Some((n, h)) = h { td.num { (thousands(*n as f64)) } td.hash { (h) } } @else { td {} td { "not readable when the report was written" } } } } } }
                        }
                        p { "Files written with this report:" }
                        table { tbody { @for w in written { tr { td { (w.file) } td.num { (thousands(w.bytes as f64)) } td.hash { (w.blake3) } } } } }
                    }
                }
                script { (PreEscaped(JS)) }
            }
        }
    };
    page.into_string()
}

/// TOML of a parameter table under its name.
mod erased {
    pub trait Ser {
        fn toml(&self, name: &str) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn toml(&self, name: &str) -> String {
            let mut t = toml::Table::new();
            match toml::Value::try_from(self) {
                Ok(v) => {
                    t.insert(name.to_string(), v);
                    toml::to_string(&t).unwrap_or_else(|e| format!("# cannot print: {e}"))
                }
                Err(e) => format!("# cannot print: {e}"),
            }
        }
    }
}
