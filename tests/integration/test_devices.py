"""The console's count of phones: phones connect and leave and the console's number follows;
phones running an older page than the server's are counted as out of date; the count goes out
coalesced (at most once per DEVICES_MS per session), only to the console, and only for its own
session."""

from __future__ import annotations

import math
import re
import time

import pytest

from facilitator import create_app

from .conftest import Browser, FakeClock, Room, database_url

INTERVAL_MS = 400


@pytest.fixture
def app(tmp_path):
    return create_app(
        {
            "DATABASE_URL": database_url(tmp_path / "devices.db"),
            "SECRET_KEY": "integration-tests",
            "ASYNC_MODE": "threading",
            "COALESCE_MS": 0,
            "DEVICES_MS": INTERVAL_MS,
            "PUBLIC_URL": "http://venue.test:5000",
            "TESTING": True,
        },
        clock=FakeClock(),
    )


def page_version(b: Browser) -> str:
    """The version a phone that loads its page now runs: its entry script's URL says it."""
    html = b.http.get(f"/j/{b.code}").get_data(as_text=True)
    found = re.search(r'<script type="module" src="/static/js/phone\.js\?v=(\w+)"', html)
    assert found, "the phone page names its versioned script"
    return found.group(1)


def phone(room: Room, name: str, version: str | None, like: Browser | None = None) -> Browser:
    """A joined phone connecting as its page does (with its page's version, if any). `like`:
    another tab of that person (the same cookies)."""
    b = Browser(room.app, room.code)
    if like is None:
        res = b.http.post(f"/api/sessions/{room.code}/participants", json={"name": name})
        assert res.status_code == 201, res.get_json()
    else:
        b.http = like.http
    auth = {"code": room.code, "role": "phone", **({"v": version} if version else {})}
    socketio = room.app.extensions["facilitator"].socketio
    b.sio = socketio.test_client(room.app, flask_test_client=b.http, auth=auth)
    assert b.sio.is_connected()
    return b


def wait_for(console: Browser, phones: int, outdated: int, seen: list, timeout: float = 10.0):
    """Collect the console's `devices` messages until the latest says `phones`/`outdated`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(console.received("devices"))
        if seen and (seen[-1]["phones"], seen[-1]["outdated"]) == (phones, outdated):
            return seen[-1]
        time.sleep(0.05)
    raise AssertionError(f"the console never showed {phones}/{outdated}: {seen[-3:]}")


def test_the_console_counts_phones_as_they_connect_and_leave(app):
    room = Room(app, FakeClock())
    console = room.moderator
    # The console learns the count the moment it connects: nobody yet.
    first = console.last("devices")
    assert (first["phones"], first["outdated"]) == (0, 0) and first["process"]
    current = page_version(console)

    seen: list = []
    ana = phone(room, "Ana", current)
    wait_for(console, 1, 0, seen)
    ben = phone(room, "Ben", "0123456789")  # a page loaded before the server was updated
    cai = phone(room, "Cai", None)  # a page older than versions altogether
    wait_for(console, 3, 2, seen)
    # Ana's second tab: still one person.
    ana2 = phone(room, "Ana", current, like=ana)
    time.sleep(2 * INTERVAL_MS / 1000)
    seen.extend(console.received("devices"))
    assert (seen[-1]["phones"], seen[-1]["outdated"]) == (3, 2)

    ben.sio.disconnect()
    wait_for(console, 2, 1, seen)
    ana.sio.disconnect()  # her other tab is still open
    time.sleep(2 * INTERVAL_MS / 1000)
    seen.extend(console.received("devices"))
    assert (seen[-1]["phones"], seen[-1]["outdated"]) == (2, 1)
    ana2.sio.disconnect()
    cai.sio.disconnect()
    wait_for(console, 0, 0, seen)

    # Phones and the screen never get it; a console that connects again gets it at once.
    assert not room.screen.received("devices")
    again = Browser(app, room.code)
    again.http = console.http
    again.connect("console")
    welcome = again.last("devices")
    assert (welcome["phones"], welcome["outdated"]) == (0, 0)


def test_a_room_of_phones_connecting_at_once_costs_a_few_messages_not_one_each(app):
    room = Room(app, FakeClock())
    other = Room(app, FakeClock())  # another session's phones are not this console's
    console = room.moderator
    console.received()  # forget the welcome
    current = page_version(console)
    phone(other, "Elsewhere", current)
    started = time.monotonic()
    phones = [phone(room, f"P{i}", current) for i in range(12)]
    elapsed = time.monotonic() - started
    seen: list = []
    wait_for(console, 12, 0, seen)
    # One message now and then at most one per interval while phones kept arriving, and the
    # last one after them: far fewer than twelve unless joining was slower than the interval.
    bound = 2 + math.ceil(elapsed / (INTERVAL_MS / 1000))
    assert len(seen) <= bound, (len(seen), bound)
    assert len(seen) < len(phones) or bound >= len(phones)
    # The other console counts its own phone only.
    assert wait_for(other.moderator, 1, 0, [])["phones"] == 1
    assert all(d["phones"] <= 1 for d in other.moderator.received("devices"))


def test_a_version_that_is_not_a_short_text_is_refused(app):
    room = Room(app, FakeClock())
    b = Browser(app, room.code)
    res = b.http.post(f"/api/sessions/{room.code}/participants", json={"name": "Dee"})
    assert res.status_code == 201
    socketio = app.extensions["facilitator"].socketio
    for bad in ("x" * 41, 12345, ["v"]):
        sio = socketio.test_client(
            app, flask_test_client=b.http, auth={"code": room.code, "role": "phone", "v": bad}
        )
        assert not sio.is_connected()
