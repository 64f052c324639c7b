"""CI smoke run of the benchmark: `python -m bench --smoke` (tens of phones, both async modes,
one run each). It checks that the tool works and what it measures is right, never how fast:
no timing thresholds (the full benchmark and its targets are in docs/performance.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.harness import ROOT, chromium_path

MODES = ("eventlet", "gevent")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    scenarios = ["join", "idle", "votes", "stage", "weight"]
    if chromium_path() is None:
        if os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found and FACILITATOR_REQUIRE_BROWSER=1")
        scenarios.remove("weight")
    out = tmp_path_factory.mktemp("bench") / "runs.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--async-mode",
            "both",
            "--scenarios",
            ",".join(scenarios),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return scenarios, proc.stdout, json.loads(out.read_text())


def test_the_table_has_every_scenario_for_both_modes(smoke):
    scenarios, table, _runs = smoke
    header = next(line for line in table.splitlines() if line.startswith("| scenario"))
    assert all(mode in header for mode in MODES), header
    for name in scenarios:
        rows = [line for line in table.splitlines() if line.startswith(f"| {name} |")]
        assert rows, f"no {name} rows in:\n{table}"
        assert all(
            " - |" not in row.split("|", 4)[4] for row in rows if "pings / stage" not in row
        ), rows  # every figure was measured


@pytest.mark.parametrize("mode", MODES)
def test_every_phone_got_the_stage_and_every_acknowledged_vote_was_counted(smoke, mode):
    _scenarios, _table, runs = smoke
    (run,) = runs[mode]
    join = run["join"]
    assert join["ok"] == join["phones"] and join["current_stage"] == join["phones"], join
    assert not join["errors"] and not join["baseline_errors"], join
    votes = run["votes"]
    assert votes["app"]["acked"] > 0 and votes["baseline"]["acked"] > 0, votes
    assert votes["app"]["lost"] == 0, votes
    # Only the per-connection flood limit may refuse a valid vote (a fast machine, few phones).
    assert set(votes["app"]["refusals"]) <= {"rate_limited"}, votes
    assert votes["recount_equals_acks"], votes
    assert votes["recount_votes"] == votes["acked_ballot_votes"], votes
    assert votes["screen_ballots_ok"] and votes["console_tally_ok"], votes
    stage = run["stage"]
    assert stage["missing"] == 0 and stage["presses"] > 0, stage
    idle = run["idle"]
    assert idle["other_kinds"] == [], idle  # no timer messages: pings and stages only
    if "weight" in run:
        assert run["weight"]["first_kb"] > run["weight"]["repeat_kb"] > 0, run["weight"]
