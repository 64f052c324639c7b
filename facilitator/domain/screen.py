"""What the projector screen can show, and in which language it speaks to the room."""

from __future__ import annotations

from .options import N_, Option, values

# "auto" follows the round (lobby, the stage, voting, results); the others pin one view.
AUTO = "auto"
MODE_OPTIONS = (
    Option(AUTO, N_("Auto")),
    Option("lobby", N_("Lobby")),
    Option("pitch", N_("Pitch")),
    Option("voting", N_("Voting")),
    Option("results", N_("Results")),
    Option("commitments", N_("Commitments")),
    Option("blank", N_("Blank")),
)
MODES = values(MODE_OPTIONS)

# How long the "next part" card shows when a section starts (unless dismissed, or a mode is
# chosen by hand).
CARD_MS = 8000

# The screen's language: the room reads it, whatever the laptop's browser speaks. "both" shows
# headings in English and Chinese for a mixed room.
LANGUAGE_OPTIONS = (
    Option("en", "English", lang="en"),
    Option("zh", "中文", lang="zh-Hans"),
    Option("both", N_("Both: headings in English and Chinese")),
)
LANGUAGES = values(LANGUAGE_OPTIONS)
