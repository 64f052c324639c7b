"""Who may do what over HTTP, whether the moderator key can leak to a phone or the screen,
and socket roles beyond tests/integration/test_refusals.py.

Four browsers, each with its own cookie jar:
- `mod_a`: the moderator of session A (the one under test);
- `mod_b`: the moderator of ANOTHER session, B;
- `participant`: a phone that joined A;
- `anonymous`: no cookie at all (a screen, or anyone who knows the join code).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer

from .conftest import ROLE_COUNTS, Browser, Room, frozen

ROLES = ("mod_a", "mod_b", "participant", "anonymous")


@pytest.fixture(autouse=True)
def count_answers(monkeypatch):
    """Tally every answer these tests get (all of them are asserted), for the report."""
    from flask.testing import FlaskClient
    from flask_socketio.test_client import SocketIOTestClient

    def tally(kind: str, refused: bool) -> None:
        key = f"{kind} {'refused' if refused else 'accepted'}"
        ROLE_COUNTS[key] = ROLE_COUNTS.get(key, 0) + 1

    open_, emit, connect = FlaskClient.open, SocketIOTestClient.emit, SocketIOTestClient.connect

    def counted_open(self, *args, **kwargs):
        res = open_(self, *args, **kwargs)
        tally("http", res.status_code >= 400)
        return res

    def counted_emit(self, *args, **kwargs):
        ack = emit(self, *args, **kwargs)
        if isinstance(ack, dict):
            tally("socket event", ack.get("ok") is not True)
        return ack

    def counted_connect(self, *args, **kwargs):
        connect(self, *args, **kwargs)
        tally("socket connect", not self.is_connected(kwargs.get("namespace")))

    monkeypatch.setattr(FlaskClient, "open", counted_open)
    monkeypatch.setattr(SocketIOTestClient, "emit", counted_emit)
    monkeypatch.setattr(SocketIOTestClient, "connect", counted_connect)


class World:
    def __init__(self, app, clock):
        self.app = app
        self.a = Room(app, clock, title="Session A")
        self.b = Room(app, clock, title="Session B")
        self.key_a = self.a.info["console_url"].split("key=", 1)[1]
        self.key_b = self.b.info["console_url"].split("key=", 1)[1]
        self.phone = self.a.phone("Pat", "Phone Org")
        self.other_phone = self.a.phone("Quinn")
        self.pitch = self.a.add("Moderated pitch")
        self.a.add("Second pitch")
        self.http = {
            "mod_a": self.a.moderator.http,
            "mod_b": self.b.moderator.http,
            "participant": self.phone.http,
            "anonymous": app.test_client(),
        }
        self.a.drain()
        self.b.drain()

    def sessions(self) -> int:
        from sqlalchemy import text

        with self.app.extensions["facilitator"]["service"].unit() as db:
            return db.execute(text("SELECT count(*) FROM sessions")).scalar_one()

    def state(self) -> tuple:
        """Everything a refusal must leave alone: both sessions and the number of sessions."""
        return frozen(self.a), frozen(self.b), self.sessions()

    def can_open_console(self, who: str) -> bool:
        return self.http[who].get(f"/console/{self.a.code}").status_code == 200


@pytest.fixture
def world(app, clock):
    return World(app, clock)


# ----- the route matrix ----------------------------------------------------------------------

# (route, allowed roles): GET routes that read or grant the moderator's powers.
MODERATOR_ONLY = {
    "GET /console/<code>": "/console/{code}",
    "GET /console/<code>/share": "/console/{code}/share",
    "GET /console/<code>/card": "/console/{code}/card",
    "GET /console/<code>/log.csv": "/console/{code}/log.csv",
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("route", sorted(MODERATOR_ONLY))
def test_moderator_pages_need_this_sessions_grant(world, who, route):
    before = world.state()
    res = world.http[who].get(MODERATOR_ONLY[route].format(code=world.a.code))
    if who == "mod_a":
        assert res.status_code == 200, res.status_code
        if route.endswith("log.csv"):
            assert res.mimetype == "text/csv"
    else:
        assert res.status_code == 403, (who, route, res.status_code)
        body = res.get_data(as_text=True)
        assert world.key_a not in body
        assert "btn-primary" not in body  # no console controls
    assert world.state() == before
    assert world.can_open_console(who) is (who == "mod_a")


@pytest.mark.parametrize("who", ROLES)
def test_the_console_key_grants_exactly_its_session(world, who):
    http, code = world.http[who], world.a.code
    before = world.state()
    # Another session's key, a mangled key, an empty one: refused, and no grant given.
    for key in (
        world.key_b,
        world.key_a[:-1],
        world.key_a + "x",
        world.key_a.upper(),
        "",
        " " + world.key_a,
    ):
        res = http.get(f"/console/{code}", query_string={"key": key})
        assert res.status_code == 403, (who, key, res.status_code)
        assert world.can_open_console(who) is (who == "mod_a"), (who, key)
    assert world.state() == before
    # The right key grants the console to anyone holding it, and leaves the address bar.
    res = http.get(f"/console/{code}", query_string={"key": world.key_a})
    assert res.status_code == 302
    location = res.headers["Location"]
    assert "key" not in location and world.key_a not in location
    assert urlsplit(location).path == f"/console/{code}"
    assert world.can_open_console(who)
    assert world.state() == before  # opening the console changes nothing either
    # B's key still does not open A, and A's grant does not open B.
    assert http.get(f"/console/{world.b.code}").status_code == (200 if who == "mod_b" else 403)


@pytest.mark.parametrize("who", ROLES)
def test_results_api_before_and_after_reveal(world, who):
    a, http, url = world.a, world.http[who], f"/api/sessions/{world.a.code}/results"
    before = world.state()
    res = http.get(url)
    if who == "mod_a":
        assert res.status_code == 200 and res.get_json()["ok"] is True
    else:
        assert res.status_code == 403 and res.get_json()["error"] == "results_hidden", who
        assert "results" not in res.get_json()
    # Bearer: this session's key opens it for anyone; another session's key does not.
    res = http.get(url, headers={"Authorization": f"Bearer {world.key_a}"})
    assert res.status_code == 200
    for bad in (
        f"Bearer {world.key_b}",
        f"bearer {world.key_a}",
        f"Bearer  {world.key_a}",
        world.key_a,
        f"Basic {world.key_a}",
        "Bearer ",
    ):
        res = http.get(url, headers={"Authorization": bad})
        assert res.status_code == (200 if who == "mod_a" else 403), (who, bad)
    assert world.state() == before
    # Once revealed, everyone may read them.
    assert a.mod("voting:open")["ok"] and a.mod("results:reveal", {"revealed": True})["ok"]
    res = http.get(url)
    assert res.status_code == 200 and res.get_json()["revealed"] is True
    assert world.key_a not in res.get_data(as_text=True)


@pytest.mark.parametrize("who", ROLES)
def test_creating_a_session_is_open_to_anyone_and_touches_no_other(world, who):
    http = world.http[who]
    a_before, b_before, count = world.state()
    res = http.post("/api/sessions", json={"title": f"New by {who}"})
    assert res.status_code == 201, res.get_json()
    new = res.get_json()
    assert new["code"] not in (world.a.code, world.b.code)
    res = http.post(
        "/", data={"title": f"Form by {who}", "pitch_minutes": "2", "dots_per_person": "3"}
    )
    assert res.status_code == 302 and res.headers["Location"].endswith("/share")
    assert world.state() == (a_before, b_before, count + 2)
    # The creator moderates the new session, and gained nothing over A.
    assert http.get(f"/console/{new['code']}").status_code == 200
    assert world.can_open_console(who) is (who == "mod_a")
    # A refused form creates nothing.
    for form in (
        {"title": ""},
        {"title": "x" * 121},
        {"title": "ok", "pitch_minutes": "abc"},
        {"title": "ok", "dots_per_person": "99"},
        {"title": "a\x00b"},
    ):
        assert http.post("/", data=form).status_code == 400, form
    assert world.state() == (a_before, b_before, count + 2)


@pytest.mark.parametrize("who", ROLES)
def test_joining_is_open_to_anyone_with_the_code(world, who):
    """Joining needs only the code (the room's QR). It never grants more than a phone."""
    http = world.http[who]
    before_b = frozen(world.b)
    res = http.post(f"/api/sessions/{world.a.code}/participants", json={"name": f"J {who}"})
    assert res.status_code == 201
    answer = res.get_json()
    assert set(answer) == {"ok", "participant_id"}, answer  # the token stays in the cookie
    assert world.key_a not in res.get_data(as_text=True)
    assert frozen(world.b) == before_b
    assert world.can_open_console(who) is (who == "mod_a")
    # Refused joins add nobody.
    before = world.state()
    for body in (
        {"name": ""},
        {"name": "x" * 61},
        {"name": "ok", "session_id": 2},
        {"name": "ok", "participant_id": 1},
        {"name": "ok", "role": "console"},
    ):
        res = http.post(f"/api/sessions/{world.a.code}/participants", json=body)
        assert res.status_code == 400, body
    res = http.post("/api/sessions/ZZZZZZ/participants", json={"name": "ok"})
    assert res.status_code == 404
    assert world.state() == before


def test_a_forged_cookie_grants_nothing(world):
    """A cookie signed with another secret (or edited) is ignored: no console, no phone."""
    forged = URLSafeTimedSerializer(
        "not-the-secret",
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1},
    ).dumps({"m": {world.a.code: "guess"}, "p": {world.a.code: "guess"}})
    b = Browser(world.app, world.a.code)
    b.http.set_cookie("facilitator", forged, domain="localhost")
    assert b.http.get(f"/console/{world.a.code}").status_code == 403
    assert b.http.get(f"/console/{world.a.code}/log.csv").status_code == 403
    for role in ("console", "phone"):
        sio = b.connect(role)
        assert not sio.is_connected(), role


# ----- the moderator key never reaches a phone or the screen -------------------------------

ASSET = re.compile(r'(?:src|href)="(/[^"]+)"')


def crawl(http, start: list[str]) -> dict[str, str]:
    """GET each page and every same-site asset it references (one level), as text."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        res = http.get(url)
        seen[url] = res.get_data().decode("latin-1")  # binary assets too (the key is ASCII)
        if res.mimetype == "text/html":
            todo += [
                u.replace("&amp;", "&")
                for u in ASSET.findall(seen[url])
                if not u.startswith("/console")
            ]
    return seen


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Which secrets (or a 16-character piece of one) appear in `text`."""
    return [
        s
        for s in secrets
        if s in text or any(s[i : i + 16] in text for i in range(0, len(s) - 15, 8))
    ]


def test_the_moderator_key_never_reaches_a_phone_or_the_screen(world):
    a, code = world.a, world.a.code
    secrets = [world.key_a, world.key_b]
    phone, other = world.phone, world.other_phone
    stranger = Browser(world.app, code)  # a phone that has not joined yet
    screen = a.screen
    for b in (phone, other, screen):
        b.sio.get_received()

    # Pages and assets as each of them loads them.
    loaded = {}
    for name, http in (
        ("phone", phone.http),
        ("stranger", stranger.http),
        ("screen", world.http["anonymous"]),
    ):
        pages = crawl(
            http,
            [
                f"/j/{code}",
                f"/screen/{code}",
                f"/qr/{code}.svg",
                "/j",
                f"/j?code={code}",
                "/",
                f"/j/{code.lower()}",
                "/no-such-page",
                f"/console/{code}",
                f"/console/{code}/share",
                f"/api/sessions/{code}/results",
            ],
        )
        assert any(u.startswith("/static/") for u in pages), (name, sorted(pages))
        loaded.update({f"{name} {u}": t for u, t in pages.items()})

    # A short round, with every kind of message a phone or the screen can receive.
    acks = []
    pending = other.emit("pitch:propose", {"title": "Phone idea", "offer": "Offer"})
    acks.append(pending)
    steps = [
        ("pitch:accept", {"pitch_id": pending["pitch_id"]}),
        ("section:add", {"title": "Pitches", "kind": "pitches", "minutes": 10}),
        ("timer:start", None),
        ("cue:screen", {"text": "Wrap up"}),
        ("timer:adjust", {"seconds": 30}),
        ("timer:pause", None),
        ("timer:resume", None),
        ("stage:next", None),
        ("stage:next", None),
        ("cue:pitcher", {"text": "1 min"}),
        ("timer:reset", None),
        ("undo", None),
        ("voting:open", None),
    ]
    for event, payload in steps:
        acks.append(a.mod(event, payload))
    acks.append(phone.emit("vote:set", {"pitch_id": pending["pitch_id"], "dots": 1}))
    acks.append(other.emit("sync"))
    acks.append(screen.emit("sync"))
    acks.append(phone.emit("time:sync"))
    for event, payload in (
        ("voting:close", None),
        ("results:reveal", {"revealed": True}),
        ("screen:mode", {"mode": "results"}),
    ):
        acks.append(a.mod(event, payload))
    acks.append(phone.emit("stage:next"))  # refusals carry text too
    acks.append(screen.emit("pitch:add", {"title": "x", "pitcher": "y"}))
    stranger_join = stranger.http.post(f"/api/sessions/{code}/participants", json={"name": "Late"})
    loaded["stranger join answer"] = stranger_join.get_data(as_text=True)
    stranger.connect("phone")
    loaded["results after reveal"] = phone.http.get(f"/api/sessions/{code}/results").get_data(
        as_text=True
    )

    messages = {
        name: b.sio.get_received()
        for name, b in (
            ("phone", phone),
            ("other phone", other),
            ("screen", screen),
            ("late phone", stranger),
        )
    }
    assert all(messages.values()), {k: len(v) for k, v in messages.items()}
    kinds = {m["name"] for got in messages.values() for m in got}
    assert {"stage", "me", "counts"} <= kinds, kinds
    for name, got in messages.items():
        loaded[f"{name} socket messages"] = json.dumps(got)
    loaded["phone and screen acks"] = json.dumps(acks)

    found = {where: leaks(text, secrets) for where, text in loaded.items()}
    assert {k: v for k, v in found.items() if v} == {}
    # The participant tokens are just as private: one phone never sees another's.
    tokens = _tokens(world)
    for name in ("other phone", "screen", "late phone"):
        assert leaks(loaded[f"{name} socket messages"], tokens) == [], name
    # And the moderator's own page does carry it (the crawl would have seen it if it leaked).
    assert world.key_a in a.moderator.http.get(f"/console/{code}/share").get_data(as_text=True)


def _tokens(world) -> list[str]:
    from sqlalchemy import text

    with world.app.extensions["facilitator"]["service"].unit() as db:
        return list(db.execute(text("SELECT token FROM participants")).scalars())


# ----- socket roles beyond the existing matrix -----------------------------------------------


def test_a_phone_of_session_a_is_refused_by_session_b(world):
    b = world.b
    before = world.state()
    for role in ("phone", "console"):
        intruder = Browser(world.app, b.code)
        intruder.http = world.phone.http  # A's participant cookie
        sio = intruder.connect(role)
        assert not sio.is_connected(), role
    # As a screen, B is public (read-only): it connects, and can send nothing that matters.
    intruder = Browser(world.app, b.code)
    intruder.http = world.phone.http
    intruder.connect("screen")
    for event, payload in (
        ("vote:set", {"pitch_id": b.add("B pitch"), "dots": 1}),
        ("pitch:propose", {"title": "t", "offer": "o"}),
        ("stage:next", None),
    ):
        ack = intruder.emit(event, payload)
        assert ack["ok"] is False and ack["error"] in ("not_joined", "forbidden"), (event, ack)
    after = world.state()
    assert after[0] == before[0] and after[2] == before[2]  # B only gained its own pitch


@pytest.mark.parametrize("role", ["phone", "console"])
def test_a_browser_that_never_joined_cannot_connect(world, role):
    """No cookie at all, or only the other kind of grant: refused at connect."""
    before = world.state()
    nobody = Browser(world.app, world.a.code)
    assert not nobody.connect(role).is_connected()
    # The participant's cookie does not make a console, nor the moderator's a phone.
    other = Browser(world.app, world.a.code)
    other.http = world.phone.http if role == "console" else world.a.moderator.http
    assert not other.connect(role).is_connected()
    assert world.state() == before


def test_a_moderator_of_another_session_cannot_connect_as_its_console(world):
    intruder = Browser(world.app, world.a.code)
    intruder.http = world.b.moderator.http
    assert not intruder.connect("console").is_connected()
    # But as a phone after joining A, it is just a participant of A.
    assert (
        intruder.http.post(
            f"/api/sessions/{world.a.code}/participants", json={"name": "B's moderator"}
        ).status_code
        == 201
    )
    assert intruder.connect("phone").is_connected()
    ack = intruder.emit("stage:next")
    assert ack["error"] == "forbidden"


@pytest.fixture
def pitchers(world):
    """Two participants with a pitch each, on the queue; voting open."""
    a, pat, quinn = world.a, world.phone, world.other_phone
    mine = pat.emit("pitch:propose", {"title": "Pat's", "offer": "o"})["pitch_id"]
    theirs = quinn.emit("pitch:propose", {"title": "Quinn's", "offer": "o"})["pitch_id"]
    pending = quinn.emit("pitch:propose", {"title": "Quinn's pending", "offer": "o"})["pitch_id"]
    for pid in (mine, theirs):
        assert a.mod("pitch:accept", {"pitch_id": pid})["ok"]
    assert a.mod("voting:open")["ok"]
    a.drain()
    return world, mine, theirs, pending


def test_a_pitcher_cannot_withdraw_another_pitchers_pitch(pitchers):
    world, mine, theirs, pending = pitchers
    pat = world.phone
    before = world.state()
    for pid in (theirs, pending, world.pitch):  # queued, pending, the moderator's own
        assert pat.emit("pitch:withdraw", {"pitch_id": pid})["error"] == "not_your_pitch", pid
    # Another session's pitch is unknown here.
    b_pitch = world.b.add("B's")
    before = world.state()
    assert pat.emit("pitch:withdraw", {"pitch_id": b_pitch})["error"] == "unknown_pitch"
    assert world.state() == before
    # The owner may (the control case).
    assert world.other_phone.emit("pitch:withdraw", {"pitch_id": pending})["ok"] is True


def test_a_pitcher_cannot_vote_for_their_own_pitch(pitchers):
    world, mine, theirs, _pending = pitchers
    pat = world.phone
    before = world.state()
    for dots in (1, 2, 20):
        ack = pat.emit("vote:set", {"pitch_id": mine, "dots": dots})
        assert ack["ok"] is False and ack["error"] == "own_pitch", (dots, ack)
    assert world.state() == before
    # Taking dots off is always allowed (domain/voting.check_dots): on one's own pitch, where
    # there are none, it is a no-op that stores nothing.
    pat.emit("vote:set", {"pitch_id": mine, "dots": 0})
    assert world.state() == before
    # A pitch of another session is not on this ballot.
    b_pitch = world.b.add("B's")
    assert world.b.mod("voting:open")["ok"]
    before = world.state()
    ack = pat.emit("vote:set", {"pitch_id": b_pitch, "dots": 1})
    assert ack["ok"] is False and ack["error"] in ("pitch_not_votable", "unknown_pitch"), ack
    assert world.state() == before
    # Voting for someone else's works (the control case).
    assert pat.emit("vote:set", {"pitch_id": theirs, "dots": 1})["ok"] is True
