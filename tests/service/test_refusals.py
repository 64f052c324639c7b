"""Bad input: every command refuses an unknown session, another session's rows, or the wrong
state with its error code, and changes nothing (not even the log or the revision)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Scene:
    sid: int  # a session with one queued pitch by Ana and one by the moderator
    ana: int
    pitch: int  # the moderator's
    own: int  # Ana's
    other_sid: int  # another session, with its own pitch and participant
    other_pitch: int
    stranger: int


@pytest.fixture
def scene(world, svc):
    sid = world.session()
    svc.update_settings(sid, auto_accept=True)
    ana = world.join(sid, "Ana")
    own = world.proposal(sid, ana, "Ana's")
    pitch = world.pitch(sid, "Moderator's")
    other = world.session("Other")
    return Scene(
        sid, ana, pitch, own, other, world.pitch(other, "Theirs"), world.join(other, "Stranger")
    )


NO_SESSION = 424242

REFUSALS = {
    # An unknown session, for every kind of command.
    "settings, unknown session": (
        "unknown_session",
        lambda svc, x: svc.update_settings(NO_SESSION, chime=False),
    ),
    "add, unknown session": (
        "unknown_session",
        lambda svc, x: svc.add_pitch(NO_SESSION, title="t", pitcher="p"),
    ),
    "start, unknown session": ("unknown_session", lambda svc, x: svc.start(NO_SESSION)),
    "voting, unknown session": ("unknown_session", lambda svc, x: svc.set_voting(NO_SESSION, True)),
    "propose, unknown session": (
        "unknown_session",
        lambda svc, x: svc.propose_pitch(NO_SESSION, x.ana, "t", ""),
    ),
    "contact, unknown person": (
        "not_joined",
        lambda svc, x: svc.set_contact(x.sid, 999, "a@venue.example", "", True),
    ),
    "erase, unknown session": ("unknown_session", lambda svc, x: svc.erase_session(NO_SESSION)),
    "reveal a place, unknown session": (
        "unknown_session",
        lambda svc, x: svc.reveal_step(NO_SESSION),
    ),
    "dismiss the card, unknown session": (
        "unknown_session",
        lambda svc, x: svc.dismiss_card(NO_SESSION),
    ),
    # Another session's pitch is unknown here.
    "edit, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.edit_pitch(x.sid, x.other_pitch, title="mine now"),
    ),
    "remove, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.remove_pitch(x.sid, x.other_pitch),
    ),
    "accept, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.accept_pitch(x.sid, x.other_pitch),
    ),
    "mark, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.mark_pitch(x.sid, x.other_pitch, "done"),
    ),
    "move, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.move_pitch(x.sid, x.other_pitch, 0),
    ),
    "interest, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.set_interest(x.sid, x.ana, x.other_pitch, True),
    ),
    "commitment, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.set_commitment(x.sid, x.other_pitch, [], "", "", "priority"),
    ),
    "withdraw, other session's pitch": (
        "unknown_pitch",
        lambda svc, x: svc.withdraw_pitch(x.sid, x.ana, x.other_pitch),
    ),
    # Another session's participant is not in this one.
    "propose as a stranger": (
        "not_joined",
        lambda svc, x: svc.propose_pitch(x.sid, x.stranger, "t", ""),
    ),
    "interest as a stranger": (
        "not_joined",
        lambda svc, x: svc.set_interest(x.sid, x.stranger, x.pitch, True),
    ),
    "contact as a stranger": (
        "not_joined",
        lambda svc, x: svc.set_contact(x.sid, x.stranger, "a@venue.example", "", True),
    ),
    "delete a stranger": ("not_joined", lambda svc, x: svc.delete_participant(x.sid, x.stranger)),
    "withdraw as a stranger": (
        "not_your_pitch",
        lambda svc, x: svc.withdraw_pitch(x.sid, x.stranger, x.own),
    ),
    # The wrong state.
    "accept a queued pitch": ("not_pending", lambda svc, x: svc.accept_pitch(x.sid, x.pitch)),
    "reveal before any round": ("nothing_to_reveal", lambda svc, x: svc.reveal(x.sid, True)),
    "reveal a place before any round": (
        "nothing_to_reveal",
        lambda svc, x: svc.reveal_step(x.sid),
    ),
    "close a round never opened": (
        "voting_already_closed",
        lambda svc, x: svc.set_voting(x.sid, False),
    ),
    "pause with nothing live": ("no_live_pitch", lambda svc, x: svc.pause(x.sid)),
    "extend with nothing live": ("no_live_pitch", lambda svc, x: svc.adjust(x.sid, 30)),
    "next expecting a live pitch": (
        "stage_changed",
        lambda svc, x: svc.next(x.sid, expect=x.pitch),
    ),
    "rate under dot voting": (
        "wrong_method",
        lambda svc, x: svc.set_rating(x.sid, x.ana, x.pitch, impact=3),
    ),
    "remove a commitment never made": (
        "unknown_commitment",
        lambda svc, x: svc.remove_commitment(x.sid, x.pitch),
    ),
    "undo with nothing done": ("nothing_to_undo", lambda svc, x: svc.undo(x.sid)),
    "mark live directly": ("invalid_status", lambda svc, x: svc.mark_pitch(x.sid, x.pitch, "live")),
    "move past the end": ("invalid_position", lambda svc, x: svc.move_pitch(x.sid, x.pitch, 5)),
    "fit below the floor": ("below_floor", lambda svc, x: svc.fit(x.sid, 10)),
    "agenda at 24:00": ("invalid_time", lambda svc, x: svc.set_agenda(x.sid, "24:00", None)),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_with_its_code_and_nothing_changes(world, svc, scene, name):
    code, command = REFUSALS[name]
    world.refused(code, command, svc, scene)


def test_a_dot_for_another_sessions_pitch_is_refused(world, svc, scene):
    svc.set_voting(scene.sid, True)
    world.refused("pitch_not_votable", world.dots, scene.sid, scene.ana, scene.other_pitch)
    world.refused("not_joined", world.dots, scene.sid, scene.stranger, scene.pitch)
