"""Connect from the TUI: start the space when it must (asking what `s` asks), then hand the terminal
to the system ssh with our ProxyCommand — the same argv as `sm-spaces connect` — and come back
when it exits. With the persist setting (P, config.toml's `persist`) the shell runs in tmux on the
space and a connection lost for good is reattached, as `sm-spaces connect --persist` does."""

from __future__ import annotations

from functools import partial

from textual.app import App

from ..model import Space
from .actions import SpaceActions
from .background import Background
from .handoff import Handoff, HandoffError, Runner, run_in_terminal
from .notices import Notices
from .services import Services

TITLE = "Connect"


class Connector:
    def __init__(
        self,
        app: App[int],
        services: Services,
        starter: SpaceActions,
        background: Background,
        notices: Notices,
    ) -> None:
        self._app = app  # suspended while ssh owns the terminal
        self._services = services
        self._starter = starter
        self._background = background
        self._notices = notices
        # Tests hand in a runner that works without a terminal (App.suspend cannot under run_test).
        self.process_runner: Runner | None = None
        self.persist = False  # the setting: a shell in tmux on the space, reattached when lost

    def toggle_persist(self) -> None:
        from ..connect.persist import TMUX_SESSION

        self.persist = not self.persist
        self._notices.say(
            f"connect keeps the shell in tmux session {TMUX_SESSION!r} on the space and reattaches "
            "when the connection is lost (a plain shell where tmux is missing)"
            if self.persist
            else "connect opens a plain shell, which ends with the connection",
            title="Persist " + ("on" if self.persist else "off"),
        )

    async def connect(self, space: Space) -> None:
        from ..aws.errors import AwsError
        from ..connect.handoff import AwsTarget, system_ssh_argv
        from ..connect.persist import REMOTE_COMMAND, run_persistent

        running = await self._starter.ensure_running(space, TITLE)
        if running is None:
            return
        # The account the space is in: its profile, or (Identity Center) its role's keys in env.
        profile, env = await self._services.child_reach(running.account)
        target = AwsTarget(profile, running.region, self._services.account.endpoint_url)
        try:
            command = [REMOTE_COMMAND] if self.persist else []
            argv = system_ssh_argv(running.alias, running.arn, target, command, extra=["-t"])
        except AwsError as err:  # no ssh on PATH: the message says what to install
            self._notices.fail(str(err), title=TITLE)
            return
        leave = "detach from tmux (ctrl-b d) or exit the shell" if self.persist else "exit the shell"
        runner = self.process_runner or partial(
            run_in_terminal,
            self._app,
            banner=f"sm-spaces: connecting to {running.name} ({running.alias}); {leave} to come back\n",
        )
        ended: list[Handoff] = []

        async def once() -> int:
            ended.append(await runner(argv, env))
            return ended[-1].returncode

        try:
            async with self._background.paused():
                if self.persist:  # between tries the TUI shows why it reattaches
                    await run_persistent(once, running.name, partial(self._notices.warn, title=TITLE))
                else:
                    await once()
        except HandoffError as err:
            self._notices.fail(str(err), title=TITLE)
            return
        result = ended[-1]
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
