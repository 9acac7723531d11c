#!/usr/bin/env bash
# The main job: build shiptrace, simulate the built-in rason-shuttle scenario
# (about six months from August 2023: four shuttle ships on Rajin -> Dunai /
# Vostochny voyages with AIS off near Rajin, among ordinary traffic), and
# ingest the simulated feed into a Parquet store. Everything lands in out/.
# Detection, estimates and the report come with later versions.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p shiptrace
bin=./target/release/shiptrace
rm -rf out/rason-shuttle out/store
$bin simulate --scenario rason-shuttle --out out/rason-shuttle
$bin ingest out/rason-shuttle/ais.nmea.gz --store out/store
echo >&2
echo "simulated feed:  out/rason-shuttle/ais.nmea.gz (SIMULATED data)" >&2
echo "ground truth:    out/rason-shuttle/truth.jsonl ($(grep -c '"kind":"dark_port_call"' out/rason-shuttle/truth.jsonl) dark port calls at Najin among $(grep -c '"record":"event"' out/rason-shuttle/truth.jsonl) true events)" >&2
echo "Parquet store:   out/store (positions/, identities/, manifest.jsonl)" >&2
