"""The language switcher's `next` never leads off the site, and never answers 500.

Before: `GET /lang/en?next=/%09/evil.example/phish` answered `302 Location:
//evil.example/phish` (the browser drops the tab and goes to evil.example), and a CR or LF in
`next` made a 500.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st

from .test_fuzz import EXAMPLES  # noqa: E402

SITE = "http://venue.test:5000/"
C0 = "".join(chr(c) for c in range(0x21))


def browser_resolves(location: str, base: str = SITE) -> str:
    """Where a browser goes for this Location, by the WHATWG URL parser's clean-up: leading
    and trailing C0 controls and spaces stripped, every tab and newline removed, backslashes
    read as slashes (http URLs)."""
    loc = location.strip(C0)
    loc = re.sub(r"[\t\n\r]", "", loc).replace("\\", "/")
    return urljoin(base, loc)


def assert_on_site(location: str) -> None:
    target = urlsplit(browser_resolves(location))
    assert (target.scheme, target.netloc) == ("http", "venue.test:5000"), location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(c) < 0x21 or ord(c) >= 0x7F or c == "\\" for c in location), location


@pytest.mark.parametrize(
    "next_, want",
    [
        ("/%09/evil.example/phish", "/"),  # the report's: a tab between the slashes
        ("/%0a/evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20x=1", "/"),
        ("%0d%0a/j/ABC234", "/"),
        ("/%5Cevil.example", "/"),
        ("/%5C%5Cevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/%20/evil.example", "/"),
        ("%20//evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("%00/", "/"),
        ("", "/"),
        ("/%7F/evil.example", "/"),
        ("/\u3000/evil.example", "/%E3%80%80/evil.example"),
        ("/%EF%BC%8Fevil.example", "/%EF%BC%8Fevil.example"),  # a fullwidth slash: a path
        ("/j/ABC234", "/j/ABC234"),
        (
            "%2Fj%2FABC234%3Fx%3D1%25262%26y%3D%252F",
            "/j/ABC234?x=1%262&y=%2F",
        ),  # a query keeps its encoding
        ("/console/ABC234#frag", "/console/ABC234"),
        ("/screen/ABC234", "/screen/ABC234"),
    ],
)
def test_next_is_a_path_on_this_site(app, next_, want):
    res = app.test_client().get(f"/lang/zh?next={next_}")
    assert res.status_code == 302, res.status_code
    location = res.headers["Location"]
    assert_on_site(location)
    assert location == want, (next_, location)
    assert "lang=zh" in res.headers["Set-Cookie"]


def test_the_switcher_on_every_page_comes_back_to_that_page(app, room):
    """What the pages themselves link to still works: back to the same path and query."""
    http = room.moderator.http  # the console needs the moderator's cookie
    for path in (f"/j/{room.code}", f"/console/{room.code}", "/", f"/j/{room.code}?x=%C3%A4"):
        page = http.get(path).get_data(as_text=True)
        switch = re.search(r'class="lang-switch" href="([^"]+)"[^>]*>([^<]+)<', page)
        offered = {"中文": "zh", "English": "en"}[switch.group(2)]  # the other language
        res = http.get(switch.group(1).replace("&amp;", "&"))
        assert res.status_code == 302 and res.headers["Location"] == path, (path, switch[1])
        assert f"lang={offered}" in res.headers["Set-Cookie"]


# Every character class a browser treats specially, plus arbitrary text.
SPECIAL = st.sampled_from(
    [
        "/",
        "\\",
        "\t",
        "\n",
        "\r",
        " ",
        "\x00",
        "\x0b",
        "\x7f",
        ".",
        ":",
        "@",
        "?",
        "#",
        "%",
        "%2F",
        "%5C",
        "%09",
        "%0A",
        "\u3000",
        "\uff0f",
        "\u2028",
        "\ufeff",
        "evil.example",
        "https:",
        "javascript:",
    ]
)
NEXT = st.lists(st.one_of(SPECIAL, st.text(max_size=8)), max_size=12).map("".join)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(next_=NEXT, raw=st.booleans())
def test_whatever_next_is_the_answer_is_a_path_on_this_site(app, next_, raw):
    """Property: for any `next` (sent percent-encoded, or raw where the client allows), the
    answer is a 302 to a path on this site, however a browser normalises it: never another
    host, never a 500."""
    query = (
        next_
        if raw and not any(c in next_ for c in "#&+ \t\r\n\x00\x0b")
        else quote(next_, safe="")
    )
    res = app.test_client().get(f"/lang/en?next={query}")
    assert res.status_code == 302, (next_, res.status_code)
    assert_on_site(res.headers["Location"])
