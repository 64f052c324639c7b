"""Socket events -> services -> broadcast. Thin: each handler names its sender and audience.

Every connection proves its role at connect, from the signed cookie (DESIGN principle 6):
- `console`: the browser holds the moderator grant for this session;
- `phone`: the browser holds a participant token of this session;
- `screen`: anyone with the join code (read-only; it can send nothing but `sync`).
A role or identity inside a payload is never trusted. The identity a connection proved
(`Conn`: session id AND join code; the participant's token; the moderator key) is checked again
by every event against the database, so it never outlives the rows it points at: after an
erase, a "delete me" or a new console link the event is refused and the connection closed
(`Connections`). Every event is then authorised on its own, its payload validated, and
answered with an acknowledgement: `{"ok": true, ...}` or
`{"ok": false, "error": code, "message": readable text}`. A refusal changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import has_request_context, request
from flask_socketio import ConnectionRefusedError, join_room

from . import identity
from .ballots import Ballots
from .broadcast import Broadcaster, person, room
from .domain import commitments, screen, voting
from .domain.errors import IdentityGone, RuleError
from .domain.queue import MARKABLE
from .domain.schedule import SECTION_KINDS
from .domain.settings import BY_NAME as SETTING
from .limits import FailureThrottle, TokenBucket
from .messages import error_payload
from .services import ANY, Service
from .validate import (
    ID,
    NAME,
    OFFER,
    ORGANISATION,
    TITLE,
    Bool,
    Choice,
    Date,
    Email,
    Int,
    Owners,
    Phone,
    Text,
    parse,
    setting_field,
    setting_fields,
)

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

    def proof(self) -> tuple:
        return (self.session_id, self.code, self.participant_id, self.token, self.key)


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

    def cut(self, sids, delay: float = CUT_DELAY_S) -> None:
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

    def _where(self, test) -> list[str]:
        return [sid for sid, c in list(self.conns.items()) if test(c)]

    def session_erased(self, session_id: int) -> None:
        self.cut(self._where(lambda c: c.session_id == session_id))

    def participant_deleted(self, participant_id: int) -> None:
        self.cut(self._where(lambda c: c.participant_id == participant_id))

    def key_replaced(self, session_id: int) -> None:
        """A new console link: every console of the session reconnects (a browser that
        holds the new grant gets in again; one that held only the old link does not)."""
        self.cut(self._where(lambda c: c.session_id == session_id and c.role == MODERATOR))

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


def refuse(err: RuleError):
    """Refuse a connection; the browser's connect_error gets the readable payload as `data`."""
    raise ConnectionRefusedError(err.code, error_payload(err))


def register(
    socketio,
    service: Service,
    ballots: Ballots,
    broadcaster: Broadcaster,
    timekeeper,
    throttle: FailureThrottle,
    new_bucket: Callable[[], TokenBucket],
    identity_sweep_s: float = 0,
) -> Connections:
    connections = Connections(socketio, service)
    conns = connections.conns
    buckets: dict[str, TokenBucket] = {}
    if identity_sweep_s > 0:
        socketio.start_background_task(connections.sweep, identity_sweep_s)

    def guessing(err: RuleError):
        """A wrong code or role counts against this address's tries per minute."""
        throttle.failed(request.remote_addr or "?")
        refuse(err)

    def lifecycle_event_from_client() -> bool:
        """python-socketio delivers a client's event named "connect" or "disconnect" to the
        lifecycle handlers: a connection that is already set up cannot connect again, and one
        that is still connected is not disconnecting."""
        return request.sid in conns and socketio.server.manager.is_connected(request.sid, "/")

    @socketio.on("connect")
    def connect(auth=None, *_extra):
        """Sender: any page. Checks the role, joins the rooms, sends the first snapshot."""
        if lifecycle_event_from_client():
            return error_payload(RuleError("unknown_event"))
        try:
            data = parse({"code": Text(12), "role": Choice(ROLES)}, auth)
        except RuleError as err:
            refuse(err)
        # While this address is held for guessing, only a browser that proves it was given
        # this session (a right code and a valid cookie) gets in: a whole venue behind one
        # NAT address keeps its phones and its console. Any other failure then answers
        # too_many_attempts alike, so a held address learns nothing about its guess.
        held = throttle.blocked(request.remote_addr or "?")

        def fail(err: RuleError, counts: bool = True):
            if held:
                refuse(RuleError("too_many_attempts"))
            if counts:
                guessing(err)
            refuse(err)

        found = service.find_session(data["code"])
        if found is None:
            fail(RuleError("unknown_session"))
        sid, role, participant_id, token, key = found["id"], data["role"], None, None, None
        if role == MODERATOR:
            key = identity.moderator_key(service, found["code"])
            if key is None:
                fail(RuleError("forbidden"))
        elif role == PARTICIPANT:
            token = identity.participant_token(found["code"])
            participant_id = service.participant_by_token(found["id"], token) if token else None
            if participant_id is None:
                fail(RuleError("not_joined"), counts=False)
            join_room(person(participant_id))
        elif held and not identity.names(found["code"]):
            fail(RuleError("too_many_attempts"))
        join_room(room(sid, "phones" if role == PARTICIPANT else role))
        conns[request.sid] = Conn(sid, found["code"], role, participant_id, token, key)
        buckets[request.sid] = new_bucket()
        broadcaster.welcome(request.sid, sid, role, participant_id)

    @socketio.on("disconnect")
    def disconnect(*_args):
        if lifecycle_event_from_client():
            return error_payload(RuleError("unknown_event"))
        connections.forget(request.sid)
        buckets.pop(request.sid, None)

    def flooding(sid: str) -> bool:
        bucket = buckets.get(sid)
        return bucket is not None and not bucket.take()

    def refusal(sid: str, err: RuleError) -> dict:
        """The refusal in the reader's language: a bare event has no request context, so one is
        made from the connection's environ (refusals are rare; the hot path needs none)."""
        if has_request_context():
            return error_payload(err)
        environ = socketio.server.get_environ(sid) or {}
        app = environ.get("flask.app")
        if app is None:
            return error_payload(err)
        with app.request_context(environ):
            return error_payload(err)

    def command(
        event: str,
        role: str | None,
        spec: dict,
        call: Callable[[Conn, dict], object],
        bare: bool = False,
    ) -> None:
        """Register `event`: authorise the sender's role, validate, run, publish, acknowledge.

        `bare`: the handler runs without Flask's request context, which Flask-SocketIO builds for
        every event (URL matching, the session: a quarter of a vote's time in a vote burst,
        docs/performance.md). Only for commands that need nothing from Flask."""

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
            socketio.server.on(event, lambda sid, *args: run(sid, args))
        else:
            socketio.on_event(event, lambda *args: run(request.sid, args))

    # ----- the moderator (sender: console; audience: everyone in the session) --------------
    mod = MODERATOR
    alt = {
        "title_alt": Text(80, required=False, blank=True),
        "offer_alt": Text(280, required=False, blank=True),
    }
    # A pitch's own length has the bounds of the default pitch length.
    pitch_length = SETTING["pitch_seconds"]
    optional = {
        "offer": Text(280, required=False, blank=True),
        "organisation": ORGANISATION,
        **alt,
        "seconds": setting_field(pitch_length),
    }
    command(
        "pitch:add",
        mod,
        {"title": TITLE, "pitcher": NAME, **optional},
        lambda c, d: service.add_pitch(c.session_id, **d),
    )

    def edits(id_field: str, apply: Callable) -> Callable[[Conn, dict], object]:
        """An edit command: the id of what to edit, then at least one field to change."""

        def run(c: Conn, d: dict):
            target = d.pop(id_field)
            if not d:
                raise RuleError("nothing_to_change")
            return apply(c.session_id, target, **d)

        return run

    command(
        "pitch:edit",
        mod,
        {
            "pitch_id": ID,
            "title": Text(80, required=False),
            "pitcher": Text(60, required=False),
            **optional,
        },
        edits("pitch_id", service.edit_pitch),
    )
    command(
        "pitch:remove",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.remove_pitch(c.session_id, d["pitch_id"]),
    )
    command(
        "pitch:accept",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.accept_pitch(c.session_id, d["pitch_id"]),
    )
    command(
        "pitch:move",
        mod,
        {"pitch_id": ID, "index": Int(0, 10_000)},
        lambda c, d: service.move_pitch(c.session_id, d["pitch_id"], d["index"]),
    )
    command(
        "pitch:mark",
        mod,
        {"pitch_id": ID, "status": Choice(MARKABLE)},
        lambda c, d: service.mark_pitch(c.session_id, d["pitch_id"], d["status"]),
    )
    # `expect`: the live pitch id the console saw (0: none). Optional; when given, the command
    # is refused if another console has changed the stage since.
    expect = {"expect": Int(0, 2**31 - 1, required=False)}

    def expected(d: dict):
        return ANY if "expect" not in d else (d["expect"] or None)

    command("timer:start", mod, expect, lambda c, d: service.start(c.session_id, expected(d)))
    command("timer:pause", mod, {}, lambda c, d: service.pause(c.session_id))
    command("timer:resume", mod, {}, lambda c, d: service.resume(c.session_id))
    command(
        "timer:adjust",
        mod,
        {"seconds": Int(-600, 600)},
        lambda c, d: service.adjust(c.session_id, d["seconds"]),
    )
    command("timer:reset", mod, {}, lambda c, d: service.reset(c.session_id))
    command("stage:next", mod, expect, lambda c, d: service.next(c.session_id, expected(d)))
    command("undo", mod, {}, lambda c, d: service.undo(c.session_id))
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
        "schedule:fit",
        mod,
        {"seconds": setting_field(pitch_length, required=True)},
        lambda c, d: service.fit(c.session_id, d["seconds"]),
    )
    time_of_day = Text(5, required=False, blank=True)
    command(
        "agenda:times",
        mod,
        {"start": time_of_day, "end": time_of_day},
        lambda c, d: service.set_agenda(c.session_id, d.get("start"), d.get("end")),
    )
    section_fields = {"title": Text(120), "kind": Choice(SECTION_KINDS), "minutes": Int(1, 600)}
    command("section:add", mod, section_fields, lambda c, d: service.add_section(c.session_id, **d))

    command(
        "section:edit",
        mod,
        {
            "section_id": ID,
            "title": Text(120, required=False),
            "kind": Choice(SECTION_KINDS, required=False),
            "minutes": Int(1, 600, required=False),
        },
        edits("section_id", service.edit_section),
    )
    command(
        "section:remove",
        mod,
        {"section_id": ID},
        lambda c, d: service.remove_section(c.session_id, d["section_id"]),
    )
    command("voting:open", mod, {}, lambda c, d: service.set_voting(c.session_id, True))
    command("voting:close", mod, {}, lambda c, d: service.set_voting(c.session_id, False))
    command(
        "results:reveal",
        mod,
        {"revealed": Bool()},
        lambda c, d: service.reveal(c.session_id, d["revealed"]),
    )
    command(
        "screen:mode",
        mod,
        {"mode": Choice(screen.MODES)},
        lambda c, d: service.set_screen_mode(c.session_id, d["mode"]),
    )
    command(
        "section:set",
        mod,
        {"section_id": Int(1, 2**31 - 1, required=False)},
        lambda c, d: service.set_section(c.session_id, d.get("section_id")),
    )

    def settings(c: Conn, d: dict):
        if not d:
            raise RuleError("nothing_to_change")
        return service.update_settings(c.session_id, **d)

    command("session:settings", mod, setting_fields(), settings)
    command(
        "commitment:set",
        mod,
        {
            "pitch_id": ID,
            "owners": Owners(),
            "next_step": Text(280, blank=True),
            "due": Date(),
            "status": Choice(commitments.STATUSES),
        },
        lambda c, d: service.set_commitment(
            c.session_id,
            d["pitch_id"],
            d.get("owners", []),
            d["next_step"],
            d.get("due", ""),
            d["status"],
        ),
    )
    command(
        "commitment:remove",
        mod,
        {"pitch_id": ID},
        lambda c, d: service.remove_commitment(c.session_id, d["pitch_id"]),
    )

    # ----- a participant (sender: phone; audience: that person, plus the stage) ------------
    command(
        "pitch:propose",
        PARTICIPANT,
        {"title": TITLE, "offer": OFFER, **alt},
        lambda c, d: service.propose_pitch(c.session_id, c.participant_id, **d),
    )
    command(
        "pitch:withdraw",
        PARTICIPANT,
        {"pitch_id": ID},
        lambda c, d: service.withdraw_pitch(c.session_id, c.participant_id, d["pitch_id"]),
    )
    command(
        "vote:set",
        PARTICIPANT,
        {"pitch_id": ID, "dots": Int(0, 20)},
        lambda c, d: ballots.set_dots(
            c.session_id, c.participant_id, d["pitch_id"], d["dots"], code=c.code, token=c.token
        ),
        bare=True,
    )
    rating = Int(0, voting.RATING_MAX, required=False)
    command(
        "rating:set",
        PARTICIPANT,
        {"pitch_id": ID, "impact": rating, "ease": rating},
        lambda c, d: service.set_rating(c.session_id, c.participant_id, d.pop("pitch_id"), **d),
    )
    command(
        "interest:set",
        PARTICIPANT,
        {"pitch_id": ID, "on": Bool()},
        lambda c, d: service.set_interest(c.session_id, c.participant_id, d["pitch_id"], d["on"]),
    )
    command(
        "contact:set",
        PARTICIPANT,
        {"email": Email(), "phone": Phone(), "consent": Bool()},
        lambda c, d: service.set_contact(
            c.session_id, c.participant_id, d.get("email", ""), d.get("phone", ""), d["consent"]
        ),
    )

    def delete_me(c: Conn, _d: dict):
        change = service.delete_participant(c.session_id, c.participant_id)
        # Every page of this person (here; other processes at their next event or sweep)
        # gets its `me` without a participant, then is closed; the disk forgets them.
        connections.participant_deleted(c.participant_id)
        connections.scrub_disk()
        return change

    command("me:delete", PARTICIPANT, {}, delete_me)

    # ----- any joined page -----------------------------------------------------------------
    @socketio.on("time:sync")
    def time_sync(*_args):
        """Sender: any page. Answers the server clock so browsers can run the same timer."""
        if flooding(request.sid):
            return error_payload(RuleError("rate_limited"))
        if len(_args) > 1:
            return error_payload(RuleError("wrong_type", field="payload"))
        return {"ok": True, "now": service.clock()}

    def resync(c: Conn, _d: dict):
        broadcaster.welcome(request.sid, c.session_id, c.role, c.participant_id)

    command("sync", None, {}, resync)

    @socketio.on("*")
    def unknown(event, *_args):
        """Sender: anyone. An event nobody handles gets a clear refusal, never silence."""
        return error_payload(
            RuleError("rate_limited" if flooding(request.sid) else "unknown_event")
        )

    return connections
