"""In Chromium: a page whose identity ended says so and stops, rather than reconnecting forever
or offering to join again; the console that replaced its link keeps working.

- delete me: both tabs of the person show "You deleted yourself from this session", and stay
  stopped;
- erase: the phone and the screen show "This session was erased";
- new console link: a second console signed in with the old link shows "signed out"; the
  console tab of the browser that replaced the link reconnects and keeps working.
"""

from __future__ import annotations

from tests.e2e.harness import LAPTOP, PHONE, PROJECTOR, console_cookie
from tests.e2e.helpers import wait_connected, wait_text

STOPPED_MS = 15_000


def joined_phone(open_page, url: str, name: str):
    page = open_page(PHONE, url, name=name)
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    wait_connected(page)
    wait_text(page, "#who", name)
    return page


def stays_stopped(page, text: str) -> None:
    """The final state is shown, and the page is not trying to connect again."""
    wait_text(page, "main .gone h1", text, timeout=STOPPED_MS)
    page.wait_for_timeout(1500)  # longer than the first reconnect delay
    assert page.evaluate("!F.socket || (!F.socket.connected && !F.socket.active)")
    assert page.locator("main .gone h1").inner_text().strip().startswith(text)


def test_delete_me_and_erase_show_why_the_page_stopped(server, open_page):
    status, made = server.api("POST", "/api/sessions", {"title": "States"})
    assert status == 201
    code = made["code"]
    join = f"{server.url}/j/{code}"

    # delete me: this tab and another tab of the same browser.
    dana = joined_phone(open_page, join, "Dana")
    second = dana.context.new_page()
    second.goto(join)
    wait_connected(second)
    wait_text(second, "#who", "Dana")
    dana.click("#your-data summary")
    dana.click("#delete-me")
    dana.click("#delete-confirm")  # the page's own dialog asks first
    for page in (dana, second):
        stays_stopped(page, "You deleted yourself")
    second.reload()  # the cookie is no longer anyone: the join form, empty
    assert second.is_visible("#join") and second.is_hidden("#app")

    # erase: a phone and the screen.
    pat = joined_phone(open_page, join, "Pat")
    screen = open_page(PROJECTOR, f"{server.url}/screen/{code}", name="screen")
    wait_connected(screen)
    console = open_page(LAPTOP, made["console_url"], name="console")
    wait_connected(console)
    console.goto(f"{server.url}/console/{code}/outcome")
    console.fill("#erase-confirm", code)
    console.click("form[action$='/erase'] button[type=submit]")
    wait_text(console, "h1", "Session erased")
    for page in (pat, screen):
        stays_stopped(page, "This session was erased")


def test_new_console_link_signs_out_other_consoles_and_keeps_this_one(server, open_page):
    status, made = server.api("POST", "/api/sessions", {"title": "Rotate"})
    assert status == 201
    code = made["code"]
    mine = open_page(LAPTOP, made["console_url"], name="console")
    wait_connected(mine)
    theirs = open_page(LAPTOP, made["console_url"], name="other console")
    wait_connected(theirs)

    share = mine.context.new_page()
    share.goto(f"{server.url}/console/{code}/share")
    share.click("#new-link")
    share.wait_for_selector("#link-replaced")
    new_url = share.locator("#console-link").get_attribute("href")  # shown only when asked
    assert new_url != made["console_url"]

    stays_stopped(theirs, "This console was signed out")
    # The tab of the browser that replaced the link comes back by itself and works.
    mine.wait_for_function("() => F.socket.connected", timeout=STOPPED_MS)
    ack = mine.evaluate("F.send('cue:screen', {text: 'still mine'})")
    assert ack["ok"], ack
    # The old link opens nothing; the new one opens the console in a fresh browser.
    assert "facilitator=" not in (console_cookie_or_none(made["console_url"]) or "")
    fresh = open_page(LAPTOP, new_url, name="fresh console")
    wait_connected(fresh)


def console_cookie_or_none(url: str):
    try:
        return console_cookie(url)
    except Exception:  # noqa: BLE001 - a 403 instead of the redirect
        return None
