"""The phone through a whole session, one main card per phase; "delete me"; a tap made offline;
a venue proxy that refuses websockets; the pitcher's waiting area. Real server, real Chromium,
the moderator's actions sent from a real console page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE
from .helpers import shot, wait_attr, wait_connected, wait_text, wait_visible
from .test_round import join

NARROW = {"width": 320, "height": 640}


def send(page, event: str, payload: dict | None = None) -> dict:
    ack = page.evaluate("([e, p]) => F.send(e, p)", [event, payload or {}])
    assert ack["ok"], (event, ack)
    return ack


def session(server, open_page, title="Phone flow", **settings):
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": title, **settings})
    assert status == 201, made
    console = open_page(LAPTOP, made["console_url"], "console")
    wait_connected(console)
    return made, console


def phase(page, name: str) -> None:
    wait_attr(page, "#app", "data-phase", name)


def main_part(page, selector: str) -> bool:
    """Shown in the page itself (not folded under "More")."""
    return page.evaluate(
        "(sel) => { const n = document.querySelector(sel);"
        " return !!n && !n.hidden && !n.closest('#more') && n.offsetParent !== null; }",
        selector,
    )


def folded(page, selector: str) -> bool:
    return page.evaluate(
        "(sel) => { const n = document.querySelector(sel); return !!n && !!n.closest('#more'); }",
        selector,
    )


def test_one_main_card_per_phase_from_sign_up_to_outcome(server, open_page, artifacts):
    made, console = session(server, open_page)
    a = open_page(PHONE, made["join_url"], "pitcher")
    b = open_page(PHONE, made["join_url"], "voter")
    join(a, "Li Wei", "Smart City Office")
    join(b, "Marie Curie")

    # Sign-up: the form is the main card; nothing to follow up on yet.
    phase(b, "signup")
    assert main_part(b, "#propose-form")
    assert b.locator("#follow").is_hidden()
    shot(b, artifacts, "01-signup")

    other = send(console, "pitch:add", {"title": "Open traffic data", "pitcher": "Anna Keller"})[
        "pitch_id"
    ]
    # The pitcher signs up: their phone becomes the waiting area.
    a.fill("#p-title", "Bike racks at every station")
    a.fill("#p-offer", "Racks and data, ready in a month.")
    a.click("#propose-form button[type=submit]")
    phase(a, "wait")
    wait_text(a, "#my-status", "waiting for the moderator")
    wait_visible(console, ".row.status-pending")
    pending_id = int(console.locator(".row.status-pending").first.get_attribute("data-id"))
    send(console, "pitch:accept", {"pitch_id": pending_id})
    wait_text(a, "#my-status", "2nd in the queue")
    send(console, "pitch:move", {"pitch_id": pending_id, "index": 0})
    assert other != pending_id
    wait_text(a, "#my-status", "You're next")
    expect(a.locator("#on-in")).to_be_visible()  # about how long until it's their turn
    expect(a.locator("#ready")).to_be_visible()
    shot(a, artifacts, "02-wait")

    # The pitcher checks in at the stage; the console sees it.
    a.click("#ready")
    wait_attr(a, "#ready", "aria-pressed", "true")
    wait_visible(console, ".row .badge.ready")

    # Their pitch goes live: "your turn" on their phone, "watching" on the others.
    send(console, "stage:next")
    phase(a, "your_turn")
    phase(b, "watching")
    assert main_part(b, "#stage")
    assert folded(b, "#mine")  # the form is still offered, folded
    shot(a, artifacts, "03-your-turn")
    shot(b, artifacts, "04-watching")

    # A pitch has been given: follow-up appears (folded while the next one is on).
    send(console, "stage:next")
    wait_text(b, "#on-stage", "Open traffic data")
    b.wait_for_function("() => !document.querySelector('#follow').hidden")
    assert folded(b, "#follow")

    # The same phase updating does not move the page; a new phase goes to the top.
    b.evaluate("() => { document.querySelector('#more').open = true; window.scrollTo(0, 400); }")
    y = b.evaluate("() => window.scrollY")
    send(console, "timer:pause")
    wait_attr(b, "#on-stage .timer", "data-state", "paused")
    assert b.evaluate("() => window.scrollY") == y
    send(console, "stage:next")
    send(console, "voting:open")
    phase(b, "vote")
    assert b.evaluate("() => window.scrollY") == 0
    # Voting: the ballot is the main card, the pitch form is not offered.
    assert main_part(b, "#vote")
    assert b.locator("#propose-form").is_hidden()
    shot(b, artifacts, "05-vote")
    b.locator("#ballot li.ballot-item").filter(has_text="Open traffic data").locator(
        "button.dot"
    ).click()
    wait_text(b, "#dots-left", "2")

    send(console, "voting:close")
    wait_text(b, "#dots-left", "closed")
    send(console, "results:reveal", {"revealed": True})
    phase(b, "results")
    assert main_part(b, "#results")
    assert main_part(b, "#follow")  # following up belongs beside the ranking
    shot(b, artifacts, "06-results")
    send(console, "screen:mode", {"mode": "commitments"})
    phase(b, "follow")
    assert main_part(b, "#follow")
    shot(b, artifacts, "07-follow")
    status = console.evaluate(
        """(code) => fetch(`/console/${code}/outcome/publish`, {method: "POST",
             body: new URLSearchParams({public: "1"})}).then((r) => r.status)""",
        made["code"],
    )
    assert status == 200, status
    phase(b, "outcome")
    assert main_part(b, "#outcome-link")
    shot(b, artifacts, "08-outcome")


def test_delete_me_asks_first_then_says_what_stays(server, open_page, artifacts):
    made, console = session(server, open_page)
    send(console, "pitch:add", {"title": "Rainwater", "pitcher": "Ines"})
    phone = open_page(PHONE, made["join_url"], "phone")
    join(phone, "Sam Doe")
    send(console, "voting:open")
    phase(phone, "vote")
    phone.locator("#ballot button.dot").first.click()
    wait_text(phone, "#dots-left", "2")

    phone.locator("#your-data summary").click()
    phone.click("#delete-me")
    expect(phone.locator("#delete-dialog")).to_be_visible()
    shot(phone, artifacts, "01-confirm")
    # "Keep me" changes nothing.
    phone.locator("#delete-dialog button[value=cancel]").click()
    expect(phone.locator("#delete-dialog")).to_be_hidden()
    wait_connected(phone)
    assert phone.locator("#app").is_visible()

    phone.click("#delete-me")
    phone.click("#delete-confirm")
    wait_text(phone, ".gone h1", "deleted yourself")
    text = phone.locator(".gone").inner_text()
    assert "votes stay" in text and "anonymously" in text
    shot(phone, artifacts, "02-deleted")
    # The server closed the connection: the page asked for that, it is no fault.
    body = phone.locator("body").inner_text()
    assert "Reconnecting" not in body and "did not answer" not in body
    assert phone.locator("#conn-banner").count() == 0
    # The vote stayed, anonymously: the console still counts one ballot.
    console.wait_for_function(
        "() => document.querySelector('[data-count=\"ballots\"]').textContent.trim() === '1'"
    )
    # Joining again is offered and works.
    phone.locator(".gone a").click()
    expect(phone.locator("#join-form")).to_be_visible()


def test_a_vote_made_offline_is_kept_and_sent_on_reconnect(server, open_page, artifacts):
    made, console = session(server, open_page)
    for title in ("Rainwater", "Bike racks", "Open data"):
        send(console, "pitch:add", {"title": title, "pitcher": "X"})
    send(console, "voting:open")
    phone = open_page(PHONE, made["join_url"], "phone")
    join(phone, "Offline Olga")
    phase(phone, "vote")

    phone.context.set_offline(True)
    phone.evaluate("() => F.socket.io.engine.close()")  # the network is gone: the socket too
    phone.wait_for_function("() => !F.socket.connected")
    wait_visible(phone, "#conn-banner")
    item = phone.locator("#ballot li.ballot-item").filter(has_text="Bike racks")
    item.locator("button.dot").click()
    # Kept on the phone, said so, and counted in the dots left.
    wait_visible(phone, "#vote-pending")
    wait_text(phone, "#dots-left", "2")
    expect(item.locator("button.dot")).to_have_attribute("aria-pressed", "true")
    # What cannot work offline is dimmed; the vote buttons are not.
    assert (
        phone.evaluate("() => getComputedStyle(document.querySelector('#delete-me')).opacity")
        == "0.45"
    )
    assert (
        phone.evaluate(
            "() => getComputedStyle(document.querySelector('#ballot button.dot')).opacity"
        )
        == "1"
    )
    shot(phone, artifacts, "01-offline-vote-kept")

    phone.context.set_offline(False)
    wait_connected(phone, timeout=30_000)
    wait_visible(phone, "#vote-pending", visible=False)
    # The server has the vote: the console's ballot count says one person voted.
    console.wait_for_function(
        "() => document.querySelector('[data-count=\"ballots\"]').textContent.trim() === '1'"
    )
    # And a reload (the server's state, nothing kept locally) still shows it.
    phone.reload()
    wait_connected(phone)
    item = phone.locator("#ballot li.ballot-item").filter(has_text="Bike racks")
    expect(item.locator("button.dot")).to_have_attribute("aria-pressed", "true")


def test_a_blocked_websocket_falls_back_to_polling(server, open_page, artifacts):
    made, console = session(server, open_page)
    send(console, "pitch:add", {"title": "Rainwater", "pitcher": "Ines"})
    phone = open_page(PHONE, None, "phone")
    # A venue proxy that refuses the websocket handshake: the browser's WebSocket fails to open
    # (an error, then a close with 1006), as it does when the upgrade is answered 400 or 403.
    phone.add_init_script(
        """
        window.__blocked = [];
        window.WebSocket = class extends EventTarget {
          constructor(url) {
            super();
            window.__blocked.push(String(url));
            this.url = String(url); this.readyState = 0; this.binaryType = "blob";
            setTimeout(() => {
              this.readyState = 3;
              const error = new Event("error");
              this.onerror && this.onerror(error); this.dispatchEvent(error);
              const close = new CloseEvent("close", { code: 1006, wasClean: false });
              this.onclose && this.onclose(close); this.dispatchEvent(close);
            }, 10);
          }
          send() { throw new DOMException("not open", "InvalidStateError"); }
          close() {}
        };
        """
    )
    phone.goto(made["join_url"])
    join(phone, "Polly Polling")
    assert phone.evaluate("() => window.__blocked.length") > 0, "never tried a websocket"
    assert phone.evaluate("() => F.socket.io.engine.transport.name") == "polling"
    # The stage arrives, and a vote goes through.
    send(console, "stage:next")
    wait_text(phone, "#on-stage", "Rainwater")
    send(console, "stage:next")
    send(console, "voting:open")
    phase(phone, "vote")
    phone.locator("#ballot button.dot").first.click()
    console.wait_for_function(
        "() => document.querySelector('[data-count=\"ballots\"]').textContent.trim() === '1'"
    )


@pytest.mark.parametrize("n", [8, 40])
def test_the_voting_page_is_compact(server, open_page, artifacts, n):
    made, console = session(server, open_page)
    for i in range(n):
        send(
            console,
            "pitch:add",
            {
                "title": f"Pitch {i + 1}: open traffic data for the whole region in 90 days",
                "pitcher": "Anna Keller",
                "organisation": "Verkehrsverbund",
                "offer": "A proven open-data portal for traffic sensors, ready to share " * 3,
            },
        )
    send(console, "voting:open")
    for viewport, name in ((PHONE, "390"), (NARROW, "320")):
        phone = open_page(viewport, made["join_url"], f"phone-{name}")
        join(phone, "Voter")
        phase(phone, "vote")
        height = phone.evaluate("() => document.documentElement.scrollHeight")
        print(f"voting page, {n} pitches, {name} px wide: {height} px")
        shot(phone, artifacts, f"vote-{n}-{name}")
        # About 120 px a pitch at most, title of two lines and the offer of one included.
        assert height < 700 + 125 * n, height


def test_the_console_header_counts_connected_phones_and_old_pages(server, open_page, artifacts):
    """Phones join, one runs a page older than the server's, one leaves: the console's header
    follows (the count goes out at most every few seconds; each wait allows 15 s)."""
    made, console = session(server, open_page, title="Phones in the console")
    wait_text(console, "#devices-count", "0 phones connected")
    assert console.locator("#devices-outdated").is_hidden()

    a = open_page(PHONE, made["join_url"], "current")
    join(a, "Li Wei")
    wait_text(console, "#devices-count", "1 phone connected")

    # A page loaded before the server was updated: its script's URL names an older version.
    old = open_page(PHONE, None, "old page")

    def older(route):
        res = route.fetch()
        html = res.text().replace('src="/static/js/phone.js?v=', 'src="/static/js/phone.js?v=old')
        route.fulfill(response=res, body=html)

    old.route(made["join_url"], older)
    old.goto(made["join_url"])
    join(old, "Marie Curie")
    wait_text(console, "#devices-count", "2 phones connected")
    wait_text(console, "#devices-outdated", "1 out of date")
    shot(console, artifacts, "devices-console")

    # The current page goes away: noticed at once on its websocket (a page on long-polling
    # only at the ping timeout, about 40 s).
    assert a.evaluate("() => F.socket.io.engine.transport.name") == "websocket"
    a.goto("about:blank")
    wait_text(console, "#devices-count", "1 phone connected")
    wait_text(console, "#devices-outdated", "1 out of date")
