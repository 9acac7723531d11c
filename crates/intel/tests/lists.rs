//! Small lists in each format, with malformed rows: the good rows load,
//! each bad row is reported with its file and line.

use intel::watchlist::{load, parse, Format};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn ofac_sdn_csv() {
    let d = tempfile::tempdir().unwrap();
    let text = concat!(
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Havana, Cuba.\"\n",
        "50001,\"ANGARA\",\"vessel\",\"RUSSIA-EO14024\",-0- ,\"UBCT6\",\"Cargo\",-0- ,\"6958\",\"Russia\",\"M LEASING LLC\",\"Vessel Registration Identification IMO 9179842; MMSI 273210440; Former Vessel Name HAI NAN 1; Linked To: M LEASING LLC.\"\n",
        "50002,\"SHORT ROW\",\"vessel\"\n",
        "50003,-0- ,\"vessel\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
        "50004,\"LADY R\",\"vessel\",\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,\"Russia\",-0- ,\"Vessel Registration Identification IMO 9161003.\"\n",
        "\u{1a}\n",
    );
    let p = write(d.path(), "sdn.csv", text);
    let l = load(&p).unwrap();
    assert_eq!(l.entries.len(), 2, "{:?}", l.entries);
    let a = &l.entries[0];
    assert_eq!(
        (a.name.as_str(), a.imo, a.mmsi),
        ("ANGARA", Some(9_179_842), Some(273_210_440))
    );
    assert_eq!(a.callsign.as_deref(), Some("UBCT6"));
    assert_eq!(a.flag.as_deref(), Some("Russia"));
    assert_eq!(a.aliases, vec!["HAI NAN 1".to_string()]);
    assert!(a.origin.ends_with("sdn.csv:2"), "{}", a.origin);
    assert_eq!(l.entries[1].imo, Some(9_161_003));
    assert_eq!(l.entries[1].mmsi, None);
    // the short row and the nameless row, by line
    let lines: Vec<u64> = l.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4], "{:?}", l.errors);
    assert!(l.errors[0].to_string().contains("sdn.csv:3"));
}

#[test]
fn opensanctions_csv() {
    let text = "id,schema,name,aliases,imo,mmsi,flag\n\
        v1,Vessel,MARIA,MARIYA;MARIA M,8517839,,ru\n\
        v2,Vessel,BAD IMO,,12345,,ru\n\
        v3,Vessel,,,,,\n\
        v4,Vessel,,,9999999,,\n\
        v5,Vessel,NO NUMBERS,,,,kp\n";
    let l = parse(text, Format::OpenSanctions, "os.csv").unwrap();
    assert_eq!(l.entries.len(), 2);
    assert_eq!(l.entries[0].aliases, vec!["MARIYA", "MARIA M"]);
    assert_eq!(l.entries[0].imo, Some(8_517_839));
    assert_eq!(l.entries[1].name, "NO NUMBERS");
    let msgs: Vec<String> = l.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(
        msgs[0].starts_with("os.csv:3:") && msgs[0].contains("IMO"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].starts_with("os.csv:4:") && msgs[1].contains("name"),
        "{msgs:?}"
    );
    assert!(
        msgs[2].starts_with("os.csv:5:") && msgs[2].contains("name"),
        "{msgs:?}"
    );
    // a CSV without a name column is a clear error, not an empty list
    let e = parse("vessel,imo\nX,1234567\n", Format::OpenSanctions, "x.csv").unwrap_err();
    assert!(e.to_string().contains("no `name` column"), "{e}");
}

#[test]
fn un1718_csv() {
    let d = tempfile::tempdir().unwrap();
    let text = "vessel_name,imo_number,mmsi,flag,call_sign,type,date_of_designation\n\
        JI SONG 6,8898908,445112000,DPRK,HMYN8,Tanker,2018-03-30\n\
        \"BROKEN, ROW\",89x,,,,,\n\
        NAM SAN 8,8122347,,DPRK,,Tanker,2018-03-30\n";
    let p = write(d.path(), "un.csv", text);
    let l = load(&p).unwrap();
    assert_eq!(l.entries.len(), 2);
    assert_eq!(l.entries[0].mmsi, Some(445_112_000));
    assert_eq!(l.entries[0].designated.as_deref(), Some("2018-03-30"));
    assert_eq!(l.entries[0].list, "UN 1718");
    assert_eq!(l.errors.len(), 1);
    assert_eq!(l.errors[0].line, 3);
}

#[test]
fn toml_watchlist() {
    let d = tempfile::tempdir().unwrap();
    let text = "list = \"mine\"\n\n[[vessel]]\nname = \"MAIA-1\"\naliases = [\"BBC HAWAII\"]\n\n[[vessel]]\nname = \"X\"\nimo = 12\n\n[[vessel]]\nnme = \"typo\"\n\n[[vessel]]\nname = \"OK\"\nmmsi = 273000001\n";
    let p = write(d.path(), "w.toml", text);
    let l = load(&p).unwrap();
    assert_eq!(
        l.entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["MAIA-1", "OK"]
    );
    assert_eq!(l.entries[0].list, "mine");
    let lines: Vec<u64> = l.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![7, 11], "{:?}", l.errors);
    // unreadable TOML and unknown formats are errors for the whole file
    assert!(load(&write(d.path(), "bad.toml", "[[vessel]\n")).is_err());
    assert!(load(&write(d.path(), "what.csv", "a;b;c\n")).is_err());
    assert!(load(&d.path().join("missing.csv")).is_err());
}
