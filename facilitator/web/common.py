"""What the pages, the outcome and the API share: the parts, links, budgets, request bodies,
redirects, and the one way a route finds its session (`with_session`, `api_session`).

Thin (principle 3, docs/architecture.md): parse the request, call a service, render or answer.
Guessing codes or keys is held to a few tries a minute per address (principle 6); bad input is
answered with a clear error and changes nothing (principle 8).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from flask import Response, abort, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import identity, qr
from ..budgets import AddressBudget, RevisionCache, retry_after
from ..domain.errors import RuleError
from ..messages import describe, error_payload
from ..parts import Budgets, Parts, parts
from ..ui_text import ui_text
from ..validate import Text, setting_fields

T = TypeVar("T")

CREATE_SPEC = {
    "title": Text(120),
    **setting_fields(("pitch_seconds", "dots_per_person", "max_dots_per_pitch")),
}


def ext() -> Parts:
    return parts()


def public_base() -> str:
    return current_app.config.get("PUBLIC_URL") or request.url_root


def links(code: str, key: str | None = None) -> dict:
    base = public_base().rstrip("/")
    out = {"code": code, "join_url": qr.join_url(base, code), "screen_url": f"{base}/screen/{code}"}
    if key:
        out["console_url"] = f"{base}/console/{code}?key={key}"
    return out


def client_address() -> str:
    return request.remote_addr or "?"


# ----- budgets: work per client address and per session -------------------------------------


def make_budgets(cfg: dict, clock_ms: Callable[[], int]) -> Budgets:
    """One set of budgets per app, on the app's clock (seconds)."""

    def seconds() -> float:
        return clock_ms() / 1000

    def per_minute(rate_key: str, burst_key: str) -> AddressBudget:
        return AddressBudget(float(cfg[rate_key]) / 60, float(cfg[burst_key]), seconds)

    return Budgets(
        http=per_minute("HTTP_PER_MINUTE", "HTTP_BURST"),
        api=per_minute("API_READS_PER_MINUTE", "API_READ_BURST"),
        join=per_minute("JOINS_PER_MINUTE", "JOIN_BURST"),
        session=per_minute("SESSIONS_PER_MINUTE", "SESSION_BURST"),
        # What anonymous readers get (results, the public outcome): one build per session
        # revision, and at most one a PUBLIC_CACHE_SECONDS while votes move the tallies.
        public=RevisionCache(float(cfg["PUBLIC_CACHE_SECONDS"]), seconds),
    )


def too_many(wait: float, code: str = "rate_limited", **params) -> Response:
    """429 with Retry-After: JSON under /api/, else a page that says what to do."""
    err = RuleError(code, **params)
    if request.path.startswith("/api/"):
        resp = jsonify(error_payload(err))
    else:
        resp = current_app.make_response(
            render_template("error.html", title=_("Too many tries"), message=describe(err))
        )
    resp.status_code = 429
    resp.headers["Retry-After"] = retry_after(wait)
    return resp


def http_budget() -> Response | None:
    """Every page and API request spends from its address's budget, before anything runs."""
    wait = ext().budgets.http.take(client_address())
    if wait:
        return too_many(wait)
    return None


def spend(budget: AddressBudget, code: str) -> Response | None:
    """Spend one from `budget` for this address; a 429 answer when it is empty."""
    wait = budget.take(client_address())
    if wait:
        return too_many(wait, code, minutes=max(1, math.ceil(wait / 60)))
    return None


def public_cached(kind: str, found: dict, build: Callable[[], T]) -> T:
    """What anonymous readers of a session get, from the per-revision cache. The key holds
    the base URL, since what is built may contain links made from it."""
    return ext().budgets.public.get((kind, found["code"], public_base()), found["revision"], build)


@lru_cache(maxsize=128)
def qr_svg_of(url: str) -> bytes:
    """A QR code costs about 20 ms to draw: each URL is drawn once."""
    return qr.svg(url)


# ----- request bodies and redirects ---------------------------------------------------------


def json_body() -> Any:
    """The JSON body, or None when the request has none (or is not JSON). A body that says it
    is JSON but cannot be read (bad syntax or encoding, or nested deeper than the parser
    goes) is refused with `invalid_json`, never a server error."""
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RuleError("invalid_json") from None


# What a path and query may hold, unencoded (RFC 3986 pchar, "/" and "?"); anything else in
# `next` is either percent-encoded (letters of other scripts) or the whole of it is refused.
_PATH_CHARS = "-._~!$&'()*+,;=:@/?%"
_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$")


def safe_next(value) -> str:
    """Where to send a browser back to: a path (and query) on this site, else "/".

    Browsers drop tabs and newlines from a URL, read a backslash as a slash and skip leading
    spaces and control characters, so "/<tab>/evil.example" or "/\\evil.example" would leave
    the site: any ASCII control, space or backslash refuses the whole value. Letters of other
    scripts are percent-encoded. What is left must be "/" followed by anything but a second
    "/" (a "//host" is another site), with no scheme and no host."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return "/"
    if any(ord(c) < 0x21 or c in "\x7f\\" for c in value):
        return "/"
    value = quote(value.split("#", 1)[0], safe=_PATH_CHARS)
    if not _SAFE_PATH.match(value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return value


# ----- finding the session a route is about -------------------------------------------------


def lookup(code: str) -> dict | None:
    """Find a session by join code; wrong codes count against this address (guessing is held
    to a few tries a minute, and while held every lookup answers 429)."""
    throttle = ext().throttle
    held = throttle.blocked(client_address())
    found = ext().service.find_session(code)
    if held and (found is None or not identity.names(found["code"])):
        # A right code with this server's cookie for it still gets through (a whole venue
        # behind one NAT address keeps its phones); anything else learns nothing meanwhile.
        abort(429)
    if found is None:
        throttle.failed(client_address())
    return found


def session_or_404(code: str) -> dict:
    found = lookup(code)
    if found is None:
        abort(404)
    return found


def moderated(code: str) -> dict:
    """The session, for a browser that holds its moderator grant; else 404 or 403."""
    found = session_or_404(code)
    if not identity.is_moderator(ext().service, found["code"]):
        abort(403)
    return found


def with_session(moderator: bool = False):
    """A page about one session (`<code>` in its URL): the view gets the session found (see
    `lookup`), or the visitor a 404 page (403 without the moderator grant, when `moderator`)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(code: str, **kwargs):
            return view(moderated(code) if moderator else session_or_404(code), **kwargs)

        return run

    return wrap


def api_error(err: RuleError, status: int = 400):
    return jsonify(error_payload(err)), status


def api_session(budget: str, error: str, held_first: bool = False):
    """An API route about one session: spend from the address's `budget` (429 `error` when
    empty), refuse an address held for guessing (429), find the session (404 in JSON), then
    run the view with it. `held_first`: the held address is refused before it spends."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(code: str):
            held = ext().throttle.blocked
            if held_first and held(client_address()):
                return api_error(RuleError("too_many_attempts"), 429)
            refused = spend(ext().budgets[budget], error)
            if refused:
                return refused
            if not held_first and held(client_address()):
                return api_error(RuleError("too_many_attempts"), 429)
            found = lookup(code)
            if found is None:
                return api_error(RuleError("unknown_session"), 404)
            return view(found)

        return run

    return wrap


# ----- what a page's script gets ------------------------------------------------------------

_UI_TEXT: dict[str, dict] = {}


def translated_ui_text() -> dict:
    """`ui_text()` in this request's language. It depends on the language alone and took half
    of a phone page's time (two hundred lookups), so each language is translated once; the
    dict is shared: read it, never change it."""
    lang = str(get_locale())
    text = _UI_TEXT.get(lang)
    if text is None:
        text = _UI_TEXT[lang] = ui_text()
    return text


def page_data(found: dict, **extra) -> dict:
    """What a page's script needs: the join code and its translated UI text."""
    locale = get_locale()
    return {
        "code": found["code"],
        "text": translated_ui_text(),
        "lang": str(locale.language if locale else "en"),
        **extra,
    }


def download(body: str | bytes, mimetype: str, code: str, name: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="facilitator-{code}-{name}"'},
    )
