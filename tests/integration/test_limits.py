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
