"""The stage: what is live, its timer, the overrun policy, the screen's mode, its "next part"
card and cues.

A timer is data (principle 2, docs/architecture.md): commands store its state and its end, the
clients compute the countdown, and the timekeeper wakes once when the overrun policy is due
(`overrun_deadline`, `auto_next`). A command that names the pitch it saw live is refused once
the stage has moved on, so two consoles pressing "next" never skip a pitch.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ..domain import queue, schedule
from ..domain.errors import RuleError
from ..domain.timer import PAUSED, RUNNING, Timer
from ..models import Pitch, Session
from .base import ANY, Change, ServiceBase


class StageCommands(ServiceBase):
    def _go_live(self, s: Session, p: Pitch, now: int) -> None:
        p.status, p.started_at, p.ended_at = queue.LIVE, now, None
        p.spoken_ms = p.overrun_ms = p.given_ms = None
        s.timer = Timer.ready(p.seconds * 1000).start(now)
        s.pitcher_message = ""

    def _check_expect(self, live: Pitch | None, expect: int | None | object) -> None:
        """Two consoles pressing at once: a command that names the pitch it saw live is
        refused if the stage has moved on since (so two "next" never skip a pitch)."""
        if expect is not ANY and (live.id if live else None) != expect:
            raise RuleError("stage_changed")

    def start(self, session_id: int, expect: int | None | object = ANY) -> Change:
        """Start the live pitch's timer, or bring the first queued pitch on stage and start."""
        with self._moderate(session_id, "start") as step:
            s, now = step.s, step.now
            pitches = self._scope(step.db, s)
            current = queue.live(pitches)
            self._check_expect(current, expect)
            if current is None:
                nxt = queue.up_next(pitches)
                if nxt is None:
                    raise RuleError("queue_empty")
                self._go_live(s, nxt, now)
                changed = self._owners(nxt, queue.up_next(pitches))
                step.detail = nxt.title
            else:
                t = s.timer
                s.timer = t.resume(now) if t.state == PAUSED else t.start(now)
                changed = self._owners(current)
                step.detail = current.title
        return Change(session_id, stage=True, participants=changed)

    def _timer_command(
        self,
        session_id: int,
        action: str,
        apply: Callable[[Timer, int, Pitch], Timer],
        undoable: bool = False,
    ) -> Change:
        with self._moderate(session_id, action) as step:
            s = step.s
            current = queue.live(self._pitches(step.db, s))
            if current is None:
                raise RuleError("no_live_pitch")
            if undoable:
                step.undo = {"pitch_id": current.id, "timer": s.timer.to_state()}
            s.timer = apply(s.timer, step.now, current)
            step.detail = current.title
        return Change(session_id, stage=True, reply={"undo": action} if undoable else {})

    def pause(self, session_id: int) -> Change:
        return self._timer_command(session_id, "pause", lambda t, now, _p: t.pause(now))

    def resume(self, session_id: int) -> Change:
        return self._timer_command(session_id, "resume", lambda t, now, _p: t.resume(now))

    def adjust(self, session_id: int, seconds: int) -> Change:
        return self._timer_command(
            session_id, f"adjust {seconds:+d}s", lambda t, now, _p: t.adjust(seconds * 1000, now)
        )

    def reset(self, session_id: int) -> Change:
        return self._timer_command(
            session_id, "reset", lambda t, now, p: t.reset(p.seconds * 1000), undoable=True
        )

    def next(
        self, session_id: int, expect: int | None | object = ANY, action: str = "next"
    ) -> Change:
        """End the live pitch (done) and start the first queued one, if any."""
        with self._moderate(session_id, action) as step:
            s, now = step.s, step.now
            pitches = self._scope(step.db, s)
            current = queue.live(pitches)
            self._check_expect(current, expect)
            nxt = queue.up_next(pitches)
            if current is None and nxt is None:
                raise RuleError("queue_empty")
            if current is not None:
                self._end(s, current, now, queue.DONE)
            if nxt is not None:
                self._go_live(s, nxt, now)
            step.detail = " -> ".join(p.title if p else "-" for p in (current, nxt))
            return Change(
                s.id,
                stage=True,
                counts=True,
                participants=self._owners(current, nxt, queue.up_next(pitches)),
                reply={"live": nxt.id if nxt else None},
            )

    def overrun_deadline(self, session_id: int) -> tuple[int, int] | None:
        """(moment, live pitch id) at which the overrun policy moves on by itself, if any."""
        with self.unit() as db:
            s = self._session(db, session_id, lock=False)
            if s.timer_state != RUNNING:
                return None
            live = queue.live(self._pitches(db, s))
            due = schedule.overrun_due(
                s.overrun_policy, s.timer_ends_at, s.overrun_grace_seconds * 1000
            )
            return None if live is None or due is None else (due, live.id)

    def auto_next(self, session_id: int, pitch_id: int) -> Change | None:
        """The timekeeper's wake-up. Idempotent: does nothing unless the same pitch is still
        live and past its grace period (another process or a moderator may have moved on)."""
        found = self.overrun_deadline(session_id)
        if found is None or found[1] != pitch_id or found[0] > self.clock():
            return None
        try:
            return self.next(session_id, expect=pitch_id, action="auto next")
        except RuleError:
            return None

    def sessions_with_running_timers(self) -> list[int]:
        with self.unit() as db:
            return list(db.scalars(select(Session.id).where(Session.timer_state == RUNNING)))

    def set_screen_mode(self, session_id: int, mode: str) -> Change:
        with self._moderate(session_id, "screen") as step:
            step.s.screen_mode = step.detail = mode
            step.s.card_until = None  # a mode chosen by hand is never covered by the card
        return Change(session_id, stage=True)

    def dismiss_card(self, session_id: int) -> Change:
        """Take the "next part" card off the screen before its time is up."""
        with self._moderate(session_id, "dismiss card") as step:
            step.s.card_until = None
        return Change(session_id, stage=True)

    def cue(self, session_id: int, target: str, text: str) -> Change:
        """A short message, shown large on the screen or on the live pitcher's phone only."""
        with self._moderate(session_id, f"cue {target}") as step:
            s = step.s
            live = queue.live(self._pitches(step.db, s))
            if target == "pitcher":
                if live is None:
                    raise RuleError("no_live_pitch")
                s.pitcher_message = text
                step.detail = text
                return Change(session_id, console=True, participants=self._owners(live))
            s.screen_message = step.detail = text
        return Change(session_id, stage=True)
