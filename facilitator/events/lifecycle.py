"""Connecting, disconnecting, the clock, a resync and the catch-all for unknown events.

A connection proves its role here, once, from the signed cookie (principle 6,
docs/architecture.md); guessing codes or keys counts against the address's tries per minute.
Every page may ask for the server clock (principle 2: clients run the same timer) and for a
fresh snapshot (principle 4).
"""

from __future__ import annotations

from typing import NoReturn

from flask import request
from flask_socketio import join_room

from .. import identity
from ..broadcast import person, room
from ..domain.errors import RuleError
from ..messages import error_payload
from ..transport import address_key
from ..validate import Choice, Text, parse
from .registry import MODERATOR, PARTICIPANT, ROLES, Conn, Events, current_sid, refuse

# A phone page's script version (static/js/lib/socket.js sends its entry module's, a hash
# facilitator/assets.py makes): counted in the console's census of phones, never trusted.
VERSION_LEN = 40


def register(ev: Events) -> None:
    socketio, service, throttle, conns = ev.socketio, ev.service, ev.throttle, ev.conns

    def guessing(err: RuleError) -> NoReturn:
        """A wrong code or role counts against this address's tries per minute."""
        throttle.failed(request.remote_addr or "?")
        refuse(err)

    def lifecycle_event_from_client() -> bool:
        """python-socketio delivers a client's event named "connect" or "disconnect" to the
        lifecycle handlers: a connection that is already set up cannot connect again, and one
        that is still connected is not disconnecting."""
        return current_sid() in conns and socketio.server.manager.is_connected(current_sid(), "/")

    @socketio.on("connect")
    def connect(auth=None, *_extra):
        """Sender: any page. Checks the role, joins the rooms, sends the first snapshot."""
        if lifecycle_event_from_client():
            return error_payload(RuleError("unknown_event"))
        try:
            data = parse(
                {"code": Text(12), "role": Choice(ROLES), "v": Text(VERSION_LEN, required=False)},
                auth,
            )
        except RuleError as err:
            refuse(err)
        # While this address is held for guessing, only a browser that proves it was given
        # this session (a right code and a valid cookie) gets in: a whole venue behind one
        # NAT address keeps its phones and its console. Any other failure then answers
        # too_many_attempts alike, so a held address learns nothing about its guess.
        held = throttle.blocked(request.remote_addr or "?")

        def fail(err: RuleError, counts: bool = True) -> NoReturn:
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
        # The console cap is checked here, with nothing that can yield to another connect
        # between the count and the registration below (else concurrent connects all pass).
        cap = ev.budgets.consoles_per_session  # 0: no limit
        if role == MODERATOR and cap and ev.consoles(sid) >= cap:
            refuse(RuleError("too_many_consoles"))
        join_room(room(sid, "phones" if role == PARTICIPANT else role))
        version = data.get("v") if role == PARTICIPANT else None
        conns[current_sid()] = Conn(
            sid,
            found["code"],
            role,
            participant_id,
            token,
            key,
            version,
            address_key(request.remote_addr),
        )
        ev.buckets[current_sid()] = ev.new_bucket()
        ev.broadcaster.welcome(current_sid(), sid, role, participant_id)
        if role == PARTICIPANT:
            ev.broadcaster.devices_soon(sid)

    @socketio.on("disconnect")
    def disconnect(*_args):
        if lifecycle_event_from_client():
            return error_payload(RuleError("unknown_event"))
        gone = conns.get(current_sid())
        ev.connections.forget(current_sid())
        ev.buckets.pop(current_sid(), None)
        if gone is not None and gone.role == PARTICIPANT:
            ev.broadcaster.devices_soon(gone.session_id)

    @socketio.on("time:sync")
    def time_sync(*_args):
        """Sender: any page. Answers the server clock so browsers can run the same timer."""
        if ev.flooding(current_sid()):
            return error_payload(RuleError("rate_limited"))
        if len(_args) > 1:
            return error_payload(RuleError("wrong_type", field="payload"))
        return {"ok": True, "now": service.clock()}

    def resync(c: Conn, _d: dict) -> None:
        ev.broadcaster.welcome(current_sid(), c.session_id, c.role, c.participant_id)

    ev.command("sync", None, {}, resync)


def register_catch_all(ev: Events) -> None:
    """Registered last: an event nobody handles."""

    @ev.socketio.on("*")
    def unknown(event, *_args):
        """Sender: anyone. An event nobody handles gets a clear refusal, never silence."""
        return error_payload(
            RuleError("rate_limited" if ev.flooding(current_sid()) else "unknown_event")
        )
