"""Rich Text for space lines and status badges; AWS strings never pass through markup."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from ...model import Space, SpaceStatus
from ..view import is_shared, owner_column

GREEN = "#5fd75f"
AMBER = "#ffaf00"
RED = "#ff5f5f"
MUTED = "#8a8a8a"
ACCENT = "#5fafff"

STATUS_STYLE = {
    SpaceStatus.RUNNING: f"bold {GREEN}",
    SpaceStatus.CREATING: AMBER,
    SpaceStatus.STARTING: AMBER,
    SpaceStatus.STOPPING: AMBER,
    SpaceStatus.UPDATING: AMBER,
    SpaceStatus.DELETING: AMBER,
    SpaceStatus.FAILED: f"bold {RED}",
    SpaceStatus.STOPPED: MUTED,
    SpaceStatus.UNKNOWN: MUTED,
}
STATUS_ICON = {
    SpaceStatus.RUNNING: "●",
    SpaceStatus.FAILED: "✖",
    SpaceStatus.STOPPED: "○",
    SpaceStatus.UNKNOWN: "?",
}
STATUS_WIDTH = 10  # "● Starting"


def status_text(status: SpaceStatus, spinner: str = "⠋") -> Text:
    icon = spinner if status.in_transition else STATUS_ICON.get(status, "?")
    return Text(f"{icon} {status.value}", style=STATUS_STYLE[status])


def remote_text(enabled: bool, long: bool = False) -> Text:
    if long:
        return Text("on", style=GREEN) if enabled else Text("off (e enables it)", style=MUTED)
    return Text("ssh ✓", style=GREEN) if enabled else Text("ssh –", style=MUTED)


class Columns(NamedTuple):
    """Column widths for the visible space lines, so every row lines up."""

    name: int = 16
    owner: int = 8
    instance: int = 13

    @classmethod
    def fit(cls, spaces: list[Space]) -> Columns:
        if not spaces:
            return cls()
        return cls(
            name=min(40, max(12, *(len(s.name) for s in spaces))),
            owner=min(14, max(6, *(len(owner_column(s)) for s in spaces))),
            instance=min(18, max(13, *(len(s.instance_type or "-") for s in spaces))),
        )


def _cell(value: str, width: int, style: str = "") -> Text:
    if len(value) > width:
        value = value[: width - 1] + "…"
    return Text(value.ljust(width), style=style)


def space_line(space: Space, cols: Columns, spinner: str = "⠋") -> Text:
    status = space.status
    name_style = "bold" if status is SpaceStatus.RUNNING else ""
    return Text.assemble(
        _cell(space.name, cols.name, name_style),
        "  ",
        _cell(status_text(status, spinner).plain, STATUS_WIDTH, STATUS_STYLE[status]),
        "  ",
        # Remote access right after the status: a narrow terminal or a deep grouped row keeps it.
        remote_text(space.remote_access),
        "  ",
        _cell(space.app_type or "-", 10, ACCENT if space.app_type == "JupyterLab" else "#af87ff"),
        "  ",
        _cell(space.instance_type or "-", cols.instance),
        "  ",
        _cell(owner_column(space), cols.owner, "italic " + MUTED if is_shared(space) else ""),
    )


def count_text(total: int, running: int = 0, busy: int = 0) -> Text:
    text = Text(f"  {total} space{'s' if total != 1 else ''}", style=MUTED)
    if running:
        text.append(f" · {running} running", style=GREEN)
    if busy:
        text.append(f" · {busy} changing", style=AMBER)
    return text
