"""Start Facilitator on this laptop: `python run.py [--demo] [--port 5000] [--public-url URL]`."""
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # before anything else imports socket, threading or Flask

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Run a live pitch round from this laptop.")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--public-url", help="base URL phones use to reach this laptop "
                   "(default: http://<LAN address>:<port>)")
    p.add_argument("--db", help="database URL or SQLite file (default: instance/facilitator.db,"
                   " or DATABASE_URL)")
    p.add_argument("--demo", action="store_true",
                   help="create a ready session modelled on the reference session")
    p.add_argument("--session", help="join code of the session to print links for "
                   "(default: the newest; a new one is created if there is none)")
    p.add_argument("--max-connections", type=int, default=5000,
                   help="connections the server accepts at once (eventlet's default is 1024)")
    return p.parse_args(argv)


def raise_file_limit(wanted: int) -> None:
    """Each phone holds a socket: lift the per-process file limit (often 1024) if allowed."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def main(argv=None):
    args = parse_args(argv)
    raise_file_limit(args.max_connections + 256)
    from facilitator import create_app, demo, qr

    overrides = {}
    if args.db:
        overrides["DATABASE_URL"] = args.db if "://" in args.db else \
            f"sqlite:///{os.path.abspath(args.db)}"
    public = (args.public_url or f"http://{qr.lan_address()}:{args.port}").rstrip("/")
    overrides["PUBLIC_URL"] = public
    app = create_app(overrides)
    service = app.extensions["facilitator"]["service"]
    socketio = app.extensions["facilitator"]["socketio"]

    if args.demo:
        code, _ = demo.create(service)
    else:
        code = args.session or service.latest_session_code()
        if code is None:
            code, _ = service.create_session(title="Pitch round")
        elif service.find_session(code) is None:
            sys.exit(f"No session with code {code}.")
        code = service.find_session(code)["code"]
    key = service.moderator_key(code)
    join = qr.join_url(public, code)
    print(f"""
Facilitator is running: {service.find_session(code)['title']}

  Console (moderator, keep secret): {public}/console/{code}?key={key}
  Screen (projector):               {public}/screen/{code}
  Join (phones):                    {join}
  Join code:                        {code}
  Start page (new sessions):        {public}/
""", flush=True)
    print(qr.terminal(join), flush=True)
    socketio.run(app, host=args.host, port=args.port, max_size=args.max_connections,
                 log_output=False)


if __name__ == "__main__":
    main()
