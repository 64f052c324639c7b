"""A moderator, a screen and two phones over Socket.IO: acknowledgements and who hears what."""

import pytest

from facilitator import create_app

from .conftest import Browser, make_app


def test_connect_sends_each_audience_its_snapshot(room):
    room.add("Open data", "Anna")
    phone = room.phone("Li Wei")
    stage = phone.last("stage")
    assert stage["session"]["code"] == room.code
    assert stage["session"]["join_url"] == f"http://venue.test:5000/j/{room.code}"
    assert [p["title"] for p in stage["queue"]] == ["Open data"]
    assert "pending" not in stage and "counts" not in stage and stage["results"] is None
    console = room.moderator.last("stage")
    assert "pending" in console and "settings" in console
    screen = room.screen.last("stage")
    assert screen["mode"] == "lobby" and "settings" not in screen


def test_connections_without_a_role_are_refused(room, app):
    from .conftest import Browser

    socketio = app.extensions["facilitator"]["socketio"]
    stranger = Browser(app, room.code)
    for auth in (
        {"code": room.code, "role": "console"},
        {"code": room.code, "role": "phone"},
        {"code": "ZZZZZZ", "role": "screen"},
        {"code": room.code, "role": "admin"},
        {"code": room.code},
        None,
        "garbage",
    ):
        client = socketio.test_client(app, flask_test_client=stranger.http, auth=auth)
        assert not client.is_connected()


def test_pitch_signup_accept_and_queue_place(room):
    a, b = room.phone("Li Wei", "Shenzhen"), room.phone("Marie")
    room.add("First", "Anna")
    ack = a.emit("pitch:propose", {"title": "Bike data", "offer": "2M rides, anonymised"})
    assert ack["ok"] and ack["status"] == "pending"
    pending = room.moderator.last("stage")["pending"]
    assert [(p["title"], p["pitcher"], p["organisation"]) for p in pending] == [
        ("Bike data", "Li Wei", "Shenzhen")
    ]
    # Pending pitches are not public yet.
    assert [p["title"] for p in b.last("stage")["queue"]] == ["First"]
    assert room.mod("pitch:accept", {"pitch_id": ack["pitch_id"]})["ok"]
    assert [p["title"] for p in b.last("stage")["queue"]] == ["First", "Bike data"]
    me = a.last("me")
    assert me["pitches"][0]["status"] == "queued"
    assert room.mod("pitch:accept", {"pitch_id": ack["pitch_id"]})["error"] == "not_pending"


def test_auto_accept_setting_puts_signups_straight_in_the_queue(room):
    assert room.mod("session:settings", {"auto_accept": True})["ok"]
    a = room.phone("Li")
    ack = a.emit("pitch:propose", {"title": "Bike data", "offer": "rides"})
    assert ack["status"] == "queued"
    assert room.state()["queue"][0]["title"] == "Bike data"


def test_signup_bad_input_is_refused_and_nothing_stored(room):
    a = room.phone("Li")
    for payload, code in (
        ({"title": "", "offer": "x"}, "required"),
        ({"title": "x" * 81, "offer": "y"}, "too_long"),
        ({"title": "ok", "offer": "y" * 281}, "too_long"),
        ({"title": 7, "offer": "y"}, "wrong_type"),
        ({"title": "ok"}, "required"),
        ({"title": "ok", "offer": "y", "status": "live"}, "unknown_field"),
        ("just a string", "wrong_type"),
        ([1, 2], "wrong_type"),
    ):
        ack = a.emit("pitch:propose", payload)
        assert ack["ok"] is False and ack["error"] == code, (payload, ack)
        assert ack["message"]
    assert room.state()["pending"] == [] and room.state()["queue"] == []
    for _ in range(3):
        assert a.emit("pitch:propose", {"title": "t", "offer": "o"})["ok"]
    assert a.emit("pitch:propose", {"title": "t", "offer": "o"})["error"] == "too_many_pitches"


def test_moderator_edits_removes_reorders_and_marks(room):
    one, two, three = room.add("One"), room.add("Two"), room.add("Three")
    assert room.mod("pitch:move", {"pitch_id": three, "index": 0})["ok"]
    assert [p["title"] for p in room.state()["queue"]] == ["Three", "One", "Two"]
    assert room.mod("pitch:move", {"pitch_id": three, "index": 3})["error"] == "invalid_position"
    assert room.mod("pitch:edit", {"pitch_id": one, "title": "Uno", "seconds": 90})["ok"]
    edited = next(p for p in room.state()["queue"] if p["id"] == one)
    assert (edited["title"], edited["seconds"]) == ("Uno", 90)
    assert room.mod("pitch:edit", {"pitch_id": one})["error"] == "nothing_to_change"
    assert room.mod("pitch:edit", {"pitch_id": one, "title": ""})["error"] == "required"
    assert room.mod("pitch:mark", {"pitch_id": two, "status": "skipped"})["ok"]
    assert room.mod("pitch:mark", {"pitch_id": two, "status": "live"})["error"] == "invalid_choice"
    assert room.mod("pitch:remove", {"pitch_id": three})["ok"]
    assert room.mod("pitch:remove", {"pitch_id": three})["error"] == "unknown_pitch"
    assert [(p["title"], p["status"]) for p in room.state()["queue"]] == [
        ("Uno", "queued"),
        ("Two", "skipped"),
    ]
    assert room.mod("pitch:mark", {"pitch_id": two, "status": "queued"})["ok"]
    assert room.state()["next"]["title"] == "Uno"


def test_timer_runs_on_the_server_clock_without_ticks(room, clock):
    room.add("One", seconds=120)
    room.add("Two", seconds=60)
    phone = room.phone("Li")
    phone.received()
    assert room.mod("timer:start")["ok"]
    stage = phone.last("stage")
    assert stage["live"]["title"] == "One" and stage["next"]["title"] == "Two"
    assert stage["timer"] == {
        "state": "running",
        "total_ms": 120_000,
        "remaining_ms": None,
        "ends_at": clock.now + 120_000,
    }
    assert stage["server_now"] == clock.now
    clock.advance(50)
    assert room.mod("timer:pause")["ok"]
    assert phone.last("stage")["timer"]["remaining_ms"] == 70_000
    clock.advance(600)  # a long pause costs nothing
    assert room.mod("timer:adjust", {"seconds": 30})["ok"]
    assert room.mod("timer:resume")["ok"]
    t = phone.last("stage")["timer"]
    assert t["ends_at"] - clock.now == 100_000 and t["total_ms"] == 150_000
    assert room.mod("timer:adjust", {"seconds": -30})["ok"]
    assert room.mod("timer:adjust", {"seconds": 0.5})["error"] == "wrong_type"
    clock.advance(75)  # 5 s over time
    t = room.state()["timer"]
    assert t["ends_at"] - clock.now == -5_000
    assert room.mod("timer:adjust", {"seconds": -30})["error"] == "timer_overrun"
    assert room.mod("timer:start")["error"] == "timer_running"
    assert room.mod("timer:reset")["ok"]
    assert room.state()["timer"] == {
        "state": "idle",
        "total_ms": 120_000,
        "remaining_ms": 120_000,
        "ends_at": None,
    }
    phone.received()
    clock.advance(30)
    # Nothing was broadcast while time passed: the timer is data, not a loop.
    assert phone.received() == []


def test_next_ends_the_pitch_and_starts_the_next_and_tells_pitchers(room, clock):
    a, b = room.phone("Li"), room.phone("Marie")
    room.add("Moderator's own")
    pa = a.emit("pitch:propose", {"title": "A's pitch", "offer": "x"})["pitch_id"]
    room.mod("pitch:accept", {"pitch_id": pa})
    assert room.mod("timer:pause")["error"] == "no_live_pitch"
    assert room.mod("timer:start")["ok"]
    # The pitcher whose pitch is next gets a personal update.
    assert a.last("stage")["next"]["id"] == pa
    clock.advance(130)
    ack = room.mod("stage:next")
    assert ack["ok"] and ack["live"] == pa
    stage = b.last("stage")
    assert stage["live"]["id"] == pa and stage["timer"]["state"] == "running"
    assert stage["queue"][0]["status"] == "done"
    ack = room.mod("stage:next")
    assert ack["ok"] and ack["live"] is None
    assert b.last("stage")["mode"] == "lobby"
    assert room.mod("stage:next")["error"] == "queue_empty"
    assert room.mod("timer:start")["error"] == "queue_empty"


def test_start_with_an_empty_queue_is_refused(room):
    ack = room.mod("timer:start")
    assert ack == {
        "ok": False,
        "error": "queue_empty",
        "message": "No pitch is waiting in the queue.",
    }


def test_dot_voting_rules(room):
    a, b = room.phone("Li"), room.phone("Marie")
    mod1, mod2, mod3, mod4 = (room.add(t) for t in ("P1", "P2", "P3", "P4"))
    own = a.emit("pitch:propose", {"title": "A's", "offer": "x"})["pitch_id"]
    room.mod("pitch:accept", {"pitch_id": own})
    assert a.emit("vote:set", {"pitch_id": mod1, "dots": 1})["error"] == "voting_closed"
    assert room.mod("voting:open")["ok"]
    assert room.mod("voting:open")["error"] == "voting_already_open"
    assert a.emit("vote:set", {"pitch_id": own, "dots": 1})["error"] == "own_pitch"
    assert a.emit("vote:set", {"pitch_id": 99999, "dots": 1})["error"] == "pitch_not_votable"
    assert a.emit("vote:set", {"pitch_id": mod1, "dots": 2})["error"] == "max_per_pitch"
    assert a.emit("vote:set", {"pitch_id": mod1, "dots": -1})["error"] == "out_of_range"
    for p in (mod1, mod2, mod3):
        ack = a.emit("vote:set", {"pitch_id": p, "dots": 1})
        assert ack["ok"]
    assert ack["dots_left"] == 0  # the reply carries the new ballot
    assert a.emit("vote:set", {"pitch_id": mod4, "dots": 1})["error"] == "budget_exceeded"
    # Replaying a vote changes nothing; moving a dot is take one back, give one.
    assert a.emit("vote:set", {"pitch_id": mod1, "dots": 1})["ok"]
    assert a.emit("vote:set", {"pitch_id": mod3, "dots": 0})["ok"]
    ack = a.emit("vote:set", {"pitch_id": mod4, "dots": 1})
    assert ack["ballot"] == {str(mod1): 1, str(mod2): 1, str(mod4): 1}
    # The reply says what the database holds (`me` reads it there).
    assert room.snapshots.me(room.session_id, a.participant_id)["ballot"] == ack["ballot"]
    assert b.emit("vote:set", {"pitch_id": own, "dots": 1})["ok"]
    assert room.mod("voting:close")["ok"]
    assert a.emit("vote:set", {"pitch_id": mod4, "dots": 0})["error"] == "voting_closed"
    votes = {r["title"]: r["votes"] for r in room.state()["results"]}
    assert votes == {"P1": 1, "P2": 1, "P3": 0, "P4": 1, "A's": 1}


def test_a_vote_reaches_screen_and_console_but_no_phone(room):
    a, b = room.phone("Li"), room.phone("Marie")
    p = room.add("P1")
    room.mod("voting:open")
    for c in (a, b):
        c.received()
    room.drain()
    ack = a.emit("vote:set", {"pitch_id": p, "dots": 1})
    assert ack == {"ok": True, "ballot": {str(p): 1}, "dots_left": 2}
    assert room.screen.last("counts")["ballots"] == 1
    # The console's coalesced update is the tally, not its whole snapshot.
    assert room.moderator.last("counts")["results"][0]["votes"] == 1
    assert room.moderator.received("stage") == []
    assert b.received() == []  # another phone hears nothing of it
    assert a.received() == []  # the voter has the ballot in the reply
    # The screen never receives results before the reveal.
    assert all(s.get("results") is None for s in room.screen.received("stage"))


def test_the_voters_other_pages_get_the_new_ballot(room):
    """Two tabs of one person: a vote on one shows on the other, and nowhere else."""
    a = room.phone("Li")
    other_tab = Browser(room.app, room.code)
    other_tab.http = a.http  # the same browser: the same cookie
    other_tab.connect("phone")
    b = room.phone("Marie")
    p = room.add("P1")
    room.mod("voting:open")
    for c in (a, other_tab, b):
        c.received()
    ack = a.emit("vote:set", {"pitch_id": p, "dots": 1})
    assert other_tab.received("ballot") == [{"ballot": {str(p): 1}, "dots_left": 2}]
    assert a.received() == [] and b.received() == []
    assert ack["ballot"] == {str(p): 1}
    # A refused vote tells nobody anything.
    assert (
        other_tab.emit("vote:set", {"pitch_id": 99999, "dots": 1})["error"] == "pitch_not_votable"
    )
    assert a.received() == [] and other_tab.received() == []
    # A join reaches the console as its full snapshot (the list of people changed).
    room.drain()
    room.phone("Ada")
    assert "Ada" in [x["name"] for x in room.moderator.last("stage")["people"]]
    # The screen never receives results before the reveal.
    assert all(s.get("results") is None for s in room.screen.received("stage"))


def test_reveal_shows_ranking_to_screen_and_phones(room):
    a, b = room.phone("Li"), room.phone("Marie")
    p1, p2, p3 = room.add("P1"), room.add("P2"), room.add("P3")
    assert room.mod("results:reveal", {"revealed": True})["error"] == "nothing_to_reveal"
    room.mod("voting:open")
    a.emit("vote:set", {"pitch_id": p2, "dots": 1})
    b.emit("vote:set", {"pitch_id": p2, "dots": 1})
    b.emit("vote:set", {"pitch_id": p3, "dots": 1})
    a.emit("vote:set", {"pitch_id": p1, "dots": 1})
    room.mod("voting:close")
    assert room.screen.last("stage")["results"] is None
    assert room.mod("results:reveal", {"revealed": True})["ok"]
    screen = room.screen.last("stage")
    assert screen["mode"] == "results"
    assert [(r["title"], r["rank"], r["tied"]) for r in screen["results"]] == [
        ("P2", 1, False),
        ("P1", 2, True),
        ("P3", 2, True),
    ]
    assert [r["title"] for r in a.last("stage")["results"]] == ["P2", "P1", "P3"]


def test_screen_mode_override(room):
    assert room.mod("screen:mode", {"mode": "blank"})["ok"]
    assert room.screen.last("stage")["mode"] == "blank"
    assert room.mod("screen:mode", {"mode": "disco"})["error"] == "invalid_choice"
    assert room.mod("screen:mode", {"mode": "auto"})["ok"]
    assert room.screen.last("stage")["mode"] == "lobby"


def test_results_api_hidden_until_reveal_except_for_the_moderator(room, app):
    a = room.phone("Li")
    p = room.add("P1")
    room.mod("voting:open")
    a.emit("vote:set", {"pitch_id": p, "dots": 1})
    url = f"/api/sessions/{room.code}/results"
    public = app.test_client().get(url)
    assert public.status_code == 403 and public.get_json()["error"] == "results_hidden"
    key = room.info["console_url"].split("key=")[1]
    for res in (
        room.moderator.http.get(url),
        app.test_client().get(url, headers={"Authorization": f"Bearer {key}"}),
    ):
        assert res.status_code == 200
        body = res.get_json()
        assert body["results"][0]["title"] == "P1" and body["results"][0]["votes"] == 1
        assert body["ballots"] == 1 and body["tie_rule"]
    assert app.test_client().get(url, headers={"Authorization": "Bearer nope"}).status_code == 403
    room.mod("results:reveal", {"revealed": True})
    assert app.test_client().get(url).get_json()["results"][0]["votes"] == 1
    assert app.test_client().get("/api/sessions/ZZZZZZ/results").status_code == 404


def test_everything_survives_a_restart_on_the_same_database(tmp_path, clock):
    db = tmp_path / "same.db"
    from .conftest import Room

    first = Room(make_app(db, clock), clock)
    phone = first.phone("Li")
    p1, p2 = first.add("P1", seconds=120), first.add("P2")
    first.mod("timer:start")
    clock.advance(40)
    first.mod("voting:open")
    assert phone.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    # A new process on the same file (the old one is simply gone, as after kill -9).
    clock.advance(5)
    app2 = make_app(db, clock)
    snap = app2.extensions["facilitator"]["snapshots"].console(first.session_id)
    assert snap["live"]["id"] == p1 and snap["timer"]["state"] == "running"
    assert snap["timer"]["ends_at"] - clock.now == 75_000
    assert snap["counts"] == {"participants": 1, "ballots": 1, "interest": {}}
    # The same browser (same cookie) is the same participant, with its ballot.
    from .conftest import Browser

    again = Browser(app2, first.code)
    again.http = phone.http
    again.connect("phone")
    me = again.last("me")
    assert me["participant"]["id"] == phone.participant_id and me["ballot"] == {str(p2): 1}


def test_a_second_app_factory_call_gets_its_own_socketio(tmp_path, clock):
    a = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
            "SECRET_KEY": "x",
            "ASYNC_MODE": "threading",
        },
        clock=clock,
    )
    b = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/b.db",
            "SECRET_KEY": "x",
            "ASYNC_MODE": "threading",
        },
        clock=clock,
    )
    assert a.extensions["facilitator"]["socketio"] is not b.extensions["facilitator"]["socketio"]


@pytest.mark.parametrize("payload", [None, {}, {"x": 1}])
def test_time_sync_answers_the_server_clock(room, clock, payload):
    assert room.screen.emit("time:sync", payload) == {"ok": True, "now": clock.now}


def test_reveal_steps_in_from_last_place(room):
    """E steps the ranking in from last place: the screen receives only the places revealed
    so far, phones no ranking until first place is out; the step is stored."""
    a, b, c = room.phone("Li"), room.phone("Marie"), room.phone("Ada")
    p1, p2, p3, _ = room.add("P1"), room.add("P2"), room.add("P3"), room.add("P4")
    assert room.mod("results:step")["error"] == "nothing_to_reveal"
    room.mod("voting:open")
    a.emit("vote:set", {"pitch_id": p2, "dots": 1})
    b.emit("vote:set", {"pitch_id": p2, "dots": 1})
    c.emit("vote:set", {"pitch_id": p2, "dots": 1})
    a.emit("vote:set", {"pitch_id": p1, "dots": 1})
    b.emit("vote:set", {"pitch_id": p3, "dots": 1})
    room.mod("voting:close")
    # Ranking: P2 (3), then P1 and P3 tied at 2 (1 each), then P4 (0) at 4: three places.
    steps = []
    for _ in range(3):
        assert room.mod("results:step")["ok"]
        screen = room.screen.last("stage")
        assert screen["mode"] == "results"
        steps.append(([r["title"] for r in screen["results"]], screen["reveal"]))
        if not screen["reveal"]["complete"]:
            assert a.last("stage")["results"] is None
    assert steps == [
        (["P4"], {"places": 1, "of": 3, "complete": False}),
        (["P1", "P3", "P4"], {"places": 2, "of": 3, "complete": False}),
        (["P2", "P1", "P3", "P4"], {"places": 3, "of": 3, "complete": True}),
    ]
    assert [r["title"] for r in a.last("stage")["results"]] == ["P2", "P1", "P3", "P4"]
    assert room.state()["reveal"]["complete"] is True
    # Further steps change nothing; hiding and stepping again starts from last place.
    assert room.mod("results:step")["ok"]
    assert room.mod("results:reveal", {"revealed": False})["ok"]
    assert room.mod("results:step")["ok"]
    assert [r["title"] for r in room.screen.last("stage")["results"]] == ["P4"]
    assert room.snapshots.screen(room.session_id)["reveal"]["places"] == 1  # the database


def test_reveal_step_is_moderators_only(room):
    a = room.phone("Li")
    room.add("P1")
    room.mod("voting:open")
    ack = a.emit("results:step", {})
    assert not ack.get("ok"), ack
    assert room.state()["revealed"] is False


def test_next_part_card_dismissed_and_never_over_a_chosen_mode(room):
    room.mod("section:add", {"title": "Quick wins", "kind": "pitches", "minutes": 20})
    section_id = room.state()["sections"][0]["id"]
    room.mod("section:set", {"section_id": section_id})
    assert room.screen.last("stage")["card_until"] > room.clock()
    assert room.mod("screen:card_dismiss")["ok"]
    assert room.screen.last("stage")["card_until"] is None
    # A section started while a mode is pinned by hand: no card over it.
    room.mod("screen:mode", {"mode": "lobby"})
    room.mod("section:set", {"section_id": None})
    room.mod("section:set", {"section_id": section_id})
    assert room.screen.last("stage")["card_until"] is None
    # Choosing a mode by hand while the card shows takes the card away.
    room.mod("screen:mode", {"mode": "auto"})
    room.mod("section:set", {"section_id": None})
    room.mod("section:set", {"section_id": section_id})
    assert room.screen.last("stage")["card_until"] is not None
    room.mod("screen:mode", {"mode": "pitch"})
    assert room.screen.last("stage")["card_until"] is None
