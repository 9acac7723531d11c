#!/usr/bin/env python3
"""Detections and scenes for timing the imagery fusion on a large store.

    python3 scripts/imagery-bench-data.py STORE OUT_DIR [DETECTIONS]

Scenes are 1,000 km boxes centred on a random fix, at that fix's time;
each vessel with a fix within a minute of the scene time inside the box is
detected once, 200 m off, and one detection in fifty is clutter at a random
place in the box. Scenes are added until DETECTIONS (default 100,000) are
written. Seeded: the same store gives the same files. Writes
OUT_DIR/detections.csv and OUT_DIR/scenes.csv (shiptrace's CSV layouts).
"""
import csv
import datetime as dt
import math
import os
import sys

import numpy as np
import pyarrow.dataset as ds


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    store, out = sys.argv[1], sys.argv[2]
    want = int(sys.argv[3]) if len(sys.argv) == 4 else 100_000
    os.makedirs(out, exist_ok=True)
    t = ds.dataset(os.path.join(store, "positions"), format="parquet", partitioning="hive")
    tab = t.to_table(columns=["time", "mmsi", "lat", "lon"])
    time = tab["time"].to_numpy().astype("datetime64[ms]").astype(np.int64)
    order = np.argsort(time, kind="stable")
    time = time[order]
    mmsi = tab["mmsi"].to_numpy()[order]
    lat = tab["lat"].to_numpy()[order]
    lon = tab["lon"].to_numpy()[order]
    del tab
    rng = np.random.default_rng(20230801)
    half_km = 500.0
    n = 0
    k = 0

    def rfc(ms: int) -> str:
        return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"

    with open(os.path.join(out, "scenes.csv"), "w", newline="") as sf, open(
        os.path.join(out, "detections.csv"), "w", newline=""
    ) as df:
        sw, dw = csv.writer(sf), csv.writer(df)
        sw.writerow(["scene_id", "time", "min_lat", "min_lon", "max_lat", "max_lon", "source"])
        dw.writerow(["id", "scene_id", "time", "lat", "lon", "length_m", "score", "source"])
        while n < want:
            i = int(rng.integers(0, len(time)))
            t0, clat, clon = int(time[i]), float(lat[i]), float(lon[i])
            dlat = half_km / 110.57
            dlon = half_km / (111.32 * max(math.cos(math.radians(clat)), 0.05))
            box = (clat - dlat, clon - dlon, clat + dlat, clon + dlon)
            if box[0] < -85 or box[2] > 85 or box[1] < -180 or box[3] > 180:
                continue
            k += 1
            sid = f"bench-{k:05}"
            sw.writerow([sid, rfc(t0), f"{box[0]:.5f}", f"{box[1]:.5f}", f"{box[2]:.5f}", f"{box[3]:.5f}", "bench"])
            a, b = np.searchsorted(time, [t0 - 60_000, t0 + 60_000])
            sel = np.arange(a, b)
            inb = (lat[sel] >= box[0]) & (lat[sel] <= box[2]) & (lon[sel] >= box[1]) & (lon[sel] <= box[3])
            sel = sel[inb]
            _, first = np.unique(mmsi[sel], return_index=True)
            sel = sel[first]
            m = 0
            for j in sel:
                m += 1
                la = lat[j] + rng.normal() * 0.2 / 110.57
                lo = lon[j] + rng.normal() * 0.2 / (111.32 * max(math.cos(math.radians(lat[j])), 0.05))
                dw.writerow([f"{sid}-{m}", sid, rfc(t0), f"{la:.6f}", f"{lo:.6f}", "", "0.9", "bench"])
            for _ in range(max(1, len(sel) // 50)):
                m += 1
                la = rng.uniform(box[0], box[2])
                lo = rng.uniform(box[1], box[3])
                dw.writerow([f"{sid}-{m}", sid, rfc(t0), f"{la:.6f}", f"{lo:.6f}", "", "0.6", "bench"])
            n += m
    print(f"{k} scenes, {n} detections in {out}")


if __name__ == "__main__":
    main()
