"""The queue: adding, proposing from a phone, accepting, rejecting, reordering, removing, limits."""

from __future__ import annotations

from facilitator.models import LogEntry, Pitch, Session, Vote


def test_the_moderator_adds_pitches_to_the_end_of_the_queue(world, svc, sid):
    change = svc.add_pitch(sid, title="Bikes", pitcher="Ben", offer="A fleet", seconds=90)
    assert change.stage and change.reply["pitch_id"]
    world.pitch(sid, "Compost")
    bikes, compost = world.rows(Pitch)
    assert (bikes.title, bikes.offer, bikes.seconds, bikes.status) == (
        "Bikes",
        "A fleet",
        90,
        "queued",
    )
    assert compost.position > bikes.position
    assert compost.seconds == world.get(Session, sid).pitch_seconds
    assert world.log(sid) == [("add", "Bikes"), ("add", "Compost")]


def test_a_proposal_waits_for_the_moderator_and_only_the_console_hears(world, svc, sid):
    pid = world.join(sid, "Ana", "Lyon")
    change = svc.propose_pitch(sid, pid, "Compost", "Bins for all")
    assert change.console and change.counts and not change.stage
    assert change.participants == {pid} and change.reply["status"] == "pending"
    p = world.get(Pitch, change.reply["pitch_id"])
    assert (p.status, p.pitcher, p.organisation, p.participant_id) == (
        "pending",
        "Ana",
        "Lyon",
        pid,
    )


def test_with_auto_accept_a_proposal_is_queued_and_public_at_once(world, svc, sid):
    svc.update_settings(sid, auto_accept=True)
    pid = world.join(sid)
    change = svc.propose_pitch(sid, pid, "Compost", "")
    assert change.stage and change.reply["status"] == "queued"


def test_a_person_has_at_most_three_waiting_pitches(world, svc, sid):
    pid = world.join(sid)
    for i in range(3):
        world.proposal(sid, pid, f"Idea {i}")
    err = world.refused("too_many_pitches", svc.propose_pitch, sid, pid, "Fourth", "")
    assert err.params == {"max": 3}
    # Another person is not limited by it.
    world.proposal(sid, world.join(sid, "Bo"), "Theirs")


def test_accepting_queues_a_proposal_and_tells_its_author(world, svc, sid):
    pid = world.join(sid)
    pitch = world.proposal(sid, pid)
    change = svc.accept_pitch(sid, pitch)
    assert change.stage and change.participants == {pid}
    assert world.get(Pitch, pitch).status == "queued"
    world.refused("not_pending", svc.accept_pitch, sid, pitch)


def test_rejecting_a_proposal_removes_it_and_it_can_be_undone(world, svc, sid):
    pid = world.join(sid)
    pitch = world.proposal(sid, pid)
    change = svc.remove_pitch(sid, pitch)
    assert change.participants == {pid} and change.reply == {"undo": "remove"}
    assert world.get(Pitch, pitch).status == "removed"
    svc.undo(sid)
    assert world.get(Pitch, pitch).status == "pending"


def test_a_pending_pitch_can_only_be_accepted_not_marked(world, svc, sid):
    pitch = world.proposal(sid, world.join(sid))
    world.refused("pitch_pending", svc.mark_pitch, sid, pitch, "done")


def test_the_author_withdraws_a_waiting_pitch_and_its_votes_go(world, svc, sid):
    svc.update_settings(sid, auto_accept=True)
    pid, voter = world.join(sid), world.join(sid, "Bo")
    pitch = world.proposal(sid, pid)
    svc.set_voting(sid, True)
    world.dots(sid, voter, pitch)
    change = svc.withdraw_pitch(sid, pid, pitch)
    assert change.stage and change.participants == {pid}
    assert world.get(Pitch, pitch) is None and world.rows(Vote) == []


def test_only_the_author_may_withdraw_and_only_before_it_runs(world, svc, sid):
    svc.update_settings(sid, auto_accept=True)
    pid = world.join(sid)
    pitch = world.proposal(sid, pid)
    world.refused("not_your_pitch", svc.withdraw_pitch, sid, world.join(sid, "Bo"), pitch)
    svc.start(sid)
    world.refused("pitch_started", svc.withdraw_pitch, sid, pid, pitch)


def test_reordering_moves_one_pitch_and_keeps_the_others_in_order(world, svc, sid):
    a, b, c = (world.pitch(sid, t) for t in "ABC")
    change = svc.move_pitch(sid, c, 0)
    assert change.stage
    ordered = sorted(world.rows(Pitch), key=lambda p: p.position)
    assert [p.id for p in ordered] == [c, a, b]
    assert world.log(sid)[-1] == ("move", "C to 1")


def test_reordering_out_of_the_queue_is_refused(world, svc, sid):
    a = world.pitch(sid, "A")
    world.pitch(sid, "B")
    world.refused("invalid_position", svc.move_pitch, sid, a, 2)
    world.refused("invalid_position", svc.move_pitch, sid, a, -1)
    pending = world.proposal(sid, world.join(sid))
    world.refused("unknown_pitch", svc.move_pitch, sid, pending, 0)


def test_editing_a_pitch_changes_its_fields_and_tells_its_author(world, svc, sid):
    pid = world.join(sid)
    pitch = world.proposal(sid, pid)
    change = svc.edit_pitch(sid, pitch, title="Compost 2", seconds=60)
    assert change.participants == {pid}
    p = world.get(Pitch, pitch)
    assert (p.title, p.seconds) == ("Compost 2", 60)


def test_marking_done_or_skipped_and_back_to_the_queue(world, svc, sid):
    a, b = world.pitch(sid, "A"), world.pitch(sid, "B")
    change = svc.mark_pitch(sid, a, "skipped")
    assert change.reply == {"undo": "skip"}
    svc.mark_pitch(sid, a, "queued")  # back to the end of the queue
    pa, pb = world.get(Pitch, a), world.get(Pitch, b)
    assert pa.status == "queued" and pa.position > pb.position
    assert svc.mark_pitch(sid, b, "done").reply == {}
    world.refused("status_unchanged", svc.mark_pitch, sid, b, "done")
    world.refused("invalid_status", svc.mark_pitch, sid, b, "live")


def test_removing_tells_the_people_who_voted_for_it(world, svc, sid):
    pitch = world.pitch(sid)
    voter = world.join(sid)
    svc.set_voting(sid, True)
    world.dots(sid, voter, pitch)
    change = svc.remove_pitch(sid, pitch)
    assert change.participants == {voter} and change.counts
    # Removed pitches are invisible: no command finds them.
    world.refused("unknown_pitch", svc.edit_pitch, sid, pitch, title="x")
    assert [e.action for e in world.rows(LogEntry)][-1] == "remove"


def test_the_pitcher_checks_in_ready_and_takes_it_back(world, svc, sid, clock):
    svc.update_settings(sid, auto_accept=True)
    pid = world.join(sid)
    pitch = world.proposal(sid, pid)
    clock.advance(30)
    change = svc.set_ready(sid, pid, pitch, True)
    assert change.stage  # the console (and the screen's snapshot) hear it
    assert world.get(Pitch, pitch).ready_at == clock.now
    assert world.snapshots.stage(sid)["queue"][0]["ready"] is True
    # Saying it twice changes nothing and tells nobody: the first check-in time stays.
    clock.advance(5)
    again = svc.set_ready(sid, pid, pitch, True)
    assert not again.stage and not again.console and not again.participants
    assert world.get(Pitch, pitch).ready_at == clock.now - 5000
    change = svc.set_ready(sid, pid, pitch, False)
    assert change.stage and world.get(Pitch, pitch).ready_at is None
    assert world.snapshots.stage(sid)["queue"][0]["ready"] is False


def test_only_the_author_checks_in_and_only_while_the_pitch_waits_in_the_queue(world, svc, sid):
    pid = world.join(sid)
    pending = world.proposal(sid, pid)
    world.refused("ready_pending", svc.set_ready, sid, pid, pending, True)
    svc.accept_pitch(sid, pending)
    world.refused("not_your_pitch", svc.set_ready, sid, world.join(sid, "Bo"), pending, True)
    world.refused("not_your_pitch", svc.set_ready, sid, pid, world.pitch(sid), True)
    other = world.session("Elsewhere")
    world.refused("unknown_pitch", svc.set_ready, other, pid, pending, True)
    svc.start(sid)  # the pitch goes on stage: checking in is over
    world.refused("pitch_started", svc.set_ready, sid, pid, pending, True)
