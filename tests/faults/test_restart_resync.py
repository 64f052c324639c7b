"""The server is SIGKILLed and started again on the same port and database while a screen and a
phone are open: mid-pitch (running), mid-pause (paused) and mid-overrun (a 10 s pitch at
+0:03). Without a reload, both pages resync by themselves within 10 s of the server answering
HTTP again (short form: down 1 s; long form, FACILITATOR_LONG_TESTS=1: down 8 s, so that the
pages' reconnect delays have grown to their 5 s cap), and show the right state:
- running / overrun: data-state "running", digits consistent with the wall clock within 1 s
  (the countdown still counts towards the `ends_at` the pitch had before the crash; in
  overrun "+m:ss" counts up);
- paused: data-state "paused", digits exactly as before the kill.
The resync time is measured in each page: the first "stage" snapshot after the disconnect
(Date.now() in the page) minus the moment Server.start() saw the server answer HTTP.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.harness import PHONE, PROJECTOR
from tests.e2e.helpers import parse_digits, wait_attr, wait_connected, wait_text, wait_visible

from .common import LONG, Console, console_cookie, report

SCREEN_TIMER = ".mode-pitch .timer"
PHONE_TIMER = "#on-stage .timer"
RESYNC_LIMIT_S = 10
TOLERANCE_S = 1.0
# The server stays dead this long before it is started again. Long form: long enough for the
# pages' reconnect delays to reach their 5 s cap.
DOWN_S = 8.0 if LONG else 1.0

ARM = """() => {
  window.__noReload = true; window.__armed = false; window.__resync = null;
  F.socket.on('disconnect', () => { window.__armed = true; });
  F.socket.on('stage', () => {
    if (window.__armed && window.__resync === null) window.__resync = Date.now();
  });
}"""

# Wait for the digits to change, and return them with the page's wall clock at that moment:
# just after a change the display is exact to a render tick, so rounding does not blur it.
READ_AT_CHANGE = """([sel, prev]) => {
  const t = document.querySelector(sel).textContent.trim();
  return t !== prev ? [t, Date.now()] : false;
}"""


def read_at_change(page, root: str) -> tuple[float, float]:
    """(seconds shown, page wall-clock ms) at the moment the digits under `root` change."""
    sel = f"{root} [data-timer-digits]"
    prev = page.text_content(sel).strip()
    text, at = page.wait_for_function(READ_AT_CHANGE, arg=[sel, prev], timeout=5_000).json_value()
    return parse_digits(text), at


@pytest.mark.parametrize("case", ["running", "paused", "overrun"])
def test_pages_resync_after_a_restart(case, server, open_page, aio):
    started = time.monotonic()
    server.start()
    status, made = server.api(
        "POST", "/api/sessions", {"title": f"Resync {case}", "pitch_seconds": 120}
    )
    assert status == 201, made
    code = made["code"]
    console = Console(server.port, code, console_cookie(made["console_url"]))
    seconds = 10 if case == "overrun" else 120

    async def prepare():
        await console.open()
        await console.cmd(
            "pitch:add", {"title": "Rainwater tanks", "pitcher": "Ines", "seconds": seconds}
        )
        await console.cmd("pitch:add", {"title": "Second", "pitcher": "Omar"})

    aio.run(prepare(), 30)

    screen = open_page(PROJECTOR, made["screen_url"], "screen")
    wait_connected(screen)
    phone = open_page(PHONE, made["join_url"], "phone")
    phone.fill("#join-name", "Grace Hopper")
    phone.click("#join-form button[type=submit]")
    wait_visible(phone, "#app")
    wait_connected(phone)
    wait_text(phone, "#who", "Grace Hopper")

    async def start():
        await console.cmd("timer:start")
        return (await console.snapshot())["timer"]

    timer = aio.run(start(), 15)
    ends_at = timer["ends_at"]
    wait_attr(screen, SCREEN_TIMER, "data-state", "running")
    wait_attr(phone, PHONE_TIMER, "data-state", "running")
    before = {}
    if case == "paused":
        screen.wait_for_timeout(1_500)
        aio.run(console.cmd("timer:pause"), 15)
        wait_attr(screen, SCREEN_TIMER, "data-state", "paused")
        wait_attr(phone, PHONE_TIMER, "data-state", "paused")
        before = {
            "screen": screen.text_content(f"{SCREEN_TIMER} [data-timer-digits]").strip(),
            "phone": phone.text_content(f"{PHONE_TIMER} [data-timer-digits]").strip(),
        }
    elif case == "overrun":
        wait_text(
            screen, f"{SCREEN_TIMER} [data-timer-digits]", "+0:03", exact=True, timeout=20_000
        )
    aio.run(console.close(), 10)

    for page in (screen, phone):
        page.evaluate(ARM)

    # ----- crash and restart on the same port and database --------------------------------
    server.kill()
    for page in (screen, phone):
        wait_visible(page, "#conn-banner", timeout=5_000)
    time.sleep(DOWN_S)
    server.start("--session", code)
    up_ms = time.time() * 1000

    resync = {}
    for name, page in (("screen", screen), ("phone", phone)):
        page.wait_for_function(
            "() => window.__resync !== null", timeout=(RESYNC_LIMIT_S + 5) * 1000
        )
        resync[name] = round((page.evaluate("() => window.__resync") - up_ms) / 1000, 3)
        assert page.evaluate("() => window.__noReload === true"), f"{name} was reloaded"
        wait_visible(page, "#conn-banner", visible=False, timeout=5_000)
        wait_connected(page, timeout=5_000)

    state = "paused" if case == "paused" else "running"
    assert screen.get_attribute("#screen", "data-mode") == "pitch"
    assert screen.get_attribute(SCREEN_TIMER, "data-state") == state
    assert phone.get_attribute(PHONE_TIMER, "data-state") == state
    wait_text(
        screen, '.mode-pitch [data-field="title"]', "Rainwater tanks", exact=True, timeout=2_000
    )
    wait_text(phone, '#on-stage [data-field="title"]', "Rainwater tanks", exact=True, timeout=2_000)

    errors = {}
    shown = {}
    if case == "paused":
        shown = {
            "screen": screen.text_content(f"{SCREEN_TIMER} [data-timer-digits]").strip(),
            "phone": phone.text_content(f"{PHONE_TIMER} [data-timer-digits]").strip(),
        }
    else:
        for name, page, root in (("screen", screen, SCREEN_TIMER), ("phone", phone, PHONE_TIMER)):
            value, at = read_at_change(page, root)
            errors[name] = round(value - (ends_at - at) / 1000, 3)
            shown[name] = value
        if case == "overrun":
            assert screen.get_attribute(SCREEN_TIMER, "data-phase") == "overrun"
            assert shown["screen"] < -3 and shown["phone"] < -3, shown

    figures = {
        "case": case,
        "resync_screen_s": resync["screen"],
        "resync_phone_s": resync["phone"],
        "down_s": DOWN_S,
        "digits_before": before,
        "digits_after": shown,
        "clock_error_screen_s": errors.get("screen"),
        "clock_error_phone_s": errors.get("phone"),
        "duration_s": round(time.monotonic() - started, 1),
    }
    report(f"test_restart_resync-{case}", figures)

    assert max(resync.values()) <= RESYNC_LIMIT_S, resync
    if case == "paused":
        assert shown == before, (shown, before)
    else:
        assert all(abs(e) <= TOLERANCE_S for e in errors.values()), errors
