"""`?` help: the keys of the main screen, from the action registry (app/ui/registry.py)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..widgets.labels import AMBER, MUTED
from .dialog import Dialog

EXTRA = [
    ("↑ ↓ j k", "move in the tree"),
    ("space", "expand / collapse a branch"),
    ("enter", "connect to a space; open a branch or show more rows"),
]


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss_help", "Close")]

    def __init__(self, bindings: list[tuple[str, str]], read_only_keys: str | None = None) -> None:
        super().__init__()
        self.bindings = bindings  # (keys as shown, what they do)
        self.read_only_keys = read_only_keys  # the keys --readonly switched off, as shown

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=f"bold {AMBER}", no_wrap=True)
        table.add_column()
        for key, description in [*self.bindings, *EXTRA]:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(id="dialog", classes="help"):
            yield Static(Text("Keys", style="bold"), id="dialog-title")
            yield Static(table)
            if self.read_only_keys:
                yield Static(
                    Text(
                        f"read-only mode: {self.read_only_keys} are off (started with --readonly)",
                        style=AMBER,
                    ),
                    id="help-read-only",
                )
            yield Static(Text("esc closes", style=MUTED), id="dialog-hint")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
