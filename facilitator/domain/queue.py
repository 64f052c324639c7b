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


def lineup(
    pitches: Sequence[PitchLike],
    sections: Sequence,
    current_section_id: int | None,
    changeover_ms: int = 0,
) -> dict[int, dict]:
    """Where each waiting pitch stands, counted within its own section only: a talk is
    counted among the talks of its section, a pitch among the pitches of its round.

    `sections`: the agenda in order (objects with `id`, `kind` and `ended_at`). A pitch with
    no section belongs to a pitch round: the current one if the current section is a pitch
    round, else the first pitch round of the agenda that has not ended. Returns, per queued
    pitch id: `place` (1 = the first waiting one of its section), `kind` (the section's kind,
    "pitches" without an agenda) and `ahead_ms` (the planned time of the pitches waiting
    before it, a changeover before each and before it; only when its section is the current
    one (or there is no agenda), else None: the time still left of the live pitch comes on top)."""
    kinds = {s.id: s.kind for s in sections}
    current = next((s for s in sections if s.id == current_section_id), None)
    if current is not None and current.kind == PITCHES:
        general = current.id
    else:
        general = next((s.id for s in sections if s.kind == PITCHES and s.ended_at is None), None)

    def home(p) -> int | None:
        sid = getattr(p, "section_id", None)
        return sid if sid in kinds else general

    out: dict[int, dict] = {}
    counted: dict[int | None, tuple[int, int]] = {}  # section -> (count, ms so far)
    for p in in_order([p for p in pitches if p.status == QUEUED]):
        sec = home(p)
        n, ms = counted.get(sec, (0, 0))
        here = sec == current_section_id if sections else True
        out[p.id] = {
            "place": n + 1,
            "kind": kinds.get(sec, PITCHES),
            "ahead_ms": ms + changeover_ms if here else None,
        }
        counted[sec] = (n + 1, ms + p.seconds * 1000 + changeover_ms)
    return out
