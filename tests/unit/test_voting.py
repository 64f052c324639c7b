"""Unit tests for dot voting (facilitator.domain.voting)."""
import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.voting import CLOSED, NOT_STARTED, OPEN, DotRules, check_dots, dots_left

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
