"""A real server in a subprocess and a real Chromium, for browser tests and screenshots."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}


# The pages' scripts are ES modules with no global. Tests and scripts reach a page's own modules
# through `F`, which this init script defines in every page and frame: `F.send(event, payload)`
# (the page's send: its acknowledgement, or a readable refusal), `F.socket` (its Socket.IO
# connection, null before it connects) and `F.now()` (the server's clock as the page knows it).
# The modules are imported by the URLs the page preloads them from (`modulepreload` links), so
# they are the page's own instances, not second copies.
PAGE_HOOK = """
(() => {
  const mods = {};
  const url = (name) => {
    const link = document.querySelector(`link[rel="modulepreload"][href*="/js/lib/${name}.js?"]`);
    return link && link.href;
  };
  const ready = new Promise((resolve) => document.addEventListener("DOMContentLoaded", () => {
    if (!url("socket")) return resolve(false);
    Promise.all([import(url("socket")), import(url("clock"))]).then(([socket, clock]) => {
      mods.clock = clock;
      mods.socket = socket;
      resolve(true);
    });
  }));
  window.F = {
    get socket() { return mods.socket ? mods.socket.socket() : null; },
    now: () => mods.clock.now(),
    send: async (...args) => (await ready) ? mods.socket.send(...args) : null,
  };
})();
"""


def expose_modules(browser) -> None:
    """Every context `browser.new_context` makes from now on gets PAGE_HOOK."""
    make = browser.new_context

    def new_context(**kwargs):
        ctx = make(**kwargs)
        ctx.add_init_script(PAGE_HOOK)
        return ctx

    browser.new_context = new_context


def chromium_path() -> str | None:
    for name in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if name and Path(name).exists():
            return name
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python run.py` on a free port with its own database and secret, killable for real.
    Several processes of one deployment (bench/cluster.py) share a database URL (`db`), a
    public URL and, through `env`, the secret key and the message queue."""

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        extra: list[str] | None = None,
        db: str | Path | None = None,
        public_url: str | None = None,
        env: dict | None = None,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.public_url = public_url or self.url
        self.db = db or self.workdir / "facilitator.db"
        self.extra = extra or []
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log = self.workdir / "server.log"

    def start(self, *args: str) -> Server:
        if self.proc is not None and self.proc.poll() is None:
            # A second process on the same port would fail, and the first would outlive the test.
            raise RuntimeError("this server is already running: stop() it first")
        env = {
            **os.environ,
            "FACILITATOR_SECRET_KEY": "test-secret-" + self.workdir.name,
            "FACILITATOR_INSTANCE": str(self.workdir),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        env.pop("DATABASE_URL", None)
        cmd = [
            sys.executable,
            str(ROOT / "run.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--public-url",
            self.public_url,
            "--db",
            str(self.db),
            *self.extra,
            *args,
        ]
        self._log_file = open(self.log, "ab")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log.read_text())
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start:\n" + self.log.read_text())

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a laptop crashes."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        log_file = getattr(self, "_log_file", None)
        if log_file is not None and not log_file.closed:
            log_file.close()

    def printed_links(self) -> dict:
        """The console, screen and join URLs the server printed at start."""
        out = {}
        for line in self.log.read_text().splitlines():
            for label, key in (("Console", "console"), ("Screen", "screen"), ("Join (", "join")):
                if line.strip().startswith(label) and "http" in line:
                    out[key] = line[line.index("http") :].strip()
        return out

    def api(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        return http_json(self.url, method, path, body, headers)


def http_json(
    base_url: str, method: str, path: str, body: dict | None = None, headers: dict | None = None
) -> tuple[int, dict]:
    """A JSON API call: (status, decoded body), error statuses included."""
    req = urllib.request.Request(
        base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def decode_qr(png_path: Path) -> str:
    """Read a QR code from a screenshot with zbarimg, as a phone camera would."""
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png_path)], capture_output=True, text=True, timeout=30
    )
    if out.returncode != 0:
        raise AssertionError(f"no QR code found in {png_path}: {out.stderr}")
    return out.stdout.strip().splitlines()[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def console_cookie(console_url: str) -> str:
    """Open the console link as a browser would; keep the signed cookie from the redirect
    (for Socket.IO clients that drive the console without a browser)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(console_url, timeout=10)
    except urllib.error.HTTPError as e:  # the 302 that drops the key from the address
        assert e.code == 302, e.code
        return e.headers["Set-Cookie"].split(";")[0]
    raise AssertionError("the console link did not redirect")
