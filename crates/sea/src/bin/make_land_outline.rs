//! Derives `crates/sea/data/land-outline.bin.gz` (map outlines) from Natural
//! Earth (public domain):
//!
//! ```sh
//! cargo run --release -p shiptrace-sea --features make-data --bin make-land-outline -- \
//!     ne_10m_land.geojson.gz ne_10m_minor_islands.geojson.gz crates/sea/data
//! ```
//!
//! Every ring of both layers, simplified with Ramer-Douglas-Peucker at
//! 0.002° (about 200 m, under a pixel at the scale of a regional map);
//! rings that collapse below 4 points are kept unsimplified so no island
//! disappears.

use geo::Simplify;
use std::io::{Read, Write};

const EPSILON_DEG: f64 = 0.002;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: make-land-outline LAND.geojson.gz ISLANDS.geojson.gz OUTDIR");
        std::process::exit(2);
    }
    let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
    let (mut before, mut after) = (0usize, 0usize);
    for f in &args[1..3] {
        let mut raw = Vec::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(f).expect(f))
            .read_to_end(&mut raw)
            .expect(f);
        let fc: geojson::FeatureCollection =
            serde_json::from_slice(&raw).expect("a GeoJSON FeatureCollection");
        for feat in fc.features {
            let Some(g) = feat.geometry else { continue };
            let polys: Vec<geojson::PolygonType> = match g.value {
                geojson::GeometryValue::Polygon { coordinates: p } => vec![p],
                geojson::GeometryValue::MultiPolygon { coordinates: m } => m,
                _ => continue,
            };
            for ring in polys.into_iter().flatten() {
                let ls: geo::LineString<f64> = ring
                    .iter()
                    .map(|c| geo::coord! { x: c[0], y: c[1] })
                    .collect();
                before += ls.0.len();
                let s = ls.simplify(EPSILON_DEG);
                let kept = if s.0.len() >= 4 { s } else { ls };
                // Drop the closing point: rings are implicitly closed.
                let mut pts: Vec<(f64, f64)> = kept.0.iter().map(|c| (c.x, c.y)).collect();
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                after += pts.len();
                rings.push(pts);
            }
        }
    }
    let out = std::path::Path::new(&args[3]).join("land-outline.bin.gz");
    let mut w = flate2::write::GzEncoder::new(
        std::fs::File::create(&out).expect("output"),
        flate2::Compression::best(),
    );
    w.write_all(&sea::outline::encode(&rings)).expect("write");
    w.finish().expect("write");
    eprintln!(
        "{} rings, {before} -> {after} points, wrote {}",
        rings.len(),
        out.display()
    );
}
