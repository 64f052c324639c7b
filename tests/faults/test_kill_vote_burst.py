"""200 phones vote and move their dots while the server is SIGKILLed and restarted on the same
database and port. Nothing acknowledged is lost, nothing is counted twice, and the tally the
screen shows after the reveal is a recount of the database.

The phones run in a separate process (tests/faults/phone_driver.py, mode "burst"): each puts a
dot on a random pitch or takes one back (3 dots, at most 1 per pitch, 6 pitches), one request
at a time, and logs every acknowledgement with its time. When the server dies each phone
reconnects with the browser's backoff, as the same participant (same cookie), and resumes.

Checks, per participant and pitch:
- at every reconnect, the phone's `me` ballot (read from the database by the restarted server)
  holds the last value acknowledged before the kill, or a value sent and never acknowledged;
- at the end, the database row holds the last acknowledged value (or, if the last request for
  it was never acknowledged, possibly that value);
- at most one row, dots within the budget; the screen's and the console's revealed tallies and
  the results API equal a recount of the votes table, and so do the last coalesced updates
  a screen and a console connected after the restart received during the burst.
Short form: one kill after ~2.5 s of voting. Long form (FACILITATOR_LONG_TESTS=1): three kills.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

from .common import LONG, Console, Driver, connect, console_cookie, drain, read_json, report

PHONES = 200
PITCHES = 6
BUDGET = 3
KILLS = 3 if LONG else 1
BEFORE_KILL_S = 8.0 if LONG else 2.5  # voting before each kill
DOWN_S = 2.0 if LONG else 0.5  # the server stays dead this long (plus its start-up)
AFTER_S = 8.0 if LONG else 3.0  # voting after the (last) restart
DRIVER_DEADLINE_S = 300 if LONG else 90


def analyse(phones: list[dict], pitches: list[int], kill_times: list[float], db_rows: dict) -> dict:
    """Replay every phone's log; compare with the ballots seen at reconnect and the database."""
    acked = refused = lost = 0
    acked_before_kill = 0
    resync_pairs = resync_found = resync_inflight = 0
    resync_mismatches: list = []
    final_checked = final_found = ambiguous = 0
    final_mismatches: list = []
    first_kill = kill_times[0] if kill_times else float("inf")
    for phone in phones:
        pid = phone["pid"]
        confirmed = {p: 0 for p in pitches}  # last acknowledged (or read back at resync)
        acked_since = {p: False for p in pitches}
        trailing = {p: [] for p in pitches}  # sent since, never acknowledged
        for ev in phone["log"]:
            kind = ev[0]
            if kind == "ack":
                _, pitch, dots, _t_send, t_ack, _gen = ev
                acked += 1
                acked_before_kill += t_ack < first_kill
                confirmed[pitch], trailing[pitch], acked_since[pitch] = dots, [], True
            elif kind == "refused":
                refused += 1
            elif kind == "lost":
                lost += 1
                trailing[ev[1]].append(ev[2])
            elif kind == "resync":
                ballot = {int(k): v for k, v in ev[1].items()}
                for pitch in pitches:
                    got = ballot.get(pitch, 0)
                    if acked_since[pitch] or trailing[pitch]:
                        resync_pairs += 1
                    if got == confirmed[pitch]:
                        resync_found += acked_since[pitch] or bool(trailing[pitch])
                    elif got in trailing[pitch]:
                        resync_inflight += 1
                    else:
                        resync_mismatches.append(
                            {
                                "participant": pid,
                                "pitch": pitch,
                                "acked": confirmed[pitch],
                                "db": got,
                                "unacked": trailing[pitch],
                                "gen": ev[3],
                            }
                        )
                    confirmed[pitch], trailing[pitch], acked_since[pitch] = got, [], False
        for pitch in pitches:
            in_db = db_rows.get((pid, pitch), 0)
            final_checked += 1
            if trailing[pitch]:
                ambiguous += 1
                if in_db != confirmed[pitch] and in_db not in trailing[pitch]:
                    final_mismatches.append(
                        {
                            "participant": pid,
                            "pitch": pitch,
                            "acked": confirmed[pitch],
                            "db": in_db,
                            "unacked": trailing[pitch],
                        }
                    )
            elif in_db == confirmed[pitch]:
                final_found += 1
            else:
                final_mismatches.append(
                    {"participant": pid, "pitch": pitch, "acked": confirmed[pitch], "db": in_db}
                )
    return {
        "votes_acked": acked,
        "acked_before_kill": acked_before_kill,
        "refused": refused,
        "sent_not_acked": lost,
        "pairs_checked_at_restart": resync_pairs,
        "found_in_db_at_restart": resync_found,
        "unacked_found_in_db": resync_inflight,
        "pairs_checked_at_end": final_checked,
        "found_in_db_at_end": final_found,
        "ambiguous_at_end": ambiguous,
        "mismatches": len(resync_mismatches) + len(final_mismatches),
        "mismatch_examples": (resync_mismatches + final_mismatches)[:10],
    }


def read_db(path) -> tuple[dict, list, list, dict]:
    """(rows, duplicate pairs, participants over budget, tally per pitch), read-only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows, duplicates = {}, []
        for pid, pitch, n, dots in db.execute(
            "SELECT participant_id, pitch_id, COUNT(*), SUM(dots) FROM votes"
            " GROUP BY participant_id, pitch_id"
        ):
            rows[(pid, pitch)] = dots
            if n > 1:
                duplicates.append((pid, pitch, n))
        over = list(
            db.execute(
                "SELECT participant_id, SUM(dots) FROM votes"
                " GROUP BY participant_id HAVING SUM(dots) > ?",
                (BUDGET,),
            )
        )
        over += list(db.execute("SELECT participant_id, pitch_id, dots FROM votes WHERE dots > 1"))
        tally = {
            pitch: (int(votes), int(voters))
            for pitch, votes, voters in db.execute(
                "SELECT pitch_id, SUM(dots), COUNT(*) FROM votes GROUP BY pitch_id"
            )
        }
    return rows, duplicates, over, tally


def test_kill_during_a_vote_burst_loses_and_doubles_nothing(server, aio, tmp_path):
    started = time.monotonic()
    server.start()
    status, made = server.api(
        "POST",
        "/api/sessions",
        {
            "title": "Vote burst",
            "pitch_seconds": 120,
            "dots_per_person": BUDGET,
            "max_dots_per_pitch": 1,
        },
    )
    assert status == 201, made
    code, port = made["code"], server.port
    cookie = console_cookie(made["console_url"])
    key = made["console_url"].split("key=", 1)[1]

    async def setup():
        console = await Console(port, code, cookie).open()
        ids = []
        for i in range(PITCHES):
            ack = await console.cmd(
                "pitch:add", {"title": f"Pitch {i + 1}", "pitcher": f"Pitcher {i + 1}"}
            )
            ids.append(ack["pitch_id"])
        await console.cmd("voting:open")
        await console.close()
        return ids

    pitches = aio.run(setup(), 30)

    out = tmp_path / "burst.json"
    driver = Driver(
        [
            "burst",
            "--port",
            str(port),
            "--code",
            code,
            "--phones",
            str(PHONES),
            "--pitches",
            ",".join(map(str, pitches)),
            "--budget",
            str(BUDGET),
            "--deadline",
            str(DRIVER_DEADLINE_S),
            "--out",
            str(out),
        ],
        tmp_path / "driver.log",
    )
    kill_times, up_times = [], []
    try:
        driver.expect("READY", 60)
        for _ in range(KILLS):
            time.sleep(BEFORE_KILL_S)
            kill_times.append(time.time())
            server.kill()
            time.sleep(DOWN_S)
            server.start("--session", code)
            up_times.append(time.time())

        async def watchers():
            """A screen and a console that follow the rest of the burst (coalesced tallies)."""
            screen = await connect(port, code, "screen")
            await screen.wait_event("stage", timeout=15)
            return screen, await Console(port, code, cookie).open()

        screen, console = aio.run(watchers(), 30)
        time.sleep(AFTER_S)
        driver.send("STOP")
        driver.expect("DONE", DRIVER_DEADLINE_S)
    finally:
        driver.close()
    data = read_json(out)
    phones = data["phones"]
    errors = [f"{p['pid']}: {p['error']}" for p in phones if p["error"]]
    assert not errors, f"{len(errors)} phones failed:\n" + "\n".join(errors[:10])

    # Everyone came back after the last restart. (A phone still retrying when the next kill
    # comes reconnects once for both: its reconnects may be fewer than the kills.)
    reconnect_s = []
    for p in phones:
        resyncs = [ev for ev in p["log"] if ev[0] == "resync"]
        assert resyncs[-1][2] > kill_times[-1], (p["pid"], "did not come back")
        reconnect_s.append(resyncs[-1][2] - up_times[-1])

    # ----- close, reveal, and read every tally there is ------------------------------------
    async def reveal():
        # The last coalesced tallies of the burst, once the flush after the last vote is due.
        await asyncio.sleep(0.5)
        counts = drain(screen, "counts")
        live = drain(console.conn, "counts")
        last_counts = counts[-1] if counts else None
        last_results = live[-1]["results"] if live else None
        await console.cmd("voting:close")
        await console.cmd("results:reveal", {"revealed": True})
        deadline = time.monotonic() + 15
        shown = None
        while shown is None:
            _name, got = await screen.wait_event("stage", max(0.1, deadline - time.monotonic()))
            if got[0]["revealed"] and got[0]["results"] is not None:
                shown = got[0]
        drain(console.conn, "stage")
        console_snap = await console.snapshot()
        await screen.close()
        await console.close()
        return shown, console_snap, last_counts, last_results

    shown, console_snap, last_counts, last_results = aio.run(reveal(), 45)
    status, api = server.api(
        "GET", f"/api/sessions/{code}/results", headers={"Authorization": f"Bearer {key}"}
    )
    assert status == 200, api
    participants = console_snap["counts"]["participants"]
    server.stop()

    rows, duplicates, over_budget, tally = read_db(server.db)
    figures = analyse(phones, pitches, kill_times, rows)
    recount = {pitch: tally.get(pitch, (0, 0)) for pitch in pitches}
    on_screen = {r["id"]: (r["votes"], r["voters"]) for r in shown["results"]}
    on_console = {r["id"]: (r["votes"], r["voters"]) for r in console_snap["results"]}
    coalesced = {r["id"]: (r["votes"], r["voters"]) for r in last_results or []}
    voters = len({pid for pid, _pitch in rows})
    from_api = {r["id"]: (r["votes"], r["voters"]) for r in api["results"]}
    figures.update(
        {
            "phones": len(phones),
            "kills": KILLS,
            "duplicates": len(duplicates),
            "over_budget": len(over_budget),
            "db_rows": len(rows),
            "db_dots": sum(rows.values()),
            "participants": participants,
            "screen_tally_equals_recount": on_screen == recount,
            "console_tally_equals_recount": on_console == recount,
            "api_tally_equals_recount": from_api == recount,
            "last_coalesced_console_tally_equals_recount": coalesced == recount,
            "last_screen_counts": last_counts,
            "db_voters": voters,
            "reconnect_after_up_max_s": round(max(reconnect_s), 2),
            "duration_s": round(time.monotonic() - started, 1),
            "tally": {str(k): v for k, v in recount.items()},
        }
    )
    report("test_kill_vote_burst", figures)

    assert figures["votes_acked"] > 0 and figures["acked_before_kill"] > 0, figures
    assert figures["mismatches"] == 0, figures["mismatch_examples"]
    assert not duplicates, duplicates
    assert not over_budget, over_budget
    assert participants == PHONES, "a reconnect created a second participant"
    assert on_screen == recount, (on_screen, recount)
    assert on_console == recount, (on_console, recount)
    assert from_api == recount, (from_api, recount)
    # The coalesced updates sent during the burst end on the final state: the last flush after
    # the last vote was not lost.
    assert coalesced == recount, (coalesced, recount)
    assert last_counts is not None and last_counts["ballots"] == voters, (last_counts, voters)
    assert last_counts["participants"] == PHONES, last_counts
