"""Shared by the fault tests and their load driver: joining, the console over wsclient, the
browser's reconnect backoff, a driver subprocess with a line protocol, and the report files.

Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import queue
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.wsclient import SioClient
from tests.e2e.harness import console_cookie  # noqa: F401 - shared with the fault tests

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LONG = os.environ.get("FACILITATOR_LONG_TESTS") == "1"
REPORTS = ROOT / "test-artifacts" / "faults"


# ----- figures -----------------------------------------------------------------------------


def report(name: str, figures: dict) -> Path:
    """Print a one-line summary (visible with pytest -s) and write the figures as JSON."""
    figures = {"test": name, "form": "long" if LONG else "short", **figures}
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    flat = " ".join(
        f"{k}={v}" for k, v in figures.items() if not isinstance(v, (dict, list)) and k != "test"
    )
    print(f"\nFAULTS {name}: {flat}", flush=True)
    return path


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


# ----- HTTP: the moderator's cookie and joining as a phone --------------------------------


def join(port: int, code: str, name: str, timeout: float = 20) -> tuple[int, str]:
    """POST a participant; returns (participant id, "facilitator=..." cookie)."""
    req = urllib.request.Request(
        f"http://{HOST}:{port}/api/sessions/{code}/participants",
        method="POST",
        data=json.dumps({"name": name}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = json.loads(r.read())
        cookie = r.headers["Set-Cookie"].split(";")[0]
    assert r.status == 201 and body["ok"], body
    assert cookie.startswith("facilitator="), cookie
    return body["participant_id"], cookie


# ----- Socket.IO over wsclient ------------------------------------------------------------


async def connect(
    port: int, code: str, role: str, cookie: str | None = None, timeout: float = 15
) -> SioClient:
    return await SioClient.connect(
        HOST,
        port,
        {"code": code, "role": role},
        headers={"Cookie": cookie} if cookie else None,
        timeout=timeout,
    )


def drain(conn: SioClient, name: str) -> list:
    """Every `name` event already received and not yet taken (oldest first), without waiting.
    Other events stay queued, in order."""
    got, keep = [], []
    for item in list(conn._backlog):
        (got if item[0] == name else keep).append(item)
    conn._backlog.clear()
    conn._backlog.extend(keep)
    closed = False
    while True:
        try:
            item = conn.events.get_nowait()
        except asyncio.QueueEmpty:
            break
        if item is None:
            closed = True
            continue
        if item[0] == name:
            got.append(item)
        else:
            conn._backlog.append(item)
    if closed:
        conn.events.put_nowait(None)
    return [args[0] if args else None for _name, args in got]


def backoff_delays(rng: random.Random | None = None):
    """The browser's reconnect delays (socket.io-client: reconnectionDelay 500 ms, max 5 s,
    randomizationFactor 0.5): the first in [0.25, 0.75] s, then doubling, capped at 5 s."""
    rng = rng or random
    attempt = 0
    while True:
        ms = 500 * 2 ** min(attempt, 10)
        deviation = rng.random() * 0.5 * ms
        ms = ms - deviation if rng.random() < 0.5 else ms + deviation
        yield min(ms, 5000) / 1000
        attempt += 1


class Console:
    """The moderator over wsclient (with the signed cookie of the console link)."""

    def __init__(self, port: int, code: str, cookie: str):
        self.port, self.code, self.cookie = port, code, cookie
        self.conn: SioClient | None = None

    async def open(self) -> Console:
        self.conn = await connect(self.port, self.code, "console", self.cookie)
        await self.conn.wait_event("stage", timeout=15)
        return self

    async def cmd(self, event: str, payload=None, timeout: float = 15, ok: bool = True):
        ack = await self.conn.emit(event, payload if payload is not None else {}, timeout=timeout)
        if ok:
            assert isinstance(ack, dict) and ack.get("ok") is True, (event, payload, ack)
        return ack

    async def snapshot(self, timeout: float = 15) -> dict:
        """A fresh console snapshot: ask for a resync; its snapshot precedes the ack."""
        await self.cmd("sync", timeout=timeout)
        snaps = drain(self.conn, "stage")
        assert snaps, "no stage snapshot before the sync acknowledgement"
        return snaps[-1]

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()


class AsyncRunner:
    """An event loop in a daemon thread. Playwright's sync API keeps a loop marked running in
    the main thread, so asyncio.run() is not available there; this works everywhere."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="faults-aio")
        self.thread.start()

    def run(self, coro, timeout: float = 60):
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except TimeoutError:
            fut.cancel()
            raise

    def close(self) -> None:
        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(10)
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# ----- the load driver (a separate process) -----------------------------------------------


class Driver:
    """`python -m tests.faults.phone_driver ...` with a line protocol: the driver prints
    "READY ...", "RECONNECTED ...", "DONE ..." on stdout; the test writes commands to stdin."""

    def __init__(self, args: list[str], log: Path):
        self.log = open(log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.phone_driver", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, word: str, timeout: float) -> str:
        """The rest of the next line starting with `word` (other lines are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"driver: no {word!r} within {timeout} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"driver exited (rc={self.proc.wait(5)}) before {word!r}")
            if line.startswith(word):
                return line[len(word) :].strip()

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.log.close()


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
