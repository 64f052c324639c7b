"""Group commit (facilitator/batching.py) with real threads: who writes, what each caller gets.

Each test makes the batches it wants by holding the writer: `pause` (the leader's yield before
it takes its batch) waits until the expected number of requests is pending."""

from __future__ import annotations

import threading
import time

import pytest

from facilitator.batching import GroupCommit, event_class


class Recorder:
    """A `write` that records its batches; it can be told to block or to fail."""

    def __init__(self):
        self.batches: list[list] = []
        self.fail_next = False
        self.gate: threading.Event | None = None
        self.writing = threading.Event()

    def __call__(self, requests):
        self.writing.set()
        if self.gate is not None:
            assert self.gate.wait(10), "the test never opened the gate"
        self.batches.append(list(requests))
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("disk full")
        return [("done", r) if r >= 0 else ValueError(f"refused {r}") for r in requests]


def wait_pending(group: GroupCommit, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(group._pending) < n:
        assert time.monotonic() < deadline, f"never {n} pending"
        time.sleep(0.001)


def run_all(group: GroupCommit, requests: list, stagger: float = 0.0) -> dict:
    results: dict = {}

    def call(r):
        results[r] = group.submit(r)

    threads = [threading.Thread(target=call, args=(r,)) for r in requests]
    for t in threads:
        t.start()
        time.sleep(stagger)
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a caller never got its answer"
    return results


def test_a_lone_request_is_written_at_once_and_gets_its_own_result():
    write = Recorder()
    group = GroupCommit(write, threading.Event, lambda: None)
    assert group.submit(7) == ("done", 7)
    assert write.batches == [[7]]
    assert group.submit(8) == ("done", 8)  # the writer's seat is free again
    assert write.batches == [[7], [8]]


def test_requests_that_arrive_together_share_one_batch_and_each_gets_its_answer():
    write = Recorder()
    group: GroupCommit = GroupCommit(write, threading.Event, lambda: wait_pending(group, 5))
    results = run_all(group, [1, 2, -3, 4, 5])
    assert len(write.batches) == 1 and sorted(write.batches[0]) == [-3, 1, 2, 4, 5]
    assert results[1] == ("done", 1) and results[5] == ("done", 5)
    assert isinstance(results[-3], ValueError)  # one refusal does not fail the others
    assert (group.batches, group.requests) == (1, 5)


def test_requests_arriving_during_a_write_go_in_the_next_batch_led_by_the_oldest():
    write = Recorder()
    write.gate = threading.Event()
    group = GroupCommit(write, threading.Event, lambda: None)
    first = threading.Thread(target=group.submit, args=(1,))
    first.start()
    assert write.writing.wait(5)
    results: dict = {}
    later = [
        threading.Thread(target=lambda r=r: results.update({r: group.submit(r)})) for r in (2, 3, 4)
    ]
    for t in later:
        t.start()
    wait_pending(group, 3)
    write.gate.set()
    first.join(5)
    for t in later:
        t.join(5)
    assert write.batches[0] == [1]
    assert sorted(sum(write.batches[1:], [])) == [2, 3, 4]
    assert write.batches[1][0] == 2  # arrival order is kept: the oldest leads
    assert results == {2: ("done", 2), 3: ("done", 3), 4: ("done", 4)}


def test_a_failed_write_fails_its_batch_only():
    write = Recorder()
    write.fail_next = True
    group: GroupCommit = GroupCommit(write, threading.Event, lambda: wait_pending(group, 3))
    results = run_all(group, [1, 2, 3])
    assert all(isinstance(r, RuntimeError) for r in results.values())
    group.pause = lambda: None
    assert group.submit(4) == ("done", 4)  # the next batch is written as usual


def test_a_batch_is_capped_and_the_rest_follows():
    write = Recorder()
    waited: list = []

    def pause():  # the first leader waits for all six; the next one takes what is left
        if not waited:
            waited.append(True)
            wait_pending(group, 6)

    group: GroupCommit = GroupCommit(write, threading.Event, pause, max_batch=4)
    results = run_all(group, list(range(6)))
    assert results == {r: ("done", r) for r in range(6)}
    assert [len(b) for b in write.batches] == [4, 2]
    assert sorted(sum(write.batches, [])) == list(range(6))


@pytest.mark.parametrize("mode", ["threading", "eventlet", "gevent"])
def test_each_async_mode_has_an_event_with_wait_and_set(mode):
    event = event_class(mode)()
    event.set()
    assert event.wait() in (True, None)  # set before the wait: returns at once
