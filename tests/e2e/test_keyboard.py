"""A whole pitch round run from the console by keyboard alone.

The moderator never clicks: every control on the console is reached with Tab / Shift+Tab and
pressed with Enter, or is one of the single-key shortcuts of console.js. The console page is
never scripted (no clicks, no evaluate, no F.send); it is only read, to see where focus is and
what it shows. The projector screen and one phone (the pitcher, who uses it by touch) check
that each key press reached the room.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import (
    WAIT_MS,
    digits,
    reveal_all,
    shot,
    wait_attr,
    wait_connected,
    wait_text,
    wait_visible,
)

SECTION = "Quick wins"
PITCHER_A, ORG_A = "Li Wei", "Shenzhen Smart City Office"
TITLE_A = "Bike sharing data for city planners"
OFFER_A = "Anonymised trip data from 2 million rides, ready to share."
PITCHER_B, TITLE_B, OFFER_B = "Anna Keller", "Open traffic data in 90 days", "A data portal."
PITCHER_C, TITLE_C = "Omar Haddad", "Shared e-scooter parking"
CUE = "Please wrap up"
SCREEN_TIMER = ".mode-pitch .timer"
SCREEN_TITLE = '.mode-pitch [data-field="title"]'
TAB_LIMIT = 150  # more than every focusable control of the console


# ----- keyboard-only helpers for the console ---------------------------------------------


def focused(page, selector: str) -> bool:
    """Whether `selector` (one compound selector) is the focused element. A read, not an act."""
    return page.locator(f"{selector}:focus").count() == 1


def focus_name(page) -> str:
    """A short description of the focused element, for failure messages."""
    node = page.locator(":focus")
    if node.count() == 0:
        return "(nothing: body)"
    node = node.first
    for attr in ("id", "aria-label", "name"):
        value = node.get_attribute(attr)
        if value:
            return f"{attr}={value}"
    return repr((node.text_content() or "").strip()[:40])


PATH: list[str] = []  # how far each control was, in key presses: written to the artifacts


def tab_to(page, selector: str, back: bool = False, limit: int = TAB_LIMIT) -> int:
    """Press Tab (or Shift+Tab) until `selector` has focus; returns the number of presses."""
    key = "Shift+Tab" if back else "Tab"
    start = focus_name(page)
    trail = []
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if focused(page, selector):
            PATH.append(f"{presses:3d} x {key:9s} from {start} to {selector}")
            return presses
        trail.append(focus_name(page))
    raise AssertionError(
        f"{selector} not reachable with {key} in {limit} presses; focus went through: {trail}"
    )


def tab_once(page, selector: str, back: bool = False) -> None:
    page.keyboard.press("Shift+Tab" if back else "Tab")
    assert focused(page, selector), f"expected focus on {selector}, got {focus_name(page)}"


def replace_value(page, text: str) -> None:
    """Select the whole value of the focused field and type over it."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def join(phone, name: str, organisation: str) -> None:
    phone.fill("#join-name", name)
    phone.fill("#join-org", organisation)
    phone.click("#join-form button[type=submit]")
    wait_visible(phone, "#app")
    wait_connected(phone)
    wait_text(phone, "#who", name)


def queue_titles(console) -> list[str]:
    return console.locator("#queue li.row .row-title").all_text_contents()


def row(console, title: str):
    return console.locator("#queue li.row").filter(has_text=title)


def screen_seconds(screen) -> int:
    return digits(screen, SCREEN_TIMER)


def wait_seconds(page, root: str, low: int, high: int, timeout: int = WAIT_MS) -> None:
    """Until the timer under `root` shows between `low` and `high` seconds left."""
    page.wait_for_function(
        "([sel, low, high]) => { const n = document.querySelector(sel);"
        " const m = n && /^(\\d+):(\\d\\d)$/.exec(n.textContent.trim());"
        " if (!m) return false; const s = +m[1] * 60 + +m[2]; return s >= low && s <= high; }",
        arg=[f"{root} [data-timer-digits]", low, high],
        timeout=timeout,
    )


def test_three_pitches_by_keyboard_only(server, open_page, artifacts):
    PATH.clear()
    server.start()
    status, session = server.api(
        "POST", "/api/sessions", {"title": "Keyboard round", "pitch_seconds": 60}
    )
    assert status == 201, session

    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    wait_text(console, "#sections", "no agenda", ignore_case=True)
    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    wait_attr(screen, "#screen", "data-mode", "lobby")
    phone = open_page(PHONE, session["join_url"], "phone")
    join(phone, PITCHER_A, ORG_A)
    wait_text(console, '[data-count="participants"]', "1", exact=True)
    kb = console.keyboard

    # ----- 1. the agenda: one section, added through "Edit the agenda" --------------------
    tab_to(console, "details.agenda > summary")
    kb.press("Enter")
    expect(console.locator("details.agenda")).to_have_attribute("open", "")
    tab_to(console, "#sec-title")
    kb.type(SECTION)  # "s", "n", "c", "u", ... typed into a field are not shortcuts
    tab_once(console, "#sec-kind")
    expect(console.locator("#sec-kind")).to_have_value("pitches")  # the default kind
    tab_once(console, "#sec-minutes")
    replace_value(console, "3")
    kb.press("Enter")  # implicit submission from the number field
    section_row = console.locator("#sections li.section-row")
    expect(section_row).to_have_count(1)
    expect(section_row.locator(".sec-title")).to_have_text(SECTION)
    expect(section_row.locator(".sec-meta")).to_contain_text("3")
    # Typing the title started nothing: the section is planned, not current.
    expect(section_row).not_to_have_class(re.compile(r"\bcurrent\b"))
    expect(console.locator("#sec-title")).to_have_value("")

    # The submitted form handed focus back to its fold: out of the field, keys are keys.
    expect(console.locator("details.agenda > summary")).to_be_focused()
    kb.press("s")
    wait_visible(screen, "#section-card")
    wait_text(screen, '#section-card [data-field="section-card"]', SECTION, exact=True)
    screen.locator("#section-card").screenshot(path=str(artifacts / "01-screen-section-card.png"))
    shot(screen, artifacts, "01-screen-with-section-card")
    expect(section_row).to_have_class(re.compile(r"\bcurrent\b"))
    expect(console.locator("#sched-section")).to_have_text(SECTION)

    # ----- 2. the queue: two pitches added, the phone's sign-up accepted ------------------
    tab_to(console, "#add-pitch > summary", back=True)
    kb.press("Enter")
    expect(console.locator("#add-pitch")).to_have_attribute("open", "")
    for pitcher, title, offer, by_button in (
        (PITCHER_B, TITLE_B, OFFER_B, True),
        (PITCHER_C, TITLE_C, "", False),
    ):
        tab_once(console, "#a-pitcher")
        kb.type(pitcher)
        tab_once(console, "#a-org")
        tab_once(console, "#a-title")
        kb.type(title)
        tab_once(console, "#a-offer")
        kb.type(offer)
        tab_once(console, "#a-title-alt")  # the second language stays empty
        tab_once(console, "#a-offer-alt")
        tab_once(console, "#a-seconds")  # empty: the session's 60 s
        if by_button:
            tab_once(console, "#add-form button[type=submit]")
        kb.press("Enter")
        expect(row(console, title)).to_be_visible()
        # The form empties and hands focus to its fold ("Add a pitch"), out of the fields:
        # one Tab leads back to "Pitcher" for the next pitch.
        expect(console.locator("#add-pitch > summary")).to_be_focused()
        expect(console.locator("#a-pitcher")).to_have_value("")
    assert queue_titles(console) == [TITLE_B, TITLE_C]
    expect(console.locator("#fit")).to_have_attribute("data-state", "ok")

    phone.fill("#p-title", TITLE_A)
    phone.fill("#p-offer", OFFER_A)
    phone.click("#propose-form button[type=submit]")
    pending = console.locator("#pending-list li.row").filter(has_text=TITLE_A)
    expect(pending).to_be_visible()
    tab_to(console, "#pending-list li.row button.primary", back=True)
    expect(console.locator("#pending-list li.row button.primary:focus")).to_have_text("Accept")
    kb.press("Enter")
    expect(console.locator("#pending-list li.row")).to_have_count(0)
    expect(row(console, TITLE_A)).to_be_visible()
    assert queue_titles(console) == [TITLE_B, TITLE_C, TITLE_A]
    for title in (TITLE_A, TITLE_B, TITLE_C):
        expect(row(console, title).locator(".row-meta")).to_contain_text("1 min")

    # 3 x (60 s + 15 s changeover) = 3:45 in a 3-minute section: the last one is below the line.
    cut = console.locator("#queue li.cut-line")
    expect(cut).to_have_count(1)
    expect(console.locator("#queue li.cut-line + li.row .row-title")).to_have_text(TITLE_A)
    expect(console.locator("#fit")).to_be_visible()
    expect(console.locator("#fit")).to_have_attribute("data-state", "over")
    # The default shortest length (fit floor, 60 s) is the pitch length itself, so there is no
    # shorter length to propose: no Fit button, and F only says so.
    expect(console.locator("#fit-text")).to_contain_text("shortest length (1:00)")
    expect(console.locator("#btn-fit")).to_be_hidden()
    kb.press("f")  # focus fell back to the page when the Accept button went away
    expect(console.locator("#toasts .toast").filter(has_text="No fit to propose")).to_be_visible()
    expect(console.locator("#fit-dialog")).not_to_have_attribute("open", "")

    # Lower the floor to 30 s in Settings, by keyboard; now Fit has a proposal.
    tab_to(console, "details.settings > summary")
    kb.press("Enter")
    expect(console.locator("details.settings")).to_have_attribute("open", "")
    tab_to(console, "#s-fit-floor-seconds")  # the field id follows the setting name
    replace_value(console, "30")
    kb.press("Enter")
    btn_fit = console.locator("#btn-fit")
    expect(btn_fit).to_be_visible()
    expect(btn_fit).to_contain_text(re.compile(r"Fit: 0:\d\d each"))
    proposal = re.search(r"0:\d\d", btn_fit.text_content()).group(0)
    # About 2:55 left: (2:55 - 3 x 0:15) / 3 = 0:43, rounded down to 0:40, which leaves ~10 s
    # of slack for the seconds between this proposal and its confirmation.
    assert 30 <= int(proposal[2:]) < 60, proposal
    shot(console, artifacts, "02-console-before-fit")

    tab_to(console, "#settings-form button[type=submit]")  # out of the fields again
    kb.press("f")
    dialog = console.locator("#fit-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(console.locator("#fit-dialog-text")).to_contain_text(
        f"all 3 waiting pitches to {proposal}"
    )
    expect(console.locator("#fit-confirm")).to_be_focused()  # autofocus: Enter confirms
    kb.press("Enter")
    expect(dialog).not_to_have_attribute("open", "")
    for title in (TITLE_A, TITLE_B, TITLE_C):
        expect(row(console, title).locator(".row-meta")).to_contain_text(proposal)
    expect(console.locator("#fit")).to_have_attribute("data-state", "ok")
    expect(cut).to_have_count(0)
    expect(btn_fit).to_be_hidden()
    shot(console, artifacts, "03-console-after-fit")
    console.locator("#schedule").screenshot(path=str(artifacts / "03-console-schedule-strip.png"))

    # ----- 3. the phone's pitch first: its row's "up" button, twice -----------------------
    up_a = f'#queue li.row button[aria-label="Move {TITLE_A} up"]'
    tab_to(console, up_a, back=True)
    kb.press("Enter")
    expect(console.locator("#queue li.row .row-title")).to_have_text([TITLE_B, TITLE_A, TITLE_C])
    # The queue is rebuilt: the pressed button is gone, and focus with it.
    PATH.append(f"after Enter on the up button, focus is on {focus_name(console)}")
    tab_to(console, up_a, back=True)
    kb.press("Enter")
    expect(console.locator("#queue li.row .row-title")).to_have_text([TITLE_A, TITLE_B, TITLE_C])
    wait_text(phone, "#my-status", "next", ignore_case=True)

    # ----- pitch 1 (the phone's): Space ---------------------------------------------------
    kb.press("Space")
    wait_attr(screen, "#screen", "data-mode", "pitch")
    wait_text(screen, SCREEN_TITLE, TITLE_A, exact=True)
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_text(phone, "#my-status", "You're on")
    expect(phone.locator(".stage")).to_have_class(re.compile(r"\bmonitor\b"))
    # Space on whatever had focus did not also press it: the order is unchanged.
    expect(console.locator("#queue li.row .row-title")).to_have_text([TITLE_A, TITLE_B, TITLE_C])

    # A cue to the pitcher only: C, type, Tab Tab to "To pitcher", Enter (enabled once the
    # console's own snapshot shows the live pitch).
    expect(console.locator('#cue-form button[value="pitcher"]')).to_be_enabled()
    kb.press("c")
    expect(console.locator("#cue-text")).to_be_focused()
    expect(console.locator("#cue-text")).to_have_value("")  # the "c" itself is not typed
    kb.type(CUE)  # "p", "r", "u", "e", "s" ... are not shortcuts while typing
    tab_once(console, '#cue-form button[value="screen"]')
    tab_once(console, '#cue-form button[value="pitcher"]')
    kb.press("Enter")
    wait_visible(phone, "#cue")
    wait_text(phone, "#cue", CUE)
    expect(console.locator("#cue-text")).to_have_value("")
    # (The console's own echo of this cue, #cue-now, is test_console_echoes_pitcher_cue.)
    expect(screen.locator("#screen-message")).to_be_hidden()
    assert CUE not in screen.locator("#screen").inner_text()
    wait_text(screen, SCREEN_TITLE, TITLE_A, exact=True)  # typing "s", "r", "e" did nothing
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    shot(phone, artifacts, "04-phone-monitor-cue")

    # ----- pitches 2 and 3: N, N ----------------------------------------------------------
    for title, pitcher in ((TITLE_B, PITCHER_B), (TITLE_C, PITCHER_C)):
        kb.press("n")
        wait_text(screen, SCREEN_TITLE, title, exact=True)
        wait_text(screen, '.mode-pitch [data-field="pitcher"]', pitcher, exact=True)
        wait_attr(screen, SCREEN_TIMER, "data-state", "running")
        assert screen_seconds(screen) <= int(proposal[2:])
    expect(phone.locator(".stage")).not_to_have_class(re.compile(r"\bmonitor\b"))
    expect(phone.locator("#cue")).to_be_hidden()

    # ] adds 30 s; R resets to the pitch length; U undoes the reset.
    length = int(proposal[2:])
    kb.press("]")
    wait_seconds(screen, SCREEN_TIMER, length + 20, length + 30)
    before = screen_seconds(screen)
    kb.press("r")
    wait_attr(screen, SCREEN_TIMER, "data-state", "idle")
    wait_seconds(screen, SCREEN_TIMER, length, length)
    expect(console.locator("#btn-undo")).to_be_visible()
    kb.press("u")
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_seconds(screen, SCREEN_TIMER, before - 5, before)
    wait_text(screen, SCREEN_TITLE, TITLE_C, exact=True)

    # N after the last pitch: the queue is done, the screen goes back to the lobby.
    kb.press("n")
    wait_attr(screen, "#screen", "data-mode", "lobby")
    expect(console.locator("#queue li.row.status-done")).to_have_count(3)

    # ----- voting and results: V, V, E ----------------------------------------------------
    kb.press("v")
    wait_attr(screen, "#screen", "data-mode", "voting")
    wait_visible(phone, "#ballot")
    expect(phone.locator("#ballot li.ballot-item")).to_have_count(3)
    kb.press("v")
    wait_text(console, "#voting-state", "closed")
    reveal_all(lambda: kb.press("e"), screen)  # from last place up, one place a press
    expect(screen.locator("#results li.result")).to_have_count(3)
    shot(screen, artifacts, "05-screen-results")

    # ----- ? opens the help; keys are not shortcuts while it is open; Escape closes it ---
    kb.press("?")
    help_dialog = console.locator("#help")
    expect(help_dialog).to_have_attribute("open", "")
    expect(console.locator("#help button")).to_be_focused()
    kb.press("e")  # would hide the results if the dialog did not hold the keyboard
    kb.press("Escape")
    expect(help_dialog).not_to_have_attribute("open", "")
    console.wait_for_timeout(500)  # time for a wrongly sent "hide results" to come back
    wait_attr(screen, "#screen", "data-mode", "results")
    expect(console.locator("#voting-state")).to_contain_text("results shown")
    expect(console.locator("#voting-state")).to_contain_text("closed")
    shot(console, artifacts, "06-console-end")
    # Every key press was taken: no refusal was ever toasted (they stay up for 6 s).
    expect(console.locator("#toasts .toast.error")).to_have_count(0)
    (artifacts / "keyboard-path.txt").write_text("\n".join(PATH) + "\n")


CUE_ECHO_BUG = (
    "facilitator/services/stage.py Service.cue: a cue to the pitcher returns "
    "Change(session_id, participants=...) without stage=True, so no new console snapshot is "
    "sent; console.js renderCues() would show it in #cue-now ('On the pitcher's phone: ...') "
    "but only after some later stage change, and going to the next pitch clears the cue first."
)


def test_console_echoes_pitcher_cue(server, open_page):
    """After C, typing, Tab Tab, Enter, the console says what the pitcher's phone shows."""
    server.start()
    status, session = server.api(
        "POST", "/api/sessions", {"title": "Cue echo", "pitch_seconds": 60}
    )
    assert status == 201, session
    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    phone = open_page(PHONE, session["join_url"], "phone")
    join(phone, PITCHER_A, ORG_A)
    phone.fill("#p-title", TITLE_A)
    phone.fill("#p-offer", OFFER_A)
    phone.click("#propose-form button[type=submit]")
    expect(console.locator("#pending-list li.row")).to_have_count(1)
    kb = console.keyboard
    tab_to(console, "#pending-list li.row button.primary")
    kb.press("Enter")
    expect(row(console, TITLE_A)).to_be_visible()
    kb.press("Space")
    wait_text(phone, "#my-status", "You're on")
    # The console's own snapshot may come a moment after the phone's: "To pitcher" is enabled
    # once the console knows a pitch is live.
    expect(console.locator('#cue-form button[value="pitcher"]')).to_be_enabled()
    kb.press("c")
    kb.type(CUE)
    tab_once(console, '#cue-form button[value="screen"]')
    tab_once(console, '#cue-form button[value="pitcher"]')
    kb.press("Enter")
    wait_text(phone, "#cue", CUE)
    expect(console.locator("#cue-text")).to_have_value("")  # the console took it as sent
    expect(console.locator("#cue-now")).to_contain_text(CUE, timeout=5_000)


MOVE_INDEX_BUG = (
    "static/js/console.js rowButtons (lines ~92-93) sends pitch:move with the row's index in "
    "snap.queue (the current section's queue, without pending sign-ups), but "
    "facilitator/services/queue.py move_pitch -> domain/queue.py moved() places the pitch "
    "at that index in the order of ALL the session's pitches, pending ones included: with a "
    "pending sign-up between B and C, 'Move B down' puts B just below the pending pitch, i.e. "
    "still above C, and the queue does not change."
)


def test_move_down_by_keyboard_with_a_signup_waiting(server, open_page):
    server.start()
    status, session = server.api(
        "POST", "/api/sessions", {"title": "Move down", "pitch_seconds": 60}
    )
    assert status == 201, session
    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    phone = open_page(PHONE, session["join_url"], "phone")
    join(phone, PITCHER_A, ORG_A)
    kb = console.keyboard
    tab_to(console, "#add-pitch > summary")
    kb.press("Enter")
    for pitcher, title in ((PITCHER_B, TITLE_B), (PITCHER_C, TITLE_C)):
        tab_once(console, "#a-pitcher")
        kb.type(pitcher)
        tab_once(console, "#a-org")
        tab_once(console, "#a-title")
        kb.type(title)
        kb.press("Enter")
        expect(row(console, title)).to_be_visible()
        if title == TITLE_B:  # a sign-up from the room arrives in between, not yet accepted
            phone.fill("#p-title", TITLE_A)
            phone.fill("#p-offer", OFFER_A)
            phone.click("#propose-form button[type=submit]")
            expect(console.locator("#pending-list li.row")).to_have_count(1)
    expect(console.locator("#queue li.row .row-title")).to_have_text([TITLE_B, TITLE_C])
    tab_to(console, f'#queue li.row button[aria-label="Move {TITLE_B} down"]', back=True)
    kb.press("Enter")
    expect(console.locator("#queue li.row .row-title")).to_have_text(
        [TITLE_C, TITLE_B], timeout=5_000
    )
