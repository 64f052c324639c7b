"""Commands: one transaction each, committed before the caller acknowledges or broadcasts.

Every command returns a `Change` saying which audiences must be told (DESIGN principle 4).
Rules come from `domain`; this layer loads rows, applies the rule, stores the result.
Nothing here knows about Flask or Socket.IO.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DB
from sqlalchemy.orm import sessionmaker

from .domain import queue, schedule, screen, voting
from .domain.errors import RuleError
from .domain.settings import DEFAULTS, LOCKED_BY_VOTES
from .domain.timer import Timer
from .models import (
    Commitment,
    Interest,
    LogEntry,
    Participant,
    Pitch,
    Rating,
    Section,
    Session,
    Vote,
    checkpoint,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
RETENTION_DAYS = 30  # a session and everything in it is erased this long after it was created
# Settings that no phone or screen shows, not even through the stage's mode, method or round
# (domain/settings.py: neither public nor read by the stage snapshot): changing only these
# sends nothing to phones or screens.
CONSOLE_ONLY_SETTINGS = frozenset(
    {"auto_accept", "changeover_seconds", "fit_floor_seconds", "rating_window_seconds"}
)


UNDO_SECONDS = 30
ANY = object()
T = TypeVar("T")  # "no expectation" for commands that may name the pitch they saw live


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


def local_midnight_ms(now_ms: int) -> int:
    """Epoch ms of the start of the local day that contains `now_ms` (the laptop's zone)."""
    t = time.localtime(now_ms / 1000)
    return int(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1)) * 1000)


def _chunks(ids: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[: CODE_LENGTH * 2]


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
    participants: set = field(default_factory=set)  # personal state of these participants
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


class Service:
    def __init__(self, make_db: sessionmaker, facts, clock: Callable[[], int] = wall_clock_ms):
        self.make_db = make_db
        self.facts = facts  # ballots.FactsCache: what the queue says about ballots
        self.clock = clock

    @contextmanager
    def unit(self) -> Iterator[DB]:
        """One transaction: committed on success, rolled back on any error."""
        with self.make_db.begin() as db:
            yield db

    # ----- sessions -------------------------------------------------------------------------

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

    def moderator_key(self, code: str) -> str | None:
        with self.unit() as db:
            return db.scalar(select(Session.moderator_key).where(Session.code == code))

    def check_moderator_key(self, code: str, key: str) -> int | None:
        """The session id if `key` is the moderator key of session `code`."""
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.code == normalise_code(code)))
            if s is not None and hmac.compare_digest(
                s.moderator_key.encode(), (key or "").encode()
            ):
                return s.id
            return None

    def rotate_moderator_key(self, session_id: int) -> str:
        """Draw a new moderator key: the old console link and every grant made from it stop
        working at once. Returns the new key."""
        key = secrets.token_urlsafe(24)
        with self._moderate(session_id, "new_console_link") as step:
            step.s.moderator_key = key
        return key

    def identity_error(
        self,
        session_id: int,
        code: str,
        participant_id: int | None = None,
        token: str | None = None,
        key: str | None = None,
    ) -> str | None:
        """Whether a connection's identity still holds: its session still exists under the
        same join code, and (for a phone) its participant is still in it with the same secret
        token, (for a console) the moderator key is still the one it proved. None if it
        holds, else the error code to refuse with. One read, by primary key."""
        with self.unit() as db:
            row = db.execute(
                select(
                    Session.code, Session.moderator_key, Participant.token, Participant.deleted_at
                )
                .select_from(Session)
                .outerjoin(
                    Participant,
                    (Participant.id == (participant_id or 0))
                    & (Participant.session_id == Session.id),
                )
                .where(Session.id == session_id)
            ).first()
        if row is None or row.code != code:
            return "unknown_session"
        if key is not None and not hmac.compare_digest(row.moderator_key.encode(), key.encode()):
            return "forbidden"
        if participant_id is not None and (
            row.token is None
            or row.deleted_at is not None
            or token is None
            or not hmac.compare_digest(row.token.encode(), token.encode())
        ):
            return "not_joined"
        return None

    def identities_gone(self, conns: dict) -> set:
        """Of `conns` (socket id -> (session id, code, participant id, token, key)), the socket
        ids whose identity no longer holds (see identity_error), in a few reads for all of
        them: the sweep of one process's open sockets."""
        sessions, people = {}, {}
        session_ids = sorted({c[0] for c in conns.values()})
        participant_ids = sorted({c[2] for c in conns.values() if c[2] is not None})
        with self.unit() as db:
            for chunk in _chunks(session_ids):
                sessions.update(
                    (sid, (code, key))
                    for sid, code, key in db.execute(
                        select(Session.id, Session.code, Session.moderator_key).where(
                            Session.id.in_(chunk)
                        )
                    )
                )
            for chunk in _chunks(participant_ids):
                people.update(
                    (pid, (sid, token))
                    for pid, sid, token in db.execute(
                        select(Participant.id, Participant.session_id, Participant.token).where(
                            Participant.id.in_(chunk), Participant.deleted_at.is_(None)
                        )
                    )
                )
        gone = set()
        for sock, (sid, code, pid, token, key) in conns.items():
            found = sessions.get(sid)
            if found is None or found[0] != code or (key is not None and found[1] != key):
                gone.add(sock)
            elif pid is not None and people.get(pid) != (sid, token):
                gone.add(sock)
        return gone

    def scrub_disk(self) -> bool:
        """After an erasure: no copy of the erased rows left in SQLite's WAL (the pages are
        zeroed in the database file by secure_delete). False if a reader kept the WAL busy:
        call again a moment later."""
        return checkpoint(self.make_db.kw["bind"])

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

    def _session(self, db: DB, session_id: int, lock: bool = True) -> Session:
        q = select(Session).where(Session.id == session_id)
        s = db.scalar(q.with_for_update() if lock else q)
        if s is None:
            raise RuleError("unknown_session")
        return s

    def _touch(self, s: Session) -> None:
        s.revision = (s.revision or 0) + 1

    # ----- participants ---------------------------------------------------------------------

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

    def participant_by_token(self, session_id: int, token: str) -> int | None:
        if not isinstance(token, str) or not token:
            return None
        with self.unit() as db:
            return db.scalar(
                select(Participant.id).where(
                    Participant.session_id == session_id,
                    Participant.token == token,
                    Participant.deleted_at.is_(None),
                )
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

    def _participant(
        self, db: DB, session_id: int, participant_id: int, missing: str = "not_joined"
    ) -> Participant:
        """A participant of this session who has not deleted themselves, else `missing`."""
        p = db.get(Participant, participant_id)
        if p is None or p.session_id != session_id or p.deleted_at is not None:
            raise RuleError(missing)
        return p

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

    def _pitches(self, db: DB, s: Session) -> list[Pitch]:
        """Every visible pitch of the session (removed ones are kept only for undo)."""
        return list(
            db.scalars(select(Pitch).where(Pitch.session_id == s.id, Pitch.status != queue.REMOVED))
        )

    def _talk_sections(self, db: DB, s: Session) -> set:
        return set(
            db.scalars(
                select(Section.id).where(Section.session_id == s.id, Section.kind == "talks")
            )
        )

    def _section(self, db: DB, s: Session) -> Section | None:
        return db.get(Section, s.current_section_id) if s.current_section_id else None

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
                and s.timer_state == "idle"
                and queue.live(self._pitches(step.db, s)) is None
            ):
                s.timer = Timer.ready(s.pitch_seconds * 1000)
            step.detail = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
        if set(settings) <= CONSOLE_ONLY_SETTINGS:  # no phone or screen shows these
            return Change(session_id, console=True)
        return Change(session_id, stage=True)

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

    # ----- the queue ------------------------------------------------------------------------

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
            if mine >= 3:
                raise RuleError("too_many_pitches", max=3)
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
            if "seconds" in fields and p.status == queue.LIVE and s.timer_state == "idle":
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
                p.started_at = p.ended_at = p.spoken_ms = p.overrun_ms = None
            p.status = status
            step.detail = f"{p.title}: {status}"
            return Change(
                s.id,
                stage=True,
                counts=True,
                participants=self._owners(p),
                reply={"undo": "skip"} if step.undo else {},
            )

    # ----- the stage ------------------------------------------------------------------------

    def _go_live(self, s: Session, p: Pitch, now: int) -> None:
        p.status, p.started_at, p.ended_at = queue.LIVE, now, None
        p.spoken_ms = p.overrun_ms = None
        s.timer = Timer.ready(p.seconds * 1000).start(now)
        s.pitcher_message = ""

    def _end(self, s: Session, p: Pitch, now: int, status: str) -> None:
        """Take the live pitch off stage, recording how long it ran and any overrun. With a
        rating window after each pitch, the room is asked to rate it now."""
        t = s.timer
        if status == queue.DONE and s.voting_round == voting.PER_PITCH and s.voting == voting.OPEN:
            s.rate_pitch_id, s.rate_until = p.id, now + s.rating_window_seconds * 1000
        p.status, p.ended_at = status, now
        p.spoken_ms = max(0, t.total_ms - t.remaining(now))
        p.overrun_ms = max(0, -t.remaining(now))
        s.timer = Timer.ready(s.pitch_seconds * 1000)
        s.pitcher_message = ""

    def _check_expect(self, live: Pitch | None, expect: int | None | object) -> None:
        """Two consoles pressing at once: a command that names the pitch it saw live is
        refused if the stage has moved on since (so two "next" never skip a pitch)."""
        if expect is not ANY and (live.id if live else None) != expect:
            raise RuleError("stage_changed")

    def start(self, session_id: int, expect: int | None | object = ANY) -> Change:
        """Start the live pitch's timer, or bring the first queued pitch on stage and start."""
        with self._moderate(session_id, "start") as step:
            s, now = step.s, step.now
            pitches = self._scope(step.db, s)
            current = queue.live(pitches)
            self._check_expect(current, expect)
            if current is None:
                nxt = queue.up_next(pitches)
                if nxt is None:
                    raise RuleError("queue_empty")
                self._go_live(s, nxt, now)
                changed = self._owners(nxt, queue.up_next(pitches))
                step.detail = nxt.title
            else:
                t = s.timer
                s.timer = t.resume(now) if t.state == "paused" else t.start(now)
                changed = self._owners(current)
                step.detail = current.title
        return Change(session_id, stage=True, participants=changed)

    def _timer_command(
        self,
        session_id: int,
        action: str,
        apply: Callable[[Timer, int, Pitch], Timer],
        undoable: bool = False,
    ) -> Change:
        with self._moderate(session_id, action) as step:
            s = step.s
            current = queue.live(self._pitches(step.db, s))
            if current is None:
                raise RuleError("no_live_pitch")
            if undoable:
                step.undo = {"pitch_id": current.id, "timer": s.timer.to_state()}
            s.timer = apply(s.timer, step.now, current)
            step.detail = current.title
        return Change(session_id, stage=True, reply={"undo": action} if undoable else {})

    def pause(self, session_id: int) -> Change:
        return self._timer_command(session_id, "pause", lambda t, now, _p: t.pause(now))

    def resume(self, session_id: int) -> Change:
        return self._timer_command(session_id, "resume", lambda t, now, _p: t.resume(now))

    def adjust(self, session_id: int, seconds: int) -> Change:
        return self._timer_command(
            session_id, f"adjust {seconds:+d}s", lambda t, now, _p: t.adjust(seconds * 1000, now)
        )

    def reset(self, session_id: int) -> Change:
        return self._timer_command(
            session_id, "reset", lambda t, now, p: t.reset(p.seconds * 1000), undoable=True
        )

    def next(
        self, session_id: int, expect: int | None | object = ANY, action: str = "next"
    ) -> Change:
        """End the live pitch (done) and start the first queued one, if any."""
        with self._moderate(session_id, action) as step:
            s, now = step.s, step.now
            pitches = self._scope(step.db, s)
            current = queue.live(pitches)
            self._check_expect(current, expect)
            nxt = queue.up_next(pitches)
            if current is None and nxt is None:
                raise RuleError("queue_empty")
            if current is not None:
                self._end(s, current, now, queue.DONE)
            if nxt is not None:
                self._go_live(s, nxt, now)
            step.detail = " -> ".join(p.title if p else "-" for p in (current, nxt))
            return Change(
                s.id,
                stage=True,
                counts=True,
                participants=self._owners(current, nxt, queue.up_next(pitches)),
                reply={"live": nxt.id if nxt else None},
            )

    def overrun_deadline(self, session_id: int) -> tuple[int, int] | None:
        """(moment, live pitch id) at which the overrun policy moves on by itself, if any."""
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            if s.timer_state != "running":
                return None
            live = queue.live(self._pitches(db, s))
            due = schedule.overrun_due(
                s.overrun_policy, s.timer_ends_at, s.overrun_grace_seconds * 1000
            )
            return None if live is None or due is None else (due, live.id)

    def auto_next(self, session_id: int, pitch_id: int) -> Change | None:
        """The timekeeper's wake-up. Idempotent: does nothing unless the same pitch is still
        live and past its grace period (another process or a moderator may have moved on)."""
        found = self.overrun_deadline(session_id)
        if found is None or found[1] != pitch_id or found[0] > self.clock():
            return None
        try:
            return self.next(session_id, expect=pitch_id, action="auto next")
        except RuleError:
            return None

    def _ballots_cast(self, db: DB, s: Session) -> bool:
        return any(
            db.scalar(select(func.count()).select_from(t).where(t.session_id == s.id))
            for t in (Vote, Rating)
        )

    def sessions_with_running_timers(self) -> list[int]:
        with self.unit() as db:
            return list(db.scalars(select(Session.id).where(Session.timer_state == "running")))

    def set_screen_mode(self, session_id: int, mode: str) -> Change:
        with self._moderate(session_id, "screen") as step:
            step.s.screen_mode = step.detail = mode
        return Change(session_id, stage=True)

    def cue(self, session_id: int, target: str, text: str) -> Change:
        """A short message, shown large on the screen or on the live pitcher's phone only."""
        with self._moderate(session_id, f"cue {target}") as step:
            s = step.s
            live = queue.live(self._pitches(step.db, s))
            if target == "pitcher":
                if live is None:
                    raise RuleError("no_live_pitch")
                s.pitcher_message = text
                step.detail = text
                return Change(session_id, console=True, participants=self._owners(live))
            s.screen_message = step.detail = text
        return Change(session_id, stage=True)

    # ----- the agenda -----------------------------------------------------------------------

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
                new.started_at, new.ended_at = now, None
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

    # ----- voting ---------------------------------------------------------------------------

    def set_voting(self, session_id: int, open_: bool) -> Change:
        with self._moderate(session_id, "open voting" if open_ else "close voting") as step:
            s = step.s
            target = voting.OPEN if open_ else voting.CLOSED
            if s.voting == target or (not open_ and s.voting == voting.NOT_STARTED):
                raise RuleError("voting_already_" + ("open" if open_ else "closed"))
            if not open_:
                step.undo = {"voting": s.voting, "revealed": s.revealed}
            s.voting = target
            if open_:
                s.revealed = False
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
        return Change(session_id, stage=True)

    # ----- undo -----------------------------------------------------------------------------

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
            data = json.loads(entry.undo)
            changed = set()
            if "voting" in data:
                s.voting, s.revealed = data["voting"], data["revealed"]
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
                        p.ended_at = p.spoken_ms = p.overrun_ms = None
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

    # ----- ratings (dots and approval marks: ballots.py) -------------------------------------

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

    # ----- follow-up ------------------------------------------------------------------------

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

    # ----- commitments and the outcome ------------------------------------------------------

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
