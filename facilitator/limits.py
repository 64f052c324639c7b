"""Throttles against flooding and guessing (pure; the clock is injected).

- `TokenBucket`: one per socket connection. A person taps a few times a second; a script
  sending events as fast as it can is refused beyond `rate` per second (after a `burst`),
  so the server keeps time for everyone else.
- `FailureThrottle`: per client address, wrong join codes and wrong moderator keys. Joining
  with a right code never counts, so a whole room behind one NAT address joins freely, while
  guessing codes or keys is held to a few tries a minute.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.last = clock()

    def take(self) -> bool:
        """True if one more event is allowed now."""
        if self.rate <= 0:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FailureThrottle:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_addresses: int = 100_000):
        self.per_minute, self.clock = per_minute, clock
        self.max_addresses = max_addresses
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque:
        hits = self._failures.get(address)
        if hits is None:
            if len(self._failures) >= self.max_addresses:  # bounded memory under a spray
                self._failures.clear()
            hits = self._failures[address] = deque()
        while hits and now - hits[0] > 60:
            hits.popleft()
        return hits

    def blocked(self, address: str) -> bool:
        if self.per_minute <= 0:
            return False
        with self._lock:
            return len(self._recent(address, self.clock())) >= self.per_minute

    def failed(self, address: str) -> None:
        if self.per_minute <= 0:
            return
        with self._lock:
            now = self.clock()
            self._recent(address, now).append(now)
