//! Writes lists of the size analysts load, for timing `shiptrace estimate`
//! with them: `sdn.csv` in OFAC's layout (15,000 rows: 851 vessels linked
//! to companies, companies linked to each other, individuals) and
//! `entities.ftm.json`, N FollowTheMoney entities (vessels, companies,
//! people, ownerships, directorships, sanctions) in OpenSanctions' schema.
//! Synthetic: names and numbers are generated, the layouts are the
//! published ones.
//!
//! cargo run --release --manifest-path bench/Cargo.toml --bin gen_lists -- OUT_DIR [N]

use std::io::Write;

/// A valid IMO number from a six-digit stem (the seventh digit is the
/// check digit).
fn imo(stem: u32) -> u32 {
    let s = 100_000 + stem % 900_000;
    let d: Vec<u32> = s.to_string().bytes().map(|b| (b - b'0') as u32).collect();
    let sum: u32 = (0..6).map(|i| d[i] * (7 - i as u32)).sum();
    s * 10 + sum % 10
}

fn main() -> std::io::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let out = std::path::PathBuf::from(a.get(1).map(String::as_str).unwrap_or("/tmp/lists"));
    let n: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    std::fs::create_dir_all(&out)?;
    // sdn.csv: 851 vessels, 9,000 entities, 5,149 individuals
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("sdn.csv"))?);
    let mut row = 1u32;
    for c in 0..9_000u32 {
        let link = if c % 3 == 0 {
            format!("; Linked To: COMPANY {} LLC.", (c * 7 + 1) % 9_000)
        } else {
            String::new()
        };
        writeln!(w, "{row},\"COMPANY {c} LLC\",\"-0- \",\"RUSSIA-EO14024\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"Organization Type: Sea and coastal freight water transport{link}\"")?;
        row += 1;
    }
    for p in 0..5_149u32 {
        writeln!(w, "{row},\"PERSON{p}, Ivan\",\"individual\",\"RUSSIA-EO14024\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"DOB 1970; Linked To: COMPANY {} LLC.\"", p % 9_000)?;
        row += 1;
    }
    for v in 0..851u32 {
        writeln!(w, "{row},\"VESSEL {v}\",\"vessel\",\"RUSSIA-EO14024\",\"-0- \",\"-0- \",\"General Cargo\",\"-0- \",\"-0- \",\"Russia\",\"-0- \",\"Vessel Registration Identification IMO {}; MMSI 273{:06}; Linked To: COMPANY {} LLC.\"", imo(v), v, (v * 13) % 9_000)?;
        row += 1;
    }
    w.flush()?;
    // FtM: 10% vessels, 25% companies, 5% people, 40% ownerships, 10%
    // directorships, 10% sanctions
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("entities.ftm.json"))?);
    let (nv, nc, np) = (n / 10, n / 4, n / 20);
    for v in 0..nv {
        writeln!(w, "{{\"id\":\"v{v}\",\"schema\":\"Vessel\",\"properties\":{{\"name\":[\"SHIP {v}\"],\"imoNumber\":[\"IMO{}\"],\"flag\":[\"ru\"],\"previousName\":[\"OLD SHIP {v}\"]}},\"datasets\":[\"synthetic\"]}}", imo(v as u32 + 1_000))?;
    }
    for c in 0..nc {
        writeln!(w, "{{\"id\":\"c{c}\",\"schema\":\"Company\",\"properties\":{{\"name\":[\"Firm {c} Shipping LLC\"],\"jurisdiction\":[\"ru\"]}},\"target\":{},\"datasets\":[\"synthetic\"]}}", c % 50 == 0)?;
    }
    for p in 0..np {
        writeln!(w, "{{\"id\":\"p{p}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Person {p}\"]}}}}")?;
    }
    let rels = n - nv - nc - np;
    for r in 0..rels {
        let k = r % 10;
        if k < 6 {
            // ownership: a company owns a vessel or another company
            let asset = if k < 3 { format!("v{}", r % nv) } else { format!("c{}", (r * 7) % nc) };
            writeln!(w, "{{\"id\":\"o{r}\",\"schema\":\"Ownership\",\"properties\":{{\"owner\":[\"c{}\"],\"asset\":[\"{asset}\"],\"startDate\":[\"2019-01-01\"]}}}}", r % nc)?;
        } else if k < 8 {
            writeln!(w, "{{\"id\":\"d{r}\",\"schema\":\"Directorship\",\"properties\":{{\"director\":[\"p{}\"],\"organization\":[\"c{}\"]}}}}", r % np, r % nc)?;
        } else {
            writeln!(w, "{{\"id\":\"s{r}\",\"schema\":\"Sanction\",\"properties\":{{\"entity\":[\"c{}\"],\"program\":[\"synthetic\"]}}}}", (r * 3) % nc)?;
        }
    }
    w.flush()?;
    eprintln!("wrote {}/sdn.csv (15,000 rows) and entities.ftm.json ({n} entities)", out.display());
    Ok(())
}
