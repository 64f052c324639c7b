"""Pages: the start page, sharing a session, the console, the screen and the phone, the
language switcher and the join QR code.

Thin (principle 3, docs/architecture.md): a page gets its session from `with_session`, its
forms' bounds from the declared settings (principle 10), and its script's data from
`page_data`. Every asset is local (principle 7).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import identity
from ..domain import settings
from ..domain.commitments import STATUS_OPTIONS
from ..domain.errors import RuleError
from ..domain.schedule import DEFAULT_SECTION_KIND, SECTION_KIND_OPTIONS
from ..domain.screen import MODES as SCREEN_MODES
from ..domain.sessions import CODE_LENGTH, normalise_code
from ..exports import csv_file, csv_safe
from ..messages import describe
from ..validate import parse
from .common import (
    CREATE_SPEC,
    client_address,
    ext,
    links,
    lookup,
    page_data,
    public_base,
    qr_svg_of,
    safe_next,
    spend,
    translated_ui_text,
    with_session,
)

bp = Blueprint("pages", __name__)


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
    refused = spend(ext().budgets.session, "too_many_sessions")
    if refused:
        return refused
    try:
        data: dict = {"title": form["title"]}
        for key, name, factor in (
            ("pitch_minutes", "pitch_seconds", 60),
            ("dots_per_person", "dots_per_person", 1),
        ):
            if form[key].strip():
                declared = settings.BY_NAME[name]
                assert declared.lo is not None and declared.hi is not None
                data[name] = form_number(form, key, name, factor, declared.lo, declared.hi)
        data = parse(CREATE_SPEC, data)
    except RuleError as err:
        return render_template(
            "start.html", errors={"form": describe(err)}, form=form, closed=False
        ), 400
    code, key = ext().service.create_session(**data, created_by="start_page")
    identity.grant_moderator(code, key)
    return redirect(url_for("pages.share", code=code))


@bp.get("/console/<code>/share")
@with_session(moderator=True)
def share(found):
    key = ext().service.moderator_key(found["code"])
    return render_template(
        "share.html",
        session=found,
        links=links(found["code"], key),
        replaced=request.args.get("replaced") == "1",
    )


CARD_SIZES = ("a6", "a4")


@bp.get("/console/<code>/card")
@with_session(moderator=True)
def table_card(found):
    """A printable table card (A6 or A4): the QR code, the join code and the address, for the
    room's tables (moderator only, like every page under /console/)."""
    size = request.args.get("size", "a6")
    if size not in CARD_SIZES:
        abort(404)
    join_url = links(found["code"])["join_url"]
    return render_template(
        "card.html",
        session=found,
        size=size,
        sizes=CARD_SIZES,
        qr=qr_svg_of(join_url).decode(),
        join_url=join_url,
        base_url=public_base().rstrip("/"),
    )


@bp.post("/console/<code>/new-link")
@with_session(moderator=True)
def new_console_link(found):
    """Replace the moderator key: the old console link, and every browser signed in with it,
    stop working at once; this browser gets the new one. (Cross-site posts are refused by
    the same-origin check.)"""
    key = ext().service.rotate_moderator_key(found["id"])
    identity.grant_moderator(found["code"], key)
    ext().connections.key_replaced(found["id"])
    return redirect(url_for("pages.share", code=found["code"], replaced=1))


@bp.get("/console/<code>/log.csv")
@with_session(moderator=True)
def log_csv(found):
    """Every moderator action with its time, for the record (moderator only)."""
    rows = ext().service.log_rows(found["id"])
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([_("Time"), _("Action"), _("Detail"), _("Undone")])
    for at, action, detail, undone in rows:
        stamp = datetime.fromtimestamp(at / 1000).isoformat(timespec="seconds")
        out.writerow([stamp, action, csv_safe(detail), _("yes") if undone else ""])
    return Response(
        csv_file(buf.getvalue()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="facilitator-{found["code"]}-log.csv"'
        },
    )


# ----- the three pages ----------------------------------------------------------------------


@bp.get("/console/<code>")
def console(code):
    key = request.args.get("key")
    if key is not None:
        # The right code with its right key (192 bits) opens the console even while this
        # address is held for guessing; any wrong pair then answers 429 alike.
        throttle = ext().throttle
        held = throttle.blocked(client_address())
        found = ext().service.find_session(code)
        if found is None or ext().service.check_moderator_key(found["code"], key) is None:
            if held:
                abort(429)
            throttle.failed(client_address())
            abort(404 if found is None else 403)
        identity.grant_moderator(found["code"], key)
        # Drop the key from the address bar and history once the cookie holds it.
        return redirect(url_for("pages.console", code=found["code"]))
    return console_page(code)


@with_session(moderator=True)
def console_page(found):
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
@with_session()
def screen(found):
    """The screen speaks the session's screen language, not the laptop browser's: it is read
    by the room. 'both' shows headings in English and Chinese for a mixed room."""
    language = ext().service.screen_language(found["id"])
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
    if found is None:  # the join form again, with the code as typed
        return render_template(
            "join_code.html", code=normalise_code(code)[:CODE_LENGTH], unknown=True
        ), 404
    if found["code"] != code:
        return redirect(url_for("pages.phone", code=found["code"]))
    joined = identity.participant(ext().service, found) is not None
    return render_template(
        "phone.html",
        session=found,
        joined=joined,
        links=links(found["code"]),
        page_data=page_data(found, joined=joined),
    )


@bp.get("/qr/<code>.svg")
@with_session()
def qr_svg(found):
    return Response(
        qr_svg_of(links(found["code"])["join_url"]),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-cache"},
    )
