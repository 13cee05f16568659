"""Figures for RELIABILITY.md: reliability/security/fuzz tests record what they tried here.

`record("crash.settings", iterations=60, torn=0)` appends one JSON line to the file named by
SM_SPACES_RELIABILITY_LOG (scripts/reliability_report.py sets it); without it, nothing is written,
so an ordinary pytest run leaves no trace.
"""

from __future__ import annotations

import json
import os
from typing import Any

ENV = "SM_SPACES_RELIABILITY_LOG"


def record(name: str, **figures: Any) -> None:
    target = os.environ.get(ENV)
    if not target:
        return
    line = json.dumps({"name": name, **figures}, sort_keys=True, default=str)
    with open(target, "a", encoding="utf-8") as out:
        out.write(line + "\n")


class Counter:
    """Counts hypothesis examples (or any inputs) and records the total when the test ends."""

    def __init__(self, name: str, **fixed: Any) -> None:
        self.name, self.count, self.fixed = name, 0, fixed

    def __call__(self, amount: int = 1) -> None:
        self.count += amount

    def done(self, **figures: Any) -> None:
        record(self.name, inputs=self.count, **self.fixed, **figures)
