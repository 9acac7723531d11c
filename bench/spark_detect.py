"""Spark local[N] against the native `shiptrace detect` on the same store,
side by side in one run, with the events checked equal and a projection of
the cost per billion fixes.

    python bench/spark_detect.py STORE SHIPTRACE_BIN [--master local[2]] [--partitions N]

Install the package built with --release first (`maturin build --release`,
then pip install the wheel): a debug build measures the compiler, not the
engine. Prints a Markdown table for BENCHMARKS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

import shiptrace


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS MB of the process tree's
    largest child, stderr)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{err[-3000:]}")
    return wall, ru.ru_maxrss / 1024, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("bin")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    fixes = sum(s["positions"] for s in shiptrace.open_store(a.store).sources)

    native_wall, native_rss, _ = run([a.bin, "detect", "--store", a.store, "--out", f"{tmp}/cli.jsonl"])

    t = time.perf_counter()
    ev = shiptrace.detect(a.store)
    py_wall = time.perf_counter() - t

    cmd = [sys.executable, "-m", "shiptrace.spark", "detect", "--store", a.store, "--out", f"{tmp}/spark",
           "--master", a.master]
    if a.partitions:
        cmd += ["--partitions", str(a.partitions)]
    spark_wall, spark_rss, err = run(cmd)
    summary = None
    for line in err.splitlines():
        if line.startswith("{") and '"phase_one_s"' in line:
            summary = json.loads(line)
    if summary is None:
        sys.exit("no summary from the Spark job:\n" + err[-3000:])

    cli_text = open(f"{tmp}/cli.jsonl").read()
    same = shiptrace.events_to_jsonl(pq.read_table(f"{tmp}/spark")) == cli_text
    same_py = shiptrace.events_to_jsonl(ev) == cli_text
    n_events = cli_text.count("\n")

    cores = int(a.master.split("[")[1].rstrip("]")) if "[" in a.master else os.cpu_count()
    job = summary["total_s"]
    par = summary["phase_one_s"] + summary["encounters_s"]
    per_core = fixes / (par * cores)
    scale = 1e9 / fixes
    core_h = par * cores * scale / 3600
    driver_s = summary["phase_two_s"] * scale

    print(f"store: {a.store} ({fixes:,} fixes, {summary['vessels']:,} vessels, {n_events:,} events)")
    print(f"events equal to `shiptrace detect`: Spark {same}, Python {same_py}\n")
    print("| run | wall | ratio to native | peak RSS |")
    print("|---|---:|---:|---:|")
    print(f"| `shiptrace detect` (native, rayon on all cores) | {native_wall:.1f} s | 1.00 | {native_rss:.0f} MB |")
    print(f"| `shiptrace.detect(store)` from Python | {py_wall:.1f} s | {py_wall / native_wall:.2f} | (in-process) |")
    print(f"| Spark {a.master}, whole command (JVM start included) | {spark_wall:.1f} s | {spark_wall / native_wall:.2f} | "
          f"{spark_rss:.0f} MB (largest process) |")
    print(f"| Spark {a.master}, job only | {job:.1f} s | {job / native_wall:.2f} | |")
    print(f"\nSpark stages: phase one {summary['phase_one_s']:.1f} s, encounters {summary['encounters_s']:.1f} s, "
          f"phase two on the driver {summary['phase_two_s']:.1f} s, write {summary.get('write_s', 0):.1f} s; "
          f"{summary['partitions']} partitions")
    print(f"per-core throughput of the distributed stages: {per_core:,.0f} fixes/s")
    print(f"projected per 10^9 fixes: {core_h:.2f} executor core-hours for the distributed stages, "
          f"plus {driver_s / 60:.1f} min of driver phase two if events grow with fixes")
    if not (same and same_py):
        sys.exit(1)


if __name__ == "__main__":
    main()
