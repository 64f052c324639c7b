"""The server's one timed wake-up, on a real server: "move on after the grace period" fires
once at the deadline, and again after a SIGKILL and restart (no browser needed)."""

import asyncio
import time

from bench.wsclient import SioClient

from .harness import console_cookie


async def connect(server, code, role, cookie=None):
    return await SioClient.connect(
        "127.0.0.1",
        server.port,
        {"code": code, "role": role},
        headers={"Cookie": cookie} if cookie else None,
    )


async def wait_for_live(conn, title, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        _name, args = await conn.wait_event("stage", timeout=max(0.1, deadline - time.monotonic()))
        live = args[0]["live"]
        if live and live["title"] == title:
            return args[0]


def test_auto_next_fires_at_the_deadline_and_after_a_restart(server):
    server.start()
    status, made = server.api(
        "POST", "/api/sessions", {"title": "Timekeeping", "pitch_seconds": 10}
    )
    assert status == 201
    code = made["code"]
    cookie = console_cookie(made["console_url"])

    async def first_run():
        console = await connect(server, code, "console", cookie)
        screen = await connect(server, code, "screen")
        for title in ("P1", "P2", "P3"):
            assert (
                await console.emit("pitch:add", {"title": title, "pitcher": "X", "seconds": 10})
            )["ok"]
        assert (
            await console.emit(
                "session:settings", {"overrun_policy": "next", "overrun_grace_seconds": 1}
            )
        )["ok"]
        assert (await console.emit("timer:start", {}))["ok"]
        started = time.monotonic()
        snap = await wait_for_live(screen, "P2", timeout=30)
        waited = time.monotonic() - started
        assert snap["timer"]["state"] == "running"
        await console.close()
        await screen.close()
        return waited

    waited = asyncio.run(first_run())
    assert waited >= 10  # not before the pitch's 10 s and its grace second have passed

    # Kill the server while P2 runs; its deadline passes while the server is down.
    server.kill()
    time.sleep(1)
    server.start()

    async def after_restart():
        screen = await connect(server, code, "screen")
        snap = await wait_for_live(screen, "P3", timeout=30)
        # Exactly one pitch was moved on per deadline: P2 done, P3 live, nothing skipped.
        assert [(p["title"], p["status"]) for p in snap["queue"]] == [
            ("P1", "done"),
            ("P2", "done"),
            ("P3", "live"),
        ]
        await screen.close()

    asyncio.run(after_restart())
