//! Times one fusion of satellite detections with a store, stage by stage:
//! the benchmark behind BENCHMARKS.md "Satellite imagery: fusion at scale".
//!
//! ```sh
//! cargo run --release -p shiptrace-imagery --example fuse_store -- STORE DETECTIONS SCENES
//! ```
//!
//! Default `[imagery]` parameters; no shared MMSIs (no detection run).

use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, store_dir, detections, scenes] = &args[..] else {
        return Err("usage: fuse_store STORE DETECTIONS SCENES".into());
    };
    let p = imagery::ImageryParams::default();
    let t = Instant::now();
    let dets = imagery::read_detections(Path::new(detections))?;
    let scs = imagery::read_scenes(Path::new(scenes))?;
    let read_s = t.elapsed().as_secs_f64();
    let st = store::Store::open(Path::new(store_dir))?;
    let fixes: u64 = st.sources().iter().map(|s| s.positions).sum();
    let t = Instant::now();
    let lengths = imagery::fuse::lengths(&st)?;
    let lengths_s = t.elapsed().as_secs_f64();
    let (n_det, n_scenes, bad) = (
        dets.items.len(),
        scs.items.len(),
        dets.errors.len() + scs.errors.len(),
    );
    let t = Instant::now();
    let f = imagery::fuse(&st, dets.items, scs.items, &lengths, &p, None)?;
    let fuse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let dark = f.dark_vessel_events(&p, &detect::gazetteer::Gazetteer::builtin());
    let events_s = t.elapsed().as_secs_f64();
    println!(
        "{fixes} fixes, {n_scenes} scenes, {n_det} detections ({bad} rows refused): \
         {} matched, {} unmatched ({} dark_vessel events), {} vessels placed, {} not seen",
        f.matched.len(),
        f.detections.len() - f.matched.len(),
        dark.len(),
        f.placed,
        f.missed.len()
    );
    println!(
        "read files {read_s:.1} s, vessel lengths {lengths_s:.1} s, fusion {fuse_s:.1} s, \
         events {events_s:.1} s; total {:.1} s",
        read_s + lengths_s + fuse_s + events_s
    );
    Ok(())
}
