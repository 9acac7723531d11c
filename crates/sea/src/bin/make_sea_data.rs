//! Derives the data files in `crates/sea/data` from public-domain sources:
//!
//! ```sh
//! cargo run -p shiptrace-sea --features make-data --bin make-sea-data -- \
//!     ne_10m_land.geojson.gz ne_10m_minor_islands.geojson.gz UpdatedPub150.csv.gz crates/sea/data
//! ```
//!
//! - `land-1arcmin.rle.gz`: Natural Earth 1:10m land and minor islands,
//!   rasterised to a global 1-arc-minute grid (a cell is land when its centre
//!   is inside a polygon, even-odd rule); water not connected to the open
//!   ocean (4-connected) is marked as land; each row run-length encoded.
//! - `ports.csv`: the World Port Index (NGA Pub. 150) reduced to name,
//!   UN/LOCODE (spaces removed), country, latitude, longitude, harbour size.

use std::io::{Read, Write};

const COLS: usize = 21_600;
const ROWS: usize = 10_800;

fn read_gz(path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).expect(path))
        .read_to_end(&mut out)
        .expect(path);
    out
}

fn rings(v: &serde_json::Value, out: &mut Vec<Vec<(f64, f64)>>) {
    let geom = &v["geometry"];
    let polys: Vec<&serde_json::Value> = match geom["type"].as_str() {
        Some("Polygon") => vec![&geom["coordinates"]],
        Some("MultiPolygon") => geom["coordinates"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => vec![],
    };
    for p in polys {
        for ring in p.as_array().into_iter().flatten() {
            let pts: Vec<(f64, f64)> = ring
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| Some((c[0].as_f64()?, c[1].as_f64()?)))
                .collect();
            if pts.len() >= 3 {
                out.push(pts);
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (land, islands, wpi, outdir) = (&args[1], &args[2], &args[3], &args[4]);
    let mut all = Vec::new();
    for f in [land, islands] {
        let v: serde_json::Value = serde_json::from_slice(&read_gz(f)).expect("geojson");
        for feat in v["features"].as_array().expect("features") {
            rings(feat, &mut all);
        }
    }
    eprintln!("{} rings", all.len());
    // Edge table by row: x-crossings of each row's centre latitude.
    let mut crossings: Vec<Vec<f32>> = vec![Vec::new(); ROWS];
    for ring in &all {
        for i in 0..ring.len() {
            let (x0, y0) = ring[i];
            let (x1, y1) = ring[(i + 1) % ring.len()];
            if y0 == y1 {
                continue;
            }
            let (ya, yb) = if y0 < y1 { (y0, y1) } else { (y1, y0) };
            // rows whose centre lat in [ya, yb)
            let r0 = ((90.0 - yb) * 60.0 - 0.5).ceil().max(0.0) as usize;
            let r1 = (((90.0 - ya) * 60.0 - 0.5).floor() as i64).min(ROWS as i64 - 1);
            if r1 < 0 {
                continue;
            }
            for r in r0..=r1 as usize {
                let lat = 90.0 - (r as f64 + 0.5) / 60.0;
                if lat < ya || lat >= yb {
                    continue;
                }
                let x = x0 + (lat - y0) / (y1 - y0) * (x1 - x0);
                crossings[r].push(x as f32);
            }
        }
    }
    // Rasterise every row first.
    let mut land = vec![false; COLS * ROWS];
    for (r, xs) in crossings.iter_mut().enumerate() {
        xs.sort_by(|a, b| a.total_cmp(b));
        for pair in xs.chunks_exact(2) {
            let c0 = (((pair[0] as f64 + 180.0) * 60.0) - 0.5).ceil().max(0.0) as usize;
            let c1 =
                ((((pair[1] as f64 + 180.0) * 60.0) - 0.5).floor() as i64).min(COLS as i64 - 1);
            if c1 >= c0 as i64 {
                land[r * COLS + c0..=r * COLS + c1 as usize].fill(true);
            }
        }
    }
    // Water not connected to the open ocean (lakes, enclosed basins and
    // harbours narrower than a cell) counts as land: a ship cannot reach it
    // at this resolution. 4-connected flood fill from the central Pacific.
    let mut ocean = vec![false; COLS * ROWS];
    let seed = (90 * 60) * COLS + (30 * 60); // 0°N, 150°W
    let mut stack = vec![seed as u32];
    ocean[seed] = true;
    while let Some(i) = stack.pop() {
        let i = i as usize;
        let (r, c) = (i / COLS, i % COLS);
        let mut push = |j: usize| {
            if !land[j] && !ocean[j] {
                ocean[j] = true;
                stack.push(j as u32);
            }
        };
        if r > 0 {
            push(i - COLS);
        }
        if r + 1 < ROWS {
            push(i + COLS);
        }
        push(r * COLS + (c + COLS - 1) % COLS);
        push(r * COLS + (c + 1) % COLS);
    }
    let mut enclosed = 0u64;
    for i in 0..COLS * ROWS {
        if !land[i] && !ocean[i] {
            land[i] = true;
            enclosed += 1;
        }
    }
    eprintln!("{enclosed} enclosed water cells marked as land");
    let mut out = Vec::new();
    out.extend_from_slice(b"SHIPTRACE-LAND1\n");
    out.extend_from_slice(&(COLS as u32).to_le_bytes());
    out.extend_from_slice(&(ROWS as u32).to_le_bytes());
    let mut land_cells = 0u64;
    for r in 0..ROWS {
        let row = &land[r * COLS..(r + 1) * COLS];
        // runs, alternating sea/land, starting with sea; u16 varint-free
        let mut runs: Vec<u16> = Vec::new();
        let mut cur = false;
        let mut len = 0u32;
        for &cell in row {
            if cell {
                land_cells += 1;
            }
            if cell != cur {
                runs.push(len as u16);
                cur = cell;
                len = 0;
            }
            len += 1;
        }
        runs.push(len as u16);
        out.extend_from_slice(&(runs.len() as u32).to_le_bytes());
        for r in runs {
            out.extend_from_slice(&r.to_le_bytes());
        }
    }
    eprintln!("land cells {land_cells} of {}", COLS * ROWS);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(format!("{outdir}/land-1arcmin.rle.gz")).unwrap(),
        flate2::Compression::best(),
    );
    gz.write_all(&out).unwrap();
    gz.finish().unwrap();

    // Ports
    let text = read_gz(wpi);
    let mut rdr = csv::Reader::from_reader(&text[..]);
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let (cn, cl, cc, clat, clon, cs) = (
        col("Main Port Name"),
        col("UN/LOCODE"),
        col("Country Code"),
        col("Latitude"),
        col("Longitude"),
        col("Harbor Size"),
    );
    let mut w = csv::Writer::from_path(format!("{outdir}/ports.csv")).unwrap();
    w.write_record(["name", "locode", "country", "lat", "lon", "size"])
        .unwrap();
    let mut n = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let locode: String = r[cl].chars().filter(|c| !c.is_whitespace()).collect();
        w.write_record([
            r[cn].trim(),
            &locode,
            r[cc].trim(),
            r[clat].trim(),
            r[clon].trim(),
            r[cs].trim(),
        ])
        .unwrap();
        n += 1;
    }
    w.flush().unwrap();
    eprintln!("{n} ports");
}
