"""The anonymous read API under attack: refused before anything is built, built once per
session revision for everyone, and a budget per client address.

Before: `GET /api/sessions/<code>/results` built the whole console snapshot (3,000 names
included) and only then answered 403 to a stranger; with a stranger sending 52 requests a
second at a session of 3,000 participants, an honest phone's page load took 9.4 s at the 95th
percentile and its socket round trip 10.8 s (the attacker managed 19 of its 52 a second).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from tests.e2e.harness import Server

from .attack import Attacker, Honest, crowded_session, under_attack
from .conftest import Room, abuse_app

PARTICIPANTS = 3000
RATE = 60  # the attacker's requests a second (the report measured 52)
SECONDS = 8  # each phase
FLOOD = 300  # requests a second from one address: far beyond its API budget
HONEST_P95 = 1.0  # seconds: an honest page load and socket round trip, during every phase


# ----- in process: what a refusal reads, what a reader costs --------------------------------


class Statements:
    """The SQL statements the app's engine runs (real SQLite, nothing mocked)."""

    def __init__(self, app):
        self.engine = app.extensions["facilitator"]["db"].kw["bind"]
        self.seen: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._on)

    def _on(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def reset(self) -> None:
        self.seen.clear()

    def touching(self, *tables: str) -> list[str]:
        return [s for s in self.seen if any(f" {t}" in s for t in tables)]


HEAVY_TABLES = (
    "participants",
    "votes",
    "ratings",
    "interests",
    "pitches",
    "commitments",
    "sections",
    "log_entries",
)


@pytest.fixture
def crowded(tmp_path, clock):
    app = abuse_app(tmp_path / "budget.db", clock)
    room = Room(app, clock)
    for i in range(3):
        room.add(f"Quick win {i}", f"Pitcher {i}")
    phones = [room.phone(f"Person {i}") for i in range(5)]
    return app, room, phones


def test_hidden_results_and_a_private_outcome_are_refused_from_the_session_row_alone(crowded):
    """A stranger asking for results that are not revealed, or an outcome that is not
    published, gets 403 after one read of the session row: no participant, vote or pitch is
    read (before, the whole console snapshot was built first)."""
    app, room, _phones = crowded
    sql = Statements(app)
    stranger = app.test_client()
    for path in ("results", "outcome"):
        sql.reset()
        res = stranger.get(f"/api/sessions/{room.code}/{path}")
        assert res.status_code == 403, res.get_json()
        assert res.get_json()["error"] in ("results_hidden", "outcome_private")
        assert sql.touching(*HEAVY_TABLES) == [], sql.seen
        assert len(sql.seen) <= 2, sql.seen  # the session by code (and nothing else)
    # A wrong bearer key is refused the same way, and counts as a guess.
    sql.reset()
    res = stranger.get(
        f"/api/sessions/{room.code}/results", headers={"Authorization": "Bearer not-the-key"}
    )
    assert res.status_code == 403 and sql.touching(*HEAVY_TABLES) == []


def test_anonymous_readers_share_one_build_per_revision_and_second(crowded, clock):
    """Revealed results and a published outcome are built once for all anonymous readers: again
    when the session's revision moves (at once) or a second has passed (votes do not move the
    revision). The moderator always reads fresh."""
    app, room, phones = crowded
    ids = [p["id"] for p in room.state()["queue"]]
    assert room.mod("voting:open")["ok"]
    assert phones[0].emit("vote:set", {"pitch_id": ids[0], "dots": 1})["ok"]
    assert room.mod("results:reveal", {"revealed": True})["ok"]
    cache = app.extensions["facilitator"]["budgets"]["public"]
    builds = cache.builds

    def read(address: str) -> dict:
        res = app.test_client().get(
            f"/api/sessions/{room.code}/results", environ_base={"REMOTE_ADDR": address}
        )
        assert res.status_code == 200, res.get_json()
        return {r["id"]: r["votes"] for r in res.get_json()["results"]}

    first = [read(f"10.0.{i // 250}.{i % 250 + 1}") for i in range(100)]
    assert cache.builds == builds + 1 and all(r == first[0] for r in first)
    assert first[0][ids[0]] == 1

    # A vote does not move the revision: anonymous readers see it within a second.
    assert phones[1].emit("vote:set", {"pitch_id": ids[0], "dots": 1})["ok"]
    assert read("10.9.9.9")[ids[0]] == 1
    clock.advance(1.1)
    assert read("10.9.9.9")[ids[0]] == 2 and cache.builds == builds + 2
    # The moderator reads fresh, every time.
    assert phones[2].emit("vote:set", {"pitch_id": ids[0], "dots": 1})["ok"]
    mine = room.moderator.http.get(f"/api/sessions/{room.code}/results").get_json()
    assert {r["id"]: r["votes"] for r in mine["results"]}[ids[0]] == 3
    # Hiding the results moves the revision: refused at once, nothing stale is served.
    assert room.mod("results:reveal", {"revealed": False})["ok"]
    res = app.test_client().get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 403

    # The published outcome: the page and the API share one build.
    assert (
        room.moderator.http.post(
            f"/console/{room.code}/outcome/publish", data={"public": "1"}
        ).status_code
        == 302
    )
    token = room.state()["outcome_url"].rsplit("/", 1)[1]
    builds = cache.builds
    for _ in range(20):
        assert app.test_client().get(f"/o/{token}").status_code == 200
        assert app.test_client().get(f"/api/sessions/{room.code}/outcome").status_code == 200
    assert cache.builds == builds + 1


def test_the_cache_never_serves_links_made_for_another_host(tmp_path, clock):
    """Without a configured public URL, links are made from the request's Host: what one
    reader's Host built is never served to another."""
    app = abuse_app(tmp_path / "hosts.db", clock, PUBLIC_URL=None)
    room = Room(app, clock)
    assert (
        room.moderator.http.post(
            f"/console/{room.code}/outcome/publish", data={"public": "1"}
        ).status_code
        == 302
    )
    evil = app.test_client().get(
        f"/api/sessions/{room.code}/outcome", headers={"Host": "evil.example"}
    )
    assert evil.get_json()["outcome_url"].startswith("http://evil.example/")
    honest = app.test_client().get(f"/api/sessions/{room.code}/outcome")
    assert honest.get_json()["outcome_url"].startswith("http://localhost/")


def test_an_address_beyond_its_budget_gets_429_with_retry_after(tmp_path, clock):
    """Every page and API request spends from its address's budget; beyond it: 429 with
    Retry-After, JSON under /api/ and a readable page elsewhere. Other addresses, and the same
    address once the budget refills, are served."""
    app = abuse_app(tmp_path / "limit.db", clock, HTTP_PER_MINUTE=60, HTTP_BURST=5)
    room = Room(app, clock)  # (its requests come from 127.0.0.1)
    spender = {"REMOTE_ADDR": "192.0.2.7"}
    http = app.test_client()
    for _ in range(5):
        assert http.get(f"/j/{room.code}", environ_base=spender).status_code == 200
    page = http.get(f"/j/{room.code}", environ_base=spender)
    assert page.status_code == 429 and page.headers["Retry-After"] == "1"
    assert "Too many actions at once" in page.get_data(as_text=True)
    api = http.get(f"/api/sessions/{room.code}/results", environ_base=spender)
    assert api.status_code == 429 and api.get_json()["error"] == "rate_limited"
    assert api.headers["Retry-After"] == "1"
    # Another address is served; so is a static asset (not counted) from the spender.
    assert http.get(f"/j/{room.code}", environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 200
    assert http.get("/static/favicon.svg", environ_base=spender).status_code == 200
    clock.advance(1.0)
    assert http.get(f"/j/{room.code}", environ_base=spender).status_code == 200
    # An IPv6 client is one budget per /64: changing the low bits does not refill it.
    for i in range(5):
        got = http.get(f"/j/{room.code}", environ_base={"REMOTE_ADDR": f"2001:db8::{i + 1}"})
        assert got.status_code == 200
    got = http.get(f"/j/{room.code}", environ_base={"REMOTE_ADDR": "2001:db8::ffff:1"})
    assert got.status_code == 429


# ----- a real server, a crowded session, a stranger sending 60 requests a second ------------


def _serve(tmp_path, name: str, env: dict | None = None, **state) -> tuple[Server, str, str]:
    server = Server(tmp_path / name, env=env)
    code, _key, token = crowded_session(server.db, PARTICIPANTS, **state)
    server.start("--session", code)
    return server, code, token


def _check(
    label: str, attacker: Attacker, honest: Honest, sent: float, want: set, rate: float = RATE
) -> str:
    http95, socket95 = honest.p95()
    line = (
        f"{label}: attacker {sent:.0f}/s {attacker.statuses}; honest p95 page "
        f"{http95 * 1000:.0f} ms, socket {socket95 * 1000:.0f} ms ({len(honest.http)} rounds)"
    )
    print(line)
    assert sent >= rate * 0.9, line
    assert set(attacker.statuses) <= want, line
    assert not honest.failures, (line, honest.failures[:5])
    assert len(honest.http) >= 10, line
    assert http95 < HONEST_P95 and socket95 < HONEST_P95, line
    return line


# As if the stranger had many addresses (a botnet, or a whole NAT): the API's per-address
# budget is lifted, so that what is measured is what each answer costs.
NO_API_BUDGET = {"FACILITATOR_API_READS_PER_MINUTE": "0"}


def test_strangers_reading_hidden_results_do_not_slow_the_room(tmp_path):
    """3,000 participants, results hidden, outcome private; a stranger sends 60 requests a
    second for the results, then for the outcome. Every answer is 403, and an honest phone's
    page load and socket round trip stay under 1 s at the 95th percentile.

    Measured (2 cores, shared with other test runs): page 10-18 ms, socket 4-11 ms (before:
    9.4 s and 10.8 s)."""
    server, code, _token = _serve(tmp_path, "hidden", NO_API_BUDGET)
    try:
        for path in ("results", "outcome"):
            got = asyncio.run(
                under_attack(server.port, code, f"/api/sessions/{code}/{path}", RATE, SECONDS)
            )
            _check(f"hidden {path}", *got, want={403})
    finally:
        server.stop()


def test_strangers_reading_revealed_results_do_not_slow_the_room(tmp_path):
    """The same room with the results revealed and the outcome published: the answers are
    real (200), built once a second for all readers.

    Measured: results at 60/s: page p95 12 ms, socket 5 ms; the public outcome page at 60/s:
    24 ms and 25 ms."""
    server, code, token = _serve(tmp_path, "revealed", NO_API_BUDGET, revealed=True, published=True)
    try:
        got = asyncio.run(
            under_attack(server.port, code, f"/api/sessions/{code}/results", RATE, SECONDS)
        )
        _check("revealed results", *got, want={200})
        got = asyncio.run(under_attack(server.port, code, f"/o/{token}", RATE, SECONDS))
        _check("public outcome page", *got, want={200})
    finally:
        server.stop()


def test_one_address_flooding_the_api_runs_out_of_budget(tmp_path):
    """Default settings: one address sends 300 requests a second for the results. Beyond its
    API budget (10 a second after 120) it is answered 429 with Retry-After, cheaply, and the
    room is served.

    Measured: 199 answered and 2,200 refused in 8 s; page p95 34 ms, socket 37 ms."""
    server, code, _token = _serve(tmp_path, "flood", revealed=True)
    try:
        attacker, honest, sent = asyncio.run(
            under_attack(server.port, code, f"/api/sessions/{code}/results", FLOOD, SECONDS)
        )
        line = _check("flood", attacker, honest, sent, want={200, 429}, rate=FLOOD)
        assert attacker.statuses.get(429, 0) > 5 * attacker.statuses.get(200, 0), line
        assert attacker.retry_after == {"1"}, (line, attacker.retry_after)
    finally:
        server.stop()


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(tmp_path, clock):
    """FACILITATOR_TRUSTED_PROXIES=1: the address a budget counts is the client's, from the
    proxy's X-Forwarded-For; without it the header is ignored (a client could write any
    address into it and have a fresh budget with every request)."""
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for trusted in (1, 0):
        app = abuse_app(
            tmp_path / f"proxy{trusted}.db",
            clock,
            HTTP_PER_MINUTE=60,
            HTTP_BURST=2,
            TRUSTED_PROXIES=trusted,
        )
        http = app.test_client()

        def get(client: str, http=http) -> int:
            # What the client sent (a forged address), then what the proxy appended.
            return http.get(
                "/",
                environ_base=proxy,
                headers={"X-Forwarded-For": f"203.0.113.{len(client)}, {client}"},
            ).status_code

        assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        # Another client through the same proxy: its own budget only when the proxy is trusted.
        assert get("198.51.100.2") == (200 if trusted else 429)
