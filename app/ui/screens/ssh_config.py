"""The ssh config change, shown as a unified diff before anything is written: y installs, n/esc don't.

With a preview note (the simulated account of --demo), the diff is only shown: there is nothing to
agree to, since the block would point at an account that ends with the program.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from ..widgets.labels import MUTED
from .dialog import Dialog

DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def coloured_diff(diff: str) -> Text:
    """The diff as Rich Text, line by line (never markup: it holds space names and paths)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for line in diff.splitlines():
        style = None if line.startswith(("+++", "---")) else DIFF_STYLES.get(line[:1])
        text.append(line + "\n", style=style or "")
    text.rstrip()
    return text


class SshConfigScreen(Dialog[bool]):
    """Dismisses with True only on `y` (or the Install button), never in preview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Install"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(
        self, diff: str, path: str, *, reason: str | None = None, preview_note: str | None = None
    ) -> None:
        super().__init__()
        self.diff = diff
        self.path = path
        self.reason = reason
        self.preview_note = preview_note

    @property
    def preview(self) -> bool:
        return self.preview_note is not None

    def compose(self) -> ComposeResult:
        title = (
            f"Install the sm-spaces block in {self.path}?"
            if not self.preview
            else f"The sm-spaces block for {self.path}"
        )
        with Vertical(id="dialog", classes="ssh-config"):
            yield Static(Text(title, style="bold"), id="dialog-title")
            if self.reason:
                yield Static(Text(self.reason), id="dialog-body")
            with VerticalScroll(id="ssh-diff"):
                yield Static(coloured_diff(self.diff))
            hint = self.preview_note or (
                "Only the marked block changes; the rest of the file is kept byte "
                "for byte, with a backup of the previous version."
            )
            yield Static(Text(hint, style="bold" if self.preview else MUTED), id="dialog-hint")
            with Horizontal(id="dialog-buttons"):
                if not self.preview:
                    yield Button("Install (y)", variant="primary", id="yes")
                yield Button("Close (esc)" if self.preview else "No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#ssh-diff").focus()  # arrows and page keys scroll a long diff

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value and not self.preview)
