"""The projector screen fits, in every state, for any room: measured from the DOM.

For each screen language, one server and three sessions (1, 8 and 40 pitches, with the longest
titles and names the forms allow, in English, Chinese and both mixed, and follow-up counts), the
screen is driven through its states (lobby, pitch running / paused / over time, a two-line
message, the "next part" card, voting with the recap, the results under every voting method and
step by step, the commitments with the outcome QR) and, at 1024x768, 1280x720 and 1920x1080,
`layout_problems(fit_viewport=True)` must find nothing clipped, spilling, off-screen or
overlapping. Screenshots of every state go to test-artifacts/.

Also here: the reveal stepped in with E (and kept across a reload), reduced motion, the back row's
text sizes and the outcome QR's size.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE
from .helpers import shot, wait_attr, wait_connected, wait_text, wait_visible
from .layout import layout_problems

SIZES = {"1024": (1024, 768), "1280": (1280, 720), "1920": (1920, 1080)}
# The longest a form allows (facilitator/validate.py: title 80, name 60, message 140).
EN_TITLE = "Open traffic data for every intersection in ninety days, with city planners too!"[:80]
ZH_TITLE = ("城市交通开放数据平台九十天内覆盖每一个路口并与规划部门共享实时传感器信息" * 3)[:80]
MIXED_TITLE = ("Open data 开放数据 for city planners 城市规划 in 90 days 九十天 " * 3)[:80]
NAME = ("Anna-Katharina Keller-Schmidt von Hohenberg " * 2)[:60]
ZH_NAME = ("欧阳娜娜" * 15)[:60]
MESSAGE = ("Please take your seats: the pitch round starts in two minutes. 请入座 " * 3)[:140]
SECTION = ("Quick wins for the city: pitches from the room, three minutes each " * 2)[:120]


def title_of(i: int) -> str:
    base = (EN_TITLE, ZH_TITLE, MIXED_TITLE)[i % 3]
    return f"{i + 1} {base}"[:80]


def send(page, event: str, payload: dict | None = None) -> dict:
    ack = page.evaluate("([e, p]) => F.send(e, p)", [event, payload or {}])
    assert ack and ack.get("ok"), (event, ack)
    return ack


def settle(page) -> None:
    """Two animation frames: the screen's fitting runs on snapshot and resize."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


class Room:
    """One session: its console (a page of the moderator), its screen and one phone."""

    def __init__(self, server, open_page, language: str, n: int, method: str = "dots"):
        self.method = method
        status, s = server.api("POST", "/api/sessions", {"title": SECTION[:100]})
        assert status == 201, s
        self.session = s
        self.console = open_page(LAPTOP, s["console_url"], f"console-{language}-{n}")
        wait_connected(self.console)
        send(
            self.console, "session:settings", {"screen_language": language, "voting_method": method}
        )
        self.ids = [
            send(
                self.console,
                "pitch:add",
                {
                    "title": title_of(i),
                    "pitcher": NAME if i % 2 == 0 else ZH_NAME,
                    "offer": ("An offer the back row reads from far away. " * 8)[:280],
                    "seconds": 60,
                },
            )["pitch_id"]
            for i in range(n)
        ]
        self.phone = open_page(PHONE, f"{server.url}/j/{s['code']}", f"phone-{language}-{n}")
        self.phone.fill("#join-name", "Li Wei")
        self.phone.click("#join-form button[type=submit]")
        wait_visible(self.phone, "#app")
        wait_connected(self.phone)
        self.screen = open_page({"width": 1920, "height": 1080}, s["screen_url"], "screen")
        self.screen.emulate_media(reduced_motion="reduce")
        wait_connected(self.screen)

    def mode(self, mode: str) -> None:
        wait_attr(self.screen, "#screen", "data-mode", mode)


def check(room: Room, artifacts, name: str, problems: list) -> None:
    for size, (w, h) in SIZES.items():
        room.screen.set_viewport_size({"width": w, "height": h})
        settle(room.screen)
        found = layout_problems(room.screen, fit_viewport=True)
        problems.extend(f"{name} @{size}: {p}" for p in found)
        shot(room.screen, artifacts, f"{name}-{size}")


def run_states(room: Room, artifacts, tag: str, n: int) -> list[str]:
    problems: list[str] = []
    c, screen = room.console, room.screen
    room.mode("lobby")
    check(room, artifacts, f"{tag}-lobby", problems)
    send(c, "section:add", {"title": SECTION, "kind": "pitches", "minutes": 30})
    # The "next part" card (S: the next section), then dismissed from the console.
    c.evaluate("() => document.activeElement && document.activeElement.blur()")
    c.keyboard.press("s")
    wait_visible(screen, "#section-card")
    check(room, artifacts, f"{tag}-card", problems)
    c.click("#btn-card")
    wait_visible(screen, "#section-card", visible=False)
    # The stage: running, with a message, paused, over time.
    send(c, "timer:start")
    room.mode("pitch")
    wait_attr(screen, ".mode-pitch .timer", "data-state", "running")
    check(room, artifacts, f"{tag}-pitch-running", problems)
    send(c, "cue:screen", {"text": MESSAGE})
    wait_visible(screen, "#screen-message")
    check(room, artifacts, f"{tag}-pitch-message", problems)
    send(c, "cue:screen", {"text": ""})
    wait_visible(screen, "#screen-message", visible=False)
    send(c, "timer:pause")
    wait_attr(screen, ".mode-pitch .timer", "data-state", "paused")
    check(room, artifacts, f"{tag}-pitch-paused", problems)
    send(c, "timer:resume")
    send(c, "timer:adjust", {"seconds": -120})
    wait_attr(screen, ".mode-pitch .timer", "data-phase", "overrun")
    check(room, artifacts, f"{tag}-pitch-overrun", problems)
    for _ in range(n):
        send(c, "stage:next")
    # Voting: the recap of the pitches.
    send(c, "voting:open")
    room.mode("voting")
    wait_visible(screen, "#recap")
    check(room, artifacts, f"{tag}-voting", problems)
    if room.method != "matrix":
        for pid in room.ids[:3]:
            send(room.phone, "vote:set", {"pitch_id": pid, "dots": 1})
    for pid in room.ids:
        send(room.phone, "interest:set", {"pitch_id": pid, "on": True})
    if room.method == "matrix":
        for pid in room.ids[:2]:
            send(room.phone, "rating:set", {"pitch_id": pid, "impact": 5, "ease": 4})
        send(room.phone, "rating:set", {"pitch_id": room.ids[-1], "impact": 2, "ease": 1})
    send(c, "voting:close")
    room.mode("lobby")
    check(room, artifacts, f"{tag}-voting-closed", problems)
    # Step by step from last place, then all of it, under each voting method.
    send(c, "results:step")
    room.mode("results")
    if n > 1:  # one pitch is one place: the first step is the whole ranking
        wait_visible(screen, '[data-field="reveal-progress"]')
        check(room, artifacts, f"{tag}-results-step1", problems)
    send(c, "results:reveal", {"revealed": True})
    expect(screen.locator("#results li.winner").first).to_be_visible()
    if room.method == "matrix":
        wait_visible(screen, "#matrix-box")
    check(room, artifacts, f"{tag}-results-{room.method}", problems)
    # The outcome: commitments and the QR of the published outcome.
    for pid in room.ids[:3]:
        send(
            c,
            "commitment:set",
            {
                "pitch_id": pid,
                "owners": [{"name": NAME}],
                "next_step": ("Meet the data office and agree the first data set. " * 6)[:280],
                "due": "2026-12-31",
                "status": "priority",
            },
        )
    outcome = c.context.new_page()  # the moderator's browser: it holds the cookie
    outcome.goto(c.url + "/outcome")
    outcome.click("#publish")
    wait_visible(outcome, "#public-link")
    outcome.close()
    send(c, "screen:mode", {"mode": "commitments"})
    room.mode("commitments")
    wait_visible(screen, "#outcome-qr")
    check(room, artifacts, f"{tag}-outcome", problems)
    return problems


LANGUAGES, COUNTS, METHODS = ["en", "zh", "both"], [1, 8, 40], ["matrix", "approval", "dots"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", COUNTS)
def test_every_screen_state_fits(server, open_page, artifacts, language, n):
    server.start()
    # Every voting method in both languages, and with 40 pitches under dots and the matrix.
    method = METHODS[(LANGUAGES.index(language) + COUNTS.index(n)) % 3]
    room = Room(server, open_page, language, n, method)
    problems = run_states(room, artifacts, f"{language}-{n}", n)
    assert problems == [], "\n".join(problems)


def test_reveal_steps_with_e_and_survives_a_reload(server, open_page, artifacts):
    server.start()
    room = Room(server, open_page, "en", 4)
    c, screen = room.console, room.screen
    for _ in range(5):  # each pitch on stage, and the last one ended too
        send(c, "stage:next")
    send(c, "voting:open")
    for pid in room.ids[1:]:
        send(room.phone, "vote:set", {"pitch_id": pid, "dots": 1})
    send(c, "voting:close")
    # Ranking: three tied at 1 (=1), the first pitch last (4): two places.
    screen.emulate_media(reduced_motion="no-preference")
    c.evaluate("() => document.activeElement && document.activeElement.blur()")
    c.keyboard.press("e")
    room.mode("results")
    expect(screen.locator("#results li")).to_have_count(1)
    assert screen.locator("#results li").first.get_attribute("data-pitch") == str(room.ids[0])
    wait_text(screen, '[data-field="reveal-progress"]', "1")
    expect(screen.locator("#results li.winner")).to_have_count(0)
    # The arriving row animates (motion allowed).
    anim = screen.locator("#results li").first.evaluate("(n) => getComputedStyle(n).animationName")
    assert anim == "rise", anim
    wait_text(c, "#btn-reveal", "2")
    # A reconnecting screen shows the same step: the database holds it.
    screen.reload()
    wait_connected(screen)
    room.mode("results")
    expect(screen.locator("#results li")).to_have_count(1)
    c.keyboard.press("e")
    expect(screen.locator("#results li")).to_have_count(4)
    expect(screen.locator("#results li.winner")).to_have_count(3)
    expect(screen.locator('[data-field="reveal-progress"]')).to_be_hidden()
    shot(screen, artifacts, "reveal-complete")
    # E once more hides the results again (once the console knows first place is out).
    wait_text(c, "#btn-reveal", "Hide")
    c.keyboard.press("e")
    room.mode("lobby")
    # Reduced motion: the rows just appear.
    screen.emulate_media(reduced_motion="reduce")
    c.keyboard.press("e")
    room.mode("results")
    row = screen.locator("#results li").first
    expect(row).to_be_visible()
    style = row.evaluate(
        "(n) => { const s = getComputedStyle(n);"
        " return [s.animationName, s.animationDuration, s.opacity]; }"
    )
    assert style[0] == "none" and style[2] == "1", style


def test_back_row_sizes(server, open_page, artifacts):
    server.start()
    room = Room(server, open_page, "en", 2)
    c, screen = room.console, room.screen
    # A typical offer (the longest allowed one may make the stage scale down to fit).
    send(c, "pitch:edit", {"pitch_id": room.ids[0], "offer": "Two million anonymised rides."})
    send(c, "timer:start")
    room.mode("pitch")
    size = screen.locator('.mode-pitch [data-field="offer"]').evaluate(
        "(n) => parseFloat(getComputedStyle(n).fontSize)"
    )
    assert size >= 48, size
    for _ in range(2):
        send(c, "stage:next")
    send(c, "voting:open")
    send(room.phone, "interest:set", {"pitch_id": room.ids[0], "on": True})
    send(c, "voting:close")
    send(c, "results:reveal", {"revealed": True})
    room.mode("results")
    interest = screen.locator("#results .r-interest").first
    expect(interest).to_be_visible()
    size = interest.evaluate("(n) => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 32, size
    # The outcome QR: at least 30 % of the screen's height, to scan from a few metres.
    outcome = c.context.new_page()
    outcome.goto(c.url + "/outcome")
    outcome.click("#publish")
    wait_visible(outcome, "#public-link")
    send(c, "screen:mode", {"mode": "commitments"})
    room.mode("commitments")
    wait_visible(screen, "#outcome-qr img")
    height = screen.locator("#outcome-qr img").evaluate("(n) => n.getBoundingClientRect().height")
    assert height >= 0.3 * 1080, height
