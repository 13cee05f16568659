"""Drawing the main screen from the listing and the view's filters: the tree, the header, the detail
pane and the credentials banner. This is the ListingView the listing redraws through.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

from ..model import Space
from .clock import Clock, spinner_frame
from .loading import ListingController
from .services import Account
from .view import ViewState
from .widgets.banner import CredentialsBanner
from .widgets.detail import DetailPane
from .widgets.header import ContextHeader, HeaderInfo
from .widgets.space_tree import SpaceTree, TreeContent


class Painter:
    # The widgets, held from attach(): workers and timers that finish while the app shuts down
    # must not query a screen that is already gone.
    _listing: ListingController
    tree: SpaceTree
    _header: ContextHeader
    _detail: DetailPane
    _banner: CredentialsBanner

    def __init__(
        self,
        node: DOMNode,
        account: Account,
        shown: ViewState,
        clock: Clock,
        *,
        readonly: bool,
        ask_regions: Callable[[], None],
    ) -> None:
        self._node = node  # schedules the pane after the tree's next refresh (the app)
        self._account = account
        self._shown = shown
        self._clock = clock
        self._readonly = readonly
        self._ask_regions = ask_regions
        self._drawn: list[Space] = []  # the spaces the tree was last built from
        self.after_sign_in: Callable[[], None] | None = None  # the app keeps a profile that worked

    def attach(
        self,
        listing: ListingController,
        tree: SpaceTree,
        header: ContextHeader,
        detail: DetailPane,
        banner: CredentialsBanner,
    ) -> None:
        """What to draw, and where (on mount: nothing is drawn before)."""
        self._listing = listing
        self.tree, self._header, self._detail, self._banner = tree, header, detail, banner

    # --- drawing ------------------------------------------------------------------------------

    def all(self) -> None:
        self.tree_now()
        self.header()
        self.detail()

    def tree_now(self, *, unless_same: bool = False) -> None:
        """Rebuild the tree from the filters. `unless_same`: skip when the filter picked exactly the
        spaces already drawn (typing "space-00" in a big account changes nothing for several keys)."""
        shown, listing = self._shown, self._listing
        selection = listing.selection()
        drawn, self._drawn = self._drawn, selection.spaces
        # The index hands back the same list for a query it has seen; else compare in C (identity first).
        if unless_same and (drawn is selection.spaces or drawn == selection.spaces):
            return
        self.tree.show(
            TreeContent(
                shown.regions,
                selection.by_region(shown.regions),
                listing.region_states,
                shown.grouped,
                selection.per_region,
                listing.accounts,
            )
        )
        # The cursor is restored after the next refresh; the pane follows it then.
        self._node.call_after_refresh(self.detail)

    def header(self) -> None:
        shown, listing, account = self._shown, self._listing, self._account
        caller = listing.caller
        note = []
        if shown.owners is not None:
            note.append("profiles: " + ", ".join(sorted(u for _, u in shown.owners)))
        if shown.text:
            note.append(f"/{shown.text}")
        info = HeaderInfo(
            profile=account.profile_label,
            account=self._accounts_text() if account.many else caller.account if caller else "…",
            caller=caller.display if caller else "…",
            regions=shown.regions,
            loaded_at=listing.loaded_at,
            stale=listing.stale,
            refreshing=listing.loading,
            readonly=self._readonly,
            endpoint=("demo" if account.demo else "custom endpoint") if account.endpoint_url else None,
            counts=listing.index.tally(shown.regions),
            filter_note="  ".join(note),
        )
        self._header.show(info, self._clock.now())

    def _accounts_text(self) -> str:
        accounts = self._listing.accounts
        if accounts is None:
            return "…"
        failed = sum(1 for a in accounts if a.error)
        return f"{len(accounts)} accounts" + (f" ({failed} failing)" if failed else "")

    def detail(self) -> None:
        space = self.tree.highlighted_space
        if space is None:
            self._detail.show(None, self.tree.spinner)
            return
        listing = self._listing
        self._detail.show(listing.detailed(space), self.tree.spinner, described=listing.described(space))

    def tick(self) -> None:
        """Spinners of spaces in transition, and the pane when it shows one."""
        self.tree.tick_spinners(spinner_frame(self._clock))
        space = self.tree.highlighted_space
        if space is not None and space.status.in_transition:
            self.detail()

    def show_banner(self, message: str, fix: str | None) -> None:
        self._banner.show(message, fix)

    # --- ListingView ----------------------------------------------------------------------------

    def listing_changed(self) -> None:
        self.all()

    def header_changed(self) -> None:
        self.header()

    def space_changed(self, before: Space, after: Space) -> None:
        # A new status changes the branch counts (and maybe the filter's verdict): rebuild; else redraw one line.
        if before.status != after.status or not self.tree.update_space(after):
            self.tree_now()
        self.header()
        current = self.tree.highlighted_space
        if current is not None and current.key == after.key:
            self.detail()

    def signed_in(self) -> None:
        self._banner.hide()
        if self.after_sign_in is not None:
            self.after_sign_in()

    def needs_regions(self) -> None:
        self._ask_regions()
