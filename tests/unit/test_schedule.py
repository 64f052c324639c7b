"""Unit tests for keeping a session on time (facilitator.domain.schedule).

The module is pure: every time is epoch milliseconds or a duration in milliseconds, and `now`
is passed in, so no clock is needed.
"""

import dataclasses

import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.schedule import (
    AUTO_NEXT,
    DEFAULT_FLOOR_MS,
    KEEP_COUNTING,
    OVERRUN_POLICIES,
    Fit,
    check_agenda,
    expected_starts,
    fit,
    overrun_due,
    parse_time_of_day,
    projected_end,
    section_end,
)

T0 = 1_700_000_000_000  # an arbitrary epoch-millisecond "now"
SEC = 1_000
MIN = 60 * SEC


# ----- constants ------------------------------------------------------------------------------


def test_defaults_and_policies():
    assert DEFAULT_FLOOR_MS == 60 * SEC
    assert (KEEP_COUNTING, AUTO_NEXT) == ("count", "next")
    assert OVERRUN_POLICIES == ("count", "next")


def test_fit_result_is_immutable():
    f = fit([60 * SEC], 60 * SEC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.fits = False


# ----- fit: everything fits -------------------------------------------------------------------


def test_all_fit_exactly_at_the_boundary_including_changeovers():
    # (60 + 10) + (90 + 10) + (120 + 10) = 300 s: exactly the time available.
    lengths = [60 * SEC, 90 * SEC, 120 * SEC]
    f = fit(lengths, 300 * SEC, changeover_ms=10 * SEC)
    assert f == Fit(
        fits=True,
        fitting=3,
        needed_ms=300 * SEC,
        available_ms=300 * SEC,
        proposal_ms=None,
        left_out=0,
    )


def test_one_millisecond_short_of_the_boundary_no_longer_fits():
    # Same queue, 1 ms less: the first two cost 70 s + 100 s = 170 s, the third would end at
    # 300 s > 299.999 s, so the cut goes after 2.
    # proposal: (299_999 - 3 * 10_000) // 3 = 89_999 -> rounded down to 85_000 (>= 60 s floor).
    f = fit([60 * SEC, 90 * SEC, 120 * SEC], 300 * SEC - 1, changeover_ms=10 * SEC)
    assert f == Fit(
        fits=False,
        fitting=2,
        needed_ms=300 * SEC,
        available_ms=300 * SEC - 1,
        proposal_ms=85 * SEC,
        left_out=0,
    )


def test_more_time_than_needed_fits():
    f = fit([120 * SEC, 120 * SEC], 10 * MIN, changeover_ms=15 * SEC)
    assert f.fits is True
    assert f.fitting == 2
    assert f.needed_ms == 270 * SEC
    assert f.available_ms == 10 * MIN
    assert f.proposal_ms is None
    assert f.left_out == 0


def test_empty_queue_fits():
    assert fit([], 5 * MIN, changeover_ms=15 * SEC) == Fit(True, 0, 0, 5 * MIN, None, 0)
    assert fit([], 0) == Fit(True, 0, 0, 0, None, 0)


def test_empty_queue_fits_even_with_negative_time_left():
    assert fit([], -30 * SEC, changeover_ms=15 * SEC) == Fit(True, 0, 0, 0, None, 0)


def test_fits_without_changeover_by_default():
    # Default changeover is 0: 2 x 120 s fit exactly into 240 s.
    f = fit([120 * SEC, 120 * SEC], 240 * SEC)
    assert f.fits is True
    assert f.needed_ms == 240 * SEC


# ----- fit: too many --------------------------------------------------------------------------


def test_one_pitch_too_many():
    # 4 x 120 s into 6 minutes, no changeover: 3 fit, the 4th does not.
    # proposal: 360_000 // 4 = 90_000 (already whole 5 s).
    f = fit([120 * SEC] * 4, 6 * MIN)
    assert f == Fit(
        fits=False,
        fitting=3,
        needed_ms=8 * MIN,
        available_ms=6 * MIN,
        proposal_ms=90 * SEC,
        left_out=0,
    )


def test_cut_position_follows_queue_order_with_unequal_lengths():
    # 60 + 60 = 120 s fit; the 300 s pitch would end at 420 s > 200 s, so the cut goes after 2,
    # even though the 60 s pitch behind it would still have fitted on its own.
    f = fit([60 * SEC, 60 * SEC, 300 * SEC, 60 * SEC], 200 * SEC)
    assert f.fits is False
    assert f.fitting == 2
    assert f.needed_ms == 480 * SEC


def test_long_first_pitch_puts_the_cut_before_everyone():
    # The first pitch alone (300 s) is longer than the 200 s left: nothing fits in queue
    # order, even though the two short ones behind it would.
    f = fit([300 * SEC, 60 * SEC, 60 * SEC], 200 * SEC)
    assert f.fits is False
    assert f.fitting == 0
    # proposal: 200_000 // 3 = 66_666 -> 65_000 (>= floor).
    assert f.proposal_ms == 65 * SEC
    assert f.left_out == 0


def test_cut_position_counts_the_changeover_before_each_pitch():
    # Without changeovers 90 + 90 = 180 s would fit into 200 s; with 15 s before each pitch
    # the second one ends at 210 s, so only 1 fits.
    assert fit([90 * SEC, 90 * SEC], 200 * SEC).fitting == 2
    assert fit([90 * SEC, 90 * SEC], 200 * SEC, changeover_ms=15 * SEC).fitting == 1
    # A pitch exactly reaching the end (incl. its changeover) still counts.
    assert fit([90 * SEC, 95 * SEC], 210 * SEC, changeover_ms=15 * SEC).fitting == 1
    assert fit([90 * SEC, 90 * SEC, 5 * SEC], 210 * SEC, changeover_ms=15 * SEC).fitting == 2


def test_needed_includes_one_changeover_per_pitch():
    lengths = [100 * SEC, 50 * SEC, 70 * SEC]
    assert fit(lengths, 0, changeover_ms=20 * SEC).needed_ms == 220 * SEC + 3 * 20 * SEC
    assert fit(lengths, 10 * MIN, changeover_ms=20 * SEC).needed_ms == 280 * SEC
    assert fit(lengths, 10 * MIN).needed_ms == 220 * SEC


def test_available_is_reported_as_given_when_not_negative():
    assert fit([60 * SEC], 12_345).available_ms == 12_345


# ----- fit: the proposal ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "available, expected",
    [
        # (available - 15_000 * 3) // 3, then rounded down to a multiple of 5_000
        (300_000, 85_000),  # 255_000 // 3 = 85_000 exactly
        (299_999, 80_000),  # 254_999 // 3 = 84_999 -> 80_000 (down, not to the nearest)
        (299_000, 80_000),  # 254_000 // 3 = 84_666 -> 80_000
        (314_999, 85_000),  # 269_999 // 3 = 89_999 -> 85_000
        (315_000, 90_000),  # 270_000 // 3 = 90_000
    ],
)
def test_proposal_is_rounded_down_to_whole_five_seconds(available, expected):
    f = fit([120 * SEC] * 3, available, changeover_ms=15 * SEC)
    assert f.fits is False
    assert f.proposal_ms == expected
    assert f.proposal_ms % 5_000 == 0
    assert f.left_out == 0


def test_proposal_exactly_at_the_floor_is_accepted():
    # 4 pitches, 15 s changeovers, 300 s left: (300_000 - 60_000) // 4 = 60_000 = the floor.
    f = fit([120 * SEC] * 4, 300 * SEC, changeover_ms=15 * SEC, floor_ms=60 * SEC)
    assert f.fits is False
    assert f.fitting == 2  # 135 s + 135 s = 270 s; the 3rd would end at 405 s
    assert f.proposal_ms == 60 * SEC
    assert f.left_out == 0


def test_proposal_just_below_the_floor_is_refused():
    # 1 ms less: (299_999 - 60_000) // 4 = 59_999 -> 55_000 < 60_000: no proposal.
    # At the floor each pitch costs 60 + 15 = 75 s; 299_999 // 75_000 = 3 fit, so 4 - 3 = 1
    # is left out.
    f = fit([120 * SEC] * 4, 300 * SEC - 1, changeover_ms=15 * SEC, floor_ms=60 * SEC)
    assert f == Fit(
        fits=False,
        fitting=2,
        needed_ms=540 * SEC,
        available_ms=300 * SEC - 1,
        proposal_ms=None,
        left_out=1,
    )


def test_default_floor_is_used_when_not_given():
    # 2 pitches, 115 s, no changeover: 57_500 -> 55_000 < default 60 s floor.
    f = fit([120 * SEC, 120 * SEC], 115 * SEC)
    assert f.proposal_ms is None
    assert f.left_out == 2 - 115_000 // 60_000  # = 1
    # With a lower floor the same situation has a proposal.
    assert fit([120 * SEC, 120 * SEC], 115 * SEC, floor_ms=30 * SEC).proposal_ms == 55 * SEC


@pytest.mark.parametrize(
    "available, changeover, floor, n",
    [
        (299_999, 15_000, 60_000, 4),
        (100_000, 15_000, 60_000, 4),
        (74_999, 15_000, 60_000, 4),
        (0, 15_000, 60_000, 4),
        (150_000, 0, 60_000, 5),
        (179_999, 0, 60_000, 5),
        (200_000, 10_000, 45_000, 10),
    ],
)
def test_left_out_counts_who_would_not_fit_even_at_the_floor(available, changeover, floor, n):
    f = fit([300 * SEC] * n, available, changeover_ms=changeover, floor_ms=floor)
    assert f.fits is False
    assert f.proposal_ms is None
    assert f.left_out == n - available // (floor + changeover)
    assert 0 < f.left_out <= n


def test_left_out_is_everyone_when_nothing_is_left():
    f = fit([60 * SEC] * 3, 0, changeover_ms=15 * SEC)
    assert f == Fit(
        fits=False, fitting=0, needed_ms=225 * SEC, available_ms=0, proposal_ms=None, left_out=3
    )


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10])
@pytest.mark.parametrize("available", [0, 59_999, 75_000, 123_456, 301_000, 777_777, 1_000_000])
@pytest.mark.parametrize("changeover", [0, 15_000])
def test_proposal_and_left_out_are_consistent(n, available, changeover):
    """Whatever the numbers: a proposal really makes everyone fit, is never below the floor and
    is whole 5 s; without one, the ones kept at the floor really fit."""
    floor = 60_000
    f = fit([200 * SEC] * n, available, changeover_ms=changeover, floor_ms=floor)
    if f.fits:
        assert f.needed_ms <= available
        assert f.proposal_ms is None and f.left_out == 0
        return
    assert f.needed_ms > available
    if f.proposal_ms is not None:
        assert f.proposal_ms >= floor
        assert f.proposal_ms % 5_000 == 0
        assert n * (f.proposal_ms + changeover) <= available
        # whole 5 s more would no longer fit
        assert n * (f.proposal_ms + 5_000 + changeover) > available
        assert f.left_out == 0
    else:
        kept = n - f.left_out
        assert kept * (floor + changeover) <= available
        assert (kept + 1) * (floor + changeover) > available


# ----- fit: negative time and invalid settings ------------------------------------------------


def test_negative_available_is_treated_as_zero():
    f = fit([60 * SEC, 60 * SEC], -30 * SEC, changeover_ms=15 * SEC)
    assert f == Fit(
        fits=False, fitting=0, needed_ms=150 * SEC, available_ms=0, proposal_ms=None, left_out=2
    )
    # Same result as with exactly zero.
    assert f == fit([60 * SEC, 60 * SEC], 0, changeover_ms=15 * SEC)


@pytest.mark.parametrize("floor", [0, -1, -60 * SEC])
def test_invalid_floor_is_refused(floor):
    with pytest.raises(RuleError) as e:
        fit([60 * SEC], 10 * MIN, changeover_ms=15 * SEC, floor_ms=floor)
    assert e.value.code == "invalid_floor"


def test_invalid_floor_is_refused_even_for_an_empty_queue():
    with pytest.raises(RuleError) as e:
        fit([], 10 * MIN, floor_ms=0)
    assert e.value.code == "invalid_floor"


@pytest.mark.parametrize("changeover", [-1, -15 * SEC])
def test_negative_changeover_is_refused(changeover):
    with pytest.raises(RuleError) as e:
        fit([60 * SEC], 10 * MIN, changeover_ms=changeover)
    assert e.value.code == "invalid_changeover"


def test_smallest_valid_settings_are_accepted():
    f = fit([60 * SEC], 60 * SEC, changeover_ms=0, floor_ms=1)
    assert f.fits is True


def test_floor_not_on_five_seconds_still_gives_a_proposal_or_someone_left_out():
    # 2 x 120 s into 128 s, floor 62 s: raw proposal 64 s would round down to 60 s, below the
    # floor; the floor itself fits (2 x 62 s = 124 s), so the proposal is the floor.
    f = fit([120 * SEC, 120 * SEC], 128 * SEC, changeover_ms=0, floor_ms=62 * SEC)
    assert f.fits is False
    assert f.proposal_ms == 62 * SEC and f.left_out == 0


# ----- fit: the reference session -------------------------------------------------------------


def test_reference_session_pitch_section_with_eight_minutes_left():
    # Pitch section of 20 minutes, 10 pitches of 120 s, 15 s changeovers, 8 minutes left.
    # Each pitch costs 120 + 15 = 135 s.
    #   needed    = 10 * 135 s = 1350 s = 1_350_000 ms
    #   available = 8 min = 480_000 ms
    #   fitting   = 480 // 135 = 3 (405 s used; a 4th would end at 540 s)
    #   proposal  = (480_000 - 10 * 15_000) // 10 = 33_000 -> 30_000 < 60 s floor -> None
    #   at floor  = 480_000 // (60_000 + 15_000) = 6, so left_out = 10 - 6 = 4
    f = fit([120 * SEC] * 10, 8 * MIN, changeover_ms=15 * SEC)
    assert f == Fit(
        fits=False,
        fitting=3,
        needed_ms=1_350_000,
        available_ms=480_000,
        proposal_ms=None,
        left_out=4,
    )


def test_reference_session_pitch_section_at_its_start():
    # The full 20 minutes: 1_200_000 ms available, 1_350_000 ms needed.
    #   fitting  = 1200 // 135 = 8 (1080 s; a 9th would end at 1215 s)
    #   proposal = (1_200_000 - 150_000) // 10 = 105_000 (whole 5 s, >= floor)
    # Check: 10 * (105 + 15) s = 1200 s, exactly the section.
    f = fit([120 * SEC] * 10, 20 * MIN, changeover_ms=15 * SEC)
    assert f == Fit(
        fits=False,
        fitting=8,
        needed_ms=1_350_000,
        available_ms=1_200_000,
        proposal_ms=105_000,
        left_out=0,
    )


# ----- section_end ----------------------------------------------------------------------------


def test_section_end_without_session_end_is_its_own_budget():
    assert section_end(T0, 20 * MIN, None, 10 * MIN) == T0 + 20 * MIN
    assert section_end(T0, 20 * MIN, None, 0) == T0 + 20 * MIN


def test_section_end_own_budget_when_the_session_has_room():
    # Session ends in 60 min, 10 min planned after: the hard limit is T0 + 50 min.
    assert section_end(T0, 20 * MIN, T0 + 60 * MIN, 10 * MIN) == T0 + 20 * MIN


def test_section_end_cut_short_to_leave_room_for_later_sections():
    # Session ends in 25 min, 10 min planned after: must end at T0 + 15 min.
    assert section_end(T0, 20 * MIN, T0 + 25 * MIN, 10 * MIN) == T0 + 15 * MIN


def test_section_end_when_both_limits_agree():
    assert section_end(T0, 20 * MIN, T0 + 30 * MIN, 10 * MIN) == T0 + 20 * MIN


def test_section_end_last_section_ends_at_the_session_end_at_the_latest():
    assert section_end(T0, 20 * MIN, T0 + 12 * MIN, 0) == T0 + 12 * MIN


def test_section_end_can_already_be_past_when_the_session_is_too_late():
    # Session ends in 5 min but 10 min are planned after: the section is already overdue.
    assert section_end(T0, 20 * MIN, T0 + 5 * MIN, 10 * MIN) == T0 - 5 * MIN


def test_section_end_reference_session_started_late():
    # Reference session: 15 + 20 + 10 = 45 min from S. The pitch section starts 3 min late at
    # S + 18 min: own budget says S + 38 min, but the 10 min discussion must still fit before
    # S + 45 min, so it ends at S + 35 min.
    s = T0
    assert section_end(s + 18 * MIN, 20 * MIN, s + 45 * MIN, 10 * MIN) == s + 35 * MIN


# ----- projected_end --------------------------------------------------------------------------


def test_projected_end_adds_live_left_waiting_and_changeovers():
    # 30 s left live, then 3 pitches (60 + 90 + 120 s) each with a 15 s changeover.
    end = projected_end(T0, 30 * SEC, [60 * SEC, 90 * SEC, 120 * SEC], 15 * SEC)
    assert end == T0 + 30 * SEC + 270 * SEC + 45 * SEC


def test_projected_end_overrun_counts_as_nothing_left():
    assert projected_end(T0, -45 * SEC, [60 * SEC], 15 * SEC) == T0 + 75 * SEC
    assert projected_end(T0, 0, [60 * SEC], 15 * SEC) == T0 + 75 * SEC


def test_projected_end_without_waiting_pitches_is_just_the_live_time():
    assert projected_end(T0, 30 * SEC, [], 15 * SEC) == T0 + 30 * SEC
    assert projected_end(T0, -30 * SEC, [], 15 * SEC) == T0


def test_projected_end_changeover_only_per_waiting_pitch():
    # No changeover is counted for the live pitch: one per waiting pitch only.
    assert projected_end(T0, 0, [0, 0, 0, 0], 15 * SEC) == T0 + 60 * SEC
    assert projected_end(T0, 10 * SEC, [20 * SEC], 0) == T0 + 30 * SEC


def test_projected_end_reference_session():
    # One pitch live with 30 s left, 9 of 120 s waiting, 15 s changeovers:
    # 30 + 9 * 135 = 1245 s.
    assert projected_end(T0, 30 * SEC, [120 * SEC] * 9, 15 * SEC) == T0 + 1_245 * SEC


# ----- overrun_due ----------------------------------------------------------------------------


def test_overrun_due_for_auto_next_adds_the_grace():
    assert overrun_due(AUTO_NEXT, T0, 5 * SEC) == T0 + 5 * SEC
    assert overrun_due("next", T0, 0) == T0


def test_overrun_due_none_when_counting_on():
    assert overrun_due(KEEP_COUNTING, T0, 5 * SEC) is None


def test_overrun_due_none_without_an_end():
    assert overrun_due(AUTO_NEXT, None, 5 * SEC) is None


@pytest.mark.parametrize("policy", ["", "NEXT", "Next", "auto", None])
def test_overrun_due_none_for_any_other_policy(policy):
    assert overrun_due(policy, T0, 5 * SEC) is None


# ----- parse_time_of_day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("09:50", 590),
        ("00:00", 0),
        ("23:59", 1439),
        ("12:00", 720),
        ("00:01", 1),
        ("13:05", 785),
    ],
)
def test_parse_time_of_day(text, minutes):
    assert parse_time_of_day(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "24:00",  # hour out of range
        "9:5",  # minutes need two digits
        "12:5",  # minutes need two digits
        "12:60",  # minute out of range
        "12:-5",  # negative minute
        "ab:cd",  # not numbers
        "",  # empty
        None,  # nothing at all
        "12",  # no colon
        "1:2:3",  # too many parts
        ":",  # empty parts
        "12:",  # no minutes
        "12:005",  # three-digit minutes
    ],
)
def test_parse_time_of_day_refuses(text):
    with pytest.raises(RuleError) as e:
        parse_time_of_day(text)
    assert e.value.code == "invalid_time"


def test_parse_time_of_day_refuses_a_non_string():
    with pytest.raises(RuleError) as e:
        parse_time_of_day(950)
    assert e.value.code == "invalid_time"


@pytest.mark.parametrize("text", ["-0:00", "+9:50", "1_0:00", " 9:50", "٩:٥٠"])
def test_parse_time_of_day_refuses_signs_and_separators(text):
    with pytest.raises(RuleError):
        parse_time_of_day(text)


# ----- check_agenda ---------------------------------------------------------------------------


@pytest.mark.parametrize("start, end", [(600, 599), (600, 600), (0, 0), (1439, 0)])
def test_check_agenda_refuses_end_not_after_start(start, end):
    with pytest.raises(RuleError) as e:
        check_agenda(start, end)
    assert e.value.code == "end_before_start"


@pytest.mark.parametrize(
    "start, end",
    [
        (590, 635),
        (0, 1),
        (0, 1439),
        (None, 635),
        (590, None),
        (None, None),
        (None, 0),
        (0, None),
    ],
)
def test_check_agenda_accepts(start, end):
    assert check_agenda(start, end) is None


def test_check_agenda_with_parsed_times():
    check_agenda(parse_time_of_day("09:50"), parse_time_of_day("10:35"))
    with pytest.raises(RuleError) as e:
        check_agenda(parse_time_of_day("10:35"), parse_time_of_day("09:50"))
    assert e.value.code == "end_before_start"


def test_section_end_is_never_stretched_by_time_saved_earlier():
    # Talks ended 10 minutes early and the pitch round (20 min) started at 0: it still has 20
    # minutes, not the 30 until its place in the agenda ("31:47 left" for a 20-minute
    # section was the bug). The time saved shows in the pace (ahead), not here.
    minute = 60_000
    assert section_end(0, 20 * minute, None, 0) == 20 * minute
    assert section_end(0, 20 * minute, 60 * minute, 10 * minute) == 20 * minute
    # The hard end still wins when it comes first.
    assert section_end(0, 20 * minute, 25 * minute, 10 * minute) == 15 * minute


def test_section_left_never_exceeds_the_sections_own_minutes():
    minute = 60_000
    for started in (0, 3 * minute, 17 * minute, 40 * minute):
        for session_end in (None, 45 * minute, 90 * minute):
            end = section_end(started, 20 * minute, session_end, 10 * minute)
            assert end - started <= 20 * minute


# ----- expected_starts ------------------------------------------------------------------------


def test_expected_starts_with_nobody_live_begin_now():
    assert expected_starts(T0, None, [120 * SEC, 60 * SEC, 90 * SEC], 15 * SEC) == [
        T0,
        T0 + 135 * SEC,
        T0 + 210 * SEC,
    ]


def test_expected_starts_after_the_live_item_and_its_handover():
    assert expected_starts(T0, 40 * SEC, [60 * SEC, 60 * SEC], 10 * SEC) == [
        T0 + 50 * SEC,
        T0 + 120 * SEC,
    ]


def test_expected_starts_an_overrun_counts_as_nothing_left():
    assert expected_starts(T0, -30 * SEC, [60 * SEC], 0) == [T0]
    assert expected_starts(T0, 0, [], 10 * SEC) == []
