"""Deleted personal data is gone from the disk and from the log, not only from the pages.

After "delete me" and after the moderator erases the session, the raw bytes of the SQLite
database, its WAL and its shared-memory index hold none of the person's name, organisation,
email, phone or the titles of their removed pitches; the moderator's log (log_entries, the
log CSV) no longer names their removed pitches; and the Python log output of the whole
scenario, at DEBUG level for every logger, never printed any of it.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from .conftest import Room, abuse_app

# Distinctive strings: found anywhere in a file only if the data is really still there.
PERSON = {"name": "Quentin Zabriskie", "organisation": "Vortigern Oyster Cooperative"}
CONTACT = {"email": "quentin.zabriskie@oyster.example", "phone": "+44 7700 900417"}
TITLE, OFFER = "Marmalade gazebo exchange", "Xylographic lending library for oyster farms"
SECRETS = [*PERSON.values(), *CONTACT.values(), TITLE, OFFER]


@pytest.fixture
def log_output():
    """Everything every logger writes, at DEBUG, as text."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def files_of(db: Path) -> list[Path]:
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]


def leaks(db: Path, log_text: str) -> list[str]:
    found = []
    for path in files_of(db):
        raw = path.read_bytes()
        found += [f"{path.name}: {s!r}" for s in SECRETS if s.encode() in raw]
    found += [f"log: {s!r}" for s in SECRETS if s in log_text]
    return found


def the_person_in(room: Room):
    """A participant with contacts and a pitch the moderator accepted and edited (the log
    names it), whose pitch failed once (an error logged with the statement's values)."""
    q = room.phone(**PERSON)
    assert q.emit("contact:set", {**CONTACT, "consent": True})["ok"]
    ack = q.emit("pitch:propose", {"title": TITLE, "offer": OFFER})
    assert ack["ok"], ack
    pitch = ack["pitch_id"]
    assert room.mod("pitch:accept", {"pitch_id": pitch})["ok"]
    assert room.mod("pitch:move", {"pitch_id": pitch, "index": 0})["ok"]
    assert room.mod("pitch:edit", {"pitch_id": pitch, "seconds": 90})["ok"]
    log_csv = room.moderator.http.get(f"/console/{room.code}/log.csv").get_data(as_text=True)
    assert TITLE in log_csv  # the log did name it
    return q


def db_path(app) -> Path:
    return Path(app.config["DATABASE_URL"][len("sqlite:///") :])


def test_delete_me_leaves_nothing_on_disk_or_in_the_log(tmp_path, clock, log_output):
    app = abuse_app(tmp_path / "app.db", clock)
    room = Room(app, clock, title="Disk check")
    other = room.phone("Somebody Else")
    q = the_person_in(room)
    db = db_path(app)
    assert leaks(db, "")  # before: the data is on disk (else this test proves nothing)

    assert q.emit("me:delete")["ok"]
    found = leaks(db, log_output.getvalue())
    assert not found, found
    log_csv = room.moderator.http.get(f"/console/{room.code}/log.csv").get_data(as_text=True)
    assert TITLE not in log_csv and "accept" in log_csv  # the action stays, not the title
    # The session goes on for everyone else.
    assert other.emit("sync")["ok"]
    assert room.mod("pitch:add", {"title": "Next one", "pitcher": "P"})["ok"]


def test_erase_leaves_nothing_on_disk_or_in_the_log(tmp_path, clock, log_output):
    app = abuse_app(tmp_path / "app.db", clock)
    room = Room(app, clock, title="Erase check")
    the_person_in(room)
    db = db_path(app)
    assert leaks(db, "")
    res = room.moderator.http.post(f"/console/{room.code}/erase", data={"confirm": room.code})
    assert res.status_code == 200
    found = leaks(db, log_output.getvalue())
    assert not found, found
    # The database still works for the next session.
    assert Room(app, clock, title="After").phone("Next person").emit("sync")["ok"]


def test_a_failed_statement_logs_no_values(tmp_path, clock, log_output, monkeypatch):
    """An unexpected database error is logged (with its traceback) without the row's values."""
    from sqlalchemy import text

    app = abuse_app(tmp_path / "app.db", clock)
    room = Room(app, clock, title="Failing")
    q = room.phone(**PERSON)
    service = app.extensions["facilitator"]["service"]

    def broken(session_id, participant_id, email, phone, consent):
        with service.unit() as db:
            db.execute(text("INSERT INTO no_such_table VALUES (:a, :b)"), {"a": email, "b": phone})

    monkeypatch.setattr(service, "set_contact", broken)
    ack = q.emit("contact:set", {**CONTACT, "consent": True})
    assert ack["ok"] is False and ack["error"] == "server_error"
    text_out = log_output.getvalue()
    assert "no_such_table" in text_out  # the failure is in the log...
    assert CONTACT["email"] not in text_out and CONTACT["phone"] not in text_out  # ...not them
