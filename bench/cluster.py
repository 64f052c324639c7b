"""Several Facilitator processes on one machine, the way docs/deploy.md runs them: real
PostgreSQL (`DATABASE_URL`), real Redis (Flask-SocketIO's message queue), N `run.py`
processes on free loopback ports sharing one secret key and one public URL, and optionally
nginx in front with the configuration printed in docs/deploy.md. For tests and benchmarks:

    with Cluster(workdir, processes=2, nginx=True) as c:
        a, b = c.procs                       # tests.e2e.harness.Server: .port .url .kill() .start()
        c.proxy_port, c.proxy_url            # nginx (None without nginx=True)
        c.sql("SELECT count(*) FROM votes")  # straight to PostgreSQL
        c.api("POST", "/api/sessions", {...})

PostgreSQL: FACILITATOR_TEST_POSTGRES_URL names a running server where a new database may be
created (one per cluster, dropped at the end); otherwise a throwaway cluster is made with
initdb (as the `postgres` user when run as root: initdb refuses root) in a temporary folder and
started with pg_ctl on a free loopback port. Redis: FACILITATOR_TEST_REDIS_URL, or a
throwaway `redis-server` on a free port (each cluster uses its own message queue channel, so a
shared Redis does not mix clusters). `missing()` says what is not installed.

By hand: `python -m bench.cluster --processes 2 --nginx` starts one and prints its links.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.harness import Server, free_port, http_json

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server binary: on PATH, else Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(re.sub(r"\D", "", p) or 0),
        reverse=True,
    ):
        if Path(d, name).exists():
            return str(Path(d, name))
    return None


def need_pg_bin(name: str) -> str:
    """`pg_bin`, for a caller that cannot go on without it (`missing()` said it is there)."""
    found = pg_bin(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found


def missing(nginx: bool = False) -> list[str]:
    """What this machine lacks to start a cluster (empty when everything is there)."""
    lacks = []
    if not os.environ.get("FACILITATOR_TEST_POSTGRES_URL"):
        lacks += [f"PostgreSQL's {n}" for n in ("initdb", "pg_ctl") if pg_bin(n) is None]
    if not os.environ.get("FACILITATOR_TEST_REDIS_URL") and not shutil.which("redis-server"):
        lacks.append("redis-server")
    if nginx and not shutil.which("nginx"):
        lacks.append("nginx")
    for module in ("psycopg", "redis"):
        try:
            __import__(module)
        except ImportError:
            lacks.append(f"the Python package {module}")
    return lacks


def _wait(check, what: str, timeout: float = 30, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} did not start within {timeout} s\n{tail}")
        time.sleep(0.1)


def libpq_url(url: str) -> str:
    """The same URL for psycopg itself (without SQLAlchemy's "+psycopg")."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


class Postgres:
    """A PostgreSQL database for one cluster: `url` is the SQLAlchemy URL."""

    def __init__(self):
        self.datadir: Path | None = None
        self.admin_url = os.environ.get("FACILITATOR_TEST_POSTGRES_URL")
        self.url: str | None = None
        self.databases: list[str] = []

    def _as_owner(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> Postgres:
        if not self.admin_url:
            self.datadir = Path(tempfile.mkdtemp(prefix="facilitator-pg-"))
            if os.geteuid() == 0:
                shutil.chown(self.datadir, "postgres", "postgres")
            port = free_port()
            subprocess.run(
                [
                    *self._as_owner(),
                    need_pg_bin("initdb"),
                    "-D",
                    str(self.datadir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                [
                    *self._as_owner(),
                    need_pg_bin("pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.datadir / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-p {port} -k {self.datadir} -c listen_addresses=127.0.0.1"
                    " -c max_connections=500",
                    "start",
                ],
                check=True,
                capture_output=True,
                timeout=90,
            )
            self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        self.url = self.new_database()
        return self

    @property
    def admin(self) -> str:
        """The URL of the server's administrator database (set once `start` ran)."""
        assert self.admin_url is not None, "start() sets the admin URL"
        return self.admin_url

    @property
    def sqlalchemy_url(self) -> str:
        """The SQLAlchemy URL of the cluster's database (set once `start` ran)."""
        assert self.url is not None, "start() sets the database URL"
        return self.url

    def new_database(self) -> str:
        """Create another empty database on the same server; its SQLAlchemy URL."""
        from sqlalchemy.engine import make_url

        name = "facilitator_" + secrets.token_hex(4)
        self._admin(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return (
            make_url(self.admin)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(libpq_url(self.admin), autocommit=True) as conn:
            conn.execute(statement)

    def sql(self, query: str, *params) -> list[tuple]:
        """Run one statement in the cluster's database; its rows (if any)."""
        import psycopg

        with psycopg.connect(libpq_url(self.sqlalchemy_url), autocommit=True) as conn:
            cur = conn.execute(query, params or None)
            return cur.fetchall() if cur.description else []

    def stop(self) -> None:
        if self.datadir is not None:
            subprocess.run(
                [
                    *self._as_owner(),
                    need_pg_bin("pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
            shutil.rmtree(self.datadir, ignore_errors=True)
            return
        for name in self.databases:
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass


class Redis:
    """A Redis server for the message queue: `url`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.url = os.environ.get("FACILITATOR_TEST_REDIS_URL")
        self.proc: subprocess.Popen | None = None

    def start(self) -> Redis:
        import redis

        if not self.url:
            port = free_port()
            self.log = self.workdir / "redis.log"
            self.proc = subprocess.Popen(
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.workdir),
                    "--logfile",
                    str(self.log),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            self.url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(self.url, socket_timeout=2)
        _wait(client.ping, "redis-server", log=getattr(self, "log", None))
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def nginx_config(upstreams: list[int], listen: int, workdir: Path) -> str:
    """A complete nginx.conf around the `http`-level configuration of docs/deploy.md, with its
    upstream servers and listen port replaced by these."""
    doc = DEPLOY_DOC.read_text()
    found = re.search(r"```nginx\n(.*?)```", doc, re.S)
    if found is None:
        raise RuntimeError(f"no nginx block in {DEPLOY_DOC}")
    block = found.group(1)
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstreams)
    block, n = re.subn(
        r"(upstream facilitator \{\n)(?:\s*server [^\n]*\n)+", lambda m: m.group(1) + servers, block
    )
    assert n == 1, "docs/deploy.md: no upstream block to fill in"
    # Long-polling: the first process, the others as backups.
    polling = "".join(
        f"    server 127.0.0.1:{p}{' backup' if i else ''};\n" for i, p in enumerate(upstreams)
    )
    block, n = re.subn(
        r"(upstream facilitator_polling \{\n)(?:\s*server [^\n]*\n)+",
        lambda m: m.group(1) + polling,
        block,
    )
    assert n == 1, "docs/deploy.md: no polling upstream block to fill in"
    block, n = re.subn(r"listen \d+;", f"listen 127.0.0.1:{listen};", block)
    assert n == 1, "docs/deploy.md: no listen line to fill in"
    temp = "".join(
        f"    {kind}_temp_path {workdir}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
        "worker_processes 1;\nevents { worker_connections 8192; }\n"
        f"http {{\n    access_log off;\n{temp}{block}}}\n"
    )


class Nginx:
    def __init__(self, workdir: Path, upstreams: list[int]):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)  # nginx's workers may run as another user
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = self.workdir / "nginx.conf"
        self.conf.write_text(nginx_config(upstreams, self.port, self.workdir))
        self.proc: subprocess.Popen | None = None

    def start(self) -> Nginx:
        import urllib.request

        log = self.workdir / "nginx.out"
        self.proc = proc = subprocess.Popen(
            ["nginx", "-p", str(self.workdir), "-c", str(self.conf), "-g", "daemon off;"],
            stdout=open(log, "ab"),
            stderr=subprocess.STDOUT,
        )

        def up():
            if proc.poll() is not None:
                raise RuntimeError(
                    "nginx exited:\n" + log.read_text() + (self.workdir / "error.log").read_text()
                )
            with urllib.request.urlopen(self.url + "/", timeout=1):
                return True

        deadline = time.monotonic() + 30
        while True:
            try:
                up()
                return self
            except RuntimeError:
                raise
            except OSError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not answer:\n" + log.read_text()) from err
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Cluster:
    """PostgreSQL + Redis + `processes` run.py processes (+ nginx). `sweep_s` is each
    process's timekeeper sweep (FACILITATOR_TIMEKEEPER_SWEEP); `env` adds to theirs."""

    def __init__(
        self,
        workdir: Path,
        processes: int = 2,
        nginx: bool = False,
        sweep_s: float = 1.0,
        env: dict | None = None,
        extra_args: list[str] | None = None,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres()
        self.redis = Redis(self.workdir)
        self.nginx: Nginx | None = None
        self.want_nginx = nginx
        self.secret_key = secrets.token_hex(32)
        self.ports = [free_port() for _ in range(processes)]
        self.proxy_port = free_port() if nginx else None
        self.sweep_s = sweep_s
        self.env = env or {}
        self.extra_args = extra_args or []
        self.procs: list[Server] = []

    @property
    def proxy_url(self) -> str | None:
        return self.nginx.url if self.nginx else None

    @property
    def public_url(self) -> str:
        return self.nginx.url if self.nginx else f"http://127.0.0.1:{self.ports[0]}"

    @property
    def database_url(self) -> str:
        return self.postgres.sqlalchemy_url

    def start(self) -> Cluster:
        try:
            self.redis.start()
            self.postgres.start()
            if self.want_nginx:
                self.nginx = Nginx(self.workdir / "nginx", self.ports)
            env = {
                "FACILITATOR_SECRET_KEY": self.secret_key,
                "FACILITATOR_MESSAGE_QUEUE": self.redis.url,
                "FACILITATOR_MESSAGE_QUEUE_CHANNEL": "facilitator-" + secrets.token_hex(4),
                "FACILITATOR_TIMEKEEPER_SWEEP": str(self.sweep_s),
                "FACILITATOR_LOG_LEVEL": "INFO",
                **self.env,
            }
            self.procs = [
                Server(
                    self.workdir / f"p{i + 1}",
                    port=port,
                    extra=self.extra_args,
                    db=self.postgres.url,
                    public_url=self.public_url,
                    env=env,
                )
                for i, port in enumerate(self.ports)
            ]
            # All at once, as a deployment restarts: the schema set-up must not race.
            with ThreadPoolExecutor(len(self.procs)) as pool:
                list(pool.map(lambda p: p.start(), self.procs))
            if self.nginx is not None:
                self.nginx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for p in self.procs:
            p.stop()
        self.redis.stop()
        self.postgres.stop()

    def sql(self, query: str, *params) -> list[tuple]:
        return self.postgres.sql(query, *params)

    def api(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        headers: dict | None = None,
        via: int | None = None,
    ):
        """An HTTP API call through the proxy, or to process number `via` (default: the
        first, without a proxy). Returns (status, JSON body)."""
        if via is None and self.nginx is not None:
            return http_json(self.nginx.url, method, path, body, headers)
        return self.procs[via or 0].api(method, path, body, headers)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv=None) -> None:
    """`python -m bench.cluster [--processes 2] [--nginx]`: start a cluster, make a session,
    print its links, and keep everything running until Ctrl-C."""
    import argparse

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--nginx", action="store_true", help="nginx in front (docs/deploy.md)")
    args = p.parse_args(argv)
    lacks = missing(nginx=args.nginx)
    if lacks:
        raise SystemExit("missing: " + ", ".join(lacks))
    with Cluster(
        Path(tempfile.mkdtemp(prefix="facilitator-cluster-")),
        args.processes,
        nginx=args.nginx,
        sweep_s=5,
    ) as c:
        _status, made = c.api("POST", "/api/sessions", {"title": "Cluster"})
        print(f"PostgreSQL {c.database_url}\nRedis {c.redis.url}")
        for proc in c.procs:
            print(f"process {proc.url} (log {proc.log})")
        print(
            f"console {made['console_url']}\njoin {made['join_url']}\nCtrl-C to stop.", flush=True
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
