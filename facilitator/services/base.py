"""What every command shares: the unit of work, `Change`, the moderator step and the loaders.

A command is one transaction (`unit`), committed before the caller acknowledges or broadcasts
(principle 1, docs/architecture.md), and returns a `Change` saying which audiences must be told
(principle 4). Rules come from `domain/`; this layer loads rows, applies the rule and stores
the result, and knows nothing of Flask or Socket.IO (principle 3). The capability modules beside
this one (`sessions`, `access`, `people`, `queue`, `stage`, `agenda`, `voting`, `followup`,
`outcome`, `undo`) each add their commands to `ServiceBase` as a mixin; `Service`
(services/__init__.py) is all of them together.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DB
from sqlalchemy.orm import sessionmaker

from ..domain import queue, voting
from ..domain.errors import RuleError
from ..domain.timer import Timer
from ..models import LogEntry, Participant, Pitch, Rating, Section, Session, Vote

ANY: Any = object()  # "no expectation" for commands that may name the pitch they saw live
T = TypeVar("T")


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


def local_midnight_ms(now_ms: int) -> int:
    """Epoch ms of the start of the local day that contains `now_ms` (the laptop's zone)."""
    t = time.localtime(now_ms / 1000)
    return int(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1)) * 1000)


def chunks(ids: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def retry_race(apply: Callable[[], T]) -> T:
    """Apply an idempotent ballot change and return what it returns; when the same change
    raced in from another connection, the unique constraint kept one row: apply ours again on
    top of it (three tries, then `busy`)."""
    for _attempt in range(3):
        try:
            return apply()
        except IntegrityError:
            continue
    raise RuleError("busy")


@dataclass
class Change:
    """What a command changed, so the broadcaster knows whom to tell."""

    session_id: int
    stage: bool = False  # everything public changed: phones, screen and console
    counts: bool = False  # only tallies / head counts: screen and console, coalesced
    console: bool = False  # the moderator's view changed (with counts: coalesced too)
    participants: set[int] = field(default_factory=set)  # personal state of these participants
    echo: int | None = None  # the reply is this participant's new state: their other pages
    reply: dict = field(default_factory=dict)  # extra data for the sender's acknowledgement


@dataclass
class Step:
    """The working state of one moderator command."""

    db: DB
    s: Session
    now: int
    detail: str = ""
    undo: dict | None = None


class ServiceBase:
    """The unit of work and the loaders every capability uses."""

    def __init__(self, make_db: sessionmaker, facts, clock: Callable[[], int] = wall_clock_ms):
        self.make_db = make_db
        self.facts = facts  # ballots.FactsCache: what the queue says about ballots
        self.clock = clock

    @contextmanager
    def unit(self) -> Iterator[DB]:
        """One transaction: committed on success, rolled back on any error."""
        with self.make_db.begin() as db:
            yield db

    def _session(self, db: DB, session_id: int, lock: bool = True) -> Session:
        q = select(Session).where(Session.id == session_id)
        s = db.scalar(q.with_for_update() if lock else q)
        if s is None:
            raise RuleError("unknown_session")
        return s

    def _touch(self, s: Session) -> None:
        s.revision = (s.revision or 0) + 1

    # ----- moderator commands: one transaction, logged, optionally undoable -----------------

    @contextmanager
    def _moderate(self, session_id: int, action: str) -> Iterator[Step]:
        """A moderator command: lock the session, run, bump the revision, log the action."""
        with self.unit() as db:
            s = self._session(db, session_id)
            step = Step(db, s, self.clock())
            yield step
            self._touch(s)
            db.add(
                LogEntry(
                    session_id=s.id,
                    at=step.now,
                    action=action,
                    detail=step.detail,
                    undo=json.dumps(step.undo) if step.undo else None,
                )
            )

    # ----- loaders --------------------------------------------------------------------------

    def _participant(
        self, db: DB, session_id: int, participant_id: int, missing: str = "not_joined"
    ) -> Participant:
        """A participant of this session who has not deleted themselves, else `missing`."""
        p = db.get(Participant, participant_id)
        if p is None or p.session_id != session_id or p.deleted_at is not None:
            raise RuleError(missing)
        return p

    def _pitches(self, db: DB, s: Session) -> list[Pitch]:
        """Every visible pitch of the session (removed ones are kept only for undo)."""
        return list(
            db.scalars(select(Pitch).where(Pitch.session_id == s.id, Pitch.status != queue.REMOVED))
        )

    def _section(self, db: DB, s: Session) -> Section | None:
        return db.get(Section, s.current_section_id) if s.current_section_id else None

    def _sections(self, db: DB, s: Session) -> list[Section]:
        return list(db.scalars(select(Section).where(Section.session_id == s.id)))

    def _scope(self, db: DB, s: Session) -> list[Pitch]:
        """The queue of the current section: what start and next draw from."""
        sec = self._section(db, s)
        return queue.in_section(
            self._pitches(db, s), sec.id if sec else None, sec.kind if sec else None
        )

    def _pitch(self, db: DB, s: Session, pitch_id: int) -> Pitch:
        p = db.get(Pitch, pitch_id)
        if p is None or p.session_id != s.id or p.status == queue.REMOVED:
            raise RuleError("unknown_pitch")
        return p

    def _end_position(self, db: DB, s: Session) -> int:
        return (
            db.scalar(select(func.max(Pitch.position)).where(Pitch.session_id == s.id)) or 0
        ) + 1

    def _owners(self, *pitches: Pitch | None) -> set:
        return {p.participant_id for p in pitches if p is not None and p.participant_id}

    def _ballots_cast(self, db: DB, s: Session) -> bool:
        return any(
            db.scalar(select(func.count()).select_from(t).where(t.session_id == s.id))
            for t in (Vote, Rating)
        )

    # ----- the one stage transition several capabilities make -------------------------------

    def _end(self, s: Session, p: Pitch, now: int, status: str) -> None:
        """Take the live pitch off stage, recording how long it ran and any overrun. With a
        rating window after each pitch, the room is asked to rate it now."""
        t = s.timer
        if status == queue.DONE and s.voting_round == voting.PER_PITCH and s.voting == voting.OPEN:
            s.rate_pitch_id, s.rate_until = p.id, now + s.rating_window_seconds * 1000
        p.status, p.ended_at = status, now
        p.spoken_ms = max(0, t.total_ms - t.remaining(now))
        p.overrun_ms = max(0, -t.remaining(now))
        p.given_ms = t.total_ms  # planned plus the moderator's changes (domain/timing.py)
        s.timer = Timer.ready(s.pitch_seconds * 1000)
        s.pitcher_message = ""
