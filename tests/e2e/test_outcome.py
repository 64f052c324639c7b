"""From votes to commitments through real browsers: impact x ease rating on three pitches from
two phones, the matrix read off the projector, follow-up with consent, a commitment on the
screen, and the printable report rendered to PDF by Chromium and read back with pdftotext."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import shot, wait_attr, wait_connected, wait_text, wait_visible
from .test_round import join

# title -> (phone A's impact, ease), (phone B's impact, ease)
RATINGS = {
    "Bike racks at every station": ((5, 5), (4, 4)),  # means 4.5 / 4.5: a quick win
    "Open traffic data": ((2, 4), (2, 5)),  # 2.0 / 4.5: a fill-in
    "Citywide 5G sensors": ((4, 2), (3, 1)),  # 3.5 / 1.5: a major project
}
EMAIL = "li.wei@example.org"


def send(page, event: str, payload: dict | None = None) -> dict:
    ack = page.evaluate("([e, p]) => F.send(e, p)", [event, payload or {}])
    assert ack["ok"], (event, ack)
    return ack


def rate(phone, title: str, impact: int, ease: int) -> None:
    item = phone.locator("#ballot li.ballot-item").filter(has_text=title)
    for row, value in ((0, impact), (1, ease)):
        button = item.locator(".rate-row").nth(row).locator("button.rate").nth(value - 1)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")


def test_impact_ease_round_to_report(server, open_page, artifacts):
    if shutil.which("pdftotext") is None:
        if os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext not found (apt-get install poppler-utils)")
        pytest.skip("pdftotext not found (apt-get install poppler-utils)")
    server.start()
    status, session = server.api("POST", "/api/sessions", {"title": "Quick wins for the city"})
    assert status == 201, session
    code = session["code"]
    console = open_page(LAPTOP, session["console_url"], "console")
    wait_connected(console)
    screen = open_page(PROJECTOR, session["screen_url"], "screen")
    wait_connected(screen)
    send(console, "session:settings", {"voting_method": "matrix"})
    ids = {}
    for title, pitcher in zip(RATINGS, ("Cy Osei", "Dana Ruiz", "Ed Marsh"), strict=True):
        ids[title] = send(
            console, "pitch:add", {"title": title, "pitcher": pitcher, "offer": "A one-line offer"}
        )["pitch_id"]
    for _ in range(3):
        send(console, "stage:next")
    send(console, "stage:next")  # the last one ends too: every pitch has been on stage
    send(console, "voting:open")

    phones = []
    for name, org in (("Li Wei", "Shenzhen Smart City Office"), ("Marie Dubois", "")):
        phone = open_page(PHONE, f"{server.url}/j/{code}", name)
        join(phone, name, org)
        wait_visible(phone, "#vote")
        phones.append(phone)
    a, b = phones
    for title, (ra, rb) in RATINGS.items():
        rate(a, title, *ra)
        rate(b, title, *rb)
    shot(a, artifacts, "phone-matrix-ballot")
    wait_text(screen, '[data-count="ballots"]', "2", exact=True)

    # Follow-up: A follows the bike racks and shares an email, with consent (while voting, the
    # ballot is the phone's main card; follow-up waits under "More").
    a.click("#more > summary")
    a.locator("#follow-list li").filter(has_text="Bike racks").locator("button.follow").click()
    expect(
        a.locator("#follow-list li").filter(has_text="Bike racks").locator("button.follow")
    ).to_have_attribute("aria-pressed", "true")
    a.click("#contact summary")
    a.fill("#c-email", EMAIL)
    a.click("#contact-form button[type=submit]")
    wait_visible(a, "#contact-error")  # no consent ticked: refused, nothing stored
    a.check("#c-consent")
    a.click("#contact-form button[type=submit]")
    wait_text(a, "#contact-now", EMAIL)
    shot(a, artifacts, "phone-follow-up")

    # Results stay hidden until revealed, then the screen shows the matrix.
    assert screen.locator("#screen").get_attribute("data-mode") == "voting"
    assert b.locator("#results").is_hidden()
    send(console, "voting:close")
    send(console, "results:reveal", {"revealed": True})
    wait_attr(screen, "#screen", "data-mode", "results")
    dots = screen.locator("#matrix-box g.m-dot")
    expect(dots).to_have_count(3)
    where = {}
    for title, pid in ids.items():
        transform = screen.locator(f'#matrix-box g.m-dot[data-pitch="{pid}"]').get_attribute(
            "transform"
        )
        x, y = (float(v) for v in transform.removeprefix("translate(").rstrip(")").split())
        where[title] = (x, y)
    # Ease right (x), impact up (y): the means put each pitch in its quadrant.
    assert where["Bike racks at every station"] == (375.0, 65.0)
    assert where["Open traffic data"] == (375.0, 290.0)
    assert where["Citywide 5G sensors"] == (105.0, 155.0)
    quick_wins = screen.locator("#matrix-box g.m-dot-win")
    expect(quick_wins).to_have_count(1)
    assert quick_wins.get_attribute("data-pitch") == str(ids["Bike racks at every station"])
    expect(screen.locator("#results li .r-title")).to_have_text(list(RATINGS))
    expect(screen.locator("#results li").first.locator(".votes")).to_contain_text("20.25")
    expect(screen.locator("#results li").first.locator(".r-interest")).to_contain_text("1")
    screen.wait_for_timeout(1500)  # the ranking builds up from the bottom
    shot(screen, artifacts, "screen-matrix-1920")
    wait_visible(b, "#results")

    # A commitment, shown on the screen.
    send(
        console,
        "commitment:set",
        {
            "pitch_id": ids["Bike racks at every station"],
            "owners": [{"name": "Li Wei"}, {"name": "Transport department"}],
            "next_step": "Pilot at three stations",
            "due": "2027-03-01",
            "status": "priority",
        },
    )
    send(console, "screen:mode", {"mode": "commitments"})
    wait_attr(screen, "#screen", "data-mode", "commitments")
    wait_text(screen, "#commitments .c-owners", "Transport department")
    shot(screen, artifacts, "screen-commitments-1920")

    # The outcome page, printed to PDF by Chromium, read back as text.
    outcome = console.context.new_page()
    outcome.goto(f"{server.url}/console/{code}/outcome")
    expect(outcome.locator("#ranked tbody tr")).to_have_count(3)
    expect(outcome.locator("#ranked")).to_contain_text(EMAIL)  # the moderator's, consented
    shot(outcome, artifacts, "outcome-laptop")
    for size, viewport in (("phone", PHONE), ("projector", PROJECTOR)):
        outcome.set_viewport_size(viewport)
        shot(outcome, artifacts, f"outcome-{size}")
    outcome.set_viewport_size(LAPTOP)
    console.click("#commitments-box summary")
    shot(console, artifacts, "console-commitments-laptop")
    pdf = artifacts / "report.pdf"
    outcome.emulate_media(media="print")
    outcome.pdf(path=str(pdf), format="A4", print_background=True)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for needle in (
        "Quick wins for the city",
        "The quick wins the room chose",
        "Commitments",
        "Pilot at three stations",
        "Transport department",
        "20.25",
    ):
        assert needle in text, needle
    positions = [text.index(t) for t in RATINGS]
    assert positions == sorted(positions), "the report lists the pitches in rank order"
    assert "Print or save as PDF" not in text and "Erase this session" not in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(artifacts / "report-page"),
        ],
        check=True,
    )

    # The public outcome link: shared with the room, with no contact data.
    outcome.emulate_media(media="screen")
    outcome.click("#publish")
    public_url = outcome.locator("#public-link").get_attribute("href")
    wait_visible(b, "#outcome-link")
    assert b.locator("#outcome-link a").get_attribute("href") == public_url
    b.click("#outcome-link a")
    expect(b.locator("h1")).to_have_text("Quick wins for the city")
    expect(b.locator("#ranked tbody tr")).to_have_count(3)
    assert EMAIL not in b.content() and "Shenzhen Smart City Office" not in b.content()
    shot(b, artifacts, "outcome-public-phone")
