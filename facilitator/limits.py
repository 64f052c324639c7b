"""Throttles against flooding and guessing (pure; the clock is injected).

- `TokenBucket`: one per socket connection. A person taps a few times a second; a script
  sending events as fast as it can is refused beyond `rate` per second (after a `burst`),
  so the server keeps time for everyone else.
- `FailureThrottle`: per client address, wrong join codes and wrong moderator keys. Joining
  with a right code never counts, so a whole room behind one NAT address joins freely, while
  guessing codes or keys is held to a few tries a minute.
- `Budget`: work that costs the whole room (a resync of the full snapshot, docs/security.md),
  budgeted per client address and per session, each a `budgets.AddressBudget`.
- `EventBudgets`: the events of proven connections, beyond each connection's own bucket:
  moderator commands per session (all its consoles together), the phone events that write
  (not the batched votes, not the clock) per client address, and the consoles one session
  may hold. Many connections of one guest then cost the room no more than one budget.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from .budgets import AddressBudget, same

# Keys a socket budget remembers (the least recently seen half is forgotten beyond this).
MAX_KEYS = 10_000


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.last = clock()

    def take(self, cost: float = 1) -> bool:
        """True if one more event (costing `cost` tokens) is allowed now."""
        if self.rate <= 0:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class FailureThrottle:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 100_000,
    ):
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


class Budget:
    """Work that every page of a session pays for, allowed only while both the client
    address's and the session's buckets have a token: one address cannot take a session's
    whole budget, and many addresses together cannot take more than the session's."""

    def __init__(
        self,
        address_rate: float,
        address_burst: int,
        session_rate: float,
        session_burst: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.addresses = AddressBudget(address_rate, address_burst, clock, MAX_KEYS)
        self.sessions = AddressBudget(session_rate, session_burst, clock, MAX_KEYS, key=same)

    def allow(self, address: str, session: Hashable) -> bool:
        """`session`: what identifies the session (its id, or the join code a connection proved)."""
        return self.addresses.allow(address) and self.sessions.allow(session)


@dataclass
class EventBudgets:
    """Budgets of socket events shared by many connections (docs/security.md, "Limits"); a
    rate of 0 switches one off. `moderator` is keyed by session id, `phones` by client
    address (`budgets.address_key`: an IPv6 client by its /64)."""

    moderator: AddressBudget = field(default_factory=lambda: AddressBudget(0, 0))
    phones: AddressBudget = field(default_factory=lambda: AddressBudget(0, 0))
    consoles_per_session: int = 0

    @classmethod
    def from_config(cls, cfg: dict, clock: Callable[[], float] = time.monotonic) -> EventBudgets:
        return cls(
            AddressBudget(
                cfg["MODERATOR_EVENTS_PER_SECOND"],
                cfg["MODERATOR_EVENT_BURST"],
                clock,
                MAX_KEYS,
                key=same,
            ),
            AddressBudget(
                cfg["PHONE_EVENTS_PER_ADDRESS"], cfg["PHONE_EVENT_BURST"], clock, MAX_KEYS
            ),
            int(cfg["CONSOLES_PER_SESSION"]),
        )
