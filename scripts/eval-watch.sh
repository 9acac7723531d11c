#!/usr/bin/env bash
# Replays worlds of scripts/eval-seeds.sh through `shiptrace watch` (as
# fast as possible, no HTTP) and scores the confirmed dark_port_call
# alerts against the truth, pooled over the worlds.
# Usage: scripts/eval-watch.sh FAMILY:SEED...   (run scripts/eval-seeds.sh on them first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p shiptrace
bin=./target/release/shiptrace
pairs=()
stores=()
for w in "$@"; do
  fam=${w%%:*}
  seed=${w##*:}
  d=out/eval/$(basename "$fam" .toml)-$seed
  [ -f "$d/sim/ais.nmea.gz" ] || { echo "eval-watch: $d missing: run scripts/eval-seeds.sh $w first" >&2; exit 2; }
  rm -rf "$d/watch"
  $bin watch --dir "$d/watch" --replay "$d/sim/ais.nmea.gz" --speed 0 --no-http >/dev/null 2>&1
  echo "== $fam seed $seed: alerts by kind"
  sed -n 's/^{"seq":[0-9]*,"kind":"\([a-z_]*\)".*/\1/p' "$d/watch/alerts.jsonl" | sort | uniq -c
  pairs+=(--world "$d/sim/truth.jsonl" "$d/watch/alerts.jsonl")
  stores+=(--world-store "$d/store")
done
echo "== confirmed dark_port_call alerts, pooled over $*"
$bin eval "${pairs[@]}" "${stores[@]}" --kinds dark_port_call
