"""An adaptive bound on concurrent API calls (AIMD, as TCP does for its window).

Listing fans out one call per domain and page; a real account's rate limits answer a burst with
ThrottlingException. botocore retries those calls; this limiter also halves how many may run at once
on each throttle and creeps back up on success, so a throttled listing settles at the rate the
account allows instead of hammering it.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator


class AdaptiveLimit:
    def __init__(self, maximum: int = 32, minimum: int = 1) -> None:
        self.maximum = maximum
        self.minimum = minimum
        self.limit: float = float(maximum)
        self.active = 0
        self.throttles = 0
        self._cond = asyncio.Condition()
        self._last_cut = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._cond:
            await self._cond.wait_for(lambda: self.active < int(self.limit))
            self.active += 1
        try:
            yield
        finally:
            async with self._cond:
                self.active -= 1
                self._cond.notify_all()

    def on_success(self) -> None:
        self.limit = min(float(self.maximum), self.limit + 1.0 / max(self.limit, 1.0))

    def on_throttle(self) -> None:
        self.throttles += 1
        now = time.monotonic()
        # One cut per burst: calls already in flight were sent at the old rate.
        if now - self._last_cut > 0.1:
            self._last_cut = now
            self.limit = max(float(self.minimum), self.limit / 2)
