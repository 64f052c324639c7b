"""A connection's identity never outlives the rows it points at.

A console socket and a phone socket stay open while the moderator erases their session (or
while the participant deletes themselves from another tab). Whatever is created next (a new
session, a new joiner, a new pitch) must be safe from them: they are disconnected, they
receive nothing of what comes next, and every command they still send is refused and
changes nothing. Identifiers are never handed out twice, and each event checks its session
and participant against something that is never reused (the join code, the participant's
secret token, the moderator key).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sqlite3
import time
import urllib.parse

from bench.wsclient import ProtocolError, SioClient

from .conftest import Browser, Room, frozen

NEWCOMER = {"name": "Newcomer Nadia", "organisation": "Harbour Robotics"}
NEW_CONTACT = {"email": "nadia@harbour.example", "phone": "+44 20 7946 0999"}


def refused(ack) -> bool:
    """No answer at all (the connection is gone) or an explicit refusal."""
    return ack is None or ack.get("ok") is False


def send(browser: Browser, event: str, payload=None):
    """The browser's event and its answer; None when the server closed the connection."""
    try:
        return browser.emit(event, payload)
    except RuntimeError as err:  # the test client refuses to send on a closed connection
        assert "not connected" in str(err)
        return None


def until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def every_payload(browser: Browser) -> str:
    """What reached the browser's socket since the last look (even once it was closed)."""
    got, browser.sio.queue[:] = list(browser.sio.queue), []
    return json.dumps(got, default=str)


def erase(room: Room) -> None:
    res = room.moderator.http.post(f"/console/{room.code}/erase", data={"confirm": room.code})
    assert res.status_code == 200, res.status_code


def newcomer_in(room: Room) -> Browser:
    """A new joiner with contact details, and a pitch on the stage with voting open."""
    b = room.phone(**NEWCOMER)
    assert b.emit("contact:set", {**NEW_CONTACT, "consent": True})["ok"]
    return b


def old_console_commands(pitch_id: int) -> list[tuple[str, dict | None]]:
    return [
        ("sync", None),
        ("cue:screen", {"text": "hijacked"}),
        ("cue:pitcher", {"text": "hijacked"}),
        ("session:settings", {"dots_per_person": 9}),
        ("pitch:add", {"title": "Injected", "pitcher": "Mallory"}),
        ("voting:open", None),
        ("voting:close", None),
        ("stage:next", None),
        ("pitch:remove", {"pitch_id": pitch_id}),
        ("results:reveal", {"revealed": True}),
        ("screen:mode", {"mode": "blank"}),
        ("section:add", {"title": "X", "kind": "talks", "minutes": 5}),
    ]


def old_phone_commands(pitch_id: int) -> list[tuple[str, dict | None]]:
    return [
        ("sync", None),
        ("vote:set", {"pitch_id": pitch_id, "dots": 1}),
        ("rating:set", {"pitch_id": pitch_id, "impact": 5, "ease": 5}),
        ("interest:set", {"pitch_id": pitch_id, "on": True}),
        ("contact:set", {"email": "spy@evil.example", "consent": True}),
        ("pitch:propose", {"title": "Hijack", "offer": "Nothing"}),
        ("pitch:withdraw", {"pitch_id": pitch_id}),
        ("me:delete", None),
    ]


def newcomer_view(room: Room, participant_id: int) -> dict:
    return room.snapshots.me(room.session_id, participant_id)


# ----- erase: the old sockets take nothing over -------------------------------------------


def test_sockets_of_an_erased_session_are_cut_off_and_never_reach_the_next_one(app, clock):
    old = Room(app, clock, title="Erased round")
    olga = old.phone("Olga Old", "Old Org")
    erase(old)
    # Both old sockets are disconnected by the server, not left to the page's goodwill.
    assert until(lambda: not old.moderator.sio.is_connected()), "old console still connected"
    assert until(lambda: not olga.sio.is_connected()), "old phone still connected"
    for b in (old.moderator, olga):
        every_payload(b)

    new = Room(app, clock, title="Next round")
    nadia = newcomer_in(new)
    pitch = new.add("Shared bikes", "Pia")
    assert new.mod("voting:open")["ok"]
    before = frozen(new)
    nadia_before = newcomer_view(new, nadia.participant_id)

    # Everything the old console and the old phone try is refused.
    for event, payload in old_console_commands(pitch):
        assert refused(send(old.moderator, event, payload)), event
    for event, payload in old_phone_commands(pitch):
        assert refused(send(olga, event, payload)), event

    # Nothing changed, and nothing of the new session reached the old sockets.
    assert frozen(new) == before
    assert newcomer_view(new, nadia.participant_id) == nadia_before
    seen = every_payload(old.moderator) + every_payload(olga)
    for secret in (*NEWCOMER.values(), *NEW_CONTACT.values(), "Next round", "Shared bikes"):
        assert secret not in seen, secret


def test_every_event_checks_its_identity_where_the_socket_was_not_closed(app, clock, monkeypatch):
    """With several processes, the one that erased closes its own sockets at once; a socket
    held by another process is refused by the check every event makes (here: closing is
    switched off, as if the sockets lived in another process)."""
    connections = app.extensions["facilitator"]["connections"]
    monkeypatch.setattr(connections, "cut", lambda sids, delay=0: None)
    old = Room(app, clock, title="Erased elsewhere")
    olga = old.phone("Olga Elsewhere", "Old Org")
    erase(old)
    new = Room(app, clock, title="Next round")
    nadia = newcomer_in(new)
    pitch = new.add("Shared bikes", "Pia")
    assert new.mod("voting:open")["ok"]
    before = frozen(new)
    nadia_before = newcomer_view(new, nadia.participant_id)
    every_payload(old.moderator), every_payload(olga)
    assert old.moderator.sio.is_connected() and olga.sio.is_connected()
    for event, payload in old_console_commands(pitch):
        ack = send(old.moderator, event, payload)
        assert ack is not None and ack["error"] == "unknown_session", (event, ack)
    for event, payload in old_phone_commands(pitch):
        ack = send(olga, event, payload)
        assert ack is not None and ack["error"] == "unknown_session", (event, ack)
    assert frozen(new) == before
    assert newcomer_view(new, nadia.participant_id) == nadia_before
    seen = every_payload(old.moderator) + every_payload(olga)
    for secret in (*NEWCOMER.values(), *NEW_CONTACT.values(), "Next round", "Shared bikes"):
        assert secret not in seen, secret


def test_the_sweep_closes_sockets_whose_identity_is_gone(app, clock, monkeypatch):
    """The sweep (IDENTITY_SWEEP_S, on with a message queue) finds them without an event."""
    connections = app.extensions["facilitator"]["connections"]
    room = Room(app, clock, title="Swept")
    stays = room.phone("Stays")
    leaves = room.phone("Leaves")
    cut = connections.cut
    monkeypatch.setattr(connections, "cut", lambda sids, delay=0: None)
    assert leaves.emit("me:delete")["ok"]
    monkeypatch.setattr(connections, "cut", cut)
    assert leaves.sio.is_connected()
    assert connections.sweep_once() == 1
    assert until(lambda: not leaves.sio.is_connected())
    assert stays.sio.is_connected() and room.moderator.sio.is_connected()
    assert room.screen.sio.is_connected()
    erase(room)  # (closing is on again: the sweep has nothing left to find)
    assert until(lambda: not stays.sio.is_connected())
    assert connections.sweep_once() == 0


def test_new_rows_never_take_the_numbers_of_erased_ones(app, clock):
    old = Room(app, clock, title="First")
    phone = old.phone("First phone")
    pitch = old.add("First pitch")
    assert old.mod("section:add", {"title": "Talks", "kind": "talks", "minutes": 5})["ok"]
    section = old.state()["sections"][0]["id"]
    used = (old.session_id, phone.participant_id, pitch, section)
    erase(old)
    new = Room(app, clock, title="Second")
    newcomer = new.phone("Second phone")
    new_pitch = new.add("Second pitch")
    assert new.mod("section:add", {"title": "Talks", "kind": "talks", "minutes": 5})["ok"]
    new_section = new.state()["sections"][0]["id"]
    fresh = (new.session_id, newcomer.participant_id, new_pitch, new_section)
    for was, now in zip(used, fresh, strict=True):
        assert now > was, (used, fresh)


# ----- delete me: the person's other tabs are cut off -------------------------------------


def test_a_participant_who_deleted_themselves_keeps_no_open_socket(room):
    dana = room.phone("Dana Gone", "Gone Org")
    other_tab = Browser(room.app, room.code)
    other_tab.http = dana.http  # the same browser: same cookie
    other_tab.connect("phone")
    assert other_tab.sio.is_connected()
    assert dana.emit("pitch:propose", {"title": "Dana's plan", "offer": "Help"})["ok"]
    ack = dana.emit("me:delete")
    assert ack["ok"], ack
    assert until(lambda: not other_tab.sio.is_connected()), "the other tab is still connected"
    assert until(lambda: not dana.sio.is_connected()), "the deleting tab is still connected"
    every_payload(other_tab)

    # The next joiner proposes a pitch (a freed pitch number must not point anywhere).
    nadia = newcomer_in(room)
    assert nadia.emit("pitch:propose", {"title": "Nadia's plan", "offer": "Robots"})["ok"]
    pitch = room.add("Stage pitch")
    assert room.mod("voting:open")["ok"]
    before = frozen(room)
    nadia_before = newcomer_view(room, nadia.participant_id)
    for event, payload in old_phone_commands(pitch):
        assert refused(send(other_tab, event, payload)), event
    assert frozen(room) == before
    assert newcomer_view(room, nadia.participant_id) == nadia_before
    seen = every_payload(other_tab)
    for secret in (*NEWCOMER.values(), *NEW_CONTACT.values()):
        assert secret not in seen, secret
    # And the cookie no longer connects as anyone.
    again = Browser(room.app, room.code)
    again.http = dana.http
    again.connect("phone")
    assert not again.sio.is_connected()


# ----- a real server, raw sockets ---------------------------------------------------------


class Site:
    def __init__(self, port: int):
        self.port = port

    def request(
        self, method: str, path: str, body=None, cookie: str | None = None, form: dict | None = None
    ) -> tuple[int, dict, str | None]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {}
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body) if body is not None else None
            headers["Content-Type"] = "application/json"
        if cookie:
            headers["Cookie"] = cookie
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
        set_cookie = res.getheader("Set-Cookie")
        conn.close()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = {"raw": raw[:200]}
        return res.status, answer, set_cookie.split(";", 1)[0] if set_cookie else cookie


async def sio(port: int, code: str, role: str, cookie: str | None) -> SioClient:
    return await SioClient.connect(
        "127.0.0.1",
        port,
        {"code": code, "role": role},
        headers={"Cookie": cookie} if cookie else None,
    )


async def closed_by_server(conn: SioClient, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not conn.closed:
        await asyncio.sleep(0.05)
    return conn.closed


async def try_emit(conn: SioClient, event: str, payload) -> dict | None:
    try:
        return await conn.emit(event, payload, timeout=3)
    except (TimeoutError, ProtocolError, ConnectionError, OSError):
        return None


def test_real_server_erase_disconnects_raw_sockets_and_refuses_their_commands(server):
    site = Site(server.port)
    status, made, mod_cookie = site.request("POST", "/api/sessions", {"title": "Raw erased"})
    assert status == 201
    code = made["code"]
    status, _, olga_cookie = site.request(
        "POST", f"/api/sessions/{code}/participants", {"name": "Olga Raw"}
    )
    assert status == 201

    async def scenario():
        console = await sio(server.port, code, "console", mod_cookie)
        phone = await sio(server.port, code, "phone", olga_cookie)
        status, _, _ = site.request(
            "POST", f"/console/{code}/erase", cookie=mod_cookie, form={"confirm": code}
        )
        assert status == 200
        assert await closed_by_server(console), "the server left the old console connected"
        assert await closed_by_server(phone), "the server left the old phone connected"

        status, made2, mod2 = site.request("POST", "/api/sessions", {"title": "Raw next"})
        code2 = made2["code"]
        status, joined, nadia_cookie = site.request(
            "POST", f"/api/sessions/{code2}/participants", NEWCOMER
        )
        assert status == 201
        new_console = await sio(server.port, code2, "console", mod2)
        pitch = await new_console.emit("pitch:add", {"title": "Raw pitch", "pitcher": "P"})
        assert pitch["ok"]
        for event, payload in old_console_commands(pitch["pitch_id"]):
            assert refused(await try_emit(console, event, payload)), event
        for event, payload in old_phone_commands(pitch["pitch_id"]):
            assert refused(await try_emit(phone, event, payload)), event
        # The new moderator sees exactly what it made.
        assert (await new_console.emit("sync", None))["ok"]
        snaps = []
        while True:
            try:
                snaps.append((await new_console.wait_event("stage", timeout=1))[1][0])
            except TimeoutError:
                break
        await new_console.close()
        return snaps[-1], joined["participant_id"]

    snap, nadia_id = asyncio.run(scenario())
    assert [p["title"] for p in snap["queue"]] == ["Raw pitch"]
    assert snap["voting"] != "open" and snap["message"] == ""
    db = sqlite3.connect(server.db)
    try:
        row = db.execute(
            "SELECT name, organisation, email, deleted_at FROM participants WHERE id = ?",
            (nadia_id,),
        ).fetchone()
    finally:
        db.close()
    assert row == (NEWCOMER["name"], NEWCOMER["organisation"], "", None)
