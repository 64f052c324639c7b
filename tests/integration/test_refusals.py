"""Every moderator event from a phone or the screen, and every participant event from the
wrong role, is refused with an error acknowledgement and changes nothing."""

import pytest

MODERATOR_EVENTS = {
    "pitch:add": {"title": "Hijack", "pitcher": "Mallory"},
    "pitch:edit": {"pitch_id": "PITCH", "title": "Hijacked"},
    "pitch:remove": {"pitch_id": "PITCH"},
    "pitch:accept": {"pitch_id": "PENDING"},
    "pitch:move": {"pitch_id": "PITCH", "index": 1},
    "pitch:mark": {"pitch_id": "PITCH", "status": "skipped"},
    "timer:start": {},
    "timer:pause": {},
    "timer:resume": {},
    "timer:adjust": {"seconds": 30},
    "timer:reset": {},
    "stage:next": {},
    "voting:open": {},
    "voting:close": {},
    "results:reveal": {"revealed": True},
    "screen:mode": {"mode": "blank"},
    "section:set": {"section_id": None},
    "session:settings": {"dots_per_person": 10},
}
PARTICIPANT_EVENTS = {
    "pitch:propose": {"title": "T", "offer": "O"},
    "pitch:withdraw": {"pitch_id": "PENDING"},
    "vote:set": {"pitch_id": "PITCH", "dots": 1},
}


def fill(payload, ids):
    return {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}


@pytest.fixture
def setup(room):
    phone = room.phone("Li")
    other = room.phone("Marie")
    pitch = room.add("Real pitch")
    room.add("Second")
    pending = other.emit("pitch:propose", {"title": "Waiting", "offer": "x"})["pitch_id"]
    room.mod("timer:start")
    room.mod("timer:pause")
    room.mod("voting:open")
    return room, phone, other, {"PITCH": pitch, "PENDING": pending}


def frozen(room):
    snap = room.state()
    snap.pop("server_now")
    return snap


@pytest.mark.parametrize("event", sorted(MODERATOR_EVENTS))
@pytest.mark.parametrize("who", ["phone", "screen"])
def test_moderator_events_are_refused_to_phones_and_screen(setup, event, who):
    room, phone, _other, ids = setup
    sender = phone if who == "phone" else room.screen
    before = frozen(room)
    ack = sender.emit(event, fill(MODERATOR_EVENTS[event], ids))
    assert ack["ok"] is False and ack["error"] == "forbidden", ack
    assert ack["message"] == "Only the moderator can do that."
    assert frozen(room) == before


@pytest.mark.parametrize("event", sorted(PARTICIPANT_EVENTS))
@pytest.mark.parametrize("who", ["console", "screen"])
def test_participant_events_need_a_participant(setup, event, who):
    room, _phone, _other, ids = setup
    sender = room.moderator if who == "console" else room.screen
    before = frozen(room)
    ack = sender.emit(event, fill(PARTICIPANT_EVENTS[event], ids))
    assert ack["ok"] is False and ack["error"] == "not_joined", ack
    assert frozen(room) == before


def test_a_participant_cannot_withdraw_someone_elses_pitch(setup):
    room, phone, _other, ids = setup
    before = frozen(room)
    assert phone.emit("pitch:withdraw", {"pitch_id": ids["PENDING"]})["error"] == "not_your_pitch"
    assert frozen(room) == before


def test_a_moderator_of_one_session_cannot_drive_another(setup, app):
    from .conftest import Room

    room, *_ = setup
    other = Room(app, room.clock)
    before = frozen(room)
    # The other moderator's socket is bound to its own session: ids from this one are unknown.
    pitch = room.state()["queue"][0]["id"]
    assert other.mod("pitch:remove", {"pitch_id": pitch})["error"] == "unknown_pitch"
    assert other.mod("pitch:edit", {"pitch_id": pitch, "title": "x"})["error"] == "unknown_pitch"
    assert frozen(room) == before


MALFORMED = [
    "text",
    42,
    1.5,
    True,
    [],
    [1, 2],
    {"pitch_id": "1"},
    {"pitch_id": True},
    {"pitch_id": 2**40},
    {"pitch_id": -1},
    {"pitch_id": 1, "extra": 1},
    {"pitch_id": {"nested": [1, {"x": None}]}},
    {"title": "\x00"},
    {"title": "x" * 100_000, "pitcher": "y"},
    {"seconds": "30"},
    {"index": None},
]


@pytest.mark.parametrize("event", sorted(MODERATOR_EVENTS))
def test_malformed_moderator_payloads_get_an_error_and_change_nothing(setup, event):
    room, *_ = setup
    before = frozen(room)
    for payload in MALFORMED:
        ack = room.moderator.emit(event, payload)
        assert ack["error"] in {
            "wrong_type",
            "unknown_field",
            "required",
            "out_of_range",
            "bad_characters",
            "too_long",
            "invalid_choice",
        }, (payload, ack)
        assert frozen(room) == before, (event, payload)


@pytest.mark.parametrize("event", sorted(PARTICIPANT_EVENTS))
def test_malformed_participant_payloads_get_an_error_and_change_nothing(setup, event):
    room, phone, *_ = setup
    before = frozen(room)
    for payload in MALFORMED:
        ack = phone.emit(event, payload)
        assert ack["ok"] is False, (payload, ack)
        assert frozen(room) == before


def test_unknown_events_get_a_refusal_not_silence(setup):
    room, phone, *_ = setup
    for sender in (room.moderator, phone, room.screen):
        assert sender.emit("admin:drop_tables", {})["error"] == "unknown_event"
