"""Per-address HTTP budgets and the per-revision cache (pure, fake clock), and the defaults'
sizing: a venue of 5,000 phones behind one NAT address gets through; one script does not."""

from __future__ import annotations

import threading
import time

import pytest

from facilitator.budgets import AddressBudget, RevisionCache, address_key, retry_after
from facilitator.config import from_env


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refuses_beyond_its_burst_and_says_when_to_come_back():
    clock = Clock()
    b = AddressBudget(rate=2, burst=3, clock=clock)
    assert [b.take("10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert b.take("10.0.0.1") == pytest.approx(0.5)
    assert retry_after(b.take("10.0.0.1")) == "1"
    assert b.take("10.0.0.2") == 0  # another address has its own
    clock.now += 0.5
    assert b.take("10.0.0.1") == 0 and b.take("10.0.0.1") > 0
    clock.now += 3600  # refills to the burst, not beyond
    assert [b.take("10.0.0.1") for _ in range(4)][-1] > 0


def test_a_rate_of_zero_is_no_limit():
    b = AddressBudget(rate=0, burst=0, clock=Clock())
    assert all(b.take("10.0.0.1") == 0 for _ in range(10_000))


@pytest.mark.parametrize(
    "address, key",
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        (None, "?"),
        ("", "?"),
        ("not an address", "not an address"),
    ],
)
def test_addresses_are_counted_per_ipv4_address_and_per_ipv6_64(address, key):
    assert address_key(address) == key


def test_memory_is_bounded_under_an_address_spray():
    b = AddressBudget(rate=1, burst=1, clock=Clock(), max_addresses=1000)
    for i in range(50_000):
        b.take(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(b._buckets) <= 1000


def test_the_defaults_let_a_venue_behind_one_address_in_and_hold_a_script():
    """5,000 phones behind one NAT address each load the phone page and join within one
    minute, then each loads a page again within the next minute: nothing is refused. A script
    on the same address joining as fast as it can afterwards gets at most 2 a second."""
    cfg = from_env({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    clock = Clock()
    http = AddressBudget(cfg["HTTP_PER_MINUTE"] / 60, cfg["HTTP_BURST"], clock)
    joins = AddressBudget(cfg["JOINS_PER_MINUTE"] / 60, cfg["JOIN_BURST"], clock)
    nat = "203.0.113.9"
    for phone in range(5000):  # evenly over the first minute
        clock.now += 60 / 5000
        assert http.take(nat) == 0 and http.take(nat) == 0, phone  # the page, the join
        assert joins.take(nat) == 0, phone
    for phone in range(5000):  # a second page load each in the next minute
        clock.now += 60 / 5000
        assert http.take(nat) == 0, phone
    # Everyone joined at the same instant (a worst case no room reaches) still gets in:
    burst = AddressBudget(cfg["JOINS_PER_MINUTE"] / 60, cfg["JOIN_BURST"], Clock())
    assert sum(burst.take(nat) == 0 for _ in range(5000)) == 5000
    # A script, now: what is left of the burst, then 2 a second.
    script = sum(burst.take(nat) == 0 for _ in range(100_000))
    assert script == cfg["JOIN_BURST"] - 5000
    burst.clock.now += 60
    assert sum(burst.take(nat) == 0 for _ in range(100_000)) == 120


def test_the_session_budget_allows_a_conference_and_holds_a_script():
    cfg = from_env({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    clock = Clock()
    b = AddressBudget(cfg["SESSIONS_PER_MINUTE"] / 60, cfg["SESSION_BURST"], clock)
    assert sum(b.take("198.51.100.1") == 0 for _ in range(1000)) == 20
    clock.now += 3600
    assert sum(b.take("198.51.100.1") == 0 for _ in range(1000)) == 20  # full again, no more


# ----- the cache --------------------------------------------------------------------------


def test_one_build_per_revision_and_age():
    clock = Clock()
    cache = RevisionCache(1.0, clock)
    built = []

    def build():
        built.append(1)
        return len(built)

    assert cache.get("s", 1, build) == 1
    assert all(cache.get("s", 1, build) == 1 for _ in range(100))
    assert cache.get("s", 2, build) == 2  # the revision moved: at once
    clock.now += 0.99
    assert cache.get("s", 2, build) == 2
    clock.now += 0.02
    assert cache.get("s", 2, build) == 3  # a second old
    assert cache.get("other", 2, build) == 4 and cache.builds == 4


def test_readers_that_miss_together_share_one_build():
    cache = RevisionCache(10.0)
    started, release = threading.Event(), threading.Event()
    built = []

    def build():
        built.append(1)
        started.set()
        release.wait(5)
        return "value"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("s", 1, build))) for _ in range(20)
    ]
    for t in threads:
        t.start()
    started.wait(5)
    time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(5)
    assert results == ["value"] * 20 and len(built) == 1


def test_old_entries_do_not_linger_and_the_cache_is_bounded():
    clock = Clock()
    cache = RevisionCache(1.0, clock, max_entries=10)
    cache.get("erased session", 1, lambda: "names")
    clock.now += 11
    for i in range(50):
        cache.get(i, 1, lambda: "x")
    assert "erased session" not in cache._entries and len(cache._entries) <= 10
    cache.forget(lambda key: key == 49)
    assert 49 not in cache._entries


def test_no_cache_when_the_age_is_zero():
    cache = RevisionCache(0.0, Clock())
    built = []
    for _ in range(3):
        cache.get("s", 1, lambda: built.append(1))
    assert len(built) == 3
