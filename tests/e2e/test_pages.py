"""The pages' edges in a real browser: hostile text, wrong keys and codes, refused input,
refused actions, and no request leaving the laptop."""

from __future__ import annotations

from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import shot, wait_attr, wait_connected, wait_text, wait_visible

XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_TITLE = "<script>window.__xss=1</script>"
XSS_OFFER = '"><svg onload=window.__xss=1>'
XSS_SESSION = '<b onmouseover="window.__xss=1">Round</b> & "quotes"'


def new_session(server, **settings) -> dict:
    status, session = server.api(
        "POST", "/api/sessions", {"title": settings.pop("title", "Pages"), **settings}
    )
    assert status == 201, session
    return session


def join(page, name: str) -> None:
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    wait_visible(page, "#app")
    wait_connected(page)


def injected(page) -> dict:
    """Whether hostile markup ran or became elements, in the page and its frames."""
    found = {}
    for frame in page.frames:
        found[frame.url] = frame.evaluate(
            "() => ({xss: window.__xss === undefined ? null : window.__xss,"
            ' nodes: document.querySelectorAll(\'img[src="x"], svg[onload], b[onmouseover],'
            ' script:not([src]):not([type="application/json"])\').length})'
        )
    return found


# ----- (a) hostile text is shown as text everywhere -----------------------------------------


def test_hostile_text_is_shown_not_run(server, open_page, artifacts):
    server.start()
    session = new_session(server, title=XSS_SESSION)
    dialogs = []
    pages = {}
    for name, viewport, url in (
        ("console", LAPTOP, session["console_url"]),
        ("screen", PROJECTOR, session["screen_url"]),
        ("phone", PHONE, session["join_url"]),
    ):
        page = open_page(viewport, name=name)
        page.on("dialog", lambda d, n=name: (dialogs.append(f"{n}: {d.message}"), d.dismiss()))
        page.goto(url)
        pages[name] = page
    console, screen, phone = pages["console"], pages["screen"], pages["phone"]
    wait_connected(console)
    wait_connected(screen)
    expect(screen.locator("#lobby-title")).to_have_text(XSS_SESSION)

    join(phone, XSS_NAME)
    wait_text(phone, "#who", XSS_NAME)
    phone.fill("#p-title", XSS_TITLE)
    phone.fill("#p-offer", XSS_OFFER)
    phone.click("#propose-form button[type=submit]")
    pending = console.locator("#pending-list li.row")
    expect(pending.locator(".row-title")).to_have_text(XSS_TITLE)
    expect(pending.locator(".row-meta")).to_contain_text(XSS_NAME)
    pending.locator("button.primary").click()
    expect(console.locator("#queue li.row")).to_have_count(1)
    console.click("#btn-primary")

    wait_attr(screen, "#screen", "data-mode", "pitch")
    expect(screen.locator('.mode-pitch [data-field="title"]')).to_have_text(XSS_TITLE)
    expect(screen.locator('.mode-pitch [data-field="pitcher"]')).to_have_text(XSS_NAME)
    expect(screen.locator('.mode-pitch [data-field="offer"]')).to_have_text(XSS_OFFER)
    expect(console.locator('#live [data-field="title"]')).to_have_text(XSS_TITLE)
    expect(console.locator('#live [data-field="pitcher"]')).to_have_text(XSS_NAME)
    expect(console.locator('#live [data-field="offer"]')).to_have_text(XSS_OFFER)
    expect(phone.locator('#on-stage [data-field="title"]')).to_have_text(XSS_TITLE)
    expect(phone.locator('#on-stage [data-field="pitcher"]')).to_have_text(XSS_NAME)
    for page in (console, screen, phone):
        assert "<script>" in page.locator("body").text_content()
    shot(screen, artifacts, "screen-pitch")
    shot(phone, artifacts, "phone-pitch")
    shot(console, artifacts, "console-pitch")

    # The ballot and the results render the same text again.
    console.click("#btn-voting")
    wait_attr(screen, "#screen", "data-mode", "voting")
    expect(phone.locator("#ballot .bi-title")).to_have_text(XSS_TITLE)
    expect(phone.locator("#ballot .bi-offer")).to_have_text(XSS_OFFER)
    console.click("#btn-voting")
    wait_text(console, "#voting-state", "closed")
    console.click("#btn-reveal")
    wait_attr(screen, "#screen", "data-mode", "results")
    expect(screen.locator("#results li.result .r-title")).to_have_text(XSS_TITLE)
    expect(screen.locator("#results li.result .r-pitcher")).to_have_text(XSS_NAME)
    expect(phone.locator("#ranking .ri-title")).to_have_text(XSS_TITLE)
    expect(console.locator("#tally .t-title")).to_have_text(XSS_TITLE)
    shot(screen, artifacts, "screen-results")

    for name, page in pages.items():
        for frame_url, found in injected(page).items():
            assert found == {"xss": None, "nodes": 0}, (name, frame_url, found)
    assert dialogs == []


# ----- (b) a wrong moderator key opens nothing ----------------------------------------------


def test_wrong_moderator_key_is_refused(server, open_page):
    server.start()
    session = new_session(server)
    code = session["code"]
    page = open_page(LAPTOP, name="intruder")
    response = page.goto(f"{server.url}/console/{code}?key=wrong")
    assert response.status == 403
    expect(page.locator("#btn-primary")).to_have_count(0)
    expect(page.locator("h1")).to_have_text("Not allowed")
    # Nor does the address without a key, nor a guess at the share page.
    for path in (f"/console/{code}", f"/console/{code}/share"):
        response = page.goto(server.url + path)
        assert response.status == 403, path
        expect(page.locator("#btn-primary")).to_have_count(0)
    # And a socket claiming the console role is turned away.
    page.goto(session["screen_url"])
    refusal = claim_console(page, code)
    assert refusal["connected"] is False, refusal


def claim_console(page, code: str) -> dict:
    """Open a second socket from `page` that claims the console role without the cookie."""
    return page.evaluate(
        """code => new Promise(resolve => {
             const s = io({transports: ["websocket"], auth: {code, role: "console"},
                           reconnection: false});
             s.on("connect", () => { s.disconnect(); resolve({connected: true}); });
             s.on("connect_error", err => resolve({connected: false, message: err.message,
                                                    data: err.data === undefined ? null
                                                                                 : err.data}));
           })""",
        code,
    )


def test_socket_refusal_carries_its_reason(server, open_page):
    """The refusal reaches the page as data (error code and readable text), not as a Python
    repr in the message (regression: ConnectionRefusedError was raised with one argument)."""
    server.start()
    session = new_session(server)
    page = open_page(LAPTOP, session["screen_url"], "screen")
    refusal = claim_console(page, session["code"])
    assert refusal["connected"] is False
    assert (refusal["data"] or {}).get("error") == "forbidden", refusal
    assert refusal["data"].get("message") == "Only the moderator can do that."


# ----- (c) an unknown join code gets a friendly way back ------------------------------------


def test_unknown_join_code_asks_again(server, open_page, artifacts):
    server.start()
    session = new_session(server)
    code = session["code"]
    assert code != "ZZZZZZ"
    phone = open_page(PHONE, name="phone")
    response = phone.goto(f"{server.url}/j/ZZZZZZ")
    assert response.status == 404
    expect(phone.locator("[role=alert]")).to_contain_text("ZZZZZZ")
    expect(phone.locator("#code")).to_be_visible()
    shot(phone, artifacts, "unknown-code")
    phone.fill("#code", code)
    phone.click("form button[type=submit]")
    phone.wait_for_url(session["join_url"])
    expect(phone.locator("#join-form")).to_be_visible()
    expect(phone.locator("#join-name")).to_be_visible()


# ----- (d) joining needs a name -------------------------------------------------------------


def test_join_with_empty_name_is_refused(server, open_page, artifacts):
    server.start()
    session = new_session(server)
    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    phone = open_page(PHONE, name="phone")
    posts = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    phone.goto(session["join_url"])
    expect(phone.locator("#join-error")).to_be_hidden()
    for name in ("", "   "):
        phone.fill("#join-name", name)
        phone.click("#join-form button[type=submit]")
        expect(phone.locator("#join-error")).to_be_visible()
        expect(phone.locator("#join-error")).not_to_have_text("")
        expect(phone.locator("#app")).to_be_hidden()
    shot(phone, artifacts, "empty-name")
    assert posts == []
    # The server refuses it too, if a page were to send it anyway.
    status, body = server.api(
        "POST", f"/api/sessions/{session['code']}/participants", {"name": "  ", "organisation": ""}
    )
    assert (status, body.get("error")) == (400, "required")
    # The next real join makes the count 1, not 2: nobody was created before.
    join(phone, "Ada")
    wait_text(screen, '.mode-lobby [data-count="participants"]', "1", exact=True)
    expect(phone.locator("#join-error")).to_be_hidden()


# ----- (e) an over-long pitch title is refused with a reason --------------------------------


def test_too_long_pitch_title_is_refused(server, open_page):
    server.start()
    session = new_session(server)
    phone = open_page(PHONE, session["join_url"], "phone")
    join(phone, "Ada")
    assert phone.get_attribute("#p-title", "maxlength") == "80"
    ack = phone.evaluate("() => F.send('pitch:propose', {title: 'x'.repeat(81), offer: 'y'})")
    assert ack["ok"] is False
    assert ack["error"] == "too_long"
    toast = phone.locator("#toasts .toast")
    expect(toast.first).to_be_visible()
    expect(toast.first).to_contain_text("too long")
    # 80 characters are fine.
    ack = phone.evaluate("() => F.send('pitch:propose', {title: 'x'.repeat(80), offer: 'y'})")
    assert ack["ok"] is True, ack
    expect(phone.locator("#my-pitches li")).to_have_count(1)


# ----- (f) a phone cannot drive the stage ---------------------------------------------------


def test_phone_cannot_drive_the_stage(server, open_page):
    server.start("--demo")
    links = server.printed_links()
    screen = open_page(PROJECTOR, links["screen"], "screen")
    wait_connected(screen)
    wait_attr(screen, "#screen", "data-mode", "lobby")
    phone = open_page(PHONE, links["join"], "phone")
    join(phone, "Mallory")
    for event in ("stage:next", "timer:start", "voting:open"):
        ack = phone.evaluate("e => F.send(e, {})", event)
        assert (ack["ok"], ack["error"]) == (False, "forbidden"), (event, ack)
    expect(phone.locator("#toasts .toast").first).to_be_visible()
    # The screen is read-only too.
    ack = screen.evaluate("() => F.send('stage:next', {})")
    assert (ack["ok"], ack["error"]) == (False, "forbidden"), ack
    # Nothing moved: a freshly loaded screen still shows the lobby, nothing live.
    fresh = open_page(PROJECTOR, links["screen"], "screen-2")
    wait_connected(fresh)
    fresh.wait_for_function("() => document.querySelector('#screen').dataset.mode !== undefined")
    expect(fresh.locator('.mode-lobby [data-count="participants"]')).to_have_text("1")
    for page in (screen, fresh):
        assert page.get_attribute("#screen", "data-mode") == "lobby"
    expect(phone.locator('#on-stage [data-field="title"]')).to_have_text(
        "Nothing on stage right now"
    )


# ----- (g) nothing is fetched from outside the laptop ---------------------------------------


def test_no_request_leaves_the_host(server, open_page):
    server.start()
    session = new_session(server)
    base = server.url + "/"
    ws_base = base.replace("http://", "ws://", 1)
    requests, sockets, csp = [], [], []

    def watch(page, name):
        page.on("request", lambda r: requests.append((name, r.url)))
        page.on("websocket", lambda ws: sockets.append((name, ws.url)))
        page.on(
            "console",
            lambda m: csp.append((name, m.text)) if "Content Security Policy" in m.text else None,
        )
        return page

    console = watch(open_page(LAPTOP, name="console"), "console")
    console.goto(session["console_url"])
    screen = watch(open_page(PROJECTOR, name="screen"), "screen")
    screen.goto(session["screen_url"])
    phone = watch(open_page(PHONE, name="phone"), "phone")
    phone.goto(session["join_url"])
    join(phone, "Ada")
    for page in (console, screen):
        wait_connected(page)
        page.wait_for_load_state("networkidle")
    phone.wait_for_load_state("networkidle")

    urls = [u for _, u in requests]
    assert any("/static/vendor/socket.io" in u for u in urls), urls
    assert any(u.startswith(base + "qr/") for u in urls), urls
    outside = [(n, u) for n, u in requests if not (u.startswith(base) or u.startswith("data:"))]
    assert outside == []
    assert {n for n, _ in sockets} >= {"console", "screen", "phone"}, sockets
    assert [(n, u) for n, u in sockets if not u.startswith(ws_base)] == []
    assert csp == []
