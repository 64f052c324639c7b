"""A phone's `me` follows every change of the queue, although the snapshots read the queue's
facts (votable pitches, own pitches, who is live) once per session revision, not per `me`."""


def test_me_follows_the_queue_between_votes(room):
    a = room.phone("Li")
    p1, p2, p3 = (room.add(t) for t in ("P1", "P2", "P3"))
    own = a.emit("pitch:propose", {"title": "Bike data", "offer": "x"})["pitch_id"]
    assert a.last("me")["pitches"][0]["status"] == "pending"
    room.mod("pitch:accept", {"pitch_id": own})
    room.mod("voting:open")
    for p in (p1, p2, p3):
        ack = a.emit("vote:set", {"pitch_id": p, "dots": 1})
        assert ack["ok"]
    assert ack["dots_left"] == 0
    # A skipped pitch is no longer votable: its dot no longer counts against the budget,
    # in the vote's reply and in `me` alike.
    assert room.mod("pitch:mark", {"pitch_id": p2, "status": "skipped"})["ok"]
    ack = a.emit("vote:set", {"pitch_id": p1, "dots": 1})
    assert ack["ballot"] == {str(p1): 1, str(p3): 1} and ack["dots_left"] == 1
    me = room.snapshots.me(room.session_id, a.participant_id)
    assert me["ballot"] == ack["ballot"] and me["dots_left"] == 1
    # The moderator edits the participant's own pitch: their `me` shows it.
    assert room.mod("pitch:edit", {"pitch_id": own, "title": "Bike data, 2M rides"})["ok"]
    assert [p["title"] for p in a.last("me")["pitches"]] == ["Bike data, 2M rides"]
    # Voting on one's own pitch is refused with the queue read at its latest revision.
    assert a.emit("vote:set", {"pitch_id": own, "dots": 1})["error"] == "own_pitch"
    assert a.emit("vote:set", {"pitch_id": p3, "dots": 0})["dots_left"] == 2
