"""Memory one connection can make the server hold, against a real server in both modes.

Before: an unfinished fragmented WebSocket message (200 MB sent) took the server from 79 to
292 MB, and a binary event announcing 9,999,999,999 attachments from a screen from 78 to
286 MB, never given back. Now a message is bounded across its fragments (64 KB) and binary
attachments are refused outright: the attacker is closed long before 200 MB, an honest screen
is answered meanwhile, and memory stays within 20 MB of what it was.
"""

from __future__ import annotations

import asyncio

import pytest

from .wire import Metrics, Prober, attack, start_server

MODES = ["eventlet", "gevent"]
P95_LIMIT_S = 1.0
RSS_SLACK_MB = 20


@pytest.fixture(params=MODES)
def served(request, tmp_path):
    server, code, _made = start_server(tmp_path / "server", request.param)
    yield server, code, Metrics(server.proc.pid, server.log)
    server.stop()


@pytest.mark.parametrize("kind", ["fragments", "attachments"])
def test_one_connection_cannot_make_the_server_hold_memory(served, kind):
    server, code, m = served

    async def go():
        async with Prober(server.port, code) as honest:
            await asyncio.sleep(0.5)
            honest.reset()
            rss0, log0 = m.rss_mb(), m.log_bytes()
            out = await attack(kind, server.port, code, megabytes=200, seconds=8)
            during = m.rss_mb()
            p95, failures = honest.p95(), honest.failures
            rss1 = await m.rss_back_to(rss0 + RSS_SLACK_MB)
        return out, rss0, during, rss1, p95, failures, m.log_since(log0)

    out, rss0, during, rss1, p95, failures, log = asyncio.run(asyncio.wait_for(go(), 180))
    print(
        f"\n{kind}: {out}; RSS {rss0:.0f} -> {during:.0f} -> {rss1:.0f} MB; honest p95 "
        f"{p95 * 1000:.0f} ms"
    )
    assert out["closed_by_server"] == out["connections"] >= 1
    # Each cut off after 64 KB; what else got through filled the kernel's socket buffers.
    assert out["max_bytes_one_connection"] < 20_000_000, out
    assert during <= rss0 + RSS_SLACK_MB and rss1 <= rss0 + RSS_SLACK_MB
    assert p95 < P95_LIMIT_S and failures == 0
    assert "Traceback" not in log
    assert len([x for x in log.splitlines() if "facilitator.transport" in x]) == 1, log
