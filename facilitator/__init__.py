"""Facilitator: live pitch rounds for conference networking sessions."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, render_template, request, url_for
from flask_babel import Babel, force_locale, get_locale, gettext
from flask_socketio import SocketIO
from markupsafe import Markup
from werkzeug.security import safe_join

from . import compress, events, identity, qr, web
from . import config as config_module
from .assets import Assets
from .ballots import Ballots, FactsCache
from .batching import event_class
from .broadcast import Broadcaster
from .limits import EventBudgets, FailureThrottle, TokenBucket
from .models import init_db
from .parts import Parts
from .services import Service, wall_clock_ms
from .snapshots import Snapshots, queue_facts
from .timekeeper import Timekeeper
from .transport import Transport, TransportLimits

ROOT = Path(__file__).resolve().parent.parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def allowed_origins(public_url: str | None, extra: list[str]) -> list[str] | None:
    """The explicit list of origins a browser may call from: the public URL, the same port on
    this machine's own names, and any configured extras. None (same origin as the Host
    header, Engine.IO's default) when no public URL is configured."""
    if not public_url:
        return extra or None
    parts = urlsplit(public_url)
    origins = {f"{parts.scheme}://{parts.netloc}"}
    port = f":{parts.port}" if parts.port else ""
    for host in ("localhost", "127.0.0.1", "[::1]"):
        origins.add(f"{parts.scheme}://{host}{port}")
    return sorted(origins | set(extra))


LANGUAGES = ("en", "zh")


def select_locale():
    """The visitor's choice (the switcher's cookie), else the browser's languages."""
    wanted = request.cookies.get("lang")
    if wanted in LANGUAGES:
        return wanted
    for lang, _quality in request.accept_languages:
        primary = lang.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def both(msgid: str) -> Markup:
    """A heading in the page's language and, when the page has a second language (the
    screen for a mixed room), the same heading in it, marked with its language."""
    main = Markup('<span class="l1">%s</span>') % gettext(msgid)
    second = g.get("second_language")
    if not second:
        return main
    with force_locale(second):
        other = gettext(msgid)
    tag = "zh-Hans" if second == "zh" else second
    return main + Markup('<span class="l2" lang="%s">%s</span>') % (tag, other)


def create_app(config: dict | None = None, clock=wall_clock_ms) -> Flask:
    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static")
    )
    app.config.update(config_module.from_env(config))
    app.session_interface = identity.CookieSessions()
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )

    make_db = init_db(app.config["DATABASE_URL"])
    facts = FactsCache(queue_facts)
    service = Service(make_db, facts, clock)

    service.purge_expired(app.config["RETENTION_DAYS"])

    def base_url() -> str:
        base = app.config.get("PUBLIC_URL")
        if not base:
            try:
                base = request.url_root
            except RuntimeError:  # outside a request: a background flush
                base = "http://localhost/"
        return base.rstrip("/")

    snapshots = Snapshots(
        make_db,
        facts,
        clock,
        lambda code: qr.join_url(base_url(), code),
        lambda token: f"{base_url()}/o/{token}",
    )
    origins = allowed_origins(app.config.get("PUBLIC_URL"), app.config["ALLOWED_ORIGINS"])
    socketio = SocketIO(
        app,
        cors_allowed_origins=origins,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE"],
        channel=app.config["MESSAGE_QUEUE_CHANNEL"],
        max_http_buffer_size=app.config["MAX_MESSAGE_BYTES"],
        ping_interval=20,
        ping_timeout=20,
        # The pages speak WebSocket, and long-polling where a proxy refuses WebSockets
        # (static/js/lib/socket.js); facilitator/transport.py checks both the same way.
        transports=["websocket", "polling"] if app.config["POLLING"] else ["websocket"],
    )
    # Every packet is checked before a handler runs (facilitator/transport.py).
    transport = Transport(socketio, TransportLimits.from_config(app.config))
    broadcaster = Broadcaster(
        socketio,
        snapshots,
        app.config["COALESCE_MS"],
        shared_counts=bool(app.config["MESSAGE_QUEUE"]),
        devices_ms=app.config["DEVICES_MS"],
    )
    ballots = Ballots(
        make_db.kw["bind"], facts, event_class(socketio.async_mode), lambda: socketio.sleep(0)
    )
    throttle = FailureThrottle(app.config["FAILED_LOOKUPS_PER_MINUTE"])
    timekeeper = Timekeeper(socketio, service, broadcaster)
    connections = events.register(
        socketio,
        service,
        ballots,
        broadcaster,
        timekeeper,
        throttle,
        lambda: TokenBucket(app.config["EVENT_RATE"], app.config["EVENT_BURST"]),
        app.config["IDENTITY_SWEEP_S"],
        EventBudgets.from_config(app.config, lambda: clock() / 1000),  # the app's clock
    )
    app.extensions["facilitator"] = Parts(
        service=service,
        snapshots=snapshots,
        throttle=throttle,
        origins=origins,
        broadcaster=broadcaster,
        db=make_db,
        ballots=ballots,
        socketio=socketio,
        transport=transport,
        timekeeper=timekeeper,
        connections=connections,
        budgets=web.make_budgets(app.config, clock),
    )
    web.register(app)
    timekeeper.arm_all()
    if app.config["TIMEKEEPER_SWEEP_S"] > 0:
        socketio.start_background_task(timekeeper.sweep, app.config["TIMEKEEPER_SWEEP_S"])

    static_folder = str(ROOT / "static")  # app.static_folder, typed
    assets = Assets(static_folder)
    assets.check()

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v=assets.version(filename))

    def static_file(filename: str):
        """Static files as Flask serves them; the browser's modules with versioned imports."""
        if not assets.is_module(filename):
            return app.send_static_file(filename)
        if safe_join(static_folder, filename) is None:
            abort(404)
        try:
            body, version = assets.body(filename), assets.version(filename)
        except (OSError, ValueError):
            abort(404)
        resp = Response(body, mimetype="text/javascript")
        resp.set_etag(version)
        resp.cache_control.public = True
        resp.cache_control.max_age = app.get_send_file_max_age(filename)
        return resp.make_conditional(request)

    app.view_functions["static"] = static_file
    # The console's count of phones: this process's connections, and which run older scripts
    # than the phone page the server would send now (events/registry.py Connections.census).
    broadcaster.census = lambda session_id: connections.census(
        session_id, assets.version("js/phone.js")
    )

    @app.context_processor
    def helpers():
        return {
            "asset": asset,
            "modules": lambda entry: [asset(f) for f in assets.modules(entry)],
            "lang": get_locale().language,
            "both": both,
            "other_lang": "en" if get_locale().language == "zh" else "zh",
        }

    @app.before_request
    def same_origin_writes():
        """A form or script on another site cannot make a browser change anything here."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        origin = request.headers.get("Origin")
        if origin is None:  # not a browser, or a same-origin request that omits it
            return None
        own = request.host_url.rstrip("/")
        if origin != own and origin not in (origins or []):
            return render_template("error.html", status=403), 403
        return None

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on a
        # form post, which the same-origin check above must refuse.
        resp.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    compress.init_app(app)

    def error_page(status: int):
        def handler(_error):
            if request.path.startswith("/api/"):  # the API answers in JSON, always
                return web.api.json_error(status)
            return render_template("error.html", status=status), status

        return handler

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, error_page(status))
    if app.config["TRUSTED_PROXIES"] > 0:
        # Behind N proxies the client's address is the Nth from the right in X-Forwarded-For;
        # outermost, so that Socket.IO and every per-address limit see it too.
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to wrap its WSGI app (mypy reads wsgi_app as a method only).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"]
        )
    return app
