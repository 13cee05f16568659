"""Everyday reach from the TUI: the ssh config block (same plan and diff as `ssh-config install`),
VS Code / Cursor through that block (as `connect --vscode`), and JupyterLab forwards that live in
the app — not in the tree — so a refresh never closes them. Mixed into SpacesApp; `self` is the app."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Space

if TYPE_CHECKING:
    from ..connect.forward import Forward, Forwards
    from .app import SpacesApp

# The forwards and the dialogs are imported by the actions that use them, not before the first frame.

# What `connect --vscode --demo` says: an editor outlives the simulated account it would point at.
DEMO_EDITOR_REFUSAL = (
    "VS Code cannot use --demo: the editor outlives this program, and the simulated account with it; "
    "run `sm-spaces demo serve`, export what it prints, and try again"
)
DEMO_BLOCK_NOTE = "preview only: this block points at a simulated account that stops with this program"


class ReachActions:
    ssh_config_path: Path | None = None  # None: ~/.ssh/config (tests point it elsewhere)
    _forwards: Forwards | None = None
    _forward_watchers: dict[Forward, asyncio.Task[None]] | None = None

    # --- ssh config -----------------------------------------------------------------------------

    def action_ssh_config(self: SpacesApp) -> None:
        self.run_worker(self._ssh_config_flow(), group="ssh-config", exit_on_error=False)

    def _block(self: SpacesApp) -> str:
        """The block `ssh-config install` would write for the regions shown, from the listing."""
        from ..commands.sshconfig import explicit_block_context
        from ..connect.ssh_block import expected_block

        if not self.regions or self.loaded_at is None:
            raise _Refusal("the listing is not loaded yet; wait for it (or press r), then try again")
        context = explicit_block_context(
            argparse.Namespace(profile=self.profile, region=self.regions[0], endpoint_url=self.endpoint_url)
        )
        seen: set[str] = set()
        spaces = []
        for space in self.index.spaces:  # every space of the shown regions, whatever the filters
            if space.region in self.regions and space.alias and space.alias not in seen:
                seen.add(space.alias)
                spaces.append(space)
        return expected_block(spaces, context)

    async def _plan(self: SpacesApp):  # type: ignore[no-untyped-def]
        from ..connect.ssh_config import default_config_path, install

        path = self.ssh_config_path or default_config_path()
        # Raises SshConfigConflict when a user-written Host claims one of our aliases.
        return await asyncio.to_thread(install, path, self._block(), dry_run=True)

    async def _ssh_config_flow(self: SpacesApp) -> None:
        from ..connect.ssh_config import write_plan
        from .screens.ssh_config import SshConfigScreen

        with _reported(self, "SSH config"):
            plan = await self._plan()
            if not plan.changed:
                self.notify(
                    f"{_display(plan.path)}: the sm-spaces block is already up to date",
                    title="SSH config",
                    markup=False,
                )
                return
            preview = self.demo_mode
            ok = await self.push_screen_wait(
                SshConfigScreen(
                    _diff(plan), _display(plan.path), preview_note=DEMO_BLOCK_NOTE if preview else None
                )
            )
            if preview or not ok:
                if not preview:
                    self.notify(f"{_display(plan.path)} was not changed", title="SSH config", markup=False)
                return
            await asyncio.to_thread(write_plan, plan)
            self.notify(
                f"wrote {_display(plan.path)}: ssh sm-<space> now reaches a space",
                title="SSH config",
                markup=False,
            )

    async def _alias_installed(self: SpacesApp, space: Space) -> bool:
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
        if not await self.push_screen_wait(
            SshConfigScreen(
                _diff(plan), _display(plan.path), reason=f"{space.alias} needs the sm-spaces block"
            )
        ):
            self.notify(
                f"{_display(plan.path)} was not changed; the editor was not opened",
                title="VS Code",
                markup=False,
            )
            return False
        await asyncio.to_thread(write_plan, plan)
        return True

    # --- VS Code --------------------------------------------------------------------------------

    async def _vscode_flow(self: SpacesApp, space: Space, editor_name: str = "code") -> None:
        from ..connect.editor import find_editor, server_install_path_set, server_install_path_tip

        with _reported(self, "VS Code"):
            if self.demo_mode:
                raise _Refusal(DEMO_EDITOR_REFUSAL)
            editor, executable = find_editor(editor_name)  # before anything starts: fail fast and cheap
            running = await self.ensure_running(space, "VS Code")
            if running is None or not await self._alias_installed(running):
                return
            self.notify(f"opening {running.alias} in {editor.product}", title=editor.product, markup=False)
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
                self.notify(
                    server_install_path_tip(editor, running.alias),
                    title=editor.product,
                    timeout=15,
                    markup=False,
                )

    # --- JupyterLab forwards --------------------------------------------------------------------

    @property
    def forwards(self: SpacesApp) -> Forwards:
        if self._forwards is None:
            from ..connect.forward import Forwards

            self._forwards, self._forward_watchers = Forwards(), {}
        return self._forwards

    def action_forwards(self: SpacesApp) -> None:
        from .screens.forwards import ForwardsScreen

        self.push_screen(ForwardsScreen())

    async def _forward_flow(self: SpacesApp, space: Space) -> None:
        from ..connect.forward import Forward
        from ..connect.session import open_channel

        with _reported(self, "Forward"):
            for forward in self.forwards:
                if forward.host_alias == space.alias and forward.label == space.name:
                    self.notify(
                        f"{space.name} is already forwarded: {forward.url}", title="Forward", markup=False
                    )
                    return
            running = await self.ensure_running(space, "Forward")
            if running is None:
                return
            svc = await self.service(running.region)
            forward = await self.forwards.open(
                Forward(lambda: open_channel(svc, running.arn), running.alias, label=running.name)
            )
            assert self._forward_watchers is not None
            self._forward_watchers[forward] = asyncio.create_task(self._watch_forward(forward))
            moved = f" (port {forward.asked_port} was taken)" if forward.moved else ""
            self.notify(
                f"JupyterLab of {running.name}{moved}:\n{forward.url}\nF lists the open forwards",
                title="Forward",
                timeout=15,
                markup=False,
            )

    async def _watch_forward(self: SpacesApp, forward: Forward) -> None:
        """A forward whose connection ends by itself (the space stopped) leaves the list, with a word."""
        await forward.wait_closed()
        if forward in list(self.forwards):
            await self.forwards.close(forward)
            self.notify(
                f"the forward to {forward.label} closed: the connection to the space ended",
                title="Forward",
                severity="warning",
                markup=False,
            )

    async def close_forward(self: SpacesApp, forward: Forward) -> None:
        watcher = (self._forward_watchers or {}).pop(forward, None)
        if watcher is not None:
            watcher.cancel()
        await self.forwards.close(forward)

    async def close_forwards(self: SpacesApp) -> None:
        """On quit: every forward closed politely (TerminateSession), not left to the process exit."""
        if self._forwards is None:
            return
        for watcher in (self._forward_watchers or {}).values():
            watcher.cancel()
        self._forward_watchers = {}
        await self._forwards.close_all()


class _Refusal(Exception):
    """A reason the action cannot go on, said as is."""


@contextlib.contextmanager
def _reported(app: SpacesApp, title: str):  # type: ignore[no-untyped-def]
    """Failures of these flows as one notification line: a refusal, a conflicting Host, a missing
    editor, a forward that could not listen, a profile that cannot be baked into ssh_config."""
    from ..commands.common import UsageError
    from ..connect.editor import EditorMissing
    from ..connect.forward import ForwardError
    from ..connect.ssh_config import SshConfigError

    try:
        yield
    except (_Refusal, UsageError, EditorMissing, ForwardError, SshConfigError, ValueError, OSError) as err:
        app.notify(str(err) or type(err).__name__, title=title, severity="error", timeout=10, markup=False)


def _display(path: Path) -> str:
    """A path as the user thinks of it: ~/.ssh/config rather than /home/them/.ssh/config."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home not in ("", "/") and text.startswith(home + os.sep) else text


def _diff(plan) -> str:  # type: ignore[no-untyped-def]
    from ..connect.ssh_config import unified_diff

    return unified_diff(plan.before, plan.after, _display(plan.path))
