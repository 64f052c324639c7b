"""Fixtures for the fault tests: the browser and server fixtures of tests/e2e, re-exported, plus
an asyncio runner in its own thread (usable next to Playwright's sync API) and a hard per-test
time limit so that no fault test can hang a CI run."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.conftest import artifacts, browser, open_page, server  # noqa: F401 (fixtures)

from .common import LONG, AsyncRunner

# Generous ceilings: each test has its own, much tighter, deadlines inside.
HARD_LIMIT_S = 900 if LONG else 240


class HardTimeout(Exception):
    pass


@pytest.fixture(autouse=True)
def hard_time_limit():
    """SIGALRM fails the test (in the main thread) if it runs past HARD_LIMIT_S."""

    def expire(_sig, _frame):
        raise HardTimeout(f"fault test exceeded its hard limit of {HARD_LIMIT_S} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HARD_LIMIT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def aio():
    """Run coroutines on an event loop in a background thread: `aio.run(coro, timeout)`."""
    runner = AsyncRunner()
    yield runner
    runner.close()
