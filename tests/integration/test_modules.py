"""The pages' scripts are ES modules under versioned URLs (facilitator/assets.py): every module a
page runs is preloaded, and fetched, at a URL that changes with its content, so a repeat visit
fetches nothing and never mixes an old module with a new page."""

from __future__ import annotations

import gzip
import re

import pytest

SPECIFIER = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.\.?/[^"']+)["']""")


def page_html(room, which: str) -> str:
    if which == "console":
        return room.moderator.http.get(f"/console/{room.code}").get_data(as_text=True)
    if which == "phone":
        phone = room.phone("Ada")
        return phone.http.get(f"/j/{room.code}").get_data(as_text=True)
    return room.screen.http.get(f"/screen/{room.code}").get_data(as_text=True)


def resolve(base: str, specifier: str) -> str:
    """An import specifier as the browser resolves it against the importing module's URL."""
    parts = base.split("?")[0].split("/")[:-1]
    path, _, query = specifier.partition("?")
    for piece in path.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts) + ("?" + query if query else "")


@pytest.mark.parametrize("which", ["console", "phone", "screen"])
def test_every_module_a_page_runs_is_preloaded_at_its_versioned_url(room, which):
    html = page_html(room, which)
    entry = re.findall(r'<script type="module" src="([^"]+)"', html)
    assert len(entry) == 1, entry
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)"', html))
    http = room.app.test_client()
    seen, todo = set(), [entry[0]]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        assert re.search(r"\?v=[0-9a-f]{10}$", url), url
        res = http.get(url)
        assert res.status_code == 200, url
        assert res.mimetype == "text/javascript"
        assert "max-age=31536000" in res.headers["Cache-Control"]
        assert http.get(url, headers={"If-None-Match": res.headers["ETag"]}).status_code == 304
        todo += [resolve(url, s) for s in SPECIFIER.findall(res.get_data(as_text=True))]
    assert seen - {entry[0]} == preloaded


def test_modules_are_gzipped_for_browsers_that_ask(room):
    html = page_html(room, "console")
    url = re.search(r'<script type="module" src="([^"]+)"', html)[1]
    http = room.app.test_client()
    plain = http.get(url).data
    packed = http.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain


@pytest.mark.parametrize(
    "path",
    [
        "/static/js/../../run.py",
        "/static/js/%2e%2e/%2e%2e/run.py",
        "/static/js/nothing.js",
        "/static/js/lib/../../../run.js",
    ],
)
def test_nothing_outside_the_modules_is_served_as_one(app, path):
    res = app.test_client().get(path)
    assert res.status_code == 404, (path, res.status_code)
