"""The timing report and the CSV files, over real sockets and HTTP: a pitch is over only when it
ran longer than the time it was given (its plan with the moderator's extensions and cuts), the
talks and pitches are listed under their own section in every form of the report, and the
CSV files open in a spreadsheet with Chinese names intact."""

from __future__ import annotations

import csv
import io
import re

from .conftest import Room


def run_the_agenda(room: Room, clock) -> dict:
    """Talks then pitches; one pitch cut short that stops in time, one extended that runs
    over anyway. Returns the ids by title."""
    for title, kind, minutes in (("Talks", "talks", 15), ("Pitches", "pitches", 10)):
        assert room.mod("section:add", {"title": title, "kind": kind, "minutes": minutes})["ok"]
    talks, pitches = (s["id"] for s in room.state()["sections"])
    ids = {}
    assert room.mod("section:set", {"section_id": talks})["ok"]
    ids["Keynote"] = room.add("Keynote", "Dr Topham", seconds=120)
    assert room.mod("timer:start")["ok"]
    clock.advance(30)
    assert room.mod("stage:next")["ok"]  # the talk ends early, well within its plan

    assert room.mod("section:set", {"section_id": pitches})["ok"]
    ids["Cut short"] = room.add("Cut short", "王芳", seconds=120)
    ids["Ran over"] = room.add("Ran over", "Li Wei", seconds=60)
    assert room.mod("timer:start")["ok"]
    clock.advance(5)
    for _ in range(3):  # 2:00 cut to 0:30
        assert room.mod("timer:adjust", {"seconds": -30})["ok"]
    clock.advance(20)
    assert room.mod("stage:next")["ok"]  # 0:25 of the 0:30 given: on time
    assert room.mod("timer:adjust", {"seconds": 30})["ok"]  # 1:00 extended to 1:30
    clock.advance(100)
    assert room.mod("stage:next")["ok"]  # 1:40 of the 1:30 given: 0:10 over
    return {"talks": talks, "pitches": pitches, **ids}


def test_the_outcome_json_states_planned_changes_actual_and_over(room, clock):
    ids = run_the_agenda(room, clock)
    res = room.moderator.http.get(f"/api/sessions/{room.code}/outcome")
    assert res.status_code == 200
    timing = res.get_json()["timing"]
    got = {
        p["title"]: (
            p["section_id"],
            p["planned_ms"],
            p["changes_ms"],
            p["actual_ms"],
            p["over_ms"],
        )
        for p in timing["pitches"]
    }
    assert got == {
        "Keynote": (ids["talks"], 120_000, 0, 30_000, 0),
        "Cut short": (ids["pitches"], 120_000, -90_000, 25_000, 0),
        "Ran over": (ids["pitches"], 60_000, 30_000, 100_000, 10_000),
    }
    # the console's report says the same
    report = {p["title"]: p["over_ms"] for p in room.state()["report"]["pitches"]}
    assert report == {"Keynote": 0, "Cut short": 0, "Ran over": 10_000}


def test_the_live_pitch_shows_the_time_it_was_given_so_far(room, clock):
    room.add("Live one", seconds=120)
    assert room.mod("timer:start")["ok"]
    assert room.mod("timer:adjust", {"seconds": 30})["ok"]
    (live,) = room.state()["report"]["pitches"]
    assert (live["given_ms"], live["changes_ms"], live["actual_ms"], live["over_ms"]) == (
        150_000,
        30_000,
        None,
        0,
    )


def test_the_markdown_lists_each_talk_and_pitch_under_its_own_section(room, clock):
    run_the_agenda(room, clock)
    md = room.moderator.http.get(f"/console/{room.code}/outcome.md").get_data(as_text=True)
    table = md.split("## Timing", 1)[1].strip().splitlines()
    assert table[0] == "| Section | Planned | Changes | Actual | Over |"
    assert table[2:] == [
        "| **Talks** | 15:00 |  | 0:30 |  |",
        "| – Keynote (Dr Topham) | 2:00 |  | 0:30 |  |",
        "| **Pitches** | 10:00 |  | 2:05 |  |",
        "| – Cut short (王芳) | 2:00 | \u22121:30 | 0:25 |  |",
        "| – Ran over (Li Wei) | 1:00 | +0:30 | 1:40 | 0:10 |",
    ]


def test_the_printed_report_groups_by_section_and_marks_only_what_ran_over(room, clock):
    ids = run_the_agenda(room, clock)
    html = room.moderator.http.get(f"/console/{room.code}/outcome").get_data(as_text=True)
    timing = html.split('id="timing"', 1)[1].split("</table>", 1)[0]
    order = re.findall(r'id="timing-(section|pitch)-(\d+)"', timing)
    assert order == [
        ("section", str(ids["talks"])),
        ("pitch", str(ids["Keynote"])),
        ("section", str(ids["pitches"])),
        ("pitch", str(ids["Cut short"])),
        ("pitch", str(ids["Ran over"])),
    ]
    over_rows = re.findall(r'<tr class="[^"]*\bover\b[^"]*" id="timing-([a-z]+-\d+)"', timing)
    assert over_rows == [f"pitch-{ids['Ran over']}"]
    assert "0:10 over" in timing and "\u22121:30" in timing and "+0:30" in timing


def timing_table(room: Room) -> str:
    html = room.moderator.http.get(f"/console/{room.code}/outcome").get_data(as_text=True)
    return html.split('id="timing"', 1)[1].split("</table>", 1)[0]


def test_pitches_with_no_section_are_listed_under_the_round_they_ran_in(room, clock):
    for title in ("Round one", "Round two"):
        assert room.mod("section:add", {"title": title, "kind": "pitches", "minutes": 5})["ok"]
    one, two = (s["id"] for s in room.state()["sections"])
    assert room.mod("section:set", {"section_id": one})["ok"]
    first = room.add("First", seconds=60)
    assert room.mod("timer:start")["ok"]
    clock.advance(10)
    assert room.mod("stage:next")["ok"]
    assert room.mod("section:set", {"section_id": two})["ok"]
    second = room.add("Second", seconds=60)
    assert room.mod("timer:start")["ok"]
    clock.advance(10)
    assert room.mod("stage:next")["ok"]
    order = re.findall(r'id="timing-(section|pitch)-(\d+)"', timing_table(room))
    assert order == [
        ("section", str(one)),
        ("pitch", str(first)),
        ("section", str(two)),
        ("pitch", str(second)),
    ]


def test_without_an_agenda_the_pitches_are_listed_alone(room, clock):
    room.add("Only", seconds=60)
    assert room.mod("timer:start")["ok"]
    clock.advance(10)
    assert room.mod("stage:next")["ok"]
    table = timing_table(room)
    assert "Only" in table and "Outside the agenda" not in table
    assert "Nothing has run yet." not in table
    fresh = Room(room.app, clock)
    assert "Nothing has run yet." in timing_table(fresh)


def test_csv_files_carry_a_byte_order_mark_and_read_back_chinese_names(room, clock):
    run_the_agenda(room, clock)
    for path in ("outcome.csv", "log.csv"):
        res = room.moderator.http.get(f"/console/{room.code}/{path}")
        assert res.status_code == 200 and res.mimetype == "text/csv"
        body = res.get_data()
        assert body[:3] == b"\xef\xbb\xbf", path
        assert body[3:6] != b"\xef\xbb\xbf"  # one mark, not two
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        if path == "outcome.csv":
            assert rows[0][0] == "Rank"  # the mark is not part of the first heading
            pitchers = {r[rows[0].index("Pitcher")] for r in rows[1:]}
            assert "王芳" in pitchers
        else:
            assert rows[0][0] == "Time"
