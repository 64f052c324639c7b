"""Beyond axe: the phone page at 320 px and at 200% zoom, the console on a phone, and the
screen's timer contrast (at least 7:1, WCAG AAA, in every timer state, as it must hold on a
washed-out projector)."""

import pytest
from playwright.sync_api import expect

from .harness import PROJECTOR
from .helpers import wait_attr, wait_connected, wait_visible

CONTRAST = """(sel) => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const node = document.querySelector(sel);
  let bg = node, color = getComputedStyle(node).color, back = "rgb(0, 0, 0)";
  while (bg) {
    const c = getComputedStyle(bg).backgroundColor;
    if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") { back = c; break; }
    bg = bg.parentElement;
  }
  const [a, b] = [lum(color), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(
    "viewport, scale",
    [({"width": 320, "height": 640}, 1), ({"width": 195, "height": 422}, 2)],
    ids=["320px", "200%-zoom"],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_phone_page_works_narrow_and_zoomed(server, browser, viewport, scale, lang):
    """200% zoom of a 390 px phone is a 195 CSS px wide layout drawn at twice the size."""
    server.start()
    _, made = server.api("POST", "/api/sessions", {"title": "Zoom"})
    ctx = browser.new_context(
        viewport=viewport, device_scale_factor=scale, extra_http_headers={"Accept-Language": lang}
    )
    try:
        page = ctx.new_page()
        page.goto(made["join_url"])
        assert no_horizontal_scroll(page)
        page.fill("#join-name", "Zoe")
        page.click("#join-form button[type=submit]")
        wait_visible(page, "#app")
        wait_connected(page)
        assert no_horizontal_scroll(page)
        page.fill("#p-title", "A quick win with a rather long title to wrap on narrow phones")
        page.fill("#p-offer", "An offer")
        button = page.locator("#propose-form button[type=submit]")
        box = button.bounding_box()
        assert box["width"] <= viewport["width"] and box["height"] >= 44
        button.click()
        page.wait_for_selector(".my-pitch")
        assert no_horizontal_scroll(page)
    finally:
        ctx.close()


def test_the_screen_timer_keeps_7_to_1_contrast_in_every_state(server, open_page):
    server.start()
    _, made = server.api("POST", "/api/sessions", {"title": "Contrast", "pitch_seconds": 40})
    console = open_page({"width": 1366, "height": 768}, made["console_url"], "console")
    wait_connected(console)
    for title in ("One", "Two"):
        console.evaluate("(t) => F.send('pitch:add', {title: t, pitcher: 'X', seconds: 12})", title)
    screen = open_page(PROJECTOR, made["screen_url"], "screen")
    wait_connected(screen)
    console.evaluate("F.send('timer:start', {})")
    timer, digits = ".mode-pitch .timer", ".mode-pitch .timer .digits"
    seen = {}
    wait_attr(screen, timer, "data-phase", "amber")
    seen["amber"] = screen.evaluate(CONTRAST, digits)
    console.evaluate("F.send('timer:pause', {})")
    wait_attr(screen, timer, "data-state", "paused")
    seen["paused"] = screen.evaluate(CONTRAST, digits)
    console.evaluate("F.send('timer:resume', {})")
    wait_attr(screen, timer, "data-phase", "red")
    seen["red"] = screen.evaluate(CONTRAST, digits)
    wait_attr(screen, timer, "data-phase", "overrun", timeout=20_000)
    seen["overrun"] = screen.evaluate(CONTRAST, digits)
    console.evaluate("F.send('timer:reset', {})")
    console.evaluate("F.send('timer:adjust', {seconds: 60})")
    wait_attr(screen, timer, "data-phase", "normal")
    seen["normal"] = screen.evaluate(CONTRAST, digits)
    print("screen timer contrast: " + ", ".join(f"{k} {v:.1f}:1" for k, v in seen.items()))
    assert all(v >= 7 for v in seen.values()), seen


def test_the_console_fits_a_phone(server, open_page):
    """A co-moderator may open the console on a phone: one column, nothing cut off at the right
    (the timer, the primary buttons, every link in the header)."""
    server.start()
    _, made = server.api("POST", "/api/sessions", {"title": "A session title long enough to cut"})
    console = open_page({"width": 390, "height": 844}, made["console_url"], "console")
    wait_connected(console)
    console.evaluate("F.send('pitch:add', {title: 'Rainwater', pitcher: 'Ines'})")
    console.evaluate("F.send('timer:start', {})")
    expect(console.locator(".console-timer .digits")).to_have_text("2:00")
    assert no_horizontal_scroll(console)
    for sel in (".console-timer .digits", "#btn-next", ".ch-links a:last-child", "#tally"):
        box = console.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, sel
