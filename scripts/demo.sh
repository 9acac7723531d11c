#!/usr/bin/env bash
# The main job: build shiptrace, simulate the built-in rason-shuttle scenario
# (about six months from August 2023: four shuttle ships on Rajin -> Dunai /
# Vostochny voyages with AIS off near Rajin, among ordinary traffic), ingest
# the simulated feed into a Parquet store, detect behaviours, score the
# detections against the simulation's ground truth, then judge: watchlist
# matches, risk, cargo estimates and public claims checked. Everything lands
# in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p shiptrace
bin=./target/release/shiptrace
rm -rf out/rason-shuttle out/store out/events.jsonl out/intel.json
$bin simulate --scenario rason-shuttle --out out/rason-shuttle
$bin ingest out/rason-shuttle/ais.nmea.gz --store out/store
$bin detect --store out/store --out out/events.jsonl 2> >(sed '/^parameters used/,$d' >&2)
echo >&2
$bin eval --truth out/rason-shuttle/truth.jsonl --events out/events.jsonl
echo >&2
$bin estimate --store out/store --events out/events.jsonl \
  --config examples/rason-shuttle/shiptrace.toml --out out/intel.json
echo >&2
echo "simulated feed:  out/rason-shuttle/ais.nmea.gz (SIMULATED data)" >&2
echo "ground truth:    out/rason-shuttle/truth.jsonl" >&2
echo "Parquet store:   out/store (positions/, identities/, manifest.jsonl)" >&2
echo "judgement:       out/intel.json (list matches, risk, cargo estimates, claims)" >&2
echo "events:          out/events.jsonl ($(grep -c '"kind":"dark_port_call"' out/events.jsonl) dark port calls detected)" >&2
