"""Named choices: the value the code stores and compares, declared once with the words a person
sees for it. Each list lives beside its rules (`voting.METHOD_OPTIONS`, `schedule.OVERRUN_OPTIONS`,
`schedule.SECTION_KIND_OPTIONS`, `screen.MODE_OPTIONS`, `screen.LANGUAGE_OPTIONS`,
`commitments.STATUS_OPTIONS`); validation, snapshots, the console's forms, the labels the browser
scripts get (`ui_text.py`) and the exports are all derived from it.

Labels are message ids, marked with `N_` so that extraction finds them (`scripts/i18n.sh`), and
translated at the edge (`ui_text.py`, the templates, `exports.py`): this package knows no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # short: in lists, the tally, the outcome and its exports
    choice: str = ""  # long: the option's text in a form ("" means the label)
    lang: str | None = None  # a name written in its own language: shown as is, never translated

    @property
    def form_text(self) -> str:
        return self.choice or self.label


def values(options: Iterable[Option]) -> tuple[str, ...]:
    return tuple(o.value for o in options)
