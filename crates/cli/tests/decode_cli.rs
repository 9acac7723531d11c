//! `shiptrace decode` end to end: files, gzip, stdin, JSON lines on stdout,
//! the summary with rejects by reason on stderr.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shiptrace"))
}

fn data(name: &str) -> String {
    format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn decodes_a_gzipped_capture_to_json_lines_with_a_summary() {
    let out = bin()
        .args(["decode", &data("amsa-terrestrial.nmea.gz")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 33_971);
    // $GPZDA gives the receive time once the receiver clock is seen.
    assert!(lines.iter().any(|m| m["received"]
        .as_str()
        .is_some_and(|t| t.starts_with("2012-01-27T11:4"))));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("messages decoded 33971"), "{stderr}");
    assert!(stderr.contains("rejected checksum"), "{stderr}");
}

#[test]
fn reads_stdin_and_reports_bad_lines_with_their_location() {
    let mut child = bin()
        .args(["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"garbage\n\\c:1565218798*53\\!BSVDM,1,1,,A,13mb9U0P00PRk8fT5nw>4?wj2006,0*5D\r\n!AIVDM,1,1,,A,15RT,0*4B\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let m: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(m["received"], "2019-08-07T22:59:58Z");
    assert_eq!(m["mmsi"], 257591700);
    // "not available" values are left out, not shown as 511 / 181 / 102.3.
    assert!(m.get("heading").is_none());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("-:1: not an NMEA sentence"), "{stderr}");
    assert!(stderr.contains("-:3: checksum mismatch"), "{stderr}");
    assert!(stderr.contains("rejected not_nmea"), "{stderr}");
}

#[test]
fn hostile_ship_names_are_escaped_in_json() {
    // A type 5 whose name is `"><IMG SRC=X>` in 6-bit text.
    let mut msg = ais::random_message(5, &mut std::iter::repeat(0));
    if let ais::Body::StaticAndVoyage(s) = &mut msg.body {
        s.shipname = ais::AisText::from_str_lossy("\"><IMG SRC=X>\\");
    }
    let lines = ais::encode::to_sentences(&msg, &Default::default()).join("\n");
    let mut child = bin()
        .args(["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(r#""shipname":"\"><IMG SRC=X>\\""#),
        "{stdout}"
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["shipname"], "\"><IMG SRC=X>\\");
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let out = bin()
        .args(["decode", "/nonexistent/x.nmea"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("shiptrace: error: cannot open /nonexistent/x.nmea"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_missing_store_is_named_with_its_reason_once() {
    let out = bin()
        .args([
            "detect",
            "--store",
            "/nonexistent/store",
            "--out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("shiptrace: error: ") && stderr.contains("/nonexistent/store"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("store directory not found").count(),
        1,
        "{stderr}"
    );
}

/// `--format gpsd` prints what `gpsdecode -u -j` prints for the messages
/// shiptrace stores (every field gpsd lists, the same value), and reading
/// that output back (`decode` and `ingest` take gpsd's JSON) gives the
/// same messages.
#[test]
fn gpsd_format_matches_gpsdecode_and_reads_back() {
    let out = bin()
        .args(["decode", "--format", "gpsd", &data("sample.aivdm")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let ours: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut gpsd = Command::new("gpsdecode")
        .args(["-u", "-j"])
        .stdin(std::fs::File::open(data("sample.aivdm")).unwrap())
        .output()
        .expect("gpsdecode (Debian gpsd-clients) is installed");
    gpsd.stdout.retain(|&c| c != b'\r');
    let theirs: Vec<serde_json::Value> = String::from_utf8(gpsd.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let stored = [1, 2, 3, 5, 9, 18, 19, 27];
    let mut compared = 0;
    for g in theirs
        .iter()
        .filter(|g| stored.contains(&g["type"].as_u64().unwrap_or(0)))
    {
        let hit = ours.iter().any(|o| {
            g.as_object().unwrap().iter().all(|(k, v)| {
                k == "device" || k.ends_with("_text") || k == "reserved" || o.get(k) == Some(v)
            })
        });
        assert!(hit, "no line of ours has every field gpsd prints: {g}");
        compared += 1;
    }
    assert!(compared >= 15, "{compared}");
    // read back: the same messages, field for field
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("g.json");
    std::fs::write(
        &p,
        ours.iter()
            .map(|v| v.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let again = bin()
        .args(["decode", "--format", "gpsd", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let back: Vec<serde_json::Value> = String::from_utf8(again.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .collect();
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("device");
        v
    };
    let want: Vec<serde_json::Value> = ours
        .iter()
        .filter(|v| stored.contains(&v["type"].as_u64().unwrap()) || v["type"] == 24)
        .map(strip)
        .collect();
    let got: Vec<serde_json::Value> = back.iter().map(strip).collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
}
