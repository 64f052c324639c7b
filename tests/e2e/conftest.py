"""Browser tests: a real server (subprocess) and Debian's Chromium driven by Playwright.

Without Chromium these tests skip, unless FACILITATOR_REQUIRE_BROWSER=1 (set by .ci/run),
which turns a missing browser into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import CHROMIUM_ARGS, Server, chromium_path, expose_modules

try:  # Playwright's polling assertions: long enough for a busy CI machine, never endless
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15_000)
except ImportError:  # the `browser` fixture skips (or fails) these tests
    pass

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# Module scope, not session: while Playwright's sync API is running it leaves an asyncio event
# loop marked as running in the main thread, so a later test module that calls asyncio.run()
# itself (test_capacity, test_timekeeper: no browser) would fail with "asyncio.run() cannot be
# called from a running event loop". Chromium starts in well under a second per module.
@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    require = os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if require:
            pytest.fail("Playwright is not installed and FACILITATOR_REQUIRE_BROWSER=1")
        pytest.skip("Playwright is not installed")
    if path is None:
        if require:
            pytest.fail("Chromium not found and FACILITATOR_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not found (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        expose_modules(b)  # `F` in every page, for the tests (harness.PAGE_HOOK)
        yield b
        b.close()


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "server")
    yield s
    s.stop()


@pytest.fixture
def artifacts(request):
    d = ARTIFACTS / request.node.name
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def open_page(browser, artifacts):
    """Open a page in a fresh browser context (its own cookies, like a separate device).

    `open_page(viewport, url=None, name=...)` -> Page. Every context is closed at teardown, and
    an uncaught JavaScript exception on any page fails the test."""
    contexts, errors = [], []

    def open_(viewport: dict, url: str | None = None, name: str = "page"):
        ctx = browser.new_context(viewport=viewport)
        ctx.set_default_timeout(15_000)
        ctx.set_default_navigation_timeout(15_000)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
        contexts.append(ctx)
        if url:
            page.goto(url)
        return page

    yield open_
    for ctx in contexts:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - the browser may already be gone after a failure
            pass
    assert not errors, "uncaught JavaScript errors:\n" + "\n".join(errors)
