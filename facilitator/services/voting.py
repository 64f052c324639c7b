"""Voting: opening and closing the round, revealing results (at once, or a place at a time
from last place up), and impact/ease ratings.

Dots and approval marks are written in batches by ballots.py, and ratings take the same
ballot scope from the queue's facts cached per revision (principle 5, docs/architecture.md: a
vote's cost does not grow with the room).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DB

from ..domain import reveal, voting
from ..domain.errors import RuleError
from ..models import Rating, Session
from .base import Change, ServiceBase, retry_race


class VotingCommands(ServiceBase):
    def set_voting(self, session_id: int, open_: bool) -> Change:
        with self._moderate(session_id, "open voting" if open_ else "close voting") as step:
            s = step.s
            target = voting.OPEN if open_ else voting.CLOSED
            if s.voting == target or (not open_ and s.voting == voting.NOT_STARTED):
                raise RuleError("voting_already_" + ("open" if open_ else "closed"))
            if not open_:
                step.undo = {
                    "voting": s.voting,
                    "revealed": s.revealed,
                    "revealed_places": s.revealed_places,
                }
            s.voting = target
            if open_:
                s.revealed, s.revealed_places = False, None
            else:
                s.rate_pitch_id = s.rate_until = None
        return Change(
            session_id, stage=True, counts=True, reply={} if open_ else {"undo": "close voting"}
        )

    def reveal(self, session_id: int, revealed: bool) -> Change:
        with self._moderate(session_id, "reveal" if revealed else "hide results") as step:
            if revealed and step.s.voting == voting.NOT_STARTED:
                raise RuleError("nothing_to_reveal")
            step.s.revealed = revealed
            step.s.revealed_places = None
        return Change(session_id, stage=True)

    def reveal_step(self, session_id: int) -> Change:
        """Reveal one more place of the ranking, from last place up: the first step shows
        the last place only; the screen shows the places revealed so far (reveal.py)."""
        with self._moderate(session_id, "reveal place") as step:
            s = step.s
            if s.voting == voting.NOT_STARTED:
                raise RuleError("nothing_to_reveal")
            if not s.revealed:
                s.revealed, s.revealed_places = True, 1
            elif s.revealed_places is not None:
                s.revealed_places = min(s.revealed_places + 1, reveal.MAX_PLACES)
            step.detail = str(s.revealed_places or "all")
        return Change(session_id, stage=True)

    def _ballot_scope(self, db: DB, s: Session, participant_id: int) -> tuple[set, set]:
        """(pitches this ballot may mark now, the participant's own pitches): the queue's facts
        at the session's revision, read once per revision (`ballots.FactsCache`)."""
        self._participant(db, s.id, participant_id)
        facts = self.facts.get(db, s.id, s.code, s.revision or 0)
        return facts.open_ids, self.facts.own_ids(facts, participant_id)

    def set_rating(
        self, session_id: int, participant_id: int, pitch_id: int, **ratings: int
    ) -> Change:
        """Impact and/or ease (1-5; 0 takes that rating back) for one pitch. Idempotent."""
        retry_race(lambda: self._set_rating(session_id, participant_id, pitch_id, ratings))
        return Change(session_id, counts=True, participants={participant_id})

    def _set_rating(
        self, session_id: int, participant_id: int, pitch_id: int, ratings: dict
    ) -> None:
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            if s.voting_method != voting.MATRIX:
                raise RuleError("wrong_method")
            votable, own = self._ballot_scope(db, s, participant_id)
            voting.check_rating(
                voting=s.voting, pitch_id=pitch_id, votable=votable, own=own, ratings=ratings
            )
            row = db.scalar(
                select(Rating).where(
                    Rating.participant_id == participant_id, Rating.pitch_id == pitch_id
                )
            )
            if row is None:
                row = Rating(session_id=s.id, participant_id=participant_id, pitch_id=pitch_id)
                db.add(row)
            for name, value in ratings.items():
                setattr(row, name, value or None)
            if row.impact is None and row.ease is None:
                if row.id is not None:
                    db.delete(row)
                else:
                    db.expunge(row)
