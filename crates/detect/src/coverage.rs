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
//!
//! Phase two asks the map one [`Query`] per end of a silence. In one
//! process the whole map answers ([`Coverage`], a [`Lookup`]); on a
//! cluster no process holds it: every input becomes a [`Record`] routed to
//! the [`Blocks`] (cells x days) whose questions can need it, each question
//! goes to its own block, a task per block answers from the records it was
//! sent ([`answer_block`]) and the [`Answers`] go back to the vessel that
//! asked. A question only looks at the 3 x 3 cells around its place and
//! `coverage.window_days` around its time, so a block's records hold
//! everything it reads and the answer is the whole map's, bit for bit.

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

/// The reception map of a data set (batch), or of the data seen so far
/// (live).
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    cell_deg: f64,
    visits: HashMap<CellDay, u32>,
    /// fixes heard per cell and day (for the reception figure)
    fixes: HashMap<CellDay, u32>,
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

/// The (day, cell) of a fix.
pub fn cell_day(t: i64, lat: f64, lon: f64, cell_deg: f64) -> CellDay {
    let (cy, cx) = cell_of(lat, lon, cell_deg);
    (t.div_euclid(86_400_000), cy, cx)
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
    let k = cell_day(t, lat, lon, cell_deg);
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

    /// The map from phase one's counts (silences are added after,
    /// [`Coverage::add_silence`]).
    pub fn from_counts(p: &Params, counts: Counts) -> Self {
        Coverage {
            cell_deg: p.gaps.density_cell_deg,
            visits: counts.visits,
            fixes: counts.fixes,
            ..Coverage::default()
        }
    }

    /// Adds visits counted elsewhere.
    pub fn add_visits(&mut self, k: CellDay, n: u32) {
        *self.visits.entry(k).or_default() += n;
    }

    /// Adds fixes counted elsewhere.
    pub fn add_fixes(&mut self, k: CellDay, n: u32) {
        *self.fixes.entry(k).or_default() += n;
    }

    /// Mutable access to the visit counts (for [`count_visit`]).
    pub fn visits_mut(&mut self) -> &mut HashMap<CellDay, u32> {
        &mut self.visits
    }

    /// Forgets visits and silences before day `d` (the live map keeps
    /// only the window it uses).
    pub fn prune_before_day(&mut self, d: i64) {
        self.visits.retain(|k, _| k.0 >= d);
        self.fixes.retain(|k, _| k.0 >= d);
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
        self.add_end(g.mmsi, g.t0, g.t1, g.a, true);
        self.add_end(g.mmsi, g.t0, g.t1, g.b, false);
    }

    /// Adds one end of a silence from `t0` to `t1`: where it began
    /// (`start`) or where it ended.
    fn add_end(&mut self, mmsi: u32, t0: i64, t1: i64, at: (f64, f64), start: bool) {
        let hours = (t1 - t0) as f64 / 3_600_000.0;
        let list = if start {
            &mut self.starts
        } else {
            &mut self.ends
        };
        list.entry(cell_of(at.0, at.1, self.cell_deg))
            .or_default()
            .push(Silence {
                mmsi,
                t: if start { t0 } else { t1 },
                hours,
            });
    }

    /// Fixes per hour heard in the 3 x 3 cells around (lat, lon) on the
    /// UTC day of `t`.
    pub fn reception(&self, lat: f64, lon: f64, t: i64) -> f64 {
        let day = t.div_euclid(86_400_000);
        let (cy, cx) = cell_of(lat, lon, self.cell_deg);
        let around: u32 = (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dy, dx)))
            .map(|(dy, dx)| {
                self.fixes
                    .get(&(day, cy + dy, cx + dx))
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        around as f64 / 24.0
    }

    /// The answer to one question.
    pub fn answer(&self, q: &Query, p: &Params) -> Answer {
        let own = q.own();
        Answer {
            usual: self.usualness(q.lat, q.lon, q.t, q.hours, &own, q.start, p),
            per_hour: self.reception(q.lat, q.lon, q.t),
        }
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

/// Phase one's counts for the map: fixes and visits per (day, cell).
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// fixes per (day, cell row, cell column)
    pub fixes: HashMap<CellDay, u32>,
    /// vessel visits per (day, cell row, cell column) ([`count_visit`])
    pub visits: HashMap<CellDay, u32>,
}

impl Counts {
    /// Adds one vessel's run of `n` consecutive fixes in one cell on one
    /// day: one visit ([`count_visit`]'s rule) and `n` fixes.
    pub fn add_run(&mut self, k: CellDay, n: u32) {
        *self.visits.entry(k).or_default() += 1;
        *self.fixes.entry(k).or_default() += n;
    }

    /// Adds another set of vessels' counts.
    pub fn absorb(&mut self, o: Counts) {
        for (k, v) in o.fixes {
            *self.fixes.entry(k).or_default() += v;
        }
        for (k, v) in o.visits {
            *self.visits.entry(k).or_default() += v;
        }
    }

    /// UTC days (since 1970-01-01) with fixes, in order.
    pub fn days(&self) -> Vec<i64> {
        let mut days: Vec<i64> = self.fixes.keys().map(|k| k.0).collect();
        days.sort_unstable();
        days.dedup();
        days
    }

    /// The counts as records, one per (day, cell), in key order.
    pub fn records(&self) -> Vec<Record> {
        let mut keys: Vec<CellDay> = self
            .fixes
            .keys()
            .chain(self.visits.keys())
            .copied()
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter()
            .map(|k| Record::Counts {
                day: k.0,
                cy: k.1,
                cx: k.2,
                fixes: self.fixes.get(&k).copied().unwrap_or(0),
                visits: self.visits.get(&k).copied().unwrap_or(0),
            })
            .collect()
    }
}

/// One question to the map: how usual a silence of `hours` that began
/// (`start`) or ended at (lat, lon, t) is for vessels other than the
/// silent ship (`mmsi`, and `also` when it reappeared under another MMSI),
/// and how many fixes were heard around there that day.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Query {
    /// Where, degrees.
    pub lat: f64,
    /// Where, degrees.
    pub lon: f64,
    /// When it began (or ended), ms.
    pub t: i64,
    /// The silence's length, hours.
    pub hours: f64,
    /// The silent vessel (the asker).
    pub mmsi: u32,
    /// The MMSI it reappeared under, if another.
    pub also: Option<u32>,
    /// Where it began (true) or ended.
    pub start: bool,
}

/// A [`Query`] as a hash key (floats by their bits).
type QueryKey = (u64, u64, i64, u64, u32, Option<u32>, bool);

impl Query {
    /// The silent ship's MMSIs.
    pub fn own(&self) -> Vec<u32> {
        std::iter::once(self.mmsi).chain(self.also).collect()
    }

    fn key(&self) -> QueryKey {
        (
            self.lat.to_bits(),
            self.lon.to_bits(),
            self.t,
            self.hours.to_bits(),
            self.mmsi,
            self.also,
            self.start,
        )
    }
}

/// The map's answer to a [`Query`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    /// How usual the silence is there and then.
    pub usual: Usualness,
    /// Fixes per hour heard in the 3 x 3 cells around, that UTC day.
    pub per_hour: f64,
}

/// Whatever answers phase two's questions: the whole map, or the answers
/// a cluster computed for one set of vessels.
pub trait Lookup: Sync {
    /// The answer, or None when this lookup was not given it.
    fn answer(&self, q: &Query, p: &Params) -> Option<Answer>;
}

impl Lookup for Coverage {
    fn answer(&self, q: &Query, p: &Params) -> Option<Answer> {
        Some(Coverage::answer(self, q, p))
    }
}

/// Answers computed elsewhere ([`answer_block`]), by question.
#[derive(Debug, Default)]
pub struct Answers(HashMap<QueryKey, Answer>);

impl FromIterator<(Query, Answer)> for Answers {
    fn from_iter<I: IntoIterator<Item = (Query, Answer)>>(it: I) -> Self {
        Answers(it.into_iter().map(|(q, a)| (q.key(), a)).collect())
    }
}

impl Lookup for Answers {
    fn answer(&self, q: &Query, _: &Params) -> Option<Answer> {
        self.0.get(&q.key()).copied()
    }
}

/// An input of the map, or a question, as it travels to the blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Record {
    /// Fixes and visits in a cell on a day.
    Counts {
        /// day since 1970-01-01
        day: i64,
        /// cell row
        cy: i32,
        /// cell column
        cx: i32,
        /// fixes heard
        fixes: u32,
        /// visits ([`count_visit`])
        visits: u32,
    },
    /// Where a silence from `t0` to `t1` began (`start`) or ended (at).
    End {
        /// the silent vessel
        mmsi: u32,
        /// last fix before, ms
        t0: i64,
        /// first fix after, ms
        t1: i64,
        /// (lat, lon) of this end
        at: (f64, f64),
        /// the beginning (true) or the end
        start: bool,
    },
    /// A question.
    Ask(Query),
}

impl Record {
    /// Both ends of a silence.
    pub fn ends_of(g: &crate::vessel::Gap) -> [Record; 2] {
        let end = |at, start| Record::End {
            mmsi: g.mmsi,
            t0: g.t0,
            t1: g.t1,
            at,
            start,
        };
        [end(g.a, true), end(g.b, false)]
    }
}

/// A block of the map: (row, column, period) of `Blocks`.
pub type Block = (i32, i32, i64);

/// How the map is cut for a distributed lookup: squares of `cells` x
/// `cells` cells over `days` UTC days. The cut does not change an answer,
/// only how much each block task holds and how many records are sent to
/// two blocks or more (those within a cell or a window of a block's edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocks {
    /// Cells per side of a block.
    pub cells: i32,
    /// UTC days per block.
    pub days: i64,
}

impl Default for Blocks {
    /// 8 x 8 cells (4 degrees at the default 0.5-degree cell) over 60
    /// days: with the default 15-day window, a record goes to about 1.6
    /// blocks on average.
    fn default() -> Self {
        Blocks { cells: 8, days: 60 }
    }
}

impl Blocks {
    fn key(&self, cy: i32, cx: i32, day: i64) -> Block {
        let n = self.cells.max(1);
        (
            cy.div_euclid(n),
            cx.div_euclid(n),
            day.div_euclid(self.days.max(1)),
        )
    }

    /// Every block whose questions can read `r` (a question: its own
    /// block), in order.
    pub fn route(&self, r: &Record, p: &Params) -> Vec<Block> {
        const DAY: i64 = 86_400_000;
        let cell = p.gaps.density_cell_deg;
        let w = window_ms(p);
        // questions at times in [lo, hi] (ms) around cell (cy, cx) read it
        let (cy, cx, lo, hi) = match *r {
            Record::Ask(q) => {
                let (cy, cx) = cell_of(q.lat, q.lon, cell);
                return vec![self.key(cy, cx, q.t.div_euclid(DAY))];
            }
            // a question reads the visits of the days its window touches
            // and the fixes of its own day
            Record::Counts { day, cy, cx, .. } => (
                cy,
                cx,
                day.saturating_mul(DAY).saturating_sub(w),
                day.saturating_add(1)
                    .saturating_mul(DAY)
                    .saturating_sub(1)
                    .saturating_add(w),
            ),
            Record::End {
                t0, t1, at, start, ..
            } => {
                let (cy, cx) = cell_of(at.0, at.1, cell);
                let t = if start { t0 } else { t1 };
                (cy, cx, t.saturating_sub(w), t.saturating_add(w))
            }
        };
        let mut out = Vec::new();
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (a, b, p0) = self.key(cy + dy, cx + dx, lo.div_euclid(DAY));
                let (_, _, p1) = self.key(cy + dy, cx + dx, hi.div_euclid(DAY));
                for period in p0..=p1 {
                    out.push((a, b, period));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The answers to the questions among `records`, from the other records:
/// all of them sent to one block ([`Blocks::route`]).
pub fn answer_block(records: &[Record], p: &Params) -> Vec<(Query, Answer)> {
    let mut c = Coverage::new(p);
    let mut asks = Vec::new();
    for r in records {
        match *r {
            Record::Counts {
                day,
                cy,
                cx,
                fixes,
                visits,
            } => {
                if fixes > 0 {
                    c.add_fixes((day, cy, cx), fixes);
                }
                if visits > 0 {
                    c.add_visits((day, cy, cx), visits);
                }
            }
            Record::End {
                mmsi,
                t0,
                t1,
                at,
                start,
            } => c.add_end(mmsi, t0, t1, at, start),
            Record::Ask(q) => asks.push(q),
        }
    }
    asks.into_iter().map(|q| (q, c.answer(&q, p))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small generator (the test's own, reproducible).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn unit(&mut self) -> f64 {
            self.next() as f64 / (1u64 << 31) as f64
        }
    }

    #[test]
    fn a_map_cut_in_blocks_answers_as_the_whole_map() {
        let p = Params::default();
        let mut rng = Lcg(7);
        const DAY: i64 = 86_400_000;
        // a 3 x 3 degree sea over 120 days: records and questions near
        // every kind of block edge
        let place = |r: &mut Lcg| (40.0 + 3.0 * r.unit(), 130.0 + 3.0 * r.unit());
        let mut whole = Coverage::new(&p);
        let mut records = Vec::new();
        for _ in 0..3_000 {
            let (lat, lon) = place(&mut rng);
            let t = (rng.unit() * 120.0 * DAY as f64) as i64;
            let (cy, cx) = cell_of(lat, lon, p.gaps.density_cell_deg);
            let (fixes, visits) = (1 + rng.next() as u32 % 50, 1 + rng.next() as u32 % 5);
            let day = t.div_euclid(DAY);
            whole.add_fixes((day, cy, cx), fixes);
            whole.add_visits((day, cy, cx), visits);
            records.push(Record::Counts {
                day,
                cy,
                cx,
                fixes,
                visits,
            });
        }
        for k in 0..2_000 {
            let (a, b) = (place(&mut rng), place(&mut rng));
            let t0 = (rng.unit() * 120.0 * DAY as f64) as i64;
            let t1 = t0 + (rng.unit() * 5.0 * DAY as f64) as i64 + 1;
            let g = crate::vessel::Gap {
                mmsi: 1 + k % 300,
                t0,
                t1,
                a,
                b,
                draught_before: None,
                draught_after: None,
                top_speed_kn: 12.0,
                cruise_kn: 10.0,
                ambiguous: false,
                reappeared_as: None,
                cog_a: None,
                cog_b: None,
            };
            whole.add_silence(&g);
            records.extend(Record::ends_of(&g));
        }
        let mut asks = Vec::new();
        for k in 0..1_000 {
            let (lat, lon) = place(&mut rng);
            asks.push(Query {
                lat,
                lon,
                t: (rng.unit() * 120.0 * DAY as f64) as i64,
                hours: rng.unit() * 80.0,
                mmsi: 1 + k % 300,
                also: (k % 7 == 0).then_some(2 + k % 300),
                start: k % 2 == 0,
            });
        }
        records.extend(asks.iter().map(|q| Record::Ask(*q)));
        for blocks in [
            Blocks { cells: 1, days: 1 },
            Blocks { cells: 2, days: 5 },
            Blocks::default(),
        ] {
            let mut sent: HashMap<Block, Vec<Record>> = HashMap::new();
            let mut copies = 0;
            for r in &records {
                for b in blocks.route(r, &p) {
                    sent.entry(b).or_default().push(*r);
                    copies += 1;
                }
            }
            assert!(
                sent.len() > 4 && copies > records.len(),
                "{blocks:?}: the cut is not tried"
            );
            let got: Answers = sent.values().flat_map(|rs| answer_block(rs, &p)).collect();
            let mut informed = 0;
            for q in &asks {
                let a = Lookup::answer(&got, q, &p).expect("every question answered");
                assert_eq!(a, whole.answer(q, &p), "{blocks:?}: {q:?}");
                informed += (a.usual.silences_as_long > 0 && a.per_hour > 0.0) as usize;
            }
            assert!(
                informed > 100,
                "too few questions with data near them: {informed}"
            );
        }
    }
}
