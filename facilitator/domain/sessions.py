"""A session's identity and life: its join code, how long it is kept, how long an action can
be taken back (principle 10, docs/architecture.md: each rule declared once)."""

from __future__ import annotations

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
RETENTION_DAYS = 30  # a session and everything in it is erased this long after it was created
UNDO_SECONDS = 30  # the latest undoable action can be taken back this long after it was done


def normalise_code(code: str) -> str:
    """A join code as typed (spaces, lower case) in the form it is stored; never more than
    twice its length, so that a long paste stays cheap to look up."""
    return "".join(code.split()).upper()[: CODE_LENGTH * 2]
