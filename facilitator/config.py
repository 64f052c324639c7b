"""Settings from the environment, with defaults that run on one laptop with no other service."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _secret_key(instance: Path) -> str:
    """A persistent secret: phones keep their identity and the moderator stays signed in across
    restarts. Taken from FACILITATOR_SECRET_KEY, else created once under instance/."""
    if os.environ.get("FACILITATOR_SECRET_KEY"):
        return os.environ["FACILITATOR_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


# Host names that never resolve on the internet: a public URL under one of them (or a private,
# loopback or link-local address, or a name without a dot) is a laptop on a venue's network.
LOCAL_SUFFIXES = (".local", ".lan", ".home.arpa", ".internal", ".localhost", ".test")


def on_local_network(public_url: str | None) -> bool:
    """Whether the public URL points into a private network (True when there is none: the
    server cannot tell, and builds its links from each request)."""
    if not public_url:
        return True
    host = (urlsplit(public_url).hostname or "").rstrip(".").lower()
    if not host:
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return "." not in host or host == "localhost" or host.endswith(LOCAL_SUFFIXES)


def start_page_mode(value, public_url: str | None) -> str:
    """'open' or 'closed'. 'auto' (the default): open on a venue's network, closed when the
    public URL is on the internet (anyone there could otherwise create sessions)."""
    if isinstance(value, bool):
        return "open" if value else "closed"
    value = str(value or "auto").strip().lower()
    if value in ("open", "1", "yes", "on", "true"):
        return "open"
    if value in ("closed", "0", "no", "off", "false"):
        return "closed"
    if value != "auto":
        raise ValueError(f"FACILITATOR_START_PAGE must be open, closed or auto, not {value!r}")
    return "open" if on_local_network(public_url) else "closed"


def _number(name: str, default: float) -> float:
    """A non-negative number from the environment (a typo must not switch a limit off)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = float(raw)
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be a number >= 0, not {raw!r}")
    return value


def from_env(overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    instance = Path(
        overrides.pop("INSTANCE_PATH", None) or os.environ.get("FACILITATOR_INSTANCE", INSTANCE)
    )
    cfg: dict[str, Any] = {
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'facilitator.db'}",
        "PUBLIC_URL": os.environ.get("FACILITATOR_PUBLIC_URL") or None,
        "ASYNC_MODE": os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet"),
        # Several processes: Redis URL of Flask-SocketIO's message queue, and its channel
        # (distinct per deployment when deployments share one Redis).
        "MESSAGE_QUEUE": os.environ.get("FACILITATOR_MESSAGE_QUEUE") or None,
        "MESSAGE_QUEUE_CHANNEL": os.environ.get("FACILITATOR_MESSAGE_QUEUE_CHANNEL")
        or "flask-socketio",
        # Seconds between the timekeeper's look at every running timer (0: never; only at
        # start and after this process's own changes). Default: 5 s with a message queue,
        # since another process may start a timer this one must keep.
        "TIMEKEEPER_SWEEP_S": float(os.environ["FACILITATOR_TIMEKEEPER_SWEEP"])
        if os.environ.get("FACILITATOR_TIMEKEEPER_SWEEP")
        else None,
        # Seconds between a look at every open connection's identity (its session, its
        # participant, its moderator key still there), closing the ones that no longer hold.
        # 0: never; a connection is closed at once by the process that erased or deleted,
        # and by any process at its next event. Default: 30 s with a message queue.
        "IDENTITY_SWEEP_S": float(os.environ["FACILITATOR_IDENTITY_SWEEP"])
        if os.environ.get("FACILITATOR_IDENTITY_SWEEP")
        else None,
        # Screen and console tallies are sent at most this often while votes pour in.
        "COALESCE_MS": int(os.environ.get("FACILITATOR_COALESCE_MS", "100")),
        # The console's count of connected phones is sent at most this often per session.
        "DEVICES_MS": int(os.environ.get("FACILITATOR_DEVICES_MS", "3000")),
        # Sessions (with everything in them) are erased this many days after they were created.
        "RETENTION_DAYS": int(os.environ.get("FACILITATOR_RETENTION_DAYS", "30")),
        # One socket message, counted across WebSocket fragments (docs/security.md, "The
        # transport").
        "MAX_MESSAGE_BYTES": 64 * 1024,
        # Per socket connection: bytes per second after a burst; a connection that keeps
        # sending faster is closed (0: no limit).
        "SOCKET_BYTES_PER_SECOND": _number("FACILITATOR_SOCKET_BYTES_PER_SECOND", 64 * 1024),
        "SOCKET_BURST_BYTES": int(_number("FACILITATOR_SOCKET_BURST_BYTES", 512 * 1024)),
        # A socket must complete its Socket.IO connect with a valid role within this many
        # seconds of opening (0: no deadline).
        "PROOF_SECONDS": _number("FACILITATOR_PROOF_SECONDS", 10),
        # Screen connections one client address may hold, and open per minute after as many
        # at once (0: no limit).
        "SCREENS_PER_ADDRESS": int(_number("FACILITATOR_SCREENS_PER_ADDRESS", 20)),
        "SCREEN_CONNECTS_PER_MINUTE": _number("FACILITATOR_SCREEN_CONNECTS_PER_MINUTE", 30),
        # Long-polling where a proxy refuses WebSockets (docs/deploy.md: several processes need
        # sticky sessions), and how many polling sessions that have not completed their
        # Socket.IO connect one client address may hold (0: no limit).
        "POLLING": os.environ.get("FACILITATOR_POLLING", "1") != "0",
        "POLLING_UNPROVEN_PER_ADDRESS": int(
            _number("FACILITATOR_POLLING_UNPROVEN_PER_ADDRESS", 50)
        ),
        # Console connections one client address may open per minute, after 20 at once (0: no
        # limit); beyond, the connection is closed before the app runs.
        "CONSOLE_CONNECTS_PER_MINUTE": _number("FACILITATOR_CONSOLE_CONNECTS_PER_MINUTE", 30),
        # Resyncs of the full snapshot (`sync`) by screens and phones, per second after a
        # burst of four (address) and three (session) seconds' worth: per client address, and
        # per session over all addresses (0: no limit); beyond, the connection is closed. The
        # pages never send one (a reconnect brings its snapshot); scripts and tests may.
        "RESYNC_PER_ADDRESS": _number("FACILITATOR_RESYNC_PER_ADDRESS", 5),
        "RESYNC_PER_SESSION": _number("FACILITATOR_RESYNC_PER_SESSION", 20),
        # run.py's servers: connections not yet proven (no Socket.IO connect with a valid
        # role), per client address and in all (0: no limit); seconds an unproven
        # connection has to send its first complete request, to send the next one (idle
        # keep-alive), and seconds the app has to answer one (facilitator/gate.py).
        "UNPROVEN_PER_ADDRESS": int(_number("FACILITATOR_UNPROVEN_PER_ADDRESS", 500)),
        "UNPROVEN_TOTAL": int(_number("FACILITATOR_UNPROVEN_TOTAL", 2000)),
        "REQUEST_SECONDS": _number("FACILITATOR_REQUEST_SECONDS", 10),
        "IDLE_SECONDS": _number("FACILITATOR_IDLE_SECONDS", 3),
        "BUSY_SECONDS": _number("FACILITATOR_BUSY_SECONDS", 60),
        # Per socket connection: events per second after a burst (0: no limit).
        "EVENT_RATE": float(os.environ.get("FACILITATOR_EVENT_RATE", "20")),
        "EVENT_BURST": int(os.environ.get("FACILITATOR_EVENT_BURST", "40")),
        # Moderator commands, per session (all its consoles together), per second after a
        # burst; beyond, `rate_limited` before the command runs (0: no limit). A moderator is a
        # person or two clicking; each command may fan out to every screen and phone.
        "MODERATOR_EVENTS_PER_SECOND": _number("FACILITATOR_MODERATOR_EVENTS_PER_SECOND", 10),
        "MODERATOR_EVENT_BURST": _number("FACILITATOR_MODERATOR_EVENT_BURST", 40),
        # Console connections one session may hold in one process (0: no limit).
        "CONSOLES_PER_SESSION": int(_number("FACILITATOR_CONSOLES_PER_SESSION", 10)),
        # Phone events that write (ratings, interests, proposals, contact details: not the
        # batched votes, not the clock), per client address, per second after a burst (0: no
        # limit). A whole venue may share one NAT address (docs/security.md, "Limits").
        "PHONE_EVENTS_PER_ADDRESS": _number("FACILITATOR_PHONE_EVENTS_PER_ADDRESS", 50),
        "PHONE_EVENT_BURST": _number("FACILITATOR_PHONE_EVENT_BURST", 500),
        # Per client address: wrong join codes or moderator keys tolerated per minute.
        "FAILED_LOOKUPS_PER_MINUTE": int(os.environ.get("FACILITATOR_FAILED_LOOKUPS", "30")),
        # HTTP budgets per client address (an IPv6 client per /64), as a rate per minute after
        # a burst; a rate of 0 means no limit. Sized for a venue behind one NAT address:
        # 5,000 phones that each load a page and join within a minute pass.
        # Every page and API request (not static files, not Socket.IO):
        "HTTP_PER_MINUTE": _number("FACILITATOR_HTTP_PER_MINUTE", 12_000),
        "HTTP_BURST": _number("FACILITATOR_HTTP_BURST", 6_000),
        # Reading the results and outcome API (dashboards and scripts; phones use pages):
        "API_READS_PER_MINUTE": _number("FACILITATOR_API_READS_PER_MINUTE", 600),
        "API_READ_BURST": _number("FACILITATOR_API_READ_BURST", 120),
        # Joining a session (new participants):
        "JOINS_PER_MINUTE": _number("FACILITATOR_JOINS_PER_MINUTE", 120),
        "JOIN_BURST": _number("FACILITATOR_JOIN_BURST", 6_000),
        # Creating a session (start page and POST /api/sessions):
        "SESSIONS_PER_MINUTE": _number("FACILITATOR_SESSIONS_PER_MINUTE", 1),
        "SESSION_BURST": _number("FACILITATOR_SESSION_BURST", 20),
        # Proxies in front that append the client's address to X-Forwarded-For (0: none, the
        # header is ignored; a client could write any address into it).
        "TRUSTED_PROXIES": int(os.environ.get("FACILITATOR_TRUSTED_PROXIES") or 0),
        # Seconds an anonymous reader's results or public outcome may be old (a session
        # revision always refreshes them at once); 0 builds them for every request.
        "PUBLIC_CACHE_SECONDS": _number("FACILITATOR_PUBLIC_CACHE_SECONDS", 1),
        # The start page (creating sessions from a browser): open, closed, or auto (open on a
        # venue's network, closed when the public URL is on the internet).
        "START_PAGE": os.environ.get("FACILITATOR_START_PAGE", "auto"),
        # Origins allowed besides the public URL and this machine's own names
        # (comma-separated, e.g. a hostname the laptop is also reached by).
        "ALLOWED_ORIGINS": [
            o.strip().rstrip("/")
            for o in os.environ.get("FACILITATOR_ALLOWED_ORIGINS", "").split(",")
            if o.strip()
        ],
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "facilitator",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        "SEND_FILE_MAX_AGE_DEFAULT": 60 * 60 * 24 * 365,  # static URLs carry a content hash
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en", "zh"],
    }
    cfg.update(overrides)
    cfg["START_PAGE"] = start_page_mode(cfg["START_PAGE"], cfg["PUBLIC_URL"])
    if cfg["TIMEKEEPER_SWEEP_S"] is None:
        cfg["TIMEKEEPER_SWEEP_S"] = 5.0 if cfg["MESSAGE_QUEUE"] else 0.0
    if cfg["IDENTITY_SWEEP_S"] is None:
        cfg["IDENTITY_SWEEP_S"] = 30.0 if cfg["MESSAGE_QUEUE"] else 0.0
    if "SECRET_KEY" not in cfg:
        cfg["SECRET_KEY"] = _secret_key(instance)
    if cfg["DATABASE_URL"].startswith("sqlite:///"):
        Path(cfg["DATABASE_URL"][len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return cfg
