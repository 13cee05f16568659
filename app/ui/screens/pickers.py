"""Type-to-filter pickers: regions (multi-select) and AWS profiles (single)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ..widgets.labels import GREEN, MUTED


class FilteredSelectScreen(ModalScreen[list[str] | None]):
    """A multi-select list narrowed by an input; enter accepts, esc cancels.

    Selections survive filtering: the chosen set lives here, not in the widget.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "accept", "Apply", priority=True),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, title: str, items: list[tuple[str, Text]], chosen: set[str], hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.items = items
        self.chosen = set(chosen)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            yield Input(placeholder="type to filter…", id="picker-filter")
            yield SelectionList[str](id="picker-list")
            yield Static(Text(self.hint, style=MUTED), id="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        listing = self.query_one(SelectionList)
        with listing.prevent(SelectionList.SelectedChanged, SelectionList.SelectionToggled):
            listing.clear_options()
            listing.add_options(
                Selection(label, value, value in self.chosen)
                for value, label in self.items
                if all(w in (value + " " + label.plain).lower() for w in words)
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        # One handler only: Textual calls a handler of every class in the MRO, so subclasses
        # override `toggled` instead of this.
        self.toggled(event.selection.value)

    def toggled(self, value: str) -> None:
        self.chosen ^= {value}

    def action_focus_list(self) -> None:
        listing = self.query_one(SelectionList)
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0
        listing.focus()

    def action_accept(self) -> None:
        listing = self.query_one(SelectionList)
        if self.focused is listing and listing.highlighted is not None and not self.chosen:
            self.chosen.add(listing.get_option_at_index(listing.highlighted).value)
        self.dismiss(sorted(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


def region_items(regions: list[str], domain_counts: dict[str, int]) -> list[tuple[str, Text]]:
    """Region lines, marking those known to hold domains."""
    items = []
    for region in regions:
        label = Text(region.ljust(16))
        count = domain_counts.get(region)
        if count:
            label.append(f"● {count} domain{'s' if count != 1 else ''}", style=GREEN)
        elif count == 0:
            label.append("no domains", style=MUTED)
        items.append((region, label))
    return items


class RegionPicker(FilteredSelectScreen):
    def __init__(self, regions: list[str], chosen: list[str], domain_counts: dict[str, int]) -> None:
        super().__init__(
            "Regions",
            region_items(regions, domain_counts),
            set(chosen),
            "space toggles · enter shows the chosen regions side by side · esc cancels",
        )


class ProfilePicker(ModalScreen[str | None]):
    """Pick one AWS profile; switching reloads everything."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, profiles: list[str], current: str | None) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Static(Text("AWS profile", style="bold"), id="dialog-title")
            yield Input(placeholder="type to filter…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static(Text("enter switches profile · esc cancels", style=MUTED), id="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        for name in self.profiles:
            if text.lower() in name.lower():
                label = Text(name, style="bold" if name == self.current else "")
                if name == self.current:
                    label.append("  (current)", style=MUTED)
                listing.add_option(Option(label, id=name))
        if listing.option_count:
            listing.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0
        listing.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
