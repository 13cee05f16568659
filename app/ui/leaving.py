"""Quitting while a change is under way: what to ask first, and what to say when the user insists.

A flow that has made some of its calls and not the rest leaves the space half way (a start that
enabled remote access but never created the app leaves it Stopped with remote access on), so `q` and
Ctrl-C ask first; if the user quits anyway, each space's state is said on stderr with the command
that finishes the job.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

from textual.app import App

from ..model import Space
from .services import Account
from .view import SpaceIndex


class Change(StrEnum):
    """What a flow is doing to a space, in the words of the quit question."""

    START = "starting"
    STOP = "stopping"
    RESTART = "restarting with remote access"
    REMOTE_ACCESS = "getting remote access"
    INSTANCE_TYPE = "changing its instance type"
    IDLE_TIMEOUT = "changing its idle timeout"
    EDIT = "being edited"
    DELETE = "being deleted"


# The CLI command that finishes each change (after the space's name and context options).
_FINISH: dict[Change, list[str]] = {
    Change.START: ["start"],
    Change.STOP: ["stop", "--yes"],
    Change.RESTART: ["start"],  # start enables remote access when the space lacks it
    Change.REMOTE_ACCESS: ["start"],
    Change.INSTANCE_TYPE: ["start"],
    Change.IDLE_TIMEOUT: [],  # one UpdateSpace call: SageMaker finishes it by itself
    Change.EDIT: [],  # likewise (an edit that restarts the space is INSTANCE_TYPE's)
    Change.DELETE: ["delete", "--yes"],
}


class Underway(NamedTuple):
    change: Change
    space: Space  # as the flow began; the listing has its latest state


class Leaving:
    """q and Ctrl-C: quit, or while a change is under way ask first. Quitting again while asked
    (y, q, Ctrl-C, a second SIGINT) insists; `farewell` then holds what run.py prints on stderr."""

    def __init__(
        self,
        app: App[int],
        account: Account,
        underway: Mapping[tuple[str, str, str], Underway],
        index: SpaceIndex,
    ) -> None:
        self._app = app
        self._account = account
        self._underway = underway  # SpaceActions.underway, live
        self._index = index  # the listing's latest state of each space
        self._asked = False  # the quit question is open
        self.farewell: list[str] = []

    def leave(self, code: int) -> None:
        underway = list(self._underway.values())
        if not underway or self._asked:
            if underway:
                latest = {u.space.key: self._index.find(u.space.key) or u.space for u in underway}
                self.farewell = left_behind(underway, latest, self._account)
            self._app.exit(return_code=code)
            return
        from .screens.confirm import ConfirmScreen

        def answered(quit_anyway: bool | None) -> None:
            self._asked = bool(quit_anyway)
            if quit_anyway:
                self.leave(code)

        self._asked = True
        self._app.push_screen(
            ConfirmScreen("Quit while a change is under way?", question(underway), "Quit anyway"), answered
        )


def question(changes: list[Underway]) -> str:
    lines = [f"{u.space.name} is {u.change.value}." for u in changes]
    lines.append(
        "\nQuitting leaves each space as it is at that moment; sm-spaces says which state that is "
        "and the command that finishes the job."
    )
    return "\n".join(lines)


def left_behind(
    changes: list[Underway], latest: dict[tuple[str, str, str], Space], account: Account
) -> list[str]:
    """One line per change the user quit during: the state the space is left in, and how to finish."""
    lines = []
    for u in changes:
        space = latest.get(u.space.key, u.space)
        remote = "remote access on" if space.remote_access else "remote access off"
        said = f"{space.name} was {u.change.value} and is left {space.status.value} ({remote})"
        if account.demo:
            lines.append(f"{said}; the simulated account of --demo ends with sm-spaces")
            continue
        finish = _FINISH[u.change]
        if not finish:
            lines.append(f"{said}; SageMaker finishes the change by itself")
            continue
        argv = ["sm-spaces", *finish[:1], space.name, *finish[1:], "--domain", space.domain_id]
        argv += ["--region", space.region]
        if account.profile:
            argv += ["--profile", account.profile]
        if account.endpoint_url:
            argv += ["--endpoint-url", account.endpoint_url]
        import shlex  # only when quitting mid-change: not before the first frame

        lines.append(f"{said}; to finish: {shlex.join(argv)}")
    return lines
