#!/usr/bin/env python3
"""What the Spark job's driver holds of a store, without Spark: the phase-one
tasks' shared parts it collects and the shared part it broadcasts, in bytes
(the same native calls as the job, with the work items it plans on two
cores: at least four, one per four million fixes).

    scripts/spark-driver-bytes.py /tmp/demo90/store /tmp/load10m/store
"""

import json
import sys
import time

from shiptrace import _native


def measure(store: str) -> dict:
    pj = _native.params_json(None, None)
    n = sum(int(e.get("positions", 0)) for e in json.loads(_native.open_store(store).sources_json()))
    tasks = max(4, -(-n // 4_000_000))
    ranges, total = _native.spark_plan(store, max(1, -(-n // tasks)))
    t = time.perf_counter()
    blobs = [_native.spark_phase_one_store(store, a, z, pj)[0] for a, z in ranges]
    shared, _ = _native.spark_shared(blobs, pj)
    return {"store": store, "fixes": total, "tasks": len(ranges), "shared_parts_bytes": sum(map(len, blobs)),
            "broadcast_bytes": len(shared), "seconds": round(time.perf_counter() - t, 1)}


if __name__ == "__main__":
    for s in sys.argv[1:]:
        print(json.dumps(measure(s)))
