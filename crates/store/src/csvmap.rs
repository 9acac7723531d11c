//! How a CSV export's columns map onto AIS fields.
//!
//! Every provider and national authority names its columns differently, so
//! a CSV is read through a [`CsvMapping`]: columns named by the user
//! (`--csv-columns mmsi=MMSI,time=BaseDateTime,...` or `[ingest.csv]` in
//! shiptrace.toml) and, for every field the user did not name, the first
//! header that is one of the field's usual names ([`CsvField::synonyms`]).
//! Headers are compared case-insensitively and ignoring everything but
//! letters and digits, so `BaseDateTime`, `base_date_time` and
//! `# Timestamp` / `Timestamp` are each one name.

use std::collections::BTreeMap;

/// A field a CSV column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CsvField {
    /// MMSI (required).
    Mmsi,
    /// Receive or report time (required unless `--assume-time`).
    Time,
    /// Milliseconds to add to a time given in whole seconds (decoded-message
    /// exports keep them in a column of their own).
    Millis,
    /// Latitude, degrees.
    Lat,
    /// Longitude, degrees.
    Lon,
    /// Speed over ground (unit: [`CsvMapping::speed_unit`]).
    Sog,
    /// Course over ground, degrees.
    Cog,
    /// True heading, degrees.
    Heading,
    /// Navigational status: ITU code or its text.
    Status,
    /// AIS message type of the row (decoded-message exports).
    MsgType,
    /// Vessel name.
    Name,
    /// IMO number (`9307839` or `IMO9307839`).
    Imo,
    /// Call sign.
    Callsign,
    /// Ship type: ITU code or its text.
    ShipType,
    /// Draught (unit: [`CsvMapping::draught_unit`]).
    Draught,
    /// Length overall, metres.
    Length,
    /// Beam, metres.
    Width,
    /// Antenna to bow (dimension A), metres.
    ToBow,
    /// Antenna to stern (B), metres.
    ToStern,
    /// Antenna to port (C), metres.
    ToPort,
    /// Antenna to starboard (D), metres.
    ToStarboard,
    /// Transponder class (`A`, `Class B`, `Base Station`...).
    Class,
    /// Destination.
    Destination,
    /// ETA.
    Eta,
}

impl CsvField {
    /// Every field, in mapping order.
    pub const ALL: [CsvField; 24] = [
        CsvField::Mmsi,
        CsvField::Time,
        CsvField::Millis,
        CsvField::Lat,
        CsvField::Lon,
        CsvField::Sog,
        CsvField::Cog,
        CsvField::Heading,
        CsvField::Status,
        CsvField::MsgType,
        CsvField::Name,
        CsvField::Imo,
        CsvField::Callsign,
        CsvField::ShipType,
        CsvField::Draught,
        CsvField::Length,
        CsvField::Width,
        CsvField::ToBow,
        CsvField::ToStern,
        CsvField::ToPort,
        CsvField::ToStarboard,
        CsvField::Class,
        CsvField::Destination,
        CsvField::Eta,
    ];

    /// Its key in a mapping (`mmsi`, `time`, `lat`...).
    pub fn key(self) -> &'static str {
        match self {
            CsvField::Mmsi => "mmsi",
            CsvField::Time => "time",
            CsvField::Millis => "millis",
            CsvField::Lat => "lat",
            CsvField::Lon => "lon",
            CsvField::Sog => "sog",
            CsvField::Cog => "cog",
            CsvField::Heading => "heading",
            CsvField::Status => "status",
            CsvField::MsgType => "msg_type",
            CsvField::Name => "name",
            CsvField::Imo => "imo",
            CsvField::Callsign => "callsign",
            CsvField::ShipType => "ship_type",
            CsvField::Draught => "draught",
            CsvField::Length => "length",
            CsvField::Width => "width",
            CsvField::ToBow => "to_bow",
            CsvField::ToStern => "to_stern",
            CsvField::ToPort => "to_port",
            CsvField::ToStarboard => "to_starboard",
            CsvField::Class => "class",
            CsvField::Destination => "destination",
            CsvField::Eta => "eta",
        }
    }

    /// The usual header names of the field, normalised (lower case, letters
    /// and digits only), in order of preference: MarineCadastre, the Danish
    /// Maritime Authority, AISHub, decoded-message exports and common
    /// spellings. `type` is a ship type (AISHub), never a message type.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            CsvField::Mmsi => &["mmsi", "userid", "sourcemmsi"],
            CsvField::Time => &[
                "basedatetime",
                "timestamp",
                "time",
                "datetime",
                "timeutc",
                "timestamputc",
                "utc",
                "receivedtime",
                "receivedat",
                "msgtime",
                "positiontime",
                "ts",
            ],
            CsvField::Millis => &["millisecond", "milliseconds"],
            CsvField::Lat => &["lat", "latitude"],
            CsvField::Lon => &["lon", "longitude", "long", "lng"],
            CsvField::Sog => &["sog", "speedoverground", "speed"],
            CsvField::Cog => &["cog", "courseoverground", "course"],
            CsvField::Heading => &["heading", "trueheading", "hdg"],
            CsvField::Status => &[
                "status",
                "navigationalstatus",
                "navstat",
                "navstatus",
                "navigationstatus",
            ],
            CsvField::MsgType => &["messageid", "msgtype", "messagetype", "msgid"],
            CsvField::Name => &["vesselname", "name", "shipname"],
            CsvField::Imo => &["imo", "imonumber"],
            CsvField::Callsign => &["callsign"],
            CsvField::ShipType => &["vesseltype", "shiptype", "type", "shipandcargotype"],
            CsvField::Draught => &["draft", "draught", "staticdraught"],
            CsvField::Length => &["length", "loa"],
            CsvField::Width => &["width", "beam"],
            CsvField::ToBow => &["a", "tobow", "dimensiontobow", "dima"],
            CsvField::ToStern => &["b", "tostern", "dimensiontostern", "dimb"],
            CsvField::ToPort => &["c", "toport", "dimensiontoport", "dimc"],
            CsvField::ToStarboard => &["d", "tostarboard", "dimensiontostarboard", "dimd"],
            CsvField::Class => &["transceiverclass", "transceiver", "typeofmobile", "class"],
            CsvField::Destination => &["destination", "dest"],
            CsvField::Eta => &["eta"],
        }
    }

    fn from_key(k: &str) -> Option<CsvField> {
        CsvField::ALL.into_iter().find(|f| f.key() == k)
    }
}

/// How the time column is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// Told from each value: `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z| UTC| GMT]`,
    /// `DD/MM/YYYY HH:MM:SS` (day first, as the Danish exports),
    /// `YYYYMMDD_HHMMSS`, `YYYYMMDDHHMMSS`, or unix seconds (up to 11
    /// digits) / milliseconds (12 or 13 digits).
    #[default]
    Auto,
    /// RFC 3339 (`2024-01-01T12:00:00Z`, any offset).
    Rfc3339,
    /// Unix seconds (fractions allowed).
    UnixSeconds,
    /// Unix milliseconds.
    UnixMillis,
    /// A strftime pattern (`%d/%m/%Y %H:%M:%S`); times without an offset
    /// are UTC.
    Pattern(String),
}

impl TimeFormat {
    /// Parses a name (`auto`, `rfc3339`, `unix`, `unix_ms`) or a pattern
    /// with `%` directives.
    pub fn parse(s: &str) -> Result<TimeFormat, String> {
        Ok(match s.trim() {
            "auto" => TimeFormat::Auto,
            "rfc3339" => TimeFormat::Rfc3339,
            "unix" | "unix_s" | "unix_seconds" => TimeFormat::UnixSeconds,
            "unix_ms" | "unix_millis" => TimeFormat::UnixMillis,
            p if p.contains('%') => {
                // A pattern jiff cannot write is one it cannot read either.
                let probe = jiff::civil::date(2024, 1, 2)
                    .at(3, 4, 5, 0)
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map_err(|e| e.to_string())?;
                jiff::fmt::strtime::format(p, &probe)
                    .map_err(|e| format!("time format {p:?}: {e}"))?;
                TimeFormat::Pattern(p.to_string())
            }
            other => {
                return Err(format!(
                    "time format {other:?}: expected auto, rfc3339, unix, unix_ms or a strftime pattern such as %d/%m/%Y %H:%M:%S"
                ))
            }
        })
    }

    /// A value in this format as unix milliseconds.
    pub fn read(&self, s: &str) -> Option<i64> {
        let s = s.trim();
        match self {
            TimeFormat::Auto => auto_time(s),
            TimeFormat::Rfc3339 => s
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.as_millisecond()),
            TimeFormat::UnixSeconds => {
                let v: f64 = s.parse().ok()?;
                v.is_finite()
                    .then(|| (v * 1000.0).round())
                    .filter(|v| v.abs() < 1e15)
                    .map(|v| v as i64)
            }
            TimeFormat::UnixMillis => s.parse::<i64>().ok(),
            TimeFormat::Pattern(p) => {
                let bdt = jiff::fmt::strtime::parse(p, s).ok()?;
                if let Ok(ts) = bdt.to_timestamp() {
                    return Some(ts.as_millisecond());
                }
                let dt = bdt.to_datetime().ok()?;
                dt.to_zoned(jiff::tz::TimeZone::UTC)
                    .ok()
                    .map(|z| z.timestamp().as_millisecond())
            }
        }
    }
}

/// The time forms [`TimeFormat::Auto`] recognises.
fn auto_time(s: &str) -> Option<i64> {
    // every form is ASCII; this also keeps the slicing below on
    // character boundaries
    if !s.is_ascii() {
        return None;
    }
    let b = s.as_bytes();
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(d).ok()?.parse().ok()
    };
    let civil = |y: u32, mo: u32, d: u32, h: u32, mi: u32, sec: u32, ms: u32| -> Option<i64> {
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let days = ais::nmea::days_from_civil(y as i64, mo, d);
        Some(((days * 24 + h as i64) * 60 + mi as i64) * 60_000 + sec as i64 * 1000 + ms as i64)
    };
    // Fraction of a second after position `at`, and what follows it.
    let frac = |at: usize| -> Option<(u32, usize)> {
        if b.get(at) != Some(&b'.') {
            return Some((0, at));
        }
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let mut ms = 0u32;
        for i in 0..3 {
            ms = ms * 10
                + b.get(at + 1 + i)
                    .filter(|_| i < digits)
                    .map_or(0, |c| (c - b'0') as u32);
        }
        Some((ms, at + 1 + digits))
    };
    // Only UTC designators may follow: a local time would be silently wrong.
    let utc_tail = |at: usize| -> bool {
        matches!(
            s[at..].trim(),
            "" | "Z" | "z" | "UTC" | "GMT" | "+00:00" | "+0000" | "+00" | "-00:00"
        )
    };
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b' ' | b't') {
        let (ms, end) = frac(19)?;
        if b[13] != b':' || b[16] != b':' || !utc_tail(end) {
            return None;
        }
        return civil(
            n(0..4)?,
            n(5..7)?,
            n(8..10)?,
            n(11..13)?,
            n(14..16)?,
            n(17..19)?,
            ms,
        );
    }
    if b.len() >= 19 && b[2] == b'/' && b[5] == b'/' && b[10] == b' ' {
        let (ms, end) = frac(19)?;
        if b[13] != b':' || b[16] != b':' || !utc_tail(end) {
            return None;
        }
        return civil(
            n(6..10)?,
            n(3..5)?,
            n(0..2)?,
            n(11..13)?,
            n(14..16)?,
            n(17..19)?,
            ms,
        );
    }
    if b.len() >= 15 && b[8] == b'_' {
        let (ms, end) = frac(15)?;
        if !utc_tail(end) {
            return None;
        }
        return civil(
            n(0..4)?,
            n(4..6)?,
            n(6..8)?,
            n(9..11)?,
            n(11..13)?,
            n(13..15)?,
            ms,
        );
    }
    if b.len() == 14 && b.iter().all(u8::is_ascii_digit) {
        return civil(
            n(0..4)?,
            n(4..6)?,
            n(6..8)?,
            n(8..10)?,
            n(10..12)?,
            n(12..14)?,
            0,
        );
    }
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len > 0 && (int_len == b.len() || b.get(int_len) == Some(&b'.')) {
        return match int_len {
            1..=11 => TimeFormat::UnixSeconds.read(s),
            12 | 13 if int_len == b.len() => s.parse().ok(),
            _ => None,
        };
    }
    None
}

/// Speed units exports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpeedUnit {
    /// Knots (AIS's own unit).
    #[default]
    Knots,
    /// Metres per second.
    MetresPerSecond,
    /// Kilometres per hour.
    KmPerHour,
}

/// Draught units exports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DraughtUnit {
    /// Metres.
    #[default]
    Metres,
    /// Decimetres (AIS's own unit, as some raw exports keep it).
    Decimetres,
}

/// A CSV layout: columns the user named, the time format and units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvMapping {
    /// Header names by field; fields not named are found by their usual
    /// names.
    pub columns: BTreeMap<CsvField, String>,
    /// How times are written.
    pub time_format: TimeFormat,
    /// The speed column's unit; `None`: knots.
    pub speed_unit: Option<SpeedUnit>,
    /// The draught column's unit; `None`: the layout's (decimetres for
    /// decoded-message exports, which keep AIS's raw unit; metres for all
    /// others).
    pub draught_unit: Option<DraughtUnit>,
}

impl CsvMapping {
    /// Whether it is the default (every column by its usual names).
    pub fn is_default(&self) -> bool {
        *self == CsvMapping::default()
    }

    /// Parses `key=value,key=value`: a field key (`mmsi`, `time`, `lat`,
    /// `lon`, ... see [`CsvField::key`]) names its column; `time_format`,
    /// `speed_unit` (`knots`, `m/s`, `km/h`) and `draught_unit` (`m`, `dm`)
    /// set the rest.
    pub fn parse(spec: &str) -> Result<CsvMapping, String> {
        let mut m = CsvMapping::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected key=value"))?;
            m.set(k.trim(), v.trim())?;
        }
        Ok(m)
    }

    /// Sets one key (as in [`CsvMapping::parse`]).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "time_format" => self.time_format = TimeFormat::parse(value)?,
            "speed_unit" => {
                self.speed_unit = Some(match value {
                    "knots" | "kn" | "kt" => SpeedUnit::Knots,
                    "m/s" | "mps" => SpeedUnit::MetresPerSecond,
                    "km/h" | "kmh" => SpeedUnit::KmPerHour,
                    _ => return Err(format!("speed_unit {value:?}: expected knots, m/s or km/h")),
                })
            }
            "draught_unit" => {
                self.draught_unit = Some(match value {
                    "m" => DraughtUnit::Metres,
                    "dm" => DraughtUnit::Decimetres,
                    _ => return Err(format!("draught_unit {value:?}: expected m or dm")),
                })
            }
            k => {
                let f = CsvField::from_key(k).ok_or_else(|| {
                    let keys: Vec<&str> = CsvField::ALL.iter().map(|f| f.key()).collect();
                    format!(
                        "unknown CSV mapping key {k:?}: expected one of {}, time_format, speed_unit, draught_unit",
                        keys.join(", ")
                    )
                })?;
                if value.is_empty() || value.chars().any(char::is_control) {
                    return Err(format!("{k}: a column name is needed"));
                }
                self.columns.insert(f, value.to_string());
            }
        }
        Ok(())
    }

    /// Speed in knots from the column's unit.
    pub(crate) fn knots(&self, v: f64) -> f64 {
        match self.speed_unit.unwrap_or_default() {
            SpeedUnit::Knots => v,
            SpeedUnit::MetresPerSecond => v * 3600.0 / 1852.0,
            SpeedUnit::KmPerHour => v / 1.852,
        }
    }

    /// Draught in metres from the column's unit.
    pub(crate) fn metres(&self, v: f64) -> f64 {
        match self.draught_unit.unwrap_or_default() {
            DraughtUnit::Metres => v,
            DraughtUnit::Decimetres => v / 10.0,
        }
    }
}

/// A header name compared as the mapping compares it.
pub(crate) fn normalise(h: &str) -> String {
    h.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which known export a header is (its name in the manifest).
pub(crate) fn layout_name(normalised: &[String]) -> &'static str {
    let has = |n: &str| normalised.iter().any(|h| h == n);
    if has("basedatetime") {
        "marinecadastre-csv"
    } else if has("typeofmobile") {
        "dma-csv"
    } else if has("messageid") && has("repeatindicator") {
        "decoded-ais-csv"
    } else if has("navstat") && has("dest") {
        "aishub-csv"
    } else {
        "csv"
    }
}

/// Columns of a header by field: the user's names first, then the usual
/// ones. A named column that the header lacks is an error.
pub(crate) fn resolve(
    mapping: &CsvMapping,
    headers: &[String],
) -> Result<BTreeMap<CsvField, usize>, String> {
    let norm: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut out = BTreeMap::new();
    for (f, name) in &mapping.columns {
        let n = normalise(name);
        let i = headers
            .iter()
            .position(|h| h.trim() == name)
            .or_else(|| norm.iter().position(|h| !n.is_empty() && *h == n))
            .ok_or_else(|| {
                format!(
                    "the mapping names column {name:?} for {} (header has {headers:?})",
                    f.key()
                )
            })?;
        out.insert(*f, i);
    }
    let taken: Vec<usize> = out.values().copied().collect();
    for f in CsvField::ALL {
        if out.contains_key(&f) {
            continue;
        }
        if let Some(i) = f.synonyms().iter().find_map(|s| {
            norm.iter()
                .position(|h| h == s)
                .filter(|i| !taken.contains(i))
        }) {
            out.insert(f, i);
        }
    }
    Ok(out)
}

/// Whether a first line is a CSV header this reader can take: it has an
/// MMSI column (the user's, or one of the usual names) and is not NMEA.
pub(crate) fn looks_like_header(line: &str, mapping: &CsvMapping) -> Option<u8> {
    let l = line.trim_start_matches('\u{feff}').trim();
    if l.contains("VDM,") || l.contains("VDO,") || l.starts_with('!') || l.starts_with('\\') {
        return None;
    }
    let delim = sniff_delimiter(l);
    let user = mapping.columns.get(&CsvField::Mmsi).map(|s| normalise(s));
    l.split(delim as char)
        .map(normalise)
        .any(|h| {
            user.as_deref() == Some(h.as_str())
                || (user.is_none() && CsvField::Mmsi.synonyms().contains(&h.as_str()))
        })
        .then_some(delim)
}

/// The header's delimiter: comma, semicolon or tab, whichever it has most.
pub(crate) fn sniff_delimiter(line: &str) -> u8 {
    let count = |c: char| line.matches(c).count();
    let (c, s, t) = (count(','), count(';'), count('\t'));
    if t > c && t >= s {
        b'\t'
    } else if s > c {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_auto_form() {
        let t = |s: &str| TimeFormat::Auto.read(s);
        let want = Some(1_625_165_511_000);
        assert_eq!(t("2021-07-01T18:51:51"), want);
        assert_eq!(t("2021-07-01 18:51:51"), want);
        assert_eq!(t("2021-07-01T18:51:51Z"), want);
        assert_eq!(t("2021-07-01 18:51:51 GMT"), want);
        assert_eq!(t("2021-07-01T18:51:51.250"), want.map(|v| v + 250));
        assert_eq!(t("01/07/2021 18:51:51"), want);
        assert_eq!(t("20210701_185151"), want);
        assert_eq!(t("20210701185151"), want);
        assert_eq!(t("1625165511"), want);
        assert_eq!(t("1625165511.5"), want.map(|v| v + 500));
        assert_eq!(t("1625165511000"), want);
        for bad in [
            "",
            "yesterday",
            "2021-13-01T00:00:00",
            "2021-07-01T18:51:51+02:00",
            "2021-07-01T18:51",
            "99999999999999999999",
            "2021-07-01T18:51:5\u{e9}",
            "01/07/2021 18:51:5\u{e9}",
            "20210701_18515\u{e9}",
            "20210701_1851",
            "2021-07-01T18:51:51.",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn named_and_pattern_formats() {
        let f = TimeFormat::parse("%m/%d/%Y %I:%M:%S %p").unwrap();
        assert_eq!(f.read("07/01/2021 06:51:51 PM"), Some(1_625_165_511_000));
        assert_eq!(f.read("13/01/2021 06:51:51 PM"), None);
        let f = TimeFormat::parse("%Y-%m-%d %H:%M:%S%z").unwrap();
        assert_eq!(f.read("2021-07-01 20:51:51+0200"), Some(1_625_165_511_000));
        assert_eq!(
            TimeFormat::parse("rfc3339")
                .unwrap()
                .read("2021-07-01T20:51:51+02:00"),
            Some(1_625_165_511_000)
        );
        assert_eq!(
            TimeFormat::parse("unix_ms").unwrap().read("1625165511000"),
            Some(1_625_165_511_000)
        );
        assert!(TimeFormat::parse("%Y %").is_err());
        assert!(TimeFormat::parse("dd/mm/yyyy").is_err());
    }

    #[test]
    fn a_spec_names_columns_and_units_and_refuses_unknown_keys() {
        let m = CsvMapping::parse(
            "mmsi=Ship ID, time=When,time_format=unix,speed_unit=m/s,draught_unit=dm",
        )
        .unwrap();
        assert_eq!(m.columns[&CsvField::Mmsi], "Ship ID");
        assert_eq!(m.time_format, TimeFormat::UnixSeconds);
        assert!((m.knots(1.0) - 1.943_844).abs() < 1e-5);
        assert_eq!(m.metres(71.0), 7.1);
        for bad in [
            "mmsi",
            "speed=SOG",
            "speed_unit=mph",
            "draught_unit=ft",
            "lat=",
        ] {
            assert!(CsvMapping::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_resolve_by_usual_names_and_the_users_first() {
        let h: Vec<String> = "MMSI,base_date_time,LAT,LON,Type,NAVSTAT"
            .split(',')
            .map(String::from)
            .collect();
        let c = resolve(&CsvMapping::default(), &h).unwrap();
        assert_eq!(c[&CsvField::Time], 1);
        assert_eq!(c[&CsvField::ShipType], 4);
        assert_eq!(c[&CsvField::Status], 5);
        assert!(!c.contains_key(&CsvField::MsgType));
        let m = CsvMapping::parse("lat=LON,lon=LAT").unwrap();
        let c = resolve(&m, &h).unwrap();
        assert_eq!((c[&CsvField::Lat], c[&CsvField::Lon]), (3, 2));
        let e = resolve(&CsvMapping::parse("mmsi=Vessel").unwrap(), &h).unwrap_err();
        assert!(e.contains("\"Vessel\" for mmsi"), "{e}");
        assert_eq!(
            looks_like_header("mmsi;lat;lon", &CsvMapping::default()),
            Some(b';')
        );
        assert_eq!(
            looks_like_header("!AIVDM,1,1,,A,MMSI,0*00", &CsvMapping::default()),
            None
        );
    }
}
