"""Reveal as a moment: which rows of a ranking are out after each step."""

from facilitator.domain.reveal import shown

ROWS = [
    {"title": "A", "rank": 1},
    {"title": "B", "rank": 2},
    {"title": "C", "rank": 2},
    {"title": "D", "rank": 4},
]


def titles(rows):
    return [r["title"] for r in rows]


def test_steps_from_last_place_with_ties_together():
    assert shown(ROWS, 0) == ([], {"places": 0, "of": 3, "complete": False})
    assert titles(shown(ROWS, 1)[0]) == ["D"]
    assert titles(shown(ROWS, 2)[0]) == ["B", "C", "D"]
    rows, info = shown(ROWS, 3)
    assert titles(rows) == ["A", "B", "C", "D"] and info["complete"]


def test_none_or_beyond_is_everything():
    assert shown(ROWS, None)[1] == {"places": 3, "of": 3, "complete": True}
    assert titles(shown(ROWS, 99)[0]) == ["A", "B", "C", "D"]
    assert shown([], 1) == ([], {"places": 0, "of": 0, "complete": True})
