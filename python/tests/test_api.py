"""The Python API against the command line: same records, same events,
same errors."""

import gzip
import json
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import shiptrace

GOOD = b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C,1700000000\n"
BAD_SUM = b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5D,1700000005\n"


def test_decode_bytes_gives_positions_and_counts_rejects():
    d = shiptrace.decode_all(GOOD + BAD_SUM + b"garbage\n")
    assert d.positions.num_rows == 1
    row = d.positions.to_pylist()[0]
    assert row["mmsi"] == 366053209
    assert abs(row["lat"] - 37.802118) < 1e-5 and abs(row["lon"] + 122.341618) < 1e-5
    assert row["time"].timestamp() == 1700000000
    assert d.source["messages"] == 1
    assert d.source["rejects"]["checksum"] == 1
    assert sum(d.source["rejects"].values()) == 2, d.source["rejects"]
    assert d.source["path"] == "<bytes>"
    t = shiptrace.decode(GOOD)
    assert json.loads(t.schema.metadata[b"shiptrace.source"])["positions"] == 1


def test_decode_path_reads_gzip_and_matches_bytes(tmp_path):
    p = tmp_path / "a.nmea.gz"
    p.write_bytes(gzip.compress(GOOD))
    assert shiptrace.decode(p).equals(shiptrace.decode(GOOD).replace_schema_metadata(None)) or \
        shiptrace.decode(p).replace_schema_metadata(None).equals(shiptrace.decode(GOOD).replace_schema_metadata(None))


def test_decode_errors_are_exceptions_with_the_cli_message(tmp_path, cli):
    with pytest.raises(shiptrace.ShiptraceError, match="no AIS data found"):
        shiptrace.decode(b"not ais at all\n")
    with pytest.raises(shiptrace.ShiptraceError, match="<bytes>"):
        shiptrace.decode(BAD_SUM)
    missing = tmp_path / "nope.nmea"
    with pytest.raises(shiptrace.ShiptraceError) as e:
        shiptrace.ingest(tmp_path / "st", [missing])
    r = subprocess.run([cli, "ingest", "--store", str(tmp_path / "st2"), str(missing)], capture_output=True, text=True)
    assert r.returncode != 0
    assert str(e.value) in r.stderr, (str(e.value), r.stderr)


def test_bad_config_gives_the_cli_message(sim, cli, tmp_path):
    _, store, _ = sim
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[detect.gaps]\nmin_hourz = 3\n")
    with pytest.raises(shiptrace.ShiptraceError) as e:
        shiptrace.detect(store, config=cfg)
    r = subprocess.run([cli, "detect", "--store", str(store), "--out", str(tmp_path / "x.jsonl"), "--config", str(cfg)],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip() == f"shiptrace: error: {str(e.value).strip()}", (r.stderr, str(e.value))
    with pytest.raises(shiptrace.ShiptraceError, match="unknown field"):
        shiptrace.detect(store, params={"gaps": {"min_hourz": 3}})
    with pytest.raises(shiptrace.ShiptraceError, match="not both"):
        shiptrace.detect(store, params={}, config=cfg)


def test_store_tables_and_datasets(sim):
    _, store, _ = sim
    st = shiptrace.open_store(store)
    man = st.sources
    assert len(man) == 1
    pos = st.positions()
    assert pos.num_rows == man[0]["positions"] > 100_000
    assert st.identities().num_rows == man[0]["identities"]
    m = pos.column("mmsi")[0].as_py()
    one = st.positions(mmsi=(m, m))
    assert one.num_rows == pc.sum(pc.equal(pos.column("mmsi"), m)).as_py()
    t0 = pc.min(pos.column("time")).as_py()
    day = st.positions(time=(t0, t0.replace(hour=23, minute=59)))
    assert 0 < day.num_rows < pos.num_rows
    box = st.positions(bbox=(130.0, 42.0, 131.0, 43.0))
    assert box.num_rows > 0
    lat = box.column("lat").to_pylist()
    assert min(lat) >= 42.0 and max(lat) <= 43.0
    # pandas and DuckDB read the store's dataset directly
    dset = st.dataset("positions")
    df = dset.to_table(columns=["mmsi", "sog"]).to_pandas()
    assert len(df) == pos.num_rows
    duckdb = pytest.importorskip("duckdb")
    n = duckdb.sql("select count(*) from dset").fetchall()[0][0]
    assert n == pos.num_rows
    pl = pytest.importorskip("polars")
    assert pl.scan_pyarrow_dataset(dset).select(pl.len()).collect().item() == pos.num_rows
    with pytest.raises(shiptrace.ShiptraceError, match="no table"):
        st.files("events")


def test_detect_on_tables_equals_the_cli(sim):
    _, store, cli_events = sim
    st = shiptrace.open_store(store)
    expected = cli_events.read_text()
    from_store = shiptrace.detect(st)
    assert shiptrace.events_to_jsonl(from_store) == expected
    # tables in another column order and Spark-like types give the same
    pos = st.positions()
    pos = pos.select(list(reversed(pos.column_names)))
    pos = pos.set_column(pos.column_names.index("mmsi"), "mmsi", pos.column("mmsi").cast(pa.int64()))
    pos = pos.set_column(pos.column_names.index("time"), "time", pos.column("time").cast(pa.timestamp("us", "UTC")))
    events = shiptrace.detect(pos, st.identities())
    assert shiptrace.events_to_jsonl(events) == expected
    kinds = set(events.column("kind").to_pylist())
    assert {"port_visit", "ais_gap", "dark_port_call", "encounter", "voyage"} <= kinds, kinds
    summary = json.loads(events.schema.metadata[b"shiptrace.summary"])
    assert summary["fixes"] == pos.num_rows
    # read_events gives the same table back
    back = shiptrace.read_events(cli_events)
    assert shiptrace.events_to_jsonl(back) == expected


def test_params_change_the_result(sim):
    _, store, _ = sim
    base = shiptrace.detect(store)
    fewer = shiptrace.detect(store, params={"gaps": {"min_hours": 48}})
    n = lambda t: pc.sum(pc.equal(t.column("kind"), "ais_gap")).as_py()
    assert n(fewer) < n(base)


def test_conform_names_what_is_wrong():
    with pytest.raises(shiptrace.ShiptraceError, match="lat"):
        shiptrace.detect(pa.table({"time": [0], "mmsi": [1], "lon": [2.0], "msg_type": [1],
                                   "class": ["A"], "accuracy": [False]}))
    with pytest.raises(shiptrace.ShiptraceError, match="'mmsi' has 1 null"):
        shiptrace.detect(pa.table({"time": [0], "mmsi": pa.array([None], pa.int64()), "lat": [1.0], "lon": [2.0],
                                   "msg_type": [1], "class": ["A"], "accuracy": [False]}))
    with pytest.raises(shiptrace.ShiptraceError, match="cannot read"):
        shiptrace.detect(pa.table({"time": [0], "mmsi": ["x"], "lat": [1.0], "lon": [2.0],
                                   "msg_type": [1], "class": ["A"], "accuracy": [False]}))
    with pytest.raises(shiptrace.ShiptraceError, match="pyarrow Table"):
        shiptrace.detect([1, 2, 3])
    # integer milliseconds are times; an empty table has no events
    t = pa.table({"time": pa.array([], pa.int64()), "mmsi": pa.array([], pa.uint32()), "lat": pa.array([], pa.float64()),
                  "lon": pa.array([], pa.float64()), "msg_type": pa.array([], pa.uint8()),
                  "class": pa.array([], pa.string()), "accuracy": pa.array([], pa.bool_())})
    assert shiptrace.detect(t).num_rows == 0


def test_hostile_names_stay_data(sim):
    # Broadcast text with quotes, markup, a newline and an escape character
    # stays one JSON line per event and comes back exactly.
    _, _, cli_events = sim
    ev = shiptrace.read_events(cli_events).slice(0, 3)
    bad = 'A"\n<script>alert(1)</script>\x1b[31m=1+1'
    ev = ev.set_column(ev.column_names.index("vessel_name"), "vessel_name", pa.array([bad] * 3))
    ev = ev.set_column(ev.column_names.index("has_vessel"), "has_vessel", pa.array([True] * 3))
    lines = shiptrace.events_to_jsonl(ev).splitlines()
    assert len(lines) == 3
    assert all(json.loads(l)["vessel"]["name"] == bad for l in lines)
    assert shiptrace.conform(pa.table({"time": [0], "mmsi": [1], "msg_type": [5], "name": [bad]}),
                             "identities").column("name").to_pylist() == [bad]


def test_estimate_equals_the_cli(sim, cli, tmp_path):
    _, store, cli_events = sim
    j = shiptrace.estimate(store, shiptrace.read_events(cli_events), claims="builtin:rason-shuttle")
    out = tmp_path / "intel.json"
    subprocess.run([cli, "estimate", "--store", str(store), "--events", str(cli_events),
                    "--claims", "builtin:rason-shuttle", "--out", str(out)], check=True, capture_output=True)
    assert j == json.loads(out.read_text())
    assert j["estimate"]["campaign"]["voyages"] >= 0
    assert j["claims"], "the built-in claims are checked"


def test_simulate_writes_a_feed_and_truth(tmp_path):
    s = shiptrace.simulate(tmp_path / "s", days=0.5, seed=1, vessels=5)
    assert (tmp_path / "s" / "ais.nmea.gz").exists() and (tmp_path / "s" / "truth.jsonl").exists()
    assert s["counts"]["lines"] > 0
    with pytest.raises(shiptrace.ShiptraceError):
        shiptrace.simulate(tmp_path / "t", scenario="no-such-scenario")


def test_docstring_examples_run():
    import doctest

    r = doctest.testmod(shiptrace, optionflags=doctest.ELLIPSIS)
    assert r.failed == 0
    assert r.attempted >= 5


def test_the_example_goes_from_nmea_to_a_map(sim, tmp_path):
    import pathlib
    import sys
    import xml.etree.ElementTree as ET

    d, _, _ = sim
    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "nmea_to_map.py"
    out = tmp_path / "map.svg"
    r = subprocess.run([sys.executable, str(example), str(d / "sim" / "ais.nmea.gz"), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    svg = ET.parse(out).getroot()
    tags = {el.tag.split("}")[1] for el in svg.iter()}
    assert {"polygon", "polyline", "circle", "text"} <= tags, tags
    gj = json.loads(out.with_suffix(".geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) > 100


def test_network_as_tables():
    excerpt = pathlib.Path(__file__).resolve().parents[2] / "examples" / "rason-shuttle" / "sdn-excerpt.csv"
    nodes, edges = shiptrace.network(watchlists=[excerpt])
    kinds = dict(zip(nodes.column("name").to_pylist(), nodes.column("kind").to_pylist()))
    assert kinds["TRANSMORFLOT LLC"] == "company" and kinds["LADY R"] == "vessel"
    ids = dict(zip(nodes.column("id").to_pylist(), nodes.column("name").to_pylist()))
    pairs = {(ids[s], ids[t]) for s, t in zip(edges.column("source").to_pylist(), edges.column("target").to_pylist())}
    assert {("LADY R", "TRANSMORFLOT LLC"), ("MAIA-1", "TRANSMORFLOT LLC"), ("ANGARA", "M LEASING LLC")} <= pairs
    assert set(edges.column("kind").to_pylist()) == {"linked_to"}
    with pytest.raises(shiptrace.ShiptraceError):
        shiptrace.network(watchlists=["/no/such/list.csv"])


def test_fuse_imagery_equals_the_cli(sim, cli, tmp_path):
    d, store, events_path = sim
    dets, scenes = d / "sim" / "imagery" / "detections.csv", d / "sim" / "imagery" / "scenes.csv"
    events = shiptrace.read_events(events_path)
    im = shiptrace.fuse_imagery(store, events, dets, scenes)
    assert im.summary["detections"] > 0 and im.summary["matched"] > 0
    kinds = im.events["kind"].to_pylist()
    dark = [i for i, k in enumerate(kinds) if k == "dark_vessel"]
    assert len(dark) == im.summary["dark_vessels"]
    out = im.outcomes["outcome"].to_pylist()
    assert out.count("matched") == im.summary["matched"]
    assert out.count("dark_vessel") == len(dark)
    assert im.outcomes.schema.field("mmsi").type == pa.uint32()
    # the command line, on the same feed, gives the same dark vessels
    subprocess.run([cli, "analyze", str(d / "sim" / "ais.nmea.gz"), "--out", str(tmp_path / "case"),
                    "--imagery", str(dets), "--scenes", str(scenes)], check=True, capture_output=True)
    cli_events = [json.loads(line) for line in (tmp_path / "case" / "events.jsonl").read_text().splitlines()]
    cli_dark = sorted((e["evidence"]["detection_id"], round(e["confidence"], 9)) for e in cli_events
                      if e["kind"] == "dark_vessel")
    ev = [json.loads(line) for line in shiptrace.events_to_jsonl(im.events).splitlines()]
    py_dark = sorted((e["evidence"]["detection_id"], round(e["confidence"], 9)) for e in ev
                     if e["kind"] == "dark_vessel")
    assert py_dark == cli_dark
    with pytest.raises(shiptrace.ShiptraceError, match="window_hours"):
        shiptrace.fuse_imagery(store, events, dets, scenes, params={"window_hours": -1})
