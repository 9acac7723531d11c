#!/usr/bin/env bash
# Scores detection against the simulator's truth on worlds of the built-in
# scenario families: simulate, ingest, detect, eval per world, then one
# pooled evaluation over all of them (one-to-one matching, reliability
# tables, Brier scores; truth events the data could not show reported
# apart; see `shiptrace eval --help`).
#
# Usage: scripts/eval-seeds.sh [--days D] [--config FILE] [--json] FAMILY:SEED...
#   FAMILY: rason-shuttle | rason-evasive (or a scenario TOML path)
#   --days D      simulate D days instead of the scenario's own length
#   --config F    detect with this shiptrace.toml ([detect] parameters)
#   --json        print the pooled evaluation as JSON
# Worlds are kept under out/eval/FAMILY-SEED[-dD]/ and re-simulated only
# when missing. Examples:
#   scripts/eval-seeds.sh rason-shuttle:3 rason-shuttle:4 rason-evasive:4 rason-evasive:5
#   scripts/eval-seeds.sh --days 20 rason-evasive:11
set -euo pipefail
cd "$(dirname "$0")/.."
days=""
config=()
json=()
worlds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --days) days="$2"; shift 2 ;;
    --config) config=(--config "$2"); shift 2 ;;
    --json) json=(--json); shift ;;
    *:*) worlds+=("$1"); shift ;;
    *) echo "eval-seeds: expected FAMILY:SEED, got $1" >&2; exit 2 ;;
  esac
done
[ ${#worlds[@]} -gt 0 ] || { echo "usage: scripts/eval-seeds.sh [--days D] [--config F] [--json] FAMILY:SEED..." >&2; exit 2; }
cargo build --release --locked -q -p shiptrace
bin=./target/release/shiptrace
pairs=()
stores=()
for w in "${worlds[@]}"; do
  fam=${w%%:*}
  seed=${w##*:}
  d=out/eval/$(basename "$fam" .toml)-$seed${days:+-d$days}
  if [ ! -f "$d/store/manifest.jsonl" ]; then
    rm -rf "$d"
    $bin simulate --scenario "$fam" --seed "$seed" ${days:+--days "$days"} --out "$d/sim" 2>/dev/null
    $bin ingest "$d/sim/ais.nmea.gz" --store "$d/store" 2>/dev/null >/dev/null
  fi
  $bin detect --store "$d/store" "${config[@]}" --out "$d/events.jsonl" 2>/dev/null
  if [ ${#json[@]} -eq 0 ]; then
    echo "== $fam seed $seed"
    $bin eval --truth "$d/sim/truth.jsonl" --events "$d/events.jsonl" --store "$d/store" | sed -n '/^kind/,/^(match/p'
  fi
  pairs+=(--world "$d/sim/truth.jsonl" "$d/events.jsonl")
  stores+=(--world-store "$d/store")
done
[ ${#json[@]} -gt 0 ] || echo "== pooled over ${worlds[*]}"
$bin eval "${pairs[@]}" "${stores[@]}" "${json[@]}"
