"""The whole integration suite (HTTP and Socket.IO test clients, fake clock) once more, on a
throwaway PostgreSQL instead of SQLite: locking, constraints, the IntegrityError retries and
the column types behave the same on both. Runs as a child pytest with
FACILITATOR_INTEGRATION_DB=postgresql (tests/integration/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import require_services

ROOT = Path(__file__).resolve().parents[2]


def test_the_integration_suite_passes_on_postgresql():
    require_services(nginx=False)
    env = {**os.environ, "FACILITATOR_INTEGRATION_DB": "postgresql"}
    # Left out: test_upgrade.py opens SQLite files written by an earlier release; the flood
    # test counts an in-memory token bucket's refusals against the wall clock (no database
    # involved), which a loaded machine makes flaky, and once is enough.
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration",
            "--ignore=tests/integration/test_upgrade.py",
            "--deselect",
            "tests/integration/test_limits.py::"
            "test_a_flooding_connection_is_throttled_and_others_are_not",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    print(f"\nintegration suite on PostgreSQL: {summary}")
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
