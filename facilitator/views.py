"""Pages and the JSON API. Thin: parse the request, call a service, render or answer."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from . import exports, identity, qr
from .budgets import AddressBudget, RevisionCache, retry_after
from .domain import settings
from .domain.commitments import STATUS_OPTIONS
from .domain.errors import RuleError
from .domain.schedule import DEFAULT_SECTION_KIND, SECTION_KIND_OPTIONS
from .domain.screen import MODES as SCREEN_MODES
from .domain.sessions import CODE_LENGTH, normalise_code
from .exports import csv_safe
from .messages import describe, error_payload
from .ui_text import ui_text
from .validate import NAME, ORGANISATION, Text, parse, setting_fields

bp = Blueprint("pages", __name__)

CREATE_SPEC = {
    "title": Text(120),
    **setting_fields(("pitch_seconds", "dots_per_person", "max_dots_per_pitch")),
}


def ext(name: str):
    return current_app.extensions["facilitator"][name]


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


@bp.record_once
def _budgets(state) -> None:
    """One set of budgets per app, on the app's clock (seconds)."""
    app = state.app
    cfg = app.config
    service = app.extensions["facilitator"]["service"]

    def seconds() -> float:
        return service.clock() / 1000

    def per_minute(rate_key: str, burst_key: str) -> AddressBudget:
        return AddressBudget(float(cfg[rate_key]) / 60, float(cfg[burst_key]), seconds)

    app.extensions["facilitator"]["budgets"] = {
        "http": per_minute("HTTP_PER_MINUTE", "HTTP_BURST"),
        "api": per_minute("API_READS_PER_MINUTE", "API_READ_BURST"),
        "join": per_minute("JOINS_PER_MINUTE", "JOIN_BURST"),
        "session": per_minute("SESSIONS_PER_MINUTE", "SESSION_BURST"),
        # What anonymous readers get (results, the public outcome): one build per session
        # revision, and at most one a PUBLIC_CACHE_SECONDS while votes move the tallies.
        "public": RevisionCache(float(cfg["PUBLIC_CACHE_SECONDS"]), seconds),
    }


def budget(name: str):
    return ext("budgets")[name]


def too_many(wait: float, code: str = "rate_limited", **params):
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


@bp.before_request
def http_budget():
    """Every page and API request spends from its address's budget, before anything runs."""
    wait = budget("http").take(client_address())
    if wait:
        return too_many(wait)
    return None


def spend(name: str, code: str):
    """Spend one from the budget `name` for this address; a 429 answer when it is empty."""
    wait = budget(name).take(client_address())
    if wait:
        return too_many(wait, code, minutes=max(1, math.ceil(wait / 60)))
    return None


def public_cached(kind: str, found: dict, build):
    """What anonymous readers of a session get, from the per-revision cache. The key holds
    the base URL, since what is built may contain links made from it."""
    return budget("public").get((kind, found["code"], public_base()), found["revision"], build)


@lru_cache(maxsize=128)
def qr_svg_of(url: str) -> str:
    """A QR code costs about 20 ms to draw: each URL is drawn once."""
    return qr.svg(url)


# ----- request bodies and redirects ---------------------------------------------------------


def json_body():
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


def lookup(code: str) -> dict | None:
    """Find a session by join code; wrong codes count against this address (guessing is held
    to a few tries a minute, and while held every lookup answers 429)."""
    throttle = ext("throttle")
    held = throttle.blocked(client_address())
    found = ext("service").find_session(code)
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
    if not identity.is_moderator(ext("service"), found["code"]):
        abort(403)
    return found


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
    return {
        "code": found["code"],
        "text": translated_ui_text(),
        "lang": str(get_locale().language),
        **extra,
    }


@bp.context_processor
def declared_settings():
    """Each page's forms take a setting's bounds and default from its declaration."""
    return {"setting": settings.BY_NAME}


# ----- start page ---------------------------------------------------------------------------


def start_page_open() -> bool:
    """Whether browsers may create sessions here (START_PAGE: docs/security.md)."""
    return current_app.config["START_PAGE"] == "open"


@bp.get("/")
def start():
    """The start page; closed, it keeps the join form and says where sessions come from."""
    return render_template("start.html", errors={}, form={}, closed=not start_page_open())


def form_number(form: dict, key: str, field: str, factor: int, lo: int, hi: int) -> int:
    """A number typed into the start form, times `factor`: a finite decimal within bounds,
    else the RuleError the JSON API would give."""
    try:
        value = float(form[key].strip())
    except ValueError:
        raise RuleError("wrong_type", field=field) from None
    if not math.isfinite(value) or not lo <= value * factor <= hi:
        raise RuleError("out_of_range", field=field, lo=lo, hi=hi)
    return round(value * factor)


@bp.post("/")
def create_from_form():
    form = {k: request.form.get(k, "") for k in ("title", "pitch_minutes", "dots_per_person")}
    if not start_page_open():
        return render_template("start.html", errors={}, form={}, closed=True), 403
    refused = spend("session", "too_many_sessions")
    if refused:
        return refused
    try:
        data = {"title": form["title"]}
        if form["pitch_minutes"].strip():
            spec = CREATE_SPEC["pitch_seconds"]
            data["pitch_seconds"] = form_number(
                form, "pitch_minutes", "pitch_seconds", 60, spec.lo, spec.hi
            )
        if form["dots_per_person"].strip():
            spec = CREATE_SPEC["dots_per_person"]
            data["dots_per_person"] = form_number(
                form, "dots_per_person", "dots_per_person", 1, spec.lo, spec.hi
            )
        data = parse(CREATE_SPEC, data)
    except RuleError as err:
        return render_template(
            "start.html", errors={"form": describe(err)}, form=form, closed=False
        ), 400
    code, key = ext("service").create_session(**data, created_by="start_page")
    identity.grant_moderator(code, key)
    return redirect(url_for("pages.share", code=code))


@bp.get("/console/<code>/share")
def share(code):
    found = moderated(code)
    key = ext("service").moderator_key(found["code"])
    return render_template(
        "share.html",
        session=found,
        links=links(found["code"], key),
        replaced=request.args.get("replaced") == "1",
    )


@bp.post("/console/<code>/new-link")
def new_console_link(code):
    """Replace the moderator key: the old console link, and every browser signed in with it,
    stop working at once; this browser gets the new one. (Cross-site posts are refused by
    the same-origin check.)"""
    found = moderated(code)
    key = ext("service").rotate_moderator_key(found["id"])
    identity.grant_moderator(found["code"], key)
    ext("connections").key_replaced(found["id"])
    return redirect(url_for("pages.share", code=found["code"], replaced=1))


@bp.get("/console/<code>/log.csv")
def log_csv(code):
    """Every moderator action with its time, for the record (moderator only)."""
    found = moderated(code)
    rows = ext("service").log_rows(found["id"])
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([_("Time"), _("Action"), _("Detail"), _("Undone")])
    for at, action, detail, undone in rows:
        stamp = datetime.fromtimestamp(at / 1000).isoformat(timespec="seconds")
        out.writerow([stamp, action, csv_safe(detail), _("yes") if undone else ""])
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="facilitator-{found["code"]}-log.csv"'
        },
    )


def download(body: str, mimetype: str, code: str, name: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="facilitator-{code}-{name}"'},
    )


# ----- the outcome --------------------------------------------------------------------------


@bp.context_processor
def outcome_helpers():
    return {
        "method_label": exports.method_label,
        "status_label": exports.status_label,
        "rules_text": exports.rules_text,
        "score_heading": exports.score_heading,
        "minutes": exports.minutes,
        "format_ms": exports.when,
        "retention_days": current_app.config["RETENTION_DAYS"],
        "mailto": mailto,
    }


def mailto(email: str) -> str:
    """A mail link to exactly this address: everything but the @ percent-encoded, so that
    nothing in it can add a subject, a body or other recipients."""
    return "mailto:" + quote(email, safe="@")


@bp.get("/console/<code>/outcome")
def outcome(code):
    """The moderator's outcome page; printed, it is the report (print stylesheet, A4)."""
    found = moderated(code)
    data = ext("snapshots").outcome(found["id"], private=True)
    return render_template(
        "outcome.html",
        o=data,
        private=True,
        session=found,
        erase_error=request.args.get("erase_error"),
    )


@bp.get("/o/<token>")
def public_outcome(token):
    """The read-only outcome the moderator shared with the room: no personal data."""
    found = ext("service").session_by_outcome_token(token)
    if found is None:
        abort(404)
    data = public_cached(
        "outcome", found, lambda: ext("snapshots").outcome(found["id"], private=False)
    )
    return render_template("outcome.html", o=data, private=False, session=found)


@bp.get("/o/<token>/qr.svg")
def public_outcome_qr(token):
    """The QR code of the published outcome link, for the screen."""
    found = ext("service").session_by_outcome_token(token)
    if found is None:
        abort(404)
    return Response(
        qr_svg_of(f"{public_base().rstrip('/')}/o/{token}"),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-cache"},
    )


@bp.get("/console/<code>/outcome.csv")
def outcome_csv(code):
    found = moderated(code)
    data = ext("snapshots").outcome(found["id"], private=True)
    return download(exports.to_csv(data), "text/csv", found["code"], "outcome.csv")


@bp.get("/console/<code>/outcome.md")
def outcome_md(code):
    found = moderated(code)
    data = ext("snapshots").outcome(found["id"], private=True)
    return download(exports.to_markdown(data), "text/markdown", found["code"], "outcome.md")


@bp.post("/console/<code>/outcome/publish")
def publish_outcome(code):
    found = moderated(code)
    change = ext("service").publish_outcome(found["id"], request.form.get("public") == "1")
    ext("broadcaster").publish(change)
    return redirect(url_for("pages.outcome", code=found["code"]))


@bp.post("/console/<code>/erase")
def erase(code):
    """Erase the session and everything in it, once the moderator typed its code."""
    found = moderated(code)
    if normalise_code(request.form.get("confirm", "")) != found["code"]:
        return redirect(url_for("pages.outcome", code=found["code"], erase_error=1))
    ext("service").erase_session(found["id"])
    ext("broadcaster").gone(found["id"])
    ext("connections").session_erased(found["id"])
    ext("connections").scrub_disk()
    identity.forget(found["code"])
    return render_template(
        "error.html",
        title=_("Session erased"),
        message=_("The session and everything in it are erased."),
    )


# ----- the three pages ----------------------------------------------------------------------


@bp.get("/console/<code>")
def console(code):
    key = request.args.get("key")
    if key is not None:
        # The right code with its right key (192 bits) opens the console even while this
        # address is held for guessing; any wrong pair then answers 429 alike.
        throttle = ext("throttle")
        held = throttle.blocked(client_address())
        found = ext("service").find_session(code)
        if found is None or ext("service").check_moderator_key(found["code"], key) is None:
            if held:
                abort(429)
            throttle.failed(client_address())
            abort(404 if found is None else 403)
        identity.grant_moderator(found["code"], key)
        # Drop the key from the address bar and history once the cookie holds it.
        return redirect(url_for("pages.console", code=found["code"]))
    found = moderated(code)
    return render_template(
        "console.html",
        session=found,
        links=links(found["code"]),
        settings=settings.SETTINGS,
        section_kinds=SECTION_KIND_OPTIONS,
        section_kind=DEFAULT_SECTION_KIND,
        commitment_statuses=STATUS_OPTIONS,
        page_data=page_data(found, settings=settings.describe(), screen_modes=SCREEN_MODES),
    )


@bp.get("/screen/<code>")
def screen(code):
    """The screen speaks the session's screen language, not the laptop browser's: it is read
    by the room. 'both' shows headings in English and Chinese for a mixed room."""
    found = session_or_404(code)
    language = ext("service").screen_language(found["id"])
    main = "zh" if language == "zh" else "en"
    g.second_language = "zh" if language == "both" else None
    with force_locale(main):
        data = page_data(found, language=language)
        if g.second_language:
            with force_locale(g.second_language):
                data["text_alt"] = translated_ui_text()
        return render_template(
            "screen.html", session=found, links=links(found["code"]), page_data=data
        )


@bp.get("/lang/<language>")
def set_language(language):
    """The language switcher: a cookie for this browser, then back where it was."""
    if language not in ("en", "zh"):
        abort(404)
    resp = redirect(safe_next(request.args.get("next", "/")))  # never to another site
    resp.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return resp


@bp.route("/j", methods=["GET", "POST"])
def join_code():
    code = normalise_code(request.values.get("code", ""))
    if code:
        return redirect(url_for("pages.phone", code=code))
    return render_template("join_code.html", code="", unknown=False)


@bp.get("/j/<code>")
def phone(code):
    found = lookup(code)
    if found is None:
        return render_template(
            "join_code.html", code=normalise_code(code)[:CODE_LENGTH], unknown=True
        ), 404
    if found["code"] != code:
        return redirect(url_for("pages.phone", code=found["code"]))
    joined = identity.participant(ext("service"), found) is not None
    return render_template(
        "phone.html",
        session=found,
        joined=joined,
        links=links(found["code"]),
        page_data=page_data(found, joined=joined),
    )


@bp.get("/qr/<code>.svg")
def qr_svg(code):
    found = session_or_404(code)
    return Response(
        qr_svg_of(links(found["code"])["join_url"]),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-cache"},
    )


# ----- JSON API -----------------------------------------------------------------------------


def api_error(err: RuleError, status: int = 400):
    return jsonify(error_payload(err)), status


@bp.post("/api/sessions")
def api_create():
    if not start_page_open():
        return api_error(RuleError("start_page_closed"), 403)
    refused = spend("session", "too_many_sessions")
    if refused:
        return refused
    try:
        data = parse(CREATE_SPEC, json_body())
    except RuleError as err:
        return api_error(err)
    code, key = ext("service").create_session(**data, created_by="api")
    identity.grant_moderator(code, key)
    return jsonify({"ok": True, **links(code, key)}), 201


@bp.post("/api/sessions/<code>/participants")
def api_join(code):
    if ext("throttle").blocked(client_address()):
        return api_error(RuleError("too_many_attempts"), 429)
    refused = spend("join", "too_many_joins")
    if refused:
        return refused
    found = lookup(code)
    if found is None:
        return api_error(RuleError("unknown_session"), 404)
    try:
        data = parse({"name": NAME, "organisation": ORGANISATION}, json_body())
    except RuleError as err:
        return api_error(err)
    change = ext("service").join(found["id"], data["name"], data.get("organisation", ""))
    identity.grant_participant(found["code"], change.reply.pop("token"))
    ext("broadcaster").publish(change)
    return jsonify({"ok": True, **change.reply}), 201


@bp.get("/api/sessions/<code>/results")
def api_results(code):
    """Ranked results. The moderator (cookie, or `Authorization: Bearer <key>`) may read them
    at any time; everyone else once the moderator has revealed them."""
    refused = spend("api", "rate_limited")
    if refused:
        return refused
    if ext("throttle").blocked(client_address()):
        return api_error(RuleError("too_many_attempts"), 429)
    found = lookup(code)
    if found is None:
        return api_error(RuleError("unknown_session"), 404)
    # Decided from the session's row alone, before any tally is read.
    moderator = api_moderator(found)
    if not (moderator or found["revealed"]):
        return results_hidden()
    if moderator:
        snap = ext("snapshots").results(found["id"])
    else:
        snap = public_cached("results", found, lambda: ext("snapshots").results(found["id"]))
        if not snap["revealed"]:  # hidden again between the two reads
            return results_hidden()
    return jsonify(
        {
            "ok": True,
            "code": found["code"],
            "title": found["title"],
            "voting": snap["voting"],
            "revealed": snap["revealed"],
            "ballots": snap["ballots"],
            "method": snap["method"],
            "tie_rule": snap["tie_rule"],
            "score_rule": snap["score_rule"],
            "results": [
                {
                    k: r[k]
                    for k in (
                        "rank",
                        "tied",
                        "votes",
                        "score",
                        "voters",
                        "impact",
                        "ease",
                        "quadrant",
                        "interest",
                        "id",
                        "title",
                        "pitcher",
                        "organisation",
                        "offer",
                        "status",
                    )
                }
                for r in snap["results"]
            ],
        }
    )


def results_hidden():
    return jsonify(
        {
            "ok": False,
            "error": "results_hidden",
            "message": _("The moderator has not revealed the results yet."),
        }
    ), 403


def api_moderator(found: dict) -> bool:
    """The moderator of this session: by cookie, or `Authorization: Bearer <key>` (a wrong
    key counts as a failed guess)."""
    if identity.is_moderator(ext("service"), found["code"]):
        return True
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        if ext("service").check_moderator_key(found["code"], bearer[7:]) is not None:
            return True
        ext("throttle").failed(client_address())
    return False


@bp.get("/api/sessions/<code>/outcome")
def api_outcome(code):
    """The outcome as JSON: the moderator's (with interested people and consented contacts),
    or, once the moderator published the outcome link, the public one."""
    refused = spend("api", "rate_limited")
    if refused:
        return refused
    if ext("throttle").blocked(client_address()):
        return api_error(RuleError("too_many_attempts"), 429)
    found = lookup(code)
    if found is None:
        return api_error(RuleError("unknown_session"), 404)
    private = api_moderator(found)
    if not (private or found["outcome_public"]):  # refused before anything is built
        return outcome_private()
    if private:
        data = ext("snapshots").outcome(found["id"], private=True)
    else:
        data = public_cached(
            "outcome", found, lambda: ext("snapshots").outcome(found["id"], private=False)
        )
        if not data["outcome_url"]:  # unpublished between the two reads
            return outcome_private()
    return jsonify({"ok": True, **data})


def outcome_private():
    return jsonify(
        {
            "ok": False,
            "error": "outcome_private",
            "message": _("The moderator has not published the outcome."),
        }
    ), 403
