"""A restart prints the operator's own session, never a guest's; the start page can be closed.

Before: `python run.py` without `--demo` printed the console link of the newest session, which
anyone on the network could have created on the start page, with a copied title, just before
the laptop restarted.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from urllib.parse import urlencode

import pytest

from facilitator.config import on_local_network, start_page_mode
from tests.e2e.harness import Server

from .attack import ATTACKER, request


def post_form(server: Server, path: str, fields: dict, source: str = ATTACKER):
    body = urlencode(fields).encode()
    return asyncio.run(
        request(
            server.port,
            "POST",
            path,
            source,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )


def get(server: Server, path: str, source: str = ATTACKER):
    return asyncio.run(request(server.port, "GET", path, source))


def post_json(server: Server, path: str, payload: dict, source: str = ATTACKER):
    return asyncio.run(
        request(
            server.port,
            "POST",
            path,
            source,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
    )


def sessions(server: Server) -> list[tuple]:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT code, title, created_by FROM sessions ORDER BY id").fetchall()


def code_of(link: str) -> str:
    return link.split("/console/", 1)[1].split("?", 1)[0]


@pytest.fixture
def laptop(tmp_path):
    server = Server(tmp_path / "laptop")
    yield server
    server.stop()


def test_a_restart_prints_the_operators_session_not_a_guests_copy(laptop):
    laptop.start()  # no session yet: the laptop makes one, its operator's
    first = laptop.printed_links()
    mine = code_of(first["console"])
    # A guest on the venue network makes a look-alike session on the start page.
    status, headers, _ = post_form(laptop, "/", {"title": "Pitch round"})
    assert status == 302 and "/console/" in headers["location"], (status, headers)
    guest = headers["location"].split("/console/", 1)[1].split("/", 1)[0]
    assert guest != mine
    laptop.kill()  # the laptop crashes

    laptop.start()  # and is started again, without --demo
    again = laptop.printed_links()
    assert again["console"] == first["console"] and again["join"] == first["join"]
    assert "newer sessions were made on the start page" in laptop.log.read_text()
    # The printed console link works, and it is the operator's session.
    status, headers, _ = get(laptop, again["console"].split(str(laptop.port), 1)[1])
    assert status == 302 and headers["location"].endswith(f"/console/{mine}")
    assert sessions(laptop) == [
        (mine, "Pitch round", "operator"),
        (guest, "Pitch round", "start_page"),
    ]

    # The guest's session is printed only when named.
    laptop.stop()
    laptop.start("--session", guest)
    assert code_of(laptop.printed_links()["console"]) == guest


def test_a_demo_session_is_the_operators_and_api_sessions_are_not(laptop):
    laptop.start("--demo")
    demo = code_of(laptop.printed_links()["console"])
    status, made = laptop.api("POST", "/api/sessions", {"title": "Scripted"})
    assert status == 201
    laptop.stop()
    laptop.start()
    assert code_of(laptop.printed_links()["console"]) == demo
    assert [row[2] for row in sessions(laptop)] == ["operator", "api"]


def test_a_closed_start_page_answers_clearly_and_creates_nothing(laptop):
    laptop.start("--no-start-page")
    log = laptop.log.read_text()
    assert "Start page (new sessions):        closed (--start-page opens it)" in log
    before = sessions(laptop)

    status, _h, body = get(laptop, "/")
    page = body.decode()
    assert status == 200 and 'id="start-closed"' in page
    assert "Ask the organiser for the console link" in page
    assert 'name="title"' not in page and 'name="code"' in page  # joining still works

    status, _h, body = post_form(laptop, "/", {"title": "Sneaky"})
    assert status == 403 and 'id="start-closed"' in body.decode()

    status, _h, body = post_json(laptop, "/api/sessions", {"title": "Sneaky"})
    answer = json.loads(body)
    assert status == 403 and answer["error"] == "start_page_closed" and answer["message"]
    assert sessions(laptop) == before

    # The operator's console and the phones are not affected.
    status, _h, _b = get(laptop, laptop.printed_links()["join"].split(str(laptop.port), 1)[1])
    assert status == 200


def test_a_public_url_on_the_internet_closes_the_start_page_unless_opened(tmp_path):
    server = Server(tmp_path / "public", public_url="https://pitch.example.org")
    try:
        server.start()
        status, _h, body = get(server, "/")
        assert status == 200 and 'id="start-closed"' in body.decode()
        server.stop()
        server.start("--start-page")
        status, _h, body = get(server, "/")
        assert status == 200 and 'name="title"' in body.decode()
    finally:
        server.stop()


def test_the_environment_closes_it_too(tmp_path):
    server = Server(tmp_path / "env", env={"FACILITATOR_START_PAGE": "closed"})
    try:
        server.start()
        status, _h, body = post_json(server, "/api/sessions", {"title": "x"})
        assert status == 403 and json.loads(body)["error"] == "start_page_closed"
    finally:
        server.stop()


@pytest.mark.parametrize(
    "url, local",
    [
        (None, True),
        ("http://192.168.1.20:5000", True),
        ("http://10.0.0.5", True),
        ("http://172.16.3.4:8080", True),
        ("http://127.0.0.1:5000", True),
        ("http://[::1]:5000", True),
        ("http://[fe80::1]:5000", True),
        ("http://100.64.1.1", True),
        ("http://laptop:5000", True),
        ("http://facilitator.local:5000", True),
        ("http://pitch.lan", True),
        ("http://venue.test:5000", True),
        ("http://x.home.arpa", True),
        ("https://pitch.example.org", False),
        ("http://100.128.0.1:5000", False),
        ("http://11.0.0.1", False),
        ("https://[2a00:1::1]", False),
        ("http://203.0.113.7", True),
    ],
)
def test_which_public_urls_are_a_venue_network(url, local):
    assert on_local_network(url) is local
    assert start_page_mode("auto", url) == ("open" if local else "closed")
    assert start_page_mode("closed", url) == "closed" and start_page_mode("open", url) == "open"


def test_a_wrong_start_page_setting_is_refused_at_start():
    with pytest.raises(ValueError, match="open, closed or auto"):
        start_page_mode("maybe", None)
