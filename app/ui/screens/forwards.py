"""`F`: the open port forwards, with their URLs; d closes one, enter copies its URL, esc goes back.

The forwards belong to the app's Reach part, so this screen only shows them and asks it to close
one; a listing refresh underneath changes nothing here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..widgets.labels import AMBER, MUTED
from .dialog import Dialog

if TYPE_CHECKING:
    from ...connect.forward import Forward


class ForwardKeeper(Protocol):
    """Who holds the forwards (app.ui.reach.Reach)."""

    def open_forwards(self) -> list[Forward]: ...

    async def close_forward(self, forward: Forward) -> None: ...


EMPTY = "No forwards are open. Press f on a space to forward its JupyterLab to localhost."


def forward_label(forward: Forward) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(forward.label, style="bold")
    text.append(f"  → port {forward.remote_port}\n", style=MUTED)
    text.append("  " + forward.url, style=AMBER)
    return text


class ForwardsScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d,x,delete", "close_forward", "Close forward"),
        Binding("enter", "copy_url", "Copy URL", priority=True),
        Binding("escape,q,F", "back", "Back"),
    ]

    def __init__(self, keeper: ForwardKeeper) -> None:
        super().__init__()
        self.keeper = keeper

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="forwards"):
            yield Static(Text("Port forwards", style="bold"), id="dialog-title")
            yield OptionList(id="forward-list")
            yield Static(Text("", style=MUTED), id="forward-empty")
            yield Static(
                Text("d closes the highlighted forward · enter copies its URL · esc goes back", style=MUTED),
                id="dialog-hint",
            )

    def on_mount(self) -> None:
        self.show_forwards()
        self.query_one(OptionList).focus()

    def _open(self) -> list[Forward]:
        return self.keeper.open_forwards()

    def show_forwards(self) -> None:
        listing = self.query_one(OptionList)
        forwards = self._open()
        listing.clear_options()
        listing.add_options(Option(forward_label(f), id=str(id(f))) for f in forwards)
        listing.display = bool(forwards)
        empty = self.query_one("#forward-empty", Static)
        empty.update(Text(EMPTY, style=MUTED))
        empty.display = not forwards
        if forwards:
            listing.highlighted = 0

    def _highlighted(self) -> Forward | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None:
            return None
        wanted = listing.get_option_at_index(listing.highlighted).id
        return next((f for f in self._open() if str(id(f)) == wanted), None)

    def action_close_forward(self) -> None:
        forward = self._highlighted()
        if forward is not None:
            self.run_worker(self._close(forward), group="forward-close", exit_on_error=False)

    async def _close(self, forward: Forward) -> None:
        await self.keeper.close_forward(forward)
        self.app.notify(
            f"closed the forward to {forward.label} (localhost:{forward.local_port})",
            title="Forward",
            markup=False,
        )
        self.show_forwards()

    def action_copy_url(self) -> None:
        forward = self._highlighted()
        if forward is not None:
            self.app.copy_to_clipboard(forward.url)
            self.app.notify(f"copied {forward.url}", title="Forward", markup=False)

    def action_back(self) -> None:
        self.dismiss(None)
