//! What a campaign of voyages could have carried and what it probably
//! carried, kept apart: per voyage a **capacity** (container slots, the
//! 20-ft payload limit and the ship's deadweight: the most it could carry)
//! and a **likely** load (a draught survey of the draught change the crew
//! broadcast, with the error of AIS draught readings; a load-factor prior
//! only where no draught change was reported, and said so), each in
//! containers, tonnes and rounds per munition type as P10/P50/P90 from a
//! seeded Monte Carlo over every uncertain input. Every input and range is
//! a parameter under `[intel.estimate]`; the defaults come from FACTS.md §1
//! and §3 where a figure exists and are marked as assumptions where none
//! does.
//!
//! Model, per Monte Carlo sample:
//! - slots (TEU): the configured figure for the vessel, else length x beam
//!   / `area_per_teu_m2` (one draw per sample shared by all vessels, since
//!   it is a model bias), else the prior `teu_unknown`;
//! - deadweight (t): configured, else `deadweight_coefficient` x length x
//!   beam x full draught (the deepest broadcast draught, up to
//!   `full_draught_margin` deeper), else the prior `deadweight_unknown_t`;
//!   of it `deadweight_cargo_share` is free for cargo (fuel, water, stores
//!   and ballast take the rest);
//! - capacity: boxes = min(slots, cargo deadweight / (payload + tare)) with
//!   the payload of a munitions box drawn from `payload_kg_per_teu`;
//!   tonnes = min(slots x payload limit, cargo deadweight x limit / (limit
//!   + tare)): the most cargo in 20-ft boxes by slots or by weight;
//! - likely, by draught survey: tonnes per centimetre immersion TPC =
//!   Cwp x Lwl x B x ρ / 100 (waterplane coefficient, waterline length as a
//!   share of the length overall, seawater density: ranges), the draught
//!   change in cm with each AIS reading off by up to
//!   `draught_reading_error_m` (the crew enters it in 0.1 m steps), the
//!   displacement change TPC x Δd split into boxes of payload + tare;
//!   capped at the capacity. Where no change was reported (no draught, the
//!   same draught before and after, no dimensions): capacity x
//!   `load_factor_unknown`, and the basis says so;
//! - rounds = tonnes / kg per round (one draw per sample for the
//!   campaign: packing does not change per voyage).
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

/// What is known about one vessel from outside AIS (a register, the
/// ship's own papers).
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
    /// Fully laden (summer) draught, metres.
    pub full_draught_m: Option<f64>,
    /// Deadweight, tonnes.
    pub deadweight_t: Option<f64>,
    /// Tonnes per centimetre immersion from the ship's hydrostatic tables.
    pub tpc_t_per_cm: Option<f64>,
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
    /// Slots when the vessel's dimensions are unknown, TEU (prior for the
    /// small feeder, ro-ro and general cargo ships of such trades;
    /// assumption).
    pub teu_unknown: [f64; 2],
    /// Deadweight / (length x beam x full draught), t/m³: block coefficient
    /// 0.65-0.75 (general cargo, ro-ro) x seawater 1.025 t/m³ x deadweight
    /// / displacement 0.68-0.78. Assumption from naval-architecture rules
    /// of thumb.
    pub deadweight_coefficient: [f64; 2],
    /// Deadweight when dimensions or draughts are unknown, t (prior;
    /// assumption).
    pub deadweight_unknown_t: [f64; 2],
    /// Share of the deadweight free for cargo (fuel, fresh water, stores,
    /// ballast take the rest). Assumption.
    pub deadweight_cargo_share: [f64; 2],
    /// The deepest broadcast draught may be short of fully laden by up to
    /// this fraction.
    pub full_draught_margin: f64,
    /// Most cargo one 20-ft box may hold, kg. FACTS.md §3: 28,180 kg (ISO
    /// 668, max gross 30,480 kg).
    pub payload_limit_kg_per_teu: f64,
    /// A 20-ft box's own mass, kg. FACTS.md §3: 2,300 kg.
    pub tare_kg_per_teu: f64,
    /// Cargo in one box of munitions, kg. FACTS.md §1: the published pairs
    /// imply 400-500 152 mm rounds per container at ~46 kg each, 18-23 t;
    /// at most the payload limit. Boxes of munitions fill by weight long
    /// before by volume.
    pub payload_kg_per_teu: [f64; 2],
    /// Waterplane area coefficient Cwp of the ships' type (general cargo,
    /// ro-ro, feeder container ships: 0.75-0.85; assumption from
    /// naval-architecture rules of thumb).
    pub waterplane_coefficient: [f64; 2],
    /// Waterline length as a share of the length overall that AIS gives
    /// (assumption: 0.92-0.97 for such ships).
    pub waterline_length_share: [f64; 2],
    /// Seawater density, t/m³ (1.020-1.026 in the open sea and the ports of
    /// the Sea of Japan; brackish ports lower).
    pub water_density_t_m3: [f64; 2],
    /// Error of one broadcast draught, m: the crew enters it by hand in
    /// 0.1 m steps (ITU-R M.1371 message 5), so each reading is off by up
    /// to half a step.
    pub draught_reading_error_m: f64,
    /// Share of the capacity loaded where no draught change was reported.
    pub load_factor_unknown: [f64; 2],
    /// Munition types. FACTS.md §3: 152 mm ~46 kg per round with packaging
    /// (from C4ADS' 74,000 t ~ 1.6M shells); 122 mm HE-FRAG 21.8 kg bare,
    /// packaging unknown: ranges around those figures.
    pub munitions: Vec<Munition>,
    /// Known capacities, deadweights and hydrostatics.
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
            deadweight_coefficient: [0.45, 0.60],
            deadweight_unknown_t: [2_000.0, 15_000.0],
            deadweight_cargo_share: [0.85, 0.95],
            full_draught_margin: 0.1,
            payload_limit_kg_per_teu: 28_180.0,
            tare_kg_per_teu: 2_300.0,
            payload_kg_per_teu: [18_000.0, 28_180.0],
            waterplane_coefficient: [0.75, 0.85],
            waterline_length_share: [0.92, 0.97],
            water_density_t_m3: [1.020, 1.026],
            draught_reading_error_m: 0.05,
            load_factor_unknown: [0.0, 1.0],
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

    /// One exact figure.
    pub fn exact(x: f64) -> Quantiles {
        Quantiles {
            p10: x,
            p50: x,
            p90: x,
        }
    }

    /// Every quantile times `f` (f >= 0).
    pub fn scaled(&self, f: f64) -> Quantiles {
        Quantiles {
            p10: self.p10 * f,
            p50: self.p50 * f,
            p90: self.p90 * f,
        }
    }
}

/// A load in every unit: containers, tonnes of cargo, rounds per munition
/// (if the cargo were only that calibre).
#[derive(Debug, Clone, Serialize)]
pub struct Load {
    /// 20-ft containers (TEU).
    pub containers: Quantiles,
    /// Tonnes of cargo (the boxes' own mass not counted).
    pub tonnes: Quantiles,
    /// Rounds, per munition.
    pub rounds: BTreeMap<String, Quantiles>,
}

/// How a voyage's likely load was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LikelyMethod {
    /// From the draught change (tonnes per cm x cm).
    DraughtSurvey,
    /// No draught change to survey: capacity x the load-factor prior.
    LoadFactorPrior,
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
    /// Container slots, TEU.
    pub slots_teu: Quantiles,
    /// Deadweight, tonnes.
    pub deadweight_t: Quantiles,
    /// Where slots and deadweight come from, in words.
    pub capacity_basis: String,
    /// The most it could carry.
    pub capacity: Load,
    /// Broadcast draught before loading, m.
    pub draught_before_m: Option<f64>,
    /// Broadcast draught after, m.
    pub draught_after_m: Option<f64>,
    /// The deepest draught it ever broadcast, m (or the configured full
    /// draught).
    pub full_draught_m: Option<f64>,
    /// Tonnes per centimetre immersion (draught survey only).
    pub tpc_t_per_cm: Option<Quantiles>,
    /// The tonnes per cm are the configured hydrostatic figure (else from
    /// the ship's form).
    pub tpc_configured: bool,
    /// The broadcast draught change, cm (draught survey only).
    pub draught_change_cm: Option<f64>,
    /// How the likely load was found.
    pub likely_method: LikelyMethod,
    /// The likely load's basis, in words.
    pub likely_basis: String,
    /// What it probably carried.
    pub likely: Load,
}

/// Totals over the voyages of a campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Voyages counted.
    pub voyages: usize,
    /// Of them, voyages whose likely load is a draught survey.
    pub by_draught_survey: usize,
    /// Of them, voyages whose likely load is the load-factor prior.
    pub by_prior: usize,
    /// The most the voyages could carry.
    pub capacity: Load,
    /// What they probably carried.
    pub likely: Load,
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

/// Per voyage, per sample: containers and tonnes, capacity and likely;
/// per sample: kg per round of each munition.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Monte Carlo samples per voyage.
    pub samples: usize,
    /// Capacity in containers, per voyage and sample.
    pub capacity_containers: Vec<Vec<f64>>,
    /// Capacity in tonnes, per voyage and sample.
    pub capacity_tonnes: Vec<Vec<f64>>,
    /// Likely containers, per voyage and sample.
    pub likely_containers: Vec<Vec<f64>>,
    /// Likely tonnes, per voyage and sample.
    pub likely_tonnes: Vec<Vec<f64>>,
    /// kg per round per munition, per sample.
    pub kg_per_round: BTreeMap<String, Vec<f64>>,
    /// Voyage start, unix ms.
    pub start_ms: Vec<i64>,
    /// Whether each voyage's likely load is a draught survey.
    pub surveyed: Vec<bool>,
}

impl Samples {
    /// Totals over the voyages `keep` selects.
    pub fn totals(&self, keep: impl Fn(usize) -> bool) -> Totals {
        let idx: Vec<usize> = (0..self.start_ms.len()).filter(|&i| keep(i)).collect();
        let n = self.samples;
        let sum = |vs: &Vec<Vec<f64>>| -> Vec<f64> {
            (0..n)
                .map(|s| idx.iter().map(|&i| vs[i][s]).sum())
                .collect()
        };
        // with no voyage at all there are no samples: the quantiles of
        // nothing are 0
        let load = |c: &Vec<Vec<f64>>, t: &Vec<Vec<f64>>| {
            let tonnes = sum(t);
            Load {
                containers: Quantiles::of(&sum(c)),
                tonnes: Quantiles::of(&tonnes),
                rounds: self
                    .kg_per_round
                    .iter()
                    .map(|(k, kg)| {
                        let r: Vec<f64> = tonnes
                            .iter()
                            .zip(kg)
                            .map(|(t, kg)| t * 1000.0 / kg)
                            .collect();
                        (k.clone(), Quantiles::of(&r))
                    })
                    .collect(),
            }
        };
        let surveyed = idx.iter().filter(|&&i| self.surveyed[i]).count();
        Totals {
            voyages: idx.len(),
            by_draught_survey: surveyed,
            by_prior: idx.len() - surveyed,
            capacity: load(&self.capacity_containers, &self.capacity_tonnes),
            likely: load(&self.likely_containers, &self.likely_tonnes),
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

fn mid(r: [f64; 2]) -> f64 {
    (r[0] + r[1]) / 2.0
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

/// Draws shared by every voyage of one sample (model biases and packing).
struct Shared {
    area: Vec<f64>,
    dwt_coef: Vec<f64>,
    cargo_share: Vec<f64>,
    payload: Vec<f64>,
    cwp: Vec<f64>,
    lwl_share: Vec<f64>,
    rho: Vec<f64>,
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
    let mut draw = |r: [f64; 2]| -> Vec<f64> { (0..n).map(|_| uniform(&mut rng, r)).collect() };
    let sh = Shared {
        area: draw(p.area_per_teu_m2),
        dwt_coef: draw(p.deadweight_coefficient),
        cargo_share: draw(p.deadweight_cargo_share),
        payload: draw([
            p.payload_kg_per_teu[0].min(p.payload_limit_kg_per_teu),
            p.payload_kg_per_teu[1].min(p.payload_limit_kg_per_teu),
        ]),
        cwp: draw(p.waterplane_coefficient),
        lwl_share: draw(p.waterline_length_share),
        rho: draw(p.water_density_t_m3),
    };
    let mut samples = Samples {
        samples: n,
        ..Samples::default()
    };
    for m in &p.munitions {
        samples
            .kg_per_round
            .insert(m.name.clone(), draw(m.kg_per_round));
    }
    let mut voyages = Vec::new();
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
        let call = calls.get(&(v.mmsi, v.start_ms())).copied();
        let (est, s) = one_voyage(
            v,
            call,
            profiles.get(&v.mmsi),
            p,
            &sh,
            &samples.kg_per_round,
            &mut rng,
        );
        samples.capacity_containers.push(s.0);
        samples.capacity_tonnes.push(s.1);
        samples.likely_containers.push(s.2);
        samples.likely_tonnes.push(s.3);
        samples.start_ms.push(v.start_ms());
        samples
            .surveyed
            .push(est.likely_method == LikelyMethod::DraughtSurvey);
        voyages.push(est);
    }
    let campaign = samples.totals(|_| true);
    Estimate {
        voyages,
        campaign,
        samples,
    }
}

type VoyageSamples = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn one_voyage(
    v: &Event,
    call: Option<&Event>,
    prof: Option<&Profile>,
    p: &EstimateParams,
    sh: &Shared,
    kg: &BTreeMap<String, Vec<f64>>,
    rng: &mut impl Rng,
) -> (VoyageEstimate, VoyageSamples) {
    let n = sh.area.len();
    let imo = prof.and_then(|x| x.imos.last().map(|s| s.value));
    let spec = p
        .vessels
        .iter()
        .find(|s| s.mmsi == Some(v.mmsi) || (s.imo.is_some() && s.imo == imo));
    // draughts: from the dark call's evidence, else the broadcasts
    let mut never_updated = false;
    let (before, after) = match call {
        Some(c) if c.kind() == EventKind::DarkPortCall => {
            let d = c.evidence.dark_port_call();
            never_updated = d.is_some_and(|d| d.draught_never_updated);
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
    // round to the 0.1 m the message carries
    let (before, after) = (
        before.map(|d| (d * 10.0).round() / 10.0),
        after.map(|d| (d * 10.0).round() / 10.0),
    );
    let full_obs = spec
        .and_then(|s| s.full_draught_m)
        .or_else(|| prof.and_then(|x| x.max_draught()).map(|d| d as f64));
    let full_range = match (spec.and_then(|s| s.full_draught_m), full_obs) {
        (Some(f), _) => Some([f, f]),
        (None, Some(f)) => Some([f, f * (1.0 + p.full_draught_margin)]),
        _ => None,
    };
    let dims = prof.and_then(|x| x.length_m.zip(x.beam_m));
    let mut basis = Vec::new();
    // slots
    let slots_how = match (spec.and_then(|s| s.teu), dims) {
        (Some(t), _) => {
            basis.push(format!("configured slots {:.0}-{:.0} TEU", t[0], t[1]));
            Slots::Range(t)
        }
        (None, Some((l, b))) => {
            basis.push(format!(
                "slots from broadcast dimensions {l:.0} m x {b:.0} m at {}-{} m² per TEU",
                p.area_per_teu_m2[0], p.area_per_teu_m2[1]
            ));
            Slots::Area(l * b)
        }
        _ => {
            basis.push(format!(
                "dimensions unknown: slots from the prior {:.0}-{:.0} TEU",
                p.teu_unknown[0], p.teu_unknown[1]
            ));
            Slots::Range(p.teu_unknown)
        }
    };
    // deadweight
    let dwt_how = match (spec.and_then(|s| s.deadweight_t), dims, full_range) {
        (Some(d), _, _) => {
            basis.push(format!("configured deadweight {d:.0} t"));
            Dwt::Fixed(d)
        }
        (None, Some((l, b)), Some(f)) => {
            basis.push(format!(
                "deadweight {}-{} x L x B x full draught {:.1}-{:.1} m",
                p.deadweight_coefficient[0], p.deadweight_coefficient[1], f[0], f[1]
            ));
            Dwt::Coefficient(l * b, f)
        }
        _ => {
            basis.push(format!(
                "{}: deadweight from the prior {:.0}-{:.0} t",
                if dims.is_none() {
                    "dimensions unknown"
                } else {
                    "no draught broadcast"
                },
                p.deadweight_unknown_t[0],
                p.deadweight_unknown_t[1]
            ));
            Dwt::Range(p.deadweight_unknown_t)
        }
    };
    // AIS ship types do not single out container ships (70-79 is all
    // cargo): the type can only warn that the model may not apply
    match prof
        .and_then(|x| x.ship_types.iter().max_by_key(|s| s.last_ms))
        .map(|s| s.value)
    {
        Some(t @ 70..=79) => basis.push(format!("AIS ship type {t} (cargo)")),
        Some(t) => basis.push(format!(
            "AIS ship type {t} is not a cargo type: these figures assume it carried containers anyway"
        )),
        None => basis.push("ship type not broadcast".into()),
    }
    // the draught survey needs a reported change and tonnes per cm
    let change = before.zip(after).map(|(b, a)| a - b);
    let tpc_how = match (spec.and_then(|s| s.tpc_t_per_cm), dims) {
        (Some(t), _) => Some(Tpc::Fixed(t)),
        (None, Some((l, b))) => Some(Tpc::Form(l, b)),
        _ => None,
    };
    // a change of at least one 0.1 m step
    let survey = matches!((change, &tpc_how), (Some(d), Some(_)) if d.abs() >= 0.05);
    let likely_basis = match (change, &tpc_how, survey) {
        (Some(d), Some(t), true) => {
            let tpc = match t {
                Tpc::Fixed(x) => format!("{x:.1} t/cm (configured)"),
                Tpc::Form(l, b) => format!(
                    "Cwp {}-{} x Lwl ({}-{} x {l:.0} m) x B {b:.0} m x ρ {}-{} t/m³ / 100",
                    p.waterplane_coefficient[0],
                    p.waterplane_coefficient[1],
                    p.waterline_length_share[0],
                    p.waterline_length_share[1],
                    p.water_density_t_m3[0],
                    p.water_density_t_m3[1]
                ),
            };
            if d > 0.0 {
                format!(
                    "draught survey: {:.1} m -> {:.1} m, {:+.0} cm (each reading ±{:.0} cm) x TPC {tpc}",
                    before.unwrap_or(0.0),
                    after.unwrap_or(0.0),
                    d * 100.0,
                    p.draught_reading_error_m * 100.0
                )
            } else {
                format!(
                    "draught survey: the draught fell {:.1} m -> {:.1} m: the draughts show no cargo loaded (or a stale reading)",
                    before.unwrap_or(0.0),
                    after.unwrap_or(0.0)
                )
            }
        }
        (Some(_), None, _) => format!(
            "dimensions unknown, no tonnes per cm: load factor prior {}-{} of capacity",
            p.load_factor_unknown[0], p.load_factor_unknown[1]
        ),
        (Some(_), Some(_), false) => format!(
            "no draught change reported ({:.1} m before and after{}): load factor prior {}-{} of capacity",
            before.unwrap_or(0.0),
            if never_updated {
                "; the crew never updated it"
            } else {
                ""
            },
            p.load_factor_unknown[0],
            p.load_factor_unknown[1]
        ),
        (None, _, _) => format!(
            "no draught broadcast {}: load factor prior {}-{} of capacity",
            match (before, after) {
                (None, None) => "before or after",
                (None, _) => "before",
                _ => "after",
            },
            p.load_factor_unknown[0],
            p.load_factor_unknown[1]
        ),
    };
    let limit_t = p.payload_limit_kg_per_teu / 1000.0;
    let tare_t = p.tare_kg_per_teu / 1000.0;
    let mut out: VoyageSamples = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut slots_s, mut dwt_s, mut tpc_s) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for s in 0..n {
        let slots = match slots_how {
            Slots::Area(la) => la / sh.area[s],
            Slots::Range(r) => uniform(rng, r),
        };
        let dwt = match dwt_how {
            Dwt::Fixed(d) => d,
            Dwt::Coefficient(lb, f) => sh.dwt_coef[s] * lb * uniform(rng, f),
            Dwt::Range(r) => uniform(rng, r),
        };
        let cargo_dwt = dwt * sh.cargo_share[s];
        let box_t = sh.payload[s] / 1000.0;
        let cap_c = slots.min(cargo_dwt / (box_t + tare_t));
        let cap_t = (slots * limit_t).min(cargo_dwt * limit_t / (limit_t + tare_t));
        let (lik_c, lik_t) = if survey {
            let tpc = match tpc_how {
                Some(Tpc::Fixed(x)) => x,
                Some(Tpc::Form(l, b)) => tpc(sh.cwp[s], l * sh.lwl_share[s], b, sh.rho[s]),
                None => 0.0,
            };
            tpc_s.push(tpc);
            let e = p.draught_reading_error_m;
            let d_cm =
                (change.unwrap_or(0.0) + uniform(rng, [-e, e]) - uniform(rng, [-e, e])) * 100.0;
            let displaced = (tpc * d_cm).max(0.0);
            let boxes = displaced / (box_t + tare_t);
            (boxes.min(cap_c), (boxes * box_t).min(cap_t))
        } else {
            let lf = uniform(rng, p.load_factor_unknown);
            (cap_c * lf, cap_t * lf)
        };
        slots_s.push(slots);
        dwt_s.push(dwt);
        out.0.push(cap_c);
        out.1.push(cap_t);
        out.2.push(lik_c);
        out.3.push(lik_t);
    }
    let load = |c: &[f64], t: &[f64]| Load {
        containers: Quantiles::of(c),
        tonnes: Quantiles::of(t),
        rounds: kg
            .iter()
            .map(|(k, kg)| {
                let r: Vec<f64> = t.iter().zip(kg).map(|(t, kg)| t * 1000.0 / kg).collect();
                (k.clone(), Quantiles::of(&r))
            })
            .collect(),
    };
    let est = VoyageEstimate {
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
        slots_teu: Quantiles::of(&slots_s),
        deadweight_t: Quantiles::of(&dwt_s),
        capacity_basis: basis.join("; "),
        capacity: load(&out.0, &out.1),
        draught_before_m: before,
        draught_after_m: after,
        full_draught_m: full_obs,
        tpc_t_per_cm: survey.then(|| Quantiles::of(&tpc_s)),
        tpc_configured: matches!(tpc_how, Some(Tpc::Fixed(_))),
        draught_change_cm: survey.then(|| (change.unwrap_or(0.0) * 100.0).round()),
        likely_method: if survey {
            LikelyMethod::DraughtSurvey
        } else {
            LikelyMethod::LoadFactorPrior
        },
        likely_basis,
        likely: load(&out.2, &out.3),
    };
    (est, out)
}

/// Tonnes per centimetre immersion: waterplane area (Cwp x Lwl x B) x
/// seawater density / 100.
fn tpc(cwp: f64, lwl: f64, beam: f64, rho: f64) -> f64 {
    cwp * lwl * beam * rho / 100.0
}

#[derive(Clone, Copy)]
enum Slots {
    Area(f64),
    Range([f64; 2]),
}

#[derive(Clone, Copy)]
enum Dwt {
    Fixed(f64),
    Coefficient(f64, [f64; 2]),
    Range([f64; 2]),
}

#[derive(Clone, Copy)]
enum Tpc {
    Fixed(f64),
    Form(f64, f64),
}

/// The draught survey of one voyage worked at the middle of every range,
/// in words (for the report's worked example); `None` when the voyage's
/// likely load is not a draught survey.
pub fn worked_survey(
    v: &VoyageEstimate,
    p: &EstimateParams,
    dims: Option<(f64, f64)>,
) -> Option<String> {
    if v.likely_method != LikelyMethod::DraughtSurvey {
        return None;
    }
    let (b, a) = (v.draught_before_m?, v.draught_after_m?);
    let d_cm = (a - b) * 100.0;
    let (tpc, tpc_words) = match dims {
        Some((l, beam)) if !v.tpc_configured => {
            let (cwp, share, rho) = (
                mid(p.waterplane_coefficient),
                mid(p.waterline_length_share),
                mid(p.water_density_t_m3),
            );
            let t = tpc(cwp, l * share, beam, rho);
            (
                t,
                format!(
                    "TPC = Cwp {cwp:.2} x Lwl ({share:.3} x {l:.0} m = {:.1} m) x B {beam:.0} m x ρ {rho:.3} t/m³ / 100 = {t:.1} t/cm",
                    share * l
                ),
            )
        }
        _ => {
            let t = v.tpc_t_per_cm?.p50;
            (t, format!("TPC {t:.1} t/cm"))
        }
    };
    let displaced = (tpc * d_cm).max(0.0);
    let (box_t, tare_t) = (
        mid([
            p.payload_kg_per_teu[0].min(p.payload_limit_kg_per_teu),
            p.payload_kg_per_teu[1].min(p.payload_limit_kg_per_teu),
        ]) / 1000.0,
        p.tare_kg_per_teu / 1000.0,
    );
    let boxes = displaced / (box_t + tare_t);
    Some(format!(
        "{tpc_words}; draught {b:.1} m -> {a:.1} m: {d_cm:.0} cm (±{:.0} cm from the 0.1 m steps of AIS draught) x {tpc:.1} t/cm = {} t displaced; in boxes of {box_t:.1} t of munitions + {tare_t:.1} t tare: {} containers, {} t of cargo (before the capacity cap and the Monte Carlo over every range)",
        2.0 * p.draught_reading_error_m * 100.0,
        thousands(displaced),
        thousands(boxes),
        thousands(boxes * box_t)
    ))
}

/// A whole number with thousands separators: 12345.6 -> "12,346".
pub fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    // (-0.4 rounds to "0", not "-0")
    if x < -0.5 {
        format!("-{out}")
    } else {
        out
    }
}
