"""A reconnect storm: 200 phones drop at once and come back with the browser's backoff while the
moderator keeps moving the stage on (stage:next every 200 ms). The moderator's commands stay
answered quickly, nobody is created twice, and every phone ends on the latest stage.

The phones run in a separate process (tests/faults/phone_driver.py, mode "storm"), so that the
console's acknowledgement latencies, measured here, are not inflated by the phones' own work.
The target from the issue is an acknowledgement within 1 s; the short form asserts 5 s only, to
stay robust on a loaded 2-core CI machine, and the long form (FACILITATOR_LONG_TESTS=1, three
storms) asserts 1 s.
"""

from __future__ import annotations

import asyncio
import json
import time

from .common import LONG, Console, Driver, console_cookie, drain, percentile, read_json, report

PHONES = 200
STORMS = 3 if LONG else 1
TICK_S = 0.2
LEAD_S = 1.0  # stage:next already ticking before the drop (the baseline)
TAIL_S = 1.0  # and still ticking after the last phone is back
MAX_STORM_S = 12.0  # ticking stops after this long in any case
# A long session's queue. Every snapshot lists the whole queue, so its length sets the cost of
# each broadcast and each reconnect. Should ticking outlast the queue, the remaining
# stage:next are answered "queue_empty": still a full command round trip, still measured.
PITCHES = 30
LIMIT_S = 1.0 if LONG else 5.0
DRIVER_DEADLINE_S = 240 if LONG else 90


def test_reconnect_storm_keeps_the_console_answered(server, aio, tmp_path):
    started = time.monotonic()
    server.start()
    status, made = server.api("POST", "/api/sessions", {"title": "Storm", "pitch_seconds": 60})
    assert status == 201, made
    code, port = made["code"], server.port
    cookie = console_cookie(made["console_url"])
    console = Console(port, code, cookie)

    async def setup():
        await console.open()
        for i in range(PITCHES):
            await console.cmd("pitch:add", {"title": f"P{i + 1}", "pitcher": "X"})
        await console.cmd("timer:start")

    aio.run(setup(), 60)

    out = tmp_path / "storm.json"
    driver = Driver(
        [
            "storm",
            "--port",
            str(port),
            "--code",
            code,
            "--phones",
            str(PHONES),
            "--deadline",
            str(DRIVER_DEADLINE_S),
            "--out",
            str(out),
        ],
        tmp_path / "driver.log",
    )
    latencies: list[float] = []  # every stage:next
    baseline: list[float] = []  # those sent before the drop
    refusals: list = []
    storms: list[dict] = []
    try:
        driver.expect("READY", 60)
        for storm in range(STORMS):
            if storm:  # bring the finished pitches back for the next storm

                async def requeue():
                    snap = await console.snapshot()
                    for p in snap["queue"]:
                        if p["status"] == "done":
                            await console.cmd(
                                "pitch:mark", {"pitch_id": p["id"], "status": "queued"}
                            )
                    if snap["live"] is None:
                        await console.cmd("timer:start")

                aio.run(requeue(), 60)
            ticking = {"stop": False, "dropped": False}

            async def tick():
                """stage:next every 200 ms, each on its own: a slow answer delays no tick."""
                pending = []

                async def one():
                    before = not ticking["dropped"]  # noqa: B023 - awaited in this round
                    t0 = time.monotonic()
                    ack = await console.conn.emit("stage:next", {}, timeout=30)
                    latencies.append(time.monotonic() - t0)
                    if before:
                        baseline.append(latencies[-1])
                    if not (isinstance(ack, dict) and ack.get("ok")):
                        refusals.append(ack)

                t_end = time.monotonic() + LEAD_S + MAX_STORM_S + TAIL_S
                nxt = time.monotonic()
                while not ticking["stop"] and time.monotonic() < t_end:  # noqa: B023
                    pending.append(asyncio.create_task(one()))
                    nxt += TICK_S
                    await asyncio.sleep(max(0.0, nxt - time.monotonic()))
                await asyncio.gather(*pending)

            ticker = asyncio.run_coroutine_threadsafe(tick(), aio.loop)
            time.sleep(LEAD_S)
            ticking["dropped"] = True
            driver.send("DROP")
            summary = json.loads(driver.expect("RECONNECTED", 60))
            time.sleep(TAIL_S)
            ticking["stop"] = True
            ticker.result(60)
            storms.append(summary)

        async def settle():
            await asyncio.sleep(0.5)
            drain(console.conn, "stage")
            return await console.snapshot()

        final = aio.run(settle(), 30)
        driver.send(f"FINISH {final['rev']}")
        driver.expect("DONE", 30)
    finally:
        driver.close()
        aio.run(console.close(), 10)
    data = read_json(out)

    back = [p for s in data["storms"] for p in s["phones"] if "error" not in p]
    errors = [p for s in data["storms"] for p in s["phones"] if "error" in p]
    stale = [p["pid"] for p in data["final"] if p["last_rev"] < final["rev"]]
    dropped = [p["pid"] for p in data["final"] if not p["connected"]]
    figures = {
        "phones": PHONES,
        "storms": STORMS,
        "next_sent": len(latencies),
        "next_on_empty_queue": sum(1 for r in refusals if r.get("error") == "queue_empty"),
        "pitches": PITCHES,
        "ack_latency_before_drop_max_s": round(max(baseline), 3),
        "ack_latency_max_s": round(max(latencies), 3),
        "ack_latency_p95_s": round(percentile(latencies, 95), 3),
        "ack_latency_median_s": round(percentile(latencies, 50), 3),
        "reconnected": len(back),
        "reconnect_errors": len(errors),
        "reconnect_max_s": max(s["max_back_s"] for s in storms),
        "reconnect_p95_s": round(percentile([p["back_s"] for p in back], 95), 3),
        "reconnect_max_attempts": max(s["max_attempts"] for s in storms),
        "participants_after": final["counts"]["participants"],
        "phones_on_latest_stage": PHONES - len(stale),
        "limit_s": LIMIT_S,
        "duration_s": round(time.monotonic() - started, 1),
    }
    report("test_reconnect_storm", figures)

    assert not errors, errors[:10]
    assert len(back) == PHONES * STORMS
    assert all(r.get("error") == "queue_empty" for r in refusals), refusals[:5]
    assert final["counts"]["participants"] == PHONES, "a reconnect created a participant"
    assert not stale, f"{len(stale)} phones never got the latest stage: {stale[:10]}"
    assert not dropped, dropped[:10]
    assert max(latencies) <= LIMIT_S, figures
