"""Commands: one transaction each, committed before the caller acknowledges or broadcasts.

Every command returns a `Change` saying which audiences must be told (DESIGN principle 4).
Rules come from `domain`; this layer loads rows, applies the rule, stores the result.
Nothing here knows about Flask or Socket.IO.
"""
from __future__ import annotations

import hmac
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DB, sessionmaker

from .domain import queue, voting
from .domain.errors import RuleError
from .domain.timer import Timer
from .models import Participant, Pitch, Section, Session, Vote

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
SCREEN_MODES = ("auto", "lobby", "pitch", "voting", "results", "blank")
SECTION_KINDS = ("talks", "pitches", "discussion")


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:CODE_LENGTH * 2]


@dataclass
class Change:
    """What a command changed, so the broadcaster knows whom to tell."""

    session_id: int
    stage: bool = False          # everything public changed: phones, screen and console
    counts: bool = False         # only tallies / head counts: screen and console, coalesced
    participants: set = field(default_factory=set)  # personal state of these participants
    reply: dict = field(default_factory=dict)      # extra data for the sender's acknowledgement


class Service:
    def __init__(self, make_db: sessionmaker, clock: Callable[[], int] = wall_clock_ms):
        self.make_db = make_db
        self.clock = clock

    @contextmanager
    def unit(self) -> Iterator[DB]:
        """One transaction: committed on success, rolled back on any error."""
        with self.make_db.begin() as db:
            yield db

    # ----- sessions -------------------------------------------------------------------------

    def create_session(self, *, title: str, pitch_seconds: int = 120, dots_per_person: int = 3,
                       max_dots_per_pitch: int = 1, auto_accept: bool = False,
                       sections: list[dict] | None = None,
                       pitches: list[dict] | None = None) -> tuple[str, str]:
        """Create a session; returns (join code, moderator key)."""
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(24)  # 192 bits
            try:
                with self.unit() as db:
                    s = Session(code=code, moderator_key=key, title=title,
                                created_at=self.clock(), pitch_seconds=pitch_seconds,
                                dots_per_person=dots_per_person,
                                max_dots_per_pitch=max_dots_per_pitch, auto_accept=auto_accept,
                                screen_mode="auto", voting=voting.NOT_STARTED, revealed=False,
                                revision=0)
                    s.timer = Timer.ready(pitch_seconds * 1000)
                    db.add(s)
                    for i, sec in enumerate(sections or []):
                        db.add(Section(session=s, position=i, **sec))
                    for i, p in enumerate(pitches or []):
                        db.add(Pitch(session=s, position=i, status=queue.QUEUED,
                                     seconds=pitch_seconds, **p))
                return code, key
            except IntegrityError:  # a code already taken: draw again
                continue
        raise RuntimeError("could not draw a free session code")

    def find_session(self, code: str) -> dict | None:
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.code == normalise_code(code)))
            return None if s is None else {"id": s.id, "code": s.code, "title": s.title}

    def latest_session_code(self) -> str | None:
        with self.unit() as db:
            return db.scalar(select(Session.code).order_by(Session.id.desc()).limit(1))

    def moderator_key(self, code: str) -> str | None:
        with self.unit() as db:
            return db.scalar(select(Session.moderator_key).where(Session.code == code))

    def check_moderator_key(self, code: str, key: str) -> int | None:
        """The session id if `key` is the moderator key of session `code`."""
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.code == normalise_code(code)))
            if s is not None and hmac.compare_digest(s.moderator_key.encode(),
                                                     (key or "").encode()):
                return s.id
            return None

    def _session(self, db: DB, session_id: int, lock: bool = True) -> Session:
        q = select(Session).where(Session.id == session_id)
        s = db.scalar(q.with_for_update() if lock else q)
        if s is None:
            raise RuleError("unknown_session")
        return s

    def _touch(self, s: Session) -> None:
        s.revision = (s.revision or 0) + 1

    def update_settings(self, session_id: int, **settings) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            for k, v in settings.items():
                setattr(s, k, v)
            if "pitch_seconds" in settings and s.timer_state == "idle" and not self._live(db, s):
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            self._touch(s)
        return Change(session_id, stage=True)

    # ----- participants ---------------------------------------------------------------------

    def join(self, session_id: int, name: str, organisation: str) -> Change:
        """A new participant; the reply carries its id and the secret token for its cookie."""
        token = secrets.token_urlsafe(24)
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            p = Participant(session_id=s.id, token=token, name=name,
                            organisation=organisation, created_at=self.clock())
            db.add(p)
            db.flush()
            pid = p.id
        return Change(session_id, counts=True,
                      reply={"participant_id": pid, "token": token})

    def participant_by_token(self, session_id: int, token: str) -> int | None:
        if not isinstance(token, str) or not token:
            return None
        with self.unit() as db:
            return db.scalar(select(Participant.id).where(
                Participant.session_id == session_id, Participant.token == token))

    # ----- the queue ------------------------------------------------------------------------

    def _pitches(self, db: DB, s: Session) -> list[Pitch]:
        return list(db.scalars(select(Pitch).where(Pitch.session_id == s.id)))

    def _pitch(self, db: DB, s: Session, pitch_id: int) -> Pitch:
        p = db.get(Pitch, pitch_id)
        if p is None or p.session_id != s.id:
            raise RuleError("unknown_pitch")
        return p

    def _live(self, db: DB, s: Session) -> Pitch | None:
        return queue.live(self._pitches(db, s))

    def _end_position(self, db: DB, s: Session) -> int:
        return (db.scalar(select(func.max(Pitch.position)).where(Pitch.session_id == s.id))
                or 0) + 1

    def _owners(self, *pitches: Pitch) -> set:
        return {p.participant_id for p in pitches if p.participant_id}

    def propose_pitch(self, session_id: int, participant_id: int, title: str,
                      offer: str) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            mine = db.scalar(select(func.count()).select_from(Pitch).where(
                Pitch.participant_id == participant_id,
                Pitch.status.in_((queue.PENDING, queue.QUEUED))))
            if mine >= 3:
                raise RuleError("too_many_pitches", max=3)
            who = db.get(Participant, participant_id)
            p = Pitch(session_id=s.id, participant_id=participant_id, pitcher=who.name,
                      organisation=who.organisation, title=title, offer=offer,
                      status=queue.QUEUED if s.auto_accept else queue.PENDING,
                      position=self._end_position(db, s), seconds=s.pitch_seconds)
            db.add(p)
            self._touch(s)
            db.flush()
            return Change(s.id, stage=True, participants={participant_id},
                          reply={"pitch_id": p.id, "status": p.status})

    def withdraw_pitch(self, session_id: int, participant_id: int, pitch_id: int) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            if p.participant_id != participant_id:
                raise RuleError("not_your_pitch")
            if p.status not in (queue.PENDING, queue.QUEUED):
                raise RuleError("pitch_started")
            db.delete(p)
            self._touch(s)
        return Change(session_id, stage=True, participants={participant_id})

    def add_pitch(self, session_id: int, *, title: str, pitcher: str, offer: str = "",
                  organisation: str = "", seconds: int | None = None) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = Pitch(session_id=s.id, pitcher=pitcher, organisation=organisation, title=title,
                      offer=offer, status=queue.QUEUED, position=self._end_position(db, s),
                      seconds=seconds or s.pitch_seconds)
            db.add(p)
            self._touch(s)
            db.flush()
            return Change(s.id, stage=True, reply={"pitch_id": p.id})

    def edit_pitch(self, session_id: int, pitch_id: int, **fields) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            for k, v in fields.items():
                setattr(p, k, v)
            if "seconds" in fields and p.status == queue.LIVE and s.timer_state == "idle":
                s.timer = Timer.ready(p.seconds * 1000)
            self._touch(s)
            return Change(s.id, stage=True, participants=self._owners(p))

    def remove_pitch(self, session_id: int, pitch_id: int) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            owners = self._owners(p)
            voters = set(db.scalars(select(Vote.participant_id).where(Vote.pitch_id == p.id)))
            if p.status == queue.LIVE:
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            db.execute(delete(Vote).where(Vote.pitch_id == p.id))
            db.delete(p)
            self._touch(s)
        return Change(session_id, stage=True, counts=True, participants=owners | voters)

    def accept_pitch(self, session_id: int, pitch_id: int) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            if p.status != queue.PENDING:
                raise RuleError("not_pending")
            p.status = queue.QUEUED
            self._touch(s)
            return Change(s.id, stage=True, participants=self._owners(p))

    def move_pitch(self, session_id: int, pitch_id: int, index: int) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            pitches = self._pitches(db, s)
            by_id = {p.id: p for p in pitches}
            for pid, pos in queue.moved(pitches, pitch_id, index):
                by_id[pid].position = pos
            self._touch(s)
            return Change(s.id, stage=True, participants=self._owners(*pitches))

    def mark_pitch(self, session_id: int, pitch_id: int, status: str) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            p = self._pitch(db, s, pitch_id)
            queue.check_mark(p.status, status)
            now = self.clock()
            if p.status == queue.LIVE:
                p.ended_at = now
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            if status == queue.QUEUED and p.status != queue.PENDING:
                p.position = self._end_position(db, s)
            p.status = status
            self._touch(s)
            return Change(s.id, stage=True, counts=True, participants=self._owners(p))

    # ----- the stage ------------------------------------------------------------------------

    def _go_live(self, s: Session, p: Pitch, now: int) -> None:
        p.status, p.started_at, p.ended_at = queue.LIVE, now, None
        s.timer = Timer.ready(p.seconds * 1000).start(now)

    def start(self, session_id: int) -> Change:
        """Start the live pitch's timer, or bring the first queued pitch on stage and start."""
        with self.unit() as db:
            s = self._session(db, session_id)
            pitches = self._pitches(db, s)
            now = self.clock()
            current = queue.live(pitches)
            if current is None:
                nxt = queue.up_next(pitches)
                if nxt is None:
                    raise RuleError("queue_empty")
                self._go_live(s, nxt, now)
                after = queue.up_next(pitches)
                changed = self._owners(nxt) | self._owners(*([after] if after else []))
            else:
                t = s.timer
                s.timer = t.resume(now) if t.state == "paused" else t.start(now)
                if current.started_at is None:
                    current.started_at = now
                changed = self._owners(current)
            self._touch(s)
        return Change(session_id, stage=True, participants=changed)

    def _timer_command(self, session_id: int, apply: Callable[[Timer, int, Pitch], Timer]
                       ) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            current = self._live(db, s)
            if current is None:
                raise RuleError("no_live_pitch")
            s.timer = apply(s.timer, self.clock(), current)
            self._touch(s)
        return Change(session_id, stage=True)

    def pause(self, session_id: int) -> Change:
        return self._timer_command(session_id, lambda t, now, _p: t.pause(now))

    def resume(self, session_id: int) -> Change:
        return self._timer_command(session_id, lambda t, now, _p: t.resume(now))

    def adjust(self, session_id: int, seconds: int) -> Change:
        return self._timer_command(session_id,
                                   lambda t, now, _p: t.adjust(seconds * 1000, now))

    def reset(self, session_id: int) -> Change:
        return self._timer_command(session_id,
                                   lambda t, now, p: t.reset(p.seconds * 1000))

    def next(self, session_id: int) -> Change:
        """End the live pitch (done) and start the first queued one, if any."""
        with self.unit() as db:
            s = self._session(db, session_id)
            pitches = self._pitches(db, s)
            now = self.clock()
            current = queue.live(pitches)
            nxt = queue.up_next(pitches)
            if current is None and nxt is None:
                raise RuleError("queue_empty")
            changed = set()
            if current is not None:
                current.status, current.ended_at = queue.DONE, now
                changed |= self._owners(current)
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            if nxt is not None:
                self._go_live(s, nxt, now)
                after = queue.up_next(pitches)
                changed |= self._owners(nxt, *([after] if after else []))
            self._touch(s)
            return Change(s.id, stage=True, counts=True, participants=changed,
                          reply={"live": nxt.id if nxt else None})

    def set_screen_mode(self, session_id: int, mode: str) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            s.screen_mode = mode
            self._touch(s)
        return Change(session_id, stage=True)

    def set_section(self, session_id: int, section_id: int | None) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            if section_id is not None:
                sec = db.get(Section, section_id)
                if sec is None or sec.session_id != s.id:
                    raise RuleError("unknown_section")
            s.current_section_id = section_id
            self._touch(s)
        return Change(session_id, stage=True)

    # ----- voting ---------------------------------------------------------------------------

    def set_voting(self, session_id: int, open_: bool) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            target = voting.OPEN if open_ else voting.CLOSED
            if s.voting == target or (not open_ and s.voting == voting.NOT_STARTED):
                raise RuleError("voting_already_" + ("open" if open_ else "closed"))
            s.voting = target
            if open_:
                s.revealed = False
            self._touch(s)
        return Change(session_id, stage=True, counts=True)

    def reveal(self, session_id: int, revealed: bool) -> Change:
        with self.unit() as db:
            s = self._session(db, session_id)
            if revealed and s.voting == voting.NOT_STARTED:
                raise RuleError("nothing_to_reveal")
            s.revealed = revealed
            self._touch(s)
        return Change(session_id, stage=True)

    def set_dots(self, session_id: int, participant_id: int, pitch_id: int, dots: int) -> Change:
        """Put `dots` of the participant's dots on a pitch (0 takes them off). Idempotent.

        Votes do not bump the session revision: they change tallies, not the stage."""
        for attempt in range(3):
            try:
                self._set_dots(session_id, participant_id, pitch_id, dots)
                break
            except IntegrityError:
                # The same vote raced in from another connection (another process): the
                # unique constraint kept one row; apply ours again on top of it.
                if attempt == 2:
                    raise RuleError("busy")
        return Change(session_id, counts=True, participants={participant_id})

    def _set_dots(self, session_id: int, participant_id: int, pitch_id: int, dots: int) -> None:
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            pitches = self._pitches(db, s)
            votable = {p.id for p in pitches if p.status in queue.VOTABLE}
            own = {p.id for p in pitches if p.participant_id == participant_id}
            rows = {v.pitch_id: v for v in db.scalars(
                select(Vote).where(Vote.participant_id == participant_id))}
            voting.check_dots(
                rules=voting.DotRules(s.dots_per_person, s.max_dots_per_pitch), voting=s.voting,
                ballot={pid: v.dots for pid, v in rows.items()}, pitch_id=pitch_id, dots=dots,
                votable=votable, own=own)
            row = rows.get(pitch_id)
            if dots == 0 and row is not None:
                db.delete(row)
            elif dots > 0 and row is None:
                db.add(Vote(session_id=s.id, participant_id=participant_id, pitch_id=pitch_id,
                            dots=dots))
            elif row is not None:
                row.dots = dots
