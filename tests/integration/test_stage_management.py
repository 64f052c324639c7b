"""Keeping a session on time over Socket.IO: agenda, schedule, fit, cues, overrun policy,
two moderators racing, undo and the log."""

import csv
import io

from facilitator.services import local_midnight_ms

from .conftest import Browser


def second_console(room):
    """The console link opened on a second laptop: same key, its own cookie and socket."""
    b = Browser(room.app, room.code)
    key = room.info["console_url"].split("key=")[1]
    assert b.http.get(f"/console/{room.code}?key={key}").status_code == 302
    b.connect("console")
    return b


def sections(room, *specs):
    for title, kind, minutes in specs:
        assert room.mod("section:add", {"title": title, "kind": kind, "minutes": minutes})["ok"]
    return [s["id"] for s in room.state()["sections"]]


def test_agenda_times_and_sections(room, clock):
    assert room.mod("agenda:times", {"start": "09:50", "end": "10:35"})["ok"]
    sched = room.state()["schedule"]
    midnight = local_midnight_ms(clock.now)
    assert sched["planned_start"] == midnight + (9 * 60 + 50) * 60_000
    assert sched["planned_end"] - sched["planned_start"] == 45 * 60_000
    for bad, code in (
        ({"start": "10:35", "end": "09:50"}, "end_before_start"),
        ({"start": "10:35", "end": "10:35"}, "end_before_start"),
        ({"start": "25:00"}, "invalid_time"),
        ({"start": "9.50"}, "invalid_time"),
        ({"start": 950}, "wrong_type"),
        ({"start": "09:50:00"}, "too_long"),
    ):
        before = room.state()["schedule"]["planned_start"]
        assert room.mod("agenda:times", bad)["error"] == code, bad
        assert room.state()["schedule"]["planned_start"] == before
    ids = sections(
        room, ("Talks", "talks", 15), ("Pitches", "pitches", 20), ("What next", "discussion", 10)
    )
    assert [s["title"] for s in room.state()["sections"]] == ["Talks", "Pitches", "What next"]
    assert (
        room.mod("section:add", {"title": "X", "kind": "party", "minutes": 5})["error"]
        == "invalid_choice"
    )
    assert (
        room.mod("section:add", {"title": "X", "kind": "talks", "minutes": 0})["error"]
        == "out_of_range"
    )
    assert room.mod("section:set", {"section_id": 99999})["error"] == "unknown_section"
    assert room.mod("section:set", {"section_id": ids[0]})["ok"]
    card = room.screen.last("stage")["section"]  # what the screen's title card shows
    assert (card["title"], card["started_at"]) == ("Talks", clock.now)
    assert room.mod("section:remove", {"section_id": ids[0]})["error"] == "section_in_use"
    assert room.mod("section:edit", {"section_id": ids[2], "minutes": 12})["ok"]
    assert room.mod("section:edit", {"section_id": ids[2]})["error"] == "nothing_to_change"
    assert room.mod("section:remove", {"section_id": ids[2]})["ok"]
    clock.advance(16 * 60)
    assert room.mod("section:set", {"section_id": ids[1]})["ok"]
    talks = room.state()["sections"][0]
    assert talks["ended_at"] - talks["started_at"] == 16 * 60_000


def test_each_section_has_its_own_queue_and_talks_are_not_votable(room):
    talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 20))
    room.mod("section:set", {"section_id": talks})
    room.add("Keynote", "Dr Topham")
    room.mod("section:set", {"section_id": pitches})
    room.add("Quick win")
    phone = room.phone("Li")
    phone.emit("pitch:propose", {"title": "From a phone", "offer": "x"})
    state = room.state()
    assert [p["title"] for p in state["queue"]] == ["Quick win"]
    assert room.mod("timer:start")["ok"]
    assert room.state()["live"]["title"] == "Quick win"  # never the talk of another section
    assert [p["title"] for p in room.state()["votable"]] == ["Quick win"]


def test_schedule_shows_time_left_pace_and_the_fit(room, clock):
    _talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 10))
    room.mod("session:settings", {"changeover_seconds": 15, "fit_floor_seconds": 60})
    room.mod("section:set", {"section_id": pitches})
    for i in range(6):
        room.add(f"P{i}", seconds=120)
    sched = room.state()["schedule"]
    # 6 x (120 s + 15 s) = 13:30 needed, 10:00 available: 4 fit, 2 below the cut line.
    assert sched["section_left_ms"] == 10 * 60_000
    assert sched["fit"] == {
        "fits": False,
        "fitting": 4,
        "needed_ms": 810_000,
        "available_ms": 600_000,
        "proposal_seconds": 85,
        "left_out": 0,
    }
    assert sched["behind_ms"] == 210_000
    assert len(sched["waiting"]) == 6
    # Nothing changes until the moderator confirms the proposal.
    assert all(p["seconds"] == 120 for p in room.state()["queue"])
    assert room.mod("schedule:fit", {"seconds": 45})["error"] == "below_floor"
    assert room.mod("schedule:fit", {"seconds": 85})["ok"]
    assert all(p["seconds"] == 85 for p in room.state()["queue"])
    assert room.state()["schedule"]["fit"]["fits"] is True
    clock.advance(9 * 60)
    fit = room.state()["schedule"]["fit"]
    assert fit["proposal_seconds"] is None and fit["left_out"] == 6 - 60_000 // 75_000


def test_section_time_left_respects_the_sessions_hard_end(room, clock):
    room.mod("agenda:times", {"start": "00:00", "end": "23:59"})
    ids = sections(room, ("Pitches", "pitches", 20), ("What next", "discussion", 10))
    room.mod("section:set", {"section_id": ids[0]})
    end = room.state()["schedule"]["planned_end"]
    clock.now = end - 25 * 60_000  # 25 minutes before the hard end, 10 of them for later
    room.mod("section:set", {"section_id": ids[1]})
    room.mod("section:set", {"section_id": ids[0]})
    assert room.state()["schedule"]["section_left_ms"] == 15 * 60_000


def test_cues_reach_the_screen_or_only_the_live_pitcher(room):
    a, b = room.phone("Li"), room.phone("Marie")
    own = a.emit("pitch:propose", {"title": "A's", "offer": "x"})["pitch_id"]
    room.mod("pitch:accept", {"pitch_id": own})
    assert room.mod("cue:pitcher", {"text": "30 seconds"})["error"] == "no_live_pitch"
    room.mod("timer:start")
    b.received()
    assert room.mod("cue:pitcher", {"text": "Please wrap up"})["ok"]
    assert a.last("me")["cue"] == "Please wrap up"
    assert b.received() == []  # nobody else hears the pitcher's cue
    assert "Please wrap up" not in str(room.screen.received())
    assert room.mod("cue:screen", {"text": "Coffee at 10:35"})["ok"]
    assert room.screen.last("stage")["message"] == "Coffee at 10:35"
    assert room.mod("cue:screen", {"text": "x" * 141})["error"] == "too_long"
    assert room.mod("cue:screen", {"text": ""})["ok"]
    assert room.screen.last("stage")["message"] == ""
    room.mod("stage:next")
    assert a.last("me")["cue"] == ""  # a new pitch starts with no cue


def test_overrun_policy_moves_on_after_the_grace_period_once(room, clock):
    p1, p2 = room.add("P1", seconds=60), room.add("P2", seconds=60)
    assert room.mod("session:settings", {"overrun_policy": "next", "overrun_grace_seconds": 10})[
        "ok"
    ]
    assert room.mod("session:settings", {"overrun_policy": "later"})["error"] == "invalid_choice"
    service = room.service
    room.mod("timer:start")
    due, pitch = service.overrun_deadline(room.session_id)
    assert (due, pitch) == (clock.now + 70_000, p1)
    clock.advance(69)
    assert service.auto_next(room.session_id, p1) is None  # too early: nothing happens
    clock.advance(2)
    assert service.auto_next(room.session_id, p1) is not None
    assert service.auto_next(room.session_id, p1) is None  # a second wake-up is harmless
    state = room.state()
    assert state["live"]["id"] == p2
    report = {p["id"]: p for p in state["report"]["pitches"]}
    assert report[p1]["overrun_ms"] == 11_000 and report[p1]["actual_ms"] == 71_000
    assert state["log"][0]["action"] == "auto next"
    # Keep counting: no deadline at all.
    room.mod("session:settings", {"overrun_policy": "count"})
    assert service.overrun_deadline(room.session_id) is None


def test_overrun_is_recorded_when_counting_up(room, clock):
    p1 = room.add("P1", seconds=60)
    room.add("P2")
    room.mod("timer:start")
    clock.advance(75)
    room.mod("stage:next")
    row = next(p for p in room.state()["report"]["pitches"] if p["id"] == p1)
    assert (row["planned_ms"], row["actual_ms"], row["overrun_ms"]) == (60_000, 75_000, 15_000)


def test_two_moderators_pressing_next_together_never_skip_a_pitch(room):
    other = second_console(room)
    p1, p2, p3 = room.add("P1"), room.add("P2"), room.add("P3")
    room.mod("timer:start")
    # Both consoles saw P1 live and press "next" at the same moment.
    first = room.mod("stage:next", {"expect": p1})
    second = other.emit("stage:next", {"expect": p1})
    assert first["ok"] and first["live"] == p2
    assert second["ok"] is False and second["error"] == "stage_changed"
    assert "Another moderator" in second["message"]
    assert room.state()["live"]["id"] == p2
    assert [p["status"] for p in room.state()["queue"]] == ["done", "live", "queued"]
    # Both see each other's action at once.
    assert other.last("stage")["live"]["id"] == p2
    # Starting when the stage moved on is refused the same way.
    assert other.emit("timer:start", {"expect": 0})["error"] == "stage_changed"
    del p3


def test_remove_racing_reorder_resolves_in_server_order(room):
    other = second_console(room)
    p1, p2, p3 = room.add("P1"), room.add("P2"), room.add("P3")
    assert room.mod("pitch:remove", {"pitch_id": p3})["ok"]
    refused = other.emit("pitch:move", {"pitch_id": p3, "index": 0})
    assert refused["error"] == "unknown_pitch"
    # The other order: a reorder, then a remove of the same pitch: both apply.
    assert other.emit("pitch:move", {"pitch_id": p2, "index": 0})["ok"]
    assert room.mod("pitch:remove", {"pitch_id": p2})["ok"]
    assert [p["id"] for p in room.state()["queue"]] == [p1]


def test_undo_remove_reset_skip_and_close_voting(room, clock):
    p1, p2, p3 = room.add("P1", seconds=120), room.add("P2"), room.add("P3")
    phone = room.phone("Li")
    assert room.mod("undo")["error"] == "nothing_to_undo"
    # remove, then undo: back in place, with its votes
    room.mod("voting:open")
    phone.emit("vote:set", {"pitch_id": p2, "dots": 1})
    ack = room.mod("pitch:remove", {"pitch_id": p2})
    assert ack["undo"] == "remove" and room.state()["undo"]["action"] == "remove"
    assert [p["id"] for p in room.state()["queue"]] == [p1, p3]
    assert room.mod("undo")["ok"]
    assert [p["id"] for p in room.state()["queue"]] == [p1, p2, p3]
    assert {r["id"]: r["votes"] for r in room.state()["results"]}[p2] == 1
    assert room.mod("undo")["error"] == "nothing_to_undo"  # undone once only
    # reset, then undo: the timer comes back as it was
    room.mod("timer:start")
    clock.advance(50)
    room.mod("timer:pause")
    room.mod("timer:reset")
    assert room.state()["timer"]["remaining_ms"] == 120_000
    assert room.mod("undo")["ok"]
    assert room.state()["timer"] == {
        "state": "paused",
        "total_ms": 120_000,
        "remaining_ms": 70_000,
        "ends_at": None,
    }
    # skip, then undo: back in its place in the queue
    room.mod("pitch:mark", {"pitch_id": p3, "status": "skipped"})
    assert room.mod("undo")["ok"]
    assert next(p for p in room.state()["queue"] if p["id"] == p3)["status"] == "queued"
    # close voting, then undo: open again
    room.mod("voting:close")
    assert room.mod("undo")["ok"]
    assert room.state()["voting"] == "open"
    # Too late: undo lasts 30 seconds.
    room.mod("pitch:remove", {"pitch_id": p3})
    clock.advance(31)
    assert room.mod("undo")["error"] == "nothing_to_undo"
    assert room.state()["undo"] is None


def test_undo_of_a_reset_is_refused_once_the_stage_moved_on(room, clock):
    room.add("P1"), room.add("P2")
    room.mod("timer:start")
    room.mod("timer:reset")
    room.mod("stage:next")
    before = room.state()["live"]["title"]
    assert room.mod("undo")["error"] == "stage_changed"
    assert room.state()["live"]["title"] == before


def test_every_moderator_action_is_logged_and_downloadable(room, clock, app):
    p1 = room.add('=HYPERLINK("x")')
    room.mod("timer:start")
    clock.advance(10)
    room.mod("timer:adjust", {"seconds": 30})
    room.mod("stage:next")
    actions = [e["action"] for e in reversed(room.state()["log"])]
    assert actions == ["add", "start", "adjust +30s", "next"]
    res = room.moderator.http.get(f"/console/{room.code}/log.csv")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    body = res.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets need
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Time", "Action", "Detail", "Undone"]
    assert [r[1] for r in rows[1:]] == actions
    assert rows[1][2].startswith("'=")  # a spreadsheet will not run it as a formula
    assert app.test_client().get(f"/console/{room.code}/log.csv").status_code == 403
    del p1


def test_stage_management_bad_input_changes_nothing(room):
    before = room.state()
    before.pop("server_now")
    for event, payload, code in (
        ("schedule:fit", {"seconds": 90}, "queue_empty"),
        ("schedule:fit", {"seconds": 0}, "out_of_range"),
        ("section:set", {"section_id": "one"}, "wrong_type"),
        ("section:edit", {"section_id": 123456, "title": "x"}, "unknown_section"),
        ("session:settings", {"overrun_grace_seconds": -1}, "out_of_range"),
        ("session:settings", {"fit_floor_seconds": 0}, "out_of_range"),
        ("cue:screen", {"text": None}, "required"),
        ("stage:next", {"expect": "P1"}, "wrong_type"),
    ):
        ack = room.mod(event, payload)
        assert ack["ok"] is False and ack["error"] == code, (event, ack)
        after = room.state()
        after.pop("server_now")
        assert after == before, event


def test_leaving_a_section_ends_what_is_on_stage(room, clock):
    talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 20))
    room.mod("section:set", {"section_id": talks})
    keynote = room.add("Keynote", seconds=300)
    room.mod("timer:start")
    clock.advance(200)
    room.mod("section:set", {"section_id": pitches})
    a = room.phone("Li")
    own = a.emit("pitch:propose", {"title": "Mine", "offer": "x"})["pitch_id"]
    room.mod("pitch:accept", {"pitch_id": own})
    room.mod("timer:start")
    # One pitch on stage at a time: the keynote ended when its section did.
    report = {p["id"]: p for p in room.state()["report"]["pitches"]}
    assert report[keynote]["status"] == "done" and report[keynote]["actual_ms"] == 200_000
    assert room.state()["live"]["id"] == own
    a.received()
    assert room.mod("cue:pitcher", {"text": "wrap up"})["ok"]
    assert a.last("me")["cue"] == "wrap up"


def test_moving_by_the_place_the_console_shows(room):
    """The console's up/down and drag send a place in the queue it shows: this section's
    pitches without the sign-ups awaiting approval."""
    talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 20))
    room.mod("section:set", {"section_id": talks})
    room.add("Keynote")
    room.mod("section:set", {"section_id": pitches})
    b = room.add("B")
    phone = room.phone("Li")
    phone.emit("pitch:propose", {"title": "Pending", "offer": "x"})
    c = room.add("C")
    assert [p["title"] for p in room.state()["queue"]] == ["B", "C"]
    assert room.mod("pitch:move", {"pitch_id": b, "index": 1})["ok"]
    assert [p["title"] for p in room.state()["queue"]] == ["C", "B"]
    assert room.mod("pitch:move", {"pitch_id": b, "index": 2})["error"] == "invalid_position"
    assert room.state()["pending"][0]["title"] == "Pending"
    del c


def test_a_cue_to_the_pitcher_shows_on_the_console_too(room):
    room.phone("Li")
    room.add("P1")
    room.mod("timer:start")
    room.drain()
    room.mod("cue:pitcher", {"text": "30 seconds"})
    assert room.moderator.last("stage")["pitcher_message"] == "30 seconds"
    assert room.screen.received() == []


def test_an_agenda_without_times_starts_with_its_first_section(room, clock):
    """The demo's agenda: no clock times until the moderator starts the talks, so starting
    them is on time, not behind by however long the server has been up."""
    talks, pitches, _ = sections(
        room, ("Talks", "talks", 15), ("Pitches", "pitches", 20), ("What next", "discussion", 10)
    )
    room.add("Invited talk", seconds=360)
    clock.advance(17 * 60)  # the server was up for a while
    assert room.state()["schedule"]["planned_start"] is None
    room.mod("section:set", {"section_id": talks})
    sched = room.state()["schedule"]
    assert sched["planned_start"] == clock.now
    assert sched["planned_end"] == clock.now + 45 * 60_000
    assert sched["behind_ms"] <= 0
    # Three minutes later the talks are over: the 20-minute pitch round has 20 minutes, not
    # the 32 until its place in the agenda (the time saved shows as ahead).
    clock.advance(3 * 60)
    room.mod("section:set", {"section_id": pitches})
    sched = room.state()["schedule"]
    assert sched["section_left_ms"] == 20 * 60_000
    assert sched["behind_ms"] < 0


def test_an_agenda_without_times_started_further_on_places_the_skipped_sections_before(room, clock):
    _talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 20))
    room.mod("section:set", {"section_id": pitches})
    sched = room.state()["schedule"]
    assert sched["planned_start"] == clock.now - 15 * 60_000
    assert sched["planned_end"] == clock.now + 20 * 60_000


def test_times_set_by_the_moderator_are_kept_when_the_first_section_starts(room, clock):
    assert room.mod("agenda:times", {"start": "00:00", "end": "23:59"})["ok"]
    before = room.state()["schedule"]["planned_start"]
    [talks] = sections(room, ("Talks", "talks", 15))
    room.mod("section:set", {"section_id": talks})
    assert room.state()["schedule"]["planned_start"] == before


def test_the_console_snapshot_names_the_main_action(room, clock):
    _talks, pitches = sections(room, ("Talks", "talks", 15), ("Pitches", "pitches", 20))
    assert room.state()["phase"]["action"] == "section"
    room.mod("section:set", {"section_id": pitches})
    room.add("A", seconds=60)
    room.add("B", seconds=60)
    state = room.state()
    phase, sched = state["phase"], state["schedule"]
    assert (phase["action"], phase["kind"], phase["number"], phase["total"]) == (
        "start",
        "pitches",
        1,
        2,
    )
    # The waiting pitches' expected starts: now, then after the first and its changeover.
    first, second = (sched["starts"][str(i)] for i in sched["waiting"])
    assert first == clock.now
    assert second == clock.now + (60 + state["settings"]["changeover_seconds"]) * 1000
    assert room.mod("timer:start")["ok"]
    assert room.state()["phase"]["action"] == "pause"
    assert room.state()["phase"]["then"]["action"] == "start"
