//! Who is behind the ship: vessels, companies and people from the lists
//! and registers analysts already use, joined by typed links (owner,
//! manager, operator, linked-to, director), each link with its source and
//! dates. Vessels in the store are placed in that graph by IMO, and the
//! graph extends matching to the network: a vessel whose owner or manager
//! is listed, a sister ship of a listed vessel (the same company behind
//! both), each with its path in words and a strength.
//!
//! Companies are keyed by a normalised name (transliterated to Latin,
//! legal forms dropped), so one company spelt differently on two lists, or
//! in Cyrillic on one, is one node.

use crate::watchlist::Entry;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// A company or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A company or other organisation.
    Company,
    /// A natural person.
    Person,
}

/// How a vessel or a party is tied to a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Registered or beneficial owner.
    Owner,
    /// Ship manager, ISM manager, commercial manager.
    Manager,
    /// Operator.
    Operator,
    /// A director or officer of the company.
    Director,
    /// A list's "Linked To:" (ownership, control or agency, unspecified).
    LinkedTo,
}

impl LinkKind {
    /// "owned by", "managed by" ...: the subject is `words` the object.
    pub fn words(self) -> &'static str {
        match self {
            LinkKind::Owner => "owned by",
            LinkKind::Manager => "managed by",
            LinkKind::Operator => "operated by",
            LinkKind::Director => "directed by",
            LinkKind::LinkedTo => "linked to",
        }
    }
}

/// A company or person as a source gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Party {
    /// The name.
    pub name: String,
    /// Other names and spellings.
    pub aliases: Vec<String>,
    /// Company or person.
    pub kind: Option<PartyKind>,
    /// Country, as the source gives it.
    pub country: Option<String>,
    /// The list that designates it, with its programme (None: named by a
    /// register or a list's links, not itself listed).
    pub listed: Option<String>,
    /// `file:line` (or the entity id) it came from.
    pub origin: String,
}

/// The subject of a link: a vessel or a party.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A vessel, by IMO where the source gives one, else by name.
    Vessel {
        /// IMO number.
        imo: Option<u32>,
        /// Name.
        name: String,
    },
    /// A party, by name.
    Party {
        /// Name.
        name: String,
    },
}

/// A typed link from a vessel or party to a party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Who or what is owned, managed, linked.
    pub subject: Subject,
    /// The owner, manager, linked party (by name).
    pub party: String,
    /// What the link is.
    pub kind: LinkKind,
    /// `file:line` (or entity id) it came from.
    pub origin: String,
    /// From when the link holds, as the source gives it (YYYY-MM-DD).
    pub since: Option<String>,
    /// Until when.
    pub until: Option<String>,
}

/// Parties and links read from one source.
#[derive(Debug, Clone, Default)]
pub struct Fragment {
    /// Companies and people.
    pub parties: Vec<Party>,
    /// Links.
    pub links: Vec<Link>,
}

impl Fragment {
    /// Adds another source's parties and links.
    pub fn extend(&mut self, o: Fragment) {
        self.parties.extend(o.parties);
        self.links.extend(o.links);
    }
}

/// Legal forms dropped from company names before comparing them (after
/// transliteration to Latin letters), word by word.
const LEGAL_FORMS: &[&[&str]] = &[
    &["LLC"],
    &["L", "L", "C"],
    &["LTD"],
    &["LIMITED"],
    &["INC"],
    &["INCORPORATED"],
    &["CO"],
    &["COMPANY"],
    &["CORP"],
    &["CORPORATION"],
    &["OOO"],
    &["OAO"],
    &["ZAO"],
    &["PAO"],
    &["AO"],
    &["JSC"],
    &["OJSC"],
    &["CJSC"],
    &["PJSC"],
    &["SA"],
    &["S", "A"],
    &["GMBH"],
    &["PTE"],
    &["PLC"],
    &["BV"],
    &["NV"],
    &["AG"],
    &["SRL"],
    &["LLP"],
    &["LP"],
];

/// A company or person name for comparison: transliterated to Latin
/// (Cyrillic, Hangul, Chinese ... via `deunicode`), upper case, letters and
/// digits only, legal forms (LLC, OOO, LTD ...) dropped from either end.
pub fn party_key(name: &str) -> String {
    let latin = deunicode::deunicode(name);
    let mut words: Vec<String> = latin
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let strip = |words: &mut Vec<String>, front: bool| loop {
        let mut hit = false;
        for form in LEGAL_FORMS {
            let n = form.len();
            if words.len() > n {
                let (a, b) = if front {
                    (0, n)
                } else {
                    (words.len() - n, words.len())
                };
                if words[a..b].iter().zip(form.iter()).all(|(w, f)| w == f) {
                    words.drain(a..b);
                    hit = true;
                    break;
                }
            }
        }
        if !hit {
            break;
        }
    };
    strip(&mut words, false);
    strip(&mut words, true);
    words.join(" ")
}

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "index")]
pub enum Node {
    /// `vessels[i]`.
    Vessel(usize),
    /// `parties[i]`.
    Party(usize),
}

/// A vessel in the graph.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VesselNode {
    /// IMO number.
    pub imo: Option<u32>,
    /// Name (the first source's).
    pub name: String,
    /// The lists that name it (list: file:line).
    pub listed: Vec<String>,
}

/// A company or person in the graph: every source's record of it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PartyNode {
    /// The name (the first source's).
    pub name: String,
    /// The comparison key.
    pub key: String,
    /// Company or person.
    pub kind: Option<PartyKind>,
    /// The lists that designate it (list: file:line).
    pub listed: Vec<String>,
    /// Every source that names it.
    pub origins: Vec<String>,
}

/// A link in the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// The subject.
    pub from: Node,
    /// The party.
    pub to: usize,
    /// What the link is.
    pub kind: LinkKind,
    /// Where it came from.
    pub origin: String,
    /// Since.
    pub since: Option<String>,
    /// Until.
    pub until: Option<String>,
}

/// Vessels, parties and the links between them.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Vessels.
    pub vessels: Vec<VesselNode>,
    /// Companies and people.
    pub parties: Vec<PartyNode>,
    /// Links.
    pub edges: Vec<Edge>,
    by_imo: HashMap<u32, usize>,
    by_vname: HashMap<String, usize>,
    by_party: HashMap<String, usize>,
    /// Party names as given, to their node (saves the key for names seen
    /// before).
    by_given: HashMap<String, usize>,
    /// Edge indexes by subject.
    out: HashMap<Node, Vec<usize>>,
    /// Edge indexes by party.
    inc: HashMap<usize, Vec<usize>>,
}

impl Graph {
    /// Builds the graph of listed vessels, parties and links.
    pub fn build(entries: &[Entry], f: &Fragment) -> Graph {
        let mut g = Graph::default();
        for e in entries {
            let v = g.vessel(e.imo, &e.name);
            let l = format!("{}: {}", e.list, e.origin);
            if !g.vessels[v].listed.contains(&l) {
                g.vessels[v].listed.push(l);
            }
        }
        for p in &f.parties {
            let Some(i) = g.party(&p.name) else { continue };
            for a in &p.aliases {
                let k = party_key(a);
                if !k.is_empty() {
                    g.by_party.entry(k).or_insert(i);
                }
            }
            let n = &mut g.parties[i];
            if n.kind.is_none() {
                n.kind = p.kind;
            }
            if let Some(l) = &p.listed {
                let l = format!("{l}: {}", p.origin);
                if !n.listed.contains(&l) {
                    n.listed.push(l);
                }
            }
            if !n.origins.contains(&p.origin) {
                n.origins.push(p.origin.clone());
            }
        }
        for l in &f.links {
            let from = match &l.subject {
                Subject::Vessel { imo, name } => Node::Vessel(g.vessel(*imo, name)),
                Subject::Party { name } => match g.party(name) {
                    Some(i) => Node::Party(i),
                    None => continue,
                },
            };
            let Some(to) = g.party(&l.party) else {
                continue;
            };
            if from == Node::Party(to) {
                continue; // a company linked to itself
            }
            let dup = g.out.get(&from).is_some_and(|es| {
                es.iter()
                    .any(|&k| g.edges[k].to == to && g.edges[k].kind == l.kind)
            });
            if dup {
                continue;
            }
            let k = g.edges.len();
            g.edges.push(Edge {
                from,
                to,
                kind: l.kind,
                origin: l.origin.clone(),
                since: l.since.clone(),
                until: l.until.clone(),
            });
            g.out.entry(from).or_default().push(k);
            g.inc.entry(to).or_default().push(k);
        }
        g
    }

    fn vessel(&mut self, imo: Option<u32>, name: &str) -> usize {
        let key = crate::matching::normalise(name);
        let found = imo
            .and_then(|i| self.by_imo.get(&i))
            .or_else(|| {
                // by name only when neither side has an IMO that differs
                self.by_vname
                    .get(&key)
                    .filter(|&&v| imo.is_none() || self.vessels[v].imo.is_none())
            })
            .copied();
        let v = match found {
            Some(v) => v,
            None => {
                self.vessels.push(VesselNode {
                    imo,
                    name: name.to_string(),
                    listed: Vec::new(),
                });
                self.vessels.len() - 1
            }
        };
        if let Some(i) = imo {
            self.vessels[v].imo.get_or_insert(i);
            self.by_imo.entry(i).or_insert(v);
        }
        if !key.is_empty() {
            self.by_vname.entry(key).or_insert(v);
        }
        v
    }

    fn party(&mut self, name: &str) -> Option<usize> {
        if let Some(&i) = self.by_given.get(name) {
            return Some(i);
        }
        let key = party_key(name);
        if key.is_empty() {
            return None;
        }
        if let Some(&i) = self.by_party.get(&key) {
            self.by_given.insert(name.to_string(), i);
            return Some(i);
        }
        self.parties.push(PartyNode {
            name: name.trim().to_string(),
            key: key.clone(),
            ..PartyNode::default()
        });
        let i = self.parties.len() - 1;
        self.by_party.insert(key, i);
        self.by_given.insert(name.to_string(), i);
        Some(i)
    }

    /// The vessel with this IMO number.
    pub fn vessel_by_imo(&self, imo: u32) -> Option<usize> {
        self.by_imo.get(&imo).copied()
    }

    fn node_name(&self, n: Node) -> &str {
        match n {
            Node::Vessel(v) => &self.vessels[v].name,
            Node::Party(p) => &self.parties[p].name,
        }
    }
}

/// One node as a table row (for graph tools).
#[derive(Debug, Clone, Serialize)]
pub struct NodeRow {
    /// `vessel:N` or `party:N`.
    pub id: String,
    /// `vessel`, `company` or `person` (`party` when the source did not
    /// say).
    pub kind: String,
    /// Name.
    pub name: String,
    /// IMO number (vessels).
    pub imo: Option<u32>,
    /// The lists that name it, `; `-joined (empty: not listed).
    pub listed: String,
}

/// One link as a table row.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeRow {
    /// Subject node id.
    pub source: String,
    /// Party node id.
    pub target: String,
    /// `owner`, `manager`, `operator`, `director`, `linked_to`.
    pub kind: LinkKind,
    /// Where it came from.
    pub origin: String,
    /// Since.
    pub since: Option<String>,
    /// Until.
    pub until: Option<String>,
}

impl VesselNetwork {
    /// The parties the vessel itself is tied to by these kinds of link,
    /// `; `-joined (for export columns).
    pub fn direct(&self, kinds: &[LinkKind]) -> String {
        self.links
            .iter()
            .filter(|l| l.hop == 1 && kinds.contains(&l.kind))
            .map(|l| l.to.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Graph {
    /// The graph as node and edge rows.
    pub fn rows(&self) -> (Vec<NodeRow>, Vec<EdgeRow>) {
        let id = |n: Node| match n {
            Node::Vessel(i) => format!("vessel:{i}"),
            Node::Party(i) => format!("party:{i}"),
        };
        let mut nodes: Vec<NodeRow> = self
            .vessels
            .iter()
            .enumerate()
            .map(|(i, v)| NodeRow {
                id: id(Node::Vessel(i)),
                kind: "vessel".into(),
                name: v.name.clone(),
                imo: v.imo,
                listed: v.listed.join("; "),
            })
            .collect();
        nodes.extend(self.parties.iter().enumerate().map(|(i, p)| {
            NodeRow {
                id: id(Node::Party(i)),
                kind: match p.kind {
                    Some(PartyKind::Company) => "company",
                    Some(PartyKind::Person) => "person",
                    None => "party",
                }
                .into(),
                name: p.name.clone(),
                imo: None,
                listed: p.listed.join("; "),
            }
        }));
        let edges = self
            .edges
            .iter()
            .map(|e| EdgeRow {
                source: id(e.from),
                target: id(Node::Party(e.to)),
                kind: e.kind,
                origin: e.origin.clone(),
                since: e.since.clone(),
                until: e.until.clone(),
            })
            .collect();
        (nodes, edges)
    }
}

/// `[intel.network]` in shiptrace.toml: strengths of network matches.
/// Defaults are judgement, not measurement: a listed owner or manager
/// controls the ship; a sister ship shares a company, not a voyage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkParams {
    /// The vessel's owner is listed.
    pub owner_listed: f64,
    /// Its manager or operator is listed.
    pub manager_listed: f64,
    /// A party a list links it to ("Linked To:") is listed.
    pub linked_listed: f64,
    /// A vessel of the same owner, manager or linked party is listed.
    pub sister_of_listed: f64,
    /// Each further link on the path multiplies the strength by this.
    pub per_hop: f64,
    /// Links followed from the vessel (2: the owner's owner).
    pub max_depth: usize,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            owner_listed: 0.8,
            manager_listed: 0.7,
            linked_listed: 0.7,
            sister_of_listed: 0.5,
            per_hop: 0.7,
            max_depth: 2,
        }
    }
}

/// One step of a path.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// 1: a link of the vessel itself; 2: of its owner or manager ...
    pub hop: usize,
    /// From (vessel or party name; attacker-controlled only for vessels'
    /// broadcast names, never here: these are list names).
    pub from: String,
    /// The link.
    pub kind: LinkKind,
    /// To.
    pub to: String,
    /// Its source.
    pub origin: String,
    /// Since.
    pub since: Option<String>,
    /// Until.
    pub until: Option<String>,
}

/// A network match: a listed party or listed sister ship behind a vessel.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkMatch {
    /// The vessel (MMSI in the store).
    pub mmsi: u32,
    /// `owner_listed`, `manager_listed`, `linked_listed`,
    /// `sister_of_listed`.
    pub kind: String,
    /// The listed party or vessel.
    pub listed_name: String,
    /// The lists that name it.
    pub lists: Vec<String>,
    /// The path, step by step.
    pub path: Vec<Step>,
    /// The path in words.
    pub words: String,
    /// Strength (0..1).
    pub strength: f64,
}

/// A vessel's place in the graph.
#[derive(Debug, Clone, Serialize)]
pub struct VesselNetwork {
    /// The vessel (MMSI in the store).
    pub mmsi: u32,
    /// The hull's IMO number it is placed by.
    pub imo: u32,
    /// The links from it, up to `max_depth` (owners, managers, their
    /// owners).
    pub links: Vec<Step>,
    /// Other vessels tied to the same parties: (name, IMO, listed, via).
    pub sisters: Vec<Sister>,
    /// Network matches.
    pub matches: Vec<NetworkMatch>,
}

/// A vessel sharing a party with another.
#[derive(Debug, Clone, Serialize)]
pub struct Sister {
    /// Its name (from the source).
    pub name: String,
    /// Its IMO number.
    pub imo: Option<u32>,
    /// The lists that name it.
    pub listed: Vec<String>,
    /// The party both answer to.
    pub via: String,
    /// How this vessel is tied to it.
    pub kind: LinkKind,
    /// Where that link comes from.
    pub origin: String,
}

fn step(g: &Graph, e: &Edge, hop: usize) -> Step {
    Step {
        hop,
        from: g.node_name(e.from).to_string(),
        kind: e.kind,
        to: g.parties[e.to].name.clone(),
        origin: e.origin.clone(),
        since: e.since.clone(),
        until: e.until.clone(),
    }
}

/// The network of a vessel of the store, by the IMO it broadcast last and
/// over the days it broadcast it.
pub fn of_profile(
    g: &Graph,
    pr: &crate::profile::Profile,
    p: &NetworkParams,
) -> Option<VesselNetwork> {
    let imo = pr.imos.iter().max_by_key(|s| s.last_ms)?;
    let day = |ms: i64| {
        detect::event::rfc3339(ms)
            .get(..10)
            .unwrap_or("")
            .to_string()
    };
    let span = [day(imo.first_ms), day(imo.last_ms)];
    of_vessel(g, pr.mmsi, imo.value, [&span[0], &span[1]], p)
}

/// Whether a link holds at some time in [first, last] (days compared as
/// text: `YYYY-MM-DD` sorts as it reads).
fn holds(e: &Edge, first: &str, last: &str) -> bool {
    e.since
        .as_deref()
        .is_none_or(|s| s.get(..10).unwrap_or(s) <= last)
        && e.until
            .as_deref()
            .is_none_or(|u| u.get(..10).unwrap_or(u) >= first)
}

/// The network of one vessel of the store, placed by IMO; `span` the days
/// it was seen ([first, last], `YYYY-MM-DD`): links that ended before or
/// began after are not followed.
pub fn of_vessel(
    g: &Graph,
    mmsi: u32,
    imo: u32,
    span: [&str; 2],
    p: &NetworkParams,
) -> Option<VesselNetwork> {
    let v = g.vessel_by_imo(imo)?;
    let me = Node::Vessel(v);
    // breadth first from the vessel along subject -> party
    let mut paths: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut queue = VecDeque::from([(me, Vec::<usize>::new())]);
    while let Some((n, path)) = queue.pop_front() {
        if path.len() >= p.max_depth {
            continue;
        }
        for &k in g.out.get(&n).into_iter().flatten() {
            let e = &g.edges[k];
            if !holds(e, span[0], span[1]) || paths.contains_key(&e.to) {
                continue;
            }
            let mut pk = path.clone();
            pk.push(k);
            paths.insert(e.to, pk.clone());
            queue.push_back((Node::Party(e.to), pk));
        }
    }
    let mut links = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths.values() {
        for (h, &k) in path.iter().enumerate() {
            if seen.insert(k) {
                links.push(step(g, &g.edges[k], h + 1));
            }
        }
    }
    links.sort_by_key(|l| l.hop);
    let mut matches = Vec::new();
    let mut sisters = Vec::new();
    let words = |steps: &[Step]| -> String {
        let mut s = String::new();
        for (i, st) in steps.iter().enumerate() {
            if i == 0 {
                s.push_str(&st.from);
            }
            s.push_str(&format!(" -> {} {}", st.kind.words(), st.to));
        }
        s
    };
    for (&party, path) in &paths {
        let steps: Vec<Step> = path
            .iter()
            .enumerate()
            .map(|(h, &k)| step(g, &g.edges[k], h + 1))
            .collect();
        let decay = p.per_hop.powi(path.len() as i32 - 1);
        let node = &g.parties[party];
        if !node.listed.is_empty() {
            let first = g.edges[path[0]].kind;
            let (kind, w) = match first {
                LinkKind::Owner => ("owner_listed", p.owner_listed),
                LinkKind::Manager | LinkKind::Operator => ("manager_listed", p.manager_listed),
                _ => ("linked_listed", p.linked_listed),
            };
            matches.push(NetworkMatch {
                mmsi,
                kind: kind.into(),
                listed_name: node.name.clone(),
                lists: node.listed.clone(),
                words: format!("{} (listed)", words(&steps)),
                path: steps.clone(),
                strength: w * decay,
            });
        }
        for &k in g.inc.get(&party).into_iter().flatten() {
            let e = &g.edges[k];
            let Node::Vessel(w) = e.from else { continue };
            if w == v || !holds(e, span[0], span[1]) {
                continue;
            }
            let sv = &g.vessels[w];
            sisters.push(Sister {
                name: sv.name.clone(),
                imo: sv.imo,
                listed: sv.listed.clone(),
                via: node.name.clone(),
                kind: e.kind,
                origin: e.origin.clone(),
            });
            if !sv.listed.is_empty() {
                let back = step(g, e, path.len());
                matches.push(NetworkMatch {
                    mmsi,
                    kind: "sister_of_listed".into(),
                    listed_name: sv.name.clone(),
                    lists: sv.listed.clone(),
                    words: format!(
                        "{} <- {} {} (listed)",
                        words(&steps),
                        back.kind.words(),
                        back.from
                    ),
                    path: {
                        let mut s = steps.clone();
                        s.push(back);
                        s
                    },
                    strength: p.sister_of_listed * decay,
                });
            }
        }
    }
    if links.is_empty() {
        return None;
    }
    matches.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    Some(VesselNetwork {
        mmsi,
        imo,
        links,
        sisters,
        matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_company_under_several_spellings() {
        assert_eq!(party_key("TRANSMORFLOT LLC"), "TRANSMORFLOT");
        assert_eq!(party_key("Transmorflot, L.L.C."), "TRANSMORFLOT");
        assert_eq!(party_key("ООО Трансморфлот"), "TRANSMORFLOT");
        assert_eq!(party_key("M LEASING LLC"), "M LEASING");
        // a legal form alone is a name, not nothing
        assert_eq!(party_key("LLC"), "LLC");
        assert_eq!(party_key("조선"), "JOSEON");
    }
}
