"""SpaceTree's cursor: moving it, keeping it on screen, and telling the app what it is on.

A mixin of SpaceTree (space_tree.py). A move repaints the two lines it leaves and reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.scroll_view import ScrollView

from ...model import Space
from .deliver import deliver_now
from .labels import Columns
from .tree_rows import Leaf, Lines, Node

# Type-checked as the ScrollView it is mixed into (SpaceTree); at run time a plain mixin.
if TYPE_CHECKING:
    _Base = ScrollView
else:
    _Base = object


class TreeCursor(_Base):
    _lines: Lines
    _highlighted: object
    _columns: Columns
    cursor_line: int
    spinner: str

    class NodeHighlighted(Message, namespace="tree"):
        """The cursor moved to another line (the app's on_tree_node_highlighted)."""

        def __init__(self, node: Node | Leaf) -> None:
            self.node = node
            super().__init__()

    def _cursor_target(self) -> object:
        row = self._lines.row(self.cursor_line)
        if row is None:
            return None
        if row.space is not None:
            return row.space
        assert row.node is not None
        return row.node.data.key

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
            node = Leaf(row.space, self._columns, self.spinner) if row.space is not None else row.node
            assert node is not None
            deliver_now(self, self.NodeHighlighted(node))  # the pane in the same screen update

    def move_cursor(self, node: Node | Leaf | Space | None) -> None:
        """Put the cursor on a branch or space (a node, a NodeHighlighted leaf, or a Space)."""
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
