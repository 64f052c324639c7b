"""The pitch countdown as data (principle 2, docs/architecture.md).

A timer is a small immutable value. While it runs it holds the absolute moment it reaches zero
(`ends_at`, epoch milliseconds of the server clock); while idle or paused it holds the time left
(`remaining_ms`). Nothing here ticks: every reading takes `now` from the caller, so the same
value gives the same answer on the server, in a test with a fake clock, and (sent with the
server's clock) in every browser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import RuleError

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
AMBER_MS = 30_000
RED_MS = 10_000
MAX_MS = 4 * 3600 * 1000


@dataclass(frozen=True)
class Timer:
    state: str = IDLE
    total_ms: int = 0  # planned length plus every adjustment, for the progress bar
    remaining_ms: int = 0  # meaningful while idle or paused
    ends_at: int | None = None  # meaningful while running

    @classmethod
    def ready(cls, length_ms: int) -> Timer:
        return cls(IDLE, length_ms, length_ms, None)

    @property
    def running_end(self) -> int:
        """`ends_at` of a running timer, which always has one."""
        assert self.ends_at is not None, "a running timer has an end"
        return self.ends_at

    def remaining(self, now: int) -> int:
        """Milliseconds left; negative once the pitch runs over."""
        if self.state == RUNNING:
            return self.running_end - now
        return self.remaining_ms

    def phase(self, now: int) -> str:
        left = self.remaining(now)
        if left <= 0 and self.state != IDLE:
            return "overrun"
        if left <= RED_MS:
            return "red"
        if left <= AMBER_MS:
            return "amber"
        return "normal"

    def start(self, now: int) -> Timer:
        if self.state == RUNNING:
            raise RuleError("timer_running")
        return replace(self, state=RUNNING, ends_at=now + self.remaining_ms, remaining_ms=0)

    def pause(self, now: int) -> Timer:
        if self.state != RUNNING:
            raise RuleError("timer_not_running")
        return replace(self, state=PAUSED, remaining_ms=self.running_end - now, ends_at=None)

    def resume(self, now: int) -> Timer:
        if self.state != PAUSED:
            raise RuleError("timer_not_paused")
        return self.start(now)

    def adjust(self, delta_ms: int, now: int) -> Timer:
        """Add or take away time. Taking time away never pushes the timer past zero, and a
        pitch already over its time cannot be shortened further."""
        left = self.remaining(now)
        if delta_ms < 0:
            if left <= 0:
                raise RuleError("timer_overrun")
            delta_ms = max(delta_ms, -left)
        if left + delta_ms > MAX_MS:
            raise RuleError("timer_too_long")
        total = max(0, self.total_ms + delta_ms)
        if self.state == RUNNING:
            return replace(self, total_ms=total, ends_at=self.running_end + delta_ms)
        return replace(self, total_ms=total, remaining_ms=self.remaining_ms + delta_ms)

    def reset(self, length_ms: int) -> Timer:
        return Timer.ready(length_ms)

    def to_state(self) -> dict:
        """Everything needed to restore this exact timer (for undo)."""
        return {
            "state": self.state,
            "total_ms": self.total_ms,
            "remaining_ms": self.remaining_ms,
            "ends_at": self.ends_at,
        }

    @classmethod
    def from_state(cls, d: dict) -> Timer:
        return cls(d["state"], d["total_ms"], d["remaining_ms"], d["ends_at"])

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "total_ms": self.total_ms,
            "remaining_ms": self.remaining_ms if self.state != RUNNING else None,
            "ends_at": self.ends_at if self.state == RUNNING else None,
        }
