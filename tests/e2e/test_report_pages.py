"""The outcome pages and the printed report in a real browser: the moderator's and the public
outcome fit a phone, a laptop and a large monitor with the longest texts in English and in
Chinese (layout_problems() finds nothing), the printed report (Chromium's PDF, read back with
pdftotext) lists every talk and pitch under its own section and marks only what ran over, and
the projector shows the outcome's QR code large enough to scan from the back of the room."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP
from .helpers import shot, wait_attr, wait_connected, wait_visible
from .layout import layout_problems
from .test_pages import new_session

SIZES = {
    "390x844": {"width": 390, "height": 844},
    "1280x720": {"width": 1280, "height": 720},
    "1366x768": {"width": 1366, "height": 768},
    "1920x1080": {"width": 1920, "height": 1080},
}
SCREEN_SIZES = {
    "1024x768": {"width": 1024, "height": 768},
    "1280x720": {"width": 1280, "height": 720},
    "1920x1080": {"width": 1920, "height": 1080},
}


def longest(lang: str, n: int, unit: str) -> str:
    """A text of exactly `n` characters in `lang`, with words a line can break between."""
    if lang == "zh":
        base = "城市交通数据开放共享平台建设方案与试点" + unit
    else:
        base = f"Open traffic data for every {unit} in the city region "
    return (base * (n // len(base) + 1))[:n].strip().ljust(n, "x")


TEXT = {
    "en": {"talks": "Invited talks", "pitches": "Pitch round", "word": "station"},
    "zh": {"talks": "特邀演讲", "pitches": "快速提案", "word": "站点"},
}


def send(page, event: str, payload: dict | None = None) -> dict:
    ack = page.evaluate("([e, p]) => F.send(e, p)", [event, payload or {}])
    assert ack["ok"], (event, ack)
    return ack


def outcome_json(page, base: str, code: str) -> dict:
    res = page.context.request.get(f"{base}/api/sessions/{code}/outcome")
    assert res.status == 200
    return res.json()


def run_pitch(console, adjust: int, over: bool, start: bool = False) -> None:
    """Change the live pitch's time (`start`: bring the first one on stage), and take it off
    (the next one comes on and runs): over its time or within."""
    if start:
        send(console, "timer:start")
    if adjust:
        send(console, "timer:adjust", {"seconds": adjust})
    if over:
        send(console, "timer:adjust", {"seconds": -600})  # cut to what has run: now over
        console.wait_for_timeout(1200)  # a second over the time given
    send(console, "stage:next")


def build_session(server, open_page, lang: str) -> dict:
    """A session with the longest texts: a talk, three pitches (one cut short and stopped in
    time, one extended, one run over), a commitment, a participant; the outcome published."""
    text, base = TEXT[lang], server.url
    session = new_session(server, title=longest(lang, 120, text["word"]))
    code = session["code"]
    console = open_page(LAPTOP, session["console_url"], "console")
    console.goto(f"{base}/lang/{lang}?next=/console/{code}")
    wait_connected(console)
    for title, kind in ((text["talks"], "talks"), (text["pitches"], "pitches")):
        send(
            console,
            "section:add",
            {"title": longest(lang, 120, title), "kind": kind, "minutes": 10},
        )
    talks, pitches = (x["id"] for x in outcome_json(console, base, code)["timing"]["sections"])

    def pitch(n: int) -> int:
        return send(
            console,
            "pitch:add",
            {
                "title": f"{n} " + longest(lang, 78, text["word"]),
                "pitcher": longest(lang, 60, "Name"),
                "organisation": longest(lang, 80, "Org"),
                "offer": longest(lang, 280, text["word"]),
                "seconds": 120,
            },
        )["pitch_id"]

    send(console, "section:set", {"section_id": talks})
    talk = pitch(0)
    run_pitch(console, 0, over=False, start=True)
    send(console, "section:set", {"section_id": pitches})
    ids = [pitch(n) for n in (1, 2, 3)]
    run_pitch(console, -90, over=False, start=True)  # cut to 0:30, stopped in time
    run_pitch(console, 30, over=False)  # extended to 2:30
    run_pitch(console, 0, over=True)  # cut to what had run, then a second over
    send(console, "voting:open")
    res = console.context.request.post(
        f"{base}/api/sessions/{code}/participants",
        data={"name": longest(lang, 60, "Name"), "organisation": longest(lang, 80, "Org")},
    )
    assert res.status == 201, res.text()
    send(
        console,
        "commitment:set",
        {
            "pitch_id": ids[0],
            "owners": [{"name": longest(lang, 60, f"Owner{i}")} for i in range(5)],
            "next_step": longest(lang, 280, text["word"]),
            "due": "2027-03-01",
            "status": "priority",
        },
    )
    send(console, "voting:close")
    send(console, "results:reveal", {"revealed": True})
    console.goto(f"{base}/console/{code}/outcome")
    console.click("#publish")
    public_url = console.locator("#public-link").get_attribute("href")
    return {
        "session": session,
        "console": console,
        "public_url": public_url,
        "talks": talks,
        "pitches": pitches,
        "talk": talk,
        "ids": ids,
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_outcome_pages_fit_every_size_with_the_longest_texts(server, open_page, artifacts, lang):
    server.start()
    built = build_session(server, open_page, lang)
    code, base = built["session"]["code"], server.url
    private = built["console"]
    public = open_page(SIZES["390x844"], name="public")
    public.goto(f"{base}/lang/{lang}?next=/")
    public.goto(built["public_url"])
    pages = {"moderator": private, "public": public}
    private.goto(f"{base}/console/{code}/outcome")
    for who, page in pages.items():
        expect(page.locator("#ranked tbody tr")).to_have_count(3)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            assert layout_problems(page) == [], (who, size)
            # nothing wider than the window: the page never scrolls sideways
            assert (
                page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
            ), (who, size)
            page.screenshot(
                path=str(artifacts / f"outcome-{who}-{lang}-{size}.png"), full_page=True
            )
    # the moderator's timing: each talk or pitch right after its own section, one over
    rows = private.locator("#timing tbody tr")
    ids = [r.get_attribute("id") for r in rows.all()]
    t, p, talk, (one, two, three) = built["talks"], built["pitches"], built["talk"], built["ids"]
    assert ids == [
        f"timing-section-{t}",
        f"timing-pitch-{talk}",
        f"timing-section-{p}",
        f"timing-pitch-{one}",
        f"timing-pitch-{two}",
        f"timing-pitch-{three}",
    ]
    expect(private.locator("#timing tr.over")).to_have_count(1)
    assert private.locator("#timing tr.over").get_attribute("id") == f"timing-pitch-{three}"


def pdf_text(page, path) -> str:
    page.emulate_media(media="print")
    page.pdf(path=str(path), format="A4", print_background=True)
    page.emulate_media(media="screen")
    out = subprocess.run(  # -layout: in the order the page reads, top to bottom
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def test_the_printed_report_lists_talks_and_pitches_under_their_sections(
    server, open_page, artifacts
):
    if shutil.which("pdftotext") is None:
        if os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext not found (apt-get install poppler-utils)")
        pytest.skip("pdftotext not found (apt-get install poppler-utils)")
    server.start()
    built = build_session(server, open_page, "en")
    console = built["console"]
    text = pdf_text(console, artifacts / "report.pdf")
    timing = text[text.index("Timing") :]
    order = [
        timing.index(TEXT["en"]["talks"][:12]),
        timing.index("0 Open traffic data"),
        timing.index(TEXT["en"]["pitches"][:11]),
        timing.index("1 Open traffic data"),
        timing.index("2 Open traffic data"),
        timing.index("3 Open traffic data"),
    ]
    assert order == sorted(order), "each talk and pitch under its own section"
    assert timing.count(" over)") == 1  # only the pitch that ran over its time given
    assert "−1:30" in timing and "+0:30" in timing
    for absent in ("Print or save as PDF", "Erase this session", "中文", "Publish"):
        assert absent not in text, absent
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(artifacts / "report.pdf"), str(artifacts / "report")],
        check=True,
    )
    # the console's timing report says the same: one pitch over, the cut and the extension
    console.goto(built["session"]["console_url"].split("?")[0])
    wait_connected(console)
    console.click("#report-box summary")
    rows = console.locator("#report-pitches tbody tr")
    expect(rows).to_have_count(4)
    expect(console.locator("#report-pitches tr.over")).to_have_count(1)
    expect(console.locator("#report-pitches tr.over")).to_contain_text("3 Open traffic data")
    expect(console.locator("#report-pitches tr.over")).to_contain_text(" over)")
    expect(rows.nth(1)).to_contain_text("−1:30")
    expect(rows.nth(2)).to_contain_text("+0:30")
    shot(console, artifacts, "console-report")
    # the public outcome prints too, without the moderator's parts
    public = open_page(LAPTOP, built["public_url"], "public")
    text = pdf_text(public, artifacts / "public.pdf")
    assert "Timing" in text and "Participants:" in text and "中文" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_outcome_qr_on_the_screen_is_large(server, open_page, artifacts, lang):
    server.start()
    built = build_session(server, open_page, lang)
    console, session = built["console"], built["session"]
    if lang == "zh":
        console.goto(session["console_url"].split("?")[0])
        wait_connected(console)
        send(console, "session:settings", {"screen_language": "zh"})
    else:
        console.goto(session["console_url"].split("?")[0])
        wait_connected(console)
    # a commitment as a room writes one (the longest texts on the screen are the screen's own
    # layout tests' business; here the QR code is measured beside an ordinary card)
    send(
        console,
        "commitment:set",
        {
            "pitch_id": built["ids"][0],
            "owners": [{"name": "Li Wei"}, {"name": TEXT[lang]["talks"]}],
            "next_step": TEXT[lang]["pitches"] + " 2027",
            "due": "2027-03-01",
            "status": "priority",
        },
    )
    screen = open_page(SCREEN_SIZES["1920x1080"], session["screen_url"], "screen")
    wait_connected(screen)
    send(console, "screen:mode", {"mode": "commitments"})
    wait_attr(screen, "#screen", "data-mode", "commitments")
    wait_visible(screen, "#section-card", False)  # the "next part" card leaves by itself
    qr = screen.locator("#outcome-qr img")
    expect(qr).to_be_visible()
    for size, viewport in SCREEN_SIZES.items():
        screen.set_viewport_size(viewport)
        box = qr.bounding_box()
        # a third of the screen's height: at 1080 px that is 360 px, about 9 px a module
        assert box["height"] >= viewport["height"] / 3 - 1, (size, box)
        assert layout_problems(screen, fit_viewport=True) == [], size
        shot(screen, artifacts, f"screen-outcome-qr-{lang}-{size}")
