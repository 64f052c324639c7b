"""The server process is frozen (SIGSTOP) mid-pitch and thawed (SIGCONT): a laptop lid closed
for a moment, a debugger, a swap storm. Time went on meanwhile, and the timer must say so: the
remaining time in the next snapshot (ends_at - server_now) is what the wall clock says (60 s
minus the time since the start) within 1 s, and nothing else changed.

Short form: frozen 5 s. Long form (FACILITATOR_LONG_TESTS=1): 30 s, longer than the server's
ping interval, so the screen's connection may be dropped; then it reconnects, as a browser
would, and reads the snapshot of the new connection.
"""

from __future__ import annotations

import asyncio
import signal
import time

from bench.wsclient import ProtocolError

from .common import LONG, Console, backoff_delays, connect, console_cookie, drain, report

PITCH_S = 60
FROZEN_S = 30 if LONG else 5
TOLERANCE_MS = 1000


def test_sigstop_keeps_the_clock(server, aio):
    started = time.monotonic()
    server.start()
    status, made = server.api(
        "POST", "/api/sessions", {"title": "Frozen", "pitch_seconds": PITCH_S}
    )
    assert status == 201, made
    code, port = made["code"], server.port
    console = Console(port, code, console_cookie(made["console_url"]))

    async def start():
        await console.open()
        await console.cmd("pitch:add", {"title": "Cold storage", "pitcher": "Ana"})
        await console.cmd("pitch:add", {"title": "Second", "pitcher": "Ben"})
        screen = await connect(port, code, "screen")
        await screen.wait_event("stage", timeout=15)
        t0 = time.time()
        await console.cmd("timer:start")
        t1 = time.time()
        snap = await console.snapshot()
        drain(screen, "stage")
        return screen, (t0 + t1) / 2, snap

    screen, t_start, before = aio.run(start(), 30)
    assert before["timer"]["state"] == "running"
    time.sleep(1.0)

    server.proc.send_signal(signal.SIGSTOP)
    t_stop = time.time()
    try:
        time.sleep(FROZEN_S)
    finally:
        server.proc.send_signal(signal.SIGCONT)
    t_cont = time.time()

    async def after():
        """The next snapshot the screen gets: over its connection if it survived, else over
        a new one opened with the browser's backoff."""
        reconnected, attempts = False, 0
        conn = screen
        try:
            await conn.emit("sync", {}, timeout=10)
            snaps = drain(conn, "stage")
            snap = snaps[-1]
        except (ProtocolError, OSError, IndexError):
            await conn.close()
            reconnected = True
            deadline = time.monotonic() + 30
            for delay in backoff_delays():
                await asyncio.sleep(delay)
                attempts += 1
                try:
                    conn = await connect(port, code, "screen", timeout=10)
                    _n, got = await conn.wait_event("stage", timeout=10)
                    snap = got[0]
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
        t_recv = time.time()
        await conn.close()
        # the console too: its connection may also have been dropped
        try:
            console_snap = await console.snapshot()
        except (ProtocolError, OSError):
            await console.close()
            await console.open()
            console_snap = await console.snapshot()
        await console.close()
        return snap, t_recv, reconnected, attempts, console_snap

    snap, t_recv, reconnected, attempts, console_after = aio.run(after(), 60)
    timer = snap["timer"]
    remaining_ms = timer["ends_at"] - snap["server_now"] if timer["ends_at"] else None
    wall_ms = PITCH_S * 1000 - (t_recv - t_start) * 1000
    figures = {
        "frozen_s": FROZEN_S,
        "screen_reconnected": reconnected,
        "reconnect_attempts": attempts,
        "remaining_from_snapshot_s": None
        if remaining_ms is None
        else round(remaining_ms / 1000, 3),
        "remaining_by_wall_clock_s": round(wall_ms / 1000, 3),
        "error_s": None if remaining_ms is None else round((remaining_ms - wall_ms) / 1000, 3),
        "server_now_vs_wall_s": round(snap["server_now"] / 1000 - t_recv, 3),
        "answered_after_cont_s": round(t_recv - t_cont, 3),
        "duration_s": round(time.monotonic() - started, 1),
    }
    report("test_sigstop", figures)

    assert server.proc.poll() is None, "the server died"
    assert timer["state"] == "running", timer
    assert snap["live"] and snap["live"]["id"] == before["live"]["id"], snap["live"]
    assert timer["ends_at"] == before["timer"]["ends_at"], (timer, before["timer"])
    assert abs(remaining_ms - wall_ms) <= TOLERANCE_MS, figures
    # the server's own clock went on while it was frozen
    assert abs(snap["server_now"] - t_recv * 1000) <= TOLERANCE_MS, figures
    # nothing else changed: same revision, same stage, queue and voting
    assert snap["rev"] == before["rev"], (snap["rev"], before["rev"])
    for key in ("mode", "voting", "revealed", "next", "queue"):
        assert snap[key] == before[key], key
    assert console_after["rev"] == before["rev"]
    assert console_after["live"]["id"] == before["live"]["id"]
    assert [e["action"] for e in console_after["log"]] == [e["action"] for e in before["log"]]
    assert t_stop < t_cont
