"""The context header, k9s style: who, where, and how fresh the data is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from ..clock import format_age
from ..view import Tally
from .header_filter import FILTER_ROW, FilterCell
from .labels import ACCENT, AMBER, GREEN, MUTED, RED

LOGO = "sm-spaces"


@dataclass
class HeaderInfo:
    profile: str = "default"
    account: str = "…"
    caller: str = "…"
    regions: list[str] = field(default_factory=list)
    loaded_at: float | None = None
    stale: bool = False
    refreshing: bool = False
    readonly: bool = False
    endpoint: str | None = None
    counts: Tally = field(default_factory=Tally)
    filter_note: str = ""


class ContextHeader(Widget):
    """Two columns of key/value context plus a counts column; re-rendered every second for the age.

    Line API, one line per row: each row is drawn as a one-row grid with the same columns (the
    ratio columns' widths do not depend on the content, so the rows line up exactly as one grid),
    and only rows whose content changed are redrawn, so a `/` keystroke repaints the filter row
    alone. Its size is fixed by CSS: an update never asks the screen for a new layout.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.info = HeaderInfo()
        self.now = 0.0
        self._drawn: list[tuple[tuple, Strip] | None] = [None, None, None]
        self._width = 0
        self._filter_cell = FilterCell()

    def show(self, info: HeaderInfo, now: float) -> None:
        self.info, self.now = info, now
        for y, key in enumerate(self._row_keys()):
            drawn = self._drawn[y]
            # Not drawn since a style update (a theme, the screen's width class) is repainted too:
            # nothing else would ask for it.
            if drawn is None or drawn[0] != key:
                self._drawn[y] = None
                self.refresh(Region(0, y, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn = [None, None, None]  # a new theme: the rows' colours change
        self._filter_cell = FilterCell()

    def _row_keys(self) -> list[tuple]:
        info, counts = self.info, self.info.counts
        return [
            (info.profile, info.caller, info.readonly, info.endpoint),
            (info.account, self._age().markup, counts.running, counts.total),
            (tuple(info.regions), info.filter_note, counts.busy, counts.failed),
        ]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._drawn, self._width = [None, None, None], width
        if y >= len(self._drawn):
            return Strip.blank(width, self.rich_style)
        key = self._row_keys()[y]
        drawn = self._drawn[y]
        if drawn is None or drawn[0] != key:
            strip = self._filter_cell.splice(key, width) if y == FILTER_ROW else None
            if strip is None:
                strip = self.render_row(y, width)
                if y == FILTER_ROW:  # ready the filter cell for the keystrokes, after this frame
                    self.call_after_refresh(self._filter_cell.prepare, self, key, width)
            drawn = self._drawn[y] = (key, strip)
        return drawn[1]

    def render_row(self, y: int, width: int, cells: tuple | None = None) -> Strip:
        grid = self._grid()
        grid.add_row(*(cells or self.cells()[y]))
        strips = Visual.to_strips(self, visualize(self, grid), width, 1, self.visual_style)
        return strips[0] if strips else Strip.blank(width, self.rich_style)

    @staticmethod
    def _grid() -> Table:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style=f"bold {AMBER}", no_wrap=True, width=8)
        grid.add_column(no_wrap=True, ratio=2)
        grid.add_column(style=f"bold {AMBER}", no_wrap=True, width=7)
        grid.add_column(no_wrap=True, ratio=2)
        grid.add_column(no_wrap=True, justify="right", ratio=1)
        return grid

    def cells(self) -> list[tuple]:
        info = self.info
        return [
            ("Profile:", Text(info.profile), "Caller:", Text(info.caller), _logo(info)),
            ("Account:", Text(info.account), "Data:", self._age(), _counts(info.counts, "Running")),
            (
                "Region:",
                Text(", ".join(info.regions) or "-"),
                "Filter:",
                Text(info.filter_note or "all spaces", style="" if info.filter_note else MUTED),
                _counts(info.counts, None),
            ),
        ]

    def _age(self) -> Text:
        info = self.info
        if info.loaded_at is None:
            return Text("loading…", style=AMBER)
        text = Text(format_age(self.now - info.loaded_at), style=AMBER if info.stale else "")
        if info.stale:
            text.append(" (cached)", style=AMBER)
        if info.refreshing:
            text.append(" · refreshing…", style=MUTED)
        return text


def _logo(info: HeaderInfo) -> Text:
    text = Text(LOGO, style=f"bold {ACCENT}")
    if info.readonly:
        text.append(" [readonly]", style=f"bold {RED}")
    if info.endpoint:
        text.append(f" ⚑ {info.endpoint}", style=MUTED)
    return text


def _counts(counts: Tally, which: str | None) -> Text:
    if which == "Running":
        return Text.assemble((f"{counts.running} running", GREEN), (f" / {counts.total} spaces", MUTED))
    busy, failed = counts.busy, counts.failed
    text = Text()
    if busy:
        text.append(f"{busy} changing", style=AMBER)
    if failed:
        text.append(("  " if busy else "") + f"{failed} failed", style=RED)
    return text
