"""Accessibility audit with axe-core: every page in every state of one round, per language.

One round (console 1366x768, projector screen 1920x1080, one phone 390x844) is driven through
its states; at each page x state point axe-core (vendored, test-only) runs with the WCAG 2.0 /
2.1 / 2.2 A and AA rules. Every violation is collected as (language, page, state, rule, impact,
targets, html) and written to test-artifacts/a11y/<lang>.json and <lang>.txt; the test asserts
that there are none. axe's "best-practice" rules run as well but are only reported, never
asserted.

Points: start page, unknown join code, 403 (wrong key), share page; phone: join form, lobby,
a pitch live (audience), live pitcher with a cue, voting (one dot given), results; screen:
lobby, pitch normal / amber / paused / red / overrun, voting, results, a message, a section's
title card, screen_language "both"; console: a pending sign-up, pitch running, voting open,
results revealed, fit dialog, help dialog; follow-up with the contact form and privacy note
open (phone), commitments (screen), the outcome page (moderator, before and after publishing;
public, on the phone). Beyond those, two states that show what is folded
away: the phone's second-language fields, and the console with every <details> open and a
queue row and a section being edited.

The pages send a strict Content-Security-Policy (script-src 'self'), so these contexts are
made with bypass_csp=True to inject axe. The console's screen preview <iframe> is a scaled copy
of the screen page, which is audited on its own: axe runs with iframes=false on every page.
axe skips the contrast of text scrolled out of sight inside a scrolling box (the console's
panels), so each such box is also scrolled through and checked for color-contrast.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .harness import LAPTOP, PHONE, PROJECTOR
from .helpers import (
    WAIT_MS,
    digits,
    reveal_all,
    wait_attr,
    wait_connected,
    wait_text,
    wait_visible,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1.min.js"
OUT = ROOT / "test-artifacts" / "a11y"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BEST_PRACTICE = "best-practice"
SCREEN_TIMER = ".mode-pitch .timer"

LOCALES = {
    "en": {"locale": "en-US", "accept": "en-US,en;q=0.9"},
    "zh": {"locale": "zh-CN", "accept": "zh-CN,zh;q=0.9"},
}
# What people type, in the language of the room.
WORDS = {
    "en": {
        "session": "Quick wins for smart cities",
        "name": "Li Wei",
        "org": "Shenzhen Smart City Office",
        "title_a": "Bike sharing data for city planners",
        "offer_a": "Anonymised trip data from 2 million rides, ready to share.",
        "pitcher_b": "Anna Keller",
        "title_b": "Open traffic data in 90 days",
        "offer_b": "A proven open-data portal for traffic sensors.",
        "cue": "Please wrap up",
        "message": "Coffee break at 10:30",
        "section": "Second pitch round",
        "extra": "Extra pitch",
    },
    "zh": {
        "session": "智慧城市速赢方案",
        "name": "李伟",
        "org": "深圳智慧城市办公室",
        "title_a": "为城市规划者提供共享单车数据",
        "offer_a": "两百万次骑行的匿名行程数据，可直接共享。",
        "pitcher_b": "安娜·凯勒",
        "title_b": "90 天开放交通数据",
        "offer_b": "成熟的交通传感器开放数据门户。",
        "cue": "请收尾",
        "message": "10:30 茶歇",
        "section": "第二轮路演",
        "extra": "追加路演",
    },
}

# axe.run in the page: both the asserted WCAG rules and the reported best-practice ones.
# axe only measures the contrast of text it can see, so text scrolled out of sight inside a
# scrolling box (the console's three panels, its log) is measured too: each such box is scrolled
# through a screenful at a time with color-contrast run on it, and put back where it was.
RUN_AXE = """
async (tags) => {
  const slim = (list) => list.map((v) => ({
    id: v.id, impact: v.impact, tags: v.tags, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => Array.isArray(t) ? t.join(" >> ") : String(t)),
      html: n.html.replace(/\\s+/g, " ").slice(0, 200),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 400),
    })),
  }));
  const r = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, iframes: false,
    resultTypes: ["violations", "incomplete"],
  });
  const violations = slim(r.violations);
  const boxes = [...document.querySelectorAll("body *")].filter((n) => {
    const y = getComputedStyle(n).overflowY;
    return (y === "auto" || y === "scroll") && n.scrollHeight > n.clientHeight + 1
      && n.getClientRects().length > 0;
  });
  let swept = 0;
  for (const box of boxes) {
    const back = box.scrollTop;
    const step = Math.max(100, Math.floor(box.clientHeight * 0.8));
    for (let top = 0; top < box.scrollHeight; top += step) {
      box.scrollTo({top, behavior: "instant"});
      const part = await axe.run(box, {runOnly: {type: "rule", values: ["color-contrast"]},
                                       iframes: false, resultTypes: ["violations"]});
      swept += 1;
      for (const v of slim(part.violations)) {
        const same = violations.find((w) => w.id === v.id);
        if (!same) { violations.push(v); continue; }
        const known = new Set(same.nodes.map((n) => n.target.join(" ")));
        same.nodes.push(...v.nodes.filter((n) => !known.has(n.target.join(" "))));
      }
      if (top + box.clientHeight >= box.scrollHeight) break;
    }
    box.scrollTo({top: back, behavior: "instant"});
  }
  return {violations, incomplete: slim(r.incomplete), swept};
}
"""

# Until every finite animation or transition is over (results rising in, colours changing), so
# that axe reads the colours people see. The timer's bar is always moving; the pulse of an
# overrun and the "calm" dots of the voting screen never end: those are not waited for.
SETTLED = """
() => document.getAnimations().every((a) => {
  if (a.playState !== "running") return true;
  const t = a.effect && a.effect.getComputedTiming();
  if (!t || t.endTime === Infinity) return true;
  const el = a.effect.target;
  return !!(el && el.closest && el.closest("[data-timer-bar]"));
})
"""


class Audit:
    """Runs axe at page x state points and keeps everything it finds."""

    def __init__(self, lang: str):
        self.lang = lang
        self.points: list[dict] = []
        self.violations: list[dict] = []  # WCAG A/AA: asserted
        self.best_practice: list[dict] = []  # reported only
        self.incomplete: list[dict] = []  # "needs review": reported only
        self.page_errors: list[str] = []
        self.shots = OUT / lang  # screenshots of the points with violations, this run's only
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()

    def check(self, page, where: str, state: str) -> None:
        try:
            page.wait_for_function(SETTLED, timeout=3_000)
        except Exception:  # noqa: BLE001 - audit what is there rather than not at all
            pass
        if not page.evaluate("() => !!window.axe"):
            page.add_script_tag(path=str(AXE))
        started = time.monotonic()
        result = page.evaluate(RUN_AXE, WCAG_TAGS + [BEST_PRACTICE])
        point = {
            "page": where,
            "state": state,
            "url": page.url.split("?")[0],
            "seconds": round(time.monotonic() - started, 2),
            "scrolled_views": result["swept"],
            "wcag": 0,
            "best_practice": 0,
        }
        for v in result["violations"]:
            wcag = any(tag in WCAG_TAGS for tag in v["tags"])
            bucket = self.violations if wcag else self.best_practice
            point["wcag" if wcag else "best_practice"] += len(v["nodes"])
            for n in v["nodes"]:
                bucket.append(
                    {
                        "language": self.lang,
                        "page": where,
                        "state": state,
                        "rule": v["id"],
                        "impact": v["impact"],
                        "help": v["help"],
                        "help_url": v["helpUrl"],
                        "wcag": [t for t in v["tags"] if t.startswith("wcag")],
                        "target": n["target"],
                        "html": n["html"],
                        "summary": n["summary"],
                    }
                )
        for v in result["incomplete"]:
            for n in v["nodes"]:
                self.incomplete.append(
                    {
                        "language": self.lang,
                        "page": where,
                        "state": state,
                        "rule": v["id"],
                        "target": n["target"],
                        "html": n["html"][:120],
                        "summary": n["summary"][:240],
                    }
                )
        if point["wcag"]:
            name = f"{len(self.points) + 1:02d}-{where}-{state}.png"
            page.screenshot(path=str(self.shots / name))
        self.points.append(point)

    # ----- reporting --------------------------------------------------------------------------

    def table(self) -> str:
        lines = [
            f"axe-core 4.14.1, language {self.lang}: {len(self.points)} page x state points",
            f"{'page':<8} {'state':<26} {'WCAG nodes':>10} {'best-practice':>13}  url",
        ]
        for p in self.points:
            lines.append(
                f"{p['page']:<8} {p['state']:<26} {p['wcag']:>10} "
                f"{p['best_practice']:>13}  {p['url']}"
            )
        for title, items in (
            ("WCAG A/AA violations (asserted)", self.violations),
            ("best-practice findings (reported only)", self.best_practice),
        ):
            lines += ["", f"{title}: {len(items)} nodes"]
            by_rule = Counter(v["rule"] for v in items)
            points = defaultdict(set)
            for v in items:
                points[v["rule"]].add((v["page"], v["state"]))
            for rule, count in by_rule.most_common():
                impact = next(v["impact"] for v in items if v["rule"] == rule)
                lines.append(
                    f"  {rule:<28} {impact or '-':<9} {count:>4} nodes at "
                    f"{len(points[rule])} points"
                )
        return "\n".join(lines)

    def grouped(self, items: list[dict]) -> list[dict]:
        """One entry per (rule, page, element), with the states it was seen in."""
        groups: dict = {}
        for v in items:
            key = (v["rule"], v["page"], " ".join(v["target"]))
            g = groups.setdefault(
                key,
                {
                    **{
                        k: v[k]
                        for k in (
                            "rule",
                            "impact",
                            "help",
                            "page",
                            "target",
                            "html",
                            "summary",
                            "wcag",
                        )
                    },
                    "states": [],
                },
            )
            if v["state"] not in g["states"]:
                g["states"].append(v["state"])
        return list(groups.values())

    def summary(self) -> str:
        lines = [self.table(), ""]
        for title, items in (
            ("WCAG A/AA violations", self.violations),
            ("best-practice findings", self.best_practice),
        ):
            lines.append(f"===== {title}, grouped by rule, page and element =====")
            for g in self.grouped(items):
                lines.append(f"- [{g['rule']}] ({g['impact']}) {g['help']}")
                lines.append(f"    page {g['page']}; states: {', '.join(g['states'])}")
                lines.append(f"    target: {' | '.join(g['target'])}")
                lines.append(f"    html: {g['html']}")
                if g["summary"]:
                    lines.append(f"    why: {g['summary']}")
            lines.append("")
        if self.page_errors:
            lines += ["===== uncaught JavaScript errors =====", *self.page_errors, ""]
        return "\n".join(lines)

    def write(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        data = {
            "language": self.lang,
            "axe": "4.14.1",
            "tags": WCAG_TAGS,
            "points": self.points,
            "violations": self.violations,
            "violations_grouped": self.grouped(self.violations),
            "best_practice": self.best_practice,
            "best_practice_grouped": self.grouped(self.best_practice),
            "incomplete": self.incomplete,
            "page_errors": self.page_errors,
        }
        (OUT / f"{self.lang}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))
        (OUT / f"{self.lang}.txt").write_text(self.summary())


# ----- driving the round ------------------------------------------------------------------------


def press(console, key: str) -> None:
    """A console shortcut, pressed with nothing focused (shortcuts are ignored in fields)."""
    console.evaluate("() => document.activeElement && document.activeElement.blur()")
    console.keyboard.press(key)


def send(console, event: str, payload: dict) -> dict:
    """A moderator command through the console's own socket; fails the test if refused."""
    ack = console.evaluate("([e, p]) => F.send(e, p)", [event, payload])
    assert ack and ack.get("ok"), (event, payload, ack)
    return ack


def screen_seconds(screen) -> int:
    return digits(screen, SCREEN_TIMER)


def wait_left_at_most(screen, limit: int) -> None:
    screen.wait_for_function(
        "([sel, limit]) => { const t = document.querySelector(sel).textContent.trim();"
        " const m = /^(\\d+):(\\d\\d)$/.exec(t); return !!m && (+m[1] * 60 + +m[2]) <= limit; }",
        arg=[f"{SCREEN_TIMER} [data-timer-digits]", limit],
        timeout=WAIT_MS,
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_axe_wcag22_aa_every_page_and_state(lang, browser, server):
    started = time.monotonic()
    words = WORDS[lang]
    audit = Audit(lang)
    contexts = []

    def context(viewport: dict, name: str):
        ctx = browser.new_context(
            viewport=viewport,
            bypass_csp=True,
            locale=LOCALES[lang]["locale"],
            extra_http_headers={"Accept-Language": LOCALES[lang]["accept"]},
        )
        ctx.set_default_timeout(WAIT_MS)
        ctx.set_default_navigation_timeout(WAIT_MS)
        contexts.append(ctx)
        return ctx

    def page_in(ctx, name: str):
        page = ctx.new_page()
        page.on("pageerror", lambda exc: audit.page_errors.append(f"{name}: {exc}"))
        return page

    try:
        server.start()
        status, session = server.api(
            "POST", "/api/sessions", {"title": words["session"], "pitch_seconds": 60}
        )
        assert status == 201, session
        code = session["code"]

        # ----- pages without a session role: start, unknown code, wrong key ----------------
        visitor = page_in(context(LAPTOP, "visitor"), "visitor")
        visitor.goto(server.url + "/")
        expect(visitor.locator("html")).to_have_attribute(
            "lang", "zh-Hans" if lang == "zh" else "en"
        )
        audit.check(visitor, "start", "start-page")
        response = visitor.goto(server.url + "/j/QQQQQQ")
        assert response.status == 404
        audit.check(visitor, "phone", "unknown-join-code")
        response = visitor.goto(f"{server.url}/console/{code}?key=wrong")
        assert response.status == 403
        audit.check(visitor, "error", "403-wrong-key")

        # ----- console, then the screen in the room's language, then a phone -----------------
        console_ctx = context(LAPTOP, "console")
        console = page_in(console_ctx, "console")
        console.goto(session["console_url"])
        wait_connected(console)
        if lang == "zh":
            send(console, "session:settings", {"screen_language": "zh"})
        screen = page_in(context(PROJECTOR, "screen"), "screen")
        screen.goto(session["screen_url"])
        wait_connected(screen)
        wait_attr(screen, "#screen", "data-mode", "lobby")
        phone = page_in(context(PHONE, "phone"), "phone")
        phone.goto(session["join_url"])
        expect(phone.locator("#join-form")).to_be_visible()
        audit.check(phone, "phone", "join-form")

        phone.fill("#join-name", words["name"])
        phone.fill("#join-org", words["org"])
        phone.click("#join-form button[type=submit]")
        wait_visible(phone, "#app")
        wait_connected(phone)
        wait_text(phone, "#who", words["name"])
        phone.wait_for_function(  # "nothing on stage" is written once the stage arrives
            "() => document.querySelector('#on-stage [data-field=\"title\"]')"
            ".textContent.trim().length > 0",
            timeout=WAIT_MS,
        )
        audit.check(phone, "phone", "lobby-joined")
        phone.click("details.second-language summary")  # beyond the brief: the folded fields
        wait_visible(phone, "#p-title-alt")
        audit.check(phone, "phone", "signup-second-language-open")
        wait_text(screen, '.mode-lobby [data-count="participants"]', "1", exact=True)
        audit.check(screen, "screen", "lobby")

        # ----- the queue: the moderator's pitch B, then the phone's sign-up A (pending) -------
        send(
            console,
            "pitch:add",
            {
                "pitcher": words["pitcher_b"],
                "title": words["title_b"],
                "offer": words["offer_b"],
                "seconds": 60,
            },
        )
        phone.fill("#p-title", words["title_a"])
        phone.fill("#p-offer", words["offer_a"])
        phone.click("#propose-form button[type=submit]")
        pending = console.locator("#pending-list li.row").filter(has_text=words["title_a"])
        expect(pending).to_be_visible()
        audit.check(console, "console", "queue-pending-signup")
        pending.locator("button.primary").click()
        expect(console.locator("#queue li.row")).to_have_count(2)

        # ----- pitch B (the phone is in the audience): the timer through its states ----------
        press(console, "Space")
        wait_attr(screen, "#screen", "data-mode", "pitch")
        wait_text(screen, '.mode-pitch [data-field="title"]', words["title_b"], exact=True)
        wait_attr(screen, SCREEN_TIMER, "data-state", "running")
        wait_attr(screen, SCREEN_TIMER, "data-phase", "normal")
        audit.check(screen, "screen", "pitch-normal")
        wait_text(phone, '#on-stage [data-field="title"]', words["title_b"], exact=True)
        wait_attr(phone, "#on-stage .timer", "data-state", "running")
        audit.check(phone, "phone", "pitch-live-normal")
        wait_attr(console, ".stage-panel .timer", "data-state", "running")
        audit.check(console, "console", "pitch-running")

        left = screen_seconds(screen)
        if left > 22:  # into the last 30 seconds, with room to look
            send(console, "timer:adjust", {"seconds": -(left - 22)})
        wait_attr(screen, SCREEN_TIMER, "data-phase", "amber")
        audit.check(screen, "screen", "pitch-amber")

        press(console, "Space")
        wait_attr(screen, SCREEN_TIMER, "data-state", "paused")
        audit.check(screen, "screen", "pitch-paused")
        press(console, "Space")
        wait_attr(screen, SCREEN_TIMER, "data-state", "running")

        left = screen_seconds(screen)
        if left > 4:  # into the last 10 seconds, a few of them left
            send(console, "timer:adjust", {"seconds": -(left - 4)})
        wait_left_at_most(screen, 5)
        wait_attr(screen, SCREEN_TIMER, "data-phase", "red")
        audit.check(screen, "screen", "pitch-red")
        wait_attr(screen, SCREEN_TIMER, "data-phase", "overrun", timeout=WAIT_MS)
        screen.wait_for_function(
            "sel => document.querySelector(sel).textContent.trim().startsWith('+')",
            arg=f"{SCREEN_TIMER} [data-timer-digits]",
            timeout=5_000,
        )
        audit.check(screen, "screen", "pitch-overrun")

        # ----- pitch A: the phone is the live pitcher, with a cue from the moderator ---------
        press(console, "n")
        wait_text(screen, '.mode-pitch [data-field="title"]', words["title_a"], exact=True)
        wait_visible(phone, ".stage.monitor")
        send(console, "cue:pitcher", {"text": words["cue"]})
        wait_visible(phone, "#cue")
        wait_text(phone, "#cue", words["cue"])
        audit.check(phone, "phone", "live-pitcher-with-cue")

        # ----- voting: the phone gives its one dot to B (A is its own pitch) -----------------
        press(console, "v")
        wait_attr(screen, "#screen", "data-mode", "voting")
        wait_visible(phone, "#ballot")
        item = phone.locator("#ballot li.ballot-item").filter(has_text=words["title_b"])
        item.locator("button.dot").first.click()
        expect(item.locator("button.dot").first).to_have_attribute("aria-pressed", "true")
        audit.check(phone, "phone", "voting-one-dot-given")
        wait_text(screen, '.mode-voting [data-count="ballots"]', "1", exact=True)
        audit.check(screen, "screen", "voting")
        wait_text(console, '[data-count="ballots"]', "1", exact=True)
        audit.check(console, "console", "voting-open")

        # ----- close, reveal ------------------------------------------------------------------
        open_text = console.text_content("#voting-state")
        press(console, "v")
        console.wait_for_function(
            "t => document.querySelector('#voting-state').textContent !== t",
            arg=open_text,
            timeout=WAIT_MS,
        )
        reveal_all(lambda: press(console, "e"), screen)  # from last place up
        screen.wait_for_function(
            "() => { const rows = [...document.querySelectorAll('#results li.result')];"
            " return rows.length >= 2 && rows.every(r => getComputedStyle(r).opacity === '1'); }",
            timeout=WAIT_MS,
        )
        audit.check(screen, "screen", "results")
        wait_visible(phone, "#ranking")
        expect(phone.locator("#ranking li")).to_have_count(2)
        audit.check(phone, "phone", "results")
        expect(console.locator("#tally li:not(.empty)")).to_have_count(2)
        audit.check(console, "console", "results-revealed")

        # ----- follow-up, contact details and the privacy note on the phone ------------------
        follow = (
            phone.locator("#follow-list li")
            .filter(has_text=words["title_b"])
            .locator("button.follow")
        )
        follow.click()
        expect(follow).to_have_attribute("aria-pressed", "true")
        phone.click("#contact summary")
        phone.click("#your-data summary")
        audit.check(phone, "phone", "follow-up-contact-and-privacy-open")

        # ----- a commitment on the screen, then the outcome: moderator's and public ----------
        pitch_b = console.evaluate(
            "t => [...document.querySelectorAll('#cm-pitch option')]"
            ".find(o => o.textContent.includes(t)).value",
            words["title_b"],
        )
        send(
            console,
            "commitment:set",
            {
                "pitch_id": int(pitch_b),
                "owners": [{"name": words["pitcher_b"]}],
                "next_step": words["cue"],
                "due": "2027-01-15",
                "status": "priority",
            },
        )
        send(console, "screen:mode", {"mode": "commitments"})
        wait_attr(screen, "#screen", "data-mode", "commitments")
        wait_text(screen, "#commitments .c-owners", words["pitcher_b"])
        audit.check(screen, "screen", "commitments")
        send(console, "screen:mode", {"mode": "auto"})
        outcome = page_in(console.context, "outcome")
        outcome.goto(f"{server.url}/console/{code}/outcome")
        expect(outcome.locator("#ranked tbody tr")).to_have_count(2)
        audit.check(outcome, "outcome", "moderator")
        outcome.click("#publish")
        public_url = outcome.locator("#public-link").get_attribute("href")
        audit.check(outcome, "outcome", "moderator-published")
        public = page_in(phone.context, "public outcome")
        public.goto(public_url)
        expect(public.locator("#commitments tbody tr")).to_have_count(1)
        audit.check(public, "outcome", "public-phone")
        outcome.close()
        public.close()

        # ----- the screen: a message from the moderator, then a section's title card ---------
        send(console, "cue:screen", {"text": words["message"]})
        wait_visible(screen, "#screen-message")
        wait_text(screen, "#screen-message", words["message"])
        audit.check(screen, "screen", "message")
        send(console, "cue:screen", {"text": ""})
        wait_visible(screen, "#screen-message", visible=False)

        send(console, "section:add", {"title": words["section"], "kind": "pitches", "minutes": 10})
        expect(console.locator("#sections li.section-row")).to_have_count(1)
        press(console, "s")  # the next (here: first) section of the agenda
        # Pitch A is still on stage: leaving for a section ends it, so the console asks first.
        wait_visible(console, "#confirm-dialog")
        audit.check(console, "console", "confirm-dialog")
        console.click("#confirm-ok")
        wait_visible(screen, "#section-card")
        wait_text(screen, '[data-field="section-card"]', words["section"])
        audit.check(screen, "screen", "section-title-card")

        # ----- the console's dialogs: fit the queue (4 x 3 min into 10 min), then the help ---
        for i in range(4):
            send(
                console,
                "pitch:add",
                {
                    "pitcher": words["pitcher_b"],
                    "title": f"{words['extra']} {i + 1}",
                    "seconds": 180,
                },
            )
        wait_visible(console, "#btn-fit")
        press(console, "f")
        wait_visible(console, "#fit-dialog")
        audit.check(console, "console", "fit-dialog-open")
        console.keyboard.press("Escape")
        wait_visible(console, "#fit-dialog", visible=False)
        press(console, "?")
        wait_visible(console, "#help")
        audit.check(console, "console", "help-dialog-open")
        console.keyboard.press("Escape")
        wait_visible(console, "#help", visible=False)

        # ----- beyond the brief: the console with every fold open and a row being edited ----
        console.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        console.locator("#queue li.row button[data-fkey^='edit-']").first.click()
        wait_visible(console, "#queue li.row.editing form")
        console.locator("#sections li.section-row button").last.click()  # its "Edit"
        wait_visible(console, "#sections li.editing form")
        audit.check(console, "console", "all-folds-open-editing")

        # ----- the screen for a mixed room: headings in English and Chinese ------------------
        # (after the title card's 8 seconds, so that it covers nothing)
        wait_visible(screen, "#section-card", visible=False, timeout=WAIT_MS)
        mode = screen.get_attribute("#screen", "data-mode")
        with screen.expect_navigation(timeout=WAIT_MS):
            send(console, "session:settings", {"screen_language": "both"})
        wait_connected(screen)
        screen.wait_for_selector(".l2", state="attached")
        wait_attr(screen, "#screen", "data-mode", mode)
        audit.check(screen, "screen", f"language-both-{mode}")

        # ----- the share page (the moderator's links and QR) ----------------------------------
        share = page_in(console_ctx, "share")
        share.goto(f"{server.url}/console/{code}/share")
        # The secret console link is masked until asked for (the laptop may be mirrored).
        expect(share.locator("#console-link")).to_be_hidden()
        share.click("#console-secret summary")
        expect(share.locator("#console-link")).to_be_visible()
        audit.check(share, "share", "links-and-qr")
    finally:
        for ctx in contexts:
            try:
                ctx.close()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass
        audit.write()
        print()
        print(audit.table())
        print(f"({time.monotonic() - started:.1f} s; details in {OUT / (lang + '.txt')})")

    assert len(audit.points) == 35, [(p["page"], p["state"]) for p in audit.points]
    grouped = audit.grouped(audit.violations)
    assert not audit.violations, (
        f"{len(audit.violations)} WCAG 2.2 A/AA violations ({len(grouped)} distinct rule x page x "
        f"element) in {lang}; see {OUT / (lang + '.txt')}:\n"
        + "\n".join(
            f"  [{g['rule']}] {g['impact']} {g['page']} ({', '.join(g['states'])}): "
            f"{' | '.join(g['target'])}"
            for g in grouped
        )
        + (
            "\nuncaught JavaScript errors:\n" + "\n".join(audit.page_errors)
            if audit.page_errors
            else ""
        )
    )
