"""Commands: one module per capability, one transaction each (principle 1, docs/architecture.md).

`Service` is every capability together over one unit of work (`base.ServiceBase`): call sites
hold one object (`service.start(...)`, `service.join(...)`), while each capability's commands
live in their own module:

- `sessions`: create, find, configure, erase a session; retention; the moderator's log;
- `access`: the moderator key, participant tokens, whether a proved identity still holds;
- `people`: joining, contact details with consent, a participant's own erasure;
- `queue`: proposing, adding, editing, accepting, moving, marking, removing pitches;
- `stage`: what is live, its timer, the overrun policy, the screen's mode and cues;
- `agenda`: planned times, sections, fitting the waiting pitches;
- `voting`: opening, closing, revealing; impact/ease ratings (dots: ballots.py);
- `followup`: interest in a pitch, commitments;
- `outcome`: the public outcome link;
- `undo`: taking back the latest undoable action.

Nothing here knows about Flask or Socket.IO (principle 3).
"""

from __future__ import annotations

from .access import AccessCommands
from .agenda import AgendaCommands
from .base import ANY, Change, ServiceBase, Step, local_midnight_ms, retry_race, wall_clock_ms
from .followup import FollowupCommands
from .outcome import OutcomeCommands
from .people import PeopleCommands
from .queue import QueueCommands
from .sessions import SessionCommands
from .stage import StageCommands
from .undo import UndoCommands
from .voting import VotingCommands


class Service(
    SessionCommands,
    AccessCommands,
    PeopleCommands,
    QueueCommands,
    StageCommands,
    AgendaCommands,
    VotingCommands,
    FollowupCommands,
    OutcomeCommands,
    UndoCommands,
):
    """Every command of every capability, over one unit of work."""


__all__ = [
    "ANY",
    "Change",
    "Service",
    "ServiceBase",
    "Step",
    "local_midnight_ms",
    "retry_race",
    "wall_clock_ms",
]
