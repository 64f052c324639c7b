"""The outcome as files: CSV (one row per pitch), Markdown (a summary to paste into a mail or a
report) and JSON (through the API). Built from `Snapshots.outcome`, in the reader's language.
A session with no votes still gives a valid file with its headers.

CSV files start with a UTF-8 byte-order mark (`BOM`): without it a spreadsheet opened by
double-click guesses the laptop's legacy encoding and garbles every Chinese name."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from flask_babel import gettext as _

from .domain.commitments import STATUS_OPTIONS
from .domain.options import Option
from .domain.timing import by_section, whole_seconds
from .domain.voting import METHOD_OPTIONS


def label(options: tuple[Option, ...], value: str) -> str:
    """A declared option's short label in the reader's language (the value if unknown)."""
    found = next((o for o in options if o.value == value), None)
    if found is None:
        return value
    return found.label if found.lang else _(found.label)


def status_label(status: str) -> str:
    return label(STATUS_OPTIONS, status)


def method_label(method: str) -> str:
    return label(METHOD_OPTIONS, method)


def quadrant_label(quadrant: str | None) -> str:
    return {
        "quick_win": _("Quick win"),
        "major_project": _("Major project"),
        "fill_in": _("Fill-in"),
        "not_now": _("Not now"),
        None: "",
    }[quadrant]


def rules_text(method: str) -> str:
    """The tie rule (and for ratings the quick-win score) in the reader's language; the
    API states them in English (domain/tally.py)."""
    ties = {
        "dots": _(
            "Ties: equal dots share a rank (1, 2, 2, 4); tied pitches are listed in queue order."
        ),
        "approval": _(
            "Ties: equal approvals share a rank (1, 2, 2, 4); tied pitches are "
            "listed in queue order."
        ),
        "matrix": _(
            "Ties: equal quick-win scores (to two decimals) share a rank (1, 2, 2, "
            "4); tied pitches are listed in queue order. Quick-win score: mean "
            "impact x mean ease, from 1 to 25."
        ),
    }
    return ties.get(method, "")


def score_heading(method: str) -> str:
    return {"dots": _("Dots"), "approval": _("Approvals"), "matrix": _("Quick-win score")}.get(
        method, _("Score")
    )


def minutes(ms: int | None) -> str:
    """A duration as m:ss (whole seconds, half up, as domain/timing.py compares them), or a
    dash."""
    if ms is None:
        return "–"
    secs = whole_seconds(ms)
    return f"{secs // 60}:{secs % 60:02d}"


def signed_minutes(ms: int | None) -> str:
    """A change of length as +0:30 or −1:30; nothing when there was none."""
    if not ms:
        return ""
    return ("+" if ms > 0 else "\u2212") + minutes(abs(ms))


def timing_groups(timing: dict) -> list[dict]:
    """The timing as it is printed: each section of the agenda followed by the talks or pitches
    that ran in it, then any that ran outside the agenda (`section` None)."""
    groups, loose = by_section(
        timing["sections"], timing["pitches"], lambda p: p.get("section_id"), lambda s: s["id"]
    )
    out = [{"section": s, "items": items} for s, items in groups]
    if loose:
        out.append({"section": None, "items": loose})
    return out


def when(ms: int | None, with_time: bool = False) -> str:
    """A moment, laptop local time, as 2026-11-28 (or 2026-11-28 19:40)."""
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def csv_safe(text: str) -> str:
    """Text a spreadsheet must not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def person(p: dict) -> str:
    """ "Name (Organisation) <email> phone", with what there is."""
    out = p["name"] or _("(deleted)")
    if p.get("organisation"):
        out += f" ({p['organisation']})"
    if p.get("email"):
        out += f" <{p['email']}>"
    if p.get("phone"):
        out += f" {p['phone']}"
    return out


def number(x) -> str:
    return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


BOM = "\ufeff"


def csv_file(text: str) -> bytes:
    """A CSV download: UTF-8 with a byte-order mark, so spreadsheets read Chinese names."""
    return (BOM + text).encode("utf-8")


def to_csv(outcome: dict) -> str:
    private = "participants" in outcome
    head = [
        _("Rank"),
        _("Tied"),
        _("Quick win"),
        _("Pitcher"),
        _("Organisation"),
        _("Offer"),
        _("Method"),
        _("Score"),
        _("Voters"),
        _("Mean impact"),
        _("Mean ease"),
        _("Quadrant"),
        _("Interested"),
    ]
    if private:
        head.append(_("Interested people"))
    head += [_("Owners"), _("Next step"), _("Due"), _("Commitment status")]
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(head)
    for r in outcome["results"]:
        c = r["commitment"] or {}
        row = [
            r["rank"],
            _("yes") if r["tied"] else "",
            r["title"],
            r["pitcher"],
            r["organisation"],
            r["offer"],
            method_label(outcome["method"]),
            number(r["score"]),
            r["voters"],
            number(r["impact"]),
            number(r["ease"]),
            quadrant_label(r["quadrant"]),
            r["interest"],
        ]
        if private:
            row.append("; ".join(person(p) for p in r["interested"]))
        row += [
            "; ".join(c.get("owners", [])),
            c.get("next_step", ""),
            c.get("due", ""),
            status_label(c["status"]) if c else "",
        ]
        out.writerow([csv_safe(x) if isinstance(x, str) else x for x in row])
    return buf.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md(text: str) -> str:
    """User text as literal Markdown: special characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def to_markdown(outcome: dict) -> str:
    c = outcome["counts"]
    lines = [
        f"# {md(outcome['title'])}",
        "",
        _(
            "%(date)s · participants: %(people)s · ballots: %(ballots)s · %(method)s",
            date=when(outcome["created_at"]),
            people=c["participants"],
            ballots=c["ballots"],
            method=method_label(outcome["method"]),
        ),
        "",
        "## " + _("The quick wins the room chose"),
        "",
    ]
    matrix = outcome["method"] == "matrix"
    head = (
        ["#", _("Quick win"), _("Pitcher"), _("Score")]
        + ([_("Impact"), _("Ease")] if matrix else [])
        + [_("Interested")]
    )
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|---|---|---|" + ("---|---|" if matrix else "") + "---|")
    for r in outcome["results"]:
        rank = ("=" if r["tied"] else "") + str(r["rank"])
        lines.append(
            f"| {rank} | {md(r['title'])} | {md(r['pitcher'])} | {number(r['score'])} | "
            + (f"{number(r['impact'])} | {number(r['ease'])} | " if matrix else "")
            + f"{r['interest']} |"
        )
    if not outcome["results"]:
        lines.append("| | " + _("No pitches yet.") + " | | |" + (" | |" if matrix else "") + " |")
    lines += ["", rules_text(outcome["method"])]
    lines += ["", "## " + _("Commitments"), ""]
    for x in outcome["commitments"]:
        parts = [", ".join(md(o) for o in x["owners"]) or _("no owner yet")]
        if x["next_step"]:
            parts.append(_("next step: %(step)s", step=md(x["next_step"])))
        if x["due"]:
            parts.append(_("due %(date)s", date=x["due"]))
        parts.append(status_label(x["status"]))
        lines.append(f"- **{md(x['title'])}**: " + " · ".join(parts))
    if not outcome["commitments"]:
        lines.append(_("No commitments yet."))
    if "participants" in outcome:
        lines += ["", "## " + _("Who wants to follow up"), ""]
        for r in outcome["results"]:
            if r["interested"]:
                lines.append(
                    f"- **{md(r['title'])}**: " + "; ".join(md(person(p)) for p in r["interested"])
                )
    lines += ["", "## " + _("Timing"), "", *timing_markdown(outcome["timing"])]
    if outcome.get("outcome_url"):
        lines += ["", _("Public outcome: %(url)s", url=outcome["outcome_url"])]
    return "\n".join(lines) + "\n"


def timing_markdown(timing: dict) -> list[str]:
    """The timing table: each section, then its talks or pitches (indented by a dash); the
    changes are the moderator's extensions and cuts, and over is measured against the time
    given (planned plus changes; domain/timing.py)."""
    groups = timing_groups(timing)
    if not any(g["section"] or g["items"] for g in groups):
        return [_("Nothing has run yet.")]
    out = [
        "| "
        + " | ".join([_("Section"), _("Planned"), _("Changes"), _("Actual"), _("Over")])
        + " |",
        "|---|---|---|---|---|",
    ]

    def row(name: str, x: dict) -> str:
        over = minutes(x["over_ms"]) if x["over_ms"] else ""
        return (
            f"| {name} | {minutes(x['planned_ms'])} | {signed_minutes(x['changes_ms'])} | "
            f"{minutes(x['actual_ms'])} | {over} |"
        )

    for g in groups:
        if g["section"] is not None:
            out.append(row(f"**{md(g['section']['title'])}**", g["section"]))
        elif g["items"] and len(groups) > 1:
            out.append(f"| **{_('Outside the agenda')}** | | | | |")
        for x in g["items"]:
            out.append(row(f"– {md(x['title'])} ({md(x['pitcher'])})", x))
    return out
