"""Abuse tests: hostile payloads, wrong roles, replayed votes and hostile text.

Apps made here run with the per-connection event rate limit, the failed-lookup throttle and
the per-address HTTP budgets and the shared event budgets switched off (EVENT_RATE 0,
FAILED_LOOKUPS_PER_MINUTE 0, the *_PER_MINUTE budgets 0, MODERATOR_EVENTS_PER_SECOND,
PHONE_EVENTS_PER_ADDRESS, CONSOLES_PER_SESSION and CONSOLE_CONNECTS_PER_MINUTE 0), so that
what is tested is each handler's own refusal, never the limiter's (the limits have their own
tests). Otherwise they are the integration tests' apps: real SQLite file, threading mode,
fake clock, Flask and Flask-SocketIO test clients.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

from facilitator import create_app

# Browser fixtures of the e2e suite (a module-scoped Chromium, pages in fresh contexts).
from tests.e2e.conftest import artifacts, browser, open_page  # noqa: F401 - fixtures
from tests.e2e.harness import Server

# Re-exported helpers, and fixtures (room uses this conftest's app).
from tests.integration.conftest import Browser, FakeClock, Room, clock, room  # noqa: F401

try:  # Hypothesis keeps its example database and unicode tables out of the work tree.
    from hypothesis.configuration import set_hypothesis_home_dir

    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "facilitator-hypothesis")
except ImportError:  # test_fuzz skips itself
    pass

UNLIMITED = {
    "EVENT_RATE": 0,
    "FAILED_LOOKUPS_PER_MINUTE": 0,
    "HTTP_PER_MINUTE": 0,
    "API_READS_PER_MINUTE": 0,
    "JOINS_PER_MINUTE": 0,
    "SESSIONS_PER_MINUTE": 0,
    "MODERATOR_EVENTS_PER_SECOND": 0,
    "PHONE_EVENTS_PER_ADDRESS": 0,
    "CONSOLES_PER_SESSION": 0,
    "CONSOLE_CONNECTS_PER_MINUTE": 0,
}
# The same for a real server (tests/e2e/harness.Server), through its environment.
UNLIMITED_ENV = {
    "FACILITATOR_EVENT_RATE": "0",
    "FACILITATOR_FAILED_LOOKUPS": "0",
    "FACILITATOR_HTTP_PER_MINUTE": "0",
    "FACILITATOR_API_READS_PER_MINUTE": "0",
    "FACILITATOR_JOINS_PER_MINUTE": "0",
    "FACILITATOR_SESSIONS_PER_MINUTE": "0",
    "FACILITATOR_MODERATOR_EVENTS_PER_SECOND": "0",
    "FACILITATOR_PHONE_EVENTS_PER_ADDRESS": "0",
    "FACILITATOR_CONSOLES_PER_SESSION": "0",
    "FACILITATOR_CONSOLE_CONNECTS_PER_MINUTE": "0",
}


def abuse_app(db_path, clock, **extra):
    """make_app's settings plus no rate limits (and any `extra` config)."""
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "abuse-tests",
            "ASYNC_MODE": "threading",
            "COALESCE_MS": 0,
            "PUBLIC_URL": "http://venue.test:5000",
            "TESTING": True,
            **UNLIMITED,
            **extra,
        },
        clock=clock,
    )


def frozen(room: Room) -> dict:
    """The console's view from the database, minus the clock: what a refusal must not change."""
    snap = room.state()
    snap.pop("server_now", None)
    return snap


class ErrorLog(logging.Handler):
    """Collects ERROR (and worse) records of the app's loggers."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(f"{r.name}: {r.getMessage()}\n{self.format(r)}" for r in self.records)


@pytest.fixture
def app(tmp_path, clock):
    return abuse_app(tmp_path / "abuse.db", clock)


@pytest.fixture
def app_errors():
    """Every ERROR logged under "facilitator" during the test (the test asserts on it)."""
    handler = ErrorLog()
    logger = logging.getLogger("facilitator")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# ----- counts for the report: what each fuzz target sent ------------------------------------

FUZZ_COUNTS: dict[str, dict] = {}


ROLE_COUNTS: dict[str, int] = {}


def _summary_roles(tr):
    if ROLE_COUNTS:
        tr.section("roles (tests/abuse/test_roles_http.py)")
        tr.write_line(", ".join(f"{k}: {v}" for k, v in sorted(ROLE_COUNTS.items())))


def pytest_terminal_summary(terminalreporter):
    _summary_roles(terminalreporter)
    _summary_xss(terminalreporter)
    if not FUZZ_COUNTS:
        return
    tr = terminalreporter
    tr.section("fuzzed payloads (tests/abuse)")
    total = refused = full = 0
    for target in sorted(FUZZ_COUNTS):
        c = FUZZ_COUNTS[target]
        total += c["examples"]
        refused += c["refused"]
        full += c.get("full_checks", 0)
        tr.write_line(
            f"{target:40} {c['examples']:6d} sent {c['accepted']:5d} accepted "
            f"{c['refused']:6d} refused ({c['refused_invalid']} invalid) "
            f"{c.get('full_checks', 0):4d} full snapshot checks"
        )
    tr.write_line(f"{'total':40} {total:6d} sent {refused:6d} refused, {full} full checks")


# ----- what the XSS tests covered, for the report --------------------------------------------

XSS_REPORT: dict = {}


@pytest.fixture
def xss_report():
    return XSS_REPORT


def _summary_xss(tr):
    if not XSS_REPORT:
        return
    r = XSS_REPORT
    tr.section("hostile text (tests/abuse/test_xss.py)")
    if "vectors" in r:
        tr.write_line(
            f"{r['vectors']} vectors x {len(r['fields'])} fields x "
            f"{len(r['pages'])} pages ({r['checks']} checks)"
        )
        tr.write_line("fields: " + ", ".join(r["fields"]))
        tr.write_line("pages: " + ", ".join(r["pages"]))
    if "title_vectors" in r:
        tr.write_line(
            f"session title: {r['title_vectors']} vectors x "
            f"{len(r['title_pages'])} pages ({', '.join(r['title_pages'])})"
        )


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A real server without rate limits: these tests send faster than a person would, and
    the limits are not what they are about (tests/integration/test_limits.py is)."""
    for name, value in UNLIMITED_ENV.items():
        monkeypatch.setenv(name, value)
    s = Server(tmp_path / "server")
    s.start()
    yield s
    s.stop()
