"""SQLAlchemy tables. The database is the truth: every accepted change is committed here before
it is acknowledged or broadcast (principle 1, docs/architecture.md)."""

from __future__ import annotations

import sys

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker
from sqlalchemy.schema import CreateColumn

from .domain.screen import AUTO as SCREEN_AUTO
from .domain.settings import DEFAULTS
from .domain.timer import IDLE as TIMER_IDLE
from .domain.timer import Timer
from .domain.voting import NOT_STARTED as VOTING_NOT_STARTED


class Base(DeclarativeBase):
    pass


# Tables whose ids a browser holds (in a socket's identity, in a command's payload): an id is
# never handed out twice, so a number that pointed at an erased row can never point at a new
# one. SQLite reuses the highest freed rowid unless the table is AUTOINCREMENT; PostgreSQL
# sequences never go back.
NEVER_REUSED = {"sqlite_autoincrement": True}


def setting_column(name: str, type_, server: bool = False):
    """A declared setting's column with its declared default; `server`: also as the server
    default, which fills the rows of a database from before the column existed."""
    default = DEFAULTS[name]
    if not server:
        return mapped_column(type_, default=default)
    literal = str(int(default)) if isinstance(default, bool) else str(default)
    return mapped_column(type_, default=default, server_default=literal)


class Session(Base):
    """One networking session: a public join code, a secret moderator key, its stage."""

    __tablename__ = "sessions"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True, index=True)
    moderator_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[int] = mapped_column(BigInteger)
    # settings: defaults from their declaration (domain/settings.py)
    pitch_seconds: Mapped[int] = setting_column("pitch_seconds", Integer)
    dots_per_person: Mapped[int] = setting_column("dots_per_person", Integer)
    max_dots_per_pitch: Mapped[int] = setting_column("max_dots_per_pitch", Integer)
    auto_accept: Mapped[bool] = setting_column("auto_accept", Boolean)
    # agenda and time keeping
    planned_start: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    planned_end: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    changeover_seconds: Mapped[int] = setting_column("changeover_seconds", Integer)
    fit_floor_seconds: Mapped[int] = setting_column("fit_floor_seconds", Integer)
    overrun_policy: Mapped[str] = setting_column("overrun_policy", String(8))
    overrun_grace_seconds: Mapped[int] = setting_column("overrun_grace_seconds", Integer)
    chime: Mapped[bool] = setting_column("chime", Boolean)
    screen_language: Mapped[str] = setting_column("screen_language", String(8))
    # cues
    screen_message: Mapped[str] = mapped_column(String(140), default="")
    pitcher_message: Mapped[str] = mapped_column(String(140), default="")
    # stage
    screen_mode: Mapped[str] = mapped_column(String(16), default=SCREEN_AUTO)
    voting: Mapped[str] = mapped_column(String(16), default=VOTING_NOT_STARTED)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    current_section_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timer_state: Mapped[str] = mapped_column(String(16), default=TIMER_IDLE)
    timer_total_ms: Mapped[int] = mapped_column(Integer, default=0)
    timer_remaining_ms: Mapped[int] = mapped_column(Integer, default=0)
    timer_ends_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # voting round (added after the first release: server defaults fill existing rows)
    voting_method: Mapped[str] = setting_column("voting_method", String(16), server=True)
    voting_round: Mapped[str] = setting_column("voting_round", String(16), server=True)
    results_live: Mapped[bool] = setting_column("results_live", Boolean, server=True)
    rating_window_seconds: Mapped[int] = setting_column(
        "rating_window_seconds", Integer, server=True
    )
    rate_pitch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rate_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # the outcome: a read-only public link, off until the moderator publishes it
    outcome_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    outcome_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Who made it: "operator" (run.py on the laptop, --demo included), "start_page", "api", or
    # "unknown" (rows of earlier releases). run.py prints only the operator's own sessions.
    created_by: Mapped[str] = mapped_column(String(16), default="unknown", server_default="unknown")
    # (Added after the release that made ids never reused: appended, as upgrades add them.)
    # While the moderator steps the ranking in from last place: how many places are shown
    # (None: all of them, the whole ranking at once).
    revealed_places: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The "next part" card on the screen shows until then (ms); dismissed from the console,
    # and never over a screen mode chosen by hand.
    card_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    sections: Mapped[list[Section]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Section.position"
    )
    pitches: Mapped[list[Pitch]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def timer(self) -> Timer:
        return Timer(
            self.timer_state, self.timer_total_ms, self.timer_remaining_ms, self.timer_ends_at
        )

    @timer.setter
    def timer(self, t: Timer) -> None:
        self.timer_state, self.timer_total_ms = t.state, t.total_ms
        self.timer_remaining_ms, self.timer_ends_at = t.remaining_ms, t.ends_at


class Section(Base):
    """A timed part of the agenda."""

    __tablename__ = "sections"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # talks | pitches | discussion
    minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    session: Mapped[Session] = relationship(back_populates="sections")


class Participant(Base):
    """One phone. Identified by an unguessable token held in a signed cookie."""

    __tablename__ = "participants"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    organisation: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Contact details, stored only with consent (shown to the pitchers this person follows up
    # with and to the moderator, nobody else).
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    consent_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Set when the participant deleted themselves: name and contacts are gone, votes stay.
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    session: Mapped[Session] = relationship(back_populates="participants")


class Pitch(Base):
    """One entry in the queue."""

    __tablename__ = "pitches"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), nullable=True
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), nullable=True
    )
    pitcher: Mapped[str] = mapped_column(String(60))
    organisation: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(80))
    offer: Mapped[str] = mapped_column(Text, default="")
    # The same in a second language, given by the pitcher (never machine-translated).
    title_alt: Mapped[str] = mapped_column(String(80), default="")
    offer_alt: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    spoken_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)  # time used on stage
    overrun_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the time it was given: its length plus the moderator's extensions and cuts (domain/timing)
    given_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The pitcher checked in "ready at the stage" from their phone (the console shows it).
    ready_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    session: Mapped[Session] = relationship(back_populates="pitches")
    section: Mapped[Section | None] = relationship()


class PersonOnPitch:
    """The columns of one participant's mark on one pitch (a vote, a rating, an interest)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"), index=True)


class Vote(PersonOnPitch, Base):
    """Dots one participant put on one pitch. One row per (participant, pitch), enforced by the
    database, so a replayed vote can never count twice."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "pitch_id", name="one_row_per_voter_and_pitch"),
        CheckConstraint("dots > 0", name="dots_positive"),
    )

    dots: Mapped[int] = mapped_column(Integer)


class Rating(PersonOnPitch, Base):
    """Impact and ease (1-5 each) one participant gave one pitch; either may still be empty."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("participant_id", "pitch_id", name="one_rating_per_voter_and_pitch"),
        CheckConstraint("impact IS NULL OR impact BETWEEN 1 AND 5", name="impact_1_to_5"),
        CheckConstraint("ease IS NULL OR ease BETWEEN 1 AND 5", name="ease_1_to_5"),
    )

    impact: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ease: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Interest(PersonOnPitch, Base):
    """ "I want to follow up on this pitch"."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("participant_id", "pitch_id", name="one_interest_per_person_and_pitch"),
    )

    at: Mapped[int] = mapped_column(BigInteger)


class Commitment(Base):
    """A quick win turned into a commitment: who takes it forward, the next step, by when."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"), unique=True)
    # JSON list of owners: {"participant_id": 12, "name": "Ana"} or {"name": "City IT"}
    owners: Mapped[str] = mapped_column(Text, default="[]")
    next_step: Mapped[str] = mapped_column(String(280), default="")
    due: Mapped[str] = mapped_column(String(10), default="")  # YYYY-MM-DD or empty
    status: Mapped[str] = mapped_column(String(16), default="priority")
    updated_at: Mapped[int] = mapped_column(BigInteger)


class LogEntry(Base):
    """One moderator action, with its time; `undo` holds what reverses it, while it may."""

    __tablename__ = "log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    undo: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # hide_parameters: a failed statement's message (and SQL logging at INFO) never
        # carries the values: names, contacts and pitch titles stay out of the log.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL: readers never block the writer. synchronous=NORMAL in WAL mode keeps every
            # committed transaction through a crash or kill of the process (not of the OS).
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # Deleted or overwritten content is zeroed in the file, not left in free space
            # (after "delete me" or an erase; Service.scrub_disk empties the WAL as well).
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()
    else:
        if url.startswith("postgresql"):
            _green_psycopg()
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return engine


def checkpoint(engine: Engine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it to zero bytes, so that
    rows just deleted (or overwritten) no longer sit in the WAL. Never waits for a reader: a
    reader in another green thread cannot finish while this one blocks in C, so with one
    still reading it returns False and the caller tries again a moment later. Other
    databases: nothing to do (True)."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout=30000")
    return busy == 0


def never_reused_tables_missing(engine: Engine) -> list[str]:
    """SQLite tables that should be AUTOINCREMENT (NEVER_REUSED) but were made without it by
    an earlier release."""
    if engine.dialect.name != "sqlite":
        return []
    want = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.dialect_options["sqlite"].get("autoincrement")
    ]
    with engine.connect() as conn:
        made: dict[str, str] = dict(
            conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
        )
    return [name for name in want if name in made and "AUTOINCREMENT" not in made[name].upper()]


def rebuild_never_reused(engine: Engine) -> list[str]:
    """Give an earlier release's SQLite tables AUTOINCREMENT, keeping every row and id.

    SQLite cannot add AUTOINCREMENT to a table: each one is rebuilt (the procedure of SQLite's
    ALTER TABLE documentation): with foreign keys off, in one transaction, create the new
    table, copy the rows, drop the old one, rename, create its indexes, check the foreign
    keys, commit. The copy's highest id seeds `sqlite_sequence`, so no id at or below it is
    drawn again. Returns the tables rebuilt."""
    todo = never_reused_tables_missing(engine)
    if not todo:
        return []
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        assert dbapi is not None, "a raw connection has its driver's connection"
        saved = dbapi.isolation_level
        dbapi.isolation_level = None  # explicit BEGIN / COMMIT below
        try:
            dbapi.execute("PRAGMA foreign_keys=OFF")
            dbapi.execute("BEGIN IMMEDIATE")
            try:
                made = dict(
                    dbapi.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                    ).fetchall()
                )
                rebuilt = []
                for table in Base.metadata.sorted_tables:
                    if table.name not in todo or "AUTOINCREMENT" in made[table.name].upper():
                        continue  # another process did it meanwhile
                    _rebuild(dbapi, engine, table)
                    rebuilt.append(table.name)
                broken = dbapi.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
                dbapi.execute("COMMIT")
            except BaseException:
                dbapi.execute("ROLLBACK")
                raise
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")
            dbapi.isolation_level = saved
    finally:
        raw.close()
    return rebuilt


def _rebuild(dbapi, engine: Engine, table) -> None:
    from sqlalchemy.schema import CreateIndex, CreateTable

    temp = f"{table.name}__rebuild"
    ddl = str(CreateTable(table).compile(dialect=engine.dialect)).strip()
    head = f"CREATE TABLE {table.name} ("
    assert ddl.startswith(head), ddl[:80]
    dbapi.execute(f"CREATE TABLE {temp} (" + ddl[len(head) :])
    have = [r[1] for r in dbapi.execute(f"PRAGMA table_info({table.name})").fetchall()]
    cols = ", ".join(f'"{c.name}"' for c in table.columns if c.name in have)
    dbapi.execute(f"INSERT INTO {temp} ({cols}) SELECT {cols} FROM {table.name}")
    dbapi.execute(f"DROP TABLE {table.name}")
    dbapi.execute(f"ALTER TABLE {temp} RENAME TO {table.name}")
    for index in table.indexes:
        dbapi.execute(str(CreateIndex(index).compile(dialect=engine.dialect)))


def add_missing_columns(engine: Engine) -> list[str]:
    """Bring a database made by an earlier release up to date: add the columns it lacks.

    Schema changes so far only add tables (create_all makes them) and columns with a default,
    which ALTER TABLE ... ADD COLUMN can add on SQLite and PostgreSQL alike. Returns what it
    added."""
    added = []
    have_tables = set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in have_tables:
                continue
            have = {c["name"] for c in inspect(conn).get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    compiled = CreateColumn(column).compile(dialect=engine.dialect)
                    # SQLite cannot add a UNIQUE column; the unique index is not needed to
                    # read old rows, and new rows draw unguessable tokens.
                    ddl = str(compiled).replace(" UNIQUE", "")
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
                    added.append(f"{table.name}.{column.name}")
    return added


def _green_psycopg() -> None:
    """psycopg 3 waits for the server in C (`wait_c`), which blocks eventlet's whole hub: one
    slow query, or a row lock held by another process, would stall every connection of this
    process. Under eventlet's monkey-patching use psycopg's `select`-based wait instead, which
    the patched `select` turns into a cooperative one. (psycopg detects gevent, not eventlet.)"""
    patcher = sys.modules.get("eventlet.patcher")  # not imported: not monkey-patched
    if patcher is not None and patcher.is_monkey_patched("select"):
        import psycopg.waiting

        psycopg.waiting.wait = psycopg.waiting.wait_select


# Any constant shared by every process: the PostgreSQL advisory lock taken around create_all.
SCHEMA_LOCK = 0x46616331  # "Fac1"


def create_tables(engine: Engine) -> None:
    """Add missing columns, then create missing tables. On PostgreSQL several processes may
    start at once: each holds the same advisory lock meanwhile, so the second waits for the
    first to finish and then finds every column and table there, instead of failing on a
    duplicate one."""
    if engine.dialect.name != "postgresql":
        add_missing_columns(engine)
        Base.metadata.create_all(engine)
        rebuild_never_reused(engine)
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        try:
            add_missing_columns(engine)
            Base.metadata.create_all(engine)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})


def init_db(url: str) -> sessionmaker:
    engine = make_engine(url)
    create_tables(engine)
    return sessionmaker(engine, expire_on_commit=False)
