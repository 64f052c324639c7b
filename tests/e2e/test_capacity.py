"""Capacity: a real server holds more phones than eventlet's default cap of 1,024 connections.

No browser: the clients are bench/wsclient.py, which speaks the same Socket.IO v5 websocket
protocol as the pages (a "screen" role needs only the join code). No timing thresholds, only
generous timeouts that keep the test bounded.
"""

from __future__ import annotations

import asyncio
import resource

import pytest

from bench.wsclient import SioClient

CLIENTS = 1_100  # more than eventlet's default max_size (1,024)
IN_FLIGHT = 100  # handshakes at once (the server's listen backlog is 50)
TOTAL_TIMEOUT = 90  # seconds, for connecting, checking and closing everything
STEP_TIMEOUT = 30  # seconds, for any one client's handshake, snapshot or ack


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {wanted}: cannot hold {CLIENTS} sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


async def phones_connect(port: int, code: str) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)
    auth = {"code": code, "role": "screen"}

    async def one(i: int):
        async with gate:
            try:
                conn = await SioClient.connect("127.0.0.1", port, auth, timeout=STEP_TIMEOUT)
            except TimeoutError:
                raise AssertionError(f"no Socket.IO connection within {STEP_TIMEOUT} s") from None
        try:
            _, args = await conn.wait_event("stage", STEP_TIMEOUT)
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, asyncio.TimeoutError):
                raise AssertionError(f"no stage snapshot within {STEP_TIMEOUT} s") from None
            raise
        return conn, args[0]

    results = await asyncio.gather(*(one(i) for i in range(CLIENTS)), return_exceptions=True)
    clients = [r[0] for r in results if not isinstance(r, BaseException)]
    try:
        failures = [
            f"client {i + 1}: {type(r).__name__}: {r}"
            for i, r in enumerate(results)
            if isinstance(r, BaseException)
        ]
        assert not failures, f"{len(failures)} of {CLIENTS} failed:\n" + "\n".join(failures[:10])

        wrong = [
            i + 1
            for i, (_, snap) in enumerate(results)
            if snap.get("session", {}).get("code") != code
            or "rev" not in snap
            or "mode" not in snap
            or "timer" not in snap
        ]
        assert not wrong, f"clients without a proper stage snapshot: {wrong[:20]}"

        last = clients[-1]
        reply = await last.emit("time:sync", {}, timeout=STEP_TIMEOUT)
        assert reply.get("ok") is True and isinstance(reply.get("now"), int), reply

        # Nobody was dropped to make room for the later ones.
        dropped = [i + 1 for i, c in enumerate(clients) if c.closed]
        assert not dropped, f"connections closed by the server: {dropped[:20]}"
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# The clients are screens (they need only the join code): lift the cap on screens per client
# address, which is about abuse (tests/abuse/test_room_budget.py), not about capacity.
MANY_SCREENS = {
    "FACILITATOR_SCREENS_PER_ADDRESS": "0",
    "FACILITATOR_SCREEN_CONNECTS_PER_MINUTE": "0",
}


def test_more_than_1024_phones_connect_and_get_the_stage(server):
    raise_file_limit(CLIENTS + 256)
    server.env.update(MANY_SCREENS)
    server.start("--demo")
    code = server.printed_links()["screen"].rstrip("/").rsplit("/", 1)[1]

    asyncio.run(asyncio.wait_for(phones_connect(server.port, code), TOTAL_TIMEOUT))

    assert server.proc.poll() is None, "the server died:\n" + server.log.read_text()[-3000:]
