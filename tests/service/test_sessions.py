"""Sessions: creating one, finding it, the moderator key, settings, the agenda's times, erasure."""

from __future__ import annotations

import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.settings import DEFAULTS
from facilitator.models import Participant, Pitch, Section, Session
from facilitator.validate import parse, setting_fields


def test_create_stores_the_defaults_a_ready_timer_and_an_unguessable_key(world, svc, clock):
    code, key = svc.create_session(title="Quick wins", created_by="api")
    (s,) = world.rows(Session)
    assert s.code == code and len(code) == 6 and not set(code) & set("01OIL")
    assert s.moderator_key == key and len(key) >= 32
    assert {k: getattr(s, k) for k in DEFAULTS} == DEFAULTS
    assert s.created_at == clock.now and s.created_by == "api"
    assert s.timer_state == "idle" and s.timer_total_ms == DEFAULTS["pitch_seconds"] * 1000
    assert s.voting == "idle" and not s.revealed and s.revision == 0


def test_create_with_sections_pitches_and_a_planned_length(world, svc, clock):
    code, _ = svc.create_session(
        title="Morning",
        pitch_seconds=90,
        planned_minutes=45,
        sections=[{"title": "Talks", "kind": "talks", "minutes": 20}],
        pitches=[
            {"title": "Keynote", "pitcher": "Dee", "section": 0, "seconds": 600},
            {"title": "Bikes", "pitcher": "Ben"},
        ],
    )
    (sec,) = world.rows(Section)
    keynote, bikes = world.rows(Pitch)
    assert (sec.title, sec.kind, sec.minutes) == ("Talks", "talks", 20)
    assert (keynote.section_id, keynote.seconds, keynote.status) == (sec.id, 600, "queued")
    assert (bikes.section_id, bikes.seconds, bikes.position) == (None, 90, 1)
    (s,) = world.rows(Session)
    assert s.planned_end - s.planned_start == 45 * 60_000
    assert s.planned_start <= clock.now < s.planned_start + 60_000


def test_create_refuses_an_undeclared_setting_and_stores_nothing(world, svc):
    with pytest.raises(TypeError):
        svc.create_session(title="x", colour="red")
    assert world.rows(Session) == []


def test_two_sessions_get_different_codes_and_keys(svc):
    a, b = svc.create_session(title="a"), svc.create_session(title="b")
    assert a[0] != b[0] and a[1] != b[1]


def test_find_session_forgives_case_and_spaces_in_the_code(svc):
    code, _ = svc.create_session(title="Quick wins")
    found = svc.find_session(f" {code[:3].lower()} {code[3:]} ")
    assert found["code"] == code and found["title"] == "Quick wins"
    assert found["revealed"] is False and found["outcome_public"] is False
    assert svc.find_session("ZZZZZZ") is None


def test_latest_session_code_by_origin(svc, clock):
    first, _ = svc.create_session(title="a", created_by="operator")
    clock.advance(1)
    second, _ = svc.create_session(title="b", created_by="api")
    assert svc.latest_session_code() == second
    assert svc.latest_session_code("operator") == first
    assert svc.latest_session_code("start_page") is None


def test_moderator_key_is_checked_exactly(svc):
    code, key = svc.create_session(title="a")
    sid = svc.find_session(code)["id"]
    assert svc.check_moderator_key(code.lower(), key) == sid
    assert svc.check_moderator_key(code, key[:-1]) is None
    assert svc.check_moderator_key(code, "") is None
    assert svc.check_moderator_key("ZZZZZZ", key) is None


def test_a_new_console_link_retires_the_old_key(world, svc):
    code, old = svc.create_session(title="a")
    sid = svc.find_session(code)["id"]
    new = svc.rotate_moderator_key(sid)
    assert new != old and svc.moderator_key(code) == new
    assert svc.check_moderator_key(code, old) is None
    assert svc.identity_error(sid, code, key=old) == "forbidden"
    assert svc.identity_error(sid, code, key=new) is None
    assert world.log(sid)[-1][0] == "new_console_link"


def test_settings_are_stored_logged_and_told_to_every_audience(world, svc, sid):
    change = svc.update_settings(sid, pitch_seconds=90, chime=False)
    assert change.stage and not change.counts
    s = world.get(Session, sid)
    assert (s.pitch_seconds, s.chime, s.revision) == (90, False, 1)
    # An idle timer with nothing on stage takes the new length at once.
    assert s.timer_total_ms == 90_000
    assert world.log(sid) == [("settings", "chime=False, pitch_seconds=90")]


def test_console_only_settings_reach_only_the_console(svc, sid):
    change = svc.update_settings(sid, auto_accept=True, changeover_seconds=30)
    assert change.console and not change.stage and not change.counts


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"pitch_seconds": 9}, "out_of_range"),
        ({"pitch_seconds": 3601}, "out_of_range"),
        ({"dots_per_person": 0}, "out_of_range"),
        ({"overrun_grace_seconds": -1}, "out_of_range"),
        ({"pitch_seconds": "120"}, "wrong_type"),
        ({"chime": 1}, "wrong_type"),
        ({"voting_method": "borda"}, "invalid_choice"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_settings_out_of_their_declared_bounds_are_refused(world, payload, code):
    with pytest.raises(RuleError) as err:
        parse(setting_fields(), payload)
    assert err.value.code == code


def test_settings_at_their_declared_bounds_are_accepted(world, svc, sid):
    edge = parse(setting_fields(), {"pitch_seconds": 10, "dots_per_person": 20})
    svc.update_settings(sid, **edge)
    s = world.get(Session, sid)
    assert (s.pitch_seconds, s.dots_per_person) == (10, 20)


def test_the_voting_method_is_locked_while_voting_is_open(world, svc, sid):
    svc.set_voting(sid, True)
    world.refused("voting_open", svc.update_settings, sid, voting_method="approval")
    # Sending the unchanged method along with another setting is fine.
    svc.update_settings(sid, voting_method="dots", dots_per_person=5)
    assert world.get(Session, sid).dots_per_person == 5


def test_the_voting_method_is_locked_once_ballots_are_cast(world, svc, sid):
    pitch = world.pitch(sid)
    voter = world.join(sid)
    svc.set_voting(sid, True)
    world.dots(sid, voter, pitch)
    svc.set_voting(sid, False)
    world.refused("ballots_cast", svc.update_settings, sid, voting_method="matrix")


def test_agenda_times_are_today_in_local_time(world, svc, sid):
    assert svc.set_agenda(sid, "09:50", "11:00").console
    s = world.get(Session, sid)
    assert s.planned_end - s.planned_start == 70 * 60_000
    world.refused("invalid_time", svc.set_agenda, sid, "25:00", None)


def test_the_agenda_must_end_after_it_starts(world, svc, sid):
    world.refused("end_before_start", svc.set_agenda, sid, "11:00", "10:00")


def test_erasing_a_session_removes_everything_in_it(world, svc):
    code, _ = svc.create_session(title="a")
    sid = svc.find_session(code)["id"]
    world.join(sid)
    world.pitch(sid)
    assert svc.erase_session(sid) == code
    assert world.rows(Session) == world.rows(Participant) == world.rows(Pitch) == []
    assert svc.find_session(code) is None


def test_sessions_are_purged_after_the_retention_period(world, svc, clock):
    svc.create_session(title="old")
    clock.advance(29 * 86_400)
    svc.create_session(title="recent")
    clock.advance(2 * 86_400)
    assert svc.purge_expired(30) == 1
    assert [s.title for s in world.rows(Session)] == ["recent"]
