"""What one Socket.IO connection may send, checked before any handler runs.

Facilitator's pages speak a small part of Socket.IO: a WebSocket, or long-polling where a
proxy refuses WebSockets; text messages only, one CONNECT to the default namespace, then
events that name a handler. This module holds every connection to that, between the transport
and python-socketio, with the same checks on both transports:

- **Size.** A message may not exceed `max_message_bytes`, counted across fragments (a message
  sent in pieces and never finished is cut off at the limit, not buffered for ever).
- **Rate.** Each connection has a byte budget (`bytes_per_second` after a `burst_bytes`; every
  frame costs at least `FRAME_COST` bytes, so a flood of tiny frames is counted too). A
  connection that keeps sending faster is closed.
- **Shape.** Binary frames and Socket.IO binary packets are refused (no page sends any: this
  also removes attachment counts that could be announced and never sent). Engine.IO packets
  other than a pong, a message or a close, Socket.IO packets other than CONNECT, DISCONNECT
  and EVENT, other namespaces, events before the CONNECT, a second CONNECT, and anything that
  does not parse are refused.
- **Handshake.** Only a proper WebSocket opening handshake gets an Engine.IO socket (Engine.IO
  makes it before the upgrade, and keeps a failed one for 20 s), or, with `polling` on, a
  long-polling handshake while its address holds fewer than `polling_unproven_per_address`
  polling sessions that have not proved themselves yet.
- **Long-polling.** A POST body is bounded by `max_message_bytes` before it is read, costs the
  session's byte budget (its length plus `FRAME_COST` per packet), and every packet in it must
  pass the same Engine.IO and Socket.IO checks as a WebSocket frame; a refused POST closes the
  Engine.IO session (one log line), not just the request.
- **Proof.** A connection must complete its Socket.IO CONNECT with a valid role within
  `proof_seconds`, else it is closed; until then it may send nothing but the CONNECT.
- **Events.** A connection that keeps sending events at more than five times the app's own
  per-connection rate (`event_rate`, `event_burst`: the app answers `rate_limited` in between,
  as a script voting as fast as it can expects) is closed.
- **Resyncs.** `sync` (a full snapshot again; the pages never send it, a reconnect brings
  its snapshot) from a screen or a phone is budgeted per client address and per session; a
  connection that asks beyond the budget is closed before anything is built. A console's
  `sync` is budgeted per client address too, in a budget of its own (screens flooding a
  session never starve its moderator): anyone can be the moderator of a session they made
  on the start page, and fifty consoles of one such session asking for `sync` twenty times a
  second each kept the server from answering anyone for half a minute.
- **Screens.** One client address may hold at most `screens_per_address` screen connections
  and open at most `screen_connects_per_minute` (after as many at once): anyone with the join
  code can open one, and each receives every broadcast.
- **Consoles.** One client address may open at most `console_connects_per_minute` console
  connections (after 20 at once): a session holds at most a few consoles (the app refuses
  more with a readable error), and a script that reconnects as soon as it is refused is then
  closed here, before the app looks up anything.

A refused packet closes its connection at once and costs at most one log line per client
address per `QuietLog.period` (and at most `QuietLog.total` lines a minute in all); nothing it
sent reaches the app. The connection gate of `facilitator.gate` (run.py's own servers) learns
here when a connection has proved itself.
"""

from __future__ import annotations

import base64
import io
import logging
import socket as socket_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from socketio import packet as sio_packet

from .budgets import AddressBudget
from .budgets import address_key as budget_address_key
from .limits import MAX_KEYS, Budget, TokenBucket

log = logging.getLogger(__name__)

FRAME_COST = 512  # bytes charged for every frame on top of its payload
EIO_ALLOWED = frozenset("134")  # Engine.IO from a websocket-only client: pong, message, close
SIO_ALLOWED = frozenset("012")  # Socket.IO: CONNECT, DISCONNECT, EVENT
MAX_CONNECTS = 3  # Socket.IO CONNECT attempts on one connection (refusals included)
EVENT_NAME_MAX = 64


EXPENSIVE = frozenset({"sync"})  # events that build a full snapshot for the sender
EVENT_FACTOR = 5  # the transport closes at this many times the app's own event rate limit


@dataclass(frozen=True)
class TransportLimits:
    """Every number: 0 switches that limit off."""

    max_message_bytes: int = 64 * 1024
    bytes_per_second: float = 64 * 1024
    burst_bytes: int = 512 * 1024
    proof_seconds: float = 10.0
    event_rate: float = 100.0  # five times the app's EVENT_RATE
    event_burst: int = 200
    resync_per_address: float = 5.0
    resync_per_session: float = 20.0
    screens_per_address: int = 20
    screen_connects_per_minute: float = 30.0
    polling: bool = True
    polling_unproven_per_address: int = 50
    console_connects_per_minute: float = 30.0

    @classmethod
    def from_config(cls, cfg: dict) -> TransportLimits:
        return cls(
            max_message_bytes=cfg["MAX_MESSAGE_BYTES"],
            bytes_per_second=cfg["SOCKET_BYTES_PER_SECOND"],
            burst_bytes=cfg["SOCKET_BURST_BYTES"],
            proof_seconds=cfg["PROOF_SECONDS"],
            event_rate=EVENT_FACTOR * cfg["EVENT_RATE"],
            event_burst=EVENT_FACTOR * cfg["EVENT_BURST"],
            resync_per_address=cfg["RESYNC_PER_ADDRESS"],
            resync_per_session=cfg["RESYNC_PER_SESSION"],
            screens_per_address=cfg["SCREENS_PER_ADDRESS"],
            screen_connects_per_minute=cfg["SCREEN_CONNECTS_PER_MINUTE"],
            polling=cfg["POLLING"],
            polling_unproven_per_address=cfg["POLLING_UNPROVEN_PER_ADDRESS"],
            console_connects_per_minute=cfg["CONSOLE_CONNECTS_PER_MINUTE"],
        )


@lru_cache(maxsize=4096)  # ipaddress is slow, and a venue has one address or a few
def address_key(address: str | None) -> str:
    """The unit that limits count, as the HTTP budgets count it (`budgets.address_key`): an
    IPv4 address, or an IPv6 /64."""
    return budget_address_key(address)


class QuietLog:
    """A warning per client address at most once per `period` seconds, and at most `total`
    warnings per period in all; what is held back is counted and said with the next line."""

    def __init__(
        self,
        logger: logging.Logger,
        period: float = 60.0,
        total: int = 60,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ):
        self.logger, self.period, self.total, self.clock = logger, period, total, clock
        self.max_keys = max_keys
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._window_start = clock()
        self._in_window = 0
        self._lock = threading.Lock()

    def warning(self, key: str, message: str, *args, exc_info: bool = False) -> bool:
        """True if the line was written (with the traceback being handled, if `exc_info`)."""
        with self._lock:
            now = self.clock()
            if now - self._window_start >= self.period:
                self._window_start, self._in_window = now, 0
            last = self._last.get(key)
            if (last is not None and now - last < self.period) or self._in_window >= self.total:
                if len(self._held) < self.max_keys or key in self._held:
                    self._held[key] = self._held.get(key, 0) + 1
                return False
            if len(self._last) >= self.max_keys:  # bounded memory under a spray of addresses
                self._last.clear()
            self._last[key] = now
            self._in_window += 1
            held = self._held.pop(key, 0)
        if held:
            message += " (%d more from this address held back)"
            args = (*args, held)
        self.logger.warning(message, *args, exc_info=exc_info)
        return True


class Link:
    """One Engine.IO connection as the guard sees it."""

    __slots__ = (
        "sid",
        "address",
        "bucket",
        "events",
        "deadline",
        "proven",
        "connects",
        "closed",
        "abort",
        "environ",
        "role",
        "session",
        "screen",
        "ws",
        "polling",
    )

    def __init__(
        self,
        sid: str,
        address: str,
        bucket: TokenBucket,
        events: TokenBucket,
        deadline: float,
        environ: dict,
    ):
        self.sid, self.address, self.deadline = sid, address, deadline
        self.bucket, self.events = bucket, events
        self.environ = environ
        self.proven = False
        self.connects = 0
        self.closed = False
        self.role: str | None = None  # once proven: the role the app accepted
        self.session: str | None = None  # and the join code it was accepted for
        self.screen = False  # counted in Transport.screens
        self.ws: Any = None  # the checked WebSocket, once open
        self.polling = False  # opened by a long-polling handshake and not proven yet
        self.abort: Callable[[], None] | None = None  # cuts the TCP connection

    def charge(self, nbytes: int) -> bool:
        return self.bucket.take(nbytes)


def shut(sock) -> None:
    """End a TCP connection from this side, whoever is blocked reading it."""
    try:
        sock.shutdown(socket_module.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


def fast_mask(data: bytes, mask, length: int | None = None, offset: int = 0) -> bytes:
    """XOR with the 4-byte client mask as one big-integer operation (eventlet does it one byte
    at a time in Python: 60 KB frames at 3 MB/s were enough to keep the server busy)."""
    n = len(data) if length is None else length
    if n <= 0:
        return b""
    key = bytes(mask[(offset + i) % 4] for i in range(4))
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data[:n], "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


class Transport:
    """Installs the checks on a Flask-SocketIO server (any async mode)."""

    def __init__(
        self,
        socketio,
        limits: TransportLimits,
        gate=None,
        clock: Callable[[], float] = time.monotonic,
        quiet: QuietLog | None = None,
    ):
        self.server = socketio.server
        self.eio = self.server.eio
        self.limits, self.gate, self.clock = limits, gate, clock
        self.quiet = quiet or QuietLog(log)
        self.links: dict[str, Link] = {}
        self.screens: dict[str, int] = {}  # address -> screen connections held
        self.unproven_polling: dict[str, int] = {}  # address -> polling sessions not proven
        self.resyncs = Budget(
            limits.resync_per_address,
            int(4 * limits.resync_per_address),
            limits.resync_per_session,
            int(3 * limits.resync_per_session),
            clock,
        )
        self.console_resyncs = AddressBudget(
            limits.resync_per_address, int(4 * limits.resync_per_address), clock, MAX_KEYS
        )
        self.screen_connects = AddressBudget(
            limits.screen_connects_per_minute / 60,
            limits.screens_per_address or 20,
            clock,
            MAX_KEYS,
        )
        self.console_connects = AddressBudget(
            limits.console_connects_per_minute / 60, 20, clock, MAX_KEYS
        )
        self._lock = threading.Lock()
        self._sweeping = False
        eio = self.eio
        eio._async = {**eio._async, "websocket": websocket_class(eio.async_mode, self)}
        self._on_eio_connect = eio.handlers["connect"]
        self._on_eio_disconnect = eio.handlers["disconnect"]
        eio.on("connect", self._connect)
        eio.on("message", self._message)
        eio.on("disconnect", self._disconnect)
        self._handle_request = eio.handle_request
        eio.handle_request = self._request  # every HTTP request Engine.IO answers

    # ----- Engine.IO events -----------------------------------------------------------------

    def _connect(self, eio_sid: str, environ: dict):
        address = address_key(environ.get("REMOTE_ADDR"))
        limits = self.limits
        polling = polling_request(environ)
        if polling:
            if not limits.polling:
                return False
            cap = limits.polling_unproven_per_address
            with self._lock:
                held = self.unproven_polling.get(address, 0)
                if cap and held >= cap:
                    refuse = True
                else:
                    refuse = False
                    self.unproven_polling[address] = held + 1
            if refuse:
                self.quiet.warning(
                    address,
                    "refused a polling session from %s: %d unproven already",
                    address,
                    held,
                )
                return False
        elif not websocket_handshake(environ):
            # Engine.IO makes its socket (and a ping task that holds it for 20 s) before the
            # upgrade: refuse here, or every malformed upgrade request costs that memory.
            return False
        link = Link(
            eio_sid,
            address,
            TokenBucket(limits.bytes_per_second, limits.burst_bytes, clock=self.clock),
            TokenBucket(limits.event_rate, limits.event_burst, clock=self.clock),
            self.clock() + limits.proof_seconds,
            environ,
        )
        if polling:
            link.polling = True
            link.abort = lambda: self._close_session(eio_sid)
        with self._lock:
            self.links[eio_sid] = link
            start = not self._sweeping
            self._sweeping = True
        if start:
            self.eio.start_background_task(self._sweep)
        accepted = self._on_eio_connect(eio_sid, environ)
        if accepted is False:
            with self._lock:
                self.links.pop(eio_sid, None)
            self._polling_proven(link)
        return accepted

    def _disconnect(self, eio_sid: str, reason=None):
        with self._lock:
            link = self.links.pop(eio_sid, None)
            if link is not None and link.screen:
                left = self.screens.get(link.address, 0) - 1
                if left > 0:
                    self.screens[link.address] = left
                else:
                    self.screens.pop(link.address, None)
                link.screen = False
        if link is not None:
            link.closed = True
            self._polling_proven(link)
        return self._on_eio_disconnect(eio_sid, reason)

    def _message(self, eio_sid: str, data) -> None:
        link = self.links.get(eio_sid)
        if link is None or link.closed:
            return
        pkt, reason = self.check(link, data)
        if reason or pkt is None:
            self.violation(link, reason or "no packet")
            return
        server = self.server
        try:
            if pkt.packet_type == sio_packet.EVENT:
                server._handle_event(eio_sid, pkt.namespace, pkt.id, pkt.data)
            elif pkt.packet_type == sio_packet.CONNECT:
                server._handle_connect(eio_sid, pkt.namespace, pkt.data)
                if server.manager.sid_from_eio_sid(eio_sid, "/") is not None:
                    self._proven(link, pkt.data)
            else:  # DISCONNECT
                server._handle_disconnect(eio_sid, pkt.namespace, server.reason.CLIENT_DISCONNECT)
        except Exception:  # noqa: BLE001 - a packet that passed the checks and still failed
            self.violation(link, "a packet the server could not handle", exc_info=True)

    # ----- long-polling ---------------------------------------------------------------------

    def _request(self, environ: dict, start_response):
        """A POST of a long-polling session: bounded, budgeted and checked packet by packet
        before Engine.IO reads it; a refusal closes the session."""
        if environ.get("REQUEST_METHOD") != "POST":
            return self._handle_request(environ, start_response)
        sid = query_value(environ, "sid")
        link = self.links.get(sid) if sid else None
        if link is None or link.closed:
            return self._handle_request(environ, start_response)  # Engine.IO answers 400
        reason = None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.limits.max_message_bytes:
            reason = f"POST body of {environ.get('CONTENT_LENGTH')!r} bytes"
            body = b""
        else:
            body = environ["wsgi.input"].read(length)
            try:
                packets = body.decode("utf-8").split("\x1e")
            except UnicodeDecodeError:
                packets, reason = [], "POST body is not UTF-8"
            if not reason and not link.charge(len(body) + FRAME_COST * len(packets)):
                reason = "sending too fast"
            for data in packets:
                reason = reason or self.frame_problem(data)
        if reason:
            self.violation(link, reason)
            start_response(
                "400 Bad Request", [("Content-Type", "text/plain"), ("Connection", "close")]
            )
            return [b"refused"]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self._handle_request(environ, start_response)

    def _close_session(self, eio_sid: str) -> None:
        sock = self.eio.sockets.get(eio_sid)
        if sock is not None:
            sock.close(wait=False, abort=True)

    def _polling_proven(self, link: Link) -> None:
        """The polling session proved itself (or went): no longer counted against its address."""
        with self._lock:
            if not link.polling:
                return
            link.polling = False
            left = self.unproven_polling.get(link.address, 0) - 1
            if left > 0:
                self.unproven_polling[link.address] = left
            else:
                self.unproven_polling.pop(link.address, None)

    def is_proven(self, eio_sid: str | None) -> bool:
        """Whether an Engine.IO session has completed its Socket.IO CONNECT (run.py's gate
        stops counting the connections that carry its polling requests)."""
        link = self.links.get(eio_sid) if eio_sid else None
        return link is not None and link.proven and not link.closed

    # ----- checks ---------------------------------------------------------------------------

    def check(self, link: Link, data) -> tuple[sio_packet.Packet | None, str | None]:
        """(the parsed Socket.IO packet, None) or (None, why it is refused)."""
        if not isinstance(data, str):
            return None, "binary message"
        if not data or data[0] not in SIO_ALLOWED:
            return None, f"Socket.IO packet type {data[:1]!r}"
        try:
            pkt = sio_packet.Packet(encoded_packet=data)
        except Exception:  # noqa: BLE001 - ValueError, RecursionError, ...: all malformed
            return None, "malformed packet"
        if pkt.attachment_count or pkt.namespace not in (None, "/"):
            return None, "binary packet or other namespace"
        connected = self.server.manager.sid_from_eio_sid(link.sid, "/") is not None
        if pkt.packet_type == sio_packet.EVENT:
            d = pkt.data
            if not (
                isinstance(d, list) and d and isinstance(d[0], str) and len(d[0]) <= EVENT_NAME_MAX
            ):
                return None, "malformed event"
            if not connected:
                return None, "event before connect"
            if not link.events.take():
                return None, "sending too many events"
            if d[0] in EXPENSIVE and not (
                self.console_resyncs.allow(link.address)
                if link.role == "console"
                else self.resyncs.allow(link.address, link.session)
            ):
                return None, "resyncing too often"
        elif pkt.packet_type == sio_packet.CONNECT:
            link.connects += 1
            if connected or link.connects > MAX_CONNECTS:
                return None, "connect again"
            if pkt.data is not None and not isinstance(pkt.data, dict):
                return None, "malformed connect"
            if isinstance(pkt.data, dict) and pkt.data.get("role") == "screen":
                cap = self.limits.screens_per_address  # 0: no limit
                if cap and self.screens.get(link.address, 0) >= cap:
                    return None, "too many screens from one address"
                if not self.screen_connects.allow(link.address):
                    return None, "screens reconnecting too often from one address"
            if isinstance(pkt.data, dict) and pkt.data.get("role") == "console":
                if not self.console_connects.allow(link.address):
                    return None, "consoles connecting too often from one address"
        return pkt, None

    def frame_problem(self, data) -> str | None:
        """An Engine.IO packet from a websocket-only browser: "3" (pong), "1" (close) or
        "4" followed by a Socket.IO packet type; nothing else (and no payload on pongs, which
        Engine.IO would otherwise feed to its JSON parser)."""
        if not isinstance(data, str):
            return "binary message"
        if not data or data[0] not in EIO_ALLOWED:
            return f"Engine.IO packet type {data[:1]!r}"
        if data[0] == "4":
            if len(data) < 2 or data[1] not in SIO_ALLOWED:
                return f"Socket.IO packet type {data[1:2]!r}"
        elif len(data) > 1:
            return "payload on a control packet"
        return None

    # ----- outcomes -------------------------------------------------------------------------

    def _proven(self, link: Link, auth) -> None:
        if link.proven:
            return
        link.proven = True
        self._polling_proven(link)
        if isinstance(auth, dict):  # what the app's connect handler has just accepted
            link.role = auth.get("role") if isinstance(auth.get("role"), str) else None
            code = auth.get("code")
            link.session = "".join(code.split()).upper() if isinstance(code, str) else None
        if link.role == "screen":
            with self._lock:
                link.screen = True
                self.screens[link.address] = self.screens.get(link.address, 0) + 1
        ticket = link.environ.get("facilitator.ticket")
        if ticket is not None and self.gate is not None:
            self.gate.prove(ticket)

    def violation(self, link: Link, reason: str, cut: bool = True, exc_info: bool = False) -> None:
        """Close the connection for `reason`; one quiet log line (with the traceback of the
        exception being handled, if `exc_info`). `cut`: also end the TCP connection here (the
        WebSocket layer closes it itself when it found the problem)."""
        if link.closed:
            return
        link.closed = True
        self.quiet.warning(
            link.address,
            "closed a socket connection from %s: %s",
            link.address,
            reason,
            exc_info=exc_info,
        )
        if cut and link.abort is not None:
            link.abort()

    def _sweep(self) -> None:
        """Close connections that have not proved themselves in time."""
        while True:
            self.eio.sleep(1.0)
            if not self.limits.proof_seconds:  # 0: no deadline
                continue
            now = self.clock()
            late = [
                link
                for link in list(self.links.values())
                if not link.proven and not link.closed and now > link.deadline
            ]
            for link in late:
                self.violation(link, f"no Socket.IO connect within {self.limits.proof_seconds:g} s")


# ----- the WebSocket layer, per async mode -------------------------------------------------


def _link_of(transport: Transport, handler) -> Link | None:
    """The link of the Engine.IO socket whose websocket handler this is."""
    sid = getattr(getattr(handler, "__self__", None), "sid", None)
    return None if sid is None else transport.links.get(sid)


def query_value(environ: dict, name: str) -> str | None:
    """One parameter of the request's query string (None: absent, or a query no client sends)."""
    try:
        values = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=16).get(name)
    except ValueError:
        return None
    return values[0] if values else None


def polling_request(environ: dict) -> bool:
    """A long-polling handshake (not a WebSocket upgrade)."""
    return (
        query_value(environ, "transport") == "polling"
        and environ.get("HTTP_UPGRADE", "").lower() != "websocket"
    )


def websocket_handshake(environ: dict) -> bool:
    """An RFC 6455 opening handshake (version 13, a 16-byte key in base64)."""
    key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
    if environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13" or len(key) != 24:
        return False
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


def forget(handler) -> None:
    """Close the Engine.IO socket of a WebSocket upgrade that failed (Engine.IO creates it
    first, and would otherwise keep it until its pings time out: 40 s of memory for every
    malformed upgrade request)."""
    sock = getattr(handler, "__self__", None)
    if sock is not None:
        sock.close(wait=False, abort=True)


def websocket_class(mode: str, transport: Transport):
    if mode == "eventlet":
        return _eventlet_websocket(transport)
    if mode in ("gevent", "threading"):
        return _simple_websocket(mode, transport)
    raise ValueError(f"async mode {mode!r} is not supported")


def _eventlet_websocket(transport: Transport):
    from engineio.async_drivers.eventlet import WebSocketWSGI
    from eventlet import websocket as ews

    class Message(ews.RFC6455WebSocket.Message):
        """Counts a message across its fragments; eventlet bounds only each frame."""

        size = 0

        def push(self, data, final=False):
            self.size += len(data)
            if self.size > self.max_frame_length:
                raise ews.FailedConnectionError(1009, "Message too big")
            super().push(data, final)

    class GuardedSocket(ews.RFC6455WebSocket):
        link: Link

        _apply_mask = staticmethod(fast_mask)

        def _recv_frame(self, message=None):
            link = self.link
            if link.closed:
                raise ews.ConnectionClosedError()
            before = message.size if message is not None else 0
            try:
                got = super()._recv_frame(message)
            except ews.FailedConnectionError as exc:
                transport.violation(link, f"WebSocket: {exc.message}", cut=False)
                raise
            if got.opcode == 2:
                transport.violation(link, "binary message", cut=False)
                raise ews.FailedConnectionError(1003, "Binary messages are not accepted")
            grew = got.size - before if got is message else got.size
            if not link.charge(grew + FRAME_COST):
                transport.violation(link, "sending too fast", cut=False)
                raise ews.FailedConnectionError(1008, "Sending too fast")
            return got

        def wait(self):
            data = super().wait()
            if data is None or self.link.closed:
                return None
            reason = transport.frame_problem(data)
            if reason:
                transport.violation(self.link, reason, cut=False)
                self.close(close_data=(1008, "Policy violation"))
                return None
            return data

    GuardedSocket.Message = Message

    class GuardedWSGI(WebSocketWSGI):
        def __init__(self, handler, server):
            super().__init__(handler, server)
            self.support_legacy_versions = False  # hixie-76 buffers without a bound

        def __call__(self, environ, start_response):
            self.link = _link_of(transport, self.handler)
            if self.link is None or self.link.closed:
                start_response("400 Bad Request", [("Connection", "close")])
                return []
            try:
                return super().__call__(environ, start_response)
            finally:
                if self.link.ws is None:  # the upgrade failed: no Engine.IO socket either
                    forget(self.handler)

        def _handle_hybi_request(self, environ):
            ws = super()._handle_hybi_request(environ)
            ws.__class__ = GuardedSocket  # same object, checked methods
            ws.iterator = ws._iter_frames()
            link = self.link
            assert link is not None, "__call__ refused a request without a link"
            ws.link = link
            raw = ws.socket
            link.ws = ws
            link.abort = lambda: shut(raw)
            return ws

    return GuardedWSGI


def _simple_websocket(mode: str, transport: Transport):
    import simple_websocket
    from wsproto.events import BytesMessage, TextMessage

    if mode == "gevent":
        from engineio.async_drivers.gevent import WebSocketWSGI as Base
    else:
        from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI as Base

    class Refused(OSError):
        """Ends simple-websocket's reader thread (it stops on OSError)."""

    class GuardedServer(simple_websocket.Server):
        def __init__(self, environ, link: Link, **kwargs):
            self.link = link
            super().__init__(environ, max_message_size=transport.limits.max_message_bytes, **kwargs)

        def handshake(self):
            super().handshake()
            link, ws = self.link, self.ws
            receive, events = ws.receive_data, ws.events

            def receive_data(data):
                if link.closed:
                    raise Refused()
                if data is not None and not link.charge(len(data)):
                    self._refuse("sending too fast")
                return receive(data)

            def checked_events():
                for event in events():
                    if isinstance(event, BytesMessage):
                        self._refuse("binary message")
                    if isinstance(event, TextMessage) and not link.charge(FRAME_COST):
                        self._refuse("sending too fast")
                    yield event

            ws.receive_data = receive_data
            ws.events = checked_events

        def _handle_events(self):
            keep_going = super()._handle_events()
            if not keep_going and self.incoming_message_len > self.max_message_size:
                transport.violation(self.link, "message too big")
            return keep_going

        def _refuse(self, reason: str):
            # Cut: this thread only closes its copy of the socket; the server's stays open.
            transport.violation(self.link, reason)
            raise Refused(reason)

    class GuardedWSGI(Base):
        def __call__(self, environ, start_response):
            link = _link_of(transport, self.app)
            if link is None or link.closed:
                start_response("400 Bad Request", [("Connection", "close")])
                return []
            try:
                self.ws = GuardedServer(environ, link, **self.server_args)
            except Exception:  # noqa: BLE001 - not a WebSocket handshake: no socket either
                forget(self.app)
                start_response("400 Bad Request", [("Connection", "close")])
                return []
            link.ws = self.ws
            ws = self.ws

            def abort():
                ws.input_buffer.clear()
                shut(ws.sock)
                ws.event.set()

            link.abort = abort
            ret = self.app(self)
            if self.ws.mode == "gunicorn":
                raise StopIteration()
            elif self.ws.mode == "werkzeug":
                raise ConnectionError()
            return ret

        def wait(self):
            link = self.ws.link
            data = super().wait()
            if data is None or link.closed:
                return None
            reason = transport.frame_problem(data)
            if reason:
                transport.violation(link, reason)
                return None
            return data

    return GuardedWSGI
