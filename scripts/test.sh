#!/usr/bin/env bash
# Installs the test prerequisites (Debian gpsd-clients for the gpsd
# differential tests) if missing, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v gpsdecode >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpsd-clients >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpsd-clients >/dev/null
  fi
fi
cargo test --workspace --locked
