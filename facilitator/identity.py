"""Who a browser is, from its signed, HttpOnly session cookie (principle 6, docs/architecture.md).

The cookie holds, per session code, a moderator grant and/or the participant token this
browser was given at join. The grant is not the moderator key itself but an HMAC of it with the
server's secret: the cookie is signed, not encrypted, and a copied cookie value must not reveal
the console link. Both are checked against the database on every use, so a cookie for a
session that no longer exists, or for a moderator key that was replaced ("new console link"),
grants nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
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


GRANT = "g1."  # marks a grant; a cookie from an earlier release holds the key itself


def _grant(code: str, key: str) -> str:
    secret = current_app.secret_key
    assert secret is not None, "config.from_env always sets SECRET_KEY"
    secret = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(secret, f"moderator:{code}:{key}".encode(), hashlib.sha256).digest()
    return GRANT + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def grant_moderator(code: str, key: str) -> None:
    _store("m", code, _grant(code, key))


def moderator_key(service: Service, code: str) -> str | None:
    """The session's current moderator key, if this browser holds a grant for it."""
    held = _bucket("m").get(code)
    if not isinstance(held, str) or not held:
        return None
    key = service.moderator_key(code)
    if key is None:
        return None
    if hmac.compare_digest(held.encode(), _grant(code, key).encode()):
        return key
    if not held.startswith(GRANT) and hmac.compare_digest(held.encode(), key.encode()):
        grant_moderator(code, key)  # an earlier release's cookie: the key leaves it
        return key
    return None


def is_moderator(service: Service, code: str) -> bool:
    return moderator_key(service, code) is not None


def grant_participant(code: str, token: str) -> None:
    _store("p", code, token)


def participant_token(code: str) -> str | None:
    token = _bucket("p").get(code)
    return token if isinstance(token, str) and token else None


def participant(service: Service, found: dict) -> int | None:
    token = participant_token(found["code"])
    return service.participant_by_token(found["id"], token) if token else None


def names(code: str) -> bool:
    """This browser was given a grant for this session by this server (the cookie is signed):
    it knows the code without guessing it. Whether the grant still holds is checked apart."""
    return code in _bucket("m") or code in _bucket("p")


def forget(code: str) -> None:
    """Drop this browser's grants for a session (it was erased)."""
    for name in ("m", "p"):
        grants = _bucket(name)
        if grants.pop(code, None) is not None:
            cookie[name] = grants
