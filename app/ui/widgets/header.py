"""The context header, k9s style: who, where, and how fresh the data is."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from app.ui.clock import format_age
from app.ui.view import Tally
from app.ui.widgets.labels import ACCENT, AMBER, GREEN, MUTED, RED

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

    A plain Widget with render(), not a Static: its size is fixed by CSS, so an update repaints it
    without asking the whole screen for a new layout (which Static.update does).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info = HeaderInfo()
        self.now = 0.0

    def show(self, info: HeaderInfo, now: float) -> None:
        self.info, self.now = info, now
        self.refresh()

    def render(self) -> Table:
        return self._render_table()

    def _render_table(self) -> Table:
        info = self.info
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style=f"bold {AMBER}", no_wrap=True, width=8)
        grid.add_column(no_wrap=True, ratio=2)
        grid.add_column(style=f"bold {AMBER}", no_wrap=True, width=7)
        grid.add_column(no_wrap=True, ratio=2)
        grid.add_column(no_wrap=True, justify="right", ratio=1)
        grid.add_row("Profile:", Text(info.profile), "Caller:", Text(info.caller), _logo(info))
        grid.add_row("Account:", Text(info.account), "Data:", self._age(), _counts(info.counts, "Running"))
        grid.add_row(
            "Region:", Text(", ".join(info.regions) or "-"), "Filter:",
            Text(info.filter_note or "all spaces", style="" if info.filter_note else MUTED),
            _counts(info.counts, None),
        )
        return grid

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
