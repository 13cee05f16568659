"""Time as the UI sees it: injectable, so snapshots can freeze ages and spinners."""

from __future__ import annotations

import time

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Clock:
    """Wall-clock seconds; `frozen` tells the UI not to animate."""

    frozen = False

    def now(self) -> float:
        return time.time()


class FrozenClock(Clock):
    """A clock that stands still (snapshot tests, screenshots)."""

    frozen = True

    def __init__(self, at: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.at = at

    def now(self) -> float:
        return self.at


def spinner_frame(clock: Clock) -> str:
    return SPINNER_FRAMES[int(clock.now() * 10) % len(SPINNER_FRAMES)]


def format_age(seconds: float) -> str:
    """'just now', '42s ago', '5m ago', '3h ago', '2d ago'."""
    seconds = max(0, int(seconds))
    if seconds < 2:
        return "just now"
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"
