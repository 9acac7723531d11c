//! Routes over the sea: A* on the land mask's 1-arc-minute grid, then
//! shortened by line of sight, so a route never crosses a land cell.

use crate::geo::distance_nm;
use crate::LandMask;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A route search failure.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteError {
    /// The endpoint has no sea cell within reach.
    NoWater {
        /// Latitude of the endpoint.
        lat: f64,
        /// Longitude of the endpoint.
        lon: f64,
    },
    /// No sea path inside the search box.
    NoPath,
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteError::NoWater { lat, lon } => {
                write!(f, "no sea within reach of {lat:.4},{lon:.4}")
            }
            RouteError::NoPath => f.write_str("no sea route inside the search area"),
        }
    }
}

#[derive(PartialEq)]
struct Node(f64, u32);
impl Eq for Node {}
impl Ord for Node {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.partial_cmp(&self.0).unwrap_or(Ordering::Equal)
    }
}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Equirectangular distance in nm: within a few per cent of the great
/// circle over the short steps of the search, and much cheaper.
#[inline]
fn flat_nm(a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = ((a.0 + b.0) * 0.5).to_radians().cos();
    let dx = (b.1 - a.1) * k;
    let dy = b.0 - a.0;
    (dx * dx + dy * dy).sqrt() * 60.0
}

/// Whether every cell the straight segment between two positions passes
/// through is sea. The segment is straight in latitude/longitude (as the
/// simulator moves along it) and every cell it touches is visited (grid
/// traversal), so no land corner is skipped.
pub fn clear_line(mask: &LandMask, a: (f64, f64), b: (f64, f64)) -> bool {
    // grid coordinates: x = columns from 180°W, y = rows from 90°N
    let (x0, y0) = ((a.1 + 180.0) * 60.0, (90.0 - a.0) * 60.0);
    let (x1, y1) = ((b.1 + 180.0) * 60.0, (90.0 - b.0) * 60.0);
    let (mut cx, mut cy) = (x0.floor() as i64, y0.floor() as i64);
    let (ex, ey) = (x1.floor() as i64, y1.floor() as i64);
    let (dx, dy) = (x1 - x0, y1 - y0);
    let sx = if dx > 0.0 { 1 } else { -1 };
    let sy = if dy > 0.0 { 1 } else { -1 };
    let t_dx = if dx != 0.0 {
        (1.0 / dx).abs()
    } else {
        f64::INFINITY
    };
    let t_dy = if dy != 0.0 {
        (1.0 / dy).abs()
    } else {
        f64::INFINITY
    };
    let mut tx = if dx > 0.0 {
        (cx as f64 + 1.0 - x0) / dx
    } else if dx < 0.0 {
        (x0 - cx as f64) / -dx
    } else {
        f64::INFINITY
    };
    let mut ty = if dy > 0.0 {
        (cy as f64 + 1.0 - y0) / dy
    } else if dy < 0.0 {
        (y0 - cy as f64) / -dy
    } else {
        f64::INFINITY
    };
    let cols = mask.cols() as i64;
    let rows = mask.rows() as i64;
    let land = |cx: i64, cy: i64| {
        cy < 0 || cy >= rows || mask.is_land_cell(cy as usize, cx.rem_euclid(cols) as usize)
    };
    let mut steps = 0;
    loop {
        if land(cx, cy) {
            return false;
        }
        if (cx == ex && cy == ey) || steps > 1_000_000 {
            return true;
        }
        steps += 1;
        if (tx - ty).abs() < 1e-12 {
            // through a corner: both neighbours are touched
            if land(cx + sx, cy) || land(cx, cy + sy) {
                return false;
            }
            cx += sx;
            cy += sy;
            tx += t_dx;
            ty += t_dy;
        } else if tx < ty {
            cx += sx;
            tx += t_dx;
        } else {
            cy += sy;
            ty += t_dy;
        }
        if tx > 1.0 + 1e-9 && ty > 1.0 + 1e-9 && (cx != ex || cy != ey) {
            // numerical end: the end cell must be the last one
            return !land(ex, ey);
        }
    }
}

/// A sea route from `from` to `to` (lat, lon), as waypoints including both
/// ends (moved to the nearest sea cell if on land). The search is confined
/// to the endpoints' bounding box grown by `margin_deg`.
pub fn route(
    mask: &LandMask,
    from: (f64, f64),
    to: (f64, f64),
    margin_deg: f64,
) -> Result<Vec<(f64, f64)>, RouteError> {
    let a = mask
        .nearest_sea(from.0, from.1, 15)
        .ok_or(RouteError::NoWater {
            lat: from.0,
            lon: from.1,
        })?;
    let b = mask
        .nearest_sea(to.0, to.1, 15)
        .ok_or(RouteError::NoWater {
            lat: to.0,
            lon: to.1,
        })?;
    if clear_line(mask, a, b) {
        return Ok(vec![a, b]);
    }
    let lat0 = (a.0.min(b.0) - margin_deg).max(-85.0);
    let lat1 = (a.0.max(b.0) + margin_deg).min(85.0);
    let lon0 = a.1.min(b.1) - margin_deg;
    let lon1 = a.1.max(b.1) + margin_deg;
    let (r_top, c_left) = mask.cell(lat1, lon0);
    let (r_bot, c_right) = mask.cell(lat0, lon1);
    let h = r_bot - r_top + 1;
    let w = if c_right >= c_left {
        c_right - c_left + 1
    } else {
        c_right + mask.cols() - c_left + 1
    };
    let idx =
        |r: usize, c: usize| ((r - r_top) * w + (c + mask.cols() - c_left) % mask.cols()) as u32;
    let rc = |i: u32| {
        let i = i as usize;
        (r_top + i / w, (c_left + i % w) % mask.cols())
    };
    let (ra, ca) = mask.cell(a.0, a.1);
    let (rb, cb) = mask.cell(b.0, b.1);
    let (start, goal) = (idx(ra, ca), idx(rb, cb));
    let n = h * w;
    let mut g = vec![f64::INFINITY; n];
    // closed set: a cell is expanded once
    let mut done = vec![false; n];
    let mut prev = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    g[start as usize] = 0.0;
    heap.push(Node(0.0, start));
    // A cell next to land costs a little more: routes keep off the coast.
    // Cells next to land cost a little more, so routes keep off the coast:
    // one pass over the search box marks them.
    let mut coast = vec![false; n];
    for k in 0..n as u32 {
        let (r, c) = rc(k);
        if mask.is_land_cell(r, c) {
            for dr in -1i64..=1 {
                for dc in -1i64..=1 {
                    let rr = r as i64 + dr;
                    if rr < r_top as i64 || rr > r_bot as i64 {
                        continue;
                    }
                    let cc = (c as i64 + dc).rem_euclid(mask.cols() as i64) as usize;
                    if (cc + mask.cols() - c_left) % mask.cols() < w {
                        coast[idx(rr as usize, cc) as usize] = true;
                    }
                }
            }
        }
    }
    // Weighted A*: a heuristic weight above 1 trades a little optimality
    // (at most HEURISTIC_WEIGHT times the shortest route; in practice a few
    // per cent) for far fewer expanded cells.
    const HEURISTIC_WEIGHT: f64 = 1.3;
    while let Some(Node(_, i)) = heap.pop() {
        if i == goal {
            break;
        }
        if std::mem::replace(&mut done[i as usize], true) {
            continue;
        }
        let (r, c) = rc(i);
        let here = mask.cell_center(r, c);
        let gi = g[i as usize];
        for (dr, dc) in [
            (-1i64, 0i64),
            (1, 0),
            (0, -1),
            (0, 1),
            (-1, -1),
            (-1, 1),
            (1, -1),
            (1, 1),
        ] {
            let rr = r as i64 + dr;
            if rr < r_top as i64 || rr > r_bot as i64 {
                continue;
            }
            let cc = (c as i64 + dc).rem_euclid(mask.cols() as i64) as usize;
            let off = (cc + mask.cols() - c_left) % mask.cols();
            if off >= w {
                continue;
            }
            let rr = rr as usize;
            if mask.is_land_cell(rr, cc) {
                continue;
            }
            // No cutting a land corner on a diagonal step.
            if dr != 0 && dc != 0 && (mask.is_land_cell(r, cc) || mask.is_land_cell(rr, c)) {
                continue;
            }
            let j = idx(rr, cc);
            let there = mask.cell_center(rr, cc);
            let step = flat_nm(here, there) * if coast[j as usize] { 1.5 } else { 1.0 };
            let ng = gi + step;
            if ng < g[j as usize] {
                g[j as usize] = ng;
                prev[j as usize] = i;
                heap.push(Node(ng + HEURISTIC_WEIGHT * flat_nm(there, b), j));
            }
        }
    }
    if prev[goal as usize] == u32::MAX {
        return Err(RouteError::NoPath);
    }
    let mut cells = vec![goal];
    let mut cur = goal;
    while cur != start {
        cur = prev[cur as usize];
        cells.push(cur);
    }
    cells.reverse();
    let mut pts: Vec<(f64, f64)> = cells
        .iter()
        .map(|&i| {
            let (r, c) = rc(i);
            mask.cell_center(r, c)
        })
        .collect();
    pts[0] = a;
    let last = pts.len() - 1;
    pts[last] = b;
    // Shorten by line of sight.
    let mut out = vec![pts[0]];
    let mut k = 0;
    while k < last {
        let mut j = last;
        while j > k + 1 && !clear_line(mask, pts[k], pts[j]) {
            j -= 1;
        }
        out.push(pts[j]);
        k = j;
    }
    Ok(out)
}

/// Total length of a polyline, nautical miles.
pub fn length_nm(pts: &[(f64, f64)]) -> f64 {
    pts.windows(2)
        .map(|w| distance_nm(w[0].0, w[0].1, w[1].0, w[1].1))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn najin_to_vostochny_stays_at_sea() {
        let m = LandMask::global();
        let r = route(m, (42.2333, 130.3), (42.75, 133.0833), 2.0).unwrap();
        assert!(r.windows(2).all(|w| clear_line(m, w[0], w[1])));
        let len = length_nm(&r);
        assert!(len > 127.0 && len < 220.0, "{len} nm via {r:?}");
    }

    #[test]
    fn busan_to_niigata_goes_around_not_across_honshu() {
        let m = LandMask::global();
        let r = route(m, (35.1, 129.04), (37.95, 139.07), 3.0).unwrap();
        assert!(r.windows(2).all(|w| clear_line(m, w[0], w[1])));
        assert!(length_nm(&r) > distance_nm(35.1, 129.04, 37.95, 139.07));
    }
}
