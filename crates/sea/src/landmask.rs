//! The land mask: Natural Earth 1:10m land and minor islands on a global
//! 1-arc-minute grid (about 1.85 km north-south), built by
//! `make-sea-data` and embedded in the binary.

use std::io::Read;
use std::sync::OnceLock;

static DATA: &[u8] = include_bytes!("../data/land-1arcmin.rle.gz");

/// A global land/sea grid.
pub struct LandMask {
    cols: usize,
    rows: usize,
    bits: Vec<u64>,
}

impl LandMask {
    /// The embedded Natural Earth mask (decoded once, ~29 MB).
    pub fn global() -> &'static LandMask {
        static M: OnceLock<LandMask> = OnceLock::new();
        M.get_or_init(|| LandMask::decode(DATA).expect("embedded land mask is valid"))
    }

    fn decode(gz: &[u8]) -> Result<LandMask, String> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut raw)
            .map_err(|e| e.to_string())?;
        let magic = b"SHIPTRACE-LAND1\n";
        if !raw.starts_with(magic) {
            return Err("not a land mask".into());
        }
        let mut pos = magic.len();
        let u32_at = |pos: &mut usize| -> Result<u32, String> {
            let b = raw.get(*pos..*pos + 4).ok_or("truncated")?;
            *pos += 4;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let cols = u32_at(&mut pos)? as usize;
        let rows = u32_at(&mut pos)? as usize;
        let mut bits = vec![0u64; (cols * rows).div_ceil(64)];
        for r in 0..rows {
            let n = u32_at(&mut pos)? as usize;
            let mut c = 0usize;
            for k in 0..n {
                let b = raw.get(pos..pos + 2).ok_or("truncated")?;
                pos += 2;
                let len = u16::from_le_bytes([b[0], b[1]]) as usize;
                if k % 2 == 1 {
                    for i in r * cols + c..r * cols + (c + len).min(cols) {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
                c += len;
            }
        }
        Ok(LandMask { cols, rows, bits })
    }

    /// Grid cell of a position (row 0 at 90°N, column 0 at 180°W).
    #[inline]
    pub fn cell(&self, lat: f64, lon: f64) -> (usize, usize) {
        let r = (((90.0 - lat) * 60.0).floor().max(0.0) as usize).min(self.rows - 1);
        let lon = ((lon + 180.0).rem_euclid(360.0)) * 60.0;
        let c = (lon.floor() as usize).min(self.cols - 1);
        (r, c)
    }

    /// Centre of a cell.
    pub fn cell_center(&self, r: usize, c: usize) -> (f64, f64) {
        (
            90.0 - (r as f64 + 0.5) / 60.0,
            (c as f64 + 0.5) / 60.0 - 180.0,
        )
    }

    /// Whether a cell (row from the north, column from -180°) is land.
    #[inline]
    pub fn is_land_cell(&self, r: usize, c: usize) -> bool {
        let i = r * self.cols + c % self.cols;
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    /// Whether a position is on land at this mask's resolution.
    #[inline]
    pub fn is_land(&self, lat: f64, lon: f64) -> bool {
        let (r, c) = self.cell(lat, lon);
        self.is_land_cell(r, c)
    }

    /// Columns of the grid.
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Rows of the grid.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The nearest cell centre of the wanted kind (land or sea) and its
    /// distance in nm, searching square rings of cells out to `max_cells`.
    fn nearest_cell(
        &self,
        lat: f64,
        lon: f64,
        max_cells: usize,
        land: bool,
    ) -> Option<((f64, f64), f64)> {
        let (r0, c0) = self.cell(lat, lon);
        if self.is_land_cell(r0, c0) == land {
            let p = self.cell_center(r0, c0);
            return Some((p, crate::geo::distance_nm(lat, lon, p.0, p.1)));
        }
        let mut best: Option<((f64, f64), f64)> = None;
        for k in 1..=max_cells as i64 {
            for dr in -k..=k {
                for dc in -k..=k {
                    if dr.abs() != k && dc.abs() != k {
                        continue;
                    }
                    let r = r0 as i64 + dr;
                    if r < 0 || r >= self.rows as i64 {
                        continue;
                    }
                    let c = (c0 as i64 + dc).rem_euclid(self.cols as i64) as usize;
                    if self.is_land_cell(r as usize, c) == land {
                        let p = self.cell_center(r as usize, c);
                        let d = crate::geo::distance_nm(lat, lon, p.0, p.1);
                        if best.is_none_or(|b| d < b.1) {
                            best = Some((p, d));
                        }
                    }
                }
            }
            // every cell of a further ring is at least (k - 1) * 0.5 nm away
            // (a cell is at least half a nautical mile wide below 60°)
            if best.is_some_and(|b| b.1 < (k as f64 - 1.0) * 0.5) {
                break;
            }
        }
        best
    }

    /// Distance to the nearest land cell centre, nautical miles, searching
    /// out to `max_cells` cells (0 on land); `None` if there is none that
    /// close.
    pub fn nearest_land_nm(&self, lat: f64, lon: f64, max_cells: usize) -> Option<f64> {
        if self.is_land(lat, lon) {
            return Some(0.0);
        }
        self.nearest_cell(lat, lon, max_cells, true).map(|b| b.1)
    }

    /// The centre of the nearest sea cell to a position (its own cell if
    /// that is sea: a point on a cell edge could round into the land cell
    /// next to it once encoded), searching rings of cells out to
    /// `max_cells`; `None` if all are land.
    pub fn nearest_sea(&self, lat: f64, lon: f64, max_cells: usize) -> Option<(f64, f64)> {
        self.nearest_cell(lat, lon, max_cells, false).map(|b| b.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_land_from_sea_in_the_scenario_region() {
        let m = LandMask::global();
        for (lat, lon, land) in [
            (42.5, 127.5, true),  // North Korea inland
            (43.5, 133.5, true),  // Primorye inland
            (36.0, 138.0, true),  // Honshu
            (40.0, 134.0, false), // Sea of Japan
            (42.5, 131.5, false), // Peter the Great Gulf, off Posyet
            (35.0, 129.5, false), // Korea Strait
            (30.0, 124.0, false), // East China Sea
        ] {
            assert_eq!(m.is_land(lat, lon), land, "{lat},{lon}");
        }
    }

    #[test]
    fn finds_water_next_to_a_coastal_port() {
        let m = LandMask::global();
        let (lat, lon) = m
            .nearest_sea(42.2333, 130.3, 10)
            .expect("Najin has water nearby");
        assert!(!m.is_land(lat, lon));
        assert!(crate::geo::distance_nm(42.2333, 130.3, lat, lon) < 10.0);
    }
}
