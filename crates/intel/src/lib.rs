//! # shiptrace intel
//!
//! Judgement over detected events: which vessels are on watchlists and
//! sanctions lists ([`watchlist`], [`matching`]), how risky each looks and
//! why ([`risk`]), what a campaign of voyages could have carried
//! ([`estimate`]), whether public claims fit that ([`claims`]), and which
//! events imagery and other observations corroborate ([`observe`]).
//! [`judge`] runs them all; `shiptrace estimate` is its command line.
//! Every weight and range is a parameter under `[intel]` in
//! `shiptrace.toml`, and the output carries the values used.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
pub mod estimate;
pub mod matching;
pub mod network;
pub mod observe;
pub mod profile;
pub mod registry;
pub mod risk;
pub mod watchlist;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `[intel]` in shiptrace.toml. Paths are relative to that file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct IntelConfig {
    /// Vessel lists: OFAC sdn.csv, OpenSanctions CSV, UN 1718 CSV, TOML.
    pub watchlists: Vec<String>,
    /// Registers of owners, managers and operators by IMO (TOML with
    /// `[[vessel]]`/`[[company]]`, or CSV with an `imo` column).
    pub registries: Vec<String>,
    /// A claims ledger (TOML), or `builtin:rason-shuttle`.
    pub claims: Option<String>,
    /// Observation files (TOML or CSV).
    pub observations: Vec<String>,
    /// Matching vessels to lists.
    pub matching: matching::MatchParams,
    /// Matching through owners, managers and sister ships.
    pub network: network::NetworkParams,
    /// Risk score weights.
    pub risk: risk::RiskParams,
    /// Cargo estimates.
    pub estimate: estimate::EstimateParams,
    /// Checking claims against the estimates.
    pub claim_check: claims::ClaimParams,
    /// Linking observations to events.
    pub observe: observe::ObserveParams,
}

/// `lo <= v <= hi` and finite, or an error naming `intel.KEY`.
fn within(k: &str, v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(format!("intel.{k} = {v}: must be >= {lo} and <= {hi}"))
    }
}

/// A range `[low, high]` inside `[lo, hi]`, or an error naming `intel.KEY`.
fn span(k: &str, r: [f64; 2], lo: f64, hi: f64) -> Result<(), String> {
    within(k, r[0], lo, hi)?;
    within(k, r[1], lo, hi)?;
    if r[0] <= r[1] {
        Ok(())
    } else {
        Err(format!("intel.{k} = [{}, {}]: low above high", r[0], r[1]))
    }
}

impl IntelConfig {
    /// Refuses values the judgement cannot use, naming the key and its
    /// range.
    pub fn check(&self) -> Result<(), String> {
        let m = &self.matching;
        for (k, v) in [
            ("imo", m.imo),
            ("mmsi", m.mmsi),
            ("mmsi_conflicting_imo", m.mmsi_conflicting_imo),
            ("callsign", m.callsign),
            ("name", m.name),
            ("min_strength", m.min_strength),
            ("strong", m.strong),
            ("medium", m.medium),
        ] {
            within(&format!("matching.{k}"), v, 0.0, 1.0)?;
        }
        within("matching.strong", m.strong, m.medium, 1.0)?;
        let n = &self.network;
        for (k, v) in [
            ("owner_listed", n.owner_listed),
            ("manager_listed", n.manager_listed),
            ("linked_listed", n.linked_listed),
            ("sister_of_listed", n.sister_of_listed),
            ("per_hop", n.per_hop),
        ] {
            within(&format!("network.{k}"), v, 0.0, 1.0)?;
        }
        within("network.max_depth", n.max_depth as f64, 1.0, 4.0)?;
        let r = &self.risk;
        for (k, v) in [
            ("dark_port_call", r.dark_port_call),
            ("dark_port_call_cap", r.dark_port_call_cap),
            ("encounter_with_listed", r.encounter_with_listed),
            ("encounter", r.encounter),
            ("encounter_cap", r.encounter_cap),
            ("identity_change", r.identity_change),
            ("imo_moved", r.imo_moved),
            ("flag_change", r.flag_change),
            ("identity_cap", r.identity_cap),
            ("shared_mmsi", r.shared_mmsi),
            ("position_jump", r.position_jump),
            ("gap_near_watched", r.gap_near_watched),
            ("gap_cap", r.gap_cap),
            ("list_match", r.list_match),
            ("network_match", r.network_match),
        ] {
            within(&format!("risk.{k}"), v, 0.0, 100.0)?;
        }
        within("risk.listed_min_strength", r.listed_min_strength, 0.0, 1.0)?;
        within("risk.high_risk_nm", r.high_risk_nm, 0.0, 20_000.0)?;
        let e = &self.estimate;
        // (the samples of every voyage are kept for claims over sub-periods)
        within("estimate.samples", e.samples as f64, 1.0, 1e6)?;
        span("estimate.area_per_teu_m2", e.area_per_teu_m2, 0.1, 1e4)?;
        span("estimate.teu_unknown", e.teu_unknown, 0.0, 1e5)?;
        span(
            "estimate.deadweight_coefficient",
            e.deadweight_coefficient,
            0.01,
            1.2,
        )?;
        span(
            "estimate.deadweight_unknown_t",
            e.deadweight_unknown_t,
            0.0,
            1e6,
        )?;
        span(
            "estimate.deadweight_cargo_share",
            e.deadweight_cargo_share,
            0.01,
            1.0,
        )?;
        within(
            "estimate.payload_limit_kg_per_teu",
            e.payload_limit_kg_per_teu,
            1.0,
            1e5,
        )?;
        within("estimate.tare_kg_per_teu", e.tare_kg_per_teu, 0.0, 1e5)?;
        span(
            "estimate.waterplane_coefficient",
            e.waterplane_coefficient,
            0.3,
            1.0,
        )?;
        span(
            "estimate.waterline_length_share",
            e.waterline_length_share,
            0.5,
            1.1,
        )?;
        span(
            "estimate.water_density_t_m3",
            e.water_density_t_m3,
            0.99,
            1.05,
        )?;
        within(
            "estimate.draught_reading_error_m",
            e.draught_reading_error_m,
            0.0,
            2.0,
        )?;
        span(
            "estimate.load_factor_unknown",
            e.load_factor_unknown,
            0.0,
            1.0,
        )?;
        within(
            "estimate.full_draught_margin",
            e.full_draught_margin,
            0.0,
            0.99,
        )?;
        span(
            "estimate.payload_kg_per_teu",
            e.payload_kg_per_teu,
            1.0,
            1e5,
        )?;
        within("estimate.min_confidence", e.min_confidence, 0.0, 1.0)?;
        for (i, mu) in e.munitions.iter().enumerate() {
            if mu.name.trim().is_empty() {
                return Err(format!(
                    "intel.estimate.munitions[{i}].name: must not be empty"
                ));
            }
            span(
                &format!("estimate.munitions[{i}].kg_per_round"),
                mu.kg_per_round,
                0.001,
                1e5,
            )?;
        }
        for (i, v) in e.vessels.iter().enumerate() {
            if let Some(t) = v.teu {
                span(&format!("estimate.vessels[{i}].teu"), t, 0.0, 1e5)?;
            }
            if let Some(d) = v.full_draught_m {
                within(
                    &format!("estimate.vessels[{i}].full_draught_m"),
                    d,
                    0.1,
                    30.0,
                )?;
            }
            if let Some(d) = v.deadweight_t {
                within(&format!("estimate.vessels[{i}].deadweight_t"), d, 1.0, 1e6)?;
            }
            if let Some(d) = v.tpc_t_per_cm {
                within(&format!("estimate.vessels[{i}].tpc_t_per_cm"), d, 0.01, 1e4)?;
            }
        }
        let c = &self.claim_check;
        within("claim_check.about_tolerance", c.about_tolerance, 0.0, 0.99)?;
        within("claim_check.min_coverage", c.min_coverage, 0.0, 1.0)?;
        let o = &self.observe;
        within("observe.tolerance_hours", o.tolerance_hours, 0.0, 8784.0)?;
        within("observe.radius_km", o.radius_km, 0.0, 20_000.0)?;
        within("observe.boost", o.boost, 0.0, 1.0)?;
        Ok(())
    }

    /// Reads `[intel]` from a shiptrace.toml text (other tables ignored).
    pub fn from_toml(text: &str) -> Result<IntelConfig, String> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            intel: IntelConfig,
        }
        let v: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let only = toml::Table::from_iter(v.into_iter().filter(|(k, _)| k == "intel"));
        let f: File = toml::Value::Table(only)
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())?;
        Ok(f.intel)
    }
}

/// One list or register as loaded.
#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    /// The list file.
    pub file: String,
    /// Vessels read from it.
    pub entries: usize,
    /// Companies and people read from it.
    pub parties: usize,
    /// Links (owner, manager, linked-to ...) read from it.
    pub links: usize,
    /// Rows that could not be read.
    pub errors: Vec<watchlist::RowError>,
}

/// Everything read from files before judging.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Every listed vessel.
    pub entries: Vec<watchlist::Entry>,
    /// Companies, people and links from the lists and registers.
    pub fragment: network::Fragment,
    /// What was read from each list.
    pub lists: Vec<ListReport>,
    /// The claims ledger (its claims, and rows that could not be read).
    pub ledger: Option<claims::Ledger>,
    /// Outside observations.
    pub observations: Vec<observe::Observation>,
}

/// Why inputs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// A list could not be read.
    #[error(transparent)]
    List(#[from] watchlist::ListError),
    /// Another input could not be read.
    #[error("{0}")]
    Input(String),
}

/// A file named in a configuration: relative names start from the
/// configuration's folder.
pub fn resolve(base: Option<&Path>, f: &str) -> std::path::PathBuf {
    match base {
        Some(b) if Path::new(f).is_relative() => b.join(f),
        _ => Path::new(f).to_path_buf(),
    }
}

impl Inputs {
    /// Reads the files a configuration names (relative to `base`).
    pub fn load(cfg: &IntelConfig, base: Option<&Path>) -> Result<Inputs, IntelError> {
        let mut inp = Inputs::default();
        for f in &cfg.watchlists {
            inp.add_list(&resolve(base, f))?;
        }
        for f in &cfg.registries {
            inp.add_registry(&resolve(base, f))?;
        }
        if let Some(c) = &cfg.claims {
            inp.add_claims(c, base)?;
        }
        for f in &cfg.observations {
            inp.add_observations(&resolve(base, f))?;
        }
        Ok(inp)
    }

    /// Reads one more vessel list.
    pub fn add_list(&mut self, path: &Path) -> Result<(), IntelError> {
        let l = watchlist::load(path)?;
        self.take(path.display().to_string(), l);
        Ok(())
    }

    /// Keeps what one list or register gave, and its report.
    fn take(&mut self, file: String, l: watchlist::Loaded) {
        self.lists.push(ListReport {
            file,
            entries: l.entries.len(),
            parties: l.fragment.parties.len(),
            links: l.fragment.links.len(),
            errors: l.errors,
        });
        self.entries.extend(l.entries);
        self.fragment.extend(l.fragment);
    }

    /// Reads one more register of owners, managers and operators (CSV by
    /// its extension, else TOML).
    pub fn add_registry(&mut self, path: &Path) -> Result<(), IntelError> {
        let name = path.display().to_string();
        let text =
            watchlist::read_text(path).map_err(|e| IntelError::Input(format!("{name}: {e}")))?;
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let l = if csv {
            registry::parse_register_csv(&text, &name)
        } else {
            registry::parse_register_toml(&text, &name)
        }
        .map_err(|e| IntelError::Input(format!("{name}: {e}")))?;
        self.take(name, l);
        Ok(())
    }

    /// A ledger file, or `builtin:<scenario>`.
    pub fn add_claims(&mut self, spec: &str, base: Option<&Path>) -> Result<(), IntelError> {
        let (text, name) = match spec.strip_prefix("builtin:") {
            Some(n) => (
                claims::builtin(n)
                    .ok_or_else(|| {
                        IntelError::Input(format!(
                            "no built-in claims ledger {n:?} (known: rason-shuttle)"
                        ))
                    })?
                    .to_string(),
                spec.to_string(),
            ),
            None => {
                let p = resolve(base, spec);
                (
                    watchlist::read_text(&p)
                        .map_err(|e| IntelError::Input(format!("{}: {e}", p.display())))?,
                    p.display().to_string(),
                )
            }
        };
        let l =
            claims::parse(&text, &name).map_err(|e| IntelError::Input(format!("{name}: {e}")))?;
        match &mut self.ledger {
            Some(have) => {
                have.file = format!("{}, {}", have.file, l.file);
                have.claims.extend(l.claims);
                have.errors.extend(l.errors);
            }
            None => self.ledger = Some(l),
        }
        Ok(())
    }

    /// Reads one more observations file (TOML, or CSV by its extension).
    pub fn add_observations(&mut self, path: &Path) -> Result<(), IntelError> {
        let text = watchlist::read_text(path)
            .map_err(|e| IntelError::Input(format!("{}: {e}", path.display())))?;
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        self.observations.extend(
            observe::parse(&text, csv)
                .map_err(|e| IntelError::Input(format!("{}: {e}", path.display())))?,
        );
        Ok(())
    }
}

/// A watched port: name, LOCODE, position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Watched {
    /// The port's name.
    pub name: String,
    /// Its UN/LOCODE.
    pub locode: Option<String>,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// The watched ports of a detection configuration (its `watched_ports`
/// and watched geofences), resolved in its gazetteer.
pub fn watched_ports(gaz: &detect::gazetteer::Gazetteer, p: &detect::Params) -> Vec<Watched> {
    gaz.watched(p)
        .iter()
        .map(|&i| {
            let pl = &gaz.places[i];
            Watched {
                name: pl.name.clone(),
                locode: pl.locode.clone(),
                lat: pl.lat,
                lon: pl.lon,
            }
        })
        .collect()
}

/// An observation and the events it corroborates.
#[derive(Debug, Clone, Serialize)]
pub struct Corroboration {
    /// The observation.
    pub observation: observe::Observation,
    /// Ids of the events it corroborates.
    pub events: Vec<String>,
}

/// One MMSI's time on a hull.
#[derive(Debug, Clone, Serialize)]
pub struct HullIdentity {
    /// The MMSI.
    pub mmsi: u32,
    /// Names it broadcast (attacker-controlled text).
    pub names: Vec<String>,
    /// First report of the IMO under this MMSI (RFC 3339).
    pub first: String,
    /// Last report.
    pub last: String,
}

/// One MMSI falling silent and the next one taking over the hull.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    /// The MMSI that stopped.
    pub from_mmsi: u32,
    /// The MMSI that started.
    pub to_mmsi: u32,
    /// Hours from the last report of one to the first of the next
    /// (negative: both broadcast the IMO at once).
    pub hours: f64,
}

/// One hull (IMO number) and the MMSIs it broadcast under, in order: a
/// renamed, re-flagged or re-registered ship is one hull.
#[derive(Debug, Clone, Serialize)]
pub struct Hull {
    /// The IMO number.
    pub imo: u32,
    /// Each MMSI's period.
    pub identities: Vec<HullIdentity>,
    /// Between consecutive MMSIs.
    pub handovers: Vec<Handover>,
    /// Two MMSIs broadcast the IMO over the same time: two transmitters
    /// claim one hull (a clone or a stolen identity), not a handover.
    pub overlapping: bool,
}

/// Hulls broadcast under more than one MMSI.
pub fn hulls(profiles: &BTreeMap<u32, profile::Profile>) -> Vec<Hull> {
    let mut by: BTreeMap<u32, Vec<(i64, i64, &profile::Profile)>> = BTreeMap::new();
    for p in profiles.values() {
        for s in &p.imos {
            by.entry(s.value)
                .or_default()
                .push((s.first_ms, s.last_ms, p));
        }
    }
    by.into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(imo, mut v)| {
            v.sort_by_key(|x| (x.0, x.2.mmsi));
            let handovers: Vec<Handover> = v
                .windows(2)
                .map(|w| Handover {
                    from_mmsi: w[0].2.mmsi,
                    to_mmsi: w[1].2.mmsi,
                    hours: (w[1].0 - w[0].1) as f64 / 3_600_000.0,
                })
                .collect();
            Hull {
                imo,
                overlapping: handovers.iter().any(|h| h.hours < 0.0),
                identities: v
                    .iter()
                    .map(|(a, b, p)| HullIdentity {
                        mmsi: p.mmsi,
                        names: p.names.iter().map(|n| n.value.clone()).collect(),
                        first: detect::event::rfc3339(*a),
                        last: detect::event::rfc3339(*b),
                    })
                    .collect(),
                handovers,
            }
        })
        .collect()
}

/// Nodes and links of the graph.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NetworkSize {
    /// Vessels (listed, or named by a register or a link).
    pub vessels: usize,
    /// Companies and people.
    pub parties: usize,
    /// Links.
    pub links: usize,
}

/// The whole judgement.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    /// The `[intel]` parameters used.
    pub parameters: IntelConfig,
    /// The watched ports.
    pub watched_ports: Vec<Watched>,
    /// What was read from each list.
    pub lists: Vec<ListReport>,
    /// Vessels matched to lists.
    pub matches: Vec<matching::Match>,
    /// The size of the graph of vessels, companies and people.
    pub network_size: NetworkSize,
    /// Each vessel of the store placed in that graph: its owners,
    /// managers, sister ships, network matches.
    pub network: Vec<network::VesselNetwork>,
    /// Hulls broadcast under several MMSIs, with each MMSI's period.
    pub hulls: Vec<Hull>,
    /// Risk per vessel, highest first.
    pub risk: Vec<risk::Risk>,
    /// What the laden voyages could have carried.
    pub estimate: estimate::Estimate,
    /// The claims ledger as read (file, and rows refused).
    pub ledger: Option<claims::Ledger>,
    /// Each claim set against the evidence.
    pub claims: Vec<claims::Check>,
    /// Densities that claims of one source imply, against physical limits.
    pub claim_arithmetic: Vec<claims::Implied>,
    /// The span of the data, [first, last] (RFC 3339).
    pub data_span: Option<[String; 2]>,
    /// Each observation and the events it corroborates.
    pub observations: Vec<Corroboration>,
    /// The events, with confidence raised where observations corroborate.
    #[serde(skip)]
    pub events: Vec<detect::Event>,
}

/// Runs matching, risk, estimates, claims and observations. `data_span`
/// is the time the data covers, [first, last] in unix ms (the store's
/// sources); without it, the span of the events.
pub fn judge(
    mut events: Vec<detect::Event>,
    profiles: &BTreeMap<u32, profile::Profile>,
    inputs: &Inputs,
    cfg: &IntelConfig,
    watched: &[Watched],
    data_span: Option<[i64; 2]>,
) -> Judgement {
    let links = observe::attach(&inputs.observations, &events, &cfg.observe);
    observe::apply(&inputs.observations, &mut events, &links, &cfg.observe);
    let observations = inputs
        .observations
        .iter()
        .enumerate()
        .map(|(k, o)| Corroboration {
            observation: o.clone(),
            events: links
                .iter()
                .filter(|l| l.0 == k)
                .map(|l| events[l.1].id.clone())
                .collect(),
        })
        .collect();
    let matches = matching::match_all(profiles, &inputs.entries, &cfg.matching);
    let graph = network::Graph::build(&inputs.entries, &inputs.fragment);
    let network: Vec<network::VesselNetwork> = profiles
        .values()
        .filter_map(|pr| network::of_profile(&graph, pr, &cfg.network))
        .collect();
    let network_matches: Vec<&network::NetworkMatch> =
        network.iter().flat_map(|n| n.matches.iter()).collect();
    let wpos: Vec<(f64, f64)> = watched.iter().map(|w| (w.lat, w.lon)).collect();
    let mut risk = risk::score(&events, &matches, &network_matches, &wpos, &cfg.risk);
    for r in &mut risk {
        // the latest name the MMSI broadcast, else the one its events carry
        if let Some(n) = profiles.get(&r.mmsi).and_then(|p| p.name()) {
            r.name = Some(n.to_string());
        }
    }
    let mut names: Vec<String> = watched.iter().map(|w| w.name.clone()).collect();
    names.extend(watched.iter().filter_map(|w| w.locode.clone()));
    let est = estimate::estimate(&events, profiles, &names, &cfg.estimate);
    let munitions: Vec<String> = cfg
        .estimate
        .munitions
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let calls = claims::watched_calls(&events, &names);
    let span = data_span.or_else(|| {
        let a = events.iter().map(|e| e.start_ms()).min()?;
        let b = events.iter().map(|e| e.end_ms()).max()?;
        Some([a, b])
    });
    let claimed: &[claims::Claim] = inputs.ledger.as_ref().map_or(&[], |l| &l.claims);
    let checks = claims::check(
        claimed,
        &est.samples,
        &munitions,
        &calls,
        span.unwrap_or([0, 0]),
        &cfg.claim_check,
    );
    let claim_arithmetic = claims::arithmetic(claimed, &cfg.estimate, &est.voyages);
    Judgement {
        parameters: cfg.clone(),
        watched_ports: watched.to_vec(),
        lists: inputs.lists.clone(),
        matches,
        network_size: NetworkSize {
            vessels: graph.vessels.len(),
            parties: graph.parties.len(),
            links: graph.edges.len(),
        },
        network,
        hulls: hulls(profiles),
        risk,
        estimate: est,
        ledger: inputs.ledger.clone(),
        claims: checks,
        claim_arithmetic,
        data_span: span.map(|s| s.map(detect::event::rfc3339)),
        observations,
        events,
    }
}
