"""A database made by the first release keeps working after the upgrade: its sessions, its
moderator, and the new features on them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import inspect

from facilitator.models import add_missing_columns, init_db, make_engine

from .conftest import Browser, FakeClock, make_app

DUMP = Path(__file__).resolve().parent.parent / "data" / "release1.sql"
CODE, KEY, TITLE = "J4GJ9H", "pTRfmQw3TjA5Bh9jkcH5mpQWKUUObeEB", "Release one"
BO_TOKEN = "DtU1XWZRpUCc6klxeBw8KCAQ-4gYF9um"
CREATED_AT = 1795894482865  # the old session's created_at, in the dump


def load_release1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(DUMP.read_text())
    conn.close()


def columns(path: Path, table: str) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {row[1]: row for row in conn.execute(f"PRAGMA table_info({table})")}
    finally:
        conn.close()


def test_the_dump_is_a_first_release_database(tmp_path):
    db = tmp_path / "old.db"
    load_release1(db)
    assert "voting_method" not in columns(db, "sessions")
    assert "email" not in columns(db, "participants")


def test_first_release_database_upgrades_and_new_features_work(tmp_path):
    db = tmp_path / "old.db"
    load_release1(db)
    clock = FakeClock(start=CREATED_AT + 3_600_000)  # an hour later: well within retention
    app = make_app(db, clock)
    service = app.extensions["facilitator"]["service"]
    found = service.find_session(CODE)
    assert found is not None and found["title"] == TITLE
    sid = found["id"]

    # The new columns exist, with their defaults on the old rows.
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT voting_method, voting_round, results_live, "
            "rating_window_seconds, outcome_public, outcome_token "
            "FROM sessions WHERE code = ?",
            (CODE,),
        ).fetchone()
        assert row == ("dots", "ballot", 0, 60, 0, None)
        assert conn.execute(
            "SELECT email, phone, consent_at, deleted_at FROM participants WHERE id = 1"
        ).fetchone() == ("", "", None, None)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"ratings", "interests", "commitments"} <= tables
    finally:
        conn.close()

    # The old moderator key still opens the console, and its socket connects.
    mod = Browser(app, CODE)
    res = mod.http.get(f"/console/{CODE}?key={KEY}")
    assert res.status_code == 302
    mod.connect("console")
    assert mod.sio.is_connected()
    console = mod.last("stage")
    assert console["settings"]["voting_method"] == "dots"
    assert [p["title"] for p in console["queue"]] == ["Bike racks"]

    # The old participant (Bo) comes back with the token the first release gave them.
    bo = Browser(app, CODE)
    with bo.http.session_transaction() as cookie:
        cookie["p"] = {CODE: BO_TOKEN}
    bo.connect("phone")
    assert bo.sio.is_connected()
    assert bo.last("me")["participant"]["name"] == "Bo"

    # New features on the old session: matrix rating, interest, contact, commitments.
    assert mod.emit("session:settings", {"voting_method": "matrix"})["ok"]
    assert mod.emit("voting:open")["ok"]
    assert bo.emit("rating:set", {"pitch_id": 1, "impact": 4, "ease": 5})["ok"]
    assert bo.emit("interest:set", {"pitch_id": 1, "on": True})["ok"]
    assert bo.emit("contact:set", {"email": "bo@example.org", "consent": True})["ok"]
    assert mod.emit(
        "commitment:set",
        {
            "pitch_id": 1,
            "owners": [{"participant_id": 1}],
            "next_step": "Order racks",
            "status": "priority",
        },
    )["ok"]
    snap = app.extensions["facilitator"]["snapshots"].console(sid)
    [r] = snap["results"]
    assert (r["impact"], r["ease"], r["score"], r["quadrant"], r["interest"]) == (
        4.0,
        5.0,
        20.0,
        "quick_win",
        1,
    )
    assert snap["commitments"][0]["owners"] == ["Bo"]
    # A newcomer joins the old session too.
    res = Browser(app, CODE).http.post(f"/api/sessions/{CODE}/participants", json={"name": "New"})
    assert res.status_code == 201
    out = mod.http.get(f"/console/{CODE}/outcome.csv")
    assert out.status_code == 200 and "bo@example.org" in out.get_data(as_text=True)

    # A second start on the upgraded file adds nothing.
    assert add_missing_columns(make_engine(f"sqlite:///{db}")) == []
    app2 = make_app(db, clock)
    assert app2.extensions["facilitator"]["service"].find_session(CODE) is not None


def test_add_missing_columns_reports_what_the_old_database_lacked(tmp_path):
    db = tmp_path / "old.db"
    load_release1(db)
    added = add_missing_columns(make_engine(f"sqlite:///{db}"))
    for col in (
        "sessions.voting_method",
        "sessions.voting_round",
        "sessions.results_live",
        "sessions.rating_window_seconds",
        "sessions.outcome_token",
        "sessions.outcome_public",
        "participants.email",
        "participants.phone",
        "participants.consent_at",
        "participants.deleted_at",
    ):
        assert col in added
    assert add_missing_columns(make_engine(f"sqlite:///{db}")) == []


def test_init_db_twice_is_a_no_op_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    init_db(url)
    engine = make_engine(url)
    before = {
        t: [c["name"] for c in inspect(engine).get_columns(t)]
        for t in inspect(engine).get_table_names()
    }
    assert add_missing_columns(engine) == []
    init_db(url)
    assert add_missing_columns(make_engine(url)) == []
    after = {
        t: [c["name"] for c in inspect(engine).get_columns(t)]
        for t in inspect(make_engine(url)).get_table_names()
    }
    assert after == before


def table_sql(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return dict(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type IN "
                "('table', 'index') AND sql IS NOT NULL"
            )
        )
    finally:
        conn.close()


def test_upgrade_makes_ids_never_reused_keeping_every_row(tmp_path):
    """The first release's tables reuse a freed id (plain INTEGER PRIMARY KEY); the upgrade
    rebuilds the tables whose ids browsers hold as AUTOINCREMENT, rows and ids intact."""
    db = tmp_path / "old.db"
    load_release1(db)
    before = sqlite3.connect(db)
    rows = {
        t: before.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
        for t in ("sessions", "sections", "participants", "pitches", "votes", "log_entries")
    }
    before.close()
    assert not any(
        "AUTOINCREMENT" in table_sql(db)[t] for t in ("sessions", "participants", "pitches")
    )

    clock = FakeClock(start=CREATED_AT + 3_600_000)
    app = make_app(db, clock)
    schema = table_sql(db)
    for t in ("sessions", "sections", "participants", "pitches"):
        assert "AUTOINCREMENT" in schema[t], t
    assert "ix_sessions_code" in schema and "ix_participants_session_id" in schema
    after = sqlite3.connect(db)
    try:
        for t, old_rows in rows.items():
            # Same rows, same ids (new columns, if any, come after the old ones).
            got = after.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            assert len(got) == len(old_rows), t
            assert [r[: len(o)] for r, o in zip(got, old_rows, strict=True)] == old_rows, t
        assert after.execute("PRAGMA foreign_key_check").fetchall() == []
        seq = dict(after.execute("SELECT name, seq FROM sqlite_sequence"))
        assert seq["participants"] == max(r[0] for r in rows["participants"])
    finally:
        after.close()

    # A freed id is not handed out again: delete Bo's row, join someone new.
    service = app.extensions["facilitator"]["service"]
    sid = service.find_session(CODE)["id"]
    conn = sqlite3.connect(db)
    top = conn.execute("SELECT max(id) FROM participants").fetchone()[0]
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("DELETE FROM participants WHERE id = ?", (top,))
    conn.commit()
    conn.close()
    change = service.join(sid, "After upgrade", "")
    assert change.reply["participant_id"] > top
    # A second start finds nothing to rebuild.
    from facilitator.models import never_reused_tables_missing

    assert never_reused_tables_missing(make_engine(f"sqlite:///{db}")) == []
    schema = table_sql(db)
    make_app(db, clock)
    assert table_sql(db) == schema


def test_a_fresh_database_never_reuses_ids(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    init_db(url)
    schema = table_sql(tmp_path / "fresh.db")
    for t in ("sessions", "sections", "participants", "pitches"):
        assert "AUTOINCREMENT" in schema[t], t
