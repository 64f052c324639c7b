"""Where the session stands, and the one action that moves it on.

The console shows one main action that follows the run of the session: start the talks, start
each talk, go to the pitch round, start each pitch, open voting, close voting, reveal the
results, record commitments, publish the outcome. This module decides which, from plain data
(the console snapshot's), so the rule is the same for every console and can be tested alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .schedule import PITCHES, TALKS

# The main actions, in the order a session usually meets them.
START_SECTION = "section"  # move to the next section of the agenda
START = "start"  # bring the next talk or pitch on stage
PAUSE, RESUME = "pause", "resume"  # someone is on stage
OPEN_VOTING, CLOSE_VOTING, REVEAL = "open_voting", "close_voting", "reveal"
COMMITMENTS, PUBLISH, DONE = "commitments", "publish", "done"
ACTIONS = (
    START_SECTION,
    START,
    PAUSE,
    RESUME,
    OPEN_VOTING,
    CLOSE_VOTING,
    REVEAL,
    COMMITMENTS,
    PUBLISH,
    DONE,
)


@dataclass(frozen=True)
class SectionInfo:
    id: int
    kind: str
    title: str
    started: bool


@dataclass(frozen=True)
class Phase:
    """The main action and what it acts on.

    `action`: one of ACTIONS. `kind`: the kind of the section whose items are on stage or next
    (talks speak of talks, everything else of pitches), so the words follow it. `section_id`,
    `section_title`, `section_kind`: the section a START_SECTION action moves to.
    `last_item`: nobody waits after the one on stage (the "next" key ends it instead).
    """

    action: str
    kind: str
    section_id: int | None = None
    section_title: str = ""
    section_kind: str = ""
    last_item: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def item_kind(section_kind: str | None) -> str:
    """Talks are talks; what is on stage in any other section is a pitch."""
    return TALKS if section_kind == TALKS else PITCHES


def main_action(
    *,
    sections: Sequence[SectionInfo],
    current_id: int | None,
    live: bool,
    timer_state: str,
    waiting: int,
    voting: str,
    revealed: bool,
    votable: int,
    commitments: int,
    outcome_public: bool,
) -> Phase:
    """The one action that moves the session on now.

    `waiting`: queued items of the current section (of the whole queue without one);
    `votable`: pitches the room can vote for; `voting`: "idle", "open" or "closed".
    """
    ids = [x.id for x in sections]
    idx = ids.index(current_id) if current_id in ids else -1
    current = sections[idx] if idx >= 0 else None
    kind = item_kind(current.kind if current else None)
    later = [x for x in sections[idx + 1 :] if not x.started] if idx >= 0 else []
    if idx < 0:
        later = [x for x in sections if not x.started]

    def go(to: SectionInfo) -> Phase:
        return Phase(START_SECTION, kind, to.id, to.title, to.kind)

    if live:
        action = PAUSE if timer_state == "running" else RESUME
        return Phase(action, kind, last_item=waiting == 0)
    # Before the agenda starts: its first section (a queue without an agenda starts at once).
    if current is None and sections and not any(x.started for x in sections):
        first = sections[0]
        return Phase(START_SECTION, item_kind(first.kind), first.id, first.title, first.kind)
    if waiting > 0:
        return Phase(START, kind)
    # This section's queue is done. A talks section, or a pitch round with another pitch round
    # still to come, hands over to the next section; voting comes after the last pitch round.
    if later and (
        kind == TALKS or current is None or any(x.kind == PITCHES for x in later) or votable == 0
    ):
        return go(later[0])
    if votable > 0:
        if voting == "idle":
            return Phase(OPEN_VOTING, kind)
        if voting == "open":
            return Phase(CLOSE_VOTING, kind)
        if not revealed:
            return Phase(REVEAL, kind)
    if later:
        return go(later[0])
    if votable > 0 and commitments == 0:
        return Phase(COMMITMENTS, kind)
    if not outcome_public:
        return Phase(PUBLISH, kind)
    return Phase(DONE, kind)


def position(statuses: Sequence[str]) -> tuple[int, int]:
    """(number of the item on stage or next, how many there are) in one section's queue, in
    queue order: "pitch 3 of 8". Skipped items do not count; 0 when nothing is left."""
    counted = [s for s in statuses if s in ("queued", "live", "done")]
    total = len(counted)
    for i, s in enumerate(counted):
        if s in ("live", "queued"):
            return i + 1, total
    return 0, total
