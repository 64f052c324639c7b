"""Follow-up: a participant's interest in a pitch, and the commitments the moderator records
(owners, next step, due date, status).

Commitment statuses are declared in domain/commitments.py (principle 10,
docs/architecture.md); an owner who is a participant is checked to belong to the session
(principle 8).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ..domain import queue
from ..domain.errors import RuleError
from ..models import Commitment, Interest
from .base import Change, ServiceBase, retry_race


class FollowupCommands(ServiceBase):
    def set_interest(self, session_id: int, participant_id: int, pitch_id: int, on: bool) -> Change:
        """ "I want to follow up on this pitch" (or no longer). Idempotent."""

        def apply() -> set:
            with self.unit() as db:
                s = self._session(db, session_id, lock=False)
                self._participant(db, s.id, participant_id)
                p = self._pitch(db, s, pitch_id)
                if p.status == queue.PENDING:
                    raise RuleError("unknown_pitch")
                if p.participant_id == participant_id and on:
                    raise RuleError("own_pitch_interest")
                row = db.scalar(
                    select(Interest).where(
                        Interest.participant_id == participant_id, Interest.pitch_id == pitch_id
                    )
                )
                if on and row is None:
                    db.add(
                        Interest(
                            session_id=s.id,
                            participant_id=participant_id,
                            pitch_id=pitch_id,
                            at=self.clock(),
                        )
                    )
                elif not on and row is not None:
                    db.delete(row)
                return self._owners(p)

        owner = retry_race(apply)
        return Change(session_id, counts=True, participants={participant_id} | owner)

    def set_commitment(
        self,
        session_id: int,
        pitch_id: int,
        owners: list[dict],
        next_step: str,
        due: str,
        status: str,
    ) -> Change:
        """Turn a quick win into a commitment (or change it): owners (participants of the
        session or free text), the next step, a due date and a status."""
        with self._moderate(session_id, "commitment") as step:
            s, db = step.s, step.db
            p = self._pitch(db, s, pitch_id)
            if p.status == queue.PENDING:
                raise RuleError("unknown_pitch")
            named = []
            for o in owners:
                if "participant_id" in o:
                    who = self._participant(
                        db, s.id, o["participant_id"], missing="unknown_participant"
                    )
                    named.append({"participant_id": who.id, "name": who.name})
                else:
                    named.append({"name": o["name"]})
            c = db.scalar(select(Commitment).where(Commitment.pitch_id == p.id))
            if c is None:
                c = Commitment(session_id=s.id, pitch_id=p.id)
                db.add(c)
            c.owners, c.next_step, c.due, c.status = json.dumps(named), next_step, due, status
            c.updated_at = step.now
            step.detail = f"{p.title}: {status}"
        return Change(session_id, stage=True)

    def remove_commitment(self, session_id: int, pitch_id: int) -> Change:
        with self._moderate(session_id, "remove commitment") as step:
            c = step.db.scalar(
                select(Commitment).where(
                    Commitment.pitch_id == pitch_id, Commitment.session_id == step.s.id
                )
            )
            if c is None:
                raise RuleError("unknown_commitment")
            step.detail = self._pitch(step.db, step.s, pitch_id).title
            step.db.delete(c)
        return Change(session_id, stage=True)
