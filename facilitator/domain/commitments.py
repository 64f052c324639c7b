"""Commitments: a quick win the room chose, turned into who does what by when."""

from __future__ import annotations

from .options import N_, Option, values

STATUS_OPTIONS = (
    Option("priority", N_("Priority")),
    Option("follow_up", N_("Follow-up")),
    Option("parked", N_("Parked")),
)
STATUSES = values(STATUS_OPTIONS)
