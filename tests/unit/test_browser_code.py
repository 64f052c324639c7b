"""Rules the browser code keeps (static/js/): ES modules with no global, user text only as text,
lines of at most 100 characters, every module in use. `npm run lint` (Biome) checks the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitator.assets import Assets

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
JS = sorted((STATIC / "js").rglob("*.js"))
ENTRIES = ("js/console.js", "js/phone.js", "js/screen.js", "js/outcome.js")


def name(path: Path) -> str:
    return path.relative_to(STATIC).as_posix()


def code_of(path: Path) -> str:
    """The module without its comments (which may name what the code must not do)."""
    code = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r"(^|\s)//.*", "", code)


@pytest.mark.parametrize("path", JS, ids=name)
def test_a_module_sets_no_global_and_writes_no_markup(path):
    code = code_of(path)
    assert not re.search(r"\b(window|globalThis|self)\.[\w$]+\s*=[^=]", code), "a global"
    assert not re.search(r"\bwindow\[", code), "a global"
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", code)


@pytest.mark.parametrize("path", JS, ids=name)
def test_lines_are_at_most_100_characters(path):
    long = [i for i, line in enumerate(path.read_text().splitlines(), 1) if len(line) > 100]
    assert not long, f"lines {long}"


def test_every_module_is_used_by_a_page():
    assets = Assets(STATIC)
    used = set(ENTRIES).union(*(assets.modules(e) for e in ENTRIES))
    assert {name(p) for p in JS} == used


def test_pages_load_their_scripts_as_modules():
    scripts = []
    for template in (ROOT / "templates").glob("*.html"):
        scripts += re.findall(r"<script\b[^>]*>", template.read_text())
    classic = [
        s
        for s in scripts
        if 'type="module"' not in s and 'type="application/json"' not in s and "vendor/" not in s
    ]
    assert not classic, classic
