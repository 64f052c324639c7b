"""The time a pitch was given: its length plus the moderator's extensions and cuts, stored when it
leaves the stage (the timing report marks a pitch over only beyond it, domain/timing.py), and
cleared whenever the pitch may run again."""

from __future__ import annotations

from facilitator.models import Pitch


def test_next_stores_the_length_plus_the_extensions_and_cuts(world, svc, sid, clock):
    a = world.pitch(sid, "A", seconds=60)
    world.pitch(sid, "B", seconds=60)
    svc.start(sid)
    assert world.get(Pitch, a).given_ms is None  # nothing stored while it runs
    svc.adjust(sid, 30)
    svc.adjust(sid, -10)
    clock.advance(75)  # 15 s past the plan, within the 80 s it was given
    svc.next(sid)
    p = world.get(Pitch, a)
    assert (p.given_ms, p.spoken_ms, p.overrun_ms) == (80_000, 75_000, 0)


def test_a_reset_gives_the_planned_length_again(world, svc, sid, clock):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    svc.adjust(sid, 60)
    svc.reset(sid)
    svc.start(sid)
    clock.advance(70)
    svc.next(sid)
    p = world.get(Pitch, a)
    assert (p.given_ms, p.overrun_ms) == (60_000, 10_000)


def test_marking_a_live_pitch_done_stores_it_and_back_to_the_queue_clears_it(
    world, svc, sid, clock
):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    svc.adjust(sid, 15)
    clock.advance(20)
    svc.mark_pitch(sid, a, "done")
    p = world.get(Pitch, a)
    assert (p.status, p.given_ms, p.spoken_ms) == ("done", 75_000, 20_000)
    svc.mark_pitch(sid, a, "queued")
    p = world.get(Pitch, a)
    assert (p.status, p.given_ms, p.spoken_ms, p.overrun_ms) == ("queued", None, None, None)


def test_running_again_starts_with_nothing_stored(world, svc, sid, clock):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    clock.advance(30)
    svc.next(sid)
    assert world.get(Pitch, a).given_ms == 60_000
    svc.mark_pitch(sid, a, "queued")
    svc.start(sid)
    p = world.get(Pitch, a)
    assert (p.status, p.given_ms, p.spoken_ms) == ("live", None, None)


def test_undoing_a_live_skip_puts_it_back_on_stage_with_nothing_stored(world, svc, sid, clock):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    svc.adjust(sid, 30)
    clock.advance(10)
    svc.mark_pitch(sid, a, "skipped")
    assert world.get(Pitch, a).given_ms == 90_000
    svc.undo(sid)
    p = world.get(Pitch, a)
    assert (p.status, p.given_ms, p.spoken_ms, p.ended_at) == ("live", None, None, None)
