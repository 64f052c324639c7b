"""What each audience sees (DESIGN principle 4): full, revisioned snapshots, never deltas.

- `stage`: public, the same for every phone; sent to all phones only when the stage changes.
- `screen`: the stage plus head counts (and results once revealed), for the projector.
- `console`: everything the moderator needs, including pending pitches and live tallies.
- `me`: one participant's own state (ballot, own pitches); sent to that participant only.

A phone never receives another participant's private data: the stage names pitchers (their
pitch is public) and nothing else about anyone.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DB

from .domain import queue, ranking, voting
from .models import Participant, Pitch, Section, Session, Vote


def _pitch(p: Pitch) -> dict:
    return {"id": p.id, "title": p.title, "offer": p.offer, "pitcher": p.pitcher,
            "organisation": p.organisation, "status": p.status, "seconds": p.seconds}


def resolve_mode(s: Session, has_live: bool) -> str:
    if s.screen_mode != "auto":
        return s.screen_mode
    if s.revealed:
        return "results"
    if s.voting == voting.OPEN:
        return "voting"
    return "pitch" if has_live else "lobby"


class Snapshots:
    def __init__(self, make_db, clock: Callable[[], int], join_url: Callable[[str], str]):
        self.make_db = make_db
        self.clock = clock
        self.join_url = join_url

    def _load(self, db: DB, session_id: int):
        s = db.get(Session, session_id)
        pitches = queue.in_order(list(db.scalars(select(Pitch).where(
            Pitch.session_id == session_id))))
        return s, pitches

    def _results(self, db: DB, pitches: list[Pitch]) -> list[dict]:
        votable = [p for p in pitches if p.status in queue.VOTABLE]
        ids = [p.id for p in votable]
        tallies = {pid: (dots, voters) for pid, dots, voters in db.execute(
            select(Vote.pitch_id, func.sum(Vote.dots), func.count(Vote.id))
            .where(Vote.pitch_id.in_(ids)).group_by(Vote.pitch_id))} if ids else {}
        by_id = {p.id: p for p in votable}
        ranked = ranking.rank(ids, {k: int(v[0]) for k, v in tallies.items()},
                              {k: int(v[1]) for k, v in tallies.items()})
        return [{"rank": r.rank, "tied": r.tied, "votes": r.votes, "voters": r.voters,
                 **_pitch(by_id[r.pitch_id])} for r in ranked]

    def _counts(self, db: DB, s: Session, pitches: list[Pitch]) -> dict:
        votable = [p.id for p in pitches if p.status in queue.VOTABLE]
        ballots = db.scalar(select(func.count(func.distinct(Vote.participant_id))).where(
            Vote.session_id == s.id, Vote.pitch_id.in_(votable))) if votable else 0
        joined = db.scalar(select(func.count()).select_from(Participant).where(
            Participant.session_id == s.id))
        return {"participants": joined, "ballots": ballots}

    def _stage(self, db: DB, s: Session, pitches: list[Pitch]) -> dict:
        live = queue.live(pitches)
        nxt = queue.up_next(pitches)
        section = db.get(Section, s.current_section_id) if s.current_section_id else None
        return {
            "rev": s.revision,
            "server_now": self.clock(),
            "session": {"code": s.code, "title": s.title, "join_url": self.join_url(s.code),
                        "dots_per_person": s.dots_per_person,
                        "max_dots_per_pitch": s.max_dots_per_pitch,
                        "pitch_seconds": s.pitch_seconds},
            "section": {"id": section.id, "title": section.title, "kind": section.kind}
            if section else None,
            "mode": resolve_mode(s, live is not None),
            "voting": s.voting,
            "revealed": s.revealed,
            "live": _pitch(live) if live else None,
            "next": _pitch(nxt) if nxt else None,
            "timer": s.timer.to_dict(),
            "queue": [_pitch(p) for p in pitches if p.status != queue.PENDING],
            "tie_rule": ranking.TIE_RULE,
        }

    # ----- per audience ---------------------------------------------------------------------

    def stage(self, session_id: int) -> dict:
        with self.make_db() as db:
            s, pitches = self._load(db, session_id)
            out = self._stage(db, s, pitches)
            out["results"] = self._results(db, pitches) if s.revealed else None
            return out

    def screen(self, session_id: int) -> dict:
        with self.make_db() as db:
            s, pitches = self._load(db, session_id)
            out = self._stage(db, s, pitches)
            out["counts"] = self._counts(db, s, pitches)
            out["results"] = self._results(db, pitches) if s.revealed else None
            return out

    def counts(self, session_id: int) -> dict:
        """Head counts only: the coalesced update the screen gets while votes come in."""
        with self.make_db() as db:
            s, pitches = self._load(db, session_id)
            return {"rev": s.revision, **self._counts(db, s, pitches)}

    def console(self, session_id: int) -> dict:
        with self.make_db() as db:
            s, pitches = self._load(db, session_id)
            out = self._stage(db, s, pitches)
            out["counts"] = self._counts(db, s, pitches)
            out["results"] = self._results(db, pitches)
            out["pending"] = [_pitch(p) for p in pitches if p.status == queue.PENDING]
            out["settings"] = {"auto_accept": s.auto_accept, "screen_mode": s.screen_mode,
                               "pitch_seconds": s.pitch_seconds,
                               "dots_per_person": s.dots_per_person,
                               "max_dots_per_pitch": s.max_dots_per_pitch}
            out["sections"] = [{"id": x.id, "title": x.title, "kind": x.kind,
                                "minutes": x.minutes}
                               for x in db.scalars(select(Section).where(
                                   Section.session_id == s.id).order_by(Section.position))]
            return out

    def me(self, session_id: int, participant_id: int) -> dict:
        with self.make_db() as db:
            s, pitches = self._load(db, session_id)
            p = db.get(Participant, participant_id)
            if p is None:
                return {"participant": None}
            ballot = {v.pitch_id: v.dots for v in db.scalars(
                select(Vote).where(Vote.participant_id == participant_id))}
            votable = {x.id for x in pitches if x.status in queue.VOTABLE}
            rules = voting.DotRules(s.dots_per_person, s.max_dots_per_pitch)
            own = [x for x in pitches if x.participant_id == participant_id]
            return {
                "rev": s.revision,
                "participant": {"id": p.id, "name": p.name, "organisation": p.organisation},
                "ballot": {str(k): v for k, v in ballot.items() if k in votable},
                "dots_left": voting.dots_left(rules, ballot, votable),
                "pitches": [_pitch(x) for x in own],
            }
