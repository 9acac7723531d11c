//! CSV exports of any layout: US MarineCadastre (every year's columns),
//! the Danish Maritime Authority, AISHub, decoded-message exports (one row
//! per AIS message of any type) and any other through a [`CsvMapping`].
//! Columns are found by the mapping ([`crate::csvmap`]); a missing required
//! column is an error naming it, a bad value a counted `bad_row` reject
//! naming line and column.

use crate::csvmap::{self, CsvField, CsvMapping};
use crate::ingest::{IngestOptions, Rejects, Sink};
use crate::record::{Class, Identity, Position};
use crate::StoreError;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::path::Path;

/// A value error: which column and why.
type RowResult<T> = Result<T, String>;

/// Whether a value means "not given": empty, or a word exports use for it.
fn absent(s: &str) -> bool {
    s.is_empty()
        || [
            "unknown",
            "nan",
            "null",
            "none",
            "na",
            "n/a",
            "-",
            "undefined",
        ]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

/// One row's columns, by field.
struct Row<'a> {
    rec: &'a csv::StringRecord,
    cols: &'a BTreeMap<CsvField, usize>,
    headers: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed value of a field, if the layout has it and it is given.
    fn get(&self, f: CsvField) -> Option<&str> {
        let s = self.rec.get(*self.cols.get(&f)?).unwrap_or("").trim();
        (!absent(s)).then_some(s)
    }
    fn name(&self, f: CsvField) -> &str {
        self.cols
            .get(&f)
            .and_then(|&i| self.headers.get(i))
            .unwrap_or(f.key())
    }
    fn bad(&self, f: CsvField, what: &str, s: &str) -> String {
        format!(
            "column {}: {what}: {:?}",
            self.name(f),
            s.chars().take(40).collect::<String>()
        )
    }
    /// A number.
    fn num(&self, f: CsvField) -> RowResult<Option<f64>> {
        let Some(s) = self.get(f) else {
            return Ok(None);
        };
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.bad(f, "not a number", s)),
        }
    }
    /// A whole number; `0.0` is 0 (2023 MarineCadastre files write integer
    /// columns as floats), `0.5` is an error.
    fn int(&self, f: CsvField) -> RowResult<Option<i64>> {
        let Some(v) = self.num(f)? else {
            return Ok(None);
        };
        if v.fract() != 0.0 || v.abs() > 9.0e15 {
            return Err(self.bad(f, "not a whole number", self.get(f).unwrap_or("")));
        }
        Ok(Some(v as i64))
    }
    /// A code (0..=255), as a number or through `text` for exports that
    /// write the code's meaning.
    fn code(&self, f: CsvField, text: fn(&str) -> Option<u8>) -> RowResult<Option<u8>> {
        let Some(s) = self.get(f) else {
            return Ok(None);
        };
        if let Ok(v) = s.parse::<f64>() {
            return Ok((v.fract() == 0.0 && (0.0..=255.0).contains(&v)).then_some(v as u8));
        }
        Ok(text(s))
    }
    /// A text field, cut to [`crate::limits::MAX_TEXT_CHARS`] (cuts counted
    /// in `cut`).
    fn text(&self, f: CsvField, cut: &std::cell::Cell<u64>) -> Option<String> {
        let mut s = self.get(f)?.to_string();
        if crate::limits::cap_text(&mut s) {
            cut.set(cut.get() + 1);
        }
        Some(s)
    }
}

/// ITU navigational status from the DMA text.
pub(crate) fn nav_status_of(s: &str) -> Option<u8> {
    let s = s.to_ascii_lowercase();
    let table: [(&str, u8); 12] = [
        ("under way using engine", 0),
        ("at anchor", 1),
        ("not under command", 2),
        ("restricted", 3),
        ("constrained by her draught", 4),
        ("moored", 5),
        ("aground", 6),
        ("engaged in fishing", 7),
        ("under way sailing", 8),
        ("reserved for future amendment [hsc]", 9),
        ("reserved for future amendment [wig]", 10),
        ("ais-sart", 14),
    ];
    table
        .iter()
        .find(|(k, _)| s.starts_with(k))
        .map(|(_, v)| *v)
}

/// ITU ship type code from the DMA text (the category's base code).
fn ship_type_of(s: &str) -> Option<u8> {
    let s = s.to_ascii_lowercase();
    let table: [(&str, u8); 21] = [
        ("cargo", 70),
        ("tanker", 80),
        ("passenger", 60),
        ("fishing", 30),
        ("towing long/wide", 32),
        ("towing", 31),
        ("dredging", 33),
        ("diving", 34),
        ("military", 35),
        ("sailing", 36),
        ("pleasure", 37),
        ("hsc", 40),
        ("pilot", 50),
        ("sar", 51),
        ("tug", 52),
        ("port tender", 53),
        ("anti-pollution", 54),
        ("law enforcement", 55),
        ("medical", 58),
        ("wig", 20),
        ("other", 90),
    ];
    table.iter().find(|(k, _)| s == *k).map(|(_, v)| *v)
}

fn valid_fix(lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
    match (lat, lon) {
        (Some(la), Some(lo)) if la.abs() <= 90.0 && lo.abs() <= 180.0 => Some((la, lo)),
        _ => None,
    }
}

fn identity_key(i: &Identity) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &i.imo,
        &i.name,
        &i.callsign,
        &i.ship_type,
        &i.to_bow,
        &i.to_stern,
        &i.to_port,
        &i.to_starboard,
    )
        .hash(&mut h);
    (i.draught.map(f32::to_bits), &i.destination, &i.eta).hash(&mut h);
    h.finish()
}

/// Class of the row's transponder: from the class column, else from the
/// message type; `None` for stations that are not vessels (base stations,
/// aids to navigation), whose rows are read and counted but kept nowhere,
/// as their NMEA messages are.
fn class_of(class: Option<&str>, msg_type: Option<i64>) -> Option<Class> {
    if let Some(t) = msg_type {
        return match t {
            1..=3 | 5 | 27 => Some(Class::A),
            18 | 19 | 24 => Some(Class::B),
            9 => Some(Class::Sar),
            _ => None,
        };
    }
    let Some(s) = class else {
        return Some(Class::A);
    };
    let l = s.to_ascii_lowercase();
    let l = l.trim_start_matches("ais").trim();
    if l == "b" || l.starts_with("class b") {
        Some(Class::B)
    } else if l.starts_with("sar") {
        Some(Class::Sar)
    } else if l == "a" || l.starts_with("class a") {
        Some(Class::A)
    } else {
        None
    }
}

/// The de-duplication key of a CSV position: the same MMSI, time and
/// position is the same report, whichever export carried it.
fn position_key(time_ms: i64, lat: f64, lon: f64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        time_ms,
        (lat * 1e6).round() as i64,
        (lon * 1e6).round() as i64,
    )
        .hash(&mut h);
    h.finish()
}

/// Reads a CSV export whose header is the first line; `delim` is its
/// delimiter.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_csv(
    path: &Path,
    delim: u8,
    reader: &mut dyn BufRead,
    opts: &IngestOptions,
    sink: &mut Sink,
    rejects: &mut Rejects,
    messages: &mut u64,
    tick: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let input_err = |line: u64, msg: String| StoreError::Input {
        path: path.to_path_buf(),
        line,
        msg,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delim)
        .from_reader(crate::limits::RecordCap::new(
            reader,
            crate::limits::MAX_LINE_BYTES,
        ));
    let headers = rdr
        .headers()
        .map_err(|e| input_err(1, e.to_string()))?
        .clone();
    let mut next = |rec: &mut csv::StringRecord| -> Result<Option<u64>, (u64, csv::Error)> {
        let line = rdr.position().line();
        match rdr.read_record(rec) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(line)),
            Err(e) => Err((line, e)),
        }
    };
    read_table(
        path, &headers, delim, &mut next, opts, sink, rejects, messages, tick,
    )
}

/// Next record of a table: its line, `None` at the end, or a record error.
type NextRecord<'a> =
    dyn FnMut(&mut csv::StringRecord) -> Result<Option<u64>, (u64, csv::Error)> + 'a;

/// Reads the records of a table whose header is `headers` (a CSV file, or
/// rows built from another format).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_table(
    path: &Path,
    headers: &csv::StringRecord,
    delim: u8,
    next: &mut NextRecord<'_>,
    opts: &IngestOptions,
    sink: &mut Sink,
    rejects: &mut Rejects,
    messages: &mut u64,
    tick: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let input_err = |line: u64, msg: String| StoreError::Input {
        path: path.to_path_buf(),
        line,
        msg,
    };
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let layout = csvmap::layout_name(
        &names
            .iter()
            .map(|h| csvmap::normalise(h))
            .collect::<Vec<_>>(),
    );
    let mut mapping: CsvMapping = opts.csv.clone();
    if layout == "decoded-ais-csv" && mapping.draught_unit.is_none() {
        // Decoded-message exports keep AIS's raw unit (0.1 m).
        mapping.draught_unit = Some(csvmap::DraughtUnit::Decimetres);
    }
    let mapping = &mapping;
    let cols = csvmap::resolve(mapping, &names).map_err(|m| input_err(1, m))?;
    // The columns a row cannot do without, named as the layout names them.
    let required: &[(CsvField, &str)] = match layout {
        "marinecadastre-csv" => &[
            (CsvField::Mmsi, "MMSI"),
            (CsvField::Time, "BaseDateTime"),
            (CsvField::Lat, "LAT"),
            (CsvField::Lon, "LON"),
        ],
        "dma-csv" => &[
            (CsvField::Mmsi, "MMSI"),
            (CsvField::Time, "# Timestamp"),
            (CsvField::Lat, "Latitude"),
            (CsvField::Lon, "Longitude"),
        ],
        _ => &[
            (CsvField::Mmsi, "mmsi"),
            (CsvField::Time, "time"),
            (CsvField::Lat, "lat"),
            (CsvField::Lon, "lon"),
        ],
    };
    for (f, shown) in required {
        if *f == CsvField::Time && opts.assume_time_ms.is_some() {
            continue;
        }
        if !cols.contains_key(f) {
            let usual: Vec<&str> = f.synonyms().to_vec();
            return Err(input_err(
                1,
                format!(
                    "missing column {shown:?} for {} (usual names: {}; name it with --csv-columns {}=<header>; header has {names:?})",
                    f.key(),
                    usual.join(", "),
                    f.key()
                ),
            ));
        }
    }
    let mut last_identity: HashMap<u32, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    let cut = std::cell::Cell::new(0u64);
    let clock = opts.clock_ms.unwrap_or_else(crate::limits::wall_ms);
    loop {
        let line = match next(&mut rec) {
            Ok(None) => break,
            Ok(Some(line)) => line,
            Err((line, e)) => {
                rejects.add("bad_row", line, e.to_string(), b"", true);
                if e.is_io_error() {
                    return Err(input_err(line, e.to_string()));
                }
                continue;
            }
        };
        *messages += 1;
        if (*messages).is_multiple_of(65_536) {
            tick(*messages);
        }
        let row = Row {
            rec: &rec,
            cols: &cols,
            headers,
        };
        let mut reason = "bad_row";
        let res = (|| -> RowResult<()> {
            let time_ms = match row.get(CsvField::Time) {
                Some(t) => {
                    let ms = match row.int(CsvField::Millis)? {
                        Some(ms) if (0..1000).contains(&ms) => ms,
                        Some(_) => {
                            let v = row.get(CsvField::Millis).unwrap_or("");
                            return Err(row.bad(CsvField::Millis, "not 0-999 ms", v));
                        }
                        None => 0,
                    };
                    mapping
                        .time_format
                        .read(t)
                        .and_then(|v| v.checked_add(ms))
                        .ok_or_else(|| row.bad(CsvField::Time, "not a time", t))?
                }
                None => opts
                    .assume_time_ms
                    .ok_or_else(|| format!("column {}: empty", row.name(CsvField::Time)))?,
            };
            if !crate::limits::plausible_time(time_ms, clock) {
                reason = "implausible_time";
                return Err(format!(
                    "time {} is before 1990 or more than a day after the ingest clock",
                    ais::nmea::format_rfc3339_ms(time_ms)
                ));
            }
            let mmsi = row
                .int(CsvField::Mmsi)?
                .ok_or_else(|| format!("column {}: empty", row.name(CsvField::Mmsi)))?;
            let mmsi = u32::try_from(mmsi)
                .ok()
                .filter(|&m| m <= 999_999_999)
                .ok_or_else(|| {
                    row.bad(
                        CsvField::Mmsi,
                        "not an MMSI",
                        row.get(CsvField::Mmsi).unwrap_or(""),
                    )
                })?;
            let msg_type = row.int(CsvField::MsgType)?;
            if let Some(t) = msg_type {
                if !(1..=27).contains(&t) {
                    return Err(row.bad(
                        CsvField::MsgType,
                        "not an AIS message type",
                        row.get(CsvField::MsgType).unwrap_or(""),
                    ));
                }
            }
            let Some(class) = class_of(row.get(CsvField::Class), msg_type) else {
                return Ok(());
            };
            let fix = valid_fix(row.num(CsvField::Lat)?, row.num(CsvField::Lon)?);
            let nav_status = row
                .code(CsvField::Status, nav_status_of)?
                .filter(|&v| v <= 15);
            let heading = row
                .num(CsvField::Heading)?
                .filter(|&h| (0.0..360.0).contains(&h))
                .map(|h| h as u16);
            let sog = row
                .num(CsvField::Sog)?
                .map(|v| mapping.knots(v))
                .filter(|&v| (0.0..102.25).contains(&v))
                .map(|v| v as f32);
            let cog = row
                .num(CsvField::Cog)?
                .filter(|&v| (0.0..360.0).contains(&v))
                .map(|v| v as f32);
            // `IMO9307839`, `9307839`, `9307839.0`; `IMO0000000`, and the
            // longer numbers some exports carry in the column, are no IMO.
            let imo = match row.get(CsvField::Imo) {
                Some(s) => {
                    let d = s.trim_start_matches("IMO").trim_start_matches("imo").trim();
                    match d.parse::<f64>() {
                        Ok(v) if v.fract() == 0.0 && (1_000_000.0..=9_999_999.0).contains(&v) => {
                            Some(v as u32)
                        }
                        Ok(_) => None,
                        Err(_) if absent(d) => None,
                        Err(_) => return Err(row.bad(CsvField::Imo, "not an IMO number", s)),
                    }
                }
                None => None,
            };
            let ship_type = row
                .code(CsvField::ShipType, ship_type_of)?
                .filter(|&v| v != 0);
            let dim = |f| -> RowResult<Option<u16>> {
                Ok(row
                    .num(f)?
                    .filter(|&v| v > 0.0 && v < 65_536.0)
                    .map(|v| v.round() as u16))
            };
            let (mut to_bow, mut to_stern, mut to_port, mut to_starboard) = (
                dim(CsvField::ToBow)?,
                dim(CsvField::ToStern)?,
                dim(CsvField::ToPort)?,
                dim(CsvField::ToStarboard)?,
            );
            // Exports that give only length and width (MarineCadastre):
            // stored as bow/stern and port/starboard halves of them.
            if to_bow.is_none() && to_stern.is_none() {
                if let Some(l) = dim(CsvField::Length)? {
                    (to_bow, to_stern) = (Some(l / 2), Some(l - l / 2));
                }
            }
            if to_port.is_none() && to_starboard.is_none() {
                if let Some(w) = dim(CsvField::Width)? {
                    (to_port, to_starboard) = (Some(w / 2), Some(w - w / 2));
                }
            }
            let eta = row.get(CsvField::Eta).and_then(|s| {
                csvmap::TimeFormat::Auto
                    .read(s)
                    .or_else(|| mapping.time_format.read(s))
                    .map(|ms| {
                        let f = ais::nmea::format_rfc3339_ms(ms);
                        f[5..16].to_string()
                    })
            });
            let identity = Identity {
                time_ms,
                mmsi,
                msg_type: msg_type.map_or(0, |t| t as u8),
                imo,
                name: row.text(CsvField::Name, &cut),
                callsign: row.text(CsvField::Callsign, &cut),
                ship_type,
                to_bow: to_bow.filter(|&v| v != 0),
                to_stern: to_stern.filter(|&v| v != 0),
                to_port: to_port.filter(|&v| v != 0),
                to_starboard: to_starboard.filter(|&v| v != 0),
                draught: row
                    .num(CsvField::Draught)?
                    .map(|v| mapping.metres(v))
                    .filter(|&v| v > 0.0 && v < 100.0)
                    .map(|v| v as f32),
                destination: row.text(CsvField::Destination, &cut),
                eta,
                source: None,
                payload_hash: 0,
            };
            sink.timed += 1;
            if let Some((lat, lon)) = fix {
                sink.position(Position {
                    time_ms,
                    mmsi,
                    lat,
                    lon,
                    sog,
                    cog,
                    heading,
                    nav_status,
                    msg_type: msg_type.map_or(0, |t| t as u8),
                    class,
                    source: None,
                    accuracy: false,
                    payload_hash: position_key(time_ms, lat, lon),
                });
            }
            let has_identity = identity.imo.is_some()
                || identity.name.is_some()
                || identity.callsign.is_some()
                || identity.ship_type.is_some();
            if has_identity {
                let k = identity_key(&identity);
                if last_identity.insert(mmsi, k) != Some(k) {
                    sink.identity(Identity {
                        payload_hash: k,
                        ..identity
                    });
                }
            }
            Ok(())
        })();
        if let Err(msg) = res {
            let raw = rec
                .iter()
                .collect::<Vec<_>>()
                .join(&(delim as char).to_string());
            rejects.add(reason, line, msg, raw.as_bytes(), true);
        }
    }
    rejects.truncated_fields += cut.get();
    tick(*messages);
    Ok(())
}
