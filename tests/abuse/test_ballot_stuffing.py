"""Ballot stuffing against a real server (run.py, eventlet, SQLite) over raw WebSockets.

One participant (one cookie) opens ten connections and replays the same vote a hundred
times, all at once: one vote row, one vote. Votes outside the voting window are refused and
not stored. And the database itself refuses a duplicate row, whatever the code above it does.

The per-connection event rate limit is switched off for this server (FACILITATOR_EVENT_RATE=0)
so that every replay reaches the vote code: what is tested is the vote's idempotence and the
database constraint, not the limiter.
"""

from __future__ import annotations

import asyncio
import collections
import http.client
import json
import sqlite3

import pytest

from bench.wsclient import SioClient
from tests.e2e.harness import Server

CONNECTIONS, REPLAYS = 10, 100


class Site:
    """HTTP against the server, keeping the Set-Cookie of each answer."""

    def __init__(self, server: Server):
        self.server = server

    def request(
        self,
        method: str,
        path: str,
        body=None,
        cookie: str | None = None,
        headers: dict | None = None,
    ) -> tuple[int, dict, str | None]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if cookie:
            hdrs["Cookie"] = cookie
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=hdrs
        )
        res = conn.getresponse()
        data = res.read()
        set_cookie = res.getheader("Set-Cookie")
        conn.close()
        jar = set_cookie.split(";", 1)[0] if set_cookie else None
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {"raw": data[:200]}
        return res.status, answer, jar

    def results(self, code: str, key: str) -> dict:
        status, answer, _ = self.request(
            "GET", f"/api/sessions/{code}/results", headers={"Authorization": f"Bearer {key}"}
        )
        assert status == 200, answer
        return answer


def votes_of(results: dict, pitch_id: int) -> tuple[int, int]:
    row = next(r for r in results["results"] if r["id"] == pitch_id)
    return row["votes"], row["voters"]


async def connect(server: Server, code: str, role: str, cookie: str) -> SioClient:
    return await SioClient.connect(
        "127.0.0.1", server.port, {"code": code, "role": role}, headers={"Cookie": cookie}
    )


def test_one_cookie_ten_connections_a_hundred_replays_one_vote(server):
    site = Site(server)
    status, session, mod_cookie = site.request(
        "POST", "/api/sessions", {"title": "Stuffing", "dots_per_person": 3}
    )
    assert status == 201 and mod_cookie
    code, key = session["code"], session["console_url"].split("key=", 1)[1]
    status, joined, voter_cookie = site.request(
        "POST", f"/api/sessions/{code}/participants", {"name": "Mallory"}
    )
    assert status == 201 and voter_cookie
    voter = joined["participant_id"]
    status, _, honest_cookie = site.request(
        "POST", f"/api/sessions/{code}/participants", {"name": "Honest"}
    )
    assert status == 201

    async def round_():
        console = await connect(server, code, "console", mod_cookie)
        pitch = await console.emit("pitch:add", {"title": "Target", "pitcher": "P"})
        other = await console.emit("pitch:add", {"title": "Other", "pitcher": "Q"})
        assert pitch["ok"] and other["ok"], (pitch, other)
        target, spare = pitch["pitch_id"], other["pitch_id"]
        phones = [await connect(server, code, "phone", voter_cookie) for _ in range(CONNECTIONS)]
        vote = {"pitch_id": target, "dots": 1}

        # Before voting opens: refused, from every connection, and nothing stored.
        early = await asyncio.gather(*(p.emit("vote:set", vote) for p in phones))
        assert {a.get("error") for a in early} == {"voting_closed"}, early
        assert votes_of(site.results(code, key), target) == (0, 0)

        assert (await console.emit("voting:open"))["ok"]
        # The same vote, a hundred times, spread over ten connections, all in flight at once.
        acks = await asyncio.gather(
            *(phones[i % CONNECTIONS].emit("vote:set", vote) for i in range(REPLAYS))
        )
        outcomes = collections.Counter("ok" if a["ok"] else a["error"] for a in acks)
        assert outcomes == {"ok": REPLAYS}, outcomes  # idempotent: every replay is "fine, set"
        res = site.results(code, key)
        assert votes_of(res, target) == (1, 1), res
        assert res["ballots"] == 1, res

        # After voting closes: neither a new vote nor taking the old one back is stored.
        assert (await console.emit("voting:close"))["ok"]
        late = await asyncio.gather(
            *(p.emit("vote:set", {"pitch_id": spare, "dots": 1}) for p in phones),
            phones[0].emit("vote:set", {"pitch_id": target, "dots": 0}),
        )
        assert {a.get("error") for a in late} == {"voting_closed"}, late
        res = site.results(code, key)
        assert votes_of(res, target) == (1, 1) and votes_of(res, spare) == (0, 0), res
        for c in (console, *phones):
            await c.close()
        return target, spare

    target, spare = asyncio.run(round_())
    server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]

    # The database, read-only, after the server has stopped.
    db = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT participant_id, pitch_id, dots FROM votes").fetchall()
        assert rows == [(voter, target, 1)], rows
    finally:
        db.close()


def test_the_database_refuses_a_duplicate_vote_row(server, tmp_path):
    """Below the code: the UNIQUE (participant_id, pitch_id) constraint and dots > 0."""
    site = Site(server)
    status, session, mod_cookie = site.request("POST", "/api/sessions", {"title": "Constraint"})
    code = session["code"]
    _, joined, voter_cookie = site.request(
        "POST", f"/api/sessions/{code}/participants", {"name": "Voter"}
    )

    async def one_vote():
        console = await connect(server, code, "console", mod_cookie)
        pid = (await console.emit("pitch:add", {"title": "T", "pitcher": "P"}))["pitch_id"]
        assert (await console.emit("voting:open"))["ok"]
        phone = await connect(server, code, "phone", voter_cookie)
        assert (await phone.emit("vote:set", {"pitch_id": pid, "dots": 1}))["ok"]
        await phone.close()
        await console.close()
        return pid

    pid = asyncio.run(one_vote())
    server.stop()
    copy = tmp_path / "copy.db"
    src = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    src.backup(dst)  # a consistent copy, write-ahead log included
    src.close()
    try:
        (session_id,) = dst.execute("SELECT session_id FROM votes").fetchone()
        row = (session_id, joined["participant_id"], pid)
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            dst.execute(
                "INSERT INTO votes (session_id, participant_id, pitch_id, dots) "
                "VALUES (?, ?, ?, 1)",
                row,
            )
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            dst.execute(
                "INSERT INTO votes (session_id, participant_id, pitch_id, dots) "
                "VALUES (?, ?, ?, 3)",
                row,
            )
        dst.rollback()
        # Zero or negative dots are no vote at all: refused as well (CHECK dots > 0).
        dst.execute("DELETE FROM votes")
        for dots in (0, -1):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                dst.execute(
                    "INSERT INTO votes (session_id, participant_id, pitch_id, dots) "
                    "VALUES (?, ?, ?, ?)",
                    (*row, dots),
                )
        assert dst.execute("SELECT count(*) FROM votes").fetchone() == (0,)
    finally:
        dst.close()
    # The original is untouched by all this.
    db = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
    assert db.execute("SELECT count(*) FROM votes").fetchone() == (1,)
    db.close()


def test_many_connections_cannot_overspend_the_dot_budget(server):
    """The same person on ten connections, each voting for a different pitch at once: the
    budget (3 dots, 1 per pitch) holds; exactly three rows are stored."""
    site = Site(server)
    _, session, mod_cookie = site.request(
        "POST", "/api/sessions", {"title": "Budget", "dots_per_person": 3, "max_dots_per_pitch": 1}
    )
    code, key = session["code"], session["console_url"].split("key=", 1)[1]
    _, joined, voter_cookie = site.request(
        "POST", f"/api/sessions/{code}/participants", {"name": "Greedy"}
    )

    async def spend():
        console = await connect(server, code, "console", mod_cookie)
        pitches = [
            (await console.emit("pitch:add", {"title": f"P{i}", "pitcher": "X"}))["pitch_id"]
            for i in range(CONNECTIONS)
        ]
        assert (await console.emit("voting:open"))["ok"]
        phones = [await connect(server, code, "phone", voter_cookie) for _ in range(CONNECTIONS)]
        acks = await asyncio.gather(
            *(
                phones[i].emit("vote:set", {"pitch_id": pitches[i], "dots": 1})
                for i in range(CONNECTIONS)
            )
        )
        for c in (console, *phones):
            await c.close()
        return acks

    acks = asyncio.run(spend())
    accepted = [a for a in acks if a["ok"]]
    assert len(accepted) == 3, acks
    assert {a["error"] for a in acks if not a["ok"]} == {"budget_exceeded"}, acks
    res = site.results(code, key)
    assert sum(r["votes"] for r in res["results"]) == 3 and res["ballots"] == 1, res
    server.stop()
    assert "Traceback" not in server.log.read_text()
    db = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
    assert db.execute(
        "SELECT count(*), sum(dots) FROM votes WHERE participant_id = ?",
        (joined["participant_id"],),
    ).fetchone() == (3, 3)
    db.close()
