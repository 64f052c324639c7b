"""The transport's rules on their own (facilitator/transport.py, facilitator/gate.py,
facilitator/limits.py): which packets pass, how addresses are counted, the quiet log, the
gate's accounting and deadlines, the budgets. Real servers under attack are in tests/abuse/."""

from __future__ import annotations

import logging
import os

import pytest

from facilitator import create_app
from facilitator.budgets import AddressBudget
from facilitator.gate import Gate, GateLimits
from facilitator.limits import Budget, TokenBucket
from facilitator.transport import Link, QuietLog, address_key, fast_mask, websocket_handshake


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# ----- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,key",
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),  # the same household's /64
        ("::ffff:192.0.2.7", "192.0.2.7"),  # IPv4 seen through an IPv6 socket
        ("fe80::1%eth0", "fe80::/64"),
        (None, "?"),
        ("", "?"),
        ("not an address", "not an address"),
    ],
)
def test_addresses_are_counted_per_ipv4_address_or_ipv6_64(raw, key):
    assert address_key(raw) == key


def test_the_fast_mask_is_the_websocket_mask():
    from eventlet.websocket import RFC6455WebSocket

    slow = RFC6455WebSocket._apply_mask
    for n in (0, 1, 3, 4, 5, 125, 1000):
        data, mask = os.urandom(n), tuple(os.urandom(4))
        for offset in (0, 1, 2, 3, 7):
            assert fast_mask(data, mask, offset=offset) == slow(data, mask, offset=offset)
        assert fast_mask(data, mask, length=n // 2) == slow(data, mask, length=n // 2)


@pytest.mark.parametrize(
    "headers,ok",
    [
        (
            {
                "HTTP_SEC_WEBSOCKET_VERSION": "13",
                "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ==",
            },
            True,
        ),
        (
            {
                "HTTP_SEC_WEBSOCKET_VERSION": "8",
                "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ==",
            },
            False,
        ),
        ({"HTTP_SEC_WEBSOCKET_VERSION": "13"}, False),
        ({"HTTP_SEC_WEBSOCKET_VERSION": "13", "HTTP_SEC_WEBSOCKET_KEY": "not-a-key"}, False),
        (
            {
                "HTTP_SEC_WEBSOCKET_VERSION": "13",
                "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ!=",
            },
            False,
        ),
        (
            {
                "HTTP_SEC_WEBSOCKET_VERSION": "13",
                "HTTP_SEC_WEBSOCKET_KEY": "AAAAAAAAAAAAAAAAAAAAAAAA",
            },
            False,
        ),  # 18 bytes
    ],
)
def test_only_a_proper_websocket_handshake_gets_an_engine_io_socket(headers, ok):
    assert websocket_handshake(headers) is ok


# ----- the quiet log --------------------------------------------------------------------------


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def lines():
    logger = logging.getLogger("test.quiet")
    handler = Lines()
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, handler.lines
    logger.removeHandler(handler)


def test_the_quiet_log_writes_one_line_per_address_a_minute(lines):
    logger, out = lines
    clock = Clock()
    quiet = QuietLog(logger, period=60, total=100, clock=clock)
    for _ in range(1000):
        quiet.warning("192.0.2.7", "closed %s", "192.0.2.7")
    quiet.warning("192.0.2.8", "closed %s", "192.0.2.8")
    assert out == ["closed 192.0.2.7", "closed 192.0.2.8"]
    clock.now += 61
    quiet.warning("192.0.2.7", "closed %s", "192.0.2.7")
    assert out[-1] == "closed 192.0.2.7 (999 more from this address held back)"


def test_the_quiet_log_writes_at_most_total_lines_a_minute_from_many_addresses(lines):
    logger, out = lines
    clock = Clock()
    quiet = QuietLog(logger, period=60, total=10, clock=clock)
    for i in range(1000):
        quiet.warning(f"10.0.{i // 250}.{i % 250}", "closed")
    assert len(out) == 10
    clock.now += 61
    quiet.warning("10.9.9.9", "closed")
    assert len(out) == 11


# ----- packets --------------------------------------------------------------------------------


@pytest.fixture
def transport(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}",
            "SECRET_KEY": "t",
            "ASYNC_MODE": "threading",
            "TESTING": True,
        }
    )
    return app.extensions["facilitator"]["transport"]


def link(transport, connected: bool, monkeypatch, role="screen") -> Link:
    monkeypatch.setattr(
        transport.server.manager,
        "sid_from_eio_sid",
        lambda eio_sid, ns: "sio" if connected else None,
    )
    limits = transport.limits
    out = Link(
        "eio",
        "192.0.2.7",
        TokenBucket(0, 0),
        TokenBucket(limits.event_rate, limits.event_burst),
        0.0,
        {},
    )
    out.role, out.session = role, "ABCDEF"
    return out


@pytest.mark.parametrize(
    "data,problem",
    [
        ("3", None),
        ("1", None),
        ("40", None),
        ('40{"code":"X"}', None),
        ('42["x",{}]', None),
        ("41", None),
        (b"\x04", "binary message"),
        ("", "Engine.IO packet type ''"),
        ("2", "Engine.IO packet type '2'"),
        ("2probe", "Engine.IO packet type '2'"),
        ("5", "Engine.IO packet type '5'"),
        ("6", "Engine.IO packet type '6'"),
        ("9", "Engine.IO packet type '9'"),
        ("3probe", "payload on a control packet"),
        ("3[[[[", "payload on a control packet"),
        ("4", "Socket.IO packet type ''"),
        ("4A", "Socket.IO packet type 'A'"),
        ("4[[[[", "Socket.IO packet type '['"),
        ("43[]", "Socket.IO packet type '3'"),
        ("44{}", "Socket.IO packet type '4'"),
        ("451-[]", "Socket.IO packet type '5'"),
        ("46", "Socket.IO packet type '6'"),
    ],
)
def test_engine_io_packets_from_a_websocket_only_page(transport, data, problem):
    assert transport.frame_problem(data) == problem


@pytest.mark.parametrize(
    "data,connected,problem",
    [
        ('2["sync"]', True, None),
        ('2["sync",{}]', True, None),
        ("1", True, None),
        ('0{"code":"X","role":"phone"}', False, None),
        ("0", False, None),
        ('2["sync"]', False, "event before connect"),
        ('0{"code":"X"}', True, "connect again"),
        ("0[1]", False, "malformed connect"),
        ("2", True, "malformed event"),
        ('2{"a":1}', True, "malformed event"),
        ("2[1]", True, "malformed event"),
        ("2[]", True, "malformed event"),
        ('2["' + "x" * 65 + '"]', True, "malformed event"),
        ("2" + "[" * 5000 + "]" * 5000, True, "malformed packet"),
        ('2["x", {]', True, "malformed packet"),
        ("A", True, "Socket.IO packet type 'A'"),
        ("3[]", True, "Socket.IO packet type '3'"),
        ('51-["x",{"_placeholder":true,"num":0}]', True, "Socket.IO packet type '5'"),
        ('2/admin,["x"]', True, "binary packet or other namespace"),
        ("0/admin,{}", False, "binary packet or other namespace"),
        (b"2[]", True, "binary message"),
    ],
)
def test_socket_io_packets(transport, monkeypatch, data, connected, problem):
    _pkt, got = transport.check(link(transport, connected, monkeypatch), data)
    assert got == problem


def test_three_connects_at_most_on_one_connection(transport, monkeypatch):
    one = link(transport, False, monkeypatch)
    for _ in range(3):  # refused ones: a wrong code, a missing cookie
        assert transport.check(one, '0{"code":"X","role":"phone"}')[1] is None
    assert transport.check(one, '0{"code":"X","role":"phone"}')[1] == "connect again"


def test_events_beyond_five_times_the_rate_limit_are_refused(transport, monkeypatch):
    one = link(transport, True, monkeypatch)
    results = [transport.check(one, '2["time:sync"]')[1] for _ in range(201)]
    assert results[:200] == [None] * 200  # five times EVENT_BURST
    assert results[200] == "sending too many events"


def test_resyncs_are_budgeted_per_address_the_consoles_apart(transport, monkeypatch):
    screen = link(transport, True, monkeypatch)
    results = [transport.check(screen, '2["sync"]')[1] for _ in range(21)]
    assert results[:20] == [None] * 20 and results[20] == "resyncing too often"
    # The screens took their budget: a console of the same address still has its own.
    console = link(transport, True, monkeypatch, role="console")
    results = [transport.check(console, '2["sync"]')[1] for _ in range(21)]
    assert results[:20] == [None] * 20 and results[20] == "resyncing too often"


def test_twenty_screens_per_address(transport, monkeypatch):
    one = link(transport, False, monkeypatch)
    transport.screens["192.0.2.7"] = 20
    assert (
        transport.check(one, '0{"code":"X","role":"screen"}')[1]
        == "too many screens from one address"
    )
    assert transport.check(one, '0{"code":"X","role":"phone"}')[1] is None


def test_console_connects_are_budgeted_per_address(transport, monkeypatch):
    """20 console connects at once from one address, then 30 a minute: a script that
    reconnects as soon as the app refuses its eleventh console is closed here."""
    results = [
        transport.check(link(transport, False, monkeypatch), '0{"code":"X","role":"console"}')[1]
        for _ in range(21)
    ]
    assert results[:20] == [None] * 20
    assert results[20] == "consoles connecting too often from one address"
    # Screens and phones of the same address are counted elsewhere.
    one = link(transport, False, monkeypatch)
    assert transport.check(one, '0{"code":"X","role":"phone"}')[1] is None


# ----- the gate -------------------------------------------------------------------------------


def test_the_gate_counts_unproven_connections_per_address():
    clock = Clock()
    gate = Gate(GateLimits(per_address=3, total=5), clock)
    mine = [gate.admit("192.0.2.7", lambda: None) for _ in range(3)]
    assert all(mine) and gate.admit("192.0.2.7", lambda: None) is None
    assert gate.admit("::ffff:192.0.2.7", lambda: None) is None  # the same address
    theirs = [gate.admit("192.0.2.8", lambda: None) for _ in range(2)]
    # total: 5, and no address holds more than this one would: refused
    assert all(theirs) and gate.admit("192.0.2.8", lambda: None) is None
    gate.prove(mine[0])  # a proven connection is not counted any more
    assert gate.admit("192.0.2.7", lambda: None) is not None
    gate.release(theirs[0])
    gate.release(theirs[0])  # twice: counted once
    assert gate.unproven == {"192.0.2.7": 3, "192.0.2.8": 1} and gate.total == 4
    gate.release(mine[0])  # a proven one going away changes nothing
    assert gate.total == 4 and gate.refused == 3


def test_a_full_gate_lets_a_lighter_address_in_by_closing_the_heaviest_ones_oldest():
    """Four addresses at the per-address cap filled the total: every other address was
    refused. A newcomer from an address that holds less than the heaviest gets in; the
    heaviest address's oldest unproven connection is closed instead."""
    clock = Clock()
    gate = Gate(GateLimits(per_address=3, total=6), clock)
    closed: list[str] = []
    attacker = [gate.admit("192.0.2.7", lambda n=n: closed.append(f"a{n}")) for n in range(3)]
    other = [gate.admit("192.0.2.8", lambda n=n: closed.append(f"b{n}")) for n in range(3)]
    assert all(attacker) and all(other) and gate.total == 6
    honest = gate.admit("192.0.2.9", lambda: closed.append("h"))
    assert honest is not None and closed == ["a0"] and attacker[0].cut
    assert gate.unproven == {"192.0.2.7": 2, "192.0.2.8": 3, "192.0.2.9": 1}
    assert gate.total == 6 and gate.evicted == 1
    gate.release(attacker[0])  # its server thread ends: counted once
    assert gate.total == 6
    # Now the heaviest is 192.0.2.8; a second newcomer from .9 (which would hold 2) gets in.
    assert gate.admit("192.0.2.9", lambda: None) is not None and closed == ["a0", "b0"]
    # When every address holds as much as the newcomer's would, the newcomer is refused.
    assert gate.admit("192.0.2.9", lambda: None) is None
    assert gate.admit("192.0.2.7", lambda: None) is None and gate.refused == 2
    assert gate.overdue() == [] and attacker[0] not in gate._open


def test_the_gate_times_out_what_does_not_prove_itself():
    clock = Clock()
    gate = Gate(
        GateLimits(request_seconds=10, idle_seconds=3, busy_seconds=60, proof_seconds=5), clock
    )
    slow, busy, ws, idle, proven = (gate.admit("192.0.2.7", lambda: None) for _ in range(5))
    gate.request_started(busy, websocket=False)
    gate.request_started(ws, websocket=True)
    gate.request_started(idle, websocket=False)
    gate.request_done(idle)
    gate.prove(proven)
    clock.now += 4
    assert gate.overdue() == [idle]
    clock.now += 2
    assert set(gate.overdue()) == {idle, ws}
    clock.now += 5
    assert set(gate.overdue()) == {idle, ws, slow}
    clock.now += 60
    assert proven not in gate.overdue() and busy in gate.overdue()


def test_zero_switches_the_gate_limits_off():
    clock = Clock()
    gate = Gate(GateLimits(per_address=0, total=0, request_seconds=0, proof_seconds=0), clock)
    tickets = [gate.admit("192.0.2.7", lambda: None) for _ in range(10_000)]
    assert all(tickets)
    gate.request_started(tickets[0], websocket=True)  # no proof deadline either
    gate.request_started(tickets[1], websocket=False)  # but the others still hold
    clock.now += 1e6
    assert gate.overdue() == [tickets[1]]


# ----- budgets --------------------------------------------------------------------------------


def test_a_bucket_takes_a_cost():
    clock = Clock()
    bucket = TokenBucket(100, 1000, clock)
    assert bucket.take(600) and not bucket.take(600) and bucket.take(400)
    clock.now += 1
    assert bucket.take(100) and not bucket.take(1)


def test_keyed_budgets_forget_the_oldest_keys():
    clock = Clock()
    buckets = AddressBudget(1, 2, clock, max_addresses=3)
    a, b, c, d = "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"
    assert buckets.allow(a) and buckets.allow(a) and not buckets.allow(a)
    for key in (b, c, d):  # a is the oldest: forgotten, and starts full again
        assert buckets.allow(key)
    assert buckets.allow(a)


def test_a_budget_needs_both_the_address_and_the_session():
    clock = Clock()
    budget = Budget(1, 2, 1, 3, clock)
    assert budget.allow("192.0.2.7", 1) and budget.allow("192.0.2.7", 1)
    assert not budget.allow("192.0.2.7", 1)  # the address's is spent
    assert budget.allow("192.0.2.8", 1)  # the session's third
    assert not budget.allow("192.0.2.9", 1)  # the session's is spent
    assert budget.allow("192.0.2.9", 2)  # another session
