"""Several processes on one database (docs/deploy.md): a cookie signed by one process is
accepted by another only if both have the same secret key. Two apps on one database file stand
for two processes; tests/cluster runs real ones on PostgreSQL and Redis."""

from __future__ import annotations

from facilitator import create_app


def process(db_path, clock, secret: str):
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": secret,
            "ASYNC_MODE": "threading",
            "COALESCE_MS": 0,
            "PUBLIC_URL": "http://venue.test:5000",
            "TESTING": True,
        },
        clock=clock,
    )


def phone_on(app, code: str, cookie: str):
    """A phone's socket on `app`, carrying the cookie another process gave it."""
    http = app.test_client()
    http.set_cookie("facilitator", cookie)
    socketio = app.extensions["facilitator"]["socketio"]
    return socketio.test_client(app, flask_test_client=http, auth={"code": code, "role": "phone"})


def joined_on(app) -> tuple[str, str]:
    http = app.test_client()
    code = http.post("/api/sessions", json={"title": "Two processes"}).get_json()["code"]
    res = http.post(f"/api/sessions/{code}/participants", json={"name": "Grace"})
    assert res.status_code == 201, res.get_json()
    return code, http.get_cookie("facilitator").value


def test_a_phone_keeps_its_identity_on_a_process_with_the_same_secret_key(tmp_path, clock):
    a = process(tmp_path / "shared.db", clock, "one-key-for-all")
    b = process(tmp_path / "shared.db", clock, "one-key-for-all")
    code, cookie = joined_on(a)
    sock = phone_on(b, code, cookie)
    assert sock.is_connected()
    me = [m["args"][0] for m in sock.get_received() if m["name"] == "me"]
    assert me and me[-1]["participant"]["name"] == "Grace"


def test_a_process_with_another_secret_key_refuses_the_cookie(tmp_path, clock):
    a = process(tmp_path / "shared.db", clock, "key-of-a")
    b = process(tmp_path / "shared.db", clock, "key-of-b")
    code, cookie = joined_on(a)
    assert not phone_on(b, code, cookie).is_connected()
    assert phone_on(a, code, cookie).is_connected()
