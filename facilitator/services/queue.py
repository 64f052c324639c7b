"""The queue: pitches proposed from phones or added by the moderator, edited, accepted, moved,
marked, removed (undoably) and withdrawn.

The rules of order and status are domain/queue.py's (principle 3, docs/architecture.md); a
pitch waiting for approval is shown to the console and its proposer only (principle 4).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from ..domain import queue, schedule
from ..domain.errors import RuleError
from ..domain.timer import IDLE, Timer
from ..models import Pitch, Vote
from .base import Change, ServiceBase


class QueueCommands(ServiceBase):
    def propose_pitch(
        self,
        session_id: int,
        participant_id: int,
        title: str,
        offer: str,
        title_alt: str = "",
        offer_alt: str = "",
    ) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            mine = db.scalar(
                select(func.count())
                .select_from(Pitch)
                .where(
                    Pitch.participant_id == participant_id,
                    Pitch.status.in_((queue.PENDING, queue.QUEUED)),
                )
            )
            if (mine or 0) >= queue.MAX_WAITING_PER_PERSON:
                raise RuleError("too_many_pitches", max=queue.MAX_WAITING_PER_PERSON)
            who = self._participant(db, s.id, participant_id)
            p = Pitch(
                session_id=s.id,
                participant_id=participant_id,
                pitcher=who.name,
                organisation=who.organisation,
                title=title,
                offer=offer,
                title_alt=title_alt,
                offer_alt=offer_alt,
                status=queue.QUEUED if s.auto_accept else queue.PENDING,
                position=self._end_position(db, s),
                seconds=s.pitch_seconds,
            )
            db.add(p)
            self._touch(s)
            db.flush()
            reply = {"pitch_id": p.id, "status": p.status}
            if p.status == queue.PENDING:
                # Waiting for the moderator: only the console and the proposer see it (the
                # console's update is coalesced, like a join's).
                return Change(
                    s.id, counts=True, console=True, participants={participant_id}, reply=reply
                )
            return Change(s.id, stage=True, participants={participant_id}, reply=reply)

    def withdraw_pitch(self, session_id: int, participant_id: int, pitch_id: int) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            if p.participant_id != participant_id:
                raise RuleError("not_your_pitch")
            if p.status not in (queue.PENDING, queue.QUEUED):
                raise RuleError("pitch_started")
            pending = p.status == queue.PENDING
            db.execute(delete(Vote).where(Vote.pitch_id == p.id))
            db.delete(p)
            self._touch(s)
        if pending:  # it was on the console only (see propose_pitch)
            return Change(session_id, counts=True, console=True, participants={participant_id})
        return Change(session_id, stage=True, counts=True, participants={participant_id})

    def set_ready(self, session_id: int, participant_id: int, pitch_id: int, ready: bool) -> Change:
        """The pitcher says (or takes back) that they are ready at the stage: a waiting pitch
        of their own. Idempotent."""
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            if p.participant_id != participant_id:
                raise RuleError("not_your_pitch")
            if p.status == queue.PENDING:
                raise RuleError("ready_pending")
            if p.status != queue.QUEUED:
                raise RuleError("pitch_started")
            if (p.ready_at is not None) == ready:
                return Change(session_id)
            p.ready_at = self.clock() if ready else None
            self._touch(s)
        return Change(session_id, stage=True)

    def add_pitch(
        self,
        session_id: int,
        *,
        title: str,
        pitcher: str,
        offer: str = "",
        organisation: str = "",
        seconds: int | None = None,
        title_alt: str = "",
        offer_alt: str = "",
    ) -> Change:
        with self._moderate(session_id, "add") as step:
            s, db = step.s, step.db
            sec = self._section(db, s)
            p = Pitch(
                session_id=s.id,
                pitcher=pitcher,
                organisation=organisation,
                title=title,
                offer=offer,
                title_alt=title_alt,
                offer_alt=offer_alt,
                status=queue.QUEUED,
                position=self._end_position(db, s),
                seconds=seconds or s.pitch_seconds,
                section_id=sec.id if sec and sec.kind != schedule.PITCHES else None,
            )
            db.add(p)
            db.flush()
            step.detail = title
            return Change(s.id, stage=True, reply={"pitch_id": p.id})

    def edit_pitch(self, session_id: int, pitch_id: int, **fields) -> Change:
        with self._moderate(session_id, "edit") as step:
            s = step.s
            p = self._pitch(step.db, s, pitch_id)
            for k, v in fields.items():
                setattr(p, k, v)
            if "seconds" in fields and p.status == queue.LIVE and s.timer_state == IDLE:
                s.timer = Timer.ready(p.seconds * 1000)
            step.detail = p.title
            return Change(s.id, stage=True, participants=self._owners(p))

    def remove_pitch(self, session_id: int, pitch_id: int) -> Change:
        """Remove a pitch. It is kept hidden so that the removal can be undone."""
        with self._moderate(session_id, "remove") as step:
            s = step.s
            p = self._pitch(step.db, s, pitch_id)
            owners = self._owners(p)
            voters = set(step.db.scalars(select(Vote.participant_id).where(Vote.pitch_id == p.id)))
            step.undo = {"pitch_id": p.id, "status": p.status}
            if p.status == queue.LIVE:
                step.undo["timer"] = s.timer.to_state()
                self._end(s, p, step.now, queue.REMOVED)
            p.status = queue.REMOVED
            step.detail = p.title
        return Change(
            session_id,
            stage=True,
            counts=True,
            participants=owners | voters,
            reply={"undo": "remove"},
        )

    def accept_pitch(self, session_id: int, pitch_id: int) -> Change:
        with self._moderate(session_id, "accept") as step:
            p = self._pitch(step.db, step.s, pitch_id)
            if p.status != queue.PENDING:
                raise RuleError("not_pending")
            p.status = queue.QUEUED
            step.detail = p.title
            return Change(session_id, stage=True, participants=self._owners(p))

    def move_pitch(self, session_id: int, pitch_id: int, index: int) -> Change:
        with self._moderate(session_id, "move") as step:
            # The index is a place in the queue the console shows: this section's, without
            # the sign-ups that wait for approval.
            pitches = [p for p in self._scope(step.db, step.s) if p.status != queue.PENDING]
            by_id = {p.id: p for p in pitches}
            for pid, pos in queue.moved(pitches, pitch_id, index):
                by_id[pid].position = pos
            step.detail = f"{by_id[pitch_id].title} to {index + 1}"
            return Change(session_id, stage=True, participants=self._owners(*pitches))

    def mark_pitch(self, session_id: int, pitch_id: int, status: str) -> Change:
        with self._moderate(session_id, "mark") as step:
            s = step.s
            p = self._pitch(step.db, s, pitch_id)
            queue.check_mark(p.status, status)
            if status == queue.SKIPPED:
                step.undo = {"pitch_id": p.id, "status": p.status, "position": p.position}
                if p.status == queue.LIVE:
                    step.undo["timer"] = s.timer.to_state()
            if p.status == queue.LIVE:
                self._end(s, p, step.now, status)
            if status == queue.QUEUED and p.status != queue.PENDING:
                p.position = self._end_position(step.db, s)
                p.started_at = p.ended_at = p.spoken_ms = p.overrun_ms = p.given_ms = None
            p.status = status
            step.detail = f"{p.title}: {status}"
            return Change(
                s.id,
                stage=True,
                counts=True,
                participants=self._owners(p),
                reply={"undo": "skip"} if step.undo else {},
            )
