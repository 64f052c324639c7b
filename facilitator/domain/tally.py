"""Results of a voting round, per method, with a stated quick-win score and tie rule.

- dots and approval: the score is the number of dots (or marks) a pitch received;
- matrix: each pitch sits at its mean impact (1-5) and mean ease of a quick start (1-5); the
  quick-win score is mean impact x mean ease (1 to 25), so a pitch must be both useful and easy
  to start to rank high. A pitch nobody rated has no position and scores 0.

Ranking (every method): higher score ranks higher; equal scores share a rank (1, 2, 2, 4) and are
listed in queue order; every entry that shares its rank is marked tied. Matrix scores are
compared to two decimals, the precision they are shown with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .ranking import rank
from .voting import MATRIX

QUICK_WIN_SCORE = "mean impact x mean ease (1-25)"
TIE_RULES = {
    "dots": "equal dots share a rank (1, 2, 2, 4); tied pitches are listed in queue order",
    "approval": "equal approvals share a rank (1, 2, 2, 4); tied pitches are listed in queue order",
    "matrix": "equal quick-win scores (to two decimals) share a rank (1, 2, 2, 4); tied "
    "pitches are listed in queue order",
}
MIDPOINT = 3.0  # the middle of the 1-5 scales: the lines that split the matrix


@dataclass(frozen=True)
class Result:
    pitch_id: int
    rank: int
    tied: bool
    score: float  # dots, approvals, or the quick-win score
    voters: int  # participants who voted for (or rated) this pitch
    impact: float | None = None  # matrix only: means, None when nobody rated it
    ease: float | None = None
    quadrant: str | None = None


def quadrant(impact: float | None, ease: float | None) -> str | None:
    """Where a pitch sits in the impact x ease matrix: quick_win is high impact and easy."""
    if impact is None or ease is None:
        return None
    high, easy = impact >= MIDPOINT, ease >= MIDPOINT
    return {
        (True, True): "quick_win",
        (True, False): "major_project",
        (False, True): "fill_in",
        (False, False): "not_now",
    }[(high, easy)]


# Totals per pitch, as the database sums them (or `sum_votes` / `sum_ratings` from rows).
VoteTotals = Mapping[int, tuple[int, int]]  # pitch -> (dots, voters)
RatingTotals = Mapping[int, tuple[int, int, int, int, int]]  # pitch -> (impact sum, impact n,
#                                                                      ease sum, ease n, raters)


def sum_votes(rows: Iterable[tuple[int, int, int]]) -> dict[int, tuple[int, int]]:
    """(pitch id, participant id, dots) rows -> totals per pitch."""
    out: dict[int, tuple[int, int]] = {}
    for pitch_id, _who, n in rows:
        if n > 0:
            dots, voters = out.get(pitch_id, (0, 0))
            out[pitch_id] = (dots + n, voters + 1)
    return out


def sum_ratings(
    rows: Iterable[tuple[int, int, int | None, int | None]],
) -> dict[int, tuple[int, int, int, int, int]]:
    """(pitch id, participant id, impact, ease) rows (either rating may be None) -> totals."""
    out: dict[int, list[int]] = {}
    for pitch_id, _who, i, e in rows:
        if not (i or e):
            continue
        t = out.setdefault(pitch_id, [0, 0, 0, 0, 0])
        if i:
            t[0] += i
            t[1] += 1
        if e:
            t[2] += e
            t[3] += 1
        t[4] += 1
    return {pid: (t[0], t[1], t[2], t[3], t[4]) for pid, t in out.items()}


def tally_votes(order: Sequence[int], totals: VoteTotals) -> list[Result]:
    """Dots or approvals."""
    dots = {pid: int(t[0]) for pid, t in totals.items() if pid in order}
    voters = {pid: int(t[1]) for pid, t in totals.items() if pid in order}
    return [
        Result(r.pitch_id, r.rank, r.tied, r.votes, r.voters) for r in rank(order, dots, voters)
    ]


def _mean(total: int, n: int) -> float | None:
    return round(total / n, 2) if n else None


def tally_ratings(order: Sequence[int], totals: RatingTotals) -> list[Result]:
    """Impact x ease: each pitch at its means, ranked by the quick-win score."""
    means = {
        pid: (_mean(*totals[pid][0:2]), _mean(*totals[pid][2:4])) if pid in totals else (None, None)
        for pid in order
    }
    scores = {
        pid: round(i * e, 2) for pid, (i, e) in means.items() if i is not None and e is not None
    }
    raters = {pid: int(totals[pid][4]) for pid in order if pid in totals}
    return [
        Result(
            r.pitch_id,
            r.rank,
            r.tied,
            r.votes,
            r.voters,
            *means[r.pitch_id],
            quadrant(*means[r.pitch_id]),
        )
        for r in rank(order, scores, raters)
    ]


def tally(
    method: str, order: Sequence[int], votes: VoteTotals, ratings: RatingTotals
) -> list[Result]:
    return tally_ratings(order, ratings) if method == MATRIX else tally_votes(order, votes)
