"""An identity that ended in one process ends in the other too (two processes, real PostgreSQL
and Redis, no proxy: each socket is placed on the process the test names).

The moderator erases a session through process A while its console and a phone are
connected to process B; a participant deletes themselves through A while their other tab is
on B. B's sockets are refused at their next event and closed by B's identity sweep
(FACILITATOR_IDENTITY_SWEEP=1 here; 30 s by default with a message queue), and nothing of the
next session (a newcomer's name, organisation, contacts) reaches them.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
import urllib.request

import pytest

from bench.cluster import Cluster
from bench.wsclient import ProtocolError
from tests.e2e.harness import console_cookie
from tests.faults.common import connect, join

from .conftest import require_services

SWEEP_S = 1
NEWCOMER = {"name": "Newcomer Nadia", "organisation": "Harbour Robotics"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services(nginx=False)
    c = Cluster(
        tmp_path_factory.mktemp("identity"),
        processes=2,
        nginx=False,
        sweep_s=5,
        env={"FACILITATOR_IDENTITY_SWEEP": str(SWEEP_S)},
    )
    c.start()
    yield c
    c.stop()


def erase(port: int, code: str, cookie: str) -> int:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/console/{code}/erase",
        method="POST",
        data=urllib.parse.urlencode({"confirm": code}).encode(),
        headers={"Cookie": cookie},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status


async def answer(conn, event: str, payload=None):
    try:
        return await conn.emit(event, payload if payload is not None else {}, timeout=5)
    except (TimeoutError, ProtocolError, ConnectionError, OSError):
        return None  # closed: no answer


async def closed_within(conn, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not conn.closed and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return conn.closed


def everything_received(conn) -> str:
    items = list(conn._backlog)
    while not conn.events.empty():
        items.append(conn.events.get_nowait())
    return repr(items)


def test_erase_on_a_ends_the_sockets_on_b(cluster, aio):
    a, b = cluster.procs
    status, made = cluster.api("POST", "/api/sessions", {"title": "Erased on A"}, via=0)
    assert status == 201
    code, cookie = made["code"], console_cookie(made["console_url"])
    _pid, olga_cookie = join(b.port, code, "Olga")

    async def scenario():
        console_b = await connect(b.port, code, "console", cookie)
        phone_b = await connect(b.port, code, "phone", olga_cookie)
        await console_b.wait_event("stage")
        assert erase(a.port, code, cookie) == 200
        # At once: B refuses their events (it never heard of the erase but the database has).
        first = await answer(console_b, "cue:screen", {"text": "hijack"})
        assert first is None or first["error"] == "unknown_session", first
        for conn, event, payload in (
            (console_b, "cue:screen", {"text": "hijack"}),
            (console_b, "sync", None),
            (phone_b, "contact:set", {"email": "spy@evil.example", "consent": True}),
        ):
            ack = await answer(conn, event, payload)
            # The first refusal says why; the connection is then cut, and anything it still
            # sends before it is closed is refused as not joined.
            assert ack is None or (
                ack["ok"] is False and ack["error"] in ("unknown_session", "not_joined")
            ), (event, ack)
        # And B closes them: at the refused event, or at its sweep.
        assert await closed_within(console_b, 3 * SWEEP_S + 5)
        assert await closed_within(phone_b, 3 * SWEEP_S + 5)

        # The next session, made and joined through B: nothing reaches the old sockets.
        status, made2 = cluster.api("POST", "/api/sessions", {"title": "Next"}, via=1)
        assert status == 201
        status, joined = cluster.api(
            "POST", f"/api/sessions/{made2['code']}/participants", NEWCOMER, via=1
        )
        assert status == 201
        await asyncio.sleep(0.5)
        seen = everything_received(console_b) + everything_received(phone_b)
        for secret in NEWCOMER.values():
            assert secret not in seen

    aio.run(scenario(), 60)


def test_idle_sockets_of_a_deleted_participant_on_b_are_swept(cluster, aio):
    a, b = cluster.procs
    status, made = cluster.api("POST", "/api/sessions", {"title": "Delete on A"}, via=0)
    assert status == 201
    code = made["code"]
    _pid, dana_cookie = join(a.port, code, "Dana")
    _pid, stays_cookie = join(a.port, code, "Stays")

    async def scenario():
        tab_a = await connect(a.port, code, "phone", dana_cookie)
        tab_b = await connect(b.port, code, "phone", dana_cookie)
        stays_b = await connect(b.port, code, "phone", stays_cookie)
        assert (await tab_a.emit("me:delete", {}))["ok"]
        # The idle tab on B sends nothing: B's sweep closes it. The other phone stays.
        assert await closed_within(tab_b, 3 * SWEEP_S + 5), "the tab on B is still open"
        assert await closed_within(tab_a, 5), "the deleting tab on A is still open"
        assert not stays_b.closed
        assert (await stays_b.emit("time:sync", {}))["ok"]
        await stays_b.close()

    aio.run(scenario(), 60)
