"""The bare baseline: Flask-SocketIO with nothing behind it, served exactly as run.py serves.

    FACILITATOR_ASYNC_MODE=eventlet|gevent python -m bench.baseline --port 5001

One event, `vote:set`, that only acknowledges `{"ok": true}` (no validation, no database, no
broadcast), and a connect handler that sends a tiny `stage` so the load generator's phones can
use the same code against both servers. The async mode, its monkey-patching, the listen
backlog, the connection cap and the timeouts all come from run.py, so the app and the baseline
differ only in what the app does per event and per connection (the app's checks of every
packet, facilitator/transport.py, and the limits of its gate, facilitator/gate.py). Every
figure of `python -m bench` that matters is a ratio against this server, measured in the same
run.
"""

from __future__ import annotations

import argparse

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit  # noqa: E402

import run  # noqa: I001 - first: monkey-patches for FACILITATOR_ASYNC_MODE before Flask loads


def create(async_mode: str) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return "baseline\n"

    socketio = SocketIO(
        app,
        async_mode=async_mode,
        cors_allowed_origins="*",
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
    )

    @socketio.on("connect")
    def connect(auth=None, *_extra):
        emit("stage", {"rev": 0})

    @socketio.on("vote:set")
    def vote(*_args):
        return {"ok": True}

    return app, socketio


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--max-connections", type=int, default=5000)
    args = p.parse_args(argv)
    app, socketio = create(run.ASYNC_MODE)
    print(f"baseline ({socketio.async_mode}) on http://{args.host}:{args.port}", flush=True)
    run.serve(app, socketio, args.host, args.port, run.connection_cap(args.max_connections))


if __name__ == "__main__":
    main()
