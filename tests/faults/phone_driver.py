"""Simulated phones in their own process, for the fault tests (not a test module).

    python -m tests.faults.phone_driver burst --port P --code C --pitches 1,2,3 --out f.json
    python -m tests.faults.phone_driver storm --port P --code C --out f.json

Every phone joins over HTTP (POST /api/sessions/<code>/participants, keeping its cookie) and
connects over bench/wsclient.py as role "phone". When its connection is lost, a phone
reconnects with the browser's backoff (first delay in [0.25, 0.75] s, doubling up to 5 s,
jitter 0.5) using the same cookie, i.e. as the same participant.

Line protocol. Driver -> test (stdout): "READY {...}" once every phone is connected,
"RECONNECTED {...}" after a storm, "DONE {...}" once the output file is written. Test ->
driver (stdin): "STOP" (burst: finish), "DROP" (storm: every phone closes its socket at once and
reconnects), "FINISH <rev>" (storm: wait until every phone has seen revision <rev>, then write
the output). The driver gives up at --deadline seconds after it started, whatever happens.

burst: each phone repeatedly puts a dot on a random pitch or takes one back (budget --budget,
one per pitch), one request at a time, as a thumb would; it logs every outcome with its time:
  ["ack", pitch, dots, t_send, t_ack, generation]             acknowledged {"ok": true}
  ["refused", pitch, dots, error, t_send, t_ack, generation]  acknowledged {"ok": false}
  ["lost", pitch, dots, t_send, t_fail, generation, why]      no acknowledgement
  ["resync", {pitch: dots}, t, generation, attempts]          the `me` ballot at (re)connect
`generation` counts the phone's connections (0 = the first one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.wsclient import ConnectionRefused

from .common import backoff_delays, connect, join

STEP_TIMEOUT = 10  # any one handshake, snapshot or acknowledgement


def say(word: str, data=None) -> None:
    print(word + ("" if data is None else " " + json.dumps(data)), flush=True)


class Phone:
    def __init__(self, index: int, pid: int, cookie: str, seed: int):
        self.index, self.pid, self.cookie = index, pid, cookie
        self.rng = random.Random(seed * 100_003 + index)
        self.conn = None
        self.gen = -1
        self.log: list = []
        self.believed: dict[int, int] = {}
        self.error: str | None = None
        # storm
        self.last_rev = -1
        self.stages = 0
        self.watcher: asyncio.Task | None = None


async def open_conn(args, ph: Phone, wait_for: str, deadline: float, first_delay: bool = True):
    """(Re)connect with the browser's backoff until connected and `wait_for` arrived.
    Returns (first event payload, attempts)."""
    delays = backoff_delays(ph.rng)
    attempts = 0
    while True:
        if first_delay or attempts:
            await asyncio.sleep(next(delays))
        attempts += 1
        conn = None
        try:
            conn = await connect(args.port, args.code, "phone", ph.cookie, timeout=STEP_TIMEOUT)
            _name, got = await conn.wait_event(wait_for, timeout=STEP_TIMEOUT)
        except ConnectionRefused as exc:  # the server said no: final, and a finding
            if conn is not None:
                await conn.close()
            raise RuntimeError(f"phone {ph.pid}: connection refused: {exc.data}") from exc
        except OSError as exc:  # refused port, reset, closed, timeout: the server is away
            if conn is not None:
                await conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"phone {ph.pid}: no connection before the deadline "
                    f"({attempts} attempts, last: {exc!r})"
                ) from exc
            continue
        ph.conn = conn
        ph.gen += 1
        return got[0], attempts


async def join_all(args) -> list[Phone]:
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(16) as pool:
        joined = await asyncio.gather(
            *(
                loop.run_in_executor(pool, join, args.port, args.code, f"Phone {i + 1}")
                for i in range(args.phones)
            )
        )
    return [Phone(i, pid, cookie, args.seed) for i, (pid, cookie) in enumerate(joined)]


async def connect_all(args, phones: list[Phone], wait_for: str, deadline: float, on_first):
    gate = asyncio.Semaphore(50)

    async def one(ph: Phone):
        async with gate:
            first, attempts = await open_conn(args, ph, wait_for, deadline, first_delay=False)
        on_first(ph, first, attempts)

    await asyncio.gather(*(one(ph) for ph in phones))


def stdin_queue() -> asyncio.Queue:
    """Lines from stdin as an asyncio queue (None at EOF), read by a daemon thread."""
    loop = asyncio.get_running_loop()
    q: asyncio.Queue = asyncio.Queue()

    def read():
        for line in sys.stdin:
            loop.call_soon_threadsafe(q.put_nowait, line.strip())
        loop.call_soon_threadsafe(q.put_nowait, None)

    threading.Thread(target=read, daemon=True).start()
    return q


# ----- burst: votes while the server is killed ----------------------------------------------


def choose(ph: Phone, pitches: list[int], budget: int) -> tuple[int, int]:
    on = [p for p in pitches if ph.believed.get(p, 0) > 0]
    if len(on) >= budget and ph.rng.random() < 0.9:
        return ph.rng.choice(on), 0
    pitch = ph.rng.choice(pitches)  # sometimes a 4th dot: the server must refuse it
    return pitch, 0 if ph.believed.get(pitch, 0) else 1


def resynced(ph: Phone, me: dict, attempts: int) -> None:
    ballot = {int(k): v for k, v in (me.get("ballot") or {}).items()}
    ph.log.append(["resync", ballot, time.time(), ph.gen, attempts])
    ph.believed = dict(ballot)


async def burst_phone(
    args, ph: Phone, pitches: list[int], stop: asyncio.Event, deadline: float
) -> None:
    try:
        while True:
            if ph.conn is None or ph.conn.closed:
                if ph.conn is not None:
                    await ph.conn.close()
                me, attempts = await open_conn(args, ph, "me", deadline)
                resynced(ph, me, attempts)
                continue
            if stop.is_set() or time.monotonic() > deadline:
                return
            pitch, dots = choose(ph, pitches, args.budget)
            t_send = time.time()
            try:
                ack = await ph.conn.emit(
                    "vote:set", {"pitch_id": pitch, "dots": dots}, timeout=STEP_TIMEOUT
                )
            except OSError as exc:  # the connection went away (or no answer): unknown fate
                ph.log.append(
                    ["lost", pitch, dots, t_send, time.time(), ph.gen, type(exc).__name__]
                )
                await ph.conn.close()
                continue
            t_ack = time.time()
            if isinstance(ack, dict) and ack.get("ok") is True:
                ph.log.append(["ack", pitch, dots, t_send, t_ack, ph.gen])
                ph.believed[pitch] = dots
            else:
                error = ack.get("error") if isinstance(ack, dict) else repr(ack)
                ph.log.append(["refused", pitch, dots, error, t_send, t_ack, ph.gen])
            await asyncio.sleep(ph.rng.uniform(0.0, 0.1))
    except Exception as exc:  # noqa: BLE001 - reported in the output, judged by the test
        ph.error = f"{type(exc).__name__}: {exc}"


async def burst(args) -> dict:
    deadline = time.monotonic() + args.deadline
    pitches = [int(x) for x in args.pitches.split(",")]
    commands = stdin_queue()
    phones = await join_all(args)
    await connect_all(args, phones, "me", deadline, lambda ph, me, n: resynced(ph, me, n))
    say("READY", {"phones": len(phones), "t": time.time()})
    stop = asyncio.Event()
    tasks = [asyncio.create_task(burst_phone(args, ph, pitches, stop, deadline)) for ph in phones]
    while True:
        try:
            line = await asyncio.wait_for(commands.get(), max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        if line in ("STOP", None):
            break
    stop.set()
    await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic() + 5))
    for t in tasks:
        t.cancel()
    await asyncio.gather(
        *(ph.conn.close() for ph in phones if ph.conn is not None), return_exceptions=True
    )
    return {
        "phones": [
            {"pid": ph.pid, "log": ph.log, "error": ph.error, "connections": ph.gen + 1}
            for ph in phones
        ]
    }


# ----- storm: everybody drops at once and comes back -----------------------------------------


async def watch(ph: Phone) -> None:
    """Follow the stage snapshots of the phone's current connection."""
    try:
        while True:
            _name, got = await ph.conn.wait_event("stage", timeout=3600)
            ph.last_rev = max(ph.last_rev, got[0]["rev"])
            ph.stages += 1
    except (OSError, asyncio.CancelledError):
        return


async def storm(args) -> dict:
    deadline = time.monotonic() + args.deadline
    commands = stdin_queue()
    phones = await join_all(args)

    def first(ph: Phone, snap: dict, _attempts: int):
        ph.last_rev = snap["rev"]
        ph.watcher = asyncio.create_task(watch(ph))

    await connect_all(args, phones, "stage", deadline, first)
    say("READY", {"phones": len(phones), "t": time.time()})
    storms = []
    while True:
        try:
            line = await asyncio.wait_for(commands.get(), max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            raise RuntimeError(
                "storm driver: deadline passed while waiting for a command"
            ) from None
        if line is None:
            raise RuntimeError("storm driver: stdin closed")
        if line == "DROP":
            storms.append(await drop(args, phones, deadline))
            say("RECONNECTED", {k: v for k, v in storms[-1].items() if k != "phones"})
        elif line.startswith("FINISH"):
            want = int(line.split()[1])
            while time.monotonic() < deadline and any(ph.last_rev < want for ph in phones):
                await asyncio.sleep(0.05)
            out = {
                "storms": storms,
                "final": [
                    {
                        "pid": ph.pid,
                        "last_rev": ph.last_rev,
                        "connected": ph.conn is not None and not ph.conn.closed,
                    }
                    for ph in phones
                ],
            }
            for ph in phones:
                if ph.watcher:
                    ph.watcher.cancel()
            await asyncio.gather(
                *(ph.conn.close() for ph in phones if ph.conn is not None), return_exceptions=True
            )
            return out


async def drop(args, phones: list[Phone], deadline: float) -> dict:
    for ph in phones:
        if ph.watcher:
            ph.watcher.cancel()
    await asyncio.gather(*(ph.conn.close() for ph in phones), return_exceptions=True)
    t_drop = time.time()
    for ph in phones:
        ph.stages = 0

    async def back(ph: Phone) -> dict:
        try:
            snap, attempts = await open_conn(args, ph, "stage", deadline)
        except Exception as exc:  # noqa: BLE001 - reported, judged by the test
            return {"pid": ph.pid, "error": f"{type(exc).__name__}: {exc}"}
        t = time.time()
        ph.last_rev = max(ph.last_rev, snap["rev"])
        ph.stages = 1
        ph.watcher = asyncio.create_task(watch(ph))
        return {
            "pid": ph.pid,
            "attempts": attempts,
            "back_s": round(t - t_drop, 3),
            "first_rev": snap["rev"],
        }

    results = await asyncio.gather(*(back(ph) for ph in phones))
    ok = [r for r in results if "error" not in r]
    return {
        "t_drop": t_drop,
        "t_all_back": time.time(),
        "reconnected": len(ok),
        "errors": [r for r in results if "error" in r][:10],
        "max_back_s": max((r["back_s"] for r in ok), default=None),
        "max_attempts": max((r["attempts"] for r in ok), default=None),
        "phones": results,
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("burst", "storm"))
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--code", required=True)
    p.add_argument("--phones", type=int, default=200)
    p.add_argument("--pitches", default="")
    p.add_argument("--budget", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--deadline", type=float, default=120)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    out = asyncio.run(burst(args) if args.mode == "burst" else storm(args))
    with open(args.out, "w") as f:
        json.dump(out, f)
    say("DONE", {"out": args.out})


if __name__ == "__main__":
    main()
