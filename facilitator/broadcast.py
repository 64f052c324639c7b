"""The one place that emits (DESIGN principles 4 and 5).

Rooms: one per session and audience (`s<ID>:console`, `s<ID>:screen`, `s<ID>:phones`) and one
per participant (`p<ID>`, all of one person's open tabs). A stage change sends each audience
one full snapshot; a vote only marks tallies dirty, and the screen and console receive them
coalesced, at most once per `coalesce_ms`. Phones never get tallies: a vote's cost does not
grow with the room. The voter's reply carries their new ballot; their other pages get it as
`ballot`.
"""
from __future__ import annotations

import threading
import time

from .services import Change
from .snapshots import Snapshots


def room(session_id: int, audience: str) -> str:
    return f"s{session_id}:{audience}"


def person(participant_id: int) -> str:
    return f"p{participant_id}"


class Broadcaster:
    def __init__(self, socketio, snapshots: Snapshots, coalesce_ms: int = 100,
                 settle_ms: int | None = None):
        self.socketio = socketio
        self.snapshots = snapshots
        self.coalesce_s = coalesce_ms / 1000
        # The last word: once a session's tallies have been quiet this long, one more flush.
        self.settle_s = (3 * coalesce_ms if settle_ms is None else settle_ms) / 1000
        self._last_flush: dict[int, float] = {}
        self._last_change: dict[int, float] = {}
        self._scheduled: set[int] = set()
        self._settling: set[int] = set()
        self._console_dirty: set[int] = set()  # more than the tallies changed: full snapshot
        self._lock = threading.Lock()

    # ----- after a command ------------------------------------------------------------------

    def publish(self, change: Change | None, sender: str | None = None) -> None:
        """`sender`: the connection that made the change; it has the reply already."""
        if change is None:
            return
        sid = change.session_id
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
        emit("stage", self.snapshots.stage(session_id), to=room(session_id, "phones"))
        emit("stage", self.snapshots.screen(session_id), to=room(session_id, "screen"))
        emit("stage", self.snapshots.console(session_id), to=room(session_id, "console"))

    def me(self, session_id: int, participant_id: int, to: str | None = None) -> None:
        self.socketio.emit("me", self.snapshots.me(session_id, participant_id),
                           to=to or person(participant_id))

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
            self.socketio.emit("stage", self.snapshots.console(session_id),
                               to=room(session_id, "console"))
        else:
            self.socketio.emit("counts", console, to=room(session_id, "console"))

    def gone(self, session_id: int) -> None:
        """The session was erased: every page of it is told, then its rooms are closed."""
        for audience in ("phones", "screen", "console"):
            self.socketio.emit("gone", {}, to=room(session_id, audience))
            self.socketio.close_room(room(session_id, audience))

    # ----- to one connection ----------------------------------------------------------------

    def welcome(self, sid: str, session_id: int, role: str, participant_id: int | None) -> None:
        """The full state a connection needs the moment it (re)connects."""
        snap = {"console": self.snapshots.console, "screen": self.snapshots.screen,
                "phone": self.snapshots.stage}[role](session_id)
        self.socketio.emit("stage", snap, to=sid)
        if participant_id is not None:
            self.me(session_id, participant_id, to=sid)
