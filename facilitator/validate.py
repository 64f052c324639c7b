"""Payload validation for socket events and JSON routes (principle 8, docs/architecture.md).

Each command declares its fields once; `parse` returns clean Python values or raises a
RuleError naming the field. Unknown keys, wrong types, empty or over-long text, control
characters and out-of-range numbers are all refused before anything reaches the service layer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .domain import settings as declared
from .domain.errors import RuleError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls, DEL

# Joiners that real scripts need between two visible characters: ZWNJ (Persian, Indic),
# ZWJ (emoji sequences such as a family or a profession, Indic conjuncts) and the Mongolian
# vowel separator. Anywhere else they only hide a difference between two equal-looking names.
_JOINERS = {"\u200c", "\u200d", "\u180e"}
_TAG_FLAG = "\U0001f3f4"  # black flag: tag characters after it spell a subdivision's flag


def _visible(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or unicodedata.category(ch) in ("So", "Sk")


def unencodable(value: str) -> bool:
    """Lone surrogates (category Cs): JSON can carry them, UTF-8 cannot store them."""
    return any("\ud800" <= ch <= "\udfff" for ch in value)


# Characters that are not format characters (Cf) but render as nothing, or as a blank: the
# Hangul fillers (a name made of U+3164 alone shows as an empty name), the braille blank, the
# combining grapheme joiner and the Khmer inherent vowels (default-ignorable marks).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
MAX_MARKS = 8  # combining marks in a row: real scripts stack a few, a "tower" hides the text


def _marks_tower(value: str) -> bool:
    run = 0
    for ch in value:
        run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        if run > MAX_MARKS:
            return True
    return False


def invisible_formatting(value: str) -> bool:
    """Whether `value` holds a format character (Unicode category Cf) that can make text look
    like something else: bidi embeddings, overrides and isolates (U+202A-E, U+2066-9, the
    Arabic letter mark), zero-width spaces, marks and joiners out of place (U+200B-F,
    U+2060-4, U+FEFF), soft hyphens and the rest of Cf. Kept: a joiner between two visible
    characters, and the tag characters of a flag emoji. Also refused: characters that show
    as a blank (`_BLANK`) and more than `MAX_MARKS` combining marks in a row."""
    if any(ch in _BLANK for ch in value) or _marks_tower(value):
        return True
    for i, ch in enumerate(value):
        if unicodedata.category(ch) != "Cf":
            continue
        if (
            ch in _JOINERS
            and 0 < i < len(value) - 1
            and _visible(value[i - 1])
            and _visible(value[i + 1])
        ):
            continue
        if "\U000e0020" <= ch <= "\U000e007f":  # tags: only in a run right after the flag
            j = i
            while j > 0 and "\U000e0020" <= value[j - 1] <= "\U000e007f":
                j -= 1
            if j > 0 and value[j - 1] == _TAG_FLAG:
                continue
        return True
    return False


@dataclass(frozen=True)
class Text:
    max_len: int
    required: bool = True  # the key must be present
    blank: bool = False  # an empty value is allowed
    multiline: bool = False

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise RuleError("wrong_type", field=name)
        value = unicodedata.normalize("NFC", value).strip()
        if not self.multiline:
            value = " ".join(value.split())
        if (
            _CONTROL.search(value.replace("\n", "") if self.multiline else value)
            or unencodable(value)
            or invisible_formatting(value)
        ):
            raise RuleError("bad_characters", field=name)
        if not self.blank and not value:
            raise RuleError("required", field=name)
        if len(value) > self.max_len:
            raise RuleError("too_long", field=name, max=self.max_len)
        return value


@dataclass(frozen=True)
class Int:
    lo: int
    hi: int
    required: bool = True

    def clean(self, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError("wrong_type", field=name)
        if not self.lo <= value <= self.hi:
            raise RuleError("out_of_range", field=name, lo=self.lo, hi=self.hi)
        return value


@dataclass(frozen=True)
class Bool:
    required: bool = True

    def clean(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise RuleError("wrong_type", field=name)
        return value


@dataclass(frozen=True)
class Choice:
    options: tuple
    required: bool = True

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise RuleError("invalid_choice", field=name)
        return value


# An email address as people write them, and nothing a mail link could carry besides: a local
# part of letters, digits and . _ + - ' (no leading, trailing or double dot), and a domain of
# at least two labels of letters, digits and inner hyphens, the last one letters (or an IDNA
# "xn--" label). No ? & % / # = , ; : quotes, spaces or brackets: a mailto: link built from it
# can only name this one address.
_LOCAL = re.compile(r"^\w([\w+'-]|\.(?!\.))*(?<!\.)$")
_LABEL = re.compile(r"^[^\W_]([^\W_]|-){0,61}(?<!-)$")
_TLD = re.compile(r"^([^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$", re.IGNORECASE)


def is_email(value: str) -> bool:
    if len(value) > 254 or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    labels = domain.split(".")
    return (
        len(local) <= 64
        and bool(_LOCAL.match(local))
        and len(labels) >= 2
        and all(_LABEL.match(x) for x in labels)
        and bool(_TLD.match(labels[-1]))
    )


_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,24}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_date(value: str) -> bool:
    try:
        return bool(_DATE.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


@dataclass(frozen=True)
class Checked(Text):
    """Optional text that, when given, must pass `check`, else `error` names the field."""

    max_len: int = 254
    required: bool = False
    blank: bool = True
    check: Callable[[str], bool] = bool
    error: str = "invalid"

    def clean(self, name: str, value: Any) -> str:
        value = super().clean(name, value)
        if value and not self.check(value):
            raise RuleError(self.error, field=name)
        return value


def Email() -> Checked:
    """An email address (or empty): see `is_email`."""
    return Checked(254, check=is_email, error="invalid_email")


def Phone() -> Checked:
    """A phone number (or empty): digits, an optional leading +, spaces and ( ) . / -."""
    return Checked(
        32,
        check=lambda v: bool(_PHONE.match(v)) and sum(c.isdigit() for c in v) >= 6,
        error="invalid_phone",
    )


def Date() -> Checked:
    """A calendar date as YYYY-MM-DD (or empty)."""
    return Checked(10, check=_is_date, error="invalid_date")


@dataclass(frozen=True)
class Owners:
    """Who takes a commitment forward: up to `max_items` entries, each a participant of the
    session ({"participant_id": n}) or a free-text name ({"name": "City IT"})."""

    max_items: int = 5
    required: bool = False

    def clean(self, name: str, value: Any) -> list[dict]:
        if not isinstance(value, list):
            raise RuleError("wrong_type", field=name)
        if len(value) > self.max_items:
            raise RuleError("too_many", field=name, max=self.max_items)
        out: list[dict] = []
        for item in value:
            if isinstance(item, dict) and set(item) == {"participant_id"}:
                out.append({"participant_id": ID.clean(name, item["participant_id"])})
            elif isinstance(item, dict) and set(item) == {"name"}:
                out.append({"name": NAME.clean(name, item["name"])})
            else:
                raise RuleError("wrong_type", field=name)
        return out


ID = Int(1, 2**31 - 1)
NAME, ORGANISATION = Text(60), Text(80, required=False, blank=True)
TITLE, OFFER = Text(80), Text(280)


def setting_field(setting: declared.Setting, required: bool = False):
    """The payload rule of a declared setting (domain/settings.py)."""
    if setting.kind == declared.INT:
        assert setting.lo is not None and setting.hi is not None, setting.name
        return Int(setting.lo, setting.hi, required=required)
    if setting.kind == declared.BOOL:
        return Bool(required=required)
    return Choice(setting.choices, required=required)


def setting_fields(names: tuple[str, ...] | None = None, required: bool = False) -> dict:
    """Payload rules for the named settings (default: all of them), each optional."""
    return {
        s.name: setting_field(s, required)
        for s in declared.SETTINGS
        if names is None or s.name in names
    }


def parse(spec: dict, data: Any) -> dict:
    """Validate `data` against `spec` (field name -> field type); returns only given fields."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RuleError("wrong_type", field="payload")
    unknown = sorted(str(k)[:40] for k in data if k not in spec)
    if unknown:
        raise RuleError("unknown_field", field=unknown[0])
    out = {}
    for name, field in spec.items():
        if name not in data or data[name] is None:
            if field.required:
                raise RuleError("required", field=name)
            continue
        out[name] = field.clean(name, data[name])
    return out
