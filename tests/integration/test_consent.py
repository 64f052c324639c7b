"""Contact details for follow-up reach only the pitcher followed and the moderator, and only
with consent; withdrawing consent or deleting oneself takes them away everywhere."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import Room

EMAIL, PHONE = "bo.secret@example.org", "+44 20 7946 0958"


class Cast:
    """A pitcher (A), a follower with consent (B), one without (C), a bystander (D)."""

    def __init__(self, room: Room):
        self.room = room
        self.a = room.phone("Ana", "City")
        self.b = room.phone("Bo", "Uni")
        self.c = room.phone("Cy", "NGO")
        self.d = room.phone("Di")
        self.seen = {"c": [], "d": [], "screen": []}
        ack = self.a.emit("pitch:propose", {"title": "Open data", "offer": "Datasets"})
        assert ack["ok"] and ack["status"] == "pending"
        self.p = ack["pitch_id"]
        assert room.mod("pitch:accept", {"pitch_id": self.p})["ok"]
        self.q = room.add("Bike racks", "Eve")
        assert self.b.emit("contact:set", {"email": EMAIL, "phone": PHONE, "consent": True})["ok"]
        assert self.b.emit("interest:set", {"pitch_id": self.p, "on": True})["ok"]
        assert self.c.emit("interest:set", {"pitch_id": self.p, "on": True})["ok"]
        assert self.d.emit("interest:set", {"pitch_id": self.q, "on": True})["ok"]
        assert room.mod("voting:open")["ok"]
        assert self.b.emit("vote:set", {"pitch_id": self.p, "dots": 1})["ok"]
        assert self.c.emit("vote:set", {"pitch_id": self.q, "dots": 1})["ok"]
        self.collect()

    def collect(self) -> None:
        """Keep every message C, D and the screen have received so far."""
        for key, browser in (("c", self.c), ("d", self.d), ("screen", self.room.screen)):
            self.seen[key] += browser.sio.get_received()

    def a_me(self) -> dict:
        return self.a.last("me")

    def interested(self, me: dict) -> dict:
        [pitch] = [x for x in me["pitches"] if x["id"] == self.p]
        return {x["name"]: x for x in pitch["interested"]}


@pytest.fixture
def cast(room):
    return Cast(room)


def moderator_csv(room: Room) -> list[dict]:
    res = room.moderator.http.get(f"/console/{room.code}/outcome.csv")
    assert res.status_code == 200
    return list(csv.DictReader(io.StringIO(res.get_data().decode("utf-8-sig"))))


def moderator_texts(room: Room) -> dict:
    http = room.moderator.http
    return {
        "page": http.get(f"/console/{room.code}/outcome").get_data(as_text=True),
        "csv": http.get(f"/console/{room.code}/outcome.csv").get_data(as_text=True),
        "md": http.get(f"/console/{room.code}/outcome.md").get_data(as_text=True),
        "json": json.dumps(http.get(f"/api/sessions/{room.code}/outcome").get_json()),
    }


def test_consented_contact_reaches_the_pitcher_and_the_moderator(cast, room):
    people = cast.interested(cast.a_me())
    assert set(people) == {"Bo", "Cy"}
    assert (people["Bo"]["email"], people["Bo"]["phone"]) == (EMAIL, PHONE)
    assert people["Bo"]["organisation"] == "Uni"
    assert (people["Cy"]["email"], people["Cy"]["phone"]) == ("", "")
    texts = moderator_texts(room)
    for kind, text in texts.items():
        assert EMAIL in text, kind
        assert "Cy" in text, kind
    assert PHONE in texts["csv"] and PHONE in texts["json"]
    [row] = [r for r in moderator_csv(room) if r["Quick win"] == "Open data"]
    assert EMAIL in row["Interested people"] and "Cy (NGO)" in row["Interested people"]
    body = room.moderator.http.get(f"/api/sessions/{room.code}/outcome").get_json()
    [res] = [r for r in body["results"] if r["id"] == cast.p]
    assert {x["name"]: x["email"] for x in res["interested"]} == {"Bo": EMAIL, "Cy": ""}
    # Bo sees their own details; Cy has none stored.
    assert cast.b.last("me")["participant"]["email"] == EMAIL
    assert room.snapshots.me(room.session_id, cast.c.participant_id)["participant"]["email"] == ""


def test_contact_never_reaches_anyone_else(cast, room, app):
    # Drive more traffic: a reveal, a publish, a stage change, a commitment naming Bo.
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": cast.p,
            "owners": [{"participant_id": cast.b.participant_id}],
            "next_step": "Call",
            "status": "priority",
        },
    )["ok"]
    assert room.mod("voting:close")["ok"]
    assert room.mod("results:reveal", {"revealed": True})["ok"]
    res = room.moderator.http.post(f"/console/{room.code}/outcome/publish", data={"public": "1"})
    assert res.status_code == 302
    assert cast.c.emit("sync")["ok"] and cast.d.emit("sync")["ok"]
    assert cast.c.emit("interest:set", {"pitch_id": cast.q, "on": True})["ok"]
    cast.collect()
    for key, messages in cast.seen.items():
        assert messages, key
        blob = json.dumps(messages)
        assert EMAIL not in blob and PHONE not in blob, key
    token = room.state()["outcome_url"].rsplit("/o/", 1)[1]
    anyone = app.test_client()
    public_page = anyone.get(f"/o/{token}")
    assert public_page.status_code == 200
    public_api = cast.d.http.get(f"/api/sessions/{room.code}/outcome")
    assert public_api.status_code == 200
    results_api = cast.c.http.get(f"/api/sessions/{room.code}/results")
    assert results_api.status_code == 200
    leaks = {
        "public page": public_page.get_data(as_text=True),
        "public api": public_api.get_data(as_text=True),
        "results api": results_api.get_data(as_text=True),
        "stage": json.dumps(room.snapshots.stage(room.session_id)),
        "screen": json.dumps(room.snapshots.screen(room.session_id)),
        "counts": json.dumps(room.snapshots.counts(room.session_id)),
        "phone page": cast.c.http.get(f"/j/{room.code}").get_data(as_text=True),
        "screen page": anyone.get(f"/screen/{room.code}").get_data(as_text=True),
        "C's me": json.dumps(room.snapshots.me(room.session_id, cast.c.participant_id)),
    }
    for where, text in leaks.items():
        assert EMAIL not in text and PHONE not in text, where
    assert "Open data" in leaks["public page"] and "Open data" in leaks["public api"]
    # The public outcome names no follower at all.
    body = public_api.get_json()
    assert "participants" not in body
    assert all("interested" not in r for r in body["results"])


def test_withdrawing_consent_removes_the_contact_everywhere(cast, room):
    assert cast.b.emit("contact:set", {"consent": False})["ok"]
    people = cast.interested(cast.a_me())
    assert (people["Bo"]["email"], people["Bo"]["phone"]) == ("", "")
    assert "Bo" in people  # the interest itself stays
    for kind, text in moderator_texts(room).items():
        assert EMAIL not in text and PHONE not in text, kind
    me = cast.b.last("me")["participant"]
    assert (me["email"], me["phone"], me["consent"]) == ("", "", False)


def test_deleting_oneself_removes_name_and_contacts_but_keeps_votes(cast, room, app):
    assert room.mod(
        "commitment:set",
        {
            "pitch_id": cast.p,
            "owners": [{"participant_id": cast.b.participant_id}, {"name": "City IT"}],
            "next_step": "Call",
            "status": "priority",
        },
    )["ok"]
    before = {r["title"]: r["score"] for r in room.state()["results"]}
    assert before["Open data"] == 1
    assert cast.b.emit("me:delete", {})["ok"]
    assert room.state()["commitments"][0]["owners"] == ["City IT"]
    assert cast.b.last("me") == {"participant": None}
    people = cast.interested(cast.a_me())
    assert set(people) == {"Cy"}
    texts = moderator_texts(room)
    for kind, text in texts.items():
        assert EMAIL not in text and PHONE not in text, kind
        assert "Bo" not in text and "Uni" not in text, kind
    [row] = [r for r in moderator_csv(room) if r["Quick win"] == "Open data"]
    assert row["Interested people"] == "Cy (NGO)" and row["Interested"] == "1"
    assert row["Score"] == "1"  # Bo's dot still counts
    assert {r["title"]: r["score"] for r in room.state()["results"]} == before
    assert [p["name"] for p in room.state()["people"]] == ["Ana", "Cy", "Di"]
    assert room.state()["counts"]["participants"] == 3
    # Bo's browser is refused from now on.
    assert cast.b.refused("vote:set", {"pitch_id": cast.q, "dots": 1}) in ("not_joined", "closed")
    refused = cast.b.refused("contact:set", {"email": EMAIL, "consent": True})
    assert refused in ("not_joined", "closed")
    socketio = app.extensions["facilitator"]["socketio"]
    again = socketio.test_client(
        app, flask_test_client=cast.b.http, auth={"code": room.code, "role": "phone"}
    )
    assert not again.is_connected()
    res = cast.b.http.post(f"/api/sessions/{room.code}/participants", json={"name": "Bo2"})
    assert res.status_code == 201  # may join again, as someone new


def test_deleting_a_pitcher_removes_waiting_pitches_and_anonymises_done_ones(room):
    a = room.phone("Ana", "City")
    ran = a.emit("pitch:propose", {"title": "Ran", "offer": "x"})["pitch_id"]
    waiting = a.emit("pitch:propose", {"title": "Waiting", "offer": "y"})["pitch_id"]
    pending = a.emit("pitch:propose", {"title": "Pending", "offer": "z"})["pitch_id"]
    for pid in (ran, waiting):
        assert room.mod("pitch:accept", {"pitch_id": pid})["ok"]
    assert room.mod("timer:start")["ok"]
    assert room.mod("stage:next")["ok"]  # Ran done, Waiting live
    assert room.mod("pitch:mark", {"pitch_id": waiting, "status": "queued"})["ok"]
    assert a.emit("me:delete", {})["ok"]
    state = room.state()
    assert [(p["title"], p["pitcher"], p["organisation"]) for p in state["queue"]] == [
        ("Ran", "", "")
    ]
    assert state["pending"] == []
    assert all(p["id"] not in (waiting, pending) for p in state["votable"])


def test_bad_contact_input_is_refused_and_nothing_stored(cast, room):
    d = cast.d
    for payload, code in (
        ({"email": "ana@", "consent": True}, "invalid_email"),
        ({"phone": "12ab", "consent": True}, "invalid_phone"),
        ({"consent": True}, "contact_required"),
        ({"email": "", "phone": "", "consent": True}, "contact_required"),
        ({"email": "di@example.org", "consent": False}, "consent_required"),
        ({"email": "di@example.org"}, "required"),
        ({"email": "di@example.org", "consent": "yes"}, "wrong_type"),
    ):
        ack = d.emit("contact:set", payload)
        assert ack["ok"] is False and ack["error"] == code, (payload, ack)
    me = room.snapshots.me(room.session_id, d.participant_id)["participant"]
    assert (me["email"], me["phone"], me["consent"]) == ("", "", False)
    # Bo's stored contact is not touched by a refused change either.
    assert cast.b.emit("contact:set", {"email": "bo@", "consent": True})["error"] == "invalid_email"
    assert (
        cast.interested(room.snapshots.me(room.session_id, cast.a.participant_id))["Bo"]["email"]
        == EMAIL
    )


def test_interest_rules(cast, room):
    assert (
        cast.a.emit("interest:set", {"pitch_id": cast.p, "on": True})["error"]
        == "own_pitch_interest"
    )
    pending = cast.c.emit("pitch:propose", {"title": "Not yet", "offer": "x"})["pitch_id"]
    assert (
        cast.d.emit("interest:set", {"pitch_id": pending, "on": True})["error"] == "unknown_pitch"
    )
    assert (
        cast.d.emit("interest:set", {"pitch_id": 999_999, "on": True})["error"] == "unknown_pitch"
    )
    assert cast.c.emit("interest:set", {"pitch_id": cast.p, "on": False})["ok"]
    assert set(cast.interested(cast.a_me())) == {"Bo"}
    assert room.state()["counts"]["interest"] == {str(cast.p): 1, str(cast.q): 1}
