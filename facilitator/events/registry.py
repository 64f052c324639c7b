"""What every socket event shares: who a connection is, and one way to register a command.

Every connection proves its role at connect, from the signed cookie (principle 6,
docs/architecture.md):
- `console`: the browser holds the moderator grant for this session;
- `phone`: the browser holds a participant token of this session;
- `screen`: anyone with the join code (read-only; it can send nothing but `sync`).
A role or identity inside a payload is never trusted. The identity a connection proved
(`Conn`: session id AND join code; the participant's token; the moderator key) is checked again
by every event against the database, so it never outlives the rows it points at: after an
erase, a "delete me" or a new console link the event is refused and the connection closed
(`Connections`). Every event is then authorised on its own, its payload validated (principle
8), and answered with an acknowledgement: `{"ok": true, ...}` or
`{"ok": false, "error": code, "message": readable text}`. A refusal changes nothing.

`Events.command` is the one place that does all of this for a command: rate limit, one
payload, role, the budget shared by many connections (`limits.EventBudgets`: a moderator
command spends from its session's, a phone's writing event from its client address's),
identity, validation, the service call, publishing the `Change` (after the
commit, principle 1) and the acknowledgement. The capability modules beside this one only
declare their events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, cast

from flask import has_request_context, request
from flask_socketio import ConnectionRefusedError

from ..ballots import Ballots
from ..broadcast import Broadcaster
from ..domain.errors import IdentityGone, RuleError
from ..limits import EventBudgets, FailureThrottle, TokenBucket
from ..messages import error_payload
from ..services import Change, Service
from ..validate import parse

if TYPE_CHECKING:
    from ..timekeeper import Timekeeper

log = logging.getLogger(__name__)

MODERATOR, PARTICIPANT = "console", "phone"
ROLES = ("console", "screen", "phone")


@dataclass(frozen=True)
class Conn:
    """Who a connection proved to be. Ids alone are not trusted to stay meaningful: the code,
    the token and the key are what each event checks again."""

    session_id: int
    code: str
    role: str
    participant_id: int | None = None
    token: str | None = None  # phone: the participant's secret token
    key: str | None = None  # console: the moderator key its grant was made from
    version: str | None = None  # phone: the version of the scripts its page runs (`census`)
    address: str = "?"  # the client address's unit (budgets.address_key), for budgets

    def proof(self) -> tuple:
        return (self.session_id, self.code, self.participant_id, self.token, self.key)

    @property
    def person(self) -> int:
        """The participant id of a phone's connection (a phone event is only run for one)."""
        assert self.participant_id is not None, "a phone's connection names its participant"
        return self.participant_id


# Seconds between a connection being cut and its close: its own acknowledgement, and the
# "gone"/"me" that tells the page why, go out first.
CUT_DELAY_S = 0.3


class Connections:
    """This process's open connections and their identities; closes the ones whose identity
    no longer holds.

    With several processes (a message queue), each process closes its own connections: the
    process that erased a session or deleted a participant at once; every other one at the
    next event such a connection sends (each event checks its identity) or at its sweep
    (`IDENTITY_SWEEP_S`), whichever comes first. Nothing of a later session reaches them
    meanwhile: ids are never reused, so their rooms never carry anything again."""

    def __init__(self, socketio, service: Service):
        self.socketio, self.service = socketio, service
        self.conns: dict[str, Conn] = {}
        self.cut_sids: set[str] = set()

    def cut(self, sids: Iterable[str], delay: float = CUT_DELAY_S) -> None:
        """Refuse every further event of these connections now, close them after `delay`."""
        sids = [sid for sid in sids if sid not in self.cut_sids]
        if not sids:
            return
        self.cut_sids.update(sids)

        def close():
            if delay:
                self.socketio.sleep(delay)
            server = self.socketio.server
            for sid in sids:
                try:
                    eio_sid = server.manager.eio_sid_from_sid(sid, "/")
                    server.disconnect(sid, namespace="/")
                    if eio_sid is not None:  # the WebSocket too, not only the namespace
                        server.eio.disconnect(eio_sid)
                except Exception:  # noqa: BLE001 - already gone
                    log.debug("closing a cut connection failed", exc_info=True)
                self.cut_sids.discard(sid)

        self.socketio.start_background_task(close)

    def forget(self, sid: str) -> None:
        self.conns.pop(sid, None)

    def _where(self, test: Callable[[Conn], bool]) -> list[str]:
        return [sid for sid, c in list(self.conns.items()) if test(c)]

    def session_erased(self, session_id: int) -> None:
        self.cut(self._where(lambda c: c.session_id == session_id))

    def participant_deleted(self, participant_id: int) -> None:
        self.cut(self._where(lambda c: c.participant_id == participant_id))

    def key_replaced(self, session_id: int) -> None:
        """A new console link: every console of the session reconnects (a browser that
        holds the new grant gets in again; one that held only the old link does not)."""
        self.cut(self._where(lambda c: c.session_id == session_id and c.role == MODERATOR))

    def census(self, session_id: int, version: str | None) -> dict[str, int]:
        """The session's phones connected to this process: people with at least one phone
        page connected (a person's two tabs count once), and how many of them run scripts
        older than `version`, the server's current one (a page loaded before the server was
        updated, or sent no version at all). Not part of a connection's proof: it only
        counts."""
        people: set[int | None] = set()
        outdated: set[int | None] = set()
        for c in list(self.conns.values()):
            if c.session_id != session_id or c.role != PARTICIPANT:
                continue
            people.add(c.participant_id)
            if version is not None and c.version != version:
                outdated.add(c.participant_id)
        return {"phones": len(people), "outdated": len(outdated)}

    def sweep_once(self) -> int:
        """Close every connection of this process whose identity no longer holds."""
        proofs = {sid: c.proof() for sid, c in list(self.conns.items())}
        if not proofs:
            return 0
        gone = self.service.identities_gone(proofs)
        self.cut(gone, delay=0)
        return len(gone)

    def sweep(self, every_s: float) -> None:
        while True:
            self.socketio.sleep(every_s)
            try:
                self.sweep_once()
            except Exception:  # noqa: BLE001 - try again at the next sweep
                log.exception("identity sweep failed")

    def scrub_disk(self) -> None:
        """After an erasure: empty SQLite's WAL of the erased rows, now or, if a reader holds
        it, a moment later (a few tries)."""
        if self.service.scrub_disk():
            return

        def retry():
            for _ in range(40):
                self.socketio.sleep(0.25)
                if self.service.scrub_disk():
                    return
            log.warning("the database log could not be checkpointed after an erasure")

        self.socketio.start_background_task(retry)


def current_sid() -> str:
    """The Socket.IO id of the connection whose event runs now (Flask-SocketIO sets it on
    the request it builds for each event)."""
    return cast(Any, request).sid


def refuse(err: RuleError) -> NoReturn:
    """Refuse a connection; the browser's connect_error gets the readable payload as `data`."""
    raise ConnectionRefusedError(err.code, error_payload(err))


Call = Callable[[Conn, dict], Change | None]


def edits(id_field: str, apply: Callable[..., Change]) -> Call:
    """An edit command: the id of what to edit, then at least one field to change."""

    def run(c: Conn, d: dict) -> Change:
        target = d.pop(id_field)
        if not d:
            raise RuleError("nothing_to_change")
        return apply(c.session_id, target, **d)

    return run


class Events:
    """The parts every event handler uses, and `command`, which registers one."""

    def __init__(
        self,
        socketio,
        service: Service,
        ballots: Ballots,
        broadcaster: Broadcaster,
        timekeeper: Timekeeper,
        throttle: FailureThrottle,
        new_bucket: Callable[[], TokenBucket],
        budgets: EventBudgets | None = None,
    ):
        self.socketio, self.service, self.ballots = socketio, service, ballots
        self.broadcaster, self.timekeeper, self.throttle = broadcaster, timekeeper, throttle
        self.new_bucket = new_bucket
        self.budgets = budgets or EventBudgets()
        self.connections = Connections(socketio, service)
        self.conns = self.connections.conns
        self.buckets: dict[str, TokenBucket] = {}

    def consoles(self, session_id: int) -> int:
        """Console connections of this session open in this process."""
        return sum(
            1
            for sid, c in list(self.conns.items())
            if c.session_id == session_id
            and c.role == MODERATOR
            and sid not in self.connections.cut_sids
        )

    def flooding(self, sid: str) -> bool:
        bucket = self.buckets.get(sid)
        return bucket is not None and not bucket.take()

    def refusal(self, sid: str, err: RuleError) -> dict:
        """The refusal in the reader's language: a bare event has no request context, so one is
        made from the connection's environ (refusals are rare; the hot path needs none)."""
        if has_request_context():
            return error_payload(err)
        environ = self.socketio.server.get_environ(sid) or {}
        app = environ.get("flask.app")
        if app is None:
            return error_payload(err)
        with app.request_context(environ):
            return error_payload(err)

    def command(
        self,
        event: str,
        role: str | None,
        spec: dict[str, Any],
        call: Call,
        bare: bool = False,
    ) -> None:
        """Register `event`: authorise the sender's role, validate, run, publish, acknowledge.

        `bare`: the handler runs without Flask's request context, which Flask-SocketIO builds for
        every event (URL matching, the session: a quarter of a vote's time in a vote burst,
        docs/performance.md). Only for commands that need nothing from Flask."""
        conns, connections, service = self.conns, self.connections, self.service
        flooding, refusal = self.flooding, self.refusal
        broadcaster, timekeeper = self.broadcaster, self.timekeeper
        # Which shared budget this command spends from, if any: a moderator command from its
        # session's (all consoles together), a phone's writing event from its address's. The
        # batched votes (bare) and `sync` (budgeted by the transport) spend from neither.
        budget = self.budgets.moderator if role == MODERATOR else None
        if role == PARTICIPANT and not bare:
            budget = self.budgets.phones
        if budget is not None and budget.unlimited:
            budget = None
        by_session = role == MODERATOR

        def run(sid: str, args: tuple):
            conn = conns.get(sid)
            try:
                if flooding(sid):
                    raise RuleError("rate_limited")
                if len(args) > 1:  # one payload per event, never more
                    raise RuleError("wrong_type", field="payload")
                payload = args[0] if args else None
                if conn is None:
                    raise RuleError("not_joined")
                if sid in connections.cut_sids:
                    raise IdentityGone("not_joined")
                if role is not None and conn.role != role:
                    raise RuleError("forbidden" if role == MODERATOR else "not_joined")
                if budget is not None and not budget.allow(
                    conn.session_id if by_session else conn.address
                ):
                    raise RuleError("rate_limited")
                if not bare:  # a bare command's batch checks the identity in its own read
                    gone = service.identity_error(
                        conn.session_id, conn.code, conn.participant_id, conn.token, conn.key
                    )
                    if gone:
                        raise IdentityGone(gone)
                change = call(conn, parse(spec, payload))
            except IdentityGone as err:
                connections.cut([sid])
                return refusal(sid, err)
            except RuleError as err:
                return refusal(sid, err)
            except Exception:  # never let a bad request take the connection down
                log.exception("event %s failed", event)
                return refusal(sid, RuleError("server_error"))
            if change is None:
                return {"ok": True}
            broadcaster.publish(change, sender=sid)
            if change.stage:
                timekeeper.arm(change.session_id)
            return {"ok": True, **change.reply}

        if bare:
            self.socketio.server.on(event, lambda sid, *args: run(sid, args))
        else:
            self.socketio.on_event(event, lambda *args: run(current_sid(), args))
