"""From raw NMEA to a map, in Python.

    python examples/python/nmea_to_map.py [capture.nmea[.gz]] [--out map.svg]

Without a capture, it simulates four days of the built-in Rajin shuttle
scenario first (SIMULATED data). Then: decode the NMEA into a pyarrow table,
look at it with pandas, detect behaviours, and draw the tracks of the
vessels with events of interest, over the coastline, as one SVG file that
any browser opens offline. Also writes the events as GeoJSON beside it,
for QGIS and other GIS tools.

Ship names are broadcast text, attacker-controlled: they are escaped
(html.escape) before they go into the SVG.
"""

import argparse
import html
import json
import math
import pathlib
import tempfile

import pyarrow as pa
import pyarrow.compute as pc

import shiptrace

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("capture", nargs="?", help="NMEA capture (plain, .gz or .zst); default: simulate one")
ap.add_argument("--out", default="map.svg", help="SVG map to write (default map.svg)")
a = ap.parse_args()

# 1. Raw NMEA (or CSV) in: a capture, or a simulated one.
if a.capture is None:
    sim_dir = pathlib.Path(tempfile.mkdtemp()) / "sim"
    print("simulating 4 days of the rason-shuttle scenario ...")
    shiptrace.simulate(sim_dir, days=4, seed=11)
    a.capture = sim_dir / "ais.nmea.gz"

# 2. Decode: positions and identity reports as pyarrow tables; rejects are
#    counted by reason, never dropped silently.
d = shiptrace.decode_all(a.capture)
print(f"{d.positions.num_rows} positions, {d.identities.num_rows} identity reports, "
      f"rejects: {d.source['rejects']}")

# 3. A look with pandas: the busiest vessels.
df = d.positions.select(["mmsi", "sog"]).to_pandas()
print(df.groupby("mmsi").size().sort_values(ascending=False).head(5))

# 4. Detect. The events table has one row per event; evidence is JSON text.
events = shiptrace.detect(d.positions, d.identities)
print(json.loads(events.schema.metadata[b"shiptrace.summary"])["by_kind"])
interesting = events.filter(
    pc.is_in(events["kind"], value_set=pa.array(["dark_port_call", "encounter", "identity_change"])))
vessels = sorted(set(interesting.column("mmsi").to_pylist()))[:12]
if not vessels:  # nothing remarkable: show the five busiest instead
    vessels = list(df.groupby("mmsi").size().sort_values(ascending=False).index[:5])
print(f"{interesting.num_rows} events of interest on {len(vessels)} vessels")

# 5. Map: Web Mercator fitted to the tracks, land from the embedded
#    Natural Earth outline (no tiles, no network).
pos = d.positions.filter(pc.is_in(d.positions["mmsi"], value_set=pa.array(vessels, pa.uint32())))
lat, lon = pos.column("lat").to_numpy(), pos.column("lon").to_numpy()
box = (float(lon.min()) - 0.5, float(lat.min()) - 0.5, float(lon.max()) + 0.5, float(lat.max()) + 0.5)
W, H = 1000, 800
y_of = lambda la: math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
sx = W / (box[2] - box[0])
sy = H / (y_of(box[3]) - y_of(box[1]))
s = min(sx, sy)
xy = lambda lo, la: ((lo - box[0]) * s, H - (y_of(la) - y_of(box[1])) * s)
out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" style="background:#dfe9f3">']
for ring in shiptrace.land(box):
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lo, la) for lo, la in ring))
    out.append(f'<polygon points="{pts}" fill="#f4f1e8" stroke="#b9b3a3" stroke-width="0.5"/>')
colours = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
names = {}
for r in d.identities.select(["mmsi", "name"]).to_pylist():
    if r["name"]:
        names[r["mmsi"]] = r["name"]
for i, m in enumerate(vessels):
    t = pos.filter(pc.equal(pos["mmsi"], m)).sort_by("time")
    pts = [xy(lo, la) for lo, la in zip(t.column("lon").to_pylist(), t.column("lat").to_pylist())]
    c = colours[i % len(colours)]
    out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.2" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts[::max(1, len(pts) // 2000)]) + '"/>')
    x, y = pts[-1]
    label = html.escape(f"{names.get(m, '?')} ({m})")
    out.append(f'<text x="{x + 4:.1f}" y="{y:.1f}" font-size="11" fill="{c}">{label}</text>')
for e in interesting.to_pylist():
    if e["lat"] is None:
        continue
    x, y = xy(e["lon"], e["lat"])
    colour = {"dark_port_call": "#000", "encounter": "#c00"}.get(e["kind"], "#06c")
    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>'
               f'{html.escape(e["kind"])} {e["mmsi"]} {e["start"]}</title></circle>')
out.append("</svg>")
pathlib.Path(a.out).write_text("\n".join(out))

# 6. Events for GIS tools (GeoJSON points; evidence kept as properties).
feats = [{"type": "Feature",
          "geometry": None if e["lat"] is None else {"type": "Point", "coordinates": [e["lon"], e["lat"]]},
          "properties": {k: (str(v) if k in ("start", "end") and v is not None else v)
                         for k, v in e.items() if k not in ("lat", "lon")}}
         for e in events.to_pylist()]
gj = pathlib.Path(a.out).with_suffix(".geojson")
gj.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
print(f"wrote {a.out} and {gj}")
