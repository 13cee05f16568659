"""Everyday reach from the TUI: the ssh config block (same plan and diff as `ssh-config install`),
VS Code / Cursor through that block (as `connect --vscode`), and JupyterLab forwards that live
here — not in the tree — so a refresh never closes them."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Space
from .actions import SpaceActions
from .dialogs import Dialogs
from .loading import ListingController
from .notices import Notices
from .services import Account, Services

if TYPE_CHECKING:
    from ..connect.forward import Forward, Forwards
    from ..connect.ssh_config import PlanResult

# The forwards and the dialogs are imported by the actions that use them, not before the first frame.

# What `connect --vscode --demo` says: an editor outlives the simulated account it would point at.
DEMO_EDITOR_REFUSAL = (
    "VS Code cannot use --demo: the editor outlives this program, and the simulated account with it; "
    "run `sm-spaces demo serve`, export what it prints, and try again"
)
DEMO_BLOCK_NOTE = "preview only: this block points at a simulated account that stops with this program"


class Reach:
    def __init__(
        self,
        account: Account,
        services: Services,
        listing: ListingController,
        starter: SpaceActions,
        dialogs: Dialogs,
        notices: Notices,
    ) -> None:
        self._account = account
        self._services = services
        self._listing = listing
        self._starter = starter
        self._dialogs = dialogs
        self._notices = notices
        self.ssh_config_path: Path | None = None  # None: ~/.ssh/config (tests point it elsewhere)
        self._forwards: Forwards | None = None
        self._watchers: dict[Forward, asyncio.Task[None]] = {}

    # --- ssh config -----------------------------------------------------------------------------

    def _block(self) -> str:
        """The block `ssh-config install` would write for the regions shown, from the listing."""
        from ..connect.ssh_block import block_context, expected_block

        listing, regions = self._listing, self._listing.shown.regions
        if self._account.many is not None:
            # The block names one profile for every alias: several accounts' spaces cannot share it.
            raise _Refusal(
                "the ssh config block is one account's: start sm-spaces with that account's --profile "
                "(VS Code opens through the block too; c connects from here)"
            )
        if not regions or listing.loaded_at is None:
            raise _Refusal("the listing is not loaded yet; wait for it (or press r), then try again")
        # The profile as botocore resolves it, as `ssh-config install` bakes it in.
        profile = self._account.profile or os.environ.get("AWS_PROFILE") or None
        context = block_context(profile, regions[0], self._account.endpoint_url)
        seen: set[str] = set()
        spaces = []
        for space in listing.index.spaces:  # every space of the shown regions, whatever the filters
            if space.region in regions and space.alias and space.alias not in seen:
                seen.add(space.alias)
                spaces.append(space)
        return expected_block(spaces, context)

    async def _plan(self) -> PlanResult:
        from ..connect.ssh_config import default_config_path, install

        path = self.ssh_config_path or default_config_path()
        # Raises SshConfigConflict when a user-written Host claims one of our aliases.
        return await asyncio.to_thread(install, path, self._block(), dry_run=True)

    async def ssh_config(self) -> None:
        from ..connect.ssh_config import write_plan
        from .screens.ssh_config import SshConfigScreen

        title = "SSH config"
        with self._reported(title):
            plan = await self._plan()
            shown = _display(plan.path)
            if not plan.changed:
                self._notices.say(f"{shown}: the sm-spaces block is already up to date", title=title)
                return
            preview = self._account.demo
            note = DEMO_BLOCK_NOTE if preview else None
            ok = await self._dialogs.ask(SshConfigScreen(_diff(plan), shown, preview_note=note))
            if preview:
                return
            if not ok:
                self._notices.say(f"{shown} was not changed", title=title)
                return
            await asyncio.to_thread(write_plan, plan)
            self._notices.say(f"wrote {shown}: ssh sm-<space> now reaches a space", title=title)

    async def _alias_installed(self, space: Space) -> bool:
        """The space's alias in the block, installed after the user saw the diff; False if declined."""
        from ..connect.ssh_config import block_aliases, write_plan
        from .screens.ssh_config import SshConfigScreen

        plan = await self._plan()
        if space.alias not in block_aliases(plan.after.decode("utf-8", "replace")):
            raise _Refusal(
                f"{space.name} is missing from the listing the ssh config block is made from; "
                "refresh (r) and retry"
            )
        if not plan.changed:
            return True
        reason = f"{space.alias} needs the sm-spaces block"
        if not await self._dialogs.ask(SshConfigScreen(_diff(plan), _display(plan.path), reason=reason)):
            self._notices.say(
                f"{_display(plan.path)} was not changed; the editor was not opened", title="VS Code"
            )
            return False
        await asyncio.to_thread(write_plan, plan)
        return True

    # --- VS Code --------------------------------------------------------------------------------

    async def vscode(self, space: Space, editor_name: str = "code") -> None:
        from ..connect.editor import find_editor, server_install_path_set, server_install_path_tip

        with self._reported("VS Code"):
            if self._account.demo:
                raise _Refusal(DEMO_EDITOR_REFUSAL)
            editor, executable = find_editor(editor_name)  # before anything starts: fail fast and cheap
            running = await self._starter.ensure_running(space, "VS Code")
            if running is None or not await self._alias_installed(running):
                return
            self._notices.say(f"opening {running.alias} in {editor.product}", title=editor.product)
            proc = await asyncio.create_subprocess_exec(
                *editor.argv(executable, running.alias),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await proc.communicate()  # the editor's launcher returns once the window is asked for
            if proc.returncode:
                lines = err.decode("utf-8", "replace").strip().splitlines() or [""]
                raise _Refusal(
                    f"{editor.command} exited with status {proc.returncode}: {lines[-1]}".rstrip(": ")
                )
            if not server_install_path_set(editor, running.alias):
                self._notices.say(
                    server_install_path_tip(editor, running.alias), title=editor.product, timeout=15
                )

    # --- JupyterLab forwards --------------------------------------------------------------------

    @property
    def forwards(self) -> Forwards:
        if self._forwards is None:
            from ..connect.forward import Forwards

            self._forwards = Forwards()
        return self._forwards

    def open_forwards(self) -> list[Forward]:
        """The forwards that still listen (the `F` screen lists them)."""
        return [f for f in self._forwards or () if f.active]

    async def forward(self, space: Space) -> None:
        from ..connect.forward import Forward
        from ..connect.session import open_channel

        title = "Forward"
        with self._reported(title):
            for forward in self.forwards:
                if forward.host_alias == space.alias and forward.label == space.name:
                    self._notices.say(f"{space.name} is already forwarded: {forward.url}", title=title)
                    return
            running = await self._starter.ensure_running(space, title)
            if running is None:
                return
            svc = await self._services.get(running.region, running.account)
            forward = await self.forwards.open(
                Forward(lambda: open_channel(svc, running.arn), running.alias, label=running.name)
            )
            self._watchers[forward] = asyncio.create_task(self._watch(forward))
            moved = f" (port {forward.asked_port} was taken)" if forward.moved else ""
            self._notices.say(
                f"JupyterLab of {running.name}{moved}:\n{forward.url}\nF lists the open forwards",
                title=title,
                timeout=15,
            )

    async def _watch(self, forward: Forward) -> None:
        """A forward whose connection ends by itself (the space stopped) leaves the list, with a word."""
        await forward.wait_closed()
        if forward in list(self.forwards):
            self._watchers.pop(forward, None)
            await self.forwards.close(forward)
            self._notices.warn(
                f"the forward to {forward.label} closed: the connection to the space ended", title="Forward"
            )

    async def close_forward(self, forward: Forward) -> None:
        watcher = self._watchers.pop(forward, None)
        if watcher is not None:
            watcher.cancel()
        await self.forwards.close(forward)

    async def close_forwards(self) -> None:
        """On quit: every forward closed politely (TerminateSession), not left to the process exit."""
        if self._forwards is None:
            return
        watchers, self._watchers = list(self._watchers.values()), {}
        for watcher in watchers:
            watcher.cancel()
        await self._forwards.close_all()

    # --- failures -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reported(self, title: str) -> Iterator[None]:
        """Failures of these flows as one notification line: a refusal, a conflicting Host, a
        missing editor, a forward that could not listen, a profile that cannot be baked into
        ssh_config. (AwsError is reported by SpaceActions, with its banner for credentials.)"""
        from ..connect.editor import EditorMissing
        from ..connect.forward import ForwardError
        from ..connect.ssh_config import SshConfigError

        try:
            yield
        except (_Refusal, EditorMissing, ForwardError, SshConfigError, ValueError, OSError) as err:
            self._notices.fail(str(err) or type(err).__name__, title=title)


class _Refusal(Exception):
    """A reason the action cannot go on, said as is."""


def _display(path: Path) -> str:
    """A path as the user thinks of it: ~/.ssh/config rather than /home/them/.ssh/config."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home not in ("", "/") and text.startswith(home + os.sep) else text


def _diff(plan: PlanResult) -> str:
    from ..connect.ssh_config import unified_diff

    return unified_diff(plan.before, plan.after, _display(plan.path))
