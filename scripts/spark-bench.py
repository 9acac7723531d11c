#!/usr/bin/env python3
"""The Spark job measured: per-stage seconds, phase-one fixes per second
per core, and the driver's peak memory, for each store and read path.

    scripts/spark-bench.py --store /tmp/load10m/store --store /tmp/load100m/store \\
        --master 'local[2]' --master cluster --read native --read jvm

``--master cluster`` starts a standalone master and two one-core workers
(scripts/spark-cluster.sh) for the runs and stops them after. The driver's
memory is the peak of the summed resident memory of the driver process and
its descendants (its JVM), sampled every 0.2 s from /proc; in local mode the
executors live in the driver's JVM and are counted with it, on the cluster
they are the workers' processes and are not. Each run's events are checked
against `--expect` (an events.jsonl of `shiptrace detect`) when given.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]


def tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and its descendants, KiB."""
    children: Dict[int, List[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run(store: str, master: str, read: str, out: str, expect: Optional[str],
        partitions: Optional[int] = None) -> dict:
    cmd = [sys.executable, "-m", "shiptrace.spark", "detect", "--store", store, "--out", out,
           "--master", master, "--read", read, "--conf", "spark.driver.memory=4g"]
    if partitions:
        cmd += ["--partitions", str(partitions)]
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    peak = [0]

    def sample() -> None:
        while p.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(p.pid))
            time.sleep(0.2)

    th = threading.Thread(target=sample)
    th.start()
    _, err = p.communicate()
    th.join()
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"{store} ({master}, {read}) failed:\n{err[-3000:]}")
    summary = json.loads(next(l for l in err.splitlines() if l.startswith("{")))
    summary["wall_s"] = wall
    summary["driver_peak_mb"] = peak[0] / 1024
    if expect:
        import pyarrow.parquet as pq

        import shiptrace

        got = shiptrace.events_to_jsonl(pq.read_table(out))
        summary["same_events"] = got == pathlib.Path(expect).read_text()
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", action="append", required=True)
    ap.add_argument("--expect", action="append", default=[],
                    help="events.jsonl of `shiptrace detect` for the --store of the same position")
    ap.add_argument("--master", action="append", default=[], help="local[N] or cluster (default local[2])")
    ap.add_argument("--read", action="append", default=[], help="native, jvm (default native)")
    ap.add_argument("--partitions", type=int, help="tasks per stage of phase one and the encounters "
                    "(default: the job's, one per million fixes)")
    a = ap.parse_args()
    masters = a.master or ["local[2]"]
    reads = a.read or ["native"]
    rows = []
    cluster_dir = tempfile.mkdtemp(prefix="shiptrace-spark-")
    script = str(ROOT / "scripts" / "spark-cluster.sh")
    for master in masters:
        url, cores = master, 0
        if master == "cluster":
            r = subprocess.run([script, "start", cluster_dir], capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(r.stderr)
            url, cores = r.stdout.strip().splitlines()[-1], int(os.environ.get("SPARK_WORKERS", "2"))
        else:
            cores = int(master.split("[", 1)[1].rstrip("]")) if "[" in master else 1
        try:
            for read in reads:
                for k, store in enumerate(a.store):
                    expect = a.expect[k] if k < len(a.expect) else None
                    with tempfile.TemporaryDirectory() as tmp:
                        s = run(store, url, read, os.path.join(tmp, "events"), expect, a.partitions)
                    s.update(store=store, master=master, read_path=read, cores=cores)
                    rows.append(s)
                    print(json.dumps(s), file=sys.stderr)
        finally:
            if master == "cluster":
                subprocess.run([script, "stop", cluster_dir])
    print("| store | fixes | events | master | read | plan s | phase one s | fixes/s per core (phase one) | shared part s "
          "| encounters + phase two s | numbering + write s | job s | driver peak MB | shared parts / broadcast KB "
          "| same events |")
    print("|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in rows:
        per_core = s["fixes"] / s["phase_one_s"] / s["cores"]
        events = sum(s.get("by_kind", {}).values())
        print(f"| {s['store']} | {s['fixes']:,} | {events:,} | {s['master']} | {s['read_path']} "
              f"| {s['plan_s']:.1f} | {s['phase_one_s']:.1f} | {per_core:,.0f} | {s['shared_s']:.2f} | {s['phase_two_s']:.1f} "
              f"| {s['write_s']:.1f} | {s['total_s']:.1f} | {s['driver_peak_mb']:.0f} "
              f"| {s['shared_parts_bytes'] / 1024:,.0f} / {s['broadcast_bytes'] / 1024:,.0f} | {s.get('same_events', '')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
