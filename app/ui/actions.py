"""Actions that change a space: start, stop, remote access, instance type, idle timeout; and
`ensure_running`, which connect, VS Code and forwards use to start a space first.

Each action runs as a worker so the UI keeps painting while SageMaker changes state; progress
callbacks hand each newly observed state to the listing, which redraws the space's line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator

from textual.dom import DOMNode

from ..model import (
    DEFAULT_INSTANCE_TYPE,
    Space,
    SpaceStatus,
    remote_access_upgrade,
    space_problem,
    stop_problem,
)
from . import registry
from .dialogs import Dialogs
from .leaving import Change, Underway
from .loading import ListingController, SpaceKey, keep_alias
from .notices import Notices
from .registry import SpaceAction
from .services import Services
from .space_admin import deletable

Flow = Callable[[Space], Awaitable[None]]
LOST = "Unsaved work in open editors, notebooks and terminals is lost."


class SpaceActions:
    def __init__(
        self,
        node: DOMNode,
        services: Services,
        listing: ListingController,
        dialogs: Dialogs,
        notices: Notices,
        *,
        readonly: bool,
    ) -> None:
        self._node = node  # runs the workers (the app)
        self._services = services
        self._listing = listing
        self._dialogs = dialogs
        self._notices = notices
        self.readonly = readonly
        self.busy: set[SpaceKey] = set()  # spaces an action is working on right now
        self.underway: dict[SpaceKey, Underway] = {}  # of those, the ones AWS is being asked to change
        self.ask_before_start = True  # connect, VS Code and forwards ask before starting a space

    def run(self, action: SpaceAction, space: Space, flow: Flow) -> None:
        """Run `flow` (which carries out `action`) on `space` as a worker, unless read-only mode
        forbids the action or another action is changing the space."""
        declared = registry.BY_NAME[action.value]
        if not declared.offered(self.readonly):
            self._notices.warn(declared.refusal())
            return
        if space.key in self.busy:
            self._notices.warn(f"{space.name} is already changing; wait for it to settle.")
            return
        # A space that is being created or has itself failed takes no action (SageMaker answers
        # ResourceInUse): say what it needs instead. A failed space's running app can be stopped.
        problem = (
            stop_problem(space)
            if action is SpaceAction.STOP
            else deletable(space)
            if action is SpaceAction.DELETE
            else space_problem(space)
        )
        if problem is not None:
            self._notices.warn(problem)
            return
        self._node.run_worker(self._guarded(space, flow), group="action", exit_on_error=False)

    async def _guarded(self, space: Space, flow: Flow) -> None:
        from ..aws.errors import AwsError

        self.busy.add(space.key)
        try:
            await flow(space)
        except AwsError as err:
            self._notices.report(err)
        finally:
            self.busy.discard(space.key)

    @contextlib.contextmanager
    def changing(self, space: Space, change: Change) -> Iterator[None]:
        """The calls that change `space` run inside: quitting meanwhile asks first (leaving.py)."""
        self.underway[space.key] = Underway(change, space)
        try:
            yield
        finally:
            self.underway.pop(space.key, None)

    def progress(self, old: Space) -> Callable[[Space], None]:
        return lambda fresh: self._listing.apply(keep_alias(fresh, old))

    async def _with_upgrade(
        self, space: Space, call: Callable[[str | None], Awaitable[Space]]
    ) -> Space | None:
        """Run `call`; if remote access needs a larger instance, ask, then retry with the next size up."""
        from ..aws.errors import NeedsLargerInstance

        try:
            return await call(None)
        except NeedsLargerInstance as err:
            ok = await self._dialogs.confirm(
                f"{space.name} needs a larger instance",
                f"Remote access needs at least 8 GiB of memory, and {err.current} has less.\n\n"
                f"Use {err.suggested} instead? The space's default instance type changes to it.",
                f"Use {err.suggested}",
                danger=False,
            )
            if not ok:
                self._notices.say(f"{space.name}: left unchanged")
                return None
            return await call(err.suggested)

    # --- the flows ----------------------------------------------------------------------------

    async def start(self, space: Space) -> None:
        if space.status is SpaceStatus.RUNNING:
            self._notices.say(f"{space.name} is already running")
            return
        svc = await self._services.get(space.region, space.account)
        self._notices.say(f"Starting {space.name}…")
        with self.changing(space, Change.START):
            result = await self._with_upgrade(
                space,
                lambda itype: svc.start_space(
                    space.domain_id, space.name, instance_type=itype, progress=self.progress(space)
                ),
            )
        if result is not None:
            self.progress(space)(result)
            self._notices.say(f"{space.name} is {result.status.value.lower()}")

    async def stop(self, space: Space) -> None:
        if space.status is SpaceStatus.STOPPED:
            self._notices.say(f"{space.name} is already stopped")
            return
        ok = await self._dialogs.confirm(
            f"Stop {space.name}?",
            f"The {space.app_type or 'IDE'} app on {space.instance_type or 'its instance'} is shut down; "
            f"the space and its storage stay.\n{LOST}",
            "Stop",
        )
        if not ok:
            return
        svc = await self._services.get(space.region, space.account)
        with self.changing(space, Change.STOP):
            result = await svc.stop_space(space.domain_id, space.name, progress=self.progress(space))
        self.progress(space)(result)
        self._notices.say(f"{space.name} is {result.status.value.lower()}")

    async def remote_access(self, space: Space) -> None:
        if space.remote_access:
            self._notices.say(f"{space.name} already has remote access")
            return
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        body = (
            f"{space.name} is running: it is stopped, updated and started again.\n{LOST}"
            if running
            else f"{space.name} is stopped: remote access is switched on now and used from its next start."
        )
        if not await self._dialogs.confirm(
            f"Enable remote access on {space.name}?", body, "Enable", danger=running
        ):
            return
        svc = await self._services.get(space.region, space.account)
        with self.changing(space, Change.REMOTE_ACCESS):
            result = await self._with_upgrade(
                space,
                lambda itype: svc.enable_remote_access(
                    space.domain_id, space.name, instance_type=itype, progress=self.progress(space)
                ),
            )
        if result is not None:
            self.progress(space)(result)
            self._notices.say(f"{space.name}: remote access on")

    async def instance_type(self, space: Space) -> None:
        # The listing lacks a stopped space's instance type: DescribeSpace has it.
        space = await self._listing.describe(space)
        bigger = remote_access_upgrade(space.instance_type)
        if bigger is None:
            self._notices.say(
                f"{space.instance_type or 'The instance'} already has enough memory for remote access"
            )
            return
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        body = f"Remote access needs at least 8 GiB of memory. Change {space.instance_type} to {bigger}?"
        if running:
            body += "\n\nThe space restarts: unsaved work in open editors, notebooks and terminals is lost."
        if not await self._dialogs.confirm(
            f"Change instance type of {space.name}?", body, f"Use {bigger}", danger=running
        ):
            return
        svc = await self._services.get(space.region, space.account)
        with self.changing(space, Change.INSTANCE_TYPE):
            result = await svc.enable_remote_access(
                space.domain_id, space.name, instance_type=bigger, progress=self.progress(space)
            )
        self.progress(space)(result)
        self._notices.say(f"{space.name} now uses {result.instance_type or bigger}")

    async def idle_timeout(self, space: Space) -> None:
        from .screens.idle_timeout import IdleTimeoutScreen

        space = await self._listing.describe(space)  # the current timeout is not in the listing
        svc = await self._services.get(space.region, space.account)
        bounds = await svc.idle_bounds(space.domain_id, space.owner, space.app_type)
        minutes = await self._dialogs.ask(IdleTimeoutScreen(space.name, space.idle_timeout_minutes, bounds))
        if minutes is None:
            return
        with self.changing(space, Change.IDLE_TIMEOUT):
            result = await svc.set_idle_timeout(space.domain_id, space.name, minutes)
        self.progress(space)(result)
        self._notices.say(f"{space.name}: idle shutdown after {minutes} min")

    # --- for connect, VS Code and forwards ----------------------------------------------------

    async def ensure_running(self, space: Space, purpose: str) -> Space | None:
        """`space` running with remote access, started (with consent where `s` asks) when it is
        not; None when the user declined or read-only mode forbids the start."""
        svc = await self._services.get(space.region, space.account)
        # The tree may be a refresh behind.
        fresh = keep_alias(await svc.describe_space(space.domain_id, space.name), space)
        self._listing.apply(fresh)
        if fresh.status is SpaceStatus.RUNNING and fresh.remote_access:
            return fresh
        if self.readonly:
            state = (
                "runs without remote access"
                if fresh.status is SpaceStatus.RUNNING
                else f"is {fresh.status.value.lower()}"
            )
            self._notices.warn(
                f"{space.name} {state}; read-only mode cannot start or change it", title=purpose
            )
            return None
        if fresh.status is SpaceStatus.RUNNING:
            if not await self._dialogs.confirm(
                f"Restart {space.name} with remote access?",
                f"{space.name} runs without remote access, which {purpose.lower()} needs: it is stopped, "
                f"updated and started again.\n{LOST}",
                "Restart",
            ):
                return None
            self._notices.say(f"Restarting {space.name} with remote access…", title=purpose)
            with self.changing(fresh, Change.RESTART):
                started = await self._with_upgrade(
                    fresh,
                    lambda itype: svc.enable_remote_access(
                        space.domain_id, space.name, instance_type=itype, progress=self.progress(fresh)
                    ),
                )
        else:
            if self.ask_before_start and not await self._dialogs.confirm(
                f"Start {space.name}?", start_question(fresh, purpose), "Start", danger=False
            ):
                return None
            self._notices.say(f"{space.name} is {fresh.status.value.lower()}; starting it…", title=purpose)
            with self.changing(fresh, Change.START):
                started = await self._with_upgrade(
                    fresh,
                    lambda itype: svc.start_space(
                        space.domain_id, space.name, instance_type=itype, progress=self.progress(fresh)
                    ),
                )
        if started is None:
            return None
        started = keep_alias(started, space)
        self._listing.apply(started)
        return started


def start_question(space: Space, purpose: str) -> str:
    """What connect, VS Code and forwards say before they start a space: it costs money."""
    instance = space.instance_type or DEFAULT_INSTANCE_TYPE
    idle = (
        f" or until it has been idle {space.idle_timeout_minutes} min" if space.idle_timeout_minutes else ""
    )
    return (
        f"{space.name} is {space.status.value.lower()}; {purpose} needs it running.\n\n"
        f"It starts on {instance} ({space.app_type or 'its app'}), billed while it runs: until you "
        f"stop it{idle}.\n\nask_before_start = false in config.toml starts without asking."
    )
