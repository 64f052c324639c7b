"""Unit tests for the ranking of pitches by votes (facilitator.domain.ranking)."""

import itertools

import pytest

from facilitator.domain.ranking import TIE_RULE, Ranked, rank


def rows(result):
    """(pitch_id, votes, rank, tied) for compact assertions."""
    return [(r.pitch_id, r.votes, r.rank, r.tied) for r in result]


def test_empty_input_gives_empty_ranking():
    assert rank([], {}) == []
    assert rank([], {1: 3}, {1: 2}) == []


def test_single_pitch_is_first_and_not_tied():
    assert rank([7], {7: 2}, {7: 2}) == [Ranked(pitch_id=7, votes=2, voters=2, rank=1, tied=False)]


def test_orders_by_votes_descending():
    result = rank([1, 2, 3], {1: 1, 2: 5, 3: 3})
    assert [r.pitch_id for r in result] == [2, 3, 1]
    assert [r.votes for r in result] == [5, 3, 1]
    assert [r.rank for r in result] == [1, 2, 3]
    assert not any(r.tied for r in result)


def test_competition_ranking_1_2_2_4():
    result = rank([1, 2, 3, 4], {1: 5, 2: 3, 3: 3, 4: 1})
    assert rows(result) == [
        (1, 5, 1, False),
        (2, 3, 2, True),
        (3, 3, 2, True),
        (4, 1, 4, False),
    ]


def test_competition_ranking_1_1_3():
    result = rank([1, 2, 3], {1: 4, 2: 4, 3: 2})
    assert [(r.rank, r.tied) for r in result] == [(1, True), (1, True), (3, False)]


def test_three_way_tie_then_next_rank_skips():
    result = rank([1, 2, 3, 4, 5], {1: 2, 2: 2, 3: 2, 4: 1, 5: 9})
    assert rows(result) == [
        (5, 9, 1, False),
        (1, 2, 2, True),
        (2, 2, 2, True),
        (3, 2, 2, True),
        (4, 1, 5, False),
    ]


def test_all_tied_share_rank_one():
    result = rank([3, 1, 2], {1: 1, 2: 1, 3: 1})
    assert rows(result) == [(3, 1, 1, True), (1, 1, 1, True), (2, 1, 1, True)]


def test_ties_are_listed_in_queue_order_not_id_order():
    result = rank([30, 10, 20], {10: 2, 20: 2, 30: 2})
    assert [r.pitch_id for r in result] == [30, 10, 20]


def test_tied_flag_only_on_entries_sharing_their_rank():
    result = rank([1, 2, 3, 4, 5, 6], {1: 4, 2: 3, 3: 3, 4: 2, 5: 1, 6: 1})
    tied = {r.pitch_id: r.tied for r in result}
    assert tied == {1: False, 2: True, 3: True, 4: False, 5: True, 6: True}
    ranks = {r.pitch_id: r.rank for r in result}
    assert ranks == {1: 1, 2: 2, 3: 2, 4: 4, 5: 5, 6: 5}


def test_zero_vote_pitches_are_included_with_zero():
    result = rank([1, 2, 3], {2: 1})
    assert rows(result) == [
        (2, 1, 1, False),
        (1, 0, 2, True),
        (3, 0, 2, True),
    ]


def test_explicit_zero_is_the_same_as_missing():
    assert rank([1, 2, 3], {2: 1}) == rank([1, 2, 3], {1: 0, 2: 1, 3: 0})


def test_no_votes_at_all_everyone_tied_first_in_queue_order():
    result = rank([4, 2, 9], {})
    assert rows(result) == [(4, 0, 1, True), (2, 0, 1, True), (9, 0, 1, True)]


def test_votes_for_pitches_not_in_the_queue_are_ignored():
    result = rank([1, 2], {1: 1, 2: 2, 99: 50})
    assert [r.pitch_id for r in result] == [2, 1]
    assert [r.rank for r in result] == [1, 2]


def test_voters_mapping_is_passed_through():
    result = rank([1, 2, 3], {1: 3, 2: 5, 3: 0}, {1: 2, 2: 4})
    voters = {r.pitch_id: r.voters for r in result}
    assert voters == {1: 2, 2: 4, 3: 0}


def test_voters_does_not_affect_order():
    a = rank([1, 2], {1: 2, 2: 2}, {1: 1, 2: 2})
    b = rank([1, 2], {1: 2, 2: 2}, {1: 2, 2: 1})
    assert [r.pitch_id for r in a] == [r.pitch_id for r in b] == [1, 2]


@pytest.mark.parametrize("voters", [None, {}])
def test_missing_voters_default_to_zero(voters):
    result = rank([1, 2], {1: 2, 2: 1}, voters)
    assert [r.voters for r in result] == [0, 0]


def test_ranked_is_frozen():
    r = rank([1], {1: 1})[0]
    with pytest.raises(AttributeError):
        r.rank = 5  # type: ignore[misc]


def test_deterministic_regardless_of_votes_dict_ordering():
    queue = [5, 3, 8, 1, 2]
    items = [(1, 2), (2, 0), (3, 2), (5, 1), (8, 2)]
    expected = [
        (3, 2, 1, True),
        (8, 2, 1, True),
        (1, 2, 1, True),
        (5, 1, 4, False),
        (2, 0, 5, False),
    ]
    for perm in itertools.permutations(items):
        assert rows(rank(queue, dict(perm))) == expected


def test_same_input_same_output():
    queue = [1, 2, 3, 4]
    votes = {1: 1, 2: 3, 3: 1, 4: 0}
    assert rank(queue, votes) == rank(queue, votes)


def test_input_is_not_mutated():
    queue = [1, 2, 3]
    votes = {1: 0, 2: 2, 3: 1}
    voters = {2: 2, 3: 1}
    rank(queue, votes, voters)
    assert queue == [1, 2, 3]
    assert votes == {1: 0, 2: 2, 3: 1}
    assert voters == {2: 2, 3: 1}


def test_tie_rule_is_stated():
    assert "1, 2, 2, 4" in TIE_RULE
    assert "queue order" in TIE_RULE
