"""The server's only timed wake-up (principle 2, docs/architecture.md): when a session's
overrun policy is "move on", sleep until the live pitch's grace period ends, then ask the
service to move on.

The wake-up is idempotent: `Service.auto_next` does nothing unless the same pitch is still
live and past its deadline, so a stale wake-up, a restart, or a second process waking for the
same deadline cannot skip a pitch.

Several processes: each arms for the changes it made itself, at start-up (`arm_all`) and, with
a message queue, every few seconds (`sweep`), so a timer started through another process is
kept even when that process dies. Every process that armed a deadline wakes for it; the
session row lock and `expect` in `Service.next` let exactly one of them move on.
"""

from __future__ import annotations

import logging
import threading

from .broadcast import Broadcaster
from .services import Service

log = logging.getLogger(__name__)


class Timekeeper:
    def __init__(self, socketio, service: Service, broadcaster: Broadcaster):
        self.socketio = socketio
        self.service = service
        self.broadcaster = broadcaster
        self._armed: dict[int, tuple[int, int]] = {}  # session -> (deadline, pitch) armed
        self._lock = threading.Lock()

    def arm(self, session_id: int) -> None:
        """Look at the session's deadline after a change; sleep towards it if it is new."""
        found = self.service.overrun_deadline(session_id)
        with self._lock:
            if found is None:
                self._armed.pop(session_id, None)
                return
            if self._armed.get(session_id) == found:
                return
            self._armed[session_id] = found
        log.info("timekeeper: armed session %s pitch %s due %s", session_id, found[1], found[0])
        self.socketio.start_background_task(self._wake_at, session_id, *found)

    def arm_all(self) -> None:
        """After a (re)start: every running timer may have a deadline to keep."""
        for session_id in self.service.sessions_with_running_timers():
            self.arm(session_id)

    def sweep(self, interval_s: float) -> None:
        """Forever: look at every running timer every `interval_s` seconds (one cheap query,
        plus one per running timer), and arm for deadlines this process has not seen."""
        while True:
            self.socketio.sleep(interval_s)
            try:
                self.arm_all()
            except Exception:  # the database may be away for a moment: try again next time
                log.exception("timekeeper sweep failed")

    def _wake_at(self, session_id: int, due: int, pitch_id: int) -> None:
        delay = (due - self.service.clock()) / 1000
        if delay > 0:
            self.socketio.sleep(delay + 0.05)
        with self._lock:
            superseded = self._armed.get(session_id) != (due, pitch_id)
            if not superseded:
                del self._armed[session_id]
        if superseded:  # re-armed or disarmed meanwhile: a newer wake-up owns the deadline
            log.info("timekeeper: woke for session %s pitch %s: superseded", session_id, pitch_id)
            return
        try:
            change = self.service.auto_next(session_id, pitch_id)
        except Exception:  # keep the server up; the next change re-arms
            log.exception("auto next failed for session %s", session_id)
            return
        log.info(
            "timekeeper: woke for session %s pitch %s: %s",
            session_id,
            pitch_id,
            "moved on" if change is not None else "nothing to do",
        )
        if change is not None:
            self.broadcaster.publish(change)
        self.arm(session_id)
