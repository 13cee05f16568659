"""The Textual application: layout, state, loading and refreshing. Actions live in actions.py.

Data flows one way: the aws service (loaded lazily, after the first paint) returns model objects;
they go into a SpaceIndex; the tree is rebuilt from what the filters select.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from ..model import Domain, Space, UserProfile
from . import prefs as prefs_module
from . import registry
from .actions import SpaceActions
from .clock import Clock, spinner_frame
from .loading import ListingLoader, with_details
from .registry import SpaceAction
from .run import resume_gc
from .view import SpaceIndex
from .widgets.bars import CredentialsBanner, FilterBar
from .widgets.detail import DetailPane
from .widgets.header import ContextHeader, HeaderInfo
from .widgets.space_tree import RegionState, SpaceTree, TreeContent

INTERRUPTED = 130  # the exit status of a program ended by Ctrl-C (128 + SIGINT)


def styles_path() -> Path:
    """The TCSS shipped in the wheel (app/styles), or the repo's styles/ in a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / "app.tcss"
    return packaged if packaged.exists() else package.parent / "styles" / "app.tcss"


def _space_commands() -> type:
    """The palette's provider, imported when the palette first opens (Textual calls this then)."""
    from .commands import SpaceCommands

    return SpaceCommands


class SpacesApp(ListingLoader, SpaceActions, App[int]):
    CSS_PATH = str(styles_path())
    TITLE = "sm-spaces"
    COMMANDS = App.COMMANDS | {_space_commands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = list(registry.bindings())

    def __init__(
        self,
        *,
        profile: str | None = None,
        regions: list[str] | None = None,
        endpoint_url: str | None = None,
        credentials: tuple | None = None,
        readonly: bool = False,
        clock: Clock | None = None,
        background_refresh: bool = True,
        poll_interval: float = 3.0,
        use_settings: bool = True,
        cache_profile: str | None = None,
        refresh_interval: float | None = None,
        catch_sigint: bool = False,
    ) -> None:
        super().__init__()
        self.catch_sigint = catch_sigint  # SIGINT (kill -INT, a supervisor) quits as Ctrl-C does
        self.profile = profile
        self.cli_regions = list(regions or [])
        self.regions: list[str] = list(regions or [])
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        self.readonly = readonly
        self.clock = clock or Clock()
        self.background_refresh = background_refresh
        self.poll_interval = poll_interval
        self.use_settings = use_settings
        self.cache_profile = cache_profile
        self.index = SpaceIndex()
        self.domains: dict[str, list[Domain]] = {}
        self.user_profiles: dict[str, list[UserProfile]] = {}
        self.region_states: dict[str, RegionState] = {}
        self.filter_text = ""
        self.owners: frozenset[tuple[str, str]] | None = None
        self.owners_chosen = (
            False  # the user (or settings) picked a filter: never override it with the SSO default
        )
        self.grouped = False
        self.caller: Any = None
        self.loaded_at: float | None = None
        self.stale = False
        self.busy: set[tuple[str, str, str]] = set()
        self.refresh_interval = 0.0
        self._refresh_override = refresh_interval
        self.load_count = 0  # finished listing runs (the background refresh test counts them)
        self._services: dict[str, Any] = {}
        self._settings_raw: object | None = None
        self._refresh_timer: Timer | None = None
        self._polling = False
        self._refreshing = False
        self._drawn: list[Space] = []  # the spaces the tree was last built from
        self._details: dict[tuple[str, str, str], Space] = {}  # DescribeSpace results, for the detail pane
        self._describe_next: Space | None = None  # the space a waiting describe worker will fetch

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")
        yield CredentialsBanner(id="banner")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield SpaceTree(id="tree")
                yield FilterBar(id="filter-bar")
            yield DetailPane(id="detail")
        yield Footer()

    @property
    def space_tree(self) -> SpaceTree:
        return self._tree_widget

    def on_mount(self) -> None:
        # Held once: workers and timers that finish while the app shuts down must not query a
        # screen that is already gone.
        self._tree_widget = self.query_one(SpaceTree)
        self._header_widget = self.query_one(ContextHeader)
        self._detail_widget = self.query_one(DetailPane)
        self._banner_widget = self.query_one(CredentialsBanner)
        self._filter_bar = self.query_one(FilterBar)
        self._apply_settings()
        if self._refresh_override is not None:
            self.refresh_interval = self._refresh_override
        self._paint_cache()
        self.render_all()
        self.space_tree.focus()
        self.set_interval(1.0, self.render_header)
        if not self.clock.frozen:
            self.set_interval(0.1, self._tick)
        self.set_interval(self.poll_interval, self._poll_transitions)
        self.refresh_listing()
        self._sm_ready = True
        if self.catch_sigint:
            # Textual reads Ctrl-C as a key; a SIGINT from outside would otherwise cancel the
            # event loop's task and end the app with status 1 and its clients unclosed.
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGINT, self.call_next, self.action_interrupt
            )
        # The collector was paused for the start (app.ui.run); it resumes once the first frame is out.
        self.call_after_refresh(resume_gc)

    def watch_theme(self, theme: str) -> None:
        if getattr(self, "_sm_ready", False):
            self.save_prefs()  # chosen from the palette's "Change theme": remember it

    def _apply_settings(self) -> None:
        if not self.use_settings:
            return
        prefs, warning, self._settings_raw = prefs_module.load()
        if warning:
            # Reported once; the broken file is never rewritten (save_prefs stays off for this run).
            self.notify(warning, title="Settings", severity="warning", timeout=10, markup=False)
            self._settings_raw = None
        self.profile = self.profile or prefs.profile
        if not self.regions:
            self.regions = list(prefs.regions)
        if prefs.show_all:
            self.owners, self.owners_chosen = None, True
        elif prefs.owners is not None:
            self.owners, self.owners_chosen = prefs.owners, True
        self.grouped = prefs.grouped
        self.refresh_interval = prefs.refresh_interval
        if prefs.theme and prefs.theme in self.available_themes:
            self.theme = prefs.theme

    def save_prefs(self) -> None:
        if not self.use_settings:
            return
        warning = prefs_module.save(
            self._settings_raw,
            prefs_module.Prefs(
                profile=self.profile,
                regions=self.regions,
                owners=self.owners if self.owners_chosen else None,
                show_all=self.owners_chosen and self.owners is None,
                refresh_interval=self.refresh_interval,
                theme=self.theme,
                grouped=self.grouped,
            ),
        )
        if warning:
            self.notify(warning, title="Settings", severity="warning", markup=False)

    @property
    def profile_key(self) -> str:
        """The cache's profile name: the default chain is cached as "default"."""
        return self.profile or "default"

    @property
    def cache_endpoint(self) -> str | None:
        """The simulator's port changes every run; its listings share one cache key."""
        return "demo" if self.cache_profile == "demo" else self.endpoint_url

    def _paint_cache(self) -> None:
        """The last listing of each region, at once, marked stale until the refresh lands."""
        spaces: list[Space] = []
        oldest: float | None = None
        for region in self.regions:
            found = prefs_module.load_cached(self.profile_key, region, self.cache_endpoint)
            if found:
                spaces.extend(found[0])
                oldest = found[1] if oldest is None else min(oldest, found[1])
        if spaces:
            self.index.replace(spaces)
            self.loaded_at, self.stale = oldest, True

    # --- rendering ------------------------------------------------------------------------

    def render_all(self) -> None:
        self.render_tree()
        self.render_header()
        self.render_detail()

    def known_regions(self) -> list[str]:
        """Every region SageMaker offers, once the aws layer is loaded (the palette uses this)."""
        context = sys.modules.get(f"{__package__.rpartition('.')[0]}.aws.context")
        if context is None:
            return list(self.regions)
        try:
            return context.available_regions(self.caller.partition if self.caller else "aws")
        except Exception:
            return list(self.regions)

    def toggled(self, action: str) -> bool:
        """Whether a toggle of the registry is on (the palette names the way back then)."""
        return action == "toggle_group" and self.grouped

    def visible_spaces(self) -> list[Space]:
        return self.index.select(self.filter_text, self.owners, self.regions).spaces

    def render_tree(self, *, unless_same: bool = False) -> None:
        """Rebuild the tree from the filters. `unless_same`: skip when the filter picked exactly the
        spaces already drawn (typing "space-00" in a big account changes nothing for several keys)."""
        selection = self.index.select(self.filter_text, self.owners, self.regions)
        drawn, self._drawn = self._drawn, selection.spaces
        # The index hands back the same list for a query it has seen; else compare in C (identity first).
        if unless_same and (drawn is selection.spaces or drawn == selection.spaces):
            return
        self.space_tree.show(
            TreeContent(
                self.regions,
                selection.by_region(self.regions),
                self.region_states,
                self.grouped,
                selection.per_region,
            )
        )
        # The cursor is restored after the next refresh; the pane follows it then.
        self.call_after_refresh(self.render_detail)

    def render_header(self) -> None:
        caller = self.caller
        note = []
        if self.owners is not None:
            note.append("profiles: " + ", ".join(sorted(u for _, u in self.owners)))
        if self.filter_text:
            note.append(f"/{self.filter_text}")
        info = HeaderInfo(
            profile=self.profile or "default",
            account=caller.account if caller else "…",
            caller=caller.display if caller else "…",
            regions=self.regions,
            loaded_at=self.loaded_at,
            stale=self.stale,
            refreshing=self.is_refreshing,
            readonly=self.readonly,
            endpoint=("demo" if self.cache_profile == "demo" else "custom endpoint")
            if self.endpoint_url
            else None,
            counts=self.index.tally(self.regions),
            filter_note="  ".join(note),
        )
        self._header_widget.show(info, self.clock.now())

    def render_detail(self) -> None:
        space = self.space_tree.highlighted_space
        if space is not None and (described := self._details.get(space.key)) is not None:
            space = with_details(space, described)
        self._detail_widget.show(space, self.space_tree.spinner)

    def on_tree_node_highlighted(self, event: SpaceTree.NodeHighlighted) -> None:
        self.render_detail()
        space = self.space_tree.highlighted_space
        if space is None or space.key in self._details or self.caller is None:
            self._describe_next = None
            return
        waiting, self._describe_next = self._describe_next is not None, space
        if not waiting:  # one worker per rest of the cursor, not one per row scrolled past
            self.run_worker(self._describe_when_still(), group="describe", exit_on_error=False)

    async def _describe_when_still(self) -> None:
        """ListSpaces lacks image, idle timeout and the default instance type: fetch them for the pane
        once the cursor has stayed on a space for 0.15 s."""
        from ..aws.errors import AwsError

        # Compared by key, not identity: a refresh replaces every Space object, and with a short
        # refresh interval an identity check would never see the cursor stay still.
        seen = None
        while self._describe_next is not None and self._describe_next.key != seen:
            seen = self._describe_next.key
            await asyncio.sleep(0.15)
        space, self._describe_next = self._describe_next, None
        if space is None:
            return
        try:
            svc = await self.service(space.region)
            self._details[space.key] = await svc.describe_space(space.domain_id, space.name)
        except AwsError:
            return  # the pane keeps what the listing knows; actions report errors themselves
        self.render_detail()

    def on_space_tree_space_activated(self, event: SpaceTree.SpaceActivated) -> None:
        self.run_space_action(SpaceAction.CONNECT, event.space)

    def _tick(self) -> None:
        frame = spinner_frame(self.clock)
        self.space_tree.tick_spinners(frame)
        space = self.space_tree.highlighted_space
        if space is not None and space.status.in_transition:
            self.render_detail()

    def apply_space(self, space: Space) -> None:
        """A newer state of one space (progress callbacks, polling): update it in place."""
        if space.key in self._details:
            self._details[space.key] = space
        before = self.index.find(space.key)
        if before is None or not self.index.update(space):
            return
        # A new status changes the branch counts (and maybe the filter's verdict): rebuild; else redraw one line.
        if before.status != space.status or not self.space_tree.update_space(space):
            self.render_tree()
        self.render_header()
        if (current := self.space_tree.highlighted_space) is not None and current.key == space.key:
            self.render_detail()

    async def action_quit(self) -> None:
        await self.close_forwards()  # politely (TerminateSession), before the services go
        await self.close_services()
        self.exit(0)

    async def action_interrupt(self) -> None:
        """Ctrl-C: quit as `q` does, with the exit status of an interrupted program (run.py)."""
        await self.close_forwards()
        await self.close_services()
        self.exit(return_code=INTERRUPTED)

    # --- errors -----------------------------------------------------------------------------

    def show_error(self, err: BaseException) -> None:
        """AwsError → its one readable line; credentials → the banner with the fix; never a traceback."""
        kind = getattr(err, "kind", None)
        message = getattr(err, "message", None) or str(err) or type(err).__name__
        if kind == "credentials":
            self._banner_widget.show(message, getattr(err, "fix", None))
        title = getattr(err, "operation", None) or ("AWS" if kind else "Error")
        self.notify(message, title=title, severity="error", timeout=10, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)
            self.render_header()
