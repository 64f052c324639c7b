"""Small helpers shared by the browser tests: reading timers, waiting for sockets, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

WAIT_MS = 15_000  # the longest any single wait in these tests may take

_DIGITS = re.compile(r"^\s*(\+?)(\d+):(\d{2})\s*$")


def parse_digits(text: str) -> int:
    """'1:05' -> 65, '+0:03' -> -3 (seconds left; negative once over time)."""
    m = _DIGITS.match(text or "")
    if not m:
        raise AssertionError(f"timer digits not in m:ss form: {text!r}")
    seconds = int(m.group(2)) * 60 + int(m.group(3))
    return -seconds if m.group(1) else seconds


def digits(page, root: str = "") -> int:
    """Seconds shown by the timer under `root` (a CSS selector prefix)."""
    return parse_digits(page.locator(f"{root} [data-timer-digits]".strip()).first.text_content())


def wait_connected(page, timeout: int = WAIT_MS) -> None:
    """Until the page's Socket.IO connection is up (the F.socket of common.js)."""
    page.wait_for_function("() => !!(window.F && F.socket && F.socket.connected)", timeout=timeout)


def wait_attr(page, selector: str, name: str, value: str, timeout: int = WAIT_MS) -> None:
    page.wait_for_function(
        "([sel, name, value]) => { const n = document.querySelector(sel);"
        " return !!n && n.getAttribute(name) === value; }",
        arg=[selector, name, value],
        timeout=timeout,
    )


def wait_text(
    page,
    selector: str,
    text: str,
    timeout: int = WAIT_MS,
    exact: bool = False,
    ignore_case: bool = False,
) -> None:
    """Until the first element matching `selector` contains (or equals) `text`."""
    page.wait_for_function(
        "([sel, text, exact, icase]) => { const n = document.querySelector(sel);"
        " if (!n) return false; let t = n.textContent.trim(); let w = text;"
        " if (icase) { t = t.toLowerCase(); w = w.toLowerCase(); }"
        " return exact ? t === w : t.includes(w); }",
        arg=[selector, text, exact, ignore_case],
        timeout=timeout,
    )


def wait_visible(page, selector: str, visible: bool = True, timeout: int = WAIT_MS) -> None:
    page.wait_for_selector(selector, state="visible" if visible else "hidden", timeout=timeout)


def shot(page, directory: Path, name: str) -> Path:
    path = Path(directory) / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def reveal_all(press, screen, timeout: int = WAIT_MS) -> None:
    """E until first place is out: `press()` presses E on the console; each press reveals one
    more place from last place up (the screen shows how far it has come)."""
    press()
    wait_attr(screen, "#screen", "data-mode", "results", timeout)
    progress = screen.locator('[data-field="reveal-progress"]')
    while progress.is_visible():
        shown = progress.text_content()
        press()
        screen.wait_for_function(
            "(t) => { const n = document.querySelector('[data-field=\"reveal-progress\"]');"
            " return n.hidden || n.textContent !== t; }",
            arg=shown,
            timeout=timeout,
        )
