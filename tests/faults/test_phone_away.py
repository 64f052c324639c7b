"""A phone loses the network (its browser context goes offline: the WebSocket drops and every
reconnect attempt fails) for 45 s (120 s with FACILITATOR_LONG_TESTS=1) while the moderator
starts the next pitch and opens voting. Back online, without a reload, the phone shows the
current stage and its ballot, is the same participant (same name, the console's participant
count unchanged) and its earlier dot is still pressed. A phone that reloads the page keeps its
identity and ballot too.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.harness import PHONE
from tests.e2e.helpers import wait_attr, wait_connected, wait_text, wait_visible

from .common import LONG, Console, console_cookie, report

AWAY_S = 120 if LONG else 45
BACK_LIMIT_S = 10  # reconnect delays are capped at 5 s; one more round trip and the snapshot
PHONE_TIMER = "#on-stage .timer"
FIRST, SECOND = "Solar kiosks", "Bike couriers"
NAME = "Ada Lovelace"


def dot(page, title: str):
    return page.locator(f'#ballot li.ballot-item:has(.bi-title:text-is("{title}")) button.dot')


def test_phone_away_comes_back_as_itself(server, open_page, aio):
    started = time.monotonic()
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Away", "pitch_seconds": 120})
    assert status == 201, made
    code = made["code"]
    console = Console(server.port, code, console_cookie(made["console_url"]))

    async def prepare():
        await console.open()
        await console.cmd("pitch:add", {"title": FIRST, "pitcher": "Ines"})
        await console.cmd("pitch:add", {"title": SECOND, "pitcher": "Omar"})
        await console.cmd("timer:start")
        await console.cmd("voting:open")

    aio.run(prepare(), 30)

    phone = open_page(PHONE, made["join_url"], "phone")
    phone.fill("#join-name", NAME)
    phone.click("#join-form button[type=submit]")
    wait_visible(phone, "#app")
    wait_connected(phone)
    wait_text(phone, "#who", NAME)
    participants = aio.run(console.snapshot(), 15)["counts"]["participants"]
    assert participants == 1

    # One dot on the pitch on stage, then voting closes before the phone goes away.
    wait_visible(phone, "#vote")
    dot(phone, FIRST).click()
    expect(dot(phone, FIRST)).to_have_attribute("aria-pressed", "true")
    aio.run(console.cmd("voting:close"), 15)
    phone.wait_for_function("() => document.querySelector('#app').dataset.voting === 'closed'")

    phone.evaluate("""() => {
      window.__noReload = true; window.__drops = 0; window.__back = null; window.__armed = false;
      F.socket.on('disconnect', () => { window.__drops += 1; window.__armed = true; });
      F.socket.on('stage', () => {
        if (window.__armed && window.__back === null) window.__back = Date.now();
      });
    }""")

    # ----- away -----------------------------------------------------------------------------
    ctx = phone.context
    ctx.set_offline(True)
    t_off = time.monotonic()
    try:
        wait_visible(phone, "#conn-banner", timeout=10_000)
        assert phone.evaluate("() => F.socket.connected") is False

        async def meanwhile():
            await console.cmd("stage:next")  # the second pitch goes live and starts
            await console.cmd("voting:open")
            return await console.snapshot()

        during = aio.run(meanwhile(), 15)
        assert during["live"]["title"] == SECOND
        time.sleep(max(0.0, AWAY_S - (time.monotonic() - t_off)))
        # Still away: the page has heard nothing of it.
        assert phone.evaluate("() => window.__back") is None
        wait_text(phone, '#on-stage [data-field="title"]', FIRST, exact=True, timeout=1_000)
    finally:
        ctx.set_offline(False)
    online_ms = time.time() * 1000
    away_s = time.monotonic() - t_off

    # ----- back, without a reload -----------------------------------------------------------
    phone.wait_for_function("() => window.__back !== null", timeout=(BACK_LIMIT_S + 5) * 1000)
    back_s = round((phone.evaluate("() => window.__back") - online_ms) / 1000, 3)
    assert phone.evaluate("() => window.__noReload === true"), "the phone page was reloaded"
    wait_visible(phone, "#conn-banner", visible=False, timeout=5_000)
    wait_connected(phone, timeout=5_000)
    wait_text(phone, '#on-stage [data-field="title"]', SECOND, exact=True, timeout=5_000)
    wait_attr(phone, PHONE_TIMER, "data-state", "running", timeout=5_000)
    wait_visible(phone, "#vote", timeout=5_000)
    expect(dot(phone, FIRST)).to_have_attribute("aria-pressed", "true")
    expect(dot(phone, SECOND)).to_have_attribute("aria-pressed", "false")
    wait_text(phone, "#who", NAME)
    expect(phone.locator("#join")).to_be_hidden()
    after_away = aio.run(console.snapshot(), 15)["counts"]["participants"]
    drops = phone.evaluate("() => window.__drops")

    # ----- a reload: the cookie still says who this is ---------------------------------------
    phone.reload()
    wait_visible(phone, "#app")
    wait_connected(phone)
    wait_text(phone, "#who", NAME)
    expect(phone.locator("#join")).to_be_hidden()
    wait_text(phone, '#on-stage [data-field="title"]', SECOND, exact=True)
    wait_visible(phone, "#vote")
    expect(dot(phone, FIRST)).to_have_attribute("aria-pressed", "true")
    expect(dot(phone, SECOND)).to_have_attribute("aria-pressed", "false")
    final = aio.run(console.snapshot(), 15)
    after_reload = final["counts"]["participants"]
    ballots = final["counts"]["ballots"]
    aio.run(console.close(), 10)

    figures = {
        "away_s": round(away_s, 1),
        "socket_drops": drops,
        "back_after_online_s": back_s,
        "participants_before": participants,
        "participants_after_away": after_away,
        "participants_after_reload": after_reload,
        "ballots": ballots,
        "duration_s": round(time.monotonic() - started, 1),
    }
    report("test_phone_away", figures)

    assert drops >= 1, "going offline did not drop the socket: nothing was tested"
    assert back_s <= BACK_LIMIT_S, figures
    assert after_away == participants == after_reload == 1, figures
    assert ballots == 1, figures
