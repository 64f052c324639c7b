"""Service-level tests: the commands called directly, with no Flask app and no Socket.IO.

Each test gets a `Service` (and the dot-vote writer `Ballots`, and the read side `Snapshots`
where a ranking is asserted) on its own temporary SQLite file with a fake clock. A test calls a
command, then asserts the returned `Change` (which audiences are told) and the rows the command
stored, read back with SQLAlchemy. Only public methods are called, so the tests hold whatever
the service package looks like inside.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from facilitator.ballots import Ballots, FactsCache
from facilitator.domain.errors import RuleError
from facilitator.models import (
    Commitment,
    Interest,
    LogEntry,
    Participant,
    Pitch,
    Rating,
    Section,
    Session,
    Vote,
    init_db,
)
from facilitator.services import Service
from facilitator.snapshots import Snapshots, queue_facts
from tests.clock import FakeClock

TABLES = (Session, Section, Participant, Pitch, Vote, Rating, Interest, Commitment, LogEntry)


class World:
    """A Service, Ballots and Snapshots over one database, and helpers to read it back."""

    def __init__(self, db_path, clock: FakeClock):
        self.clock = clock
        self.make_db = init_db(f"sqlite:///{db_path}")
        facts = FactsCache(queue_facts)
        self.service = Service(self.make_db, facts, clock)
        # Threads, not green threads: a lone caller leads its own batch at once.
        self.ballots = Ballots(self.make_db.kw["bind"], facts, threading.Event, lambda: None)
        self.snapshots = Snapshots(
            self.make_db, facts, clock, lambda code: f"http://venue.test/j/{code}"
        )

    # ----- building a room ------------------------------------------------------------------

    def session(self, title: str = "Quick wins", **kw) -> int:
        code, _key = self.service.create_session(title=title, **kw)
        return self.service.find_session(code)["id"]

    def join(self, sid: int, name: str = "Ana", organisation: str = "") -> int:
        return self.service.join(sid, name, organisation).reply["participant_id"]

    def pitch(self, sid: int, title: str = "Shared bikes", pitcher: str = "Ben", **kw) -> int:
        return self.service.add_pitch(sid, title=title, pitcher=pitcher, **kw).reply["pitch_id"]

    def proposal(self, sid: int, pid: int, title: str = "Compost", **kw) -> int:
        return self.service.propose_pitch(sid, pid, title, "an offer", **kw).reply["pitch_id"]

    def dots(self, sid: int, pid: int, pitch_id: int, n: int = 1):
        return self.ballots.set_dots(sid, pid, pitch_id, n)

    # ----- reading it back ------------------------------------------------------------------

    def get(self, model, row_id: int):
        with self.make_db() as db:
            return db.get(model, row_id)

    def rows(self, model, **where) -> list:
        with self.make_db() as db:
            q = select(model)
            for k, v in where.items():
                q = q.where(getattr(model, k) == v)
            return list(db.scalars(q.order_by(model.id)))

    def log(self, sid: int) -> list[tuple[str, str]]:
        return [(action, detail) for _at, action, detail, _undone in self.service.log_rows(sid)]

    def dump(self) -> dict:
        """Every column of every row of every table: to show that a refused command changed
        nothing at all."""
        out = {}
        with self.make_db() as db:
            for model in TABLES:
                cols = [c.name for c in model.__table__.columns]
                out[model.__tablename__] = sorted(
                    tuple(getattr(r, c) for c in cols) for r in db.scalars(select(model))
                )
        return out

    def refused(self, code: str, command, *args, **kw) -> RuleError:
        """Run a command that must be refused with `code` and must change nothing."""
        before = self.dump()
        with pytest.raises(RuleError) as err:
            command(*args, **kw)
        assert err.value.code == code, (err.value.code, err.value.params)
        assert self.dump() == before, "a refused command changed the database"
        return err.value


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def world(tmp_path, clock):
    w = World(tmp_path / "service.db", clock)
    yield w
    w.make_db.kw["bind"].dispose()


@pytest.fixture
def svc(world):
    return world.service


@pytest.fixture
def sid(world):
    return world.session()
