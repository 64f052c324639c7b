"""Votes written in batches (facilitator/ballots.py) on a real database: each vote of a batch is
checked in arrival order against the ballots as the batch leaves them, and the database ends
as if the votes had come one at a time."""

from __future__ import annotations

from sqlalchemy import select

from facilitator.ballots import DotVote
from facilitator.domain.errors import RuleError
from facilitator.models import Vote


def stored(room) -> dict:
    """participant id -> {pitch id: dots}, read from the votes table."""
    out: dict = {}
    with room.app.extensions["facilitator"]["db"]() as db:
        for v in db.scalars(select(Vote)):
            out.setdefault(v.participant_id, {})[v.pitch_id] = v.dots
    return out


def codes(results) -> list:
    return [r.code if isinstance(r, RuleError) else r["dots_left"] for r in results]


def test_a_batch_keeps_each_voters_budget_in_arrival_order(room):
    ballots = room.app.extensions["facilitator"]["ballots"]
    a, b = room.phone("Li"), room.phone("Marie")
    p1, p2, p3, p4 = (room.add(t) for t in ("P1", "P2", "P3", "P4"))
    room.mod("voting:open")
    sid, A, B = room.session_id, a.participant_id, b.participant_id
    results = ballots.write(
        [
            DotVote(sid, A, p1, 1),
            DotVote(sid, B, p1, 1),
            DotVote(sid, A, p2, 1),
            DotVote(sid, A, p3, 1),
            DotVote(sid, A, p4, 1),  # A's fourth dot: over budget
            DotVote(sid, A, p1, 0),
            DotVote(sid, A, p4, 1),  # moved within the same batch
            DotVote(sid, B, p1, 1),  # replayed: no change
            DotVote(sid, B, p2, 2),
        ]
    )  # over the cap per pitch
    assert codes(results) == [2, 2, 1, 0, "budget_exceeded", 1, 0, 2, "max_per_pitch"]
    assert results[6]["ballot"] == {str(p2): 1, str(p3): 1, str(p4): 1}
    assert stored(room) == {A: {p2: 1, p3: 1, p4: 1}, B: {p1: 1}}
    # The next batch starts from what the last one stored: a take-back and a change of mind.
    results = ballots.write(
        [DotVote(sid, A, p2, 0), DotVote(sid, B, p1, 0), DotVote(sid, B, p3, 1)]
    )
    assert codes(results) == [1, 3, 2]
    assert stored(room) == {A: {p3: 1, p4: 1}, B: {p3: 1}}
    # The tally the room sees is the table's.
    votes = {r["title"]: r["votes"] for r in room.state()["results"]}
    assert votes == {"P1": 0, "P2": 0, "P3": 2, "P4": 1}


def test_refusals_in_a_batch_store_nothing_for_them(room):
    ballots = room.app.extensions["facilitator"]["ballots"]
    a, gone = room.phone("Li"), room.phone("Leaves")
    p1 = room.add("P1")
    own = a.emit("pitch:propose", {"title": "Mine", "offer": "x"})["pitch_id"]
    room.mod("pitch:accept", {"pitch_id": own})
    sid = room.session_id
    assert gone.emit("me:delete", {})["ok"]
    assert codes(ballots.write([DotVote(sid, a.participant_id, p1, 1)])) == ["voting_closed"]
    room.mod("voting:open")
    results = ballots.write(
        [
            DotVote(sid, a.participant_id, own, 1),  # one's own pitch
            DotVote(sid, a.participant_id, 99999, 1),  # no such pitch
            DotVote(sid, gone.participant_id, p1, 1),  # deleted themselves
            DotVote(sid, 424242, p1, 1),  # never joined
            DotVote(sid + 1000, a.participant_id, p1, 1),  # no such session
            DotVote(sid, a.participant_id, p1, 1),
        ]
    )  # and one good vote
    assert codes(results)[:5] == [
        "own_pitch",
        "pitch_not_votable",
        "not_joined",
        "not_joined",
        "unknown_session",
    ]
    assert results[5]["ballot"] == {str(p1): 1}
    assert stored(room) == {a.participant_id: {p1: 1}}


def test_impact_and_ease_rounds_take_no_dots(room):
    ballots = room.app.extensions["facilitator"]["ballots"]
    a = room.phone("Li")
    p1 = room.add("P1")
    assert room.mod("session:settings", {"voting_method": "matrix"})["ok"]
    room.mod("voting:open")
    assert codes(ballots.write([DotVote(room.session_id, a.participant_id, p1, 1)])) == [
        "wrong_method"
    ]
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["error"] == "wrong_method"
    assert stored(room) == {}


def test_a_vote_follows_the_queue_at_its_latest_revision(room):
    """The facts (open pitches, owners) are cached per revision: a skipped pitch is closed to
    votes at once, and a dot on it stops counting against the budget."""
    ballots = room.app.extensions["facilitator"]["ballots"]
    a = room.phone("Li")
    p1, p2, p3, p4 = (room.add(t) for t in ("P1", "P2", "P3", "P4"))
    room.mod("voting:open")
    sid, A = room.session_id, a.participant_id
    assert codes(ballots.write([DotVote(sid, A, p, 1) for p in (p1, p2, p3)])) == [2, 1, 0]
    assert room.mod("pitch:mark", {"pitch_id": p3, "status": "skipped"})["ok"]
    results = ballots.write([DotVote(sid, A, p3, 1), DotVote(sid, A, p4, 1)])
    assert codes(results) == ["pitch_not_votable", 0]
    assert results[1]["ballot"] == {str(p1): 1, str(p2): 1, str(p4): 1}


def test_refusals_of_a_bare_event_are_in_the_readers_language(room):
    """vote:set runs without Flask's request context; its refusals still speak the page's
    language, like those of every other event."""
    a = room.phone("Li")
    p1 = room.add("P1")
    a.http.set_cookie("lang", "zh")
    a.connect("phone")
    vote = a.emit("vote:set", {"pitch_id": p1, "dots": 1})
    other = a.emit("pitch:withdraw", {"pitch_id": 99999})
    assert vote["error"] == "voting_closed" and other["error"]
    for ack in (vote, other):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ack["message"]), ack
    a.http.set_cookie("lang", "en")
    a.connect("phone")
    assert a.emit("vote:set", {"pitch_id": p1, "dots": 1})["message"].isascii()
