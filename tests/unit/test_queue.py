"""Unit tests for the pitch queue (facilitator.domain.queue)."""

from dataclasses import dataclass

import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.queue import (
    DONE,
    LIVE,
    MARKABLE,
    PENDING,
    QUEUED,
    SKIPPED,
    STATUSES,
    VOTABLE,
    check_mark,
    in_order,
    live,
    moved,
    up_next,
)


@dataclass
class Pitch:
    id: int
    status: str
    position: int


def ids(pitches):
    return [p.id for p in pitches]


def apply_moves(pitches, pairs):
    """Apply (id, position) pairs from moved() to copies of the pitches."""
    pos = dict(pairs)
    return [Pitch(p.id, p.status, pos[p.id]) for p in pitches]


@pytest.fixture
def room():
    """A typical round: one done, one live, three queued (out of list order), one pending,
    one skipped."""
    return [
        Pitch(1, DONE, 0),
        Pitch(2, LIVE, 1),
        Pitch(5, QUEUED, 4),
        Pitch(3, QUEUED, 2),
        Pitch(4, QUEUED, 3),
        Pitch(6, PENDING, 5),
        Pitch(7, SKIPPED, 6),
    ]


# --- constants ------------------------------------------------------------------------------


def test_status_sets():
    assert STATUSES == ("pending", "queued", "live", "done", "skipped")
    assert set(VOTABLE) == {QUEUED, LIVE, DONE}
    assert set(MARKABLE) == {QUEUED, DONE, SKIPPED}


# --- in_order -------------------------------------------------------------------------------


def test_in_order_sorts_by_position():
    pitches = [Pitch(1, QUEUED, 3), Pitch(2, QUEUED, 1), Pitch(3, QUEUED, 2)]
    assert ids(in_order(pitches)) == [2, 3, 1]


def test_in_order_breaks_position_ties_by_id():
    pitches = [Pitch(9, QUEUED, 1), Pitch(4, QUEUED, 1), Pitch(6, QUEUED, 0), Pitch(2, QUEUED, 1)]
    assert ids(in_order(pitches)) == [6, 2, 4, 9]


def test_in_order_ignores_status():
    pitches = [Pitch(1, SKIPPED, 2), Pitch(2, PENDING, 0), Pitch(3, DONE, 1)]
    assert ids(in_order(pitches)) == [2, 3, 1]


def test_in_order_returns_new_list_and_does_not_mutate():
    pitches = [Pitch(1, QUEUED, 1), Pitch(2, QUEUED, 0)]
    out = in_order(pitches)
    assert ids(out) == [2, 1]
    assert ids(pitches) == [1, 2]
    assert isinstance(out, list)


def test_in_order_empty():
    assert in_order([]) == []


# --- live -----------------------------------------------------------------------------------


def test_live_finds_the_live_pitch(room):
    assert live(room).id == 2


def test_live_is_none_when_nothing_is_live():
    assert live([Pitch(1, QUEUED, 0), Pitch(2, DONE, 1)]) is None
    assert live([]) is None


# --- up_next --------------------------------------------------------------------------------


def test_up_next_is_first_queued_in_order(room):
    assert up_next(room).id == 3


@pytest.mark.parametrize("skipped_status", [PENDING, DONE, SKIPPED, LIVE])
def test_up_next_skips_non_queued(skipped_status):
    pitches = [Pitch(1, skipped_status, 0), Pitch(2, QUEUED, 1)]
    assert up_next(pitches).id == 2


def test_up_next_skips_pending_done_skipped_and_live_together():
    pitches = [
        Pitch(10, QUEUED, 9),
        Pitch(1, PENDING, 0),
        Pitch(2, DONE, 1),
        Pitch(3, SKIPPED, 2),
        Pitch(4, LIVE, 3),
        Pitch(8, QUEUED, 7),
    ]
    assert up_next(pitches).id == 8


def test_up_next_uses_id_to_break_position_ties():
    pitches = [Pitch(5, QUEUED, 0), Pitch(3, QUEUED, 0)]
    assert up_next(pitches).id == 3


def test_up_next_none_when_nothing_queued():
    assert up_next([Pitch(1, DONE, 0), Pitch(2, PENDING, 1), Pitch(3, LIVE, 2)]) is None
    assert up_next([]) is None


# --- moved ------------------------------------------------------------------------------------


def test_moved_to_front_reorders_and_shares_out_the_positions_they_held():
    # Positions 10, 20, 30 stay in use, so a pitch at 15 outside this list keeps its place.
    pitches = [Pitch(1, QUEUED, 10), Pitch(2, QUEUED, 20), Pitch(3, QUEUED, 30)]
    assert moved(pitches, 3, 0) == [(3, 10), (1, 20), (2, 30)]


def test_moved_to_back():
    pitches = [Pitch(1, QUEUED, 0), Pitch(2, QUEUED, 1), Pitch(3, QUEUED, 2)]
    assert moved(pitches, 1, 2) == [(2, 0), (3, 1), (1, 2)]


def test_moved_to_middle():
    pitches = [Pitch(i, QUEUED, i) for i in range(1, 6)]
    assert moved(pitches, 5, 1) == [(1, 1), (5, 2), (2, 3), (3, 4), (4, 5)]


def test_moved_spreads_out_colliding_positions():
    pitches = [Pitch(1, QUEUED, 3), Pitch(2, QUEUED, 7), Pitch(3, QUEUED, 7)]
    assert moved(pitches, 2, 1) == [(1, 3), (2, 4), (3, 5)]


def test_moved_works_on_whole_order_including_other_statuses(room):
    # index is in the whole order (done, live, queued..., pending, skipped)
    result = moved(room, 5, 2)
    assert result == [(1, 0), (2, 1), (5, 2), (3, 3), (4, 4), (6, 5), (7, 6)]


def test_moved_result_applied_changes_up_next_and_order(room):
    after = apply_moves(room, moved(room, 5, 2))
    assert up_next(after).id == 5
    assert [p.id for p in in_order(after) if p.status == QUEUED] == [5, 3, 4]


def test_moved_positions_are_dense_and_unique(room):
    result = moved(room, 7, 0)
    assert sorted(pos for _, pos in result) == list(range(len(room)))
    assert sorted(pid for pid, _ in result) == sorted(p.id for p in room)


def test_moved_does_not_mutate_input(room):
    before = [(p.id, p.status, p.position) for p in room]
    moved(room, 5, 0)
    assert [(p.id, p.status, p.position) for p in room] == before


def test_moved_unknown_pitch_is_refused(room):
    with pytest.raises(RuleError) as exc:
        moved(room, 999, 0)
    assert exc.value.code == "unknown_pitch"


def test_moved_on_empty_queue_is_unknown_pitch():
    with pytest.raises(RuleError) as exc:
        moved([], 1, 0)
    assert exc.value.code == "unknown_pitch"


@pytest.mark.parametrize("index", [-1, -5, 7, 8, 100])
def test_moved_out_of_range_index_is_refused(room, index):
    with pytest.raises(RuleError) as exc:
        moved(room, 3, index)
    assert exc.value.code == "invalid_position"


@pytest.mark.parametrize("index", [0, 6])
def test_moved_boundary_indexes_are_allowed(room, index):
    result = moved(room, 3, index)
    assert dict(result)[3] == index


def test_moved_unknown_pitch_checked_before_index(room):
    with pytest.raises(RuleError) as exc:
        moved(room, 999, 100)
    assert exc.value.code == "unknown_pitch"


# --- check_mark -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "current, target",
    [
        (QUEUED, DONE),
        (QUEUED, SKIPPED),
        (LIVE, DONE),
        (LIVE, SKIPPED),
        (LIVE, QUEUED),
        (DONE, QUEUED),
        (DONE, SKIPPED),
        (SKIPPED, QUEUED),
        (SKIPPED, DONE),
        (PENDING, QUEUED),
    ],
)
def test_check_mark_allowed_transitions(current, target):
    assert check_mark(current, target) is None


@pytest.mark.parametrize("target", [LIVE, PENDING, "bogus", ""])
@pytest.mark.parametrize("current", [PENDING, QUEUED, LIVE, DONE])
def test_check_mark_invalid_target_status_is_refused(current, target):
    with pytest.raises(RuleError) as exc:
        check_mark(current, target)
    assert exc.value.code == "invalid_status"


@pytest.mark.parametrize("target", [DONE, SKIPPED])
def test_check_mark_pending_can_only_be_queued(target):
    with pytest.raises(RuleError) as exc:
        check_mark(PENDING, target)
    assert exc.value.code == "pitch_pending"


@pytest.mark.parametrize("status", [QUEUED, DONE, SKIPPED])
def test_check_mark_unchanged_status_is_refused(status):
    with pytest.raises(RuleError) as exc:
        check_mark(status, status)
    assert exc.value.code == "status_unchanged"


def test_check_mark_pending_to_pending_is_invalid_status():
    with pytest.raises(RuleError) as exc:
        check_mark(PENDING, PENDING)
    assert exc.value.code == "invalid_status"


def test_check_mark_live_to_live_is_invalid_status():
    with pytest.raises(RuleError) as exc:
        check_mark(LIVE, LIVE)
    assert exc.value.code == "invalid_status"


# --- RuleError ------------------------------------------------------------------------------


def test_rule_error_carries_code_and_params():
    err = RuleError("max_per_pitch", max=2)
    assert err.code == "max_per_pitch"
    assert err.params == {"max": 2}
    assert str(err) == "max_per_pitch"
    assert isinstance(err, Exception)


def test_rule_error_params_default_empty():
    assert RuleError("unknown_pitch").params == {}


# ----- lineup: places within the pitcher's own section -----------------------------------


@dataclass
class Placed:
    id: int
    status: str
    position: int
    section_id: int | None = None
    seconds: int = 120


@dataclass
class Sec:
    id: int
    kind: str
    ended_at: int | None = None


def test_lineup_counts_only_the_pitchers_own_section():
    from facilitator.domain.queue import lineup

    agenda = [Sec(1, "talks"), Sec(2, "pitches")]
    pitches = [
        Placed(1, QUEUED, 1, section_id=1),  # talks waiting before the pitch round
        Placed(2, QUEUED, 2, section_id=1),
        Placed(3, QUEUED, 3, section_id=1),
        Placed(4, QUEUED, 4),  # sign-ups from phones: the pitch round
        Placed(5, QUEUED, 5, section_id=2),
        Placed(6, PENDING, 6),  # awaiting approval: no place
    ]
    places = lineup(pitches, agenda, current_section_id=1)
    assert places[4]["place"] == 1 and places[4]["kind"] == "pitches"
    assert places[5]["place"] == 2
    assert places[3]["place"] == 3 and places[3]["kind"] == "talks"
    assert 6 not in places
    # The pitch round is not running: no time estimate for its pitches.
    assert places[4]["ahead_ms"] is None
    assert places[2]["ahead_ms"] == 120_000


def test_lineup_time_ahead_adds_lengths_and_changeovers_in_queue_order():
    from facilitator.domain.queue import lineup

    agenda = [Sec(1, "talks", ended_at=5), Sec(2, "pitches")]
    pitches = [
        Placed(10, LIVE, 1, section_id=2),
        Placed(11, QUEUED, 3, section_id=2, seconds=60),
        Placed(12, QUEUED, 2, seconds=90),
        Placed(13, DONE, 0, section_id=1),
        Placed(14, SKIPPED, 4),
    ]
    places = lineup(pitches, agenda, current_section_id=2, changeover_ms=15_000)
    assert places[12] == {"place": 1, "kind": "pitches", "ahead_ms": 15_000}
    assert places[11] == {"place": 2, "kind": "pitches", "ahead_ms": 15_000 + 90_000 + 15_000}
    assert set(places) == {11, 12}


def test_lineup_without_an_agenda_is_one_queue_of_pitches():
    from facilitator.domain.queue import lineup

    pitches = [Placed(1, QUEUED, 2), Placed(2, QUEUED, 1, section_id=99)]
    places = lineup(pitches, [], current_section_id=None)
    assert places[2]["place"] == 1 and places[1]["place"] == 2
    assert places[1]["ahead_ms"] == 120_000 and places[1]["kind"] == "pitches"


def test_lineup_unsectioned_pitches_wait_for_the_next_open_pitch_round():
    from facilitator.domain.queue import lineup

    agenda = [Sec(1, "pitches", ended_at=9), Sec(2, "talks"), Sec(3, "pitches")]
    pitches = [Placed(1, QUEUED, 1, section_id=3), Placed(2, QUEUED, 2)]
    places = lineup(pitches, agenda, current_section_id=2)
    assert places[2]["place"] == 2  # counted with section 3, the round still to come
