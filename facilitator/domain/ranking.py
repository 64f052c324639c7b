"""Ranking of pitches by votes, with a stated, deterministic tie rule.

Rule: more dots rank higher; pitches with equal dots share a rank (standard competition
ranking: 1, 2, 2, 4) and are listed in queue order among themselves. `tied` marks every entry
that shares its rank with another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TIE_RULE = "equal dots share a rank (1, 2, 2, 4); tied pitches are listed in queue order"


@dataclass(frozen=True)
class Ranked:
    pitch_id: int
    votes: float
    voters: int
    rank: int
    tied: bool


def rank(
    pitch_ids_in_queue_order: Sequence[int],
    votes: Mapping[int, float],
    voters: Mapping[int, int] | None = None,
) -> list[Ranked]:
    voters = voters or {}
    order = {pid: i for i, pid in enumerate(pitch_ids_in_queue_order)}
    ordered = sorted(pitch_ids_in_queue_order, key=lambda pid: (-votes.get(pid, 0), order[pid]))
    counts: dict[float, int] = {}
    for pid in ordered:
        counts[votes.get(pid, 0)] = counts.get(votes.get(pid, 0), 0) + 1
    out: list[Ranked] = []
    for i, pid in enumerate(ordered):
        v = votes.get(pid, 0)
        r = out[-1].rank if out and out[-1].votes == v else i + 1
        out.append(Ranked(pid, v, voters.get(pid, 0), r, counts[v] > 1))
    return out
