"""Who may act: the moderator key, a participant's token, and whether a connection's proved
identity still holds (principle 6, docs/architecture.md: an identity never outlives its rows).

Every read here is one query by primary key or by the join code, so that each socket event can
afford to check again.
"""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select

from ..domain.sessions import normalise_code
from ..models import Participant, Session
from .base import ServiceBase, chunks


class AccessCommands(ServiceBase):
    def moderator_key(self, code: str) -> str | None:
        with self.unit() as db:
            return db.scalar(select(Session.moderator_key).where(Session.code == code))

    def check_moderator_key(self, code: str, key: str) -> int | None:
        """The session id if `key` is the moderator key of session `code`."""
        with self.unit() as db:
            s = db.scalar(select(Session).where(Session.code == normalise_code(code)))
            if s is not None and hmac.compare_digest(
                s.moderator_key.encode(), (key or "").encode()
            ):
                return s.id
            return None

    def rotate_moderator_key(self, session_id: int) -> str:
        """Draw a new moderator key: the old console link and every grant made from it stop
        working at once. Returns the new key."""
        key = secrets.token_urlsafe(24)
        with self._moderate(session_id, "new_console_link") as step:
            step.s.moderator_key = key
        return key

    def participant_by_token(self, session_id: int, token: str) -> int | None:
        if not isinstance(token, str) or not token:
            return None
        with self.unit() as db:
            return db.scalar(
                select(Participant.id).where(
                    Participant.session_id == session_id,
                    Participant.token == token,
                    Participant.deleted_at.is_(None),
                )
            )

    def identity_error(
        self,
        session_id: int,
        code: str,
        participant_id: int | None = None,
        token: str | None = None,
        key: str | None = None,
    ) -> str | None:
        """Whether a connection's identity still holds: its session still exists under the
        same join code, and (for a phone) its participant is still in it with the same secret
        token, (for a console) the moderator key is still the one it proved. None if it
        holds, else the error code to refuse with. One read, by primary key."""
        with self.unit() as db:
            row = db.execute(
                select(
                    Session.code, Session.moderator_key, Participant.token, Participant.deleted_at
                )
                .select_from(Session)
                .outerjoin(
                    Participant,
                    (Participant.id == (participant_id or 0))
                    & (Participant.session_id == Session.id),
                )
                .where(Session.id == session_id)
            ).first()
        if row is None or row.code != code:
            return "unknown_session"
        if key is not None and not hmac.compare_digest(row.moderator_key.encode(), key.encode()):
            return "forbidden"
        if participant_id is not None and (
            row.token is None
            or row.deleted_at is not None
            or token is None
            or not hmac.compare_digest(row.token.encode(), token.encode())
        ):
            return "not_joined"
        return None

    def identities_gone(self, conns: dict) -> set:
        """Of `conns` (socket id -> (session id, code, participant id, token, key)), the socket
        ids whose identity no longer holds (see identity_error), in a few reads for all of
        them: the sweep of one process's open sockets."""
        sessions: dict[int, tuple[str, str]] = {}
        people: dict[int, tuple[int, str]] = {}
        session_ids = sorted({c[0] for c in conns.values()})
        participant_ids = sorted({c[2] for c in conns.values() if c[2] is not None})
        with self.unit() as db:
            for chunk in chunks(session_ids):
                sessions.update(
                    (sid, (code, key))
                    for sid, code, key in db.execute(
                        select(Session.id, Session.code, Session.moderator_key).where(
                            Session.id.in_(chunk)
                        )
                    )
                )
            for chunk in chunks(participant_ids):
                people.update(
                    (pid, (sid, token))
                    for pid, sid, token in db.execute(
                        select(Participant.id, Participant.session_id, Participant.token).where(
                            Participant.id.in_(chunk), Participant.deleted_at.is_(None)
                        )
                    )
                )
        gone = set()
        for sock, (sid, code, pid, token, key) in conns.items():
            found = sessions.get(sid)
            if found is None or found[0] != code or (key is not None and found[1] != key):
                gone.add(sock)
            elif pid is not None and people.get(pid) != (sid, token):
                gone.add(sock)
        return gone
