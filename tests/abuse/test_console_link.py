"""The console link can be replaced, and the cookie never carries it readable.

A console link that was seen by someone else (a projected laptop, a shared chat) is replaced
from the share page: the old link and every cookie made from it stop working at once, and
every console connected with them is closed; the browser that replaced it keeps the console.
The signed cookie is readable by whoever copies it (signed, not encrypted): it holds an HMAC
grant, never the moderator key itself.
"""

from __future__ import annotations

import json
import time

from flask.sessions import SecureCookieSessionInterface

from .conftest import Browser, Room, frozen


def cookie_value(browser: Browser, app) -> dict:
    """What the browser's session cookie says, decoded as anyone who copied it could."""
    raw = browser.http.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(raw)


def until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def key_of(room: Room) -> str:
    return room.info["console_url"].split("key=", 1)[1]


def test_the_cookie_holds_a_grant_not_the_moderator_key(app, room):
    key = key_of(room)
    held = json.dumps(cookie_value(room.moderator, app))
    assert room.code in held and key not in held
    # The same through the console link.
    other = Browser(app, room.code)
    assert other.http.get(f"/console/{room.code}?key={key}").status_code == 302
    assert key not in json.dumps(cookie_value(other, app))
    assert other.http.get(f"/console/{room.code}").status_code == 200


def test_a_cookie_from_before_grants_still_opens_the_console_once_and_loses_the_key(app, room):
    key = key_of(room)
    old = Browser(app, room.code)
    with old.http.session_transaction() as cookie:
        cookie["m"] = {room.code: key}  # as the previous release stored it
    assert old.http.get(f"/console/{room.code}").status_code == 200
    assert key not in json.dumps(cookie_value(old, app))
    assert old.http.get(f"/console/{room.code}").status_code == 200
    old.connect("console")
    assert old.sio.is_connected()


def test_new_console_link_shuts_out_the_old_link_cookies_and_sockets(app, clock):
    room = Room(app, clock, title="Rotated")
    old_key = key_of(room)
    # A second console, signed in with the old link, connected.
    intruder = Browser(app, room.code)
    assert intruder.http.get(f"/console/{room.code}?key={old_key}").status_code == 302
    intruder.connect("console")
    assert intruder.sio.is_connected()
    phone = room.phone("Pat")

    res = room.moderator.http.post(f"/console/{room.code}/new-link")
    assert res.status_code == 302 and "/share" in res.headers["Location"]
    page = room.moderator.http.get(res.headers["Location"]).get_data(as_text=True)
    assert "link-replaced" in page and old_key not in page
    new_key = page.split(f"/console/{room.code}?key=", 1)[1].split('"', 1)[0]
    assert new_key and new_key != old_key

    # Every console connected with the old grant is closed, and whatever it sends is refused.
    assert until(lambda: not intruder.sio.is_connected()), "old console still connected"
    assert until(lambda: not room.moderator.sio.is_connected())
    before = frozen(room)
    try:
        ack = intruder.emit("cue:screen", {"text": "still here"})
    except RuntimeError:
        ack = None
    assert ack is None or ack["ok"] is False
    assert frozen(room) == before
    # The old link and the old cookie open nothing; a socket with the old cookie is refused.
    assert (
        Browser(app, room.code).http.get(f"/console/{room.code}?key={old_key}").status_code == 403
    )
    assert intruder.http.get(f"/console/{room.code}").status_code == 403
    assert intruder.http.get(f"/console/{room.code}/share").status_code == 403
    intruder.connect("console")
    assert not intruder.sio.is_connected()
    # The browser that replaced it keeps the console (its cookie has the new grant) ...
    assert room.moderator.http.get(f"/console/{room.code}").status_code == 200
    room.moderator.connect("console")
    assert room.moderator.sio.is_connected()
    assert room.mod("cue:screen", {"text": "hello"})["ok"]
    # ... the new link works in a fresh browser, the API's bearer key too, and phones and
    # screens never noticed.
    fresh = Browser(app, room.code)
    assert fresh.http.get(f"/console/{room.code}?key={new_key}").status_code == 302
    fresh.connect("console")
    assert fresh.sio.is_connected()
    api = Browser(app, room.code).http  # no cookie: the bearer key alone
    assert (
        api.get(
            f"/api/sessions/{room.code}/results", headers={"Authorization": f"Bearer {old_key}"}
        ).status_code
        == 403
    )
    assert (
        api.get(
            f"/api/sessions/{room.code}/results", headers={"Authorization": f"Bearer {new_key}"}
        ).status_code
        == 200
    )
    assert phone.sio.is_connected() and room.screen.sio.is_connected()
    assert phone.emit("sync")["ok"]


def test_only_the_moderator_can_replace_the_link(app, room):
    key = key_of(room)
    for who in ("anonymous", "phone"):
        b = room.phone("P") if who == "phone" else Browser(app, room.code)
        res = b.http.post(f"/console/{room.code}/new-link")
        assert res.status_code == 403, who
    # A cross-site form post from the moderator's own browser is refused too.
    res = room.moderator.http.post(
        f"/console/{room.code}/new-link", headers={"Origin": "https://evil.example"}
    )
    assert res.status_code == 403
    assert room.moderator.http.get(f"/console/{room.code}").status_code == 200
    assert Browser(app, room.code).http.get(f"/console/{room.code}?key={key}").status_code == 302
