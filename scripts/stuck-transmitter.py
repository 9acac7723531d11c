#!/usr/bin/env python3
"""Writes a CSV export (the Danish Maritime Authority's columns, which
`shiptrace ingest` reads) of one MMSI reporting far more often than any
ship can: a stuck transmitter, or many transmitters sharing one number.
Input for the benchmark of `tracks.max_vessel_fixes` (BENCHMARKS.md).

    scripts/stuck-transmitter.py --fixes 20000000 --out /tmp/stuck/stuck.csv
"""

import argparse
import datetime
import random

HEADER = ["# Timestamp", "Type of mobile", "MMSI", "Latitude", "Longitude", "Navigational status", "ROT", "SOG",
          "COG", "Heading", "IMO", "Callsign", "Name", "Ship type", "Cargo type", "Width", "Length",
          "Type of position fixing device", "Draught", "Destination", "ETA", "Data source type", "A", "B", "C", "D"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixes", type=int, required=True, help="fixes of the one MMSI")
    ap.add_argument("--mmsi", type=int, default=273999999)
    ap.add_argument("--every-s", type=float, default=1.0, help="seconds between fixes")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(1)
    t0 = datetime.datetime(2024, 1, 1)
    with open(a.out, "w") as f:
        f.write(",".join(HEADER) + "\n")
        lines = []
        for k in range(a.fixes):
            t = t0 + datetime.timedelta(seconds=k * a.every_s)
            # a fix that wanders a few hundred metres around one place
            lat = 43.1 + rng.uniform(-0.003, 0.003)
            lon = 131.9 + rng.uniform(-0.003, 0.003)
            lines.append(f"{t:%d/%m/%Y %H:%M:%S},Class A,{a.mmsi},{lat:.6f},{lon:.6f},Under way using engine,"
                         f"0,0.3,90.0,90,,,,Cargo,,,,GPS,,,,AIS,,,,\n")
            if len(lines) == 100_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


if __name__ == "__main__":
    main()
