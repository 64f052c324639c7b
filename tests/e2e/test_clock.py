"""Every page shows the same countdown as the server even when its own clock is wrong:
phones measure their offset to the server clock instead of trusting their own."""

import time

from .harness import PHONE, PROJECTOR
from .helpers import digits, wait_attr, wait_connected, wait_visible

SKEWS_MS = {"ahead": 3_600_000, "behind": -437_000}


def skewed(page, skew_ms: int) -> None:
    """Make this page's clock wrong by `skew_ms` before any of its scripts run."""
    page.add_init_script(f"""(() => {{
        const realNow = Date.now.bind(Date);
        Date.now = () => realNow() + ({skew_ms});
    }})();""")


def test_phones_with_wrong_clocks_agree_with_the_server(server, open_page):
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Clocks", "pitch_seconds": 120})
    assert status == 201
    screen = open_page(PROJECTOR, made["screen_url"], "screen")
    wait_connected(screen)
    phones = {}
    for name, skew in SKEWS_MS.items():
        page = open_page(PHONE, None, name)
        skewed(page, skew)
        page.goto(made["join_url"])
        page.fill("#join-name", f"Phone {name}")
        page.click("#join-form button[type=submit]")
        wait_visible(page, "#app")
        wait_connected(page)
        phones[name] = page
    console = open_page({"width": 1366, "height": 768}, made["console_url"], "console")
    wait_connected(console)
    console.click("#add-pitch summary")
    console.fill("#a-pitcher", "Anna")
    console.fill("#a-title", "Open data")
    console.click("#add-form button[type=submit]")
    console.wait_for_selector("#queue li.row")
    console.evaluate("document.activeElement.blur()")  # the add form keeps focus for the next
    console.keyboard.press("Space")
    wait_attr(screen, "#screen", "data-mode", "pitch")
    for name, page in phones.items():
        wait_visible(page, "#on-stage .timer")
        # Give the clock sync its few round trips, then compare with the server's clock.
        page.wait_for_timeout(1200)
        before = time.time() * 1000
        page_now = page.evaluate("F.now()")
        after = time.time() * 1000
        error = page_now - (before + after) / 2
        print(f"{name} ({SKEWS_MS[name]:+d} ms): off the server clock by {error:+.0f} ms")
        assert abs(error) < 500, (name, error)
        own = page.evaluate("Date.now()") - after
        assert abs(own - SKEWS_MS[name]) < 1000  # the page's own clock really is wrong
        assert abs(digits(page, "#on-stage") - digits(screen, ".mode-pitch")) <= 1
