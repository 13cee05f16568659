"""The `/` filter bar: shown by toggling a class (like toolong), mounted on the first `/`.

Its own module, imported then: the TUI's first frame does not pay for its classes (Textual's
widget classes are costly to create) or, through DEFAULT_CSS, for their styles.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Label

from .deliver import deliver_now


class FilterInput(Input):
    """Input sets its virtual width to its text's on every change, and virtual_size asks for a
    layout of the whole screen (then every widget recomposited) per keystroke. Never below
    the visible width: while the text fits, typing changes nothing about the layout."""

    def __init__(self, **kwargs: Any) -> None:
        # Not selected on focus: keys typed right after `/` reach the text before the input has focus
        # (FilterBar.catch_early_key), and the next key would replace them.
        super().__init__(select_on_focus=False, **kwargs)
        # What the first keystroke's validation adds (an input without validators is valid); added
        # then, it restyles the input on that keystroke. No CSS rule styles it.
        self.add_class("-valid")

    @property
    def content_width(self) -> int:
        return max(super().content_width, self.scrollable_content_region.width)

    def on_resize(self, event: events.Resize) -> None:
        # The virtual width the first keystroke would set (else that keystroke lays the screen out):
        # set here, when the bar opens or the terminal resizes, which lays the screen out anyway.
        self.virtual_size = Size(self.content_width, 1)

    def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handling (Textual dispatches a subclass's handler first).
        if isinstance(self.parent, FilterBar):
            self.parent.input_has_keys()

    def watch_value(self, value: str) -> None:
        if isinstance(self.parent, FilterBar):
            self.parent.text_changed(value)  # as the key is handled, not when Input.Changed arrives


class FilterBar(Horizontal):
    """`/` opens it, typing narrows the tree, esc clears and closes it."""

    # Here, not in app.tcss: parsed when the bar is first mounted (on the first `/`).
    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: 1;
        background: $boost;
        &.-visible {
            display: block;
        }
        #filter-slash {
            width: 2;
            padding: 0 0 0 1;
            color: $warning;
            text-style: bold;
        }
        #filter-input {
            border: none;
            height: 1;
            padding: 0;
            background: $boost;
            width: 1fr;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Clear filter", show=True)]

    class Changed(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Done(Message):
        """Closed: `cleared` when esc threw the text away."""

        def __init__(self, cleared: bool) -> None:
            self.cleared = cleared
            super().__init__()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._announced = ""
        self._opening = False  # `/` was pressed and the input has not had focus yet

    def compose(self) -> ComposeResult:
        yield Label("/", id="filter-slash")
        yield FilterInput(placeholder="filter by name, domain, owner, status…", id="filter-input")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def open(self) -> None:
        self.add_class("-visible")
        self._opening = True
        self.input.focus()

    def input_has_keys(self) -> None:
        """The input receives keys itself now: none can be queued behind `/` any more."""
        self._opening = False

    def catch_early_key(self, event: events.Key) -> bool:
        """Type a key into the filter that arrived after `/` but before the input had any.

        Focus moves a moment after `/` is handled, behind keys already queued (fast typing, a
        paste): those went to the tree and would reach the app's bindings, where `s` starts a
        space and `x` stops one. Returns whether the key was taken."""
        if not self._opening or (self.input.has_focus and not event.is_forwarded):
            return False  # (a key on its way in while the input has focus: the input takes it)
        if event.is_printable and event.character:
            self.input.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            self.input.action_delete_left()
        else:
            return False
        event.stop()
        event.prevent_default()
        return True

    def text_changed(self, text: str) -> None:
        """Hand the app the new text in the keystroke's own turn (deliver_now): the screen's next
        update shows the input, the narrowed tree and the header together."""
        if text != self._announced:
            self._announced = text
            deliver_now(self, self.Changed(text))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # text_changed has told the app already

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._opening = False
        if not event.value:
            self.remove_class("-visible")
        self.post_message(self.Done(cleared=False))

    def action_dismiss(self) -> None:
        self._opening = False
        self.input.value = ""
        self.remove_class("-visible")
        self.text_changed("")
        self.post_message(self.Done(cleared=True))
