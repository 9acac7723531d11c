//! CSV exports: US MarineCadastre (`MMSI,BaseDateTime,LAT,LON,...`) and
//! Danish Maritime Authority (`# Timestamp,Type of mobile,MMSI,...`).
//! Columns are found by header name; a missing column is an error naming
//! it, a bad value a counted `bad_row` reject naming line and column.

use crate::ingest::{Format, IngestOptions, Rejects, Sink};
use crate::record::{Class, Identity, Position};
use crate::StoreError;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::path::Path;

struct Cols(HashMap<String, usize>);

impl Cols {
    fn need(&self, path: &Path, name: &str) -> Result<usize, StoreError> {
        self.0.get(name).copied().ok_or_else(|| {
            let mut found: Vec<&String> = self.0.keys().collect();
            found.sort();
            StoreError::Input {
                path: path.to_path_buf(),
                line: 1,
                msg: format!("missing column {name:?} (header has {found:?})"),
            }
        })
    }
    fn opt(&self, name: &str) -> Option<usize> {
        self.0.get(name).copied()
    }
}

/// A value error: which column and why.
type RowResult<T> = Result<T, String>;

fn field(rec: &csv::StringRecord, i: usize) -> &str {
    rec.get(i).unwrap_or("").trim()
}

fn num<T: std::str::FromStr>(
    rec: &csv::StringRecord,
    i: Option<usize>,
    name: &str,
) -> RowResult<Option<T>> {
    let Some(i) = i else { return Ok(None) };
    let s = field(rec, i);
    if s.is_empty() || s.eq_ignore_ascii_case("unknown") || s.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    s.parse::<T>().map(Some).map_err(|_| {
        format!(
            "column {name}: not a number: {:?}",
            s.chars().take(40).collect::<String>()
        )
    })
}

/// A text field, cut to [`crate::limits::MAX_TEXT_CHARS`] (cuts counted in
/// `cut`).
fn text(rec: &csv::StringRecord, i: Option<usize>, cut: &std::cell::Cell<u64>) -> Option<String> {
    let s = field(rec, i?);
    (!s.is_empty() && !s.eq_ignore_ascii_case("unknown")).then(|| {
        let mut s = s.to_string();
        if crate::limits::cap_text(&mut s) {
            cut.set(cut.get() + 1);
        }
        s
    })
}

/// `YYYY-MM-DD[T ]HH:MM:SS` (MarineCadastre) or `DD/MM/YYYY HH:MM:SS` (DMA).
fn parse_time(s: &str, day_first: bool) -> Option<i64> {
    let b = s.trim().as_bytes();
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(b.get(r)?).ok()?.parse().ok()
    };
    let (y, mo, d, rest) = if day_first {
        if b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') {
            return None;
        }
        (n(6..10)?, n(3..5)?, n(0..2)?, 11)
    } else {
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        (n(0..4)?, n(5..7)?, n(8..10)?, 11)
    };
    let (h, mi, sec) = (
        n(rest..rest + 2)?,
        n(rest + 3..rest + 5)?,
        n(rest + 6..rest + 8)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = ais::nmea::days_from_civil(y as i64, mo, d);
    Some(((days * 24 + h as i64) * 60 + mi as i64) * 60_000 + sec as i64 * 1000)
}

/// ITU navigational status from the DMA text.
fn nav_status_of(s: &str) -> Option<u8> {
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

fn row_hash(rec: &csv::StringRecord) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in rec.iter() {
        f.hash(&mut h);
    }
    h.finish()
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

#[allow(clippy::too_many_arguments)]
pub(crate) fn read_csv(
    path: &Path,
    format: Format,
    reader: &mut dyn BufRead,
    opts: &IngestOptions,
    sink: &mut Sink,
    rejects: &mut Rejects,
    messages: &mut u64,
    tick: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(crate::limits::RecordCap::new(
            reader,
            crate::limits::MAX_LINE_BYTES,
        ));
    let headers = rdr
        .headers()
        .map_err(|e| StoreError::Input {
            path: path.to_path_buf(),
            line: 1,
            msg: e.to_string(),
        })?
        .clone();
    let cols = Cols(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_string(), i))
            .collect(),
    );
    let dma = format == Format::Dma;
    let c_time = cols
        .need(path, if dma { "# Timestamp" } else { "BaseDateTime" })
        .or_else(|e| {
            if dma {
                cols.need(path, "Timestamp")
            } else {
                Err(e)
            }
        })?;
    let c_mmsi = cols.need(path, "MMSI")?;
    let c_lat = cols.need(path, if dma { "Latitude" } else { "LAT" })?;
    let c_lon = cols.need(path, if dma { "Longitude" } else { "LON" })?;
    let c_sog = cols.opt("SOG");
    let c_cog = cols.opt("COG");
    let c_heading = cols.opt("Heading");
    let (c_name, c_imo, c_call) = if dma {
        (cols.opt("Name"), cols.opt("IMO"), cols.opt("Callsign"))
    } else {
        (
            cols.opt("VesselName"),
            cols.opt("IMO"),
            cols.opt("CallSign"),
        )
    };
    let c_type = cols.opt(if dma { "Ship type" } else { "VesselType" });
    let c_status = cols.opt(if dma { "Navigational status" } else { "Status" });
    let c_draught = cols.opt(if dma { "Draught" } else { "Draft" });
    let c_len = cols.opt("Length");
    let c_width = cols.opt("Width");
    let c_class = cols.opt(if dma {
        "Type of mobile"
    } else {
        "TransceiverClass"
    });
    let c_dest = cols.opt("Destination");
    let c_eta = cols.opt("ETA");
    let (c_a, c_b, c_c, c_d) = (cols.opt("A"), cols.opt("B"), cols.opt("C"), cols.opt("D"));
    let mut last_identity: HashMap<u32, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    let cut = std::cell::Cell::new(0u64);
    let clock = opts.clock_ms.unwrap_or_else(crate::limits::wall_ms);
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                rejects.add("bad_row", line, e.to_string(), b"", true);
                if e.is_io_error() {
                    return Err(StoreError::Input {
                        path: path.to_path_buf(),
                        line,
                        msg: e.to_string(),
                    });
                }
                continue;
            }
        }
        *messages += 1;
        if (*messages).is_multiple_of(65_536) {
            tick(*messages);
        }
        let raw = rec.iter().collect::<Vec<_>>().join(",");
        let mut reason = "bad_row";
        let row = (|| -> RowResult<()> {
            let t = field(&rec, c_time);
            let time_ms = match parse_time(t, dma).or(opts.assume_time_ms) {
                Some(v) => v,
                None => {
                    return Err(format!(
                        "column {}: not a time: {:?}",
                        headers.get(c_time).unwrap_or("time"),
                        t.chars().take(40).collect::<String>()
                    ))
                }
            };
            if !crate::limits::plausible_time(time_ms, clock) {
                reason = "implausible_time";
                return Err(format!(
                    "time {} is before 1990 or more than a day after the ingest clock",
                    t.chars().take(40).collect::<String>()
                ));
            }
            let mmsi: u32 = num(&rec, Some(c_mmsi), "MMSI")?.ok_or("column MMSI: empty")?;
            let class = match c_class.map(|i| field(&rec, i)) {
                Some(s) if s.eq_ignore_ascii_case("Class B") || s == "B" => Some(Class::B),
                Some(s) if s.to_ascii_lowercase().starts_with("sar") => Some(Class::Sar),
                Some(s) if s.eq_ignore_ascii_case("Class A") || s == "A" || s.is_empty() => {
                    Some(Class::A)
                }
                // Base stations, aids to navigation and the like are not vessels.
                Some(_) if dma => None,
                _ => Some(Class::A),
            };
            let Some(class) = class else { return Ok(()) };
            let hash = row_hash(&rec);
            let fix = valid_fix(
                num(&rec, Some(c_lat), if dma { "Latitude" } else { "LAT" })?,
                num(&rec, Some(c_lon), if dma { "Longitude" } else { "LON" })?,
            );
            let nav_status = if dma {
                c_status.and_then(|i| nav_status_of(field(&rec, i)))
            } else {
                num::<u8>(&rec, c_status, "Status")?.filter(|&v| v <= 15)
            };
            let heading = num::<f64>(&rec, c_heading, "Heading")?
                .filter(|&h| (0.0..360.0).contains(&h))
                .map(|h| h as u16);
            let sog = num::<f32>(&rec, c_sog, "SOG")?.filter(|&v| (0.0..102.3).contains(&v));
            let cog = num::<f32>(&rec, c_cog, "COG")?.filter(|&v| (0.0..360.0).contains(&v));
            // Identity fields.
            let imo = match c_imo.map(|i| field(&rec, i)) {
                Some(s) => {
                    let d = s.trim_start_matches("IMO").trim();
                    if d.is_empty() || d.eq_ignore_ascii_case("unknown") {
                        None
                    } else {
                        Some(d.parse::<u32>().map_err(|_| {
                            format!(
                                "column IMO: not an IMO number: {:?}",
                                s.chars().take(40).collect::<String>()
                            )
                        })?)
                        .filter(|&v| v != 0)
                    }
                }
                None => None,
            };
            let ship_type = if dma {
                c_type.and_then(|i| ship_type_of(field(&rec, i)))
            } else {
                num::<u8>(&rec, c_type, "VesselType")?.filter(|&v| v != 0)
            };
            let (to_bow, to_stern, to_port, to_starboard) = if dma {
                (
                    num::<u16>(&rec, c_a, "A")?,
                    num::<u16>(&rec, c_b, "B")?,
                    num::<u16>(&rec, c_c, "C")?,
                    num::<u16>(&rec, c_d, "D")?,
                )
            } else {
                // MarineCadastre gives only length and width: stored as
                // bow/stern and port/starboard halves of them.
                let len = num::<f64>(&rec, c_len, "Length")?
                    .filter(|&v| v > 0.0)
                    .map(|v| v.round() as u16);
                let wid = num::<f64>(&rec, c_width, "Width")?
                    .filter(|&v| v > 0.0)
                    .map(|v| v.round() as u16);
                (
                    len.map(|l| l / 2),
                    len.map(|l| l - l / 2),
                    wid.map(|w| w / 2),
                    wid.map(|w| w - w / 2),
                )
            };
            let eta = match c_eta.map(|i| field(&rec, i)) {
                Some(s) if !s.is_empty() => parse_time(s, true)
                    .or_else(|| parse_time(s, false))
                    .map(|ms| {
                        let f = ais::nmea::format_rfc3339_ms(ms);
                        f[5..16].to_string()
                    }),
                _ => None,
            };
            let identity = Identity {
                time_ms,
                mmsi,
                msg_type: 0,
                imo,
                name: text(&rec, c_name, &cut),
                callsign: text(&rec, c_call, &cut),
                ship_type,
                to_bow: to_bow.filter(|&v| v != 0),
                to_stern: to_stern.filter(|&v| v != 0),
                to_port: to_port.filter(|&v| v != 0),
                to_starboard: to_starboard.filter(|&v| v != 0),
                draught: num::<f32>(&rec, c_draught, if dma { "Draught" } else { "Draft" })?
                    .filter(|&v| v > 0.0),
                destination: text(&rec, c_dest, &cut),
                eta,
                source: None,
                payload_hash: hash,
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
                    msg_type: 0,
                    class,
                    source: None,
                    accuracy: false,
                    payload_hash: hash,
                });
            }
            let has_identity = identity.imo.is_some()
                || identity.name.is_some()
                || identity.callsign.is_some()
                || identity.ship_type.is_some();
            if has_identity {
                let k = identity_key(&identity);
                if last_identity.insert(mmsi, k) != Some(k) {
                    sink.identity(identity);
                }
            }
            Ok(())
        })();
        if let Err(msg) = row {
            rejects.add(reason, line, msg, raw.as_bytes(), true);
        }
    }
    rejects.truncated_fields += cut.get();
    tick(*messages);
    Ok(())
}
