"""Payload validation for socket events and JSON routes (DESIGN principle 8).

Each command declares its fields once; `parse` returns clean Python values or raises a
RuleError naming the field. Unknown keys, wrong types, empty or over-long text, control
characters and out-of-range numbers are all refused before anything reaches the service layer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .domain.errors import RuleError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Text:
    max_len: int
    required: bool = True   # the key must be present
    blank: bool = False     # an empty value is allowed
    multiline: bool = False

    def clean(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise RuleError("wrong_type", field=name)
        value = unicodedata.normalize("NFC", value).strip()
        if not self.multiline:
            value = " ".join(value.split())
        if _CONTROL.search(value.replace("\n", "") if self.multiline else value):
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


ID = Int(1, 2**31 - 1)
NAME, ORGANISATION = Text(60), Text(80, required=False, blank=True)
TITLE, OFFER = Text(80), Text(280)


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
