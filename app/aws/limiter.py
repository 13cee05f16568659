"""An adaptive bound on concurrent API calls (AIMD, as TCP does for its window).

Listing fans out one call per domain and page; a real account's rate limits answer a burst with
ThrottlingException. Each throttle may cut how many calls run at once, by 0.7 (as the AWS SDKs'
adaptive mode does) and at most once per window of about two call durations, since calls already
in flight were sent at the old rate. Successes creep back up (one per window), and quickly (one per
success) once a whole quiet window has passed. The floor is an eighth of the maximum: throttling
that does not ease when we slow down (random, or another client's load) must not leave a listing
crawling one call at a time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

DECREASE = 0.7
MIN_WINDOW_S = 0.1


class AdaptiveLimit:
    def __init__(self, maximum: int = 32, minimum: int | None = None) -> None:
        self.maximum = maximum
        self.minimum = minimum if minimum is not None else max(1, maximum // 8)
        self.limit: float = float(maximum)
        self.active = 0
        self.throttles = 0
        self.cuts = 0
        # Callers waiting for a slot, first come first served. A release hands its slot straight to
        # the next one: waking every waiter to re-check (a Condition's notify_all) cost a listing of
        # 100 calls thousands of task wake-ups, paid while the next wave of requests waited to leave.
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._last_cut = float("-inf")
        self._call_time = MIN_WINDOW_S / 2  # smoothed duration of a successful call

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[None]:
        """One call's turn. An urgent one (the next page of a chain, which nothing can overlap)
        goes to the front of the queue rather than waiting behind a fan-out's independent calls."""
        if self._waiters or self.active >= int(self.limit):
            granted = asyncio.get_running_loop().create_future()
            if urgent:
                self._waiters.appendleft(granted)
            else:
                self._waiters.append(granted)
            try:
                await granted  # whoever set it counted this call as active
            except BaseException:
                if granted.done() and not granted.cancelled():
                    self._release()  # granted, then cancelled before it could run: pass it on
                elif granted in self._waiters:
                    self._waiters.remove(granted)
                raise
        else:
            self.active += 1
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self.active -= 1
        self._grant()

    def _grant(self) -> None:
        while self._waiters and self.active < int(self.limit):
            granted = self._waiters.popleft()
            if not granted.done():
                self.active += 1
                granted.set_result(None)

    @property
    def window(self) -> float:
        return max(MIN_WINDOW_S, 2 * self._call_time)

    def on_success(self, duration: float | None = None) -> None:
        if duration is not None:
            self._call_time += 0.125 * (duration - self._call_time)
        quiet = time.monotonic() - self._last_cut > 2 * self.window
        step = 1.0 if quiet else 1.0 / max(self.limit, 1.0)
        self.limit = min(float(self.maximum), self.limit + step)
        self._grant()

    def on_throttle(self) -> None:
        self.throttles += 1
        now = time.monotonic()
        if now - self._last_cut > self.window:
            self._last_cut = now
            self.cuts += 1
            self.limit = max(float(self.minimum), self.limit * DECREASE)
