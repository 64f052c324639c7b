"""Session events: the moderator's settings (services/sessions.py), declared once in
domain/settings.py and validated from those declarations (principle 10, docs/architecture.md),
and undo (services/undo.py).
"""

from __future__ import annotations

from ..domain.errors import RuleError
from ..services import Change
from ..validate import setting_fields
from .registry import MODERATOR, Conn, Events


def register(ev: Events) -> None:
    service = ev.service

    def settings(c: Conn, d: dict) -> Change:
        if not d:
            raise RuleError("nothing_to_change")
        return service.update_settings(c.session_id, **d)

    ev.command("undo", MODERATOR, {}, lambda c, d: service.undo(c.session_id))
    ev.command("session:settings", MODERATOR, setting_fields(), settings)
