"""Type-to-filter pickers: regions (multi-select) and AWS profiles (single)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ..widgets.labels import GREEN, MUTED
from .dialog import Dialog


class FilteredSelectScreen(Dialog[list[str] | None]):
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


@dataclass(frozen=True)
class ProfileChoice:
    """What the profile picker answers: a profile, or None for the default credential chain."""

    profile: str | None


DEFAULT_CHAIN_ID = "\0default-chain"  # no profile name can hold a NUL: never mistaken for one
DEMO_ID = "\0demo"


class ProfilePicker(Dialog[ProfileChoice | None]):
    """Pick the default credential chain or one AWS profile; switching reloads everything.

    "default chain" (no profile: the environment's keys, AWS_PROFILE, [default], SSO, a role) is its
    own entry, apart from a profile called "default". Under --demo the simulated account stays:
    the profiles are shown but cannot be picked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, profiles: list[str], current: str | None, *, demo: bool = False) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current
        self.demo = demo

    def compose(self) -> ComposeResult:
        hint = (
            "the simulated account of --demo stays; start sm-spaces without --demo to use a profile"
            if self.demo
            else "enter switches (saved once it works) · esc cancels"
        )
        with Vertical(id="dialog", classes="picker"):
            yield Static(Text("AWS profile", style="bold"), id="dialog-title")
            yield Input(placeholder="type to filter…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static(Text(hint, style=MUTED), id="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _entries(self) -> list[tuple[str, Text, bool]]:
        """(option id, label, is current) of every entry, the default chain (or --demo's) first."""
        if self.demo:
            first = (DEMO_ID, Text("simulated account (--demo)"), True)
        else:
            first = (
                DEFAULT_CHAIN_ID,
                Text("default chain").append("  environment, AWS_PROFILE, [default], SSO", style=MUTED),
                self.current is None,
            )
        return [first] + [
            (name, Text(name), not self.demo and name == self.current) for name in self.profiles
        ]

    def _fill(self, text: str) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        for option_id, label, current in self._entries():
            if text.lower() not in label.plain.lower():
                continue
            if current:  # _entries made the labels afresh: styled in place
                label.stylize("bold", 0, len(label.plain.split("  ")[0]))
                label.append("  (current)", style=MUTED)
            disabled = self.demo and option_id != DEMO_ID
            listing.add_option(Option(label, id=option_id, disabled=disabled))
        if listing.option_count:
            listing.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self._chosen(listing.get_option_at_index(listing.highlighted))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._chosen(event.option)

    def _chosen(self, option: Option) -> None:
        if option.disabled:
            return
        if option.id == DEMO_ID:
            self.dismiss(None)
        else:
            self.dismiss(ProfileChoice(None if option.id == DEFAULT_CHAIN_ID else option.id))

    def action_focus_list(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0
        listing.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
