"""People: joining, contact details with consent, and a participant's own erasure.

A participant's token is an unguessable secret (principle 6, docs/architecture.md); deleting
oneself removes name, organisation, contacts, follow-up requests and pitches that never ran,
and stops the token at once.
"""

from __future__ import annotations

import json
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DB

from ..domain import queue
from ..domain.errors import RuleError
from ..models import Commitment, Interest, LogEntry, Participant, Pitch, Rating, Vote
from .base import Change, ServiceBase


class PeopleCommands(ServiceBase):
    def join(self, session_id: int, name: str, organisation: str) -> Change:
        """A new participant; the reply carries its id and the secret token for its cookie."""
        token = secrets.token_urlsafe(24)
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            p = Participant(
                session_id=s.id,
                token=token,
                name=name,
                organisation=organisation,
                created_at=self.clock(),
            )
            db.add(p)
            db.flush()
            pid = p.id
        return Change(
            session_id,
            counts=True,
            console=True,  # the console lists the people
            reply={"participant_id": pid, "token": token},
        )

    def set_contact(
        self, session_id: int, participant_id: int, email: str, phone: str, consent: bool
    ) -> Change:
        """Contact details for follow-up, stored only with consent; without it (or when
        consent is withdrawn) none are kept."""
        if consent and not (email or phone):
            raise RuleError("contact_required")
        if not consent and (email or phone):
            raise RuleError("consent_required")
        with self.unit() as db:
            p = self._participant(db, session_id, participant_id)
            p.email, p.phone = (email, phone) if consent else ("", "")
            p.consent_at = self.clock() if consent else None
            owners = self._followed_pitchers(db, participant_id)
        # The console's list of people changed: coalesced, as a phone can send this often.
        return Change(session_id, counts=True, console=True, participants={participant_id} | owners)

    def delete_participant(self, session_id: int, participant_id: int) -> Change:
        """A participant leaves for good: name, organisation and contacts go, and so do their
        follow-up requests and pitches that have not been on stage. Votes and ratings stay,
        counted anonymously; pitches that ran keep their content without the pitcher's name;
        commitment owners that were this person lose the name. The browser's token stops
        working at once."""
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._participant(db, session_id, participant_id)
            owners = self._followed_pitchers(db, participant_id)
            db.execute(delete(Interest).where(Interest.participant_id == participant_id))
            removed = []
            for pitch in db.scalars(select(Pitch).where(Pitch.participant_id == participant_id)):
                # Removed by the moderator before it ran (kept only for undo): never public.
                if pitch.status in (queue.PENDING, queue.QUEUED) or (
                    pitch.status == queue.REMOVED and pitch.started_at is None
                ):
                    removed.append(pitch.title)
                    db.execute(delete(Vote).where(Vote.pitch_id == pitch.id))
                    db.execute(delete(Rating).where(Rating.pitch_id == pitch.id))
                    db.delete(pitch)
                else:
                    pitch.pitcher, pitch.organisation, pitch.participant_id = "", "", None
            self._forget_titles(db, s.id, removed)
            for c in db.scalars(select(Commitment).where(Commitment.session_id == s.id)):
                owners_list = json.loads(c.owners)
                if any(o.get("participant_id") == participant_id for o in owners_list):
                    c.owners = json.dumps(
                        [o for o in owners_list if o.get("participant_id") != participant_id]
                    )
            p.name, p.organisation, p.email, p.phone = "", "", "", ""
            p.consent_at, p.deleted_at = None, self.clock()
            p.token = "deleted-" + secrets.token_urlsafe(24)
            self._touch(s)
        # The person's own pages learn at once that they are no longer a participant.
        return Change(session_id, stage=True, counts=True, participants=owners | {participant_id})

    @staticmethod
    def _forget_titles(db: DB, session_id: int, titles: list[str]) -> None:
        """The moderator's log names pitches by title ("accept: <title>", "<title> to 3"): the
        rows that name a pitch just deleted with its author keep the action, not the title."""
        titles = [t for t in titles if t]
        if not titles:
            return
        for entry in db.scalars(select(LogEntry).where(LogEntry.session_id == session_id)):
            detail = entry.detail or ""
            if any(detail == t or detail.startswith(t + " to ") for t in titles):
                entry.detail = "-"

    @staticmethod
    def _followed_pitchers(db: DB, participant_id: int) -> set:
        """Participants whose pitches this participant wants to follow up on (they see this
        person's name and consented contact details)."""
        return set(
            db.scalars(
                select(Pitch.participant_id)
                .join(Interest, Interest.pitch_id == Pitch.id)
                .where(Interest.participant_id == participant_id, Pitch.participant_id.is_not(None))
            )
        )
