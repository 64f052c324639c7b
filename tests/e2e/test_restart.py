"""The laptop crashes mid-pitch (SIGKILL) and the server is started again: every open page
reconnects by itself and the running timer carries on as if nothing had happened."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import digits, shot, wait_attr, wait_connected, wait_text, wait_visible

TITLE = "Leak detection for water networks"
SCREEN_TIMER = ".mode-pitch .timer"
PHONE_TIMER = "#on-stage .timer"


def test_kill_mid_pitch_resumes(server, open_page, artifacts):
    server.start()
    status, session = server.api(
        "POST", "/api/sessions", {"title": "Restart round", "pitch_seconds": 120}
    )
    assert status == 201, session
    code = session["code"]

    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    console.click("#add-pitch summary")
    console.fill("#a-pitcher", "Lukas Meyer")
    console.fill("#a-title", TITLE)
    console.fill("#a-offer", "Acoustic sensors that found 15% water loss in Hamburg.")
    console.click("#add-form button[type=submit]")
    expect(console.locator("#queue li.row")).to_have_count(1)

    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    phone = open_page(PHONE, session["join_url"], "phone")
    phone.fill("#join-name", "Marie Curie")
    phone.click("#join-form button[type=submit]")
    wait_visible(phone, "#app")
    wait_connected(phone)
    wait_text(phone, "#who", "Marie Curie")
    wait_text(console, '[data-count="participants"]', "1", exact=True)

    # Start, take 60 s away: about a minute left.
    console.evaluate("() => document.activeElement && document.activeElement.blur()")
    console.keyboard.press("Space")
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    console.keyboard.press("[")
    console.keyboard.press("[")
    screen.wait_for_function(
        "sel => { const m = /^(\\d+):(\\d\\d)$/.exec(document.querySelector(sel).textContent"
        ".trim()); return !!m && (+m[1] * 60 + +m[2]) <= 62; }",
        arg=f"{SCREEN_TIMER} [data-timer-digits]",
    )
    wait_text(phone, '#on-stage [data-field="title"]', TITLE, exact=True)
    # Read the digits as they change, so the reading is exact to well under a second.
    screen.wait_for_function(
        "([sel, prev]) => document.querySelector(sel).textContent.trim() !== prev",
        arg=[
            f"{SCREEN_TIMER} [data-timer-digits]",
            screen.text_content(f"{SCREEN_TIMER} [data-timer-digits]").strip(),
        ],
    )
    recorded = digits(screen, SCREEN_TIMER)
    recorded_at = time.monotonic()
    assert 55 <= recorded <= 61, recorded
    shot(screen, artifacts, "01-screen-before-kill")

    # Count the snapshots each page receives from now on, and blank what only the server can
    # fill in again: after the restart these prove the pages heard from the new server.
    for page in (screen, phone, console):
        page.evaluate(
            "() => { window.__stages = 0; F.socket.on('stage', () => { window.__stages += 1; }); }"
        )
    phone.evaluate("() => { document.querySelector('#who').textContent = ''; }")
    console.evaluate(
        "() => { document.querySelector('[data-count=participants]').textContent = ''; }"
    )

    # ----- crash ----------------------------------------------------------------------------
    server.kill()
    for page in (screen, phone, console):
        wait_visible(page, "#conn-banner", timeout=5_000)
    wait_text(screen, "#conn-banner", "Reconnecting")
    shot(screen, artifacts, "02-screen-offline")
    shot(phone, artifacts, "02-phone-offline")
    # The pages keep counting down on their own while the server is away.
    screen.wait_for_timeout(2_000)

    # ----- restart on the same port and database, no page reloaded ------------------------
    server.start("--session", code)
    for page in (screen, phone, console):
        wait_visible(page, "#conn-banner", visible=False, timeout=15_000)
        wait_connected(page)
        page.wait_for_function("() => window.__stages >= 1")
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_attr(phone, PHONE_TIMER, "data-state", "running")
    assert screen.get_attribute("#screen", "data-mode") == "pitch"
    wait_text(screen, '.mode-pitch [data-field="title"]', TITLE, exact=True)
    wait_text(phone, '#on-stage [data-field="title"]', TITLE, exact=True)

    expected = recorded - (time.monotonic() - recorded_at)
    on_screen, on_phone = digits(screen, SCREEN_TIMER), digits(phone, PHONE_TIMER)
    assert abs(on_screen - expected) <= 2, (on_screen, expected)
    assert abs(on_phone - expected) <= 2, (on_phone, expected)
    assert console.get_attribute(".stage-panel .timer", "data-state") == "running"

    # Still the same person (recognised by its cookie), not a second participant.
    wait_text(phone, "#who", "Marie Curie")
    expect(phone.locator("#app")).to_be_visible()
    expect(phone.locator("#join")).to_be_hidden()
    wait_text(console, '[data-count="participants"]', "1", exact=True)
    shot(screen, artifacts, "03-screen-after-restart")
    shot(phone, artifacts, "03-phone-after-restart")
