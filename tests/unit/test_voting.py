"""Unit tests for voting rules (facilitator.domain.voting) and open_for_votes."""

from dataclasses import dataclass

import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.queue import DONE, LIVE, QUEUED, open_for_votes
from facilitator.domain.voting import (
    APPROVAL,
    CLOSED,
    DOTS,
    MATRIX,
    NOT_STARTED,
    OPEN,
    DotRules,
    check_ballot,
    check_dots,
    check_rating,
    dots_left,
    rules_for,
)

VOTABLE = frozenset({1, 2, 3, 4, 5})
OWN = frozenset({5})


def check(ballot=None, pitch_id=1, dots=1, *, rules=None, voting=OPEN, votable=VOTABLE, own=OWN):
    """check_dots with sensible defaults: default rules, voting open, pitch 5 is the voter's."""
    return check_dots(
        rules=rules or DotRules(),
        voting=voting,
        ballot=ballot if ballot is not None else {},
        pitch_id=pitch_id,
        dots=dots,
        votable=votable,
        own=own,
    )


def refused(**kwargs) -> RuleError:
    with pytest.raises(RuleError) as exc:
        check(**kwargs)
    return exc.value


def apply(ballot: dict, pitch_id: int, dots: int, **kwargs) -> dict:
    """Check then apply a change, as the service layer would."""
    check(ballot, pitch_id, dots, **kwargs)
    new = dict(ballot)
    new[pitch_id] = dots
    return new


# --- rules and states -----------------------------------------------------------------------


def test_default_rules_are_three_dots_one_per_pitch():
    rules = DotRules()
    assert rules.budget == 3
    assert rules.max_per_pitch == 1


def test_voting_state_names():
    assert (NOT_STARTED, OPEN, CLOSED) == ("idle", "open", "closed")


def test_a_first_dot_is_allowed():
    assert check({}, 1, 1) is None


# --- voting state ---------------------------------------------------------------------------


@pytest.mark.parametrize("voting", [NOT_STARTED, CLOSED, "idle", "closed", "bogus"])
def test_voting_not_open_is_refused(voting):
    assert refused(voting=voting).code == "voting_closed"


def test_voting_closed_also_refuses_taking_a_dot_off():
    assert refused(ballot={1: 1}, pitch_id=1, dots=0, voting=CLOSED).code == "voting_closed"


def test_voting_closed_is_checked_before_anything_else():
    err = refused(voting=CLOSED, pitch_id=99, dots=-1)
    assert err.code == "voting_closed"


# --- votable / own pitch --------------------------------------------------------------------


@pytest.mark.parametrize("pitch_id", [0, 6, 99, -1])
def test_unknown_pitch_is_refused(pitch_id):
    assert refused(pitch_id=pitch_id).code == "pitch_not_votable"


def test_pitch_no_longer_votable_is_refused_even_to_remove_a_dot():
    # pitch 3 was skipped: it is out of the votable set
    err = refused(ballot={3: 1}, pitch_id=3, dots=0, votable=frozenset({1, 2}))
    assert err.code == "pitch_not_votable"


def test_own_pitch_is_refused():
    err = refused(pitch_id=5, dots=1)
    assert err.code == "own_pitch"


def test_setting_zero_on_own_pitch_is_allowed():
    assert check({}, 5, 0) is None
    assert check({5: 1}, 5, 0) is None


def test_own_pitch_that_is_not_votable_reports_not_votable():
    err = refused(pitch_id=5, dots=1, votable=frozenset({1, 2}))
    assert err.code == "pitch_not_votable"


def test_several_own_pitches_are_all_refused():
    own = frozenset({1, 2})
    assert refused(pitch_id=1, own=own).code == "own_pitch"
    assert refused(pitch_id=2, own=own).code == "own_pitch"
    assert check({}, 3, 1, own=own) is None


def test_no_own_pitch_means_any_votable_pitch_is_fine():
    for pid in VOTABLE:
        assert check({}, pid, 1, own=frozenset()) is None


# --- dot count ------------------------------------------------------------------------------


@pytest.mark.parametrize("dots", [-1, -3])
def test_negative_dots_are_refused(dots):
    assert refused(dots=dots).code == "invalid_dots"


def test_negative_dots_on_own_pitch_are_invalid_not_own_pitch():
    assert refused(pitch_id=5, dots=-1).code == "invalid_dots"


def test_more_than_one_dot_per_pitch_is_refused_by_default():
    err = refused(dots=2)
    assert err.code == "max_per_pitch"
    assert err.params == {"max": 1}


def test_zero_dots_is_allowed():
    assert check({}, 1, 0) is None


# --- budget ---------------------------------------------------------------------------------


def test_full_budget_can_be_spent():
    ballot = {}
    for pid in (1, 2, 3):
        ballot = apply(ballot, pid, 1)
    assert ballot == {1: 1, 2: 1, 3: 1}
    assert dots_left(DotRules(), ballot, VOTABLE) == 0


def test_budget_exceeded_is_refused():
    err = refused(ballot={1: 1, 2: 1, 3: 1}, pitch_id=4, dots=1)
    assert err.code == "budget_exceeded"
    assert err.params == {"budget": 3}


def test_moving_a_dot_with_full_budget_works():
    ballot = {1: 1, 2: 1, 3: 1}
    assert refused(ballot=ballot, pitch_id=4, dots=1).code == "budget_exceeded"
    ballot = apply(ballot, 1, 0)
    ballot = apply(ballot, 4, 1)
    assert ballot == {1: 0, 2: 1, 3: 1, 4: 1}
    assert dots_left(DotRules(), ballot, VOTABLE) == 0


def test_moving_a_dot_when_removed_pitch_is_dropped_from_ballot():
    # the store may delete zero rows instead of keeping them
    assert check({2: 1, 3: 1}, 4, 1) is None


def test_replaying_the_same_value_with_full_budget_is_allowed():
    ballot = {1: 1, 2: 1, 3: 1}
    assert check(ballot, 2, 1) is None


def test_replay_is_idempotent():
    ballot = apply({}, 1, 1)
    once = dict(ballot)
    ballot = apply(ballot, 1, 1)
    ballot = apply(ballot, 1, 1)
    assert ballot == once
    assert dots_left(DotRules(), ballot, VOTABLE) == 2


def test_replaying_zero_is_allowed():
    assert check({1: 0}, 1, 0) is None
    assert check({}, 1, 0) is None


def test_dots_on_pitches_no_longer_votable_do_not_count_against_budget():
    # pitches 7 and 8 were skipped after the voter put dots on them
    ballot = {7: 1, 8: 1, 1: 1}
    assert check(ballot, 2, 1) is None
    assert check({7: 1, 8: 1, 1: 1, 2: 1}, 3, 1) is None
    assert refused(ballot={7: 1, 8: 1, 1: 1, 2: 1, 3: 1}, pitch_id=4, dots=1).code == (
        "budget_exceeded"
    )


def test_the_ballot_entry_for_the_target_pitch_is_replaced_not_added():
    rules = DotRules(budget=3, max_per_pitch=3)
    assert check({1: 3}, 1, 2, rules=rules) is None
    assert check({1: 3}, 1, 3, rules=rules) is None


# --- rules: budget 5, max 2 -----------------------------------------------------------------

RULES_5_2 = DotRules(budget=5, max_per_pitch=2)


def test_two_dots_on_one_pitch_allowed_with_max_two():
    assert check({}, 1, 2, rules=RULES_5_2) is None


def test_three_dots_on_one_pitch_refused_with_max_two():
    err = refused(dots=3, rules=RULES_5_2)
    assert err.code == "max_per_pitch"
    assert err.params == {"max": 2}


def test_budget_five_can_be_spent_exactly():
    ballot = {}
    ballot = apply(ballot, 1, 2, rules=RULES_5_2)
    ballot = apply(ballot, 2, 2, rules=RULES_5_2)
    ballot = apply(ballot, 3, 1, rules=RULES_5_2)
    assert dots_left(RULES_5_2, ballot, VOTABLE) == 0


def test_budget_five_exceeded():
    err = refused(ballot={1: 2, 2: 2}, pitch_id=3, dots=2, rules=RULES_5_2)
    assert err.code == "budget_exceeded"
    assert err.params == {"budget": 5}


def test_raising_a_pitch_within_budget_with_max_two():
    ballot = {1: 1, 2: 2, 3: 1}
    assert check(ballot, 1, 2, rules=RULES_5_2) is None
    assert refused(ballot={1: 2, 2: 2, 3: 1}, pitch_id=3, dots=2, rules=RULES_5_2).code == (
        "budget_exceeded"
    )


def test_lowering_a_pitch_is_allowed_with_max_two():
    ballot = {1: 2, 2: 2, 3: 1}
    assert check(ballot, 2, 1, rules=RULES_5_2) is None


def test_max_per_pitch_checked_before_budget():
    err = refused(ballot={1: 2, 2: 2, 3: 1}, pitch_id=4, dots=3, rules=RULES_5_2)
    assert err.code == "max_per_pitch"


# --- dots_left ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ballot, expected",
    [
        ({}, 3),
        ({1: 1}, 2),
        ({1: 1, 2: 1}, 1),
        ({1: 1, 2: 1, 3: 1}, 0),
        ({1: 0, 2: 1}, 2),
    ],
)
def test_dots_left_default_rules(ballot, expected):
    assert dots_left(DotRules(), ballot, VOTABLE) == expected


def test_dots_left_ignores_pitches_no_longer_votable():
    ballot = {1: 1, 7: 1, 8: 1}
    assert dots_left(DotRules(), ballot, VOTABLE) == 2
    assert dots_left(DotRules(), ballot, frozenset()) == 3


def test_dots_left_with_budget_five():
    assert dots_left(RULES_5_2, {1: 2, 2: 1}, VOTABLE) == 2


def test_dots_left_agrees_with_check_dots():
    ballot = {1: 1}
    left = dots_left(DotRules(), ballot, VOTABLE)
    ballot = apply(ballot, 2, 1)
    ballot = apply(ballot, 3, 1)
    assert left == 2
    assert refused(ballot=ballot, pitch_id=4, dots=1).code == "budget_exceeded"


# --- approval voting ------------------------------------------------------------------------

APPROVAL_RULES = rules_for(APPROVAL, 3, 2)
MANY = frozenset(range(1, 13))


def test_approval_rules_have_no_budget_and_one_mark_per_pitch():
    assert APPROVAL_RULES == DotRules(None, 1)


@pytest.mark.parametrize("budget, cap", [(3, 1), (5, 2), (10, 3)])
def test_approval_ignores_the_session_budget_and_cap(budget, cap):
    rules = rules_for(APPROVAL, budget, cap)
    assert rules.budget is None
    assert rules.max_per_pitch == 1


@pytest.mark.parametrize("method", [DOTS, MATRIX])
def test_other_methods_keep_budget_and_cap(method):
    assert rules_for(method, 5, 2) == DotRules(5, 2)


def test_approval_allows_marking_ten_pitches():
    ballot = {}
    for pid in range(1, 11):
        ballot = apply(ballot, pid, 1, rules=APPROVAL_RULES, votable=MANY, own=frozenset({12}))
    assert sum(ballot.values()) == 10


def test_approval_refuses_two_marks_on_one_pitch():
    err = refused(dots=2, rules=APPROVAL_RULES)
    assert err.code == "max_per_pitch"
    assert err.params == {"max": 1}


def test_approval_has_no_dots_left():
    assert dots_left(APPROVAL_RULES, {}, VOTABLE) is None
    assert dots_left(APPROVAL_RULES, {1: 1, 2: 1, 3: 1, 4: 1}, VOTABLE) is None


def test_approval_still_refuses_own_pitch_and_closed_round():
    assert refused(pitch_id=5, rules=APPROVAL_RULES).code == "own_pitch"
    assert refused(voting=CLOSED, rules=APPROVAL_RULES).code == "voting_closed"
    assert refused(pitch_id=99, rules=APPROVAL_RULES).code == "pitch_not_votable"


def test_approval_mark_can_be_taken_back():
    assert check({1: 1, 2: 1}, 1, 0, rules=APPROVAL_RULES) is None


# --- shared rules ---------------------------------------------------------------------------


def test_check_ballot_shared_rules():
    kw = dict(votable=VOTABLE, own=OWN)
    assert check_ballot(voting=OPEN, pitch_id=1, giving=True, **kw) is None
    with pytest.raises(RuleError) as err:
        check_ballot(voting=CLOSED, pitch_id=1, giving=True, **kw)
    assert err.value.code == "voting_closed"
    with pytest.raises(RuleError) as err:
        check_ballot(voting=OPEN, pitch_id=9, giving=False, **kw)
    assert err.value.code == "pitch_not_votable"
    with pytest.raises(RuleError) as err:
        check_ballot(voting=OPEN, pitch_id=5, giving=True, **kw)
    assert err.value.code == "own_pitch"
    assert check_ballot(voting=OPEN, pitch_id=5, giving=False, **kw) is None


# --- matrix ratings -------------------------------------------------------------------------


def rate(pitch_id=1, *, voting=OPEN, votable=VOTABLE, own=OWN, **ratings):
    return check_rating(voting=voting, pitch_id=pitch_id, votable=votable, own=own, ratings=ratings)


def rating_refused(pitch_id=1, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as exc:
        rate(pitch_id, **kwargs)
    return exc.value


@pytest.mark.parametrize("impact, ease", [(1, 1), (5, 5), (3, 4), (1, 5)])
def test_ratings_in_range_are_allowed(impact, ease):
    assert rate(1, impact=impact, ease=ease) is None


def test_one_axis_alone_can_be_rated():
    assert rate(1, impact=4) is None
    assert rate(1, ease=2) is None


def test_zero_takes_a_rating_back():
    assert rate(1, impact=0, ease=0) is None
    assert rate(1, impact=0) is None
    assert rate(1, impact=3, ease=0) is None


@pytest.mark.parametrize("voting", [NOT_STARTED, CLOSED])
def test_rating_in_a_round_not_open_is_refused(voting):
    assert rating_refused(1, voting=voting, impact=3, ease=3).code == "voting_closed"


def test_taking_a_rating_back_in_a_closed_round_is_refused():
    assert rating_refused(1, voting=CLOSED, impact=0, ease=0).code == "voting_closed"


@pytest.mark.parametrize("pitch_id", [0, 6, 99])
def test_rating_an_unknown_pitch_is_refused(pitch_id):
    assert rating_refused(pitch_id, impact=3).code == "pitch_not_votable"


def test_rating_a_pitch_no_longer_votable_is_refused_even_to_take_back():
    votable = frozenset({1, 2})
    assert rating_refused(3, votable=votable, impact=3).code == "pitch_not_votable"
    assert rating_refused(3, votable=votable, impact=0, ease=0).code == "pitch_not_votable"


def test_rating_own_pitch_is_refused():
    assert rating_refused(5, impact=5, ease=5).code == "own_pitch"
    assert rating_refused(5, impact=5).code == "own_pitch"


def test_own_pitch_with_one_rating_nonzero_is_refused():
    assert rating_refused(5, impact=0, ease=3).code == "own_pitch"


def test_taking_back_ratings_on_own_pitch_is_allowed():
    assert rate(5, impact=0, ease=0) is None
    assert rate(5, ease=0) is None


@pytest.mark.parametrize("field", ["impact", "ease"])
@pytest.mark.parametrize("value", [6, -1, 10])
def test_rating_out_of_range_names_the_field(field, value):
    other = "ease" if field == "impact" else "impact"
    err = rating_refused(1, **{field: value, other: 3})
    assert err.code == "out_of_range"
    assert err.params["field"] == field
    assert err.params == {"field": field, "lo": 1, "hi": 5}


def test_unknown_rating_field_is_refused():
    err = rating_refused(1, impact=3, effort=2)
    assert err.code == "unknown_field"
    assert err.params == {"field": "effort"}


def test_empty_rating_is_nothing_to_change():
    assert rating_refused(1).code == "nothing_to_change"


# --- open_for_votes -------------------------------------------------------------------------


@dataclass
class Pitch:
    id: int
    status: str
    position: int = 0


CANDIDATES = [Pitch(1, DONE), Pitch(2, LIVE), Pitch(3, QUEUED), Pitch(4, DONE)]


def test_one_ballot_opens_every_votable_pitch():
    assert [p.id for p in open_for_votes(CANDIDATES, per_pitch=False)] == [1, 2, 3, 4]


def test_per_pitch_rounds_open_only_pitches_that_are_done():
    assert [p.id for p in open_for_votes(CANDIDATES, per_pitch=True)] == [1, 4]


def test_per_pitch_before_any_pitch_ran_opens_nothing():
    assert open_for_votes([Pitch(1, LIVE), Pitch(2, QUEUED)], per_pitch=True) == []


def test_open_for_votes_of_nothing_is_empty():
    assert open_for_votes([], per_pitch=False) == []
    assert open_for_votes([], per_pitch=True) == []
