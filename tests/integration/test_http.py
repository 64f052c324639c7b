"""Pages and the JSON API over HTTP: creation, keys, join, friendly errors, escaping."""

import re

from facilitator.domain.sessions import CODE_ALPHABET

from .conftest import Browser


def test_create_session_api_returns_links_and_console_only_to_caller(app):
    http = app.test_client()
    res = http.post(
        "/api/sessions", json={"title": "Smart cities", "pitch_seconds": 150, "dots_per_person": 5}
    )
    assert res.status_code == 201
    body = res.get_json()
    code = body["code"]
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", code)
    assert body["join_url"] == f"http://venue.test:5000/j/{code}"
    assert body["screen_url"] == f"http://venue.test:5000/screen/{code}"
    key = body["console_url"].split("key=")[1]
    assert len(key) >= 32  # 24 random bytes, url-safe: 192 bits
    # The key is for the caller only: no other page or API answer carries it.
    other = app.test_client()
    for path in (f"/screen/{code}", f"/j/{code}", f"/qr/{code}.svg"):
        page = other.get(path)
        assert page.status_code == 200
        assert key not in page.get_data(as_text=True)


def test_create_session_api_refuses_bad_input(app):
    http = app.test_client()
    for body, code in (
        ({}, "required"),
        ({"title": ""}, "required"),
        ({"title": "x" * 121}, "too_long"),
        ({"title": "ok", "dots_per_person": 0}, "out_of_range"),
        ({"title": "ok", "pitch_seconds": "120"}, "wrong_type"),
        ({"title": "ok", "admin": True}, "unknown_field"),
    ):
        res = http.post("/api/sessions", json=body)
        assert res.status_code == 400
        assert res.get_json()["error"] == code
        assert res.get_json()["message"]
    assert http.post("/api/sessions", data="not json").status_code == 400


def test_start_page_creates_a_session_and_shows_the_links(app):
    http = app.test_client()
    assert "Create a session" in http.get("/").get_data(as_text=True)
    res = http.post(
        "/", data={"title": "Round one", "pitch_minutes": "2.5", "dots_per_person": "4"}
    )
    assert res.status_code == 302
    share = http.get(res.headers["Location"]).get_data(as_text=True)
    code = re.search(r"/j/([A-Z0-9]{6})", share).group(1)
    assert "/console/" + code + "?key=" in share
    service = app.extensions["facilitator"]["service"]
    snap = app.extensions["facilitator"]["snapshots"].console(service.find_session(code)["id"])
    assert snap["settings"]["pitch_seconds"] == 150
    assert snap["settings"]["dots_per_person"] == 4
    # Someone else cannot see the share page (it shows the key).
    assert app.test_client().get(f"/console/{code}/share").status_code == 403


def test_start_page_form_errors_are_shown(app):
    res = app.test_client().post("/", data={"title": "", "pitch_minutes": "2"})
    assert res.status_code == 400
    assert "Title is required" in res.get_data(as_text=True)
    res = app.test_client().post("/", data={"title": "x", "pitch_minutes": "abc"})
    assert res.status_code == 400


def test_console_needs_the_key_and_drops_it_from_the_address(room, app):
    code = room.code
    key = room.info["console_url"].split("key=")[1]
    stranger = app.test_client()
    assert stranger.get(f"/console/{code}").status_code == 403
    assert stranger.get(f"/console/{code}?key=wrong").status_code == 403
    assert stranger.get(f"/console/{code}?key=").status_code == 403
    res = stranger.get(f"/console/{code}?key={key}")
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/console/{code}")
    page = stranger.get(f"/console/{code}")
    assert page.status_code == 200 and 'id="btn-primary"' in page.get_data(as_text=True)
    assert key not in page.get_data(as_text=True)
    assert app.test_client().get("/console/NOPE99?key=x").status_code == 404


def test_unknown_join_code_gets_a_friendly_page_to_type_it_again(app, room):
    res = app.test_client().get("/j/ZZZZZZ")
    assert res.status_code == 404
    html = res.get_data(as_text=True)
    assert "No session with this code" in html and 'name="code"' in html
    # Typing the code again, in lower case and with spaces, lands on the session.
    res = app.test_client().get("/j?code=" + " ".join(room.code.lower()))
    assert res.status_code == 302 and res.headers["Location"].endswith("/j/" + room.code)


def test_join_validates_and_a_reload_stays_the_same_participant(room, app):
    b = Browser(app, room.code)
    url = f"/api/sessions/{room.code}/participants"
    for body, code in (
        ({"name": ""}, "required"),
        ({"name": "   "}, "required"),
        ({"name": "x" * 61}, "too_long"),
        ({"name": 5}, "wrong_type"),
        ({"name": "a\x00b"}, "bad_characters"),
        ([], "wrong_type"),
    ):
        res = b.http.post(url, json=body)
        assert res.status_code == 400 and res.get_json()["error"] == code
    assert room.state()["counts"]["participants"] == 0
    assert b.http.post("/api/sessions/ZZZZZZ/participants", json={"name": "A"}).status_code == 404
    res = b.http.post(url, json={"name": "  Li   Wei ", "organisation": "Shenzhen"})
    assert res.status_code == 201
    assert 'data-joined="yes"' in b.http.get(f"/j/{room.code}").get_data(as_text=True)
    assert 'data-joined="no"' in app.test_client().get(f"/j/{room.code}").get_data(as_text=True)
    b.connect("phone")
    me = b.last("me")
    assert me["participant"] == {
        "id": res.get_json()["participant_id"],
        "name": "Li Wei",
        "organisation": "Shenzhen",
        "email": "",
        "phone": "",
        "consent": False,
    }
    assert room.state()["counts"]["participants"] == 1


def test_html_in_user_text_is_never_markup(app):
    http = app.test_client()
    res = http.post("/api/sessions", json={"title": "<script>alert(1)</script>"})
    code = res.get_json()["code"]
    for path in (f"/screen/{code}", f"/j/{code}", f"/console/{code}"):
        html = http.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)" in html


def test_security_headers_and_cookie_flags(room, app):
    res = app.test_client().get(f"/j/{room.code}")
    csp = res.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"
    join = app.test_client().post(f"/api/sessions/{room.code}/participants", json={"name": "A"})
    cookie = join.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_assets_are_local_and_cacheable(room, app):
    html = app.test_client().get(f"/screen/{room.code}").get_data(as_text=True)
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    vendor = next(s for s in srcs if "socket.io" in s)
    res = app.test_client().get(vendor)
    assert res.status_code == 200 and "max-age=31536000" in res.headers["Cache-Control"]


def test_qr_svg_encodes_the_join_url(room, app):
    res = app.test_client().get(f"/qr/{room.code}.svg")
    assert res.status_code == 200 and res.mimetype == "image/svg+xml"
    assert res.get_data(as_text=True).lstrip().startswith("<?xml")
    assert app.test_client().get("/qr/ZZZZZZ.svg").status_code == 404


def test_pages_and_text_assets_are_gzipped_for_browsers_that_ask(room, app):
    """The phone's first load stays light on venue Wi-Fi; a repeat visit revalidates nothing
    (versioned URLs, one-year max-age) and a conditional request still gets its 304."""
    import gzip

    http = app.test_client()
    page = http.get(f"/j/{room.code}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.vary
    html = gzip.decompress(page.data).decode()
    assert page.headers["Cache-Control"] == "no-store"
    vendor = next(s for s in re.findall(r'src="([^"]+)"', html) if "socket.io" in s)
    plain = http.get(vendor).data
    packed = http.get(vendor, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in packed.headers["Cache-Control"]
    assert gzip.decompress(packed.data) == plain and len(packed.data) < len(plain) / 2
    again = http.get(
        vendor, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304 and not again.data
    # Without Accept-Encoding: the file as it is.
    assert "Content-Encoding" not in http.get(vendor).headers
