"""Edit a space's idle shutdown, validated against the domain / user profile bounds."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from ...space_changes import IdleBounds
from ..widgets.labels import MUTED, RED
from .dialog import Dialog


class _WithinBounds(Validator):
    def __init__(self, bounds: IdleBounds) -> None:
        super().__init__()
        self.bounds = bounds

    def validate(self, value: str) -> ValidationResult:
        try:
            minutes = int(value.strip())
        except ValueError:
            return self.failure("enter whole minutes, e.g. 120")
        try:
            self.bounds.check(minutes)
        except ValueError as err:
            return self.failure(str(err))
        return self.success()


class IdleTimeoutScreen(Dialog[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, space_name: str, current: int | None, bounds: IdleBounds) -> None:
        super().__init__()
        self.space_name = space_name
        self.current = current
        self.bounds = bounds

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="idle"):
            yield Static(
                Text.assemble(("Idle shutdown for ", "bold"), (self.space_name, "bold")), id="dialog-title"
            )
            yield Static(
                Text(
                    f"Minutes of inactivity before the space stops ({self.bounds.minimum}–{self.bounds.maximum}).",
                    style=MUTED,
                )
            )
            yield Input(
                value=str(self.current or ""),
                placeholder="minutes",
                validators=[_WithinBounds(self.bounds)],
                validate_on=["changed", "submitted"],
                id="idle-input",
            )
            yield Static("", id="idle-error")
            yield Static(Text("enter saves · esc cancels", style=MUTED), id="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.validation_result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._show(result)
            return
        self.dismiss(int(event.value.strip()))

    def _show(self, result: ValidationResult | None) -> None:
        message = "" if result is None or result.is_valid else "; ".join(result.failure_descriptions)
        self.query_one("#idle-error", Static).update(Text(message, style=RED))

    def action_cancel(self) -> None:
        self.dismiss(None)
