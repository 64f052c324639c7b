"""A minimal Socket.IO v5 / Engine.IO v4 client over a raw WebSocket, on asyncio streams only.

It speaks what the browser pages speak (websocket transport only, default namespace "/"), with
as little work per message as possible so that one process can carry thousands of phones:

    conn = await SioClient.connect("127.0.0.1", port, {"code": code, "role": "screen"})
    name, args = await conn.wait_event("stage", timeout=10)
    reply = await conn.emit("time:sync", {})          # -> {"ok": True, "now": ...}
    await conn.close()

Handled: the HTTP/1.1 upgrade (random Sec-WebSocket-Key, checked Sec-WebSocket-Accept), text
and continuation frames, WebSocket ping/pong/close, 7/16/64-bit payload lengths, masked client
frames; Engine.IO open/ping/close and Socket.IO connect/refusal/event/ack. Binary Socket.IO
packets and other namespaces are not supported (the app uses neither).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import json
import os
import struct
from typing import TypeVar

__all__ = ["SioClient", "ConnectionRefused", "ProtocolError"]

C = TypeVar("C", bound="SioClient")

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_MESSAGE = 16 * 1024 * 1024  # refuse absurd frames rather than allocate them


class ProtocolError(ConnectionError):
    """The server broke the WebSocket / Engine.IO / Socket.IO protocol (or went away)."""


class ConnectionRefused(ConnectionError):
    """The Socket.IO CONNECT was refused ("44{...}"); `.data` holds the server's payload."""

    def __init__(self, data):
        super().__init__(f"connection refused: {data!r}")
        self.data = data


def _mask(key: bytes, data: bytes) -> bytes:
    """XOR `data` with the 4-byte `key`, as one big-integer operation (no per-byte loop)."""
    n = len(data)
    if not n:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


def _frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = os.urandom(4)
    return head + key + _mask(key, payload)


class SioClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.sid: str | None = None  # Socket.IO session id (from "40{sid}")
        self.eio: dict = {}  # the Engine.IO open packet
        self.events: asyncio.Queue = asyncio.Queue()  # (name, args) in arrival order
        self._backlog: collections.deque = collections.deque()  # skipped by wait_event
        self._acks: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._open: asyncio.Future = asyncio.get_running_loop().create_future()
        self._connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self._reader_task: asyncio.Task | None = None
        self.closed = False
        self.close_reason: str | None = None

    # ----- connecting -----------------------------------------------------------------------

    @classmethod
    async def connect(
        cls: type[C],
        host: str,
        port: int,
        auth: dict | None = None,
        headers: dict | None = None,
        path: str = "/socket.io/",
        timeout: float = 15.0,
    ) -> C:
        """Open the WebSocket, wait for Engine.IO open, send CONNECT with `auth`, wait for the
        server's answer. Raises ConnectionRefused, ProtocolError, OSError or TimeoutError."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=MAX_MESSAGE), timeout
        )
        conn = cls(reader, writer)
        try:
            await asyncio.wait_for(conn._handshake(host, port, path, auth, headers), timeout)
        except BaseException:
            await conn.close()
            raise
        return conn

    async def _handshake(self, host, port, path, auth, headers) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path}?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise ProtocolError("connection closed during the WebSocket upgrade") from exc
        status, *fields = head.decode("latin-1").split("\r\n")
        if status.split(" ", 2)[1:2] != ["101"]:
            raise ProtocolError(f"WebSocket upgrade refused: {status!r}")
        got = {}
        for line in fields:
            name, _, value = line.partition(":")
            got[name.strip().lower()] = value.strip()
        want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        if got.get("sec-websocket-accept") != want:
            raise ProtocolError("bad Sec-WebSocket-Accept")
        self._reader_task = asyncio.create_task(self._read_loop())
        self.eio = await self._open
        self._send_text("40" + (json.dumps(auth, separators=(",", ":")) if auth else ""))
        self.sid = await self._connected

    # ----- public API -----------------------------------------------------------------------

    async def emit(self, event: str, data=None, ack: bool = True, timeout: float = 15.0):
        """Send an event; with `ack`, wait for and return the server's acknowledgement (the
        first argument of "43<id>[...]", or the list if there are several)."""
        args = [event] if data is None else [event, data]
        body = json.dumps(args, separators=(",", ":"))
        if not ack:
            self._send_text("42" + body)
            return None
        if self.closed:
            raise ProtocolError(f"closed: {self.close_reason}")
        self._next_id += 1
        ack_id = self._next_id
        fut = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = fut
        try:
            self._send_text(f"42{ack_id}{body}")
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def wait_event(self, name: str, timeout: float = 15.0):
        """The next (name, args) event called `name`; other events seen meanwhile are kept, in
        order, for later calls. Raises TimeoutError, or ProtocolError once the connection is
        closed and nothing matching is left."""
        for i, item in enumerate(self._backlog):
            if item[0] == name:
                del self._backlog[i]
                return item

        async def next_match():
            while True:
                item = await self.events.get()
                if item is None:  # the reader ended
                    self.events.put_nowait(None)  # keep waking later waiters too
                    raise ProtocolError(f"closed: {self.close_reason}")
                if item[0] == name:
                    return item
                self._backlog.append(item)

        return await asyncio.wait_for(next_match(), timeout)

    async def close(self) -> None:
        """Socket.IO disconnect, WebSocket close, then drop the TCP connection."""
        if not self.closed:
            try:
                self._send_text("41")
                self.writer.write(_frame(OP_CLOSE, struct.pack("!H", 1000)))
            except Exception:  # noqa: BLE001 - already broken: just drop it
                pass
        self._finish("closed by client")
        if self._reader_task is not None and self._reader_task is not asyncio.current_task():
            self._reader_task.cancel()
            try:
                await self._reader_task
            except BaseException:  # noqa: BLE001 - cancelled or already failed
                pass
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except Exception:  # noqa: BLE001 - reset by peer, timeout: the socket is gone anyway
            pass

    # ----- wire -----------------------------------------------------------------------------

    def _send_text(self, text: str) -> None:
        # One write() per frame: frames from concurrent coroutines never interleave. Nothing
        # here awaits the kernel buffer; these messages are tiny.
        if self.writer.is_closing():
            raise ProtocolError(f"closed: {self.close_reason}")
        self.writer.write(_frame(OP_TEXT, text.encode()))

    async def _read_frame(self) -> tuple[int, bytes]:
        """One complete message (continuation frames joined): (opcode, payload)."""
        opcode, parts, size = None, [], 0
        readexactly = self.reader.readexactly
        while True:
            b0, b1 = await readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await readexactly(8))
            key = await readexactly(4) if b1 & 0x80 else None  # servers should not mask
            if n > MAX_MESSAGE or size + n > MAX_MESSAGE:
                raise ProtocolError(f"frame too large: {n} bytes")
            payload = await readexactly(n) if n else b""
            if key:
                payload = _mask(key, payload)
            op, fin = b0 & 0x0F, b0 & 0x80
            if op >= 0x8:  # control frames may arrive between fragments
                if op == OP_PING:
                    self.writer.write(_frame(OP_PONG, payload))
                elif op == OP_CLOSE:
                    return OP_CLOSE, payload
                continue  # an unsolicited pong: ignore
            if op != OP_CONT:
                opcode = op
            elif opcode is None:
                raise ProtocolError("continuation frame without a start")
            parts.append(payload)
            size += n
            if fin:
                return opcode, parts[0] if len(parts) == 1 else b"".join(parts)

    async def _read_loop(self) -> None:
        reason = "connection lost"
        try:
            while True:
                opcode, payload = await self._read_frame()
                if opcode == OP_CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    reason = f"server closed the WebSocket ({code})"
                    try:
                        self.writer.write(_frame(OP_CLOSE, payload[:2]))
                    except Exception:  # noqa: BLE001
                        pass
                    return
                if opcode == OP_TEXT:
                    if not self._on_eio(payload.decode()):
                        reason = "server closed the Engine.IO session"
                        return
                # binary messages (Socket.IO attachments) are not used by this app
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            reason = f"connection lost ({type(exc).__name__})"
        except ProtocolError as exc:
            reason = str(exc)
        except asyncio.CancelledError:
            reason = self.close_reason or "cancelled"
            raise
        finally:
            self._finish(reason)

    def _on_eio(self, msg: str) -> bool:
        """Handle one Engine.IO packet; False when the session is over."""
        kind = msg[:1]
        if kind == "4":  # message -> Socket.IO packet
            self._on_sio(msg[1:])
        elif kind == "2":  # ping -> pong
            self.writer.write(_frame(OP_TEXT, b"3" + msg[1:].encode()))
        elif kind == "0":
            if not self._open.done():
                self._open.set_result(json.loads(msg[1:]))
        elif kind == "1":  # close
            return False
        # "6" noop and anything else: ignore
        return True

    def _on_sio(self, pkt: str) -> None:
        kind = pkt[:1]
        body = pkt[1:]
        if body.startswith("/"):  # another namespace: "/ns,..." (unused here)
            return
        if kind == "2" or kind == "3":  # event / ack: optional numeric id, then a JSON array
            i = 0
            while i < len(body) and body[i].isdigit():
                i += 1
            ack_id, data = (int(body[:i]) if i else None), json.loads(body[i:])
            if kind == "2":
                self.events.put_nowait((data[0], data[1:]))
                if ack_id is not None:  # the server asked for an ack: answer an empty one
                    self._send_text(f"43{ack_id}[]")
            else:
                fut = self._acks.get(ack_id) if ack_id is not None else None
                if fut is not None and not fut.done():
                    fut.set_result(data[0] if len(data) == 1 else data)
        elif kind == "0":  # CONNECT accepted: {"sid": ...}
            if not self._connected.done():
                self._connected.set_result(json.loads(body).get("sid") if body else None)
        elif kind == "4":  # CONNECT_ERROR
            data = json.loads(body) if body else None
            if not self._connected.done():
                self._connected.set_exception(ConnectionRefused(data))
        elif kind == "1":  # DISCONNECT from the server
            self.close_reason = "server disconnected the namespace"
            self.events.put_nowait(None)

    def _finish(self, reason: str) -> None:
        """Mark closed once and wake everything that waits on this connection."""
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        err = ProtocolError(f"closed: {reason}")
        for fut in (self._open, self._connected, *self._acks.values()):
            if not fut.done():
                fut.set_exception(err)
                fut.exception()  # mark retrieved: no "never retrieved" warnings
        self.events.put_nowait(None)
