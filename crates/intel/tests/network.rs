//! Owners, managers and sister ships: from OFAC's sdn.csv remarks,
//! OpenSanctions' simple CSV, FollowTheMoney entities and an analyst's
//! register, into network matches with their paths.

use intel::matching::{match_all, MatchParams};
use intel::network::{of_vessel, Graph, LinkKind, NetworkParams, PartyKind};
use intel::profile::Profile;
use intel::registry::{parse_ftm, parse_register_toml};
use intel::watchlist::{parse, Format};
use std::collections::BTreeMap;
use store::Identity;

/// Rows in OFAC's published sdn.csv layout (no header; `-0-` empty):
/// three ships and the two companies their remarks link them to.
const SDN: &str = r#"90001,"ANGARA","vessel","RUSSIA-EO14024","-0- ","UBCT6","Ro-Ro/Container","-0- ","-0- ","Russia","-0- ","Vessel Registration Identification IMO 9179842; MMSI 273210440; Linked To: M LEASING LLC."
90003,"LADY R","vessel","RUSSIA-EO14024","-0- ","-0- ","Ro-Ro/Container","-0- ","7,260","Russia","-0- ","Vessel Registration Identification IMO 9161003; Linked To: TRANSMORFLOT LLC."
90004,"MAIA-1","vessel","RUSSIA-EO14024","-0- ","-0- ","General Cargo","-0- ","-0- ","Russia","-0- ","Vessel Registration Identification IMO 9358010; Former Vessel Name NEPTUNE CROW; Linked To: TRANSMORFLOT LLC."
90005,"M LEASING LLC","-0- ","RUSSIA-EO14024","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","Organization Type: Sea and coastal freight water transport."
90006,"TRANSMORFLOT LLC","-0- ","RUSSIA-EO14024","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","a.k.a. 'TRANSMORFLOT'."
90007,"IVANOV, Ivan","individual","RUSSIA-EO14024","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ","Linked To: TRANSMORFLOT LLC."
"#;

const T0: i64 = 1_694_044_800_000; // 2023-09-07

fn seen(mmsi: u32, imo: u32, name: &str) -> Profile {
    let mut p = Profile::new(mmsi);
    p.add(&Identity {
        time_ms: T0,
        mmsi,
        msg_type: 5,
        name: Some(name.into()),
        imo: Some(imo),
        ..Identity::default()
    });
    p
}

#[test]
fn ofac_remarks_make_sister_ships() {
    let l = parse(SDN, Format::OfacSdn, "sdn.csv").unwrap();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.entries.len(), 3);
    // the companies and the person are parties, not vessels
    assert_eq!(l.fragment.parties.len(), 3);
    let person = l
        .fragment
        .parties
        .iter()
        .find(|p| p.name == "IVANOV, Ivan")
        .unwrap();
    assert_eq!(person.kind, Some(PartyKind::Person));
    assert_eq!(l.fragment.links.len(), 4);
    let g = Graph::build(&l.entries, &l.fragment);
    // LADY R in the store (MMSI 273214860, IMO 9161003): linked to
    // TRANSMORFLOT LLC, which is listed, and so is its sister MAIA-1
    let span = ["2023-09-07", "2023-09-07"];
    let n = of_vessel(&g, 273_214_860, 9_161_003, span, &NetworkParams::default()).unwrap();
    assert_eq!(n.links.len(), 1);
    assert_eq!(n.links[0].to, "TRANSMORFLOT LLC");
    assert_eq!(n.links[0].kind, LinkKind::LinkedTo);
    assert_eq!(n.links[0].origin, "sdn.csv:2");
    assert_eq!(n.sisters.len(), 1);
    assert_eq!(
        (n.sisters[0].name.as_str(), n.sisters[0].imo),
        ("MAIA-1", Some(9_358_010))
    );
    assert_eq!(n.sisters[0].origin, "sdn.csv:3");
    let kinds: Vec<&str> = n.matches.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["linked_listed", "sister_of_listed"]);
    assert_eq!(
        n.matches[1].words,
        "LADY R -> linked to TRANSMORFLOT LLC <- linked to MAIA-1 (listed)"
    );
    // ANGARA under M LEASING LLC, no sister
    let a = of_vessel(&g, 273_210_440, 9_179_842, span, &NetworkParams::default()).unwrap();
    assert_eq!(a.links[0].to, "M LEASING LLC");
    assert!(a.sisters.is_empty());
    // a vessel the graph does not hold has no network
    assert!(of_vessel(&g, 1, 9_074_729, span, &NetworkParams::default()).is_none());
}

#[test]
fn opensanctions_simple_csv_as_published() {
    let csv = "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,program_ids,dataset,first_seen,last_seen,last_change\n\
ofac-90001,Vessel,ANGARA,,,ru,,IMO9179842;273210440,US OFAC SDN,,,,sanctions,2022-05-08,2024-06-01,2024-06-01\n\
ofac-90004,Vessel,MAIA-1,NEPTUNE CROW;OCEAN RISING,,ru,,IMO9358010,US OFAC SDN,,,,sanctions,2024-05-01,2024-06-01,2024-06-01\n\
ofac-90006,Company,TRANSMORFLOT LLC,ТРАНСМОРФЛОТ,,ru,,1234567890,US OFAC SDN,,,,sanctions,2024-05-01,2024-06-01,2024-06-01\n";
    let l = parse(csv, Format::OpenSanctions, "targets.simple.csv").unwrap();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.entries.len(), 2, "the company is not a vessel");
    assert_eq!(l.entries[0].imo, Some(9_179_842));
    assert_eq!(l.entries[0].mmsi, Some(273_210_440));
    assert_eq!(l.entries[1].aliases, ["NEPTUNE CROW", "OCEAN RISING"]);
    assert_eq!(l.fragment.parties.len(), 1);
    assert_eq!(l.fragment.parties[0].kind, Some(PartyKind::Company));
    let profiles = BTreeMap::from([(273_210_440, seen(273_210_440, 9_179_842, "ANGARA"))]);
    let m = match_all(&profiles, &l.entries, &MatchParams::default());
    assert_eq!(m[0].level, "strong");
    assert_eq!(
        m[0].basis.iter().find(|b| b.field == "imo").unwrap().listed,
        "9179842"
    );
}

/// A vessel owned by a company owned by a listed company, as FtM entities
/// (the published schema: Vessel, Company, Ownership with owner/asset).
const FTM: &str = r#"{"id":"v1","schema":"Vessel","properties":{"name":["SEA STAR"],"imoNumber":["IMO9074729"],"flag":["ru"]}}
{"id":"c1","schema":"Company","properties":{"name":["Star Shipping LLC"]}}
{"id":"c2","schema":"Company","properties":{"name":["ООО Трансморфлот"],"alias":["Transmorflot"]},"target":true,"datasets":["us_ofac_sdn"]}
{"id":"o1","schema":"Ownership","properties":{"owner":["c1"],"asset":["v1"],"startDate":["2021-03-01"]}}
{"id":"o2","schema":"Ownership","properties":{"owner":["c2"],"asset":["c1"]}}
{"id":"o3","schema":"Ownership","properties":{"owner":["c1"],"asset":["c2"]}}
"#;

/// The same facts as an analyst's register.
const REGISTER: &str = r#"
[[vessel]]
imo = 9074729
name = "SEA STAR"
owner = "Star Shipping LLC"
from = "2021-03-01"

[[company]]
name = "Star Shipping LLC"
owner = "Transmorflot"

[[company]]
name = "Transmorflot"
owner = "Star Shipping LLC"
listed = "OFAC SDN (as recorded)"
"#;

#[test]
fn an_ownership_chain_two_levels_deep_from_ftm_and_from_a_register() {
    let p = NetworkParams::default();
    let span = ["2023-09-07", "2023-12-31"];
    let f = parse_ftm(FTM.as_bytes(), "ftm.json");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let g = Graph::build(&f.entries, &f.fragment);
    let a = of_vessel(&g, 273_000_001, 9_074_729, span, &p).unwrap();
    let r = parse_register_toml(REGISTER, "register.toml").unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let g2 = Graph::build(&r.entries, &r.fragment);
    let b = of_vessel(&g2, 273_000_001, 9_074_729, span, &p).unwrap();
    // SEA STAR -> owned by STAR SHIPPING -> owned by TRANSMORFLOT (listed):
    // owner_listed at the second hop, 0.8 x 0.7 = 0.56; the ownership
    // cycle back to STAR SHIPPING is not followed twice
    for n in [&a, &b] {
        assert_eq!(n.matches.len(), 1, "{:?}", n.matches);
        let m = &n.matches[0];
        assert_eq!(m.kind, "owner_listed");
        assert!((m.strength - 0.56).abs() < 1e-9, "{}", m.strength);
        assert_eq!(m.path.len(), 2);
        assert_eq!(m.path[0].to, "Star Shipping LLC");
    }
    // the Cyrillic name and the register's Latin one are one company
    assert_eq!(a.matches[0].path[1].to, "ООО Трансморфлот");
    assert_eq!(b.matches[0].path[1].to, "Transmorflot");
    // before the ownership began, the chain does not hold
    assert!(of_vessel(&g, 273_000_001, 9_074_729, ["2019-01-01", "2020-12-31"], &p).is_none());
}

#[test]
fn bad_entities_and_register_rows_are_reported_with_their_line() {
    let ftm = "{\"id\":\"o1\",\"schema\":\"Ownership\",\"properties\":{\"owner\":[\"nobody\"],\"asset\":[\"v9\"]}}\nnot json\n{\"id\":\"v9\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"X\"]}}\n{\"id\":\"p\",\"schema\":\"Person\",\"properties\":{}}\n";
    let f = parse_ftm(ftm.as_bytes(), "bad.json");
    let lines: Vec<u64> = f.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 1, 4], "{:?}", f.errors);
    assert!(f.errors[1].msg.contains("\"nobody\""), "{:?}", f.errors);
    let reg = "[[vessel]]\nimo = 9074728\nowner = \"A\"\n\n[[vessel]]\nname = \"\"\n\n[[vessel]]\nimo = 9074729\nowner = \"B\"\ncolour = \"red\"\n\n[[vessel]]\nimo = 9074729\nmanager = \"C\"\n";
    let r = parse_register_toml(reg, "reg.toml").unwrap();
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 5, 8], "{:?}", r.errors);
    assert_eq!(r.fragment.links.len(), 1);
    assert_eq!(r.fragment.links[0].kind, LinkKind::Manager);
}

#[test]
fn a_renamed_ship_with_a_new_mmsi_is_one_hull() {
    // MAIA-1 on 273298410 until T0 + 10 h, NEPTUNE CROW on 273299990 from
    // T0 + 34 h, both IMO 9358010: one hull, a 24 h handover
    let h = 3_600_000;
    let mut a = seen(273_298_410, 9_358_010, "MAIA-1");
    a.add(&Identity {
        time_ms: T0 + 10 * h,
        mmsi: 273_298_410,
        msg_type: 5,
        imo: Some(9_358_010),
        ..Identity::default()
    });
    let mut b = Profile::new(273_299_990);
    b.add(&Identity {
        time_ms: T0 + 34 * h,
        mmsi: 273_299_990,
        msg_type: 5,
        name: Some("NEPTUNE CROW".into()),
        imo: Some(9_358_010),
        ..Identity::default()
    });
    let other = seen(273_000_001, 9_074_729, "OTHER");
    let profiles = BTreeMap::from([(a.mmsi, a), (b.mmsi, b), (other.mmsi, other)]);
    let hulls = intel::hulls(&profiles);
    assert_eq!(hulls.len(), 1);
    let x = &hulls[0];
    assert_eq!(x.imo, 9_358_010);
    let mmsis: Vec<u32> = x.identities.iter().map(|i| i.mmsi).collect();
    assert_eq!(mmsis, [273_298_410, 273_299_990]);
    assert_eq!(x.identities[1].names, ["NEPTUNE CROW"]);
    assert!((x.handovers[0].hours - 24.0).abs() < 1e-9);
    assert!(!x.overlapping);
}

proptest::proptest! {
    /// Any bytes as FtM lines, a register or a list: errors with lines,
    /// never a panic.
    #[test]
    fn arbitrary_input_never_panics(lines in proptest::collection::vec(
        proptest::prop_oneof![
            "\\PC{0,80}",
            "\\{\"id\":\"[a-c]\",\"schema\":\"(Vessel|Company|Ownership|Sanction|Person)\",\"properties\":\\{\"(name|owner|asset|entity|imoNumber)\":\\[\"[a-c0-9]{0,9}\"\\]\\}\\}",
        ],
        0..12,
    )) {
        let text = lines.join("\n");
        let _ = parse_ftm(text.as_bytes(), "x.json");
        let _ = parse_register_toml(&text, "x.toml");
        let _ = intel::registry::parse_register_csv(&text, "x.csv");
        let _ = parse(&text, Format::OfacSdn, "sdn.csv");
        let _ = parse(&text, Format::OpenSanctions, "os.csv");
        let l = parse_ftm(text.as_bytes(), "x.json");
        let g = Graph::build(&l.entries, &l.fragment);
        for v in &g.vessels {
            if let Some(imo) = v.imo {
                let _ = of_vessel(&g, 1, imo, ["0000-00-00", "9999-99-99"], &NetworkParams::default());
            }
        }
    }
}

#[test]
fn an_endless_entity_is_reported_and_not_held() {
    // a line of 6 MiB (over the 4 MiB an entity may have) between two good
    // entities: reported with its line, the others load
    let mut text = String::from(
        "{\"id\":\"c1\",\"schema\":\"Company\",\"properties\":{\"name\":[\"A LLC\"]}}\n",
    );
    text.push_str(&"x".repeat(6 << 20));
    text.push_str(
        "\n{\"id\":\"c2\",\"schema\":\"Company\",\"properties\":{\"name\":[\"B LLC\"]}}\n",
    );
    let f = parse_ftm(text.as_bytes(), "big.json");
    assert_eq!(f.fragment.parties.len(), 2);
    assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
    assert_eq!(f.errors[0].line, 2);
    assert!(f.errors[0].msg.contains("longer than"), "{:?}", f.errors);
}

#[test]
fn a_register_larger_than_a_document_may_be_is_refused_plainly() {
    // a sparse file of 300 MiB: refused by its size, before reading it
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.toml");
    std::fs::File::create(&p)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let mut inp = intel::Inputs::default();
    let e = inp.add_registry(&p).unwrap_err().to_string();
    assert!(e.contains("huge.toml") && e.contains("larger than"), "{e}");
    let e = intel::watchlist::load(&dir.path().join("huge.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("larger than"), "{e}");
}
