"""SpaceTree's lines as Strips, kept by what they show.

A line is identified by its content (for a space, the fields its row shows; for a branch, its
label's text and styles) and by how it is drawn (column widths, guides, cursor, styles). That key
finds a drawn Strip again: typing in the filter redraws the same spaces over and over, and a
refresh brings new Space objects that mostly show what the old ones showed. SpaceTree also
compares keys to repaint only the lines on screen whose content changed.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..view import is_shared, owner_column
from .labels import Columns
from .space_segments import space_segments
from .tree_rows import Row, text_segments

ICON_OPEN, ICON_CLOSED = "▼ ", "▶ "
STRIPS_KEPT = 1000  # drawn lines remembered: the last ~25 screens of a filter being typed


class Look(NamedTuple):
    """How lines are drawn at the moment: the widget's styles and the column widths."""

    base: Style
    guides: Style
    cursor: Style
    columns: Columns
    track: Style  # the scroll bar's column (tree_scroll.py)
    thumb: Style


def line_key(row: Row, cursor: bool, opened: bool, look: Look, spinner: str) -> Hashable:
    """What `row` shows and how; `opened` says whether a branch row is open, `spinner` is the
    frame spaces in transition show."""
    space = row.space
    if space is not None:
        status = space.status
        shown: Hashable = (
            space.name,
            status,
            spinner if status.in_transition else "",
            space.app_type,
            space.instance_type,
            owner_column(space),
            is_shared(space),
            space.remote_access,
        )
    else:
        assert row.node is not None
        label = row.node.label
        shown = (row.node.data.kind, row.node.data.top, label.plain, tuple(label.spans), label.style, opened)
    return (shown, row.guides, row.last, cursor, look)


class TreeStrips:
    """Drawn lines by line_key(), the oldest forgotten first beyond STRIPS_KEPT."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, Strip] = {}

    def clear(self) -> None:
        self._kept.clear()

    def get(
        self, key: Hashable, row: Row, cursor: bool, opened: bool, look: Look, spinner: str, console: Console
    ) -> Strip:
        """The line drawn for `key` (line_key of the other arguments), drawn now if not kept."""
        strip = self._kept.get(key)
        if strip is None:
            strip = _draw(row, cursor, opened, look, spinner, console)
            if len(self._kept) >= STRIPS_KEPT:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = strip
        return strip


def _draw(row: Row, cursor: bool, opened: bool, look: Look, spinner: str, console: Console) -> Strip:
    segments: list[Segment] = []
    if row.guides or row.node is None or not row.node.data.top:
        style = look.base + look.guides  # a segment per column, as Tree draws them
        segments.extend(Segment("   " if last else "│  ", style) for last in row.guides)
        segments.append(Segment("└─ " if row.last else "├─ ", style))
    if row.space is not None:
        body = space_segments(row.space, look.columns, spinner)
    else:
        assert row.node is not None
        body = [
            Segment(ICON_OPEN if opened else ICON_CLOSED, look.base),
            *text_segments(console, row.node.label),
        ]
    if cursor:
        body = list(Segment.apply_style(body, post_style=look.cursor))
    segments.extend(Segment.apply_style(body, look.base))
    return Strip(segments)
