"""Starting the servers a benchmark runs against: one function that takes the command line.

`start(cmd, url, env, log)` runs any server command as a subprocess and waits until `url`
answers; `app_command` and `baseline_command` build the two command lines this benchmark uses.
A benchmark can also be pointed at a server that is already running (`python -m bench --url`),
in which case nothing is started here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Running:
    url: str
    proc: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def start(
    cmd: list[str], url: str, env: dict | None = None, log: Path | None = None, timeout: float = 30
) -> Running:
    """Run `cmd` (cwd: the repository) and wait until GET `url` answers."""
    log = Path(log or os.devnull)
    out = open(log, "ab")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()  # the child holds its own descriptor
    running = Running(url.rstrip("/"), proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running.alive():
            raise RuntimeError(f"{cmd[:4]} exited:\n{running.tail()}")
        try:
            with urllib.request.urlopen(running.url + "/", timeout=1):
                return running
        except OSError:
            time.sleep(0.1)
    running.stop()
    raise RuntimeError(f"{cmd[:4]} did not answer within {timeout} s:\n{running.tail()}")


def app_command(port: int, workdir: Path, host: str = "127.0.0.1") -> list[str]:
    """`python run.py` on its own empty database (the benchmark creates its session)."""
    url = f"http://{host}:{port}"
    return [
        sys.executable,
        str(ROOT / "run.py"),
        "--host",
        host,
        "--port",
        str(port),
        "--public-url",
        url,
        "--db",
        str(Path(workdir) / "facilitator.db"),
    ]


def baseline_command(port: int, host: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "bench.baseline", "--host", host, "--port", str(port)]


def server_env(async_mode: str, workdir: Path) -> dict:
    return {
        "FACILITATOR_ASYNC_MODE": async_mode,
        "FACILITATOR_INSTANCE": str(workdir),
        "FACILITATOR_SECRET_KEY": "bench-secret-" + Path(workdir).name,
    }
