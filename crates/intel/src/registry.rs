//! Companies, people and their links to vessels, from the two sources
//! besides the sanctions lists' own remarks: OpenSanctions' FollowTheMoney
//! (FtM) entities as JSON lines, and a register an analyst keeps (TOML or
//! CSV: IMO, owner, manager, operator, flag, from/to dates, what
//! Equasis-style lookups give).
//!
//! FtM files are read line by line (a 100 MB export is never held whole):
//! each entity is kept in a compact form, references between entities are
//! resolved at the end, and a reference to an entity the file does not
//! hold is reported with its line.

use crate::network::{Link, LinkKind, Party, PartyKind, Subject};
use crate::watchlist::{Entry, Loaded, RowError};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::BufRead;

/// An IMO number from text (`IMO9179842`, `IMO 9179842`, `9179842`) when
/// its check digit holds.
pub fn imo_of(s: &str) -> Option<u32> {
    let t = s.trim();
    let t = t
        .strip_prefix("IMO")
        .or_else(|| t.strip_prefix("imo"))
        .unwrap_or(t)
        .trim_start_matches([' ', ':', '#']);
    if t.len() != 7 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: Vec<u32> = t.bytes().map(|b| (b - b'0') as u32).collect();
    let sum: u32 = (0..6).map(|i| d[i] * (7 - i as u32)).sum();
    (sum % 10 == d[6]).then(|| t.parse().ok()).flatten()
}

/// An MMSI from text: nine digits.
pub fn mmsi_of(s: &str) -> Option<u32> {
    let t = s.trim();
    (t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

#[derive(Deserialize)]
struct Entity {
    id: String,
    schema: String,
    #[serde(default)]
    properties: Props,
    #[serde(default)]
    target: bool,
    #[serde(default)]
    datasets: Vec<String>,
}

/// The FtM properties shiptrace reads (others are skipped unparsed).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Props {
    name: Vec<Val>,
    previous_name: Vec<Val>,
    alias: Vec<Val>,
    weak_alias: Vec<Val>,
    imo_number: Vec<Val>,
    mmsi: Vec<Val>,
    flag: Vec<Val>,
    call_sign: Vec<Val>,
    country: Vec<Val>,
    jurisdiction: Vec<Val>,
    start_date: Vec<Val>,
    end_date: Vec<Val>,
    owner: Vec<Val>,
    operator: Vec<Val>,
    asset: Vec<Val>,
    director: Vec<Val>,
    organization: Vec<Val>,
    entity: Vec<Val>,
    subject: Vec<Val>,
    object: Vec<Val>,
}

/// A property value: text, or a nested entity (the "nested" export
/// format) standing for its id.
#[derive(Deserialize)]
#[serde(untagged)]
enum Val {
    Text(String),
    Nested { id: String },
    Other(serde::de::IgnoredAny),
}

/// The FtM schemata shiptrace reads.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Schema {
    /// Mentioned by another entity, not (yet) defined.
    #[default]
    Unseen,
    Vessel,
    Company,
    Person,
    Ownership,
    Directorship,
    UnknownLink,
    Sanction,
}

impl Schema {
    fn of(s: &str) -> Option<Schema> {
        Some(match s {
            "Vessel" => Schema::Vessel,
            "Company" | "Organization" | "LegalEntity" | "PublicBody" => Schema::Company,
            "Person" => Schema::Person,
            "Ownership" => Schema::Ownership,
            "Directorship" => Schema::Directorship,
            "UnknownLink" => Schema::UnknownLink,
            "Sanction" => Schema::Sanction,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Schema::Unseen => "entity",
            Schema::Vessel => "Vessel",
            Schema::Company => "Company",
            Schema::Person => "Person",
            Schema::Ownership => "Ownership",
            Schema::Directorship => "Directorship",
            Schema::UnknownLink => "UnknownLink",
            Schema::Sanction => "Sanction",
        }
    }
}

/// A reference's role.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Owner,
    Operator,
    Asset,
    Director,
    Organization,
    Entity,
    Subject,
    Object,
}

/// Fields few entities carry, boxed apart.
#[derive(Default)]
struct Extra {
    flag: Option<Box<str>>,
    callsign: Option<Box<str>>,
    country: Option<Box<str>>,
    listed: Option<Box<str>>,
    since: Option<Box<str>>,
    until: Option<Box<str>>,
}

/// One entity as kept between the pass and the resolution (compact: a
/// million entities are held at once).
#[derive(Default)]
struct Kept {
    line: u32,
    schema: Schema,
    imo: Option<u32>,
    mmsi: Option<u32>,
    names: Vec<Box<str>>,
    /// (role, index of the referenced entity)
    refs: Vec<(Role, u32)>,
    extra: Option<Box<Extra>>,
}

/// Values as text; nested entities give their id.
fn texts(v: &[Val]) -> impl Iterator<Item = &str> {
    v.iter().filter_map(|v| match v {
        Val::Text(s) => Some(s.as_str()),
        Val::Nested { id } => Some(id.as_str()),
        Val::Other(_) => None,
    })
}

/// The longest FtM entity (one JSON line) read: 4 MiB, far above any
/// published entity (a few KB), so that a line without end costs this much,
/// not the file.
pub const MAX_ENTITY_BYTES: usize = 4 << 20;

/// The next line into `buf` (without its newline); `Some(true)` when it
/// was longer than `max` bytes (then `buf` is empty: the rest of the line is
/// skipped as it streams past, never held); `None` at the end.
/// `store::limits::LineCap` caps lines too, but over whole chunks, so it
/// cannot say which line was cut: here the line number is the message.
fn capped_line(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let (mut any, mut over) = (false, false);
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let (piece, used, end) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (&avail[..i], i + 1, true),
            None => (avail, avail.len(), false),
        };
        if !over && buf.len() + piece.len() > max {
            over = true;
            buf.clear();
        }
        if !over {
            buf.extend_from_slice(piece);
        }
        r.consume(used);
        if end {
            return Ok(Some(over));
        }
    }
}

/// Reads FtM entities, one JSON object per line. Entities of other
/// schemata (addresses, identifications ...) are skipped as read.
pub fn parse_ftm(r: impl BufRead, name: &str) -> Loaded {
    let mut out = Loaded::default();
    let mut ids: HashMap<Box<str>, u32> = HashMap::new();
    let mut ents: Vec<Kept> = Vec::new();
    let err = |line: u64, msg: String| RowError {
        file: name.into(),
        line,
        msg,
    };
    let index = |ids: &mut HashMap<Box<str>, u32>, ents: &mut Vec<Kept>, id: &str| -> u32 {
        if let Some(&i) = ids.get(id) {
            return i;
        }
        let i = ents.len() as u32;
        ents.push(Kept::default());
        ids.insert(id.into(), i);
        i
    };
    // one entity per line, each at most MAX_ENTITY_BYTES: a longer line is
    // reported and dropped without being held
    let mut r = r;
    let mut l = Vec::new();
    let mut line = 0u64;
    loop {
        let overlong = match capped_line(&mut r, &mut l, MAX_ENTITY_BYTES) {
            Ok(None) => break,
            Ok(Some(o)) => o,
            Err(e) => {
                out.errors.push(err(line + 1, format!("unreadable: {e}")));
                break;
            }
        };
        line += 1;
        if overlong {
            out.errors.push(err(
                line,
                format!("an entity longer than {MAX_ENTITY_BYTES} bytes: skipped"),
            ));
            continue;
        }
        if l.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let e: Entity = match serde_json::from_slice(&l) {
            Ok(e) => e,
            Err(e) => {
                out.errors
                    .push(err(line, format!("not an FtM entity: {e}")));
                continue;
            }
        };
        let Some(schema) = Schema::of(&e.schema) else {
            continue;
        };
        let p = &e.properties;
        let first = |v: &[Val]| texts(v).next().map(Box::<str>::from);
        let mut names: Vec<Box<str>> = texts(&p.name).map(Into::into).collect();
        names.extend(texts(&p.previous_name).map(Into::into));
        names.extend(texts(&p.alias).map(Into::into));
        names.extend(texts(&p.weak_alias).map(Into::into));
        let extra = Extra {
            flag: first(&p.flag),
            callsign: first(&p.call_sign),
            country: first(&p.country).or_else(|| first(&p.jurisdiction)),
            listed: e.target.then(|| {
                if e.datasets.is_empty() {
                    "OpenSanctions".into()
                } else {
                    format!("OpenSanctions ({})", e.datasets.join(", ")).into()
                }
            }),
            since: first(&p.start_date),
            until: first(&p.end_date),
        };
        let any = extra.flag.is_some()
            || extra.callsign.is_some()
            || extra.country.is_some()
            || extra.listed.is_some()
            || extra.since.is_some()
            || extra.until.is_some();
        let mut refs = Vec::new();
        for (role, v) in [
            (Role::Owner, &p.owner),
            (Role::Operator, &p.operator),
            (Role::Asset, &p.asset),
            (Role::Director, &p.director),
            (Role::Organization, &p.organization),
            (Role::Entity, &p.entity),
            (Role::Subject, &p.subject),
            (Role::Object, &p.object),
        ] {
            for id in texts(v) {
                refs.push((role, index(&mut ids, &mut ents, id)));
            }
        }
        let k = Kept {
            line: line.min(u32::MAX as u64) as u32,
            schema,
            imo: texts(&p.imo_number).find_map(imo_of),
            mmsi: texts(&p.mmsi).find_map(mmsi_of),
            names,
            refs,
            extra: any.then(|| Box::new(extra)),
        };
        let at = index(&mut ids, &mut ents, &e.id) as usize;
        if ents[at].schema == Schema::Unseen {
            ents[at] = k;
        }
    }
    // ids by index, for messages about references to entities not held
    let mut id_of: Vec<&str> = vec![""; ents.len()];
    for (id, &i) in &ids {
        id_of[i as usize] = id;
    }
    // a Sanction marks its entity listed
    let mut sanctioned: HashMap<u32, String> = HashMap::new();
    for k in ents.iter().filter(|k| k.schema == Schema::Sanction) {
        for &(_, e) in k.refs.iter().filter(|r| r.0 == Role::Entity) {
            sanctioned
                .entry(e)
                .or_insert_with(|| format!("OpenSanctions sanction ({name}:{})", k.line));
        }
    }
    let known = |i: u32| {
        let k = &ents[i as usize];
        (k.schema != Schema::Unseen)
            .then(|| k.names.first())
            .flatten()
            .map(|n| (k, n.to_string()))
    };
    for (at, k) in ents.iter().enumerate() {
        if k.schema == Schema::Unseen {
            continue;
        }
        let line = k.line as u64;
        let origin = format!("{name}:{line}");
        let x = k.extra.as_deref();
        let listed = x
            .and_then(|x| x.listed.as_deref().map(str::to_string))
            .or_else(|| sanctioned.get(&(at as u32)).cloned());
        let mut link =
            |subject: u32, party: u32, kind: LinkKind| match (known(subject), known(party)) {
                (Some((s, sn)), Some((_, pn))) => out.fragment.links.push(Link {
                    subject: if s.schema == Schema::Vessel {
                        Subject::Vessel {
                            imo: s.imo,
                            name: sn,
                        }
                    } else {
                        Subject::Party { name: sn }
                    },
                    party: pn,
                    kind,
                    origin: origin.clone(),
                    since: x.and_then(|x| x.since.as_deref().map(str::to_string)),
                    until: x.and_then(|x| x.until.as_deref().map(str::to_string)),
                }),
                (s, _) => {
                    let missing = if s.is_none() { subject } else { party };
                    out.errors.push(err(
                        line,
                        format!(
                        "{} refers to entity {:?}, which the file does not hold (or has no name)",
                        k.schema.name(),
                        id_of[missing as usize]
                    ),
                    ));
                }
            };
        let refs = |r: Role| k.refs.iter().filter(move |x| x.0 == r).map(|x| x.1);
        let names = || {
            k.names[1..]
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        };
        match k.schema {
            Schema::Vessel => {
                let Some(n) = k.names.first() else {
                    out.errors.push(err(line, "vessel without a name".into()));
                    continue;
                };
                if let Some(l) = &listed {
                    out.entries.push(Entry {
                        list: l.clone(),
                        name: n.to_string(),
                        aliases: names(),
                        imo: k.imo,
                        mmsi: k.mmsi,
                        callsign: x.and_then(|x| x.callsign.as_deref().map(str::to_string)),
                        flag: x.and_then(|x| x.flag.as_deref().map(str::to_string)),
                        program: None,
                        designated: None,
                        origin: origin.clone(),
                    });
                }
                for o in refs(Role::Owner) {
                    link(at as u32, o, LinkKind::Owner);
                }
                for o in refs(Role::Operator) {
                    link(at as u32, o, LinkKind::Operator);
                }
            }
            Schema::Company | Schema::Person => {
                let Some(n) = k.names.first() else {
                    out.errors
                        .push(err(line, format!("{} without a name", k.schema.name())));
                    continue;
                };
                out.fragment.parties.push(Party {
                    name: n.to_string(),
                    aliases: names(),
                    kind: Some(if k.schema == Schema::Person {
                        PartyKind::Person
                    } else {
                        PartyKind::Company
                    }),
                    country: x.and_then(|x| x.country.as_deref().map(str::to_string)),
                    listed,
                    origin,
                });
            }
            Schema::Ownership => {
                for o in refs(Role::Owner) {
                    for a in refs(Role::Asset) {
                        link(a, o, LinkKind::Owner);
                    }
                }
            }
            Schema::Directorship => {
                for d in refs(Role::Director) {
                    for o in refs(Role::Organization) {
                        link(o, d, LinkKind::Director);
                    }
                }
            }
            Schema::UnknownLink => {
                for s in refs(Role::Subject) {
                    for o in refs(Role::Object) {
                        link(s, o, LinkKind::LinkedTo);
                    }
                }
            }
            Schema::Sanction | Schema::Unseen => {}
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterFile {
    #[serde(default)]
    vessel: Vec<toml::Value>,
    #[serde(default)]
    company: Vec<toml::Value>,
}

/// One vessel's register entry.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RegVessel {
    imo: Option<u32>,
    name: Option<String>,
    owner: Option<String>,
    manager: Option<String>,
    operator: Option<String>,
    flag: Option<String>,
    from: Option<String>,
    to: Option<String>,
    source: Option<String>,
}

/// One company's register entry: its owner, and a designation the analyst
/// records.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegCompany {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    owner: Option<String>,
    country: Option<String>,
    listed: Option<String>,
    from: Option<String>,
    to: Option<String>,
    source: Option<String>,
}

fn header_lines(text: &str, header: &str) -> Vec<u64> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

fn register_vessel(out: &mut Loaded, v: RegVessel, origin: String) -> Result<(), String> {
    if v.imo.is_some_and(|i| imo_of(&i.to_string()).is_none()) {
        return Err(format!(
            "IMO {} is not a valid IMO number (7 digits, check digit)",
            v.imo.unwrap_or(0)
        ));
    }
    let name = v.name.clone().unwrap_or_default();
    if v.imo.is_none() && name.trim().is_empty() {
        return Err("a vessel needs an IMO or a name".into());
    }
    let origin = match &v.source {
        Some(s) => format!("{origin} ({s})"),
        None => origin,
    };
    for (party, kind) in [
        (&v.owner, LinkKind::Owner),
        (&v.manager, LinkKind::Manager),
        (&v.operator, LinkKind::Operator),
    ] {
        if let Some(p) = party.as_deref().filter(|p| !p.trim().is_empty()) {
            out.fragment.links.push(Link {
                subject: Subject::Vessel {
                    imo: v.imo,
                    name: name.clone(),
                },
                party: p.to_string(),
                kind,
                origin: origin.clone(),
                since: v.from.clone(),
                until: v.to.clone(),
            });
        }
    }
    let _ = v.flag;
    Ok(())
}

/// Reads a register: `[[vessel]]` (imo, name, owner, manager, operator,
/// flag, from, to, source) and `[[company]]` (name, aliases, owner,
/// country, listed, from, to, source) tables.
pub fn parse_register_toml(text: &str, name: &str) -> Result<Loaded, String> {
    let f: RegisterFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Loaded::default();
    let vlines = header_lines(text, "[[vessel]]");
    for (k, v) in f.vessel.into_iter().enumerate() {
        let line = vlines.get(k).copied().unwrap_or(0);
        let r = v
            .try_into::<RegVessel>()
            .map_err(|e| e.to_string().trim().to_string())
            .and_then(|v| register_vessel(&mut out, v, format!("{name}:{line}")));
        if let Err(msg) = r {
            out.errors.push(RowError {
                file: name.into(),
                line,
                msg,
            });
        }
    }
    let clines = header_lines(text, "[[company]]");
    for (k, c) in f.company.into_iter().enumerate() {
        let line = clines.get(k).copied().unwrap_or(0);
        let c: RegCompany = match c.try_into() {
            Ok(c) => c,
            Err(e) => {
                out.errors.push(RowError {
                    file: name.into(),
                    line,
                    msg: e.to_string().trim().to_string(),
                });
                continue;
            }
        };
        let origin = match &c.source {
            Some(s) => format!("{name}:{line} ({s})"),
            None => format!("{name}:{line}"),
        };
        if let Some(o) = c.owner.as_deref().filter(|o| !o.trim().is_empty()) {
            out.fragment.links.push(Link {
                subject: Subject::Party {
                    name: c.name.clone(),
                },
                party: o.to_string(),
                kind: LinkKind::Owner,
                origin: origin.clone(),
                since: c.from.clone(),
                until: c.to.clone(),
            });
        }
        out.fragment.parties.push(Party {
            name: c.name,
            aliases: c.aliases,
            kind: Some(PartyKind::Company),
            country: c.country,
            listed: c.listed,
            origin,
        });
    }
    Ok(out)
}

/// Reads a register as CSV with a header: `imo,name,owner,manager,
/// operator,flag,from,to,source` (any order; columns it does not know are
/// ignored).
pub fn parse_register_csv(text: &str, name: &str) -> Result<Loaded, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let cols: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("unreadable header: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if !cols.iter().any(|c| c == "imo") {
        return Err(format!("no `imo` column (columns: {})", cols.join(", ")));
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
        let get = |k: &str| {
            cols.iter()
                .position(|c| c == k)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let imo = match get("imo") {
            Some(s) => match imo_of(&s) {
                Some(i) => Some(i),
                None => {
                    out.errors.push(RowError {
                        file: name.into(),
                        line,
                        msg: format!("IMO {s:?} is not a valid IMO number"),
                    });
                    continue;
                }
            },
            None => None,
        };
        let v = RegVessel {
            imo,
            name: get("name"),
            owner: get("owner"),
            manager: get("manager"),
            operator: get("operator"),
            flag: get("flag"),
            from: get("from"),
            to: get("to"),
            source: get("source"),
        };
        if let Err(msg) = register_vessel(&mut out, v, format!("{name}:{line}")) {
            out.errors.push(RowError {
                file: name.into(),
                line,
                msg,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imo_numbers_need_their_check_digit() {
        // 9179842: 9x7 + 1x6 + 7x5 + 9x4 + 8x3 + 4x2 = 172, check 2
        assert_eq!(imo_of("IMO9179842"), Some(9_179_842));
        assert_eq!(imo_of("IMO 9161003"), Some(9_161_003));
        assert_eq!(imo_of("9358010"), Some(9_358_010));
        assert_eq!(imo_of("9179843"), None);
        assert_eq!(imo_of("273210440"), None);
        assert_eq!(mmsi_of("273210440"), Some(273_210_440));
    }
}
