//! Building the simulated world from a scenario: vessels with identities,
//! plans (legs and stays) and the true events they imply.

use crate::motion::{idle_point, Berth, Drift, Item, Leg, AT_ANCHOR, FISHING, MOORED, UNDER_WAY};
use crate::scenario::Scenario;
use crate::truth::Event;
use crate::SimError;
use model::EventKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea::geo::destination;
use sea::LandMask;
use std::collections::HashMap;
use std::sync::Arc;

/// An identity as broadcast, valid from `from_ms`.
#[derive(Debug, Clone)]
pub struct Identity {
    /// From when this identity holds, ms.
    pub from_ms: i64,
    /// MMSI.
    pub mmsi: u32,
    /// IMO number.
    pub imo: u32,
    /// Name.
    pub name: String,
    /// Call sign.
    pub callsign: String,
    /// Ship type code.
    pub ship_type: u8,
    /// Flag (ISO 3166 alpha-2).
    pub flag: String,
}

/// How a spoofed broadcast position differs from the true one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Displacement {
    /// The true position moved `nm` on `bearing_deg`.
    Offset {
        /// How far, nm.
        nm: f64,
        /// Which way, degrees.
        bearing_deg: f64,
    },
    /// A fixed false position, whatever the true one.
    Fixed {
        /// Latitude, degrees.
        lat: f64,
        /// Longitude, degrees.
        lon: f64,
    },
}

/// How a vessel moves.
#[derive(Debug, Clone)]
pub enum Motion {
    /// A plan of legs and stays.
    Plan(Vec<Item>),
    /// Free drift on the open sea.
    Drift(Drift),
}

/// A simulated vessel.
#[derive(Debug, Clone)]
pub struct Vessel {
    /// What it is for (`ordinary`, `shuttle`, `shared_mmsi`, ...).
    pub role: &'static str,
    /// A class B transponder.
    pub class_b: bool,
    /// Length, m.
    pub length_m: u16,
    /// Beam, m.
    pub beam_m: u16,
    /// Top speed, knots.
    pub max_speed_kn: f64,
    /// Identities over time.
    pub identities: Vec<Identity>,
    /// How it moves.
    pub motion: Motion,
    /// AIS off over these [start, end) ms windows.
    pub dark: Vec<(i64, i64)>,
    /// Broadcast position displaced over [start, end).
    pub spoof: Vec<(i64, i64, Displacement)>,
    /// Draught in metres from a time on.
    pub draught: Vec<(i64, f64)>,
    /// Its own berth in each port (empty: at the ports' berths).
    pub berths: Vec<Berth>,
}

impl Vessel {
    /// The identity it broadcast at `t`.
    pub fn identity_at(&self, t: i64) -> &Identity {
        let i = self.identities.partition_point(|id| id.from_ms <= t);
        &self.identities[i.saturating_sub(1)]
    }
    /// The draught it broadcast at `t`, m.
    pub fn draught_at(&self, t: i64) -> f64 {
        let i = self.draught.partition_point(|d| d.0 <= t);
        self.draught
            .get(i.saturating_sub(1))
            .map(|d| d.1)
            .unwrap_or(0.0)
    }
    /// Whether its transponder was off at `t`.
    pub fn is_dark(&self, t: i64) -> bool {
        self.dark.iter().any(|&(a, b)| t >= a && t < b)
    }
    /// How its broadcast position was displaced at `t`, if spoofed.
    pub fn spoof_at(&self, t: i64) -> Option<Displacement> {
        self.spoof.iter().find(|s| t >= s.0 && t < s.1).map(|s| s.2)
    }
}

/// The largest `berth_radius_nm` a scenario may give; each vessel is
/// given points only as far as its speed allows ([`Berth::reach_nm`]).
pub const MAX_BERTH_RADIUS_NM: f64 = 3.0;

/// The berth points of a port (shifts in degrees from its berth): a grid
/// `spacing` nm apart within `radius` nm, each at sea and reached from the
/// berth in a straight line over sea, nearest first.
fn berth_slots(
    mask: &LandMask,
    berth: (f64, f64),
    radius: f64,
    spacing: f64,
) -> Vec<((f64, f64), f64)> {
    let m = (radius / spacing).floor() as i32;
    let coslat = berth.0.to_radians().cos().max(0.01);
    // (distance from the berth, grid cell, shift in degrees)
    type Slot = (f64, (i32, i32), (f64, f64));
    let mut out: Vec<Slot> = Vec::new();
    for k in -m..=m {
        for l in -m..=m {
            let (dn, de) = (k as f64 * spacing, l as f64 * spacing);
            let r = dn.hypot(de);
            if r > radius + 1e-9 {
                continue;
            }
            let off = (dn / 60.0, de / (60.0 * coslat));
            let at_sea = (0..=8).all(|j| {
                let f = j as f64 / 8.0;
                !mask.is_land(berth.0 + off.0 * f, berth.1 + off.1 * f)
            });
            if at_sea {
                out.push((r, (k, l), off));
            }
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|x| (x.2, x.0)).collect()
}

/// One visit of a vessel to a port's berth: the plan items that touch it.
struct Visit {
    vessel: usize,
    port: usize,
    from_ms: i64,
    to_ms: i64,
    items: Vec<usize>,
}

/// The visits in a plan: runs of stays and idling at a port's berth with
/// the legs that reach and leave them (a leg that leaves a berth it never
/// stayed at is a visit of an instant).
fn visits(vessel: usize, plan: &[Item], berth_port: &HashMap<(u64, u64), usize>) -> Vec<Visit> {
    let key = |p: (f64, f64)| (p.0.to_bits(), p.1.to_bits());
    let mut out: Vec<Visit> = Vec::new();
    let mut touch = |port: usize, from: i64, to: i64, k: usize| {
        if let Some(v) = out.last_mut() {
            if v.port == port && from <= v.to_ms {
                v.to_ms = v.to_ms.max(to);
                v.items.push(k);
                return;
            }
        }
        out.push(Visit {
            vessel,
            port,
            from_ms: from,
            to_ms: to,
            items: vec![k],
        });
    };
    for (k, it) in plan.iter().enumerate() {
        match it {
            Item::Stay { pos, t0, t1, .. }
            | Item::Idle {
                center: pos,
                t0,
                t1,
                ..
            } => {
                if let Some(&p) = berth_port.get(&key(*pos)) {
                    touch(p, *t0, *t1, k);
                }
            }
            Item::Sail { t0, t1, leg, .. } => {
                if let Some(&p) = berth_port.get(&key(leg.start())) {
                    touch(p, *t0, *t0, k);
                }
                if let Some(&p) = berth_port.get(&key(leg.end())) {
                    touch(p, *t1, *t1, k);
                }
            }
        }
    }
    out
}

/// Gives every vessel its own berth point on each port visit
/// (`scenario.berth_radius_nm`): as a harbour master would, a point no
/// other vessel holds at the time, as far from the occupied ones as can
/// be, on which the vessel's stay, idling and ways in and out stay at sea;
/// when all are taken, the one freed first.
fn assign_berths(
    mask: &LandMask,
    ports: &[PortRef],
    vessels: &mut [Vessel],
    radius: f64,
    spacing: f64,
) {
    let berth_port: HashMap<(u64, u64), usize> = ports
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.berth.0.to_bits(), p.berth.1.to_bits()), i))
        .collect();
    let slots: Vec<Vec<((f64, f64), f64)>> = ports
        .iter()
        .map(|p| berth_slots(mask, p.berth, radius, spacing))
        .collect();
    let mut all: Vec<Visit> = Vec::new();
    for (i, v) in vessels.iter().enumerate() {
        if let Motion::Plan(plan) = &v.motion {
            all.extend(visits(i, plan, &berth_port));
        }
    }
    all.sort_by_key(|v| (v.port, v.from_ms, v.vessel));
    let mut busy: Vec<Vec<i64>> = slots.iter().map(|s| vec![i64::MIN; s.len()]).collect();
    let mut out: Vec<Vec<Berth>> = vec![Vec::new(); vessels.len()];
    for v in &all {
        let sl = &slots[v.port];
        if sl.is_empty() {
            continue;
        }
        let vessel = &vessels[v.vessel];
        let Motion::Plan(plan) = &vessel.motion else {
            continue;
        };
        let reach = Berth::reach_nm(vessel.max_speed_kn);
        let at = ports[v.port].berth;
        let berth = |k: usize| Berth {
            at,
            from_ms: v.from_ms,
            to_ms: v.to_ms,
            shift: sl[k].0,
            fade_nm: Berth::fade_for(sl[k].1),
        };
        let fits = |k: usize| {
            if sl[k].1 > reach {
                return false;
            }
            let one = [berth(k)];
            v.items.iter().all(|&k| {
                crate::motion::near_berth_points(&plan[k], &one, 0.01)
                    .iter()
                    .all(|q| !mask.is_land(q.0, q.1))
            })
        };
        let held = &busy[v.port];
        let gap = |k: usize| {
            sl.iter()
                .zip(held)
                .filter(|(_, &b)| b >= v.from_ms)
                .map(|(o, _)| (o.0 .0 - sl[k].0 .0).hypot(o.0 .1 - sl[k].0 .1))
                .fold(f64::INFINITY, f64::min)
        };
        let mut order: Vec<usize> = (0..sl.len()).collect();
        // free points first, the farthest from the held ones first; then
        // held ones, the one freed first first
        order.sort_by(|&a, &b| {
            let (fa, fb) = (held[a] < v.from_ms, held[b] < v.from_ms);
            fb.cmp(&fa)
                .then_with(|| {
                    if fa && fb {
                        gap(b).total_cmp(&gap(a))
                    } else {
                        held[a].cmp(&held[b])
                    }
                })
                .then(a.cmp(&b))
        });
        if let Some(k) = order.into_iter().find(|&k| fits(k)) {
            busy[v.port][k] = v.to_ms;
            out[v.vessel].push(berth(k));
        }
    }
    for (v, mut b) in vessels.iter_mut().zip(out) {
        b.sort_by_key(|x| x.from_ms);
        v.berths = b;
    }
}

/// A port the scenario uses, with its berth (nearest sea cell).
#[derive(Debug, Clone)]
pub struct PortRef {
    /// Its name.
    pub name: String,
    /// Its UN/LOCODE (empty if none).
    pub locode: String,
    /// Where ships berth (lat, lon).
    pub berth: (f64, f64),
}

/// A built world: its ports, vessels and true events.
pub struct World {
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Ports used.
    pub ports: Vec<PortRef>,
    /// Vessels.
    pub vessels: Vec<Vessel>,
    /// True events.
    pub events: Vec<Event>,
}

/// Ship-type code (ITU) and cruise speed range (kn) of a kind.
fn kind_info(kind: &str) -> (u8, [f64; 2], [u16; 2]) {
    match kind {
        "container" => (71, [14.0, 19.0], [140, 300]),
        "tanker" => (80, [11.0, 14.5], [120, 250]),
        "bulk" => (70, [11.0, 14.0], [130, 230]),
        "roro" => (70, [13.0, 17.0], [110, 180]),
        "fishing" => (30, [7.0, 10.0], [15, 45]),
        // general cargo
        _ => (70, [11.0, 15.0], [90, 200]),
    }
}

/// The flags a scenario may give, each with the Maritime Identification
/// Digits its simulated MMSIs start with (one MID of the ITU's for that
/// flag; `ais::mid` maps each back to it).
pub const FLAGS: [(&str, u32); 11] = [
    ("RU", 273),
    ("KR", 440),
    ("JP", 431),
    ("CN", 412),
    ("PA", 352),
    ("LR", 636),
    ("MH", 538),
    ("HK", 477),
    ("KP", 445),
    ("SG", 563),
    ("MN", 457),
];

/// The MID of a flag of [`FLAGS`].
pub fn mid(flag: &str) -> Option<u32> {
    FLAGS.iter().find(|f| f.0 == flag).map(|f| f.1)
}

/// Vessel kinds a fleet may give (`cargo`: general cargo).
pub const KINDS: [&str; 6] = ["cargo", "container", "tanker", "bulk", "roro", "fishing"];

/// Parses a scenario time: RFC 3339 or a day.
pub fn parse_time(s: &str) -> Result<i64, SimError> {
    ais::nmea::parse_rfc3339_ms(s).ok_or_else(|| {
        SimError::Scenario(format!(
            "bad time {s:?} (expected 2023-08-01 or 2023-08-01T00:00:00Z)"
        ))
    })
}

const H: i64 = 3_600_000;

struct Builder<'a> {
    mask: &'a LandMask,
    rng: ChaCha8Rng,
    /// Random numbers for the optional features added after the first
    /// built-in scenarios: drawn only when a feature is enabled, so the
    /// main stream (and the worlds of scenarios without them) is unchanged.
    rng2: ChaCha8Rng,
    /// Sea routes from a port to a coastal waypoint (lat, lon bits).
    waypoint_routes: HashMap<(usize, u64, u64), Vec<(f64, f64)>>,
    ports: Vec<PortRef>,
    port_index: HashMap<String, usize>,
    routes: HashMap<(usize, usize), Vec<(f64, f64)>>,
    events: Vec<Event>,
    start: i64,
    end: i64,
    used_mmsi: std::collections::HashSet<u32>,
    used_imo: std::collections::HashSet<u32>,
}

impl<'a> Builder<'a> {
    fn port(&mut self, key: &str) -> Result<usize, SimError> {
        if let Some(&i) = self.port_index.get(key) {
            return Ok(i);
        }
        let p = sea::ports::find(key).ok_or_else(|| {
            SimError::Scenario(format!(
                "unknown port {key:?} (use a UN/LOCODE such as KPRJN or a World Port Index name)"
            ))
        })?;
        let berth = self.mask.nearest_sea(p.lat, p.lon, 20).ok_or_else(|| {
            SimError::Scenario(format!("port {key}: no sea within 20 arc-minutes"))
        })?;
        self.ports.push(PortRef {
            name: p.name.clone(),
            locode: p.locode.clone(),
            berth,
        });
        self.port_index
            .insert(key.to_string(), self.ports.len() - 1);
        Ok(self.ports.len() - 1)
    }

    fn route(&mut self, a: usize, b: usize) -> Result<Vec<(f64, f64)>, SimError> {
        if let Some(r) = self.routes.get(&(a, b)) {
            return Ok(r.clone());
        }
        let (pa, pb) = (self.ports[a].berth, self.ports[b].berth);
        let r = sea::route::route(self.mask, pa, pb, 4.0).map_err(|e| {
            SimError::Scenario(format!(
                "route {} -> {}: {e}",
                self.ports[a].name, self.ports[b].name
            ))
        })?;
        self.routes.insert((a, b), r.clone());
        let mut rev = r.clone();
        rev.reverse();
        self.routes.insert((b, a), rev);
        Ok(r)
    }

    fn point_route(
        &mut self,
        from: (f64, f64),
        to: (f64, f64),
    ) -> Result<Vec<(f64, f64)>, SimError> {
        sea::route::route(self.mask, from, to, 1.0)
            .map_err(|e| SimError::Scenario(format!("route to {to:?}: {e}")))
    }

    /// A sea route from a port's berth to a sea point (cached).
    fn waypoint_route(&mut self, port: usize, w: (f64, f64)) -> Result<Vec<(f64, f64)>, SimError> {
        let key = (port, w.0.to_bits(), w.1.to_bits());
        if let Some(r) = self.waypoint_routes.get(&key) {
            return Ok(r.clone());
        }
        let from = self.ports[port].berth;
        let r = match self.point_route(from, w) {
            Ok(r) => r,
            Err(_) => sea::route::route(self.mask, from, w, 4.0).map_err(|e| {
                SimError::Scenario(format!(
                    "route {} -> waypoint {w:?}: {e}",
                    self.ports[port].name
                ))
            })?,
        };
        self.waypoint_routes.insert(key, r.clone());
        Ok(r)
    }

    /// Hours drawn from the second stream, in ms.
    fn hours2(&mut self, r: [f64; 2]) -> i64 {
        (self.rng2.random_range(r[0]..=r[1].max(r[0])) * H as f64) as i64
    }

    /// A value drawn uniformly from a range, second stream.
    fn range2(&mut self, r: [f64; 2]) -> f64 {
        self.rng2.random_range(r[0]..=r[1].max(r[0]))
    }

    /// True with probability `p` (second stream; nothing drawn if p <= 0).
    fn chance2(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng2.random_bool(p.min(1.0))
    }

    /// The largest of `r`, `r/2`, `r/4` (else 0) for which an idle loop
    /// around `center` stays at sea.
    fn safe_loop_radius(&self, center: (f64, f64), r: f64, bearing: f64) -> f64 {
        let mut r = r;
        for _ in 0..3 {
            let pts: Vec<(f64, f64)> = (0..=24)
                .map(|k| idle_point(center, r, bearing, 1, k as f64, 24.0))
                .collect();
            if pts.iter().all(|p| !self.mask.is_land(p.0, p.1))
                && pts
                    .windows(2)
                    .all(|w| sea::route::clear_line(self.mask, w[0], w[1]))
            {
                return r;
            }
            r /= 2.0;
        }
        0.0
    }

    fn fresh_mmsi(&mut self, flag: &str) -> u32 {
        loop {
            // (flags are checked by `Scenario::validate`)
            let m = mid(flag).unwrap_or(370) * 1_000_000 + self.rng.random_range(100_000..999_999);
            if self.used_mmsi.insert(m) {
                return m;
            }
        }
    }

    /// An IMO number no other simulated vessel has.
    fn fresh_imo(&mut self) -> u32 {
        loop {
            let imo = 9_000_000 + self.rng.random_range(100_000..899_999);
            if self.used_imo.insert(imo) {
                return imo;
            }
        }
    }

    fn hours(&mut self, r: [f64; 2]) -> i64 {
        (self.rng.random_range(r[0]..=r[1].max(r[0])) * H as f64) as i64
    }

    fn event(&mut self, e: Event) {
        self.events.push(e);
    }

    /// Sail leg from port a to port b starting at t; returns arrival time.
    fn sail(
        &mut self,
        plan: &mut Vec<Item>,
        a: usize,
        b: usize,
        t: i64,
        speed: f64,
    ) -> Result<i64, SimError> {
        let pts = self.route(a, b)?;
        Ok(push_sail(plan, t, pts, speed, Some(a), Some(b)))
    }
}

/// Appends a leg over `pts` starting at `t0`; returns its arrival time.
fn push_sail(
    plan: &mut Vec<Item>,
    t0: i64,
    pts: Vec<(f64, f64)>,
    speed: f64,
    from: Option<usize>,
    to: Option<usize>,
) -> i64 {
    let leg = Arc::new(Leg::new(pts, speed));
    let t1 = t0 + (leg.duration_s() * 1000.0) as i64;
    plan.push(Item::Sail {
        t0,
        t1,
        leg,
        from,
        to,
    });
    t1
}

/// Builds a world from a scenario: vessels, their plans and the true events.
pub fn build(
    s: &Scenario,
    start_ms: i64,
    days: f64,
    vessel_limit: Option<usize>,
    seed: u64,
) -> Result<World, SimError> {
    let mask = LandMask::global();
    let end = start_ms + (days * 24.0 * H as f64) as i64;
    s.validate().map_err(SimError::Scenario)?;
    let mut b = Builder {
        mask,
        rng: ChaCha8Rng::seed_from_u64(seed),
        rng2: ChaCha8Rng::seed_from_u64(seed ^ 0xE7A5_1E00_5EED_0002),
        waypoint_routes: HashMap::new(),
        ports: Vec::new(),
        port_index: HashMap::new(),
        routes: HashMap::new(),
        events: Vec::new(),
        start: start_ms,
        end,
        used_mmsi: Default::default(),
        used_imo: Default::default(),
    };
    let mut vessels = Vec::new();
    for sh in &s.shuttles {
        b.used_mmsi.insert(sh.mmsi);
        b.used_imo.insert(sh.imo);
    }
    // Shuttles first: they carry the story.
    if let Some(profile) = &s.shuttle_profile {
        for sh in &s.shuttles {
            vessels.push(build_shuttle(&mut b, s, sh, profile)?);
        }
    }
    // Ordinary fleets.
    let total: usize = s.fleet.iter().map(|f| f.count).sum();
    let scale = vessel_limit
        .map(|n| n as f64 / total.max(1) as f64)
        .unwrap_or(1.0);
    for f in &s.fleet {
        let n = ((f.count as f64) * scale).round() as usize;
        for _ in 0..n {
            vessels.push(build_ordinary(&mut b, f)?);
        }
    }
    for sm in &s.shared_mmsi {
        let mut pair = Vec::new();
        for (k, area) in sm.areas.iter().enumerate() {
            let fleet = s.fleet.first().ok_or_else(|| {
                SimError::Scenario("shared_mmsi needs a [[fleet]] for its ports".into())
            })?;
            let mut f = fleet.clone();
            f.ports = vec![area.clone(), area.clone()];
            f.ports.extend(fleet.ports.iter().take(4).cloned());
            let mut v = build_ordinary(&mut b, &f)?;
            v.role = "shared_mmsi";
            // Its true events were recorded under the MMSI it was built
            // with; it broadcasts the shared one.
            let built_as = v.identities[0].mmsi;
            for e in b.events.iter_mut().filter(|e| e.mmsi == built_as) {
                e.mmsi = sm.mmsi;
            }
            for id in &mut v.identities {
                id.mmsi = sm.mmsi;
                id.name = sm.names[k].clone();
            }
            pair.push(v);
        }
        b.event(Event::new(EventKind::SharedMmsi, sm.mmsi, start_ms, Some(end), None, None, serde_json::json!({"names": sm.names, "areas": sm.areas, "note": "two transmitters broadcast this MMSI for the whole period"})));
        vessels.extend(pair);
    }
    for sts in &s.sts {
        if !s.shuttles.iter().any(|sh| sh.name == sts.vessel) {
            return Err(SimError::Scenario(format!(
                "sts: {:?} is not one of the [[shuttles]]",
                sts.vessel
            )));
        }
        build_sts(&mut b, sts, &mut vessels)?;
    }
    if let Some(r) = &s.rendezvous {
        for k in 0..r.pairs {
            build_rendezvous(&mut b, s, r, k, &mut vessels)?;
        }
    }
    for sp in &s.spoof {
        let first = parse_time(&sp.from)?;
        let disp = match (sp.lat, sp.lon, sp.offset_nm, sp.bearing_deg) {
            (Some(lat), Some(lon), _, _) => Displacement::Fixed { lat, lon },
            (None, None, Some(nm), Some(bearing_deg)) => Displacement::Offset { nm, bearing_deg },
            _ => {
                return Err(SimError::Scenario(format!(
                    "spoof of {:?}: give lat and lon, or offset_nm and bearing_deg",
                    sp.vessel
                )))
            }
        };
        let repeats = sp.repeats.max(1);
        let every = match sp.repeat_after_hours {
            Some(h) if h > sp.hours => (h * H as f64) as i64,
            _ if repeats == 1 => 0,
            _ => {
                return Err(SimError::Scenario(format!(
                    "spoof of {:?}: repeats = {repeats} needs repeat_after_hours longer than hours",
                    sp.vessel
                )))
            }
        };
        let v = vessels
            .iter_mut()
            .find(|v| v.identities.iter().any(|i| i.name == sp.vessel))
            .ok_or_else(|| SimError::Scenario(format!("spoof: no vessel named {:?}", sp.vessel)))?;
        for k in 0..repeats {
            let at = first + k as i64 * every;
            let until = at + (sp.hours * H as f64) as i64;
            v.spoof.push((at, until, disp));
            let mmsi = v.identity_at(at).mmsi;
            let mut evidence = match disp {
                Displacement::Offset { nm, bearing_deg } => {
                    serde_json::json!({"offset_nm": nm, "bearing_deg": bearing_deg, "note": "broadcast position displaced from the true one"})
                }
                Displacement::Fixed { lat, lon } => {
                    serde_json::json!({"false_lat": lat, "false_lon": lon, "note": "a fixed false position broadcast instead of the true one"})
                }
            };
            if repeats > 1 {
                evidence["window"] = serde_json::json!(k + 1);
                evidence["windows"] = serde_json::json!(repeats);
            }
            b.event(Event::new(
                EventKind::PositionJump,
                mmsi,
                at,
                Some(until),
                None,
                None,
                evidence,
            ));
        }
    }
    if let Some(os) = &s.open_sea {
        let n = vessel_limit.unwrap_or(os.vessels);
        for i in 0..n {
            vessels.push(build_open_sea(&mut b, os, i)?);
        }
    }
    if s.berth_radius_nm > 0.0 {
        assign_berths(
            mask,
            &b.ports,
            &mut vessels,
            s.berth_radius_nm,
            s.berth_spacing_nm,
        );
    }
    let mut events = std::mem::take(&mut b.events);
    events.sort_by_key(|x| (x.start_ms, x.mmsi, x.kind));
    Ok(World {
        start_ms,
        end_ms: end,
        ports: b.ports,
        vessels,
        events,
    })
}

fn build_ordinary(b: &mut Builder<'_>, f: &crate::scenario::Fleet) -> Result<Vessel, SimError> {
    let kind = f.kinds[b.rng.random_range(0..f.kinds.len().max(1))].clone();
    let flag = f.flags[b.rng.random_range(0..f.flags.len().max(1))].clone();
    let (ship_type, speeds, lengths) = kind_info(&kind);
    let fishing = kind == "fishing";
    let speed = b.rng.random_range(speeds[0]..speeds[1]);
    let length = b.rng.random_range(lengths[0]..=lengths[1]);
    let ports: Vec<usize> = f
        .ports
        .iter()
        .map(|p| b.port(p))
        .collect::<Result<_, _>>()?;
    let mmsi = b.fresh_mmsi(&flag);
    let n = b.used_mmsi.len();
    let name = format!(
        "{} {}",
        ["SEA", "OCEAN", "PACIFIC", "EASTERN", "NORTH", "GOLDEN", "BLUE", "STAR"][n % 8],
        ["WIND", "DRAGON", "PIONEER", "GLORY", "HOPE", "BRIDGE", "SPIRIT", "TRADER"][(n / 8) % 8]
    ) + &format!(" {}", n % 97 + 1);
    let callsign = format!("{}{}", &flag[..1], b.rng.random_range(1000..9999));
    let home = ports[b.rng.random_range(0..ports.len())];
    let mut plan = Vec::new();
    let mut t = b.start;
    let mut at = home;
    let first = b.hours([0.0, 48.0]);
    plan.push(Item::Stay {
        t0: t,
        t1: t + first,
        pos: b.ports[at].berth,
        status: MOORED,
        port: Some(at),
        drift_kn: 0.0,
    });
    if first > 0 {
        b.event(Event::port_visit(
            mmsi,
            t,
            t + first,
            &b.ports[at].clone(),
            false,
        ));
    }
    t += first;
    let draught_base = (length as f64 / 25.0).clamp(2.0, 14.0);
    let mut draught = vec![(b.start, draught_base)];
    let mut grounds: Vec<Vec<(f64, f64)>> = Vec::new();
    while t < b.end {
        if fishing {
            // A fishing trip: out to a ground within 40 nm, fish, come back.
            let home_pt = b.ports[at].berth;
            // Each boat has a few fishing grounds within 40 nm of home.
            if grounds.is_empty() {
                for _ in 0..8 {
                    let p = destination(
                        home_pt.0,
                        home_pt.1,
                        b.rng.random_range(0.0..360.0),
                        b.rng.random_range(10.0..40.0),
                    );
                    if !b.mask.is_land(p.0, p.1) {
                        if let Ok(r) = b.point_route(home_pt, p) {
                            grounds.push(r);
                        }
                    }
                    if grounds.len() == 3 {
                        break;
                    }
                }
            }
            if grounds.is_empty() {
                plan.push(Item::Stay {
                    t0: t,
                    t1: b.end.max(t + 1),
                    pos: home_pt,
                    status: MOORED,
                    port: Some(at),
                    drift_kn: 0.0,
                });
                break;
            }
            let out = grounds[b.rng.random_range(0..grounds.len())].clone();
            // Each trip fishes somewhere on the ground, not on one point, so
            // boats sharing a ground are not always alongside each other.
            let end = *out.last().expect("a route has points");
            let spot = destination(
                end.0,
                end.1,
                b.rng.random_range(0.0..360.0),
                b.rng.random_range(0.0..1.5),
            );
            let (g, out) =
                if b.mask.is_land(spot.0, spot.1) || !sea::route::clear_line(b.mask, end, spot) {
                    (end, out)
                } else {
                    let mut o = out;
                    o.push(spot);
                    (spot, o)
                };
            let leg = Arc::new(Leg::new(out.clone(), speed));
            let t1 = t + (leg.duration_s() * 1000.0) as i64;
            plan.push(Item::Sail {
                t0: t,
                t1,
                leg,
                from: Some(at),
                to: None,
            });
            let fish = b.hours([3.0, 8.0]);
            plan.push(Item::Stay {
                t0: t1,
                t1: t1 + fish,
                pos: g,
                status: FISHING,
                port: None,
                drift_kn: 1.5,
            });
            // Legitimate loitering: fishing.
            b.event(Event::new(
                EventKind::Loitering,
                mmsi,
                t1,
                Some(t1 + fish),
                Some(g),
                None,
                serde_json::json!({"activity": "fishing"}),
            ));
            let mut back = out;
            back.reverse();
            let leg = Arc::new(Leg::new(back, speed));
            let t2 = t1 + fish;
            let t3 = t2 + (leg.duration_s() * 1000.0) as i64;
            plan.push(Item::Sail {
                t0: t2,
                t1: t3,
                leg,
                from: None,
                to: Some(at),
            });
            let rest = b.hours([10.0, 30.0]);
            b.event(Event::port_visit(
                mmsi,
                t3,
                t3 + rest,
                &b.ports[at].clone(),
                false,
            ));
            plan.push(Item::Stay {
                t0: t3,
                t1: t3 + rest,
                pos: home_pt,
                status: MOORED,
                port: Some(at),
                drift_kn: 0.0,
            });
            t = t3 + rest;
        } else {
            if b.chance2(f.open_sea_p) {
                if let Some((back, t_next)) =
                    open_sea_trip(b, f, &ports, &mut plan, mmsi, at, t, speed)?
                {
                    at = back;
                    t = t_next;
                    continue;
                }
            }
            let others: Vec<usize> = ports.iter().copied().filter(|&p| p != at).collect();
            if others.is_empty() {
                // nowhere else to go: stay until the end
                plan.push(Item::Stay {
                    t0: t,
                    t1: b.end.max(t + 1),
                    pos: b.ports[at].berth,
                    status: MOORED,
                    port: Some(at),
                    drift_kn: 0.0,
                });
                break;
            }
            let next = others[b.rng.random_range(0..others.len())];
            let (t1, berth_at) = if f.coastal_p > 0.0 || f.offshore_wait_p > 0.0 {
                approach(b, f, &mut plan, mmsi, at, next, t, speed)?
            } else {
                let t1 = b.sail(&mut plan, at, next, t, speed)?;
                b.event(Event::voyage(
                    mmsi,
                    t,
                    t1,
                    &b.ports[at].clone(),
                    &b.ports[next].clone(),
                    false,
                ));
                (t1, t1)
            };
            // A few hours at anchor off some ports, then alongside.
            let mut tt = berth_at;
            if b.rng.random_bool(0.3) {
                let wait = b.hours([2.0, 12.0]);
                plan.push(Item::Stay {
                    t0: tt,
                    t1: tt + wait,
                    pos: b.ports[next].berth,
                    status: AT_ANCHOR,
                    port: Some(next),
                    drift_kn: 0.1,
                });
                tt += wait;
            }
            let stay = b.hours([12.0, 60.0]);
            plan.push(Item::Stay {
                t0: tt,
                t1: tt + stay,
                pos: b.ports[next].berth,
                status: MOORED,
                port: Some(next),
                drift_kn: 0.0,
            });
            let d = (draught_base * b.rng.random_range(0.6..1.0) * 10.0).round() / 10.0;
            let before = draught.last().map(|x| x.1).unwrap_or(d);
            draught.push((tt + stay, d));
            if (d - before).abs() >= 0.5 {
                b.event(Event::new(
                    EventKind::DraughtChange,
                    mmsi,
                    tt,
                    Some(tt + stay),
                    Some(b.ports[next].berth),
                    Some(&b.ports[next].clone()),
                    serde_json::json!({"from_m": before, "to_m": d, "cargo_operations": true}),
                ));
            }
            b.event(Event::port_visit(
                mmsi,
                t1,
                tt + stay,
                &b.ports[next],
                false,
            ));
            at = next;
            t = tt + stay;
        }
    }
    Ok(Vessel {
        role: "ordinary",
        class_b: fishing && b.rng.random_bool(0.5),
        length_m: length,
        beam_m: (length / 6).max(4),
        max_speed_kn: speed,
        identities: vec![Identity {
            from_ms: b.start,
            mmsi,
            imo: if fishing { 0 } else { b.fresh_imo() },
            name,
            callsign,
            ship_type,
            flag,
        }],
        motion: Motion::Plan(plan),
        dark: Vec::new(),
        spoof: Vec::new(),
        draught,
        berths: Vec::new(),
    })
}

fn build_shuttle(
    b: &mut Builder<'_>,
    s: &Scenario,
    sh: &crate::scenario::Shuttle,
    pr: &crate::scenario::ShuttleProfile,
) -> Result<Vessel, SimError> {
    let (ship_type, _, _) = kind_info(&sh.kind);
    let load = b.port(&sh.load_port)?;
    let unloads: Vec<usize> = sh
        .unload_ports
        .iter()
        .map(|p| b.port(p))
        .collect::<Result<_, _>>()?;
    let first = parse_time(&sh.first_departure)?.max(b.start);
    let speed = b.rng.random_range(pr.speed_kn[0]..pr.speed_kn[1]);
    let mut identities = vec![Identity {
        from_ms: b.start,
        mmsi: sh.mmsi,
        imo: sh.imo,
        name: sh.name.clone(),
        callsign: sh.callsign.clone(),
        ship_type,
        flag: "RU".into(),
    }];
    if let (Some(at), Some(name)) = (&sh.rename_at, &sh.new_name) {
        let at = parse_time(at)?;
        let mmsi = sh.new_mmsi.unwrap_or(sh.mmsi);
        identities.push(Identity {
            from_ms: at,
            mmsi,
            imo: sh.imo,
            name: name.clone(),
            callsign: sh.callsign.clone(),
            ship_type,
            flag: "RU".into(),
        });
        b.event(Event::new(EventKind::IdentityChange, mmsi, at, None, None, None, serde_json::json!({"old_name": sh.name, "new_name": name, "old_mmsi": sh.mmsi, "new_mmsi": mmsi, "imo": sh.imo})));
    }
    let vessel_sts: Vec<_> = s
        .sts
        .iter()
        .filter(|x| x.vessel == sh.name)
        .cloned()
        .collect();
    let mut plan = Vec::new();
    let mut dark = Vec::new();
    let mut draught = vec![(b.start, pr.draught_ballast_m)];
    let mut at = unloads[0];
    plan.push(Item::Stay {
        t0: b.start,
        t1: first,
        pos: b.ports[at].berth,
        status: MOORED,
        port: Some(at),
        drift_kn: 0.0,
    });
    if first > b.start {
        b.event(Event::port_visit(
            sh.mmsi,
            b.start,
            first,
            &b.ports[at].clone(),
            false,
        ));
    }
    let mut t = first;
    let mut trip = 0usize;
    let lp = b.ports[load].berth;
    let mut pending_sts = vessel_sts;
    let update_draught = sh.update_draught.unwrap_or(pr.update_draught);
    // start of the current idle stay in port (a dark_in_home_port silence
    // starts within it)
    let mut idle_since = b.start;
    while t < b.end {
        let radius = match pr.dark_radius_nm_range {
            Some(r) => b.range2(r),
            None => pr.dark_radius_nm.unwrap_or(0.0),
        };
        let dark_home = b.chance2(pr.dark_in_home_port_p);
        let home = at;
        // Ballast leg to the load port, dark inside the radius.
        let t1 = b.sail(&mut plan, at, load, t, speed)?;
        let Item::Sail { leg, .. } = plan.last().cloned().expect("just pushed") else {
            unreachable!()
        };
        let mut dark_from =
            t + (leg.first_within(lp, radius).unwrap_or(leg.duration_s()) * 1000.0) as i64;
        let went = leg.at((dark_from - t) as f64 / 1000.0);
        let mut went_dark_at = (went.0, went.1);
        if dark_home {
            // already in the port of departure, some hours before sailing
            dark_from = (t - b.hours2([1.0, 24.0])).max(idle_since);
            went_dark_at = b.ports[home].berth;
        }
        let stay = b.hours(pr.load_hours);
        plan.push(Item::Stay {
            t0: t1,
            t1: t1 + stay,
            pos: lp,
            status: MOORED,
            port: Some(load),
            drift_kn: 0.0,
        });
        let laden = (b
            .rng
            .random_range(pr.draught_laden_m[0]..pr.draught_laden_m[1])
            * 10.0)
            .round()
            / 10.0;
        if update_draught {
            draught.push((t1 + stay / 2, laden));
        }
        // Laden leg to an unload port.
        let dest = unloads[trip % unloads.len()];
        let t2 = t1 + stay;
        let t3 = b.sail(&mut plan, load, dest, t2, speed)?;
        let Item::Sail { leg: leg2, .. } = plan.last().cloned().expect("just pushed") else {
            unreachable!()
        };
        let dark_to = t2 + (leg2.last_within(lp, radius).unwrap_or(0.0) * 1000.0) as i64;
        let back_at = leg2.at((dark_to - t2) as f64 / 1000.0);
        dark.push((dark_from, dark_to));
        let trip_truth = DarkTrip {
            mmsi: mmsi_at(&identities, dark_from, sh.mmsi),
            from: at,
            home,
            load,
            dest,
            t,
            t1,
            t2,
            t3,
            dark_from,
            dark_to,
            went_dark_at,
            back_at: (back_at.0, back_at.1),
            radius,
            dark_home,
            laden,
        };
        trip_truth.record(b, pr, update_draught);
        // Unload, then turn around.
        let mut tt = t3;
        if let Some(k) = pending_sts.iter().position(|x| {
            parse_time(&x.at)
                .map(|a| a >= t3 && a < t3 + 25 * 24 * H)
                .unwrap_or(false)
        }) {
            let x = pending_sts.remove(k);
            tt = sts_excursion(b, &mut plan, &x, dest, tt, speed, &identities, sh.mmsi)?;
        }
        let unload = b.hours(pr.unload_hours);
        plan.push(Item::Stay {
            t0: tt,
            t1: tt + unload,
            pos: b.ports[dest].berth,
            status: MOORED,
            port: Some(dest),
            drift_kn: 0.0,
        });
        if update_draught {
            draught.push((tt + unload / 2, pr.draught_ballast_m));
        }
        let m = mmsi_at(&identities, tt, sh.mmsi);
        b.event(Event::port_visit(
            m,
            t3,
            tt + unload,
            &b.ports[dest].clone(),
            false,
        ));
        if update_draught {
            b.event(Event::new(
                EventKind::DraughtChange,
                m,
                tt,
                Some(tt + unload),
                Some(b.ports[dest].berth),
                Some(&b.ports[dest].clone()),
                serde_json::json!({"from_m": laden, "to_m": pr.draught_ballast_m, "loaded": false}),
            ));
        }
        let turn = b.hours(pr.turnaround_hours);
        idle_since = tt + unload;
        plan.push(Item::Stay {
            t0: tt + unload,
            t1: tt + unload + turn,
            pos: b.ports[dest].berth,
            status: MOORED,
            port: Some(dest),
            drift_kn: 0.0,
        });
        t = tt + unload + turn;
        at = dest;
        trip += 1;
    }
    for x in &pending_sts {
        let at = parse_time(&x.at)?;
        if at >= b.start && at + 30 * 24 * H < b.end {
            return Err(SimError::Scenario(format!(
                "ship-to-ship transfer of {} at {}: no unload call of that ship in the 25 days before it; move the date",
                x.vessel, x.at
            )));
        }
    }
    Ok(Vessel {
        role: "shuttle",
        class_b: false,
        length_m: sh.length_m,
        beam_m: sh.beam_m,
        max_speed_kn: speed,
        identities,
        motion: Motion::Plan(plan),
        dark,
        spoof: Vec::new(),
        draught,
        berths: Vec::new(),
    })
}

/// A ship-to-ship transfer after a laden arrival: wait in port, sail out
/// to the meeting point, lie alongside the dark partner, sail back.
/// Returns when the ship is back at its berth.
#[allow(clippy::too_many_arguments)]
fn sts_excursion(
    b: &mut Builder<'_>,
    plan: &mut Vec<Item>,
    x: &crate::scenario::Sts,
    dest: usize,
    tt: i64,
    speed: f64,
    identities: &[Identity],
    fallback_mmsi: u32,
) -> Result<i64, SimError> {
    let meet = parse_time(&x.at)?;
    // Wait in port, go out to the meeting point, loiter alongside, return.
    plan.push(Item::Stay {
        t0: tt,
        t1: meet - 12 * H,
        pos: b.ports[dest].berth,
        status: MOORED,
        port: Some(dest),
        drift_kn: 0.0,
    });
    let out = b.point_route(b.ports[dest].berth, (x.lat, x.lon))?;
    let leg = Arc::new(Leg::new(out.clone(), speed));
    let dep = meet - (leg.duration_s() * 1000.0) as i64 - 2 * H;
    if let Some(Item::Stay { t1, .. }) = plan.last_mut() {
        *t1 = dep.max(tt + H);
    }
    let dep = dep.max(tt + H);
    let arr = dep + (leg.duration_s() * 1000.0) as i64;
    plan.push(Item::Sail {
        t0: dep,
        t1: arr,
        leg,
        from: Some(dest),
        to: None,
    });
    let sts_end = meet + (x.hours * H as f64) as i64;
    plan.push(Item::Stay {
        t0: arr,
        t1: sts_end,
        pos: (x.lat, x.lon),
        status: crate::motion::UNDER_WAY,
        port: None,
        drift_kn: 0.3,
    });
    let mut back = out;
    back.reverse();
    let home = push_sail(plan, sts_end, back, speed, None, Some(dest));
    let m = mmsi_at(identities, meet, fallback_mmsi);
    b.event(Event::new(
        EventKind::Loitering,
        m,
        arr,
        Some(sts_end),
        Some((x.lat, x.lon)),
        None,
        serde_json::json!({"note": "waiting for and lying alongside a dark partner"}),
    ));
    let mut e = Event::new(
        EventKind::Encounter,
        m,
        meet,
        Some(sts_end),
        Some((x.lat, x.lon)),
        None,
        serde_json::json!({"partner_name": x.partner_name, "partner_dark": true, "ship_to_ship_transfer": true}),
    );
    e.other_mmsi = Some(x.partner_mmsi);
    b.event(e);
    Ok(home)
}

/// One shuttle trip as the truth records it: dark from near (or in) the
/// port it left, a call at the load port, a laden voyage.
struct DarkTrip {
    mmsi: u32,
    /// The port the ballast leg left.
    from: usize,
    /// Where the ship was when the trip began (for `switched_off_in_port`).
    home: usize,
    load: usize,
    dest: usize,
    /// Departure, arrival at the load port, departure laden, arrival.
    t: i64,
    t1: i64,
    t2: i64,
    t3: i64,
    dark_from: i64,
    dark_to: i64,
    went_dark_at: (f64, f64),
    /// Where it reappeared (lat, lon).
    back_at: (f64, f64),
    radius: f64,
    dark_home: bool,
    laden: f64,
}

impl DarkTrip {
    /// The trip's true events: the silence, the call (seen as a visit by
    /// truth, dark to AIS), the draught change, the two voyages.
    fn record(
        &self,
        b: &mut Builder<'_>,
        pr: &crate::scenario::ShuttleProfile,
        update_draught: bool,
    ) {
        let DarkTrip {
            mmsi,
            from: at,
            home,
            load,
            dest,
            t,
            t1,
            t2,
            t3,
            dark_from,
            dark_to,
            went_dark_at,
            back_at,
            radius,
            dark_home,
            laden,
        } = *self;
        let lp = b.ports[load].berth;
        let name = &b.ports[load].clone();
        let mut gap = serde_json::json!({"reappeared": {"lat": back_at.0, "lon": back_at.1}, "cause": "transponder switched off", "hours": (dark_to - dark_from) as f64 / H as f64});
        if pr.dark_radius_nm_range.is_some() {
            gap["dark_radius_nm"] = serde_json::json!(radius);
        }
        if dark_home {
            gap["switched_off_in_port"] = serde_json::json!(b.ports[home].name);
        }
        b.event(Event::new(
            EventKind::AisGap,
            mmsi,
            dark_from,
            Some(dark_to),
            Some(went_dark_at),
            None,
            gap,
        ));
        b.event(Event::port_visit(mmsi, t1, t2, name, true));
        let mut call = serde_json::json!({"dark_from": crate::truth::rfc3339(dark_from), "dark_to": crate::truth::rfc3339(dark_to), "draught_before_m": pr.draught_ballast_m, "draught_after_m": laden});
        if !update_draught {
            call["draught_broadcast"] = serde_json::json!(false);
        }
        b.event(Event::new(
            EventKind::DarkPortCall,
            mmsi,
            t1,
            Some(t2),
            Some(lp),
            Some(name),
            call,
        ));
        if update_draught {
            b.event(Event::new(
                EventKind::DraughtChange,
                mmsi,
                t1,
                Some(t2),
                Some(lp),
                Some(name),
                serde_json::json!({"from_m": pr.draught_ballast_m, "to_m": laden, "loaded": true}),
            ));
        }
        b.event(Event::voyage(mmsi, t, t1, &b.ports[at].clone(), name, true));
        b.event(Event::voyage(
            mmsi,
            t2,
            t3,
            name,
            &b.ports[dest].clone(),
            true,
        ));
    }
}

/// The MMSI a vessel of these identities used at `t`.
fn mmsi_at(identities: &[Identity], t: i64, fallback: u32) -> u32 {
    identities
        .iter()
        .rev()
        .find(|i| i.from_ms <= t)
        .map(|i| i.mmsi)
        .unwrap_or(fallback)
}

fn build_sts(
    b: &mut Builder<'_>,
    x: &crate::scenario::Sts,
    vessels: &mut Vec<Vessel>,
) -> Result<(), SimError> {
    // The partner: moored in Chongjin (no receivers there) and dark at sea.
    let home = b.port("KPCHO")?;
    let meet = parse_time(&x.at)?;
    let speed = 10.0;
    let out = b.point_route(b.ports[home].berth, (x.lat, x.lon))?;
    let leg = Arc::new(Leg::new(out.clone(), speed));
    let arr = meet;
    let dep = arr - (leg.duration_s() * 1000.0) as i64;
    let end = meet + (x.hours * H as f64) as i64;
    let mut back = out;
    back.reverse();
    let leg_back = Arc::new(Leg::new(back, speed));
    let home_t = end + (leg_back.duration_s() * 1000.0) as i64;
    let plan = vec![
        Item::Stay {
            t0: b.start,
            t1: dep,
            pos: b.ports[home].berth,
            status: MOORED,
            port: Some(home),
            drift_kn: 0.0,
        },
        Item::Sail {
            t0: dep,
            t1: arr,
            leg,
            from: Some(home),
            to: None,
        },
        Item::Stay {
            t0: arr,
            t1: end,
            pos: (x.lat + 0.001, x.lon + 0.001),
            status: crate::motion::UNDER_WAY,
            port: None,
            drift_kn: 0.3,
        },
        Item::Sail {
            t0: end,
            t1: home_t,
            leg: leg_back,
            from: None,
            to: Some(home),
        },
        Item::Stay {
            t0: home_t,
            t1: b.end.max(home_t + 1),
            pos: b.ports[home].berth,
            status: MOORED,
            port: Some(home),
            drift_kn: 0.0,
        },
    ];
    b.event(Event::new(
        EventKind::AisGap,
        x.partner_mmsi,
        dep - H,
        Some(home_t + H),
        Some(b.ports[home].berth),
        None,
        serde_json::json!({"cause": "transponder off for the transfer", "partner_of": x.vessel}),
    ));
    vessels.push(Vessel {
        role: "sts_partner",
        class_b: false,
        length_m: 90,
        beam_m: 14,
        max_speed_kn: speed,
        identities: vec![Identity {
            from_ms: b.start,
            mmsi: x.partner_mmsi,
            imo: 0,
            name: x.partner_name.clone(),
            callsign: String::new(),
            ship_type: 70,
            flag: "MN".into(),
        }],
        motion: Motion::Plan(plan),
        dark: vec![(dep - H, home_t + H)],
        spoof: Vec::new(),
        draught: vec![(b.start, 5.0)],
        berths: Vec::new(),
    });
    Ok(())
}

fn build_open_sea(
    b: &mut Builder<'_>,
    os: &crate::scenario::OpenSea,
    i: usize,
) -> Result<Vessel, SimError> {
    let (lat, lon) = loop {
        let p = (
            b.rng.random_range(-60.0..65.0),
            b.rng.random_range(-180.0..180.0),
        );
        if !b.mask.is_land(p.0, p.1) {
            break p;
        }
    };
    let flag = ["PA", "LR", "MH", "SG", "HK", "CN", "RU", "JP", "KR"][i % 9];
    let mmsi = b.fresh_mmsi(flag);
    let speed = b.rng.random_range(8.0..22.0);
    let mut dark = Vec::new();
    if b.rng.random_bool(os.dark_fraction.clamp(0.0, 1.0)) {
        let t0 = b.rng.random_range(b.start..b.end);
        let t1 = (t0 + b.hours([6.0, 18.0])).min(b.end);
        dark.push((t0, t1));
        b.event(Event::new(
            EventKind::AisGap,
            mmsi,
            t0,
            Some(t1),
            None,
            None,
            serde_json::json!({"cause": "transponder switched off"}),
        ));
    }
    let mut spoof = Vec::new();
    if b.rng.random_bool(os.spoof_fraction.clamp(0.0, 1.0)) {
        let t0 = b.rng.random_range(b.start..b.end);
        let t1 = (t0 + b.hours([2.0, 8.0])).min(b.end);
        spoof.push((
            t0,
            t1,
            Displacement::Offset {
                nm: 50.0,
                bearing_deg: 90.0,
            },
        ));
        b.event(Event::new(
            EventKind::PositionJump,
            mmsi,
            t0,
            Some(t1),
            None,
            None,
            serde_json::json!({"offset_nm": 50.0}),
        ));
    }
    Ok(Vessel {
        role: "open_sea",
        class_b: i % 10 == 9,
        length_m: 150,
        beam_m: 25,
        max_speed_kn: speed,
        identities: vec![Identity {
            from_ms: b.start,
            mmsi,
            imo: 9_100_000 + i as u32,
            name: format!("LOAD {i}"),
            callsign: format!("L{i}"),
            ship_type: 70,
            flag: flag.into(),
        }],
        motion: Motion::Drift(Drift {
            lat,
            lon,
            heading: b.rng.random_range(0.0..360.0),
            speed,
            last_ms: b.start,
        }),
        dark,
        spoof,
        draught: vec![(b.start, 8.0)],
        berths: Vec::new(),
    })
}
/// Where a rendezvous happens: a sea point at the scenario's distance from
/// a random coastal station (so the meeting is heard), clear of ports.
fn meeting_point(
    b: &mut Builder<'_>,
    s: &Scenario,
    r: &crate::scenario::Rendezvous,
) -> Result<(f64, f64), SimError> {
    let mut point = None;
    for _ in 0..200 {
        let st = &s.stations[b.rng.random_range(0..s.stations.len())];
        let p = destination(
            st.lat,
            st.lon,
            b.rng.random_range(0.0..360.0),
            b.rng
                .random_range(r.station_distance_nm[0]..r.station_distance_nm[1]),
        );
        let far_from_ports = b
            .ports
            .iter()
            .all(|q| sea::geo::distance_nm(q.berth.0, q.berth.1, p.0, p.1) > 12.0)
            && sea::ports::all()
                .iter()
                .all(|q| sea::geo::distance_nm(q.lat, q.lon, p.0, p.1) > 12.0);
        if !b.mask.is_land(p.0, p.1) && b.mask.nearest_sea(p.0, p.1, 0).is_some() && far_from_ports
        {
            point = Some(b.mask.nearest_sea(p.0, p.1, 0).expect("sea"));
            break;
        }
    }
    point.ok_or_else(|| {
        SimError::Scenario("rendezvous: no meeting point found near the stations".into())
    })
}

/// One side of a rendezvous: a vessel that sails from its port to the
/// meeting point, lies alongside, and sails on; its true events.
#[allow(clippy::too_many_arguments)]
fn rendezvous_vessel(
    b: &mut Builder<'_>,
    k: usize,
    side: usize,
    (from, to): (usize, usize),
    speed: f64,
    leg_out: Arc<Leg>,
    point: (f64, f64),
    (meet, end_meet): (i64, i64),
) -> Result<Vessel, SimError> {
    let flag = ["PA", "LR", "KR", "RU", "MH"][(k + side) % 5].to_string();
    let mmsi = b.fresh_mmsi(&flag);
    // the first to arrive waits half an hour for the other
    let arrive = meet - if side == 0 { 1_800_000 } else { 0 };
    let dep = arrive - (leg_out.duration_s() * 1000.0) as i64;
    let alongside = if side == 0 {
        point
    } else {
        destination(point.0, point.1, 90.0, 0.03)
    };
    let back = sea::route::route(b.mask, alongside, b.ports[to].berth, 4.0)
        .map_err(|e| SimError::Scenario(format!("rendezvous route: {e}")))?;
    let leg_back = Arc::new(Leg::new(back, speed));
    let home = end_meet + (leg_back.duration_s() * 1000.0) as i64;
    let plan = vec![
        Item::Stay {
            t0: b.start,
            t1: dep,
            pos: b.ports[from].berth,
            status: MOORED,
            port: Some(from),
            drift_kn: 0.0,
        },
        Item::Sail {
            t0: dep,
            t1: arrive,
            leg: leg_out,
            from: Some(from),
            to: None,
        },
        Item::Stay {
            t0: arrive,
            t1: end_meet,
            pos: alongside,
            status: crate::motion::UNDER_WAY,
            port: None,
            drift_kn: 0.2,
        },
        Item::Sail {
            t0: end_meet,
            t1: home,
            leg: leg_back,
            from: None,
            to: Some(to),
        },
        Item::Stay {
            t0: home,
            t1: b.end.max(home + 1),
            pos: b.ports[to].berth,
            status: MOORED,
            port: Some(to),
            drift_kn: 0.0,
        },
    ];
    b.event(Event::port_visit(
        mmsi,
        b.start,
        dep,
        &b.ports[from].clone(),
        false,
    ));
    b.event(Event::port_visit(
        mmsi,
        home,
        b.end.max(home + 1),
        &b.ports[to].clone(),
        false,
    ));
    b.event(Event::voyage(
        mmsi,
        dep,
        home,
        &b.ports[from].clone(),
        &b.ports[to].clone(),
        false,
    ));
    b.event(Event::new(
        EventKind::Loitering,
        mmsi,
        arrive,
        Some(end_meet),
        Some(alongside),
        None,
        serde_json::json!({"activity": "alongside another vessel"}),
    ));
    let (ship_type, _, lengths) = kind_info(if side == 0 { "tanker" } else { "bulk" });
    let n = b.used_mmsi.len();
    let imo = b.fresh_imo();
    Ok(Vessel {
        role: "rendezvous",
        class_b: false,
        length_m: lengths[0],
        beam_m: lengths[0] / 6,
        max_speed_kn: speed,
        identities: vec![Identity {
            from_ms: b.start,
            mmsi,
            imo,
            name: format!("{} {}", if side == 0 { "BUNKER" } else { "CLIENT" }, k + 1),
            callsign: format!("R{k}{side}{n}"),
            ship_type,
            flag,
        }],
        motion: Motion::Plan(plan),
        dark: Vec::new(),
        spoof: Vec::new(),
        draught: vec![(b.start, 6.0)],
        berths: Vec::new(),
    })
}

/// Two vessels leave ports, meet at sea near a coastal station, lie
/// alongside for a few hours with transponders on, and sail on.
fn build_rendezvous(
    b: &mut Builder<'_>,
    s: &Scenario,
    r: &crate::scenario::Rendezvous,
    k: usize,
    vessels: &mut Vec<Vessel>,
) -> Result<(), SimError> {
    if s.stations.is_empty() || r.ports.len() < 2 {
        return Err(SimError::Scenario(
            "rendezvous needs [[stations]] and at least two ports".into(),
        ));
    }
    let ports: Vec<usize> = r
        .ports
        .iter()
        .map(|p| b.port(p))
        .collect::<Result<_, _>>()?;
    let span = (b.end - b.start).max(1);
    let meet = b.start + span / 10 + b.rng.random_range(0..(span * 8 / 10).max(1));
    let hours = b.rng.random_range(r.hours[0]..=r.hours[1].max(r.hours[0]));
    let point = meeting_point(b, s, r)?;
    // Plan both sides first: the meeting starts when both can be there.
    let mut sides = Vec::new();
    for _ in 0..2 {
        let from = ports[b.rng.random_range(0..ports.len())];
        let mut to = ports[b.rng.random_range(0..ports.len())];
        if to == from {
            to = ports[(ports.iter().position(|&q| q == from).unwrap_or(0) + 1) % ports.len()];
        }
        let speed = b.rng.random_range(10.0..13.0);
        let out = match b.point_route(b.ports[from].berth, point) {
            Ok(r) => r,
            Err(_) => sea::route::route(b.mask, b.ports[from].berth, point, 4.0)
                .map_err(|e| SimError::Scenario(format!("rendezvous route: {e}")))?,
        };
        let leg_out = Arc::new(Leg::new(out, speed));
        sides.push((from, to, speed, leg_out));
    }
    let longest = sides
        .iter()
        .map(|s| (s.3.duration_s() * 1000.0) as i64)
        .max()
        .unwrap_or(0);
    let meet = meet.max(b.start + 1 + longest + 1_800_000);
    let end_meet = meet + (hours * H as f64) as i64;
    let mut mmsis = [0u32; 2];
    for (side, (from, to, speed, leg_out)) in sides.into_iter().enumerate() {
        let v = rendezvous_vessel(
            b,
            k,
            side,
            (from, to),
            speed,
            leg_out,
            point,
            (meet, end_meet),
        )?;
        mmsis[side] = v.identities[0].mmsi;
        vessels.push(v);
    }
    let mut e = Event::new(
        EventKind::Encounter,
        mmsis[0],
        meet,
        Some(meet + (hours * H as f64) as i64),
        Some(point),
        None,
        serde_json::json!({"both_visible": true, "activity": "ship-to-ship meeting"}),
    );
    e.other_mmsi = Some(mmsis[1]);
    b.event(e);
    Ok(())
}

/// Where a route comes within `d` nm of `berth` for the last time before
/// arriving: the index of the route point after it and the point itself.
fn point_at_distance(pts: &[(f64, f64)], berth: (f64, f64), d: f64) -> Option<(usize, (f64, f64))> {
    let dist = |p: (f64, f64)| sea::geo::distance_nm(p.0, p.1, berth.0, berth.1);
    for i in (0..pts.len().saturating_sub(1)).rev() {
        let (a, c) = (pts[i], pts[i + 1]);
        if dist(a) >= d && dist(c) < d {
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..40 {
                let mid = (lo + hi) / 2.0;
                if dist(sea::geo::lerp(a, c, mid)) >= d {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return Some((i + 1, sea::geo::lerp(a, c, lo)));
        }
    }
    None
}

/// An ordinary voyage from port `a` to port `c` with the fleet's options:
/// by a coastal waypoint, and with a wait for a berth off `c`. Records the
/// voyage (and the wait). Returns (start of the port visit, arrival at the
/// berth).
#[allow(clippy::too_many_arguments)]
fn approach(
    b: &mut Builder<'_>,
    f: &crate::scenario::Fleet,
    plan: &mut Vec<Item>,
    mmsi: u32,
    a: usize,
    c: usize,
    t: i64,
    speed: f64,
) -> Result<(i64, i64), SimError> {
    let direct = b.route(a, c)?;
    let mut via = None;
    let mut pts = direct;
    if b.chance2(f.coastal_p) {
        // a waypoint on the way: one that lengthens the voyage by at most
        // half, and 60 nm (none for a short hop along one coast)
        let limit = 1.5 * sea::route::length_nm(&pts) + 60.0;
        let mut near = Vec::new();
        for w in &f.coastal_waypoints {
            let w = (w[0], w[1]);
            let mut p = b.waypoint_route(a, w)?;
            let mut q = b.waypoint_route(c, w)?;
            q.reverse();
            p.extend(q.into_iter().skip(1));
            if sea::route::length_nm(&p) <= limit {
                near.push((w, p));
            }
        }
        if !near.is_empty() {
            let (w, p) = near.swap_remove(b.rng2.random_range(0..near.len()));
            via = Some(w);
            pts = p;
        }
    }
    let wait = b.chance2(f.offshore_wait_p);
    let berth = b.ports[c].berth;
    let mut anchorage = None;
    if wait {
        let d = b.range2(f.offshore_wait_nm);
        let side = b.rng2.random_range(-2.0..=2.0);
        let hours = b.hours2(f.offshore_wait_hours);
        let swing = b.rng2.random_range(0.08..0.2);
        let swing_bearing = b.rng2.random_range(0.0..360.0);
        if let Some((k, p)) = point_at_distance(&pts, berth, d) {
            // a mile or two to the side of the fairway, if that is open sea
            let course = sea::geo::bearing_deg(pts[k - 1].0, pts[k - 1].1, p.0, p.1);
            let q = destination(p.0, p.1, course + 90.0, side);
            let x = if !b.mask.is_land(q.0, q.1) && sea::route::clear_line(b.mask, p, q) {
                q
            } else {
                p
            };
            let r = b.safe_loop_radius(x, swing, swing_bearing);
            anchorage = Some((k, p, x, hours, r, swing_bearing));
        }
    }
    let voyage = |b: &mut Builder<'_>, end: i64| {
        let mut e = Event::voyage(
            mmsi,
            t,
            end,
            &b.ports[a].clone(),
            &b.ports[c].clone(),
            false,
        );
        if let Some(w) = via {
            e.evidence["coastal_waypoint"] = serde_json::json!([w.0, w.1]);
        }
        b.event(e);
    };
    let Some((k, p, x, hours, r, swing_bearing)) = anchorage else {
        let t1 = push_sail(plan, t, pts, speed, Some(a), Some(c));
        voyage(b, t1);
        return Ok((t1, t1));
    };
    let mut inbound: Vec<(f64, f64)> = pts[..k].to_vec();
    inbound.push(p);
    if x != p {
        inbound.push(x);
    }
    let mut onward = vec![x];
    if x != p {
        onward.push(p);
    }
    onward.extend_from_slice(&pts[k..]);
    let arr = push_sail(plan, t, inbound, speed, Some(a), None);
    let weigh = arr + hours.max(H);
    plan.push(Item::Idle {
        t0: arr,
        t1: weigh,
        center: x,
        radius_nm: r,
        bearing_deg: swing_bearing,
        // swinging with the tide
        loops: ((hours as f64 / (12.42 * H as f64)).round() as u32).max(1),
        status: AT_ANCHOR,
    });
    let t1 = push_sail(plan, weigh, onward, speed, None, Some(c));
    let off_nm = sea::geo::distance_nm(x.0, x.1, berth.0, berth.1);
    if off_nm > 6.0 {
        b.event(Event::new(
            EventKind::Loitering,
            mmsi,
            arr,
            Some(weigh),
            Some(x),
            None,
            serde_json::json!({"activity": "waiting for a berth", "off_port": b.ports[c].name, "distance_nm": (off_nm * 10.0).round() / 10.0}),
        ));
        voyage(b, t1);
        Ok((t1, t1))
    } else {
        // an anchorage in the port's approaches: part of the port visit
        voyage(b, arr);
        Ok((arr, t1))
    }
}

/// An ordinary ship goes out from port `at` to a sea point, idles there
/// and comes back to `at` or another port of its fleet, where it stays.
/// Returns (that port, the end of its stay there), or None if no sea
/// point was found.
#[allow(clippy::too_many_arguments)]
fn open_sea_trip(
    b: &mut Builder<'_>,
    f: &crate::scenario::Fleet,
    ports: &[usize],
    plan: &mut Vec<Item>,
    mmsi: u32,
    at: usize,
    t: i64,
    speed: f64,
) -> Result<Option<(usize, i64)>, SimError> {
    let home = b.ports[at].berth;
    // the region: the fleet's ports, grown by a degree
    let (mut la0, mut la1, mut lo0, mut lo1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for &p in ports {
        let (la, lo) = b.ports[p].berth;
        la0 = la0.min(la - 1.0);
        la1 = la1.max(la + 1.0);
        lo0 = lo0.min(lo - 1.0);
        lo1 = lo1.max(lo + 1.0);
    }
    let mut found = None;
    for _ in 0..30 {
        let brg = b.rng2.random_range(0.0..360.0);
        let d = b.range2(f.open_sea_nm);
        let p = destination(home.0, home.1, brg, d);
        if p.0 < la0 || p.0 > la1 || p.1 < lo0 || p.1 > lo1 {
            continue;
        }
        // open sea: no land within about 10 nm
        if b.mask.nearest_land_nm(p.0, p.1, 10).is_some() {
            continue;
        }
        let Ok(out) = b.point_route(home, p) else {
            continue;
        };
        if sea::route::length_nm(&out) <= 1.5 * d + 20.0 {
            found = Some((p, out));
            break;
        }
    }
    let Some((p, out)) = found else {
        return Ok(None);
    };
    let idle = b.hours2(f.open_sea_hours).max(H);
    let radius = b.rng2.random_range(1.0..3.0);
    let bearing = b.rng2.random_range(0.0..360.0);
    let back = if ports.len() < 2 || b.rng2.random_bool(0.5) {
        at
    } else {
        ports[b.rng2.random_range(0..ports.len())]
    };
    let stay = b.hours2([12.0, 60.0]);
    let (back, home_pts) = if back == at {
        let mut r = out.clone();
        r.reverse();
        (at, r)
    } else {
        match b.waypoint_route(back, p) {
            Ok(mut r) => {
                r.reverse();
                (back, r)
            }
            Err(_) => {
                let mut r = out.clone();
                r.reverse();
                (at, r)
            }
        }
    };
    let radius = b.safe_loop_radius(p, radius, bearing);
    let arr = push_sail(plan, t, out, speed, Some(at), None);
    plan.push(Item::Idle {
        t0: arr,
        t1: arr + idle,
        center: p,
        radius_nm: radius,
        bearing_deg: bearing,
        loops: ((idle as f64 / (24.0 * H as f64)).round() as u32).max(1),
        status: UNDER_WAY,
    });
    let t_home = push_sail(plan, arr + idle, home_pts, speed, None, Some(back));
    plan.push(Item::Stay {
        t0: t_home,
        t1: t_home + stay,
        pos: b.ports[back].berth,
        status: MOORED,
        port: Some(back),
        drift_kn: 0.0,
    });
    let mut e = Event::voyage(
        mmsi,
        t,
        t_home,
        &b.ports[at].clone(),
        &b.ports[back].clone(),
        false,
    );
    e.evidence["idle_at_sea"] = serde_json::json!(true);
    b.event(e);
    b.event(Event::new(
        EventKind::Loitering,
        mmsi,
        arr,
        Some(arr + idle),
        Some(p),
        None,
        serde_json::json!({"activity": "idling at sea"}),
    ));
    b.event(Event::port_visit(
        mmsi,
        t_home,
        t_home + stay,
        &b.ports[back].clone(),
        false,
    ));
    Ok(Some((back, t_home + stay)))
}
