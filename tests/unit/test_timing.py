"""The timing report's rule (domain/timing.py): a pitch is over only when it ran longer than
the time it was given, which is its plan with the moderator's extensions and cuts."""

from __future__ import annotations

from facilitator.domain.timing import Run, by_section, pitch_timing, ran_in, section_timing


def test_a_pitch_cut_short_and_stopped_in_time_is_not_over():
    # planned 2:00, cut to 0:30 by the moderator, stopped at 0:20
    t = pitch_timing(120_000, 30_000, 20_000, 0)
    assert (t.planned_ms, t.given_ms, t.changes_ms, t.actual_ms) == (
        120_000,
        30_000,
        -90_000,
        20_000,
    )
    assert t.over_ms == 0


def test_over_is_measured_against_the_time_given_not_the_plan():
    # the case: planned 2:00, cut to 0:05, ran to 0:20: 0:15 over the time given
    t = pitch_timing(120_000, 5_000, 20_000, 15_000)
    assert t.over_ms == 15_000 and t.changes_ms == -115_000
    # extended by a minute, ran 2:40: longer than planned but within the time given
    t = pitch_timing(120_000, 180_000, 160_000, 0)
    assert t.over_ms == 0 and t.changes_ms == 60_000
    # no changes, ran 2:10: ten seconds over
    t = pitch_timing(120_000, 120_000, 130_000, 10_000)
    assert t.over_ms == 10_000 and t.changes_ms == 0


def test_over_is_counted_in_the_whole_seconds_the_report_shows():
    assert pitch_timing(120_000, 120_000, 120_400, 400).over_ms == 0  # shown 2:00 against 2:00
    assert pitch_timing(120_000, 120_000, 120_600, 600).over_ms == 1_000  # 2:01 against 2:00
    assert pitch_timing(120_000, 0, 1_500, 1_500).over_ms == 2_000  # 0:02 against 0:00
    assert section_timing(600_000, 600_300).over_ms == 0


def test_a_pitch_still_on_stage_is_not_over_yet():
    t = pitch_timing(120_000, 150_000, None, None)
    assert t.actual_ms is None and t.over_ms == 0 and t.changes_ms == 30_000


def test_records_without_the_given_time_derive_it_from_the_overrun_or_leave_it_unknown():
    # ran over: given = actual - overrun
    t = pitch_timing(120_000, None, 20_000, 15_000)
    assert t.given_ms == 5_000 and t.changes_ms == -115_000 and t.over_ms == 15_000
    # stopped in time: the changes are unknown, and it is not over
    t = pitch_timing(120_000, None, 150_000, 0)
    assert t.given_ms is None and t.changes_ms is None and t.over_ms == 0


def test_a_section_is_over_once_it_ran_longer_than_its_minutes():
    assert section_timing(600_000, 599_000).over_ms == 0
    assert section_timing(600_000, 660_000).over_ms == 60_000
    assert section_timing(600_000, None).over_ms == 0
    assert section_timing(600_000, 660_000).changes_ms == 0


def test_talks_and_pitches_are_grouped_under_their_own_section():
    sections = [{"id": 1, "t": "Talks"}, {"id": 2, "t": "Pitches"}, {"id": 3, "t": "Wrap-up"}]
    items = [
        {"t": "talk A", "s": 1},
        {"t": "pitch X", "s": 2},
        {"t": "talk B", "s": 1},
        {"t": "old", "s": 99},  # its section was removed
        {"t": "no agenda", "s": None},
    ]
    groups, loose = by_section(sections, items, lambda x: x["s"], lambda s: s["id"])
    assert [(s["t"], [x["t"] for x in xs]) for s, xs in groups] == [
        ("Talks", ["talk A", "talk B"]),
        ("Pitches", ["pitch X"]),
        ("Wrap-up", []),
    ]
    assert [x["t"] for x in loose] == ["old", "no agenda"]


def test_a_pitch_from_a_phone_ran_in_the_pitch_round_running_when_it_started():
    talks = Run(1, "talks", 1_000, 2_000)
    first = Run(2, "pitches", 2_000, 3_000)
    second = Run(3, "pitches", 3_000, None)
    agenda = [talks, first, second]
    assert ran_in(1, 1_500, agenda) == 1  # a talk belongs to its section
    assert ran_in(None, 2_500, agenda) == 2
    assert ran_in(None, 3_500, agenda) == 3
    assert ran_in(None, 500, agenda) is None  # before any round, and two rounds to choose from
    assert ran_in(None, 500, [talks, first]) == 2  # the only pitch round
    assert ran_in(9, 1_500, agenda) is None  # its section was removed
    assert ran_in(None, None, agenda) is None
