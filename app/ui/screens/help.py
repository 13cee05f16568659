"""`?` help: the keys, built from the bindings that are active on the main screen."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.labels import AMBER, MUTED

EXTRA = [
    ("↑ ↓ j k", "move in the tree"),
    ("space", "expand / collapse a branch"),
    ("enter", "connect to a space; open a branch or show more rows"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss_help", "Close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=f"bold {AMBER}", no_wrap=True)
        table.add_column()
        for key, description in [*self.bindings, *EXTRA]:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(id="dialog", classes="help"):
            yield Static(Text("Keys", style="bold"), id="dialog-title")
            yield Static(table)
            yield Static(Text("esc closes", style=MUTED), id="dialog-hint")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
