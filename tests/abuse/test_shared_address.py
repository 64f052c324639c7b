"""A whole venue shares one NAT address: one guesser there must not lock the room out.

Thirty wrong join codes from an address hold that address for guessing (FailureThrottle,
FAILED_LOOKUPS_PER_MINUTE). Meanwhile a right code with a valid cookie (a phone that joined,
the moderator's console) is never refused, while anything else from that address learns
nothing: a wrong code, a right code without a cookie, and a cookie for another session all get
the same too_many_attempts. In a real browser: the honest phone's connection drops during the
guessing, and it comes back as the same participant (no second participant row).
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request

import pytest

from .conftest import Browser, Room, abuse_app

LIMIT = 30


@pytest.fixture
def app(tmp_path, clock):
    return abuse_app(tmp_path / "shared.db", clock, FAILED_LOOKUPS_PER_MINUTE=LIMIT)


def guess(http, n: int = LIMIT + 5) -> None:
    for i in range(n):
        http.get(f"/j/ZZZ{i:03d}")


def test_a_right_code_and_a_valid_cookie_pass_while_the_address_is_held(app, clock):
    room = Room(app, clock, title="Venue")
    phone = room.phone("Honest Hana")
    other = Room(app, clock, title="Other room")
    stranger = Browser(app, room.code)
    guess(stranger.http)
    assert stranger.http.get(f"/j/{room.code}").status_code == 429  # held: right code, no cookie

    # The phone's connection blips: it reconnects as itself, and its page loads.
    phone.sio.disconnect()
    phone.connect("phone")
    assert phone.sio.is_connected()
    assert phone.last("me")["participant"]["name"] == "Honest Hana"
    page = phone.http.get(f"/j/{room.code}")
    assert page.status_code == 200 and b'"joined": true' in page.data
    assert phone.emit("sync")["ok"]
    # The moderator's console and pages too (same address).
    room.moderator.sio.disconnect()
    room.moderator.connect("console")
    assert room.moderator.sio.is_connected()
    assert room.moderator.http.get(f"/console/{room.code}").status_code == 200
    # The console link opens on a new device (right code, right key); a wrong key does not.
    key = room.info["console_url"].split("key=", 1)[1]
    laptop = Browser(app, room.code)
    assert laptop.http.get(f"/console/{room.code}?key={key[:-2]}xx").status_code == 429
    assert laptop.http.get(f"/console/{room.code}?key={key}").status_code == 302
    assert laptop.http.get(f"/console/{room.code}").status_code == 200
    # The screen on the moderator's laptop (its cookie names the session).
    screen = Browser(app, room.code)
    screen.http = room.moderator.http
    screen.connect("screen")
    assert screen.sio.is_connected()

    # Anything else from the held address gets the same answer, right code or not.
    for who, code, role in (
        (stranger, room.code, "screen"),
        (stranger, room.code, "phone"),
        (stranger, room.code, "console"),
        (stranger, "ZZZ999", "screen"),
        (phone, other.code, "phone"),
        (phone, other.code, "console"),
    ):
        b = Browser(app, code)
        b.http = who.http
        b.connect(role)
        assert not b.sio.is_connected(), (code, role)
    assert stranger.http.get("/j/ZZZ999").status_code == 429
    assert phone.http.get(f"/j/{other.code}").status_code == 429
    # One participant row for Hana, still.
    people = [p["name"] for p in room.state()["people"]]
    assert people.count("Honest Hana") == 1


def test_held_address_learns_nothing_from_a_refusal(tmp_path):
    """Over raw sockets on a real server: every refusal to a held address reads the same,
    whether the code was right or not."""
    import asyncio

    from bench.wsclient import ConnectionRefused, SioClient
    from tests.e2e.harness import Server

    server = Server(tmp_path / "server", env={"FACILITATOR_FAILED_LOOKUPS": str(LIMIT)})
    server.start()
    try:
        status, made = server.api("POST", "/api/sessions", {"title": "Held"})
        assert status == 201
        assert wrong_codes(server.url) > 0

        async def refusal(code: str, role: str):
            try:
                conn = await SioClient.connect(
                    "127.0.0.1", server.port, {"code": code, "role": role}
                )
            except ConnectionRefused as e:
                return e.data["data"]["error"]
            await conn.close()
            return "connected"

        async def all_():
            return [
                await refusal(c, r)
                for c in (made["code"], "QQQ999")
                for r in ("screen", "phone", "console")
            ]

        answers = asyncio.run(all_())
    finally:
        server.stop()
    assert answers == ["too_many_attempts"] * 6, answers


# ----- a real browser ---------------------------------------------------------------------


def wrong_codes(base: str, n: int = LIMIT + 5) -> int:
    held = 0
    for i in range(n):
        try:
            urllib.request.urlopen(f"{base}/j/QQQ{i:03d}", timeout=10).close()
        except urllib.error.HTTPError as e:
            held += e.code == 429
    return held


def test_a_phone_whose_connection_drops_during_guessing_comes_back_as_itself(
    tmp_path, browser, open_page
):
    from tests.e2e.harness import PHONE, Server
    from tests.e2e.helpers import wait_connected, wait_text

    server = Server(
        tmp_path / "server",
        env={"FACILITATOR_FAILED_LOOKUPS": str(LIMIT), "FACILITATOR_EVENT_RATE": "0"},
    )
    server.start()
    try:
        status, made = server.api("POST", "/api/sessions", {"title": "Venue Wi-Fi"})
        assert status == 201
        code = made["code"]
        page = open_page(PHONE, f"{server.url}/j/{code}", name="phone")
        page.fill("#join-name", "Honest Hana")
        page.click("#join-form button[type=submit]")
        wait_connected(page)
        wait_text(page, "#who", "Honest Hana")

        assert wrong_codes(server.url) > 0  # the address (127.0.0.1, the phone's too) is held
        # The connection drops (the Wi-Fi blips) and the page reconnects by itself.
        page.evaluate("F.socket.io.engine.close()")
        page.wait_for_function("() => !F.socket.connected", timeout=5_000)
        wait_connected(page, timeout=20_000)
        wait_text(page, "#who", "Honest Hana")
        assert page.is_hidden("#join") and page.is_visible("#app")
        # A full reload too (the page itself, then its socket).
        page.reload()
        wait_connected(page, timeout=20_000)
        wait_text(page, "#who", "Honest Hana")
        assert page.is_hidden("#join")
        ack = page.evaluate("F.send('time:sync', {})")
        assert ack["ok"], ack
    finally:
        server.stop()
    db = sqlite3.connect(server.db)
    try:
        rows = db.execute("SELECT name FROM participants").fetchall()
    finally:
        db.close()
    assert rows == [("Honest Hana",)]
