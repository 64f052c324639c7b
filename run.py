"""Start Facilitator on this laptop: `python run.py [--demo] [--port 5000] [--public-url URL]`."""

import os
import warnings

# The async mode is configuration (FACILITATOR_ASYNC_MODE, default eventlet); its monkey-patching
# must run before anything else imports socket, threading or Flask.
ASYNC_MODE = os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
elif ASYNC_MODE == "eventlet":
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Run a live pitch round from this laptop.")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument(
        "--public-url",
        help="base URL phones use to reach this laptop "
        "(default: FACILITATOR_PUBLIC_URL, else http://<LAN address>:<port>)",
    )
    p.add_argument(
        "--db",
        help="database URL or SQLite file (default: instance/facilitator.db, or DATABASE_URL)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="create a ready session modelled on the reference session",
    )
    p.add_argument(
        "--session",
        help="join code of the session to print links for "
        "(default: the newest one this command created; a new one if there is none)",
    )
    p.add_argument(
        "--start-page",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let browsers create sessions on the start page (default: "
        "FACILITATOR_START_PAGE, else open on a private network and closed when "
        "the public URL is on the internet)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=6000,
        help="connections the server accepts at once (eventlet's default is 1024): "
        "5,000 phones, the screen and the console, and room for connections that "
        "are still proving themselves",
    )
    return p.parse_args(argv)


FILE_RESERVE = 128  # descriptors kept for the database, logs and the listening socket


def connection_cap(wanted: int) -> int:
    """Each phone holds a socket. Lift the per-process file limit (often 1024) as far as the
    system allows, and never accept more connections than it leaves room for: running out of
    descriptors would make eventlet's accept() raise and stop the whole server."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to manage
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted + FILE_RESERVE
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft == resource.RLIM_INFINITY:
        return wanted
    cap = min(wanted, soft - FILE_RESERVE)
    if cap < wanted:
        print(
            f"Warning: this system allows {soft} open files; accepting at most {cap} "
            "connections (raise 'ulimit -n' for more).",
            file=sys.stderr,
        )
    return cap


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("FACILITATOR_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    max_connections = connection_cap(args.max_connections)
    from facilitator import create_app, demo, qr

    overrides = {}
    if args.db:
        overrides["DATABASE_URL"] = (
            args.db if "://" in args.db else f"sqlite:///{os.path.abspath(args.db)}"
        )
    public = (
        args.public_url
        or os.environ.get("FACILITATOR_PUBLIC_URL")
        or f"http://{qr.lan_address()}:{args.port}"
    ).rstrip("/")
    overrides["PUBLIC_URL"] = public
    if args.start_page is not None:
        overrides["START_PAGE"] = "open" if args.start_page else "closed"
    app = create_app(overrides)
    if app.config["MESSAGE_QUEUE"] and not os.environ.get("FACILITATOR_SECRET_KEY"):
        print(
            "Warning: FACILITATOR_MESSAGE_QUEUE is set but FACILITATOR_SECRET_KEY is not: "
            "every process behind the proxy needs the same secret key, or each refuses "
            "the others' cookies (see docs/deploy.md).",
            file=sys.stderr,
            flush=True,
        )
    service = app.extensions["facilitator"]["service"]
    socketio = app.extensions["facilitator"]["socketio"]

    code = operator_session(service, demo, args)
    newest = service.latest_session_code()
    if not (args.demo or args.session) and newest != code:
        print(
            "Note: newer sessions were made on the start page or through the API; only the "
            "sessions made here are printed (name another with --session CODE).",
            flush=True,
        )
    key = service.moderator_key(code)
    join = qr.join_url(public, code)
    start_page = (
        f"{public}/" if app.config["START_PAGE"] == "open" else "closed (--start-page opens it)"
    )
    print(
        f"""
Facilitator is running: {service.find_session(code)["title"]}

  Console (moderator, keep secret): {public}/console/{code}?key={key}
  Screen (projector):               {public}/screen/{code}
  Join (phones):                    {join}
  Join code:                        {code}
  Start page (new sessions):        {start_page}
""",
        flush=True,
    )
    print(qr.terminal(join), flush=True)
    serve(app, socketio, args.host, args.port, max_connections)


def operator_session(service, demo, args) -> str:
    """The session whose console link this laptop prints. Only sessions this command made
    (`--demo`, or the one it creates when there is none) are the operator's: a session made on
    the start page or through the API, by anyone on the network, is printed only when named
    with `--session CODE`, so a restart never hands the console of a guest's look-alike
    session to the operator."""
    if args.demo:
        return demo.create(service)[0]
    if args.session:
        found = service.find_session(args.session)
        if found is None:
            sys.exit(f"No session with code {args.session}.")
        return found["code"]
    code = service.latest_session_code(created_by="operator")
    if code is None:
        code, _ = service.create_session(title="Pitch round", created_by="operator")
    return code


BACKLOG = 2048
SOCKET_TIMEOUT = 60  # s: one read or write on a client connection (Engine.IO pings every 20 s)


def serve(app, socketio, host: str, port: int, max_connections: int) -> None:
    """The async mode's own WSGI server with a listen backlog big enough for a room of phones
    that all reconnect at once (Flask-SocketIO's run() keeps the default of 50), a cap on
    connections held at once (eventlet's default is 1,024; gevent's is none), and the gate:
    connections that have not proved anything yet are counted per client address and timed
    out (facilitator/gate.py, docs/security.md "The transport")."""
    from facilitator.gate import Gate, GateLimits, GateMiddleware
    from facilitator.parts import Parts
    from facilitator.transport import QuietLog, query_value

    parts: Parts | None = app.extensions.get("facilitator")
    proven = None
    if parts is not None:
        transport = parts.transport

        def proven(environ: dict) -> bool:
            return transport.is_proven(query_value(environ, "sid"))

        gate = Gate(GateLimits.from_config(app.config))
        parts.transport.gate = parts.gate = gate
        quiet = parts.transport.quiet
        # eventlet's own timeout for a request line (the first one too): the gate holds the
        # stricter idle time between requests
        first = app.config["REQUEST_SECONDS"]
    else:  # bench/baseline.py: a bare Flask-SocketIO app, where nothing proves itself
        gate, quiet = (
            Gate(GateLimits(per_address=0, total=0, request_seconds=0)),
            QuietLog(logging.getLogger("facilitator.gate")),
        )
        first = GateLimits().request_seconds
    socketio.start_background_task(gate.sweep_forever, socketio.sleep)
    if socketio.async_mode == "eventlet":
        import eventlet.wsgi

        from facilitator.gate import eventlet_pool

        pool, find_ticket = eventlet_pool(max_connections, gate)
        listener = eventlet.listen((host, port), backlog=BACKLOG)
        eventlet.wsgi.server(
            listener,
            GateMiddleware(app, gate, find_ticket, proven),
            custom_pool=pool,
            log_output=False,
            socket_timeout=SOCKET_TIMEOUT,
            keepalive=first or True,
        )
    elif socketio.async_mode == "gevent":
        # Websockets come from simple-websocket (python-engineio's gevent driver uses it when
        # gevent-websocket is not installed); the pool caps the connections held at once.
        from gevent.pool import Pool

        from facilitator.gate import gevent_server

        server_class, find_ticket = gevent_server(gate, SOCKET_TIMEOUT, quiet)
        server_class(
            (host, port),
            GateMiddleware(app, gate, find_ticket, proven),
            backlog=BACKLOG,
            spawn=Pool(max_connections),
            log=None,
        ).serve_forever()
    else:
        socketio.run(app, host=host, port=port)


if __name__ == "__main__":
    main()
