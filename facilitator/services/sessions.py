"""Sessions: create, find, configure, erase; the retention sweep and the moderator's log.

A session's settings are declared once in domain/settings.py (principle 10,
docs/architecture.md); a change of settings that no phone or screen shows tells the console
alone (principle 4). Erasure removes every row at once and leaves no copy in SQLite's log
(principle 6).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import queue, screen, voting
from ..domain.errors import RuleError
from ..domain.sessions import CODE_ALPHABET, CODE_LENGTH, RETENTION_DAYS, normalise_code
from ..domain.settings import CONSOLE_ONLY, DEFAULTS, LOCKED_BY_VOTES
from ..domain.timer import IDLE, Timer
from ..models import LogEntry, Pitch, Section, Session, checkpoint
from .base import Change, ServiceBase


class SessionCommands(ServiceBase):
    def create_session(
        self,
        *,
        title: str,
        sections: list[dict] | None = None,
        pitches: list[dict] | None = None,
        planned_minutes: int | None = None,
        created_by: str = "unknown",
        **settings: bool | int | str,
    ) -> tuple[str, str]:
        """Create a session; returns (join code, moderator key). `settings`: any of the declared
        settings (domain/settings.py), the others take their defaults. `planned_minutes` sets
        the agenda to start now and end that many minutes later; `created_by` records who made
        it ("operator", "start_page" or "api")."""
        unknown = set(settings) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"not a setting: {sorted(unknown)}")
        settings = {**DEFAULTS, **settings}
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(24)  # 192 bits
            try:
                with self.unit() as db:
                    s = Session(
                        code=code,
                        moderator_key=key,
                        title=title,
                        created_at=self.clock(),
                        **settings,
                        screen_mode=screen.AUTO,
                        voting=voting.NOT_STARTED,
                        revealed=False,
                        revision=0,
                        created_by=created_by,
                    )
                    s.timer = Timer.ready(s.pitch_seconds * 1000)
                    db.add(s)
                    made = [
                        Section(session=s, position=i, **sec)
                        for i, sec in enumerate(sections or [])
                    ]
                    db.add_all(made)
                    for i, p in enumerate(pitches or []):
                        p = dict(p)
                        index = p.pop("section", None)
                        db.add(
                            Pitch(
                                session=s,
                                position=i,
                                status=queue.QUEUED,
                                seconds=p.pop("seconds", s.pitch_seconds),
                                section=made[index] if index is not None else None,
                                **p,
                            )
                        )
                    if planned_minutes is not None:
                        s.planned_start = self.clock() // 60_000 * 60_000
                        s.planned_end = s.planned_start + planned_minutes * 60_000
                return code, key
            except IntegrityError:  # a code already taken: draw again
                continue
        raise RuntimeError("could not draw a free session code")

    def find_session(self, code: str) -> dict | None:
        """The session with this join code, in one read: what a route needs to decide whether
        it answers at all (its revision, whether results are revealed and the outcome
        published) before it builds anything."""
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.code == normalise_code(code)))
            return (
                None
                if s is None
                else {
                    "id": s.id,
                    "code": s.code,
                    "title": s.title,
                    "revision": s.revision or 0,
                    "revealed": bool(s.revealed),
                    "outcome_public": bool(s.outcome_public),
                }
            )

    def latest_session_code(self, created_by: str | None = None) -> str | None:
        """The newest session's code; with `created_by`, the newest made that way."""
        query = select(Session.code).order_by(Session.created_at.desc(), Session.id.desc())
        if created_by is not None:
            query = query.where(Session.created_by == created_by)
        with self.unit() as db:
            return db.scalar(query.limit(1))

    def screen_language(self, session_id: int) -> str:
        with self.unit() as db:
            return (
                db.scalar(select(Session.screen_language).where(Session.id == session_id)) or "en"
            )

    def log_rows(self, session_id: int) -> list[tuple]:
        with self.unit() as db:
            return [
                (e.at, e.action, e.detail, e.undone)
                for e in db.scalars(
                    select(LogEntry).where(LogEntry.session_id == session_id).order_by(LogEntry.id)
                )
            ]

    def update_settings(self, session_id: int, **settings) -> Change:
        with self._moderate(session_id, "settings") as step:
            s = step.s
            if any(settings.get(k, getattr(s, k)) != getattr(s, k) for k in LOCKED_BY_VOTES):
                # Ballots of one method cannot be counted under another.
                if s.voting == voting.OPEN:
                    raise RuleError("voting_open")
                if self._ballots_cast(step.db, s):
                    raise RuleError("ballots_cast")
            if settings.get("voting_round") == voting.BALLOT:
                s.rate_pitch_id = s.rate_until = None
            for k, v in settings.items():
                setattr(s, k, v)
            if (
                "pitch_seconds" in settings
                and s.timer_state == IDLE
                and queue.live(self._pitches(step.db, s)) is None
            ):
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            step.detail = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
        if set(settings) <= CONSOLE_ONLY:  # no phone or screen shows these
            return Change(session_id, console=True)
        return Change(session_id, stage=True)

    def erase_session(self, session_id: int) -> str:
        """Erase a session and everything in it (the moderator's GDPR erasure). Returns the
        code it had."""
        with self.unit() as db:
            s = self._session(db, session_id)
            code = s.code
            db.delete(s)
        return code

    def purge_expired(self, days: int = RETENTION_DAYS) -> int:
        """Erase every session created more than `days` days ago; returns how many."""
        cutoff = self.clock() - days * 86_400_000
        with self.unit() as db:
            old = list(db.scalars(select(Session).where(Session.created_at < cutoff)))
            for s in old:
                db.delete(s)
        return len(old)

    def scrub_disk(self) -> bool:
        """After an erasure: no copy of the erased rows left in SQLite's WAL (the pages are
        zeroed in the database file by secure_delete). False if a reader kept the WAL busy:
        call again a moment later."""
        return checkpoint(self.make_db.kw["bind"])
