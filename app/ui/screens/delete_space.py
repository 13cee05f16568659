"""`D`: delete a space, only once its name is typed (its storage goes with it, for good)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...model import Space
from ..widgets.labels import MUTED
from .dialog import Dialog


def delete_warning(space: Space) -> Text:
    """What deleting `space` takes with it, and what happens first when it runs."""
    text = Text()
    live = space.app is not None and space.app.status in ("Pending", "InService", "Deleting")
    if live:
        text.append(
            f"{space.name} is {space.status.value.lower()}: it is stopped first, and unsaved work in "
            "open editors, notebooks and terminals is lost.\n\n"
        )
    owner = "the domain (shared)" if space.shared else space.owner or "?"
    text.append(
        f"The space, its settings and its {space.storage_gib or '?'} GiB volume (the home directory) are "
        f"deleted for good. Domain {space.domain_name or space.domain_id}, owner {owner}."
    )
    return text


class DeleteSpaceScreen(Dialog[bool]):
    """Dismisses with True only when the typed name is the space's, and enter (or Delete) is pressed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, space: Space) -> None:
        super().__init__()
        self.space = space

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Static(
                Text.assemble(("Delete ", "bold"), (self.space.name, "bold"), ("?", "bold")),
                id="dialog-title",
            )
            yield Static(delete_warning(self.space), id="dialog-body")
            yield Static(Text.assemble("Type ", (self.space.name, "bold"), " to delete it:"))
            yield Input(placeholder=self.space.name, id="delete-name", compact=True)
            with Horizontal(id="dialog-buttons"):
                yield Button("Delete (enter)", variant="error", id="delete", disabled=True, compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
            yield Static(Text("Nothing is deleted until the name matches.", style=MUTED), id="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _matches(self) -> bool:
        return self.query_one(Input).value.strip() == self.space.name

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#delete", Button).disabled = not self._matches()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._matches():
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "delete" and self._matches())

    def action_cancel(self) -> None:
        self.dismiss(False)
