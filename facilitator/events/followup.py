"""Follow-up events: the moderator's commitments, a phone's interest in a pitch
(services/followup.py). Commitment statuses are declared in domain/commitments.py (principle
10, docs/architecture.md).
"""

from __future__ import annotations

from ..domain import commitments
from ..validate import ID, Bool, Choice, Date, Owners, Text
from .registry import MODERATOR, PARTICIPANT, Events


def register(ev: Events) -> None:
    service, command, mod = ev.service, ev.command, MODERATOR
    command(
        "commitment:set",
        mod,
        {
            "pitch_id": ID,
            "owners": Owners(),
            "next_step": Text(280, blank=True),
            "due": Date(),
            "status": Choice(commitments.STATUSES),
        },
        lambda c, d: service.set_commitment(
            c.session_id,
            d["pitch_id"],
            d.get("owners", []),
            d["next_step"],
            d.get("due", ""),
            d["status"],
        ),
    )
    command(
        "commitment:remove",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.remove_commitment(c.session_id, d["pitch_id"]),
    )
    command(
        "interest:set",
        PARTICIPANT,
        {"pitch_id": ID, "on": Bool()},
        lambda c, d: service.set_interest(c.session_id, c.person, d["pitch_id"], d["on"]),
    )
