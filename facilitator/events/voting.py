"""Voting events: the moderator opens, closes and reveals (at once, or a place at a time with
results:step); a phone sets its dots (batched by ballots.py, bare: no Flask request context on
the hot path, principle 5, docs/architecture.md) and its impact/ease ratings
(services/voting.py).
"""

from __future__ import annotations

from ..domain import voting
from ..validate import ID, Bool, Int
from .registry import MODERATOR, PARTICIPANT, Events


def register(ev: Events) -> None:
    service, ballots, command, mod = ev.service, ev.ballots, ev.command, MODERATOR
    command("voting:open", mod, {}, lambda c, d: service.set_voting(c.session_id, True))
    command("voting:close", mod, {}, lambda c, d: service.set_voting(c.session_id, False))
    command(
        "results:reveal",
        mod,
        {"revealed": Bool()},
        lambda c, d: service.reveal(c.session_id, d["revealed"]),
    )
    command("results:step", mod, {}, lambda c, d: service.reveal_step(c.session_id))
    command(
        "vote:set",
        PARTICIPANT,
        {"pitch_id": ID, "dots": Int(0, 20)},
        lambda c, d: ballots.set_dots(
            c.session_id, c.person, d["pitch_id"], d["dots"], code=c.code, token=c.token
        ),
        bare=True,
    )
    rating = Int(0, voting.RATING_MAX, required=False)
    command(
        "rating:set",
        PARTICIPANT,
        {"pitch_id": ID, "impact": rating, "ease": rating},
        lambda c, d: service.set_rating(c.session_id, c.person, d.pop("pitch_id"), **d),
    )
