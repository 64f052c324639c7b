"""Work budgets for HTTP requests (pure; the clock is injected).

- `AddressBudget`: a token bucket per client address (or per any other key: a session), in
  bounded memory; the one keyed budget of the app, for HTTP requests and for the socket
  transport's resyncs and screen connections (limits.py, transport.py). A whole venue may
  share one NAT address, so the defaults are sized for thousands of phones behind it; what
  they stop is one machine sending as fast as it can. An IPv6 client is counted by its /64
  network (one household or one device can hold a whole /64, so its single addresses mean
  nothing).
- `RevisionCache`: what an anonymous reader is answered (ranked results, the public outcome),
  built at most once per session revision and at most once per `max_age` while the revision
  stands (votes do not move the revision): however many readers, a session costs one build a
  second at most.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def address_key(address: str | None) -> str:
    """The unit a budget counts: an IPv4 address, or the /64 network of an IPv6 one."""
    if not address:
        return "?"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class AddressBudget:
    """`rate` requests a second per address after a `burst`; `rate <= 0` means no limit.
    `key` says what is counted: by default the address's unit (`address_key`); for a budget
    per session, the session id itself (`key=same`).

    Memory is bounded: beyond `max_addresses` keys the least recently seen half is forgotten
    (they start again with a full bucket, which is the lenient way to fail)."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 100_000,
        key: Callable[[Any], Hashable] = address_key,
    ):
        self.rate, self.burst, self.clock = float(rate), float(burst), clock
        self.max_addresses, self.key = max_addresses, key
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def take(self, address: Any, cost: float = 1.0) -> float:
        """Spend `cost` from this address's budget: 0.0 if allowed, else the seconds until it
        would be (what `Retry-After` says). A refusal spends nothing."""
        if self.unlimited:
            return 0.0
        key = self.key(address)
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            if tokens >= cost:
                tokens -= cost
                wait = 0.0
            else:
                wait = (cost - tokens) / self.rate
            self._buckets[key] = (tokens, now)  # most recently seen last
            if len(self._buckets) > self.max_addresses:
                for _ in range(len(self._buckets) // 2):
                    self._buckets.popitem(last=False)
            return wait

    def allow(self, address: Any, cost: float = 1.0) -> bool:
        """Whether `cost` could be spent now (and then it is)."""
        return self.take(address, cost) == 0.0


def same(key: Hashable) -> Hashable:
    """A key counted as it is (a session id)."""
    return key


def retry_after(wait: float) -> str:
    """A `Retry-After` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))


class RevisionCache:
    """One built value per key (a session and a view of it), valid while the session's
    revision is the same and for at most `max_age` seconds. Readers that miss together wait
    for one build instead of each making their own."""

    def __init__(
        self, max_age: float, clock: Callable[[], float] = time.monotonic, max_entries: int = 256
    ):
        self.max_age, self.clock, self.max_entries = max_age, clock, max_entries
        self._entries: OrderedDict[Hashable, tuple[object, float, object]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0

    def _fresh(self, key: Hashable, revision: object) -> tuple[object, float, Any] | None:
        hit = self._entries.get(key)
        if hit is not None and hit[0] == revision and self.clock() - hit[1] < self.max_age:
            return hit
        return None

    def get(self, key: Hashable, revision: object, build: Callable[[], T]) -> T:
        if self.max_age <= 0:
            return build()
        with self._lock:
            hit = self._fresh(key, revision)
            if hit is not None:
                return hit[2]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                hit = self._fresh(key, revision)
            if hit is not None:  # built by the reader we waited for
                return hit[2]
            value = build()
            self.builds += 1
            with self._lock:
                self._entries.pop(key, None)
                self._entries[key] = (revision, self.clock(), value)
                self._evict()
            return value

    def _evict(self) -> None:
        """Drop entries nobody asked for within ten lifetimes (they hold names from sessions
        that may since be erased), and the oldest beyond `max_entries`."""
        old = self.clock() - 10 * self.max_age
        for key in [k for k, (_r, at, _v) in self._entries.items() if at < old]:
            del self._entries[key]
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        for key in [k for k in self._locks if k not in self._entries]:
            lock = self._locks[key]
            if not lock.locked():
                del self._locks[key]

    def forget(self, match: Callable[[Hashable], bool]) -> None:
        """Drop the entries whose key matches (a session was erased)."""
        with self._lock:
            for key in [k for k in self._entries if match(k)]:
                del self._entries[key]
