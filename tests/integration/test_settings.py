"""The session settings and the named choices are declared once (facilitator/domain/): what the
moderator can save, what a new session starts with, what each audience is told and what the
console's forms offer all follow those declarations."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from facilitator.domain import commitments, schedule, screen
from facilitator.domain.settings import BOOL, DEFAULTS, INT, PUBLIC, SETTINGS


class Form(HTMLParser):
    """The fields of the console page: input and select elements by name, with their options,
    and the page data."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self.select: str | None = None
        self.data_open = False
        self.page_data = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select") and a.get("name"):
            self.fields[a["name"]] = {"tag": tag, **a, "options": []}
            self.select = a["name"] if tag == "select" else None
        elif tag == "option" and self.select:
            self.fields[self.select]["options"].append(a["value"])
        elif tag == "script" and a.get("id") == "page-data":
            self.data_open = True

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        self.data_open = False

    def handle_data(self, data):
        if self.data_open:
            self.page_data += data


def console_page(room) -> Form:
    html = room.moderator.http.get(f"/console/{room.code}").get_data(as_text=True)
    form = Form()
    form.feed(html)
    return form


def test_a_new_session_starts_with_the_declared_defaults(room):
    assert {s.name: room.state()["settings"][s.name] for s in SETTINGS} == DEFAULTS
    assert room.state()["timer"]["remaining_ms"] == DEFAULTS["pitch_seconds"] * 1000


def test_the_console_form_offers_every_setting_within_its_declared_bounds(room):
    page = console_page(room)
    for s in SETTINGS:
        field = page.fields[s.name]
        if s.kind == INT:
            assert (field["type"], int(field["min"]), int(field["max"])) == (
                "number",
                s.lo,
                s.hi,
            ), s.name
        elif s.kind == BOOL:
            assert field["type"] == "checkbox", s.name
        else:
            assert field["tag"] == "select" and tuple(field["options"]) == s.choices, s.name
    # The other declared lists the console offers: section kinds and commitment statuses.
    assert tuple(page.fields["kind"]["options"]) == schedule.SECTION_KINDS
    assert tuple(page.fields["status"]["options"]) == commitments.STATUSES
    data = json.loads(page.page_data)
    assert tuple(data["screen_modes"]) == screen.MODES
    assert [x["name"] for x in data["settings"]] == [s.name for s in SETTINGS]


def test_the_form_labels_are_translated(room):
    html = room.moderator.http.get(
        f"/console/{room.code}", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    settings_form = html.split('id="settings-form"', 1)[1].split("</form>", 1)[0]
    labels = re.findall(r"<label[^>]*>(?:<input[^>]*>)?\s*([^<]+)</label>", settings_form)
    assert len(labels) == len(SETTINGS)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in labels), labels


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_a_setting_is_saved_within_its_bounds_and_refused_outside_them(room, setting):
    if setting.kind == INT:
        good, bad = [setting.lo, setting.hi], [setting.lo - 1, setting.hi + 1, "5", True, 1.5]
    elif setting.kind == BOOL:
        good, bad = [not setting.default, setting.default], [1, "true", 0]
    else:
        good, bad = list(setting.choices), ["nope", 1, setting.choices[0].upper()]
    for value in bad:
        ack = room.mod("session:settings", {setting.name: value})
        assert not ack["ok"] and ack["error"] in ("out_of_range", "wrong_type", "invalid_choice"), (
            value,
            ack,
        )
        assert room.state()["settings"][setting.name] == setting.default
    for value in good:
        ack = room.mod("session:settings", {setting.name: value})
        assert ack["ok"], (value, ack)
        assert room.state()["settings"][setting.name] == value


def test_phones_are_told_only_the_public_settings(room):
    phone = room.phone("Ada")
    assert room.mod("session:settings", {"changeover_seconds": 42, "chime": False})["ok"]
    told = phone.last("stage")["session"]
    assert {k for k in told if k in DEFAULTS} == set(PUBLIC)
    assert told["chime"] is False and "changeover_seconds" not in told
    assert room.state()["settings"]["changeover_seconds"] == 42
