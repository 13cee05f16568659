"""The detail pane for the highlighted space."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from ...model import Space, space_problem
from ..view import is_shared
from .labels import AMBER, MUTED, remote_text, status_text
from .tree_rows import text_segments

KEY_WIDTH = 12  # "Display name"
ROWS_KEPT = 256  # key/value rows remembered: the rows of the last dozen spaces shown
_BOLD = Style(bold=True)


class DetailPane(Widget):
    """Everything known about one space, as key/value lines.

    Line API: show() keeps the rows, render_line() wraps them once per width into cached strips.
    A Rich Table grid looked the same but measured and rendered every cell on each cursor move.
    The pane's size is fixed by CSS, so a new space repaints it without any relayout.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[tuple[str, Text]] | Text = Text("Loading…", style=MUTED)
        self._shown: tuple[object, str] | None = None
        self._strips: tuple[int, list[Strip]] | None = None  # (width, lines)
        self._kept: dict[tuple, list[Strip]] = {}  # a row's lines by what they show (_row_lines)

    def update(self, content: list[tuple[str, Text]] | Text) -> None:
        before, width = self._strips, self.size.width
        self._rows, self._strips = content, None
        if before is None or before[0] != width or not self.is_mounted:
            self.refresh()
            return
        # Repaint only the lines that differ: a cursor move changes ~15 of the pane's ~40 lines,
        # and each repainted line costs Textual its border, padding and filters.
        old, new = before[1], self._lines(width)
        changed = [
            y for y in range(max(len(old), len(new))) if y >= len(old) or y >= len(new) or old[y] != new[y]
        ]
        if changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def show(self, space: Space | None, spinner: str = "⠋", *, described: bool = True) -> None:
        """`described`: DescribeSpace has answered for `space`; until then what only it knows
        (instance type of a stopped space, image, storage, idle stop, modified) shows "…", and "-"
        means none."""
        shown = (space, spinner if described else spinner + "?")
        if self._shown is not None and self._shown[0] is space and self._shown[1] == shown[1]:
            return  # same object, same frame: nothing to redraw
        self._shown = shown
        if space is None:
            self.update(Text("Highlight a space to see its details.", style=MUTED))
            return

        def known(value: str, present: object) -> Text:
            return Text(value) if present or described else Text("…", style=MUTED)

        status = status_text(space.status, spinner)
        if space.space_status in ("Update_Failed", "Delete_Failed"):
            status.append(f"  {space.space_status}", style=MUTED)  # which failure, in SageMaker's word
        problem = space_problem(space)
        self.update(
            [
                ("Space", Text(space.name, style="bold")),
                ("Display name", Text(space.display_name or "-")),
                ("Status", status),
                *([("What now", Text(problem, style=AMBER))] if problem else []),
                ("Domain", Text.assemble(space.domain_name or "-", (f"  {space.domain_id}", MUTED))),
                ("Region", Text(space.region)),
                ("Owner", Text(_owner(space))),
                ("Sharing", Text(space.sharing)),
                ("App type", Text(space.app_type or "-")),
                ("Instance", known(space.instance_type or "-", space.instance_type)),
                ("Image", known(_image(space.image), space.image)),
                (
                    "Storage",
                    known(f"{space.storage_gib} GiB" if space.storage_gib else "-", space.storage_gib),
                ),
                ("Remote", remote_text(space.remote_access, long=True)),
                (
                    "Idle stop",
                    known(_idle(space.idle_timeout_minutes), space.idle_timeout_minutes is not None),
                ),
                ("Modified", known(_when(space.last_modified), space.last_modified)),
                ("SSH alias", Text(space.alias or "-", style="bold")),
                ("ARN", Text(space.arn, style=MUTED)),
            ]
        )

    def _lines(self, width: int) -> list[Strip]:
        if self._strips is not None and self._strips[0] == width:
            return self._strips[1]
        console = self.app.console
        strips: list[Strip] = []
        if isinstance(self._rows, Text):
            for part in self._rows.wrap(console, width, overflow="fold"):
                strips.append(Strip(text_segments(console, part), part.cell_len).extend_cell_length(width))
        else:
            # Cell for cell what the Rich grid this replaces drew: a bold key column and its padding
            # space, then a value column as wide as the widest value (at most the rest), each line
            # padded in the value's own style. Same segments, so the screenshots stay byte-identical.
            value_width = min(max(1, width - KEY_WIDTH - 1), max(v.cell_len for _, v in self._rows))
            for key, value in self._rows:
                strips += self._row_lines(console, key, value, value_width, width)
        self._strips = (width, strips)
        return strips

    def _row_lines(
        self, console: Console, key: str, value: Text, value_width: int, width: int
    ) -> list[Strip]:
        """One key/value row's lines, kept by what they show: most rows (region, sharing, app type,
        remote access...) look the same from one space to the next, and wrapping is the costly part."""
        shown = (key, value.plain, tuple(value.spans), value.style, value_width, width)
        lines = self._kept.get(shown)
        if lines is not None:
            return lines
        lines = []
        for i, part in enumerate(value.wrap(console, value_width, overflow="fold")):
            part.truncate(value_width, overflow="fold", pad=True)
            head = (
                [Segment(key.ljust(KEY_WIDTH), _BOLD), Segment(" ", _BOLD)]
                if i == 0
                else [Segment(" " * (KEY_WIDTH + 1), _BOLD)]
            )
            lines.append(
                Strip([*head, *text_segments(console, part)], KEY_WIDTH + 1 + value_width).extend_cell_length(
                    width
                )
            )
        if len(self._kept) >= ROWS_KEPT:
            del self._kept[next(iter(self._kept))]  # the oldest
        self._kept[shown] = lines
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # computed from the CSS on every access: once per paint
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._lines(width)
        line = lines[y] if y < len(lines) else Strip.blank(width)
        return line.apply_style(self._base_style)


def _owner(space: Space) -> str:
    """The tree's word, "shared", for a shared space (as the CLI's list); who created it after it."""
    if is_shared(space):
        return f"shared (created by {space.owner})" if space.owner else "shared"
    return space.owner or "-"


def _idle(minutes: int | None) -> str:
    if minutes is None:
        return "-"
    if not minutes:
        return "off"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{minutes} min ({hours}h {rest}m)"
    return f"{minutes} min ({hours}h)" if hours else f"{minutes} min"


def _image(image: str | None) -> str:
    """An image ARN is long and mostly noise: show its name (…:image/<name>[/<version>])."""
    if not image:
        return "-"
    return image.split(":image/", 1)[1] if ":image/" in image else image


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else "-"
