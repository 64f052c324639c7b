"""The agenda: sections of three kinds, moving between them, fitting the queue."""

from __future__ import annotations

from facilitator.models import Pitch, Section, Session


def test_sections_are_added_in_order_with_their_kind(world, svc, sid):
    for title, kind in (("Talks", "talks"), ("Round", "pitches"), ("Wrap", "discussion")):
        assert svc.add_section(sid, title, kind, 20).stage
    secs = world.rows(Section)
    assert [(x.title, x.kind) for x in secs] == [
        ("Talks", "talks"),
        ("Round", "pitches"),
        ("Wrap", "discussion"),
    ]
    assert [x.position for x in secs] == sorted(x.position for x in secs)


def test_moving_to_a_section_starts_it_and_ends_the_one_before(world, svc, sid, clock):
    svc.add_section(sid, "Talks", "talks", 20)
    svc.add_section(sid, "Round", "pitches", 30)
    talks, rnd = world.rows(Section)
    svc.set_section(sid, talks.id)
    clock.advance(60)
    change = svc.set_section(sid, rnd.id)
    assert change.stage and change.counts
    talks, rnd = world.rows(Section)
    assert talks.ended_at == clock.now and rnd.started_at == clock.now and rnd.ended_at is None


def test_leaving_a_section_ends_the_pitch_on_stage(world, svc, sid):
    svc.add_section(sid, "Round", "pitches", 30)
    svc.add_section(sid, "Wrap", "discussion", 10)
    rnd, wrap = world.rows(Section)
    svc.set_section(sid, rnd.id)
    a = world.pitch(sid)
    svc.start(sid)
    svc.set_section(sid, wrap.id)
    assert world.get(Pitch, a).status == "done"


def test_a_talk_added_during_the_talks_belongs_to_them_and_is_not_voted_on(world, svc, sid):
    svc.add_section(sid, "Talks", "talks", 20)
    (talks,) = world.rows(Section)
    svc.set_section(sid, talks.id)
    keynote = world.pitch(sid, "Keynote")
    assert world.get(Pitch, keynote).section_id == talks.id
    voter = world.join(sid)
    svc.set_voting(sid, True)
    world.refused("pitch_not_votable", world.dots, sid, voter, keynote)


def test_a_pitch_added_during_a_pitch_round_goes_to_the_general_queue(world, svc, sid):
    svc.add_section(sid, "Round", "pitches", 30)
    (rnd,) = world.rows(Section)
    svc.set_section(sid, rnd.id)
    assert world.get(Pitch, world.pitch(sid)).section_id is None


def test_a_section_is_edited_and_removed_but_not_while_current(world, svc, sid):
    svc.add_section(sid, "Talks", "talks", 20)
    (sec,) = world.rows(Section)
    svc.edit_section(sid, sec.id, title="Invited talks", minutes=25)
    assert (world.get(Section, sec.id).title, world.get(Section, sec.id).minutes) == (
        "Invited talks",
        25,
    )
    svc.set_section(sid, sec.id)
    world.refused("section_in_use", svc.remove_section, sid, sec.id)
    svc.set_section(sid, None)
    svc.remove_section(sid, sec.id)
    assert world.rows(Section) == []


def test_sections_of_another_session_are_unknown(world, svc, sid):
    other = world.session("Other")
    svc.add_section(other, "Theirs", "talks", 5)
    (theirs,) = world.rows(Section)
    world.refused("unknown_section", svc.set_section, sid, theirs.id)
    world.refused("unknown_section", svc.edit_section, sid, theirs.id, title="x")
    world.refused("unknown_section", svc.remove_section, sid, theirs.id)


def test_fit_gives_every_waiting_pitch_the_same_length(world, svc, sid):
    a, b = world.pitch(sid, "A"), world.pitch(sid, "B")
    svc.start(sid)  # A is live: only B waits
    assert svc.fit(sid, 90).stage
    assert (world.get(Pitch, a).seconds, world.get(Pitch, b).seconds) == (120, 90)
    assert world.log(sid)[-1] == ("fit", "1 pitches to 90s")


def test_fit_is_never_below_the_floor_nor_for_an_empty_queue(world, svc, sid):
    err = world.refused("below_floor", svc.fit, sid, 59)
    assert err.params == {"floor": 60}
    world.refused("queue_empty", svc.fit, sid, 60)


# ----- an agenda without clock times is placed when its first section starts -----------------

MIN = 60_000
DEMO = [  # the demo's agenda (facilitator/demo.py): sections, no clock times
    {"title": "Talks", "kind": "talks", "minutes": 15},
    {"title": "Pitches", "kind": "pitches", "minutes": 20},
    {"title": "What next", "kind": "discussion", "minutes": 10},
]


def planned(world, sid: int) -> tuple[int | None, int | None]:
    s = world.get(Session, sid)
    return s.planned_start, s.planned_end


def test_an_agenda_without_times_starts_with_its_first_section(world, svc, clock):
    sid = world.session(sections=DEMO)
    talks, pitches, _wrap = world.rows(Section)
    clock.advance(17 * 60)  # the server was up for a while: that is not time behind
    assert planned(world, sid) == (None, None)
    change = svc.set_section(sid, talks.id)
    assert change.stage and change.counts
    assert planned(world, sid) == (clock.now, clock.now + 45 * MIN)
    assert world.get(Section, talks.id).started_at == clock.now
    assert world.log(sid)[-1] == ("section", "Talks")
    # The next section does not move the agenda: it was placed once, by the first.
    placed = planned(world, sid)
    clock.advance(3 * 60)
    svc.set_section(sid, pitches.id)
    assert planned(world, sid) == placed


def test_an_agenda_started_further_on_has_the_skipped_sections_before(world, svc, clock):
    sid = world.session(sections=DEMO)
    _talks, pitches, _wrap = world.rows(Section)
    svc.set_section(sid, pitches.id)
    # The pitch round starts on time: the 15 minutes of talks would have come before it.
    assert planned(world, sid) == (clock.now - 15 * MIN, clock.now + 30 * MIN)


def test_a_removed_section_takes_no_time_in_the_placed_agenda(world, svc, clock):
    sid = world.session(sections=DEMO)
    talks, pitches, _wrap = world.rows(Section)
    svc.remove_section(sid, talks.id)
    svc.set_section(sid, pitches.id)
    assert planned(world, sid) == (clock.now, clock.now + 30 * MIN)


def test_times_the_moderator_set_are_kept(world, svc, clock):
    sid = world.session(sections=DEMO)
    talks, _pitches, _wrap = world.rows(Section)
    svc.set_agenda(sid, "09:00", "17:00")
    before = planned(world, sid)
    assert None not in before
    clock.advance(60)
    svc.set_section(sid, talks.id)
    assert planned(world, sid) == before


def test_an_end_time_alone_is_kept_and_the_start_placed(world, svc, clock):
    sid = world.session(sections=DEMO)
    talks, _pitches, _wrap = world.rows(Section)
    svc.set_agenda(sid, None, "23:59")
    start, end = planned(world, sid)
    assert start is None and end is not None
    svc.set_section(sid, talks.id)
    assert planned(world, sid) == (clock.now, end)


def test_a_session_made_with_planned_minutes_keeps_its_start(world, svc, clock):
    sid = world.session(sections=DEMO, planned_minutes=60)
    made = planned(world, sid)
    assert made == (clock.now, clock.now + 60 * MIN)
    talks, _pitches, _wrap = world.rows(Section)
    clock.advance(5 * 60)
    svc.set_section(sid, talks.id)
    assert planned(world, sid) == made


def test_times_cleared_after_the_agenda_began_are_not_placed_again(world, svc, clock):
    """Only the first section to start places the agenda; once the moderator clears the
    times, the session runs without them."""
    sid = world.session(sections=DEMO)
    talks, pitches, _wrap = world.rows(Section)
    svc.set_section(sid, talks.id)
    svc.set_agenda(sid, None, None)
    clock.advance(60)
    svc.set_section(sid, pitches.id)
    assert planned(world, sid) == (None, None)


def test_leaving_every_section_or_an_unknown_one_places_nothing(world, svc, clock):
    sid = world.session(sections=DEMO)
    other = world.session("Other", sections=DEMO[:1])
    theirs = world.rows(Section, session_id=other)[0]
    svc.set_section(sid, None)
    assert planned(world, sid) == (None, None)
    world.refused("unknown_section", svc.set_section, sid, theirs.id)
