"""Agenda events: planned times, sections, moving between sections and fitting the waiting
pitches (services/agenda.py). Section kinds and a pitch's bounds come from their declarations
(principle 10, docs/architecture.md).
"""

from __future__ import annotations

from ..domain.schedule import SECTION_KINDS
from ..domain.settings import BY_NAME as SETTING
from ..validate import ID, Choice, Int, Text, setting_field
from .registry import MODERATOR, Events, edits

TIME_OF_DAY = Text(5, required=False, blank=True)
SECTION_FIELDS = {"title": Text(120), "kind": Choice(SECTION_KINDS), "minutes": Int(1, 600)}


def register(ev: Events) -> None:
    service, command, mod = ev.service, ev.command, MODERATOR
    command(
        "schedule:fit",
        mod,
        {"seconds": setting_field(SETTING["pitch_seconds"], required=True)},
        lambda c, d: service.fit(c.session_id, d["seconds"]),
    )
    command(
        "agenda:times",
        mod,
        {"start": TIME_OF_DAY, "end": TIME_OF_DAY},
        lambda c, d: service.set_agenda(c.session_id, d.get("start"), d.get("end")),
    )
    command("section:add", mod, SECTION_FIELDS, lambda c, d: service.add_section(c.session_id, **d))
    command(
        "section:edit",
        mod,
        {
            "section_id": ID,
            "title": Text(120, required=False),
            "kind": Choice(SECTION_KINDS, required=False),
            "minutes": Int(1, 600, required=False),
        },
        edits("section_id", service.edit_section),
    )
    command(
        "section:remove",
        mod,
        {"section_id": ID},
        lambda c, d: service.remove_section(c.session_id, d["section_id"]),
    )
    command(
        "section:set",
        mod,
        {"section_id": Int(1, 2**31 - 1, required=False)},
        lambda c, d: service.set_section(c.session_id, d.get("section_id")),
    )
