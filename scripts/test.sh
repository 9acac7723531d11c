#!/usr/bin/env bash
# Installs the test prerequisites if missing (Debian gpsd-clients for the
# gpsd differential tests, gpsd for `watch --gpsd` against a real daemon, chromium for the report's browser tests, a Java
# runtime for Spark, procps for stopping the standalone Spark cluster; from PyPI maturin, pyarrow, pandas, duckdb, polars,
# pyspark, pytest, moto's S3 server and mypy for the Python bindings), runs the Rust test
# suite, builds and installs the Python package, runs its tests (pytest),
# type-checks it (mypy), and prints one closing line with the totals. The
# hostile-input suite runs against a release build of the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if ! command -v gpsdecode >/dev/null 2>&1 || ! [ -x /usr/sbin/gpsd ] || ! command -v chromium >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1 || ! command -v pkill >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpsd gpsd-clients chromium openjdk-17-jre-headless procps >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
  "maturin>=1.5,<2" "pyarrow>=14" "pandas>=2" duckdb polars "pyspark>=4.0,<4.1" "pytest>=7" \
  "moto[server]>=5,<6" "mypy==2.4.1" "pyarrow-stubs==20.0.0.20260819"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# The hostile-input suite (crates/cli/tests/hostile.rs) attacks the release
# binary, as a user runs it.
if ! cargo build --release --locked -p shiptrace 2>&1 | tail -n 3; then
  echo "release build failed" >&2
  exit 1
fi
export SHIPTRACE_HOSTILE_BIN="$PWD/target/release/shiptrace"
cargo test --workspace --exclude shiptrace-py --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The Python package, built from this checkout (debug profile: shares the
# build above) and installed for pytest.
rm -rf target/wheels
python3 -m maturin build --locked --profile dev -o target/wheels 2>&1 | tail -n 3 &&
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --force-reinstall --no-deps target/wheels/shiptrace-*.whl &&
  SHIPTRACE_BIN="$PWD/target/debug/shiptrace" python3 -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee -a "$log"
pystatus=${PIPESTATUS[0]}
# The package's annotations and stubs type-check (mypy).
if [ "$pystatus" = 0 ]; then
  python3 -m mypy --ignore-missing-imports python/shiptrace || pystatus=1
fi
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^[0-9]+ (passed|failed)|^[0-9]+ failed, [0-9]+ passed/ && / in [0-9.]+s/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "total: %d passed, %d failed\n", p, f }' "$log"
[ "$status" = 0 ] || exit "$status"
exit "$pystatus"
