"""Flooding, guessing and foreign origins, through the app (HTTP and Socket.IO test clients)."""

from .conftest import Browser, Room


def test_a_flooding_connection_is_throttled_and_others_are_not(room):
    flood, calm = room.phone("Flood"), room.phone("Calm")
    acks = [flood.emit("time:sync") for _ in range(100)]
    refused = [a for a in acks if not a["ok"]]
    assert refused and all(a["error"] == "rate_limited" for a in refused)
    assert len(refused) >= 100 - 40 - 5  # the burst of 40, then about 20 per second
    assert refused[0]["message"] == "Too many actions at once. Wait a moment and try again."
    # Another connection, even of the same session, is untouched.
    assert all(calm.emit("time:sync")["ok"] for _ in range(30))
    assert room.mod("pitch:add", {"title": "Still works", "pitcher": "X"})["ok"]


def test_a_refused_flooded_command_changes_nothing(room):
    phone = room.phone("Flood")
    for _ in range(60):
        phone.emit("time:sync")
    ack = phone.emit("pitch:propose", {"title": "Spam", "offer": "x"})
    assert ack["error"] == "rate_limited"
    assert room.state()["pending"] == []


def test_guessing_join_codes_is_held_to_a_few_tries_a_minute(app, room):
    http = app.test_client()
    statuses = [http.get(f"/j/ZZZZZ{c}").status_code for c in "23456789ABCDEFGHJKMNPQRSTUVWXYZ"]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    # While held, even the right code answers 429 (a guesser learns nothing) ...
    assert http.get(f"/j/{room.code}").status_code == 429
    assert (
        http.post(f"/api/sessions/{room.code}/participants", json={"name": "A"}).status_code == 429
    )
    # ... and so does the socket.
    b = Browser(app, room.code)
    assert not b.connect("screen").is_connected()


def test_a_whole_room_behind_one_address_joins_freely(app, room):
    http = app.test_client()
    for i in range(500):
        res = http.post(f"/api/sessions/{room.code}/participants", json={"name": f"P{i}"})
        assert res.status_code == 201, (i, res.get_json())
    assert room.state()["counts"]["participants"] == 500


def test_guessing_moderator_keys_is_throttled(app, room):
    http = app.test_client()
    for i in range(30):
        assert http.get(f"/console/{room.code}?key=guess{i}").status_code == 403
    assert http.get(f"/console/{room.code}?key=guess").status_code == 429


def test_writes_from_a_foreign_origin_are_refused(app, room):
    http = app.test_client()
    evil = http.post("/", data={"title": "CSRF"}, headers={"Origin": "http://evil.test"})
    assert evil.status_code == 403
    evil = http.post(
        f"/api/sessions/{room.code}/participants", json={"name": "CSRF"}, headers={"Origin": "null"}
    )
    assert evil.status_code == 403
    assert room.state()["counts"]["participants"] == 0
    ok = http.post(
        f"/api/sessions/{room.code}/participants",
        json={"name": "Real"},
        headers={"Origin": "http://venue.test:5000"},
    )
    assert ok.status_code == 201
    same = http.post("/", data={"title": "Mine"}, headers={"Origin": "http://localhost"})
    assert same.status_code == 302  # the test client's own host: same origin


def test_the_socket_origin_list_is_built_from_the_public_url(app):
    origins = app.extensions["facilitator"]["origins"]
    assert origins == [
        "http://127.0.0.1:5000",
        "http://[::1]:5000",
        "http://localhost:5000",
        "http://venue.test:5000",
    ]
    assert app.extensions["facilitator"]["socketio"].server.eio.cors_allowed_origins == origins


def test_rate_limit_is_configuration(tmp_path, clock):
    from facilitator import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "SECRET_KEY": "x",
            "ASYNC_MODE": "threading",
            "EVENT_RATE": 0,
        },
        clock=clock,
    )
    room = Room(app, clock)
    phone = room.phone("Fast")
    assert all(phone.emit("time:sync")["ok"] for _ in range(200))


def _console(room: Room) -> Browser:
    """One more console of the room's session (the moderator's browser, another tab)."""
    b = Browser(room.app, room.code)
    b.http = room.moderator.http
    b.connect("console")
    return b


def test_moderator_commands_share_one_budget_per_session(app, clock, room):
    """All consoles of a session together: 40 at once, then 10 a second; a refusal comes
    before the command runs and changes nothing; other sessions and the phones are untouched."""
    other_tab = _console(room)
    acks = [
        (room.moderator if i % 2 else other_tab).emit("cue:screen", {"text": f"Cue {i}"})
        for i in range(40)
    ]
    assert all(a["ok"] for a in acks), acks
    refused = other_tab.emit("cue:screen", {"text": "One too many"})
    assert refused["error"] == "rate_limited"
    assert refused["message"] == "Too many actions at once. Wait a moment and try again."
    assert room.mod("cue:screen", {"text": "Again"})["error"] == "rate_limited"
    assert room.screen.last("stage")["message"] == "Cue 39"
    # Another session's moderator has a budget of its own.
    other = Room(app, clock)
    assert other.mod("cue:screen", {"text": "Mine"})["ok"]
    # The phones of the session are not moderators: their events spend nothing of it.
    phone = room.phone("Ada")
    assert phone.emit("time:sync")["ok"]
    assert phone.emit("interest:set", {"pitch_id": 999, "on": True})["error"] != "rate_limited"


def test_a_session_holds_at_most_ten_consoles(room):
    consoles = [room.moderator] + [_console(room) for _ in range(9)]
    assert all(c.sio.is_connected() for c in consoles)
    eleventh = Browser(room.app, room.code)
    eleventh.http = room.moderator.http
    sio = eleventh.connect("console")
    assert not sio.is_connected()
    # A screen and a phone of the session still connect: the cap is on consoles.
    assert Browser(room.app, room.code).connect("screen").is_connected()
    assert room.phone("Ada").sio.is_connected()
    # One console closes: its place is free again.
    consoles[-1].sio.disconnect()
    assert _console(room).sio.is_connected()


def test_the_console_cap_refuses_with_a_readable_error(app, room):
    from facilitator.domain.errors import RuleError
    from facilitator.messages import error_payload

    with app.test_request_context():
        payload = error_payload(RuleError("too_many_consoles"))
    assert payload["error"] == "too_many_consoles"
    assert "consoles" in payload["message"]


def test_phone_writes_are_budgeted_per_address(tmp_path, clock):
    """The events of phones that write (ratings, interests) share one budget per client
    address, whatever connection sends them; the batched votes and the clock do not."""
    from facilitator import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "SECRET_KEY": "x",
            "ASYNC_MODE": "threading",
            "COALESCE_MS": 0,
            "PHONE_EVENTS_PER_ADDRESS": 0.001,
            "PHONE_EVENT_BURST": 6,
        },
        clock=clock,
    )
    room = Room(app, clock)
    pitch = room.add("Solar")
    room.mod("timer:start")
    room.mod("stage:next")
    ada, bob = room.phone("Ada"), room.phone("Bob")
    acks = [p.emit("interest:set", {"pitch_id": pitch, "on": True}) for p in (ada, bob) * 3]
    assert all(a["ok"] for a in acks), acks
    refused = bob.emit("interest:set", {"pitch_id": pitch, "on": False})
    assert refused["error"] == "rate_limited"
    assert bob.sio.get_received() is not None  # (drained)
    assert bob.emit("time:sync")["ok"]
    assert ada.emit("rating:set", {"pitch_id": pitch, "impact": 3})["error"] == "rate_limited"
    # Cheap and batched events are not counted.
    assert all(ada.emit("time:sync")["ok"] for _ in range(10))
    # The moderator's budget is another.
    assert room.mod("cue:screen", {"text": "Still here"})["ok"]


def test_event_budgets_are_configuration(tmp_path, clock, monkeypatch):
    from facilitator.config import from_env as load_config

    monkeypatch.setenv("FACILITATOR_MODERATOR_EVENTS_PER_SECOND", "0")
    monkeypatch.setenv("FACILITATOR_CONSOLES_PER_SESSION", "3")
    monkeypatch.setenv("FACILITATOR_PHONE_EVENTS_PER_ADDRESS", "7.5")
    cfg = load_config()
    assert cfg["MODERATOR_EVENTS_PER_SECOND"] == 0
    assert cfg["CONSOLES_PER_SESSION"] == 3
    assert cfg["PHONE_EVENTS_PER_ADDRESS"] == 7.5
    monkeypatch.setenv("FACILITATOR_PHONE_EVENTS_PER_ADDRESS", "-1")
    import pytest

    with pytest.raises(ValueError):
        load_config()
