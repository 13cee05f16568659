"""The adaptive concurrency limit: one cut per window, a floor, and quick recovery (fake clock)."""

from __future__ import annotations

import asyncio
import random

import pytest
from sm_spaces.aws import limiter
from sm_spaces.aws.limiter import AdaptiveLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(limiter.time, "monotonic", fake)
    return fake


def test_a_burst_of_throttles_cuts_once(clock: Clock) -> None:
    limit = AdaptiveLimit(32)
    for _ in range(20):  # answers to calls that were all in flight together
        limit.on_throttle()
    assert limit.cuts == 1 and limit.throttles == 20
    assert limit.limit == pytest.approx(32 * limiter.DECREASE)


def test_random_throttling_does_not_sink_below_the_floor(clock: Clock) -> None:
    limit = AdaptiveLimit(32)
    rng = random.Random(7)
    for _ in range(5000):  # a third of calls throttled whatever the rate, 50 ms each
        clock.now += 0.05 / max(limit.limit, 1)
        if rng.random() < 1 / 3:
            limit.on_throttle()
        else:
            limit.on_success(0.05)
    assert limit.cuts > 10
    assert limit.limit >= limit.minimum == 4


def test_recovers_quickly_once_throttling_stops(clock: Clock) -> None:
    limit = AdaptiveLimit(32)
    for _ in range(10):
        clock.now += 1
        limit.on_throttle()
    assert limit.limit == limit.minimum
    clock.now += 1  # a quiet spell longer than two windows
    for _ in range(28):
        limit.on_success(0.05)
    assert limit.limit == 32


async def test_slots_never_exceed_the_limit_and_are_served_in_order() -> None:
    limit = AdaptiveLimit(3, minimum=1)
    running: list[int] = []
    peak = 0
    order: list[int] = []

    async def call(i: int) -> None:
        nonlocal peak
        async with limit.slot():
            order.append(i)
            running.append(i)
            peak = max(peak, len(running))
            await asyncio.sleep(0.001)
            running.remove(i)

    await asyncio.gather(*(call(i) for i in range(20)))
    assert peak == 3 and order == list(range(20)) and limit.active == 0


async def _one_slot_held() -> tuple[AdaptiveLimit, asyncio.Event, asyncio.Future]:
    """A limit of one whose slot a task holds until the event is set."""
    limit = AdaptiveLimit(1, minimum=1)
    release = asyncio.Event()

    async def holder() -> None:
        async with limit.slot():
            await release.wait()

    held = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    return limit, release, held


async def test_a_cancelled_waiter_gives_its_slot_on() -> None:
    limit, release, first = await _one_slot_held()
    served: list[str] = []

    async def waiter(name: str) -> None:
        async with limit.slot():
            served.append(name)

    cancelled = asyncio.ensure_future(waiter("cancelled"))
    granted_then_cancelled = asyncio.ensure_future(waiter("granted-then-cancelled"))
    last = asyncio.ensure_future(waiter("last"))
    await asyncio.sleep(0)
    cancelled.cancel()  # while still queued
    await asyncio.sleep(0)
    release.set()
    await asyncio.sleep(0)  # the holder ends: its release grants the next live waiter...
    assert first.done() and limit.active == 1
    granted_then_cancelled.cancel()  # ...which is cancelled before it runs: the slot must move on
    await asyncio.gather(cancelled, granted_then_cancelled, last, return_exceptions=True)
    assert served == ["last"] and limit.active == 0 and not limit._waiters


async def test_an_urgent_call_jumps_the_queue() -> None:
    limit, release, held = await _one_slot_held()
    order: list[str] = []

    async def call(name: str, urgent: bool = False) -> None:
        async with limit.slot(urgent=urgent):
            order.append(name)

    tasks = [held]
    tasks += [asyncio.ensure_future(call(f"fan-out-{i}")) for i in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.ensure_future(call("next-page", urgent=True)))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["next-page", "fan-out-0", "fan-out-1", "fan-out-2"]
