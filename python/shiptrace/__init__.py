"""shiptrace: AIS in, evidence of covert shipments out.

The same engine as the ``shiptrace`` command line, for Python. Tables are
pyarrow Tables, handed over from Rust without copying the columns; pandas,
Polars and DuckDB read them directly.

Example, from raw NMEA to events::

    import shiptrace
    fixes = shiptrace.decode("capture.nmea.gz")      # positions, a pyarrow Table
    events = shiptrace.detect(fixes)                  # events, a pyarrow Table
    events.to_pandas().groupby("kind").size()

Errors of the engine raise :class:`ShiptraceError` with the command line's
message. Ship names, call signs and destinations in every table are
broadcast text: attacker-controlled, escape them wherever you show them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

import pyarrow as pa
import pyarrow.dataset as ds

from . import _native
from ._native import ShiptraceError, __version__

__all__ = [
    "ShiptraceError",
    "Decoded",
    "Store",
    "decode",
    "decode_all",
    "ingest",
    "open_store",
    "detect",
    "simulate",
    "estimate",
    "fuse_imagery",
    "Imagery",
    "network",
    "read_events",
    "events_to_jsonl",
    "conform",
    "land",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]
Source = Union[PathLike, bytes, bytearray, memoryview]
TimeRange = Tuple[Any, Any]


def _ms(t: Any) -> int:
    """Unix milliseconds of an int (ms), a datetime or an RFC 3339 string."""
    if isinstance(t, bool):
        raise ShiptraceError(f"not a time: {t!r}")
    if isinstance(t, int):
        return t
    if hasattr(t, "timestamp"):
        if getattr(t, "tzinfo", None) is None:
            raise ShiptraceError(f"time {t!r} has no time zone (give UTC explicitly)")
        return int(round(t.timestamp() * 1000))
    if isinstance(t, str):
        import datetime as _dt

        try:
            d = _dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
        except ValueError as e:
            raise ShiptraceError(f"not an RFC 3339 time: {t!r}") from e
        if d.tzinfo is None:
            d = d.replace(tzinfo=_dt.timezone.utc)
        return int(round(d.timestamp() * 1000))
    raise ShiptraceError(f"not a time: {t!r}")


def _assume(t: Any) -> Optional[str]:
    if t is None:
        return None
    if isinstance(t, str):
        return t
    import datetime as _dt

    ms = _ms(t)
    d = _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _params_json(params: Optional[Mapping[str, Any]]) -> Optional[str]:
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise ShiptraceError("params must be a mapping of [detect] keys, e.g. {'gaps': {'min_hours': 6}}")
    return json.dumps(params)


def conform(table: Union[pa.Table, pa.RecordBatch], kind: str) -> pa.Table:
    """Casts ``table`` to the engine's ``positions``, ``identities`` or
    ``events`` schema: columns picked by name and put in order, types cast
    (Spark's signed integers and microsecond times, integer milliseconds
    for ``time``), missing nullable columns filled with nulls. Missing
    required columns and nulls in required columns raise
    :class:`ShiptraceError` naming them.

    >>> conform(pa.table({"time": [0], "mmsi": [1], "lat": [1.0], "lon": [2.0],
    ...                   "msg_type": [1], "class": ["A"], "accuracy": [False]}),
    ...         "positions").num_columns
    14
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise ShiptraceError(f"expected a pyarrow Table, got {type(table).__name__}")
    schema = _native.schema(kind)
    missing = [f.name for f in schema if f.name not in table.column_names and not f.nullable]
    if missing:
        raise ShiptraceError(
            f"{kind} table lacks required column(s) {', '.join(missing)} "
            f"(has {', '.join(table.column_names) or 'no columns'})"
        )
    cols = []
    for f in schema:
        if f.name in table.column_names:
            c = table.column(f.name)
            if not f.nullable and c.null_count:
                raise ShiptraceError(f"{kind} column {f.name!r} has {c.null_count} null value(s)")
            if pa.types.is_timestamp(f.type) and pa.types.is_integer(c.type):
                c = c.cast(pa.int64())
            try:
                c = c.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                raise ShiptraceError(f"{kind} column {f.name!r}: cannot read {c.type} as {f.type}: {e}") from e
        else:
            c = pa.nulls(table.num_rows, f.type)
        cols.append(c)
    return pa.Table.from_arrays(cols, schema=schema)


@dataclass(frozen=True)
class Decoded:
    """What :func:`decode_all` read: positions, identity reports, and the
    source summary (messages, rejects by reason, duplicates, time span)."""

    positions: pa.Table
    identities: pa.Table
    source: dict


def decode_all(source: Source, *, assume_time: Any = None) -> Decoded:
    """Decodes raw AIS (NMEA from any receiver network, MarineCadastre or
    DMA CSV; gzip or zstd) with the store's own ingest: multi-sentence
    messages reassembled, duplicates removed, rejects counted by reason in
    ``source["rejects"]`` (never silently dropped).

    ``source`` is a path or the bytes of a file. ``assume_time`` (RFC 3339,
    datetime or unix ms) is the receive time of messages that carry none.

    >>> d = decode_all(b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C,1700000000\\n")
    >>> d.positions.num_rows, d.source["messages"]
    (1, 1)
    """
    a = _assume(assume_time)
    if isinstance(source, (bytes, bytearray, memoryview)):
        p, i, s = _native.decode_bytes(bytes(source), a)
    else:
        p, i, s = _native.decode_path(os.fspath(source), a)
    return Decoded(p, i, json.loads(s))


def decode(source: Source, *, assume_time: Any = None) -> pa.Table:
    """The positions of :func:`decode_all`, a pyarrow Table (columns:
    time, mmsi, lat, lon, sog, cog, heading, nav_status, msg_type, class,
    source, accuracy). The source summary is in the schema metadata under
    ``b"shiptrace.source"`` (JSON).

    >>> t = decode(b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C,1700000000\\n")
    >>> t.column("mmsi").to_pylist()
    [366053209]
    """
    d = decode_all(source, assume_time=assume_time)
    return d.positions.replace_schema_metadata({b"shiptrace.source": json.dumps(d.source).encode()})


def ingest(store: PathLike, sources: Sequence[PathLike], *, assume_time: Any = None) -> list:
    """Ingests files into the store at ``store`` (created if missing), as
    ``shiptrace ingest`` does; a source already ingested (same content) is
    skipped. Returns one dict per source."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    out = _native.ingest(os.fspath(store), [os.fspath(s) for s in sources], _assume(assume_time))
    return [json.loads(x) for x in out]


class Store:
    """A shiptrace store (from ``shiptrace ingest``), committed sources only.

    >>> st = open_store("store/")                      # doctest: +SKIP
    >>> st.positions(mmsi=(273210440, 273210440))      # doctest: +SKIP
    >>> import duckdb; duckdb.sql("select count(*) from ds", ) # doctest: +SKIP
    """

    def __init__(self, inner: "_native.Store"):
        self._inner = inner

    @property
    def dir(self) -> str:
        return self._inner.dir

    @property
    def sources(self) -> list:
        """The manifest: one dict per ingested source (hash, counts, rejects, files)."""
        return json.loads(self._inner.sources_json())

    def positions(
        self,
        mmsi: Optional[Tuple[int, int]] = None,
        time: Optional[TimeRange] = None,
        bbox: Optional[Tuple[float, float, float, float]] = None,
    ) -> pa.Table:
        """Positions with MMSI in ``mmsi`` (inclusive), time in ``time``
        ([start, end): ints in ms, datetimes or RFC 3339), inside ``bbox``
        (min_lon, min_lat, max_lon, max_lat). Row groups and days outside
        are skipped unread."""
        t = (_ms(time[0]), _ms(time[1])) if time is not None else None
        return self._inner.positions(mmsi, t, bbox)

    def identities(self, mmsi: Optional[Tuple[int, int]] = None, time: Optional[TimeRange] = None) -> pa.Table:
        """Identity reports (types 5, 19, 24 and CSV static columns)."""
        t = (_ms(time[0]), _ms(time[1])) if time is not None else None
        return self._inner.identities(mmsi, t)

    def files(self, table: str = "positions") -> list:
        """Absolute paths of the committed Parquet files of ``table``."""
        return self._inner.files(table)

    def dataset(self, table: str = "positions") -> ds.Dataset:
        """A pyarrow Dataset over the committed files of ``table``: lazy,
        for pandas (``.to_table().to_pandas()``), Polars
        (``pl.scan_pyarrow_dataset``) and DuckDB (query it by name)."""
        files = self.files(table)
        if not files:
            return ds.dataset(pa.table({f.name: pa.array([], f.type) for f in _native.schema(table)}))
        return ds.dataset(files, format="parquet", schema=_native.schema(table))

    def __repr__(self) -> str:
        return f"shiptrace.Store({self.dir!r}, sources={len(self.sources)})"


def open_store(path: PathLike) -> Store:
    """Opens a store directory (an empty directory is an empty store)."""
    return Store(_native.open_store(os.fspath(path)))


def _with_summary(events: pa.Table, summary: str) -> pa.Table:
    return events.replace_schema_metadata({b"shiptrace.summary": summary.encode()})


def detect(
    fixes: Union[pa.Table, Store, PathLike],
    identities: Optional[pa.Table] = None,
    *,
    params: Optional[Mapping[str, Any]] = None,
    config: Optional[PathLike] = None,
) -> pa.Table:
    """Runs every detector (port visits, AIS gaps, dark port calls,
    encounters, loitering, identity changes, shared MMSIs, position jumps,
    draught changes, voyages) and returns the events as a pyarrow Table,
    the same events as ``shiptrace detect``.

    ``fixes`` is a positions table (any column order; Spark/pandas types
    are cast, see :func:`conform`), a :class:`Store` or a store directory.
    ``identities`` (with a table) adds identity reports (names, IMO,
    draught). ``params`` is a mapping of ``[detect]`` keys, e.g.
    ``{"gaps": {"min_hours": 6}}``; ``config`` a shiptrace.toml. Counts are
    in the schema metadata under ``b"shiptrace.summary"``.

    >>> events = detect(decode("capture.nmea"))        # doctest: +SKIP
    >>> events.filter(pyarrow.compute.equal(events["kind"], "dark_port_call"))  # doctest: +SKIP
    """
    cfg = os.fspath(config) if config is not None else None
    pj = _params_json(params)
    if isinstance(fixes, (str, os.PathLike)):
        fixes = open_store(fixes)
    if isinstance(fixes, Store):
        if identities is not None:
            raise ShiptraceError("identities are read from the store; give them only with a positions table")
        ev, summary = _native.detect_store(fixes._inner, pj, cfg)
        return _with_summary(ev, summary)
    pos = conform(fixes, "positions")
    ids = conform(identities, "identities") if identities is not None else None
    ev, summary = _native.detect_tables(pos, ids, pj, cfg)
    return _with_summary(ev, summary)


def simulate(
    out: PathLike,
    scenario: str = "rason-shuttle",
    *,
    seed: Optional[int] = None,
    days: Optional[float] = None,
    vessels: Optional[int] = None,
    start: Optional[str] = None,
) -> dict:
    """Simulates a scenario (built-in ``rason-shuttle`` or ``load``, or a
    scenario TOML file): writes ``out/ais.nmea.gz`` (SIMULATED data) and
    ``out/truth.jsonl``; returns the run's summary.

    >>> s = simulate("sim/", days=10, seed=7)          # doctest: +SKIP
    >>> shiptrace.decode("sim/ais.nmea.gz")            # doctest: +SKIP
    """
    return json.loads(_native.simulate(os.fspath(out), scenario, seed, days, vessels, start))


def estimate(
    store: Union[Store, PathLike],
    events: pa.Table,
    *,
    config: Optional[PathLike] = None,
    watchlists: Iterable[PathLike] = (),
    claims: Optional[str] = None,
    observations: Iterable[PathLike] = (),
    registries: Iterable[PathLike] = (),
) -> dict:
    """Watchlist matches, risk scores with reasons, what the campaign's
    voyages could have carried and probably carried (``capacity`` and
    ``likely``: containers, tonnes, shells; P10/P50/P90) and public claims
    checked against both with their bounds: ``shiptrace estimate`` as a
    dict.

    ``claims`` is a claims ledger path or ``"builtin:rason-shuttle"``;
    ``registries`` are registers of owners and managers (TOML or CSV).
    """
    if not isinstance(store, Store):
        store = open_store(store)
    j = _native.estimate(
        store._inner,
        conform(events, "events"),
        os.fspath(config) if config is not None else None,
        [os.fspath(w) for w in watchlists],
        claims,
        [os.fspath(o) for o in observations],
        [os.fspath(r) for r in registries],
    )
    return json.loads(j)


@dataclass
class Imagery:
    """What :func:`fuse_imagery` gives: the events (with ``dark_vessel``
    events and the dark port calls imaged raised), every detection's
    outcome (the columns of ``imagery.csv``: ``outcome`` is ``matched``,
    ``dark_vessel`` or ``not_seen``) and the counts, rows refused and notes."""

    events: pa.Table
    outcomes: pa.Table
    summary: dict


def fuse_imagery(
    store: Union[Store, PathLike],
    events: pa.Table,
    detections: Union[PathLike, Iterable[PathLike]],
    scenes: Union[PathLike, Iterable[PathLike]] = (),
    *,
    params: Optional[Mapping[str, Any]] = None,
    config: Optional[PathLike] = None,
) -> Imagery:
    """Satellite vessel detections fused with the store's AIS, as
    ``shiptrace analyze --imagery --scenes`` does: detections (CSV or
    GeoJSON points; Global Fishing Watch's SAR columns read as they are)
    paired one to one with the vessels placed at each image's time;
    the unexplained become ``dark_vessel`` events; a dark vessel at a
    watched port during a dark port call raises the call. ``events`` are
    the store's events (:func:`detect`); ``params`` a mapping of
    ``[imagery]`` keys, e.g. ``{"window_hours": 3}``; ``config`` a
    shiptrace.toml.

    >>> im = fuse_imagery("store/", detect("store/"), "detections.csv", "scenes.geojson")  # doctest: +SKIP
    >>> im.outcomes.filter(pyarrow.compute.equal(im.outcomes["outcome"], "dark_vessel"))  # doctest: +SKIP
    """
    import io

    import pyarrow.csv as pacsv

    if not isinstance(store, Store):
        store = open_store(store)

    def paths(x: Union[PathLike, Iterable[PathLike]]) -> list:
        if isinstance(x, (str, os.PathLike)):
            return [os.fspath(x)]
        return [os.fspath(p) for p in x]

    ev, text, summary = _native.fuse_imagery(
        store._inner,
        conform(events, "events"),
        paths(detections),
        paths(scenes),
        json.dumps(params) if params is not None else None,
        os.fspath(config) if config is not None else None,
    )
    types: dict = {c: pa.string() for c in ("outcome", "scene_id", "detection_id", "time", "alternatives")}
    types["mmsi"] = pa.uint32()
    for c in ("lat", "lon", "length_m", "distance_km", "sigma_km", "hours_to_fix", "llr", "confidence", "p_detect"):
        types[c] = pa.float64()
    outcomes = pacsv.read_csv(
        io.BytesIO(text.encode()),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
    )
    return Imagery(events=ev, outcomes=outcomes, summary=json.loads(summary))


def network(
    *,
    config: Optional[PathLike] = None,
    watchlists: Iterable[PathLike] = (),
    registries: Iterable[PathLike] = (),
) -> Tuple[pa.Table, pa.Table]:
    """The graph of vessels, companies and people that the lists
    (OFAC sdn.csv, OpenSanctions CSV or FtM JSON lines, UN 1718, TOML) and
    registers give, as two tables for graph tools (networkx, igraph):
    ``nodes`` (id, kind, name, imo, listed) and ``edges`` (source, target,
    kind, origin, since, until)."""
    j = json.loads(
        _native.network(
            os.fspath(config) if config is not None else None,
            [os.fspath(w) for w in watchlists],
            [os.fspath(r) for r in registries],
        )
    )
    node_fields: list[pa.Field[Any]] = [
        pa.field("id", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("name", pa.string()),
        pa.field("imo", pa.uint32()),
        pa.field("listed", pa.string()),
    ]
    nodes = pa.Table.from_pylist(
        j["nodes"],
        schema=pa.schema(node_fields),
    )
    edges = pa.Table.from_pylist(
        j["edges"],
        schema=pa.schema(
            [pa.field(n, pa.string()) for n in ("source", "target", "kind", "origin", "since", "until")]
        ),
    )
    return nodes, edges


def land(bbox: Tuple[float, float, float, float]) -> list:
    """Coastlines for maps, offline: the land rings (Natural Earth 1:10m,
    embedded) meeting ``bbox`` = (min lon, min lat, max lon, max lat), each
    a list of (lon, lat).

    >>> len(land((130.0, 42.0, 131.0, 43.0))) > 0
    True
    """
    x0, y0, x1, y1 = (float(x) for x in bbox)
    return _native.land((x0, y0, x1, y1))


def read_events(path: PathLike) -> pa.Table:
    """Events from a JSON-lines file written by ``shiptrace detect``."""
    return _native.read_events(os.fspath(path))


def events_to_jsonl(events: pa.Table) -> str:
    """Events as JSON lines, byte for byte as ``shiptrace detect`` writes them."""
    return _native.events_jsonl(conform(events, "events"))

