"""The adaptive concurrency limit: one cut per window, a floor, and quick recovery (fake clock)."""

from __future__ import annotations

import random

import pytest

from app.aws import limiter
from app.aws.limiter import AdaptiveLimit


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
