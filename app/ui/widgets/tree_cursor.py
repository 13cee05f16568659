"""SpaceTree's cursor: moving it, keeping it on screen, and telling the app what it is on.

A mixin of SpaceTree (space_tree.py). A move repaints the two lines it leaves and reaches.
"""

from __future__ import annotations

from ...model import Space
from .deliver import deliver_now
from .tree_rows import Leaf, Lines, Node


class TreeCursor:
    _lines: Lines
    _highlighted: object
    cursor_line: int

    def _cursor_target(self) -> object:
        row = self._lines.row(self.cursor_line)
        if row is None:
            return None
        return row.space if row.space is not None else row.node.data.key  # type: ignore[union-attr]

    def _set_cursor(self, line: int) -> None:
        line = max(0, min(line, self._lines.total - 1))
        if self._lines.total == 0:
            return
        if line == self.cursor_line:
            return
        old, self.cursor_line = self.cursor_line, line
        self.refresh_line(old)
        self.refresh_line(line)
        self._scroll_to_cursor()
        self._announce()

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if self.cursor_line < top:
            self.scroll_to(y=self.cursor_line, animate=False, immediate=True)
        elif height and self.cursor_line >= top + height:
            self.scroll_to(y=self.cursor_line - height + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        row = self._lines.row(self.cursor_line)
        if row is None:
            return
        target = row.space if row.space is not None else row.node
        if target is not self._highlighted:
            self._highlighted = target
            node = Leaf(row.space, self._label(row.space)) if row.space is not None else row.node
            deliver_now(self, self.NodeHighlighted(node))  # type: ignore[arg-type]  # the pane in the same screen update

    def move_cursor(self, node: Node | Leaf | Space | None) -> None:
        """Put the cursor on a branch or space (from _all_nodes(), _space_nodes or a Space)."""
        if node is None:
            return
        data = node if isinstance(node, Space) else node.data
        line = (
            self._lines.space_line(data)
            if isinstance(data, Space)
            else self._lines.branch_lines.get(data.key)
        )
        if line is not None:
            self._set_cursor(line)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_line - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_line + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_line - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_line + max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self._lines.total - 1)
