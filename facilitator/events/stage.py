"""Stage events: the timer, "next", cues, the screen's mode and its "next part" card
(services/stage.py).

`expect`: the live pitch id the console saw (0: none). Optional; when given, the command is
refused if another console has changed the stage since. Every stage change re-arms the
timekeeper's one wake-up (principle 2, docs/architecture.md).
"""

from __future__ import annotations

from ..domain import screen
from ..services import ANY
from ..validate import Choice, Int, Text
from .registry import MODERATOR, Events

EXPECT = {"expect": Int(0, 2**31 - 1, required=False)}


def expected(d: dict):
    return ANY if "expect" not in d else (d["expect"] or None)


def register(ev: Events) -> None:
    service, command, mod = ev.service, ev.command, MODERATOR
    command("timer:start", mod, EXPECT, lambda c, d: service.start(c.session_id, expected(d)))
    command("timer:pause", mod, {}, lambda c, d: service.pause(c.session_id))
    command("timer:resume", mod, {}, lambda c, d: service.resume(c.session_id))
    command(
        "timer:adjust",
        mod,
        {"seconds": Int(-600, 600)},
        lambda c, d: service.adjust(c.session_id, d["seconds"]),
    )
    command("timer:reset", mod, {}, lambda c, d: service.reset(c.session_id))
    command("stage:next", mod, EXPECT, lambda c, d: service.next(c.session_id, expected(d)))
    command(
        "cue:screen",
        mod,
        {"text": Text(140, blank=True)},
        lambda c, d: service.cue(c.session_id, "screen", d["text"]),
    )
    command(
        "cue:pitcher",
        mod,
        {"text": Text(140, blank=True)},
        lambda c, d: service.cue(c.session_id, "pitcher", d["text"]),
    )
    command(
        "screen:mode",
        mod,
        {"mode": Choice(screen.MODES)},
        lambda c, d: service.set_screen_mode(c.session_id, d["mode"]),
    )
    command("screen:card_dismiss", mod, {}, lambda c, d: service.dismiss_card(c.session_id))
