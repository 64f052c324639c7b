"""People: joining, contact details with consent, and leaving for good."""

from __future__ import annotations

import json

from facilitator.models import Commitment, Interest, LogEntry, Participant, Pitch, Session, Vote


def test_join_stores_the_person_and_hands_back_a_secret_token(world, svc, sid, clock):
    change = svc.join(sid, "Ana", "City of Lyon")
    # Head counts on the screen and the console's people list; nothing public otherwise.
    assert change.counts and change.console and not change.stage
    pid, token = change.reply["participant_id"], change.reply["token"]
    p = world.get(Participant, pid)
    assert (p.name, p.organisation, p.created_at, p.token) == (
        "Ana",
        "City of Lyon",
        clock.now,
        token,
    )
    assert len(token) >= 32
    assert svc.participant_by_token(sid, token) == pid
    assert svc.participant_by_token(sid, token[:-1]) is None
    assert svc.participant_by_token(sid, "") is None


def test_two_people_with_the_same_name_are_two_participants(world, svc, sid):
    a, b = svc.join(sid, "Ana", ""), svc.join(sid, "Ana", "")
    assert a.reply["participant_id"] != b.reply["participant_id"]
    assert a.reply["token"] != b.reply["token"]


def test_joining_an_unknown_session_is_refused(world, svc):
    world.refused("unknown_session", svc.join, 999, "Ana", "")


def test_contact_details_are_kept_only_with_consent(world, svc, sid, clock):
    pid = world.join(sid)
    change = svc.set_contact(sid, pid, "ana@venue.example", "", True)
    assert change.counts and change.console and change.participants == {pid}
    p = world.get(Participant, pid)
    assert (p.email, p.consent_at) == ("ana@venue.example", clock.now)
    svc.set_contact(sid, pid, "", "", False)  # consent withdrawn: nothing kept
    p = world.get(Participant, pid)
    assert (p.email, p.phone, p.consent_at) == ("", "", None)


def test_contact_details_without_consent_or_consent_without_details_are_refused(world, svc, sid):
    pid = world.join(sid)
    world.refused("consent_required", svc.set_contact, sid, pid, "ana@venue.example", "", False)
    world.refused("contact_required", svc.set_contact, sid, pid, "", "", True)


def test_a_pitcher_is_told_when_a_follower_changes_their_contact(world, svc, sid):
    owner, follower = world.join(sid, "Olu"), world.join(sid, "Fay")
    svc.update_settings(sid, auto_accept=True)
    pitch = world.proposal(sid, owner)
    svc.set_interest(sid, follower, pitch, True)
    change = svc.set_contact(sid, follower, "", "+33 1 23 45 67 89", True)
    assert change.participants == {follower, owner}


def test_leaving_erases_the_person_but_keeps_their_votes_anonymously(world, svc, sid, clock):
    pitch = world.pitch(sid)
    pid = world.join(sid, "Ana", "Lyon")
    svc.set_contact(sid, pid, "ana@venue.example", "", True)
    svc.set_voting(sid, True)
    world.dots(sid, pid, pitch)
    token = world.get(Participant, pid).token

    change = svc.delete_participant(sid, pid)

    assert change.stage and pid in change.participants
    p = world.get(Participant, pid)
    assert (p.name, p.organisation, p.email, p.phone, p.consent_at) == ("", "", "", "", None)
    assert p.deleted_at == clock.now and p.token != token
    assert [(v.pitch_id, v.dots) for v in world.rows(Vote)] == [(pitch, 1)]
    assert svc.participant_by_token(sid, token) is None
    code = world.get(Session, sid).code
    assert svc.identity_error(sid, code, pid, token) == "not_joined"


def test_leaving_removes_unstaged_pitches_and_unnames_staged_ones(world, svc, sid):
    pid = world.join(sid, "Ana")
    svc.update_settings(sid, auto_accept=True)
    ran = world.proposal(sid, pid, "Ran")
    svc.start(sid)  # "Ran" is first in the queue: it goes live
    waiting = world.proposal(sid, pid, "Waiting")
    svc.delete_participant(sid, pid)
    assert world.get(Pitch, waiting) is None
    kept = world.get(Pitch, ran)
    assert (kept.title, kept.pitcher, kept.participant_id) == ("Ran", "", None)
    # The log no longer names the deleted pitch.
    assert not any("Waiting" in (e.detail or "") for e in world.rows(LogEntry))


def test_leaving_drops_follow_ups_and_commitment_ownership(world, svc, sid):
    pitch = world.pitch(sid)
    pid, other = world.join(sid, "Ana"), world.join(sid, "Bo")
    svc.set_interest(sid, pid, pitch, True)
    svc.set_commitment(
        sid, pitch, [{"participant_id": pid}, {"participant_id": other}], "Pilot", "", "priority"
    )
    svc.delete_participant(sid, pid)
    assert world.rows(Interest) == []
    (c,) = world.rows(Commitment)
    assert json.loads(c.owners) == [{"participant_id": other, "name": "Bo"}]


def test_leaving_twice_is_refused(world, svc, sid):
    pid = world.join(sid)
    svc.delete_participant(sid, pid)
    world.refused("not_joined", svc.delete_participant, sid, pid)


def test_the_identity_sweep_finds_the_connections_that_lost_their_identity(world, svc, sid):
    code = world.get(Session, sid).code
    stays, leaves = svc.join(sid, "A", ""), svc.join(sid, "B", "")
    key = svc.moderator_key(code)
    conns = {
        "phone-a": (sid, code, stays.reply["participant_id"], stays.reply["token"], None),
        "phone-b": (sid, code, leaves.reply["participant_id"], leaves.reply["token"], None),
        "console": (sid, code, None, None, key),
        "wrong-code": (sid, "ZZZZZZ", None, None, None),
    }
    svc.delete_participant(sid, leaves.reply["participant_id"])
    assert svc.identities_gone(conns) == {"phone-b", "wrong-code"}
    svc.rotate_moderator_key(sid)
    assert svc.identities_gone(conns) == {"phone-b", "wrong-code", "console"}
