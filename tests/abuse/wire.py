"""Raw attackers and an honest prober against a real server, for the transport abuse tests.

- `RawWS`: a WebSocket to /socket.io/ that sends whatever bytes it is told (frames of any
  opcode, unfinished fragments, malformed Engine.IO and Socket.IO packets), from any local
  address (127.0.0.2 and up stand for "another machine on the venue Wi-Fi": Linux routes the
  whole 127.0.0.0/8 to loopback).
- `Prober`: an honest screen (or phone) that keeps asking `time:sync` and records each round
  trip; a round trip that times out counts as the timeout.
- `Metrics`: the server's resident memory, CPU time and log size, from /proc and the file.

Everything talks to 127.0.0.x only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
import sys
import time
from pathlib import Path

from bench.wsclient import OP_BINARY, OP_CLOSE, OP_CONT, OP_TEXT, SioClient, _mask

HONEST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


def attacker_address(n: int = 0) -> str:
    """A loopback address other than the honest clients' (another guest on the Wi-Fi)."""
    return f"127.0.0.{2 + n}"


def frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """One masked client frame; `fin=False` leaves the message unfinished (a fragment)."""
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        head = struct.pack("!BB", b0, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", b0, 0x80 | 127, n)
    key = os.urandom(4)
    return head + key + _mask(key, payload)


def text(payload: str | bytes) -> bytes:
    return frame(OP_TEXT, payload.encode() if isinstance(payload, str) else payload)


def binary(payload: bytes) -> bytes:
    return frame(OP_BINARY, payload)


class RawWS:
    """A WebSocket that says only what the test tells it to."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.eio: dict | None = None

    @classmethod
    async def open(
        cls, port: int, source: str | None = None, eio_open: bool = True, timeout: float = 10
    ) -> RawWS:
        """Upgrade to a WebSocket; with `eio_open`, also read Engine.IO's open packet."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0) if source else None),
            timeout,
        )
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        ws = cls(reader, writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                raise ConnectionError(f"upgrade refused: {head[:80]!r}")
            if eio_open:
                op, data = await asyncio.wait_for(ws.read_message(), timeout)
                if op != OP_TEXT or not data.startswith(b"0"):
                    raise ConnectionError(f"no Engine.IO open: {data[:80]!r}")
                ws.eio = json.loads(data[1:])
        except BaseException:
            writer.close()
            raise
        return ws

    async def sio_connect(self, auth: dict, timeout: float = 10) -> str:
        """Socket.IO CONNECT; the server's answer packet (e.g. '40{"sid":...}')."""
        self.send(text("40" + json.dumps(auth)))
        while True:
            op, data = await asyncio.wait_for(self.read_message(), timeout)
            if op == OP_TEXT and data[:2] in (b"40", b"44"):
                return data.decode()

    def send(self, raw: bytes) -> None:
        self.writer.write(raw)

    async def drain(self) -> None:
        await self.writer.drain()

    async def read_message(self) -> tuple[int, bytes]:
        """One server frame (the server never fragments its small messages)."""
        b0, b1 = await self.reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return b0 & 0x0F, await self.reader.readexactly(n) if n else b""

    async def closed_by_server(self, timeout: float) -> bool:
        """True once the server has dropped the connection (EOF, reset, or a WebSocket close
        frame) within `timeout` seconds; reads and discards whatever it sends meanwhile."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                chunk = await asyncio.wait_for(self.reader.read(65536), left)
                if not chunk:
                    return True
                # A close frame from the server: opcode 8 in the first byte of a frame.
                if chunk[:1] and chunk[0] & 0x0F == OP_CLOSE:
                    return True
        except TimeoutError:
            return False
        except (ConnectionError, OSError):
            return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


async def sio_from(
    source: str, port: int, auth: dict, cookie: str | None = None, timeout: float = 15
) -> SioClient:
    """A well-behaved Socket.IO client (bench/wsclient.py) from another local address."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout
    )
    conn = SioClient(reader, writer)
    try:
        await asyncio.wait_for(
            conn._handshake(
                "127.0.0.1", port, "/socket.io/", auth, {"Cookie": cookie} if cookie else None
            ),
            timeout,
        )
    except BaseException:
        await conn.close()
        raise
    return conn


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-p * len(ordered) // 100) - 1))
    return ordered[int(k)]


class Prober:
    """An honest page that keeps asking the server's time, one request in flight."""

    def __init__(
        self,
        port: int,
        code: str,
        role: str = "screen",
        cookie: str | None = None,
        interval: float = 0.05,
        timeout: float = 5.0,
    ):
        self.port, self.code, self.role, self.cookie = port, code, role, cookie
        self.interval, self.timeout = interval, timeout
        self.rtts: list[float] = []
        self.failures = 0
        self._task: asyncio.Task | None = None
        self._stop = asyncio.Event()
        self.conn: SioClient | None = None

    async def __aenter__(self) -> Prober:
        self.conn = await SioClient.connect(
            HONEST,
            self.port,
            {"code": self.code, "role": self.role},
            headers={"Cookie": self.cookie} if self.cookie else None,
        )
        await self.conn.wait_event("stage", 10)
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter()
            try:
                ack = await self.conn.emit("time:sync", {}, timeout=self.timeout)
                if not (isinstance(ack, dict) and ack.get("ok")):
                    raise AssertionError(ack)
                self.rtts.append(time.perf_counter() - t)
            except Exception:  # noqa: BLE001 - a lost answer is what this measures
                self.failures += 1
                self.rtts.append(self.timeout)
                if self.conn.closed:
                    return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    def reset(self) -> None:
        self.rtts.clear()
        self.failures = 0

    def p95(self) -> float:
        return percentile(self.rtts, 95) if self.rtts else float("inf")

    async def __aexit__(self, *exc) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        await self.conn.close()


async def fresh_request(
    port: int, path: str = "/", source: str = HONEST, timeout: float = 5.0
) -> tuple[int, float]:
    """A new honest connection and one GET: (status, seconds)."""
    t = time.perf_counter()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout
    )
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n"), timeout)
        return int(head.split()[1]), time.perf_counter() - t
    finally:
        writer.close()


def start_server(workdir: Path, mode: str = "eventlet", **env: str):
    """A real server (run.py) in `mode` with one fresh session: (server, join code, the
    creation answer with the console link)."""
    from tests.e2e.harness import Server

    server = Server(Path(workdir), env={"FACILITATOR_ASYNC_MODE": mode, **env})
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Under attack"})
    assert status == 201, made
    return server, made["code"], made


async def attack(kind: str, port: int, code: str = "", timeout: float = 120, **options) -> dict:
    """Run tests/abuse/attackers.py in its own process; its JSON summary."""
    args = [
        sys.executable,
        "-m",
        "tests.abuse.attackers",
        kind,
        "--port",
        str(port),
        "--code",
        code,
    ]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is not False:
            args += [flag, str(value)]
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, err.decode()[-3000:]
    return json.loads(out.decode().strip().splitlines()[-1])


class Metrics:
    """The server process's memory, CPU and log, read from outside."""

    def __init__(self, pid: int, log: Path):
        self.pid, self.log = pid, Path(log)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_bytes(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    async def rss_back_to(self, target_mb: float, within_s: float = 90) -> float:
        """Wait (at most `within_s`) for the resident memory to fall to `target_mb`; the last
        reading. What closed connections held is freed as Engine.IO's ping tasks (20 s) and
        the timers of their reads and writes (60 s) end, and the gate gives freed memory back
        to the system every 10 s meanwhile (facilitator/gate.py)."""
        deadline = time.monotonic() + within_s
        while True:
            rss = self.rss_mb()
            if rss <= target_mb or time.monotonic() > deadline:
                return rss
            await asyncio.sleep(1)


__all__ = [
    "RawWS",
    "Prober",
    "sio_from",
    "Metrics",
    "frame",
    "text",
    "binary",
    "attacker_address",
    "fresh_request",
    "percentile",
    "start_server",
    "attack",
    "OP_TEXT",
    "OP_BINARY",
    "OP_CONT",
    "OP_CLOSE",
    "HONEST",
]
