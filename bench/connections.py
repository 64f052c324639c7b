"""How many screens/phones can one laptop hold? Connect N Socket.IO clients to a real server.

    python -m bench.connections [--clients 1500] [--repeat 3] [--concurrency 200]

Each run starts a fresh `python run.py --demo` (tests/e2e/harness.Server, own temp dir and
database, 127.0.0.1 only), then opens N websocket clients with role "screen", at most
`--concurrency` handshakes in flight at once, and checks that every client received a "stage"
snapshot of the right session. It reports the time until all N hold a snapshot, the per-client
connect->snapshot latency, and the server's resident memory before and after. The last client
must also get an acknowledgement to "time:sync" (the server still answers with N connected).
Every run is bounded by --timeout; the table ends with the median of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.e2e.harness import Server

from .wsclient import SioClient

HOST = "127.0.0.1"


def raise_file_limit(wanted: int) -> int:
    """Each client holds a socket: lift our own soft RLIMIT_NOFILE; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc/<pid>/status (VmRSS, in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listen_overflows() -> int | None:
    """TcpExt ListenOverflows: SYNs dropped because an accept queue was full. Counted for the
    whole network namespace (so other activity on the machine shows up too); None if unknown."""
    try:
        head, values = [
            line.split()
            for line in Path("/proc/net/netstat").read_text().splitlines()
            if line.startswith("TcpExt:")
        ][:2]
        return int(values[head.index("ListenOverflows")])
    except (OSError, ValueError, IndexError):
        return None


def join_code(server: Server) -> str:
    return server.printed_links()["screen"].rstrip("/").rsplit("/", 1)[1]


async def connect_all(port: int, code: str, n: int, concurrency: int, timeout: float):
    """Open n screen clients (at most `concurrency` handshakes at once). Returns
    (clients, latencies in s, errors by kind); `clients` holds only the good ones, in order."""
    gate = asyncio.Semaphore(concurrency)
    auth = {"code": code, "role": "screen"}

    async def one(i: int):
        async with gate:
            start = time.perf_counter()
            conn = await SioClient.connect(HOST, port, auth, timeout=timeout)
            try:
                _, args = await conn.wait_event("stage", timeout)
                snap = args[0]
                if snap.get("session", {}).get("code") != code or "rev" not in snap:
                    raise AssertionError(f"client {i}: wrong snapshot {str(snap)[:200]}")
            except BaseException:
                await conn.close()
                raise
            return conn, time.perf_counter() - start

    results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    clients: list = []
    latencies: list[float] = []
    errors: dict[str, int] = {}
    for r in results:
        if isinstance(r, BaseException):
            kind = f"{type(r).__name__}: {str(r)[:80]}"
            errors[kind] = errors.get(kind, 0) + 1
        else:
            clients.append(r[0])
            latencies.append(r[1])
    return clients, latencies, errors


async def measure(server: Server, n: int, concurrency: int, timeout: float) -> dict:
    code = join_code(server)
    assert server.proc is not None, "the server was started"
    pid = server.proc.pid
    out: dict[str, Any] = {"rss_idle": rss_mb(pid)}
    drops, srv_cpu, own_cpu = listen_overflows(), cpu_s(pid), time.process_time()
    t0 = time.perf_counter()
    clients, lat, errors = await connect_all(server.port, code, n, concurrency, timeout)
    out["elapsed"] = time.perf_counter() - t0
    out["srv_cpu"], out["own_cpu"] = cpu_s(pid) - srv_cpu, time.process_time() - own_cpu
    after = listen_overflows()
    out["drops"] = after - drops if drops is not None and after is not None else None
    try:
        await asyncio.sleep(0.5)  # let the server settle before reading its memory
        out["rss_connected"] = rss_mb(pid)
        out["ok"], out["errors"] = len(clients), errors
        lat.sort()
        out["p50"] = lat[len(lat) // 2] if lat else float("nan")
        out["p95"] = lat[int(len(lat) * 0.95)] if lat else float("nan")
        out["max"] = lat[-1] if lat else float("nan")
        out["sync"] = None
        if clients:
            t = time.perf_counter()
            reply = await clients[-1].emit("time:sync", {}, timeout=timeout)
            if reply.get("ok") is not True or not isinstance(reply.get("now"), int):
                raise AssertionError(f"bad time:sync ack {reply!r}")
            out["sync"] = time.perf_counter() - t
        out["still_open"] = sum(not c.closed for c in clients)
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return out


def one_run(n: int, concurrency: int, timeout: float, server_args: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="facilitator-bench-") as tmp:
        # Screens need only the join code; the cap on screens per client address (against
        # abuse, docs/security.md) is lifted: this measures how many connections one holds.
        server = Server(
            Path(tmp) / "server",
            env={
                "FACILITATOR_SCREENS_PER_ADDRESS": "0",
                "FACILITATOR_SCREEN_CONNECTS_PER_MINUTE": "0",
            },
        )
        server.start("--demo", *server_args)
        try:
            return asyncio.run(
                asyncio.wait_for(measure(server, n, concurrency, timeout=min(timeout, 60)), timeout)
            )
        finally:
            alive = server.proc is not None and server.proc.poll() is None
            server.stop()
            if not alive:
                print("server died:\n" + server.log.read_text()[-3000:], file=sys.stderr)


ROW = "{:>4} {:>5} {:>6} {:>8} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>7} {:>8} {:>8} {:>7} {:>9}"


def print_table(n: int, runs: list[dict]) -> None:
    print(
        ROW.format(
            "run",
            "ok",
            "failed",
            "all in s",
            "conn/s",
            "p50 ms",
            "p95 ms",
            "max ms",
            "RSS0 MB",
            "RSS N MB",
            "KB/conn",
            "srv CPU s",
            "cli CPU s",
            "sync ms",
            "SYN drops",
        )
    )

    def row(label, r):
        per = (r["rss_connected"] - r["rss_idle"]) * 1024 / max(r["ok"], 1)
        print(
            ROW.format(
                label,
                f"{r['ok']:.0f}",
                f"{n - r['ok']:.0f}",
                f"{r['elapsed']:.2f}",
                f"{r['ok'] / r['elapsed']:.0f}",
                f"{r['p50'] * 1000:.0f}",
                f"{r['p95'] * 1000:.0f}",
                f"{r['max'] * 1000:.0f}",
                f"{r['rss_idle']:.1f}",
                f"{r['rss_connected']:.1f}",
                f"{per:.1f}",
                f"{r['srv_cpu']:.2f}",
                f"{r['own_cpu']:.2f}",
                "-" if r["sync"] is None else f"{r['sync'] * 1000:.1f}",
                "-" if r["drops"] is None else f"{r['drops']:.0f}",
            )
        )

    for i, r in enumerate(runs, 1):
        row(str(i), r)
    if len(runs) > 1:
        keys = (
            "ok",
            "elapsed",
            "p50",
            "p95",
            "max",
            "rss_idle",
            "rss_connected",
            "srv_cpu",
            "own_cpu",
        )
        med = {k: statistics.median(r[k] for r in runs) for k in keys}
        syncs = [r["sync"] for r in runs if r["sync"] is not None]
        med["sync"] = statistics.median(syncs) if syncs else None
        drops = [r["drops"] for r in runs if r["drops"] is not None]
        med["drops"] = statistics.median(drops) if drops else None
        row("med", med)
    for i, r in enumerate(runs, 1):
        for kind, count in r["errors"].items():
            print(f"  run {i}: {count} x {kind}")
    print(
        "p50/p95/max: one client's connect -> stage snapshot; RSS0/RSS N: server VmRSS idle /"
        " with all connected; srv/cli CPU: CPU seconds the server / this process used"
        " while connecting; sync: time:sync round trip of the last client with all"
        " connected; SYN drops: TcpExt ListenOverflows during the connect phase (whole"
        " network namespace), each costs that client a 1 s+ SYN retransmit."
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=1500)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--concurrency", type=int, default=200, help="handshakes in flight at once (default 200)"
    )
    p.add_argument(
        "--timeout", type=float, default=180, help="bound on one run, in seconds (default 180)"
    )
    p.add_argument(
        "server_args",
        nargs="*",
        help="extra arguments for run.py, after --, e.g. -- --max-connections 3000",
    )
    args = p.parse_args(argv)

    limit = raise_file_limit(args.clients + 256)
    if limit < args.clients + 64:
        sys.exit(f"RLIMIT_NOFILE is {limit}: too low for {args.clients} clients")
    print(
        f"{args.clients} screen clients, {args.concurrency} handshakes in flight, "
        f"{args.repeat} run(s), fresh server each run (127.0.0.1)",
        flush=True,
    )
    runs = []
    for i in range(args.repeat):
        r = one_run(args.clients, args.concurrency, args.timeout, args.server_args)
        runs.append(r)
        print(
            f"  run {i + 1}: {r['ok']}/{args.clients} in {r['elapsed']:.2f} s, "
            f"RSS {r['rss_idle']:.1f} -> {r['rss_connected']:.1f} MB",
            flush=True,
        )
    print()
    print_table(args.clients, runs)
    failed = any(r["ok"] != args.clients or r["still_open"] != r["ok"] for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
