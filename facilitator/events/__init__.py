"""Socket events -> services -> broadcast, one module per capability (principle 3,
docs/architecture.md: handlers stay thin).

`registry.Events.command` does what every command needs (rate limit, role, identity,
validation, the call, publishing, the acknowledgement); each module declares its events:
`lifecycle` (connect, disconnect, time:sync, sync, unknown events), `queue`, `stage`,
`agenda`, `voting`, `sessions` (settings, undo), `followup`, `people`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..ballots import Ballots
from ..broadcast import Broadcaster
from ..limits import EventBudgets, FailureThrottle, TokenBucket
from ..services import Service
from . import agenda, followup, lifecycle, people, queue, sessions, stage, voting
from .registry import MODERATOR, PARTICIPANT, ROLES, Conn, Connections, Events

if TYPE_CHECKING:
    from ..timekeeper import Timekeeper

CAPABILITIES = (queue, stage, agenda, sessions, voting, followup, people)


def register(
    socketio,
    service: Service,
    ballots: Ballots,
    broadcaster: Broadcaster,
    timekeeper: Timekeeper,
    throttle: FailureThrottle,
    new_bucket: Callable[[], TokenBucket],
    identity_sweep_s: float = 0,
    budgets: EventBudgets | None = None,
) -> Connections:
    """Register every event; returns this process's open connections."""
    ev = Events(socketio, service, ballots, broadcaster, timekeeper, throttle, new_bucket, budgets)
    if identity_sweep_s > 0:
        socketio.start_background_task(ev.connections.sweep, identity_sweep_s)
    lifecycle.register(ev)
    for capability in CAPABILITIES:
        capability.register(ev)
    lifecycle.register_catch_all(ev)
    return ev.connections


__all__ = ["MODERATOR", "PARTICIPANT", "ROLES", "Conn", "Connections", "Events", "register"]
