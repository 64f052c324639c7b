"""Helpers for attack tests against a real server: a crowded session prepared in the database,
raw HTTP from a chosen source address, a steady attacker and an honest client that measures.

Every loopback address (127.0.0.0/8) reaches a server listening on 127.0.0.1, so the attacker
sends from 127.0.0.2 and the honest client from 127.0.0.1: two addresses, as on a network.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench.loadgen import pct
from bench.wsclient import SioClient

ATTACKER, HONEST = "127.0.0.2", "127.0.0.1"


def crowded_session(
    db: Path,
    participants: int,
    pitches: int = 10,
    dots: int = 3,
    revealed: bool = False,
    published: bool = False,
) -> tuple[str, str, str]:
    """A session with `participants` people who each put a dot on `dots` of the `pitches`,
    written straight into the database file the server will open; voting closed, results
    `revealed` or not, the outcome `published` or not. Returns (code, key, outcome token)."""
    from sqlalchemy import insert, update

    from facilitator import create_app
    from facilitator.models import Participant, Pitch, Session, Vote

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db}",
            "SECRET_KEY": "prepare",
            "ASYNC_MODE": "threading",
            "INSTANCE_PATH": str(db.parent),
        }
    )
    service = app.extensions["facilitator"]["service"]
    code, key = service.create_session(
        title="Crowded round",
        dots_per_person=dots,
        created_by="operator",
        pitches=[
            {"title": f"Quick win {i}", "pitcher": f"Pitcher {i}", "offer": "x" * 200}
            for i in range(pitches)
        ],
    )
    sid = service.find_session(code)["id"]
    with service.unit() as db_:
        pitch_ids = [p.id for p in db_.query(Pitch).filter_by(session_id=sid)]
        now = int(time.time() * 1000)
        db_.execute(
            insert(Participant),
            [
                {
                    "session_id": sid,
                    "token": f"tok-{sid}-{i}",
                    "name": f"Person {i}",
                    "organisation": f"Org {i % 97}",
                    "created_at": now,
                }
                for i in range(participants)
            ],
        )
        people = [p.id for p in db_.query(Participant).filter_by(session_id=sid)]
        db_.execute(
            insert(Vote),
            [
                {
                    "session_id": sid,
                    "participant_id": pid,
                    "pitch_id": pitch_ids[(n + k) % pitches],
                    "dots": 1,
                }
                for n, pid in enumerate(people)
                for k in range(dots)
            ],
        )
        token = f"published-outcome-{sid}-token"
        db_.execute(
            update(Session)
            .where(Session.id == sid)
            .values(
                voting="closed", revealed=revealed, outcome_public=published, outcome_token=token
            )
        )
    app.extensions["facilitator"]["db"].kw["bind"].dispose()
    return code, key, token


async def request(
    port: int,
    method: str,
    path: str,
    source: str = HONEST,
    headers: dict | None = None,
    body: bytes = b"",
    timeout: float = 30.0,
) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 request with `Connection: close` from `source`: (status, headers, body)."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout
    )
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    got: dict[str, str] = {}
    for line in fields:
        name, _, value = line.partition(":")
        got[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), got, payload


class Attacker:
    """Sends `path` at `rate` requests a second (as many in flight as needed), from
    ATTACKER, until stopped; counts answers by status."""

    def __init__(self, port: int, path: str, rate: float, headers: dict | None = None):
        self.port, self.path, self.rate, self.headers = port, path, rate, headers
        self.statuses: dict[int | str, int] = {}
        self.retry_after: set[str] = set()  # the Retry-After values of its 429 answers
        self.sent = 0
        self._tasks: set[asyncio.Task] = set()

    async def _one(self) -> None:
        try:
            status, headers, _b = await request(self.port, "GET", self.path, ATTACKER, self.headers)
            if status == 429:
                self.retry_after.add(headers.get("retry-after", ""))
        except Exception as exc:  # noqa: BLE001 - counted: a refused connection is an answer
            status = type(exc).__name__
        self.statuses[status] = self.statuses.get(status, 0) + 1

    async def run(self, seconds: float) -> float:
        """Attack for `seconds`; returns the rate it sent at (requests per second)."""
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            while self.sent < elapsed * self.rate:
                self.sent += 1
                task = asyncio.create_task(self._one())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(0.005)
        rate = self.sent / (time.perf_counter() - start)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=30)
        return rate


class Honest:
    """A person in the room, from HONEST: loads the phone page and keeps a screen socket whose
    `time:sync` round trip it measures, one after the other, the whole time."""

    def __init__(self, port: int, code: str):
        self.port, self.code = port, code
        self.http: list[float] = []
        self.socket: list[float] = []
        self.failures: list[str] = []

    async def run(self, seconds: float) -> None:
        conn = await SioClient.connect(
            "127.0.0.1", self.port, {"code": self.code, "role": "screen"}, timeout=30
        )
        try:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                t = time.perf_counter()
                status, _h, _b = await request(self.port, "GET", f"/j/{self.code}")
                self.http.append(time.perf_counter() - t)
                if status != 200:
                    self.failures.append(f"GET /j/{self.code}: {status}")
                t = time.perf_counter()
                ack = await conn.emit("time:sync", {}, timeout=30)
                self.socket.append(time.perf_counter() - t)
                if not (isinstance(ack, dict) and ack.get("ok")):
                    self.failures.append(f"time:sync: {ack!r}")
                await asyncio.sleep(0.1)
        finally:
            await conn.close()

    def p95(self) -> tuple[float, float]:
        return pct(self.http, 95), pct(self.socket, 95)


async def under_attack(
    port: int, code: str, path: str, rate: float, seconds: float, headers: dict | None = None
) -> tuple[Attacker, Honest, float]:
    attacker, honest = Attacker(port, path, rate, headers), Honest(port, code)
    sent, _ = await asyncio.gather(attacker.run(seconds), honest.run(seconds))
    return attacker, honest, sent
