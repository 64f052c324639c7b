"""Hostile text in every field, on every page, in a real browser: it is shown, never run.

Vectors modelled on the OWASP XSS Filter Evasion Cheat Sheet are typed into every text field
a phone or the moderator can fill: the session title (start page), a participant's name and
organisation (phone join form), a pitch's fields from the phone (propose form) and from the
console (add and edit forms), the moderator's messages (cue to the screen and to the
pitcher) and section titles. The fields are found in the forms themselves (every text input
and textarea), so a field added later is attacked too, each value cut to the field's
`maxlength` (which must match the server's limit).

Before any page script runs, an init script defines `window.__xss = []` and `xss()`, which
every vector calls (as do `alert`, `confirm`, `prompt`), and counts `securitypolicyviolation`
events separately. The console (with its screen preview), the screen in every mode, the
phones and the log CSV are loaded; no vector may run, no dialog may open, no policy
violation may happen (one would mean markup was parsed and only the CSP stopped it) and no
injected element may exist. The pages must send a strict CSP, nosniff and a frame policy, and
the session cookie must be HttpOnly and SameSite.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time

import pytest

from tests.e2e.harness import LAPTOP, PHONE, PROJECTOR
from tests.e2e.helpers import wait_connected, wait_visible

# ----- the vectors (OWASP XSS Filter Evasion Cheat Sheet, representative; all call xss()) ---

VECTORS = [
    "<script>xss()</script>",  # basic script tag
    "<SCRIPT SRC=data:,xss()></SCRIPT>",  # upper case, data: source
    "<img src=x onerror=xss()>",  # image onerror
    '<IMG SRC="javascript:xss();">',  # javascript: URL in src
    "<IMG SRC=JaVaScRiPt:xss()>",  # case-mixed scheme
    "<img src=x oNeRrOr = xss() >",  # odd case and spacing
    "<img/src=x/onerror=xss()>",  # slashes for spaces
    '<IMG SRC="jav&#x09;ascript:xss();">',  # encoded tab in scheme
    "<img src=x onerror=&#120;&#115;&#115;&#40;&#41;>",  # decimal entities
    "<img src=x onerror=\\u0078ss()>",  # JS unicode escape
    "<svg onload=xss()>",  # SVG onload
    "<svg><animate onbegin=xss() attributeName=x dur=1s>",  # SVG animation event
    "<body onload=xss()>",  # body onload
    '<iframe srcdoc="<script>parent.xss()</script>">',  # iframe srcdoc
    '<iframe src="javascript:parent.xss()">',  # iframe javascript: URL
    '<a href="javascript:xss()">click</a>',  # link scheme
    "<input autofocus onfocus=xss()>",  # autofocus handler
    "<details open ontoggle=xss()>",  # details toggle
    "<video><source onerror=xss()></video>",  # media source error
    "<marquee onstart=xss()>m</marquee>",  # legacy marquee
    '<div style="background:url(javascript:xss())">',  # style URL
    '<div style="width:expression(xss())">',  # IE expression()
    "<style>@import'javascript:xss()';</style>",  # style import
    '<object data="javascript:xss()">',  # object data
    '<embed src="javascript:xss()">',  # embed
    '<meta http-equiv="refresh" content="0;url=javascript:xss()">',  # meta refresh
    "<form><button formaction=javascript:xss()>go</button></form>",  # formaction
    '"><script>xss()</script>',  # attribute breakout
    "'><img src=x onerror=xss()>",  # single-quote breakout
    "</textarea><script>xss()</script>",  # textarea breakout
    "</title><script>xss()</script>",  # title breakout
    "</script><script>xss()</script>",  # script-block breakout
    '<IMG """><SCRIPT>xss()</SCRIPT>">',  # malformed IMG
    "<<SCRIPT>xss();//<</SCRIPT>",  # extraneous brackets
    "%3Cscript%3Exss()%3C/script%3E",  # URL-encoded
    "&lt;script&gt;xss()&lt;/script&gt;",  # entity-encoded
    "\\x3cscript\\x3exss()\\x3c/script\\x3e",  # hex-escaped
    "javascript:xss()",  # bare scheme
    "<math><mtext><table><mglyph><style><img src=x onerror=xss()>",  # mutation XSS
    "{{constructor.constructor('xss()')()}}",  # template injection
    "${xss()}",  # template literal
    '=HYPERLINK("javascript:xss()")',  # spreadsheet formula
]
assert len(VECTORS) >= 25

# The limits the brief fixes per field (the form's maxlength must equal the server's).
LIMITS = {
    ("join-form", "name"): 60,
    ("join-form", "organisation"): 80,
    ("propose-form", "title"): 80,
    ("propose-form", "offer"): 280,
    ("add-form", "pitcher"): 60,
    ("add-form", "organisation"): 80,
    ("add-form", "title"): 80,
    ("add-form", "offer"): 280,
    ("edit", "pitcher"): 60,
    ("edit", "organisation"): 80,
    ("edit", "title"): 80,
    ("edit", "offer"): 280,
    ("cue-form", "text"): 140,
    ("section-form", "title"): 120,
    ("start", "title"): 120,
}

HOOK = """
(() => {
  const hits = [], csp = [];
  Object.defineProperty(window, "__xss", { value: hits, writable: false });
  Object.defineProperty(window, "__csp", { value: csp, writable: false });
  const hit = (how) => (...args) => { hits.push(how + " at " + location.href + ": " +
                                                args.map(String).join(",")); };
  window.xss = hit("xss()");
  for (const f of ["alert", "confirm", "prompt", "print"]) window[f] = hit(f + "()");
  document.addEventListener("securitypolicyviolation", (e) => csp.push(
    e.violatedDirective + " " + e.blockedURI + " " + (e.sample || "") + " at " + location.href));
})();
"""

# Elements and attributes the pages never make themselves: any of them means markup got in.
INJECTED = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const v = a.value.trim().toLowerCase();
      if (a.name.startsWith("on") || a.name === "srcdoc" || a.name === "formaction" ||
          ((a.name === "src" || a.name === "href" || a.name === "data" || a.name === "action")
           && v.replace(/[\\s\\x00-\\x1f]/g, "").startsWith("javascript:")) ||
          (a.name === "style" && /expression\\(|javascript:/.test(v)))
        bad.push(el.tagName + "[" + a.name + "]");
    }
  }
  const tags = "iframe:not([src^='/screen/']), object, embed, marquee, math, base, " +
    "meta[http-equiv], body style, video source, script:not([src]):not([type='application/json'])";
  for (const el of document.querySelectorAll(tags)) bad.push(el.tagName);
  return bad;
}
"""


def norm(text: str) -> str:
    """What the server stores: whitespace collapsed and trimmed (validate.Text)."""
    return " ".join(text.split())


# ----- the browser side ------------------------------------------------------------------------


class Pages:
    """Every page of the test, with the hook installed and dialogs recorded."""

    def __init__(self, open_page):
        self.open_page = open_page
        self.pages: dict[str, object] = {}
        self.dialogs: list[str] = []
        self.checks = 0

    def open(self, name: str, viewport: dict):
        page = self.open_page(viewport, name=name)
        page.context.add_init_script(HOOK)
        page.on("dialog", lambda d, n=name: (self.dialogs.append(f"{n}: {d.message}"), d.dismiss()))
        self.pages[name] = page
        return page

    def verdict(self) -> dict:
        """Per page and frame: vectors run, policy violations, injected elements."""
        out = {}
        for name, page in self.pages.items():
            for frame in page.frames:
                if frame.url in ("about:blank", "") or frame.is_detached():
                    continue
                got = frame.evaluate(
                    "() => [window.__xss ? window.__xss.slice() : null,"
                    " window.__csp ? window.__csp.slice() : null]"
                )
                bad = frame.evaluate(INJECTED)
                out[f"{name} {frame.url}"] = {"ran": got[0], "csp": got[1], "injected": bad}
        return out

    def assert_clean(self, when: str) -> None:
        if os.environ.get("XSS_TIMING"):
            now = time.monotonic()
            print(f"{now - getattr(self, '_t', now):6.1f}s {when}")
            self._t = now
        self.checks += 1
        found = self.verdict()
        hooked = {k: v for k, v in found.items() if v["ran"] is None}
        assert not hooked, f"{when}: the hook is missing in {sorted(hooked)}"
        ran = {k: v["ran"] for k, v in found.items() if v["ran"]}
        csp = {k: v["csp"] for k, v in found.items() if v["csp"]}
        injected = {k: v["injected"] for k, v in found.items() if v["injected"]}
        assert ran == {}, f"{when}: a vector ran: {ran}"
        assert csp == {}, f"{when}: policy violations (markup was parsed): {csp}"
        assert injected == {}, f"{when}: injected elements: {injected}"
        assert self.dialogs == [], f"{when}: dialogs opened: {self.dialogs}"


# Every acknowledged action of the page, whether a click sent it or the test (the page's modules
# send through its socket: the answers are counted there).
COUNT_ACKS = """
() => { if (window.__acks) return; window.__acks = [];
  const socket = F.socket;
  socket.on("stage", (snap) => { window.__snap = snap; });
  const emit = socket.emit;
  socket.emit = function (event, ...args) {
    const answer = args[args.length - 1];
    if (event !== "time:sync" && typeof answer === "function") {
      args[args.length - 1] = (err, ack) => {
        window.__acks.push({ event, ...(err ? { ok: false, error: "timeout" } : ack) });
        return answer(err, ack);
      };
    }
    return emit.call(this, event, ...args);
  };
}
"""


def count_acks(page) -> None:
    page.evaluate(COUNT_ACKS)


def acks(page) -> list:
    return page.evaluate("() => window.__acks.slice()")


def wait_acks(page, n: int, timeout: int = 60_000) -> list:
    """Until `n` answers have come back (a batch of 80 on a busy 2-core machine: seconds)."""
    page.wait_for_function("n => window.__acks.length >= n", arg=n, timeout=timeout)
    got = acks(page)
    assert all(a["ok"] for a in got), [a for a in got if not a["ok"]]
    return got


FILL = """
([sel, vector]) => {
  const form = document.querySelector(sel);
  for (let d = form.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  form.querySelectorAll("details").forEach((d) => { d.open = true; });
  const out = {};
  for (const el of form.querySelectorAll("input, textarea")) {
    const type = (el.getAttribute("type") || "text").toLowerCase();
    if (el.tagName !== "TEXTAREA" && !["text", "search"].includes(type)) continue;
    el.value = el.maxLength > 0 ? vector.slice(0, el.maxLength) : vector;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    out[el.name] = { max: el.maxLength, value: el.value };
  }
  return out;
}
"""


def fill(page, form: str, vector: str, inventory: dict, kind: str | None = None) -> dict:
    """Put `vector` into every text field of `form` (cut to its maxlength); note the fields."""
    fields = page.evaluate(FILL, [form, vector])
    record(kind or form.strip("#"), fields, vector, inventory)
    return fields


def record(kind: str, fields: dict, vector: str, inventory: dict) -> None:
    assert fields, f"no text field in {kind}"
    for name, f in fields.items():
        key = (kind, name)
        inventory.setdefault(key, set()).add(vector)
        if key in LIMITS:
            assert f["max"] == LIMITS[key], (key, f["max"])
        assert f["max"] > 0, f"{key} has no maxlength"


SUBMIT = """
([f, s]) => { const form = document.querySelector(f);
              form.requestSubmit(s ? form.querySelector(s) : undefined); }
"""


def submit(page, form: str, submitter: str | None = None) -> None:
    page.evaluate(SUBMIT, [form, submitter])


def fill_submit_all(
    page, form: str, vectors: list, inventory: dict, submitter: str | None = None, chunk: int = 10
) -> None:
    """Fill and submit `form` once per vector, each fill and its submit in one script task
    (nothing can touch the form between them), `chunk` submits without waiting for their
    answers, then the answers of that chunk (as `send_all`)."""
    answered = page.evaluate("() => window.__acks.length")
    for i, v in enumerate(vectors, 1):
        fields = page.evaluate(
            f"([f, v, s]) => {{ const out = ({FILL})([f, v]); ({SUBMIT})([f, s]); return out; }}",
            [form, v, submitter],
        )
        record(form.strip("#"), fields, v, inventory)
        if i % chunk == 0:
            wait_acks(page, answered + i)


def send_all(page, messages: list, sent: int, chunk: int = 10) -> int:
    """Send every (event, payload), `chunk` at a time without waiting between them, then wait
    for that chunk's answers (each has the page's own acknowledgement deadline: 80 at once can
    outlast it on a busy machine). `sent` counts the answers so far; returns the new count."""
    for start in range(0, len(messages), chunk):
        part = messages[start : start + chunk]
        page.evaluate("ms => { for (const [e, p] of ms) F.send(e, p); }", part)
        sent += len(part)
        wait_acks(page, sent)
    return sent


# ----- the server ------------------------------------------------------------------------------


# ----- every field of one session, every page and mode ------------------------------------------


def create_from_start_page(page, server, title: str, inventory: dict) -> str:
    """The moderator types `title` into the start page's form and submits it; the browser
    lands on the share page and holds the moderator cookie. Returns the join code."""
    page.goto(server.url + "/")
    fill(page, "form[method=post]", title, inventory, kind="start")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_url("**/console/*/share")
    return page.url.rstrip("/").split("/")[-2]


def test_the_start_page_form_creates_a_session(server, open_page):
    page = open_page(LAPTOP, server.url + "/", name="start")
    page.fill("#title", "Quick wins")
    page.click("form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/console/\w+/share$", page.url), (page.url, page.title())


def norm_cut(vector: str, limit: int) -> str:
    return norm(vector[:limit])


def csv_cell(text: str) -> str:
    """How exports.csv_safe writes a detail a spreadsheet could take for a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def test_hostile_text_in_every_field_is_shown_never_run(server, open_page, xss_report):
    pages = Pages(open_page)
    inventory: dict[tuple, set] = {}
    n = len(VECTORS)

    # The moderator's browser creates the session (its title: a vector too; see
    # create_from_start_page for why through the JSON API).
    console = pages.open("console", LAPTOP)
    code = create_from_start_page(console, server, VECTORS[0], inventory)
    console.goto(f"{server.url}/console/{code}")
    wait_connected(console)
    count_acks(console)
    screen = pages.open("screen", PROJECTOR)
    screen.goto(f"{server.url}/screen/{code}")
    wait_connected(screen)
    watcher = pages.open("watcher phone", PHONE)
    watcher.goto(f"{server.url}/j/{code}")
    watcher.fill("#join-name", "Watcher")
    watcher.click("#join-form button[type=submit]")
    wait_visible(watcher, "#app")
    wait_connected(watcher)
    count_acks(watcher)
    pages.assert_clean("pages open")

    # Phones: one participant per vector (name, organisation), each proposing a pitch.
    author = pages.open("author phone", PHONE)
    for v in VECTORS:
        author.context.clear_cookies()
        author.goto(f"{server.url}/j/{code}")
        fill(author, "#join-form", v, inventory)
        submit(author, "#join-form")
        wait_visible(author, "#app")
        wait_connected(author)
        count_acks(author)
        fill(author, "#propose-form", v, inventory)
        submit(author, "#propose-form")
        wait_acks(author, 1)
    authors_pitch = acks(author)[0]["pitch_id"]
    pages.assert_clean("phones joined and proposed")

    # Console: accept them all, add one pitch per vector, then edit each added pitch.
    console.wait_for_function(
        "n => document.querySelectorAll('#pending-list li.row').length >= n", arg=n
    )
    pending = console.evaluate(
        "() => [...document.querySelectorAll('#pending-list "
        "button[data-fkey^=\\'accept-\\']')].map(b => b.dataset.fkey)"
    )
    assert len(pending) == n, pending
    for fkey in pending:  # the moderator's clicks, as fast as they come
        console.click(f'#pending-list button[data-fkey="{fkey}"]')
    sent = n
    wait_acks(console, sent)
    fill_submit_all(console, "#add-form", VECTORS, inventory)
    sent += n
    added = [a["pitch_id"] for a in wait_acks(console, sent)[-n:]]
    pages.assert_clean("pitches added")
    assert console.locator("#queue li.row").count() == 2 * n
    for i, pid in enumerate(added):
        # The edit form shows the stored vector in its inputs, and saves the next one.
        console.click(f'#queue button[data-fkey="edit-{pid}"]')
        console.wait_for_selector("#queue li.editing form")
        fill(console, "#queue li.editing form", VECTORS[(i + 1) % n], inventory, kind="edit")
        submit(console, "#queue li.editing form")
        sent += 1
        wait_acks(console, sent)
        console.wait_for_selector("#queue li.editing", state="detached")
    pages.assert_clean("pitches edited")

    # Sections: one per vector, each then opened in its edit form and saved with the next.
    fill_submit_all(console, "#section-form", VECTORS, inventory)
    sent += n
    wait_acks(console, sent)
    for i in range(n):
        console.locator("#sections li.section-row").nth(i).locator("button").nth(1).click()
        console.wait_for_selector("#sections li.editing form")
        fill(
            console,
            "#sections li.editing form",
            VECTORS[(i + 1) % n],
            inventory,
            kind="section-edit",
        )
        submit(console, "#sections li.editing form")
        sent += 1
        wait_acks(console, sent)
        console.wait_for_selector("#sections li.editing", state="detached")
    pages.assert_clean("sections added and edited")

    # On stage: the last author's pitch first, so the author phone is the pitcher's phone.
    console.evaluate("id => F.send('pitch:move', {pitch_id: id, index: 0})", authors_pitch)
    # Start it (the main action would open the agenda's first section: there are sections).
    console.evaluate("() => F.send('timer:start', {expect: 0})")
    sent += 2
    wait_acks(console, sent)
    screen.wait_for_function("() => document.querySelector('#screen').dataset.mode === 'pitch'")
    for target in ("screen", "pitcher"):
        fill_submit_all(console, "#cue-form", VECTORS, inventory, f'button[value="{target}"]')
    sent += 2 * n
    wait_acks(console, sent)
    last_cue = norm_cut(VECTORS[-1], 140)
    author.wait_for_function(
        "t => document.querySelector('#cue').textContent.includes(t)", arg=last_cue
    )
    screen.wait_for_function(
        "t => document.querySelector('#screen-message').textContent === t", arg=last_cue
    )
    pages.assert_clean("cues sent")

    # Every pitch on stage in turn (the screen's pitch view, the phones' "on stage").
    sent = send_all(console, [["stage:next", {}]] * (2 * n), sent)
    pages.assert_clean("every pitch on stage")

    # Every section in turn: its title card on the screen, the console's schedule strip.
    sections = console.evaluate("() => window.__snap.sections.map(x => x.id)")
    assert len(sections) == n
    sent = send_all(console, [["section:set", {"section_id": sid}] for sid in sections], sent)
    pages.assert_clean("every section current")

    # Voting on the phone's ballot, then the results on every page.
    console.evaluate("() => F.send('section:set', {})")
    console.click("#btn-voting")
    sent += 2
    wait_acks(console, sent)
    screen.wait_for_function("() => document.querySelector('#screen').dataset.mode === 'voting'")
    watcher.wait_for_selector("#ballot li")
    for i in range(3):
        watcher.locator("#ballot li").nth(i).locator("button").last.click()
        wait_acks(watcher, i + 1)
    console.click("#btn-voting")
    # The whole ranking at once (Reveal steps it in a place at a time: phones see it at the end).
    console.evaluate("() => F.send('results:reveal', {revealed: true})")
    sent += 2
    wait_acks(console, sent)
    screen.wait_for_function("() => document.querySelector('#screen').dataset.mode === 'results'")
    watcher.wait_for_selector("#ranking li")
    # Each screen mode forced in turn, with all of this content present.
    for mode in ("lobby", "pitch", "voting", "results", "auto"):
        console.evaluate("m => F.send('screen:mode', {mode: m})", mode)
        sent += 1
        wait_acks(console, sent)
        if mode != "auto":
            screen.wait_for_function(
                "m => document.querySelector('#screen').dataset.mode === m", arg=mode
            )
    # A refusal's message names the offending field: it is shown as text too.
    for page, event in ((console, "pitch:add"), (watcher, "pitch:propose")):
        page.evaluate("e => F.send(e, {'<img src=x onerror=xss()>': 1})", event)
        page.wait_for_function(
            "() => [...document.querySelectorAll('#toasts .toast')]"
            ".some(t => t.textContent.includes('<img src=x onerror=xss()>'))"
        )
    pages.assert_clean("voting, results and every screen mode")

    # The text is there, literally: every title in the console's queue and the phone's ranking,
    # and those on the screen's page of results (the screen turns pages of a long ranking).
    queue_text = console.locator("#queue").text_content()
    ranking_text = watcher.locator("#ranking").text_content()
    screen_text = screen.locator("#results").text_content()
    for v in VECTORS:
        assert norm_cut(v, 80) in queue_text, v
        assert norm_cut(v, 80) in ranking_text, v
    assert sum(norm_cut(v, 80) in screen_text for v in VECTORS) >= 1
    assert "<script>xss()</script>" in screen.locator("body").text_content()

    # The log CSV: served as an attachment, never rendered; the vectors literally inside.
    res = console.context.request.get(f"{server.url}/console/{code}/log.csv")
    assert res.status == 200
    assert res.headers["content-type"].startswith("text/csv")
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["content-disposition"].startswith("attachment")
    details = [row[2] for row in csv.reader(io.StringIO(res.text()))][1:]
    for v in VECTORS:
        for limit in (80, 120, 140):  # pitch titles, section titles, messages
            assert csv_cell(norm_cut(v, limit)) in details, (limit, v)
    pages.assert_clean("the end")

    inventory.pop(("start", "title"))  # one here; every vector in the session-title test
    fields = sorted(inventory)
    assert all(len(vs) == n for vs in inventory.values()), {
        k: len(vs) for k, vs in inventory.items()
    }
    page_names = sorted(
        {
            f"{name} {'preview' if '/screen/' in f.url and name == 'console' else ''}".strip()
            for name, p in pages.pages.items()
            for f in p.frames
            if f.url not in ("about:blank", "")
        }
    ) + ["log.csv"]
    xss_report.update(
        vectors=n, fields=[f"{a}:{b}" for a, b in fields], pages=page_names, checks=pages.checks
    )


# ----- the session title, on every page that shows it --------------------------------------------


def test_hostile_session_titles_are_shown_never_run(server, open_page, xss_report):
    pages = Pages(open_page)
    inventory: dict[tuple, set] = {}
    console = pages.open("console", LAPTOP)
    screen = pages.open("screen", PROJECTOR)
    phone = pages.open("phone", PHONE)
    for v in VECTORS:
        code = create_from_start_page(console, server, v, inventory)
        title = norm_cut(v, 120)
        assert console.locator("h1").first.text_content() == title
        console.goto(f"{server.url}/console/{code}")
        wait_connected(console)
        screen.goto(f"{server.url}/screen/{code}")
        wait_connected(screen)
        assert screen.locator("#lobby-title").text_content() == title
        assert title in screen.title()
        phone.goto(f"{server.url}/j/{code}")  # the title is the page's heading
        assert phone.locator("h1.session-title").text_content() == title
        assert title in phone.title()
        pages.assert_clean(f"session titled {v!r}")
    xss_report.update(
        title_vectors=len(VECTORS),
        title_pages=["start", "share", "console", "console preview", "screen", "phone"],
    )


# ----- the headers and the cookie -------------------------------------------------------------


def csp_directives(header: str) -> dict:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = [w.lower() for w in words[1:]]
    return out


def test_pages_send_a_strict_policy_and_the_cookie_is_httponly_samesite(server, open_page):
    status, session = server.api("POST", "/api/sessions", {"title": "Headers"})
    assert status == 201
    code, base = session["code"], server.url
    page = open_page(LAPTOP, name="headers")
    page.goto(session["console_url"])  # sets the moderator cookie, then opens the console
    wait_connected(page)
    assets = page.evaluate(
        "() => [...document.querySelectorAll('script[src], link[href]')].map(e => e.src || e.href)"
    )
    urls = {
        "console": f"{base}/console/{code}",
        "share": f"{base}/console/{code}/share",
        "screen": f"{base}/screen/{code}",
        "phone": f"{base}/j/{code}",
        "start": f"{base}/",
        "join code": f"{base}/j",
        "not found": f"{base}/no/such",
        "log": f"{base}/console/{code}/log.csv",
        "qr": f"{base}/qr/{code}.svg",
        "results": f"{base}/api/sessions/{code}/results",
        **{f"asset {a.split('/')[-1]}": a for a in assets if a.startswith(base)},
    }
    assert len(urls) > 12, assets
    for name, url in urls.items():
        res = page.context.request.get(url)
        h = res.headers
        assert h.get("x-content-type-options") == "nosniff", name
        csp = csp_directives(h.get("content-security-policy", ""))
        script = csp.get("script-src", csp.get("default-src"))
        assert script is not None, (name, h.get("content-security-policy"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (name, script)
        assert "*" not in script and "data:" not in script, (name, script)
        assert csp.get("object-src") == ["'none'"], name
        framing = csp.get("frame-ancestors")
        assert (framing and "*" not in framing) or h.get("x-frame-options", "").upper() in (
            "DENY",
            "SAMEORIGIN",
        ), name
    # The page's own scripts all come from the site (so the policy costs nothing).
    for frame in page.frames:
        inline = frame.evaluate(
            "() => [...document.scripts].filter(s => !s.src && "
            "s.type !== 'application/json').length"
        )
        assert inline == 0, frame.url
    # The session cookie.
    cookies = {c["name"]: c for c in page.context.cookies()}
    cookie = cookies["facilitator"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] in ("Lax", "Strict")
    assert page.evaluate("() => document.cookie") == ""  # no script can read it
    phone = open_page(PHONE, f"{server.url}/j/{code}", name="phone")
    phone.fill("#join-name", "Ada")
    phone.click("#join-form button[type=submit]")
    wait_visible(phone, "#app")
    pc = {c["name"]: c for c in phone.context.cookies()}["facilitator"]
    assert pc["httpOnly"] is True and pc["sameSite"] in ("Lax", "Strict")
    assert phone.evaluate("() => document.cookie") == ""


# ----- the detector itself (a positive control: it must see what it looks for) ----------------


def test_the_detector_sees_a_vector_that_gets_in(server, open_page):
    status, session = server.api("POST", "/api/sessions", {"title": "Control"})
    assert status == 201
    pages = Pages(open_page)
    page = pages.open("screen", PROJECTOR)
    page.goto(session["screen_url"])
    wait_connected(page)
    pages.assert_clean("before")
    # What an innerHTML bug would do: the markup becomes elements, the CSP blocks the handler.
    page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', "
        "'<img src=x onerror=xss()><svg onload=xss()>')"
    )
    page.wait_for_function("() => window.__csp.length >= 1")
    found = pages.verdict()[f"screen {page.url}"]
    assert found["injected"] and found["csp"], found
    with pytest.raises(AssertionError, match="policy violations"):
        pages.assert_clean("after an injection")
    # And a vector that runs is recorded.
    page.evaluate("() => xss()")
    assert pages.verdict()[f"screen {page.url}"]["ran"]
