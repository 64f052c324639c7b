"""A whole pitch round through real browsers: console, projector screen and two phones.

The phones join the way people in the room do: by the URL in the QR code on the screen,
read back from a screenshot with zbarimg.
"""

from __future__ import annotations

from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR, decode_qr
from .helpers import (
    WAIT_MS,
    digits,
    parse_digits,
    reveal_all,
    shot,
    wait_attr,
    wait_connected,
    wait_text,
    wait_visible,
)

TITLE_A = "Bike sharing data for city planners"
OFFER_A = "Anonymised trip data from 2 million rides, ready to share."
TITLE_B = "Open traffic data in 90 days"
OFFER_B = "A proven open-data portal for traffic sensors."
PITCHER_B = "Anna Keller"
SCREEN_TIMER = ".mode-pitch .timer"
PHONE_TIMER = "#on-stage .timer"


def join(page, name: str, organisation: str = "") -> None:
    page.fill("#join-name", name)
    page.fill("#join-org", organisation)
    page.click("#join-form button[type=submit]")
    wait_visible(page, "#app")
    wait_connected(page)
    wait_text(page, "#who", name)


def screen_seconds(screen) -> int:
    return digits(screen, SCREEN_TIMER)


def press(console, key: str) -> None:
    """A console shortcut, pressed with nothing focused (shortcuts are ignored in fields)."""
    console.evaluate("() => document.activeElement && document.activeElement.blur()")
    console.keyboard.press(key)


def ballot_item(phone, title: str):
    return phone.locator("#ballot li.ballot-item").filter(has_text=title)


def test_whole_round(server, open_page, artifacts):
    server.start()
    status, session = server.api(
        "POST", "/api/sessions", {"title": "E2E pitch round", "pitch_seconds": 60}
    )
    assert status == 201, session
    code = session["code"]

    # ----- console (its own context: the key becomes a cookie, the address loses it) ------
    console = open_page(LAPTOP, session["console_url"], "console")
    assert console.url == f"{server.url}/console/{code}", console.url
    wait_connected(console)
    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    wait_attr(screen, "#screen", "data-mode", "lobby")

    # ----- the phones join through the QR code on the screen ------------------------------
    qr_png = artifacts / "01-screen-lobby-qr.png"
    screen.locator(".qr-hero").screenshot(path=str(qr_png))
    shot(screen, artifacts, "01-screen-lobby")
    join_url = decode_qr(qr_png)
    assert join_url == session["join_url"]

    phone_a = open_page(PHONE, join_url, "phone-a")
    phone_b = open_page(PHONE, join_url, "phone-b")
    expect(phone_a.locator("#join-form")).to_be_visible()
    shot(phone_a, artifacts, "02-phone-join")
    join(phone_a, "Li Wei", "Shenzhen Smart City Office")
    join(phone_b, "Marie Curie")
    wait_text(screen, '.mode-lobby [data-count="participants"]', "2", exact=True)
    shot(screen, artifacts, "03-screen-lobby-2-joined")

    # ----- phone A signs up; the moderator accepts and adds a pitch of their own ----------
    phone_a.fill("#p-title", TITLE_A)
    phone_a.fill("#p-offer", OFFER_A)
    phone_a.click("#propose-form button[type=submit]")
    pending = console.locator("#pending-list li.row").filter(has_text=TITLE_A)
    expect(pending).to_be_visible()
    shot(console, artifacts, "04-console-pending")
    pending.locator("button.primary").click()
    expect(console.locator("#queue li.row").filter(has_text=TITLE_A)).to_be_visible()
    expect(console.locator("#pending-list li.row")).to_have_count(0)

    console.click("#add-pitch summary")
    console.fill("#a-pitcher", PITCHER_B)
    console.fill("#a-title", TITLE_B)
    console.fill("#a-offer", OFFER_B)
    # 40 s, so that one -30 s press takes it into the last 10 seconds.
    console.fill("#a-seconds", "40")
    console.click("#add-form button[type=submit]")
    expect(console.locator("#queue li.row")).to_have_count(2)
    queue_titles = console.locator("#queue li.row .row-title").all_text_contents()
    assert queue_titles == [TITLE_A, TITLE_B]
    wait_text(phone_a, "#my-status", "next", ignore_case=True)
    expect(phone_b.locator("#my-status")).to_be_hidden()
    shot(console, artifacts, "05-console-queue")
    shot(phone_a, artifacts, "05-phone-a-next")

    # ----- pitch 1: start with Space ------------------------------------------------------
    press(console, "Space")
    wait_attr(screen, "#screen", "data-mode", "pitch")
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_text(screen, '.mode-pitch [data-field="title"]', TITLE_A, exact=True)
    wait_text(screen, '.mode-pitch [data-field="pitcher"]', "Li Wei", exact=True)
    wait_text(phone_a, "#my-status", "You're on")
    wait_text(phone_b, '#on-stage [data-field="title"]', TITLE_A, exact=True)
    wait_attr(phone_b, PHONE_TIMER, "data-state", "running")
    on_screen, on_phone_b, on_phone_a = (
        screen_seconds(screen),
        digits(phone_b, PHONE_TIMER),
        digits(phone_a, PHONE_TIMER),
    )
    assert 50 <= on_screen <= 60, on_screen
    assert abs(on_screen - on_phone_b) <= 1, (on_screen, on_phone_b)
    assert abs(on_screen - on_phone_a) <= 1, (on_screen, on_phone_a)
    shot(screen, artifacts, "06-screen-pitch")
    shot(phone_a, artifacts, "06-phone-a-on")
    shot(phone_b, artifacts, "06-phone-b-pitch")

    # "[" takes 30 s away, on the screen at once.
    before = screen_seconds(screen)
    press(console, "[")
    screen.wait_for_function(
        "([sel, limit]) => { const t = document.querySelector(sel).textContent.trim();"
        " const m = /^(\\d+):(\\d\\d)$/.exec(t); return !!m && (+m[1] * 60 + +m[2]) <= limit; }",
        arg=[f"{SCREEN_TIMER} [data-timer-digits]", before - 25],
        timeout=WAIT_MS,
    )
    after = screen_seconds(screen)
    assert 28 <= before - after <= 33, (before, after)

    # Into the last 30 seconds: amber, with words as well as colour.
    for _ in range(3):
        if screen.get_attribute(SCREEN_TIMER, "data-phase") == "amber":
            break
        press(console, "[")
        screen.wait_for_timeout(300)
    wait_attr(screen, SCREEN_TIMER, "data-phase", "amber")
    wait_text(screen, f"{SCREEN_TIMER} [data-timer-label]", "Last 30 seconds")
    wait_attr(phone_b, PHONE_TIMER, "data-phase", "amber")
    shot(screen, artifacts, "07-screen-amber")

    # ----- pitch 2: n, then the last 10 seconds, then over time ---------------------------
    press(console, "n")
    wait_text(screen, '.mode-pitch [data-field="title"]', TITLE_B, exact=True)
    wait_text(screen, '.mode-pitch [data-field="pitcher"]', PITCHER_B, exact=True)
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_attr(screen, SCREEN_TIMER, "data-phase", "normal")
    assert 35 <= screen_seconds(screen) <= 40
    wait_text(phone_b, '#on-stage [data-field="title"]', TITLE_B, exact=True)
    expect(phone_a.locator("#my-status")).to_be_hidden()  # A's pitch is over

    press(console, "[")
    wait_attr(screen, SCREEN_TIMER, "data-phase", "red")
    wait_text(screen, f"{SCREEN_TIMER} [data-timer-label]", "Last 10 seconds")
    assert 0 <= screen_seconds(screen) <= 10
    shot(screen, artifacts, "08-screen-red")
    # Nothing more to take away without going past zero: let the clock run out.
    wait_attr(screen, SCREEN_TIMER, "data-phase", "overrun", timeout=15_000)
    screen.wait_for_function(
        "sel => document.querySelector(sel).textContent.trim().startsWith('+')",
        arg=f"{SCREEN_TIMER} [data-timer-digits]",
        timeout=5_000,
    )
    wait_text(screen, f"{SCREEN_TIMER} [data-timer-label]", "Over time")
    assert screen_seconds(screen) <= 0
    wait_attr(phone_b, PHONE_TIMER, "data-phase", "overrun")
    assert parse_digits(phone_b.text_content(f"{PHONE_TIMER} [data-timer-digits]")) <= 0
    shot(screen, artifacts, "09-screen-overrun")
    shot(console, artifacts, "09-console-overrun")

    # ----- voting -------------------------------------------------------------------------
    press(console, "v")
    wait_attr(screen, "#screen", "data-mode", "voting")
    for phone in (phone_a, phone_b):
        wait_visible(phone, "#ballot")
        expect(phone.locator("#ballot li.ballot-item")).to_have_count(2)
    own = ballot_item(phone_a, TITLE_A)
    expect(own).to_contain_text("Your pitch")
    expect(own.locator("button.dot")).to_have_count(0)
    shot(phone_a, artifacts, "10-phone-a-ballot")
    # The same person in a second tab: it follows the votes given in the first.
    tab_errors: list = []
    tab_b = phone_b.context.new_page()
    tab_b.on("pageerror", lambda exc: tab_errors.append(str(exc)))
    tab_b.goto(phone_b.url)
    wait_visible(tab_b, "#ballot")
    expect(tab_b.locator("#dots-left")).to_contain_text("3 of 3")

    ballot_item(phone_a, TITLE_B).locator("button.dot").click()
    expect(ballot_item(phone_a, TITLE_B).locator("button.dot")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(phone_a.locator("#dots-left")).to_contain_text("2 of 3")
    for title in (TITLE_A, TITLE_B):
        ballot_item(phone_b, title).locator("button.dot").click()
        expect(ballot_item(phone_b, title).locator("button.dot")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(phone_b.locator("#dots-left")).to_contain_text("1 of 3")
    shot(phone_b, artifacts, "11-phone-b-voted")
    expect(tab_b.locator("#dots-left")).to_contain_text("1 of 3")
    for title in (TITLE_A, TITLE_B):
        expect(ballot_item(tab_b, title).locator("button.dot")).to_have_attribute(
            "aria-pressed", "true"
        )
    assert not tab_errors, tab_errors
    tab_b.close()

    wait_text(screen, '.mode-voting [data-count="ballots"]', "2", exact=True)
    # While voting is open the room sees no standings.
    assert screen.get_attribute("#screen", "data-mode") == "voting"
    expect(screen.locator("#results li.result")).to_have_count(0)
    expect(screen.locator(".mode-results")).to_be_hidden()
    for phone in (phone_a, phone_b):
        expect(phone.locator("#ranking li")).to_have_count(0)
    shot(screen, artifacts, "12-screen-voting")

    # ----- close, reveal ------------------------------------------------------------------
    press(console, "v")
    wait_text(console, "#voting-state", "closed")
    reveal_all(lambda: press(console, "e"), screen)  # from last place up, one place a press
    first = screen.locator("#results li.result").first
    expect(first.locator(".r-title")).to_have_text(TITLE_B)
    expect(first.locator(".votes")).to_have_text("2 dots")
    expect(first.locator(".rank")).to_have_text("1")
    second = screen.locator("#results li.result").nth(1)
    expect(second.locator(".r-title")).to_have_text(TITLE_A)
    expect(second.locator(".votes")).to_have_text("1 dot")
    for phone in (phone_a, phone_b):
        wait_visible(phone, "#ranking")
        expect(phone.locator("#ranking li").first.locator(".ri-title")).to_have_text(TITLE_B)
    # The ranking builds up from the bottom; in the end every row is there to read.
    screen.wait_for_function(
        "() => { const rows = [...document.querySelectorAll('#results li.result')];"
        " return rows.length === 2 && rows.every(r => getComputedStyle(r).opacity === '1'); }",
        timeout=10_000,
    )
    shot(screen, artifacts, "13-screen-results")
    shot(phone_b, artifacts, "13-phone-b-results")
    shot(console, artifacts, "13-console-results")
