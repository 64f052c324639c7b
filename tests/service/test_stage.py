"""The stage: start, pause, resume, extend, reset, next, the overrun policy with the fake clock,
the screen's mode, its "next part" card and cues."""

from __future__ import annotations

from facilitator.domain import screen
from facilitator.models import Pitch, Section, Session


def test_start_brings_the_first_queued_pitch_on_stage_with_a_running_timer(world, svc, sid, clock):
    first = world.pitch(sid, "A", seconds=60)
    world.pitch(sid, "B")
    change = svc.start(sid)
    assert change.stage
    p = world.get(Pitch, first)
    assert (p.status, p.started_at) == ("live", clock.now)
    s = world.get(Session, sid)
    assert (s.timer_state, s.timer_ends_at) == ("running", clock.now + 60_000)
    assert svc.sessions_with_running_timers() == [sid]
    assert world.log(sid)[-1] == ("start", "A")


def test_start_tells_the_pitcher_on_stage_and_the_one_up_next(world, svc, sid):
    svc.update_settings(sid, auto_accept=True)
    ana, bo = world.join(sid, "Ana"), world.join(sid, "Bo")
    world.proposal(sid, ana, "A")
    world.proposal(sid, bo, "B")
    assert svc.start(sid).participants == {ana, bo}


def test_pause_and_resume_keep_the_time_left(world, svc, sid, clock):
    world.pitch(sid, seconds=60)
    svc.start(sid)
    clock.advance(20)
    svc.pause(sid)
    s = world.get(Session, sid)
    assert (s.timer_state, s.timer_remaining_ms, s.timer_ends_at) == ("paused", 40_000, None)
    clock.advance(300)  # paused time does not count
    svc.start(sid)  # start on a paused timer resumes it
    assert world.get(Session, sid).timer_ends_at == clock.now + 40_000
    svc.pause(sid)
    svc.resume(sid)
    assert world.get(Session, sid).timer_state == "running"


def test_extend_adds_time_to_the_running_timer(world, svc, sid, clock):
    world.pitch(sid, seconds=60)
    svc.start(sid)
    ends = world.get(Session, sid).timer_ends_at
    svc.adjust(sid, 30)
    assert world.get(Session, sid).timer_ends_at == ends + 30_000
    assert world.log(sid)[-1] == ("adjust +30s", "Shared bikes")


def test_reset_restores_the_pitch_length_and_can_be_undone(world, svc, sid, clock):
    world.pitch(sid, seconds=60)
    svc.start(sid)
    clock.advance(45)
    change = svc.reset(sid)
    assert change.reply == {"undo": "reset"}
    s = world.get(Session, sid)
    assert (s.timer_state, s.timer_remaining_ms) == ("idle", 60_000)
    svc.undo(sid)
    assert world.get(Session, sid).timer_ends_at == clock.now + 15_000


def test_next_ends_the_live_pitch_records_its_time_and_starts_the_next(world, svc, sid, clock):
    a, b = world.pitch(sid, "A", seconds=60), world.pitch(sid, "B", seconds=60)
    svc.start(sid)
    clock.advance(50)
    change = svc.next(sid)
    assert change.stage and change.counts and change.reply == {"live": b}
    pa, pb = world.get(Pitch, a), world.get(Pitch, b)
    assert (pa.status, pa.spoken_ms, pa.overrun_ms, pa.ended_at) == ("done", 50_000, 0, clock.now)
    assert (pb.status, pb.started_at) == ("live", clock.now)
    assert world.log(sid)[-1] == ("next", "A -> B")


def test_an_overrun_is_recorded(world, svc, sid, clock):
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    clock.advance(75)
    assert svc.next(sid).reply == {"live": None}
    p = world.get(Pitch, a)
    assert (p.spoken_ms, p.overrun_ms) == (75_000, 15_000)
    assert world.get(Session, sid).timer_state == "idle"


def test_a_console_that_saw_another_pitch_live_is_refused(world, svc, sid):
    a = world.pitch(sid, "A")
    world.pitch(sid, "B")
    svc.start(sid, expect=None)
    svc.next(sid, expect=a)  # first console: moves on
    world.refused("stage_changed", svc.next, sid, expect=a)  # second console, same press


def test_with_keep_counting_there_is_no_deadline(world, svc, sid, clock):
    world.pitch(sid, seconds=60)
    svc.start(sid)
    assert svc.overrun_deadline(sid) is None
    clock.advance(600)
    assert svc.auto_next(sid, 1) is None


def test_the_overrun_policy_moves_on_after_the_grace_period(world, svc, sid, clock):
    svc.update_settings(sid, overrun_policy="next", overrun_grace_seconds=15)
    a, b = world.pitch(sid, "A", seconds=60), world.pitch(sid, "B")
    svc.start(sid)
    assert svc.overrun_deadline(sid) == (clock.now + 75_000, a)
    clock.advance(74)
    assert svc.auto_next(sid, a) is None  # not yet
    assert world.get(Pitch, a).status == "live"
    clock.advance(1)
    change = svc.auto_next(sid, a)
    assert change is not None and change.reply == {"live": b}
    assert world.get(Pitch, a).overrun_ms == 15_000
    assert world.log(sid)[-1][0] == "auto next"
    # A late wake-up for the pitch that already left does nothing.
    clock.advance(100)
    assert svc.auto_next(sid, a) is None
    assert world.get(Pitch, b).status == "live"


def test_a_paused_pitch_never_overruns_by_itself(world, svc, sid, clock):
    svc.update_settings(sid, overrun_policy="next", overrun_grace_seconds=0)
    a = world.pitch(sid, seconds=60)
    svc.start(sid)
    svc.pause(sid)
    clock.advance(600)
    assert svc.overrun_deadline(sid) is None and svc.auto_next(sid, a) is None


def test_timer_commands_need_a_live_pitch(world, svc, sid):
    world.pitch(sid)
    for command in (svc.pause, svc.resume, svc.reset):
        world.refused("no_live_pitch", command, sid)
    world.refused("no_live_pitch", svc.adjust, sid, 30)


def test_start_and_next_with_an_empty_queue_are_refused(world, svc, sid):
    world.refused("queue_empty", svc.start, sid)
    world.refused("queue_empty", svc.next, sid)


def test_the_screen_mode_and_a_screen_cue_reach_every_audience(world, svc, sid):
    assert svc.set_screen_mode(sid, "qr").stage
    assert svc.cue(sid, "screen", "Coffee in 5").stage
    s = world.get(Session, sid)
    assert (s.screen_mode, s.screen_message) == ("qr", "Coffee in 5")


def test_a_cue_to_the_pitcher_reaches_only_the_console_and_their_phone(world, svc, sid):
    world.refused("no_live_pitch", svc.cue, sid, "pitcher", "Wrap up")
    svc.update_settings(sid, auto_accept=True)
    ana = world.join(sid)
    world.proposal(sid, ana)
    svc.start(sid)
    change = svc.cue(sid, "pitcher", "Wrap up")
    assert change.console and not change.stage and change.participants == {ana}
    assert world.get(Session, sid).pitcher_message == "Wrap up"
    svc.next(sid)  # the message goes with the pitch
    assert world.get(Session, sid).pitcher_message == ""


# ----- the "next part" card (set_section shows it, screen:card_dismiss takes it off) ---------


def _card(world, sid):
    return world.get(Session, sid).card_until, world.snapshots.screen(sid)["card_until"]


def test_a_new_section_shows_the_card_for_its_time(world, svc, sid, clock):
    svc.add_section(sid, "Talks", "talks", 20)
    svc.add_section(sid, "Round", "pitches", 30)
    talks, rnd = world.rows(Section)
    assert _card(world, sid) == (None, None)
    svc.set_section(sid, talks.id)
    until = clock.now + screen.CARD_MS
    assert _card(world, sid) == (until, until)
    clock.advance(60)
    svc.set_section(sid, talks.id)  # the same section again: no new card
    assert _card(world, sid) == (until, until)
    svc.set_section(sid, rnd.id)
    assert _card(world, sid) == (clock.now + screen.CARD_MS,) * 2


def test_dismissing_takes_the_card_off_every_screen(world, svc, sid):
    svc.add_section(sid, "Talks", "talks", 20)
    svc.set_section(sid, world.rows(Section)[0].id)
    rev = world.get(Session, sid).revision
    change = svc.dismiss_card(sid)
    assert change.stage
    assert _card(world, sid) == (None, None)
    assert world.get(Session, sid).revision == rev + 1
    assert world.log(sid)[-1][0] == "dismiss card"
    svc.dismiss_card(sid)  # nothing left to dismiss: harmless
    assert _card(world, sid) == (None, None)


def test_a_screen_mode_chosen_by_hand_is_never_covered_by_the_card(world, svc, sid, clock):
    svc.add_section(sid, "Talks", "talks", 20)
    svc.add_section(sid, "Round", "pitches", 30)
    talks, rnd = world.rows(Section)
    svc.set_section(sid, talks.id)
    svc.set_screen_mode(sid, "qr")
    assert _card(world, sid) == (None, None)
    # A section started while a mode is chosen stores its card, but the screen gets none.
    svc.set_section(sid, rnd.id)
    assert _card(world, sid) == (clock.now + screen.CARD_MS, None)
    svc.set_screen_mode(sid, "auto")  # choosing again, even "auto", clears it
    assert _card(world, sid) == (None, None)
