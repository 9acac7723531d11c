//! Vessel lists investigators work from, in the formats they come in:
//! US OFAC `sdn.csv`, OpenSanctions-style CSV, the UN 1718 Committee's
//! designated-vessels table as CSV, and a hand-written TOML watchlist.
//!
//! A bad row never stops a load: it becomes a [`RowError`] naming the file
//! and line, and the other rows still load.

use crate::network::{Link, LinkKind, Party, PartyKind, Subject};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One listed vessel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Which list: "OFAC SDN", "OpenSanctions", "UN 1718", or the TOML
    /// file's `list` name.
    pub list: String,
    /// The listed name.
    pub name: String,
    /// Other and former names.
    pub aliases: Vec<String>,
    /// IMO number.
    pub imo: Option<u32>,
    /// MMSI.
    pub mmsi: Option<u32>,
    /// Call sign.
    pub callsign: Option<String>,
    /// Flag.
    pub flag: Option<String>,
    /// Programme, reason or notes, as the list gives them.
    pub program: Option<String>,
    /// Date of designation, as the list gives it.
    pub designated: Option<String>,
    /// `file:line` the entry came from.
    pub origin: String,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The list file.
    pub file: String,
    /// Line, from 1.
    pub line: u64,
    /// What is wrong.
    pub msg: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.msg)
    }
}

/// A list that could not be read at all (missing file, unknown format).
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file could not be read.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The file is not a list of a known format.
    #[error("{0}: {1}")]
    Format(String, String),
}

/// What a load of a list or register found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Listed vessels.
    pub entries: Vec<Entry>,
    /// Companies and people the list names, and the links it gives
    /// (OFAC's `Linked To:`, OpenSanctions' company rows, FtM relations).
    pub fragment: crate::network::Fragment,
    /// Rows that could not be read.
    pub errors: Vec<RowError>,
}

/// The formats [`load`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OFAC's sdn.csv.
    OfacSdn,
    /// OpenSanctions CSV.
    OpenSanctions,
    /// The UN 1718 Committee's list (CSV).
    Un1718,
    /// shiptrace's own TOML list.
    Toml,
    /// OpenSanctions' FollowTheMoney entities, JSON lines.
    Ftm,
}

/// Reads a list, choosing the format from the extension and the header.
/// FtM files are streamed (never held whole).
pub fn load(path: &Path) -> Result<Loaded, ListError> {
    let name = path.display().to_string();
    if is_ftm(path).map_err(|e| ListError::Io(name.clone(), e))? {
        let f = std::fs::File::open(path).map_err(|e| ListError::Io(name.clone(), e))?;
        return Ok(crate::registry::parse_ftm(
            std::io::BufReader::new(f),
            &name,
        ));
    }
    let text = read_text(path).map_err(|e| ListError::Format(name.clone(), e))?;
    let fmt = sniff(path, &text).ok_or_else(|| {
        ListError::Format(
            name.clone(),
            "not a known list format (OFAC sdn.csv, OpenSanctions CSV with a name column, UN 1718 CSV with vessel_name, or TOML with [[vessel]])".into(),
        )
    })?;
    parse(&text, fmt, &name)
}

/// A list, register, ledger or observations file read whole, refused
/// above [`store::limits::MAX_DOCUMENT_BYTES`] (256 MiB: a full OFAC list is
/// a few MB) with the size in the message.
pub fn read_text(path: &Path) -> Result<String, String> {
    let max = store::limits::MAX_DOCUMENT_BYTES;
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > max {
        return Err(format!(
            "{len} bytes: larger than the {max} bytes a list, register or ledger may have (FtM entities are read line by line: give them a .json or .jsonl name)"
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// Whether a file holds FtM entities: a `.json`/`.jsonl`/`.ftm` name, or
/// a first line that is a JSON object.
fn is_ftm(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("json" | "jsonl" | "ftm" | "ndjson")) {
        return Ok(true);
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    Ok(head[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{'))
}

/// Guesses the format of a list.
pub fn sniff(path: &Path, text: &str) -> Option<Format> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return Some(Format::Toml);
    }
    let head = text.lines().next().unwrap_or("").to_ascii_lowercase();
    if head.contains("vessel_name") && head.contains("imo_number") {
        Some(Format::Un1718)
    } else if head
        .split(',')
        .any(|c| c.trim().trim_matches('"') == "name")
    {
        Some(Format::OpenSanctions)
    } else if head.starts_with(|c: char| c.is_ascii_digit()) {
        // sdn.csv has no header: the first field is the entity number
        Some(Format::OfacSdn)
    } else {
        None
    }
}

/// Parses a list's text in a known format. `name` labels errors.
pub fn parse(text: &str, fmt: Format, name: &str) -> Result<Loaded, ListError> {
    match fmt {
        Format::OfacSdn => Ok(parse_ofac(text, name)),
        Format::OpenSanctions => parse_opensanctions(text, name),
        Format::Un1718 => parse_un1718(text, name),
        Format::Toml => parse_toml(text, name),
        Format::Ftm => Ok(crate::registry::parse_ftm(text.as_bytes(), name)),
    }
}

/// OFAC's "no value" marker is `-0-` (often with a trailing space).
fn ofac_field(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t != "-0-").then(|| t.to_string())
}

/// The digits following `key` (e.g. "IMO", "MMSI") in free text, if
/// exactly `len` long.
fn number_after(text: &str, key: &str, len: usize) -> Option<u32> {
    let upper = text.to_ascii_uppercase();
    let mut from = 0;
    while let Some(i) = upper[from..].find(key) {
        let start = from + i + key.len();
        let rest = upper[start..].trim_start_matches([' ', ':', '#']);
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.len() == len {
            return digits.parse().ok();
        }
        from = start;
    }
    None
}

fn parse_ofac(text: &str, name: &str) -> Loaded {
    let mut out = Loaded::default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.errors.push(RowError {
                    file: name.into(),
                    line,
                    msg: format!("unreadable CSV row: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1
            && rec
                .get(0)
                .is_some_and(|f| f.trim().is_empty() || f.starts_with('\u{1a}'))
        {
            continue; // blank line or the DOS end-of-file marker sdn.csv ends with
        }
        if rec.len() < 12 {
            out.errors.push(RowError {
                file: name.into(),
                line,
                msg: format!("{} fields, sdn.csv rows have 12", rec.len()),
            });
            continue;
        }
        let f = |i: usize| rec.get(i).and_then(ofac_field);
        let kind = f(2).unwrap_or_default().to_ascii_lowercase();
        let remarks = f(11).unwrap_or_default();
        let origin = format!("{name}:{line}");
        let listed = format!(
            "OFAC SDN ({})",
            f(3).unwrap_or_else(|| "no programme".into())
        );
        if kind != "vessel" {
            if kind == "aircraft" {
                continue;
            }
            // an entity (SDN_Type -0-) or an individual: a party, with the
            // links its remarks give
            let Some(pname) = f(1) else {
                out.errors.push(RowError {
                    file: name.into(),
                    line,
                    msg: "row without a name".into(),
                });
                continue;
            };
            for to in linked_to(&remarks) {
                out.fragment.links.push(Link {
                    subject: Subject::Party {
                        name: pname.clone(),
                    },
                    party: to,
                    kind: LinkKind::LinkedTo,
                    origin: origin.clone(),
                    since: None,
                    until: None,
                });
            }
            out.fragment.parties.push(Party {
                name: pname,
                aliases: former_names(&remarks),
                kind: Some(if kind == "individual" {
                    PartyKind::Person
                } else {
                    PartyKind::Company
                }),
                country: None,
                listed: Some(listed),
                origin,
            });
            continue;
        }
        let Some(vname) = f(1) else {
            out.errors.push(RowError {
                file: name.into(),
                line,
                msg: "vessel row without a name".into(),
            });
            continue;
        };
        let flag = f(9);
        let imo = number_after(&remarks, "IMO", 7);
        for to in linked_to(&remarks) {
            out.fragment.links.push(Link {
                subject: Subject::Vessel {
                    imo,
                    name: vname.clone(),
                },
                party: to,
                kind: LinkKind::LinkedTo,
                origin: origin.clone(),
                since: None,
                until: None,
            });
        }
        out.entries.push(Entry {
            list: "OFAC SDN".into(),
            name: vname,
            aliases: former_names(&remarks),
            imo,
            mmsi: number_after(&remarks, "MMSI", 9),
            callsign: f(5),
            flag,
            program: f(3),
            designated: None,
            origin,
        });
    }
    out
}

/// The parties OFAC remarks link a row to: `Linked To: M LEASING LLC.`
fn linked_to(remarks: &str) -> Vec<String> {
    remarks
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("Linked To:"))
        .map(|n| n.trim().trim_end_matches('.').trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Former names in OFAC remarks: `Former Vessel Name X;` or `f.k.a. X;`.
fn former_names(remarks: &str) -> Vec<String> {
    let mut v = Vec::new();
    for part in remarks.split(';') {
        let p = part.trim();
        for key in ["Former Vessel Name", "f.k.a.", "a.k.a."] {
            if let Some(rest) = p.strip_prefix(key) {
                let n = rest.trim().trim_matches(['\'', '"', '.']).trim();
                if !n.is_empty() {
                    v.push(n.to_string());
                }
            }
        }
    }
    v
}

fn headers(rdr: &mut csv::Reader<&[u8]>, name: &str) -> Result<Vec<String>, ListError> {
    Ok(rdr
        .headers()
        .map_err(|e| ListError::Format(name.into(), format!("unreadable header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect())
}

fn parse_u32(s: &str, len: usize, what: &str) -> Result<Option<u32>, String> {
    let t = s.trim();
    let t = t.strip_prefix("IMO").unwrap_or(t).trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(v) if t.len() == len => Ok(Some(v)),
        _ => Err(format!("{what} {t:?} is not {len} digits")),
    }
}

/// What one row of a list is.
enum Row {
    /// A listed vessel.
    Vessel(Entry),
    /// A listed company or person.
    Party(Party),
    /// Something else (an aircraft, an address ...).
    Skip,
}

/// Reads a CSV with a header; `row` maps a column lookup to a row.
fn parse_csv_with_header(
    text: &str,
    name: &str,
    required: &str,
    row: impl Fn(&dyn Fn(&str) -> Option<String>) -> Result<Row, String>,
) -> Result<Loaded, ListError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let cols = headers(&mut rdr, name)?;
    if !cols.iter().any(|c| c == required) {
        return Err(ListError::Format(
            name.into(),
            format!("no `{required}` column (columns: {})", cols.join(", ")),
        ));
    }
    let mut out = Loaded::default();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(RowError {
                    file: name.into(),
                    line: e.position().map(|p| p.line()).unwrap_or(0),
                    msg: format!("unreadable CSV row: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |k: &str| {
            cols.iter()
                .position(|c| c == k)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match row(&get) {
            Ok(Row::Vessel(mut e)) => {
                e.origin = format!("{name}:{line}");
                out.entries.push(e);
            }
            Ok(Row::Party(mut p)) => {
                p.origin = format!("{name}:{line}");
                out.fragment.parties.push(p);
            }
            Ok(Row::Skip) => {}
            Err(msg) => out.errors.push(RowError {
                file: name.into(),
                line,
                msg,
            }),
        }
    }
    Ok(out)
}

/// `a;b; c` -> [a, b, c].
fn split_list(s: Option<String>) -> Vec<String> {
    s.map(|a| {
        a.split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// OpenSanctions CSV: the published `targets.simple.csv` (`schema` tells
/// vessels from companies and people; IMO and MMSI inside `identifiers`),
/// or a vessel table with `imo` and `mmsi` columns.
fn parse_opensanctions(text: &str, name: &str) -> Result<Loaded, ListError> {
    parse_csv_with_header(text, name, "name", |get| {
        let vname = get("name").ok_or("empty name")?;
        let list = get("dataset").unwrap_or_else(|| "OpenSanctions".into());
        let program = get("program").or_else(|| get("sanctions"));
        let schema = get("schema");
        let ids = split_list(get("identifiers"));
        match schema.as_deref() {
            None | Some("Vessel") => {}
            Some("Company" | "Organization" | "LegalEntity" | "PublicBody" | "Person") => {
                let person = schema.as_deref() == Some("Person");
                return Ok(Row::Party(Party {
                    name: vname,
                    aliases: split_list(get("aliases")),
                    kind: Some(if person {
                        PartyKind::Person
                    } else {
                        PartyKind::Company
                    }),
                    country: split_list(get("countries")).into_iter().next(),
                    listed: Some(match &program {
                        Some(p) => format!("{list} ({p})"),
                        None => list,
                    }),
                    origin: String::new(),
                }));
            }
            Some(_) => return Ok(Row::Skip),
        }
        let imo = match get("imo") {
            Some(i) => parse_u32(&i, 7, "IMO")?,
            None => ids.iter().find_map(|s| crate::registry::imo_of(s)),
        };
        let mmsi = match get("mmsi") {
            Some(m) => parse_u32(&m, 9, "MMSI")?,
            None => ids.iter().find_map(|s| crate::registry::mmsi_of(s)),
        };
        Ok(Row::Vessel(Entry {
            list,
            name: vname,
            aliases: split_list(get("aliases")),
            imo,
            mmsi,
            callsign: get("callsign").or_else(|| get("call_sign")),
            flag: get("flag"),
            program,
            designated: get("first_seen").or_else(|| get("designated")),
            origin: String::new(),
        }))
    })
}

fn parse_un1718(text: &str, name: &str) -> Result<Loaded, ListError> {
    parse_csv_with_header(text, name, "vessel_name", |get| {
        Ok(Row::Vessel(Entry {
            list: "UN 1718".into(),
            name: get("vessel_name").ok_or("empty vessel_name")?,
            aliases: Vec::new(),
            imo: parse_u32(&get("imo_number").unwrap_or_default(), 7, "IMO")?,
            mmsi: parse_u32(&get("mmsi").unwrap_or_default(), 9, "MMSI")?,
            callsign: get("call_sign"),
            flag: get("flag"),
            program: get("type").map(|t| format!("UNSC 1718 ({t})")),
            designated: get("date_of_designation"),
            origin: String::new(),
        }))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    list: Option<String>,
    #[serde(default)]
    vessel: Vec<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlVessel {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    imo: Option<u32>,
    mmsi: Option<u32>,
    callsign: Option<String>,
    flag: Option<String>,
    reason: Option<String>,
    designated: Option<String>,
}

fn parse_toml(text: &str, name: &str) -> Result<Loaded, ListError> {
    let f: TomlFile =
        toml::from_str(text).map_err(|e| ListError::Format(name.into(), e.to_string()))?;
    let list = f.list.unwrap_or_else(|| "watchlist".into());
    let mut out = Loaded::default();
    // line numbers of each [[vessel]] header, for messages
    let lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[vessel]]")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    for (k, v) in f.vessel.into_iter().enumerate() {
        let line = lines.get(k).copied().unwrap_or(0);
        match v.try_into::<TomlVessel>() {
            Ok(t) => {
                let bad_imo = t.imo.is_some_and(|i| !(1_000_000..=9_999_999).contains(&i));
                let bad_mmsi = t.mmsi.is_some_and(|m| m > 999_999_999);
                if bad_imo || bad_mmsi || t.name.trim().is_empty() {
                    out.errors.push(RowError {
                        file: name.into(),
                        line,
                        msg: "vessel needs a name, a 7-digit IMO and a 9-digit MMSI (when given)"
                            .into(),
                    });
                    continue;
                }
                out.entries.push(Entry {
                    list: list.clone(),
                    name: t.name,
                    aliases: t.aliases,
                    imo: t.imo,
                    mmsi: t.mmsi,
                    callsign: t.callsign,
                    flag: t.flag,
                    program: t.reason,
                    designated: t.designated,
                    origin: format!("{name}:{line}"),
                })
            }
            Err(e) => out.errors.push(RowError {
                file: name.into(),
                line,
                msg: e.to_string().trim().to_string(),
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_remarks() {
        let r = "Vessel Registration Identification IMO 9179842; MMSI 273210440; Linked To: M LEASING LLC.";
        assert_eq!(number_after(r, "IMO", 7), Some(9_179_842));
        assert_eq!(number_after(r, "MMSI", 9), Some(273_210_440));
        assert_eq!(
            number_after("IMO 12345; IMO 7654321", "IMO", 7),
            Some(7_654_321)
        );
        assert_eq!(number_after("none", "IMO", 7), None);
    }
}
