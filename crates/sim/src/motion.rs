//! How a vessel moves: a plan of sailing legs and stays, or free drift on
//! the open sea (load scenario).

use sea::geo::{bearing_deg, destination, distance_nm};
use sea::LandMask;
use std::sync::Arc;

/// Acceleration profile: speed rises by this many knots per nautical mile
/// from a standing start, and falls likewise into port, from and to
/// `MIN_MANOEUVRE_KN`. With 2 kn/nm a ship reaches 14 kn 6 nm out of port.
pub const KN_PER_NM: f64 = 2.0;
/// The slowest speed under way in and out of port, knots.
pub const MIN_MANOEUVRE_KN: f64 = 2.0;

/// A sailing leg along a sea route, with its time profile.
#[derive(Debug)]
pub struct Leg {
    pts: Vec<(f64, f64)>,
    /// cumulative distance at each point, nm
    cum: Vec<f64>,
    /// profile samples: (distance nm, seconds from leg start, speed kn)
    prof: Vec<(f64, f64, f64)>,
}

impl Leg {
    /// A leg along these points (lat, lon) at a cruise speed, knots.
    pub fn new(pts: Vec<(f64, f64)>, cruise_kn: f64) -> Leg {
        let mut cum = vec![0.0];
        for w in pts.windows(2) {
            let d = distance_nm(w[0].0, w[0].1, w[1].0, w[1].1);
            cum.push(cum.last().copied().unwrap_or(0.0) + d);
        }
        let total = *cum.last().unwrap_or(&0.0);
        let step = 0.25f64;
        let n = (total / step).ceil().max(1.0) as usize;
        let mut prof = Vec::with_capacity(n + 1);
        let mut t = 0.0;
        let speed_at = |s: f64| {
            (MIN_MANOEUVRE_KN + KN_PER_NM * s.min(total - s).max(0.0))
                .min(cruise_kn)
                .max(MIN_MANOEUVRE_KN.min(cruise_kn))
        };
        prof.push((0.0, 0.0, speed_at(0.0)));
        for i in 1..=n {
            let s0 = (i - 1) as f64 * total / n as f64;
            let s1 = i as f64 * total / n as f64;
            let v = speed_at((s0 + s1) / 2.0);
            t += (s1 - s0) / v * 3600.0;
            prof.push((s1, t, speed_at(s1)));
        }
        Leg { pts, cum, prof }
    }

    /// How long the leg takes, s.
    pub fn duration_s(&self) -> f64 {
        self.prof.last().map(|p| p.1).unwrap_or(0.0)
    }

    /// Its length, nm.
    pub fn length_nm(&self) -> f64 {
        *self.cum.last().unwrap_or(&0.0)
    }

    /// Where it starts.
    pub fn start(&self) -> (f64, f64) {
        self.pts[0]
    }
    /// Where it ends.
    pub fn end(&self) -> (f64, f64) {
        *self.pts.last().expect("a leg has points")
    }

    /// Position, course and speed `secs` after the leg started.
    pub fn at(&self, secs: f64) -> (f64, f64, f64, f64) {
        let (p, _) = self.at_along(secs);
        p
    }

    /// [`Leg::at`] and the distance sailed, nm.
    fn at_along(&self, secs: f64) -> ((f64, f64, f64, f64), f64) {
        let i = self
            .prof
            .partition_point(|p| p.1 < secs)
            .clamp(1, self.prof.len().max(2) - 1);
        let (s0, t0, v0) = self.prof[i - 1];
        let (s1, t1, v1) = self.prof[i.min(self.prof.len() - 1)];
        let f = if t1 > t0 {
            ((secs - t0) / (t1 - t0)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let s = s0 + (s1 - s0) * f;
        let v = v0 + (v1 - v0) * f;
        let (p, cog) = self.along(s);
        ((p.0, p.1, cog, v), s)
    }

    /// Position and course `s` nm along the leg.
    fn along(&self, s: f64) -> ((f64, f64), f64) {
        let k = self
            .cum
            .partition_point(|&c| c < s)
            .clamp(1, self.cum.len() - 1);
        let seg = self.cum[k] - self.cum[k - 1];
        let g = if seg > 0.0 {
            ((s - self.cum[k - 1]) / seg).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (a, b) = (self.pts[k - 1], self.pts[k]);
        (sea::geo::lerp(a, b, g), bearing_deg(a.0, a.1, b.0, b.1))
    }

    /// First time (s from leg start) the vessel is within `r` nm of a point,
    /// sampling the profile; None if never.
    pub fn first_within(&self, pt: (f64, f64), r: f64) -> Option<f64> {
        self.prof.iter().map(|p| p.1).find(|&t| {
            let (la, lo, _, _) = self.at(t);
            distance_nm(la, lo, pt.0, pt.1) <= r
        })
    }
    /// Last time the vessel is within `r` nm of a point.
    pub fn last_within(&self, pt: (f64, f64), r: f64) -> Option<f64> {
        self.prof.iter().rev().map(|p| p.1).find(|&t| {
            let (la, lo, _, _) = self.at(t);
            distance_nm(la, lo, pt.0, pt.1) <= r
        })
    }
}

/// Navigational status codes used (ITU-R M.1371).
pub const UNDER_WAY: u8 = 0;
/// At anchor.
pub const AT_ANCHOR: u8 = 1;
/// Moored.
pub const MOORED: u8 = 5;
/// Engaged in fishing.
pub const FISHING: u8 = 7;

/// One piece of a plan, over [t0, t1) in ms.
#[derive(Debug, Clone)]
pub enum Item {
    /// Sailing a leg.
    Sail {
        /// Start, ms.
        t0: i64,
        /// End, ms.
        t1: i64,
        /// The route and its time profile.
        leg: Arc<Leg>,
        /// The port it leaves, if any.
        from: Option<usize>,
        /// The port it arrives at, if any.
        to: Option<usize>,
    },
    /// Staying at one place.
    Stay {
        /// Start, ms.
        t0: i64,
        /// End, ms.
        t1: i64,
        /// Where.
        pos: (f64, f64),
        /// Navigational status broadcast meanwhile.
        status: u8,
        /// The port, if in one.
        port: Option<usize>,
        /// Drift speed around the place, knots.
        drift_kn: f64,
    },
    /// Idling around a point outside port (at anchor waiting for a berth,
    /// drifting with engines stopped): `loops` slow loops of radius
    /// `radius_nm` that leave `center` on `bearing_deg` and come back to it,
    /// so the ship is at `center` at both ends.
    Idle {
        /// Start, ms.
        t0: i64,
        /// End, ms.
        t1: i64,
        /// The point idled around.
        center: (f64, f64),
        /// Radius of the loops, nm.
        radius_nm: f64,
        /// Bearing the loops leave on, degrees.
        bearing_deg: f64,
        /// Number of loops.
        loops: u32,
        /// Navigational status broadcast meanwhile.
        status: u8,
    },
}

impl Item {
    /// Start, ms.
    pub fn t0(&self) -> i64 {
        match self {
            Item::Sail { t0, .. } | Item::Stay { t0, .. } | Item::Idle { t0, .. } => *t0,
        }
    }
    /// End, ms.
    pub fn t1(&self) -> i64 {
        match self {
            Item::Sail { t1, .. } | Item::Stay { t1, .. } | Item::Idle { t1, .. } => *t1,
        }
    }
}

/// True kinematic state at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Course over ground, degrees.
    pub cog: f64,
    /// Speed over ground, knots.
    pub sog: f64,
    /// Navigational status.
    pub status: u8,
}

/// Free movement on the open sea: great-circle steps, turning away from land.
#[derive(Debug, Clone)]
pub struct Drift {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Heading, degrees.
    pub heading: f64,
    /// Speed, knots.
    pub speed: f64,
    /// Time of this state, ms.
    pub last_ms: i64,
}

impl Drift {
    /// Advances to `t` (non-decreasing), turning when the next step would
    /// put the vessel on land.
    pub fn advance(&mut self, t: i64, mask: &LandMask, turn: &mut impl FnMut() -> f64) -> State {
        let dt_h = (t - self.last_ms).max(0) as f64 / 3_600_000.0;
        self.last_ms = t;
        let (la, lo) = destination(self.lat, self.lon, self.heading, self.speed * dt_h);
        if mask.is_land(la, lo) || la.abs() > 75.0 {
            self.heading = (self.heading + 90.0 + turn() * 180.0) % 360.0;
        } else {
            self.lat = la;
            self.lon = lo;
        }
        State {
            lat: self.lat,
            lon: self.lon,
            cog: self.heading,
            sog: self.speed,
            status: UNDER_WAY,
        }
    }
}

/// Within at least this distance (nm) sailed from or to a berth a ship
/// moves between the port's berth (where its routes start and end) and its
/// own berth point ([`Berth::fade_nm`]: the point's distance, if farther).
/// Routes leave port at 2 kn gaining 2 kn a nautical mile ([`KN_PER_NM`]),
/// so a shift `r` spread over `f` nm adds at most r/f of a speed of at most
/// 2 + 2f kn; [`Berth::reach_nm`] keeps that within the vessel's cruise
/// speed (for the slowest drawn, 7 kn, points up to 0.9 nm away).
pub const BERTH_FADE_NM: f64 = 1.0;

/// Where a vessel lies during one visit to a port: over [`from_ms`,
/// `to_ms`] (its stays and idling at the port's berth `at`, and the ends of
/// the legs that reach and leave it) it is shifted by `shift` (degrees of
/// latitude, longitude) from that berth.
///
/// [`from_ms`]: Berth::from_ms
/// [`to_ms`]: Berth::to_ms
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Berth {
    /// The port's berth, as the plan names it.
    pub at: (f64, f64),
    /// First instant of the visit, ms.
    pub from_ms: i64,
    /// Last instant of the visit, ms.
    pub to_ms: i64,
    /// The vessel's own berth point, as a shift from `at`.
    pub shift: (f64, f64),
    /// Over how many nautical miles from the berth the shift fades on its
    /// ways in and out (at least [`BERTH_FADE_NM`]).
    pub fade_nm: f64,
}

impl Berth {
    /// The fade for a berth point `r_nm` from the port's berth.
    pub fn fade_for(r_nm: f64) -> f64 {
        BERTH_FADE_NM.max(r_nm)
    }

    /// The farthest berth point (nm from the port's berth) a vessel
    /// cruising at `cruise_kn` can be given: moving between it and the
    /// port's berth over the fade ([`Berth::fade_for`]) while leaving port
    /// at up to 2 + 2 kn a nautical mile, it never sails faster than its
    /// cruise speed allows (5% and 0.3 kn of a speed log's margin).
    pub fn reach_nm(cruise_kn: f64) -> f64 {
        let ok = |r: f64| {
            let f = Self::fade_for(r);
            (2.0 + 2.0 * f).min(cruise_kn) * (1.0 + r / f) <= 1.05 * cruise_kn + 0.3
        };
        let mut r = 0.0;
        while r < 5.0 && ok(r + 0.05) {
            r += 0.05;
        }
        r
    }
}

/// The shift of a vessel at berth `pt` at `t`: `berths` sorted by
/// `from_ms`, one vessel's visits, which do not overlap.
fn berth_at(berths: &[Berth], pt: (f64, f64), t: i64) -> Option<&Berth> {
    let i = berths.partition_point(|b| b.from_ms <= t);
    berths[..i]
        .iter()
        .rev()
        .take(3)
        .find(|b| b.at == pt && t <= b.to_ms)
}

/// [`berth_at`]'s shift.
fn shift_at(berths: &[Berth], pt: (f64, f64), t: i64) -> Option<(f64, f64)> {
    berth_at(berths, pt, t).map(|b| b.shift)
}

/// State on a plan at `t` (ms); the plan covers the whole simulated time.
/// `berths`: where this vessel lay on its port visits (empty: at the
/// port's berth itself).
pub fn state_on(plan: &[Item], t: i64, berths: &[Berth]) -> Option<State> {
    let i = plan.partition_point(|it| it.t1() <= t);
    let item = plan.get(i)?;
    if berths.is_empty() {
        return Some(state_at_berth(item, t));
    }
    let (mut st, (dlat, dlon)) = match item {
        // the leg evaluated once: position and distance sailed together
        Item::Sail { t0, t1, leg, .. } => {
            let ((lat, lon, cog, sog), s) = leg.at_along((t - t0) as f64 / 1000.0);
            let st = State {
                lat,
                lon,
                cog,
                sog,
                status: UNDER_WAY,
            };
            (st, sail_shift(leg, s, berths, *t0, *t1))
        }
        Item::Stay { pos, t0, .. }
        | Item::Idle {
            center: pos, t0, ..
        } => (
            state_at_berth(item, t),
            shift_at(berths, *pos, *t0).unwrap_or((0.0, 0.0)),
        ),
    };
    st.lat += dlat;
    st.lon += dlon;
    Some(st)
}

/// How far a ship `s` nm along a leg sailed over [t0, t1] is shifted from
/// the leg: fully at a berth it starts or ends at, to nothing
/// [`BERTH_FADE_NM`] out (half the leg if shorter).
fn sail_shift(leg: &Leg, s: f64, berths: &[Berth], t0: i64, t1: i64) -> (f64, f64) {
    let total = leg.length_nm();
    let w = |d: f64, b: &Berth| {
        let fade = b.fade_nm.min(total / 2.0);
        if fade > 0.0 {
            (1.0 - d / fade).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let mut d = (0.0, 0.0);
    if let Some(b) = berth_at(berths, leg.start(), t0) {
        let k = if total > 0.0 { w(s, b) } else { 1.0 };
        d = (d.0 + b.shift.0 * k, d.1 + b.shift.1 * k);
    }
    if total > 0.0 {
        if let Some(b) = berth_at(berths, leg.end(), t1) {
            let k = w(total - s, b);
            d = (d.0 + b.shift.0 * k, d.1 + b.shift.1 * k);
        }
    }
    d
}

/// Where an item takes a ship near the berths in `berths` (its stay, an
/// idle loop around one, the ends of a leg from or to one, every
/// `step_nm`), shifted as [`state_on`] shifts them: for checking a berth
/// point keeps the ship at sea. Empty for items that touch none.
pub fn near_berth_points(item: &Item, berths: &[Berth], step_nm: f64) -> Vec<(f64, f64)> {
    let add = |p: (f64, f64), d: (f64, f64)| (p.0 + d.0, p.1 + d.1);
    match item {
        Item::Stay { pos, t0, .. } => shift_at(berths, *pos, *t0)
            .map(|d| vec![add(*pos, d)])
            .unwrap_or_default(),
        Item::Idle {
            t0,
            center,
            radius_nm,
            bearing_deg,
            loops,
            ..
        } => match shift_at(berths, *center, *t0) {
            Some(d) => (0..=48)
                .map(|k| {
                    let p = idle_point(*center, *radius_nm, *bearing_deg, *loops, k as f64, 48.0);
                    add(p, d)
                })
                .collect(),
            None => Vec::new(),
        },
        Item::Sail { t0, t1, leg, .. } => {
            let total = leg.length_nm();
            let mut out = Vec::new();
            for (pt, t, from_start) in [(leg.start(), *t0, true), (leg.end(), *t1, false)] {
                let Some(b) = berth_at(berths, pt, t) else {
                    continue;
                };
                let fade = b.fade_nm.min(total / 2.0);
                let n = (fade / step_nm.max(1e-3)).ceil() as usize;
                for k in 0..=n {
                    let d = fade * k as f64 / n.max(1) as f64;
                    let s = if from_start { d } else { total - d };
                    out.push(add(leg.along(s).0, sail_shift(leg, s, berths, *t0, *t1)));
                }
            }
            out
        }
    }
}

/// State on one item, at the port's berth.
fn state_at_berth(item: &Item, t: i64) -> State {
    match item {
        Item::Sail { t0, leg, .. } => {
            let (lat, lon, cog, sog) = leg.at((t - t0) as f64 / 1000.0);
            State {
                lat,
                lon,
                cog,
                sog,
                status: UNDER_WAY,
            }
        }
        Item::Stay {
            pos,
            status,
            drift_kn,
            ..
        } => State {
            lat: pos.0,
            lon: pos.1,
            cog: 0.0,
            sog: *drift_kn,
            status: *status,
        },
        Item::Idle {
            t0,
            t1,
            center,
            radius_nm,
            bearing_deg,
            loops,
            status,
        } => idle_state(
            *center,
            *radius_nm,
            *bearing_deg,
            *loops,
            *status,
            (t - t0) as f64 / 1000.0,
            (t1 - t0).max(1) as f64 / 1000.0,
        ),
    }
}

/// Offset (north, east) in nm and velocity (north, east) in kn, `secs`
/// into an idle of `dur_s` seconds.
fn idle_offset(
    r: f64,
    bearing: f64,
    loops: u32,
    secs: f64,
    dur_s: f64,
) -> ((f64, f64), (f64, f64)) {
    let w = 2.0 * std::f64::consts::PI * loops.max(1) as f64 / dur_s; // rad/s
    let th = w * secs.clamp(0.0, dur_s);
    let (bs, bc) = bearing.to_radians().sin_cos();
    // u: from the centre towards the loop's middle; v: 90° to the right
    let (u, v) = ((bc, bs), (-bs, bc));
    let (a, b) = (r * (1.0 - th.cos()), r * th.sin());
    let off = (a * u.0 + b * v.0, a * u.1 + b * v.1);
    let (da, db) = (r * w * th.sin() * 3600.0, r * w * th.cos() * 3600.0);
    (off, (da * u.0 + db * v.0, da * u.1 + db * v.1))
}

/// Position on an idle loop; also used to check a loop stays at sea.
pub fn idle_point(
    center: (f64, f64),
    radius_nm: f64,
    bearing_deg: f64,
    loops: u32,
    secs: f64,
    dur_s: f64,
) -> (f64, f64) {
    let (off, _) = idle_offset(radius_nm, bearing_deg, loops, secs, dur_s);
    let lat = center.0 + off.0 / 60.0;
    let lon = center.1 + off.1 / (60.0 * center.0.to_radians().cos().max(0.01));
    (lat, lon)
}

fn idle_state(
    center: (f64, f64),
    r: f64,
    bearing: f64,
    loops: u32,
    status: u8,
    secs: f64,
    dur_s: f64,
) -> State {
    let (lat, lon) = idle_point(center, r, bearing, loops, secs, dur_s);
    let (_, vel) = idle_offset(r, bearing, loops, secs, dur_s);
    let sog = (vel.0 * vel.0 + vel.1 * vel.1).sqrt();
    let cog = if sog > 0.0 {
        vel.1.atan2(vel.0).to_degrees().rem_euclid(360.0)
    } else {
        0.0
    };
    State {
        lat,
        lon,
        cog,
        sog,
        status,
    }
}
