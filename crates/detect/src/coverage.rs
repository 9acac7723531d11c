//! Reception learned from the data itself: where and when vessels are
//! heard, and how long the silences of vessels crossing a piece of water
//! usually are. A silence is evidence only as far as it is unusual for where
//! and when it happened: in open water that satellites pass over a few
//! times a day every ship goes unheard for a day or more, near a coastal
//! receiver almost none does.
//!
//! The map has two parts, both over cells of `gaps.density_cell_deg` and
//! UTC days:
//! - *visits*: how many times a vessel was heard in a cell on a day (a
//!   vessel counts again when it comes back to a cell it left, so a visit
//!   is one passage or one stay);
//! - *silences*: every gap (at least `gaps.min_hours`) of every vessel, by
//!   the cell where it began and the cell where it ended.
//!
//! For a silence of `h` hours that began at (lat, lon, t), the figure used
//! is the share of other vessels' visits to the surrounding 3 x 3 cells
//! within `coverage.window_days` of `t` that were followed by a silence at
//! least as long: `(k + 0.5) / (n + 1)` (k silences of other vessels, n
//! visits; the halves keep a cell without data at an honest 0.5, "unknown",
//! rather than at 0 or 1). The same for where it ended.

use crate::params::Params;
use std::collections::HashMap;

/// Key of a cell on a day: (day since 1970-01-01, row, column).
pub type CellDay = (i64, i32, i32);

/// One silence as the map keeps it.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Silence {
    /// The silent vessel.
    pub mmsi: u32,
    /// When it began (for starts) or ended (for ends), ms.
    pub t: i64,
    /// Its length, hours.
    pub hours: f64,
}

pub use model::evidence::Usualness;

/// A silence as the map takes it in: who, when it began and ended, and
/// where (the rest of a [`crate::vessel::Gap`] the map does not need).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SilenceEnds {
    /// The silent vessel.
    pub mmsi: u32,
    /// Last fix before, ms.
    pub t0: i64,
    /// First fix after, ms.
    pub t1: i64,
    /// Where it went dark (lat, lon).
    pub a: (f64, f64),
    /// Where it reappeared (lat, lon).
    pub b: (f64, f64),
}

impl SilenceEnds {
    /// The ends of a gap.
    pub fn of(g: &crate::vessel::Gap) -> SilenceEnds {
        SilenceEnds {
            mmsi: g.mmsi,
            t0: g.t0,
            t1: g.t1,
            a: g.a,
            b: g.b,
        }
    }
}

/// The reception map of a data set (batch), or of the data seen so far
/// (live).
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    cell_deg: f64,
    visits: HashMap<CellDay, u32>,
    starts: HashMap<(i32, i32), Vec<Silence>>,
    ends: HashMap<(i32, i32), Vec<Silence>>,
}

/// The coverage window in ms, kept inside [0, `MAX_WINDOW_DAYS`] (a
/// configuration that bypassed [`Params::check`] cannot make a query loop
/// for ever or overflow).
pub fn window_ms(p: &Params) -> i64 {
    let d = p.coverage.window_days;
    let d = if d.is_finite() {
        d.clamp(0.0, crate::params::MAX_WINDOW_DAYS)
    } else {
        0.0
    };
    (d * 86_400_000.0) as i64
}

/// Cell of a position.
pub fn cell_of(lat: f64, lon: f64, cell_deg: f64) -> (i32, i32) {
    (
        (lat / cell_deg).floor() as i32,
        (lon / cell_deg).floor() as i32,
    )
}

/// Counts the visits in one vessel's fixes (time order): a visit begins
/// whenever the (day, cell) of a fix differs from the previous fix's.
/// `last` carries the previous key across calls (the live driver feeds fix
/// by fix).
pub fn count_visit(
    visits: &mut HashMap<CellDay, u32>,
    last: &mut Option<CellDay>,
    t: i64,
    lat: f64,
    lon: f64,
    cell_deg: f64,
) {
    let (cy, cx) = cell_of(lat, lon, cell_deg);
    let k = (t.div_euclid(86_400_000), cy, cx);
    if *last != Some(k) {
        *visits.entry(k).or_default() += 1;
        *last = Some(k);
    }
}

impl Coverage {
    /// An empty map with the parameters' cell size.
    pub fn new(p: &Params) -> Coverage {
        Coverage {
            cell_deg: p.gaps.density_cell_deg,
            ..Coverage::default()
        }
    }

    /// The map from counted visits and every vessel's silences.
    pub fn build(p: &Params, visits: HashMap<CellDay, u32>, silences: &[SilenceEnds]) -> Self {
        let mut c = Coverage {
            cell_deg: p.gaps.density_cell_deg,
            visits,
            ..Coverage::default()
        };
        for s in silences {
            c.add_silence_ends(s);
        }
        c
    }

    /// Adds visits counted elsewhere.
    pub fn add_visits(&mut self, k: CellDay, n: u32) {
        *self.visits.entry(k).or_default() += n;
    }

    /// Mutable access to the visit counts (for [`count_visit`]).
    pub fn visits_mut(&mut self) -> &mut HashMap<CellDay, u32> {
        &mut self.visits
    }

    /// Forgets visits and silences before day `d` (the live map keeps
    /// only the window it uses).
    pub fn prune_before_day(&mut self, d: i64) {
        self.visits.retain(|k, _| k.0 >= d);
        let t = d * 86_400_000;
        for m in [&mut self.starts, &mut self.ends] {
            m.retain(|_, v| {
                v.retain(|s| s.t >= t);
                !v.is_empty()
            });
        }
    }

    /// Adds one silence (both its ends).
    pub fn add_silence(&mut self, g: &crate::vessel::Gap) {
        self.add_silence_ends(&SilenceEnds::of(g))
    }

    /// Adds one silence given by its ends.
    pub fn add_silence_ends(&mut self, g: &SilenceEnds) {
        let hours = (g.t1 - g.t0) as f64 / 3_600_000.0;
        self.starts
            .entry(cell_of(g.a.0, g.a.1, self.cell_deg))
            .or_default()
            .push(Silence {
                mmsi: g.mmsi,
                t: g.t0,
                hours,
            });
        self.ends
            .entry(cell_of(g.b.0, g.b.1, self.cell_deg))
            .or_default()
            .push(Silence {
                mmsi: g.mmsi,
                t: g.t1,
                hours,
            });
    }

    /// How usual a silence of `hours` that began (`start = true`) or ended
    /// at (lat, lon, t) is for other vessels than `own` (the MMSIs of one
    /// ship: several when it changed MMSI).
    #[allow(clippy::too_many_arguments)]
    pub fn usualness(
        &self,
        lat: f64,
        lon: f64,
        t: i64,
        hours: f64,
        own: &[u32],
        start: bool,
        p: &Params,
    ) -> Usualness {
        let (cy, cx) = cell_of(lat, lon, self.cell_deg);
        let w = window_ms(p);
        let (d0, d1) = (
            t.saturating_sub(w).div_euclid(86_400_000),
            t.saturating_add(w).div_euclid(86_400_000),
        );
        let mut visits = 0u64;
        let mut lens: Vec<f64> = Vec::new();
        let list = if start { &self.starts } else { &self.ends };
        for dy in -1..=1 {
            for dx in -1..=1 {
                for d in d0..=d1 {
                    visits += self
                        .visits
                        .get(&(d, cy + dy, cx + dx))
                        .copied()
                        .unwrap_or(0) as u64;
                }
                if let Some(v) = list.get(&(cy + dy, cx + dx)) {
                    lens.extend(
                        v.iter()
                            .filter(|s| !own.contains(&s.mmsi) && (s.t - t).abs() <= w)
                            .map(|s| s.hours),
                    );
                }
            }
        }
        let as_long = lens.iter().filter(|&&h| h >= hours).count() as u64;
        let shorter = lens.iter().filter(|&&h| h < hours).count();
        lens.sort_by(|a, b| a.total_cmp(b));
        // own visits are not subtracted (they are few against the others'
        // in any water the figure matters for); silences are
        let visits = visits.max(as_long);
        Usualness {
            visits,
            silences_as_long: as_long,
            share: (as_long as f64 + 0.5) / (visits as f64 + 1.0),
            median_silence_hours: lens.get(lens.len() / 2).copied().unwrap_or(0.0),
            percentile: if lens.is_empty() {
                1.0
            } else {
                shorter as f64 / lens.len() as f64
            },
        }
    }
}
