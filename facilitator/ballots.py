"""Dots and approval marks, written in batches (the vote burst's path; principle 5,
docs/architecture.md).

A vote changes one row, but checking it needs the session's round, the pitches open for votes,
whose pitches they are and the voter's ballot. `QueueFacts` (what the queue says about
ballots) are read once per session revision and shared with the snapshots; a vote does not bump
the revision. `Ballots.set_dots` hands the vote to a `GroupCommit`: the votes that arrive
together are checked in arrival order against one read of their voters' ballots and written in
one transaction (SQLAlchemy Core, no ORM objects), and each caller gets its own answer after
the commit: the voter's new ballot, or the rule it broke. Nothing here knows about Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DB

from .batching import GroupCommit
from .domain import voting
from .domain.errors import IdentityGone, RuleError
from .domain.voting import DotRules
from .models import Participant, Session, Vote
from .services import Change, retry_race

# The mapped classes' tables (typed as Table: the ORM's declarations always make one).
SESSIONS = cast(Table, Session.__table__)
PARTICIPANTS = cast(Table, Participant.__table__)
VOTES = cast(Table, Vote.__table__)


class QueueFacts(NamedTuple):
    """What the queue says about ballots at one session revision."""

    open_ids: frozenset  # pitches a ballot may mark now
    own: dict  # participant id -> their pitches (as the snapshots show them)
    live_owners: frozenset  # participants whose pitch is live


class FactsCache:
    """`QueueFacts` per session, read again only when the session's revision moves: every
    command that changes pitches, sections or the voting round bumps it, a vote does not. The
    code is in the key because an erased session's id can be given to a new one. A miss reads
    through the caller's own database session (a second connection per caller could exhaust
    the pool when many callers miss at once)."""

    def __init__(self, read: Callable[[DB, int], tuple[tuple, QueueFacts]]):
        self.read = read  # (db, session id) -> ((code, revision), facts)
        self._facts: dict[int, tuple[tuple, QueueFacts]] = {}

    def get(self, db: DB, session_id: int, code: str, revision: int) -> QueueFacts:
        hit = self._facts.get(session_id)
        if hit is not None and hit[0] == (code, revision):
            return hit[1]
        key, facts = self.read(db, session_id)
        self._facts[session_id] = (key, facts)
        return facts

    @staticmethod
    def own_ids(facts: QueueFacts, participant_id: int) -> set:
        return {p["id"] for p in facts.own.get(participant_id, ())}


def ballot_reply(rules: voting.DotRules, ballot: dict, open_ids) -> dict:
    """A participant's dots as their phone shows them (in `me`, and in a vote's reply)."""
    return {
        "ballot": {str(k): n for k, n in ballot.items() if k in open_ids},
        "dots_left": voting.dots_left(rules, ballot, open_ids),
    }


@dataclass(frozen=True)
class DotVote:
    session_id: int
    participant_id: int
    pitch_id: int
    dots: int
    # The voter's proof (from their connection): the session's join code and their secret
    # token, checked in the batch's own reads. None: already checked by the caller.
    code: str | None = None
    token: str | None = None


@dataclass
class _Round:
    """One session's part of a batch: its rules, its voters' ballots before and after."""

    voting: str
    rules: DotRules
    facts: QueueFacts
    code: str = ""
    tokens: dict = field(default_factory=dict)  # participant -> secret token
    before: dict = field(default_factory=dict)  # participant -> {pitch: (row id, dots)}
    after: dict = field(default_factory=dict)  # participant -> {pitch: dots}


class Ballots:
    def __init__(
        self, engine: Engine, facts: FactsCache, make_event: Callable, pause: Callable[[], None]
    ):
        self.engine, self.facts = engine, facts
        self.group = GroupCommit(self._write_with_retry, make_event, pause)

    def set_dots(
        self,
        session_id: int,
        participant_id: int,
        pitch_id: int,
        dots: int,
        code: str | None = None,
        token: str | None = None,
    ) -> Change:
        """Put `dots` of the participant's dots on a pitch (0 takes them off). Idempotent.
        Acknowledged with the new ballot, which the person's other pages get too. With
        `code` and `token`, refused with IdentityGone unless the session still has that code
        and the participant that token."""
        result = self.group.submit(DotVote(session_id, participant_id, pitch_id, dots, code, token))
        if isinstance(result, Exception):
            raise result
        return Change(session_id, counts=True, reply=result, echo=participant_id)

    def _write_with_retry(self, votes: Sequence[DotVote]) -> list:
        """A row another process inserted meanwhile breaks the unique constraint: read the
        ballots again and apply the batch on top (the same rule as one vote at a time)."""
        try:
            return retry_race(lambda: self.write(votes))
        except RuleError as err:
            return [err] * len(votes)

    def write(self, votes: Sequence[DotVote]) -> list:
        """Check each vote in arrival order and store the batch: one transaction."""
        results: list = []
        with self.engine.begin() as conn:
            rounds = {
                sid: self._round(
                    conn, sid, {v.participant_id for v in votes if v.session_id == sid}
                )
                for sid in {v.session_id for v in votes}
            }
            for v in votes:
                results.append(self._apply(rounds[v.session_id], v))
            for sid, r in rounds.items():
                if not isinstance(r, RuleError):
                    self._store(conn, sid, r)
        return results

    def _round(self, conn, session_id: int, voters: set) -> _Round | RuleError:
        # The session row is locked (PostgreSQL): ballots of a session change one batch at a
        # time across processes, and never while the moderator closes the round.
        s = conn.execute(
            select(
                SESSIONS.c.code,
                SESSIONS.c.revision,
                SESSIONS.c.voting,
                SESSIONS.c.voting_method,
                SESSIONS.c.dots_per_person,
                SESSIONS.c.max_dots_per_pitch,
            )
            .where(SESSIONS.c.id == session_id)
            .with_for_update()
        ).first()
        if s is None:
            return IdentityGone("unknown_session")
        if s.voting_method == voting.MATRIX:
            return RuleError("wrong_method")
        with DB(bind=conn) as db:  # in this transaction (closing it leaves the transaction)
            facts = self.facts.get(db, session_id, s.code, s.revision or 0)
        r = _Round(
            s.voting,
            voting.rules_for(s.voting_method, s.dots_per_person, s.max_dots_per_pitch),
            facts,
            s.code,
        )
        r.tokens = dict(
            conn.execute(
                select(PARTICIPANTS.c.id, PARTICIPANTS.c.token).where(
                    PARTICIPANTS.c.id.in_(voters),
                    PARTICIPANTS.c.session_id == session_id,
                    PARTICIPANTS.c.deleted_at.is_(None),
                )
            ).all()
        )
        alive = list(r.tokens)
        r.before = {pid: {} for pid in alive}
        for row_id, pid, pitch_id, dots in conn.execute(
            select(VOTES.c.id, VOTES.c.participant_id, VOTES.c.pitch_id, VOTES.c.dots).where(
                VOTES.c.participant_id.in_(alive)
            )
        ):
            r.before[pid][pitch_id] = (row_id, dots)
        r.after = {pid: {k: d for k, (_i, d) in b.items()} for pid, b in r.before.items()}
        return r

    def _apply(self, r: _Round | RuleError, v: DotVote):
        if isinstance(r, IdentityGone) and v.code is None:
            return RuleError(r.code)
        if isinstance(r, RuleError):
            return r
        if v.code is not None and v.code != r.code:
            return IdentityGone("unknown_session")
        ballot = r.after.get(v.participant_id)
        if ballot is None or (v.token is not None and r.tokens[v.participant_id] != v.token):
            return IdentityGone("not_joined") if v.code is not None else RuleError("not_joined")
        open_ids = r.facts.open_ids
        try:
            voting.check_dots(
                rules=r.rules,
                voting=r.voting,
                ballot=ballot,
                pitch_id=v.pitch_id,
                dots=v.dots,
                votable=open_ids,
                own=FactsCache.own_ids(r.facts, v.participant_id),
            )
        except RuleError as err:
            return err
        if v.dots:
            ballot[v.pitch_id] = v.dots
        else:
            ballot.pop(v.pitch_id, None)
        return ballot_reply(r.rules, ballot, open_ids)

    @staticmethod
    def _store(conn, session_id: int, r: _Round) -> None:
        """The difference between the ballots before and after, in three statements."""
        added: list[dict] = []
        changed: list[dict] = []
        gone: list[dict] = []
        for pid, ballot in r.after.items():
            before = r.before[pid]
            for pitch_id, (row_id, dots) in before.items():
                if pitch_id not in ballot:
                    gone.append({"row": row_id})
                elif ballot[pitch_id] != dots:
                    changed.append({"row": row_id, "new": ballot[pitch_id]})
            added.extend(
                {
                    "session_id": session_id,
                    "participant_id": pid,
                    "pitch_id": pitch_id,
                    "dots": dots,
                }
                for pitch_id, dots in ballot.items()
                if pitch_id not in before
            )
        if gone:
            conn.execute(delete(VOTES).where(VOTES.c.id == bindparam("row")), gone)
        if changed:
            conn.execute(
                update(VOTES).where(VOTES.c.id == bindparam("row")).values(dots=bindparam("new")),
                changed,
            )
        if added:
            conn.execute(insert(VOTES), added)
