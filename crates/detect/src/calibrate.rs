//! Confidence as a calibrated probability: the probability that an event
//! is real given its evidence. Two kinds of model, both logistic:
//! - for `dark_port_call` and `ais_gap`, a model over named evidence
//!   features (each event carries its features in `evidence.features`, and
//!   each feature's contribution in `evidence.contributions`, so a reader
//!   can see why);
//! - for every other kind, Platt scaling of the detector's own score
//!   (`evidence.score`): `p = sigmoid(a * logit(score) + b)`.
//!
//! Coefficients are parameters (`[detect.calibration]`); their defaults
//! were fitted with [`fit_logistic`] (`shiptrace calibrate`) on simulated
//! worlds whose seeds are named in [`crate::params::Calibration::fitted_on`]
//! and reported on others (BENCHMARKS.md).

use crate::event::EventKind;
use std::collections::BTreeMap;

/// A logistic model over named features.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Logistic {
    /// The intercept (log-odds with every feature 0).
    pub intercept: f64,
    /// Log-odds per unit of each named feature.
    pub weights: BTreeMap<String, f64>,
}

/// The logistic function, stable for large |z|.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(p / (1 - p))`, with p kept inside (1e-4, 1 - 1e-4).
pub fn logit(p: f64) -> f64 {
    let p = if p.is_finite() {
        p.clamp(1e-4, 1.0 - 1e-4)
    } else {
        0.5
    };
    (p / (1.0 - p)).ln()
}

impl Logistic {
    /// The probability, and each feature's contribution to the log-odds.
    /// Features missing from `x` count as 0; non-finite values as 0.
    pub fn predict(&self, x: &BTreeMap<String, f64>) -> (f64, BTreeMap<String, f64>) {
        let mut z = self.intercept;
        let mut parts = BTreeMap::new();
        for (k, w) in &self.weights {
            let v = x.get(k).copied().filter(|v| v.is_finite()).unwrap_or(0.0);
            z += w * v;
            parts.insert(k.clone(), w * v);
        }
        (sigmoid(z), parts)
    }
}

/// Platt scaling of a score in (0, 1): `[a, b]` -> `sigmoid(a * logit(s) + b)`.
pub fn platt(ab: [f64; 2], score: f64) -> f64 {
    sigmoid(ab[0] * logit(score) + ab[1])
}

/// Fits a logistic model by Newton's method with an L2 penalty `l2` on the
/// weights (not the intercept). Targets are Platt's smoothed ones
/// (`(N+ + 1) / (N+ + 2)` for true events, `1 / (N- + 2)` for false): a
/// kind seen true twice in training is not given probability 1, and fits
/// stay finite when the training events separate perfectly. `names` fixes
/// the features.
pub fn fit_logistic(names: &[String], rows: &[(BTreeMap<String, f64>, bool)], l2: f64) -> Logistic {
    let k = names.len() + 1;
    let xs: Vec<Vec<f64>> = rows
        .iter()
        .map(|(x, _)| {
            std::iter::once(1.0)
                .chain(
                    names
                        .iter()
                        .map(|n| x.get(n).copied().filter(|v| v.is_finite()).unwrap_or(0.0)),
                )
                .collect()
        })
        .collect();
    let pos = rows.iter().filter(|r| r.1).count() as f64;
    let neg = rows.len() as f64 - pos;
    let (hi, lo) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let ys: Vec<f64> = rows.iter().map(|r| if r.1 { hi } else { lo }).collect();
    let mut w = vec![0.0; k];
    for _ in 0..100 {
        let mut g = vec![0.0; k];
        let mut h = vec![vec![0.0; k]; k];
        for (x, y) in xs.iter().zip(&ys) {
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let s = (p * (1.0 - p)).max(1e-9);
            for i in 0..k {
                g[i] += (p - y) * x[i];
                for j in 0..k {
                    h[i][j] += s * x[i] * x[j];
                }
            }
        }
        for i in 1..k {
            g[i] += l2 * w[i];
            h[i][i] += l2;
        }
        h[0][0] += 1e-6;
        let Some(step) = solve(h, g) else { break };
        let mut big = 0.0f64;
        for i in 0..k {
            w[i] -= step[i];
            big = big.max(step[i].abs());
        }
        if big < 1e-8 {
            break;
        }
    }
    Logistic {
        intercept: w[0],
        weights: names.iter().cloned().zip(w[1..].iter().copied()).collect(),
    }
}

/// Fits Platt scaling `[a, b]` of scores to outcomes.
pub fn fit_platt(rows: &[(f64, bool)], l2: f64) -> [f64; 2] {
    let name = vec!["logit_score".to_string()];
    let r: Vec<(BTreeMap<String, f64>, bool)> = rows
        .iter()
        .map(|(s, y)| (BTreeMap::from([(name[0].clone(), logit(*s))]), *y))
        .collect();
    let m = fit_logistic(&name, &r, l2);
    [m.weights[&name[0]], m.intercept]
}

/// Gaussian elimination with partial pivoting; None when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let piv = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, piv);
        b.swap(c, piv);
        let (top, rest) = a.split_at_mut(c + 1);
        let pivot = &top[c];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[c] / pivot[c];
            for (x, y) in row[c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * y;
            }
            b[c + 1 + k] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_a_known_model() {
        // y ~ Bernoulli(sigmoid(-1 + 2x)) on a grid, with exact expected
        // counts: the fit must land near (-1, 2)
        let names = vec!["x".to_string()];
        let mut rows = Vec::new();
        for i in 0..41 {
            let x = -2.0 + i as f64 * 0.1;
            let p = sigmoid(-1.0 + 2.0 * x);
            let pos = (p * 100.0).round() as usize;
            for k in 0..100 {
                rows.push((BTreeMap::from([("x".to_string(), x)]), k < pos));
            }
        }
        let m = fit_logistic(&names, &rows, 1e-6);
        // (smoothed targets move the fit by about 1/N)
        assert!((m.intercept + 1.0).abs() < 0.05, "{m:?}");
        assert!((m.weights["x"] - 2.0).abs() < 0.05, "{m:?}");
    }

    #[test]
    fn separable_data_stays_finite() {
        let names = vec!["x".to_string()];
        let rows: Vec<_> = (0..20)
            .map(|i| (BTreeMap::from([("x".to_string(), i as f64)]), i >= 10))
            .collect();
        let m = fit_logistic(&names, &rows, 1.0);
        assert!(m.weights["x"].is_finite() && m.weights["x"] > 0.0);
        let (p, parts) = m.predict(&BTreeMap::from([("x".to_string(), 19.0)]));
        assert!(p > 0.9 && parts.contains_key("x"));
    }

    #[test]
    fn platt_identity_and_fit() {
        assert!((platt([1.0, 0.0], 0.3) - 0.3).abs() < 1e-9);
        // scores of 0.5 that are always right should move up
        let rows: Vec<(f64, bool)> = (0..50).map(|i| (0.5, i != 0)).collect();
        let ab = fit_platt(&rows, 1.0);
        assert!(platt(ab, 0.5) > 0.9, "{ab:?}");
        // two true examples: likely, not certain
        let ab = fit_platt(&[(0.8, true), (0.8, true)], 1.0);
        let p = platt(ab, 0.8);
        assert!(p > 0.6 && p < 0.8, "{p}");
    }

    #[test]
    fn the_penalty_is_chosen_on_held_out_worlds() {
        // a steep, real relation (weight 6 on x in [-1, 1]) seen in three
        // worlds: a strong penalty would flatten it, so cross-validation
        // must choose a weak one; pure noise must get a strong one
        let world = |steep: bool, seed: u64| {
            let mut rows = Vec::new();
            let mut r = seed;
            for i in 0..400 {
                r = r
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (r >> 11) as f64 / (1u64 << 53) as f64;
                let x = -1.0 + (i % 200) as f64 / 100.0;
                let p = if steep { sigmoid(6.0 * x) } else { 0.5 };
                rows.push((BTreeMap::from([("x".to_string(), x)]), u < p));
            }
            rows
        };
        let choose = |steep: bool| {
            let mut rows = Rows::default();
            for seed in 1..=3 {
                for (x, y) in world(steep, seed) {
                    rows.dark_port_call.push((x, y));
                    rows.world_of.dark_port_call.push(seed as usize - 1);
                }
            }
            rows.worlds = 3;
            let names = vec!["x".to_string()];
            cross_validate(
                &rows.dark_port_call,
                &rows.world_of.dark_port_call,
                3,
                |tr, te, l2| {
                    let m = fit_logistic(&names, tr, l2);
                    log_loss(te.iter().map(|(x, y)| (m.predict(x).0, *y)))
                },
            )
        };
        assert!(choose(true) <= 1.0, "{}", choose(true));
        assert!(choose(false) >= 3.0, "{}", choose(false));
        assert_eq!(
            Rows::default().choose_l2(),
            L2::all(1.0),
            "one world: no cross-validation"
        );
    }
}

/// Features of the dark-port-call model (see `crate::dark_call_features`).
pub const DARK_CALL_FEATURES: &[&str] = &[
    "cov_start",
    "cov_end",
    "toward_port",
    "from_port",
    "near_start",
    "near_end",
    "unexplained",
    "draught_changed",
    "repeats",
    "dark_in_port",
    "back_in_port",
    "log_hours",
];

/// Features of the AIS-gap model.
pub const GAP_FEATURES: &[&str] = &[
    "cov_start",
    "cov_end",
    "log_hours",
    "in_port_start",
    "in_port_end",
    "open",
    "dark_call",
];

fn model(intercept: f64, w: &[(&str, f64)]) -> Logistic {
    Logistic {
        intercept,
        weights: w.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    }
}

/// The default coefficients (see [`crate::params::Calibration`]): fitted
/// by `scripts/calibrate.sh` (two rounds of `shiptrace calibrate`, each
/// family's L2 penalty chosen by leave-one-world-out cross-validation but
/// the dark-port-call model's, kept at 1 for `watch`: see the script; its
/// probabilities then stretched by `dark_port_call_scale`, fitted on the
/// model's leave-one-world-out predictions)
/// on the worlds named in `fitted_on`; BENCHMARKS.md reports them on
/// other seeds of both families.
pub fn defaults() -> crate::params::Calibration {
    crate::params::Calibration {
        fitted_on: "rason-shuttle:1 rason-shuttle:2 rason-shuttle:9 rason-shuttle:10 rason-evasive:1 rason-evasive:2 rason-evasive:3 rason-evasive:10 rason-evasive:11 rason-evasive:12 rason-evasive:13 rason-evasive:14 rason-evasive:15 rason-evasive:16 rason-evasive:17 (scripts/calibrate.sh; L2 by leave-one-world-out: ais_gap 0.01, platt 0.3; dark_port_call 1, given)".into(),
        dark_port_call_scale: [1.3506, -0.0398],
        dark_port_call: model(
            -7.6541,
            &[
                ("back_in_port", 2.0232),
                ("cov_end", -0.1414),
                ("cov_start", -0.3481),
                ("dark_in_port", 2.3254),
                ("draught_changed", 2.1400),
                ("from_port", 2.7191),
                ("log_hours", 1.0104),
                ("near_end", -1.7179),
                ("near_start", -1.4937),
                ("repeats", -0.8298),
                ("toward_port", 2.7013),
                ("unexplained", 1.0771),
            ],
        ),
        ais_gap: model(
            -11.7514,
            &[
                ("cov_end", 0.3837),
                ("cov_start", -0.3976),
                ("dark_call", 15.0230),
                ("in_port_end", 2.2584),
                ("in_port_start", 0.6624),
                ("log_hours", 0.3352),
                ("open", 5.1792),
            ],
        ),
        platt: [
                (EventKind::DraughtChange.to_string(), [0.0000, 5.9905]),
                (EventKind::Encounter.to_string(), [1.0069, 1.0524]),
                ("encounter_one_sided".to_string(), [0.0000, -2.9444]),
                (EventKind::IdentityChange.to_string(), [0.0000, 1.6094]),
                (EventKind::Loitering.to_string(), [-2.4637, 9.8327]),
                (EventKind::PortVisit.to_string(), [0.0387, 5.7228]),
                (EventKind::PositionJump.to_string(), [0.0000, 2.6391]),
                (EventKind::SharedMmsi.to_string(), [0.0000, 2.7726]),
                (EventKind::Voyage.to_string(), [0.7663, 0.2403]),
        ]
        .into_iter()
        .collect(),
    }
}

/// Training rows gathered from worlds with known truth.
#[derive(Debug, Default)]
pub struct Rows {
    /// Dark-call candidates: features and whether each was true.
    pub dark_port_call: Vec<(BTreeMap<String, f64>, bool)>,
    /// Gaps: features and whether each was true.
    pub ais_gap: Vec<(BTreeMap<String, f64>, bool)>,
    /// Per calibration key (the kind, or e.g. `encounter_one_sided`).
    pub scores: BTreeMap<String, Vec<(f64, bool)>>,
    /// The world each row came from (in the order of the rows above), for
    /// cross-validation.
    world_of: WorldOf,
    worlds: usize,
}

#[derive(Debug, Default)]
struct WorldOf {
    dark_port_call: Vec<usize>,
    ais_gap: Vec<usize>,
    scores: BTreeMap<String, Vec<usize>>,
}

/// The L2 penalties chosen by [`Rows::choose_l2`], per model family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L2 {
    /// For the dark-call model.
    pub dark_port_call: f64,
    /// For the gap model.
    pub ais_gap: f64,
    /// For the Platt scalings of the other kinds.
    pub platt: f64,
}

impl L2 {
    /// The same penalty for every family.
    pub fn all(l2: f64) -> L2 {
        L2 {
            dark_port_call: l2,
            ais_gap: l2,
            platt: l2,
        }
    }
}

/// Penalties tried by [`Rows::choose_l2`].
pub const L2_GRID: [f64; 7] = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];

/// Log loss of probabilities against outcomes (probabilities kept off 0
/// and 1 by 1e-6).
fn log_loss(p: impl Iterator<Item = (f64, bool)>) -> f64 {
    p.map(|(p, y)| {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        -if y { p.ln() } else { (1.0 - p).ln() }
    })
    .sum()
}

/// Leave-one-world-out log loss of a model fitted by `fit` on the other
/// worlds' rows, for each penalty of the grid; returns the best penalty.
/// The leave-one-world-out folds: (the other worlds' rows, this world's
/// rows) for every world with rows on both sides.
fn folds<R: Clone>(rows: &[R], world: &[usize], worlds: usize) -> Vec<(Vec<R>, Vec<R>)> {
    (0..worlds)
        .map(|w| {
            let (mut train, mut test) = (Vec::new(), Vec::new());
            for (r, &k) in rows.iter().zip(world) {
                if k == w {
                    test.push(r.clone())
                } else {
                    train.push(r.clone())
                }
            }
            (train, test)
        })
        .filter(|(train, test)| !train.is_empty() && !test.is_empty())
        .collect()
}

fn cross_validate<R: Clone>(
    rows: &[R],
    world: &[usize],
    worlds: usize,
    fit_and_score: impl Fn(&[R], &[R], f64) -> f64,
) -> f64 {
    let folds = folds(rows, world, worlds);
    let mut best = (f64::INFINITY, 1.0);
    for &l2 in &L2_GRID {
        let loss: f64 = folds
            .iter()
            .map(|(train, test)| fit_and_score(train, test, l2))
            .sum();
        if loss < best.0 - 1e-9 {
            best = (loss, l2);
        }
    }
    best.1
}

fn features_of(e: &crate::Event) -> BTreeMap<String, f64> {
    match &e.evidence.detail {
        model::Detail::DarkPortCall(d) => d.features.clone(),
        model::Detail::AisGap(g) => g.features().clone(),
        _ => BTreeMap::new(),
    }
}

impl Rows {
    /// Adds one world: its truth and the detections, labelled true when
    /// paired one to one with a truth event ([`crate::eval::label`]).
    pub fn add(
        &mut self,
        truth: &[crate::Event],
        detected: &[crate::Event],
        m: &crate::eval::Matching,
    ) {
        let labels = crate::eval::label(truth, detected, m);
        let world = self.worlds;
        self.worlds += 1;
        for (e, l) in detected.iter().zip(labels) {
            let y = l.is_some();
            match e.kind() {
                EventKind::DarkPortCall => {
                    self.dark_port_call.push((features_of(e), y));
                    self.world_of.dark_port_call.push(world);
                }
                EventKind::AisGap => {
                    self.ais_gap.push((features_of(e), y));
                    self.world_of.ais_gap.push(world);
                }
                _ => {
                    let score = e.evidence.score.unwrap_or(e.confidence);
                    let key = e
                        .evidence
                        .calibration
                        .clone()
                        .unwrap_or_else(|| e.kind().to_string());
                    self.scores.entry(key.clone()).or_default().push((score, y));
                    self.world_of.scores.entry(key).or_default().push(world);
                }
            }
        }
    }

    /// Worlds added.
    pub fn worlds(&self) -> usize {
        self.worlds
    }

    /// Chooses the L2 penalty of each model family from [`L2_GRID`] by
    /// leave-one-world-out cross-validation (the log loss of each world's
    /// rows under a model fitted on the other worlds): the penalty is
    /// chosen on the training worlds alone. With fewer than two worlds,
    /// 1.0 throughout.
    pub fn choose_l2(&self) -> L2 {
        if self.worlds < 2 {
            return L2::all(1.0);
        }
        let names = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let logistic = |features: Vec<String>| {
            move |train: &[(BTreeMap<String, f64>, bool)],
                  test: &[(BTreeMap<String, f64>, bool)],
                  l2: f64| {
                let m = fit_logistic(&features, train, l2);
                log_loss(test.iter().map(|(x, y)| (m.predict(x).0, *y)))
            }
        };
        let platt_rows: Vec<(String, (f64, bool))> = self
            .scores
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |r| (k.clone(), *r)))
            .collect();
        let platt_world: Vec<usize> = self.world_of.scores.values().flatten().copied().collect();
        L2 {
            dark_port_call: cross_validate(
                &self.dark_port_call,
                &self.world_of.dark_port_call,
                self.worlds,
                logistic(names(DARK_CALL_FEATURES)),
            ),
            ais_gap: cross_validate(
                &self.ais_gap,
                &self.world_of.ais_gap,
                self.worlds,
                logistic(names(GAP_FEATURES)),
            ),
            platt: cross_validate(&platt_rows, &platt_world, self.worlds, |train, test, l2| {
                // one penalty for every key; each key its own scaling
                let mut by: BTreeMap<&str, Vec<(f64, bool)>> = BTreeMap::new();
                for (k, r) in train {
                    by.entry(k).or_default().push(*r);
                }
                let fits: BTreeMap<&str, [f64; 2]> =
                    by.iter().map(|(k, v)| (*k, fit_platt(v, l2))).collect();
                log_loss(test.iter().map(|(k, (sc, y))| {
                    (fits.get(k.as_str()).map_or(0.5, |ab| platt(*ab, *sc)), *y)
                }))
            }),
        }
    }

    /// Platt scaling of the dark-call model's probability, fitted on its
    /// leave-one-world-out predictions (each world's rows predicted by a
    /// model fitted on the others, with penalty `l2`): a penalty shrinks
    /// the weights and so the confidences toward the base rate; this
    /// stretches them back as far as held-out worlds support. `[1, 0]`
    /// with fewer than two worlds.
    pub fn dark_call_scale(&self, l2: f64) -> [f64; 2] {
        if self.worlds < 2 {
            return [1.0, 0.0];
        }
        let names: Vec<String> = DARK_CALL_FEATURES.iter().map(|s| s.to_string()).collect();
        let mut held = Vec::new();
        for (train, test) in folds(
            &self.dark_port_call,
            &self.world_of.dark_port_call,
            self.worlds,
        ) {
            let m = fit_logistic(&names, &train, l2);
            held.extend(test.iter().map(|(x, y)| (m.predict(x).0, *y)));
        }
        if held.is_empty() {
            return [1.0, 0.0];
        }
        // a light penalty: two numbers fitted on hundreds of rows
        fit_platt(&held, 0.01)
    }

    /// Fits every model with the given penalties on the weights.
    pub fn fit(&self, l2: L2, fitted_on: &str) -> crate::params::Calibration {
        let names = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        crate::params::Calibration {
            fitted_on: fitted_on.to_string(),
            dark_port_call_scale: self.dark_call_scale(l2.dark_port_call),
            dark_port_call: fit_logistic(
                &names(DARK_CALL_FEATURES),
                &self.dark_port_call,
                l2.dark_port_call,
            ),
            ais_gap: fit_logistic(&names(GAP_FEATURES), &self.ais_gap, l2.ais_gap),
            platt: self
                .scores
                .iter()
                .map(|(k, rows)| (k.clone(), fit_platt(rows, l2.platt)))
                .collect(),
        }
    }
}
