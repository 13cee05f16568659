"""Drawing SpaceTree's lines: each line on screen as a Strip, kept by what it shows.

A mixin of SpaceTree (space_tree.py): typing in the filter redraws the same spaces over and over,
so a drawn line is looked up by (what it shows, columns, spinner, guides, cursor, styles).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip

from .labels import Columns
from .space_segments import space_segments
from .tree_rows import Lines, Row, text_segments

ICON_OPEN, ICON_CLOSED = "▼ ", "▶ "


class TreeDrawing:
    _lines: Lines
    _columns: Columns
    _strips: dict[tuple, tuple[object, Strip]]
    _styles: tuple[Style, Style, Style] | None
    cursor_line: int
    spinner: str  # and SpaceTree's _is_open(node), app and styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def on_focus(self, event: events.Focus) -> None:
        self._styles = None
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._styles = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if self._styles is None:
            self._styles = (
                self.rich_style,
                self.get_component_rich_style("tree--guides", partial=True),
                self.get_component_rich_style("tree--cursor", partial=False),
            )
        base = self._styles[0]
        row = self._lines.row(scroll_y + y)
        if row is None:
            return Strip.blank(width, base)
        return self._row_strip(row, scroll_y + y == self.cursor_line).crop_extend(
            scroll_x, scroll_x + width, base
        )

    def _row_strip(self, row: Row, cursor: bool) -> Strip:
        space = row.space
        shown: object = space if space is not None else row.node.label  # type: ignore[union-attr]
        opened = space is None and self._is_open(row.node)  # type: ignore[arg-type]
        spinner = self.spinner if space is not None and space.status.in_transition else ""
        key = (id(shown), self._columns, spinner, row.guides, row.last, opened, cursor, self._styles)
        cached = self._strips.get(key)
        if cached is not None:
            return cached[1]
        base, guide_style, cursor_style = self._styles  # type: ignore[misc]
        segments: list[Segment] = []
        if row.guides or row.node is None or row.node.data.kind != "region":
            style = base + guide_style  # a segment per column, as Tree draws them
            segments.extend(Segment("   " if last else "│  ", style) for last in row.guides)
            segments.append(Segment("└─ " if row.last else "├─ ", style))
        if space is not None:
            body = space_segments(space, self._columns, self.spinner)
        else:
            body = [
                Segment(ICON_OPEN if opened else ICON_CLOSED, base),
                *text_segments(self.app.console, row.node.label),
            ]  # type: ignore[union-attr]
        if cursor:
            body = list(Segment.apply_style(body, post_style=cursor_style))
        segments.extend(Segment.apply_style(body, base))
        strip = Strip(segments)
        if len(self._strips) > 4000:
            self._strips.clear()
        self._strips[key] = (shown, strip)
        return strip
