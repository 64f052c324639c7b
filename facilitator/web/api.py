"""The JSON API, under `/api`: create a session, join one, read its results and its outcome.

Every answer is JSON, errors too (`{"ok": false, "error": code, "message": text}`, principle
8, docs/architecture.md), including 404, 405, 413, 429 and 500 (`json_error`, installed by
create_app for every path under /api/). A route about one session finds it with
`api_session`: budget, guessing throttle, lookup, 404.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from .. import identity
from ..domain.errors import RuleError
from ..messages import error_payload
from ..validate import NAME, ORGANISATION, parse
from .common import (
    CREATE_SPEC,
    api_error,
    api_session,
    client_address,
    ext,
    json_body,
    links,
    public_cached,
    spend,
)
from .pages import start_page_open

bp = Blueprint("api", __name__, url_prefix="/api")

# The error code a status answers with, when nothing more precise was said.
STATUS_CODES = {
    413: "too_large",
    429: "too_many_attempts",
    404: "not_found",
    405: "method_not_allowed",
}


def json_error(status: int):
    """The JSON answer of an HTTP error under /api/."""
    return jsonify(error_payload(RuleError(STATUS_CODES.get(status, "bad_request")))), status


@bp.post("/sessions")
def api_create():
    if not start_page_open():
        return api_error(RuleError("start_page_closed"), 403)
    refused = spend(ext().budgets.session, "too_many_sessions")
    if refused:
        return refused
    try:
        data = parse(CREATE_SPEC, json_body())
    except RuleError as err:
        return api_error(err)
    code, key = ext().service.create_session(**data, created_by="api")
    identity.grant_moderator(code, key)
    return jsonify({"ok": True, **links(code, key)}), 201


@bp.post("/sessions/<code>/participants")
@api_session("join", "too_many_joins", held_first=True)
def api_join(found):
    try:
        data = parse({"name": NAME, "organisation": ORGANISATION}, json_body())
    except RuleError as err:
        return api_error(err)
    change = ext().service.join(found["id"], data["name"], data.get("organisation", ""))
    identity.grant_participant(found["code"], change.reply.pop("token"))
    ext().broadcaster.publish(change)
    return jsonify({"ok": True, **change.reply}), 201


RESULT_FIELDS = (
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


@bp.get("/sessions/<code>/results")
@api_session("api", "rate_limited")
def api_results(found):
    """Ranked results. The moderator (cookie, or `Authorization: Bearer <key>`) may read them
    at any time; everyone else once the moderator has revealed them."""
    # Decided from the session's row alone, before any tally is read.
    moderator = api_moderator(found)
    if not (moderator or found["revealed"]):
        return results_hidden()
    if moderator:
        snap = ext().snapshots.results(found["id"])
    else:
        snap = public_cached("results", found, lambda: ext().snapshots.results(found["id"]))
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
            "results": [{k: r[k] for k in RESULT_FIELDS} for r in snap["results"]],
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
    if identity.is_moderator(ext().service, found["code"]):
        return True
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        if ext().service.check_moderator_key(found["code"], bearer[7:]) is not None:
            return True
        ext().throttle.failed(client_address())
    return False


@bp.get("/sessions/<code>/outcome")
@api_session("api", "rate_limited")
def api_outcome(found):
    """The outcome as JSON: the moderator's (with interested people and consented contacts),
    or, once the moderator published the outcome link, the public one."""
    private = api_moderator(found)
    if not (private or found["outcome_public"]):  # refused before anything is built
        return outcome_private()
    if private:
        data = ext().snapshots.outcome(found["id"], private=True)
    else:
        data = public_cached(
            "outcome", found, lambda: ext().snapshots.outcome(found["id"], private=False)
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
