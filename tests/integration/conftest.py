"""A real app on a real SQLite file, driven by Flask's HTTP test client and Flask-SocketIO's
test clients (one per browser: each has its own cookies). The clock is fake."""

from __future__ import annotations

import atexit
import os

import pytest

from facilitator import create_app
from tests.clock import FakeClock

# FACILITATOR_INTEGRATION_DB=postgresql runs these tests on PostgreSQL instead: a throwaway
# server (bench/cluster.py; or FACILITATOR_TEST_POSTGRES_URL), one fresh database per file.
ON_POSTGRES = os.environ.get("FACILITATOR_INTEGRATION_DB") == "postgresql"
_databases: dict = {}
_server: list = []


def database_url(db_path) -> str:
    if not ON_POSTGRES:
        return f"sqlite:///{db_path}"
    if not _server:
        from bench.cluster import Postgres

        _server.append(Postgres().start())
        atexit.register(_server[0].stop)
    if str(db_path) not in _databases:
        _databases[str(db_path)] = _server[0].new_database()
    return _databases[str(db_path)]


def make_app(db_path, clock):
    return create_app(
        {
            "DATABASE_URL": database_url(db_path),
            "SECRET_KEY": "integration-tests",
            "ASYNC_MODE": "threading",
            "COALESCE_MS": 0,
            "PUBLIC_URL": "http://venue.test:5000",
            "TESTING": True,
        },
        clock=clock,
    )


class Browser:
    """One browser: an HTTP client with its cookie jar and, once connected, a socket."""

    def __init__(self, app, code: str):
        self.app, self.code = app, code
        self.http = app.test_client()
        self.sio = None

    def connect(self, role: str):
        socketio = self.app.extensions["facilitator"]["socketio"]
        self.sio = socketio.test_client(
            self.app, flask_test_client=self.http, auth={"code": self.code, "role": role}
        )
        return self.sio

    def emit(self, event: str, payload=None):
        args = () if payload is None else (payload,)
        return self.sio.emit(event, *args, callback=True)

    def refused(self, event: str, payload=None) -> str:
        """Why this connection cannot do `event` any more: the error of its acknowledgement, or
        "closed" once the server has closed it (a cut connection is refused at once and closed
        a moment later, CUT_DELAY_S; which of the two a test sees depends on the machine)."""
        if not self.sio.is_connected():
            return "closed"
        try:
            ack = self.emit(event, payload)
        except RuntimeError:  # the test client's "not connected"
            return "closed"
        assert ack["ok"] is False, ack
        return ack["error"]

    def received(self, name: str | None = None) -> list:
        return [m["args"][0] for m in self.sio.get_received() if name is None or m["name"] == name]

    def last(self, name: str):
        got = self.received(name)
        assert got, f"no {name!r} received"
        return got[-1]


class Room:
    """A session with its moderator console and a screen, plus phones on demand."""

    def __init__(self, app, clock, **settings):
        self.app, self.clock = app, clock
        http = app.test_client()
        res = http.post("/api/sessions", json={"title": "Quick wins", **settings})
        assert res.status_code == 201, res.get_json()
        self.info = res.get_json()
        self.code = self.info["code"]
        self.moderator = Browser(app, self.code)
        self.moderator.http = http  # holds the moderator cookie
        self.moderator.connect("console")
        self.screen = Browser(app, self.code)
        self.screen.connect("screen")
        self.service = app.extensions["facilitator"]["service"]
        self.snapshots = app.extensions["facilitator"]["snapshots"]
        self.session_id = self.service.find_session(self.code)["id"]

    def phone(self, name: str, organisation: str = "") -> Browser:
        b = Browser(self.app, self.code)
        res = b.http.post(
            f"/api/sessions/{self.code}/participants",
            json={"name": name, "organisation": organisation},
        )
        assert res.status_code == 201, res.get_json()
        b.participant_id = res.get_json()["participant_id"]
        b.connect("phone")
        return b

    def mod(self, event: str, payload=None) -> dict:
        return self.moderator.emit(event, payload)

    def state(self) -> dict:
        """The console's view straight from the database (the truth)."""
        return self.snapshots.console(self.session_id)

    def add(self, title: str, pitcher: str = "Someone", **kw) -> int:
        ack = self.mod("pitch:add", {"title": title, "pitcher": pitcher, **kw})
        assert ack["ok"], ack
        return ack["pitch_id"]

    def drain(self) -> None:
        for b in (self.moderator, self.screen):
            b.sio.get_received()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app(tmp_path, clock):
    return make_app(tmp_path / "test.db", clock)


@pytest.fixture
def room(app, clock):
    return Room(app, clock)
