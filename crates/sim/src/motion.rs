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
        let p = sea::geo::lerp(a, b, g);
        (p.0, p.1, bearing_deg(a.0, a.1, b.0, b.1), v)
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

/// State on a plan at `t` (ms); the plan covers the whole simulated time.
pub fn state_on(plan: &[Item], t: i64) -> Option<State> {
    let i = plan.partition_point(|it| it.t1() <= t);
    match plan.get(i)? {
        Item::Sail { t0, leg, .. } => {
            let (lat, lon, cog, sog) = leg.at((t - t0) as f64 / 1000.0);
            Some(State {
                lat,
                lon,
                cog,
                sog,
                status: UNDER_WAY,
            })
        }
        Item::Stay {
            pos,
            status,
            drift_kn,
            ..
        } => Some(State {
            lat: pos.0,
            lon: pos.1,
            cog: 0.0,
            sog: *drift_kn,
            status: *status,
        }),
        Item::Idle {
            t0,
            t1,
            center,
            radius_nm,
            bearing_deg,
            loops,
            status,
        } => Some(idle_state(
            *center,
            *radius_nm,
            *bearing_deg,
            *loops,
            *status,
            (t - t0) as f64 / 1000.0,
            (t1 - t0).max(1) as f64 / 1000.0,
        )),
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
