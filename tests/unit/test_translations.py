"""Every user-facing string has a Simplified Chinese translation, and the catalogs are
current: extracting the strings again changes nothing, and the compiled catalog matches."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract(out: Path) -> None:
    """The same extraction as docs/i18n.md describes (and `scripts/i18n.sh` runs)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "both",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def msgids(path: Path) -> set:
    with open(path, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_the_catalog_template_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract(fresh)
    added = msgids(fresh) - msgids(TRANSLATIONS / "messages.pot")
    gone = msgids(TRANSLATIONS / "messages.pot") - msgids(fresh)
    assert not added and not gone, (
        f"translations/messages.pot is stale: new {sorted(added)}, removed {sorted(gone)}; "
        "run scripts/i18n.sh"
    )


def test_every_string_has_a_chinese_translation():
    with open(PO, "rb") as f:
        catalog = read_po(f)
    template = msgids(TRANSLATIONS / "messages.pot")
    entries = {m.id: m for m in catalog if m.id}
    missing = sorted(template - set(entries))
    untranslated = sorted(i for i, m in entries.items() if not m.string)
    fuzzy = sorted(i for i, m in entries.items() if m.fuzzy)
    assert not missing, f"not in the Chinese catalog: {missing}"
    assert not untranslated, f"no Chinese translation: {untranslated}"
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"


def test_translations_keep_their_placeholders():
    with open(PO, "rb") as f:
        catalog = read_po(f)
    wrong = [
        (m.id, m.string)
        for m in catalog
        if m.id
        and m.string
        and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert not wrong


def test_the_compiled_catalog_matches_the_translations():
    with open(PO, "rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    with open(MO, "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po, "translations/zh/LC_MESSAGES/messages.mo is stale: run scripts/i18n.sh"


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hans", "zh"),
        ("en-GB,en", "en"),
        ("de-DE,de", "en"),
        ("", "en"),
    ],
)
def test_the_page_language_follows_the_browser(tmp_path, accept, expected):
    from facilitator import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "SECRET_KEY": "x", "ASYNC_MODE": "threading"}
    )
    html = app.test_client().get("/", headers={"Accept-Language": accept}).get_data(True)
    assert f'<html lang="{"zh-Hans" if expected == "zh" else "en"}">' in html
