"""The load generator: simulated phones speaking the app's real protocol, in their own process.

    python -m bench.loadgen --url http://127.0.0.1:5000 --baseline-url http://127.0.0.1:5001 \
        [--server-pid PID[,PID...]] [--scenarios join,idle,votes,stage,weight] [--phones 2000] \
        [--vote-phones 1000] [--stage-phones 1000] [--out result.json]

It creates its own session on the app (POST /api/sessions, 12 pitches added from a console),
then runs the scenarios in order on one pool of phones: a phone joins once over HTTP and keeps
its participant cookie; scenarios open and close its socket as they need. The same phones and
the same code drive the bare baseline (bench/baseline.py) for the figures that are ratios.
`--server-pid` (same machine only) adds the server's memory and CPU (summed over the pids when
several processes serve the app, e.g. behind nginx); without it those are left out, so the
generator can be pointed at any running server. It prints one JSON object (also written to
--out).

Built on bench/wsclient.py, not python-socketio's AsyncClient, which saturates first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from .connections import cpu_s, raise_file_limit, rss_mb
from .wsclient import SioClient

PITCHES = 12  # enough for 10 presses of "next" after the first pitch starts
BUDGET = 3  # dots per person, at most one per pitch
GATE = 200  # handshakes (and HTTP joins) in flight at once
STEP = 30.0  # bound on any one handshake, snapshot or acknowledgement
SLICES = 5  # a vote burst alternates app and baseline this many times


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
    return ordered[int(k)]


def pct_ms(values: list[float], p: float) -> float | None:
    """`pct` of seconds, in milliseconds."""
    v = pct(values, p)
    return None if v is None else v * 1e3


# ----- HTTP over asyncio streams (no thread pool: thousands of joins at once) ---------------


async def http(
    host: str,
    port: int,
    method: str,
    path: str,
    body=None,
    headers: dict | None = None,
    timeout: float = STEP,
):
    """One request with `Connection: close`. Returns (status, {header: [values]}, body)."""
    data = json.dumps(body).encode() if body is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        f"Content-Length: {len(data)}",
    ]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    got: dict[str, list[str]] = {}
    for line in fields:
        name, _, value = line.partition(":")
        got.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), got, payload


def cookie_of(headers: dict) -> str:
    return next(
        c.split(";")[0] for c in headers.get("set-cookie", []) if c.startswith("facilitator=")
    )


# ----- a phone --------------------------------------------------------------------------------


class Phone(SioClient):
    """A wsclient connection that counts what it receives and stamps every `stage` with its
    arrival time, without queueing events nobody waits for (`quiet`)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.pings = 0
        self.received: Counter = Counter()
        self.stages: list[tuple[float, int]] = []  # (perf_counter, rev)
        self.last: dict = {}
        self.quiet = False

    def _on_eio(self, msg: str) -> bool:
        if msg[:1] == "2":
            self.pings += 1
        return super()._on_eio(msg)

    def _on_sio(self, pkt: str) -> None:
        if pkt[:1] != "2" or pkt[1:2] == "/":
            return super()._on_sio(pkt)
        body, i = pkt[1:], 0
        while i < len(body) and body[i].isdigit():
            i += 1
        data = json.loads(body[i:])
        name, payload = data[0], (data[1] if len(data) > 1 else None)
        self.received[name] += 1
        self.last[name] = payload
        if name == "stage" and isinstance(payload, dict):
            self.stages.append((time.perf_counter(), payload.get("rev", -1)))
        if i:
            self._send_text(f"43{body[:i]}[]")
        if not self.quiet:
            self.events.put_nowait((name, data[1:]))

    def counters(self) -> Counter:
        out = Counter(self.received)
        out["ping"] = self.pings
        return out


class Member:
    """One simulated person: participant id and cookie (once joined), and the open socket."""

    def __init__(self, index: int):
        self.index = index
        self.pid: int | None = None
        self.cookie: str | None = None
        self.conn: Phone | None = None
        self.ballot: dict[int, int] = {}
        self.rng = random.Random(index)

    @property
    def sock(self) -> Phone:
        """The open socket of a connected member."""
        assert self.conn is not None, f"member {self.index} is not connected"
        return self.conn


class Burst:
    """What a vote burst (or several slices of one) got back."""

    def __init__(self):
        self.lat: list[float] = []
        self.acked = self.lost = 0
        self.refusals: Counter = Counter()
        self.seconds = self.cpu_s = 0.0

    def figures(self) -> dict:
        return {
            "acked": self.acked,
            "refused": sum(self.refusals.values()),
            "lost": self.lost,
            "refusals": dict(self.refusals),
            "seconds": self.seconds,
            "per_s": self.acked / self.seconds if self.seconds else None,
            "p50_ms": pct_ms(self.lat, 50),
            "p95_ms": pct_ms(self.lat, 95),
            "p99_ms": pct_ms(self.lat, 99),
            # the load generator's own CPU while it drove this burst: near 100 % would
            # mean it measures itself, not the server
            "generator_cpu_pct": self.cpu_s / self.seconds * 100 if self.seconds else None,
        }


class Target:
    def __init__(self, url: str, pid: int | list[int] | None = None):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "localhost", parts.port or 80
        self.pids = [pid] if isinstance(pid, int) else list(pid or [])

    def rss(self) -> float | None:
        """Summed over the server's processes (one unless the app runs as several)."""
        return sum(rss_mb(p) for p in self.pids) if self.pids else None

    def cpu(self) -> float | None:
        return sum(cpu_s(p) for p in self.pids) if self.pids else None

    async def connect(self, auth: dict | None, cookie: str | None = None) -> Phone:
        return await Phone.connect(
            self.host, self.port, auth, headers={"Cookie": cookie} if cookie else None, timeout=STEP
        )


async def gather_gated(coros, limit: int = GATE):
    gate = asyncio.Semaphore(limit)

    async def one(c):
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)


def stamp(conn: Phone, event: str, pick) -> list[tuple[float, object]]:
    """From now on, record (arrival time, pick(payload)) of every `event` on `conn`."""
    seen: list[tuple[float, object]] = []
    orig = conn._on_sio
    prefix = f'2["{event}"'

    def watch(pkt: str) -> None:
        orig(pkt)
        if pkt.startswith(prefix):
            seen.append((time.perf_counter(), pick(conn.last[event])))

    # Wrapping one connection's handler in place: no subclass, no flag on the hot path.
    conn._on_sio = watch  # type: ignore[method-assign]
    return seen


def settled_at(seen: list[tuple[float, object]], want) -> float | None:
    """When the recorded value became `want` for good (None: it is not `want` at the end)."""
    at = None
    for t, value in seen:
        if value == want:
            at = t if at is None else at
        else:
            at = None
    return at


def errors_of(results) -> dict:
    out: Counter = Counter()
    for r in results:
        if isinstance(r, BaseException):
            out[f"{type(r).__name__}: {str(r)[:80]}"] += 1
    return dict(out)


# ----- the run: one session, one pool of phones ---------------------------------------------


class Bench:
    def __init__(self, app: Target, base: Target | None):
        self.app, self.base = app, base
        self.members: list[Member] = []
        self.code: str | None = None
        self.key: str | None = None
        self.console_cookie: str | None = None
        self.console: Phone | None = None
        self.pitch_ids: list[int] = []

    # ----- set-up ---------------------------------------------------------------------------

    async def setup(self) -> None:
        a = self.app
        status, _h, body = await http(
            a.host,
            a.port,
            "POST",
            "/api/sessions",
            {
                "title": "Benchmark round",
                "pitch_seconds": 120,
                "dots_per_person": BUDGET,
                "max_dots_per_pitch": 1,
            },
        )
        made = json.loads(body)
        assert status == 201, made
        self.code = made["code"]
        self.key = made["console_url"].split("key=", 1)[1]
        link = urlsplit(made["console_url"])  # the public URL may name another host
        status, headers, _ = await http(a.host, a.port, "GET", f"{link.path}?{link.query}")
        assert status == 302, status
        self.console_cookie = cookie_of(headers)
        console = await a.connect({"code": self.code, "role": "console"}, self.console_cookie)
        await console.wait_event("stage", STEP)
        console.quiet = True
        self.console = console
        for i in range(PITCHES):
            ack = await self.cmd(
                "pitch:add",
                {
                    "title": f"Quick win {i + 1}: open data for city services",
                    "pitcher": f"Pitcher {i + 1}",
                    "organisation": "Bench Lab",
                    "offer": "A proven portal for sensor data, deployed in three cities; "
                    "a pilot kit ready to ship within a month.",
                },
            )
            self.pitch_ids.append(ack["pitch_id"])

    @property
    def con(self) -> Phone:
        """The console's socket, open once `setup` ran."""
        assert self.console is not None, "setup() opens the console"
        return self.console

    async def cmd(self, event: str, payload=None) -> dict:
        ack = await self.con.emit(event, payload if payload is not None else {}, timeout=STEP)
        assert isinstance(ack, dict) and ack.get("ok") is True, (event, ack)
        return ack

    async def current_rev(self) -> int:
        """The session's revision now: a resync's snapshot arrives before its acknowledgement."""
        await self.cmd("sync")
        return self.con.last["stage"]["rev"]

    async def ensure_running(self) -> None:
        """A pitch on stage with its timer running (start the first one if there is none)."""
        if not (self.con.last.get("stage") or {}).get("live"):
            await self.cmd("timer:start", {})
            await asyncio.sleep(1.0)  # that stage change is not part of what is measured

    async def join_one(self, m: Member) -> None:
        a = self.app
        status, headers, body = await http(
            a.host,
            a.port,
            "POST",
            f"/api/sessions/{self.code}/participants",
            {"name": f"Phone {m.index + 1}"},
        )
        assert status == 201, (status, body[:200])
        m.pid, m.cookie = json.loads(body)["participant_id"], cookie_of(headers)

    async def open_one(self, m: Member) -> None:
        m.conn = await self.app.connect({"code": self.code, "role": "phone"}, m.cookie)
        _n, args = await m.conn.wait_event("stage", STEP)
        _n, me = await m.conn.wait_event("me", STEP)
        m.conn.quiet = True
        m.ballot = {int(k): v for k, v in (me[0].get("ballot") or {}).items() if v}
        if args[0]["session"]["code"] != self.code:
            raise AssertionError("a snapshot of another session")

    async def ensure(self, n: int) -> dict:
        """Exactly the first n members connected (joining and opening as needed)."""
        while len(self.members) < n:
            self.members.append(Member(len(self.members)))
        extra = [m for m in self.members[n:] if m.conn is not None]
        await asyncio.gather(*(m.sock.close() for m in extra), return_exceptions=True)
        for m in extra:
            m.conn = None

        async def up(m: Member):
            if m.cookie is None:
                await self.join_one(m)
            if m.conn is None or m.conn.closed:
                await self.open_one(m)

        res = await gather_gated(up(m) for m in self.members[:n])
        return errors_of(res)

    def connected(self, n: int) -> list[Member]:
        return [m for m in self.members[:n] if m.conn is not None and not m.conn.closed]

    # ----- 1. join ------------------------------------------------------------------------

    async def join(self, n: int) -> dict:
        """n phones join (HTTP) and connect at once; each must hold the current stage."""
        start_members = len(self.members)
        rss0, cpu0 = self.app.rss(), self.app.cpu()
        lat: list[float] = []

        async def one(m: Member):
            t = time.perf_counter()
            await self.join_one(m)
            await self.open_one(m)
            lat.append(time.perf_counter() - t)

        fresh = [Member(start_members + i) for i in range(n)]
        self.members.extend(fresh)
        t0 = time.perf_counter()
        res = await gather_gated(one(m) for m in fresh)
        elapsed = time.perf_counter() - t0
        cpu1 = self.app.cpu()
        await asyncio.sleep(0.5)
        rev = await self.current_rev()
        good = [m for m in fresh if m.conn is not None]
        current = sum(1 for m in good if m.sock.stages and m.sock.stages[-1][1] == rev)
        out: dict[str, Any] = {
            "phones": n,
            "ok": len(good),
            "current_stage": current,
            "seconds": elapsed,
            "p50_ms": pct_ms(lat, 50),
            "p95_ms": pct_ms(lat, 95),
            "rss_before_mb": rss0,
            "rss_mb": self.app.rss(),
            "server_cpu_s": cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None,
            "errors": errors_of(res),
        }
        if self.base:  # the same number of bare connections to the baseline
            conns: list[Phone] = []

            async def bare():
                assert self.base is not None
                c = await self.base.connect({})
                conns.append(c)
                await c.wait_event("stage", STEP)
                c.quiet = True

            t0 = time.perf_counter()
            res = await gather_gated(bare() for _ in range(n))
            out["baseline_seconds"] = time.perf_counter() - t0
            out["baseline_errors"] = errors_of(res)
            await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
            out["ratio"] = out["baseline_seconds"] / elapsed  # >1: the app is slower
        return out

    # ----- 4. idle room -------------------------------------------------------------------

    async def idle(self, n: int, seconds: float) -> dict:
        """A pitch runs for `seconds` with n phones connected: count what each receives."""
        errors = await self.ensure(n)
        await self.ensure_running()
        phones = self.connected(n)
        before = [m.sock.counters() for m in phones]
        cpu0, t0 = self.app.cpu(), time.perf_counter()
        await asyncio.sleep(seconds)
        took = time.perf_counter() - t0
        cpu1 = self.app.cpu()
        per_min: list[float] = []
        kinds: Counter = Counter(ping=0, stage=0)  # listed even when none came
        for m, b in zip(phones, before, strict=True):
            d = m.sock.counters()
            d.subtract(b)
            d = +d
            kinds.update(d)
            per_min.append(sum(d.values()) * 60 / took)
        return {
            "phones": len(phones),
            "seconds": took,
            "msgs_per_phone_min_median": statistics.median(per_min) if per_min else None,
            "msgs_per_phone_min_max": max(per_min) if per_min else None,
            "kinds_per_phone_min": {
                k: v * 60 / took / max(len(phones), 1) for k, v in kinds.items()
            },
            "other_kinds": sorted(k for k in kinds if k not in ("ping", "stage")),
            "server_cpu_pct": (
                (cpu1 - cpu0) / took * 100 if cpu0 is not None and cpu1 is not None else None
            ),
            "rss_mb": self.app.rss(),
            "errors": errors,
        }

    # ----- 2. vote burst ------------------------------------------------------------------

    @staticmethod
    def next_vote(m: Member, votable: list[int]) -> tuple[int, int]:
        """A valid move: put a dot on a pitch without one, or (budget spent) take one back."""
        on = [p for p, d in m.ballot.items() if d]
        if len(on) < BUDGET:
            return m.rng.choice([p for p in votable if p not in m.ballot]), 1
        return m.rng.choice(on), 0

    async def burst(
        self, tally: Burst, conns: list, votable: list[int], seconds: float, members: list[Member]
    ) -> None:
        """Every connection votes as fast as it can (one request in flight each)."""
        stop_at = time.perf_counter() + seconds

        async def phone(m: Member, conn: Phone):
            while time.perf_counter() < stop_at:
                pitch, dots = self.next_vote(m, votable)
                t = time.perf_counter()
                try:
                    ack = await conn.emit(
                        "vote:set", {"pitch_id": pitch, "dots": dots}, timeout=STEP
                    )
                except Exception:  # noqa: BLE001 - counted; the phone stops
                    tally.lost += 1
                    return
                tally.lat.append(time.perf_counter() - t)
                if isinstance(ack, dict) and ack.get("ok") is True:
                    tally.acked += 1
                    if dots:
                        m.ballot[pitch] = dots
                    else:
                        m.ballot.pop(pitch, None)
                else:
                    tally.refusals[str(ack.get("error") if isinstance(ack, dict) else ack)] += 1

        t0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(phone(m, c) for m, c in zip(members, conns, strict=True)))
        tally.seconds += time.perf_counter() - t0
        tally.cpu_s += time.process_time() - cpu0

    async def votes(self, n: int, seconds: float) -> dict:
        errors = await self.ensure(n)
        phones = self.connected(n)
        screen = await self.app.connect({"code": self.code, "role": "screen"})
        await screen.wait_event("stage", STEP)
        screen.quiet = True
        ballots_seen = stamp(screen, "counts", lambda c: c.get("ballots"))
        # While votes come in, the console's tally arrives coalesced as `counts`.
        tally_seen = stamp(
            self.con,
            "counts",
            lambda c: {r["id"]: r["votes"] for r in c.get("results") or [] if r["votes"]},
        )
        if self.con.last.get("stage", {}).get("voting") != "open":
            await self.cmd("voting:open")
        await asyncio.sleep(1.0)  # every phone has the voting stage
        stage = phones[0].sock.last["stage"]
        votable = stage.get("open_ids") or [p["id"] for p in stage["votable"]]
        out: dict[str, Any] = {"phones": len(phones), "errors": errors}
        base_conns: list[Phone] = []
        if self.base:  # as many bare connections to the baseline, held for the whole burst
            res_c = await gather_gated(self.base.connect({}) for _ in range(len(phones)))
            base_conns = [c for c in res_c if not isinstance(c, BaseException)]
            for c in base_conns:
                c.quiet = True
            out["baseline_errors"] = errors_of(res_c)
        base_members = [Member(i) for i in range(len(base_conns))]
        # Slices in turn, baseline then app, so that a machine whose speed drifts during the
        # run (other work on it) slows both alike: the ratio is what is compared.
        app, base = Burst(), Burst()
        slices = SLICES if base_conns else 1
        for _ in range(slices):
            if base_conns:
                await self.burst(base, base_conns, votable, seconds / slices, base_members)
            await self.burst(app, [m.conn for m in phones], votable, seconds / slices, phones)
        last_ack = time.perf_counter()
        out["app"] = app.figures()
        # The recount: the database, through the results API (the moderator's key).
        await asyncio.sleep(1.0)
        status, _h, body = await http(
            self.app.host,
            self.app.port,
            "GET",
            f"/api/sessions/{self.code}/results",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        res = json.loads(body)
        assert status == 200, res
        recount = {r["id"]: r["votes"] for r in res["results"]}
        believed: Counter = Counter()
        voters = 0
        for m in self.members:
            believed.update({p: d for p, d in m.ballot.items() if d})
            voters += any(m.ballot.values())
        out["recount_equals_acks"] = all(
            recount.get(p, 0) == believed.get(p, 0) for p in set(recount) | set(believed)
        )
        out["recount_votes"] = sum(recount.values())
        out["acked_ballot_votes"] = sum(believed.values())
        # The screen's head count of ballots and the console's tally per pitch (both coalesced):
        # equal to the recount, and since when.
        screen_at = settled_at(ballots_seen, res["ballots"])
        tally_at = settled_at(tally_seen, {p: v for p, v in recount.items() if v})
        out["screen_ballots_ok"] = screen_at is not None and res["ballots"] == voters
        out["console_tally_ok"] = tally_at is not None
        out["settle_ms"] = (
            None
            if screen_at is None or tally_at is None
            else max(0.0, (max(screen_at, tally_at) - last_ack) * 1e3)
        )
        await screen.close()
        if base_conns:
            await asyncio.gather(*(c.close() for c in base_conns), return_exceptions=True)
            out["baseline"] = base.figures()
            out["ratio"] = out["app"]["per_s"] / out["baseline"]["per_s"]
            out["p50_ratio"] = out["app"]["p50_ms"] / out["baseline"]["p50_ms"]
        return out

    # ----- 3. stage change ----------------------------------------------------------------

    async def stage(self, n: int, presses: int) -> dict:
        """The moderator presses "next" `presses` times; time until every phone has it."""
        errors = await self.ensure(n)
        phones = self.connected(n)
        await self.ensure_running()
        all_ms: list[float] = []
        per_phone_ms: list[float] = []
        missing = 0
        for _ in range(presses):
            marks = [len(m.sock.stages) for m in phones]
            t0 = time.perf_counter()
            await self.cmd("stage:next", {})
            rev = None
            deadline = time.perf_counter() + STEP
            arrivals: list[float] = []
            while time.perf_counter() < deadline:
                arrivals = [
                    m.sock.stages[k][0]
                    for m, k in zip(phones, marks, strict=True)
                    if len(m.sock.stages) > k
                ]
                if len(arrivals) == len(phones):
                    break
                await asyncio.sleep(0.005)
            missing += len(phones) - len(arrivals)
            revs = {
                m.sock.stages[k][1]
                for m, k in zip(phones, marks, strict=True)
                if len(m.sock.stages) > k
            }
            if len(revs) > 1:
                raise AssertionError(f"phones got different revisions: {sorted(revs)[:5]}")
            rev = revs.pop() if revs else None
            if arrivals:
                all_ms.append((max(arrivals) - t0) * 1e3)
                per_phone_ms.extend((a - t0) * 1e3 for a in arrivals)
            await asyncio.sleep(0.5)
        size = len(json.dumps(phones[0].sock.last["stage"], separators=(",", ":")))
        return {
            "phones": len(phones),
            "presses": presses,
            "missing": missing,
            "last_rev": rev,
            "all_p50_ms": pct(all_ms, 50),
            "all_p95_ms": pct(all_ms, 95),
            "all_max_ms": max(all_ms) if all_ms else None,
            "phone_p50_ms": pct(per_phone_ms, 50),
            "phone_p95_ms": pct(per_phone_ms, 95),
            "snapshot_bytes": size,
            "errors": errors,
        }


async def run_all(args) -> dict:
    raise_file_limit(max(args.phones, args.vote_phones, args.stage_phones) * 2 + 512)
    app = Target(args.url, args.server_pid)
    base = Target(args.baseline_url) if args.baseline_url else None
    b = Bench(app, base)
    await b.setup()
    out: dict = {"code": b.code}
    t = time.perf_counter()
    for name in args.scenarios:
        started = time.perf_counter()
        if name == "join":
            out["join"] = await b.join(args.phones)
        elif name == "idle":
            out["idle"] = await b.idle(args.phones, args.idle_seconds)
        elif name == "votes":
            out["votes"] = await b.votes(args.vote_phones, args.vote_seconds)
        elif name == "stage":
            out["stage"] = await b.stage(args.stage_phones, args.presses)
        else:
            continue
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    out["generator_cpu_s"] = time.process_time()
    out["generator_wall_s"] = time.perf_counter() - t
    await asyncio.gather(*(m.conn.close() for m in b.members if m.conn), return_exceptions=True)
    await b.con.close()
    return out


SCENARIOS = ("join", "idle", "votes", "stage", "weight")  # the order they run in
# The size of the load: (option, type, default, help). `python -m bench` takes the same ones
# and passes them on (load_options).
LOAD = [
    ("phones", int, 2000, "phones that join, then idle (default 2000)"),
    ("vote_phones", int, 1000, "phones in the vote burst (default 1000)"),
    ("vote_seconds", float, 10.0, "length of the vote burst, s (default 10)"),
    ("stage_phones", int, 1000, "phones that see the stage changes (default 1000)"),
    ("presses", int, 10, "presses of 'next' (default 10)"),
    ("idle_seconds", float, 60.0, "length of the idle room, s (default 60)"),
]


def scenario_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        type=scenario_list,
        help=f"some of {','.join(SCENARIOS)} (default: all)",
    )
    for name, kind, default, text in LOAD:
        p.add_argument("--" + name.replace("_", "-"), type=kind, default=default, help=text)


def load_options(args) -> list[str]:
    """The command line that gives a load generator the same load as `args`."""
    out = ["--scenarios", ",".join(args.scenarios)]
    for name, _kind, _default, _text in LOAD:
        out += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    return out


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True, help="the app, e.g. http://127.0.0.1:5000")
    p.add_argument("--baseline-url", help="the bare baseline (bench/baseline.py)")
    p.add_argument(
        "--server-pid",
        type=lambda v: [int(x) for x in v.split(",")],
        help="the app's pid(s), comma-separated (same machine): RSS and CPU, summed",
    )
    add_load_options(p)
    p.add_argument("--out", help="also write the JSON here")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    out = {}
    if "weight" in args.scenarios:  # Playwright's sync API: before any event loop runs
        from .weight import page_weight

        out["weight"] = page_weight(args.url)
    out.update(asyncio.run(run_all(args)))
    text = json.dumps(out, indent=1, sort_keys=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
