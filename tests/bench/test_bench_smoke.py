"""`make bench QUICK=1` once, as `make test` runs it: the run completes and writes every
scenario with sane figures. Times are not asserted: this machine's speed is not the
code's, and the bench's own table says whether a goal is met."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.webui import CHROMIUM
from tests.support.processes import child_env

ROOT = Path(__file__).resolve().parents[2]
# The quick run takes under two minutes alone; on a busy shared machine, much longer.
pytestmark = pytest.mark.timeout(900)
SCENARIOS = ("1 Create", "2 Transition", "3 List", "4 Files", "5 Web UI", "6 Scale", "7 Comments",
             "8 Stack", "9 Reports")
BROWSER_SCENARIOS = ("5 Web UI", "9 Reports")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)],
                         cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads((out / "latest.json").read_text()), (out / "latest.md").read_text()


def expected_scenarios(skipped: list[str]) -> set[str]:
    """Every scenario; the web UI and PostgreSQL may be missing only where allowed."""
    expected = set(SCENARIOS)
    if not CHROMIUM.exists() and os.environ.get("TICKETDESK_REQUIRE_BROWSER") != "1":
        expected.difference_update(BROWSER_SCENARIOS)
    if any(s.startswith("PostgreSQL") for s in skipped):
        assert os.environ.get("TICKETDESK_REQUIRE_POSTGRES") != "1", skipped
    return expected


def test_every_scenario_is_measured_and_written(results):
    data, table = results
    found = {row["scenario"] for row in data["rows"]}
    assert expected_scenarios(data["skipped"]) <= found, (found, data["skipped"])
    for scenario in found:
        assert f"| {scenario} |" in table
    backends = {row.get("backend") for row in data["rows"] if row["scenario"] == "3 List"}
    if not data["skipped"]:
        assert backends == {"sqlite", "postgres"}


def test_figures_are_sane(results):
    data, _ = results
    measured = [row for row in data["rows"] if "system" in row]
    assert measured
    for row in measured:
        for side in ("system", "baseline"):
            figures = row[side]
            assert figures["n"] > 0, row
            assert 0 < figures["median_ms"] <= figures["p95_ms"] <= figures["p99_ms"], row
            assert figures["throughput"] > 0, row
        assert all(0 < value < math.inf for value in row["ratio"].values()), row
        assert isinstance(row["met"], bool) or row["goal"] == "", row


def test_machine_is_recorded(results):
    machine = results[0]["machine"]
    assert machine["cores"] >= 1 and machine["memory_gib"] > 0
    assert machine["python"].startswith("3.")
    assert {"temporalio", "grpcio", "sqlalchemy", "nicegui"} <= set(machine["packages"])
