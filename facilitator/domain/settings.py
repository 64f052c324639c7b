"""A session's settings, each declared once: its name, type, bounds or choices, default and label.

Everything else is derived from this list: the payload rules of `session:settings` and of a new
session (`validate.setting_fields`), the column defaults of `models.Session`, the settings in the
console snapshot and the public ones in the stage snapshot (`snapshots.py`), the console's
settings form (`templates/console.html`, in this order) and what the console's script knows of
each setting (`describe`, in the page data). To add a setting: declare it here, add its column
to `models.Session` (with a server default, for existing databases), and translate its label
(`scripts/i18n.sh`).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schedule, screen, voting
from .options import N_, Option, values

Value = bool | int | str
INT, BOOL, CHOICE = "int", "bool", "choice"


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # INT, BOOL or CHOICE
    default: Value
    label: str  # message id of the form's label
    lo: int | None = None  # INT: the smallest and largest value accepted
    hi: int | None = None
    step: int = 1  # INT: the form's increment (the server accepts any whole number in bounds)
    options: tuple[Option, ...] = ()  # CHOICE
    public: bool = False  # every audience gets it in the stage snapshot (the rest: console only)
    # Refused while voting is open or once ballots are cast (ballots of one method cannot be
    # counted under another), so the console sends it only when it changed.
    locked_by_votes: bool = False
    # No phone or screen shows it, not even through the stage's mode, method or round: changing
    # only such settings sends nothing to phones or screens.
    console_only: bool = False

    @property
    def choices(self) -> tuple[str, ...]:
        return values(self.options)


def _int(name: str, default: int, lo: int, hi: int, label: str, **kw) -> Setting:
    return Setting(name, INT, default, label, lo=lo, hi=hi, **kw)


def _bool(name: str, default: bool, label: str, **kw) -> Setting:
    return Setting(name, BOOL, default, label, **kw)


def _choice(name: str, default: str, options: tuple[Option, ...], label: str, **kw) -> Setting:
    return Setting(name, CHOICE, default, label, options=options, **kw)


SETTINGS: tuple[Setting, ...] = (
    _int("pitch_seconds", 120, 10, 3600, N_("Pitch length (seconds)"), step=10, public=True),
    _int("dots_per_person", 3, 1, 20, N_("Dots per person"), public=True),
    _int("max_dots_per_pitch", 1, 1, 20, N_("Dots per pitch"), public=True),
    _choice(
        "voting_method",
        voting.DOTS,
        voting.METHOD_OPTIONS,
        N_("Voting method"),
        locked_by_votes=True,
    ),
    _choice("voting_round", voting.BALLOT, voting.ROUND_OPTIONS, N_("Voting round")),
    _int("rating_window_seconds", 60, 10, 600, N_("Rating window (seconds)"), console_only=True),
    _bool("results_live", False, N_("Show results live on the screen while voting is open")),
    _bool(
        "auto_accept",
        False,
        N_("Accept pitches from phones automatically"),
        console_only=True,
    ),
    _choice(
        "overrun_policy",
        schedule.KEEP_COUNTING,
        schedule.OVERRUN_OPTIONS,
        N_("When a pitch runs over"),
        public=True,
    ),
    _int("overrun_grace_seconds", 15, 0, 600, N_("Grace period (seconds)"), public=True),
    _int(
        "changeover_seconds",
        15,
        0,
        300,
        N_("Changeover between pitches (seconds)"),
        console_only=True,
    ),
    _int(
        "fit_floor_seconds",
        60,
        10,
        600,
        N_("Shortest pitch when fitting (seconds)"),
        console_only=True,
    ),
    _choice(
        "screen_language", "en", screen.LANGUAGE_OPTIONS, N_("Language of the screen"), public=True
    ),
    _bool("chime", True, N_("Chime on the screen at 30 seconds and at zero"), public=True),
)
BY_NAME = {s.name: s for s in SETTINGS}
DEFAULTS: dict[str, Value] = {s.name: s.default for s in SETTINGS}
PUBLIC = tuple(s.name for s in SETTINGS if s.public)
LOCKED_BY_VOTES = tuple(s.name for s in SETTINGS if s.locked_by_votes)
CONSOLE_ONLY = frozenset(s.name for s in SETTINGS if s.console_only)


def describe() -> list[dict]:
    """What the console's script needs to read and fill the settings form, and the bounds it
    offers for a pitch's length (no labels: the template renders the form)."""
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "locked_by_votes": s.locked_by_votes,
            **({"lo": s.lo, "hi": s.hi, "step": s.step} if s.kind == INT else {}),
        }
        for s in SETTINGS
    ]
