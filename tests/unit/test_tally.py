"""Unit tests for voting results per method (facilitator.domain.tally)."""

import pytest

from facilitator.domain.tally import (
    MIDPOINT,
    TIE_RULES,
    Result,
    quadrant,
    sum_ratings,
    sum_votes,
    tally,
    tally_ratings,
)
from facilitator.domain.voting import APPROVAL, DOTS, MATRIX, METHODS

ORDER = [10, 20, 30, 40]


def table(results):
    """(pitch, rank, tied, score) per result, in listed order."""
    return [(r.pitch_id, r.rank, r.tied, r.score) for r in results]


def by_id(results):
    return {r.pitch_id: r for r in results}


def ratings(*rows):
    """sum_ratings from (pitch, participant, impact, ease) rows."""
    return sum_ratings(rows)


# --- sum_votes ------------------------------------------------------------------------------


def test_sum_votes_adds_dots_and_counts_voters():
    rows = [(10, 1, 2), (10, 2, 1), (20, 1, 1), (10, 3, 2)]
    assert sum_votes(rows) == {10: (5, 3), 20: (1, 1)}


def test_sum_votes_ignores_zero_dots():
    rows = [(10, 1, 0), (20, 1, 1), (20, 2, 0)]
    assert sum_votes(rows) == {20: (1, 1)}


def test_sum_votes_of_nothing_is_empty():
    assert sum_votes([]) == {}


# --- sum_ratings ----------------------------------------------------------------------------


def test_sum_ratings_adds_each_axis_and_counts_raters():
    totals = ratings((10, 1, 4, 2), (10, 2, 5, 3), (20, 1, 1, 1))
    assert totals == {10: (9, 2, 5, 2, 2), 20: (1, 1, 1, 1, 1)}


def test_sum_ratings_counts_each_axis_separately():
    # participant 2 rated only impact, participant 3 only ease
    totals = ratings((10, 1, 4, 2), (10, 2, 5, None), (10, 3, 0, 4))
    assert totals == {10: (9, 2, 6, 2, 3)}


@pytest.mark.parametrize("impact, ease", [(None, None), (0, 0), (0, None), (None, 0)])
def test_sum_ratings_ignores_rows_with_no_rating(impact, ease):
    totals = ratings((10, 1, impact, ease), (20, 1, 3, 3))
    assert totals == {20: (3, 1, 3, 1, 1)}


# --- dots -----------------------------------------------------------------------------------


def test_dots_tally_ranks_by_dots_with_several_dots_per_pitch():
    votes = sum_votes([(10, 1, 1), (20, 1, 2), (20, 2, 2), (30, 2, 1), (30, 3, 2)])
    results = tally(DOTS, ORDER, votes, {})
    assert table(results) == [
        (20, 1, False, 4),
        (30, 2, False, 3),
        (10, 3, False, 1),
        (40, 4, False, 0),
    ]
    assert by_id(results)[20].voters == 2
    assert by_id(results)[30].voters == 2
    assert by_id(results)[10].voters == 1
    assert by_id(results)[40].voters == 0


def test_dots_results_have_no_matrix_fields():
    results = tally(DOTS, ORDER, {10: (2, 1)}, {})
    for r in results:
        assert (r.impact, r.ease, r.quadrant) == (None, None, None)


def test_dots_tally_lists_every_pitch_in_order_even_with_no_votes():
    results = tally(DOTS, ORDER, {}, {})
    assert [r.pitch_id for r in results] == ORDER
    assert all(r.rank == 1 and r.tied and r.score == 0 for r in results)


def test_votes_for_pitches_outside_the_order_are_left_out():
    # e.g. pitch 99 was skipped after it got dots
    results = tally(DOTS, [10, 20], {10: (1, 1), 99: (5, 5)}, {})
    assert [r.pitch_id for r in results] == [10, 20]
    assert table(results)[0] == (10, 1, False, 1)


def test_dots_tie_shares_a_rank_and_the_next_rank_skips():
    votes = {10: (1, 1), 20: (3, 2), 30: (3, 3), 40: (2, 2)}
    results = tally(DOTS, ORDER, votes, {})
    assert table(results) == [
        (20, 1, True, 3),
        (30, 1, True, 3),
        (40, 3, False, 2),
        (10, 4, False, 1),
    ]


def test_dots_tied_pitches_are_listed_in_queue_order():
    votes = {10: (1, 1), 20: (2, 2), 30: (2, 2), 40: (2, 1)}
    results = tally(DOTS, [40, 30, 20, 10], votes, {})
    assert table(results) == [
        (40, 1, True, 2),
        (30, 1, True, 2),
        (20, 1, True, 2),
        (10, 4, False, 1),
    ]


def test_dots_tie_in_the_middle_gives_1_2_2_4():
    votes = {10: (4, 2), 20: (2, 2), 30: (2, 1), 40: (1, 1)}
    results = tally(DOTS, ORDER, votes, {})
    assert [r.rank for r in results] == [1, 2, 2, 4]
    assert [r.tied for r in results] == [False, True, True, False]


def test_tied_marks_exactly_the_tied_pitches_with_two_groups():
    votes = {10: (3, 3), 20: (3, 3), 30: (1, 1), 40: (1, 1)}
    results = tally(DOTS, ORDER + [50], votes, {})
    assert table(results) == [
        (10, 1, True, 3),
        (20, 1, True, 3),
        (30, 3, True, 1),
        (40, 3, True, 1),
        (50, 5, False, 0),
    ]


# --- approval -------------------------------------------------------------------------------


def test_approval_tally_counts_marks():
    rows = [(10, 1, 1), (10, 2, 1), (10, 3, 1), (20, 1, 1), (30, 2, 1), (30, 3, 1)]
    results = tally(APPROVAL, ORDER, sum_votes(rows), {})
    assert table(results) == [
        (10, 1, False, 3),
        (30, 2, False, 2),
        (20, 3, False, 1),
        (40, 4, False, 0),
    ]
    assert [r.voters for r in results] == [3, 2, 1, 0]


def test_approval_ignores_ratings():
    results = tally(APPROVAL, ORDER, {20: (1, 1)}, ratings((10, 1, 5, 5)))
    assert results[0].pitch_id == 20
    assert by_id(results)[10].score == 0


def test_approval_tie_shares_a_rank_in_queue_order():
    votes = {10: (1, 1), 20: (2, 2), 30: (1, 1), 40: (2, 2)}
    results = tally(APPROVAL, ORDER, votes, {})
    assert table(results) == [
        (20, 1, True, 2),
        (40, 1, True, 2),
        (10, 3, True, 1),
        (30, 3, True, 1),
    ]


def test_approval_tie_for_second_place():
    votes = {10: (3, 3), 20: (1, 1), 30: (1, 1)}
    results = tally(APPROVAL, ORDER, votes, {})
    assert table(results) == [
        (10, 1, False, 3),
        (20, 2, True, 1),
        (30, 2, True, 1),
        (40, 4, False, 0),
    ]


# --- matrix ---------------------------------------------------------------------------------


def test_matrix_means_and_quick_win_score():
    totals = ratings(
        (10, 1, 4, 2),
        (10, 2, 5, 3),  # impact 4.5, ease 2.5 -> 11.25
        (20, 1, 2, 5),
        (20, 2, 3, 4),
        (20, 3, 2, 5),  # impact 2.33, ease 4.67 -> 10.88
        (30, 1, 5, 5),  # 25
    )
    results = tally(MATRIX, [10, 20, 30], {}, totals)
    assert table(results) == [
        (30, 1, False, 25.0),
        (10, 2, False, 11.25),
        (20, 3, False, 10.88),
    ]
    r = by_id(results)
    assert (r[10].impact, r[10].ease, r[10].voters) == (4.5, 2.5, 2)
    assert (r[20].impact, r[20].ease, r[20].voters) == (2.33, 4.67, 3)
    assert (r[30].impact, r[30].ease, r[30].voters) == (5.0, 5.0, 1)


def test_matrix_score_uses_means_rounded_to_two_decimals():
    # impact 7/3 -> 2.33, ease 14/3 -> 4.67; 2.33 x 4.67 = 10.8811 -> 10.88
    results = tally_ratings([10], {10: (7, 3, 14, 3, 3)})
    assert results[0].impact == 2.33
    assert results[0].ease == 4.67
    assert results[0].score == 10.88


def test_matrix_quadrants_of_results():
    totals = ratings((10, 1, 5, 5), (20, 1, 5, 1), (30, 1, 1, 5), (40, 1, 1, 1))
    q = {r.pitch_id: r.quadrant for r in tally(MATRIX, ORDER, {}, totals)}
    assert q == {10: "quick_win", 20: "major_project", 30: "fill_in", 40: "not_now"}


def test_matrix_ranks_by_score_not_by_one_axis():
    # 10: very high impact but hard (5 x 1 = 5); 20: balanced (3 x 3 = 9)
    totals = ratings((10, 1, 5, 1), (20, 1, 3, 3))
    results = tally(MATRIX, [10, 20], {}, totals)
    assert [r.pitch_id for r in results] == [20, 10]


def test_matrix_pitch_rated_on_one_axis_has_no_position_and_scores_zero():
    totals = ratings((10, 1, 5, None), (20, 1, 1, 1))
    results = tally(MATRIX, [10, 20], {}, totals)
    r = by_id(results)
    assert r[10].score == 0
    assert r[10].quadrant is None
    assert r[10].ease is None
    assert r[10].voters == 1
    assert table(results) == [(20, 1, False, 1.0), (10, 2, False, 0)]


def test_matrix_pitch_nobody_rated_scores_zero_and_ranks_after_rated_ones():
    # 10 and 30 unrated, 20 and 40 rated as low as possible
    totals = ratings((20, 1, 1, 1), (40, 2, 1, 2))
    results = tally(MATRIX, ORDER, {}, totals)
    assert table(results) == [
        (40, 1, False, 2.0),
        (20, 2, False, 1.0),
        (10, 3, True, 0),
        (30, 3, True, 0),
    ]
    r = by_id(results)
    for pid in (10, 30):
        assert (r[pid].impact, r[pid].ease, r[pid].quadrant, r[pid].voters) == (None, None, None, 0)


def test_matrix_zero_and_none_ratings_are_ignored_in_means():
    # participant 2 took both ratings back (0), participant 3 never rated ease (None)
    totals = ratings((10, 1, 4, 2), (10, 2, 0, 0), (10, 3, 2, None))
    results = tally(MATRIX, [10], {}, totals)
    r = results[0]
    assert (r.impact, r.ease) == (3.0, 2.0)
    assert r.score == 6.0
    assert r.voters == 2


def test_matrix_ignores_dot_votes():
    results = tally(MATRIX, [10, 20], {10: (5, 5)}, ratings((20, 1, 2, 2)))
    assert table(results) == [(20, 1, False, 4.0), (10, 2, False, 0)]


def test_matrix_ratings_for_pitches_outside_the_order_are_left_out():
    results = tally(MATRIX, [10], {}, ratings((10, 1, 2, 2), (99, 1, 5, 5)))
    assert [r.pitch_id for r in results] == [10]
    assert results[0].rank == 1


def test_matrix_tie_from_different_combinations():
    # 10: impact 4, ease 3; 20: impact 3, ease 4 -> both 12.0
    totals = ratings((10, 1, 4, 3), (20, 1, 3, 4), (30, 1, 5, 5), (40, 1, 2, 2))
    results = tally(MATRIX, ORDER, {}, totals)
    assert table(results) == [
        (30, 1, False, 25.0),
        (10, 2, True, 12.0),
        (20, 2, True, 12.0),
        (40, 4, False, 4.0),
    ]
    r = by_id(results)
    assert (r[10].impact, r[10].ease) == (4.0, 3.0)
    assert (r[20].impact, r[20].ease) == (3.0, 4.0)


def test_matrix_tie_listed_in_queue_order():
    totals = ratings((10, 1, 4, 3), (20, 1, 3, 4))
    results = tally(MATRIX, [20, 10], {}, totals)
    assert table(results) == [(20, 1, True, 12.0), (10, 1, True, 12.0)]


def test_matrix_scores_are_compared_at_two_decimals():
    # 20: impact 14/3 -> 4.67, ease 18/7 -> 2.57; 4.67 x 2.57 = 12.0019 -> 12.0, equal to 4 x 3
    totals = {10: (4, 1, 3, 1, 1), 20: (14, 3, 18, 7, 7)}
    results = tally_ratings([10, 20], totals)
    assert table(results) == [(10, 1, True, 12.0), (20, 1, True, 12.0)]


def test_matrix_scores_differing_at_two_decimals_do_not_tie():
    # 20: impact 13/3 -> 4.33, ease 3 -> 12.99 ranks above 10 at 12.0
    totals = {10: (4, 1, 3, 1, 1), 20: (13, 3, 3, 1, 3)}
    results = tally_ratings([10, 20], totals)
    assert table(results) == [(20, 1, False, 12.99), (10, 2, False, 12.0)]


def test_tally_dispatches_on_method():
    votes = {10: (2, 2)}
    totals = ratings((20, 1, 5, 5))
    assert tally(DOTS, [10, 20], votes, totals)[0].pitch_id == 10
    assert tally(APPROVAL, [10, 20], votes, totals)[0].pitch_id == 10
    assert tally(MATRIX, [10, 20], votes, totals)[0].pitch_id == 20


def test_tally_of_an_empty_queue_is_empty():
    for method in METHODS:
        assert tally(method, [], {}, {}) == []


def test_results_are_result_objects():
    assert all(isinstance(r, Result) for r in tally(MATRIX, [10], {}, ratings((10, 1, 3, 3))))


# --- tie rules ------------------------------------------------------------------------------


def test_every_method_states_a_tie_rule():
    assert set(TIE_RULES) == set(METHODS)
    for text in TIE_RULES.values():
        assert "(1, 2, 2, 4)" in text
        assert "queue order" in text


def test_matrix_tie_rule_mentions_two_decimals():
    assert "two decimals" in TIE_RULES[MATRIX]


# --- quadrant -------------------------------------------------------------------------------


def test_midpoint_is_three():
    assert MIDPOINT == 3.0


@pytest.mark.parametrize(
    "impact, ease, expected",
    [
        (3.0, 3.0, "quick_win"),
        (5.0, 5.0, "quick_win"),
        (3.0, 2.99, "major_project"),
        (5.0, 1.0, "major_project"),
        (2.99, 3.0, "fill_in"),
        (1.0, 5.0, "fill_in"),
        (2.99, 2.99, "not_now"),
        (1.0, 1.0, "not_now"),
    ],
)
def test_quadrant_boundaries(impact, ease, expected):
    assert quadrant(impact, ease) == expected


@pytest.mark.parametrize("impact, ease", [(None, None), (None, 3.0), (3.0, None)])
def test_quadrant_needs_both_axes(impact, ease):
    assert quadrant(impact, ease) is None


def test_quadrant_boundary_through_tally():
    # impact mean exactly 3.0 (2 and 4) is high; ease mean 2.99 is not easy
    totals = {10: (6, 2, 299, 100, 2), 20: (299, 100, 6, 2, 2)}
    q = {r.pitch_id: r.quadrant for r in tally_ratings([10, 20], totals)}
    assert q == {10: "major_project", 20: "fill_in"}
