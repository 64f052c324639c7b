"""`python -m bench`: the benchmark scenarios against the app and the bare baseline, as a table.

    python -m bench [--async-mode eventlet|gevent|both] [--repeat 3]
                    [--scenarios join,votes,stage,idle,weight] [--phones 2000]
                    [--idle-seconds 60] [--smoke] [--markdown docs/performance.md]
    python -m bench --url http://host:5000 [--baseline-url http://host:5001]   # already running
    python -m bench --processes 2 ...   # the app as 2 processes: PostgreSQL, Redis, nginx

For each async mode and each repeat it starts a fresh app (run.py, own empty database) and a
fresh bare baseline (bench/baseline.py) in that mode, then runs the load generator
(bench/loadgen.py) in its own process against both. The table shows the median of the
repeats; figures marked "x baseline" are ratios measured in the same run, the ones to compare
across machines. With `--processes N` (N > 1) the app is a bench/cluster.py Cluster instead:
N run.py processes on a throwaway PostgreSQL, relaying through a throwaway Redis, with nginx in
front spreading the phones round-robin; the scenarios go through nginx, server RSS and CPU are
summed over the N processes, and the baseline stays one process. Exit status 1 if a run failed
outright (not for a missed target).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import free_port

from . import servers
from .loadgen import SCENARIOS, add_load_options, load_options
from .servers import ROOT


def pid_of(server) -> int:
    """The process id of a started server (tests.e2e.harness.Server)."""
    assert server.proc is not None, "the server was started"
    return server.proc.pid


def generator(
    args, app_url: str, base_url: str | None, pid: int | list[int] | None, out: Path
) -> dict:
    """Run the load generator in its own process; its JSON result."""
    cmd = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        app_url,
        *load_options(args),
        "--out",
        str(out),
    ]
    if base_url:
        cmd += ["--baseline-url", base_url]
    if pid:
        pids = [pid] if isinstance(pid, int) else pid
        cmd += ["--server-pid", ",".join(str(p) for p in pids)]
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=args.timeout,
    )
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"load generator failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def cluster_run(args, mode: str, tmp: Path) -> dict:
    """The app as `args.processes` processes behind nginx (bench/cluster.py), the baseline as
    one process as usual."""
    from .cluster import Cluster

    pb = free_port()
    base = None
    with Cluster(
        tmp / "cluster",
        processes=args.processes,
        nginx=True,
        env={"FACILITATOR_ASYNC_MODE": mode, "FACILITATOR_LOG_LEVEL": "WARNING"},
    ) as c:
        try:
            base = servers.start(
                servers.baseline_command(pb),
                f"http://127.0.0.1:{pb}",
                servers.server_env(mode, tmp),
                tmp / "baseline.log",
            )
            return generator(
                args, c.public_url, base.url, [pid_of(p) for p in c.procs], tmp / "result.json"
            )
        finally:
            if base is not None:
                base.stop()
            for i, p in enumerate(c.procs):
                if p.proc is not None and p.proc.poll() is not None:
                    tail = p.log.read_text(errors="replace")[-3000:]
                    print(f"process {i + 1} died:\n{tail}", file=sys.stderr)


def one_run(args, mode: str, tmp: Path) -> dict:
    if args.processes > 1 and not args.url:
        return cluster_run(args, mode, tmp)
    if args.url:
        base = None
        if not args.baseline_url:
            port = free_port()
            base = servers.start(
                servers.baseline_command(port),
                f"http://127.0.0.1:{port}",
                servers.server_env(mode, tmp),
                tmp / "baseline.log",
            )
        try:
            base_url = args.baseline_url or (base.url if base else None)
            return generator(args, args.url, base_url, None, tmp / "result.json")
        finally:
            if base:
                base.stop()
    pa, pb = free_port(), free_port()
    env = servers.server_env(mode, tmp)
    app = servers.start(
        servers.app_command(pa, tmp), f"http://127.0.0.1:{pa}", env, tmp / "app.log"
    )
    base = None
    try:
        base = servers.start(
            servers.baseline_command(pb), f"http://127.0.0.1:{pb}", env, tmp / "baseline.log"
        )
        return generator(args, app.url, base.url, app.pid, tmp / "result.json")
    finally:
        for s in (app, base):
            if s is not None:
                alive = s.alive()
                s.stop()
                if not alive:
                    print(f"server died:\n{s.tail()}", file=sys.stderr)


# ----- the table --------------------------------------------------------------------------


def get(run: dict, path: str):
    node = run
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def median(runs: list[dict], path: str):
    values = [v for v in (get(r, path) for r in runs) if v is not None]
    if not values:
        return None
    if all(isinstance(v, bool) for v in values):
        return all(values)
    return statistics.median(values)


# (scenario, figure, json path or paths, format, target: (op, value) or None)
Row = tuple[str, str, str | tuple[str, ...], str, tuple[str, object] | None]
ROWS: list[Row] = [
    ("join", "phones joined with the current stage", "join.current_stage", "{:.0f}", None),
    ("join", "all joined (HTTP join + socket + stage), s", "join.seconds", "{:.2f}", ("<=", 15)),
    ("join", "per phone p50 / p95, ms", ("join.p50_ms", "join.p95_ms"), "{:.0f}", None),
    ("join", "bare baseline connect, s", "join.baseline_seconds", "{:.2f}", None),
    ("join", "baseline time / app time (x baseline)", "join.ratio", "{:.2f}", None),
    ("join", "server RSS with all joined, MB", "join.rss_mb", "{:.0f}", ("<=", 300)),
    ("votes", "acknowledged votes/s", "votes.app.per_s", "{:.0f}", None),
    ("votes", "baseline acknowledged events/s", "votes.baseline.per_s", "{:.0f}", None),
    ("votes", "votes/s (x baseline)", "votes.ratio", "{:.3f}", (">=", 0.7)),
    (
        "votes",
        "ack latency p50 / p95 / p99, ms",
        ("votes.app.p50_ms", "votes.app.p95_ms", "votes.app.p99_ms"),
        "{:.0f}",
        None,
    ),
    (
        "votes",
        "baseline ack latency p50 / p95 / p99, ms",
        ("votes.baseline.p50_ms", "votes.baseline.p95_ms", "votes.baseline.p99_ms"),
        "{:.1f}",
        None,
    ),
    (
        "votes",
        "load generator CPU in app / baseline burst, %",
        ("votes.app.generator_cpu_pct", "votes.baseline.generator_cpu_pct"),
        "{:.0f}",
        None,
    ),
    (
        "votes",
        "refused / unacknowledged votes",
        ("votes.app.refused", "votes.app.lost"),
        "{:.0f}",
        None,
    ),
    ("votes", "recount == acknowledgements", "votes.recount_equals_acks", "{}", ("==", True)),
    (
        "votes",
        "screen ballots and console tally == recount",
        "votes.console_tally_ok",
        "{}",
        ("==", True),
    ),
    ("votes", "tallies settled after the burst, ms", "votes.settle_ms", "{:.0f}", ("<=", 1000)),
    ("stage", "every phone has the new stage p50, ms", "stage.all_p50_ms", "{:.0f}", None),
    ("stage", "every phone has the new stage p95, ms", "stage.all_p95_ms", "{:.0f}", ("<=", 300)),
    (
        "stage",
        "one phone p50 / p95, ms",
        ("stage.phone_p50_ms", "stage.phone_p95_ms"),
        "{:.0f}",
        None,
    ),
    ("stage", "phones that missed a stage", "stage.missing", "{:.0f}", ("==", 0)),
    ("stage", "phone snapshot, bytes", "stage.snapshot_bytes", "{:.0f}", None),
    (
        "idle",
        "messages per phone per minute (median)",
        "idle.msgs_per_phone_min_median",
        "{:.1f}",
        None,
    ),
    (
        "idle",
        "of which pings / stage",
        ("idle.kinds_per_phone_min.ping", "idle.kinds_per_phone_min.stage"),
        "{:.2f}",
        None,
    ),
    ("idle", "other message kinds (timer etc.)", "idle.other_kinds", "{}", ("==", [])),
    ("idle", "server CPU, % of one core", "idle.server_cpu_pct", "{:.1f}", ("<=", 5)),
    ("weight", "phone page first load, KB", "weight.first_kb", "{:.1f}", ("<=", 100)),
    ("weight", "repeat visit, KB", "weight.repeat_kb", "{:.1f}", ("<=", 10)),
    ("-", "load generator CPU s / wall s", ("generator_cpu_s", "generator_wall_s"), "{:.0f}", None),
]


def meets(value, target) -> bool | None:
    if target is None or value is None:
        return None
    op, want = target
    if op == "==":
        return (value or []) == want if isinstance(want, list) else value == want
    return value <= want if op == "<=" else value >= want


def cell(runs: list[dict], path, fmt: str, target) -> str:
    paths = path if isinstance(path, tuple) else (path,)
    values = [
        median(runs, p)
        if not p.endswith("other_kinds")
        else sorted({k for r in runs for k in (get(r, p) or [])})
        for p in paths
    ]
    if all(v is None for v in values):
        return "-"
    text = " / ".join("-" if v is None else fmt.format(v) for v in values)
    ok = meets(values[0], target)
    return text + ("" if ok is None else (" ok" if ok else " MISSED"))


def table(results: dict[str, list[dict]], scenarios: list[str]) -> str:
    modes = list(results)
    lines = [
        "| scenario | figure | target | " + " | ".join(modes) + " |",
        "|---|---|---|" + "---|" * len(modes),
    ]
    for scen, label, path, fmt, target in ROWS:
        if scen != "-" and scen not in scenarios:
            continue
        want = "" if target is None else f"{target[0]} {target[1]}".replace("== ", "")
        lines.append(
            f"| {scen} | {label} | {want} | "
            + " | ".join(cell(results[m], path, fmt, target) for m in modes)
            + " |"
        )
    return "\n".join(lines)


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, {mem:.0f} GiB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, load average at the end "
        f"{load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


BEGIN, END = "<!-- bench:table -->", "<!-- /bench:table -->"


def markers(processes: int = 1) -> tuple[str, str]:
    """The one-process table's markers, or `<!-- bench:table processes=N -->` for N > 1."""
    if processes <= 1:
        return BEGIN, END
    return (
        f"<!-- bench:table processes={processes} -->",
        f"<!-- /bench:table processes={processes} -->",
    )


def write_markdown(path: Path, block: str, processes: int = 1) -> None:
    """Replace the text between the markers in `path` (docs/performance.md keeps its prose);
    without them, append the block with its markers (a new file holds only the block)."""
    begin, end = markers(processes)
    old = path.read_text() if path.exists() else ""
    if begin in old and end in old:
        before, rest = old.split(begin, 1)
        path.write_text(f"{before}{begin}\n{block}{end}{rest.split(end, 1)[1]}")
    else:
        sep = "\n" if old and not old.endswith("\n") else ""
        path.write_text(f"{old}{sep}{begin}\n{block}{end}\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--async-mode", default="both", choices=("eventlet", "gevent", "both"))
    p.add_argument("--repeat", type=int, default=3)
    add_load_options(p)
    p.add_argument(
        "--smoke",
        action="store_true",
        help="tens of phones, short phases, one repeat: a correctness check",
    )
    p.add_argument(
        "--processes",
        type=int,
        default=1,
        help="run the app as this many processes on PostgreSQL and Redis behind "
        "nginx (bench/cluster.py); the baseline stays one process",
    )
    p.add_argument("--url", help="an app that is already running (nothing is started)")
    p.add_argument("--baseline-url", help="a baseline that is already running")
    p.add_argument("--markdown", help="also write the table (with the machine) to this file")
    p.add_argument("--json", help="also write every run's raw figures to this file")
    p.add_argument("--timeout", type=float, default=900, help="bound on one run, s")
    args = p.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.scenarios = [s for s in SCENARIOS if s in args.scenarios]
    if args.smoke:
        args.phones, args.vote_phones, args.stage_phones = 40, 30, 30
        args.vote_seconds, args.presses, args.idle_seconds, args.repeat = 2, 3, 3, 1
    modes = ["eventlet", "gevent"] if args.async_mode == "both" else [args.async_mode]
    if args.url:
        modes = modes[:1]
    elif args.processes > 1:
        from .cluster import missing

        lacks = missing(nginx=True)
        if lacks:
            p.error("--processes needs " + ", ".join(lacks))

    results: dict[str, list[dict]] = {}
    failed = False
    for mode in modes:
        label = (
            "external"
            if args.url
            else f"{mode}, {args.processes} processes"
            if args.processes > 1
            else mode
        )
        results[label] = []
        for i in range(args.repeat):
            print(f"{label}: run {i + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(prefix="facilitator-bench-") as tmp:
                try:
                    results[label].append(one_run(args, mode, Path(tmp)))
                except Exception as exc:  # noqa: BLE001 - reported, the other runs go on
                    failed = True
                    print(f"{label}: run {i + 1} failed: {exc}", file=sys.stderr, flush=True)
    head = (
        f"{args.phones} phones join and idle {args.idle_seconds:.0f} s; "
        f"{args.vote_phones} vote for {args.vote_seconds:.0f} s; {args.stage_phones} "
        f"see {args.presses} stage changes; median of {args.repeat} run(s)"
    )
    if args.processes > 1 and not args.url:
        head += (
            f"; the app as {args.processes} run.py processes on PostgreSQL, relaying "
            "through Redis, behind nginx (round-robin), server RSS and CPU summed over "
            "the processes; the bare baseline is one process"
        )
    text = table(results, args.scenarios)
    print(head)
    print()
    print(text)
    print()
    print("Machine: " + machine())
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    if args.markdown:
        write_markdown(
            Path(args.markdown),
            f"{head}\n\n{text}\n\nMachine: {machine()}\n",
            1 if args.url else args.processes,
        )
    return 1 if failed or not all(results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
