"""Shared fixtures: the `shiptrace` binary (for side-by-side checks against
the command line) and one small simulated store."""

import os
import pathlib
import subprocess

import pytest

import shiptrace

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> str:
    """Path of the command line, built if missing (SHIPTRACE_BIN overrides)."""
    b = os.environ.get("SHIPTRACE_BIN")
    if b:
        return b
    b = ROOT / "target" / "debug" / "shiptrace"
    if not b.exists():
        subprocess.run(["cargo", "build", "--locked", "-p", "shiptrace"], cwd=ROOT, check=True)
    return str(b)


@pytest.fixture(scope="session")
def sim(tmp_path_factory, cli):
    """12 simulated days of the built-in scenario, ingested, with the
    command line's events: (folder, store path, events.jsonl path)."""
    d = tmp_path_factory.mktemp("sim")
    s = shiptrace.simulate(d / "sim", days=12, seed=3)
    assert s["truth_events"] > 0
    out = shiptrace.ingest(d / "store", [d / "sim" / "ais.nmea.gz"])
    assert out[0]["status"] == "ingested"
    subprocess.run([cli, "detect", "--store", str(d / "store"), "--out", str(d / "cli.jsonl")],
                   check=True, capture_output=True)
    return d, d / "store", d / "cli.jsonl"
