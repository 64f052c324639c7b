"""The agenda: its planned start and end, its sections (pitches, talks, ...), moving from one
section to the next, and fitting the waiting pitches into the time left.

Time-of-day rules and section kinds are domain/schedule.py's (principle 10,
docs/architecture.md).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DB

from ..domain import queue, schedule, screen
from ..domain.errors import RuleError
from ..models import Section, Session
from .base import Change, ServiceBase, local_midnight_ms


class AgendaCommands(ServiceBase):
    def set_agenda(self, session_id: int, start: str | None, end: str | None) -> Change:
        """Start and end time of day ("09:50"), on the day they are set, server local time."""
        start_min = schedule.parse_time_of_day(start) if start else None
        end_min = schedule.parse_time_of_day(end) if end else None
        schedule.check_agenda(start_min, end_min)
        with self._moderate(session_id, "agenda") as step:
            midnight = local_midnight_ms(step.now)
            step.s.planned_start = None if start_min is None else midnight + start_min * 60_000
            step.s.planned_end = None if end_min is None else midnight + end_min * 60_000
            step.detail = f"{start or '-'} to {end or '-'}"
        return Change(session_id, console=True)  # the planned times are the console's only

    def _get_section(self, db: DB, s: Session, section_id: int) -> Section:
        sec = db.get(Section, section_id)
        if sec is None or sec.session_id != s.id:
            raise RuleError("unknown_section")
        return sec

    def set_section(self, session_id: int, section_id: int | None) -> Change:
        """Move to another part of the agenda: the old one ends, the new one starts now."""
        with self._moderate(session_id, "section") as step:
            s, db, now = step.s, step.db, step.now
            new = self._get_section(db, s, section_id) if section_id is not None else None
            old = self._section(db, s)
            live = queue.live(self._pitches(db, s))
            if live is not None and new is not old:
                # At most one pitch is live: leaving a section ends what is on stage.
                self._end(s, live, now, queue.DONE)
            if old is not None and old is not new:
                old.ended_at = now
            if new is not None and new is not old:
                sections = sorted(self._sections(db, s), key=lambda x: (x.position, x.id))
                if s.planned_start is None and not any(x.started_at for x in sections):
                    # An agenda without a start time is placed when its first section starts:
                    # so that this section starts on time (the ones before it, skipped, would
                    # have come before).
                    before = sections[: sections.index(new)]
                    s.planned_start = now - sum(x.minutes for x in before) * 60_000
                    if s.planned_end is None:
                        total = sum(x.minutes for x in sections)
                        s.planned_end = s.planned_start + total * 60_000
                new.started_at, new.ended_at = now, None
                s.card_until = now + screen.CARD_MS
            s.current_section_id = section_id
            step.detail = new.title if new else "-"
        return Change(session_id, stage=True, counts=True, participants=self._owners(live))

    def add_section(self, session_id: int, title: str, kind: str, minutes: int) -> Change:
        with self._moderate(session_id, "add section") as step:
            last = step.db.scalar(
                select(func.max(Section.position)).where(Section.session_id == step.s.id)
            )
            step.db.add(
                Section(
                    session_id=step.s.id,
                    position=(last or 0) + 1,
                    title=title,
                    kind=kind,
                    minutes=minutes,
                )
            )
            step.detail = title
        return Change(session_id, stage=True)

    def edit_section(self, session_id: int, section_id: int, **fields) -> Change:
        with self._moderate(session_id, "edit section") as step:
            sec = self._get_section(step.db, step.s, section_id)
            for k, v in fields.items():
                setattr(sec, k, v)
            step.detail = sec.title
        return Change(session_id, stage=True)

    def remove_section(self, session_id: int, section_id: int) -> Change:
        with self._moderate(session_id, "remove section") as step:
            sec = self._get_section(step.db, step.s, section_id)
            if step.s.current_section_id == sec.id:
                raise RuleError("section_in_use")
            step.detail = sec.title
            step.db.delete(sec)
        return Change(session_id, stage=True)

    def fit(self, session_id: int, seconds: int) -> Change:
        """Give every waiting pitch of the current section the same length (the moderator's
        confirmation of a fit proposal). Never below the floor."""
        with self._moderate(session_id, "fit") as step:
            s = step.s
            if seconds < s.fit_floor_seconds:
                raise RuleError("below_floor", floor=s.fit_floor_seconds)
            waiting = [p for p in self._scope(step.db, s) if p.status == queue.QUEUED]
            if not waiting:
                raise RuleError("queue_empty")
            for p in waiting:
                p.seconds = seconds
            step.detail = f"{len(waiting)} pitches to {seconds}s"
        return Change(session_id, stage=True)
