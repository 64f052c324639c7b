"""Throttles with a fake clock: flooding one connection, guessing codes from one address, the
event budgets shared by many connections."""

from facilitator.limits import EventBudgets, FailureThrottle, TokenBucket


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_bucket_allows_a_burst_then_the_rate():
    clock = Clock()
    bucket = TokenBucket(rate=20, burst=40, clock=clock)
    assert all(bucket.take() for _ in range(40))
    assert not bucket.take()  # the 41st event in the same instant is refused
    clock.t += 0.5  # half a second earns 10 more
    assert sum(bucket.take() for _ in range(20)) == 10
    clock.t += 100  # a long quiet spell refills to the burst, not beyond
    assert sum(bucket.take() for _ in range(100)) == 40


def test_bucket_with_rate_zero_never_refuses():
    bucket = TokenBucket(rate=0, burst=0, clock=Clock())
    assert all(bucket.take() for _ in range(10_000))


def test_throttle_blocks_an_address_after_its_failures_for_a_minute():
    clock = Clock()
    throttle = FailureThrottle(per_minute=3, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1")
        throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1")
    assert not throttle.blocked("10.0.0.2")  # other addresses are not affected
    clock.t += 59
    assert throttle.blocked("10.0.0.1")
    clock.t += 2
    assert not throttle.blocked("10.0.0.1")  # failures older than a minute are forgotten


def test_throttle_memory_is_bounded_under_a_spray_of_addresses():
    throttle = FailureThrottle(per_minute=5, clock=Clock(), max_addresses=100)
    for i in range(1000):
        throttle.failed(f"addr{i}")
    assert len(throttle._failures) <= 100


def test_throttle_zero_disables():
    throttle = FailureThrottle(per_minute=0, clock=Clock())
    throttle.failed("a")
    assert not throttle.blocked("a")


CONFIG = {
    "MODERATOR_EVENTS_PER_SECOND": 10,
    "MODERATOR_EVENT_BURST": 40,
    "PHONE_EVENTS_PER_ADDRESS": 50,
    "PHONE_EVENT_BURST": 500,
    "CONSOLES_PER_SESSION": 10,
}


def test_moderator_commands_are_budgeted_per_session():
    clock = Clock()
    budgets = EventBudgets.from_config(CONFIG, clock)
    assert sum(budgets.moderator.allow(7) for _ in range(60)) == 40  # the burst
    assert budgets.moderator.allow(8)  # another session: a budget of its own
    clock.t += 1.0  # a second earns 10 more
    assert sum(budgets.moderator.allow(7) for _ in range(30)) == 10
    assert budgets.consoles_per_session == 10


def test_phone_events_are_budgeted_per_address_an_ipv6_client_per_64():
    clock = Clock()
    budgets = EventBudgets.from_config(CONFIG, clock)
    assert sum(budgets.phones.allow("192.0.2.7") for _ in range(600)) == 500
    assert budgets.phones.allow("192.0.2.8")
    clock.t += 2.0  # two seconds earn 100 more
    assert sum(budgets.phones.allow("192.0.2.7") for _ in range(200)) == 100
    assert sum(budgets.phones.allow(f"2001:db8::{i:x}") for i in range(600)) == 500


def test_event_budgets_at_zero_are_switched_off():
    off = dict(CONFIG, MODERATOR_EVENTS_PER_SECOND=0, PHONE_EVENTS_PER_ADDRESS=0)
    budgets = EventBudgets.from_config(off, Clock())
    assert budgets.moderator.unlimited and budgets.phones.unlimited
    assert all(budgets.moderator.allow(7) for _ in range(1000))
    assert EventBudgets().moderator.unlimited and EventBudgets().consoles_per_session == 0
