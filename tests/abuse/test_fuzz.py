"""Fuzzing every socket event and every JSON route with hostile payloads (Hypothesis).

The events are discovered from the Socket.IO server's handler table, so a newly registered
event is fuzzed without touching this file. Each event is sent by the role that may send it
(moderator events from the console, participant events from a phone, the rest from the
screen): the payload, not the role, is what is refused.

For every example:
- the acknowledgement is a dict `{"ok": bool, ...}`; a refusal carries an error code and a
  readable message;
- where the event's field spec can be reached (the `command` wrapper's closure), the answer
  agrees with `facilitator.validate.parse`: an invalid payload is refused with exactly the
  code `parse` raises, and `ok: true` only ever answers a valid payload;
- a refusal changes nothing: no transaction committed anything (SQLite's `data_version`,
  read after every example: the snapshots are a pure function of the database and the fake
  clock), and the console snapshot minus `server_now` is compared in full at the first
  refusal after each accepted change, at every tenth refusal, and at the end;
- nothing is logged at ERROR under "facilitator" and no exception leaves a handler;
- the app still answers (`time:sync` after every tenth example, pages and a round trip at
  the end), and at the end another session is untouched.

One app and one room per event, not per example, keeps 1,000 examples per event fast.
`FACILITATOR_FUZZ_EXAMPLES` sets the number of examples per target (default 1,000).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st

from facilitator.domain.errors import RuleError  # noqa: E402
from facilitator.validate import NAME, ORGANISATION, Bool, Choice, Int, Text, parse  # noqa: E402
from facilitator.web.common import CREATE_SPEC  # noqa: E402

from .conftest import (  # noqa: E402
    FUZZ_COUNTS,
    ErrorLog,
    FakeClock,
    Room,
    abuse_app,
    frozen,
)

EXAMPLES = int(os.environ.get("FACILITATOR_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# For the tests expected to fail (xfail): report the first failure, do not shrink it.
NO_SHRINK = settings(FUZZ, phases=[Phase.explicit, Phase.generate])
MAX_BODY = 64 * 1024  # the app's MAX_CONTENT_LENGTH: bigger HTTP bodies get a 413

# The join route's fields are declared inline in web/api.py (api_join); mirrored here.
JOIN_SPEC = {"name": NAME, "organisation": ORGANISATION}


# ----- which events exist, who may send them, and their field spec -------------------------


def _closure(fn, name: str):
    code = getattr(fn, "__code__", None)
    if code is None or fn.__closure__ is None or name not in code.co_freevars:
        return None
    return fn.__closure__[code.co_freevars.index(name)].cell_contents


def introspect(wrapper) -> tuple[bool, str | None, dict | None]:
    """(is a `command`, role, spec) of a registered Socket.IO handler.

    Flask-SocketIO wraps each handler (closure cell `handler`; a bare command is registered on
    the Socket.IO server itself, unwrapped); `Events.command` (facilitator/events/registry.py)
    registers a lambda over `run`, which closes over `role` and `spec`. Plain `@socketio.on`
    handlers have neither:
    (False, None, None)."""
    inner = _closure(wrapper, "handler") or wrapper
    inner = _closure(inner, "run") or inner
    spec = _closure(inner, "spec")
    if isinstance(spec, dict):
        return True, _closure(inner, "role"), spec
    return False, None, None


def _discover() -> dict:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as d:
        app = abuse_app(Path(d) / "discover.db", FakeClock())
        handlers = dict(app.extensions["facilitator"]["socketio"].server.handlers["/"])
        found = {name: introspect(fn) for name, fn in handlers.items()}
        app.extensions["facilitator"]["db"].kw["bind"].dispose()
    return found


EVENTS = _discover()
RESERVED = ("connect", "disconnect")  # Socket.IO lifecycle handlers; also reachable as events
CATCH_ALL = "*"


# Sending "connect" / "disconnect" as ordinary events must not reach the lifecycle handlers
# (see test_a_connect_event_* and test_a_disconnect_event_*).
def _event_params():
    out = []
    for name in sorted(EVENTS):
        if name == CATCH_ALL:
            continue
        out.append(pytest.param(name, id=name))
    return out


# ----- hostile values ------------------------------------------------------------------------

ABSENT = object()  # emit the event with no argument at all
MISSING = object()  # leave the key out of the dict

# Integers written with more than 100 characters never reach the app: the Engine.IO JSON
# decoder refuses them (engineio.json._safe_int) before any handler runs.
BIGGEST = 10**99 - 1  # 99 digits, 100 characters with the sign
EDGE_INTS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63),
    2**64,
    10**30,
    -(10**30),
    BIGGEST,
    -BIGGEST,
]
EDGE_FLOATS = [0.0, -0.0, 0.5, 1.0, 1.5, -1.5, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]
EDGE_TEXT = [
    "",
    " ",
    "   ",
    "\x00",
    "a\x00b",
    "\x00" * 50,
    "\t",
    "\n",
    "\r\n",
    "\x1b[31m",
    "\x7f",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\u2028",
    "e\u0301",
    "\uffff",
    "🙂" * 30,
    "null",
    "true",
    "0",
    "-1",
    "1e9",
    "NaN",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "'; DROP TABLE votes; --",
    "../../etc/passwd",
    "%s%s%n",
    "${7*7}",
    "{{7*7}}",
    "__proto__",
    "constructor",
]
CONTROL = st.text(
    alphabet=st.sampled_from(
        "\x00\x01\x08\x0b\x0c\x1f\x7f\x85\u2028\u2029\u200b\ufeff \t\n\rabc<>\"'&"
    ),
    max_size=40,
)


def _repeat(seed: str, n: int) -> str:
    return (seed * (n // len(seed) + 1))[:n]


# Up to 100,000 characters, cheap to generate: a random seed repeated.
HUGE = st.builds(_repeat, st.text(min_size=1, max_size=6), st.integers(1, 100_000))
INTS = st.one_of(st.integers(-BIGGEST, BIGGEST), st.sampled_from(EDGE_INTS))
FLOATS = st.one_of(st.floats(), st.sampled_from(EDGE_FLOATS))
TEXTS = st.one_of(st.text(max_size=300), CONTROL, st.sampled_from(EDGE_TEXT))
LEAF = st.one_of(st.none(), st.booleans(), INTS, FLOATS, TEXTS)
KEYS = st.one_of(
    st.text(max_size=16),
    st.sampled_from(
        [
            "",
            "role",
            "session_id",
            "participant_id",
            "code",
            "ok",
            "__proto__",
            "constructor",
            "pitch_id",
            "title",
            "dots",
            "text",
            "\x00",
        ]
    ),
)
TREE = st.recursive(
    LEAF,
    lambda c: st.one_of(st.lists(c, max_size=5), st.dictionaries(KEYS, c, max_size=5)),
    max_leaves=20,
)


def _nest(depth: int, kinds: list, key: str, leaf):
    value = leaf
    for i in range(depth):
        value = [value] if kinds[i % len(kinds)] else {key: value}
    return value


# Nesting up to depth 50, lists and dicts mixed.
DEEP = st.builds(
    _nest, st.integers(1, 50), st.lists(st.booleans(), min_size=1, max_size=8), KEYS, LEAF
)
HOSTILE = st.one_of(TREE, TREE, DEEP, HUGE)


def near_values(name: str, f) -> st.SearchStrategy:
    """Values around what the field accepts: valid ones, edge ones, just wrong ones."""
    if isinstance(f, Text):
        return st.one_of(
            st.text(max_size=f.max_len + 3),
            CONTROL,
            st.sampled_from(
                [
                    "x" * f.max_len,
                    "x" * (f.max_len + 1),
                    " x" * f.max_len,
                    "  padded  ",
                    "\u00e9" * f.max_len,
                    "e\u0301" * f.max_len,
                ]
            ),
            st.sampled_from(["09:00", "17:30", "24:00", "9:5", "12:60"]),
        )
    if isinstance(f, Int):
        ids = st.integers(1, 20) if name.endswith("_id") or name == "expect" else st.nothing()
        return st.one_of(
            st.integers(f.lo - 3, f.hi + 3),
            ids,
            st.sampled_from([f.lo, f.hi, f.lo - 1, f.hi + 1]),
            st.sampled_from([float(f.lo), str(f.lo), True, False]),
        )
    if isinstance(f, Bool):
        return st.one_of(st.booleans(), st.sampled_from([0, 1, "true", "false", None]))
    if isinstance(f, Choice):
        opts = [str(o) for o in f.options]
        return st.one_of(
            st.sampled_from(f.options),
            st.sampled_from(
                [o.upper() for o in opts] + [o + " " for o in opts] + [" " + o for o in opts] + [""]
            ),
            st.text(max_size=12),
        )
    return TREE


PRINTABLE = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])


def valid_values(name: str, f) -> st.SearchStrategy:
    """Values the field accepts (mostly: `parse` stays the judge)."""
    if isinstance(f, Text):
        if f.max_len <= 5:  # a time of day
            return st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59))
        return st.text(PRINTABLE, min_size=1, max_size=f.max_len).filter(str.strip)
    if isinstance(f, Int):
        if name.endswith("_id") or name == "expect":
            return st.integers(max(f.lo, 0), min(f.hi, 20))
        return st.integers(f.lo, f.hi)
    if isinstance(f, Bool):
        return st.booleans()
    if isinstance(f, Choice):
        return st.sampled_from(f.options)
    return TREE


def spec_payloads(spec: dict) -> st.SearchStrategy:
    """Dicts shaped like the spec: each key missing, null, valid, near or hostile; extra keys
    sometimes; and wholly valid dicts (optional keys valid or left out)."""
    fields = {
        name: st.one_of(
            st.just(MISSING), st.none(), near_values(name, f), near_values(name, f), HOSTILE
        )
        for name, f in spec.items()
    }
    mixed = st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not MISSING}
    )
    good = st.fixed_dictionaries(
        {
            name: valid_values(name, f)
            if getattr(f, "required", True)
            else st.one_of(st.just(MISSING), valid_values(name, f))
            for name, f in spec.items()
        }
    ).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})
    extra = st.dictionaries(KEYS, TREE, min_size=1, max_size=3)
    return st.one_of(mixed, mixed, good, st.builds(lambda b, e: {**b, **e}, mixed, extra))


def payloads(spec: dict | None) -> st.SearchStrategy:
    top = st.one_of(HOSTILE, st.just(ABSENT), st.just(None), st.just({}), st.just([]))
    if spec is None:
        return st.one_of(top, st.dictionaries(KEYS, TREE, max_size=4))
    shaped = spec_payloads(spec)
    return st.one_of(shaped, shaped, shaped, top)


def expected_error(spec: dict, payload) -> str | None:
    """The code `parse` refuses `payload` with, or None when it is valid."""
    try:
        parse(spec, None if payload is ABSENT else payload)
    except RuleError as err:
        return err.code
    return None


def short(value, n: int = 300) -> str:
    text = "<absent>" if value is ABSENT else repr(value)
    return text if len(text) <= n else f"{text[:n]}... ({len(text)} chars)"


# ----- the arena: one app, one rich room, per target -------------------------------------------

FULL_CHECK_EVERY = 10  # refusals between two full console-snapshot comparisons
ANSWERS_EVERY = 10  # examples between two "does the app still answer" round trips


@dataclass
class Arena:
    app: object
    room: Room
    other: Room
    phones: dict
    errors: ErrorLog
    db_path: Path
    before: dict | None = None
    examples: int = 0
    accepted: int = 0
    refused: int = 0
    refused_invalid: int = 0
    full_checks: int = 0
    version: int = 0
    _watch: sqlite3.Connection | None = None
    _compare_next: bool = False

    def data_version(self) -> int:
        """Changes whenever any other connection commits to the database file."""
        if self._watch is None:
            self._watch = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def accepted_now(self) -> None:
        """Accepted: the new state is the reference (its snapshot taken at the next full
        check; until then every refusal is held to "nothing committed")."""
        self.accepted += 1
        self.before = None
        self.version = self.data_version()

    def refused_now(self, where) -> None:
        """A refusal: nothing committed. The full snapshot is compared too: at the first
        refusal after a new reference was taken, and at every tenth refusal."""
        self.refused += 1
        self.unchanged(where)
        if self.before is None:
            # The first refusal after an accepted change: nothing has committed since that
            # change (the data version says so), so this is its state: the new reference.
            self.before = frozen(self.room)
            self._compare_next = True
        elif self._compare_next or self.refused % FULL_CHECK_EVERY == 0:
            self._compare_next = False
            self.full_check(where)

    def unchanged(self, where) -> None:
        assert self.data_version() == self.version, ("a refusal committed a change", where())

    def full_check(self, where=lambda: "") -> None:
        now = frozen(self.room)
        if self.before is None:
            self.before = now
            return
        self.full_checks += 1
        assert now == self.before, ("the state changed", where())

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()

    def drain(self) -> None:
        for b in (
            self.room.moderator,
            self.room.screen,
            *self.phones.values(),
            self.other.moderator,
            self.other.screen,
        ):
            if b.sio.is_connected():
                b.sio.get_received()

    def sender(self, role: str | None):
        return {"console": self.room.moderator, "phone": self.phones["ada"]}.get(
            role, self.room.screen
        )

    def count(self, target: str) -> None:
        FUZZ_COUNTS[target] = {
            "examples": self.examples,
            "accepted": self.accepted,
            "refused": self.refused,
            "refused_invalid": self.refused_invalid,
            "full_checks": self.full_checks,
        }


@pytest.fixture
def arena(tmp_path, app_errors):
    clock = FakeClock()
    app = abuse_app(tmp_path / "fuzz.db", clock)
    # The fake clock never moves, so a timer pushed past its deadline by a fuzzed command
    # would wake the timekeeper at once, in a background thread, racing the snapshot
    # comparison. The timekeeper has its own tests; here it is kept from arming.
    app.extensions["facilitator"]["timekeeper"].arm = lambda session_id: None
    room = Room(app, clock)
    ada, ben = room.phone("Ada", "Org A"), room.phone("Ben")
    for title in ("Alpha", "Beta", "Gamma", "Delta"):
        room.add(title, pitcher="Moderated", offer="An offer")
    for phone, title in ((ada, "Ada's idea"), (ben, "Ben's idea"), (ada, "Ada's second")):
        assert phone.emit("pitch:propose", {"title": title, "offer": "Offer"})["ok"]
    for kind in ("talks", "pitches", "discussion"):
        assert room.mod("section:add", {"title": kind.title(), "kind": kind, "minutes": 10})["ok"]
    assert room.mod("agenda:times", {"start": "09:00", "end": "17:00"})["ok"]
    assert room.mod("timer:start")["ok"]
    assert room.mod("voting:open")["ok"]
    other = Room(app, clock)
    other.add("Elsewhere")
    a = Arena(app, room, other, {"ada": ada, "ben": ben}, app_errors, tmp_path / "fuzz.db")
    a.drain()
    a.before, a.version = frozen(room), a.data_version()
    other_before = frozen(other)
    yield a
    a.close()
    # Nothing reached the other session, and the app still serves pages and answers.
    assert frozen(other) == other_before
    assert room.moderator.http.get(f"/screen/{room.code}").status_code == 200
    assert app.test_client().get("/").status_code == 200


def _check_event(a: Arena, event: str, is_command: bool, role, spec, payload) -> None:
    sender = a.sender(role)
    args = () if payload is ABSENT else (payload,)
    a.examples += 1
    ack = None

    def where():
        return f"{event} from {role or 'screen'} with {short(payload)} -> {ack!r:.300}"

    try:
        ack = sender.sio.emit(event, *args, callback=True)
    except Exception as exc:  # noqa: BLE001 - reported as the failure it is
        raise AssertionError(f"an exception left the server: {exc!r}; {where()}") from exc

    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), where()
    want = expected_error(spec, payload) if is_command else None
    if want is not None:
        assert ack["ok"] is False and ack.get("error") == want, (want, where())
        a.refused_invalid += 1
    if ack["ok"] is False:
        assert isinstance(ack.get("error"), str) and ack["error"], where()
        assert isinstance(ack.get("message"), str) and ack["message"], where()
        assert ack["error"] != "server_error", where()
        a.refused_now(where)
    else:
        a.accepted_now()
        if event == "me:delete":
            # The server closes every connection of a participant who deleted themselves:
            # fuzz on with a newly joined one (a new reference state).
            deadline = time.monotonic() + 5
            while sender.sio.is_connected() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not sender.sio.is_connected(), ("still connected", where())
            a.phones["ada"] = a.room.phone("Ada", "Org A")
            a.before, a.version = None, a.data_version()
    assert not a.errors.records, (where(), a.errors.text())
    if a.examples % ANSWERS_EVERY == 0:
        assert a.sender(role).sio.emit("time:sync", callback=True)["ok"] is True, where()
    a.drain()


PLAIN_HANDLERS = {"connect", "disconnect", "time:sync", CATCH_ALL}


def test_every_command_spec_is_reachable_by_the_fuzzer():
    """The oracle (`parse` with the event's own spec) needs the spec: every event other than
    the lifecycle handlers, the clock and the catch-all is an `Events.command` whose spec
    and role the fuzzer can read. A new plain handler is still fuzzed, but only for "never
    raises, refusals change nothing": this test asks whoever adds one to look."""
    plain = {e for e, (is_command, _r, _s) in EVENTS.items() if not is_command}
    assert plain <= PLAIN_HANDLERS, sorted(plain - PLAIN_HANDLERS)
    roles = {r for is_command, r, _s in EVENTS.values() if is_command}
    assert roles == {"console", "phone", None}, roles
    assert len(EVENTS) - len(plain) >= 25


@pytest.mark.parametrize("event", _event_params())
def test_fuzz_socket_event(arena, event):
    is_command, role, spec = EVENTS[event]

    @(NO_SHRINK if event in RESERVED else FUZZ)
    @given(payload=payloads(spec))
    def run(payload):
        _check_event(arena, event, is_command, role, spec, payload)

    try:
        run()
        arena.full_check()
    finally:
        arena.count(event)
    assert arena.examples >= EXAMPLES, arena.examples
    assert arena.sender(role).sio.emit("time:sync", callback=True)["ok"] is True


# ----- the catch-all: names nobody handles ---------------------------------------------------

EVENT_NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "message",
            "json",
            "connect_error",
            "error",
            "ping",
            "pong",
            "newListener",
            "__proto__",
            "constructor",
            "toString",
            "pitch:ADD",
            "vote:set ",
            " vote:set",
            "Vote:Set",
            "pitch:add\x00",
            "admin",
            "eval",
            "*",
            "/",
            "../",
            "stage",
            "me",
            "counts",
        ]
    ),
    # Not strings, as a raw client can send them. (Unhashable names, a list or an object,
    # make python-socketio's own dispatcher raise before any app code runs: not fuzzed here.)
    st.none(),
    INTS,
    st.booleans(),
    FLOATS.filter(lambda x: not math.isnan(x)),
).filter(lambda n: not (isinstance(n, str) and n in EVENTS))


def test_fuzz_unknown_events(arena):
    senders = [
        ("console", arena.room.moderator),
        ("screen", arena.room.screen),
        ("phone", arena.phones["ada"]),
    ]

    @FUZZ
    @given(name=EVENT_NAMES, who=st.sampled_from(senders), payload=payloads(None))
    def run(name, who, payload):
        role, sender = who
        args = () if payload is ABSENT else (payload,)
        arena.examples += 1
        ack = sender.sio.emit(name, *args, callback=True)

        def where():
            return f"{name!r} from {role} with {short(payload)} -> {ack!r:.300}"

        assert isinstance(ack, dict) and ack.get("ok") is False, where()
        assert ack.get("error") == "unknown_event", where()
        arena.refused_invalid += 1
        arena.refused_now(where)
        assert not arena.errors.records, (where(), arena.errors.text())
        arena.drain()

    try:
        run()
        arena.full_check()
    finally:
        arena.count("* (unregistered names)")
    assert arena.examples >= EXAMPLES


# ----- the real CONNECT packet: hostile auth -------------------------------------------------

CONNECT_SPEC = {"code": Text(12), "role": Choice(("console", "screen", "phone"))}


def test_fuzz_connect_auth(arena):
    """Hostile auth data on a real Socket.IO CONNECT, from a browser that holds both the
    moderator grant and a participant token, so that exactly the valid auths may connect."""
    room = arena.room
    both = room.moderator  # moderator cookie; joining as well adds a participant token
    assert (
        both.http.post(f"/api/sessions/{room.code}/participants", json={"name": "Both"}).status_code
        == 201
    )
    arena.drain()
    arena.accepted_now()
    arena.accepted = 0
    socketio = arena.app.extensions["facilitator"]["socketio"]
    codes = st.sampled_from(
        [
            room.code,
            room.code.lower(),
            f" {room.code} ",
            room.code[:3] + " " + room.code[3:],
            arena.other.code,
            "ZZZZZZ",
            room.code + "\x00",
            room.code[:5],
        ]
    )
    auths = st.one_of(
        st.fixed_dictionaries(
            {
                "code": st.one_of(codes, codes, near_values("code", Text(12)), HOSTILE),
                "role": st.one_of(
                    st.sampled_from(
                        [
                            "console",
                            "screen",
                            "phone",
                            "moderator",
                            "admin",
                            "",
                            "Console",
                            "phone ",
                        ]
                    ),
                    HOSTILE,
                ),
            }
        ),
        spec_payloads(CONNECT_SPEC),
        HOSTILE,
        st.none(),
    ).filter(
        # A bare number cannot be told from an ack id in a CONNECT packet ("05"): the
        # Socket.IO encoding itself cannot carry it, so it never reaches the app.
        lambda a: isinstance(a, bool) or not isinstance(a, (int, float))
    )

    @FUZZ
    @given(auth=auths)
    def run(auth):
        arena.examples += 1
        client = socketio.test_client(arena.app, flask_test_client=both.http, auth=auth)
        connected = client.is_connected()
        try:
            data = parse(CONNECT_SPEC, auth)
        except RuleError:
            data = None
        valid = data is not None
        found = valid and arena.app.extensions["facilitator"]["service"].find_session(data["code"])
        # Both grants are for `room`: a valid auth naming it (or the other session as a
        # screen) connects; everything else is refused.
        should = bool(found) and (found["code"] == room.code or data["role"] == "screen")

        def where():
            return f"auth {short(auth)}: connected {connected}, session {found}"

        assert connected == should, where()
        if connected:  # a connection changes nothing either
            arena.accepted += 1
            arena.unchanged(where)
            client.get_received()
            client.disconnect()
        else:
            arena.refused_invalid += not valid
            arena.refused_now(where)
        assert not arena.errors.records, (where(), arena.errors.text())
        socketio.server.environ.pop(client.eio_sid, None)
        type(client).clients.pop(client.eio_sid, None)
        arena.drain()

    try:
        run()
        arena.full_check()
    finally:
        arena.count("connect (auth packet)")
    assert arena.examples >= EXAMPLES


# ----- the JSON routes ------------------------------------------------------------------------


def _sessions(app) -> int:
    with app.extensions["facilitator"]["service"].unit() as db:
        return db.execute(
            __import__("sqlalchemy").text("SELECT count(*) FROM sessions")
        ).scalar_one()


def _participants(app) -> int:
    with app.extensions["facilitator"]["service"].unit() as db:
        return db.execute(
            __import__("sqlalchemy").text("SELECT count(*) FROM participants")
        ).scalar_one()


RAW_BODIES = st.tuples(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.sampled_from(
            [
                b"",
                b"{",
                b"null",
                b"[]",
                b'{"title":',
                b"\xff\xfe\x00",
                b'{"title": "a", "title": "b"}',
                b'{"title": NaN}',
                b"title=Hello",
                b'\xef\xbb\xbf{"title": "bom"}',
            ]
        ),
    ),
    st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=utf-16",
            "multipart/form-data",
            "application/vnd.api+json",
        ]
    ),
)


def _json_route_examples(spec: dict) -> st.SearchStrategy:
    return st.one_of(
        payloads(spec).map(lambda p: ("json", p)), RAW_BODIES.map(lambda b: ("raw", b))
    )


def _post(client, url: str, kind: str, body):
    if kind == "raw":
        data, ctype = body
        return client.post(url, data=data, content_type=ctype)
    if body is ABSENT:
        return client.post(url)
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _body_size(kind: str, body) -> int:
    if kind == "raw":
        return len(body[0])
    return 0 if body is ABSENT else len(json.dumps(body).encode())


@pytest.mark.parametrize("route", ["POST /api/sessions", "POST /api/sessions/<code>/participants"])
def test_fuzz_json_route(arena, route):
    room, app = arena.room, arena.app
    joining = "participants" in route
    spec = JOIN_SPEC if joining else CREATE_SPEC
    url = f"/api/sessions/{room.code}/participants" if joining else "/api/sessions"
    count = _participants if joining else _sessions

    rows = [count(app)]

    @FUZZ
    @given(example=_json_route_examples(spec))
    def run(example):
        kind, body = example
        arena.examples += 1
        res = _post(app.test_client(), url, kind, body)  # each time a stranger's browser
        size = _body_size(kind, body)

        def where():
            return (
                f"{route} {kind} {short(body)} -> {res.status_code} "
                f"{res.get_data(as_text=True)[:300]}"
            )

        assert res.status_code in (201, 400, 413), where()
        # Bodies over MAX_CONTENT_LENGTH are refused before they are read (an HTML 413: see
        # test_api_refuses_a_too_large_body_in_json); every other answer is JSON.
        assert (res.status_code == 413) == (size > MAX_BODY), where()
        answer = res.get_json(silent=True) if res.status_code != 413 else None
        if res.status_code != 413:
            assert isinstance(answer, dict) and answer.get("ok") is (res.status_code == 201), (
                where()
            )
        if kind == "json" and res.status_code != 413:
            want = expected_error(spec, body)
            if want is not None:
                assert res.status_code == 400 and answer["error"] == want, (want, where())
            else:
                assert res.status_code == 201, where()
        if res.status_code == 201:
            rows[0] += 1
            assert count(app) == rows[0], where()
            arena.accepted_now()
        else:
            if res.status_code == 400:
                assert isinstance(answer.get("error"), str) and answer.get("message"), where()
            arena.refused_invalid += 1
            arena.refused_now(where)
        assert not arena.errors.records, (where(), arena.errors.text())
        arena.drain()

    try:
        run()
        arena.full_check()
        assert count(app) == rows[0]
    finally:
        arena.count(route)
    assert arena.examples >= EXAMPLES
    assert app.test_client().get("/").status_code == 200


# ----- what the fuzzing found: shapes a raw client can send that the app does not refuse ------


def _ack_or_raise(sio, *packet):
    """The acknowledgement of an emit, or the exception that left the server's dispatcher."""
    try:
        return sio.emit(*packet, callback=True)
    except Exception as exc:  # noqa: BLE001 - the test reports what escaped
        return exc


def test_extra_positional_arguments_are_refused(arena):
    """Every registered event, sent by its own role with two arguments, is refused with an
    acknowledgement and changes nothing."""
    escaped = {}
    for event in sorted(EVENTS):
        if event in RESERVED or event == CATCH_ALL:
            continue
        _is_command, role, _spec = EVENTS[event]
        got = _ack_or_raise(arena.sender(role).sio, event, {}, {"extra": 1})
        if not (isinstance(got, dict) and got.get("ok") is False):
            escaped[event] = repr(got)[:120]
        arena.refused_now(lambda event=event: event)
        arena.drain()
    assert escaped == {}, escaped


def test_the_catch_all_refuses_any_number_of_arguments(arena):
    for args in ((), ({},), ({}, {}), (1, [2], "3", None)):
        ack = arena.room.screen.sio.emit("no:such:event", *args, callback=True)
        assert ack["error"] == "unknown_event", (args, ack)
    arena.full_check()


def test_a_connect_event_cannot_rebind_a_connection(arena):
    phone = arena.phones["ada"]
    ack = _ack_or_raise(
        phone.sio, "connect", "environ", {"code": arena.other.code, "role": "screen"}
    )
    arena.drain()
    # The phone is still Ada's phone in her own session (actual: not_joined)...
    assert phone.emit("pitch:withdraw", {"pitch_id": 10**6})["error"] == "unknown_pitch"
    # ... and the event was refused.
    assert isinstance(ack, dict) and ack.get("ok") is False, ack


def test_a_refused_connect_event_is_answered_not_raised(arena):
    ack = _ack_or_raise(
        arena.room.screen.sio, "connect", "environ", {"code": arena.room.code, "role": "console"}
    )
    assert isinstance(ack, dict) and ack.get("ok") is False, repr(ack)


def test_a_disconnect_event_is_refused(arena):
    phone = arena.phones["ada"]
    ack = _ack_or_raise(phone.sio, "disconnect", "client namespace disconnect")
    # Still Ada's phone (actual: not_joined), and the event was refused.
    assert phone.emit("pitch:withdraw", {"pitch_id": 10**6})["error"] == "unknown_pitch"
    assert isinstance(ack, dict) and ack.get("ok") is False, repr(ack)


def test_a_connect_event_does_not_refill_the_rate_limit(tmp_path):
    clock = FakeClock()
    app = abuse_app(tmp_path / "limit.db", clock, EVENT_RATE=0.001, EVENT_BURST=3)
    room = Room(app, clock)
    sio = room.screen.sio
    assert [sio.emit("time:sync", callback=True)["ok"] for _ in range(3)] == [True] * 3
    assert sio.emit("time:sync", callback=True)["error"] == "rate_limited"
    _ack_or_raise(sio, "connect", "environ", {"code": room.code, "role": "screen"})
    sio.get_received()
    assert sio.emit("time:sync", callback=True).get("error") == "rate_limited"


@pytest.mark.parametrize("path", ["/api/sessions", "/api/sessions/{code}/participants"])
def test_api_refuses_a_too_large_body_in_json(room, path):
    res = room.moderator.http.post(
        path.format(code=room.code), json={"title": "x" * 70_000, "name": "y"}
    )
    assert res.status_code == 413
    answer = res.get_json(silent=True)
    assert isinstance(answer, dict) and answer.get("ok") is False and answer.get("error")
