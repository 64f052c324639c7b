"""Long-polling, the fallback where a venue's proxy refuses WebSockets, held to the same
bounds as a WebSocket (facilitator/transport.py): a POST body larger than one message is
refused before it is read, packets that do not parse close the Engine.IO session with one log
line, and one client address cannot pile up polling sessions that never prove themselves. Real
server (run.py) in both async modes; plain HTTP from 127.0.0.x."""

from __future__ import annotations

import http.client as httpc
import json
import time

import pytest

from .wire import attacker_address, start_server

MODES = ["eventlet", "gevent"]
RS = "\x1e"  # Engine.IO's packet separator in a polling payload


@pytest.fixture(params=MODES)
def served(tmp_path, request):
    server, code, _made = start_server(
        tmp_path / "server", request.param, FACILITATOR_POLLING_UNPROVEN_PER_ADDRESS="5"
    )
    yield server, code
    server.stop()


def http(port, method, path, body=None, source="127.0.0.1", headers=None, timeout=30):
    conn = httpc.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.read().decode("utf-8", "replace")
    finally:
        conn.close()


def handshake(port, source="127.0.0.1"):
    """A polling handshake: (status, Engine.IO session id or None)."""
    status, body = http(port, "GET", "/socket.io/?EIO=4&transport=polling", source=source)
    if status != 200:
        return status, None
    return status, json.loads(body[1:])["sid"]


def poll_path(sid):
    return f"/socket.io/?EIO=4&transport=polling&sid={sid}"


def post(port, sid, payload, source="127.0.0.1"):
    return http(port, "POST", poll_path(sid), payload.encode(), source)


def transport_lines(server) -> list[str]:
    return [x for x in server.log.read_text().splitlines() if "facilitator.transport" in x]


def test_an_honest_screen_over_polling_connects_and_gets_the_stage(served):
    server, code = served
    status, sid = handshake(server.port)
    assert status == 200 and sid
    assert post(server.port, sid, "40" + json.dumps({"code": code, "role": "screen"}))[0] == 200
    got, deadline = "", time.monotonic() + 30
    while '"stage"' not in got and time.monotonic() < deadline:
        status, body = http(server.port, "GET", poll_path(sid))
        assert status == 200, body
        got += body
    assert '"stage"' in got and code in got


def test_a_huge_post_body_is_refused_unread_and_closes_the_session(served):
    server, code = served
    _status, sid = handshake(server.port, attacker_address())
    # Announces 50 MB, sends a little: the server must not wait for (or buffer) the rest.
    conn = httpc.HTTPConnection(
        "127.0.0.1", server.port, timeout=15, source_address=(attacker_address(), 0)
    )
    conn.putrequest("POST", poll_path(sid))
    conn.putheader("Content-Length", str(50 * 1024 * 1024))
    conn.endheaders(b"4" * 1000)
    res = conn.getresponse()
    assert res.status == 400
    conn.close()
    # The session is gone: its next poll is refused.
    status, _ = http(server.port, "GET", poll_path(sid), source=attacker_address())
    assert status == 400
    assert any("POST body" in x for x in transport_lines(server))


@pytest.mark.parametrize("payload", ["4A", "42[1,2", "2probe", "b" + "QUJD", "40" + RS + "6"])
def test_malformed_packets_over_polling_close_the_session_with_one_log_line(served, payload):
    server, code = served
    for n in range(6):
        _status, sid = handshake(server.port, attacker_address())
        # Refused before Engine.IO reads it (400), or by the Socket.IO checks as it is read.
        status, _body = post(server.port, sid, payload, attacker_address())
        assert status in (200, 400), (n, payload)
        status, _ = http(server.port, "GET", poll_path(sid), source=attacker_address())
        assert status == 400  # closed: no second chance on the same session
    lines = transport_lines(server)
    assert 1 <= len(lines) <= 2, lines  # one line per address a minute (plus a refusal)
    # An honest client meanwhile is served.
    status, sid = handshake(server.port)
    assert status == 200
    assert post(server.port, sid, "40" + json.dumps({"code": code, "role": "screen"}))[0] == 200


def test_unproven_polling_sessions_are_capped_per_address(served):
    server, code = served
    attacker = attacker_address(1)
    sids = [handshake(server.port, attacker) for _ in range(5)]
    assert all(status == 200 for status, _sid in sids)
    status, _ = handshake(server.port, attacker)
    assert status != 200  # the sixth unproven session from that address
    # Another address is not affected, and a session that proves itself frees its place.
    assert handshake(server.port, attacker_address(2))[0] == 200
    sid = sids[0][1]
    assert (
        post(server.port, sid, "40" + json.dumps({"code": code, "role": "screen"}), attacker)[0]
        == 200
    )
    deadline = time.monotonic() + 10
    while handshake(server.port, attacker)[0] != 200:
        assert time.monotonic() < deadline, "a proven session still counted"
        time.sleep(0.2)


def test_the_events_budget_holds_over_polling(served):
    """A polling session sending events far beyond the app's rate is closed, as a WebSocket."""
    server, code = served
    _status, sid = handshake(server.port, attacker_address(3))
    post(server.port, sid, "40" + json.dumps({"code": code, "role": "screen"}), attacker_address(3))
    flood = RS.join(['42["time:sync",{}]'] * 400)
    statuses = [post(server.port, sid, flood, attacker_address(3))[0] for _ in range(3)]
    assert 400 in statuses
    assert http(server.port, "GET", poll_path(sid), source=attacker_address(3))[0] == 400
