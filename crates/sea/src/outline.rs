//! Land outlines for maps: Natural Earth 1:10m land and minor islands as
//! rings, simplified (Ramer-Douglas-Peucker, 0.002° ≈ 200 m) by
//! `make-land-outline` and embedded in the binary, so a map can be drawn
//! offline. The land *mask* ([`crate::LandMask`]) answers "is this sea?";
//! this answers "what does the coast look like?".
//!
//! Encoding (gzip): `SHIPTRACE-OUTLINE1\n`, u32 ring count, then per ring
//! a u32 point count and the points as zig-zag LEB128 deltas of
//! (lon, lat) in 1e-4 degrees. A small format of our own because the
//! alternative, GeoJSON text, is ten times larger and slower to read.

use std::io::Read;
use std::sync::OnceLock;

static DATA: &[u8] = include_bytes!("../data/land-outline.bin.gz");
const MAGIC: &[u8] = b"SHIPTRACE-OUTLINE1\n";
const SCALE: f64 = 1e4;

/// One closed ring of a land polygon (the last point joins the first).
#[derive(Debug, Clone)]
pub struct Ring {
    /// (lon, lat) in degrees.
    pub points: Vec<(f64, f64)>,
    /// (min lon, min lat, max lon, max lat).
    pub bbox: (f64, f64, f64, f64),
}

/// Every land ring of the embedded outline (decoded once).
pub fn land() -> &'static [Ring] {
    static R: OnceLock<Vec<Ring>> = OnceLock::new();
    R.get_or_init(|| decode(DATA).expect("embedded land outline is valid"))
}

/// Rings whose bounding box meets (min lon, min lat, max lon, max lat).
pub fn land_in(bbox: (f64, f64, f64, f64)) -> impl Iterator<Item = &'static Ring> {
    land().iter().filter(move |r| {
        r.bbox.0 <= bbox.2 && r.bbox.2 >= bbox.0 && r.bbox.1 <= bbox.3 && r.bbox.3 >= bbox.1
    })
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Encodes rings of (lon, lat) degrees (before gzip).
pub fn encode(rings: &[Vec<(f64, f64)>]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend((rings.len() as u32).to_le_bytes());
    for r in rings {
        out.extend((r.len() as u32).to_le_bytes());
        let (mut px, mut py) = (0i64, 0i64);
        for &(x, y) in r {
            let (qx, qy) = ((x * SCALE).round() as i64, (y * SCALE).round() as i64);
            put_varint(&mut out, zigzag(qx - px));
            put_varint(&mut out, zigzag(qy - py));
            (px, py) = (qx, qy);
        }
    }
    out
}

/// Decodes a gzipped outline.
pub fn decode(gz: &[u8]) -> Result<Vec<Ring>, String> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let body = raw.strip_prefix(MAGIC).ok_or("not a land outline")?;
    let mut pos = 0usize;
    let u32_at = |pos: &mut usize| -> Result<u32, String> {
        let b = body.get(*pos..*pos + 4).ok_or("truncated")?;
        *pos += 4;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let varint = |pos: &mut usize| -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *body.get(*pos).ok_or("truncated")?;
            *pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    };
    let n = u32_at(&mut pos)? as usize;
    let mut rings = Vec::with_capacity(n);
    for _ in 0..n {
        let k = u32_at(&mut pos)? as usize;
        let mut points = Vec::with_capacity(k.min(1 << 20));
        let (mut x, mut y) = (0i64, 0i64);
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for _ in 0..k {
            x += unzigzag(varint(&mut pos)?);
            y += unzigzag(varint(&mut pos)?);
            let p = (x as f64 / SCALE, y as f64 / SCALE);
            bbox = (
                bbox.0.min(p.0),
                bbox.1.min(p.1),
                bbox.2.max(p.0),
                bbox.3.max(p.1),
            );
            points.push(p);
        }
        rings.push(Ring { points, bbox });
    }
    Ok(rings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_embedded() {
        let rings = vec![vec![(129.5, 42.25), (130.0, 42.0), (-179.9999, -89.5)]];
        let mut gz = Vec::new();
        {
            use std::io::Write;
            let mut w = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
            w.write_all(&super::encode(&rings)).unwrap();
            w.finish().unwrap();
        }
        let back = super::decode(&gz).unwrap();
        assert_eq!(back[0].points, rings[0]);
        assert_eq!(back[0].bbox, (-179.9999, -89.5, 130.0, 42.25));
        assert!(super::decode(&gz[..gz.len() / 2]).is_err());
        // The embedded outline has the Korean peninsula and Honshu near
        // Rajin and Niigata.
        let near = super::land_in((129.0, 41.0, 131.0, 43.0)).count();
        assert!(near > 0, "no land near Rajin");
        assert!(super::land().len() > 1000);
    }
}
