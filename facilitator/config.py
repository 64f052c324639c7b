"""Settings from the environment, with defaults that run on one laptop with no other service."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

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


def from_env(overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    instance = Path(overrides.pop("INSTANCE_PATH", None) or
                    os.environ.get("FACILITATOR_INSTANCE", INSTANCE))
    cfg = {
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
        if os.environ.get("FACILITATOR_TIMEKEEPER_SWEEP") else None,
        # Seconds between a look at every open connection's identity (its session, its
        # participant, its moderator key still there), closing the ones that no longer hold.
        # 0: never; a connection is closed at once by the process that erased or deleted,
        # and by any process at its next event. Default: 30 s with a message queue.
        "IDENTITY_SWEEP_S": float(os.environ["FACILITATOR_IDENTITY_SWEEP"])
        if os.environ.get("FACILITATOR_IDENTITY_SWEEP") else None,
        # Screen and console tallies are sent at most this often while votes pour in.
        "COALESCE_MS": int(os.environ.get("FACILITATOR_COALESCE_MS", "100")),
        # Sessions (with everything in them) are erased this many days after they were created.
        "RETENTION_DAYS": int(os.environ.get("FACILITATOR_RETENTION_DAYS", "30")),
        "MAX_MESSAGE_BYTES": 64 * 1024,
        # Per socket connection: events per second after a burst (0: no limit).
        "EVENT_RATE": float(os.environ.get("FACILITATOR_EVENT_RATE", "20")),
        "EVENT_BURST": int(os.environ.get("FACILITATOR_EVENT_BURST", "40")),
        # Per client address: wrong join codes or moderator keys tolerated per minute.
        "FAILED_LOOKUPS_PER_MINUTE": int(os.environ.get("FACILITATOR_FAILED_LOOKUPS", "30")),
        # Origins allowed besides the public URL and this machine's own names
        # (comma-separated, e.g. a hostname the laptop is also reached by).
        "ALLOWED_ORIGINS": [o.strip().rstrip("/") for o in
                            os.environ.get("FACILITATOR_ALLOWED_ORIGINS", "").split(",")
                            if o.strip()],
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
    if cfg["TIMEKEEPER_SWEEP_S"] is None:
        cfg["TIMEKEEPER_SWEEP_S"] = 5.0 if cfg["MESSAGE_QUEUE"] else 0.0
    if cfg["IDENTITY_SWEEP_S"] is None:
        cfg["IDENTITY_SWEEP_S"] = 30.0 if cfg["MESSAGE_QUEUE"] else 0.0
    if "SECRET_KEY" not in cfg:
        cfg["SECRET_KEY"] = _secret_key(instance)
    if cfg["DATABASE_URL"].startswith("sqlite:///"):
        Path(cfg["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return cfg
