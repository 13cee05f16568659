"""Connect from the TUI: start the space when it must (asking what `s` asks), then hand the terminal
to the system ssh with our ProxyCommand — the same argv as `sm-spaces connect` — and come back
when it exits. Mixed into SpacesApp through SpaceActions; `self` is the app."""

from __future__ import annotations

import importlib
from functools import partial
from typing import TYPE_CHECKING

from ..model import Space, SpaceStatus
from .handoff import HandoffError, Runner, background_paused, child_env, run_in_terminal

if TYPE_CHECKING:
    from .app import SpacesApp


class ConnectActions:
    # Tests replace this with a runner that works without a terminal (see app/ui/handoff.py).
    process_runner: Runner | None = None

    @property
    def demo_mode(self: SpacesApp) -> bool:
        """Running on the simulated account of --demo, which ends with this program."""
        return self.cache_profile == "demo"

    # --- start if needed ------------------------------------------------------------------------

    async def ensure_running(self: SpacesApp, space: Space, purpose: str) -> Space | None:
        """`space` running with remote access, started (with consent where `s` asks) when it is
        not; None when the user declined or read-only mode forbids the start."""
        svc = await self.service(space.region)
        fresh = await svc.describe_space(space.domain_id, space.name)  # the tree may be a refresh behind
        fresh = fresh.with_alias(space.alias) if space.alias else fresh
        self.apply_space(fresh)
        if fresh.status is SpaceStatus.RUNNING and fresh.remote_access:
            return fresh
        if self.readonly:
            state = (
                "runs without remote access"
                if fresh.status is SpaceStatus.RUNNING
                else f"is {fresh.status.value.lower()}"
            )
            self.notify(
                f"{space.name} {state}; read-only mode cannot start or change it",
                title=purpose,
                severity="warning",
                markup=False,
            )
            return None
        if fresh.status is SpaceStatus.RUNNING:
            if not await self._ask(
                f"Restart {space.name} with remote access?",
                f"{space.name} runs without remote access, which {purpose.lower()} needs: it is stopped, "
                "updated and started again.\nUnsaved work in open editors, notebooks and terminals is lost.",
                "Restart",
            ):
                return None
            self.notify(f"Restarting {space.name} with remote access…", title=purpose, markup=False)
            started = await self._with_upgrade(
                fresh,
                lambda itype: svc.enable_remote_access(
                    space.domain_id, space.name, instance_type=itype, progress=self._progress(fresh)
                ),
            )
        else:
            self.notify(
                f"{space.name} is {fresh.status.value.lower()}; starting it…", title=purpose, markup=False
            )
            started = await self._with_upgrade(
                fresh,
                lambda itype: svc.start_space(
                    space.domain_id, space.name, instance_type=itype, progress=self._progress(fresh)
                ),
            )
        if started is None:
            return None
        started = started.with_alias(space.alias) if space.alias else started
        self.apply_space(started)
        return started

    # --- ssh ------------------------------------------------------------------------------------

    async def _connect_flow(self: SpacesApp, space: Space) -> None:
        handoff = importlib.import_module("..connect.handoff", __package__)
        errors = importlib.import_module("..aws.errors", __package__)
        running = await self.ensure_running(space, "Connect")
        if running is None:
            return
        svc = await self.service(running.region)
        target = handoff.AwsTarget(svc.profile, svc.region, svc.endpoint_url)
        try:
            argv = handoff.system_ssh_argv(running.alias, running.arn, target, [], extra=["-t"])
        except errors.AwsError as err:  # no ssh on PATH: the message says what to install
            self.notify(str(err), title="Connect", severity="error", timeout=10, markup=False)
            return
        runner = self.process_runner or partial(
            run_in_terminal,
            self,
            banner=f"sm-spaces: connecting to {running.name} ({running.alias}); exit the shell to come back\n",
        )
        try:
            async with background_paused(self):
                result = await runner(argv, child_env(self))
        except HandoffError as err:
            self.notify(str(err), title="Connect", severity="error", timeout=10, markup=False)
            return
        if result.returncode < 0:  # ssh itself was ended by a signal (Ctrl-C before the session began)
            self.notify(
                f"ssh to {running.name} was interrupted", title="Connect", severity="warning", markup=False
            )
        elif result.returncode != 0:
            why = result.failure_line()
            self.notify(
                f"ssh to {running.name} ended with status {result.returncode}" + (f": {why}" if why else ""),
                title="Connect",
                severity="error" if result.returncode == 255 else "warning",
                timeout=10,
                markup=False,
            )
