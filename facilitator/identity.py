"""Who a browser is, from its signed, HttpOnly session cookie (DESIGN principle 6).

The cookie holds, per session code, the moderator key this browser proved and/or the
participant token it was given at join. Both are checked against the database on every use,
so a cookie for a session that no longer exists, or a stale key, grants nothing.
"""
from __future__ import annotations

from flask import session as cookie
from flask.sessions import SecureCookieSessionInterface

from .services import Service


class CookieSessions(SecureCookieSessionInterface):
    """The signed cookie, checked once per connection rather than once per event.

    Flask-SocketIO runs every socket event in a request context built from the connection's
    environ, and Flask opens the session for it: the cookie's signature would be checked again
    for every vote. Flask-SocketIO then puts the session it saved for the connection at connect
    (`saved_session` in that environ) in its place, so that copy is what this returns."""

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        return saved if saved is not None else super().open_session(app, request)


KEEP = 20  # grants per kind kept in the cookie: the oldest go, so it never outgrows 4 KB


def _bucket(name: str) -> dict:
    value = cookie.get(name)
    return dict(value) if isinstance(value, dict) else {}


def _store(name: str, code: str, secret: str) -> None:
    grants = _bucket(name)
    grants.pop(code, None)
    grants[code] = secret  # newest last
    while len(grants) > KEEP:
        grants.pop(next(iter(grants)))
    cookie[name] = grants
    cookie.permanent = True


def grant_moderator(code: str, key: str) -> None:
    _store("m", code, key)


def is_moderator(service: Service, code: str) -> bool:
    key = _bucket("m").get(code)
    return isinstance(key, str) and service.check_moderator_key(code, key) is not None


def grant_participant(code: str, token: str) -> None:
    _store("p", code, token)


def participant(service: Service, found: dict) -> int | None:
    token = _bucket("p").get(found["code"])
    return service.participant_by_token(found["id"], token) if token else None


def forget(code: str) -> None:
    """Drop this browser's grants for a session (it was erased)."""
    for name in ("m", "p"):
        grants = _bucket(name)
        if grants.pop(code, None) is not None:
            cookie[name] = grants
