//! JSON inputs, told apart by content:
//!
//! - **gpsd** (`{"class":"AIS","type":1,...}` lines: `gpsdecode -j`, `-u -j`
//!   and a gpsd daemon's reports), scaled or unscaled: each report is built
//!   back into the AIS message it was decoded from (every field gpsd
//!   prints, scaled values taken back to their raw integers through the
//!   field's unit) and goes through the NMEA path, so it is stored exactly
//!   as the same message given as NMEA would be. gpsd writes no receive
//!   time: `--assume-time`, or a `watch` clock, gives one.
//! - **AIS-catcher** (`{"class":"AIS","device":"AIS-catcher",...,"nmea":[...]}`):
//!   the sentences it carries are decoded, with its `rxuxtime` / `rxtime` as
//!   the receive time.
//! - **AISHub** (`[{"ERROR":false,...,"FORMAT":"AIS"|"HUMAN"},[{...}]]`):
//!   one document of latest reports, read as CSV rows are (raw AIS units
//!   of the `AIS` format scaled first).
//!
//! A line that is not JSON, or a report with a missing or mistyped field,
//! is a counted `bad_json` reject naming the line and the field.

use crate::ingest::Rejects;
use crate::StoreError;
use ais::field::Given;
use ais::{
    Body, ClassBExtended, ClassBPosition, Dimensions, LongRangePosition, Message, PositionReport,
    SarAircraftReport, StaticAndVoyage, StaticDataA, StaticDataB, StaticDataBHead, StaticDataBTail,
    StaticDataBTarget, StaticDataReport,
};
use serde_json::{Map, Value};
use std::io::{BufRead, Read};
use std::path::Path;

/// The JSON layouts read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// gpsd's `class: AIS` reports.
    Gpsd,
    /// AIS-catcher's JSON with the NMEA it decoded.
    AisCatcher,
    /// AISHub's web-service document.
    AisHub,
}

impl JsonKind {
    /// Its name in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            JsonKind::Gpsd => "gpsd-json",
            JsonKind::AisCatcher => "aiscatcher-json",
            JsonKind::AisHub => "aishub-json",
        }
    }

    /// The layout of a first line, if it is JSON.
    pub fn detect(first: &str) -> Option<JsonKind> {
        let l = first.trim_start_matches('\u{feff}').trim_start();
        if l.starts_with('[') {
            Some(JsonKind::AisHub)
        } else if l.starts_with('{') {
            if l.contains("\"nmea\"") {
                Some(JsonKind::AisCatcher)
            } else {
                Some(JsonKind::Gpsd)
            }
        } else {
            None
        }
    }
}

/// Layouts whose fields gpsd names.
trait Settable {
    fn set(&mut self, name: &str, v: Given<'_>, scaled: bool) -> Result<(), &'static str>;
}

macro_rules! settable {
    ($($t:ty),*) => {$(
        impl Settable for $t {
            fn set(&mut self, name: &str, v: Given<'_>, scaled: bool) -> Result<(), &'static str> {
                <$t>::set(self, name, v, scaled)
            }
        }
    )*};
}
settable!(
    PositionReport,
    StaticAndVoyage,
    SarAircraftReport,
    ClassBPosition,
    ClassBExtended,
    LongRangePosition,
    StaticDataA,
    StaticDataBHead,
    Dimensions,
    StaticDataBTail
);

/// gpsd's names for what is not a field of the message, or a field given
/// another way (the `_text` companions, the ETA string).
const NOT_FIELDS: [&str; 9] = [
    "class",
    "device",
    "type",
    "repeat",
    "mmsi",
    "scaled",
    "eta",
    "partno",
    "mothership_mmsi",
];

fn given(v: &Value) -> Option<Given<'_>> {
    match v {
        Value::Bool(b) => Some(Given::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(Given::Int)
            .or_else(|| n.as_f64().map(Given::Float)),
        Value::String(s) => Some(Given::Text(s)),
        _ => None,
    }
}

/// Sets every field of `layout` the report names. Keys that are no field of
/// the layout are skipped (gpsd adds `status_text` and the like); a field
/// whose value does not fit is an error naming it.
fn fill(layout: &mut dyn Settable, obj: &Map<String, Value>, scaled: bool) -> Result<(), String> {
    for (k, v) in obj {
        if NOT_FIELDS.contains(&k.as_str()) || k.ends_with("_text") {
            continue;
        }
        // null, lists and objects are never a field's value
        let Some(mut g) = given(v) else { continue };
        let mut sc = scaled;
        // what gpsd writes as words
        if let Given::Text(t) = g {
            match (k.as_str(), t) {
                ("turn", "n/a" | "nan") => (g, sc) = (Given::Int(-128), false),
                ("turn", "fastleft") => (g, sc) = (Given::Int(-127), false),
                ("turn", "fastright") => (g, sc) = (Given::Int(127), false),
                // gpsd's "not available" for a scaled number: the field
                // keeps the layout's not-available value
                (_, "nan" | "n/a") => continue,
                ("status", s) => {
                    (g, sc) = (
                        Given::Int(crate::csvsrc::nav_status_of(s).unwrap_or(15) as i64),
                        false,
                    )
                }
                _ => {}
            }
        }
        match layout.set(k, g, sc) {
            Ok(()) | Err("no such field") => {}
            Err(e) => return Err(format!("field {k}: {e}: {v}")),
        }
    }
    Ok(())
}

/// `MM-DDTHH:MMZ` into a type 5's ETA fields.
fn set_eta(s: &mut StaticAndVoyage, eta: &str) -> Result<(), String> {
    let b = eta.as_bytes();
    let n = |r: std::ops::Range<usize>| -> Option<i64> { eta.get(r)?.parse().ok() };
    let parts = (b.len() >= 11 && b[2] == b'-' && b[5] == b'T' && b[8] == b':')
        .then(|| Some((n(0..2)?, n(3..5)?, n(6..8)?, n(9..11)?)))
        .flatten()
        .ok_or_else(|| format!("field eta: not MM-DDTHH:MMZ: {eta:?}"))?;
    for (name, v) in [
        ("month", parts.0),
        ("day", parts.1),
        ("hour", parts.2),
        ("minute", parts.3),
    ] {
        s.set(name, Given::Int(v), false)
            .map_err(|e| format!("field eta: {e}: {eta:?}"))?;
    }
    Ok(())
}

fn int_field(obj: &Map<String, Value>, k: &str) -> Result<Option<i64>, String> {
    match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("field {k}: not a whole number: {v}")),
    }
}

/// The messages a gpsd report stands for (type 24 reports may hold both
/// parts). Types shiptrace does not store are not built (empty).
fn messages_of(obj: &Map<String, Value>) -> Result<Vec<Message>, String> {
    let msg_type = int_field(obj, "type")?.ok_or("field type missing")?;
    let mmsi = int_field(obj, "mmsi")?.ok_or("field mmsi missing")?;
    let mmsi = u32::try_from(mmsi)
        .ok()
        .filter(|&m| m < 1 << 30)
        .ok_or_else(|| format!("field mmsi: not an MMSI: {mmsi}"))?;
    let repeat = int_field(obj, "repeat")?.unwrap_or(0).clamp(0, 3) as u8;
    let scaled = match obj.get("scaled") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(format!("field scaled: not true or false: {v}")),
    };
    // "not available" where a report leaves a field out
    const NA_LAT: i32 = 91 * 600_000;
    const NA_LON: i32 = 181 * 600_000;
    let msg = |msg_type: u8, body| Message {
        msg_type,
        repeat,
        mmsi,
        body,
    };
    let t = msg_type as u8;
    Ok(match msg_type {
        1..=3 => {
            let mut p = PositionReport {
                turn: -128,
                speed: 1023,
                lon: NA_LON,
                lat: NA_LAT,
                course: 3600,
                heading: 511,
                second: 60,
                ..Default::default()
            };
            fill(&mut p, obj, scaled)?;
            vec![msg(t, Body::Position(p))]
        }
        5 => {
            let mut s = StaticAndVoyage {
                hour: 24,
                minute: 60,
                ..Default::default()
            };
            fill(&mut s, obj, scaled)?;
            if let Some(Value::String(eta)) = obj.get("eta") {
                set_eta(&mut s, eta)?;
            }
            vec![msg(5, Body::StaticAndVoyage(s))]
        }
        9 => {
            let mut p = SarAircraftReport {
                alt: 4095,
                speed: 1023,
                lon: NA_LON,
                lat: NA_LAT,
                course: 3600,
                second: 60,
                ..Default::default()
            };
            fill(&mut p, obj, scaled)?;
            vec![msg(9, Body::SarAircraft(p))]
        }
        18 => {
            let mut p = ClassBPosition {
                speed: 1023,
                lon: NA_LON,
                lat: NA_LAT,
                course: 3600,
                heading: 511,
                second: 60,
                ..Default::default()
            };
            fill(&mut p, obj, scaled)?;
            vec![msg(18, Body::ClassBPosition(p))]
        }
        19 => {
            let mut p = ClassBExtended {
                speed: 1023,
                lon: NA_LON,
                lat: NA_LAT,
                course: 3600,
                heading: 511,
                second: 60,
                ..Default::default()
            };
            fill(&mut p, obj, scaled)?;
            vec![msg(19, Body::ClassBExtended(p))]
        }
        24 => {
            let mut out = Vec::new();
            if obj.contains_key("shipname") {
                let mut a = StaticDataA::default();
                fill(&mut a, obj, scaled)?;
                out.push(msg(24, Body::StaticData(StaticDataReport::A(a))));
            }
            let part_b = [
                "shiptype",
                "callsign",
                "vendorid",
                "to_bow",
                "mothership_mmsi",
            ];
            if part_b.iter().any(|k| obj.contains_key(*k)) {
                let mut head = StaticDataBHead::default();
                // gpsd prints the vendor id with the model and serial
                // characters after it; the head keeps its first three
                let mut o = obj.clone();
                if let Some(Value::String(v)) = o.get_mut("vendorid") {
                    *v = v.chars().take(3).collect();
                }
                fill(&mut head, &o, scaled)?;
                let target = match int_field(obj, "mothership_mmsi")? {
                    Some(m) => StaticDataBTarget::Mothership(
                        u32::try_from(m).map_err(|_| format!("field mothership_mmsi: {m}"))?,
                    ),
                    None => {
                        let mut d = Dimensions::default();
                        fill(&mut d, obj, scaled)?;
                        StaticDataBTarget::Dimensions(d)
                    }
                };
                let mut tail = StaticDataBTail::default();
                fill(&mut tail, obj, scaled)?;
                out.push(msg(
                    24,
                    Body::StaticData(StaticDataReport::B(StaticDataB { head, target, tail })),
                ));
            }
            out
        }
        27 => {
            // gpsd 3.22 writes these positions to 0.1 degree in its scaled
            // output (a true position is on that grid once in 3,600)
            let tenth = |k: &str| {
                obj.get(k)
                    .and_then(Value::as_f64)
                    .is_some_and(|v| ((v * 10.0).round() - v * 10.0).abs() < 1e-9)
            };
            if scaled && tenth("lat") && tenth("lon") {
                return Err("type 27 position rounded to 0.1 degree (gpsd's scaled output): read gpsd's unscaled output (gpsdecode -u -j)".into());
            }
            let mut p = LongRangePosition {
                lon: 181 * 600,
                lat: 91 * 600,
                speed: 63,
                course: 511,
                ..Default::default()
            };
            fill(&mut p, obj, scaled)?;
            vec![msg(27, Body::LongRange(p))]
        }
        4 | 6..=8 | 10..=17 | 20..=23 | 25 | 26 => Vec::new(),
        other => return Err(format!("field type: not an AIS message type: {other}")),
    })
}

/// AIS-catcher's receive time: `rxuxtime` (unix seconds) or `rxtime`
/// (`YYYYMMDDHHMMSS`, UTC).
fn catcher_time(obj: &Map<String, Value>) -> Option<i64> {
    if let Some(t) = obj.get("rxuxtime").and_then(Value::as_f64) {
        return Some((t * 1000.0).round() as i64);
    }
    let s = obj.get("rxtime")?.as_str()?;
    crate::csvmap::TimeFormat::Auto.read(s)
}

/// A tag block with the receive time in front of a sentence that has none.
fn with_time(sentence: &str, time_ms: Option<i64>) -> String {
    match time_ms {
        Some(t) if !sentence.starts_with('\\') => {
            let tb = format!("c:{t}");
            format!(
                "\\{tb}*{:02X}\\{sentence}",
                ais::nmea::checksum(tb.as_bytes())
            )
        }
        _ => sentence.to_string(),
    }
}

/// The NMEA sentences one gpsd or AIS-catcher JSON line stands for (none
/// for gpsd's other classes: VERSION, DEVICES, TPV...); `Err` says what is
/// wrong with the line. `group` numbers the tag-block groups of rebuilt
/// multi-sentence messages.
/// What one JSON line stands for.
#[derive(Debug, Default)]
pub struct FromJson {
    /// NMEA sentences of its messages.
    pub sentences: Vec<String>,
    /// Rebuilt from gpsd's report rather than carried as broadcast: gpsd
    /// leaves out spare bits and bits past a message's length, and its
    /// scaled output rounds the rate of turn, so the payload may differ
    /// from the one broadcast and its positions carry no report tag
    /// ([`crate::schema::report_tag`]; they merge with other sources by
    /// content).
    pub rebuilt: bool,
    /// Reports of types shiptrace does not store (base stations, binary
    /// messages...): read and counted, not built.
    pub not_built: u64,
}

/// The NMEA sentences one gpsd or AIS-catcher JSON line stands for (none
/// for gpsd's other classes: VERSION, DEVICES, TPV...); `Err` says what is
/// wrong with the line. `group` numbers the tag-block groups of rebuilt
/// multi-sentence messages.
pub fn sentences_of_line(
    kind: JsonKind,
    line: &str,
    group: &mut u32,
) -> Result<Vec<String>, String> {
    from_json_line(kind, line, group).map(|f| f.sentences)
}

/// [`sentences_of_line`] with what the store needs to know besides.
pub fn from_json_line(kind: JsonKind, line: &str, group: &mut u32) -> Result<FromJson, String> {
    let obj: Map<String, Value> = match serde_json::from_str(line.trim()) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err("not a JSON object".into()),
        Err(e) => return Err(format!("not JSON: {e}")),
    };
    if obj
        .get("class")
        .and_then(Value::as_str)
        .is_some_and(|c| c != "AIS")
    {
        return Ok(FromJson::default());
    }
    let mut out = Vec::new();
    let mut rebuilt = false;
    let mut not_built = 0;
    match kind {
        JsonKind::AisCatcher => {
            let Some(Value::Array(nmea)) = obj.get("nmea") else {
                return Err("field nmea missing".into());
            };
            let time = catcher_time(&obj);
            for s in nmea {
                let s = s.as_str().ok_or("field nmea: not a list of sentences")?;
                out.push(with_time(s, time));
            }
        }
        _ => {
            let msgs = messages_of(&obj)?;
            rebuilt = true;
            if msgs.is_empty() {
                not_built += 1;
            }
            for m in msgs {
                *group = group.wrapping_add(1) % 100_000;
                let opts = ais::encode::SentenceOptions {
                    tag_group_id: Some(*group),
                    ..Default::default()
                };
                out.extend(ais::encode::to_sentences(&m, &opts));
            }
        }
    }
    Ok(FromJson {
        sentences: out,
        rebuilt,
        not_built,
    })
}

/// Where [`read_json_lines`] hands each sentence: (sentence, line number,
/// the JSON line it came from, whether it was rebuilt (no report tag),
/// rejects).
pub(crate) type Feed<'a> = dyn FnMut(&[u8], u64, &[u8], bool, &mut Rejects) + 'a;

/// Reads gpsd or AIS-catcher JSON lines: each report becomes NMEA lines fed
/// to `feed` (the NMEA path, which decodes, times and stores them).
pub(crate) fn read_json_lines(
    path: &Path,
    kind: JsonKind,
    reader: &mut dyn BufRead,
    rejects: &mut Rejects,
    not_built: &mut u64,
    feed: &mut Feed<'_>,
) -> Result<(), StoreError> {
    let mut line = Vec::with_capacity(512);
    let mut lineno = 0u64;
    let mut group = 0u32;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| StoreError::io(path, e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match from_json_line(kind, &text, &mut group) {
            Ok(f) => {
                *not_built += f.not_built;
                for s in f.sentences {
                    feed(s.as_bytes(), lineno, &line, f.rebuilt, rejects);
                }
            }
            Err(msg) => rejects.add("bad_json", lineno, msg, &line, true),
        }
    }
    Ok(())
}

/// AISHub's document as CSV rows: (header, rows), raw AIS units scaled.
pub(crate) fn aishub_rows(
    path: &Path,
    reader: &mut dyn BufRead,
) -> Result<(Vec<String>, Vec<Vec<String>>), StoreError> {
    let mut bytes = Vec::new();
    std::io::Read::take(reader, crate::limits::MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(path, e))?;
    if bytes.len() as u64 > crate::limits::MAX_DOCUMENT_BYTES {
        return Err(StoreError::Input {
            path: path.to_path_buf(),
            line: 1,
            msg: format!(
                "a JSON document over {} MiB is not read (split it)",
                crate::limits::MAX_DOCUMENT_BYTES >> 20
            ),
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let bad = |msg: String| StoreError::Input {
        path: path.to_path_buf(),
        line: 1,
        msg,
    };
    let doc: Value = serde_json::from_str(text.trim())
        .map_err(|e| bad(format!("not an AISHub document: {e}")))?;
    let parts = doc
        .as_array()
        .ok_or_else(|| bad("not an AISHub document".into()))?;
    let head = parts
        .first()
        .and_then(Value::as_object)
        .ok_or_else(|| bad("not an AISHub document: no header object".into()))?;
    if head.get("ERROR").and_then(Value::as_bool) == Some(true) {
        let m = head
            .get("ERROR_MESSAGE")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(bad(format!(
            "AISHub reported an error: {}",
            m.chars().take(200).collect::<String>()
        )));
    }
    let raw = head.get("FORMAT").and_then(Value::as_str) == Some("AIS");
    let records = match doc {
        Value::Array(mut parts) if parts.len() > 1 => match parts.swap_remove(1) {
            Value::Array(r) => r,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let cols = [
        "MMSI",
        "TIME",
        "LONGITUDE",
        "LATITUDE",
        "COG",
        "SOG",
        "HEADING",
        "NAVSTAT",
        "IMO",
        "NAME",
        "CALLSIGN",
        "TYPE",
        "A",
        "B",
        "C",
        "D",
        "DRAUGHT",
        "DEST",
        "ETA",
    ];
    let mut rows = Vec::with_capacity(records.len());
    for r in &records {
        let Some(o) = r.as_object() else {
            rows.push(vec!["not an object".to_string()]);
            continue;
        };
        let mut row = Vec::with_capacity(cols.len());
        for c in cols {
            let v = o.get(c).cloned().unwrap_or(Value::Null);
            let s = match (&v, raw, c) {
                (Value::Null, ..) => String::new(),
                (Value::Number(n), true, "LONGITUDE" | "LATITUDE") => n
                    .as_f64()
                    .map(|x| (x / 600_000.0).to_string())
                    .unwrap_or_default(),
                (Value::Number(n), true, "COG" | "SOG" | "DRAUGHT") => n
                    .as_f64()
                    .map(|x| (x / 10.0).to_string())
                    .unwrap_or_default(),
                (Value::Number(n), true, "ETA") => {
                    // the packed AIS ETA: month, day, hour, minute
                    let e = n.as_u64().unwrap_or(0);
                    let (mo, d, h, mi) = ((e >> 16) & 15, (e >> 11) & 31, (e >> 6) & 31, e & 63);
                    if mo == 0 || d == 0 || h > 23 || mi > 59 {
                        String::new()
                    } else {
                        format!("2000-{mo:02}-{d:02}T{h:02}:{mi:02}:00")
                    }
                }
                (Value::String(s), false, "ETA") if s.len() == 11 && s.is_ascii() => {
                    format!("2000-{}T{}:00", &s[..5], &s[6..])
                }
                (Value::String(s), ..) => s.clone(),
                (other, ..) => other.to_string(),
            };
            row.push(s);
        }
        rows.push(row);
    }
    Ok((cols.iter().map(|c| c.to_string()).collect(), rows))
}
