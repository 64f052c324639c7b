"""The agenda: sections of three kinds, moving between them, fitting the queue."""

from __future__ import annotations

from facilitator.models import Pitch, Section


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
