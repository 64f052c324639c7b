"""Connection exhaustion from one address, against a real server in both modes, and the venue
that shares one address (a NAT) with everyone in it.

Before: 5,100 half-open HTTP requests, or 5,000 idle Engine.IO websockets, from one address
stopped every honest request while they were held. Now connections that have not proved
anything (no Socket.IO connect with a valid role) are capped per address (1,000) and timed out
(10 s), so new honest requests from elsewhere are answered within a second during the attack,
the attacker's connections are all closed within the deadline, and descriptors and memory come
back. Proven connections are not capped: a venue's phones behind one address connect all at
once, more than the cap, and stay.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from bench.loadgen import cookie_of, http
from bench.wsclient import SioClient

from .wire import HONEST, Metrics, Prober, attack, fresh_request, percentile, start_server

MODES = ["eventlet", "gevent"]
P95_LIMIT_S = 1.0
RSS_SLACK_MB = 20
CAP = 500  # FACILITATOR_UNPROVEN_PER_ADDRESS's default
DEADLINE_S = 10  # FACILITATOR_REQUEST_SECONDS and FACILITATOR_PROOF_SECONDS's default


@pytest.fixture(params=MODES)
def served(request, tmp_path):
    server, code, _made = start_server(tmp_path / "server", request.param)
    yield server, code, Metrics(server.proc.pid, server.log)
    server.stop()


async def honest_requests(port: int, until: asyncio.Event) -> list[tuple[int, float]]:
    """New honest connections, one GET every 0.2 s while the attack runs."""
    out = []
    while not until.is_set():
        try:
            out.append(await fresh_request(port, "/", timeout=5))
        except (TimeoutError, OSError) as exc:
            out.append((type(exc).__name__, 5.0))
        await asyncio.sleep(0.2)
    return out


@pytest.mark.parametrize("kind,count", [("halfopen", 5100), ("idlews", 5000)])
def test_one_address_cannot_hold_the_door(served, kind, count):
    server, code, m = served

    async def go():
        # A first few connections of the kind load what serves them for the life of the
        # process (the WebSocket library, the gate's memory release); "before" is after that.
        await attack(kind, server.port, code, count=20, seconds=DEADLINE_S + 2)
        for _ in range(3):
            await fresh_request(server.port, "/")
        fds0 = m.open_fds()
        async with Prober(server.port, code) as honest:
            await asyncio.sleep(0.5)
            honest.reset()
            rss0 = m.rss_mb()
            stop = asyncio.Event()
            fresh = asyncio.create_task(honest_requests(server.port, stop))
            out = await attack(kind, server.port, code, count=count, seconds=DEADLINE_S + 6)
            stop.set()
            answers = await fresh
            p95, failures = honest.p95(), honest.failures
        await asyncio.sleep(2)
        fds1 = m.open_fds()
        rss1 = await m.rss_back_to(rss0 + RSS_SLACK_MB)
        return out, answers, p95, failures, fds0, fds1, rss0, rss1

    out, answers, p95, failures, fds0, fds1, rss0, rss1 = asyncio.run(asyncio.wait_for(go(), 240))
    statuses = sorted({a[0] for a in answers}, key=str)
    fresh_p95 = percentile([a[1] for a in answers], 95)
    print(
        f"\n{kind}: {out}\nhonest: {len(answers)} new requests {statuses}, p95 "
        f"{fresh_p95 * 1000:.0f} ms; connected p95 {p95 * 1000:.0f} ms; fds {fds0} -> "
        f"{fds1}; RSS {rss0:.0f} -> {rss1:.0f} MB"
    )
    assert statuses == [200] and fresh_p95 < P95_LIMIT_S
    assert p95 < P95_LIMIT_S and failures == 0
    # The attacker got at most the cap in (a refused connection is answered 503 and closed),
    # and every one of its connections was ended by the server, within the deadline.
    if kind == "idlews":
        assert out["opened"] <= CAP and out["refused"] >= count - CAP - 10, out
    assert out["ended_by_server"] == out["opened"], out
    assert out["last_ended_s"] <= out["opened_s"] + DEADLINE_S + 3, out
    assert fds1 <= fds0 + 10
    assert rss1 <= rss0 + RSS_SLACK_MB


TOTAL = 2000  # FACILITATOR_UNPROVEN_TOTAL's default


def test_a_few_addresses_filling_the_total_cannot_hold_the_door(tmp_path):
    """Five addresses (a guest with a few addresses on the venue Wi-Fi) each held 450
    half-open requests, opened again as soon as they were ended: together more than the
    total cap on unproven connections, and every new honest request from another address was
    answered 503 while they held. A newcomer from an address that holds less than the
    heaviest one now gets in, and the heaviest address's oldest connection is closed."""
    server, code, _made = start_server(tmp_path / "server", "eventlet")
    try:

        async def go():
            stop = asyncio.Event()
            attacker = asyncio.create_task(
                attack("slowdoor", server.port, code, addresses=5, count=450, seconds=22)
            )
            await asyncio.sleep(8)  # the door is full
            fresh = asyncio.create_task(honest_requests(server.port, stop))
            await asyncio.sleep(10)
            stop.set()
            return await attacker, await fresh

        out, answers = asyncio.run(asyncio.wait_for(go(), 240))
        statuses = sorted({a[0] for a in answers}, key=str)
        fresh_p95 = percentile([a[1] for a in answers], 95)
        quick = [a for a in answers if a[0] == 200 and a[1] < P95_LIMIT_S]
        print(
            f"\n{out}\nhonest: {len(answers)} new requests {statuses}, "
            f"{len(quick)} answered within 1 s, p95 {fresh_p95:.2f} s"
        )
        assert out["refused"] > 0, out  # the total was reached
        # Never refused. Some requests still wait: the attacker's 200 new connections a second
        # cost the server CPU of their own (on a busy 2-core machine, an honest request now
        # and then waited over 5 s; docs/security.md, "On the internet").
        assert 503 not in statuses
        assert len(quick) >= 0.75 * len(answers) and len(answers) >= 15
    finally:
        server.stop()


PHONES = 1200  # twice the cap on unproven connections, all at once, from one address


def test_a_venue_behind_one_address_connects_all_at_once_and_stays(tmp_path):
    """The browser retries a refused connection after 0.5 to 5 s (static/js/common.js); so
    does this phone. Every phone ends up connected, with the stage, and is still connected
    after the deadline for unproven connections and a round of Engine.IO pings."""
    server, code, _made = start_server(tmp_path / "server", "eventlet")
    try:

        async def join(i: int) -> str:
            status, headers, body = await http(
                HONEST,
                server.port,
                "POST",
                f"/api/sessions/{code}/participants",
                {"name": f"Phone {i + 1}"},
            )
            assert status == 201, body[:200]
            return cookie_of(headers)

        async def phone(cookie: str) -> tuple[SioClient, int]:
            tries, delay = 0, 0.5
            while True:
                tries += 1
                try:
                    conn = await SioClient.connect(
                        HONEST,
                        server.port,
                        {"code": code, "role": "phone"},
                        headers={"Cookie": cookie},
                        timeout=20,
                    )
                    await conn.wait_event("stage", 20)
                    conn.quiet = True
                    return conn, tries
                except (TimeoutError, OSError, ConnectionError):
                    await asyncio.sleep(delay * random.uniform(0.5, 1.5))
                    delay = min(5.0, delay * 2)

        async def go():
            gate = asyncio.Semaphore(200)

            async def gated(i):
                async with gate:
                    return await join(i)

            cookies = await asyncio.gather(*(gated(i) for i in range(PHONES)))
            t0 = time.monotonic()
            phones = await asyncio.gather(*(phone(c) for c in cookies))
            took = time.monotonic() - t0
            await asyncio.sleep(DEADLINE_S + 20)  # past the deadline and a ping round
            still = sum(not conn.closed for conn, _ in phones)
            answered = await phones[-1][0].emit("time:sync", {})
            for conn, _ in phones:
                await conn.close()
            return took, [t for _, t in phones], still, answered

        took, tries, still, answered = asyncio.run(asyncio.wait_for(go(), 300))
        print(
            f"\n{PHONES} phones from one address: all connected in {took:.1f} s; "
            f"{sum(t > 1 for t in tries)} needed more than one try (at most {max(tries)}); "
            f"{still} still connected {DEADLINE_S + 20} s later"
        )
        assert still == PHONES
        assert answered["ok"]
    finally:
        server.stop()
