"""The voting methods and their rules. One method per session's voting round:

- `dots`: a budget of dots per participant and a cap per pitch (the default);
- `approval`: any number of pitches, one mark each (dot voting with no budget and a cap of 1);
- `matrix`: each participant rates each pitch 1-5 on impact and 1-5 on ease of a quick start.

For every method: no vote on one's own pitch; a vote only while the round is open, and only for a
votable pitch. A participant's ballot is a mapping pitch id -> dots (or ratings). A change is
expressed as "this pitch now has N of my dots" (or "these ratings"), which is idempotent:
replaying it changes nothing, and moving a dot is taking it off one pitch and putting it on
another.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .errors import RuleError
from .options import N_, Option, values

NOT_STARTED, OPEN, CLOSED = "idle", "open", "closed"
DOTS, APPROVAL, MATRIX = "dots", "approval", "matrix"
METHOD_OPTIONS = (
    Option(DOTS, N_("Dot voting"), N_("Dot voting: a budget of dots")),
    Option(APPROVAL, N_("Approval voting"), N_("Approval: any number of pitches, one mark each")),
    Option(MATRIX, N_("Impact x ease rating"), N_("Impact x ease: rate each pitch 1-5 twice")),
)
METHODS = values(METHOD_OPTIONS)
# One ballot over all pitches, or a rating window right after each pitch.
BALLOT, PER_PITCH = "ballot", "per_pitch"
ROUND_OPTIONS = (
    Option(BALLOT, N_("One ballot over all pitches")),
    Option(PER_PITCH, N_("A rating window right after each pitch")),
)
ROUNDS = values(ROUND_OPTIONS)
RATING_MIN, RATING_MAX = 1, 5


@dataclass(frozen=True)
class DotRules:
    budget: int | None = 3  # None: no budget (approval voting)
    max_per_pitch: int = 1


def rules_for(method: str, budget: int, max_per_pitch: int) -> DotRules:
    """Approval voting is dot voting without a budget and with one mark per pitch."""
    return DotRules(None, 1) if method == APPROVAL else DotRules(budget, max_per_pitch)


def check_ballot(
    *, voting: str, pitch_id: int, votable: AbstractSet[int], own: AbstractSet[int], giving: bool
) -> None:
    """The rules every method shares. `giving` is False when a vote is only taken back."""
    if voting != OPEN:
        raise RuleError("voting_closed")
    if pitch_id not in votable:
        raise RuleError("pitch_not_votable")
    if pitch_id in own and giving:
        raise RuleError("own_pitch")


def check_dots(
    *,
    rules: DotRules,
    voting: str,
    ballot: Mapping[int, int],
    pitch_id: int,
    dots: int,
    votable: AbstractSet[int],
    own: AbstractSet[int],
) -> None:
    """Raise RuleError unless setting `pitch_id` to `dots` on `ballot` is allowed.

    `ballot` holds the participant's current dots on votable pitches only; dots left on a pitch
    that was skipped since do not count against the budget.
    """
    check_ballot(voting=voting, pitch_id=pitch_id, votable=votable, own=own, giving=dots > 0)
    if dots < 0:
        raise RuleError("invalid_dots")
    if dots > rules.max_per_pitch:
        raise RuleError("max_per_pitch", max=rules.max_per_pitch)
    if rules.budget is None:
        return
    others = sum(n for pid, n in ballot.items() if pid != pitch_id and pid in votable)
    if others + dots > rules.budget:
        raise RuleError("budget_exceeded", budget=rules.budget)


def dots_left(rules: DotRules, ballot: Mapping[int, int], votable: AbstractSet[int]) -> int | None:
    """Dots still to give; None when there is no budget."""
    if rules.budget is None:
        return None
    return rules.budget - sum(n for pid, n in ballot.items() if pid in votable)


def check_rating(
    *,
    voting: str,
    pitch_id: int,
    votable: AbstractSet[int],
    own: AbstractSet[int],
    ratings: Mapping[str, int],
) -> None:
    """Impact and ease ratings of one pitch: each 1-5, or 0 to take that rating back."""
    if voting != OPEN:
        raise RuleError("voting_closed")
    if not ratings:
        raise RuleError("nothing_to_change")
    for name, value in ratings.items():
        if name not in ("impact", "ease"):
            raise RuleError("unknown_field", field=name)
        if value != 0 and not RATING_MIN <= value <= RATING_MAX:
            raise RuleError("out_of_range", field=name, lo=RATING_MIN, hi=RATING_MAX)
    check_ballot(
        voting=voting, pitch_id=pitch_id, votable=votable, own=own, giving=any(ratings.values())
    )
