"""Screenshots of every page in every state, at phone, laptop and projector sizes.

    python scripts/screenshots.py [OUT_DIR] [--zh]

Starts a real server with the demo session, drives a round with a console, a screen and two
phones in headless Chromium, and saves PNGs (default: test-artifacts/screenshots-en/ or -zh/).
With --zh every page is in Simplified Chinese (browser language and the session's screen
language).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import (  # noqa: E402
    CHROMIUM_ARGS,
    LAPTOP,
    PHONE,
    PROJECTOR,
    Server,
    chromium_path,
    expose_modules,
)

OUT: list[Path] = []


def main(out: Path, lang: str = "en") -> None:
    out.mkdir(parents=True, exist_ok=True)
    OUT[:] = [out]
    server = Server(Path(tempfile.mkdtemp()) / "shots").start("--demo")
    links = server.printed_links()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            expose_modules(b)  # `F` in every page (tests/e2e/harness.py)
            accept = {"Accept-Language": "zh-CN,zh;q=0.9" if lang == "zh" else "en"}
            # Each page in a context of its own (a device), so a page can open more in it.
            b.new_page = lambda **kw: b.new_context(extra_http_headers=accept, **kw).new_page()
            console = b.new_page(viewport=LAPTOP)
            console.goto(links["console"])
            console.wait_for_selector(".row")
            if lang == "zh":
                console.evaluate("F.send('session:settings', {screen_language: 'zh'})")
            screen = b.new_page(viewport=PROJECTOR)
            screen.goto(links["screen"])
            screen43 = b.new_page(viewport={"width": 1024, "height": 768})
            screen43.goto(links["screen"])
            phones = []
            for _ in range(2):
                ph = b.new_page(viewport=PHONE)
                ph.goto(links["join"])
                phones.append(ph)

            def shot(page, name):
                page.wait_for_timeout(600)
                page.screenshot(path=str(out / f"{name}.png"))

            for size, vp in (("phone", PHONE), ("laptop", LAPTOP), ("projector", PROJECTOR)):
                page = b.new_page(viewport=vp)
                page.goto(server.url + "/")
                shot(page, f"start-{size}")
                page.goto(server.url + "/j/ZZZZZZ")
                shot(page, f"unknown-code-{size}")
                page.close()
            share = console.context.new_page()  # the moderator's browser: it holds the cookie
            share.goto(links["console"].split("?")[0] + "/share")
            shot(share, "share-laptop")
            shot(phones[0], "phone-join")
            for ph, name in zip(phones, ("Li Wei", "Marie Curie"), strict=True):
                ph.fill("#join-name", name)
                ph.fill("#join-org", "Shenzhen Smart City Office" if name == "Li Wei" else "")
                ph.click("#join-form button")
                ph.wait_for_selector("#app:not([hidden])")
            shot(phones[0], "phone-lobby")
            phones[0].fill("#p-title", "Bike sharing data for city planners")
            phones[0].fill("#p-offer", "Anonymised trip data from 2 million rides, ready to share.")
            phones[0].click("#propose-form button")
            shot(screen, "screen-lobby-1920")
            shot(screen43, "screen-lobby-1024")
            shot(console, "console-pending")
            console.click("#pending-list button.primary")
            send = lambda event, payload: console.evaluate(  # noqa: E731
                "([e, p]) => F.send(e, p)", [event, payload]
            )
            # Section 1: invited talks, with the title card on the screen.
            console.keyboard.press("s")
            screen.wait_for_timeout(300)
            shot(screen, "screen-section-card-1920")
            console.keyboard.press("Space")
            console.wait_for_timeout(300)
            shot(console, "console-talk")
            # Section 2: the pitch round, made too short so the cut line and fit show.
            console.keyboard.press("s")
            console.wait_for_timeout(300)
            current = console.evaluate("document.querySelector('#sched-section').textContent")
            assert "Quick wins" in current, current
            send("section:edit", {"section_id": 2, "minutes": 9})  # the demo's pitch round
            console.wait_for_timeout(400)
            shot(console, "console-schedule-cut-line")
            console.keyboard.press("f")
            console.wait_for_timeout(300)
            shot(console, "console-fit-confirm")
            console.keyboard.press("Enter")
            console.wait_for_timeout(300)
            shot(console, "console-fitted")
            console.keyboard.press("?")
            console.wait_for_timeout(200)
            shot(console, "console-help")
            console.keyboard.press("Escape")
            # The phone's pitch first, so its phone becomes the confidence monitor.
            bike = console.evaluate(
                "Array.from(document.querySelectorAll('#queue li[data-id]'))"
                ".find(li => li.textContent.includes('Bike sharing')).dataset.id"
            )
            send("pitch:move", {"pitch_id": int(bike), "index": 0})
            console.wait_for_timeout(300)
            shot(phones[0], "phone-you-are-next")
            console.keyboard.press("Space")
            console.wait_for_timeout(300)
            shot(console, "console-pitch")
            shot(screen, "screen-pitch-normal-1920")
            shot(screen43, "screen-pitch-normal-1024")
            ack = send("cue:pitcher", {"text": "Please wrap up"})
            assert ack["ok"], ack
            phones[0].wait_for_selector("#cue:not([hidden])")
            shot(phones[0], "phone-monitor")
            shot(phones[1], "phone-pitch")
            for _ in range(3):
                console.keyboard.press("[")
                console.wait_for_timeout(200)
            shot(screen, "screen-pitch-amber-1920")
            send("cue:screen", {"text": "Coffee break at 10:35"})
            shot(screen, "screen-message-1920")
            send("cue:screen", {"text": ""})
            console.keyboard.press("[")
            console.wait_for_timeout(200)
            console.keyboard.press("]")
            console.wait_for_timeout(200)
            console.keyboard.press("[")
            console.wait_for_timeout(200)
            shot(screen, "screen-pitch-red-1920")
            console.wait_for_timeout(2500)
            shot(screen, "screen-pitch-overrun-1920")
            shot(screen43, "screen-pitch-overrun-1024")
            shot(console, "console-overrun")
            console.keyboard.press("Space")
            shot(screen, "screen-pitch-paused-1920")
            for _ in range(3):
                console.keyboard.press("n")
                console.wait_for_timeout(300)
            console.click("#report-box summary")
            shot(console, "console-report-open")
            console.keyboard.press("v")
            console.wait_for_timeout(300)
            shot(phones[1], "phone-voting-before")
            for ph in phones:
                buttons = ph.locator("#ballot button.dot:not([disabled])")
                for i in range(3):
                    buttons.nth(i).click()
                    ph.wait_for_timeout(250)
            shot(phones[1], "phone-voting-after")
            shot(screen, "screen-voting-1920")
            shot(screen43, "screen-voting-1024")
            shot(console, "console-voting")
            # The ballot and the live tally at every size (each page ends at its own size).
            for size, vp in (("laptop", LAPTOP), ("projector", PROJECTOR), ("phone", PHONE)):
                phones[1].set_viewport_size(vp)
                shot(phones[1], f"phone-voting-after-{size}")
            for size, vp in (("phone", PHONE), ("projector", PROJECTOR), ("laptop", LAPTOP)):
                console.set_viewport_size(vp)
                shot(console, f"console-voting-{size}")
            console.keyboard.press("v")
            console.wait_for_timeout(300)
            console.keyboard.press("e")  # the last place first
            console.wait_for_timeout(600)
            shot(screen, "screen-results-step-1920")
            for _ in range(12):  # then every place up to the winner
                console.keyboard.press("e")
                console.wait_for_timeout(300)
                if "Hide" in console.text_content("#btn-reveal") or "隐藏" in console.text_content(
                    "#btn-reveal"
                ):
                    break
            screen.wait_for_timeout(3000)
            shot(screen, "screen-results-1920")
            screen43.wait_for_timeout(1000)
            shot(screen43, "screen-results-1024")
            shot(phones[1], "phone-results")
            shot(console, "console-results")
            outcome_shots(b, server, console, screen, phones, shot, send)
            per_pitch_approval_shots(b, server, shot)
            b.close()
    finally:
        server.stop()
    print(f"screenshots in {out}")


def outcome_shots(b, server, console, screen, phones, shot, send) -> None:
    """Follow-up, commitments, the outcome page and its printed report."""
    marie, li = phones[1], phones[0]
    marie.locator("#follow-list li").filter(has_text="Bike sharing").locator("button").click()
    marie.click("#contact summary")
    marie.fill("#c-email", "marie@example.org")
    marie.check("#c-consent")
    marie.click("#contact-form button[type=submit]")
    marie.wait_for_timeout(400)
    shot(marie, "phone-follow-up")
    li.locator("#my-pitches .interested").scroll_into_view_if_needed()
    shot(li, "phone-pitcher-interested")
    bike = console.evaluate(
        "Array.from(document.querySelectorAll('#queue li[data-id]'))"
        ".find(li => li.textContent.includes('Bike sharing')).dataset.id"
    )
    send(
        "commitment:set",
        {
            "pitch_id": int(bike),
            "owners": [{"name": "Li Wei"}, {"name": "Transport department"}],
            "next_step": "Share a first data extract",
            "due": "2027-01-15",
            "status": "priority",
        },
    )
    console.click("#commitments-box summary")
    shot(console, "console-commitments")
    send("screen:mode", {"mode": "commitments"})
    outcome = console.context.new_page()
    outcome.goto(console.url + "/outcome")
    outcome.click("#publish")
    screen.wait_for_timeout(800)
    shot(screen, "screen-commitments-1920")
    for size, vp in (("laptop", LAPTOP), ("phone", PHONE), ("projector", PROJECTOR)):
        outcome.set_viewport_size(vp)
        shot(outcome, f"outcome-{size}")
    outcome.emulate_media(media="print")
    outcome.pdf(path=str(OUT[0] / "outcome-report.pdf"), format="A4", print_background=True)
    marie.wait_for_selector("#outcome-link:not([hidden])")
    marie.click("#outcome-link a")
    shot(marie, "outcome-public-phone")


def per_pitch_approval_shots(b, server, shot) -> None:
    """Approval voting with a rating window right after each pitch."""
    status, session = server.api("POST", "/api/sessions", {"title": "Approval round"})
    assert status == 201, session
    console = b.new_page(viewport=LAPTOP)
    console.goto(session["console_url"])
    console.wait_for_function("() => !!(window.F && F.socket && F.socket.connected)")
    send = lambda event, payload=None: console.evaluate(  # noqa: E731
        "([e, p]) => F.send(e, p)", [event, payload or {}]
    )
    send("session:settings", {"voting_method": "approval", "voting_round": "per_pitch"})
    for title, who in (("Shared e-scooter parking", "Ana"), ("Free city Wi-Fi map", "Ben")):
        send("pitch:add", {"title": title, "pitcher": who, "offer": "Ready to start in a month"})
    screen = b.new_page(viewport=PROJECTOR)
    screen.goto(session["screen_url"])
    phone = b.new_page(viewport=PHONE)
    phone.goto(session["join_url"])
    phone.fill("#join-name", "Chen Jing")
    phone.click("#join-form button")
    phone.wait_for_selector("#app:not([hidden])")
    send("voting:open")
    send("stage:next")
    send("stage:next")
    phone.wait_for_selector("#rate-now:not([hidden])")
    shot(phone, "phone-rate-now-approval")
    shot(screen, "screen-rate-now-1920")
    phone.locator("#rate-now button.dot").click()
    phone.wait_for_timeout(300)
    shot(phone, "phone-approved")
    shot(console, "console-approval")


if __name__ == "__main__":
    language = "zh" if "--zh" in sys.argv else "en"
    args = [a for a in sys.argv[1:] if a != "--zh"]
    main(Path(args[0]) if args else ROOT / "test-artifacts" / f"screenshots-{language}", language)
