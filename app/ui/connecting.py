"""Connect from the TUI: start the space when it must (asking what `s` asks), then hand the terminal
to the system ssh with our ProxyCommand — the same argv as `sm-spaces connect` — and come back
when it exits."""

from __future__ import annotations

from functools import partial

from textual.app import App

from ..model import Space
from .actions import SpaceActions
from .background import Background
from .handoff import HandoffError, Runner, run_in_terminal
from .notices import Notices
from .services import Account

TITLE = "Connect"


class Connector:
    def __init__(
        self, app: App[int], account: Account, starter: SpaceActions, background: Background, notices: Notices
    ) -> None:
        self._app = app  # suspended while ssh owns the terminal
        self._account = account
        self._starter = starter
        self._background = background
        self._notices = notices
        # Tests hand in a runner that works without a terminal (App.suspend cannot under run_test).
        self.process_runner: Runner | None = None

    async def connect(self, space: Space) -> None:
        from ..aws.errors import AwsError
        from ..connect.handoff import AwsTarget, system_ssh_argv

        running = await self._starter.ensure_running(space, TITLE)
        if running is None:
            return
        account = self._account
        target = AwsTarget(account.profile, running.region, account.endpoint_url)
        try:
            argv = system_ssh_argv(running.alias, running.arn, target, [], extra=["-t"])
        except AwsError as err:  # no ssh on PATH: the message says what to install
            self._notices.fail(str(err), title=TITLE)
            return
        runner = self.process_runner or partial(
            run_in_terminal,
            self._app,
            banner=f"sm-spaces: connecting to {running.name} ({running.alias}); exit the shell to come back\n",
        )
        try:
            async with self._background.paused():
                result = await runner(argv, account.child_env())
        except HandoffError as err:
            self._notices.fail(str(err), title=TITLE)
            return
        if result.returncode < 0:  # ssh itself was ended by a signal (Ctrl-C before the session began)
            self._notices.warn(f"ssh to {running.name} was interrupted", title=TITLE)
        elif result.returncode != 0:
            why = result.failure_line()
            # 255: the connection failed or was lost (and could not be resumed); one key brings it back.
            again = "; press c to connect again" if result.returncode == 255 else ""
            self._notices.say(
                f"ssh to {running.name} ended with status {result.returncode}"
                + (f": {why}" if why else "")
                + again,
                title=TITLE,
                severity="error" if result.returncode == 255 else "warning",
                timeout=10,
            )
