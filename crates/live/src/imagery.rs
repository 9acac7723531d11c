//! `watch --imagery-dir DIR`: satellite detection files dropped in a
//! folder, fused with what the monitor heard, dark vessels in watched
//! places alerted.
//!
//! A file is taken once its size has held still for one look (or it was
//! last modified a look's interval ago or more); its name is taken once.
//! Files whose name contains `scene` are footprints (CSV boxes or GeoJSON
//! polygons, kept for the detection files that follow: drop them first or
//! with their detections); the other `.csv`, `.geojson` and `.json` files
//! are detections. A detection file waits until the feed clock is
//! `imagery.window_hours` past its latest image, so that the fixes after
//! each image are heard; then the open raw segment is rolled into the
//! store and the file is fused with the store by the batch fusion
//! (`imagery::fuse`) on the thread that rolls segments, after that roll.
//! When the inputs end, every waiting file is fused with what there is.
//!
//! What is written: `imagery/<stem>.outcomes.csv` (every detection's outcome, as
//! `imagery.csv` of `analyze`), `imagery/done.jsonl` (one line per file
//! taken: counts, or why it was refused; a restart skips the files named
//! there).

use crate::Counters;
use imagery::{Detection, Scene};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// One detection file taken from the folder, read.
#[derive(Debug)]
pub struct Batch {
    /// The file.
    pub file: PathBuf,
    /// Its detections.
    pub detections: Vec<Detection>,
    /// The footprints known for its scenes.
    pub scenes: Vec<Scene>,
    /// Its latest image time, unix ms.
    pub latest_ms: i64,
    /// Rows refused (each reported with its file and line when read), or
    /// 1 for a file refused whole.
    pub refused: usize,
}

/// What the fusion of one file gave.
#[derive(Debug)]
pub struct Done {
    /// The file.
    pub file: PathBuf,
    /// Detections read.
    pub detections: usize,
    /// Rows refused.
    pub refused: usize,
    /// Pairs with an AIS vessel.
    pub matched: usize,
    /// `dark_vessel` events (every one, alerted or not).
    pub dark: Vec<detect::Event>,
    /// Where the outcomes were written.
    pub outcomes: Option<PathBuf>,
    /// Why the file could not be fused (the store unreadable).
    pub error: Option<String>,
}

/// The folder and what has been taken from it.
pub struct Folder {
    dir: PathBuf,
    /// Files taken (by name), from `done.jsonl` and this run.
    taken: HashSet<String>,
    /// Size and modification time of each file at the previous look.
    last: HashMap<String, (u64, SystemTime)>,
    /// Footprints by scene id.
    scenes: HashMap<String, Scene>,
    /// Scenes files read, with the size read.
    scene_files: HashMap<String, u64>,
    poll: Duration,
    c: Arc<Counters>,
}

/// Files kept of a folder: `done.jsonl` of the watch directory's
/// `imagery/`.
pub fn done_log(watch_dir: &Path) -> PathBuf {
    watch_dir.join("imagery").join("done.jsonl")
}

fn kind(name: &str) -> Option<bool> {
    let l = name.to_ascii_lowercase();
    if l.starts_with('.')
        || !(l.ends_with(".csv") || l.ends_with(".geojson") || l.ends_with(".json"))
    {
        return None;
    }
    Some(l.contains("scene"))
}

impl Folder {
    /// The folder `dir` (made if missing), skipping the files named in the
    /// watch directory's `imagery/done.jsonl`.
    pub fn open(
        dir: &Path,
        watch_dir: &Path,
        poll: Duration,
        c: Arc<Counters>,
    ) -> std::io::Result<Folder> {
        std::fs::create_dir_all(dir)?;
        std::fs::create_dir_all(watch_dir.join("imagery"))?;
        let mut taken = HashSet::new();
        if let Ok(text) = std::fs::read_to_string(done_log(watch_dir)) {
            for l in text.lines() {
                // a torn last line (a crash mid-write) is a file not done
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                    if let Some(f) = v["file"].as_str() {
                        taken.insert(f.to_string());
                    }
                }
            }
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            taken,
            last: HashMap::new(),
            scenes: HashMap::new(),
            scene_files: HashMap::new(),
            poll,
            c,
        })
    }

    /// One look at the folder: the scenes files read (again when they
    /// grew), the detection files that held still read into batches.
    /// Blocking.
    pub fn look(&mut self) -> Vec<Batch> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            tracing::warn!("imagery folder {} unreadable", self.dir.display());
            return Vec::new();
        };
        let now = SystemTime::now();
        let mut ready: Vec<(String, bool, PathBuf, u64)> = Vec::new();
        let mut seen = HashMap::new();
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(is_scenes) = kind(&name) else {
                continue;
            };
            let Ok(md) = e.metadata() else { continue };
            if !md.is_file() {
                continue;
            }
            let stamp = (md.len(), md.modified().unwrap_or(now));
            let still = self.last.get(&name) == Some(&stamp)
                || now
                    .duration_since(stamp.1)
                    .is_ok_and(|age| age >= self.poll);
            seen.insert(name.clone(), stamp);
            if !still {
                continue;
            }
            if is_scenes {
                if self.scene_files.get(&name) != Some(&stamp.0) {
                    ready.push((name, true, e.path(), stamp.0));
                }
            } else if !self.taken.contains(&name) {
                ready.push((name, false, e.path(), stamp.0));
            }
        }
        self.last = seen;
        // scenes first: the detections of this look use them
        ready.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out = Vec::new();
        for (name, is_scenes, path, size) in ready {
            if is_scenes {
                self.scene_files.insert(name, size);
                match imagery::read_scenes(&path) {
                    Ok(l) => {
                        self.refused(&l.errors);
                        for s in l.items {
                            self.scenes.insert(s.id.clone(), s);
                        }
                    }
                    Err(e) => {
                        Counters::add(&self.c.imagery_files_refused, 1);
                        eprintln!("watch: imagery {}: {e}", path.display());
                    }
                }
                continue;
            }
            self.taken.insert(name);
            Counters::add(&self.c.imagery_files, 1);
            match imagery::read_detections(&path) {
                Ok(l) => {
                    let ids: HashSet<&str> = l.items.iter().map(|d| d.scene_id.as_str()).collect();
                    let scenes = ids
                        .iter()
                        .filter_map(|i| self.scenes.get(*i).cloned())
                        .collect();
                    self.refused(&l.errors);
                    out.push(Batch {
                        latest_ms: l.items.iter().map(|d| d.time_ms).max().unwrap_or(i64::MIN),
                        file: path,
                        detections: l.items,
                        scenes,
                        refused: l.errors.len(),
                    });
                }
                Err(e) => {
                    Counters::add(&self.c.imagery_files_refused, 1);
                    eprintln!("watch: imagery {}: {e}", path.display());
                    out.push(Batch {
                        file: path,
                        detections: Vec::new(),
                        scenes: Vec::new(),
                        latest_ms: i64::MIN,
                        refused: 1,
                    });
                }
            }
        }
        out
    }
}

impl Folder {
    /// Reports rows refused with their file and line, and counts them.
    fn refused(&self, errors: &[imagery::RowError]) {
        for e in errors {
            eprintln!("watch: imagery {e}");
        }
        Counters::add(&self.c.imagery_rows_refused, errors.len() as u64);
    }
}

/// Fuses one batch with the store (blocking: run on the rolling thread,
/// after the segment that covers its images): `dark_vessel` events named
/// by `gaz`, the top speeds of silent vessels as `dp` takes them (two
/// transmitters on one MMSI are not told apart live), every outcome written
/// to `imagery/<stem>.outcomes.csv` under `watch_dir`.
pub fn fuse(
    b: Batch,
    store_dir: &Path,
    watch_dir: &Path,
    p: &imagery::ImageryParams,
    gaz: &detect::gazetteer::Gazetteer,
    dp: &detect::Params,
) -> Done {
    let mut done = Done {
        detections: b.detections.len(),
        refused: b.refused,
        matched: 0,
        dark: Vec::new(),
        outcomes: None,
        error: None,
        file: b.file,
    };
    if done.detections == 0 {
        return done;
    }
    let run = || -> Result<imagery::run::Fused, String> {
        let st = store::Store::open(store_dir).map_err(|e| e.to_string())?;
        let lengths = imagery::fuse::lengths(&st).map_err(|e| e.to_string())?;
        let fusion = imagery::fuse(
            &st,
            b.detections,
            b.scenes,
            &lengths,
            p,
            Some((&HashSet::new(), dp)),
        )
        .map_err(|e| e.to_string())?;
        let dark = fusion.dark_vessel_events(p, gaz);
        Ok(imagery::run::Fused {
            fusion,
            dark,
            imaged: 0,
            partners: Default::default(),
            errors: Vec::new(),
        })
    };
    match run() {
        Ok(mut f) => {
            let name = done
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = name.rsplit_once('.').map_or(name.as_str(), |x| x.0);
            for (k, e) in f.dark.iter_mut().enumerate() {
                e.id = format!("dv-{stem}-{}", k + 1);
            }
            let out = watch_dir
                .join("imagery")
                .join(format!("{stem}.outcomes.csv"));
            match std::fs::File::create(&out)
                .map_err(|e| e.to_string())
                .and_then(|w| {
                    imagery::run::write_csv(std::io::BufWriter::new(w), &f)
                        .map_err(|e| e.to_string())
                }) {
                Ok(()) => done.outcomes = Some(out),
                Err(e) => eprintln!("watch: imagery {}: {e}", out.display()),
            }
            done.matched = f.fusion.matched.len();
            done.dark = f.dark;
        }
        Err(e) => done.error = Some(e),
    }
    done
}
