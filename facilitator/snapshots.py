"""What each audience sees (principle 4, docs/architecture.md): full, revisioned snapshots,
never deltas.

- `stage`: public, the same for every phone; sent to all phones only when the stage changes.
- `screen`: the stage plus head counts (and results once revealed), for the projector.
- `console`: everything the moderator needs: pending pitches, live tallies, the schedule,
  the fit of the queue, the log and what can be undone.
- `me`: one participant's own state (ballot, own pitches, the moderator's cue while their
  pitch is live); sent to that participant only.

A phone never receives another participant's private data: the stage names pitchers (their
pitch is public) and nothing else about anyone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DB

from .ballots import FactsCache, QueueFacts, ballot_reply
from .domain import phase, queue, reveal, schedule, screen, settings, tally, timing, voting
from .domain.errors import RuleError
from .domain.sessions import UNDO_SECONDS
from .models import (
    Commitment,
    Interest,
    LogEntry,
    Participant,
    Pitch,
    Rating,
    Section,
    Session,
    Vote,
)


def _pitch(p: Pitch) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "offer": p.offer,
        "title_alt": p.title_alt or "",
        "offer_alt": p.offer_alt or "",
        "pitcher": p.pitcher,
        "organisation": p.organisation,
        "status": p.status,
        "seconds": p.seconds,
        "ready": p.ready_at is not None,
    }


def _section(sec: Section) -> dict:
    return {
        "id": sec.id,
        "title": sec.title,
        "kind": sec.kind,
        "minutes": sec.minutes,
        "started_at": sec.started_at,
        "ended_at": sec.ended_at,
    }


def results_visible(s: Session, screen: bool = False) -> bool:
    """Results reach phones and the screen once revealed; the screen (never the phones, so a
    vote's cost does not grow with the room) also sees them live when the moderator says so."""
    return s.revealed or (screen and s.results_live)


def resolve_mode(s: Session, has_live: bool) -> str:
    if s.screen_mode != screen.AUTO:
        return s.screen_mode
    if s.revealed or (s.results_live and s.voting == voting.OPEN):
        return "results"
    if s.voting == voting.OPEN and not (s.voting_round == voting.PER_PITCH and has_live):
        # In per-pitch rounds voting stays open through the pitches: the stage comes first.
        return "voting"
    return "pitch" if has_live else "lobby"


class View:
    """One read of a session: the rows every audience's snapshot is built from."""

    def __init__(self, db: DB, session_id: int):
        self.db = db
        s = db.get(Session, session_id)
        if s is None:
            raise RuleError("unknown_session")
        self.s: Session = s
        self.sections = list(
            db.scalars(
                select(Section)
                .where(Section.session_id == session_id)
                .order_by(Section.position, Section.id)
            )
        )
        self.pitches = queue.in_order(
            list(
                db.scalars(
                    select(Pitch).where(
                        Pitch.session_id == session_id, Pitch.status != queue.REMOVED
                    )
                )
            )
        )
        self.section = next((x for x in self.sections if x.id == self.s.current_section_id), None)
        self.scope = queue.in_section(
            self.pitches,
            self.section.id if self.section else None,
            self.section.kind if self.section else None,
        )
        talks = {x.id for x in self.sections if x.kind == schedule.TALKS}
        self.votable = queue.votable(self.pitches, talks)
        self.open_ids = [
            p.id
            for p in queue.open_for_votes(self.votable, self.s.voting_round == voting.PER_PITCH)
        ]

    @cached_property
    def interest(self) -> dict[int, int]:
        """How many people want to follow up on each pitch (counts only, never names); read
        once per view, though both the ranking and the head counts show it."""
        return {
            pid: int(n)
            for pid, n in self.db.execute(
                select(Interest.pitch_id, func.count(Interest.id))
                .where(Interest.session_id == self.s.id)
                .group_by(Interest.pitch_id)
            )
        }


def queue_facts(db: DB, session_id: int) -> tuple[tuple, QueueFacts]:
    """How `FactsCache` reads a session's queue facts: the pitch ids open for votes, each
    participant's own pitches, and whose pitch is live."""
    v = View(db, session_id)
    own: dict[int, list[dict]] = {}
    for x in v.pitches:
        if x.participant_id is not None:
            own.setdefault(x.participant_id, []).append(_pitch(x))
    return (v.s.code, v.s.revision or 0), QueueFacts(
        frozenset(v.open_ids),
        own,
        frozenset(x.participant_id for x in v.pitches if x.status == queue.LIVE),
    )


class Snapshots:
    def __init__(
        self,
        make_db,
        facts: FactsCache,
        clock: Callable[[], int],
        join_url: Callable[[str], str],
        outcome_url: Callable[[str], str] = lambda token: f"/o/{token}",
    ):
        self.make_db = make_db
        self.facts = facts  # what `me` needs from the queue, read once per session revision
        self.clock = clock
        self.join_url = join_url
        self.outcome_url = outcome_url

    # ----- parts ----------------------------------------------------------------------------

    def _results(self, v: View) -> list[dict]:
        """The ranking under the session's voting method, summed by the database."""
        ids = [p.id for p in v.votable]
        votes: dict[int, tuple[int, int]] = {}
        ratings: dict[int, tuple[int, int, int, int, int]] = {}
        if ids and v.s.voting_method == voting.MATRIX:
            ratings = {
                pid: (int(i or 0), int(i_n or 0), int(e or 0), int(e_n or 0), int(n or 0))
                for pid, i, i_n, e, e_n, n in v.db.execute(
                    select(
                        Rating.pitch_id,
                        func.sum(Rating.impact),
                        func.count(Rating.impact),
                        func.sum(Rating.ease),
                        func.count(Rating.ease),
                        func.count(Rating.id),
                    )
                    .where(Rating.pitch_id.in_(ids))
                    .group_by(Rating.pitch_id)
                )
            }
        elif ids:
            votes = {
                pid: (int(dots), int(n))
                for pid, dots, n in v.db.execute(
                    select(Vote.pitch_id, func.sum(Vote.dots), func.count(Vote.id))
                    .where(Vote.pitch_id.in_(ids))
                    .group_by(Vote.pitch_id)
                )
            }
        interest = v.interest
        by_id = {p.id: p for p in v.votable}
        return [
            {
                "rank": r.rank,
                "tied": r.tied,
                "score": r.score,
                "votes": r.score,
                "voters": r.voters,
                "impact": r.impact,
                "ease": r.ease,
                "quadrant": r.quadrant,
                "interest": interest.get(r.pitch_id, 0),
                **_pitch(by_id[r.pitch_id]),
            }
            for r in tally.tally(v.s.voting_method, ids, votes, ratings)
        ]

    def _counts(self, v: View) -> dict:
        ids = v.open_ids
        ballots = 0
        if ids:
            voters = (
                select(Vote.participant_id)
                .where(Vote.pitch_id.in_(ids))
                .union(select(Rating.participant_id).where(Rating.pitch_id.in_(ids)))
                .subquery()
            )
            ballots = v.db.scalar(select(func.count()).select_from(voters)) or 0
        joined = v.db.scalar(
            select(func.count())
            .select_from(Participant)
            .where(Participant.session_id == v.s.id, Participant.deleted_at.is_(None))
        )
        return {
            "participants": joined,
            "ballots": ballots,
            "interest": {str(k): n for k, n in v.interest.items()},
        }

    def _commitments(self, v: View) -> list[dict]:
        """The commitments, in queue order: public (owners are named, nothing else)."""
        rows = {
            c.pitch_id: c
            for c in v.db.scalars(select(Commitment).where(Commitment.session_id == v.s.id))
        }
        return [
            {
                "pitch_id": p.id,
                "title": p.title,
                "pitcher": p.pitcher,
                "owners": [o["name"] for o in json.loads(rows[p.id].owners) if o["name"]],
                "next_step": rows[p.id].next_step,
                "due": rows[p.id].due,
                "status": rows[p.id].status,
            }
            for p in v.pitches
            if p.id in rows
        ]

    def _stage(self, v: View) -> dict:
        s = v.s
        live = queue.live(v.scope)
        nxt = queue.up_next(v.scope)
        return {
            "rev": s.revision,
            "server_now": self.clock(),
            "session": {
                "code": s.code,
                "title": s.title,
                "join_url": self.join_url(s.code),
                **{name: getattr(s, name) for name in settings.PUBLIC},
            },
            "section": _section(v.section) if v.section else None,
            "mode": resolve_mode(s, live is not None),
            "voting": s.voting,
            "revealed": s.revealed,
            "method": s.voting_method,
            "round": s.voting_round,
            "open_ids": v.open_ids,
            "rate_now": {"pitch_id": s.rate_pitch_id, "until": s.rate_until}
            if s.rate_pitch_id and s.voting == voting.OPEN
            else None,
            "commitments": self._commitments(v),
            "outcome_url": self.outcome_url(s.outcome_token or "") if s.outcome_public else None,
            "live": _pitch(live) if live else None,
            "next": _pitch(nxt) if nxt else None,
            "timer": s.timer.to_dict(),
            "queue": [_pitch(p) for p in v.scope if p.status != queue.PENDING],
            # Each waiting pitch's place within its own section (a pitcher's phone shows it).
            "lineup": {
                str(pid): place
                for pid, place in queue.lineup(
                    v.pitches, v.sections, s.current_section_id, s.changeover_seconds * 1000
                ).items()
            },
            "votable": [_pitch(p) for p in v.votable],
            "message": s.screen_message,
            "card_until": s.card_until if s.screen_mode == screen.AUTO else None,
            "tie_rule": tally.TIE_RULES[s.voting_method],
            "score_rule": tally.QUICK_WIN_SCORE if s.voting_method == voting.MATRIX else None,
        }

    def _schedule(self, v: View, now: int) -> dict:
        """Clock, time left, ahead/behind and the fit of the waiting pitches."""
        s = v.s
        live = queue.live(v.scope)
        live_left = s.timer.remaining(now) if live else 0
        waiting = [p for p in v.scope if p.status == queue.QUEUED]
        lengths = [p.seconds * 1000 for p in waiting]
        changeover = s.changeover_seconds * 1000
        out: dict[str, Any] = {
            "now": now,
            "planned_start": s.planned_start,
            "planned_end": s.planned_end,
            "session_left_ms": s.planned_end - now if s.planned_end else None,
            "section_left_ms": None,
            "behind_ms": None,
            "fit": None,
            "waiting": [p.id for p in waiting],
            "changeover_seconds": s.changeover_seconds,
            "floor_seconds": s.fit_floor_seconds,
            # When each waiting item should start at this pace (epoch ms, by pitch id).
            "starts": dict(
                zip(
                    [str(p.id) for p in waiting],
                    schedule.expected_starts(now, live_left if live else None, lengths, changeover),
                    strict=True,
                )
            ),
        }
        sec = v.section
        if sec is None:
            return out
        idx = v.sections.index(sec)
        later = sum(x.minutes for x in v.sections[idx + 1 :]) * 60_000
        started = sec.started_at or now
        planned_end = (
            s.planned_start + sum(x.minutes for x in v.sections[: idx + 1]) * 60_000
            if s.planned_start
            else started + sec.minutes * 60_000
        )
        end = schedule.section_end(started, sec.minutes * 60_000, s.planned_end, later)
        out["section_left_ms"] = end - now
        out["behind_ms"] = schedule.projected_end(now, live_left, lengths, changeover) - planned_end
        if sec.kind == schedule.TALKS:
            return out  # invited talks are not fitted or cut: their speakers were invited
        available = end - now - max(0, live_left)
        f = schedule.fit(lengths, available, changeover, s.fit_floor_seconds * 1000)
        out["fit"] = {
            "fits": f.fits,
            "fitting": f.fitting,
            "needed_ms": f.needed_ms,
            "available_ms": f.available_ms,
            "proposal_seconds": f.proposal_ms // 1000 if f.proposal_ms else None,
            "left_out": f.left_out,
        }
        return out

    def _report(self, v: View, now: int) -> dict:
        """Planned, given (planned plus the moderator's changes) and actual time, per pitch
        and per section, and by how much each ran over (domain/timing.py)."""
        timer = v.s.timer
        runs = [timing.Run(x.id, x.kind, x.started_at, x.ended_at) for x in v.sections]
        pitches = [
            {
                "id": p.id,
                "title": p.title,
                "pitcher": p.pitcher,
                "section_id": timing.ran_in(p.section_id, p.started_at, runs),
                **timing.pitch_timing(
                    p.seconds * 1000,
                    timer.total_ms if p.status == queue.LIVE else p.given_ms,
                    None if p.status == queue.LIVE else p.spoken_ms,
                    p.overrun_ms,
                ).as_dict(),
                "overrun_ms": p.overrun_ms or 0,
                "status": p.status,
            }
            for p in v.pitches
            if p.started_at is not None
        ]
        sections = [
            {
                "id": x.id,
                "title": x.title,
                "kind": x.kind,
                **timing.section_timing(
                    x.minutes * 60_000,
                    ((x.ended_at or now) - x.started_at) if x.started_at else None,
                ).as_dict(),
                "running": x.started_at is not None and x.ended_at is None,
            }
            for x in v.sections
        ]
        return {"pitches": pitches, "sections": sections}

    def _log(self, v: View, now: int) -> tuple[list[dict], dict | None]:
        entries = list(
            v.db.scalars(
                select(LogEntry)
                .where(LogEntry.session_id == v.s.id)
                .order_by(LogEntry.id.desc())
                .limit(30)
            )
        )
        undo = next((e for e in entries if e.undo and not e.undone), None)
        offer = None
        if undo is not None and now - undo.at <= UNDO_SECONDS * 1000:
            offer = {
                "action": undo.action,
                "detail": undo.detail,
                "until": undo.at + UNDO_SECONDS * 1000,
            }
        return [
            {"at": e.at, "action": e.action, "detail": e.detail, "undone": e.undone}
            for e in entries
        ], offer

    # ----- per audience ---------------------------------------------------------------------

    def revision(self, session_id: int) -> int | None:
        """The session's revision (None once erased): one indexed read."""
        with self.make_db() as db:
            return db.scalar(select(Session.revision).where(Session.id == session_id))

    def _revealed(self, v: View, rows: list[dict]) -> tuple[list[dict], dict]:
        """The rows revealed so far while the moderator steps the ranking in (reveal.py)."""
        return reveal.shown(rows, v.s.revealed_places if v.s.revealed else None)

    def stage(self, session_id: int) -> dict:
        with self.make_db() as db:
            v = View(db, session_id)
            out = self._stage(v)
            out["results"] = out["reveal"] = None
            if results_visible(v.s):
                rows = self._results(v)
                _, out["reveal"] = self._revealed(v, rows)
                # Phones see the ranking once first place is out, never ahead of the screen.
                out["results"] = rows if out["reveal"]["complete"] else None
            return out

    def screen(self, session_id: int) -> dict:
        with self.make_db() as db:
            v = View(db, session_id)
            out = self._stage(v)
            out["counts"] = self._counts(v)
            out["results"] = out["reveal"] = None
            if results_visible(v.s, screen=True):
                out["results"], out["reveal"] = self._revealed(v, self._results(v))
            return out

    def counts(self, session_id: int) -> tuple[dict | None, dict | None]:
        """The coalesced updates while votes come in, for the screen and for the console: head
        counts, and the results (the screen's only while they are shown to the room)."""
        with self.make_db() as db:
            if db.get(Session, session_id) is None:  # erased since the change
                return None, None
            v = View(db, session_id)
            out = {"rev": v.s.revision, **self._counts(v)}
            results = self._results(v)
            screen = out
            if results_visible(v.s, screen=True):
                shown, info = self._revealed(v, results)
                screen = {**out, "results": shown, "reveal": info}
            return screen, {**out, "results": results}

    def console(self, session_id: int) -> dict:
        with self.make_db() as db:
            v = View(db, session_id)
            s, now = v.s, self.clock()
            out = self._stage(v)
            out["counts"] = self._counts(v)
            out["results"] = self._results(v)
            out["reveal"] = self._revealed(v, out["results"])[1] if s.revealed else None
            out["pending"] = [_pitch(p) for p in v.pitches if p.status == queue.PENDING]
            out["settings"] = {
                **{x.name: getattr(s, x.name) for x in settings.SETTINGS},
                "screen_mode": s.screen_mode,
                "outcome_public": s.outcome_public,
            }
            # Three columns, not Participant objects: this list holds the whole room and the
            # console snapshot is rebuilt up to ten times a second while votes come in.
            out["people"] = [
                {"id": pid, "name": name, "organisation": org}
                for pid, name, org in db.execute(
                    select(Participant.id, Participant.name, Participant.organisation)
                    .where(Participant.session_id == s.id, Participant.deleted_at.is_(None))
                    .order_by(Participant.name)
                )
            ]
            out["sections"] = [_section(x) for x in v.sections]
            out["schedule"] = self._schedule(v, now)
            out["report"] = self._report(v, now)
            out["log"], out["undo"] = self._log(v, now)
            out["pitcher_message"] = s.pitcher_message
            out["phase"] = self._phase(v, out)
            return out

    def _phase(self, v: View, out: dict) -> dict:
        """The main action that moves the session on, and where the stage is in its section
        (domain/phase.py)."""
        s = v.s
        sections = [
            phase.SectionInfo(x.id, x.kind, x.title, x.started_at is not None) for x in v.sections
        ]

        def action(live: bool) -> phase.Phase:
            return phase.main_action(
                sections=sections,
                current_id=v.section.id if v.section else None,
                live=live,
                timer_state=s.timer.state,
                waiting=len(out["schedule"]["waiting"]),
                voting=s.voting,
                # Stepping the ranking in (E) is revealing until first place is out.
                revealed=s.revealed and (out["reveal"] is None or out["reveal"]["complete"]),
                votable=len(v.votable),
                commitments=len(out["commitments"]),
                outcome_public=s.outcome_public,
            )

        found = action(out["live"] is not None)
        then = action(False)  # what follows once the stage is free: the run of show's next step
        at, total = phase.position([p.status for p in v.scope if p.status != queue.PENDING])
        return {**found.to_dict(), "number": at, "total": total, "then": then.to_dict()}

    def results(self, session_id: int) -> dict:
        """The ranking and what it is about, for the results API: the queue and the tallies,
        not the rest of the console (its people list grows with the room)."""
        with self.make_db() as db:
            v = View(db, session_id)
            s = v.s
            rows = self._results(v)
            return {
                "voting": s.voting,
                # While the moderator steps the ranking in, it is not revealed to readers yet.
                "revealed": s.revealed and self._revealed(v, rows)[1]["complete"],
                "ballots": self._counts(v)["ballots"],
                "method": s.voting_method,
                "tie_rule": tally.TIE_RULES[s.voting_method],
                "score_rule": tally.QUICK_WIN_SCORE if s.voting_method == voting.MATRIX else None,
                "results": rows,
            }

    def outcome(self, session_id: int, private: bool) -> dict:
        """What the session produced: the ranked quick wins with scores, interest and
        commitments, and the timing. `private` (the moderator's) adds the people who want to
        follow up and the participants, with contact details only where they consented; the
        public outcome has no personal data beyond pitchers' and owners' names."""
        with self.make_db() as db:
            v = View(db, session_id)
            s, now = v.s, self.clock()
            commitments = {c["pitch_id"]: c for c in self._commitments(v)}
            results = []
            for r in self._results(v):
                row = {
                    k: r[k]
                    for k in (
                        "id",
                        "rank",
                        "tied",
                        "title",
                        "title_alt",
                        "pitcher",
                        "organisation",
                        "offer",
                        "status",
                        "score",
                        "voters",
                        "impact",
                        "ease",
                        "quadrant",
                        "interest",
                    )
                }
                row["commitment"] = commitments.get(r["id"])
                if private:
                    row["interested"] = self._interested(db, r["id"])
                results.append(row)
            out = {
                "code": s.code,
                "title": s.title,
                "created_at": s.created_at,
                "generated_at": now,
                "method": s.voting_method,
                "round": s.voting_round,
                "voting": s.voting,
                "revealed": s.revealed,
                "tie_rule": tally.TIE_RULES[s.voting_method],
                "score_rule": tally.QUICK_WIN_SCORE if s.voting_method == voting.MATRIX else None,
                "counts": {k: n for k, n in self._counts(v).items() if k != "interest"},
                "results": results,
                "commitments": list(commitments.values()),
                "timing": {
                    "planned_start": s.planned_start,
                    "planned_end": s.planned_end,
                    **self._report(v, now),
                },
                "outcome_url": self.outcome_url(s.outcome_token or "")
                if s.outcome_public
                else None,
            }
            if private:
                out["participants"] = [
                    contact_card(p)
                    for p in db.scalars(
                        select(Participant)
                        .where(Participant.session_id == s.id, Participant.deleted_at.is_(None))
                        .order_by(Participant.name)
                    )
                ]
            return out

    def me(self, session_id: int, participant_id: int) -> dict:
        with self.make_db() as db:
            s = db.get(Session, session_id)
            p = db.get(Participant, participant_id)
            if p is None or p.deleted_at is not None:
                return {"participant": None}
            votable, own_pitches, live_owners = self.facts.get(db, s.id, s.code, s.revision or 0)
            ballot = {
                x.pitch_id: x.dots
                for x in db.scalars(select(Vote).where(Vote.participant_id == participant_id))
            }
            ratings = {
                str(x.pitch_id): {"impact": x.impact or 0, "ease": x.ease or 0}
                for x in db.scalars(select(Rating).where(Rating.participant_id == participant_id))
            }
            rules = voting.rules_for(s.voting_method, s.dots_per_person, s.max_dots_per_pitch)
            following = set(
                db.scalars(
                    select(Interest.pitch_id).where(Interest.participant_id == participant_id)
                )
            )
            return {
                "rev": s.revision,
                "participant": {
                    "id": p.id,
                    "name": p.name,
                    "organisation": p.organisation,
                    "email": p.email,
                    "phone": p.phone,
                    "consent": p.consent_at is not None,
                },
                **ballot_reply(rules, ballot, votable),
                "ratings": ratings,
                "following": sorted(following),
                "pitches": [
                    {**x, "interested": self._interested(db, x["id"])}
                    for x in own_pitches.get(participant_id, ())
                ],
                "cue": s.pitcher_message if participant_id in live_owners else "",
            }

    def _interested(self, db: DB, pitch_id: int) -> list[dict]:
        """Who wants to follow up on a pitch, for its pitcher (and the moderator): name,
        organisation, and contact details only where that person consented."""
        return [
            contact_card(p)
            for p in db.scalars(
                select(Participant)
                .join(Interest, Interest.participant_id == Participant.id)
                .where(Interest.pitch_id == pitch_id, Participant.deleted_at.is_(None))
                .order_by(Interest.at, Interest.id)
            )
        ]


def contact_card(p: Participant) -> dict:
    """A person as the moderator and the pitchers they follow up with see them: name,
    organisation, and contact details only where that person consented."""
    consent = p.consent_at is not None
    return {
        "name": p.name,
        "organisation": p.organisation,
        "email": p.email if consent else "",
        "phone": p.phone if consent else "",
    }
