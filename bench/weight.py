"""Scenario 5: the phone page's weight, measured in Chromium (bytes transferred, as on Wi-Fi).

A fresh browser profile opens the join link (`/j/<code>`), joins with a name and waits until the
stage is shown: that is the first load. Then the same profile opens the link again: the repeat
visit. Bytes are Chromium's own count of what came over the network for each request
(CDP `Network.loadingFinished.encodedDataLength`: headers and compressed body), so a file served
from the browser cache counts zero and a revalidation counts its 304.
"""

from __future__ import annotations

import json
import urllib.request

from tests.e2e.harness import CHROMIUM_ARGS, PHONE, chromium_path


def new_session(url: str) -> str:
    req = urllib.request.Request(
        url + "/api/sessions",
        method="POST",
        data=json.dumps({"title": "Page weight"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["code"]


class Transfer:
    """Bytes and requests seen by one page, through the Chrome DevTools Protocol."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, float] = {}
        self.cdp.on(
            "Network.requestWillBeSent",
            lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        self.cdp.on(
            "Network.loadingFinished",
            lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )

    def take(self) -> dict:
        """Totals since the last call, and the bytes per URL path (largest first)."""
        per: dict[str, int] = {}
        for rid, n in self.bytes.items():
            path = self.urls.get(rid, "?").split("://", 1)[-1].split("/", 1)[-1]
            per["/" + path.split("?")[0]] = per.get("/" + path.split("?")[0], 0) + int(n)
        out = {
            "bytes": int(sum(self.bytes.values())),
            "requests": len(self.bytes),
            "by_path": dict(sorted(per.items(), key=lambda kv: -kv[1])),
        }
        self.bytes.clear()
        return out


def page_weight(url: str) -> dict:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        return {"error": "Chromium not found"}
    url = url.rstrip("/")
    join = f"{url}/j/{new_session(url)}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": PHONE["width"], "height": PHONE["height"]})
            page = ctx.new_page()
            net = Transfer(page)
            page.goto(join)
            page.fill("#join-name", "Weight")
            page.click("#join-form button[type=submit]")
            page.wait_for_selector("#app", state="visible", timeout=15_000)
            page.wait_for_load_state("networkidle")
            first = net.take()
            page.goto(join)
            page.wait_for_load_state("networkidle")
            repeat = net.take()
            ctx.close()
        finally:
            browser.close()
    return {
        "first_kb": first["bytes"] / 1024,
        "repeat_kb": repeat["bytes"] / 1024,
        "first": first,
        "repeat": repeat,
    }
