#!/usr/bin/env bash
# The README's pictures (docs/img): runs the full built-in demo, then takes
# the report's first screen and one dossier in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release -p shiptrace
target/release/shiptrace demo --out "$out/demo"
SHIPTRACE_DOCS_REPORT="$out/demo/report.html" \
    cargo test -p shiptrace --test browser screenshots_for_the_docs -- --ignored --exact
ls -l docs/img
