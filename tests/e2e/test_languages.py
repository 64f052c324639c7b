"""The language switch, clicked in a real browser on every page that has one: the page comes
back in the other language (a known text and `<html lang>`), at the same address (never a
404), and a second click brings it back. The screen has no switch: the room reads it, so it
speaks the session's screen language, set from the console."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from babel.support import Translations
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import wait_attr, wait_connected, wait_visible
from .test_pages import join, new_session

CATALOG = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), ["zh"])
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def zh(text: str) -> str:
    out = CATALOG.gettext(text)
    assert out != text, f"no Chinese for {text!r}"
    return out


def where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def in_language(page, lang: str, known: str) -> None:
    """The page speaks `lang`: its `<html lang>` and one text a reader sees."""
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    text = known if lang == "en" else zh(known)
    expect(page.locator("body")).to_contain_text(text)
    other = zh(known) if lang == "en" else known
    assert other not in page.locator("body").inner_text()


def switch(page, to: str, status: int) -> None:
    """Click the switch: the same address comes back, answering as it did, in `to`."""
    before = where(page.url)
    link = page.locator("a.lang-switch")
    expect(link).to_have_count(1)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("hreflang", to)
    with page.expect_navigation() as nav:
        link.click()
    assert nav.value.status == status, (before, nav.value.status)
    assert where(page.url) == before
    page.wait_for_load_state("load")


def round_trip(page, known: str, status: int = 200) -> None:
    in_language(page, "en", known)
    switch(page, "zh", status)
    in_language(page, "zh", known)
    switch(page, "en", status)
    in_language(page, "en", known)


def test_the_switch_works_on_every_page(server, open_page):
    server.start()
    session = new_session(server, title="Languages")
    code = session["code"]

    anyone = open_page(PHONE, f"{server.url}/", "start")
    round_trip(anyone, "Create a session")
    anyone.goto(f"{server.url}/j")
    round_trip(anyone, "Join a session")
    anyone.goto(f"{server.url}/j/ZZZZZ9")  # an unknown code: asked again, with a 404
    round_trip(anyone, "No session with this code", status=404)
    anyone.goto(f"{server.url}/no/such/page")
    round_trip(anyone, "There is nothing at this address.", status=404)

    phone = open_page(PHONE, session["join_url"], "phone")
    round_trip(phone, "Join the session")
    join(phone, "Mei")
    wait_visible(phone, "#app")
    round_trip(phone, "Pitch a quick win")
    wait_connected(phone)

    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    round_trip(console, "Timing report")
    wait_connected(console)
    console.goto(f"{server.url}/console/{code}/share")
    round_trip(console, "Your links")
    console.goto(f"{server.url}/console/{code}/outcome")
    round_trip(console, "The quick wins the room chose")
    console.click("#publish")
    public_url = console.locator("#public-link").get_attribute("href")
    round_trip(console, "Stop sharing")

    public = open_page(PHONE, public_url, "public outcome")
    round_trip(public, "shared by the moderator")


def test_the_screen_speaks_the_sessions_screen_language(server, open_page):
    server.start()
    session = new_session(server, title="Languages")
    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    expect(screen.locator("a.lang-switch")).to_have_count(0)  # nothing to click on the wall
    in_language(screen, "en", "Scan to join")
    # this laptop's language does not move the screen
    screen.goto(f"{server.url}/lang/zh?next={where(screen.url)}")
    wait_connected(screen)
    in_language(screen, "en", "Scan to join")
    ack = console.evaluate(
        "() => F.send('session:settings', {screen_language: 'zh'})",
    )
    assert ack["ok"], ack
    wait_attr(screen, "html", "lang", "zh-Hans")  # the screen reloads itself
    screen.wait_for_load_state("load")
    in_language(screen, "zh", "Scan to join")
