"""Voting methods end to end, what each audience sees of the results, commitments, the outcome
(page, exports, JSON, public link) and erasure: everything over real sockets and HTTP."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from facilitator.models import (
    Commitment,
    Interest,
    LogEntry,
    Participant,
    Pitch,
    Rating,
    Section,
    Session,
    Vote,
)

from .conftest import FakeClock, Room, make_app

# ----- helpers ------------------------------------------------------------------------------


def by_title(results: list[dict]) -> dict:
    return {r["title"]: r for r in results}


def run_all(room: Room) -> None:
    """Put every queued pitch on stage and take it off again (all done)."""
    assert room.mod("timer:start")["ok"]
    while room.state()["live"] is not None:
        assert room.mod("stage:next")["ok"]


def moderator_key(room: Room) -> str:
    return parse_qs(urlsplit(room.info["console_url"]).query)["key"][0]


def csv_rows(room: Room) -> tuple[list[str], list[dict]]:
    res = room.moderator.http.get(f"/console/{room.code}/outcome.csv")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    body = res.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets need
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    head = rows[0]
    return head, [dict(zip(head, r, strict=True)) for r in rows[1:]]


def markdown(room: Room) -> str:
    res = room.moderator.http.get(f"/console/{room.code}/outcome.md")
    assert res.status_code == 200 and res.mimetype == "text/markdown"
    return res.get_data(as_text=True)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_tables_well_formed(md: str) -> None:
    """Every table row has as many cells as its header; the separator follows the header."""
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---"):
            header = lines[i - 1]
            width = unescaped_pipes(header)
            assert unescaped_pipes(line) == width
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert unescaped_pipes(lines[j]) == width, lines[j]
                j += 1


def publish(room: Room, public: bool) -> None:
    res = room.moderator.http.post(
        f"/console/{room.code}/outcome/publish", data={"public": "1" if public else "0"}
    )
    assert res.status_code == 302


def outcome_token(room: Room) -> str:
    url = room.state()["outcome_url"]
    assert url
    return url.rsplit("/o/", 1)[1]


# ----- methods end to end -------------------------------------------------------------------


def test_approval_round_counts_one_mark_per_pitch_without_budget(room):
    ids = [room.add(t) for t in ("Alpha", "Beta", "Gamma", "Delta")]
    alpha, beta, gamma, delta = ids
    assert room.mod("session:settings", {"voting_method": "approval"})["ok"]
    a, b, c = room.phone("Ana"), room.phone("Bo"), room.phone("Cy")
    assert room.mod("voting:open")["ok"]
    # No budget: Ana marks all four pitches (more than dots_per_person = 3).
    for pid in ids:
        assert a.emit("vote:set", {"pitch_id": pid, "dots": 1})["ok"]
    assert a.last("me")["dots_left"] is None
    # One mark per pitch.
    assert b.emit("vote:set", {"pitch_id": alpha, "dots": 2})["error"] == "max_per_pitch"
    for pid in (alpha, gamma):
        assert b.emit("vote:set", {"pitch_id": pid, "dots": 1})["ok"]
    assert c.emit("vote:set", {"pitch_id": alpha, "dots": 1})["ok"]
    # Matrix ratings are refused under approval.
    assert c.emit("rating:set", {"pitch_id": beta, "impact": 3})["error"] == "wrong_method"
    results = by_title(room.state()["results"])
    assert {t: (r["score"], r["voters"], r["rank"], r["tied"]) for t, r in results.items()} == {
        "Alpha": (3, 3, 1, False),
        "Gamma": (2, 2, 2, False),
        "Beta": (1, 1, 3, True),
        "Delta": (1, 1, 3, True),
    }
    assert [r["title"] for r in room.state()["results"]] == ["Alpha", "Gamma", "Beta", "Delta"]
    assert room.state()["method"] == "approval"
    assert room.state()["counts"]["ballots"] == 3


def test_matrix_round_means_score_and_quadrant(room):
    p1, p2, p3 = room.add("Open data"), room.add("Bike racks"), room.add("Nobody")
    assert room.mod("session:settings", {"voting_method": "matrix"})["ok"]
    a, b, c = room.phone("Ana"), room.phone("Bo"), room.phone("Cy")
    assert room.mod("voting:open")["ok"]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["error"] == "wrong_method"
    assert a.emit("rating:set", {"pitch_id": p1, "impact": 5, "ease": 4})["ok"]
    assert a.emit("rating:set", {"pitch_id": p2, "impact": 2, "ease": 5})["ok"]
    assert b.emit("rating:set", {"pitch_id": p1, "impact": 4, "ease": 4})["ok"]
    assert b.emit("rating:set", {"pitch_id": p2, "impact": 3})["ok"]
    assert b.emit("rating:set", {"pitch_id": p2, "ease": 1})["ok"]  # adds to the same rating
    assert c.emit("rating:set", {"pitch_id": p1, "impact": 3})["ok"]  # impact only
    assert c.emit("rating:set", {"pitch_id": p3, "impact": 4, "ease": 2})["ok"]
    assert c.emit("rating:set", {"pitch_id": p3, "impact": 0, "ease": 0})["ok"]  # taken back
    assert c.emit("rating:set", {"pitch_id": p1, "impact": 6})["error"] == "out_of_range"
    assert c.last("me")["ratings"] == {str(p1): {"impact": 3, "ease": 0}}
    results = by_title(room.state()["results"])
    # Open data: impact (5+4+3)/3 = 4.0, ease (4+4)/2 = 4.0, score 16.
    assert (results["Open data"]["impact"], results["Open data"]["ease"]) == (4.0, 4.0)
    assert results["Open data"]["score"] == 16.0
    assert results["Open data"]["quadrant"] == "quick_win"
    assert results["Open data"]["voters"] == 3 and results["Open data"]["rank"] == 1
    # Bike racks: impact (2+3)/2 = 2.5, ease (5+1)/2 = 3.0, score 7.5: fill-in.
    assert (results["Bike racks"]["impact"], results["Bike racks"]["ease"]) == (2.5, 3.0)
    assert results["Bike racks"]["score"] == 7.5
    assert results["Bike racks"]["quadrant"] == "fill_in"
    assert results["Bike racks"]["rank"] == 2
    # Nobody rated the third pitch (the only rating was taken back).
    assert results["Nobody"]["impact"] is None and results["Nobody"]["quadrant"] is None
    assert results["Nobody"]["score"] == 0 and results["Nobody"]["voters"] == 0
    assert results["Nobody"]["rank"] == 3
    assert room.state()["score_rule"] and "impact" in room.state()["score_rule"]


@pytest.mark.parametrize("method", ["dots", "approval", "matrix"])
def test_results_hidden_from_phones_and_screen_until_reveal(room, method):
    p1, _p2 = room.add("One"), room.add("Two")
    assert room.mod("session:settings", {"voting_method": method})["ok"]
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("voting:open")["ok"]
    if method == "matrix":
        assert a.emit("rating:set", {"pitch_id": p1, "impact": 5, "ease": 5})["ok"]
    else:
        assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    for who in (a, b):
        assert all(s["results"] is None for s in who.received("stage"))
        assert who.received("counts") == []  # phones never get tallies
    screen_msgs = room.screen.sio.get_received()
    assert all(
        m["args"][0].get("results") is None for m in screen_msgs if m["name"] in ("stage", "counts")
    )
    assert room.snapshots.stage(room.session_id)["results"] is None
    assert room.snapshots.screen(room.session_id)["results"] is None
    res = b.http.get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 403 and res.get_json()["error"] == "results_hidden"
    # The console always sees them.
    assert by_title(room.state()["results"])["One"]["rank"] == 1
    assert room.mod("voting:close")["ok"]
    assert room.mod("results:reveal", {"revealed": True})["ok"]
    for who in (a, b, room.screen):
        stage = who.last("stage")
        shown = by_title(stage["results"])
        assert shown["One"]["rank"] == 1 and shown["Two"]["rank"] == 2
        assert stage["mode"] == "results" and stage["revealed"] is True
    res = b.http.get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 200 and res.get_json()["results"][0]["title"] == "One"


def test_results_live_reach_the_screen_but_never_phones(room):
    _p1, p2 = room.add("One"), room.add("Two")
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("session:settings", {"results_live": True})["ok"]
    assert room.mod("voting:open")["ok"]
    # The screen's stage shows the (still empty) tallies as soon as voting opens.
    screen_stage = room.screen.last("stage")
    assert screen_stage["results"] is not None and screen_stage["revealed"] is False
    assert a.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    counts = room.screen.last("counts")
    assert counts["ballots"] == 1
    assert by_title(counts["results"])["Two"]["score"] == 1
    assert by_title(counts["results"])["Two"]["rank"] == 1
    assert by_title(room.snapshots.screen(room.session_id)["results"])["Two"]["score"] == 1
    for who in (a, b):
        assert all(s["results"] is None for s in who.received("stage"))
        assert who.received("counts") == []
    assert room.snapshots.stage(room.session_id)["results"] is None
    res = b.http.get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 403


def test_ballot_count_is_shown_live_after_a_rating(room):
    p1 = room.add("One")
    assert room.mod("session:settings", {"voting_method": "matrix"})["ok"]
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("voting:open")["ok"]
    room.drain()
    assert a.emit("rating:set", {"pitch_id": p1, "impact": 4})["ok"]
    counts = room.screen.last("counts")
    assert counts["ballots"] == 1 and counts["participants"] == 2
    assert "results" not in counts
    assert room.moderator.last("counts")["ballots"] == 1
    assert b.emit("rating:set", {"pitch_id": p1, "ease": 2})["ok"]
    assert room.screen.last("counts")["ballots"] == 2


def test_late_joiner_in_a_ballot_round_votes_for_pitches_that_already_ran(room):
    p1, p2 = room.add("One"), room.add("Two")
    run_all(room)
    assert {p["status"] for p in room.state()["queue"]} == {"done"}
    assert room.mod("voting:open")["ok"]
    late = room.phone("Late")
    assert set(late.last("stage")["open_ids"]) == {p1, p2}
    assert late.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert late.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    assert by_title(room.state()["results"])["One"]["score"] == 1
    assert by_title(room.state()["results"])["Two"]["score"] == 1


def test_late_joiner_in_a_per_pitch_round_rates_done_pitches_only(room):
    p1, p2, p3 = room.add("One"), room.add("Two"), room.add("Three")
    assert room.mod("session:settings", {"voting_method": "matrix", "voting_round": "per_pitch"})[
        "ok"
    ]
    assert room.mod("timer:start")["ok"]
    assert room.mod("stage:next")["ok"]  # One done, Two live, Three queued
    assert room.mod("voting:open")["ok"]
    late = room.phone("Late")
    assert late.last("stage")["open_ids"] == [p1]
    assert late.emit("rating:set", {"pitch_id": p1, "impact": 5, "ease": 5})["ok"]
    for pid in (p2, p3):
        ack = late.emit("rating:set", {"pitch_id": pid, "impact": 5, "ease": 5})
        assert ack["error"] == "pitch_not_votable", ack
    results = by_title(room.state()["results"])
    assert results["One"]["score"] == 25 and results["Two"]["voters"] == 0


def test_rate_now_appears_after_next_in_per_pitch_round(room, clock):
    p1, p2 = room.add("One"), room.add("Two")
    assert room.mod(
        "session:settings",
        {"voting_method": "matrix", "voting_round": "per_pitch", "rating_window_seconds": 45},
    )["ok"]
    a = room.phone("Ana")
    assert room.mod("voting:open")["ok"]
    stage = a.last("stage")
    assert stage["open_ids"] == [] and stage["rate_now"] is None
    assert room.mod("timer:start")["ok"]
    clock.advance(30)
    assert room.mod("stage:next")["ok"]
    stage = a.last("stage")
    assert stage["rate_now"] == {"pitch_id": p1, "until": clock.now + 45_000}
    assert stage["open_ids"] == [p1] and stage["round"] == "per_pitch"
    assert room.screen.last("stage")["rate_now"]["pitch_id"] == p1
    assert a.emit("rating:set", {"pitch_id": p1, "impact": 3, "ease": 4})["ok"]
    assert room.mod("stage:next")["ok"]
    assert a.last("stage")["rate_now"]["pitch_id"] == p2
    assert room.mod("voting:close")["ok"]
    assert a.last("stage")["rate_now"] is None


def test_ballot_can_change_until_the_round_closes(room):
    p1, p2, p3 = room.add("One"), room.add("Two"), room.add("Three")
    assert room.mod("session:settings", {"dots_per_person": 2})["ok"]
    a = room.phone("Ana")
    assert room.mod("voting:open")["ok"]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert a.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    assert a.emit("vote:set", {"pitch_id": p3, "dots": 1})["error"] == "budget_exceeded"
    # Move a dot from One to Three.
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 0})["ok"]
    assert a.emit("vote:set", {"pitch_id": p3, "dots": 1})["ballot"] == {str(p2): 1, str(p3): 1}
    assert room.mod("voting:close")["ok"]
    for pid, n in ((p1, 1), (p2, 0), (p3, 0)):
        assert a.emit("vote:set", {"pitch_id": pid, "dots": n})["error"] == "voting_closed"
    results = by_title(room.state()["results"])
    assert (results["One"]["score"], results["Two"]["score"], results["Three"]["score"]) == (
        0,
        1,
        1,
    )


def test_method_change_refused_while_open_or_once_ballots_exist(room):
    p1 = room.add("One")
    a = room.phone("Ana")
    assert room.mod("session:settings", {"voting_method": "matrix"})["ok"]
    assert room.mod("session:settings", {"voting_method": "dots"})["ok"]
    assert room.mod("voting:open")["ok"]
    ack = room.mod("session:settings", {"voting_method": "approval"})
    assert ack["ok"] is False and ack["error"] == "voting_open" and ack["message"]
    assert room.state()["method"] == "dots"
    # Other settings still change while voting is open; so does naming the same method.
    assert room.mod("session:settings", {"results_live": True, "voting_method": "dots"})["ok"]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert room.mod("voting:close")["ok"]
    ack = room.mod("session:settings", {"voting_method": "matrix"})
    assert ack["error"] == "ballots_cast"
    assert room.state()["method"] == "dots"
    assert room.state()["settings"]["voting_method"] == "dots"
    for bad in (
        {"voting_method": "borda"},
        {"voting_round": "every"},
        {"rating_window_seconds": 5},
        {"rating_window_seconds": 601},
        {"results_live": "yes"},
    ):
        assert room.mod("session:settings", bad)["ok"] is False, bad
    settings = room.state()["settings"]
    assert settings["voting_round"] == "ballot" and settings["rating_window_seconds"] == 60


def test_tie_is_shown_as_tie_in_console_and_csv(room):
    _p1, p2, p3 = room.add("One"), room.add("Two"), room.add("Three")
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("voting:open")["ok"]
    assert a.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    assert b.emit("vote:set", {"pitch_id": p3, "dots": 1})["ok"]
    results = room.state()["results"]
    assert [(r["title"], r["rank"], r["tied"]) for r in results] == [
        ("Two", 1, True),
        ("Three", 1, True),
        ("One", 3, False),
    ]
    _, rows = csv_rows(room)
    assert [(r["Quick win"], r["Rank"], r["Tied"]) for r in rows] == [
        ("Two", "1", "yes"),
        ("Three", "1", "yes"),
        ("One", "3", ""),
    ]
    md = markdown(room)
    assert "| =1 | Two |" in md and "| =1 | Three |" in md and "| 3 | One |" in md


# ----- commitments --------------------------------------------------------------------------


def test_commitments_set_edit_remove_with_both_kinds_of_owner(room):
    p1, p2 = room.add("Open data"), room.add("Bike racks")
    ana = room.phone("Ana", "City")
    ack = room.mod(
        "commitment:set",
        {
            "pitch_id": p1,
            "owners": [{"participant_id": ana.participant_id}, {"name": "City IT"}],
            "next_step": "Draft the data licence",
            "due": "2026-03-01",
            "status": "priority",
        },
    )
    assert ack["ok"], ack
    want = {
        "pitch_id": p1,
        "title": "Open data",
        "pitcher": "Someone",
        "owners": ["Ana", "City IT"],
        "next_step": "Draft the data licence",
        "due": "2026-03-01",
        "status": "priority",
    }
    got = room.state()["commitments"]
    assert [{k: c[k] for k in want} for c in got] == [want]
    assert ana.last("stage")["commitments"][0]["owners"] == ["Ana", "City IT"]
    assert room.screen.last("stage")["commitments"][0]["next_step"] == "Draft the data licence"
    # Edit: new owners, no due date, parked.
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": p1,
            "owners": [{"name": "Bo"}],
            "next_step": "",
            "due": "",
            "status": "parked",
        },
    )["ok"]
    [c] = room.state()["commitments"]
    assert (c["owners"], c["next_step"], c["due"], c["status"]) == (["Bo"], "", "", "parked")
    assert room.mod(
        "commitment:set", {"pitch_id": p2, "owners": [], "next_step": "Call", "status": "follow_up"}
    )["ok"]
    assert [c["pitch_id"] for c in room.state()["commitments"]] == [p1, p2]
    assert room.mod("commitment:remove", {"pitch_id": p1})["ok"]
    assert [c["pitch_id"] for c in room.state()["commitments"]] == [p2]
    assert room.mod("commitment:remove", {"pitch_id": p1})["error"] == "unknown_commitment"
    assert [c["pitch_id"] for c in ana.last("stage")["commitments"]] == [p2]
    # A phone cannot set commitments.
    assert ana.emit(
        "commitment:set", {"pitch_id": p2, "owners": [], "next_step": "x", "status": "priority"}
    )["error"] in ("forbidden", "not_joined")


def test_commitment_bad_input_is_refused_and_nothing_stored(room, app, clock):
    p1 = room.add("Open data")
    ana = room.phone("Ana")
    other = Room(app, clock)
    stranger = other.phone("Stranger")
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": p1,
            "owners": [{"name": "Kept"}],
            "next_step": "Keep me",
            "due": "2026-01-31",
            "status": "priority",
        },
    )["ok"]
    before = room.state()["commitments"]
    base = {
        "pitch_id": p1,
        "owners": [{"name": "X"}],
        "next_step": "Changed",
        "due": "",
        "status": "follow_up",
    }
    cases = [
        ({"pitch_id": 999_999}, "unknown_pitch"),
        ({"owners": [{"participant_id": stranger.participant_id}]}, "unknown_participant"),
        (
            {"owners": [{"participant_id": ana.participant_id}, {"participant_id": 999_999}]},
            "unknown_participant",
        ),
        ({"due": "2026-02-30"}, "invalid_date"),
        ({"due": "01/03/2026"}, "invalid_date"),
        ({"status": "urgent"}, "invalid_choice"),
        ({"owners": [{"name": f"O{i}"} for i in range(6)]}, "too_many"),
        ({"owners": [{"name": "X", "participant_id": ana.participant_id}]}, "wrong_type"),
        ({"next_step": "x" * 281}, "too_long"),
    ]
    for change, code in cases:
        ack = room.mod("commitment:set", {**base, **change})
        assert ack["ok"] is False and ack["error"] == code, (change, ack)
    assert room.state()["commitments"] == before
    assert other.state()["commitments"] == []
    # A pitch of another session is unknown here.
    other_pitch = other.add("Theirs")
    assert room.mod("commitment:set", {**base, "pitch_id": other_pitch})["error"] == "unknown_pitch"
    assert room.mod("commitment:remove", {"pitch_id": other_pitch})["ok"] is False
    assert room.state()["commitments"] == before


def test_screen_mode_commitments_is_accepted(room):
    room.add("Open data")
    assert room.mod("screen:mode", {"mode": "commitments"})["ok"]
    assert room.screen.last("stage")["mode"] == "commitments"
    assert room.state()["settings"]["screen_mode"] == "commitments"


# ----- exports ------------------------------------------------------------------------------


def test_csv_export_has_a_row_per_votable_pitch_with_correct_columns(room):
    p1, p2, p3 = (
        room.add("Open data", "Anna", organisation="City"),
        room.add("Bike racks"),
        room.add("Skipped one"),
    )
    a, b, c = room.phone("Ana"), room.phone("Bo"), room.phone("Cy")
    prop = a.emit("pitch:propose", {"title": "Pending one", "offer": "x"})
    assert prop["ok"] and prop["status"] == "pending"
    assert room.mod("pitch:mark", {"pitch_id": p3, "status": "skipped"})["ok"]
    assert room.mod("voting:open")["ok"]
    for who in (a, b):
        assert who.emit("vote:set", {"pitch_id": p2, "dots": 1})["ok"]
    assert c.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert b.emit("interest:set", {"pitch_id": p1, "on": True})["ok"]
    assert c.emit("interest:set", {"pitch_id": p1, "on": True})["ok"]
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": p1,
            "owners": [{"name": "City IT"}, {"participant_id": b.participant_id}],
            "next_step": "Publish",
            "due": "2026-05-01",
            "status": "follow_up",
        },
    )["ok"]
    head, rows = csv_rows(room)
    for col in (
        "Rank",
        "Tied",
        "Quick win",
        "Pitcher",
        "Score",
        "Voters",
        "Interested",
        "Owners",
        "Next step",
        "Due",
        "Commitment status",
    ):
        assert col in head
    assert [r["Quick win"] for r in rows] == ["Bike racks", "Open data"]
    bike, data = rows
    assert (bike["Rank"], bike["Score"], bike["Voters"], bike["Interested"]) == ("1", "2", "2", "0")
    assert (data["Rank"], data["Score"], data["Voters"], data["Interested"]) == ("2", "1", "1", "2")
    assert (data["Pitcher"], data["Organisation"]) == ("Anna", "City")
    assert data["Owners"] == "City IT; Bo"
    assert (data["Next step"], data["Due"], data["Commitment status"]) == (
        "Publish",
        "2026-05-01",
        "Follow-up",
    )
    assert bike["Owners"] == "" and bike["Commitment status"] == ""
    assert data["Method"] == bike["Method"] == "Dot voting"


def test_matrix_csv_carries_means_and_quadrant(room):
    p1 = room.add("Open data")
    assert room.mod("session:settings", {"voting_method": "matrix"})["ok"]
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("voting:open")["ok"]
    assert a.emit("rating:set", {"pitch_id": p1, "impact": 5, "ease": 4})["ok"]
    assert b.emit("rating:set", {"pitch_id": p1, "impact": 4, "ease": 2})["ok"]
    _, [row] = csv_rows(room)
    # impact 4.5, ease 3.0 -> 13.5, quick win.
    assert (row["Mean impact"], row["Mean ease"], row["Score"], row["Voters"]) == (
        "4.5",
        "3",
        "13.5",
        "2",
    )
    assert row["Quadrant"] == "Quick win"
    md = markdown(room)
    assert "| 1 | Open data | Someone | 13.5 | 4.5 | 3 | 0 |" in md
    assert_tables_well_formed(md)


def test_empty_session_exports_are_valid(room):
    head, rows = csv_rows(room)
    assert rows == [] and head[0] == "Rank" and "Quick win" in head
    raw = room.moderator.http.get(f"/console/{room.code}/outcome.csv").get_data(as_text=True)
    assert len(raw.strip().splitlines()) == 1
    md = markdown(room)
    assert md.startswith("# Quick wins\n")
    assert "No pitches yet." in md and "No commitments yet." in md
    assert_tables_well_formed(md)
    res = room.moderator.http.get(f"/api/sessions/{room.code}/outcome")
    assert res.status_code == 200 and res.get_json()["results"] == []
    assert room.moderator.http.get(f"/console/{room.code}/outcome").status_code == 200


def test_markdown_escapes_user_text(room):
    title = "A | B <script>alert(1)</script>"
    p1 = room.add(title, "Eve *bold* [x](y)")
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": p1,
            "owners": [{"name": "Ops | Team"}],
            "next_step": "Ship <b>now</b>",
            "status": "priority",
        },
    )["ok"]
    md = markdown(room)
    assert "<script>" not in md and "<b>" not in md
    assert r"A \| B \<script\>alert(1)\</script\>" in md
    assert r"Eve \*bold\* \[x\](y)" in md
    assert r"Ops \| Team" in md and r"Ship \<b\>now\</b\>" in md
    assert_tables_well_formed(md)
    # The outcome page shows it literally too (HTML-escaped, never markup).
    html = room.moderator.http.get(f"/console/{room.code}/outcome").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_csv_formula_cells_are_neutralised(room):
    room.add('=HYPERLINK("http://evil")', "+Eve", offer="@SUM(A1)")
    room.add("-minus", "Bob")
    _, rows = csv_rows(room)
    by = {r["Quick win"]: r for r in rows}
    assert set(by) == {'\'=HYPERLINK("http://evil")', "'-minus"}
    row = by['\'=HYPERLINK("http://evil")']
    assert row["Pitcher"] == "'+Eve" and row["Offer"] == "'@SUM(A1)"


# ----- JSON API, publishing and the outcome page -------------------------------------------


def test_outcome_api_moderator_cookie_and_bearer_vs_others(room, app):
    room.add("Open data")
    a = room.phone("Ana")
    res = room.moderator.http.get(f"/api/sessions/{room.code}/outcome")
    assert res.status_code == 200
    body = res.get_json()
    assert body["ok"] and "participants" in body and body["results"][0]["title"] == "Open data"
    assert [p["name"] for p in body["participants"]] == ["Ana"]
    bearer = app.test_client().get(
        f"/api/sessions/{room.code}/outcome",
        headers={"Authorization": f"Bearer {moderator_key(room)}"},
    )
    assert bearer.status_code == 200 and "participants" in bearer.get_json()
    for client, headers in (
        (a.http, {}),
        (app.test_client(), {}),
        (app.test_client(), {"Authorization": "Bearer wrong"}),
    ):
        res = client.get(f"/api/sessions/{room.code}/outcome", headers=headers)
        assert res.status_code == 403 and res.get_json()["error"] == "outcome_private"
    publish(room, True)
    res = a.http.get(f"/api/sessions/{room.code}/outcome")
    assert res.status_code == 200
    body = res.get_json()
    assert "participants" not in body and "interested" not in body["results"][0]
    assert body["outcome_url"].startswith("http://venue.test:5000/o/")
    publish(room, False)
    assert a.http.get(f"/api/sessions/{room.code}/outcome").status_code == 403
    assert app.test_client().get("/api/sessions/ZZZZZZ/outcome").status_code == 404


def test_publish_toggles_the_public_link(room, app):
    room.add("Open data")
    anyone = app.test_client()
    assert room.state()["outcome_url"] is None
    publish(room, True)
    token = outcome_token(room)
    res = anyone.get(f"/o/{token}")
    assert res.status_code == 200 and "Open data" in res.get_data(as_text=True)
    assert room.screen.last("stage")["outcome_url"].endswith(f"/o/{token}")
    publish(room, False)
    assert anyone.get(f"/o/{token}").status_code == 404
    assert room.state()["outcome_url"] is None
    publish(room, True)
    assert outcome_token(room) == token  # the same link opens again
    assert anyone.get(f"/o/{token}").status_code == 200
    assert anyone.get("/o/not-a-token").status_code == 404
    assert anyone.get(f"/o/{token}x").status_code == 404
    # Only the moderator publishes.
    a = room.phone("Ana")
    res = a.http.post(f"/console/{room.code}/outcome/publish", data={"public": "0"})
    assert res.status_code == 403
    assert anyone.get(f"/o/{token}").status_code == 200


def test_outcome_page_for_moderator_only(room, app):
    room.add("Open data")
    a = room.phone("Ana")
    res = room.moderator.http.get(f"/console/{room.code}/outcome")
    assert res.status_code == 200 and "Open data" in res.get_data(as_text=True)
    assert a.http.get(f"/console/{room.code}/outcome").status_code == 403
    assert a.http.get(f"/console/{room.code}/outcome.csv").status_code == 403
    assert a.http.get(f"/console/{room.code}/outcome.md").status_code == 403
    assert app.test_client().get(f"/console/{room.code}/outcome").status_code == 403


# ----- erasure ------------------------------------------------------------------------------


def rows_of_session(app, session_id: int) -> dict:
    make_db = app.extensions["facilitator"]["db"]
    with make_db() as db:
        out = {"sessions": len(list(db.scalars(select(Session).where(Session.id == session_id))))}
        for model in (Section, Participant, Pitch, Vote, Rating, Interest, Commitment, LogEntry):
            out[model.__tablename__] = len(
                list(db.scalars(select(model).where(model.session_id == session_id)))
            )
        return out


def test_erase_with_wrong_confirmation_changes_nothing(room, app):
    p1 = room.add("Open data")
    a = room.phone("Ana")
    before = rows_of_session(app, room.session_id)
    for confirm in ("", "WRONG1", room.code[:-1]):
        res = room.moderator.http.post(f"/console/{room.code}/erase", data={"confirm": confirm})
        assert res.status_code == 302 and "erase_error" in res.headers["Location"]
    assert room.service.find_session(room.code) is not None
    assert rows_of_session(app, room.session_id) == before
    assert a.emit("interest:set", {"pitch_id": p1, "on": True})["ok"]
    assert a.received("gone") == [] and room.screen.received("gone") == []
    # A phone cannot erase.
    res = a.http.post(f"/console/{room.code}/erase", data={"confirm": room.code})
    assert res.status_code == 403
    assert room.service.find_session(room.code) is not None


def test_erase_deletes_everything_and_tells_every_page(room, app, clock):
    p1, _p2 = room.add("Open data"), room.add("Bike racks")
    a, b = room.phone("Ana"), room.phone("Bo")
    assert b.emit("contact:set", {"email": "bo@example.org", "consent": True})["ok"]
    assert a.emit("pitch:propose", {"title": "Mine", "offer": "x"})["ok"]
    assert room.mod("section:add", {"title": "Pitches", "kind": "pitches", "minutes": 10})["ok"]
    assert room.mod("voting:open")["ok"]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert b.emit("interest:set", {"pitch_id": p1, "on": True})["ok"]
    assert room.mod(
        "commitment:set",
        {"pitch_id": p1, "owners": [{"name": "X"}], "next_step": "", "status": "priority"},
    )["ok"]
    other = Room(app, clock)
    other.add("Other session")
    other_before = rows_of_session(app, other.session_id)
    before = rows_of_session(app, room.session_id)
    assert all(n > 0 for k, n in before.items() if k != "ratings"), before
    publish(room, True)
    token = outcome_token(room)
    res = room.moderator.http.post(
        f"/console/{room.code}/erase", data={"confirm": f" {room.code.lower()} "}
    )
    assert res.status_code == 200
    assert room.service.find_session(room.code) is None
    assert all(n == 0 for n in rows_of_session(app, room.session_id).values())
    assert rows_of_session(app, other.session_id) == other_before  # untouched
    for page in (room.moderator, room.screen, a, b):
        assert page.received("gone") == [{}]
    assert other.screen.received("gone") == []
    anyone = app.test_client()
    for url in (f"/screen/{room.code}", f"/j/{room.code}", f"/o/{token}", f"/qr/{room.code}.svg"):
        assert anyone.get(url).status_code == 404, url
    for url in (
        f"/console/{room.code}/outcome",
        f"/console/{room.code}/outcome.csv",
        f"/console/{room.code}",
    ):
        assert room.moderator.http.get(url).status_code == 404, url
    assert anyone.get(f"/api/sessions/{room.code}/outcome").status_code == 404
    assert anyone.get(f"/api/sessions/{room.code}/results").status_code == 404
    socketio = app.extensions["facilitator"]["socketio"]
    again = socketio.test_client(
        app, flask_test_client=a.http, auth={"code": room.code, "role": "phone"}
    )
    assert not again.is_connected()


def test_expired_sessions_are_erased_at_app_start(tmp_path):
    clock = FakeClock()
    db = tmp_path / "retention.db"
    app = make_app(db, clock)
    service = app.extensions["facilitator"]["service"]
    old_code, _ = service.create_session(title="Old")
    old_id = service.find_session(old_code)["id"]
    service.join(old_id, "Ana", "")  # a participant in it too
    clock.advance(2 * 86_400)
    young_code, _ = service.create_session(title="Young")
    clock.advance(29 * 86_400)  # Old is 31 days old now, Young 29
    app2 = make_app(db, clock)
    service2 = app2.extensions["facilitator"]["service"]
    assert service2.find_session(old_code) is None
    assert service2.find_session(young_code) is not None
    assert all(n == 0 for n in rows_of_session(app2, old_id).values())
    clock.advance(2 * 86_400)  # Young is 31 days old at the next start
    app3 = make_app(db, clock)
    assert app3.extensions["facilitator"]["service"].find_session(young_code) is None


def test_results_api_hidden_while_the_ranking_is_stepped_in(room):
    """Nobody reads the winner from the API before first place is out on the screen."""
    p1, _p2 = room.add("One"), room.add("Two")
    a, b = room.phone("Ana"), room.phone("Bo")
    assert room.mod("voting:open")["ok"]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["ok"]
    assert room.mod("voting:close")["ok"]
    assert room.mod("results:step")["ok"]  # last place only
    res = b.http.get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 403 and res.get_json()["error"] == "results_hidden"
    assert [r["title"] for r in room.screen.last("stage")["results"]] == ["Two"]
    assert room.mod("results:step")["ok"]  # first place: the whole ranking is out
    res = b.http.get(f"/api/sessions/{room.code}/results")
    assert res.status_code == 200 and res.get_json()["results"][0]["title"] == "One"
