"""Undo: taking back the latest undoable action (remove, reset, skip, close voting).

What to restore is stored with the action in the moderator's log, in the same transaction
(principle 1, docs/architecture.md); the window is domain/sessions.py's `UNDO_SECONDS`.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ..domain import queue
from ..domain.errors import RuleError
from ..domain.sessions import UNDO_SECONDS
from ..domain.timer import Timer
from ..models import LogEntry, Pitch
from .base import Change, ServiceBase


class UndoCommands(ServiceBase):
    def undo(self, session_id: int) -> Change:
        """Reverse the latest undoable action (remove, reset, skip, close voting) if it is at
        most UNDO_SECONDS old and nothing has been undone on top of it."""
        with self._moderate(session_id, "undo") as step:
            s, db = step.s, step.db
            entry = db.scalar(
                select(LogEntry)
                .where(
                    LogEntry.session_id == s.id,
                    LogEntry.undo.is_not(None),
                    LogEntry.undone.is_(False),
                )
                .order_by(LogEntry.id.desc())
                .limit(1)
            )
            if entry is None or step.now - entry.at > UNDO_SECONDS * 1000:
                raise RuleError("nothing_to_undo")
            data = json.loads(entry.undo or "{}")
            changed = set()
            if "voting" in data:
                s.voting, s.revealed = data["voting"], data["revealed"]
                s.revealed_places = data.get("revealed_places")
            if "pitch_id" in data:
                p = db.get(Pitch, data["pitch_id"])
                if p is None:
                    raise RuleError("nothing_to_undo")
                live = queue.live(self._pitches(db, s))
                if "status" in data:
                    if data["status"] == queue.LIVE and live is not None and live.id != p.id:
                        raise RuleError("stage_changed")
                    p.status = data["status"]
                    p.position = data.get("position", p.position)
                    if p.status == queue.LIVE:
                        p.ended_at = p.spoken_ms = p.overrun_ms = p.given_ms = None
                elif live is None or live.id != p.id:
                    raise RuleError("stage_changed")
                if "timer" in data:
                    s.timer = Timer.from_state(data["timer"])
                changed = self._owners(p)
            entry.undone = True
            step.detail = entry.action
        return Change(
            session_id,
            stage=True,
            counts=True,
            participants=changed,
            reply={"undone": entry.action},
        )
