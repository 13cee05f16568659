"""Terminal colour for command output: only on a terminal, never when NO_COLOR is set
(https://no-color.org), so piped output and logs stay plain text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TextIO

_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36", "dim": "2", "bold": "1"}


@dataclass(frozen=True, slots=True)
class Style:
    enabled: bool

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        if os.environ.get("NO_COLOR"):
            return cls(False)
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(tty and os.environ.get("TERM") != "dumb")

    def paint(self, text: str, colour: str | None) -> str:
        if not self.enabled or not colour:
            return text
        return f"\x1b[{_CODES[colour]}m{text}\x1b[0m"
