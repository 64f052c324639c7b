"""Fixtures for the multi-process tests: one cluster per module (real PostgreSQL, real Redis,
two run.py processes, nginx in front; bench/cluster.py), the fault tests' asyncio runner and
hard time limit.

Without redis-server, PostgreSQL or nginx these tests are skipped, with the reason; in CI
(CI=true) or with FACILITATOR_REQUIRE_SERVICES=1 a missing service is a failure instead.
"""

from __future__ import annotations

import os

import pytest

from bench.cluster import Cluster, missing
from tests.faults.conftest import aio, hard_time_limit  # noqa: F401 (fixtures)

REQUIRED = os.environ.get("FACILITATOR_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


def require_services(nginx: bool = True) -> None:
    """Skip (locally) or fail (CI) when PostgreSQL, Redis or nginx is missing."""
    lacks = missing(nginx=nginx)
    if lacks:
        reason = (
            "the multi-process tests need "
            + ", ".join(lacks)
            + " (Debian: apt-get install redis-server postgresql nginx)"
        )
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services()
    # A 1 s timekeeper sweep: a timer started through one process is armed on the other
    # within a second (the default is 5 s).
    c = Cluster(tmp_path_factory.mktemp("cluster"), processes=2, nginx=True, sweep_s=1)
    c.start()
    yield c
    c.stop()
