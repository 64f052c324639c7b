"""The door of run.py's own servers: connections that have not proved anything, per address.

A TCP connection is *unproven* from the moment it is accepted until it completes a Socket.IO
CONNECT with a valid role (`facilitator.transport` says so). While unproven:

- one client address may hold at most `per_address` connections, and all addresses together
  at most `total`; a connection beyond that is answered "503 Service Unavailable" and closed at
  once (a browser's Socket.IO client tries again a moment later). When the total is reached, a
  newcomer from an address that holds fewer than the address holding most is let in, and the
  oldest unproven connection of that address is closed instead: a few addresses filling the
  total (four at 500 each) cannot keep everyone else out;
- it must deliver a complete HTTP request within `request_seconds` of being accepted, and
  the next one within `idle_seconds` of the end of the previous one (an idle keep-alive
  connection is closed then: a page and its assets take a moment, and a browser opens a new
  connection for whatever comes later);
- the app has `busy_seconds` to answer a request (reading its body and writing the answer to
  a slow client included);
- a WebSocket must complete the Socket.IO CONNECT within `proof_seconds` of its upgrade.

Proven connections are not counted and not timed here (Engine.IO's pings time them out): a
venue's thousands of phones behind one NAT address stay connected. The accounting (`Gate`) is
pure; `eventlet_pool`, `gevent_server` and `GateMiddleware` plug it into the two servers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .transport import address_key, shut

REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: close\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 29\r\n\r\n"
    b"Too many connections, retry.\n"
)


@dataclass(frozen=True)
class GateLimits:
    """Every number: 0 switches that limit off."""

    per_address: int = 500
    total: int = 2000
    request_seconds: float = 10.0
    idle_seconds: float = 3.0
    busy_seconds: float = 60.0
    proof_seconds: float = 10.0

    @classmethod
    def from_config(cls, cfg: dict) -> GateLimits:
        return cls(
            per_address=cfg["UNPROVEN_PER_ADDRESS"],
            total=cfg["UNPROVEN_TOTAL"],
            request_seconds=cfg["REQUEST_SECONDS"],
            idle_seconds=cfg["IDLE_SECONDS"],
            busy_seconds=cfg["BUSY_SECONDS"],
            proof_seconds=cfg["PROOF_SECONDS"],
        )


TRIM_AFTER = 200  # connections gone: time to give memory back
TRIM_EVERY_S = 10  # then this often
TRIM_FOR_S = 90  # for this long (read and write timers last 60 s)


def _malloc_trim() -> Callable[[int], object] | None:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None


# Looked up now: importing in the middle of an attack would leave long-lived objects among
# the connections' short-lived ones, and keep their memory from ever being released.
_TRIM = _malloc_trim()


def give_back_memory() -> None:
    """glibc keeps the memory of freed objects for the process; after a burst of connections
    (an attack, a reconnect storm) that is tens of megabytes the laptop never gets back.
    malloc_trim returns what is free."""
    if _TRIM is not None:
        _TRIM(0)


class Ticket:
    """One accepted connection."""

    __slots__ = ("key", "deadline", "proven", "released", "closer", "cut")

    def __init__(self, key: str, deadline: float, closer: Callable[[], None]):
        self.key, self.deadline, self.closer = key, deadline, closer
        self.proven = False
        self.released = False
        self.cut = False  # closed by the gate (what follows is no news)


class Gate:
    def __init__(self, limits: GateLimits, clock: Callable[[], float] = time.monotonic):
        self.limits, self.clock = limits, clock
        self.unproven: dict[str, int] = {}
        self.total = 0
        self.refused = 0
        self.released = 0
        self.evicted = 0
        self._open: set[Ticket] = set()  # unproven tickets (the sweep looks at these)
        self._by_key: dict[str, dict[Ticket, None]] = {}  # per address, oldest first
        self._lock = threading.Lock()

    def admit(self, address: str | None, closer: Callable[[], None]) -> Ticket | None:
        """A ticket for a new connection, or None: refuse it."""
        key = address_key(address)
        with self._lock:
            held = self.unproven.get(key, 0)
            limits = self.limits  # 0: no limit
            if (limits.per_address and held >= limits.per_address) or (
                limits.total and self.total >= limits.total and not self._evict_for(held)
            ):
                self.refused += 1
                return None
            self.unproven[key] = held + 1
            self.total += 1
            ticket = Ticket(key, self._after(limits.request_seconds), closer)
            self._open.add(ticket)
            self._by_key.setdefault(key, {})[ticket] = None
            return ticket

    def _evict_for(self, held: int) -> bool:
        """The total is reached: close the oldest unproven connection of the address that
        holds most, if it holds more than the newcomer's address would (caller holds the
        lock). False: nothing to take, refuse the newcomer."""
        heaviest = max(self.unproven, key=self.unproven.__getitem__, default=None)
        if heaviest is None or self.unproven[heaviest] <= held + 1:
            return False
        victim = next(iter(self._by_key[heaviest]))
        victim.cut = True
        self._forget(victim)
        self.evicted += 1
        victim.closer()
        return True

    def _forget(self, ticket: Ticket) -> None:
        """No longer unproven (caller holds the lock)."""
        if ticket in self._open:
            self._open.discard(ticket)
            mine = self._by_key.get(ticket.key)
            if mine is not None:
                mine.pop(ticket, None)
                if not mine:
                    del self._by_key[ticket.key]
            left = self.unproven.get(ticket.key, 0) - 1
            if left > 0:
                self.unproven[ticket.key] = left
            else:
                self.unproven.pop(ticket.key, None)
            self.total -= 1

    def _after(self, seconds: float) -> float:
        return self.clock() + seconds if seconds else float("inf")  # 0: no deadline

    def request_started(self, ticket: Ticket, websocket: bool) -> None:
        limits = self.limits
        ticket.deadline = self._after(limits.proof_seconds if websocket else limits.busy_seconds)

    def request_done(self, ticket: Ticket) -> None:
        ticket.deadline = self._after(self.limits.idle_seconds)

    def prove(self, ticket: Ticket) -> None:
        with self._lock:
            ticket.proven = True
            self._forget(ticket)

    def release(self, ticket: Ticket) -> None:
        """The connection is closed."""
        with self._lock:
            ticket.released = True
            self.released += 1
            self._forget(ticket)

    def overdue(self) -> list[Ticket]:
        now = self.clock()
        with self._lock:
            return [t for t in self._open if now > t.deadline]

    def sweep_forever(self, sleep: Callable[[float], None], every: float = 1.0) -> None:
        """Close every unproven connection past its deadline, once a second; after many
        connections have gone, give their memory back to the system, now and a few times
        more while what they held is freed (Engine.IO's ping tasks and the timers of their
        reads and writes outlive a connection by up to a minute)."""
        seen, trim_until, next_trim = self.released + self.refused, 0.0, 0.0
        while True:
            sleep(every)
            for ticket in self.overdue():
                ticket.cut = True
                ticket.closer()
            now = self.clock()
            if self.released + self.refused - seen >= TRIM_AFTER:
                seen, trim_until = self.released + self.refused, now + TRIM_FOR_S
            if now < trim_until and now >= next_trim:
                next_trim = now + TRIM_EVERY_S
                give_back_memory()


class GateMiddleware:
    """Outermost WSGI layer: tells the gate when a request starts and ends, and leaves the
    connection's ticket in the environ for the Socket.IO layer (`facilitator.ticket`)."""

    def __init__(
        self,
        app,
        gate: Gate,
        find_ticket: Callable[[dict], Ticket | None],
        proven: Callable[[dict], bool] | None = None,
    ):
        self.app, self.gate, self.find_ticket = app, gate, find_ticket
        # Whether a request belongs to a proven long-polling session: its connection is then
        # proven too (a polling phone's requests come over connections of their own).
        self.proven = proven

    def __call__(self, environ, start_response):
        ticket = self.find_ticket(environ)
        if ticket is None or ticket.proven:
            return self.app(environ, start_response)
        if self.proven is not None and self.proven(environ):
            self.gate.prove(ticket)
            return self.app(environ, start_response)
        environ["facilitator.ticket"] = ticket
        websocket = environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        self.gate.request_started(ticket, websocket)
        if websocket:  # lasts as long as the connection: the proof deadline runs
            return self.app(environ, start_response)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.gate.request_done(ticket)
            raise
        return _Body(body, lambda: self.gate.request_done(ticket))


class _Body:
    """A response body that reports when the server has finished writing it."""

    def __init__(self, inner, done: Callable[[], None]):
        self.inner, self.done = inner, done

    def __iter__(self):
        return iter(self.inner)

    def close(self):
        try:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


def refuse(sock) -> None:
    """Answer 503 (best effort: never wait for a client that does not read) and hang up."""
    try:
        sock.setblocking(False)
        sock.send(REFUSAL)
    except OSError:
        pass
    shut(sock)


def close_for_real(sock) -> None:
    """Close a finished connection's descriptor now. A connection that broke while its answer
    was being written leaves its makefile() readers to the garbage collector, and a socket
    with readers alive only pretends to close: thousands of descriptors of timed-out
    connections stayed open for minutes. Once the server is done with the connection, nothing
    reads it any more; the readers' own late close finds the socket closed and does nothing."""
    try:
        sock._io_refs = 0
        sock.close()
    except (OSError, AttributeError):
        pass


# ----- the two servers ----------------------------------------------------------------------


def eventlet_pool(size: int, gate: Gate):
    """An eventlet GreenPool for eventlet.wsgi.server(custom_pool=...) that asks the gate
    before running a connection; and the environ -> ticket lookup for GateMiddleware."""
    import eventlet

    by_socket: dict = {}

    class _Refused:
        """Stands for the green thread of a refused connection: eventlet.wsgi links its
        clean-up (which closes the socket) to it; run that at once."""

        def link(self, func, *args, **kwargs):
            func(self, *args, **kwargs)

    class GatedPool(eventlet.GreenPool):
        def spawn(self, function, conn, *args, **kwargs):
            addr, sock = conn[0], conn[1]
            host = addr[0] if isinstance(addr, tuple) else None
            ticket = gate.admit(host, lambda: shut(sock))
            if ticket is None:
                refuse(sock)
                return _Refused()
            by_socket[id(sock)] = ticket

            def run(*a, **kw):
                try:
                    return function(*a, **kw)
                finally:
                    by_socket.pop(id(sock), None)
                    gate.release(ticket)
                    close_for_real(sock)

            return super().spawn(run, conn, *args, **kwargs)

    def find_ticket(environ: dict) -> Ticket | None:
        inp = environ.get("eventlet.input")
        sock = inp.get_socket() if inp is not None else None
        return by_socket.get(id(sock)) if sock is not None else None

    return GatedPool(size), find_ticket


def gevent_server(gate: Gate, socket_timeout: float, quiet):
    """A gevent WSGIServer class that asks the gate before handling a connection, and the
    environ -> ticket lookup for GateMiddleware. `quiet` (a transport.QuietLog) takes what
    gevent would log about bad requests: one line per client address a minute at most."""
    from gevent import pywsgi
    from gevent.pywsgi import WSGIHandler, WSGIServer

    class GatedHandler(WSGIHandler):
        ticket: Ticket | None = None

        def _handle_client_error(self, ex):
            # gevent prints a traceback for each malformed or cut-off request: not here.
            return ("400", pywsgi._BAD_REQUEST_RESPONSE)

        def log_error(self, msg, *args):
            if self.ticket is not None and self.ticket.cut:
                return
            key = self.ticket.key if self.ticket is not None else "?"
            quiet.warning(key, "HTTP from %s: " + msg, key, *args)

        def get_environ(self):
            env = super().get_environ()
            if self.ticket is not None:
                env["facilitator.ticket.raw"] = self.ticket
            return env

    class GatedServer(WSGIServer):
        handler_class = GatedHandler

        def handle(self, sock, address):
            host = address[0] if isinstance(address, tuple) else None
            ticket = gate.admit(host, lambda: shut(sock))
            if ticket is None:
                refuse(sock)
                return
            try:
                # Bounds every read and write of the request; Engine.IO's pings keep a
                # WebSocket (a copy of this socket, with this timeout) busier than this.
                sock.settimeout(socket_timeout)
                handler = self.handler_class(sock, address, self)
                handler.ticket = ticket
                handler.handle()
            except OSError:
                # The client went away, or the gate cut it off (gevent would print a
                # traceback for each: a log that grows with an attack).
                pass
            finally:
                gate.release(ticket)

    def find_ticket(environ: dict) -> Ticket | None:
        return environ.get("facilitator.ticket.raw")

    return GatedServer, find_ticket
