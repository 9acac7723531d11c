//! Reading detections and scenes. Detections: CSV or GeoJSON points with
//! `scene_id`, `time` (RFC 3339 with a zone), `lat`, `lon` and optional
//! `length_m`, `heading`, `score` (the detector's confidence that an
//! object is a vessel, 0-1), `source`, `id`; the column names of Global
//! Fishing Watch's SAR exports are accepted as they are (`detect_id`,
//! `detect_timestamp`, `detect_lat`, `detect_lon`, `inferred_length_m`,
//! `presence` / `inferred_presence`). Scenes: GeoJSON polygons (the
//! footprint) or CSV boxes (`scene_id,time,min_lat,min_lon,max_lat,max_lon,
//! source`). A bad row is a [`RowError`] with its file and line; the rest
//! loads.

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Files larger than this are refused by size (1 GiB: about ten million
/// detections in CSV).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// One vessel detection in an image.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Its id (`id` / `detect_id`, else `file:line`).
    pub id: String,
    /// The scene (image) it was found in.
    pub scene_id: String,
    /// When the image was taken, unix ms.
    pub time_ms: i64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Estimated length, metres.
    pub length_m: Option<f64>,
    /// Estimated heading, degrees.
    pub heading: Option<f64>,
    /// The detector's probability that this is a vessel.
    pub score: Option<f64>,
    /// The sensor or provider (`sentinel-1`, `optical`...).
    pub source: Option<String>,
    /// Where it was read: `file:line`.
    pub origin: String,
}

/// An image: when it was taken and what ground it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Its id.
    pub id: String,
    /// When it was taken, unix ms.
    pub time_ms: i64,
    /// Footprint rings (lon, lat), longitudes unwrapped so that a ring
    /// crossing the antimeridian is continuous (values may pass 180).
    pub rings: Vec<Vec<(f64, f64)>>,
    /// The footprint's box (min lon, min lat, max lon, max lat), unwrapped.
    pub bbox: (f64, f64, f64, f64),
    /// The sensor or provider.
    pub source: Option<String>,
    /// Where it was read: `file:line`, or `detections` for a scene known
    /// only from its detections (no footprint).
    pub origin: String,
    /// Whether the footprint is known (a scene given in a scenes file).
    pub has_footprint: bool,
}

impl Scene {
    /// Whether a position lies in the footprint (always false without one).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if !self.has_footprint {
            return false;
        }
        [lon, lon + 360.0, lon - 360.0].into_iter().any(|x| {
            x >= self.bbox.0
                && x <= self.bbox.2
                && lat >= self.bbox.1
                && lat <= self.bbox.3
                && in_rings(&self.rings, x, lat)
        })
    }

    /// Area of the footprint's box, km² (an upper bound for polygons).
    pub fn area_km2(&self) -> f64 {
        let (w, s, e, n) = self.bbox;
        let mid = ((s + n) / 2.0).to_radians().cos();
        ((e - w) * 111.32 * mid).abs() * ((n - s) * 110.57).abs()
    }
}

/// Even-odd point in polygon over all rings (holes included).
fn in_rings(rings: &[Vec<(f64, f64)>], x: f64, y: f64) -> bool {
    let mut inside = false;
    for r in rings {
        let n = r.len();
        if n < 3 {
            continue;
        }
        let mut j = n - 1;
        for i in 0..n {
            let (xi, yi) = r[i];
            let (xj, yj) = r[j];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
    }
    inside
}

/// Longitudes made continuous along a ring: each point within 180° of
/// the one before it.
fn unwrap(ring: &mut [(f64, f64)]) {
    for i in 1..ring.len() {
        let prev = ring[i - 1].0;
        let mut x = ring[i].0;
        while x - prev > 180.0 {
            x -= 360.0;
        }
        while prev - x > 180.0 {
            x += 360.0;
        }
        ring[i].0 = x;
    }
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The file.
    pub file: String,
    /// Its line (1-based; 0 for the whole file).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// What a file gave: the rows read and the rows refused.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Rows read.
    pub items: Vec<T>,
    /// Rows refused, each with its line.
    pub errors: Vec<RowError>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            items: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{path}: {err}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        err: std::io::Error,
    },
    /// The file is not in a format read here, or lacks required columns.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// RFC 3339 with a zone (`Z` or an offset), to unix ms. A time without a
/// zone is refused: an image's time is exact, and guessing the zone
/// would move the vessels it is matched against by hours. So is a time
/// before 1990 or more than a day past the wall clock
/// ([`store::limits::plausible_time`], as for AIS).
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    match s.parse::<jiff::Timestamp>() {
        Ok(t) if store::limits::plausible_time(t.as_millisecond(), store::limits::wall_ms()) => {
            Ok(t.as_millisecond())
        }
        Ok(_) => Err(format!(
            "time {s:?} is implausible (before 1990 or past tomorrow)"
        )),
        Err(_) if s.parse::<jiff::civil::DateTime>().is_ok() => Err(format!(
            "time {s:?} has no zone: write it with Z or an offset (e.g. {s}Z)"
        )),
        Err(e) => Err(format!("time {s:?}: {e}")),
    }
}

/// A column name reduced for comparison: lower case, letters and digits.
fn key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Names of an image's time, in detections and scenes alike.
const TIME_NAMES: &[&str] = &[
    "time",
    "timestamp",
    "detecttimestamp",
    "datetime",
    "acquisitiontime",
];

/// Names of the sensor or provider.
const SOURCE_NAMES: &[&str] = &["source", "sensor", "satellite", "platform"];

/// Accepted names of each field (compared after [`key`]).
const DETECTION_FIELDS: &[(&str, &[&str])] = &[
    ("id", &["id", "detectid", "detectionid"]),
    ("scene_id", &["sceneid", "scene", "image", "imageid"]),
    ("time", TIME_NAMES),
    ("lat", &["lat", "latitude", "detectlat"]),
    ("lon", &["lon", "lng", "long", "longitude", "detectlon"]),
    (
        "length_m",
        &["lengthm", "length", "inferredlengthm", "inferredlength"],
    ),
    ("heading", &["heading", "headingdeg"]),
    (
        "score",
        &[
            "score",
            "presence",
            "inferredpresence",
            "presencescore",
            "confidence",
        ],
    ),
    ("source", SOURCE_NAMES),
];

const SCENE_FIELDS: &[(&str, &[&str])] = &[
    ("scene_id", &["sceneid", "scene", "id", "imageid"]),
    ("time", TIME_NAMES),
    ("min_lat", &["minlat", "south", "latmin"]),
    ("min_lon", &["minlon", "west", "lonmin"]),
    ("max_lat", &["maxlat", "north", "latmax"]),
    ("max_lon", &["maxlon", "east", "lonmax"]),
    ("source", SOURCE_NAMES),
];

fn field_of(fields: &[(&'static str, &[&str])], name: &str) -> Option<&'static str> {
    let k = key(name);
    fields
        .iter()
        .find(|(_, names)| names.contains(&k.as_str()))
        .map(|(f, _)| *f)
}

fn check_size(path: &Path) -> Result<(), InputError> {
    let meta = std::fs::metadata(path).map_err(|err| InputError::Io {
        path: path.display().to_string(),
        err,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::Format {
            path: path.display().to_string(),
            message: format!(
                "{} bytes: larger than the {} bytes read at once; split it",
                meta.len(),
                MAX_FILE_BYTES
            ),
        });
    }
    Ok(())
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// A record's fields by name, from a CSV row or GeoJSON properties.
type Fields = HashMap<&'static str, String>;

fn number(f: &Fields, name: &str, lo: f64, hi: f64) -> Result<Option<f64>, String> {
    match f.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= lo && v <= hi => Ok(Some(v)),
            Ok(v) => Err(format!("{name} = {v}: must be within {lo} and {hi}")),
            Err(_) => Err(format!("{name} = {s:?}: not a number")),
        },
    }
}

/// Longest id, scene id or source accepted, characters.
pub const MAX_TEXT_CHARS: usize = 200;

fn text(f: &Fields, name: &str) -> Result<Option<String>, String> {
    match f.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > MAX_TEXT_CHARS => {
            Err(format!("{name} is longer than {MAX_TEXT_CHARS} characters"))
        }
        s => Ok(s.map(str::to_string)),
    }
}

fn detection(f: &Fields, origin: String, pos: Option<(f64, f64)>) -> Result<Detection, String> {
    let scene_id = text(f, "scene_id")?.ok_or("no scene_id")?;
    let time_ms = parse_time(f.get("time").ok_or("no time")?)?;
    let (lon, lat) = match pos {
        Some(p) => p,
        None => (
            number(f, "lon", -180.0, 180.0)?.ok_or("no lon")?,
            number(f, "lat", -90.0, 90.0)?.ok_or("no lat")?,
        ),
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("position {lat}, {lon} is not on the globe"));
    }
    Ok(Detection {
        id: text(f, "id")?.unwrap_or_else(|| origin.clone()),
        scene_id,
        time_ms,
        lat,
        lon,
        length_m: number(f, "length_m", 0.0, 2000.0)?.filter(|&l| l > 0.0),
        heading: number(f, "heading", -360.0, 360.0)?,
        score: number(f, "score", 0.0, 1.0)?,
        source: text(f, "source")?,
        origin,
    })
}

fn csv_rows(
    path: &Path,
    fields: &[(&'static str, &[&str])],
    required: &[&str],
    mut row: impl FnMut(&Fields, u64) -> Result<(), String>,
    errors: &mut Vec<RowError>,
) -> Result<(), InputError> {
    let file = path.display().to_string();
    let fmt = |message: String| InputError::Format {
        path: file.clone(),
        message,
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| fmt(e.to_string()))?;
    let headers = r.headers().map_err(|e| fmt(e.to_string()))?.clone();
    let cols: Vec<Option<&'static str>> = headers.iter().map(|h| field_of(fields, h)).collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|f| !cols.contains(&Some(*f)))
        .collect();
    if !missing.is_empty() {
        return Err(fmt(format!(
            "no column for {} (columns: {})",
            missing.join(", "),
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let mut rec = csv::StringRecord::new();
    loop {
        let line = r.position().line() + 1;
        match r.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let mut f = Fields::new();
                for (c, v) in cols.iter().zip(rec.iter()) {
                    if let Some(c) = c {
                        f.insert(c, v.to_string());
                    }
                }
                let line = rec.position().map_or(line, |p| p.line());
                if let Err(message) = row(&f, line) {
                    errors.push(RowError {
                        file: file.clone(),
                        line,
                        message,
                    });
                }
            }
            Err(e) => errors.push(RowError {
                file: file.clone(),
                line: e.position().map_or(line, |p| p.line()),
                message: e.to_string(),
            }),
        }
    }
    Ok(())
}

/// The features of a GeoJSON FeatureCollection (or a single Feature).
fn features(path: &Path) -> Result<Vec<Value>, InputError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| InputError::Io {
        path: file.clone(),
        err,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| InputError::Format {
        path: file.clone(),
        message: format!("not GeoJSON: {e}"),
    })?;
    match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => Ok(v
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()),
        Some("Feature") => Ok(vec![v]),
        other => Err(InputError::Format {
            path: file,
            message: format!("a GeoJSON FeatureCollection was expected, not {other:?}"),
        }),
    }
}

fn properties(feature: &Value, fields: &[(&'static str, &[&str])]) -> Fields {
    let mut f = Fields::new();
    if let Some(p) = feature.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            if let Some(name) = field_of(fields, k) {
                let s = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => continue,
                    other => other.to_string(),
                };
                f.insert(name, s);
            }
        }
    }
    f
}

/// Reads detections from CSV or GeoJSON (by the extension).
pub fn read_detections(path: &Path) -> Result<Loaded<Detection>, InputError> {
    check_size(path)?;
    let file = path.display().to_string();
    let mut out = Loaded::default();
    if is_geojson(path) {
        for (i, feat) in features(path)?.iter().enumerate() {
            let origin = format!("{file}#{}", i + 1);
            let f = properties(feat, DETECTION_FIELDS);
            let pos = feat
                .get("geometry")
                .filter(|g| g.get("type").and_then(Value::as_str) == Some("Point"))
                .and_then(|g| g.get("coordinates"))
                .and_then(Value::as_array)
                .and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)));
            match pos
                .ok_or_else(|| "not a Point feature".to_string())
                .and_then(|p| detection(&f, origin.clone(), Some(p)))
            {
                Ok(d) => out.items.push(d),
                Err(message) => out.errors.push(RowError {
                    file: file.clone(),
                    line: i as u64 + 1,
                    message: format!("feature {}: {message}", i + 1),
                }),
            }
        }
        return Ok(out);
    }
    let mut items = Vec::new();
    csv_rows(
        path,
        DETECTION_FIELDS,
        &["scene_id", "time", "lat", "lon"],
        |f, line| {
            items.push(detection(f, format!("{file}:{line}"), None)?);
            Ok(())
        },
        &mut out.errors,
    )?;
    out.items = items;
    Ok(out)
}

fn scene_of_box(f: &Fields, origin: String) -> Result<Scene, String> {
    let id = text(f, "scene_id")?.ok_or("no scene_id")?;
    let time_ms = parse_time(f.get("time").ok_or("no time")?)?;
    let s = number(f, "min_lat", -90.0, 90.0)?.ok_or("no min_lat")?;
    let n = number(f, "max_lat", -90.0, 90.0)?.ok_or("no max_lat")?;
    let w = number(f, "min_lon", -180.0, 180.0)?.ok_or("no min_lon")?;
    let mut e = number(f, "max_lon", -180.0, 180.0)?.ok_or("no max_lon")?;
    if s >= n {
        return Err(format!("min_lat {s} is not below max_lat {n}"));
    }
    if e < w {
        // a box across the antimeridian
        e += 360.0;
    }
    let ring = vec![(w, s), (e, s), (e, n), (w, n), (w, s)];
    Ok(Scene {
        id,
        time_ms,
        rings: vec![ring],
        bbox: (w, s, e, n),
        source: text(f, "source")?,
        origin,
        has_footprint: true,
    })
}

fn scene_of_feature(feat: &Value, origin: String) -> Result<Scene, String> {
    let f = properties(feat, SCENE_FIELDS);
    let id = text(&f, "scene_id")?.ok_or("no scene_id property")?;
    let time_ms = parse_time(f.get("time").ok_or("no time property")?)?;
    let g = feat.get("geometry").ok_or("no geometry")?;
    let coords = g.get("coordinates").ok_or("no coordinates")?;
    let polys: Vec<&Value> = match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![coords],
        Some("MultiPolygon") => coords.as_array().ok_or("bad coordinates")?.iter().collect(),
        other => return Err(format!("a footprint must be a Polygon, not {other:?}")),
    };
    let mut rings = Vec::new();
    for p in polys {
        for r in p.as_array().ok_or("bad coordinates")? {
            let mut ring: Vec<(f64, f64)> = r
                .as_array()
                .ok_or("bad ring")?
                .iter()
                .map(|c| {
                    let x = c.get(0).and_then(Value::as_f64)?;
                    let y = c.get(1).and_then(Value::as_f64)?;
                    ((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)).then_some((x, y))
                })
                .collect::<Option<_>>()
                .ok_or("a footprint vertex is not a position on the globe")?;
            if ring.len() < 4 {
                return Err("a footprint ring has fewer than 4 positions".into());
            }
            unwrap(&mut ring);
            rings.push(ring);
        }
    }
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in rings.iter().flatten() {
        b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    }
    if b.0 > b.2 {
        return Err("an empty footprint".into());
    }
    Ok(Scene {
        id,
        time_ms,
        rings,
        bbox: b,
        source: text(&f, "source")?,
        origin,
        has_footprint: true,
    })
}

/// Reads scenes from GeoJSON polygons or a CSV of boxes (by the
/// extension). A scene id given twice is an error at the second.
pub fn read_scenes(path: &Path) -> Result<Loaded<Scene>, InputError> {
    check_size(path)?;
    let file = path.display().to_string();
    let mut out: Loaded<Scene> = Loaded::default();
    let mut items = Vec::new();
    if is_geojson(path) {
        for (i, feat) in features(path)?.iter().enumerate() {
            match scene_of_feature(feat, format!("{file}#{}", i + 1)) {
                Ok(s) => items.push((i as u64 + 1, s)),
                Err(message) => out.errors.push(RowError {
                    file: file.clone(),
                    line: i as u64 + 1,
                    message: format!("feature {}: {message}", i + 1),
                }),
            }
        }
    } else {
        csv_rows(
            path,
            SCENE_FIELDS,
            &[
                "scene_id", "time", "min_lat", "min_lon", "max_lat", "max_lon",
            ],
            |f, line| {
                items.push((line, scene_of_box(f, format!("{file}:{line}"))?));
                Ok(())
            },
            &mut out.errors,
        )?;
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    for (line, s) in items {
        if let Some(first) = seen.get(&s.id) {
            out.errors.push(RowError {
                file: file.clone(),
                line,
                message: format!(
                    "scene {:?} given twice (first at {first}); kept the first",
                    s.id
                ),
            });
            continue;
        }
        seen.insert(s.id.clone(), s.origin.clone());
        out.items.push(s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn gfw_columns_are_read_as_they_are() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "gfw.csv",
            "scene_id,detect_id,detect_timestamp,detect_lat,detect_lon,inferred_length_m,inferred_presence,ssvid\n\
             S1A_1,S1A_1;130.3;42.2,2023-09-01T21:14:05Z,42.2,130.3,112.5,0.97,\n",
        );
        let l = read_detections(&p).unwrap();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let x = &l.items[0];
        assert_eq!(x.id, "S1A_1;130.3;42.2");
        assert_eq!((x.lat, x.lon), (42.2, 130.3));
        assert_eq!(x.length_m, Some(112.5));
        assert_eq!(x.score, Some(0.97));
        assert_eq!(x.time_ms, 1_693_602_845_000);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_the_rest_loads() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "d.csv",
            &format!(
                "scene_id,time,lat,lon,length_m,score\n\
             a,2023-09-01T00:00:00Z,42,130,100,0.9\n\
             a,2023-09-01T00:00:00,42,130,100,0.9\n\
             a,2023-09-01T00:00:00Z,95,130,100,0.9\n\
             a,2023-09-01T00:00:00Z,42,130,-5,0.9\n\
             a,2023-09-01T00:00:00Z,42,130,100,1.5\n\
             ,2023-09-01T00:00:00Z,42,130,100,0.9\n\
             a,2023-09-01T00:00:00Z,42,130,,\n\
             a,2099-09-01T00:00:00Z,42,130,100,0.9\n\
             a,2023-09-01T00:00:00Z,NaN,130,100,0.9\n\
             {},2023-09-01T00:00:00Z,42,130,100,0.9\n",
                "S".repeat(MAX_TEXT_CHARS + 1)
            ),
        );
        let l = read_detections(&p).unwrap();
        assert_eq!(l.items.len(), 2, "{:?}", l.errors);
        let lines: Vec<u64> = l.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 9, 10, 11]);
        assert!(
            l.errors[5].message.contains("implausible"),
            "{}",
            l.errors[5]
        );
        assert!(
            l.errors[7].message.contains("longer than"),
            "{}",
            l.errors[7]
        );
        assert!(l.errors[0].message.contains("no zone"), "{}", l.errors[0]);
        assert!(l.errors[0].to_string().contains("d.csv:3"));
        // a file without the needed columns is refused whole, naming them
        let p = write(d.path(), "x.csv", "a,b\n1,2\n");
        let e = read_detections(&p).unwrap_err().to_string();
        assert!(e.contains("scene_id") && e.contains("lat"), "{e}");
    }

    #[test]
    fn footprints_across_the_antimeridian_and_duplicates() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "s.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"scene_id":"x","time":"2023-09-01T00:00:00Z"},
               "geometry":{"type":"Polygon","coordinates":[[[179,10],[-179,10],[-179,12],[179,12],[179,10]]]}},
              {"type":"Feature","properties":{"scene_id":"x","time":"2023-09-02T00:00:00Z"},
               "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"scene_id":"y","time":"2023-09-02T00:00:00Z"},
               "geometry":{"type":"Point","coordinates":[0,0]}}
            ]}"#,
        );
        let l = read_scenes(&p).unwrap();
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
        assert!(l.errors.iter().any(|e| e.message.contains("twice")));
        let s = &l.items[0];
        assert!(s.contains(179.5, 11.0) && s.contains(-179.5, 11.0));
        assert!(!s.contains(178.5, 11.0) && !s.contains(0.0, 11.0));
        assert!((s.area_km2() - 2.0 * 109.4 * 2.0 * 110.6).abs() < 2_000.0);
        // a CSV box across it too
        let p = write(
            d.path(),
            "s.csv",
            "scene_id,time,min_lat,min_lon,max_lat,max_lon,source\nz,2023-09-01T00:00:00Z,10,179,12,-179,sar\n",
        );
        let l = read_scenes(&p).unwrap();
        assert!(l.items[0].contains(-179.5, 11.0) && l.items[0].contains(179.5, 11.0));
        assert!(!l.items[0].contains(0.0, 11.0));
    }
}
