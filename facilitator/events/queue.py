"""Queue events: the moderator adds, edits, removes, accepts, moves and marks pitches; a phone
proposes and withdraws its own, and says it is ready at the stage (services/queue.py). Payload
rules: principle 8, docs/architecture.md; a pitch's length has the declared bounds of the
default length (principle 10).
"""

from __future__ import annotations

from ..domain.queue import MARKABLE
from ..domain.settings import BY_NAME as SETTING
from ..validate import ID, NAME, OFFER, ORGANISATION, TITLE, Bool, Choice, Int, Text, setting_field
from .registry import MODERATOR, PARTICIPANT, Events, edits

ALT = {
    "title_alt": Text(80, required=False, blank=True),
    "offer_alt": Text(280, required=False, blank=True),
}
# A pitch's own length has the bounds of the default pitch length.
PITCH_LENGTH = SETTING["pitch_seconds"]
OPTIONAL = {
    "offer": Text(280, required=False, blank=True),
    "organisation": ORGANISATION,
    **ALT,
    "seconds": setting_field(PITCH_LENGTH),
}


def register(ev: Events) -> None:
    service, command, mod = ev.service, ev.command, MODERATOR
    command(
        "pitch:add",
        mod,
        {"title": TITLE, "pitcher": NAME, **OPTIONAL},
        lambda c, d: service.add_pitch(c.session_id, **d),
    )
    command(
        "pitch:edit",
        mod,
        {
            "pitch_id": ID,
            "title": Text(80, required=False),
            "pitcher": Text(60, required=False),
            **OPTIONAL,
        },
        edits("pitch_id", service.edit_pitch),
    )
    command(
        "pitch:remove",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.remove_pitch(c.session_id, d["pitch_id"]),
    )
    command(
        "pitch:accept",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.accept_pitch(c.session_id, d["pitch_id"]),
    )
    command(
        "pitch:move",
        mod,
        {"pitch_id": ID, "index": Int(0, 10_000)},
        lambda c, d: service.move_pitch(c.session_id, d["pitch_id"], d["index"]),
    )
    command(
        "pitch:mark",
        mod,
        {"pitch_id": ID, "status": Choice(MARKABLE)},
        lambda c, d: service.mark_pitch(c.session_id, d["pitch_id"], d["status"]),
    )
    command(
        "pitch:propose",
        PARTICIPANT,
        {"title": TITLE, "offer": OFFER, **ALT},
        lambda c, d: service.propose_pitch(c.session_id, c.person, **d),
    )
    command(
        "pitch:withdraw",
        PARTICIPANT,
        {"pitch_id": ID},
        lambda c, d: service.withdraw_pitch(c.session_id, c.person, d["pitch_id"]),
    )
    command(
        "pitch:ready",
        PARTICIPANT,
        {"pitch_id": ID, "ready": Bool()},
        lambda c, d: service.set_ready(c.session_id, c.person, d["pitch_id"], d["ready"]),
    )
