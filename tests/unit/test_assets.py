"""Versioned module URLs (facilitator/assets.py): a module's URL changes when it or anything it
imports changes, so a browser never runs a new page with an old module from its cache."""

from __future__ import annotations

import os
import re

import pytest

from facilitator.assets import Assets


def write(root, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    # A fresh modification time even within one clock tick of the last write.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


@pytest.fixture
def static(tmp_path):
    write(tmp_path, "js/lib/dom.js", 'export const el = () => "dom";\n')
    write(tmp_path, "js/lib/i18n.js", 'import { el } from "./dom.js";\nexport const t = el;\n')
    write(
        tmp_path,
        "js/page.js",
        'import { t } from "./lib/i18n.js";\nimport "./lib/dom.js";\n'
        'const later = () => import("./lib/dom.js");\n',
    )
    write(tmp_path, "css/app.css", "body { color: red; }\n")
    return tmp_path


def test_imports_are_served_with_the_versions_of_the_modules_they_name(static):
    assets = Assets(static)
    body = assets.body("js/page.js").decode()
    dom, i18n = assets.version("js/lib/dom.js"), assets.version("js/lib/i18n.js")
    assert f'from "./lib/i18n.js?v={i18n}"' in body
    assert f'import "./lib/dom.js?v={dom}"' in body
    assert f'import("./lib/dom.js?v={dom}")' in body
    assert f'from "./dom.js?v={dom}"' in assets.body("js/lib/i18n.js").decode()
    assert re.fullmatch(r"[0-9a-f]{10}", assets.version("js/page.js"))
    assert assets.modules("js/page.js") == ["js/lib/i18n.js", "js/lib/dom.js"]


def test_a_change_deep_below_changes_every_url_above_it(static):
    assets = Assets(static)
    before = {f: assets.version(f) for f in ("js/page.js", "js/lib/i18n.js", "js/lib/dom.js")}
    css = assets.version("css/app.css")
    write(static, "js/lib/dom.js", 'export const el = () => "changed";\n')
    after = {f: assets.version(f) for f in before}
    assert all(after[f] != before[f] for f in before), (before, after)
    assert assets.version("css/app.css") == css
    assert f"dom.js?v={after['js/lib/dom.js']}" in assets.body("js/lib/i18n.js").decode()


def test_an_unchanged_module_keeps_its_url(static):
    assert Assets(static).version("js/page.js") == Assets(static).version("js/page.js")


def test_an_import_cycle_is_refused_at_start(static):
    write(static, "js/lib/dom.js", 'import { t } from "./i18n.js";\nexport const el = t;\n')
    with pytest.raises(ValueError, match="import cycle"):
        Assets(static).check()


@pytest.mark.parametrize("specifier", ["./missing.js", "../../outside.js", "../css/app.js"])
def test_an_import_of_no_module_is_refused_at_start(static, specifier):
    write(static, "js/bad.js", f'import "{specifier}";\n')
    with pytest.raises(ValueError, match="no module"):
        Assets(static).check()


def test_only_modules_of_static_js_are_rewritten(static):
    assert Assets.is_module("js/page.js")
    assert not Assets.is_module("vendor/socket.io-4.8.4.min.js")
    assert not Assets.is_module("js/../secret.js") and not Assets.is_module("css/app.css")
