"""Quitting while a change is under way: what to ask first, and what to say when the user insists.

A flow that has made some of its calls and not the rest leaves the space half way (a start that
enabled remote access but never created the app leaves it Stopped with remote access on), so `q` and
Ctrl-C ask first; if the user quits anyway, each space's state is said on stderr with the command
that finishes the job.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from ..model import Space
from .services import Account


class Change(StrEnum):
    """What a flow is doing to a space, in the words of the quit question."""

    START = "starting"
    STOP = "stopping"
    RESTART = "restarting with remote access"
    REMOTE_ACCESS = "getting remote access"
    INSTANCE_TYPE = "changing its instance type"
    IDLE_TIMEOUT = "changing its idle timeout"


# The CLI command that finishes each change (after the space's name and context options).
_FINISH: dict[Change, list[str]] = {
    Change.START: ["start"],
    Change.STOP: ["stop", "--yes"],
    Change.RESTART: ["start"],  # start enables remote access when the space lacks it
    Change.REMOTE_ACCESS: ["start"],
    Change.INSTANCE_TYPE: ["start"],
    Change.IDLE_TIMEOUT: [],  # one UpdateSpace call: SageMaker finishes it by itself
}


@dataclass(frozen=True)
class Underway:
    change: Change
    space: Space  # as the flow began; the listing has its latest state


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
        lines.append(f"{said}; to finish: {shlex.join(argv)}")
    return lines
