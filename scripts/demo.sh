#!/usr/bin/env bash
# The main job for now: build shiptrace and decode a bundled real capture
# (Norwegian Coastal Administration, NMEA 4.0 tag blocks). Messages go to
# out/kystverket.jsonl; the decoder's summary is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p shiptrace
mkdir -p out
./target/release/shiptrace decode tests/data/kystverket-1000.nm4 tests/data/amsa-terrestrial.nmea.gz > out/decoded.jsonl
echo "decoded messages: $(wc -l < out/decoded.jsonl) -> out/decoded.jsonl" >&2
head -3 out/decoded.jsonl
