#!/usr/bin/env bash
# Scores detection against the simulator's truth on the built-in scenario
# with other seeds than the default: simulate, ingest, detect, eval.
# Usage: scripts/eval-seeds.sh SEED...   (output under out/eval-SEED/)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p shiptrace
bin=./target/release/shiptrace
for seed in "$@"; do
  d=out/eval-$seed
  rm -rf "$d"
  $bin simulate --scenario rason-shuttle --seed "$seed" --out "$d/sim" 2>/dev/null
  $bin ingest "$d/sim/ais.nmea.gz" --store "$d/store" 2>/dev/null
  $bin detect --store "$d/store" --out "$d/events.jsonl" 2>/dev/null
  echo "== seed $seed"
  $bin eval --truth "$d/sim/truth.jsonl" --events "$d/events.jsonl"
done
