"""Every link on every page works: each page is visited as the people who use it (an
anonymous visitor, a participant, the screen, the moderator), in English and in Chinese, and
every same-origin link on it is clicked. A link answers 200 and what it opens renders (a page
that is not the error page, or a download that is not empty). Buttons are covered by the flow
tests of each page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import wait_connected, wait_visible
from .test_pages import join, new_session

LINKS = """() => Array.from(document.querySelectorAll("a[href]")).map((a, i) => ({
  i, href: a.href, target: a.target, download: a.hasAttribute("download"),
  text: a.textContent.trim().slice(0, 60),
}))"""

# The <summary> elements to click, outermost first, to reveal a link in closed <details>.
OPEN_DETAILS = """(a) => {
  const out = [];
  const closed = "details:not([open])";
  for (let d = a.closest(closed); d; d = d.parentElement.closest(closed)) {
    if (!d.id) d.id = "links-test-" + Math.random().toString(36).slice(2);
    out.unshift(`#${d.id} > summary`);
  }
  return out;
}"""


def same_page(href: str, url: str) -> bool:
    a, b = urlsplit(href), urlsplit(url)
    return (a.path, a.query) == (b.path, b.query)


def rendered(page) -> None:
    """What a link opened is a real page of the product, not the error page."""
    page.wait_for_load_state("load")
    is_json = "/api/" in page.url
    if is_json:
        assert '"ok": true' in page.locator("body").inner_text().replace('":true', '": true')
        return
    expect(page.locator("body.error-page")).to_have_count(0)
    expect(page.locator("main").first).to_be_visible()


def click_every_link(page, url: str, lang: str, server_url: str, seen: list, ready=None) -> None:
    """Open `url`, then each same-origin link on it in turn (the page opened afresh each time,
    so one link's effect does not hide the next)."""
    own_status = page.goto(url).status
    if ready:
        ready(page)
    links = [x for x in page.evaluate(LINKS) if x["href"].startswith(server_url + "/")]
    assert links, f"no links on {url}"
    for link in links:
        page.goto(url)
        page.wait_for_load_state("load")
        if ready:
            ready(page)
        href = link["href"]
        res = page.context.request.get(href)
        # the language switch brings back the page it is on, an error page as an error page
        want = own_status if "/lang/" in href else 200
        assert res.status == want, (url, link, res.status)
        seen.append((lang, urlsplit(url).path, urlsplit(href).path, link["text"]))
        a = page.locator("a[href]").nth(link["i"])
        # a link folded in a closed <details> is reached as a person would: open it first
        for summary in a.evaluate(OPEN_DETAILS):
            page.locator(summary).click()
        if not a.is_visible():  # shown by the page once it applies (a published outcome)
            continue
        if link["download"]:
            with page.expect_download() as dl:
                a.click()
            assert dl.value.failure() is None
            assert dl.value.path().stat().st_size > 0, href
        elif link["target"] == "_blank":
            with page.context.expect_page() as popup:
                a.click()
            rendered(popup.value)
            popup.value.close()
        elif same_page(href, page.url) and urlsplit(href).fragment:
            continue  # an anchor within the page
        else:
            with page.expect_navigation() as nav:
                a.click()
            assert nav.value.status == want, (url, link, nav.value.status)
            if want == 200:
                rendered(page)
        if "/lang/" in href:  # the switch: back to the language under test
            page.goto(f"{server_url}/lang/{lang}?next=/")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_link_on_every_page_works(server, open_page, lang):
    server.start()
    session = new_session(server, title="Links")
    code = session["code"]
    base = server.url

    def device(viewport, name):
        page = open_page(viewport, name=name)
        page.goto(f"{base}/lang/{lang}?next=/")
        return page

    console = device(LAPTOP, "console")
    console.goto(session["console_url"])
    wait_connected(console)
    ack = console.evaluate(
        "() => F.send('pitch:add', {title: 'Shade for the bus stop', pitcher: 'Ana'})"
    )
    assert ack["ok"], ack
    for event in ("stage:next", "stage:next", "voting:open"):
        assert console.evaluate(f"() => F.send('{event}', {{}})")["ok"], event
    phone = device(PHONE, "phone")
    phone.goto(session["join_url"])
    join(phone, "Bea")
    console.goto(f"{base}/console/{code}/outcome")
    console.click("#publish")
    public_url = console.locator("#public-link").get_attribute("href")
    wait_visible(phone, "#outcome-link")

    seen: list = []
    visitor = device(PHONE, "visitor")
    for url in (f"{base}/", f"{base}/j", f"{base}/no/such/page", public_url):
        click_every_link(visitor, url, lang, base, seen)
    click_every_link(
        phone, session["join_url"], lang, base, seen, lambda p: wait_visible(p, "#outcome-link")
    )
    screen = device(PROJECTOR, "screen")
    screen.goto(session["screen_url"])
    wait_connected(screen)
    assert [x for x in screen.evaluate(LINKS) if x["href"].startswith(base)] == []
    for path in (f"/console/{code}", f"/console/{code}/share", f"/console/{code}/outcome"):
        click_every_link(console, base + path, lang, base, seen)

    followed = {(page, target) for _lang, page, target, _text in seen}
    for expected in (
        ("/", "/lang/" + ("en" if lang == "zh" else "zh")),
        ("/no/such/page", "/"),
        (f"/j/{code}", urlsplit(public_url).path),
        (f"/console/{code}", f"/screen/{code}"),
        (f"/console/{code}", f"/console/{code}/share"),
        (f"/console/{code}", f"/console/{code}/outcome"),
        (f"/console/{code}", f"/console/{code}/log.csv"),
        (f"/console/{code}/share", f"/j/{code}"),
        (f"/console/{code}/outcome", f"/console/{code}/outcome.csv"),
        (f"/console/{code}/outcome", f"/console/{code}/outcome.md"),
        (f"/console/{code}/outcome", f"/api/sessions/{code}/outcome"),
    ):
        assert expected in followed, expected
