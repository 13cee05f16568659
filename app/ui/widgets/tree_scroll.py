"""SpaceTree's scroll bar: one column drawn into its own lines.

Textual's ScrollBar widget redraws its whole height through Rich each time the range or the
thumb moves, which a filter keystroke does: at 2,000 spaces that was the costliest part of a
keystroke (BENCHMARKS.md). Drawn as the last cell of each tree line, a keystroke repaints only
the lines whose content or bar cell changed. Textual's bar is switched off in app.tcss
(scrollbar-size-vertical: 0; overflow-y: scroll keeps scrolling allowed). The mouse can click
and drag in the column as on Textual's bar.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


def thumb(total: int, height: int, top: int) -> range:
    """The rows of the bar the thumb covers; none when every line fits."""
    if height <= 0 or total <= height:
        return range(0)
    size = max(1, round(height * height / total))
    start = round(top * (height - size) / (total - height))
    return range(start, start + size)


def top_for(row: int, total: int, height: int) -> int:
    """The scroll offset that puts the thumb's middle on `row` (a click or a drag in the bar)."""
    if height <= 0 or total <= height:
        return 0
    size = max(1, round(height * height / total))
    travel = height - size
    start = min(max(row - size // 2, 0), travel)
    return round(start * (total - height) / travel) if travel else 0


@lru_cache(maxsize=8)
def cell(style: Style) -> Strip:
    """The bar's one-cell strip in `style` (the track's or the thumb's colours)."""
    return Strip([Segment(" ", style)], 1)
