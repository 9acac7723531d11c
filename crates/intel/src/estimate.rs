//! What a campaign of voyages could have carried: per voyage, container
//! capacity x load factor = containers (TEU), then tonnes and rounds by
//! munition type, each as P10/P50/P90 from a Monte Carlo over every
//! uncertain input. Inputs and their ranges are parameters; the defaults
//! come from FACTS.md §3 where a figure exists and are marked as
//! assumptions where none does.
//!
//! Model, per Monte Carlo sample:
//! - capacity (TEU): the configured figure for the vessel, else length x
//!   beam / `area_per_teu_m2` (an assumption, uniform over its range; one
//!   draw per sample shared by all vessels, since it is a model bias), else
//!   `teu_unknown`;
//! - load factor: (draught after - draught before) / (full draught -
//!   draught before), clamped to [0, 1], with the full draught uniform
//!   between the deepest draught the vessel ever broadcast and that times
//!   `1 + full_draught_margin` (or the configured figure); when draughts
//!   are missing or do not span a range, uniform over
//!   `load_factor_unknown`;
//! - containers = capacity x load factor; tonnes of cargo = containers x
//!   payload per TEU (without the boxes' own 2.3 t); rounds = containers x payload / kg per round, with
//!   payload and kg per round uniform over their ranges (one draw per
//!   sample for the whole campaign: packing does not change per voyage).
//!
//! Campaign figures sum the voyages sample by sample, so shared
//! assumptions widen the campaign range as they should.

use crate::profile::Profile;
use detect::{Event, EventKind};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A munition type and the mass one round takes in a container, kg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Munition {
    /// Its name (as claims use it: `152mm`).
    pub name: String,
    /// Mass per round including its share of packaging, kg (range).
    pub kg_per_round: [f64; 2],
}

/// What is known about one vessel's capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct VesselSpec {
    /// The vessel by MMSI.
    pub mmsi: Option<u32>,
    /// The vessel by IMO number.
    pub imo: Option<u32>,
    /// Container capacity, TEU (a range; give the same figure twice when
    /// known exactly).
    pub teu: Option<[f64; 2]>,
    /// Fully laden draught, metres.
    pub full_draught_m: Option<f64>,
}

/// Estimator parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EstimateParams {
    /// Monte Carlo samples.
    pub samples: usize,
    /// Seed: the same inputs give the same figures.
    pub seed: u64,
    /// Deck and hold area per TEU slot, m² of length x beam. Assumption:
    /// small container/ro-ro/general cargo ships carry roughly one TEU per
    /// 4-7 m² of L x B.
    pub area_per_teu_m2: [f64; 2],
    /// Capacity when the vessel's dimensions are unknown, TEU.
    pub teu_unknown: [f64; 2],
    /// Load factor when draughts cannot tell.
    pub load_factor_unknown: [f64; 2],
    /// The deepest broadcast draught may be short of fully laden by up to
    /// this fraction.
    pub full_draught_margin: f64,
    /// Cargo mass per TEU, kg. FACTS.md §3: a 20 ft box takes at most
    /// 28,180 kg; ammunition crates fill a box by volume before weight,
    /// so the default range is 10-24 t (assumption).
    pub payload_kg_per_teu: [f64; 2],
    /// Munition types. FACTS.md §3: 152 mm ~46 kg per round with packaging
    /// (from C4ADS' 74,000 t ~ 1.6M shells); 122 mm HE-FRAG 21.8 kg bare,
    /// packaging unknown: ranges around those figures.
    pub munitions: Vec<Munition>,
    /// Known capacities and laden draughts.
    pub vessels: Vec<VesselSpec>,
    /// Voyages below this confidence are left out.
    pub min_confidence: f64,
}

impl Default for EstimateParams {
    fn default() -> Self {
        EstimateParams {
            samples: 10_000,
            seed: 7,
            area_per_teu_m2: [4.0, 7.0],
            teu_unknown: [100.0, 1_000.0],
            load_factor_unknown: [0.0, 1.0],
            full_draught_margin: 0.1,
            payload_kg_per_teu: [10_000.0, 24_000.0],
            munitions: vec![
                Munition {
                    name: "152mm".into(),
                    kg_per_round: [40.0, 52.0],
                },
                Munition {
                    name: "122mm".into(),
                    kg_per_round: [24.0, 34.0],
                },
            ],
            vessels: Vec::new(),
            min_confidence: 0.0,
        }
    }
}

/// P10, P50, P90.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

impl Quantiles {
    /// The quantiles of these samples (linear between order statistics; 0
    /// when there are none).
    pub fn of(v: &[f64]) -> Quantiles {
        let mut s = v.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| {
            if s.is_empty() {
                return 0.0;
            }
            // linear interpolation between order statistics
            let x = p * (s.len() - 1) as f64;
            let (i, f) = (x.floor() as usize, x.fract());
            s[i] + (s[(i + 1).min(s.len() - 1)] - s[i]) * f
        };
        Quantiles {
            p10: q(0.1),
            p50: q(0.5),
            p90: q(0.9),
        }
    }
}

/// One laden voyage's estimate.
#[derive(Debug, Clone, Serialize)]
pub struct VoyageEstimate {
    /// The voyage event's id.
    pub event_id: String,
    /// The vessel.
    pub mmsi: u32,
    /// Its name when the voyage began (attacker-controlled text).
    pub name: Option<String>,
    /// The port it left.
    pub from: Option<String>,
    /// The port it arrived at.
    pub to: Option<String>,
    /// The kind of call it left (`dark_port_call` or `port_visit`).
    pub from_kind: String,
    /// Departure (RFC 3339).
    pub start: String,
    /// Arrival (RFC 3339).
    pub end: Option<String>,
    /// What the vessel could carry, TEU.
    pub capacity_teu: Quantiles,
    /// Where the capacity comes from, in words.
    pub capacity_basis: String,
    /// Broadcast draught before loading, m.
    pub draught_before_m: Option<f64>,
    /// Broadcast draught after, m.
    pub draught_after_m: Option<f64>,
    /// The draught taken as fully laden, m.
    pub full_draught_m: Option<f64>,
    /// Share of the capacity loaded (0..1).
    pub load_factor: Quantiles,
    /// Where the load factor comes from, in words.
    pub load_basis: String,
    /// Containers carried, TEU.
    pub containers: Quantiles,
    /// Tonnes carried.
    pub tonnes: Quantiles,
    /// Rounds carried, per munition.
    pub rounds: BTreeMap<String, Quantiles>,
}

/// Totals over the voyages of a campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Voyages counted.
    pub voyages: usize,
    /// Containers, TEU.
    pub containers: Quantiles,
    /// Tonnes.
    pub tonnes: Quantiles,
    /// Rounds, per munition.
    pub rounds: BTreeMap<String, Quantiles>,
}

/// Voyages, campaign totals, and the samples behind them (for claims over
/// sub-periods).
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Each laden voyage.
    pub voyages: Vec<VoyageEstimate>,
    /// All of them together.
    pub campaign: Totals,
    /// The samples behind the quantiles.
    #[serde(skip)]
    pub samples: Samples,
}

/// Per voyage, per sample: containers, tonnes, rounds by munition.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Containers, per voyage and sample.
    pub containers: Vec<Vec<f64>>,
    /// Tonnes, per voyage and sample.
    pub tonnes: Vec<Vec<f64>>,
    /// Rounds per munition, per voyage and sample.
    pub rounds: BTreeMap<String, Vec<Vec<f64>>>,
    /// Voyage start, unix ms.
    pub start_ms: Vec<i64>,
}

impl Samples {
    /// Totals over the voyages `keep` selects.
    pub fn totals(&self, keep: impl Fn(usize) -> bool) -> Totals {
        let idx: Vec<usize> = (0..self.start_ms.len()).filter(|&i| keep(i)).collect();
        let n = self.containers.first().map(|v| v.len()).unwrap_or(0);
        let sum = |vs: &Vec<Vec<f64>>| -> Vec<f64> {
            (0..n)
                .map(|s| idx.iter().map(|&i| vs[i][s]).sum())
                .collect()
        };
        // with no voyage at all there are no samples: the quantiles of
        // nothing are 0
        Totals {
            voyages: idx.len(),
            containers: Quantiles::of(&sum(&self.containers)),
            tonnes: Quantiles::of(&sum(&self.tonnes)),
            rounds: self
                .rounds
                .iter()
                .map(|(k, v)| (k.clone(), Quantiles::of(&sum(v))))
                .collect(),
        }
    }
}

fn uniform(rng: &mut impl Rng, r: [f64; 2]) -> f64 {
    let (a, b) = (r[0].min(r[1]), r[0].max(r[1]));
    if b > a {
        rng.random_range(a..=b)
    } else {
        a
    }
}

/// Whether a voyage is a laden leg of the campaign: it leaves a watched
/// port (seen, or inferred as a dark port call).
pub fn is_campaign_voyage(e: &Event, watched_names: &[String]) -> bool {
    e.kind() == EventKind::Voyage
        && e.evidence.voyage().is_some_and(|v| {
            v.from_kind == EventKind::DarkPortCall
                || v.from
                    .as_deref()
                    .is_some_and(|f| watched_names.iter().any(|w| w.eq_ignore_ascii_case(f)))
        })
}

/// Estimates every campaign voyage among `events`.
pub fn estimate(
    events: &[Event],
    profiles: &BTreeMap<u32, Profile>,
    watched_names: &[String],
    p: &EstimateParams,
) -> Estimate {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(p.seed);
    let n = p.samples.max(1);
    // shared draws, one per sample
    let area: Vec<f64> = (0..n)
        .map(|_| uniform(&mut rng, p.area_per_teu_m2))
        .collect();
    let payload: Vec<f64> = (0..n)
        .map(|_| uniform(&mut rng, p.payload_kg_per_teu))
        .collect();
    let kg: Vec<Vec<f64>> = p
        .munitions
        .iter()
        .map(|m| (0..n).map(|_| uniform(&mut rng, m.kg_per_round)).collect())
        .collect();
    let mut voyages = Vec::new();
    let mut samples = Samples::default();
    for m in &p.munitions {
        samples.rounds.insert(m.name.clone(), Vec::new());
    }
    let mut vs: Vec<&Event> = events
        .iter()
        .filter(|e| is_campaign_voyage(e, watched_names) && e.confidence >= p.min_confidence)
        .collect();
    vs.sort_by_key(|e| (e.start_ms(), e.mmsi));
    // the call each voyage leaves from ends when the voyage starts
    let mut calls: std::collections::HashMap<(u32, i64), &Event> = std::collections::HashMap::new();
    for c in events
        .iter()
        .filter(|c| c.kind() == EventKind::DarkPortCall || c.kind() == EventKind::PortVisit)
    {
        calls.entry((c.mmsi, c.end_ms())).or_insert(c);
    }
    for v in vs {
        let prof = profiles.get(&v.mmsi);
        let imo = prof.and_then(|x| x.imos.last().map(|s| s.value));
        let spec = p
            .vessels
            .iter()
            .find(|s| s.mmsi == Some(v.mmsi) || (s.imo.is_some() && s.imo == imo));
        // draughts: from the dark call's evidence, else the broadcasts
        let call = calls.get(&(v.mmsi, v.start_ms())).copied();
        let (before, after) = match call {
            Some(c) if c.kind() == EventKind::DarkPortCall => {
                let d = c.evidence.dark_port_call();
                (
                    d.and_then(|d| d.draught_before_m).map(f64::from),
                    d.and_then(|d| d.draught_after_m).map(f64::from),
                )
            }
            Some(c) => (
                prof.and_then(|x| x.draught_at(c.start_ms()))
                    .map(|d| d as f64),
                prof.and_then(|x| x.draught_at((v.start_ms() + v.end_ms()) / 2))
                    .map(|d| d as f64),
            ),
            None => (None, None),
        };
        let full_obs = spec
            .and_then(|s| s.full_draught_m)
            .or_else(|| prof.and_then(|x| x.max_draught()).map(|d| d as f64));
        let full_range = match (spec.and_then(|s| s.full_draught_m), full_obs) {
            (Some(f), _) => Some([f, f]),
            (None, Some(f)) => Some([f, f * (1.0 + p.full_draught_margin)]),
            _ => None,
        };
        let (cap_range, mut cap_basis, by_area) = match (spec.and_then(|s| s.teu), prof) {
            (Some(t), _) => (t, "configured capacity".to_string(), None),
            (None, Some(pr)) if pr.length_m.is_some() && pr.beam_m.is_some() => {
                let la = pr.length_m.unwrap_or(0.0) * pr.beam_m.unwrap_or(0.0);
                (
                    [la / p.area_per_teu_m2[1], la / p.area_per_teu_m2[0]],
                    format!(
                        "estimated from broadcast dimensions {:.0} m x {:.0} m at {}-{} m² per TEU",
                        pr.length_m.unwrap_or(0.0),
                        pr.beam_m.unwrap_or(0.0),
                        p.area_per_teu_m2[0],
                        p.area_per_teu_m2[1]
                    ),
                    Some(la),
                )
            }
            _ => (
                p.teu_unknown,
                "dimensions unknown: the default range".to_string(),
                None,
            ),
        };
        // AIS ship types do not single out container ships (70-79 is all
        // cargo): the type can only warn that the model may not apply
        match prof.and_then(|x| x.ship_types.iter().max_by_key(|s| s.last_ms)).map(|s| s.value) {
            Some(t @ 70..=79) => cap_basis.push_str(&format!("; AIS ship type {t} (cargo)")),
            Some(t) => cap_basis.push_str(&format!(
                "; AIS ship type {t} is not a cargo type: these figures assume it carried containers anyway"
            )),
            None => cap_basis.push_str("; ship type not broadcast"),
        }
        let known = matches!((before, after, full_range), (Some(b), Some(_), Some(f)) if f[1] > b);
        let load_basis = if known {
            format!(
                "draught {:.1} m before, {:.1} m after, full {:.1}-{:.1} m",
                before.unwrap_or(0.0),
                after.unwrap_or(0.0),
                full_range.map(|f| f[0]).unwrap_or(0.0),
                full_range.map(|f| f[1]).unwrap_or(0.0)
            )
        } else {
            "draughts missing or not spanning a range: unknown".to_string()
        };
        let mut c = Vec::with_capacity(n);
        let mut lf = Vec::with_capacity(n);
        let mut caps = Vec::with_capacity(n);
        for a in area.iter() {
            let cap = match by_area {
                Some(la) => la / a,
                None => uniform(&mut rng, cap_range),
            };
            let l = if known {
                let (b, a, f) = (
                    before.unwrap_or(0.0),
                    after.unwrap_or(0.0),
                    uniform(&mut rng, full_range.unwrap_or([0.0, 0.0])),
                );
                if f > b {
                    ((a - b) / (f - b)).clamp(0.0, 1.0)
                } else {
                    1.0
                }
            } else {
                uniform(&mut rng, p.load_factor_unknown)
            };
            caps.push(cap);
            lf.push(l);
            c.push(cap * l);
        }
        let t: Vec<f64> = (0..n).map(|s| c[s] * payload[s] / 1000.0).collect();
        let mut rounds = BTreeMap::new();
        for (k, m) in p.munitions.iter().enumerate() {
            let r: Vec<f64> = (0..n).map(|s| c[s] * payload[s] / kg[k][s]).collect();
            rounds.insert(m.name.clone(), Quantiles::of(&r));
            if let Some(x) = samples.rounds.get_mut(&m.name) {
                x.push(r);
            }
        }
        voyages.push(VoyageEstimate {
            event_id: v.id.clone(),
            mmsi: v.mmsi,
            name: v.vessel.as_ref().and_then(|x| x.name.clone()),
            from: v.evidence.voyage().and_then(|x| x.from.clone()),
            to: v.evidence.voyage().and_then(|x| x.to.clone()),
            from_kind: v
                .evidence
                .voyage()
                .map_or("", |x| x.from_kind.as_str())
                .to_string(),
            start: v.start.to_string(),
            end: v.end.map(|t| t.to_string()),
            capacity_teu: Quantiles::of(&caps),
            capacity_basis: cap_basis,
            draught_before_m: before,
            draught_after_m: after,
            full_draught_m: full_obs,
            load_factor: Quantiles::of(&lf),
            load_basis,
            containers: Quantiles::of(&c),
            tonnes: Quantiles::of(&t),
            rounds,
        });
        samples.containers.push(c);
        samples.tonnes.push(t);
        samples.start_ms.push(v.start_ms());
    }
    let campaign = samples.totals(|_| true);
    Estimate {
        voyages,
        campaign,
        samples,
    }
}
