"""The coalesced tallies (facilitator/broadcast.py) with real threads and a real clock, a
recording stand-in for Socket.IO and snapshots that read a counter: what reaches the screen
last is the state after the last change."""

from __future__ import annotations

import threading
import time

from facilitator.broadcast import Broadcaster
from facilitator.services import Change


class Recorder:
    """Socket.IO as the broadcaster uses it: emit, background tasks, sleep."""

    def __init__(self):
        self.sent: list[tuple[float, str, object, str]] = []
        self.lock = threading.Lock()

    def emit(self, event, data, to=None, skip_sid=None):
        with self.lock:
            self.sent.append((time.monotonic(), event, data, to))

    def start_background_task(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        return t

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)

    def screen_counts(self) -> list:
        return [
            (at, data)
            for at, event, data, to in self.sent
            if event == "counts" and to == "s1:screen"
        ]


class Tallies:
    """Snapshots whose tally is a number the test moves; the next read can be held."""

    def __init__(self):
        self.state = 0
        self.hold: threading.Event | None = None
        self.reading = threading.Event()

    def counts(self, session_id):
        seen = self.state
        hold, self.hold = self.hold, None
        if hold is not None:  # a read that yields for a while (PostgreSQL under load)
            self.reading.set()
            assert hold.wait(10)
        return {"ballots": seen}, {"ballots": seen, "results": []}

    def console(self, session_id):
        return {"full": self.state}


def settle_time(b: Broadcaster) -> None:
    time.sleep(b.settle_s + 0.3)


def test_the_last_word_is_read_after_the_last_change():
    sio, snaps = Recorder(), Tallies()
    b = Broadcaster(sio, snaps, coalesce_ms=40, settle_ms=150)
    before_last = 0.0
    for n in range(1, 31):  # 30 votes at once
        snaps.state = n
        before_last = time.monotonic()
        b.publish(Change(1, counts=True))
    settle_time(b)
    flushes = sio.screen_counts()
    assert flushes[-1][1] == {"ballots": 30}
    assert flushes[-1][0] >= before_last + 0.15  # the settle flush, after the quiet time
    assert len(flushes) < 10  # coalesced: one now, one at the deadline, the last word
    # The console got the tally as `counts`, never its full snapshot: only tallies changed.
    assert not [x for x in sio.sent if x[1] == "stage"]


def test_a_slow_older_read_does_not_have_the_last_word():
    """A flush that read the tallies before the last change but took long to send arrives
    after the fresher one; the settle flush comes after both."""
    sio, snaps = Recorder(), Tallies()
    b = Broadcaster(sio, snaps, coalesce_ms=20, settle_ms=400)
    snaps.state, snaps.hold = 1, threading.Event()
    release = snaps.hold
    slow = threading.Thread(target=b.publish, args=(Change(1, counts=True),))
    slow.start()  # flushes at once, reads 1, and is held
    assert snaps.reading.wait(5)
    snaps.state = 2
    b.publish(Change(1, counts=True))  # read and sent at its deadline, while the slow one waits
    deadline = time.monotonic() + 5
    while not any(data == {"ballots": 2} for _at, data in sio.screen_counts()):
        assert time.monotonic() < deadline, "the deadline flush never came"
        time.sleep(0.005)
    release.set()
    slow.join(5)
    assert sio.screen_counts()[-1][1] == {"ballots": 1}  # without a last word: stale
    settle_time(b)
    assert sio.screen_counts()[-1][1] == {"ballots": 2}


def test_a_join_gives_the_console_its_full_snapshot():
    sio, snaps = Recorder(), Tallies()
    b = Broadcaster(sio, snaps, coalesce_ms=0, settle_ms=0)
    b.publish(Change(1, counts=True, console=True))
    b.publish(Change(1, counts=True))
    to_console = [(event, data) for _at, event, data, to in sio.sent if to == "s1:console"]
    assert to_console == [("stage", {"full": 0}), ("counts", {"ballots": 0, "results": []})]


# ----- the cache of public snapshots ----------------------------------------------------------


class Public:
    """Snapshots that count their builds; the revision and the join address are the test's."""

    def __init__(self):
        self.rev, self.base, self.builds, self.now = 7, "http://venue.test", 0, 0

    def _snap(self, kind):
        self.builds += 1
        return {
            "rev": self.rev,
            "server_now": self.now,
            "kind": kind,
            "results": None,
            "session": {"code": "ABC", "join_url": self.join_url("ABC")},
        }

    def stage(self, session_id):
        return self._snap("stage")

    def screen(self, session_id):
        return self._snap("screen")

    def console(self, session_id):
        return {"console": True}

    def revision(self, session_id):
        return self.rev

    def join_url(self, code):
        return f"{self.base}/j/{code}"

    def clock(self):
        return self.now

    def counts(self, session_id):
        return {}, {}


def welcomes(b, snaps, role, n):
    sio = b.socketio
    before = len(sio.sent)
    for i in range(n):
        snaps.now = i
        b.welcome(f"sid{i}", 1, role, None)
    return [data for _at, event, data, _to in sio.sent[before:] if event == "stage"]


def test_reconnecting_pages_share_one_build_until_something_changes():
    sio, snaps = Recorder(), Public()
    b = Broadcaster(sio, snaps, coalesce_ms=0, settle_ms=0)
    got = welcomes(b, snaps, "phone", 100)
    assert snaps.builds == 1 and len(got) == 100
    assert [s["server_now"] for s in got] == list(range(100))  # each with the time it is sent
    welcomes(b, snaps, "screen", 100)
    assert snaps.builds == 2
    b.publish(Change(1, counts=True))  # a vote through this process
    welcomes(b, snaps, "screen", 3)
    assert snaps.builds == 3
    snaps.rev = 8  # another process moved the stage on
    welcomes(b, snaps, "phone", 3)
    assert snaps.builds == 4
    snaps.base = "http://other.test"  # no public URL: the address follows the request
    assert welcomes(b, snaps, "phone", 1)[0]["session"]["join_url"] == "http://other.test/j/ABC"


def test_a_stage_broadcast_fills_the_cache():
    sio, snaps = Recorder(), Public()
    b = Broadcaster(sio, snaps, coalesce_ms=0, settle_ms=0)
    b.publish(Change(1, stage=True))
    assert snaps.builds == 2  # the phones' and the screen's
    welcomes(b, snaps, "phone", 5)
    welcomes(b, snaps, "screen", 5)
    assert snaps.builds == 2


def test_with_several_processes_snapshots_with_tallies_are_not_cached():
    sio, snaps = Recorder(), Public()
    b = Broadcaster(sio, snaps, coalesce_ms=0, settle_ms=0, shared_counts=True)
    welcomes(b, snaps, "screen", 5)
    assert snaps.builds == 5  # tallies change in other processes unseen
    welcomes(b, snaps, "phone", 5)
    assert snaps.builds == 6  # the phones' stage has none (until results are revealed)


def test_the_console_is_never_cached():
    sio, snaps = Recorder(), Public()
    b = Broadcaster(sio, snaps, coalesce_ms=0, settle_ms=0)
    got = welcomes(b, snaps, "console", 3)
    assert got == [{"console": True}] * 3 and snaps.builds == 0
