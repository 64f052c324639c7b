"""The pitch queue: statuses, order, and what "next" means.

A pitch is `pending` (proposed from a phone, waiting for the moderator), `queued`, `live`,
`done` or `skipped`. The queue order is a position number; "up next" is the first queued pitch
in that order. At most one pitch is live.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .errors import RuleError
from .schedule import PITCHES

PENDING, QUEUED, LIVE, DONE, SKIPPED = "pending", "queued", "live", "done", "skipped"
STATUSES = (PENDING, QUEUED, LIVE, DONE, SKIPPED)
# Pitches the room can vote for: accepted and not skipped.
VOTABLE = (QUEUED, LIVE, DONE)
# Statuses the moderator may set directly (live is reached through start / next).
MARKABLE = (QUEUED, DONE, SKIPPED)
# Pitches one participant may have waiting (pending or queued) at once.
MAX_WAITING_PER_PERSON = 3


class PitchLike(Protocol):
    id: int
    status: str
    position: int
    section_id: int | None


def in_order(pitches: Sequence[PitchLike]) -> list:
    return sorted(pitches, key=lambda p: (p.position, p.id))


def live(pitches: Sequence[PitchLike]):
    return next((p for p in pitches if p.status == LIVE), None)


def up_next(pitches: Sequence[PitchLike]):
    return next((p for p in in_order(pitches) if p.status == QUEUED), None)


def moved(pitches: Sequence[PitchLike], pitch_id: int, index: int) -> list[tuple[int, int]]:
    """New (pitch id, position) pairs after moving one pitch to `index` within `pitches`
    (the list the moderator sees). The pitches share out the positions they held, so pitches
    not in the list (another section's, sign-ups awaiting approval) keep their places."""
    ordered = in_order(pitches)
    ids = [p.id for p in ordered]
    if pitch_id not in ids:
        raise RuleError("unknown_pitch")
    if not 0 <= index < len(ids):
        raise RuleError("invalid_position")
    slots = sorted(p.position for p in ordered)
    if len(set(slots)) < len(slots):  # positions collided: spread them out first
        slots = [slots[0] + i for i in range(len(slots))]
    ids.remove(pitch_id)
    ids.insert(index, pitch_id)
    return list(zip(ids, slots, strict=True))


def check_mark(current: str, target: str) -> None:
    if target not in MARKABLE:
        raise RuleError("invalid_status")
    if current == PENDING and target != QUEUED:
        raise RuleError("pitch_pending")
    if current == target:
        raise RuleError("status_unchanged")


REMOVED = "removed"  # kept for undo; invisible everywhere else


def in_section(
    pitches: Sequence[PitchLike],
    section_id: int | None,
    section_kind: str | None,
) -> list:
    """The queue of one agenda section. Pitches with no section belong to every pitch round
    (that is where sign-ups from phones go); with no current section, the whole queue."""
    if section_id is None:
        return list(pitches)
    return [
        p
        for p in pitches
        if p.section_id == section_id or (p.section_id is None and section_kind == PITCHES)
    ]


def votable(pitches: Sequence[PitchLike], talk_sections: set) -> list:
    """Pitches the room can vote for: accepted, not skipped, and not an invited talk."""
    return [p for p in pitches if p.status in VOTABLE and p.section_id not in talk_sections]


def open_for_votes(candidates: Sequence[PitchLike], per_pitch: bool) -> list:
    """The votable pitches a ballot may mark now: all of them for one ballot over the round;
    with a rating window after each pitch, those that have been on stage (late joiners can
    still rate every pitch that ran before they came)."""
    return [p for p in candidates if not per_pitch or p.status == DONE]
