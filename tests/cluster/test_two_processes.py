"""Two Facilitator processes (A and B) on two ports sharing real PostgreSQL and real Redis,
with nginx in front configured from docs/deploy.md (bench/cluster.py starts them all).

- A console on A and phones on B see each other's changes: stage both ways, tallies both ways,
  cookies signed by one process accepted by the other (one shared secret key).
- Votes through both processes tally exactly: every phone has a socket on each process and
  votes through both, ending with the same vote sent through both at once; a recount in
  PostgreSQL equals what the acknowledgements say, the consoles on A and B and the results API.
- A running timer with the "move on" overrun policy fires once: both processes armed it, both
  woke, exactly one moved on ("auto next" logged once, the stage advanced one pitch). When the
  process that started it is killed, the other one still moves on, once.
- A process killed (SIGKILL) during a vote burst through nginx and restarted loses nothing:
  every acknowledged vote is in the database, nothing is counted twice, its phones come back
  (through nginx, to either process) as the same participants.
"""

from __future__ import annotations

import asyncio
import random
import re
import time

from tests.e2e.harness import console_cookie, http_json
from tests.faults.common import Console, Driver, connect, join, read_json, report
from tests.faults.test_kill_vote_burst import analyse

PHONES_PER_PROCESS = 15
BURST_PHONES = 100
BUDGET = 3


# ----- helpers -----------------------------------------------------------------------------


def new_session(cluster, title: str, **settings) -> tuple[str, str, str]:
    """A session made through the proxy: (join code, console cookie, moderator key)."""
    status, made = cluster.api("POST", "/api/sessions", {"title": title, **settings})
    assert status == 201, made
    return (
        made["code"],
        console_cookie(made["console_url"]),
        made["console_url"].split("key=", 1)[1],
    )


def session_id(cluster, code: str) -> int:
    return cluster.sql("SELECT id FROM sessions WHERE code = %s", code)[0][0]


async def until(conn, name: str, check, timeout: float = 15):
    """The first `name` event (already received or still to come) whose payload passes."""
    deadline = time.monotonic() + timeout
    while True:
        _name, args = await conn.wait_event(name, max(0.05, deadline - time.monotonic()))
        if check(args[0]):
            return args[0]


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


def tally(results: list[dict]) -> dict:
    return {r["id"]: (r["votes"], r["voters"]) for r in results if r["votes"]}


def recount(cluster, sid: int) -> dict:
    return {
        pitch: (int(dots), int(voters))
        for pitch, dots, voters in cluster.sql(
            "SELECT pitch_id, SUM(dots), COUNT(*) FROM votes WHERE session_id = %s"
            " GROUP BY pitch_id",
            sid,
        )
    }


def log_lines(proc, pattern: str) -> list[str]:
    return [
        line
        for line in proc.log.read_text(errors="replace").splitlines()
        if re.search(pattern, line)
    ]


async def overrun_started(cluster, port: int, title: str):
    """A session whose overrun policy moves on with no grace, a 10 s pitch then a long one,
    started by a console on `port`. Returns (that console, session id, [first, second])."""
    code, cookie, _key = new_session(cluster, title)
    console = await Console(port, code, cookie).open()
    await console.cmd("session:settings", {"overrun_policy": "next", "overrun_grace_seconds": 0})
    first = (await console.cmd("pitch:add", {"title": "Short", "pitcher": "Ines", "seconds": 10}))[
        "pitch_id"
    ]
    second = (await console.cmd("pitch:add", {"title": "Long", "pitcher": "Omar", "seconds": 600}))[
        "pitch_id"
    ]
    await console.cmd("timer:start")
    return console, session_id(cluster, code), [first, second]


def auto_nexts(cluster, sid: int) -> int:
    return cluster.sql(
        "SELECT COUNT(*) FROM log_entries WHERE session_id = %s AND action = 'auto next'", sid
    )[0][0]


def statuses(cluster, sid: int) -> dict:
    return dict(cluster.sql("SELECT id, status FROM pitches WHERE session_id = %s", sid))


# ----- the tests ---------------------------------------------------------------------------


def test_a_console_on_a_and_phones_on_b_see_each_other(cluster, aio):
    a, b = cluster.procs
    code, cookie, _key = new_session(cluster, "Both ways", dots_per_person=3)

    async def run():
        console = await Console(a.port, code, cookie).open()
        first = (await console.cmd("pitch:add", {"title": "Rainwater", "pitcher": "Ines"}))[
            "pitch_id"
        ]
        await console.cmd("pitch:add", {"title": "Compost", "pitcher": "Omar"})
        screen_b = await connect(b.port, code, "screen")
        # One phone joins through B, one through A; both connect to B: a cookie signed by A
        # is accepted by B (the shared secret key).
        cookies = [join(b.port, code, "Grace")[1], join(a.port, code, "Alan")[1]]
        phones_b = [await connect(b.port, code, "phone", c) for c in cookies]

        # A -> B: the console's start on A reaches the phones and the screen on B.
        await console.cmd("timer:start")
        for conn in (*phones_b, screen_b):
            await until(conn, "stage", lambda s: s["live"] and s["live"]["id"] == first)

        # B -> A: a pitch proposed by a phone on B reaches the console on A.
        ack = await phones_b[0].emit(
            "pitch:propose", {"title": "Solar kiosks", "offer": "Two kiosks to lend"}
        )
        assert ack["ok"], ack
        await until(
            console.conn, "stage", lambda s: [p["title"] for p in s["pending"]] == ["Solar kiosks"]
        )

        # Votes on B reach the console on A (tallies) and the screen on B (head counts).
        await console.cmd("voting:open")
        for conn in phones_b:
            await until(conn, "stage", lambda s: s["voting"] == "open")
            ack = await conn.emit("vote:set", {"pitch_id": first, "dots": 1})
            assert ack == {"ok": True, "ballot": {str(first): 1}, "dots_left": 2}, ack
        await until(console.conn, "counts", lambda c: tally(c["results"]) == {first: (2, 2)})
        await until(screen_b, "counts", lambda c: c["ballots"] == 2)

        # And the reverse: a phone on A votes; a second console, on B, and the screen on B
        # see it.
        phone_a = await connect(a.port, code, "phone", join(a.port, code, "Ada")[1])
        console_b = await Console(b.port, code, cookie).open()
        ack = await phone_a.emit("vote:set", {"pitch_id": first, "dots": 1})
        assert ack == {"ok": True, "ballot": {str(first): 1}, "dots_left": 2}, ack
        await until(console_b.conn, "counts", lambda c: tally(c["results"]) == {first: (3, 3)})
        await until(screen_b, "counts", lambda c: c["ballots"] == 3 and c["participants"] == 3)
        # A stage change from the console on B reaches the console on A.
        await console_b.cmd("voting:close")
        await until(console.conn, "stage", lambda s: s["voting"] == "closed")
        for conn in (*phones_b, phone_a, screen_b, console.conn, console_b.conn):
            await conn.close()

    aio.run(run(), 90)


def test_votes_through_both_processes_tally_exactly(cluster, aio):
    procs = cluster.procs
    code, cookie, key = new_session(cluster, "Tally", dots_per_person=BUDGET, max_dots_per_pitch=2)
    sid = session_id(cluster, code)
    rng = random.Random(7)
    figures = {"acks": 0, "refused": 0, "same_vote_both_at_once": 0}

    async def phone(index: int, pitches: list[int]) -> dict:
        """Joins through one process, holds a socket on each, votes through both."""
        _pid, c = join(procs[index % 2].port, code, f"Phone {index + 1}")
        conns = [await connect(p.port, code, "phone", c) for p in procs]
        believed: dict[int, int] = {}
        for _ in range(8):
            pitch, dots = rng.choice(pitches), rng.randint(0, 2)
            ack = await rng.choice(conns).emit("vote:set", {"pitch_id": pitch, "dots": dots})
            if ack.get("ok"):
                figures["acks"] += 1
                believed[pitch] = dots
            else:
                assert ack["error"] == "budget_exceeded", ack
                figures["refused"] += 1
        # The same vote through both processes at the same moment: one row, not two.
        pitch = rng.choice([p for p, n in believed.items() if n] or pitches[:1])
        dots = 1 if believed.get(pitch) != 1 else 2
        acks = await asyncio.gather(
            *(conn.emit("vote:set", {"pitch_id": pitch, "dots": dots}) for conn in conns)
        )
        if all(x.get("ok") for x in acks):
            believed[pitch] = dots
            figures["same_vote_both_at_once"] += 1
        else:  # over budget through both: refused by both, nothing changed
            assert all(x.get("error") == "budget_exceeded" for x in acks), acks
        for conn in conns:
            await conn.close()
        return believed

    async def run():
        console = await Console(procs[0].port, code, cookie).open()
        pitches = [
            (
                await console.cmd(
                    "pitch:add", {"title": f"Idea {i + 1}", "pitcher": f"Pitcher {i + 1}"}
                )
            )["pitch_id"]
            for i in range(4)
        ]
        await console.cmd("voting:open")
        ballots = await asyncio.gather(*(phone(i, pitches) for i in range(2 * PHONES_PER_PROCESS)))
        consoles = [await Console(p.port, code, cookie).open() for p in procs]
        snaps = [await c.snapshot() for c in consoles]
        for c in (console, *consoles):
            await c.close()
        return pitches, ballots, snaps

    pitches, ballots, snaps = aio.run(run(), 120)
    expected: dict[int, tuple[int, int]] = {}
    for ballot in ballots:
        for pitch, dots in ballot.items():
            if dots:
                votes, voters = expected.get(pitch, (0, 0))
                expected[pitch] = (votes + dots, voters + 1)
    in_db = recount(cluster, sid)
    duplicates = cluster.sql(
        "SELECT participant_id, pitch_id FROM votes WHERE session_id = %s"
        " GROUP BY participant_id, pitch_id HAVING COUNT(*) > 1",
        sid,
    )
    api = [
        http_json(
            p.url,
            "GET",
            f"/api/sessions/{code}/results",
            headers={"Authorization": f"Bearer {key}"},
        )
        for p in procs
    ]
    figures.update(
        {
            "phones": len(ballots),
            "db_rows": sum(v[1] for v in in_db.values()),
            "db_dots": sum(v[0] for v in in_db.values()),
        }
    )
    report("test_two_processes-tally", figures)

    assert figures["acks"] > 0 and figures["same_vote_both_at_once"] > 0, figures
    assert not duplicates, duplicates
    assert in_db == expected, (in_db, expected)
    for snap in snaps:  # the consoles on A and on B
        assert tally(snap["results"]) == in_db
    for status, body in api:  # the results API through A and through B
        assert status == 200, body
        assert tally(body["results"]) == in_db


def test_a_running_timer_moves_on_once_though_both_processes_armed_it(cluster, aio):
    a, b = cluster.procs
    started = time.monotonic()
    console, sid, (first, second) = aio.run(overrun_started(cluster, a.port, "Overrun once"), 30)
    armed = rf"armed session {sid} pitch {first} "
    # A armed it after its own start; B through its sweep (it saw no command).
    wait_until(lambda: log_lines(a, armed) and log_lines(b, armed), 15, "both processes arm")

    async def moved_on():
        return await until(
            console.conn, "stage", lambda s: s["live"] and s["live"]["id"] == second, timeout=40
        )

    aio.run(moved_on(), 45)
    woke = rf"woke for session {sid} pitch {first}: "
    wait_until(lambda: log_lines(a, woke) and log_lines(b, woke), 15, "both processes wake")
    wakes = log_lines(a, woke) + log_lines(b, woke)
    snap = aio.run(console.snapshot(), 15)
    aio.run(console.close(), 10)
    outcomes = sorted(line.rsplit(": ", 1)[1] for line in wakes)
    report(
        "test_two_processes-timer-once",
        {
            "auto_next_entries": auto_nexts(cluster, sid),
            "wake_outcomes": ", ".join(outcomes),
            "duration_s": round(time.monotonic() - started, 1),
        },
    )

    assert auto_nexts(cluster, sid) == 1
    assert outcomes.count("moved on") == 1, wakes  # both woke (above), one moved on
    assert statuses(cluster, sid) == {first: "done", second: "live"}
    assert snap["live"]["id"] == second and snap["timer"]["state"] == "running"


def test_the_other_process_keeps_the_timer_when_the_one_that_started_it_dies(cluster, aio):
    a, b = cluster.procs
    started = time.monotonic()
    console, sid, (first, second) = aio.run(
        overrun_started(cluster, a.port, "Overrun after a crash"), 30
    )
    aio.run(console.close(), 10)
    wait_until(
        lambda: log_lines(b, rf"armed session {sid} pitch {first} "), 15, "B arms through its sweep"
    )
    a.kill()  # the process that started the pitch
    try:
        wait_until(lambda: auto_nexts(cluster, sid) >= 1, 40, "B moves on")
        moved = log_lines(b, rf"woke for session {sid} pitch {first}: moved on")
    finally:
        a.start()
    # Restarted, A arms for the pitch now live (and does not move on again).
    wait_until(
        lambda: log_lines(a, rf"armed session {sid} pitch {second} "), 15, "A arms at start-up"
    )
    report(
        "test_two_processes-timer-after-kill",
        {
            "auto_next_entries": auto_nexts(cluster, sid),
            "duration_s": round(time.monotonic() - started, 1),
        },
    )
    assert len(moved) == 1, moved
    assert auto_nexts(cluster, sid) == 1
    assert statuses(cluster, sid) == {first: "done", second: "live"}


def test_a_process_killed_during_a_vote_burst_loses_nothing(cluster, aio, tmp_path):
    """The fault tests' phone driver, through nginx: phones spread over both processes; B is
    SIGKILLed mid-burst and restarted; its phones reconnect through nginx."""
    a, b = cluster.procs
    started = time.monotonic()
    code, cookie, key = new_session(cluster, "Burst", dots_per_person=BUDGET, max_dots_per_pitch=1)
    sid = session_id(cluster, code)

    async def setup():
        console = await Console(a.port, code, cookie).open()
        ids = [
            (
                await console.cmd(
                    "pitch:add", {"title": f"Pitch {i + 1}", "pitcher": f"Pitcher {i + 1}"}
                )
            )["pitch_id"]
            for i in range(6)
        ]
        await console.cmd("voting:open")
        await console.close()
        return ids

    pitches = aio.run(setup(), 30)
    out = tmp_path / "burst.json"
    driver = Driver(
        [
            "burst",
            "--port",
            str(cluster.nginx.port),
            "--code",
            code,
            "--phones",
            str(BURST_PHONES),
            "--pitches",
            ",".join(map(str, pitches)),
            "--budget",
            str(BUDGET),
            "--deadline",
            "90",
            "--out",
            str(out),
        ],
        tmp_path / "driver.log",
    )
    try:
        driver.expect("READY", 60)
        time.sleep(2.5)  # voting through both processes before the kill
        kill_at = time.time()
        b.kill()
        time.sleep(0.5)
        b.start()
        up_at = time.time()
        time.sleep(2.5)  # and after the restart
        driver.send("STOP")
        driver.expect("DONE", 90)
    finally:
        driver.close()
    phones = read_json(out)["phones"]
    errors = [f"{p['pid']}: {p['error']}" for p in phones if p["error"]]
    assert not errors, errors[:10]
    reconnected = [
        p for p in phones if any(ev[0] == "resync" and ev[2] > kill_at for ev in p["log"])
    ]

    rows = {
        (pid, pitch): dots
        for pid, pitch, dots in cluster.sql(
            "SELECT participant_id, pitch_id, dots FROM votes WHERE session_id = %s", sid
        )
    }
    figures = analyse(phones, pitches, [kill_at], rows)
    in_db = recount(cluster, sid)
    participants = cluster.sql("SELECT COUNT(*) FROM participants WHERE session_id = %s", sid)[0][0]
    results = [
        http_json(
            p.url,
            "GET",
            f"/api/sessions/{code}/results",
            headers={"Authorization": f"Bearer {key}"},
        )[1]
        for p in (a, b)
    ]
    figures.update(
        {
            "phones": len(phones),
            "reconnected_after_kill": len(reconnected),
            "participants": participants,
            "db_dots": sum(rows.values()),
            "restart_s": round(up_at - kill_at, 2),
            "duration_s": round(time.monotonic() - started, 1),
        }
    )
    report("test_two_processes-kill-burst", figures)

    assert figures["votes_acked"] > 0 and figures["acked_before_kill"] > 0, figures
    assert figures["mismatches"] == 0, figures["mismatch_examples"]
    assert reconnected, "no phone was on the killed process"
    assert participants == BURST_PHONES, "a reconnect created a second participant"
    for body in results:
        assert tally(body["results"]) == in_db
