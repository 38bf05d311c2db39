"""A fair line in front of an upstream server: at most ``slots`` requests in flight,
the rest wait their turn in the gateway, first come first served.

Why: Rasa and the action server are CPU bound. Given 200 requests at once, they
work on all of them at the same time, so every request takes as long as the whole
pile, and a timeout on the request measured the wait for a core rather than the
server's work: under load customers got the apology and a person although the
server was answering (docs/benchmarks.md, "200 customers at once"). With the line,
the upstream holds only a few requests, its timeout measures those, and a message
waits in the gateway, where the customer meanwhile sees the typing indicator.

A message is never dropped from the line: it waits while the upstream keeps
answering. It gives up (``Stalled``: the caller apologises and brings in a person)
when no request through the line got an answer for ``stall_s`` while it waited
(the server is stopped, hung or gone), or after ``max_wait_s`` in any case. So
with a dead server every waiting message gets its answer (the apology) about
``stall_s`` after it came, not after the line timed out one request at a time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Stalled(Exception):
    """The upstream answered nothing for too long while a message waited its turn."""


class UpstreamLine:
    """At most ``slots`` requests in flight; the others wait in order."""

    def __init__(self, slots: int, stall_s: float, max_wait_s: float) -> None:
        if slots < 1:
            raise ValueError("an upstream line needs at least one slot")
        self.slots = slots
        self.stall_s = stall_s
        self.max_wait_s = max_wait_s
        self._busy = 0
        self._line: deque[asyncio.Future[None]] = deque()
        self._answered = time.monotonic()  # when a request last got an answer
        self.gave_up = 0  # messages that left the line without a turn
        self.longest_wait_s = 0.0  # the longest wait for a turn so far

    @property
    def waiting(self) -> int:
        """Requests waiting for their turn."""
        return sum(1 for f in self._line if not f.done())

    @property
    def in_flight(self) -> int:
        """Requests that have their turn."""
        return self._busy

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a free slot (raises ``Stalled``), hold it for the body; a body
        that ends without an exception counts as an answer from the upstream."""
        await self._acquire()
        answered = False
        try:
            yield
            answered = True
        finally:
            self._release(answered)

    async def _acquire(self) -> None:
        if self._busy < self.slots and not self._line:
            self._busy += 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._line.append(granted)
        since = time.monotonic()
        try:
            while not granted.done():
                now = time.monotonic()
                # waiting is fine while the upstream answers; not when it stopped
                deadline = min(
                    max(self._answered, since) + self.stall_s, since + self.max_wait_s
                )
                if deadline <= now:
                    self.gave_up += 1
                    quiet = now - max(self._answered, since)
                    raise Stalled(
                        f"no answer from upstream for {quiet:.1f} s"
                        f" while waiting {now - since:.1f} s for a turn"
                    )
                try:
                    async with asyncio.timeout(deadline - now):
                        await asyncio.shield(granted)
                except TimeoutError:
                    continue  # an answer meanwhile moves the deadline on
            now = time.monotonic()
            if now - max(self._answered, since) >= self.stall_s:
                # handed the slot of a request that failed, and nothing was
                # answered for as long: the upstream is stuck, do not queue on it
                self.gave_up += 1
                raise Stalled(f"no answer from upstream for {self.stall_s:.1f} s")
        except BaseException:
            if granted.done() and not granted.cancelled():
                self._release(False)  # given the slot as it gave up: pass it on
            else:
                granted.cancel()
                self._line.remove(granted)
            raise
        self.longest_wait_s = max(self.longest_wait_s, time.monotonic() - since)

    def _release(self, answered: bool) -> None:
        if answered:
            self._answered = time.monotonic()
        while self._line:
            following = self._line.popleft()
            if not following.done():
                following.set_result(None)  # the slot passes on, still busy
                return
        self._busy -= 1
