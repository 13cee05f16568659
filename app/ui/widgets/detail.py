"""The detail pane for the highlighted space."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from rich.console import RenderableType
from textual.widget import Widget

from app.model import Space
from app.ui.widgets.labels import MUTED, remote_text, status_text


class DetailPane(Widget):
    """Everything known about one space, as a key/value grid.

    Fixed size (CSS), repainted with refresh() rather than Static.update(), which would re-layout
    the whole screen on every cursor move.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._content: RenderableType = Text("Loading…", style=MUTED)
        self._shown: tuple[object, str] | None = None

    def render(self) -> RenderableType:
        return self._content

    def update(self, content: RenderableType) -> None:
        self._content = content
        self.refresh()

    def show(self, space: Space | None, spinner: str = "⠋") -> None:
        if self._shown is not None and self._shown[0] is space and self._shown[1] == spinner:
            return  # same object, same frame: nothing to redraw
        self._shown = (space, spinner)
        if space is None:
            self.update(Text("Highlight a space to see its details.", style=MUTED))
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        rows: list[tuple[str, Text]] = [
            ("Space", Text(space.name, style="bold")),
            ("Display name", Text(space.display_name or "-")),
            ("Status", status_text(space.status, spinner)),
            ("Domain", Text.assemble(space.domain_name or "-", (f"  {space.domain_id}", MUTED))),
            ("Region", Text(space.region)),
            ("Owner", Text(space.owner or "-")),
            ("Sharing", Text(space.sharing)),
            ("App type", Text(space.app_type or "-")),
            ("Instance", Text(space.instance_type or "-")),
            ("Image", Text(_image(space.image))),
            ("Storage", Text(f"{space.storage_gib} GiB" if space.storage_gib else "-")),
            ("Remote", remote_text(space.remote_access, long=True)),
            ("Idle stop", Text(_idle(space.idle_timeout_minutes))),
            ("Modified", Text(_when(space.last_modified))),
            ("SSH alias", Text(space.alias or "-", style="bold")),
            ("ARN", Text(space.arn, style=MUTED)),
        ]
        for key, value in rows:
            grid.add_row(key, value)
        self.update(grid)


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
