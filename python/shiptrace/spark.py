"""Detection on Apache Spark: the same detectors as ``shiptrace detect``,
spread over a cluster, with exactly the same events.

Usage (local)::

    python -m shiptrace.spark detect --store store/ --out events.parquet --master "local[2]"

Usage (cluster; the wheel installed on every node): spark-submit takes the
file itself::

    spark-submit --master yarn --conf spark.executor.memory=8g \
        "$(python -c 'import shiptrace.spark as s; print(s.__file__)')" \
        detect --store hdfs:///ais/store --out hdfs:///ais/events

How the work is spread (the stages of :func:`detect`):

1. Phase one, per vessel. Where the store is a path or ``file://`` URI
   every executor can open (a local disk, a shared filesystem) or in
   object storage (``s3://``, ``s3a://``, ``gs://``, ``az://``,
   ``abfs[s]://``, read with the credentials of the executors'
   environment), the driver plans MMSI ranges of about four million fixes
   from the files' footers alone, one task each, and each task reads its
   range from the store's files itself, in Rust (only the pages that hold
   it): no fix crosses the JVM. Otherwise (``hdfs://``, or ``--read jvm``), Spark
   reads the committed files (those the manifest lists), unions them and
   partitions them by MMSI, and hands each partition to Rust through
   Arrow. Either way a task runs the per-vessel detectors (port visits,
   gaps, loitering, jumps, shared MMSIs, draught and identity changes) on
   whole vessels and emits four kinds of rows: its part of what every
   vessel's phase two shares (track ends, when each MMSI broadcast each
   IMO number), one row per vessel with the vessel's own phase-one
   result, every vessel's slow fixes (one per vessel and 10-minute
   bucket) keyed by encounter tile, and its reception counts (fixes and
   visits per 0.5-degree cell and day) keyed by the reception map's
   blocks. The fixes read are counted against the footers' row counts.
2. Encounters: slow fixes are partitioned by tile (UTC day and about 64 km
   square); each fix also goes to the tiles that hold a neighbouring cell
   (the halo), so that a pair on a tile edge is compared, and each pair is
   recorded only by the home tile of its lower-MMSI fix. Pair hits are then
   partitioned by pair and turned into encounter events, each keyed by
   its vessel's MMSI and (as a time span) by its partner's.
3. Phase two's shared part runs on the driver (IMO numbers moving between
   MMSIs and the silences that join their tracks, the end of the data: it
   grows with vessels and IMO numbers, not with fixes, silences or
   events) and is broadcast.
4. The reception map as a join (``detect::coverage``): each vessel's
   silences (both ends) and the questions its phase two will ask of the
   map (how usual a silence is where it began and ended) are routed, with
   phase one's counts, to blocks of 8 x 8 cells and 60 days (a record
   near a block's edge goes to its neighbours too); a task per set of
   blocks answers every question from its blocks' records, and each
   answer is keyed by the asking vessel. No process holds the whole map.
5. Phase two per vessel: the vessels' rows, their encounters and their
   answers are partitioned by MMSI; each task scores the silences (gap
   model, dark port calls and their repeats, open gaps), calibrates, adds
   one-sided encounters and voyages, and stamps who each vessel said it
   was.
6. The events are range-partitioned by their sort key (the bytes of the
   engine's ``detect::order_key``, a column of phase two's output), numbered from per-partition counts
   (``ev-0``, ``ev-1``, ... exactly as ``shiptrace detect`` numbers them)
   and written by the executors: no event passes through the driver
   unless ``out`` is None (then they are collected and returned).

Events are written as Parquet (the ``events`` schema of
``shiptrace.conform``; Spark stores unsigned integers as signed ones and
times in microseconds, ``conform`` casts them back).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from functools import partial
from typing import Any, Callable, Dict, Iterator, List, Optional

import pyarrow as pa
import pyarrow.compute as pc

# absolute: spark-submit runs this file as a script
from shiptrace import ShiptraceError, _native, conform

# Rows of the first stage: one 'one' row per partition with its phase-one
# result (JSON), a 'ves' row per vessel, 'rep' rows with a representative
# slow fix and a tile, 'cnt' rows with reception counts routed to the
# reception map's blocks (the columns of the native "cov" schema).
_STAGE1_FIELDS: List[Any] = [
    pa.field("part", pa.string()), pa.field("blob", pa.string()), pa.field("day", pa.int64()),
    pa.field("ty", pa.int64()), pa.field("tx", pa.int64()), pa.field("home", pa.bool_()),
    pa.field("mmsi", pa.int64()), pa.field("t", pa.int64()), pa.field("lat", pa.float64()),
    pa.field("lon", pa.float64()), pa.field("sog", pa.float32()),
    pa.field("by", pa.int32()), pa.field("bx", pa.int32()), pa.field("period", pa.int64()),
    pa.field("also", pa.int64()), pa.field("t0", pa.int64()), pa.field("t1", pa.int64()),
    pa.field("hours", pa.float64()), pa.field("start", pa.bool_()), pa.field("cy", pa.int32()),
    pa.field("cx", pa.int32()), pa.field("fixes", pa.int64()), pa.field("visits", pa.int64()),
]
_STAGE1 = pa.schema(_STAGE1_FIELDS)

_SPARK_TYPES = {"int64": "long", "int32": "int", "uint32": "long", "uint16": "int", "uint8": "short", "float": "float",
                "double": "double", "string": "string", "bool": "boolean", "binary": "binary"}


def _ddl(schema: pa.Schema) -> str:
    """A Spark DDL string for an Arrow schema (unsigned integers widened:
    Spark has no unsigned types)."""
    return ", ".join(
        f"`{f.name}` {'timestamp' if pa.types.is_timestamp(f.type) else _SPARK_TYPES[str(f.type)]}"
        for f in schema)


def _sparkable(schema: pa.Schema, tz: Optional[str] = None) -> pa.Schema:
    """The Arrow schema Spark gives back for ``schema`` (with ``tz``:
    times in microseconds in that zone, as Spark hands them to Arrow)."""
    wide: Dict[pa.DataType, pa.DataType] = {pa.uint32(): pa.int64(), pa.uint16(): pa.int32(),
                                            pa.uint8(): pa.int16()}

    def spark_type(t: pa.DataType) -> pa.DataType:
        if tz is not None and pa.types.is_timestamp(t):
            return pa.timestamp("us", tz=tz)
        return wide.get(t, t)

    return pa.schema([pa.field(f.name, spark_type(f.type), f.nullable) for f in schema])


def _per_partition(step: Callable[[pa.Table], Iterator[pa.RecordBatch]]):
    """A ``mapInArrow`` function: gathers a partition's batches into one
    table and hands it to ``step`` (which needs whole vessels, tiles or
    pairs); an empty partition yields nothing."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        bs = [b for b in batches if b.num_rows]
        if bs:
            yield from step(pa.Table.from_batches(bs))

    return run


def _phase_one(params: str, t: pa.Table) -> Iterator[pa.RecordBatch]:
    rec = t.column("_rec")
    pos = conform(t.filter(pc.equal(rec, pa.scalar(0, rec.type))), "positions")
    ids = conform(t.filter(pc.equal(rec, pa.scalar(1, rec.type))), "identities")
    blob, parts, reps, cov = _native.spark_phase_one(pos, ids, params)
    yield from _stage1_rows(blob, parts, reps, cov)


def _phase_one_ranges(store: str, params: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """A ``mapInArrow`` function over work items (rows ``a``, ``z``): each
    MMSI range is read from the store's files by the task itself, in Rust
    (only the pages that hold it), so no fix crosses the JVM."""
    for b in batches:
        for a, z in zip(b.column("a").to_pylist(), b.column("z").to_pylist()):
            if a is None or z is None:
                raise ShiptraceError("a work item without its MMSI range")
            blob, parts, reps, cov = _native.spark_phase_one_store(store, a, z, params)
            yield from _stage1_rows(blob, parts, reps, cov)


def _stage1_rows(blob: str, parts: pa.Table, reps: pa.Table, cov: pa.Table) -> Iterator[pa.RecordBatch]:
    """Rows of the first stage: the shared part of the phase-one result
    (``one``), each vessel's own part (``ves``), the slow fixes (``rep``),
    then the reception counts (``cnt``)."""
    row: Dict[str, Any] = {f.name: [None] for f in _STAGE1}
    row.update(part=["one"], blob=[blob])
    yield pa.RecordBatch.from_pydict(row, schema=_STAGE1)
    yield from _as_stage1("ves", parts, 4096)
    yield from _as_stage1("rep", reps, 65536)
    yield from _as_stage1("cnt", cov, 65536)


def _as_stage1(part: str, t: pa.Table, chunk: int) -> Iterator[pa.RecordBatch]:
    """``t``'s rows as first-stage rows of kind ``part`` (its columns by
    name, the others empty), in batches of ``chunk`` rows."""
    n = t.num_rows
    if n:
        have = set(t.schema.names)
        cols = {f.name: t.column(f.name).cast(f.type) if f.name in have else pa.nulls(n, f.type)
                for f in _STAGE1}
        cols["part"] = pa.array([part] * n, pa.string())
        yield from pa.table(cols, schema=_STAGE1).to_batches(max_chunksize=chunk)


def _to_spark(rows: pa.Table, chunk: int) -> Iterator[pa.RecordBatch]:
    """A native stage's output as Spark takes it (unsigned types
    widened), in batches of ``chunk`` rows."""
    if rows.num_rows:
        yield from rows.cast(_sparkable(rows.schema)).to_batches(max_chunksize=chunk)


def _tile_hits(params: str, t: pa.Table) -> Iterator[pa.RecordBatch]:
    yield from _to_spark(_native.spark_tile_hits(conform_as(t, "tiles"), params), 65536)


def _pair_events(params: str, t: pa.Table) -> Iterator[pa.RecordBatch]:
    yield from _to_spark(_native.spark_pair_events(conform_as(t, "hits"), params), 4096)


# Fixes per phase-one task (and tasks of the encounter stages) by
# default. A task's fixed cost (a Python worker's Arrow round trip, the
# store's footers read again) is paid per task: on the 100M `load` store,
# standalone cluster, phase one ran at 836k fixes/s per core with 1M fixes
# a task, 1.03M with 2M and 1.21M with 4M (BENCHMARKS.md); a task holds
# its range's fixes in Rust (about 80 bytes each: 320 MB).
_TASK_FIXES = 4_000_000

# Bytes of vessel parts (JSON) per phase-two task: a task holds its
# partition's parts and events at once.
_PHASE_TWO_BYTES = 64 << 20

# Phase two's lookups, built once per worker process for the job's
# broadcast (Python workers are reused across tasks).
_READY: Dict[Any, Any] = {}


def _ready(shared: Any, token: str, params: str) -> Any:
    key = (token, params)
    ready = _READY.get(key)
    if ready is None:
        _READY.clear()
        ready = _READY[key] = _native.PhaseTwo(shared.value, params)
    return ready


def _queries(shared: Any, token: str, params: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """A ``mapInArrow`` function over vessel rows: what each vessel sends
    to the reception map's blocks (its silences' ends, its questions)."""
    ready = _ready(shared, token, params)
    for b in batches:
        if b.num_rows:
            yield from _to_spark(ready.queries(conform_as(pa.Table.from_batches([b]), "parts")), 65536)


def _coverage(params: str, t: pa.Table) -> Iterator[pa.RecordBatch]:
    yield from _to_spark(_native.spark_coverage(conform_as(t, "cov"), params), 4096)


def _vessels_two(shared: Any, token: str, params: str, tz: str, t: pa.Table) -> Iterator[pa.RecordBatch]:
    ready = _ready(shared, token, params)
    ev = ready.vessels(conform_as(t, "parts"))
    if ev.num_rows:
        yield from ev.cast(_sparkable(ev.schema, tz)).to_batches(max_chunksize=4096)


def conform_as(t: pa.Table, kind: str) -> pa.Table:
    """Casts a table of one of the job's internal row kinds to its schema."""
    schema = _native.schema(kind)
    return pa.Table.from_arrays([t.column(f.name).cast(f.type) for f in schema], schema=schema)


def _manifest(spark, store: str) -> list:
    from pyspark.errors import AnalysisException

    try:
        lines = spark.read.text(store.rstrip("/") + "/manifest.jsonl").collect()
    except AnalysisException as e:
        raise ShiptraceError(f"{store}: not a shiptrace store (cannot read its manifest.jsonl: "
                             f"{str(e).splitlines()[0]})") from e
    out = []
    for i, r in enumerate(lines):
        line = r.value.strip()
        if not line:
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise ShiptraceError(f"{store}/manifest.jsonl:{i + 1}: not JSON: {e}") from e
    return out


def _task_error(e: Exception) -> str:
    """One line for a failed Spark job: the engine's own error where a task
    raised one, else the first line of Spark's."""
    text = str(e)
    for line in text.splitlines():
        if "ShiptraceError: " in line:
            return line.split("ShiptraceError: ", 1)[1].strip()
    first = next((l for l in text.splitlines() if l.strip()), type(e).__name__)
    return f"the Spark job failed: {first.strip()}"


#: URL schemes whose stores the tasks read in Rust, in place (the
#: ``object_store`` crate; credentials from the executors' environment:
#: ``AWS_*``, ``GOOGLE_*``, ``AZURE_*``).
_NATIVE_SCHEMES = ("s3", "s3a", "gs", "az", "azure", "abfs", "abfss")


def _native_root(store: str) -> Optional[str]:
    """What the tasks open when they read the store themselves: the
    directory of a path or ``file://`` URI (a local disk, or a filesystem
    every node mounts), or the URL of a store in object storage
    (``s3://``, ``s3a://``, ``gs://``, ``az://``, ``abfs[s]://``); None for
    other schemes (``hdfs://``), which Spark reads."""
    if store.startswith("file://"):
        return store[len("file://"):] or "/"
    if "://" in store:
        return store if store.split("://", 1)[0].lower() in _NATIVE_SCHEMES else None
    return os.path.abspath(store)


def detect(spark, store: str, out: Optional[str] = None, *, params: Optional[dict] = None,
           config: Optional[str] = None, partitions: Optional[int] = None, read: str = "auto") -> tuple:
    """Runs detection on the store at ``store`` (a path, ``file://``, an
    object-store URL ``s3://``, ``s3a://``, ``gs://``, ``az://``,
    ``abfs[s]://``, or any other URI Spark reads, e.g. ``hdfs://``) with the session
    ``spark``. With ``out``, the executors write the events there as
    Parquet (part files in event order) and none passes through the
    driver; returns (None, summary). Without, returns (the events as a
    pyarrow Table, collected on the driver, summary). The summary is a dict
    with counts and per-stage seconds.

    ``read`` says how phase one gets the fixes: ``native``: each task reads
    its MMSI range from the store's files in Rust (the store must be a
    path or ``file://`` URI every executor can open, or an object-store
    URL above: credentials from the executors' environment, ``AWS_*``,
    ``GOOGLE_*``, ``AZURE_*``); ``jvm``: Spark reads the Parquet files and
    hands the rows to the tasks through Arrow (any URI Spark reads);
    ``auto`` (default): native where it can, else jvm."""
    from pyspark import StorageLevel
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    pj = _native.params_json(json.dumps(params) if params is not None else None, config)
    store = store.rstrip("/")
    timings: Dict[str, float] = {}
    t0 = time.perf_counter()
    if read not in ("auto", "native", "jvm"):
        raise ShiptraceError(f"read={read!r}: expected auto, native or jvm")
    root = _native_root(store)
    if read == "native" and root is None:
        raise ShiptraceError(f"{store}: read=native needs a path, a file:// URI every executor can open, "
                             f"or an object-store URL ({', '.join(s + '://' for s in _NATIVE_SCHEMES)})")
    native = root is not None and read != "jvm"
    if native and "://" in store and not store.startswith("file://"):
        # the manifest of a store in object storage, read in Rust as the
        # tasks will read the files (Spark itself may have no connector)
        try:
            entries = json.loads(_native.open_store(store).sources_json())
        except Exception as err:
            raise ShiptraceError(f"{store}: not a shiptrace store ({err})") from err
    else:
        entries = _manifest(spark, store)
    files: Dict[str, List[str]] = {"positions": [], "identities": []}
    # the store's files: every committed file less those a merge replaced
    replaced = {f for e in entries for m in e.get("merges", []) for f in m.get("replaces", [])}
    for e in entries:
        listed = list(e.get("files", [])) + [f for m in e.get("merges", []) for f in m.get("files", [])]
        for f in listed:
            table = f.split("/", 1)[0]
            if table in files and f.endswith(".parquet") and f not in replaced:
                files[table].append(f"{store}/{f}")
    n_fixes = sum(int(e.get("positions", 0)) for e in entries)
    if partitions is None:
        partitions = max(2 * spark.sparkContext.defaultParallelism, -(-n_fixes // _TASK_FIXES))
    expected_fixes = None
    if native:
        assert root is not None
        # work items: MMSI ranges planned from the files' footers (the
        # driver reads no rows), one task each
        per = max(1, -(-n_fixes // partitions))
        ranges, expected_fixes = _native.spark_plan(root, per)
        items = spark.createDataFrame(
            spark.sparkContext.parallelize(ranges, len(ranges)), "a long, z long")
        stage1 = items.mapInArrow(partial(_phase_one_ranges, root, pj), _ddl(_STAGE1))
    else:
        def read_table(table: str):
            if files[table]:
                try:
                    return spark.read.parquet(*files[table])
                except AnalysisException as e:
                    raise ShiptraceError(f"{store}: {str(e).splitlines()[0]}") from e
            return spark.createDataFrame([], _ddl(_native.schema(table)))

        both = (
            read_table("positions").withColumn("_rec", F.lit(0))
            .unionByName(read_table("identities").withColumn("_rec", F.lit(1)), allowMissingColumns=True)
            .repartition(partitions, "mmsi")
        )
        stage1 = both.mapInArrow(_per_partition(partial(_phase_one, pj)), _ddl(_STAGE1))
    stage1 = stage1.persist(StorageLevel.MEMORY_AND_DISK)
    # the manifest read and the plan (the driver's work before any task)
    timings["plan_s"] = time.perf_counter() - t0
    tp = time.perf_counter()
    try:
        blobs = [r.blob for r in stage1.filter(F.col("part") == "one").select("blob").collect()]
    except Exception as e:  # a task failed (after Spark's retries): say why in one line
        raise ShiptraceError(_task_error(e)) from e
    timings["phase_one_s"] = time.perf_counter() - tp
    # the shared part of phase two, on the driver (small), then broadcast
    t1 = time.perf_counter()
    shared_json, counts = _native.spark_shared(blobs, pj)
    s = json.loads(counts)
    read_fixes = s.pop("fixes_read")
    # what the driver held: the tasks' shared parts, and what it broadcast
    s["shared_parts_bytes"] = sum(len(b) for b in blobs)
    s["broadcast_bytes"] = len(shared_json)
    del blobs
    if expected_fixes is not None and read_fixes != expected_fixes:
        raise ShiptraceError(
            f"{store}: the files' footers count {expected_fixes} fixes, the tasks read {read_fixes} "
            "(a file's statistics are wrong, or the store changed during the job): no events written")
    shared = spark.sparkContext.broadcast(shared_json)
    del shared_json
    # phase two's tasks by the size of what they take in (the vessels'
    # phase-one parts, which grow with events, not fixes): about
    # _PHASE_TWO_BYTES each, at least two per core
    try:
        ves_bytes = stage1.filter(F.col("part") == "ves").select(F.sum(F.length("blob"))).first()[0] or 0
    except Exception as e:
        raise ShiptraceError(_task_error(e)) from e
    p2_partitions = max(2 * spark.sparkContext.defaultParallelism, -(-int(ves_bytes) // _PHASE_TWO_BYTES))
    timings["shared_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    reps = stage1.filter(F.col("part") == "rep").drop("part", "blob")
    hits = reps.repartition(partitions, "day", "ty", "tx").mapInArrow(
        _per_partition(partial(_tile_hits, pj)), _ddl(_native.schema("hits")))
    parts_ddl = _ddl(_native.schema("parts"))
    pairs = hits.repartition(partitions, "a", "o").mapInArrow(
        _per_partition(partial(_pair_events, pj)), parts_ddl)
    vessels = stage1.filter(F.col("part") == "ves").select(
        "mmsi", "part", "blob", F.lit(None).cast("long").alias("t0"), F.lit(None).cast("long").alias("t1"))
    token = uuid.uuid4().hex
    # the reception map as a join: the counts (from phase one) and each
    # vessel's silences and questions, routed to the map's blocks; a task
    # per set of blocks answers, the answers go back to the vessels
    cov_ddl = _ddl(_native.schema("cov"))
    cov_cols = [f.name for f in _native.schema("cov")]
    counts = stage1.filter(F.col("part") == "cnt").select(*cov_cols)
    asks = vessels.mapInArrow(partial(_queries, shared, token, pj), cov_ddl)
    # (partitions by size: Spark's adaptive execution joins small shuffle
    # partitions, so a few cells make one task and a global archive many)
    answers = counts.unionByName(asks).repartition("by", "bx", "period").mapInArrow(
        _per_partition(partial(_coverage, pj)), parts_ddl)
    tz = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    keyed = _native.schema("keyed_events")
    # (kept: the range partitioning below samples its input first)
    unordered = vessels.unionByName(pairs).unionByName(answers).repartition(p2_partitions, "mmsi").mapInArrow(
        _per_partition(partial(_vessels_two, shared, token, pj, tz)), _ddl(keyed)).persist(StorageLevel.MEMORY_AND_DISK)
    # the total order: range partitions of the key, sorted within; ids
    # from the counts of the partitions before
    events = (unordered.repartitionByRange(p2_partitions, "key").sortWithinPartitions("key")
              .withColumn("_pid", F.spark_partition_id())
              .withColumn("_row", F.monotonically_increasing_id())
              .persist(StorageLevel.MEMORY_AND_DISK))
    try:
        per_part = {r["_pid"]: r["count"] for r in events.groupBy("_pid").count().collect()}
        by_kind = {r["kind"]: r["count"] for r in events.groupBy("kind").count().collect()}
    except Exception as e:
        raise ShiptraceError(_task_error(e)) from e
    stage1.unpersist()
    unordered.unpersist()
    timings["phase_two_s"] = time.perf_counter() - t2
    offsets: List[Any] = []
    total = 0
    for pid in sorted(per_part):
        offsets += [F.lit(pid), F.lit(total)]
        total += per_part[pid]
    # monotonically_increasing_id: the partition in the upper 31 bits, the
    # row within it in the lower 33
    row_in_part = F.col("_row") - F.shiftleft(F.col("_pid").cast("long"), 33)
    number = (F.create_map(*offsets)[F.col("_pid")] + row_in_part) if offsets else F.lit(0)
    numbered = events.withColumn("id", F.concat(F.lit("ev-"), number.cast("string"))).select(
        *[f.name for f in _native.schema("events")])
    t3 = time.perf_counter()
    collected: Optional[pa.Table] = None
    try:
        if out is not None:
            numbered.write.mode("overwrite").parquet(out)
        else:
            collected = conform(numbered.toArrow(), "events")
    except Exception as e:
        raise ShiptraceError(_task_error(e)) from e
    finally:
        events.unpersist()
        shared.destroy()
    timings["write_s"] = time.perf_counter() - t3
    s["by_kind"] = dict(sorted(by_kind.items()))
    s.update(timings)
    s["partitions"] = partitions
    s["phase_two_partitions"] = p2_partitions
    s["read"] = "native" if native else "jvm"
    s["total_s"] = time.perf_counter() - t0
    return collected, s


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m shiptrace.spark",
        description="shiptrace detection on Apache Spark (same events as `shiptrace detect`).",
        epilog="example: python -m shiptrace.spark detect --store store/ --out events.parquet --master 'local[2]'",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("detect", help="detect behaviours in a store, write events as Parquet")
    d.add_argument("--store", required=True, help="store directory or URI (from `shiptrace ingest`)")
    d.add_argument("--out", required=True, help="events output (Parquet directory or URI)")
    d.add_argument("--config", help="shiptrace.toml with a [detect] table")
    d.add_argument("--partitions", type=int, help="tasks of phase one and the encounters (default: 2 per core, at least one per 4 "
                   "million fixes)")
    d.add_argument("--read", choices=["auto", "native", "jvm"], default="auto",
                   help="how phase one reads the fixes: native (each task reads its MMSI range in Rust; "
                        "the store must be a path or file:// URI every executor can open, or an s3://, s3a://, "
                        "gs://, az://, abfs[s]:// URL, credentials from the environment), jvm (Spark's "
                        "Parquet reader, any URI), auto (native where it can; default)")
    d.add_argument("--master", help="Spark master when not run under spark-submit, e.g. local[2]")
    d.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="Spark configuration (repeatable), e.g. spark.driver.memory=8g")
    a = ap.parse_args(argv)
    from pyspark.sql import SparkSession

    if a.master and a.master.startswith("local"):
        # local workers run this same interpreter (a virtualenv's, say)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    b = (SparkSession.builder.appName("shiptrace detect")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.showConsoleProgress", "false"))
    if a.master:
        b = b.master(a.master)
    for kv in a.conf:
        k, sep, v = kv.partition("=")
        if not sep:
            ap.error(f"--conf {kv!r}: expected KEY=VALUE")
        b = b.config(k, v)
    spark = b.getOrCreate()
    try:
        _, s = detect(spark, a.store, a.out, config=a.config, partitions=a.partitions, read=a.read)
    except ShiptraceError as e:
        print(f"shiptrace: error: {e}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps(s), file=sys.stderr)
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
