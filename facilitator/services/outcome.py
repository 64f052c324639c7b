"""The outcome: publishing (or closing) the read-only public link to a session's results.

Its token is drawn once, unguessable (principle 6, docs/architecture.md); a closed link finds
nothing.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..models import Session
from .base import Change, ServiceBase


class OutcomeCommands(ServiceBase):
    def publish_outcome(self, session_id: int, public: bool) -> Change:
        """Open (or close) the read-only public outcome link; its token is drawn once."""
        with self._moderate(
            session_id, "publish outcome" if public else "unpublish outcome"
        ) as step:
            s = step.s
            if public and not s.outcome_token:
                s.outcome_token = secrets.token_urlsafe(18)
            s.outcome_public = public
        return Change(session_id, stage=True)

    def session_by_outcome_token(self, token: str) -> dict | None:
        """The session whose published outcome link this is (None if unknown or closed)."""
        if not isinstance(token, str) or not token:
            return None
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.outcome_token == token))
            if s is None or not s.outcome_public:
                return None
            return {"id": s.id, "code": s.code, "title": s.title, "revision": s.revision or 0}
