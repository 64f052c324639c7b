"""Planned against actual time, as the timing report states it.

A pitch (or a talk) has three lengths:

- **planned**: the length it was given when it was added to the queue;
- **given**: the planned length plus every extension and cut the moderator made while it was on
  stage (+30 s, -30 s, ...), net. This is what the countdown counted down from;
- **actual**: the time it was on stage, pauses left out.

It ran **over** only when the actual time is longer than the time it was given: a pitch cut
from 2:00 to 0:30 that stopped at 0:20 was on time, and one cut to 0:05 that ran to 0:20 was
0:15 over (not 1:40 under its plan, and not "over" against a plan it was never held to).

Records made before the given length was kept have only the overrun: the given length is then
known when the pitch ran over (actual minus overrun) and otherwise left unknown (None), and
the report shows the plan alone.

A section's plan is its minutes on the agenda; it is over when it has run longer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .schedule import PITCHES


@dataclass(frozen=True)
class Timing:
    planned_ms: int
    given_ms: int | None  # planned plus the moderator's changes; None: not recorded
    actual_ms: int | None  # None: not finished yet
    over_ms: int  # actual beyond given, 0 when within it

    @property
    def changes_ms(self) -> int | None:
        """The moderator's extensions and cuts, net (negative: cut)."""
        return None if self.given_ms is None else self.given_ms - self.planned_ms

    def as_dict(self) -> dict:
        return {
            "planned_ms": self.planned_ms,
            "given_ms": self.given_ms,
            "changes_ms": self.changes_ms,
            "actual_ms": self.actual_ms,
            "over_ms": self.over_ms,
        }


def pitch_timing(
    planned_ms: int,
    given_ms: int | None,
    actual_ms: int | None,
    overrun_ms: int | None = None,
) -> Timing:
    """A pitch's timing from what was recorded when it left the stage (see the module)."""
    if given_ms is None and actual_ms is not None and overrun_ms:
        given_ms = actual_ms - overrun_ms
    if given_ms is not None:
        given_ms = max(0, given_ms)
    if actual_ms is None:
        over = 0
    elif given_ms is None:
        over = max(0, overrun_ms or 0)
    else:
        over = max(0, whole_seconds(actual_ms) - whole_seconds(given_ms)) * 1000
    return Timing(planned_ms, given_ms, actual_ms, over)


def whole_seconds(ms: int) -> int:
    """Times are shown in whole seconds, and compared as shown: a pitch stopped 0.3 s after
    its time is on time, and 0:02 against 0:00 given is two seconds over, not one."""
    return (ms + 500) // 1000


def section_timing(planned_ms: int, actual_ms: int | None) -> Timing:
    """A section's timing: over once it has run longer than its minutes on the agenda."""
    over = 0 if actual_ms is None else whole_seconds(actual_ms) - whole_seconds(planned_ms)
    return Timing(planned_ms, planned_ms, actual_ms, max(0, over) * 1000)


@dataclass(frozen=True)
class Run:
    """A section of the agenda as the report needs it: its kind and its last run."""

    id: int
    kind: str
    started_at: int | None
    ended_at: int | None


def ran_in(section_id: int | None, started_at: int | None, sections: Iterable[Run]) -> int | None:
    """The section a talk or pitch ran in. A talk belongs to its section; a pitch signed up from
    a phone has no section of its own (it may run in any pitch round), so it ran in the pitch
    round that was running when it started, or in the only pitch round of the agenda. None:
    no section on the agenda fits (it was removed, or there is no agenda)."""
    sections = list(sections)
    if section_id is not None:
        return section_id if any(x.id == section_id for x in sections) else None
    if started_at is None:
        return None
    rounds = [x for x in sections if x.kind == PITCHES]
    for x in rounds:
        if x.started_at is not None and x.started_at <= started_at:
            if x.ended_at is None or started_at < x.ended_at:
                return x.id
    return rounds[0].id if len(rounds) == 1 else None


S = TypeVar("S")
P = TypeVar("P")


def by_section(
    sections: Iterable[S],
    items: Iterable[P],
    section_of: Callable[[P], int | None],
    id_of: Callable[[S], int],
) -> tuple[list[tuple[S, list[P]]], list[P]]:
    """Each section (in agenda order) with the items that ran in it (in their order), and the
    items that belong to no section listed on the agenda (its section was removed, or the
    session has no agenda)."""
    sections = list(sections)
    groups: dict[int, list[P]] = {id_of(s): [] for s in sections}
    loose: list[P] = []
    for item in items:
        key = section_of(item)
        (loose if key is None else groups.get(key, loose)).append(item)
    return [(s, groups[id_of(s)]) for s in sections], loose
