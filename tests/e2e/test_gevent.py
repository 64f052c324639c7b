"""gevent is a supported async mode (FACILITATOR_ASYNC_MODE=gevent): a real server runs a short
round on it. No browser: phones and the console speak the pages' Socket.IO protocol through
bench/wsclient.py. Generous timeouts only, no timing thresholds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.faults.common import Console, connect, console_cookie, join

from .harness import Server

STEP = 30


def loaded_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_a_round_runs_on_gevent(tmp_path):
    server = Server(tmp_path / "server", env={"FACILITATOR_ASYNC_MODE": "gevent"})
    server.start("--demo")
    try:
        links = server.printed_links()
        code = links["screen"].rstrip("/").rsplit("/", 1)[1]
        # gevent's compiled hub is loaded: the server really runs on gevent.
        assert "gevent" in loaded_libraries(server.proc.pid)
        cookie = console_cookie(links["console"])
        phones = [join(server.port, code, f"Phone {i}") for i in range(3)]

        async def round_():
            console = await Console(server.port, code, cookie).open()
            conns = []
            for _pid, phone_cookie in phones:
                conn = await connect(server.port, code, "phone", phone_cookie)
                _name, (snap,) = await conn.wait_event("stage", STEP)
                assert snap["session"]["code"] == code
                conns.append(conn)
            await console.cmd("timer:start", {})
            await console.cmd("voting:open")
            for conn in conns:  # every phone gets the voting stage from the broadcast
                while True:
                    _name, (snap,) = await conn.wait_event("stage", STEP)
                    if snap["voting"] == "open":
                        break
            pitch = snap["votable"][0]["id"]
            for conn in conns:
                # The vote goes through the group commit (gevent's events) and the reply
                # carries the new ballot.
                ack = await conn.emit("vote:set", {"pitch_id": pitch, "dots": 1}, timeout=STEP)
                assert ack == {"ok": True, "ballot": {str(pitch): 1}, "dots_left": 2}, ack
            results = (await console.snapshot())["results"]
            assert next(r for r in results if r["id"] == pitch)["votes"] == len(conns)
            for conn in conns:
                await conn.close()
            await console.close()

        asyncio.run(asyncio.wait_for(round_(), 120))
        assert server.proc.poll() is None, server.log.read_text()[-2000:]
    finally:
        server.stop()
