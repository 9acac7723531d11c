"""The Spark job gives exactly the command line's events (Spark local mode)."""

import csv
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import shiptrace
import shiptrace.spark as job

pytest.importorskip("pyspark")


ROOT = pathlib.Path(__file__).resolve().parents[2]


def spark_detect(store, out, submit=False, master="local[2]", extra=(), env=None):
    args = ["detect", "--store", str(store), "--out", str(out)] + list(extra)
    if submit:
        # as on a cluster: spark-submit runs the job file itself
        import pyspark

        exe = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
        cmd = [exe, "--master", master, job.__file__] + args
    else:
        cmd = [sys.executable, "-m", "shiptrace.spark"] + args + ["--master", master]
    env = dict(env or os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return shiptrace.events_to_jsonl(pq.read_table(out))


def test_spark_events_equal_the_cli(sim, tmp_path):
    _, store, cli_events = sim
    got = spark_detect(store, tmp_path / "events")
    expected = cli_events.read_text()
    kinds = {l.split('"kind":"')[1].split('"')[0] for l in expected.splitlines()}
    assert {"port_visit", "ais_gap", "dark_port_call", "encounter", "voyage"} <= kinds
    assert got == expected


def test_without_an_output_the_events_come_back_to_the_caller(sim):
    # the library call: with no output the events are collected on the
    # driver and returned (with an output, only the summary comes back)
    from pyspark.sql import SparkSession

    _, store, cli_events = sim
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("shiptrace test")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        events, summary = job.detect(spark, str(store))
        assert shiptrace.events_to_jsonl(events) == cli_events.read_text()
        assert sum(summary["by_kind"].values()) == events.num_rows
        positions = shiptrace.open_store(store).positions()
        assert summary["fixes"] == positions.num_rows
        assert "thinned" not in summary
        # vessels over tracks.max_vessel_fixes are read thinned by the
        # tasks (each counts its range when its row groups could hold one)
        # as by the engine in one process: the same events, said so
        sizes = sorted(c["counts"] for c in pc.value_counts(positions["mmsi"]).to_pylist())
        params = {"tracks": {"max_vessel_fixes": sizes[len(sizes) // 2]}}
        events, summary = job.detect(spark, str(store), params=params)
        expected = shiptrace.detect(store, params=params)
        assert shiptrace.events_to_jsonl(events) == shiptrace.events_to_jsonl(expected)
        over = [c for c in sizes if c > sizes[len(sizes) // 2]]
        assert len(summary["thinned"]) == len(over) > 0
        assert summary["fixes"] == positions.num_rows - sum(t["fixes"] - t["kept"] for t in summary["thinned"])
    finally:
        spark.stop()


HEADER = ["# Timestamp", "Type of mobile", "MMSI", "Latitude", "Longitude", "Navigational status", "ROT", "SOG",
          "COG", "Heading", "IMO", "Callsign", "Name", "Ship type", "Cargo type", "Width", "Length",
          "Type of position fixing device", "Draught", "Destination", "ETA", "Data source type", "A", "B", "C", "D"]


def test_an_encounter_across_a_tile_edge_is_found(tmp_path, cli):
    # Two ships drifting 90 m apart for four hours, one each side of the
    # 42.24 N edge of the encounter tiles (64 cells of 0.01 degree), in
    # open water: the pair is only seen through the halo.
    p = tmp_path / "meet.csv"
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for k in range(0, 4 * 60 + 1, 5):
            h, m = divmod(k, 60)
            for mmsi, lat in ((273000001, 42.2396), (273000002, 42.2404)):
                w.writerow([f"07/09/2023 {h + 2:02}:{m:02}:00", "Class A", mmsi, f"{lat:.4f}", "134.9000",
                            "Under way using engine", "0", "0.4", "90.0", "90", "", "", "", "Cargo", "", "", "",
                            "GPS", "", "", "", "AIS", "", "", "", ""])
    store = tmp_path / "store"
    shiptrace.ingest(store, [p])
    assert int(42.2396 / 0.01) // 64 != int(42.2404 / 0.01) // 64
    expected = shiptrace.events_to_jsonl(shiptrace.detect(store))
    assert '"kind":"encounter"' in expected, expected
    r = subprocess.run([cli, "detect", "--store", str(store), "--out", str(tmp_path / "cli.jsonl")], capture_output=True)
    assert r.returncode == 0
    assert (tmp_path / "cli.jsonl").read_text() == expected
    assert spark_detect(store, tmp_path / "events") == expected
    assert spark_detect(store, tmp_path / "events2", submit=True) == expected
    # fixes through the JVM (how a store on hdfs:// or s3a:// is read)
    assert spark_detect(store, tmp_path / "events3", extra=["--read", "jvm"]) == expected


def test_the_job_on_a_standalone_cluster_equals_the_cli(sim, tmp_path):
    # a master and two workers, each its own JVM process
    # (scripts/spark-cluster.sh); the tasks read the store in Rust
    _, store, cli_events = sim
    script = str(ROOT / "scripts" / "spark-cluster.sh")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cluster = tmp_path / "cluster"
    env = dict(os.environ, SPARK_MASTER_PORT=str(port))
    r = subprocess.run([script, "start", str(cluster)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    url = r.stdout.strip().splitlines()[-1]
    assert url == f"spark://127.0.0.1:{port}"
    try:
        assert spark_detect(store, tmp_path / "events", master=url) == cli_events.read_text()
        # the work ran in executors the workers started, not in the driver
        for w in (1, 2):
            logs = list((cluster / f"work-{w}").glob("app-*/*/stderr"))
            assert logs, f"worker {w} ran no executor"
            assert any("Finished task" in l.read_text() for l in logs), f"worker {w} ran no task"
        # an executor killed while the job runs: Spark runs its tasks again
        # elsewhere (the worker starts a new one), and the events are the same
        before = set(cluster.glob("work-*/app-*/*"))
        env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
        p = subprocess.Popen([sys.executable, "-m", "shiptrace.spark", "detect", "--store", str(store),
                              "--out", str(tmp_path / "events-k"), "--master", url],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        killed = None
        deadline = time.time() + 180
        while killed is None and p.poll() is None and time.time() < deadline:
            for d in set(cluster.glob("work-*/app-*/*")) - before:
                log = d / "stderr"
                if log.exists() and "Running task" in log.read_text(errors="replace"):
                    # the executor's process works in its folder
                    for pid in filter(str.isdigit, os.listdir("/proc")):
                        try:
                            if os.readlink(f"/proc/{pid}/cwd") == str(d.resolve()):
                                os.kill(int(pid), signal.SIGKILL)
                                killed = d
                        except OSError:
                            pass
                if killed:
                    break
            time.sleep(0.2)
        _, err = p.communicate(timeout=600)
        assert killed is not None, "no executor seen running a task"
        assert p.returncode == 0, err[-3000:]
        assert "Lost executor" in err, err[-3000:]
        got = shiptrace.events_to_jsonl(pq.read_table(tmp_path / "events-k"))
        assert got == cli_events.read_text()
    finally:
        subprocess.run([script, "stop", str(cluster)], timeout=60)


def test_a_file_missing_from_the_store_is_one_clear_error(sim, tmp_path):
    import shutil

    _, store, _ = sim
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    gone = sorted((copy / "positions").glob("day=*/*.parquet"))[3]
    gone.unlink()
    for read in ("native", "jvm"):
        r = subprocess.run([sys.executable, "-m", "shiptrace.spark", "detect", "--store", str(copy),
                            "--out", str(tmp_path / f"o-{read}"), "--master", "local[1]", "--read", read],
                           capture_output=True, text=True)
        assert r.returncode != 0
        errors = [l for l in r.stderr.splitlines() if l.startswith("shiptrace: error: ")]
        assert len(errors) == 1 and gone.name in errors[0], (read, r.stderr[-3000:])
        assert not (tmp_path / f"o-{read}").exists()


def test_a_missing_store_is_one_clear_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "shiptrace.spark", "detect", "--store", str(tmp_path / "nope"),
                        "--out", str(tmp_path / "o"), "--master", "local[1]"], capture_output=True, text=True)
    assert r.returncode != 0
    errors = [l for l in r.stderr.splitlines() if l.startswith("shiptrace: error: ")]
    assert len(errors) == 1 and "not a shiptrace store" in errors[0], r.stderr[-2000:]
    assert "Traceback" not in r.stderr


def test_a_store_in_object_storage_is_read_in_place(sim, tmp_path, cli):
    # an S3 server (moto's, a separate process) holds a copy of the store;
    # the command line and the Spark job read it there, in Rust (Spark has
    # no S3 connector here: the JVM path could not read it)
    import shutil

    import boto3

    _, store, cli_events = sim
    server = shutil.which("moto_server")
    assert server, "moto_server not found: pip install 'moto[server]' (scripts/test.sh does)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline and p.poll() is None, "moto_server did not start"
                time.sleep(0.2)
        creds = dict(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1")
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="ais")
        for f in store.rglob("*"):
            rel = f.relative_to(store).as_posix()
            if f.is_file() and not rel.startswith(".tmp"):
                s3.upload_file(str(f), "ais", f"archive/store/{rel}")
        env = dict(os.environ, AWS_ENDPOINT=f"http://127.0.0.1:{port}", AWS_ALLOW_HTTP="true", **creds)
        url = "s3://ais/archive/store"
        r = subprocess.run([cli, "detect", "--store", url, "--out", str(tmp_path / "cli-s3.jsonl")],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        assert (tmp_path / "cli-s3.jsonl").read_text() == cli_events.read_text()
        got = spark_detect("s3a://ais/archive/store", tmp_path / "events", master="local[2]", env=env)
        assert got == cli_events.read_text()

        # a file the manifest lists, gone from the bucket: one clear error
        gone = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="ais", Prefix="archive/store/positions/")
                      ["Contents"])[3]
        s3.delete_object(Bucket="ais", Key=gone)
        name = gone.rsplit("/", 1)[1]
        r = subprocess.run([cli, "detect", "--store", url, "--out", str(tmp_path / "x.jsonl")],
                           capture_output=True, text=True, env=env)
        assert r.returncode != 0 and name in r.stderr, r.stderr[-3000:]
        r = subprocess.run([sys.executable, "-m", "shiptrace.spark", "detect", "--store", url,
                            "--out", str(tmp_path / "o-gone"), "--master", "local[1]"],
                           capture_output=True, text=True, env=env)
        errors = [l for l in r.stderr.splitlines() if l.startswith("shiptrace: error: ")]
        assert r.returncode != 0 and len(errors) == 1 and name in errors[0], r.stderr[-3000:]
        # a bucket that is not there: the store cannot be opened, said once
        r = subprocess.run([sys.executable, "-m", "shiptrace.spark", "detect", "--store", "s3://nobucket/store",
                            "--out", str(tmp_path / "o-none"), "--master", "local[1]"],
                           capture_output=True, text=True, env=env)
        errors = [l for l in r.stderr.splitlines() if l.startswith("shiptrace: error: ")]
        assert r.returncode != 0 and len(errors) == 1 and "s3://nobucket/store" in errors[0], r.stderr[-3000:]
    finally:
        p.terminate()
        p.wait(timeout=30)
