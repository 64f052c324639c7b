"""Browser tests: a real server (subprocess) and Debian's Chromium driven by Playwright.

Without Chromium these tests skip, unless FACILITATOR_REQUIRE_BROWSER=1 (set by .ci/run),
which turns a missing browser into a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import CHROMIUM_ARGS, Server, chromium_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
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
