#!/usr/bin/env bash
# Fits the confidence models ([detect.calibration]) on the training worlds
# and prints the section. The defaults in crates/detect/src/calibrate.rs
# were made by this script with the worlds below; the worlds they are
# reported on (BENCHMARKS.md) are other seeds: see scripts/eval-seeds.sh.
#
# Usage: scripts/calibrate.sh [FAMILY:SEED...]   (default: the training set)
# Two rounds: the first fits from events detected with the built-in
# coefficients, the second re-detects with the first round's fit (voyages
# take their score from the calibrated calls at their ends) and fits again.
set -euo pipefail
cd "$(dirname "$0")/.."
train=("$@")
[ ${#train[@]} -gt 0 ] || train=(rason-shuttle:1 rason-shuttle:2 rason-shuttle:9 rason-shuttle:10
  rason-evasive:1 rason-evasive:2 rason-evasive:3 rason-evasive:10 rason-evasive:11
  rason-evasive:12 rason-evasive:13 rason-evasive:14 rason-evasive:15
  rason-evasive:16 rason-evasive:17)
cargo build --release --locked -q -p shiptrace
bin=./target/release/shiptrace
mkdir -p out/eval
round=out/eval/calibration-round.toml
rm -f "$round"
for r in 1 2; do
  pairs=()
  for w in "${train[@]}"; do
    fam=${w%%:*}
    seed=${w##*:}
    d=out/eval/$(basename "$fam" .toml)-$seed
    if [ ! -f "$d/store/manifest.jsonl" ]; then
      rm -rf "$d"
      $bin simulate --scenario "$fam" --seed "$seed" --out "$d/sim" 2>/dev/null
      $bin ingest "$d/sim/ais.nmea.gz" --store "$d/store" 2>/dev/null >/dev/null
    fi
    if [ -f "$round" ]; then
      $bin detect --store "$d/store" --config "$round" --out "$d/events-train.jsonl" 2>/dev/null
    else
      $bin detect --store "$d/store" --out "$d/events-train.jsonl" 2>/dev/null
    fi
    pairs+=(--world "$d/sim/truth.jsonl" "$d/events-train.jsonl")
  done
  # Each family's L2 penalty by leave-one-world-out cross-validation, but
  # the dark-port-call model's at 1: the cross-validated one (0.01) gave
  # worse-calibrated live confidences on these training worlds' `watch`
  # replays (rason-evasive 1-3: Brier 0.092 against 0.082, precision of
  # confirmed alerts 0.857 against 0.925), where the coverage map holds
  # only the past.
  $bin calibrate "${pairs[@]}" --l2-dark-port-call 1 --fitted-on "${train[*]}" > "$round.new"
  mv "$round.new" "$round"
done
cat "$round"
