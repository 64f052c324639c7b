"""The edges of input: mail links, invisible characters, how many sessions and joins one
address may make, and bodies a parser chokes on.

Before: an email such as `a@b.cd?cc=spy%40evil%2Eexample&body=...` was accepted and put into
a `mailto:` link as it was (a second recipient and a body); bidi overrides and zero-width
characters were accepted in names and titles; one address created 244 sessions a second and
any number of participants; deeply nested JSON, and `inf` or `1e308` in the start form,
answered 500.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st

from facilitator.validate import NAME, TITLE, Email, is_email  # noqa: E402

from .conftest import Room, abuse_app  # noqa: E402
from .test_fuzz import EXAMPLES  # noqa: E402

HOSTILE_EMAIL = "a@b.cd?cc=spy%40evil%2Eexample&body=Send%20the%20list"


# ----- email addresses and mail links --------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        HOSTILE_EMAIL,
        "a@b.cd&cc=x@evil.example",
        "a%40evil.example@b.cd",
        "a/b@c.de",
        '"a b"@c.de',
        "a b@c.de",
        "a,b@c.de",
        "a@b.cd,c@evil.example",
        "a@b@c.de",
        "a@b",
        "a@b.c",
        "a@-b.cd",
        "a@b-.cd",
        "a@b..cd",
        ".a@b.cd",
        "a.@b.cd",
        "a..b@c.de",
        "a@b.cd.",
        "a@[127.0.0.1]",
        "a@b.cd#x",
        "a@b.cd;c@d.ef",
        "a:b@c.de",
        "<a@b.cd>",
        "a=b@c.de",
        "a@b.123",
        "mailto:a@b.cd",
        "a@b.cd\u200b",
        "a\u202e@b.cd",
        "x" * 65 + "@b.cd",
    ],
)
def test_an_address_that_is_more_than_an_address_is_refused(room, email):
    phone = room.phone("Bo")
    ack = phone.emit("contact:set", {"email": email, "consent": True})
    assert ack["ok"] is False and ack["error"] in ("invalid_email", "bad_characters"), ack
    assert room.snapshots.me(room.session_id, phone.participant_id)["participant"]["email"] == ""


@pytest.mark.parametrize(
    "email",
    [
        "bo@example.org",
        "first.last+tag@mail.example.org",
        "o'brien@example.ie",
        "li_wei-2@example.com.cn",
        "用户@例子.中国",
        "ana@example.xn--fiqs8s",
        "Bo@Example.ORG",
    ],
)
def test_real_addresses_are_accepted(email):
    assert Email().clean("email", email) == email and is_email(email)


def test_a_stored_address_from_before_is_encoded_in_the_mail_link(room):
    """An address stored by an earlier release, before the stricter check, still cannot add
    recipients or a body: the link is percent-encoded except for its @."""
    pitch = room.add("Open data", "Ana")
    bo = room.phone("Bo")
    assert bo.emit("contact:set", {"email": "bo@example.org", "consent": True})["ok"]
    assert bo.emit("interest:set", {"pitch_id": pitch, "on": True})["ok"]
    db_path = room.app.config["DATABASE_URL"][len("sqlite:///") :]
    with sqlite3.connect(db_path) as db:
        db.execute(
            "UPDATE participants SET email = ? WHERE id = ?", (HOSTILE_EMAIL, bo.participant_id)
        )
    page = room.moderator.http.get(f"/console/{room.code}/outcome").get_data(as_text=True)
    links = re.findall(r'href="(mailto:[^"]*)"', page)
    assert links == ["mailto:" + quote(HOSTILE_EMAIL, safe="@")], links
    assert all("?" not in x and "&" not in x.replace("&amp;", "") for x in links)


# ----- characters that disguise text ------------------------------------------------------

DISGUISES = {
    "right-to-left override": "Ann\u202egnp.exe",
    "left-to-right embedding": "\u202aAnn",
    "pop directional": "Ann\u202c",
    "first strong isolate": "\u2068Ann\u2069",
    "zero-width space": "An\u200bn",
    "zero-width joiner at the end": "Ann\u200d",
    "zero-width non-joiner alone": "\u200c",
    "left-to-right mark": "Ann\u200e",
    "word joiner": "An\u2060n",
    "invisible times": "A\u2062n",
    "byte order mark": "\ufeffAnn",
    "soft hyphen": "An\u00adn",
    "arabic letter mark": "Ann\u061c",
    "tag outside a flag": "A\U000e0041",
    "mongolian vowel separator alone": "\u180eAnn",
    "C1 control": "Ann\x85x\x9b",
    "lone surrogate": "Ann\ud800",
    "hangul filler alone (a blank name)": "\u3164",
    "hangul filler after a name": "Ann\u3164",
    "halfwidth hangul filler": "\uffa0Ann",
    "hangul choseong and jungseong fillers": "\u115f\u1160",
    "braille blank": "\u2800",
    "combining grapheme joiner": "An\u034fn",
    "khmer inherent vowel": "Ann\u17b4",
    "a tower of combining marks": "A" + "\u0301" * 12,
}
KEPT = {
    "emoji family (ZWJ)": "Ana \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "profession emoji with skin tone": "Li \U0001f469\U0001f3fd\u200d\U0001f4bb",
    "Persian with ZWNJ": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "Devanagari with ZWJ": "\u0915\u094d\u200d\u0937",
    "Scotland's flag (tags)": "Ana \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063"
    "\U000e0074\U000e007f",
    "Chinese": "李伟",
    "accents": "Zoë Ångström",
    "Korean": "김민준",
    "Thai (two marks on a letter)": "\u0e01\u0e35\u0e48 \u0e19\u0e49\u0e33",
    "Mongolian free variation selector": "\u182d\u180b\u1820",
}


@pytest.mark.parametrize("label", sorted(DISGUISES))
def test_a_name_or_title_cannot_disguise_itself(room, label):
    value = DISGUISES[label]
    before = room.state()
    # Joining (HTTP), a pitch (socket), a session title (start page and API).
    http = room.app.test_client()
    res = http.post(f"/api/sessions/{room.code}/participants", json={"name": value})
    assert res.status_code == 400 and res.get_json()["error"] == "bad_characters", label
    phone = room.phone("Bo")
    ack = phone.emit("pitch:propose", {"title": value, "offer": "x"})
    assert ack["error"] == "bad_characters", (label, ack)
    ack = room.mod("pitch:add", {"title": "Fine", "pitcher": value})
    assert ack["error"] == "bad_characters", (label, ack)
    if "\ud800" not in value:  # a form cannot carry a lone surrogate (it arrives as U+FFFD)
        page = http.post("/", data={"title": value})
        assert page.status_code == 400 and "not allowed" in page.get_data(as_text=True)
    res = http.post("/api/sessions", json={"title": value})
    assert res.status_code == 400 and res.get_json()["error"] == "bad_characters"
    after = room.state()
    assert after["pending"] == before["pending"] and after["queue"] == before["queue"]
    assert [p["name"] for p in after["people"]] == ["Bo"]


@pytest.mark.parametrize("label", sorted(KEPT))
def test_what_real_scripts_need_is_kept(room, label):
    value = KEPT[label]
    assert NAME.clean("name", value) == value and TITLE.clean("title", value) == value
    res = room.app.test_client().post(
        f"/api/sessions/{room.code}/participants", json={"name": value}
    )
    assert res.status_code == 201, res.get_json()
    assert value in [p["name"] for p in room.state()["people"]]


# ----- sessions and joins per address -----------------------------------------------------


def limited_app(tmp_path, clock, **budgets):
    """The abuse app with the given budgets back on (the defaults when none are given)."""
    from facilitator.config import from_env

    defaults = from_env({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    keys = (
        "HTTP_PER_MINUTE",
        "HTTP_BURST",
        "JOINS_PER_MINUTE",
        "JOIN_BURST",
        "SESSIONS_PER_MINUTE",
        "SESSION_BURST",
    )
    return abuse_app(
        tmp_path / "limited.db",
        clock,
        **{k: budgets.get(k, defaults[k]) for k in keys},
        **{k: v for k, v in budgets.items() if k not in keys},
    )


def test_one_address_creates_20_sessions_then_one_a_minute(tmp_path, clock):
    app = limited_app(tmp_path, clock)
    http = app.test_client()
    script = {"REMOTE_ADDR": "192.0.2.66"}
    for i in range(20):
        res = http.post("/api/sessions", json={"title": f"S{i}"}, environ_base=script)
        assert res.status_code == 201, (i, res.get_json())
    res = http.post("/api/sessions", json={"title": "One too many"}, environ_base=script)
    assert res.status_code == 429 and res.headers["Retry-After"] == "60"
    assert res.get_json()["error"] == "too_many_sessions"
    assert (
        res.get_json()["message"]
        == "Too many new sessions from this network. Try again in 1 minute(s)."
    )
    page = http.post("/", data={"title": "One too many"}, environ_base=script)
    assert page.status_code == 429 and "Too many new sessions" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "60"
    # Another address is not held; the same one gets one more a minute later.
    assert (
        http.post(
            "/api/sessions", json={"title": "Elsewhere"}, environ_base={"REMOTE_ADDR": "192.0.2.67"}
        ).status_code
        == 201
    )
    clock.advance(60)
    assert http.post("/", data={"title": "Later"}, environ_base=script).status_code == 302
    assert http.post("/", data={"title": "Again"}, environ_base=script).status_code == 429
    with sqlite3.connect(tmp_path / "limited.db") as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 22


def test_a_venue_of_5000_phones_behind_one_address_joins_and_a_script_is_held(tmp_path, clock):
    """Default budgets. 5,000 phones behind one NAT address join within one minute: every
    one gets in (tests/unit/test_budgets.py adds their page loads to the count). A script on
    that address then creating participants as fast as it can gets what is left of the burst
    and 2 a second after it."""
    # Console snapshots coalesced as in production (the abuse apps send one per change).
    app = limited_app(tmp_path, clock, COALESCE_MS=100)
    http = app.test_client()
    code = http.post("/api/sessions", json={"title": "Venue"}).get_json()["code"]
    nat = {"REMOTE_ADDR": "203.0.113.50"}

    def participants() -> int:
        with sqlite3.connect(tmp_path / "limited.db") as db:
            return db.execute("SELECT count(*) FROM participants").fetchone()[0]

    for i in range(5000):
        clock.advance(60 / 5000)
        res = http.post(
            f"/api/sessions/{code}/participants", json={"name": f"P{i}"}, environ_base=nat
        )
        assert res.status_code == 201, (i, res.get_json())
    assert participants() == 5000
    accepted = refused = 0
    for i in range(1300):  # no time passes: a script
        res = http.post(
            f"/api/sessions/{code}/participants", json={"name": f"Bot{i}"}, environ_base=nat
        )
        if res.status_code == 201:
            accepted += 1
        else:
            refused += 1
            assert res.status_code == 429 and res.get_json()["error"] == "too_many_joins"
            assert res.headers["Retry-After"] == "1"
    assert 1000 <= accepted <= 1000 + 120 and refused >= 180  # the burst's rest (+ a minute)
    assert participants() == 5000 + accepted


def test_a_refused_join_says_so_and_creates_nobody(tmp_path, clock):
    app = limited_app(tmp_path, clock, JOINS_PER_MINUTE=60, JOIN_BURST=3)
    room = Room(app, clock)
    http = app.test_client()
    for i in range(3):
        assert (
            http.post(f"/api/sessions/{room.code}/participants", json={"name": f"P{i}"}).status_code
            == 201
        )
    res = http.post(f"/api/sessions/{room.code}/participants", json={"name": "P4"})
    assert (
        res.status_code == 429
        and res.get_json()["message"]
        == "Too many people joined from this network just now. Try again in a moment."
    )
    assert room.state()["counts"]["participants"] == 3


# ----- bodies a parser chokes on --------------------------------------------------------


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# (body with a "title", the error creating a session, the error joining with that body where
# "title" is "name": a join has no number, so a number field there is an unknown field)
BODIES_400 = [
    (nested(30_000), "invalid_json", "invalid_json"),
    ('{"title": ' + nested(5_000, '"x"') + "}", "invalid_json", "invalid_json"),
    ('{"title": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}", "invalid_json", "invalid_json"),
    ('{"title": "x", "pitch_seconds": ' + "9" * 5000 + "}", "invalid_json", "invalid_json"),
    ('{"title": ', "invalid_json", "invalid_json"),
    ("\xff\xfe{}", "invalid_json", "invalid_json"),
    ('{"title": "x", "pitch_seconds": 1e400}', "wrong_type", "unknown_field"),
    ('{"title": "x", "pitch_seconds": NaN}', "wrong_type", "unknown_field"),
    ('{"title": "x", "pitch_seconds": -Infinity}', "wrong_type", "unknown_field"),
    ('{"title": "x", "pitch_seconds": 1e308}', "wrong_type", "unknown_field"),
    ('{"title": "\\ud800"}', "bad_characters", "bad_characters"),
    ('{"title": 1e400}', "wrong_type", "wrong_type"),
    (nested(300), "wrong_type", "wrong_type"),
]


@pytest.mark.parametrize("body, create_error, join_error", BODIES_400)
@pytest.mark.parametrize("joining", [False, True], ids=["create", "join"])
def test_bodies_a_parser_chokes_on_get_a_clear_400(
    room, app_errors, body, create_error, join_error, joining
):
    url = f"/api/sessions/{room.code}/participants" if joining else "/api/sessions"
    if joining:
        body = body.replace('"title"', '"name"')
    res = room.app.test_client().post(
        url, data=body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )
    answer = res.get_json()
    assert res.status_code == 400, (res.status_code, answer)
    assert answer["error"] == (join_error if joining else create_error), answer
    assert answer["message"] and answer["ok"] is False
    assert not app_errors.records, app_errors.text()


@pytest.mark.parametrize(
    "minutes",
    ["inf", "-inf", "Infinity", "1e308", "-1e308", "nan", "1e-300", "0x10", "9" * 400, "", " "],
)
def test_the_start_form_refuses_impossible_numbers_clearly(room, app_errors, minutes):
    http = room.app.test_client()
    res = http.post(
        "/", data={"title": "Numbers", "pitch_minutes": minutes, "dots_per_person": minutes or "3"}
    )
    text = res.get_data(as_text=True)
    if minutes.strip() == "":
        assert res.status_code == 302  # the defaults
    else:
        assert res.status_code == 400, (minutes, res.status_code)
        assert "must be between" in text or "has the wrong type" in text, text[-2000:]
    assert not app_errors.records, app_errors.text()


# ----- fuzz: whatever the body, never a server error ---------------------------------------

LEAVES = st.sampled_from(
    [
        "1",
        "-0",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "1.5e308",
        "9" * 4400,
        '"\\ud800"',
        '"\\u202e"',
        '"\\u0000"',
        '"x"',
        "null",
        "true",
        "[]",
        "{}",
        '""',
    ]
)
JSON_TEXT = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.lists(
            st.tuples(
                st.sampled_from(
                    ['"title"', '"name"', '"organisation"', '"pitch_seconds"', '"x"', '"title"']
                ),
                inner,
            ),
            max_size=4,
        ).map(lambda kv: "{" + ",".join(f"{k}:{v}" for k, v in kv) + "}"),
    ),
    max_leaves=12,
)
DEEP = st.tuples(st.integers(0, 40_000), st.sampled_from("[{"), LEAVES).map(
    lambda t: (
        (t[1] if t[1] == "[" else '{"a":') * t[0] + t[2] + ("]" if t[1] == "[" else "}") * t[0]
    )
)
BODIES = st.one_of(
    JSON_TEXT,
    DEEP,
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(max_size=200),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
    ]
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    body=BODIES,
    ctype=CONTENT_TYPES,
    route=st.sampled_from(["/api/sessions", "/api/sessions/{code}/participants", "/"]),
)
def test_fuzz_no_body_makes_a_server_error(room, app_errors, body, ctype, route):
    url = route.format(code=room.code)
    data = body.encode("utf-8", "surrogatepass")
    res = room.app.test_client().post(url, data=data, content_type=ctype)
    assert res.status_code in (201, 302, 400, 413), (url, ctype, body[:200], res.status_code)
    if url.startswith("/api/") and res.status_code != 413:
        answer = res.get_json()
        assert isinstance(answer, dict) and (answer["ok"] is (res.status_code == 201)), answer
    assert not app_errors.records, (body[:200], app_errors.text())


def test_the_pitchers_phone_encodes_a_stored_address_in_its_mail_link(server, open_page):
    """The same on the pitcher's phone (a real server and Chromium): the follower's address,
    stored by an earlier release, becomes one percent-encoded mailto: link."""
    from tests.e2e.harness import LAPTOP, PHONE
    from tests.e2e.helpers import wait_connected
    from tests.e2e.test_round import join

    def send(page, event: str, payload: dict) -> dict:
        ack = page.evaluate("([e, p]) => F.send(e, p)", [event, payload])
        assert ack["ok"], (event, ack)
        return ack

    status, session = server.api("POST", "/api/sessions", {"title": "Mail links"})
    assert status == 201, session
    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    ana = open_page(PHONE, session["join_url"], "Ana")
    join(ana, "Ana")
    pitch = send(ana, "pitch:propose", {"title": "Open data", "offer": "Datasets"})["pitch_id"]
    send(console, "pitch:accept", {"pitch_id": pitch})
    bo = open_page(PHONE, session["join_url"], "Bo")
    join(bo, "Bo")
    send(bo, "contact:set", {"email": "bo@example.org", "consent": True})
    send(bo, "interest:set", {"pitch_id": pitch, "on": True})
    with sqlite3.connect(server.db) as db:
        assert (
            db.execute(
                "UPDATE participants SET email = ? WHERE name = 'Bo'", (HOSTILE_EMAIL,)
            ).rowcount
            == 1
        )
    ana.reload()
    wait_connected(ana)
    link = ana.locator('ul.people a[href^="mailto:"]')
    link.wait_for()
    assert link.get_attribute("href") == "mailto:" + quote(HOSTILE_EMAIL, safe="@")
    assert link.text_content() == HOSTILE_EMAIL  # shown as it is, as text
