"""One key per action on a space. Each action runs as a worker so the UI keeps painting while
SageMaker changes state; progress callbacks redraw the space line as each new state is observed."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, assert_never

from textual import events
from textual.binding import Binding

from ..model import Space, SpaceStatus, remote_access_upgrade
from . import registry
from .connecting import ConnectActions
from .reach import ReachActions
from .registry import SpaceAction
from .widgets.bars import FilterBar

# The dialogs (app.ui.screens.*) are imported by the actions that open them: none is needed for
# the first frame, and importing them all up front delayed it (tests/test_lazy_imports.py).

if TYPE_CHECKING:
    from .app import SpacesApp


class SpaceActions(ReachActions, ConnectActions):
    """Mixed into SpacesApp; `self` is the app. Connect, VS Code, forwards and the ssh config
    block live in connecting.py and reach.py."""

    def check_action(self: SpacesApp, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Mutating actions are hidden from the footer and the palette in read-only mode; their keys
        # then run their read-only twin, which says so (registry.bindings).
        return registry.permits(action, parameters, self.readonly)

    def action_on_space(self: SpacesApp, name: str) -> None:
        """A key of a space action (registry.ON_SPACE): run it on the highlighted space."""
        if space := self._target():
            self.run_space_action(SpaceAction(name), space)

    def action_read_only(self: SpacesApp, name: str) -> None:
        self.notify(registry.BY_NAME[name].refusal(), severity="warning", markup=False)

    # --- the highlighted space ----------------------------------------------------------------

    def _target(self: SpacesApp) -> Space | None:
        space = self.space_tree.highlighted_space
        if space is None:
            self.notify("Highlight a space first (↑/↓ in the tree).", severity="warning")
        return space

    def run_space_action(self: SpacesApp, action: SpaceAction, space: Space) -> None:
        """Run `action` on `space` (the palette calls this for spaces that are not highlighted)."""
        declared = registry.BY_NAME[action.value]
        if not declared.offered(self.readonly):
            self.notify(declared.refusal(), severity="warning", markup=False)
            return
        if space.key in self.busy:
            self.notify(
                f"{space.name} is already changing; wait for it to settle.", severity="warning", markup=False
            )
            return
        self.run_worker(self._guarded(space, self.flow_for(action)), group="action", exit_on_error=False)

    def flow_for(self: SpacesApp, action: SpaceAction) -> Callable[[Space], Awaitable[None]]:
        """The coroutine that carries out `action` (mypy checks that every SpaceAction has one)."""
        match action:
            case SpaceAction.CONNECT:
                return self._connect_flow
            case SpaceAction.VSCODE:
                return self._vscode_flow
            case SpaceAction.FORWARD:
                return self._forward_flow
            case SpaceAction.START:
                return self._start_flow
            case SpaceAction.STOP:
                return self._stop_flow
            case SpaceAction.REMOTE_ACCESS:
                return self._remote_access_flow
            case SpaceAction.INSTANCE_TYPE:
                return self._instance_type_flow
            case SpaceAction.IDLE_TIMEOUT:
                return self._idle_timeout_flow
            case _:
                assert_never(action)

    async def _guarded(self: SpacesApp, space: Space, flow: Callable[[Space], Awaitable[None]]) -> None:
        errors = importlib.import_module("..aws.errors", __package__)
        self.busy.add(space.key)
        try:
            await flow(space)
        except errors.AwsError as err:
            self.show_error(err)
        finally:
            self.busy.discard(space.key)

    # --- flows --------------------------------------------------------------------------------

    def _progress(self: SpacesApp, old: Space) -> Callable[[Space], None]:
        return lambda fresh: self.apply_space(fresh.with_alias(old.alias) if old.alias else fresh)

    async def _ask(self: SpacesApp, title: str, body: str, yes: str, danger: bool = True) -> bool:
        # One question at a time: a dialog pushed while the user is answering another would take
        # the keypress meant for the first (several actions can be in flight at once).
        lock = self.__dict__.get("_ask_lock")
        if lock is None:
            lock = self.__dict__["_ask_lock"] = asyncio.Lock()
        async with lock:
            from .screens.confirm import ConfirmScreen

            return bool(await self.push_screen_wait(ConfirmScreen(title, body, yes, danger)))

    async def _with_upgrade(
        self: SpacesApp, space: Space, call: Callable[[str | None], Awaitable[Space]]
    ) -> Space | None:
        """Run `call`; if remote access needs a larger instance, ask, then retry with the next size up."""
        errors = importlib.import_module("..aws.errors", __package__)
        try:
            return await call(None)
        except errors.NeedsLargerInstance as err:
            ok = await self._ask(
                f"{space.name} needs a larger instance",
                f"Remote access needs at least 8 GiB of memory, and {err.current} has less.\n\n"
                f"Use {err.suggested} instead? The space's default instance type changes to it.",
                f"Use {err.suggested}",
                danger=False,
            )
            if not ok:
                self.notify(f"{space.name}: left unchanged", markup=False)
                return None
            return await call(err.suggested)

    async def _start_flow(self: SpacesApp, space: Space) -> None:
        if space.status is SpaceStatus.RUNNING:
            self.notify(f"{space.name} is already running", markup=False)
            return
        svc = await self.service(space.region)
        self.notify(f"Starting {space.name}…", markup=False)
        result = await self._with_upgrade(
            space,
            lambda itype: svc.start_space(
                space.domain_id, space.name, instance_type=itype, progress=self._progress(space)
            ),
        )
        if result is not None:
            self._progress(space)(result)
            self.notify(f"{space.name} is {result.status.value.lower()}", markup=False)

    async def _stop_flow(self: SpacesApp, space: Space) -> None:
        if space.status is SpaceStatus.STOPPED:
            self.notify(f"{space.name} is already stopped", markup=False)
            return
        ok = await self._ask(
            f"Stop {space.name}?",
            f"The {space.app_type or 'IDE'} app on {space.instance_type or 'its instance'} is shut down; "
            "the space and its storage stay.\nUnsaved work in open editors, notebooks and terminals is lost.",
            "Stop",
        )
        if not ok:
            return
        svc = await self.service(space.region)
        result = await svc.stop_space(space.domain_id, space.name, progress=self._progress(space))
        self._progress(space)(result)
        self.notify(f"{space.name} is {result.status.value.lower()}", markup=False)

    async def _remote_access_flow(self: SpacesApp, space: Space) -> None:
        if space.remote_access:
            self.notify(f"{space.name} already has remote access", markup=False)
            return
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        body = (
            f"{space.name} is running: it is stopped, updated and started again.\n"
            "Unsaved work in open editors, notebooks and terminals is lost."
            if running
            else f"{space.name} is stopped: remote access is switched on now and used from its next start."
        )
        if not await self._ask(f"Enable remote access on {space.name}?", body, "Enable", danger=running):
            return
        svc = await self.service(space.region)
        result = await self._with_upgrade(
            space,
            lambda itype: svc.enable_remote_access(
                space.domain_id, space.name, instance_type=itype, progress=self._progress(space)
            ),
        )
        if result is not None:
            self._progress(space)(result)
            self.notify(f"{space.name}: remote access on", markup=False)

    async def _described(self: SpacesApp, space: Space) -> Space:
        """The listing lacks a stopped space's instance type and its idle timeout: ask DescribeSpace."""
        svc = await self.service(space.region)
        fresh = await svc.describe_space(space.domain_id, space.name)
        self._details[space.key] = fresh
        return fresh.with_alias(space.alias) if space.alias else fresh

    async def _instance_type_flow(self: SpacesApp, space: Space) -> None:
        space = await self._described(space)
        bigger = remote_access_upgrade(space.instance_type)
        if bigger is None:
            self.notify(
                f"{space.instance_type or 'The instance'} already has enough memory for remote access",
                markup=False,
            )
            return
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        body = f"Remote access needs at least 8 GiB of memory. Change {space.instance_type} to {bigger}?"
        if running:
            body += "\n\nThe space restarts: unsaved work in open editors, notebooks and terminals is lost."
        if not await self._ask(
            f"Change instance type of {space.name}?", body, f"Use {bigger}", danger=running
        ):
            return
        svc = await self.service(space.region)
        result = await svc.enable_remote_access(
            space.domain_id, space.name, instance_type=bigger, progress=self._progress(space)
        )
        self._progress(space)(result)
        self.notify(f"{space.name} now uses {result.instance_type or bigger}", markup=False)

    async def _idle_timeout_flow(self: SpacesApp, space: Space) -> None:
        space = await self._described(space)
        svc = await self.service(space.region)
        bounds = await svc.idle_bounds(space.domain_id, space.owner, space.app_type)
        from .screens.idle_timeout import IdleTimeoutScreen

        minutes = await self.push_screen_wait(
            IdleTimeoutScreen(space.name, space.idle_timeout_minutes, bounds)
        )
        if minutes is None:
            return
        result = await svc.set_idle_timeout(space.domain_id, space.name, minutes)
        self._progress(space)(result)
        self.notify(f"{space.name}: idle shutdown after {minutes} min", markup=False)

    # --- view and context ---------------------------------------------------------------------

    def action_refresh(self: SpacesApp) -> None:
        self.refresh_listing()

    def action_filter(self: SpacesApp) -> None:
        self.query_one(FilterBar).open()

    async def on_event(self: SpacesApp, event: events.Event) -> None:
        # Keys queued behind `/` go to the filter even before its input has taken focus.
        if isinstance(event, events.Key) and self.screen is self.screen_stack[0]:
            bar = self.__dict__.get("_filter_bar")  # held from on_mount
            if bar is not None and bar.catch_early_key(event):
                return
        await super().on_event(event)  # type: ignore[misc]

    def on_filter_bar_changed(self: SpacesApp, event: FilterBar.Changed) -> None:
        self.filter_text = event.text
        self.render_tree(unless_same=True)
        self.render_header()

    def on_filter_bar_done(self: SpacesApp, event: FilterBar.Done) -> None:
        self.space_tree.focus()

    def action_toggle_group(self: SpacesApp) -> None:
        self.grouped = not self.grouped
        self.render_tree()
        self.save_prefs()

    def action_owner_filter(self: SpacesApp) -> None:
        from .screens.owner_filter import OwnerFilterScreen, owners_from_result

        profiles = [p for ps in self.user_profiles.values() for p in ps]
        domains = [d for ds in self.domains.values() for d in ds]
        if not profiles:
            self.notify("No user profiles known yet; wait for the listing or press r.", severity="warning")
            return
        me = self.caller.sso_user if self.caller else None

        def chosen(values: list[str] | None) -> None:
            if values is None:
                return
            self.owners, self.owners_chosen = owners_from_result(values), True
            self.render_all()
            self.save_prefs()

        self.push_screen(OwnerFilterScreen(profiles, domains, self.owners, me), chosen)

    def action_regions(self: SpacesApp) -> None:
        self.run_worker(self._pick_regions(), group="picker", exit_on_error=False)

    async def _pick_regions(self: SpacesApp) -> None:
        context = await asyncio.to_thread(importlib.import_module, "..aws.context", __package__)
        partition = self.caller.partition if self.caller else "aws"
        regions = await asyncio.to_thread(context.available_regions, partition)
        extra = [r for r in self.regions if r not in regions]  # e.g. the simulator's region
        counts = {r: s.domains for r, s in self.region_states.items() if s.domains is not None}
        # The chosen regions first, then those known to hold domains, then the rest alphabetically.
        ordered = sorted(extra + list(regions), key=lambda r: (r not in self.regions, not counts.get(r), r))
        from .screens.pickers import RegionPicker

        chosen = await self.push_screen_wait(RegionPicker(ordered, self.regions, counts))
        if chosen:
            self.switch_regions(chosen)

    def switch_regions(self: SpacesApp, regions: list[str]) -> None:
        self.regions = list(regions)
        self.render_all()
        self.save_prefs()
        self.refresh_listing()

    def action_profile(self: SpacesApp) -> None:
        self.run_worker(self._pick_profile(), group="picker", exit_on_error=False)

    async def _pick_profile(self: SpacesApp) -> None:
        context = await asyncio.to_thread(importlib.import_module, "..aws.context", __package__)
        profiles = await asyncio.to_thread(context.available_profiles)
        if not profiles:
            self.notify("No profiles in the AWS config files (~/.aws/config).", severity="warning")
            return
        from .screens.pickers import ProfilePicker

        chosen = await self.push_screen_wait(ProfilePicker(profiles, self.profile))
        if chosen and chosen != self.profile:
            await self.switch_profile(chosen)

    async def switch_profile(self: SpacesApp, profile: str) -> None:
        """A new profile: new clients, new caller, new listing; nothing of the old one is kept."""
        await self.close_services()
        self.profile, self.caller, self.credentials = profile, None, None
        self.index.replace([])
        self.domains.clear()
        self.user_profiles.clear()
        self.region_states.clear()
        if not self.owners_chosen:
            self.owners = None
        self.loaded_at = None
        self.render_all()
        self.save_prefs()
        self.refresh_listing()

    def action_help(self: SpacesApp) -> None:
        """The keys of every action the main screen offers now (registry.help_rows)."""
        from .screens.help import HelpScreen

        def shown(keys: list[str]) -> str:
            return ", ".join(self.get_key_display(Binding(key, "")) for key in keys)

        rows = [(shown(keys), line) for keys, line in registry.help_rows(self.readonly)]
        off = ", ".join(shown(a.all_keys()) for a in registry.switched_off()) if self.readonly else None
        self.push_screen(HelpScreen(rows, read_only_keys=off))
