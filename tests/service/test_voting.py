"""Voting: opening and closing the round, dots, approval marks, ratings, reveal (at once or a
place at a time), ties."""

from __future__ import annotations

import pytest

from facilitator.models import Rating, Session, Vote


@pytest.fixture
def round_(world, svc, sid):
    """Two pitches, one of them Ana's, and two voters; voting is open."""
    svc.update_settings(sid, auto_accept=True)
    ana, bo = world.join(sid, "Ana"), world.join(sid, "Bo")
    own = world.proposal(sid, ana, "Ana's")
    other = world.pitch(sid, "Other")
    return sid, ana, bo, own, other


def test_opening_and_closing_the_round(world, svc, sid):
    change = svc.set_voting(sid, True)
    assert change.stage and change.counts and change.reply == {}
    assert world.get(Session, sid).voting == "open"
    change = svc.set_voting(sid, False)
    assert change.reply == {"undo": "close voting"}
    assert world.get(Session, sid).voting == "closed"
    world.refused("voting_already_closed", svc.set_voting, sid, False)
    svc.set_voting(sid, True)
    world.refused("voting_already_open", svc.set_voting, sid, True)


def test_a_round_that_never_opened_cannot_be_closed_or_revealed(world, svc, sid):
    world.refused("voting_already_closed", svc.set_voting, sid, False)
    world.refused("nothing_to_reveal", svc.reveal, sid, True)


def test_a_dot_is_stored_and_the_voter_gets_their_ballot_back(world, svc, round_):
    sid, ana, bo, own, other = round_
    svc.set_voting(sid, True)
    change = world.dots(sid, bo, own)
    assert change.counts and not change.stage and change.echo == bo
    assert change.reply == {"ballot": {str(own): 1}, "dots_left": 2}
    assert [(v.participant_id, v.pitch_id, v.dots) for v in world.rows(Vote)] == [(bo, own, 1)]
    # The same vote again changes nothing; zero takes it back.
    world.dots(sid, bo, own)
    assert len(world.rows(Vote)) == 1
    assert world.dots(sid, bo, own, 0).reply["dots_left"] == 3
    assert world.rows(Vote) == []


def test_dots_respect_the_budget_and_the_cap_per_pitch(world, svc, round_):
    sid, ana, bo, own, other = round_
    svc.update_settings(sid, dots_per_person=2, max_dots_per_pitch=2)
    svc.set_voting(sid, True)
    err = world.refused("max_per_pitch", world.dots, sid, bo, own, 3)
    assert err.params == {"max": 2}
    world.dots(sid, bo, own, 2)
    err = world.refused("budget_exceeded", world.dots, sid, bo, other, 1)
    assert err.params == {"budget": 2}
    world.refused("invalid_dots", world.dots, sid, bo, other, -1)


def test_nobody_votes_for_their_own_pitch_nor_outside_the_round(world, svc, round_):
    sid, ana, bo, own, other = round_
    world.refused("voting_closed", world.dots, sid, bo, own)
    svc.set_voting(sid, True)
    world.refused("own_pitch", world.dots, sid, ana, own)
    world.dots(sid, ana, other)


def test_pending_and_skipped_pitches_take_no_votes(world, svc, round_):
    sid, ana, bo, own, other = round_
    svc.update_settings(sid, auto_accept=False)
    pending = world.proposal(sid, ana, "Waiting")
    svc.mark_pitch(sid, other, "skipped")
    svc.set_voting(sid, True)
    world.refused("pitch_not_votable", world.dots, sid, bo, pending)
    world.refused("pitch_not_votable", world.dots, sid, bo, other)


def test_approval_voting_has_no_budget_and_one_mark_per_pitch(world, svc, sid):
    svc.update_settings(sid, voting_method="approval", dots_per_person=1)
    pitches = [world.pitch(sid, t) for t in "ABC"]
    voter = world.join(sid)
    svc.set_voting(sid, True)
    for p in pitches:
        reply = world.dots(sid, voter, p).reply
    assert reply["dots_left"] is None and len(reply["ballot"]) == 3
    world.refused("max_per_pitch", world.dots, sid, voter, pitches[0], 2)


def test_ratings_are_stored_per_pitch_and_taken_back_with_zero(world, svc, sid):
    svc.update_settings(sid, voting_method="matrix")
    pitch, voter = world.pitch(sid), world.join(sid)
    svc.set_voting(sid, True)
    change = svc.set_rating(sid, voter, pitch, impact=4, ease=2)
    assert change.counts and change.participants == {voter}
    (r,) = world.rows(Rating)
    assert (r.participant_id, r.pitch_id, r.impact, r.ease) == (voter, pitch, 4, 2)
    svc.set_rating(sid, voter, pitch, impact=0)
    assert (world.rows(Rating)[0].impact, world.rows(Rating)[0].ease) == (None, 2)
    svc.set_rating(sid, voter, pitch, ease=0)
    assert world.rows(Rating) == []


def test_ratings_out_of_range_or_under_another_method_are_refused(world, svc, sid):
    pitch, voter = world.pitch(sid), world.join(sid)
    svc.set_voting(sid, True)
    world.refused("wrong_method", svc.set_rating, sid, voter, pitch, impact=3)
    svc.set_voting(sid, False)
    svc.update_settings(sid, voting_method="matrix")
    svc.set_voting(sid, True)
    world.refused("wrong_method", world.dots, sid, voter, pitch)
    err = world.refused("out_of_range", svc.set_rating, sid, voter, pitch, impact=6)
    assert err.params == {"field": "impact", "lo": 1, "hi": 5}
    world.refused("nothing_to_change", svc.set_rating, sid, voter, pitch)


def test_per_pitch_rounds_open_each_pitch_for_ratings_after_it_ran(world, svc, sid, clock):
    svc.update_settings(sid, voting_method="matrix", voting_round="per_pitch")
    a, b = world.pitch(sid, "A"), world.pitch(sid, "B")
    voter = world.join(sid)
    svc.set_voting(sid, True)
    svc.start(sid)
    world.refused("pitch_not_votable", svc.set_rating, sid, voter, a, impact=3)
    svc.next(sid)
    s = world.get(Session, sid)
    assert (s.rate_pitch_id, s.rate_until) == (a, clock.now + 60_000)
    svc.set_rating(sid, voter, a, impact=3)
    world.refused("pitch_not_votable", svc.set_rating, sid, voter, b, impact=3)


def test_closing_hides_nothing_until_the_moderator_reveals(world, svc, round_):
    sid, ana, bo, own, other = round_
    svc.set_voting(sid, True)
    world.dots(sid, bo, own)
    svc.set_voting(sid, False)
    assert world.get(Session, sid).revealed is False
    assert svc.reveal(sid, True).stage and world.get(Session, sid).revealed is True
    svc.reveal(sid, False)
    assert world.get(Session, sid).revealed is False
    svc.set_voting(sid, True)  # reopening hides the results again
    assert world.get(Session, sid).revealed is False


def test_equal_dots_share_a_rank_and_keep_queue_order(world, svc, sid):
    a, b, c = (world.pitch(sid, t) for t in "ABC")
    x, y = world.join(sid, "X"), world.join(sid, "Y")
    svc.set_voting(sid, True)
    world.dots(sid, x, c)
    world.dots(sid, y, c)
    world.dots(sid, x, a)
    world.dots(sid, y, b)
    results = world.snapshots.results(sid)["results"]
    ranked = [(r["id"], r["rank"], r["tied"], r["score"]) for r in results]
    assert ranked == [(c, 1, False, 2), (a, 2, True, 1), (b, 2, True, 1)]


# ----- the reveal stepped in from last place (results:step, domain/reveal.py) ---------------


@pytest.fixture
def ranked(world, svc, sid):
    """Three pitches with 3, 2 and 1 dots (places 1, 2, 3); the round is closed."""
    a, b, c = (world.pitch(sid, t) for t in "ABC")
    voters = [world.join(sid, n) for n in ("X", "Y", "Z")]
    svc.set_voting(sid, True)
    for i, v in enumerate(voters):
        for p in (a, b, c)[: 3 - i]:
            world.dots(sid, v, p)
    svc.set_voting(sid, False)
    return sid, a, b, c


def _screen(world, sid) -> tuple[list[int] | None, dict | None]:
    out = world.snapshots.screen(sid)
    rows = out["results"]
    return (None if rows is None else [r["id"] for r in rows]), out["reveal"]


def test_each_step_reveals_one_more_place_from_last_place_up(world, svc, ranked):
    sid, a, b, c = ranked
    change = svc.reveal_step(sid)
    assert change.stage
    s = world.get(Session, sid)
    assert (s.revealed, s.revealed_places) == (True, 1)
    # The screen receives the last place only; phones no ranking at all.
    assert _screen(world, sid) == ([c], {"places": 1, "of": 3, "complete": False})
    assert world.snapshots.stage(sid)["results"] is None
    svc.reveal_step(sid)
    assert _screen(world, sid) == ([b, c], {"places": 2, "of": 3, "complete": False})
    assert world.snapshots.stage(sid)["results"] is None
    svc.reveal_step(sid)
    assert _screen(world, sid) == ([a, b, c], {"places": 3, "of": 3, "complete": True})
    # First place is out: phones see the whole ranking now.
    assert [r["id"] for r in world.snapshots.stage(sid)["results"]] == [a, b, c]
    assert world.log(sid)[-3:] == [
        ("reveal place", "1"),
        ("reveal place", "2"),
        ("reveal place", "3"),
    ]


def test_a_step_past_first_place_keeps_the_whole_ranking(world, svc, ranked):
    sid, a, b, c = ranked
    for _ in range(5):
        svc.reveal_step(sid)
    assert world.get(Session, sid).revealed_places == 5
    assert _screen(world, sid) == ([a, b, c], {"places": 3, "of": 3, "complete": True})


def test_pitches_tied_at_a_place_come_in_together(world, svc, sid):
    a, b, c = (world.pitch(sid, t) for t in "ABC")
    x, y = world.join(sid, "X"), world.join(sid, "Y")
    svc.set_voting(sid, True)
    for p in (a, b):
        world.dots(sid, x, p)
    for p in (a, c):
        world.dots(sid, y, p)
    svc.set_voting(sid, False)
    svc.reveal_step(sid)
    assert _screen(world, sid) == ([b, c], {"places": 1, "of": 2, "complete": False})


def test_revealing_at_once_shows_everything_and_a_step_after_it_changes_nothing(world, svc, ranked):
    sid, a, b, c = ranked
    svc.reveal_step(sid)
    svc.reveal(sid, True)
    s = world.get(Session, sid)
    assert (s.revealed, s.revealed_places) == (True, None)
    assert _screen(world, sid) == ([a, b, c], {"places": 3, "of": 3, "complete": True})
    svc.reveal_step(sid)  # already whole: it stays whole, never back to last place
    assert world.get(Session, sid).revealed_places is None
    assert world.log(sid)[-1] == ("reveal place", "all")
    # Hiding and stepping again starts from last place.
    svc.reveal(sid, False)
    assert _screen(world, sid) == (None, None)
    svc.reveal_step(sid)
    assert _screen(world, sid) == ([c], {"places": 1, "of": 3, "complete": False})


def test_reopening_the_round_forgets_the_step(world, svc, ranked):
    sid, *_ = ranked
    svc.reveal_step(sid)
    svc.reveal_step(sid)
    svc.set_voting(sid, True)
    s = world.get(Session, sid)
    assert (s.revealed, s.revealed_places) == (False, None)


def test_undo_of_closing_brings_back_the_step_the_screen_was_at(world, svc, ranked):
    sid, a, b, c = ranked
    svc.set_voting(sid, True)
    svc.reveal_step(sid)
    svc.reveal_step(sid)
    svc.set_voting(sid, False)
    svc.reveal(sid, True)  # the whole ranking, then the close is taken back
    svc.undo(sid)
    s = world.get(Session, sid)
    assert (s.voting, s.revealed, s.revealed_places) == ("open", True, 2)
    assert _screen(world, sid) == ([b, c], {"places": 2, "of": 3, "complete": False})


def test_a_step_before_any_round_is_refused(world, svc, sid):
    world.pitch(sid)
    world.refused("nothing_to_reveal", svc.reveal_step, sid)
