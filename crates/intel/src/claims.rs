//! A ledger of public claims, each checked against what the observed
//! voyages could have carried (capacity) and what they probably carried
//! (likely, from the draughts) over the claim's period: a claim's bound
//! ("more than", "about", "up to") decides which side of the ranges can
//! contradict it. Each check says by how much and what would have to be
//! true for the claim to hold, says when the data does not cover the
//! claim's period, and claims from one source that imply a density
//! (rounds per container, tonnes per container, per voyage) are checked
//! against the physical limits.

use crate::estimate::{thousands, EstimateParams, Quantiles, Samples, VoyageEstimate};
use crate::watchlist::RowError;
use detect::{Event, EventKind};
use serde::{Deserialize, Serialize};

/// What a claim's number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// "more than", "at least", "over".
    AtLeast,
    /// "about", "some", or a bare figure.
    #[default]
    About,
    /// "up to", "at most", "fewer than".
    AtMost,
}

impl Bound {
    /// In words, before the number.
    pub fn words(self) -> &'static str {
        match self {
            Bound::AtLeast => "at least",
            Bound::About => "about",
            Bound::AtMost => "at most",
        }
    }
}

/// One claim, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Who made the claim.
    pub claimant: String,
    /// When the claim was made: a day (YYYY-MM-DD), a month (YYYY-MM: the
    /// exact day is not known) or RFC 3339.
    pub date: String,
    /// The quantity claimed.
    pub quantity: f64,
    /// `containers` (TEU), `tonnes`, `rounds_<munition>` (e.g.
    /// `rounds_152mm`), `shells` (the first munition type), `voyages`
    /// (laden legs from watched ports) or `port_calls` (calls at watched
    /// ports, seen or dark).
    pub unit: String,
    /// How the number was said: `at_least`, `about` (the default) or
    /// `at_most`.
    #[serde(default)]
    pub bound: Bound,
    /// [from, to] the claim covers (days or months; `to` inclusive);
    /// default: from the start of the data to the claim's date.
    #[serde(default)]
    pub period: Option<[String; 2]>,
    /// Where the claim was published.
    #[serde(default)]
    pub source: Option<String>,
    /// Anything a reader should know about it.
    #[serde(default)]
    pub note: Option<String>,
    /// Its line in the ledger (0 when not read from a file).
    #[serde(skip_deserializing)]
    pub line: u64,
}

impl Claim {
    /// "at least 1,000 containers (TEU)".
    pub fn words(&self, what: &str) -> String {
        format!("{} {} {what}", self.bound.words(), thousands(self.quantity))
    }
}

/// `[intel.claim_check]` in shiptrace.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimParams {
    /// An `about` claim stands for quantity x (1 ± this). Assumption: a
    /// round figure in reporting ("about 2,000") is good to about a fifth.
    pub about_tolerance: f64,
    /// Below this share of a claim's period in the data the claim is
    /// `not_covered` (voyages outside the data cannot be weighed).
    pub min_coverage: f64,
    /// For a claim not covered, also judge it at the voyage rate seen in
    /// the covered part (labelled as an extrapolation).
    pub extrapolate: bool,
}

impl Default for ClaimParams {
    fn default() -> Self {
        ClaimParams {
            about_tolerance: 0.2,
            min_coverage: 0.9,
            extrapolate: true,
        }
    }
}

/// The verdict on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The claim fits the likely range (and the capacity).
    Consistent,
    /// More than the voyages seen could carry, at the P90 of capacity.
    ExceedsCapacity,
    /// Within capacity but above the likely range (for counts: more than
    /// detected).
    ExceedsLikely,
    /// Under the likely range (for counts: fewer than detected).
    BelowLikely,
    /// The data does not cover enough of the claim's period.
    NotCovered,
    /// The unit is not one the estimate produces.
    NotCheckable,
}

impl Verdict {
    /// `exceeds_capacity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::ExceedsCapacity => "exceeds_capacity",
            Verdict::ExceedsLikely => "exceeds_likely",
            Verdict::BelowLikely => "below_likely",
            Verdict::NotCovered => "not_covered",
            Verdict::NotCheckable => "not_checkable",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ledger as read: its claims and the rows that could not be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ledger {
    /// The ledger (a file, or `builtin:<name>`).
    pub file: String,
    /// Claims read.
    pub claims: Vec<Claim>,
    /// Rows refused, with their line.
    pub errors: Vec<RowError>,
}

/// What a claim counts.
#[derive(Debug, Clone, PartialEq)]
enum Measure {
    Containers,
    Tonnes,
    Rounds(Option<String>),
    Voyages,
    PortCalls,
}

fn measure(unit: &str) -> Option<Measure> {
    let u = unit.trim().to_ascii_lowercase();
    Some(match u.as_str() {
        "containers" | "teu" => Measure::Containers,
        "tonnes" | "t" => Measure::Tonnes,
        "shells" | "rounds" => Measure::Rounds(None),
        "voyages" | "shipments" => Measure::Voyages,
        "port_calls" => Measure::PortCalls,
        _ => match u.strip_prefix("rounds_") {
            Some(m) if !m.is_empty() => Measure::Rounds(Some(m.to_string())),
            _ => return None,
        },
    })
}

/// Reads a ledger (`[[claim]]` tables). A file that is not TOML, or has
/// other top-level keys, is an error; a bad claim is reported with its
/// line and the rest load.
pub fn parse(text: &str, file: &str) -> Result<Ledger, String> {
    let mut t: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let rows = match t.remove("claim") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err("`claim` must be an array of tables ([[claim]])".into()),
    };
    if let Some(k) = t.keys().next() {
        return Err(format!(
            "unknown key {k:?} (a ledger holds [[claim]] tables)"
        ));
    }
    // line numbers of each [[claim]] header, for messages
    let lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[claim]]")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut out = Ledger {
        file: file.to_string(),
        ..Ledger::default()
    };
    for (k, row) in rows.into_iter().enumerate() {
        let line = lines.get(k).copied().unwrap_or(0);
        let err = |msg: String| RowError {
            file: file.to_string(),
            line,
            msg,
        };
        let mut c: Claim = match row.try_into() {
            Ok(c) => c,
            Err(e) => {
                out.errors.push(err(e.to_string().trim().to_string()));
                continue;
            }
        };
        c.line = line;
        match validate(&c) {
            Ok(()) => out.claims.push(c),
            Err(m) => out.errors.push(err(m)),
        }
    }
    Ok(out)
}

fn validate(c: &Claim) -> Result<(), String> {
    if !(c.quantity.is_finite() && c.quantity > 0.0) {
        return Err(format!("quantity {}: must be a number above 0", c.quantity));
    }
    if c.claimant.trim().is_empty() {
        return Err("claimant must not be empty".into());
    }
    if measure(&c.unit).is_none() {
        return Err(format!(
            "unit {:?} is not one of containers, tonnes, shells, rounds_<munition>, voyages, port_calls",
            c.unit
        ));
    }
    if when(&c.date).is_none() {
        return Err(format!(
            "date {:?} is not YYYY-MM-DD, YYYY-MM or RFC 3339",
            c.date
        ));
    }
    if let Some([a, b]) = &c.period {
        let (Some(x), Some(y)) = (when(a), when(b)) else {
            return Err(format!(
                "period [{a:?}, {b:?}]: dates must be YYYY-MM-DD, YYYY-MM or RFC 3339"
            ));
        };
        if y.1 <= x.0 {
            return Err(format!("period [{a:?}, {b:?}] ends before it starts"));
        }
    }
    Ok(())
}

/// The built-in ledger for a scenario: the public claims of FACTS.md §1
/// for `rason-shuttle`.
pub fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "rason-shuttle" => Some(include_str!("../data/claims-rason-shuttle.toml")),
        _ => None,
    }
}

/// A day (`YYYY-MM-DD`), a month (`YYYY-MM`) or an RFC 3339 instant, as
/// [start, end) in unix ms.
pub fn when(s: &str) -> Option<(i64, i64)> {
    const DAY: i64 = 86_400_000;
    let s = s.trim();
    if s.len() == 7 {
        let d: jiff::civil::Date = format!("{s}-01").parse().ok()?;
        let next = d.checked_add(jiff::Span::new().months(1)).ok()?;
        let ms = |d: jiff::civil::Date| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp().as_millisecond())
        };
        return Some((ms(d)?, ms(next)?));
    }
    if s.len() == 10 {
        let t = detect::event::parse_time(&format!("{s}T00:00:00Z"))?;
        return Some((t, t + DAY));
    }
    let t = detect::event::parse_time(s)?;
    Some((t, t))
}

/// `YYYY-MM-DD` (start of day), `YYYY-MM` (start of month) or RFC 3339,
/// to unix ms.
pub fn parse_day(s: &str) -> Option<i64> {
    when(s).map(|w| w.0)
}

/// The part of a claim's period outside the data, judged at the rate seen
/// inside it.
#[derive(Debug, Clone, Serialize)]
pub struct Extrapolation {
    /// Period / covered part.
    pub factor: f64,
    /// Capacity over the whole period at that rate.
    pub capacity: Option<Quantiles>,
    /// Likely load over the whole period at that rate.
    pub likely: Quantiles,
    /// The verdict it would give.
    pub verdict: Verdict,
    /// In words, labelled as an extrapolation.
    pub explanation: String,
}

/// A claim set against the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The claim.
    pub claim: Claim,
    /// The period checked, [from, to] (to: the last millisecond).
    pub period: [String; 2],
    /// Share of the period the data covers (0..1).
    pub coverage: f64,
    /// What the quantity counts, in words.
    pub measure: String,
    /// Voyages in the period the evidence rests on.
    pub observed_voyages: usize,
    /// Of them, voyages whose likely load is the load-factor prior (no
    /// draught change reported).
    pub voyages_by_prior: usize,
    /// The most the voyages could carry (P10/P50/P90; counts have none).
    pub capacity: Option<Quantiles>,
    /// What they probably carried (counts: the number detected).
    pub likely: Option<Quantiles>,
    /// The verdict.
    pub verdict: Verdict,
    /// Claim / likely median.
    pub ratio_to_likely: Option<f64>,
    /// The verdict in words, with the figures.
    pub explanation: String,
    /// What would have to be true for the claim to hold.
    pub would_need: Option<String>,
    /// For a claim not covered: the verdict at the rate seen.
    pub extrapolation: Option<Extrapolation>,
}

/// [low, high] a claim allows.
fn allowed(c: &Claim, p: &ClaimParams) -> (f64, f64) {
    match c.bound {
        Bound::AtLeast => (c.quantity, f64::INFINITY),
        Bound::About => (
            c.quantity * (1.0 - p.about_tolerance),
            c.quantity * (1.0 + p.about_tolerance),
        ),
        Bound::AtMost => (0.0, c.quantity),
    }
}

/// The verdict of a claim allowing [lo, hi] against a capacity and a
/// likely range.
pub fn verdict_of(lo: f64, hi: f64, capacity: Option<&Quantiles>, likely: &Quantiles) -> Verdict {
    if capacity.is_some_and(|c| lo > c.p90) {
        Verdict::ExceedsCapacity
    } else if lo > likely.p90 {
        Verdict::ExceedsLikely
    } else if hi < likely.p10 {
        Verdict::BelowLikely
    } else {
        Verdict::Consistent
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn range(q: &Quantiles) -> String {
    format!("{}-{}", thousands(q.p10), thousands(q.p90))
}

/// The explanation and what would have to be true, for a quantity.
fn quantity_words(
    v: Verdict,
    claim: &str,
    (lo, hi): (f64, f64),
    cap: &Quantiles,
    lik: &Quantiles,
    voyages: usize,
) -> (String, Option<String>) {
    let from = format!("from {voyages} voyage(s)");
    match v {
        Verdict::ExceedsCapacity => (
            format!(
                "{claim} is more than the voyages seen could carry: capacity {} (P10-P90) {from}",
                range(cap)
            ),
            Some(if voyages == 0 || cap.p50 <= 0.0 {
                "voyages the data does not show: none was seen in the period".into()
            } else {
                let per = cap.p50 / voyages as f64;
                format!(
                    "{:.1}x the capacity of the voyages seen: about {} more voyages of their median size unseen by AIS and by the gap detectors, or larger ships than these",
                    lo / cap.p50,
                    thousands(((lo - cap.p50) / per).ceil().max(1.0))
                )
            }),
        ),
        Verdict::ExceedsLikely => (
            format!(
                "{claim} is within what the voyages could carry (capacity up to {}) but above the likely load {} from the draughts, {from}",
                thousands(cap.p90),
                range(lik)
            ),
            Some(format!(
                "loads of {} of capacity on average where the draughts show {}: heavier loads than the broadcast draughts say (stale draught reports), or voyages not seen",
                pct(lo / cap.p50.max(f64::MIN_POSITIVE)),
                pct(lik.p50 / cap.p50.max(f64::MIN_POSITIVE))
            )),
        ),
        Verdict::BelowLikely => (
            format!(
                "{claim} is below the likely load {} from the draughts {from}",
                range(lik)
            ),
            Some(format!(
                "the voyages carried less than their draughts show ({} at most against a likely {}): part of the draught change was other cargo, fuel or ballast, the draught reports are wrong, or the claim counts only part of the cargo",
                thousands(hi),
                thousands(lik.p50)
            )),
        ),
        _ => (
            format!(
                "{claim} fits: likely {} (P10-P90), capacity up to {}, {from}",
                range(lik),
                thousands(cap.p90)
            ),
            None,
        ),
    }
}

/// Checks each claim. `calls` are the start times of calls at watched
/// ports (seen or dark), for `port_calls` claims; `data` the span the data
/// covers, [first, last] in unix ms.
pub fn check(
    claims: &[Claim],
    samples: &Samples,
    munitions: &[String],
    calls: &[i64],
    data: [i64; 2],
    p: &ClaimParams,
) -> Vec<Check> {
    claims
        .iter()
        .map(|c| check_one(c, samples, munitions, calls, data, p))
        .collect()
}

fn check_one(
    c: &Claim,
    samples: &Samples,
    munitions: &[String],
    calls: &[i64],
    data: [i64; 2],
    p: &ClaimParams,
) -> Check {
    // the claim's day (or month) is part of its period
    let d1 = when(&c.date).map_or(data[1], |w| w.1);
    let (from, to) = match &c.period {
        Some([a, b]) => (
            when(a).map_or(data[0], |w| w.0),
            when(b).map_or(d1, |w| w.1),
        ),
        None => (data[0], d1),
    };
    let inside = |t: i64| t >= from && t < to;
    let tot = samples.totals(|i| inside(samples.start_ms[i]));
    let span = (to - from).max(1) as f64;
    let covered = (to.min(data[1].saturating_add(1)) - from.max(data[0])).max(0) as f64;
    let coverage = (covered / span).clamp(0.0, 1.0);
    let period = [detect::event::rfc3339(from), detect::event::rfc3339(to - 1)];
    let (lo, hi) = allowed(c, p);
    let m = measure(&c.unit);
    let rounds_of = |name: &str| {
        tot.likely
            .rounds
            .get(name)
            .copied()
            .zip(tot.capacity.rounds.get(name).copied())
    };
    // (capacity, likely, in words); None: not checkable
    let ev: Option<(Option<Quantiles>, Quantiles, String)> = match &m {
        Some(Measure::Containers) => Some((
            Some(tot.capacity.containers),
            tot.likely.containers,
            "containers (TEU)".into(),
        )),
        Some(Measure::Tonnes) => Some((
            Some(tot.capacity.tonnes),
            tot.likely.tonnes,
            "tonnes".into(),
        )),
        Some(Measure::Rounds(name)) => {
            let name = name.clone().or_else(|| munitions.first().cloned());
            name.and_then(|n| rounds_of(&n).map(|(l, cap)| (Some(cap), l, format!("rounds ({n})"))))
        }
        Some(Measure::Voyages) => Some((
            None,
            Quantiles::exact(tot.voyages as f64),
            "laden voyages from watched ports".into(),
        )),
        Some(Measure::PortCalls) => Some((
            None,
            Quantiles::exact(calls.iter().filter(|&&t| inside(t)).count() as f64),
            "calls at watched ports".into(),
        )),
        None => None,
    };
    let Some((cap, lik, what)) = ev else {
        return Check {
            claim: c.clone(),
            period,
            coverage,
            measure: c.unit.clone(),
            observed_voyages: tot.voyages,
            voyages_by_prior: tot.by_prior,
            capacity: None,
            likely: None,
            verdict: Verdict::NotCheckable,
            ratio_to_likely: None,
            explanation: format!(
                "unit {:?} is not one the estimate produces (munitions: {})",
                c.unit,
                munitions.join(", ")
            ),
            would_need: None,
            extrapolation: None,
        };
    };
    let claim = c.words(&what);
    let words = |v: Verdict,
                 cap: Option<&Quantiles>,
                 lik: &Quantiles|
     -> (String, Option<String>) {
        match cap {
            Some(cap) => {
                let (mut e, n) = quantity_words(v, &claim, (lo, hi), cap, lik, tot.voyages);
                if tot.by_prior > 0 {
                    e.push_str(&format!(
                        " ({} of the {} voyage(s) without a reported draught change: their likely load is the load-factor prior)",
                        tot.by_prior, tot.voyages
                    ));
                }
                (e, n)
            }
            None => {
                let n = lik.p50;
                let e = format!("{claim}; {} detected", thousands(n));
                let need = match v {
                    Verdict::ExceedsLikely => Some(format!(
                        "{} more than detected: dark without a detectable gap, or outside the data",
                        thousands(lo - n)
                    )),
                    Verdict::BelowLikely => Some(format!(
                        "{} of the detections are not what the claim counts, or false detections",
                        thousands(n - hi)
                    )),
                    _ => None,
                };
                (e, need)
            }
        }
    };
    let ratio = (lik.p50 > 0.0).then(|| c.quantity / lik.p50);
    if coverage < p.min_coverage {
        let dates = |a: i64, b: i64| {
            format!(
                "{} to {}",
                detect::event::rfc3339(a).get(..10).unwrap_or(""),
                detect::event::rfc3339(b).get(..10).unwrap_or("")
            )
        };
        let explanation = format!(
            "the data ({}) covers {} of the claim's period ({}): the voyages outside it cannot be weighed",
            dates(data[0], data[1]),
            pct(coverage),
            dates(from, to - 1)
        );
        let extrapolation = (p.extrapolate && coverage > 0.0).then(|| {
            let f = 1.0 / coverage;
            let (cap_x, lik_x) = (cap.map(|q| q.scaled(f)), lik.scaled(f));
            let v = verdict_of(lo, hi, cap_x.as_ref(), &lik_x);
            let (e, _) = words(v, cap_x.as_ref(), &lik_x);
            Extrapolation {
                factor: f,
                capacity: cap_x,
                likely: lik_x,
                verdict: v,
                explanation: format!(
                    "extrapolated at the rate seen in the covered {} ({} voyage(s)) to the whole period, x{f:.2}: {v}: {e}",
                    pct(coverage),
                    tot.voyages
                ),
            }
        });
        return Check {
            claim: c.clone(),
            period,
            coverage,
            measure: what,
            observed_voyages: tot.voyages,
            voyages_by_prior: tot.by_prior,
            capacity: cap,
            likely: Some(lik),
            verdict: Verdict::NotCovered,
            ratio_to_likely: ratio,
            explanation,
            would_need: None,
            extrapolation,
        };
    }
    let v = verdict_of(lo, hi, cap.as_ref(), &lik);
    let (explanation, would_need) = words(v, cap.as_ref(), &lik);
    Check {
        claim: c.clone(),
        period,
        coverage,
        measure: what,
        observed_voyages: tot.voyages,
        voyages_by_prior: tot.by_prior,
        capacity: cap,
        likely: Some(lik),
        verdict: v,
        ratio_to_likely: ratio,
        explanation,
        would_need,
        extrapolation: None,
    }
}

/// Whether a density a claim implies is physically possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Physics {
    /// Within the limit over the whole parameter range.
    Possible,
    /// Within the limit only at the light end of the parameter range.
    Marginal,
    /// Beyond the limit over the whole range.
    Impossible,
}

/// A density two claims of one source imply, set against a physical limit.
#[derive(Debug, Clone, Serialize)]
pub struct Implied {
    /// Who made the claims.
    pub claimant: String,
    /// When.
    pub date: String,
    /// The two claims' ledger lines.
    pub lines: [u64; 2],
    /// What the density is (`rounds (152mm) per container`).
    pub what: String,
    /// The density.
    pub value: f64,
    /// What it implies, low and high ends (t per box, or per voyage).
    pub implied: [f64; 2],
    /// The limit it is set against.
    pub limit: f64,
    /// The limit in words.
    pub limit_basis: String,
    /// Possible, marginal or impossible.
    pub physics: Physics,
    /// In words, with the numbers.
    pub explanation: String,
}

fn physics(implied: [f64; 2], limit: f64) -> Physics {
    if implied[1] <= limit {
        Physics::Possible
    } else if implied[0] <= limit {
        Physics::Marginal
    } else {
        Physics::Impossible
    }
}

/// The densities claims of one claimant on one date imply (containers
/// with rounds or tonnes; voyages with containers, tonnes or rounds),
/// each against the 20-ft payload limit or the largest capacity of one
/// observed voyage.
pub fn arithmetic(
    claims: &[Claim],
    p: &EstimateParams,
    voyages: &[VoyageEstimate],
) -> Vec<Implied> {
    let limit_t = p.payload_limit_kg_per_teu / 1000.0;
    let kg_of = |m: &Measure| -> Option<(String, [f64; 2])> {
        let Measure::Rounds(name) = m else {
            return None;
        };
        let mu = match name {
            Some(n) => p
                .munitions
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(n))?,
            None => p.munitions.first()?,
        };
        Some((mu.name.clone(), mu.kg_per_round))
    };
    let most = |f: fn(&VoyageEstimate) -> f64| voyages.iter().map(f).fold(0.0, f64::max);
    let mut out = Vec::new();
    for (i, a) in claims.iter().enumerate() {
        for b in &claims[i + 1..] {
            if a.claimant != b.claimant || a.date != b.date {
                continue;
            }
            let (Some(ma), Some(mb)) = (measure(&a.unit), measure(&b.unit)) else {
                continue;
            };
            // order: the denominator (containers or voyages) first
            let ((den, md), (num, mn)) = match (&ma, &mb) {
                (Measure::Containers, _) | (Measure::Voyages, _) => ((a, ma), (b, mb)),
                (_, Measure::Containers) | (_, Measure::Voyages) => ((b, mb), (a, ma)),
                _ => continue,
            };
            let d = num.quantity / den.quantity;
            let lines = [den.line, num.line];
            let mk = |what: String,
                      implied: [f64; 2],
                      limit: f64,
                      limit_basis: String,
                      unit: &str| {
                let ph = physics(implied, limit);
                let explanation = format!(
                    "{} {} / {} {} = {} {what}: {}-{} {unit}, against {limit_basis} of {} {unit}: {}",
                    thousands(num.quantity),
                    num.unit,
                    thousands(den.quantity),
                    den.unit,
                    if d >= 100.0 { thousands(d) } else { format!("{d:.1}") },
                    fmt1(implied[0]),
                    fmt1(implied[1]),
                    fmt1(limit),
                    match ph {
                        Physics::Possible => "physically possible".to_string(),
                        Physics::Marginal => format!(
                            "possible only at the light end of the range ({} {unit} at the heaviest)",
                            fmt1(implied[1])
                        ),
                        Physics::Impossible => "physically impossible over the whole range".to_string(),
                    }
                );
                Implied {
                    claimant: a.claimant.clone(),
                    date: a.date.clone(),
                    lines,
                    what,
                    value: d,
                    implied,
                    limit,
                    limit_basis,
                    physics: ph,
                    explanation,
                }
            };
            match (&md, &mn) {
                (Measure::Containers, Measure::Rounds(_)) => {
                    let Some((name, kg)) = kg_of(&mn) else {
                        continue;
                    };
                    out.push(mk(
                        format!("rounds ({name}) per container"),
                        [d * kg[0] / 1000.0, d * kg[1] / 1000.0],
                        limit_t,
                        format!(
                            "the 20-ft payload limit (at {}-{} kg per round with packaging)",
                            kg[0], kg[1]
                        ),
                        "t per box",
                    ));
                }
                (Measure::Containers, Measure::Tonnes) => out.push(mk(
                    "tonnes per container".into(),
                    [d, d],
                    limit_t,
                    "the 20-ft payload limit".into(),
                    "t per box",
                )),
                (Measure::Voyages, Measure::Containers) if !voyages.is_empty() => {
                    let cap = most(|v| v.capacity.containers.p90);
                    out.push(mk(
                        "containers per voyage".into(),
                        [d, d],
                        cap,
                        "the largest capacity (P90) of one observed voyage".into(),
                        "TEU",
                    ))
                }
                (Measure::Voyages, Measure::Tonnes) if !voyages.is_empty() => {
                    let cap = most(|v| v.capacity.tonnes.p90);
                    out.push(mk(
                        "tonnes per voyage".into(),
                        [d, d],
                        cap,
                        "the largest capacity (P90) of one observed voyage".into(),
                        "t",
                    ))
                }
                (Measure::Voyages, Measure::Rounds(_)) if !voyages.is_empty() => {
                    let Some((name, kg)) = kg_of(&mn) else {
                        continue;
                    };
                    let cap = most(|v| v.capacity.tonnes.p90);
                    out.push(mk(
                        format!("rounds ({name}) per voyage"),
                        [d * kg[0] / 1000.0, d * kg[1] / 1000.0],
                        cap,
                        format!(
                            "the largest capacity (P90) of one observed voyage (at {}-{} kg per round)",
                            kg[0], kg[1]
                        ),
                        "t",
                    ))
                }
                _ => {}
            }
        }
    }
    out
}

fn fmt1(x: f64) -> String {
    if x >= 1000.0 {
        thousands(x)
    } else {
        format!("{x:.1}")
    }
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
