"""`python -m bench --processes 2`: the two-process table has its own markers in the Markdown
file, and (when PostgreSQL, Redis and nginx are installed) a smoke run through nginx and Redis
is correct: every phone got the stage, every acknowledged vote was counted. No timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.__main__ import write_markdown
from bench.cluster import missing
from tests.e2e.harness import ROOT


def test_the_two_process_table_does_not_replace_the_one_process_table(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        "intro\n<!-- bench:table -->\nold one\n<!-- /bench:table -->\nmiddle\n"
        "<!-- bench:table processes=2 -->\nold two\n"
        "<!-- /bench:table processes=2 -->\nend\n"
    )
    write_markdown(doc, "new two\n", processes=2)
    write_markdown(doc, "new one\n")
    text = doc.read_text()
    assert "old" not in text and text.startswith("intro\n") and text.endswith("end\n")
    assert text.index("new one") < text.index("middle") < text.index("new two"), text
    write_markdown(doc, "new three\n", processes=3)  # no markers yet: appended, nothing lost
    assert doc.read_text() == text + (
        "<!-- bench:table processes=3 -->\nnew three\n<!-- /bench:table processes=3 -->\n"
    )


def test_a_smoke_run_on_two_processes_through_redis(tmp_path):
    lacks = missing(nginx=True)
    if lacks:
        if os.environ.get("FACILITATOR_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true":
            pytest.fail("missing: " + ", ".join(lacks))
        pytest.skip("missing: " + ", ".join(lacks))
    out = tmp_path / "runs.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--processes",
            "2",
            "--async-mode",
            "eventlet",
            "--scenarios",
            "join,votes,stage",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (run,) = json.loads(out.read_text())["eventlet, 2 processes"]
    join, votes, stage = run["join"], run["votes"], run["stage"]
    assert join["current_stage"] == join["phones"] > 0 and join["rss_mb"] > 0, join
    assert votes["app"]["acked"] > 0 and votes["app"]["lost"] == 0, votes
    assert votes["recount_equals_acks"] and votes["console_tally_ok"], votes
    assert stage["missing"] == 0 and stage["presses"] > 0, stage
