"""Keeping a session on time: time left, ahead/behind, fitting the queue, overrun policy.

All times are epoch milliseconds or durations in milliseconds; `now` comes from the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import RuleError
from .options import N_, Option, values

DEFAULT_FLOOR_MS = 60_000
KEEP_COUNTING, AUTO_NEXT = "count", "next"
OVERRUN_OPTIONS = (
    Option(KEEP_COUNTING, N_("Keep counting up")),
    Option(AUTO_NEXT, N_("Move to the next pitch after a grace period")),
)
OVERRUN_POLICIES = values(OVERRUN_OPTIONS)
# The parts of an agenda. A "pitches" section draws on the general queue; pitches of a "talks"
# section (invited speakers) are not voted on.
TALKS, PITCHES, DISCUSSION = "talks", "pitches", "discussion"
SECTION_KIND_OPTIONS = (
    Option(TALKS, N_("Talks"), N_("Talks by invited speakers")),
    Option(PITCHES, N_("Pitch round")),
    Option(DISCUSSION, N_("Discussion"), N_("Discussion / outcome")),
)
SECTION_KINDS = values(SECTION_KIND_OPTIONS)
DEFAULT_SECTION_KIND = PITCHES
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")


@dataclass(frozen=True)
class Fit:
    """How the waiting pitches fit into the time left.

    `fitting`: how many of them fit at their planned lengths, in queue order (the cut line
    goes after that many). `proposal_ms`: one length for every waiting pitch that makes them
    all fit, never below the floor, rounded down to whole 5 seconds; None if even the floor is
    too long. `left_out`: how many would still not fit at the floor length.
    """

    fits: bool
    fitting: int
    needed_ms: int
    available_ms: int
    proposal_ms: int | None
    left_out: int


def fit(
    lengths_ms: Sequence[int],
    available_ms: int,
    changeover_ms: int = 0,
    floor_ms: int = DEFAULT_FLOOR_MS,
) -> Fit:
    """Fit waiting pitches (planned lengths, in queue order) into `available_ms`.

    Each pitch costs its length plus one changeover (the handover before it).
    """
    if floor_ms <= 0:
        raise RuleError("invalid_floor")
    if changeover_ms < 0:
        raise RuleError("invalid_changeover")
    available = max(0, available_ms)
    used, fitting = 0, 0
    for length in lengths_ms:
        if used + length + changeover_ms > available:
            break
        used += length + changeover_ms
        fitting += 1
    needed = sum(lengths_ms) + changeover_ms * len(lengths_ms)
    n = len(lengths_ms)
    if fitting == n:
        return Fit(True, n, needed, available, None, 0)
    per = (available - changeover_ms * n) // n if n else 0
    if per >= floor_ms:
        # Whole 5 seconds read better, but never round below the floor.
        return Fit(False, fitting, needed, available, max(floor_ms, per // 5000 * 5000), 0)
    at_floor = available // (floor_ms + changeover_ms)
    return Fit(False, fitting, needed, available, None, n - min(n, at_floor))


def section_end(
    started_at: int,
    planned_ms: int,
    session_end: int | None,
    later_planned_ms: int,
) -> int:
    """When the current section must end: its own budget from when it started, but never so
    late that the later sections no longer fit before the session's hard end. Time saved
    earlier does not stretch a section (a 20-minute section never has more than 20 minutes
    left): it shows as "ahead" in the pace instead."""
    own = started_at + planned_ms
    if session_end is None:
        return own
    return min(own, session_end - later_planned_ms)


def expected_starts(
    now: int, live_left_ms: int | None, waiting_ms: Sequence[int], changeover_ms: int
) -> list[int]:
    """When each waiting item (planned lengths, in queue order) should start at this pace:
    after the live item's time left (None: nobody is live, the first could start now; an
    overrun counts as nothing left), each after the one before it and a changeover."""
    at = now if live_left_ms is None else now + max(0, live_left_ms) + changeover_ms
    starts = []
    for length in waiting_ms:
        starts.append(at)
        at += length + changeover_ms
    return starts


def projected_end(
    now: int, live_left_ms: int, waiting_ms: Sequence[int], changeover_ms: int
) -> int:
    """When the current section will end at this pace: the live pitch's time left (an overrun
    counts as nothing left), then every waiting pitch with its changeover."""
    return now + max(0, live_left_ms) + sum(waiting_ms) + changeover_ms * len(waiting_ms)


def overrun_due(policy: str, ends_at: int | None, grace_ms: int) -> int | None:
    """The moment the server must move on by itself, or None when it keeps counting."""
    if policy != AUTO_NEXT or ends_at is None:
        return None
    return ends_at + grace_ms


def parse_time_of_day(text: str) -> int:
    """'09:50' -> minutes after midnight. Raises RuleError on anything else."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise RuleError("invalid_time")
    h, m = int(match[1]), int(match[2])
    if not (0 <= h < 24 and 0 <= m < 60):
        raise RuleError("invalid_time")
    return h * 60 + m


def check_agenda(start_minute: int | None, end_minute: int | None) -> None:
    if start_minute is not None and end_minute is not None and end_minute <= start_minute:
        raise RuleError("end_before_start")
