"""The outcome: the moderator's report (page, CSV, Markdown), publishing its read-only public
link, and erasing the session.

The public outcome holds no personal data and is built once per session revision for any
number of readers (principle 5, docs/architecture.md); erasure leaves nothing behind, on disk
or in open connections (principle 6).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from .. import exports, identity
from ..domain.sessions import normalise_code
from .common import download, ext, public_base, public_cached, qr_svg_of, with_session

bp = Blueprint("outcome", __name__)


@bp.app_context_processor
def outcome_helpers():
    return {
        "method_label": exports.method_label,
        "status_label": exports.status_label,
        "rules_text": exports.rules_text,
        "score_heading": exports.score_heading,
        "minutes": exports.minutes,
        "signed_minutes": exports.signed_minutes,
        "timing_groups": exports.timing_groups,
        "format_ms": exports.when,
        "retention_days": current_app.config["RETENTION_DAYS"],
        "mailto": mailto,
    }


def mailto(email: str) -> str:
    """A mail link to exactly this address: everything but the @ percent-encoded, so that
    nothing in it can add a subject, a body or other recipients."""
    return "mailto:" + quote(email, safe="@")


@bp.get("/console/<code>/outcome")
@with_session(moderator=True)
def outcome(found):
    """The moderator's outcome page; printed, it is the report (print stylesheet, A4)."""
    data = ext().snapshots.outcome(found["id"], private=True)
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
    found = ext().service.session_by_outcome_token(token)
    if found is None:
        abort(404)
    data = public_cached(
        "outcome", found, lambda: ext().snapshots.outcome(found["id"], private=False)
    )
    return render_template("outcome.html", o=data, private=False, session=found)


@bp.get("/o/<token>/qr.svg")
def public_outcome_qr(token):
    """The QR code of the published outcome link, for the screen."""
    found = ext().service.session_by_outcome_token(token)
    if found is None:
        abort(404)
    return Response(
        qr_svg_of(f"{public_base().rstrip('/')}/o/{token}"),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-cache"},
    )


@bp.get("/console/<code>/outcome.csv")
@with_session(moderator=True)
def outcome_csv(found):
    data = ext().snapshots.outcome(found["id"], private=True)
    return download(
        exports.csv_file(exports.to_csv(data)), "text/csv", found["code"], "outcome.csv"
    )


@bp.get("/console/<code>/outcome.md")
@with_session(moderator=True)
def outcome_md(found):
    data = ext().snapshots.outcome(found["id"], private=True)
    return download(exports.to_markdown(data), "text/markdown", found["code"], "outcome.md")


@bp.post("/console/<code>/outcome/publish")
@with_session(moderator=True)
def publish_outcome(found):
    change = ext().service.publish_outcome(found["id"], request.form.get("public") == "1")
    ext().broadcaster.publish(change)
    return redirect(url_for("outcome.outcome", code=found["code"]))


@bp.post("/console/<code>/erase")
@with_session(moderator=True)
def erase(found):
    """Erase the session and everything in it, once the moderator typed its code."""
    if normalise_code(request.form.get("confirm", "")) != found["code"]:
        return redirect(url_for("outcome.outcome", code=found["code"], erase_error=1))
    ext().service.erase_session(found["id"])
    ext().broadcaster.gone(found["id"])
    ext().connections.session_erased(found["id"])
    ext().connections.scrub_disk()
    identity.forget(found["code"])
    return render_template(
        "error.html",
        title=_("Session erased"),
        message=_("The session and everything in it are erased."),
    )
