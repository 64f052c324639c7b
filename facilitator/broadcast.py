"""The one place that emits (principles 4 and 5, docs/architecture.md).

Rooms: one per session and audience (`s<ID>:console`, `s<ID>:screen`, `s<ID>:phones`) and one
per participant (`p<ID>`, all of one person's open tabs). A stage change sends each audience
one full snapshot; a vote only marks tallies dirty, and the screen and console receive them
coalesced, at most once per `coalesce_ms`. Phones never get tallies: a vote's cost does not
grow with the room. The voter's reply carries their new ballot; their other pages get it as
`ballot`.

A page that (re)connects, or asks to resync, gets the public snapshot of its audience (phones'
`stage`, the screen's) from a cache when nothing has changed since it was built: the session's
revision in the database is the same and no change passed through this broadcaster since. A
thousand phones reconnecting at once, or screens asking again and again, cost one build. With
several processes (`shared_counts`), tallies change elsewhere without a trace here, so only
snapshots without tallies or results are cached then.

The console also gets `devices`: how many phones are connected and how many run an older page
than the server's (`census`, from events/registry.py `Connections.census`). A phone connecting
or leaving asks for it; it goes out at most once per `devices_ms` per session, so a room of
phones reconnecting at once costs one count and one message every few seconds. It counts this
process's connections: each message carries the process's `process` token, and the console
adds up the latest message of each process (docs/architecture.md, "Phones in the console").
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from .services import Change
from .snapshots import Snapshots


def room(session_id: int, audience: str) -> str:
    return f"s{session_id}:{audience}"


def person(participant_id: int) -> str:
    return f"p{participant_id}"


class Broadcaster:
    def __init__(
        self,
        socketio,
        snapshots: Snapshots,
        coalesce_ms: int = 100,
        settle_ms: int | None = None,
        shared_counts: bool = False,
        devices_ms: int = 3000,
    ):
        self.socketio = socketio
        self.snapshots = snapshots
        self.shared_counts = shared_counts
        # (session, audience) -> (revision, epoch, snapshot); epoch: changes seen here
        self._public: dict[tuple[int, str], tuple[int, int, dict]] = {}
        self._epoch: dict[int, int] = {}
        self.coalesce_s = coalesce_ms / 1000
        # The last word: once a session's tallies have been quiet this long, one more flush.
        self.settle_s = (3 * coalesce_ms if settle_ms is None else settle_ms) / 1000
        self._last_flush: dict[int, float] = {}
        self._last_change: dict[int, float] = {}
        self._scheduled: set[int] = set()
        self._settling: set[int] = set()
        self._console_dirty: set[int] = set()  # more than the tallies changed: full snapshot
        self._lock = threading.Lock()
        # The console's count of phones: set by create_app (this process's connections).
        self.census: Callable[[int], dict[str, int]] | None = None
        self.process = secrets.token_hex(4)
        self.devices_s = devices_ms / 1000
        self._devices_sent: dict[int, float] = {}
        self._devices_due: set[int] = set()

    # ----- after a command ------------------------------------------------------------------

    def publish(self, change: Change | None, sender: str | None = None) -> None:
        """`sender`: the connection that made the change; it has the reply already."""
        if change is None:
            return
        sid = change.session_id
        self._changed(sid)
        if change.stage:
            self.stage(sid)
        elif change.counts:
            if change.console:
                with self._lock:
                    self._console_dirty.add(sid)
            self._counts_soon(sid)
        elif change.console:
            self.socketio.emit("stage", self.snapshots.console(sid), to=room(sid, "console"))
        for pid in change.participants:
            self.me(sid, pid)
        if change.echo is not None:  # the person's other pages (tabs, devices)
            self.socketio.emit("ballot", change.reply, to=person(change.echo), skip_sid=sender)

    def stage(self, session_id: int) -> None:
        """Full snapshots to every audience of the session."""
        with self._lock:
            self._last_flush[session_id] = time.monotonic()
        emit = self.socketio.emit
        epoch = self._epoch.get(session_id, 0)
        phones, screen = self.snapshots.stage(session_id), self.snapshots.screen(session_id)
        self._keep(session_id, "phone", epoch, phones)
        self._keep(session_id, "screen", epoch, screen)
        emit("stage", phones, to=room(session_id, "phones"))
        emit("stage", screen, to=room(session_id, "screen"))
        emit("stage", self.snapshots.console(session_id), to=room(session_id, "console"))

    def me(self, session_id: int, participant_id: int, to: str | None = None) -> None:
        self.socketio.emit(
            "me", self.snapshots.me(session_id, participant_id), to=to or person(participant_id)
        )

    # ----- coalesced tallies ----------------------------------------------------------------

    def _counts_soon(self, session_id: int) -> None:
        """Flush now if the last flush is old enough, else once at the deadline. The event path
        checks the deadline too, so a saturated server cannot starve the flush."""
        now = time.monotonic()
        with self._lock:
            self._last_change[session_id] = now
            settle = self.settle_s > 0 and session_id not in self._settling
            if settle:
                self._settling.add(session_id)
            due = self._last_flush.get(session_id, 0.0) + self.coalesce_s
            if now >= due:
                self._last_flush[session_id] = now
                action = "now"
            elif session_id in self._scheduled:
                action = None  # a flush is already on its way
            else:
                self._scheduled.add(session_id)
                action = "later"
        if settle:
            self.socketio.start_background_task(self._settle, session_id)
        if action == "now":
            self._flush_counts(session_id)
        elif action == "later":
            self.socketio.start_background_task(self._flush_later, session_id, due - now)

    def _flush_later(self, session_id: int, delay: float) -> None:
        self.socketio.sleep(delay)
        with self._lock:
            self._scheduled.discard(session_id)
            self._last_flush[session_id] = time.monotonic()
        self._flush_counts(session_id)

    def _settle(self, session_id: int) -> None:
        """One more flush once the session's tallies have been quiet for `settle_s`. Flushes
        read the database and can overtake one another on their way to a page (reads that yield
        on PostgreSQL; with several processes, one process's flush arrives through Redis after
        another's): the last word is read after every change it follows."""
        while True:
            with self._lock:
                wait = self._last_change[session_id] + self.settle_s - time.monotonic()
                if wait <= 0:
                    self._settling.discard(session_id)
                    break
            self.socketio.sleep(wait)
        self._flush_counts(session_id)

    def _flush_counts(self, session_id: int) -> None:
        """Head counts (and live results) to the screen, tallies to the console: one read. The
        console gets its full snapshot only if a coalesced change was more than a tally (a
        join adds a name to its list of people)."""
        with self._lock:
            full = session_id in self._console_dirty
            self._console_dirty.discard(session_id)
        screen, console = self.snapshots.counts(session_id)
        if screen is None:  # the session was erased meanwhile
            return
        self.socketio.emit("counts", screen, to=room(session_id, "screen"))
        if full:
            self.socketio.emit(
                "stage", self.snapshots.console(session_id), to=room(session_id, "console")
            )
        else:
            self.socketio.emit("counts", console, to=room(session_id, "console"))

    # ----- the console's count of phones -----------------------------------------------------

    def devices(self, session_id: int) -> dict | None:
        """This process's count of the session's phones, as the console receives it."""
        if self.census is None:
            return None
        return {**self.census(session_id), "process": self.process}

    def devices_soon(self, session_id: int) -> None:
        """A phone connected or left: the console's count, now if the last one went out
        `devices_s` ago, else once at that deadline (one message however many phones moved)."""
        if self.census is None:
            return
        with self._lock:
            if session_id in self._devices_due:
                return  # a count is already on its way; it reads the connections when it goes
            self._devices_due.add(session_id)
            wait = self._devices_sent.get(session_id, 0.0) + self.devices_s - time.monotonic()
        self.socketio.start_background_task(self._devices_later, session_id, wait)

    def _devices_later(self, session_id: int, wait: float) -> None:
        if wait > 0:
            self.socketio.sleep(wait)
        with self._lock:
            self._devices_due.discard(session_id)
            self._devices_sent[session_id] = time.monotonic()
            if len(self._devices_sent) > 4 * self.MAX_CACHED:  # bounded: only recent ones matter
                horizon = time.monotonic() - self.devices_s
                for old in [k for k, at in self._devices_sent.items() if at < horizon]:
                    del self._devices_sent[old]
        count = self.devices(session_id)
        if count is not None:
            self.socketio.emit("devices", count, to=room(session_id, "console"))

    def gone(self, session_id: int) -> None:
        """The session was erased: every page of it is told, then its rooms are closed."""
        self._changed(session_id)
        for audience in ("phones", "screen", "console"):
            self.socketio.emit("gone", {}, to=room(session_id, audience))
            self.socketio.close_room(room(session_id, audience))

    # ----- to one connection ----------------------------------------------------------------

    def welcome(self, sid: str, session_id: int, role: str, participant_id: int | None) -> None:
        """The full state a connection needs the moment it (re)connects."""
        if role == "console":
            snap = self.snapshots.console(session_id)
        else:
            snap = self.public(session_id, role)
        self.socketio.emit("stage", snap, to=sid)
        if role == "console":
            count = self.devices(session_id)
            if count is not None:
                self.socketio.emit("devices", count, to=sid)
        if participant_id is not None:
            self.me(session_id, participant_id, to=sid)

    # ----- the cache of public snapshots ----------------------------------------------------

    MAX_CACHED = 512  # (session, audience) pairs

    def _changed(self, session_id: int) -> None:
        with self._lock:
            self._epoch[session_id] = self._epoch.get(session_id, 0) + 1
            if len(self._epoch) > 4 * self.MAX_CACHED:  # bounded: forget the oldest sessions
                for old in list(self._epoch)[: self.MAX_CACHED]:
                    del self._epoch[old]
                self._public.clear()

    def _keep(self, session_id: int, audience: str, epoch: int, snap: dict) -> None:
        """Cache a public snapshot read after `epoch` changes (unless it holds tallies that
        other processes change unseen)."""
        if self.shared_counts and (audience == "screen" or snap.get("results") is not None):
            return
        with self._lock:
            if len(self._public) >= self.MAX_CACHED:
                self._public.pop(next(iter(self._public)))
            self._public[(session_id, audience)] = (snap["rev"], epoch, snap)

    def public(self, session_id: int, audience: str) -> dict:
        """The phones' or the screen's snapshot, from the cache when still current."""
        build = self.snapshots.screen if audience == "screen" else self.snapshots.stage
        entry = self._public.get((session_id, audience))
        epoch = self._epoch.get(session_id, 0)
        if entry is not None and entry[1] == epoch:
            rev, _epoch, snap = entry
            # Same revision in the database (another process may have changed the stage),
            # and the same address for joining (it follows the request without a public URL).
            if rev == self.snapshots.revision(session_id) and snap["session"][
                "join_url"
            ] == self.snapshots.join_url(snap["session"]["code"]):
                return {**snap, "server_now": self.snapshots.clock()}
        snap = build(session_id)
        self._keep(session_id, audience, epoch, snap)
        return snap
