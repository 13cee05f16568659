"""What the app asks AWS by itself, and when: the listing at start (once the first frame is out),
on `r` and every refresh interval; the polling of spaces in transition; DescribeSpace for the space
under the cursor once it stays there. All of it pauses while a child (ssh) owns the terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Set

from textual.dom import DOMNode
from textual.timer import Timer

from ..model import Space
from .loading import ListingController, SpaceKey

STILL = 0.15  # seconds the cursor stays on a space before it is described
GROUPS = ("refresh", "poll", "describe")  # the worker groups of this part


class Background:
    def __init__(
        self,
        node: DOMNode,
        listing: ListingController,
        busy: Set[SpaceKey],
        *,
        enabled: bool,
        poll_interval: float,
        on_described: Callable[[], None],
    ) -> None:
        self._node = node  # runs the workers and timers (the app)
        self._listing = listing
        self._busy = busy  # spaces an action of ours is changing (and watching)
        self.enabled = enabled  # refresh every `interval` seconds (tests turn it off)
        self.interval = 0.0  # seconds between refreshes; 0: only when asked
        self._poll_interval = poll_interval
        self._on_described = on_described
        self._timer: Timer | None = None
        self._paused = False
        self._polling = False
        self._first_frame_out = False
        self._describe_next: Space | None = None  # the space a waiting describe worker will fetch

    def start(self) -> None:
        self._node.set_interval(self._poll_interval, self._poll_moving)
        self.refresh()

    @property
    def timer_armed(self) -> bool:
        return self._timer is not None

    # --- the listing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Load the listing now; a load already running is cancelled for this one."""
        if not self._first_frame_out:
            # The first load imports aiobotocore (the bulk of ssh-proxy's imports in BENCHMARKS.md)
            # on a thread, which holds the GIL a switch interval at a time: start it only once the
            # first frame (the cache) is out.
            self._first_frame_out = True
            self._node.call_after_refresh(self.refresh)
            return
        self._node.run_worker(self._load(), group="refresh", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        self._disarm()
        try:
            await self._listing.load()
        finally:
            if self.enabled and self.interval > 0 and not self._paused:
                # Re-armed only now that this run is over, so refreshes never overlap (as dolphie does).
                self._timer = self._node.set_timer(self.interval, self.refresh)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # --- spaces changing state ----------------------------------------------------------------

    def _poll_moving(self) -> None:
        if self._polling or self._paused:
            return
        moving = self._listing.moving(self._busy)
        if moving:
            self._polling = True
            self._node.run_worker(self._poll(moving), group="poll", exit_on_error=False)

    async def _poll(self, spaces: list[Space]) -> None:
        try:
            await self._listing.poll(spaces)
        finally:
            self._polling = False

    # --- the space under the cursor -----------------------------------------------------------

    def follow(self, space: Space | None) -> None:
        """The cursor is on `space`: describe it once it stays there (one worker for the rest of
        the cursor's movement, not one per row scrolled past)."""
        listing = self._listing
        if space is None or listing.described(space) or listing.caller is None or self._paused:
            self._describe_next = None
            return
        waiting, self._describe_next = self._describe_next is not None, space
        if not waiting:
            self._node.run_worker(self._describe_when_still(), group="describe", exit_on_error=False)

    async def _describe_when_still(self) -> None:
        from ..aws.errors import AwsError

        # Compared by key, not identity: a refresh replaces every Space object, and with a short
        # refresh interval an identity check would never see the cursor stay still.
        seen = None
        while self._describe_next is not None and self._describe_next.key != seen:
            seen = self._describe_next.key
            await asyncio.sleep(STILL)
        space, self._describe_next = self._describe_next, None
        if space is None:
            return
        try:
            await self._listing.describe(space)
        except AwsError:
            return  # the pane keeps what the listing knows; actions report errors themselves
        self._on_described()

    # --- a child owns the terminal ------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """No refresh, polling or describe meanwhile; a fresh listing afterwards (the space may
        have changed meanwhile), which re-arms the timer."""
        self._paused = True
        self._disarm()
        node = self._node
        cancelled = [w for group in GROUPS for w in node.workers.cancel_group(node, group)]
        for worker in cancelled:
            with contextlib.suppress(Exception):
                await worker.wait()
        self._polling = False
        try:
            yield
        finally:
            self._paused = False
            self.refresh()
