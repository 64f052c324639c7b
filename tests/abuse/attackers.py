"""Hostile guests on the venue Wi-Fi, each in a process of its own (so that the attacker's
own work does not slow the honest client the tests measure):

    python -m tests.abuse.attackers KIND --port PORT --code CODE [--seconds S] [...]

Every attacker connects from 127.0.0.2 and up (another machine, as far as the server can
tell), keeps going for `--seconds` and prints one JSON line of what it did and what the server
did to it. The kinds are the transport attacks of docs/security.md:

- `flood`: a screen sends one Socket.IO packet (`--payload`, e.g. "4A") over and over as fast
  as the server reads it; reconnects when closed.
- `bigframes`: a screen sends 60 KB events at about 2.9 MB/s; reconnects when closed.
- `fragments`: a screen sends an unfinished fragmented message of `--megabytes`; again and
  again, on a new connection, for `--seconds`.
- `attachments`: a screen announces 9,999,999,999 binary attachments, then sends binary
  frames of 60 KB up to `--megabytes`; again and again, for `--seconds`.
- `halfopen`: `--count` HTTP requests whose headers never end, held open.
- `idlews`: `--count` Engine.IO websockets that never send the Socket.IO CONNECT (they answer
  Engine.IO's pings, so only the server's deadline ends them).
- `slowdoor`: `--count` HTTP requests whose headers never end from each of `--addresses`
  addresses, each opened again as soon as the server ends or refuses it, for `--seconds`
  (together more than the cap on unproven connections of all addresses).
- `phones`: joins `--count` phones to the session from one address (as a venue's phones
  would), then each sends `rating:set` (or `interest:set`, as `--payload`) `--rate` times a
  second (default 19, just under the app's rate per connection), for `--seconds`.
- `syncflood`: 50 screens from three addresses ask for `sync` 20 times a second each;
  reconnect when closed.
- `consoles`: makes a session of its own on the start page's API (the start page is open on
  a private network), then `--count` consoles of it send the event `--payload` (e.g. `sync`)
  `--rate` times a second each (default 20, just under the app's rate per connection);
  reconnect when closed or refused.
- `console-cue`: `consoles` sending `cue:screen` 19 times a second each (every cue is shown
  on the session's screens and consoles).

Phones and consoles count the acknowledgements they get back (`ok`, `rate_limited`) when
`--acks` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

from .wire import (
    OP_BINARY,
    OP_CONT,
    OP_TEXT,
    RawWS,
    attacker_address,
    binary,
    frame,
    sio_from,
    text,
)


async def _screen(port: int, code: str, source: str) -> RawWS | None:
    try:
        ws = await RawWS.open(port, source, timeout=5)
        answer = await ws.sio_connect({"code": code, "role": "screen"}, timeout=5)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ConnectionError):
        return None
    if not answer.startswith("40"):
        ws.close()
        return None
    return ws


async def flood(args) -> dict:
    """One packet, again and again, 100 frames a write, as fast as the server takes them."""
    burst = text(args.payload) * 100
    out = {"bytes": 0, "connections": 0, "refused": 0, "closed_by_server": 0}
    t_end = time.monotonic() + args.seconds
    while time.monotonic() < t_end:
        ws = await _screen(args.port, args.code, attacker_address())
        if ws is None:
            out["refused"] += 1
            await asyncio.sleep(0.05)
            continue
        out["connections"] += 1
        try:
            while time.monotonic() < t_end:
                ws.send(burst)
                out["bytes"] += len(burst)
                await asyncio.wait_for(ws.drain(), 2)
                if ws.reader.at_eof():
                    raise ConnectionError
            closed = await ws.closed_by_server(0.5)
        except (TimeoutError, OSError, ConnectionError):
            closed = await ws.closed_by_server(2)
        out["closed_by_server"] += closed
        ws.close()
        if not args.reconnect:
            break
    return out


async def bigframes(args) -> dict:
    """60 KB events at about 2.9 MB/s (48 a second)."""
    body = text('42["time:sync",{"pad":"' + "x" * 60_000 + '"}]')
    out = {"bytes": 0, "connections": 0, "refused": 0, "closed_by_server": 0}
    t_end = time.monotonic() + args.seconds
    while time.monotonic() < t_end:
        ws = await _screen(args.port, args.code, attacker_address())
        if ws is None:
            out["refused"] += 1
            await asyncio.sleep(0.05)
            continue
        out["connections"] += 1
        try:
            while time.monotonic() < t_end:
                ws.send(body)
                out["bytes"] += len(body)
                await asyncio.wait_for(ws.drain(), 2)
                if ws.reader.at_eof():
                    raise ConnectionError
                await asyncio.sleep(1 / 48)
            closed = await ws.closed_by_server(0.5)
        except (TimeoutError, OSError, ConnectionError):
            closed = await ws.closed_by_server(2)
        out["closed_by_server"] += closed
        ws.close()
        if not args.reconnect:
            break
    return out


async def _stream(ws: RawWS, frames, limit: int) -> int:
    """Send frames until `limit` bytes or until the server stops taking them."""
    sent = 0
    try:
        for raw in frames:
            ws.send(raw)
            sent += len(raw)
            await asyncio.wait_for(ws.drain(), 5)
            if sent >= limit or ws.reader.at_eof():
                break
    except (TimeoutError, OSError, ConnectionError):
        pass
    return sent


async def _repeat(args, frames) -> dict:
    """One connection after another for `seconds`, each sending `frames()` until it has sent
    `megabytes` or the server stops it."""
    out = {
        "bytes": 0,
        "max_bytes_one_connection": 0,
        "connections": 0,
        "refused": 0,
        "closed_by_server": 0,
    }
    t_end = time.monotonic() + args.seconds
    while True:
        ws = await _screen(args.port, args.code, attacker_address())
        if ws is None:
            out["refused"] += 1
            await asyncio.sleep(0.05)
        else:
            out["connections"] += 1
            sent = await _stream(ws, frames(), int(args.megabytes * 1e6))
            out["bytes"] += sent
            out["max_bytes_one_connection"] = max(out["max_bytes_one_connection"], sent)
            out["closed_by_server"] += await ws.closed_by_server(5)
            ws.close()
        if time.monotonic() >= t_end:
            return out


async def fragments(args) -> dict:
    chunk = b"x" * 60_000

    def frames():
        yield frame(OP_TEXT, b'42["x","' + chunk, fin=False)
        while True:
            yield frame(OP_CONT, chunk, fin=False)

    return await _repeat(args, frames)


async def attachments(args) -> dict:
    chunk = b"\0" * 60_000

    def frames():
        yield text('459999999999-["x",{"_placeholder":true,"num":0}]')
        while True:
            yield binary(chunk)

    return await _repeat(args, frames)


async def _hold(args, open_one) -> dict:
    """Open `count` connections (500 at a time), hold them, and watch the server end them."""
    held, refused = [], 0
    gate = asyncio.Semaphore(500)

    async def one():
        nonlocal refused
        async with gate:
            try:
                held.append(await open_one())
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ConnectionError):
                refused += 1

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(args.count)))
    opened_s = time.monotonic() - t0

    async def watch(reader, reading):
        try:
            if reading is not None:  # someone reads already: wait for them to see the end
                await reading
            else:
                while await reader.read(4096):
                    pass
        except (OSError, ConnectionError):
            pass
        return time.monotonic() - t0

    watchers = [asyncio.create_task(watch(r, reading)) for r, _w, reading in held]
    await asyncio.sleep(max(0.0, args.seconds - (time.monotonic() - t0)))
    ended = [w.result() for w in watchers if w.done()]
    for w in watchers:
        w.cancel()
    for _r, writer, reading in held:
        writer.close()
        if reading is not None:
            reading.cancel()
    return {
        "opened": len(held),
        "refused": refused,
        "opened_s": round(opened_s, 2),
        "ended_by_server": len(ended),
        "last_ended_s": round(max(ended), 2) if ended else None,
    }


async def halfopen(args) -> dict:
    async def open_one():
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", args.port, local_addr=(attacker_address(), 0)), 10
        )
        writer.write(b"GET / HTTP/1.1\r\nHost: venue\r\nX-Slow: ")
        return reader, writer, None

    return await _hold(args, open_one)


async def slowdoor(args) -> dict:
    out = {"opened": 0, "refused": 0, "ended_by_server": 0}
    t_end = time.monotonic() + args.seconds

    async def one(source: str):
        while time.monotonic() < t_end:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", args.port, local_addr=(source, 0)), 5
                )
            except (TimeoutError, OSError):
                out["refused"] += 1
                await asyncio.sleep(1)
                continue
            try:
                writer.write(b"GET / HTTP/1.1\r\nHost: venue\r\nX-Slow: ")
                answer = await asyncio.wait_for(reader.read(64), t_end - time.monotonic())
                if answer.startswith(b"HTTP/1.1 503"):
                    out["refused"] += 1
                else:
                    out["opened"] += 1
                    out["ended_by_server"] += 1
            except (TimeoutError, OSError, ConnectionError):
                out["opened"] += 1
            finally:
                writer.close()
            await asyncio.sleep(1)  # what is held lasts 10 s: no need to hurry

    await asyncio.gather(
        *(one(attacker_address(a)) for a in range(args.addresses) for _ in range(args.count))
    )
    return out


async def idlews(args) -> dict:
    async def open_one():
        ws = await RawWS.open(args.port, attacker_address(), timeout=10)
        return ws.reader, ws.writer, asyncio.create_task(_pong(ws))

    return await _hold(args, open_one)


async def _pong(ws: RawWS) -> None:
    """Answer Engine.IO's pings, so that only a deadline can end the connection."""
    try:
        while True:
            op, data = await ws.read_message()
            if op == OP_TEXT and data[:1] == b"2":
                ws.send(text("3"))
            elif op not in (OP_TEXT, OP_BINARY):
                return
    except (OSError, asyncio.IncompleteReadError, ConnectionError):
        return


async def syncflood(args) -> dict:
    out = {"sent": 0, "connections": 0, "refused": 0, "closed_by_server": 0}
    t_end = time.monotonic() + args.seconds

    async def screen(i: int):
        conn = None
        while time.monotonic() < t_end:
            if conn is None or conn.closed:
                if conn is not None:
                    out["closed_by_server"] += 1
                try:
                    conn = await sio_from(
                        attacker_address(i // 20),
                        args.port,
                        {"code": args.code, "role": "screen"},
                        timeout=5,
                    )
                    conn.quiet = True
                    out["connections"] += 1
                except (TimeoutError, OSError, ConnectionError):
                    out["refused"] += 1
                    conn = None
                    await asyncio.sleep(0.05)
                    continue
            try:
                await conn.emit("sync", {}, ack=False)
                out["sent"] += 1
            except ConnectionError:
                pass
            await asyncio.sleep(0.05)
        if conn is not None:
            await conn.close()

    await asyncio.gather(*(screen(i) for i in range(50)))
    return out


async def _make_session(port: int, source: str) -> tuple[str, str]:
    """A session made on the start page's API from `source`: (join code, console cookie)."""
    body = json.dumps({"title": "Look-alike round"}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        writer.write(
            (
                f"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Connection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        raw = await asyncio.wait_for(reader.read(-1), 30)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b" 201 " in head.split(b"\r\n", 1)[0], raw[:300]
    cookie = next(
        line.split(b":", 1)[1].strip().split(b";")[0].decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"set-cookie:") and b"facilitator=" in line
    )
    return json.loads(payload)["code"], cookie


async def _join(port: int, source: str, code: str, name: str) -> str:
    """Join `code` as `name` from `source`: the phone's cookie."""
    body = json.dumps({"name": name}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        writer.write(
            (
                f"POST /api/sessions/{code}/participants HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        raw = await asyncio.wait_for(reader.read(-1), 30)
    finally:
        writer.close()
    head = raw.partition(b"\r\n\r\n")[0]
    assert b" 201 " in head.split(b"\r\n", 1)[0], raw[:300]
    return next(
        line.split(b":", 1)[1].strip().split(b";")[0].decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"set-cookie:") and b"facilitator=" in line
    )


async def phones(args) -> dict:
    out = {"sent": 0, "connections": 0, "closed_by_server": 0}
    source = attacker_address()
    auth = {"code": args.code, "role": "phone"}
    conns = []
    for i in range(args.count):
        cookie = await _join(args.port, source, args.code, f"Guest {i + 1}")
        conns.append(await sio_from(source, args.port, auth, cookie=cookie, timeout=10))
        conns[-1].quiet = True
        out["connections"] += 1
    t_end = time.monotonic() + args.seconds

    async def phone(conn, i: int):
        n = 0
        while time.monotonic() < t_end and not conn.closed:
            n += 1
            try:
                await _send(
                    conn,
                    args,
                    out,
                    args.payload if args.payload.endswith(":set") else "rating:set",
                    {"pitch_id": 1 + n % 3, "on": n % 2 == 0}
                    if args.payload == "interest:set"
                    else {"pitch_id": 1 + n % 3, "impact": n % 5, "ease": i % 5},
                )
            except ConnectionError:
                break
            await asyncio.sleep(1 / (args.rate or 19))
        if conn.closed:
            out["closed_by_server"] += 1
        await _answered()
        await conn.close()

    await asyncio.gather(*(phone(c, i) for i, c in enumerate(conns)))
    return out


async def consoles(args) -> dict:
    out = {"sent": 0, "connections": 0, "refused": 0, "closed_by_server": 0}
    source = attacker_address()
    code, cookie = await _make_session(args.port, source)
    auth = {"code": code, "role": "console"}
    payload = {"text": "hello"} if args.payload.startswith("cue:") else {}
    t_end = time.monotonic() + args.seconds
    every = 1 / (args.rate or 20)

    async def console():
        conn = None
        while time.monotonic() < t_end:
            if conn is None or conn.closed:
                if conn is not None:
                    out["closed_by_server"] += 1
                try:
                    conn = await sio_from(source, args.port, auth, cookie=cookie, timeout=5)
                    conn.quiet = True
                    out["connections"] += 1
                except (TimeoutError, OSError, ConnectionError):
                    out["refused"] += 1
                    conn = None
                    await asyncio.sleep(0.05)
                    continue
            try:
                await _send(conn, args, out, args.payload, payload)
            except ConnectionError:
                pass
            await asyncio.sleep(every)
        await _answered()
        if conn is not None:
            await conn.close()

    await asyncio.gather(*(console() for _ in range(args.count)))
    return out


async def console_cue(args) -> dict:
    args.payload, args.rate = "cue:screen", args.rate or 19
    return await consoles(args)


async def _send(conn, args, out: dict, event: str, payload: dict) -> None:
    """One event, at the attack's pace; with `--acks`, its answer is awaited beside (at most
    for 2 s) and counted by its error code (`ok` when accepted, `no_answer`)."""
    out["sent"] += 1
    if not args.acks:
        await conn.emit(event, payload, ack=False)
        return
    acks = out.setdefault("acks", {})

    async def answer():
        try:
            ack = await conn.emit(event, payload, timeout=2)
        except Exception:  # noqa: BLE001 - timed out or closed: no answer
            key = "no_answer"
        else:
            key = "ok" if isinstance(ack, dict) and ack.get("ok") else str((ack or {}).get("error"))
        acks[key] = acks.get(key, 0) + 1

    task = asyncio.create_task(answer())
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


_PENDING: set = set()


async def _answered() -> None:
    """Wait (2.5 s at most) for the answers still on their way."""
    if _PENDING:
        await asyncio.wait(list(_PENDING), timeout=2.5)


KINDS = {
    f.__name__: f
    for f in (
        flood,
        bigframes,
        fragments,
        attachments,
        halfopen,
        slowdoor,
        idlews,
        syncflood,
        consoles,
        phones,
    )
}
KINDS["console-cue"] = console_cue


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=sorted(KINDS))
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--code", default="")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--payload", default="4A")
    p.add_argument("--reconnect", action="store_true")
    p.add_argument("--megabytes", type=float, default=200)
    p.add_argument("--count", type=int, default=5000)
    p.add_argument("--addresses", type=int, default=1)
    p.add_argument("--rate", type=float, default=0)  # events a second per connection
    p.add_argument("--acks", action="store_true")
    args = p.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    t0 = time.monotonic()
    out = asyncio.run(KINDS[args.kind](args))
    out["kind"], out["seconds"] = args.kind, round(time.monotonic() - t0, 2)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
