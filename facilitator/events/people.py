"""People events: a phone's contact details (with consent) and its own erasure
(services/people.py). After "delete me" every page of that person is closed and the disk
forgets them (principle 6, docs/architecture.md).
"""

from __future__ import annotations

from ..services import Change
from ..validate import Bool, Email, Phone
from .registry import PARTICIPANT, Conn, Events


def register(ev: Events) -> None:
    service, connections = ev.service, ev.connections
    ev.command(
        "contact:set",
        PARTICIPANT,
        {"email": Email(), "phone": Phone(), "consent": Bool()},
        lambda c, d: service.set_contact(
            c.session_id, c.person, d.get("email", ""), d.get("phone", ""), d["consent"]
        ),
    )

    def delete_me(c: Conn, _d: dict) -> Change:
        change = service.delete_participant(c.session_id, c.person)
        # Every page of this person (here; other processes at their next event or sweep)
        # gets its `me` without a participant, then is closed; the disk forgets them.
        connections.participant_deleted(c.person)
        connections.scrub_disk()
        return change

    ev.command("me:delete", PARTICIPANT, {}, delete_me)
