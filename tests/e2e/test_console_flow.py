"""The console leads the room: one main action that follows the phase of the session, a run of
show, shortcuts that never type into fields, destructive actions that ask first, timing that
does not mislead, a console that fits a 1280x720 laptop, and a printable table card.

The demo session (the reference session: two invited talks, six pitches, a discussion) is run
from the first talk to the published outcome, mostly with the main action's key (Space).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR, decode_qr
from .helpers import wait_connected
from .layout import layout_problems

MAIN = "#btn-primary"
MAIN_LABEL = "#btn-primary [data-label]"
NEXT_LABEL = "#btn-next [data-label]"
SIZES = {
    "1280x720": {"width": 1280, "height": 720},
    "1366x768": {"width": 1366, "height": 768},
}
SHOT_SIZES = {**SIZES, "1920x1080": PROJECTOR, "phone": PHONE}


def open_console(browser, url: str, viewport: dict, lang: str = "en"):
    accept = "zh-CN,zh;q=0.9" if lang == "zh" else "en"
    ctx = browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": accept})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    wait_connected(page)
    page.wait_for_function("() => document.querySelector('#btn-primary [data-label]').textContent")
    return ctx, page, errors


def key(page, name: str) -> None:
    """A shortcut, pressed with nothing focused."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press(name)


def main_is(page, label: str, what: str | None = None) -> None:
    expect(page.locator(MAIN_LABEL)).to_have_text(label)
    if what is not None:
        expect(page.locator("#btn-primary [data-what]")).to_have_text(what)


def no_error_toast(page) -> None:
    expect(page.locator("#toasts .toast.error")).to_have_count(0)


# ----- 1. shortcuts never type into fields ----------------------------------------------------


def test_shortcuts_never_type_into_fields(server, open_page, artifacts):
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Keys", "pitch_seconds": 120})
    assert status == 201, made
    console = open_page(LAPTOP, made["console_url"], "console")
    wait_connected(console)
    paused = console.locator("#kbd-paused")
    expect(paused).to_be_hidden()
    header = console.locator(".console-head").bounding_box()

    console.click("#add-pitch > summary")
    for pitcher, title, seconds in (("Li Wei", "Bike data", "30"), ("Anna", "Traffic data", "")):
        console.click("#a-pitcher")
        expect(paused).to_be_visible()  # the header says that shortcuts are paused
        console.keyboard.type(pitcher)
        console.locator("#a-title").focus()
        console.keyboard.type(title)
        console.locator("#a-seconds").fill(seconds)
        console.keyboard.press("Enter")  # submits the form from a field
        expect(console.locator("#queue li.row").filter(has_text=title)).to_be_visible()
        # Focus left the fields: the paused note is gone, the next key is a shortcut.
        expect(paused).to_be_hidden()
        expect(console.locator("#add-pitch > summary")).to_be_focused()
    # Neither the paused note nor anything else moved the header.
    assert console.locator(".console-head").bounding_box() == header

    # A 30-second pitch not yet started is ready, not a warning: normal colour, an empty bar.
    timer = console.locator(".stage-panel .timer")
    expect(timer).to_have_attribute("data-state", "idle")
    expect(timer).to_have_attribute("data-phase", "normal")
    expect(console.locator(".stage-panel [data-timer-digits]")).to_have_text("0:30")
    bar = console.locator(".stage-panel [data-timer-bar]").evaluate("n => n.style.width")
    assert float(bar.rstrip("%")) == 0, bar

    # Space, N, V right after the form: the stage moves, no field holds " nv".
    console.keyboard.press("Space")
    expect(console.locator("#queue li.status-live")).to_contain_text("Bike data")
    console.keyboard.press("n")
    expect(console.locator("#queue li.status-live")).to_contain_text("Traffic data")
    console.keyboard.press("v")
    expect(console.locator("#voting-state")).to_contain_text("open", ignore_case=True)
    values = console.evaluate(
        "() => [...document.querySelectorAll('input:not([type=hidden]), textarea')]"
        ".filter((n) => !['checkbox', 'radio', 'number', 'time', 'date'].includes(n.type))"
        ".map((n) => n.value)"
    )
    assert not any(re.search(r"[ nv]", v or "") for v in values if v not in ("",)), values

    # Escape always leaves a field: then N moves the stage again.
    console.click("#cue-text")
    expect(paused).to_be_visible()
    console.keyboard.type("x")
    console.keyboard.press("Escape")
    expect(console.locator("#cue-text")).not_to_be_focused()
    expect(paused).to_be_hidden()
    console.keyboard.press("n")  # the last one ends: nobody is live, nothing waits
    expect(console.locator("#queue li.status-live")).to_have_count(0)
    expect(console.locator("#cue-text")).to_have_value("x")  # "n" was not typed
    # N with nobody waiting is not an error: the main action says what comes next.
    console.keyboard.press("n")
    expect(console.locator("#toasts .toast.info")).to_be_visible()
    no_error_toast(console)
    main_is(console, "Close voting")


# ----- 2, 3, 6. the main action through the reference session ---------------------------------


def test_the_main_action_leads_the_reference_session(server, browser, artifacts):
    server.start("--demo")
    links = server.printed_links()
    ctx, console, errors = open_console(browser, links["console"], SIZES["1280x720"])
    try:
        # The demo's agenda has no clock times until the talks start: nothing is behind yet.
        expect(console.locator("#sched-session-left")).to_have_text("–")
        main_is(console, "Start the talks", "What there is to build on")
        expect(console.locator("#ros-position")).to_have_text("")
        key(console, "Space")
        main_is(console, "Start next talk", "The EU-China Smart Cities work")
        expect(console.locator("#ros-position")).to_have_text("Talk 1 of 2")
        expect(console.locator("#sched-pace")).not_to_contain_text("behind")
        expect(console.locator("#sched-session-left")).to_have_text(re.compile(r"^4[45]:\d\d$"))
        # Talks are not pitches: no cut line, no Fit, the words of talks.
        expect(console.locator("#fit")).to_be_hidden()
        expect(console.locator("#queue li.cut-line")).to_have_count(0)
        expect(console.locator(NEXT_LABEL)).to_have_text("Next talk")
        # The run of show: now, next, after next, each waiting talk with its expected start.
        ros = console.locator("#run-of-show li")
        expect(ros).to_have_count(3)
        expect(ros.nth(1)).to_contain_text("The EU-China Smart Cities work")
        expect(ros.nth(2)).to_contain_text("Foundations for R&D collaboration")
        expect(ros.nth(2).locator(".ros-sub")).to_contain_text("about")

        key(console, "Space")
        main_is(console, "Pause", "The EU-China Smart Cities work")
        # The live talk offers no Remove.
        live = console.locator("#queue li.status-live")
        expect(live).to_have_count(1)
        expect(live.locator("button.danger")).to_have_count(0)
        key(console, "n")
        expect(console.locator("#ros-position")).to_have_text("Talk 2 of 2")
        expect(console.locator(NEXT_LABEL)).to_have_text("End this talk")
        # After the last talk: the next step of the session, named in the run of show.
        expect(ros.nth(1)).to_contain_text("Go to the pitch round")
        key(console, "n")
        main_is(console, "Go to the pitch round", "Quick wins: what I can offer")
        no_error_toast(console)

        key(console, "Space")
        main_is(console, "Start next pitch", "Open traffic data in 90 days")
        expect(console.locator("#ros-position")).to_have_text("Pitch 1 of 6")
        # A 20-minute section never shows more than 20 minutes left.
        left = console.locator("#sched-section-left").text_content()
        minutes, seconds = (int(x) for x in left.split(":"))
        assert minutes * 60 + seconds <= 20 * 60, left
        expect(console.locator("#fit")).to_be_visible()  # pitches are fitted
        key(console, "Space")
        for n in range(1, 7):
            # Each key once the console saw the one before (a "next" names what it saw live).
            expect(console.locator("#ros-position")).to_have_text(f"Pitch {n} of 6")
            expect(console.locator("#queue li.status-live")).to_have_count(1)
            key(console, "n")
        expect(console.locator("#queue li.status-done")).to_have_count(6)
        no_error_toast(console)
        main_is(console, "Open voting")
        key(console, "Space")
        main_is(console, "Close voting")
        key(console, "Space")
        main_is(console, "Reveal results")
        key(console, "Space")
        expect(console.locator("#voting-state")).to_contain_text("results shown")
        main_is(console, "Go to the discussion", "What next: from requirements to action")
        key(console, "Space")
        main_is(console, "Record commitments")
        key(console, "Space")
        expect(console.locator("#commitments-box")).to_have_attribute("open", "")
        expect(console.locator("#cm-pitch")).to_be_focused()
        console.fill("#cm-owners", "Anna Keller")
        console.fill("#cm-step", "Send the portal spec")
        console.locator("#cm-step").press("Enter")
        expect(console.locator("#commitment-list li")).to_have_count(1)
        main_is(console, "Publish the outcome")
        with ctx.expect_page() as opened:
            key(console, "Space")
        outcome = opened.value
        outcome.wait_for_load_state()
        main_is(console, "Open the outcome")
        no_error_toast(console)
        console.screenshot(path=str(artifacts / "console-done.png"))
        assert not errors, errors
    finally:
        ctx.close()


# ----- 5. destructive actions ask first or can be undone --------------------------------------


def test_removing_a_section_asks_first_and_leaving_a_live_one_too(server, browser):
    server.start("--demo")
    links = server.printed_links()
    ctx, console, errors = open_console(browser, links["console"], SIZES["1366x768"])
    try:
        rows = console.locator("#sections li.section-row")
        expect(rows).to_have_count(3)
        dialog = console.locator("#confirm-dialog")
        rows.nth(2).locator("button.danger").click()
        expect(dialog).to_have_attribute("open", "")
        expect(console.locator("#confirm-text")).to_contain_text("What next")
        console.keyboard.press("Escape")  # cancels: nothing removed
        expect(dialog).not_to_have_attribute("open", "")
        expect(rows).to_have_count(3)
        rows.nth(2).locator("button.danger").click()
        console.click("#confirm-ok")
        expect(rows).to_have_count(2)

        # Going to another section while a talk is live ends it: that asks first too.
        key(console, "Space")
        main_is(console, "Start next talk")
        key(console, "Space")
        expect(console.locator("#queue li.status-live")).to_have_count(1)
        key(console, "s")
        expect(dialog).to_have_attribute("open", "")
        expect(console.locator("#confirm-text")).to_contain_text("is on stage")
        console.click("#confirm-dialog button[value=cancel]")
        expect(console.locator("#queue li.status-live")).to_have_count(1)
        # Removing a waiting talk can be undone.
        waiting = console.locator("#queue li.status-queued")
        waiting.locator("button.danger").click()
        expect(console.locator("#queue li.status-queued")).to_have_count(0)
        key(console, "u")
        expect(console.locator("#queue li.status-queued")).to_have_count(1)
        assert not errors, errors
    finally:
        ctx.close()


# ----- 7. one toast area, newest wins -----------------------------------------------------------


def test_a_green_note_replaces_a_red_one_and_errors_can_be_dismissed(server, open_page):
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Toasts"})
    console = open_page(LAPTOP, made["console_url"], "console")
    wait_connected(console)
    key(console, "u")  # nothing to undo: a refusal
    toasts = console.locator("#toasts .toast")
    expect(toasts).to_have_count(1)
    expect(toasts.first).to_have_class(re.compile(r"\berror\b"))
    console.click("details.settings > summary")
    console.click("#settings-form button[type=submit]")
    expect(toasts).to_have_count(1)
    expect(toasts.first).to_have_class(re.compile(r"\bok\b"))
    key(console, "u")
    expect(toasts.first).to_have_class(re.compile(r"\berror\b"))
    console.click("#toasts .toast-close")
    expect(toasts).to_have_count(0)


# ----- 4. the console fits a laptop in every phase ------------------------------------------


PHASES = ("before", "talk-live", "pitch-round", "voting-open", "revealed")
CORE = {
    # The main action and what always has to be at hand on stage.
    "all": [MAIN, "#btn-next", "#btn-voting", "#btn-reveal", "#screen-modes", ".cue-row.quick"],
    "talk-live": ['[data-action="timer:plus"]', '[data-action="timer:minus"]', "#btn-undo"],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_console_fits_a_laptop_in_every_phase(server, browser, artifacts, size, lang):
    server.start("--demo")
    links = server.printed_links()
    viewport = SIZES[size]
    ctx, console, errors = open_console(browser, links["console"], viewport, lang)
    try:
        heights = set()
        for phase in PHASES:  # each phase builds on the one before
            drive_to(console, phase)
            head = console.locator(".console-head").bounding_box()
            heights.add(round(head["height"]))
            # The header inside the viewport (nothing cut at the right), the stage unclipped.
            problems = layout_problems(console, ".console-head", fit_viewport=True)
            problems += layout_problems(console, ".stage-panel")
            assert problems == [], (phase, problems)
            for sel in CORE["all"] + CORE.get(phase, []):
                box = console.locator(sel).first.bounding_box()
                assert box is not None, (phase, sel)
                inside = (
                    box["x"] >= 0
                    and box["y"] >= 0
                    and box["x"] + box["width"] <= viewport["width"] + 1
                    and box["y"] + box["height"] <= viewport["height"] + 1
                )
                assert inside, f"{phase}: {sel} at {box} is outside {size}"
            console.screenshot(path=str(artifacts / f"console-{lang}-{size}-{phase}.png"))
        # The header kept one height through every phase (Undo, the clock, the paused note).
        assert len(heights) == 1, heights
        assert not errors, errors
    finally:
        ctx.close()


def drive_to(console, phase: str) -> None:
    """Move the demo session on from the phase before (PHASES order) to `phase`."""
    send = "([e, p]) => F.send(e, p)"
    main = console.locator(MAIN)
    if phase == "before":
        expect(main).to_have_attribute("data-phase", "section")
    elif phase == "talk-live":
        key(console, "Space")  # start the talks
        expect(main).to_have_attribute("data-phase", "start")
        key(console, "Space")  # the first talk
        expect(main).to_have_attribute("data-phase", "pause")
        key(console, "r")  # an undoable action: Undo appears; the header must not jump
        expect(console.locator("#btn-undo")).to_be_visible()
        console.click("#cue-text")  # and the paused note shows
        expect(console.locator("#kbd-paused")).to_be_visible()
    elif phase == "pitch-round":
        console.keyboard.press("Escape")
        key(console, "s")
        console.click("#confirm-ok")  # leaving the live talk asks first
        expect(main).to_have_attribute("data-phase", "start")
        expect(console.locator("#fit")).to_be_visible()
    elif phase == "voting-open":
        console.evaluate(send, ["voting:open", {}])
        expect(console.locator("#btn-reveal")).to_be_enabled()
    elif phase == "revealed":
        reveal = console.locator("#btn-reveal [data-label]")
        before = reveal.text_content()
        console.evaluate(send, ["voting:close", {}])
        console.evaluate(send, ["results:reveal", {"revealed": True}])
        expect(reveal).not_to_have_text(before)  # "Hide results" now


# ----- 8. the printable table card -----------------------------------------------------------


def tool(name: str) -> None:
    if shutil.which(name) is None:
        if os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{name} not found")
        pytest.skip(f"{name} not found")


@pytest.mark.parametrize("size, points", [("a6", "297.6 x 419.5"), ("a4", "595.2 x 841.9")])
def test_the_table_card_prints_with_a_qr_code_that_scans(
    server, open_page, artifacts, size, points
):
    for name in ("pdftotext", "pdfinfo", "pdftoppm", "zbarimg"):
        tool(name)
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Smart cities, table 4"})
    assert status == 201, made
    console = open_page(LAPTOP, made["console_url"], "console")
    wait_connected(console)
    url = f"{server.url}/console/{made['code']}/card?size={size}"
    card = console.context.new_page()  # the moderator's browser: it holds the grant
    card.goto(url)
    expect(card.locator("#tc-code")).to_have_text(made["code"])
    pdf = artifacts / f"card-{size}.pdf"
    card.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    want = [float(x) for x in points.split(" x ")]
    assert [round(float(found[1]), 1), round(float(found[2]), 1)] == pytest.approx(want, abs=1)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert made["code"] in text and "Scan to join" in text, text
    assert made["join_url"] in text.replace("\n", ""), text
    png = artifacts / f"card-{size}"
    subprocess.run(["pdftoppm", "-r", "120", "-png", "-singlefile", str(pdf), str(png)], check=True)
    assert decode_qr(png.with_suffix(".png")) == made["join_url"]
    # The share page links both sizes; the card is the moderator's only.
    share = console.context.new_page()
    share.goto(f"{server.url}/console/{made['code']}/share")
    expect(share.locator("#card-a6")).to_be_visible()
    expect(share.locator("#console-link")).to_be_hidden()  # masked until asked
    share.click("#console-secret summary")
    expect(share.locator("#console-link")).to_be_visible()
    stranger = open_page(PHONE, None, "stranger")
    answer = stranger.goto(url)
    assert answer.status == 403
    bad = card.goto(f"{server.url}/console/{made['code']}/card?size=a0")
    assert bad.status == 404
