"""Group commit: requests that arrive together are written in one transaction.

A vote burst is many small writes. Committed one by one, each pays a whole transaction (and
its Python around it); committed together, a batch of fifty pays one. `GroupCommit.submit`
queues a request and blocks its caller (a green thread, or a thread) until the batch holding it
is committed, then returns that request's own result: a caller still answers only after its
write is durable.

No thread of its own: the first caller to find nobody writing leads. It yields once, so that
the requests arriving meanwhile join its batch, writes the batch, hands each waiting caller its
result and, if more arrived meanwhile, makes the oldest of those the next leader. One batch per
leader, so no caller waits for more than the batch before its own and its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Req = TypeVar("Req")


def event_class(async_mode: str) -> Callable:
    """The lightest one-shot event of the async mode, with `wait()` and `set()` (each request
    makes one: eventlet's green `threading.Event` builds a Condition and a lock per event, 9 % of
    the server's time in a vote burst)."""
    if async_mode == "eventlet":
        from eventlet.event import Event

        class GreenEvent(Event):
            def set(self) -> None:
                self.send()

        return GreenEvent
    if async_mode == "gevent":
        from gevent.event import Event as GeventEvent

        return GeventEvent
    return threading.Event


class _Slot:
    __slots__ = ("request", "event", "result", "done")

    def __init__(self, request, event):
        self.request, self.event = request, event
        self.result, self.done = None, False


class GroupCommit(Generic[Req]):
    def __init__(
        self,
        write: Callable[[Sequence[Req]], list],
        make_event: Callable,
        pause: Callable[[], None],
        max_batch: int = 500,
    ):
        """`write(requests)` stores a batch in one transaction and returns one result per
        request (a value, or the exception that refuses it). `make_event` and `pause` come from
        the async mode: an event a caller can wait on, and a yield to the other callers."""
        self.write, self.make_event, self.pause = write, make_event, pause
        self.max_batch = max_batch
        self._pending: list[_Slot] = []
        self._writing = False
        self._lock = threading.Lock()
        self.batches = 0  # how many batches, and how many requests in them (for the benchmark)
        self.requests = 0

    def submit(self, request: Req):
        slot = _Slot(request, self.make_event())
        with self._lock:
            self._pending.append(slot)
            lead = not self._writing
            self._writing = True
        if not lead:
            slot.event.wait()
            if slot.done:
                return slot.result
        # Leading: let the requests that are on their way join this batch.
        self.pause()
        with self._lock:
            batch, self._pending = (
                self._pending[: self.max_batch],
                self._pending[self.max_batch :],
            )
        try:
            results = self.write([s.request for s in batch])
        except Exception as err:  # noqa: BLE001 - every caller of the batch gets the failure
            results = [err] * len(batch)
        self.batches += 1
        self.requests += len(batch)
        for s, result in zip(batch, results, strict=True):
            s.result, s.done = result, True
            if s is not slot:
                s.event.set()
        with self._lock:
            if self._pending:
                self._pending[0].event.set()  # the oldest waiter leads the next batch
            else:
                self._writing = False
        return slot.result
