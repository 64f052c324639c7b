"""The app's parts, held in one typed object on `app.extensions["facilitator"]`.

`create_app` builds each part once; the pages, the API and the socket events read them from
here (`parts()`), never from module globals, so that several apps (tests, a cluster of
processes in one interpreter) never share state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy.orm import sessionmaker

if TYPE_CHECKING:
    from .ballots import Ballots
    from .broadcast import Broadcaster
    from .budgets import AddressBudget, RevisionCache
    from .events import Connections
    from .gate import Gate
    from .limits import FailureThrottle
    from .services import Service
    from .snapshots import Snapshots
    from .timekeeper import Timekeeper
    from .transport import Transport


@dataclass
class Budgets:
    """Work per client address (HTTP requests, API reads, joins, new sessions) and what
    anonymous readers are answered, built once per session revision (budgets.py)."""

    http: AddressBudget
    api: AddressBudget
    join: AddressBudget
    session: AddressBudget
    public: RevisionCache

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


@dataclass
class Parts:
    service: Service
    snapshots: Snapshots
    throttle: FailureThrottle
    origins: list[str] | None
    broadcaster: Broadcaster
    db: sessionmaker
    ballots: Ballots
    socketio: Any  # flask_socketio.SocketIO
    transport: Transport
    timekeeper: Timekeeper
    connections: Connections
    budgets: Budgets
    gate: Gate | None = None  # run.py's own servers: the connection gate (facilitator/gate.py)

    def __getitem__(self, name: str) -> Any:
        """`parts["service"]` reads like `parts.service` (what tests and scripts write)."""
        if name not in self.__dataclass_fields__:
            raise KeyError(name)
        return getattr(self, name)


def parts(app: Flask | None = None) -> Parts:
    """The parts of `app` (default: the current app)."""
    return (app or current_app).extensions["facilitator"]
