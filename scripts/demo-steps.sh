#!/usr/bin/env bash
# What `shiptrace demo` does, one command at a time (for those who want to
# see or vary each step): simulate the built-in rason-shuttle scenario,
# ingest it into a Parquet store, detect behaviours, score them against the
# simulation's ground truth, judge (watchlist matches, risk, cargo
# estimates, claims), and write the report with its exports. Everything
# lands in out/steps/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p shiptrace
bin=./target/release/shiptrace
o=out/steps
rm -rf "$o"
mkdir -p "$o"
cfg=examples/rason-shuttle/shiptrace.toml
$bin simulate --scenario rason-shuttle --out "$o/simulation"
$bin ingest "$o/simulation/ais.nmea.gz" --store "$o/store"
$bin detect --store "$o/store" --out "$o/events.jsonl" --config "$cfg" 2> >(sed '/^parameters used/,$d' >&2)
$bin eval --truth "$o/simulation/truth.jsonl" --events "$o/events.jsonl"
$bin estimate --store "$o/store" --events "$o/events.jsonl" --config "$cfg" --out "$o/intel.json" 2>/dev/null
$bin report --store "$o/store" --events "$o/events.jsonl" --config "$cfg" --out "$o/report.html" \
  --title "shiptrace: a simulated Rajin shuttle (SIMULATED data)"
echo "report: $o/report.html" >&2
