"""Limits on a real server (no browser): foreign origins, oversized messages, a flooding
client next to a calm one."""

import asyncio
import statistics
import time

import pytest

from bench.wsclient import ProtocolError, SioClient


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


@pytest.fixture
def session(server):
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Limits"})
    assert status == 201
    return made["code"]


def test_a_socket_from_a_foreign_origin_is_refused(server, session):
    async def go():
        with pytest.raises(ProtocolError, match="refused"):
            await SioClient.connect(
                "127.0.0.1",
                server.port,
                {"code": session, "role": "screen"},
                headers={"Origin": "http://evil.test"},
            )
        ok = await SioClient.connect(
            "127.0.0.1",
            server.port,
            {"code": session, "role": "screen"},
            headers={"Origin": server.url},
        )
        await ok.wait_event("stage")
        await ok.close()

    run(go())


def test_messages_over_64_kb_are_refused(server, session):
    async def go():
        conn = await SioClient.connect(
            "127.0.0.1", server.port, {"code": session, "role": "screen"}
        )
        assert (await conn.emit("time:sync", {"pad": "x" * 60_000}))["ok"]
        with pytest.raises((ProtocolError, asyncio.TimeoutError, ConnectionError)):
            await conn.emit("time:sync", {"pad": "x" * 70_000}, timeout=5)
        await conn.close()
        # The server is still up for everyone else.
        again = await SioClient.connect(
            "127.0.0.1", server.port, {"code": session, "role": "screen"}
        )
        assert (await again.emit("time:sync", {}))["ok"]
        await again.close()

    run(go())


def test_a_flooding_client_is_throttled_then_closed_while_a_calm_one_is_answered(server, session):
    """Beyond 20 events a second (after 40) the app answers `rate_limited` without running
    them; a client that keeps going at more than five times that is closed (the transport's own
    budget, facilitator/transport.py). The calm client is answered throughout."""

    async def go():
        flood = await SioClient.connect(
            "127.0.0.1", server.port, {"code": session, "role": "screen"}
        )
        calm = await SioClient.connect(
            "127.0.0.1", server.port, {"code": session, "role": "screen"}
        )
        stop = asyncio.Event()
        outcomes = []

        async def flooder():
            while not stop.is_set():
                try:
                    outcomes.append((await flood.emit("time:sync", {}, timeout=5))["ok"])
                except (TimeoutError, ProtocolError):
                    return  # closed by the server

        task = asyncio.create_task(flooder())
        latencies = []
        for _ in range(20):
            t0 = time.perf_counter()
            assert (await calm.emit("time:sync", {}))["ok"]
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.1)
        stop.set()
        await task
        closed = flood.closed
        await flood.close()
        await calm.close()
        return outcomes, latencies, closed

    outcomes, latencies, closed = run(go())
    refused = outcomes.count(False)
    print(
        f"flood: {len(outcomes)} events, {refused} refused, closed: {closed}; calm client "
        f"ack latency median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    assert outcomes[:40] == [True] * 40  # the burst
    assert refused > 0
    assert closed, "a client flooding at five times the rate limit stays connected"
