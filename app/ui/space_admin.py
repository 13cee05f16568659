"""A space's whole life from the TUI: `n` new space (a form), `E` edit (a form), `D` delete (type the
name). Each runs as a worker through the typed AWS interface (app.aws.api); SpaceActions guards
read-only mode and spaces already changing, as for start and stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import Space, SpaceStatus
from .leaving import Change

if TYPE_CHECKING:
    from .actions import SpaceActions
    from .background import Background
    from .dialogs import Dialogs
    from .loading import ListingController
    from .notices import Notices
    from .services import Services

# region, domain id, user profile and account id of the highlighted line, as far as it says
Place = tuple[str, str | None, str | None, str | None]


class SpaceAdmin:
    def __init__(
        self,
        services: Services,
        listing: ListingController,
        actions: SpaceActions,
        dialogs: Dialogs,
        notices: Notices,
        background: Background,
        reveal: Callable[[Space], None],
    ) -> None:
        self._services = services
        self._listing = listing
        self._actions = actions
        self._dialogs = dialogs
        self._notices = notices
        self._background = background
        self._reveal = reveal  # puts the cursor on a space (the one just created)

    async def create(self, place: Place | None) -> None:
        """The form for a new space in the highlighted line's domain, then CreateSpace."""
        from ..aws.errors import AwsError
        from .screens.new_space import NewSpaceScreen

        region, domain_id, owner, account = place or ("", None, None, None)
        if domain_id is None:
            self._notices.warn("Highlight a space or a domain first: the new space goes into its domain.")
            return
        if account is None:  # a domain's branch: its account is that of the domain's spaces
            account = next((s.account for s in self._listing.index.spaces if s.domain_id == domain_id), None)
        try:
            svc = await self._services.get(region, account)
            opts = await svc.space_options(domain_id)
        except AwsError as err:
            self._notices.report(err)
            return
        taken = {
            s.name for s in self._listing.index.spaces if s.domain_id == domain_id and s.account == account
        }
        new = await self._dialogs.ask(NewSpaceScreen(opts, region, owner, taken))
        if new is None:
            return
        self._notices.say(f"Creating {new.name} in {opts.domain_name}…")
        try:
            space = await svc.create_space(new)
        except AwsError as err:
            self._notices.report(err)
            return
        self._notices.say(f"{space.name} is created ({space.status.value.lower()}); s starts it")
        await self._listing.load()  # the new space in the tree now, then under the cursor
        self._reveal(space)

    async def edit(self, space: Space) -> None:
        from ..aws.errors import NeedsRestart
        from .actions import LOST
        from .screens.edit_space import EditSpaceScreen

        space = await self._listing.describe(space)  # image, idle timeout, a stopped space's instance type
        svc = await self._services.get(space.region, space.account)
        opts = await svc.space_options(space.domain_id, owner=space.owner, shared=space.shared)
        idle = await svc.idle_bounds(space.domain_id, space.owner, space.app_type)
        change = await self._dialogs.ask(EditSpaceScreen(space, opts, idle))
        if change is None or not change.changes(space):
            return
        restart = change.restarts(space)
        if restart and not await self._dialogs.confirm(
            f"Restart {space.name}?",
            f"{space.name} is running: {'; '.join(change.changes(space))} takes a restart (stop, update, "
            f"start).\n{LOST}",
            "Restart",
        ):
            return
        with self._actions.changing(space, Change.INSTANCE_TYPE if restart else Change.EDIT):
            try:
                result = await svc.edit_space(
                    space.domain_id,
                    space.name,
                    change,
                    restart=restart,
                    progress=self._actions.progress(space),
                )
            except NeedsRestart:  # it started meanwhile
                self._notices.warn(f"{space.name} started meanwhile; edit it again to restart it")
                return
        self._actions.progress(space)(result)
        self._notices.say(f"{space.name}: {', '.join(change.changes(space))}")

    async def delete(self, space: Space) -> None:
        from .screens.delete_space import DeleteSpaceScreen

        space = await self._listing.describe(space)  # its storage, and whether its app lives now
        if not await self._dialogs.ask(DeleteSpaceScreen(space)):
            return
        svc = await self._services.get(space.region, space.account)
        self._notices.say(f"Deleting {space.name}…")
        with self._actions.changing(space, Change.DELETE):
            await svc.delete_space(space.domain_id, space.name, progress=self._actions.progress(space))
        self._notices.say(f"{space.name} is deleted")
        self._background.refresh()


def deletable(space: Space) -> str | None:
    """Why `space` cannot be deleted now (a change is under way), else None."""
    if space.status in (SpaceStatus.CREATING, SpaceStatus.UPDATING, SpaceStatus.DELETING):
        return f"{space.name} is {space.status.value.lower()}; delete it once that has finished"
    return None
