"""Dot voting: a budget of dots per participant, a cap per pitch, no dot on one's own pitch.

A participant's ballot is a mapping pitch id -> dots. A change is expressed as "this pitch now
has N of my dots", which is idempotent: replaying it changes nothing, and moving a dot is taking
it off one pitch and putting it on another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Set

from .errors import RuleError

NOT_STARTED, OPEN, CLOSED = "idle", "open", "closed"


@dataclass(frozen=True)
class DotRules:
    budget: int = 3
    max_per_pitch: int = 1


def check_dots(
    *,
    rules: DotRules,
    voting: str,
    ballot: Mapping[int, int],
    pitch_id: int,
    dots: int,
    votable: Set[int],
    own: Set[int],
) -> None:
    """Raise RuleError unless setting `pitch_id` to `dots` on `ballot` is allowed.

    `ballot` holds the participant's current dots on votable pitches only; dots left on a pitch
    that was skipped since do not count against the budget.
    """
    if voting != OPEN:
        raise RuleError("voting_closed")
    if pitch_id not in votable:
        raise RuleError("pitch_not_votable")
    if pitch_id in own and dots > 0:
        raise RuleError("own_pitch")
    if dots < 0:
        raise RuleError("invalid_dots")
    if dots > rules.max_per_pitch:
        raise RuleError("max_per_pitch", max=rules.max_per_pitch)
    others = sum(n for pid, n in ballot.items() if pid != pitch_id and pid in votable)
    if others + dots > rules.budget:
        raise RuleError("budget_exceeded", budget=rules.budget)


def dots_left(rules: DotRules, ballot: Mapping[int, int], votable: Set[int]) -> int:
    return rules.budget - sum(n for pid, n in ballot.items() if pid in votable)
