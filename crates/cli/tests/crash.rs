//! Crash safety with a real `kill -9`: an ingest killed at any moment leaves
//! a store that reads without error, and re-running it completes the store
//! to exactly the rows of an uninterrupted run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use store::{Filter, Store};

fn data(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../../tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn ingest_cmd(sources: &Path, store: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shiptrace"));
    c.args(["ingest"])
        .arg(sources)
        .arg("--store")
        .arg(store)
        .args(["--flush-rows", "3000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Every row of the store, as comparable text, sorted.
fn rows(store: &Path) -> Vec<String> {
    let s = Store::open(store).expect("store opens");
    let mut v: Vec<String> = s
        .positions(&Filter::default())
        .expect("positions read")
        .iter()
        .map(|p| format!("{p:?}"))
        .collect();
    v.extend(
        s.identities(&Filter::default())
            .expect("identities read")
            .iter()
            .map(|i| format!("{i:?}")),
    );
    v.sort();
    v
}

#[test]
fn kill_9_at_any_moment_then_rerun_gives_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("sources");
    std::fs::create_dir(&src).unwrap();
    let mut amsa = Vec::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(data("amsa-terrestrial.nmea.gz")).unwrap(),
    )
    .read_to_end(&mut amsa)
    .unwrap();
    for i in 0..6 {
        // distinct content per file, so each is its own source (their
        // reports are the same: each source after the first is merged with
        // the store, so kills also land inside merges)
        let mut text = format!("# part {i}\n").into_bytes();
        text.extend_from_slice(&amsa);
        std::fs::write(src.join(format!("part-{i}.nmea")), text).unwrap();
    }
    let reference = tmp.path().join("reference");
    assert!(ingest_cmd(&src, &reference).status().unwrap().success());
    let expected = rows(&reference);
    // six copies of one capture, stored once
    assert!(expected.len() > 15_000, "{}", expected.len());
    let merged: u64 = Store::open(&reference)
        .unwrap()
        .sources()
        .iter()
        .flat_map(|e| &e.merges)
        .map(|m| m.positions_merged)
        .sum();
    assert!(merged > 5 * 15_000, "{merged}");

    let crashed = tmp.path().join("crashed");
    let mut kills = 0;
    let mut completed = false;
    for round in 0..60u64 {
        let mut child = ingest_cmd(&src, &crashed).spawn().unwrap();
        // Kill after a varying delay, spread over the whole run.
        std::thread::sleep(Duration::from_millis(15 + (round * 37) % 400));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success());
                completed = true;
                break;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
        // After every kill the store opens and every committed row reads.
        if crashed.join("manifest.jsonl").exists() {
            let _ = rows(&crashed);
        }
    }
    if !completed {
        assert!(ingest_cmd(&src, &crashed).status().unwrap().success());
    }
    eprintln!("killed {kills} times before the ingest completed");
    assert!(
        kills >= 3,
        "the ingest finished too fast to be killed mid-way ({kills} kills)"
    );
    assert_eq!(rows(&crashed), expected);
    // and nothing was committed twice
    let s = Store::open(&crashed).unwrap();
    let mut hashes: Vec<&str> = s.sources().iter().map(|e| e.hash.as_str()).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 6);
    assert_eq!(s.sources().len(), 6);
}
