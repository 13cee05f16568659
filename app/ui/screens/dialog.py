"""The base of every sm-spaces dialog: its stylesheet is read when the first dialog opens.

Textual reads a screen's CSS_PATH as it pushes the screen, so the dialogs' rules are not parsed
before the first frame (BENCHMARKS.md's first paint).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ..styles import styles_path
from ..widgets.labels import RED

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    """A modal screen styled by styles/dialogs.tcss (selectors name `Dialog` or its ids)."""

    CSS_PATH = str(styles_path("dialogs.tcss"))


class FormDialog(Dialog[Result | None]):
    """A form (new space, edit): enter or the SUBMIT button hands back what `_answer` builds, or
    shows its problems in #form-error, which any change to a field clears; esc or any other
    button cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    SUBMIT: ClassVar[str]  # the id of the button that submits

    def _value(self, selector: str) -> str:
        """The text of the Input `selector` names, stripped."""
        return self.query_one(selector, Input).value.strip()

    def _answer(self) -> tuple[Result | None, list[str]]:
        """What the form asks for, or None and the problems that stop it."""
        raise NotImplementedError

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#form-error", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT:
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        answer, found = self._answer()
        if answer is None:
            self.query_one("#form-error", Static).update(Text("; ".join(found), style=RED))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
