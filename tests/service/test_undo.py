"""Undo: the latest undoable action, for thirty seconds, once."""

from __future__ import annotations

from facilitator.models import LogEntry, Pitch, Session


def test_undo_brings_back_a_removed_pitch_where_it_was(world, svc, sid):
    a, b = world.pitch(sid, "A"), world.pitch(sid, "B")
    svc.remove_pitch(sid, a)
    change = svc.undo(sid)
    assert change.stage and change.reply == {"undone": "remove"}
    assert world.get(Pitch, a).status == "queued"
    assert world.get(Pitch, a).position < world.get(Pitch, b).position
    assert world.log(sid)[-1] == ("undo", "remove")


def test_undo_brings_a_removed_live_pitch_back_on_stage_with_its_timer(world, svc, sid, clock):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    clock.advance(10)
    svc.remove_pitch(sid, a)
    assert world.get(Session, sid).timer_state == "idle"
    svc.undo(sid)
    assert world.get(Pitch, a).status == "live"
    s = world.get(Session, sid)
    assert (s.timer_state, s.timer_ends_at) == ("running", clock.now + 50_000)


def test_undo_reopens_a_closed_round(world, svc, sid):
    svc.set_voting(sid, True)
    svc.set_voting(sid, False)
    svc.undo(sid)
    assert world.get(Session, sid).voting == "open"


def test_undo_puts_a_skipped_pitch_back_in_its_place(world, svc, sid):
    a = world.pitch(sid, "A")
    world.pitch(sid, "B")
    before = world.get(Pitch, a).position
    svc.mark_pitch(sid, a, "skipped")
    svc.undo(sid)
    p = world.get(Pitch, a)
    assert (p.status, p.position) == ("queued", before)


def test_undo_lasts_thirty_seconds(world, svc, sid, clock):
    a = world.pitch(sid)
    svc.remove_pitch(sid, a)
    clock.advance(31)
    world.refused("nothing_to_undo", svc.undo, sid)
    assert world.get(Pitch, a).status == "removed"


def test_an_action_is_undone_only_once(world, svc, sid):
    svc.remove_pitch(sid, world.pitch(sid))
    svc.undo(sid)
    world.refused("nothing_to_undo", svc.undo, sid)
    assert [e.undone for e in world.rows(LogEntry) if e.action == "remove"] == [True]


def test_undo_of_a_live_skip_is_refused_once_another_pitch_is_on_stage(world, svc, sid):
    a = world.pitch(sid, "A")
    world.pitch(sid, "B")
    svc.start(sid)
    svc.mark_pitch(sid, a, "skipped")
    svc.start(sid)  # B is on stage now
    world.refused("stage_changed", svc.undo, sid)


def test_nothing_to_undo_in_a_fresh_session(world, svc, sid):
    world.refused("nothing_to_undo", svc.undo, sid)
