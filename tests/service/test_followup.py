"""Follow-up: interests, commitments, and the published outcome link."""

from __future__ import annotations

import json

import pytest

from facilitator.models import Commitment, Interest, Session


@pytest.fixture
def owned(world, svc, sid):
    """A queued pitch by Ana, and Bo in the room."""
    svc.update_settings(sid, auto_accept=True)
    ana, bo = world.join(sid, "Ana"), world.join(sid, "Bo")
    return ana, bo, world.proposal(sid, ana)


def test_an_interest_is_stored_once_and_its_pitcher_is_told(world, svc, sid, clock, owned):
    ana, bo, pitch = owned
    change = svc.set_interest(sid, bo, pitch, True)
    assert change.counts and change.participants == {bo, ana}
    svc.set_interest(sid, bo, pitch, True)  # idempotent
    (row,) = world.rows(Interest)
    assert (row.participant_id, row.pitch_id, row.at) == (bo, pitch, clock.now)
    svc.set_interest(sid, bo, pitch, False)
    assert world.rows(Interest) == []


def test_no_interest_in_ones_own_or_a_pending_pitch(world, svc, sid, owned):
    ana, bo, pitch = owned
    world.refused("own_pitch_interest", svc.set_interest, sid, ana, pitch, True)
    svc.update_settings(sid, auto_accept=False)
    pending = world.proposal(sid, ana, "Waiting")
    world.refused("unknown_pitch", svc.set_interest, sid, bo, pending, True)


def test_a_commitment_names_participants_and_free_text_owners(world, svc, sid, clock, owned):
    ana, bo, pitch = owned
    change = svc.set_commitment(
        sid, pitch, [{"participant_id": bo}, {"name": "The mayor"}], "Pilot", "2027-01-15", "wip"
    )
    assert change.stage
    (c,) = world.rows(Commitment)
    assert json.loads(c.owners) == [{"participant_id": bo, "name": "Bo"}, {"name": "The mayor"}]
    assert (c.next_step, c.due, c.status, c.updated_at) == ("Pilot", "2027-01-15", "wip", clock.now)
    # Setting it again changes the same commitment.
    svc.set_commitment(sid, pitch, [], "Pilot 2", "", "done")
    (c,) = world.rows(Commitment)
    assert (c.next_step, c.status, c.owners) == ("Pilot 2", "done", "[]")


def test_a_commitment_owner_must_be_a_participant_of_this_session(world, svc, sid, owned):
    ana, bo, pitch = owned
    stranger = world.join(world.session("Other"), "Stranger")
    world.refused(
        "unknown_participant",
        svc.set_commitment,
        sid,
        pitch,
        [{"participant_id": stranger}],
        "",
        "",
        "priority",
    )


def test_a_commitment_is_removed_once(world, svc, sid, owned):
    _ana, _bo, pitch = owned
    svc.set_commitment(sid, pitch, [], "Pilot", "", "priority")
    assert svc.remove_commitment(sid, pitch).stage
    assert world.rows(Commitment) == []
    world.refused("unknown_commitment", svc.remove_commitment, sid, pitch)


def test_publishing_the_outcome_draws_a_token_once(world, svc, sid):
    assert svc.publish_outcome(sid, True).stage
    token = world.get(Session, sid).outcome_token
    assert token and len(token) >= 24
    found = svc.session_by_outcome_token(token)
    assert found["id"] == sid and found["title"] == "Quick wins"
    svc.publish_outcome(sid, False)
    assert svc.session_by_outcome_token(token) is None
    svc.publish_outcome(sid, True)  # the same link opens again
    assert world.get(Session, sid).outcome_token == token
    assert svc.session_by_outcome_token(token)["id"] == sid
    assert svc.session_by_outcome_token("") is None
    assert svc.session_by_outcome_token(token[:-1]) is None
