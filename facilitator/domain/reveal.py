"""Reveal as a moment: the moderator steps the ranking in from last place to first.

`revealed_places` counts places (distinct ranks, so pitches tied at a place appear together)
from the bottom of the ranking; None means the whole ranking at once. Until the last step
reaches first place, only the places revealed so far leave the server for the screen, and
phones see no ranking at all, so nobody can read the winner early.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_PLACES = 10_000  # a bound for the stored counter; far beyond any ranking


def shown(rows: Sequence[dict], revealed_places: int | None) -> tuple[list[dict], dict]:
    """The rows of `rows` (a ranking, best first, each with a "rank") revealed so far, and
    what the screen says about it: places shown, places in all, and whether it is complete."""
    ranks = sorted({r["rank"] for r in rows}, reverse=True)
    total = len(ranks)
    if revealed_places is None or revealed_places >= total:
        return list(rows), {"places": total, "of": total, "complete": True}
    places = max(0, revealed_places)
    cutoff = ranks[places - 1] if places else None
    kept = [r for r in rows if cutoff is not None and r["rank"] >= cutoff]
    return kept, {"places": places, "of": total, "complete": False}
