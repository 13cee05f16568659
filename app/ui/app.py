"""The Textual application: the screen, and the parts it is built from.

Data flows one way: the AWS layer (app.aws.api, made after the first paint) answers with model
objects; the listing (loading.py) keeps them in a SpaceIndex; the tree is rebuilt from what the
view's filters select. Each part owns its state and is handed what it needs:

- ListingController (loading.py): the spaces, the caller, the regions' states;
- Background (background.py): when the listing refreshes, polling, describing under the cursor;
- SpaceActions (actions.py): start, stop, remote access, instance type, idle timeout;
- Connector (connecting.py) and Reach (reach.py): ssh, VS Code, forwards, the ssh config block;
- Painter (painting.py): the tree, header, detail pane and banner, drawn from the listing;
- Switcher (switching.py): the `p` and `R` pickers, and what a profile or region switch resets;
- Leaving (leaving.py): `q` and Ctrl-C, which ask first while a change is under way;
- Notices and Dialogs: what the user is told and asked.

Keys, footer, help and palette come from the action registry (registry.py).
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, ClassVar, assert_never

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from ..model import Space
from . import registry
from .actions import Flow, SpaceActions
from .background import Background
from .clock import Clock
from .connecting import Connector
from .dialogs import Dialogs
from .leaving import Leaving
from .loading import ListingController
from .notices import Notices
from .painting import Painter
from .prefs import Prefs, SettingsFile
from .reach import Reach
from .registry import SpaceAction
from .run import resume_gc
from .services import Account, Keys, Many, Services
from .space_admin import SpaceAdmin
from .styles import styles_path
from .switching import Switcher
from .view import SpaceIndex, ViewState
from .widgets.banner import CredentialsBanner
from .widgets.detail import DetailPane
from .widgets.header import ContextHeader
from .widgets.space_tree import SpaceTree

if TYPE_CHECKING:
    from .widgets.filter_bar import FilterBar

INTERRUPTED = 130  # the exit status of a program ended by Ctrl-C (128 + SIGINT)


def _space_commands() -> type:
    """The palette's provider, imported when the palette first opens (Textual calls this then)."""
    from .commands import SpaceCommands

    return SpaceCommands


class SpacesApp(App[int]):
    CSS_PATH = str(styles_path("app.tcss"))
    TITLE = "sm-spaces"
    COMMANDS = App.COMMANDS | {_space_commands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = list(registry.bindings())
    # The screen's class by width (styles/app.tcss): the detail pane narrows, then moves under the list.
    # Not a ClassVar: mypy reads Textual's own annotation (ClassVar[...] | None) as an instance variable.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [  # noqa: RUF012
        (0, "-narrow"),
        (100, "-medium"),
        (120, "-wide"),
    ]

    # Mounted on the first `/`: an Input's mount and styles were a tenth of what we add before the
    # first frame (instruction counts, BENCHMARKS.md's first paint).
    _filter_bar: FilterBar | None = None

    def __init__(
        self,
        *,
        profile: str | None = None,
        regions: list[str] | None = None,
        endpoint_url: str | None = None,
        credentials: Keys | None = None,
        readonly: bool = False,
        clock: Clock | None = None,
        background_refresh: bool = True,
        poll_interval: float = 3.0,
        use_settings: bool = True,
        cache_profile: str | None = None,
        many: Many | None = None,
        refresh_interval: float | None = None,
        catch_sigint: bool = False,
    ) -> None:
        super().__init__()
        self.readonly = readonly
        self.clock = clock or Clock()
        self.catch_sigint = catch_sigint  # SIGINT (kill -INT, a supervisor) quits as Ctrl-C does
        self.account = Account(profile, endpoint_url, credentials, cache_profile, many)
        self.shown = ViewState(list(regions or []))
        self.settings = SettingsFile(use_settings)
        self._refresh_override = refresh_interval  # beats the settings' interval (tests)
        self.services = Services(self.account, poll_interval=min(2.0, poll_interval))
        self.painter = Painter(
            self, self.account, self.shown, self.clock, readonly=readonly, ask_regions=self.action_regions
        )
        self.notices = Notices(self, self.painter.show_banner)
        self.dialogs = Dialogs(self)
        self.listing = ListingController(self.services, self.shown, self.clock, self.painter, self.notices)
        self.space_actions = SpaceActions(
            self, self.services, self.listing, self.dialogs, self.notices, readonly=readonly
        )
        self.background = Background(
            self,
            self.listing,
            self.space_actions.busy,
            enabled=background_refresh,
            poll_interval=poll_interval,
            on_described=self.painter.detail,
        )
        self.space_admin = SpaceAdmin(
            self.services,
            self.listing,
            self.space_actions,
            self.dialogs,
            self.notices,
            self.background,
            reveal=self._reveal,
        )
        self.connector = Connector(self, self.services, self.space_actions, self.background, self.notices)
        self.reach = Reach(
            self.account, self.services, self.listing, self.space_actions, self.dialogs, self.notices
        )
        self.switcher = Switcher(
            self.services,
            self.listing,
            self.shown,
            self.painter,
            self.background,
            self.dialogs,
            self.save_prefs,
        )
        self._set_up = False  # on_mount has run: changes from now on are the user's, to be saved
        self.leaving = Leaving(self, self.account, self.space_actions.underway, self.listing.index)

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")
        yield CredentialsBanner(id="banner")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield SpaceTree(id="tree")
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.painter.attach(
            self.listing,
            self.query_one(SpaceTree),
            self.query_one(ContextHeader),
            self.query_one(DetailPane),
            self.query_one(CredentialsBanner),
        )
        self._apply_settings()
        self.listing.paint_cache()
        self.painter.all()
        self.space_tree.focus()
        self.set_interval(1.0, self.painter.header)
        if not self.clock.frozen:
            self.set_interval(0.1, self.painter.tick)
        self.background.start()
        self._set_up = True
        if self.catch_sigint:
            # Textual reads Ctrl-C as a key; a SIGINT from outside would otherwise cancel the
            # event loop's task and end the app with status 1 and its clients unclosed.
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGINT, self.call_next, self.action_interrupt
            )
        # The collector was paused for the start (app.ui.run); it resumes once the first frame is out.
        self.call_after_refresh(resume_gc)

    async def on_unmount(self) -> None:
        """However the app ends (q, Ctrl-C, a crash, a test's end): forwards closed politely
        (TerminateSession) before the services they run on, then every client."""
        await self.reach.close_forwards()
        await self.services.close()

    async def close_services(self) -> None:
        """Close the AWS clients now (they reopen on the next call)."""
        await self.services.close()

    # --- settings ---------------------------------------------------------------------------

    def _apply_settings(self) -> None:
        prefs, warning = self.settings.load()
        if warning:  # reported once; the broken file is never rewritten
            self.notices.warn(warning, title="Settings", timeout=10)
        shown = self.shown
        self.switcher.saved_profile = prefs.profile
        if not self.account.demo:  # the simulated account is reached with its own keys, no profile
            self.account.profile = self.account.profile or prefs.profile
        if not shown.regions:
            shown.regions = list(prefs.regions)
        if prefs.show_all:
            shown.owners, shown.owners_chosen = None, True
        elif prefs.owners is not None:
            shown.owners, shown.owners_chosen = prefs.owners, True
        shown.grouped = prefs.grouped
        self.space_actions.ask_before_start = prefs.ask_before_start
        self.connector.persist = prefs.persist
        self.background.interval = (
            self._refresh_override if self._refresh_override is not None else prefs.refresh_interval
        )
        if prefs.theme and prefs.theme in self.available_themes:
            self.theme = prefs.theme

    def save_prefs(self) -> None:
        shown = self.shown
        warning = self.settings.save(
            Prefs(
                profile=self.switcher.saved_profile,
                regions=shown.regions,
                owners=shown.owners if shown.owners_chosen else None,
                show_all=shown.owners_chosen and shown.owners is None,
                refresh_interval=self.background.interval,
                theme=self.theme,
                grouped=shown.grouped,
                persist=self.connector.persist,
            )
        )
        if warning:
            self.notices.warn(warning, title="Settings")

    def watch_theme(self, theme: str) -> None:
        if self._set_up:
            self.save_prefs()  # chosen from the palette's "Change theme": remember it

    # --- what the palette and the tests read ------------------------------------------------

    @property
    def regions(self) -> list[str]:
        return self.shown.regions

    @property
    def index(self) -> SpaceIndex:
        return self.listing.index

    def visible_spaces(self) -> list[Space]:
        return self.listing.visible_spaces()

    def known_regions(self) -> list[str]:
        """Every region SageMaker offers, once the AWS layer is loaded (the palette offers them)."""
        return self.listing.known_regions or list(self.shown.regions)

    def toggled(self, action: str) -> bool:
        """Whether a toggle of the registry is on (the palette names the way back then)."""
        return (action == "toggle_group" and self.shown.grouped) or (
            action == "toggle_persist" and self.connector.persist
        )

    @property
    def space_tree(self) -> SpaceTree:
        return self.painter.tree

    # --- events -----------------------------------------------------------------------------

    def on_tree_node_highlighted(self, event: SpaceTree.NodeHighlighted) -> None:
        self.painter.detail()
        self.background.follow(self.space_tree.highlighted_space)

    def on_space_tree_space_activated(self, event: SpaceTree.SpaceActivated) -> None:
        self.run_space_action(SpaceAction.CONNECT, event.space)

    async def on_event(self, event: events.Event) -> None:
        # Keys queued behind `/` go to the filter even before its input has taken focus.
        if isinstance(event, events.Key) and self._set_up:
            stack = self.screen_stack
            bar = self._filter_bar
            if bar is not None and stack and self.screen is stack[0] and bar.catch_early_key(event):
                return
        await super().on_event(event)

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        typing = self._filter_bar is not None and self._filter_bar.has_focus_within
        if bool(event.text) != bool(self.shown.text) and not typing:
            # esc (clear filter) comes or goes from the list's footer. Not while typing: the bar's
            # own esc is in the footer then, and the focus leaving the bar refreshes the bindings;
            # a refresh here recomposes the footer on a filter's first and last key.
            self.refresh_bindings()
        self.shown.text = event.text
        self.painter.tree_now(unless_same=True)
        self.painter.header()

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        self.space_tree.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A flow's failure that nothing caught: one line, never a traceback.
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notices.report(event.worker.error)
            self.painter.header()

    # --- actions on spaces ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Mutating actions are hidden from the footer and the palette in read-only mode; their keys
        # then run their read-only twin, which says so (registry.bindings).
        if action == "clear_filter":
            return bool(self.shown.text)  # esc means nothing to the list without a filter
        return registry.permits(action, parameters, self.readonly)

    def action_on_space(self, name: str) -> None:
        """A key of a space action (registry.ON_SPACE): run it on the highlighted space."""
        space = self.space_tree.highlighted_space
        if space is None:
            self.notices.warn("Highlight a space first (↑/↓ in the tree).")
            return
        self.run_space_action(SpaceAction(name), space)

    def action_read_only(self, name: str) -> None:
        self.notices.warn(registry.BY_NAME[name].refusal())

    def run_space_action(self, action: SpaceAction, space: Space) -> None:
        """Run `action` on `space` (keys, enter and the palette, for any space, land here)."""
        self.space_actions.run(action, space, self.flow_for(action))

    def flow_for(self, action: SpaceAction) -> Flow:
        """The part's coroutine that carries out `action` (mypy checks every SpaceAction has one)."""
        match action:
            case SpaceAction.CONNECT:
                return self.connector.connect
            case SpaceAction.VSCODE:
                return self.reach.vscode
            case SpaceAction.FORWARD:
                return self.reach.forward
            case SpaceAction.START:
                return self.space_actions.start
            case SpaceAction.STOP:
                return self.space_actions.stop
            case SpaceAction.REMOTE_ACCESS:
                return self.space_actions.remote_access
            case SpaceAction.INSTANCE_TYPE:
                return self.space_actions.instance_type
            case SpaceAction.IDLE_TIMEOUT:
                return self.space_actions.idle_timeout
            case SpaceAction.EDIT:
                return self.space_admin.edit
            case SpaceAction.DELETE:
                return self.space_admin.delete
            case _:
                assert_never(action)

    # --- actions on the view and the account ------------------------------------------------

    def _reveal(self, space: Space) -> None:
        """The cursor on `space`, when the view shows it (a filter may hide a new space)."""
        for line in self.space_tree.space_lines():
            if line.key == space.key:
                self.space_tree.move_cursor(line)
                return

    def action_new_space(self) -> None:
        place = self.space_tree.highlighted_place
        self.run_worker(self.space_admin.create(place), group="action", exit_on_error=False)

    def action_refresh(self) -> None:
        self.background.refresh()

    async def action_filter(self) -> None:
        if self._filter_bar is None:
            # Keys typed behind `/` wait in the app's queue meanwhile; catch_early_key takes them.
            from .widgets.filter_bar import FilterBar

            self._filter_bar = FilterBar(id="filter-bar")
            await self.query_one("#left").mount(self._filter_bar)
        self._filter_bar.open()

    def action_clear_filter(self) -> None:
        """Esc in the list: the filter typed earlier goes, as esc in the filter does."""
        if self._filter_bar is not None:  # (no bar yet: nothing was typed)
            self._filter_bar.action_dismiss()

    def action_toggle_group(self) -> None:
        self.shown.grouped = not self.shown.grouped
        self.painter.tree_now()
        self.save_prefs()

    def action_toggle_persist(self) -> None:
        self.connector.toggle_persist()
        self.save_prefs()

    def action_toggle_details(self) -> None:
        self.query_one("#main").toggle_class("-flip")
        self.painter.detail()
        self.call_after_refresh(self._cursor_in_view)  # the list may have shrunk under it

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._cursor_in_view)

    def _cursor_in_view(self) -> None:
        tree = self.space_tree
        tree.scroll_to_region(Region(0, tree.cursor_line, 1, 1), animate=False, immediate=True)

    def action_owner_filter(self) -> None:
        from .screens.owner_filter import OwnerFilterScreen, owners_from_result

        profiles, domains = self.listing.all_user_profiles(), self.listing.all_domains()
        if not profiles:
            self.notices.warn("No user profiles known yet; wait for the listing or press r.")
            return
        caller = self.listing.caller
        me = caller.sso_user if caller else None

        def chosen(values: list[str] | None) -> None:
            if values is None:
                return
            self.shown.owners, self.shown.owners_chosen = owners_from_result(values), True
            self.painter.all()
            self.save_prefs()

        self.push_screen(OwnerFilterScreen(profiles, domains, self.shown.owners, me), chosen)

    def action_regions(self) -> None:
        self.run_worker(self.switcher.pick_regions(), group="picker", exit_on_error=False)

    def switch_regions(self, regions: list[str]) -> None:
        self.switcher.switch_regions(regions)

    def action_profile(self) -> None:
        self.run_worker(self.switcher.pick_profile(), group="picker", exit_on_error=False)

    def action_forwards(self) -> None:
        from .screens.forwards import ForwardsScreen

        self.push_screen(ForwardsScreen(self.reach))

    def action_ssh_config(self) -> None:
        self.run_worker(self.reach.ssh_config(), group="ssh-config", exit_on_error=False)

    def action_help(self) -> None:
        """The keys of every action the main screen offers now (registry.help_rows)."""
        from .screens.help import HelpScreen

        def shown(keys: list[str]) -> str:
            return ", ".join(self.get_key_display(Binding(key, "")) for key in keys)

        rows = [(shown(keys), line) for keys, line in registry.help_rows(self.readonly)]
        off = ", ".join(shown(a.all_keys()) for a in registry.switched_off()) if self.readonly else None
        self.push_screen(HelpScreen(rows, read_only_keys=off))

    async def action_quit(self) -> None:
        self.leaving.leave(0)  # forwards and clients are closed on unmount

    async def action_interrupt(self) -> None:
        """Ctrl-C: quit as `q` does, with the exit status of an interrupted program (run.py)."""
        self.leaving.leave(INTERRUPTED)
