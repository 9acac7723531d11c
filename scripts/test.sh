#!/usr/bin/env bash
# Installs the test prerequisites (Debian gpsd-clients for the gpsd
# differential tests, chromium for the report's browser test) if missing,
# then runs the whole test suite and prints one closing line with the
# totals over all test binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v gpsdecode >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpsd-clients chromium >/dev/null
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "total: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
