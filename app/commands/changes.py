"""Changing a space from the command line: the instance type checked before any call, consent
before a start that costs money, and, on Ctrl-C, what the space was left as and how to finish.

Shared by `start`, `stop`, `remote-access` and the commands that start a space to reach it
(`connect`, `connect --vscode`, `forward`).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..model import SpaceStatus
from .common import Interrupted, UsageError, confirm, progress_printer

if TYPE_CHECKING:
    from ..aws.service import SpacesService
    from ..model import Space

# After Ctrl-C, how long to wait for DescribeSpace before saying the state is unknown.
REPORT_TIMEOUT_S = 5.0


def add_start_options(parser: argparse.ArgumentParser, *, yes_also: str = "") -> None:
    """--instance-type and --yes of the commands that start a stopped space to reach it."""
    parser.add_argument(
        "--instance-type", help="instance type to start a stopped space on (default: the space's own)"
    )
    parser.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help=f"start a stopped space without asking, on a larger instance when one is needed{yes_also}",
    )


def checked_instance_type(args: argparse.Namespace) -> str | None:
    """--instance-type, refused with one line when SageMaker has no such type for spaces or it is
    too small for remote access; called before any API call."""
    from ..aws.known_values import check_instance_type

    value = getattr(args, "instance_type", None)
    if value is None:
        return None
    try:
        return check_instance_type(value)
    except ValueError as err:
        raise UsageError(f"--instance-type: {err}") from None


def refuse_type_for_running(space: Space, instance_type: str | None) -> None:
    """--instance-type only says what a stopped space starts on; a running space keeps its own."""
    if instance_type is None or space.status not in (SpaceStatus.RUNNING, SpaceStatus.STARTING):
        return
    if instance_type == space.instance_type:
        return
    raise UsageError(
        f"{space.name} is already {space.status.value.lower()} on {space.instance_type or 'its instance'}; "
        f"--instance-type applies when a stopped space starts (stop it first to change it)"
    )


async def start_with_consent(
    svc: SpacesService,
    space: Space,
    *,
    instance_type: str | None,
    yes: bool,
    wait: bool = True,
) -> Space:
    """Start `space`; when remote access needs a bigger instance, ask (or take --yes) first."""
    from ..aws.errors import NeedsLargerInstance

    progress = progress_printer()
    try:
        return await svc.start_space(
            space.domain_id, space.name, instance_type=instance_type, progress=progress, wait=wait
        )
    except NeedsLargerInstance as need:
        question = (
            f"{space.name} runs on {need.current}, too small for remote access (8 GiB needed). "
            f"Start it on {need.suggested}?"
        )
        if not confirm(
            question,
            assume_yes=yes,
            what_flag=f"--instance-type {need.suggested} or --yes",
            action=f"starting {space.name} on {need.suggested}",
        ):
            raise
        return await svc.start_space(
            space.domain_id, space.name, instance_type=need.suggested, progress=progress, wait=wait
        )


async def consent_to_start(
    svc: SpacesService, space: Space, args: argparse.Namespace, purpose: str
) -> str | None:
    """Before `connect`/`forward` start a stopped space: ask, naming the instance type it will run
    (and bill) on. The instance type to start with (None: the space's own); UsageError when the
    answer is no, or there is nobody to ask and neither --yes nor the ask_before_start setting says so."""
    from ..config import load_settings
    from ..model import DEFAULT_INSTANCE_TYPE, remote_access_upgrade

    asked = getattr(args, "instance_type", None)
    detail = await svc.describe_space(space.domain_id, space.name)
    default = detail.instance_type or DEFAULT_INSTANCE_TYPE
    bigger = None if asked else remote_access_upgrade(default)
    chosen = asked or bigger or default
    notes = [detail.app_type or "its app"]
    if bigger:
        notes.append(f"its {default} is too small for remote access")
    if not detail.remote_access:
        notes.append("remote access gets enabled")
    state = "failed" if space.status is SpaceStatus.FAILED else space.status.value.lower()
    question = f"{space.name} is {state}. Start it on {chosen} ({'; '.join(notes)}) to {purpose}?"
    settings, _problem = load_settings()
    ask = not args.yes and (settings.ask_before_start or bigger is not None)
    if ask and not confirm(question, assume_yes=False, action=f"starting {space.name} on {chosen}"):
        raise UsageError(f"{space.name} was not started")
    if not ask:
        print(f"starting {space.name} on {chosen}", file=sys.stderr)
    return asked or bigger


@asynccontextmanager
async def reported_if_interrupted(
    svc: SpacesService, space: Space, args: argparse.Namespace, verb: str
) -> AsyncIterator[None]:
    """Ctrl-C while `space` is being changed (`verb`: start, stop, enable) ends the command with
    what the space is left as and the command that finishes the job (exit code 130)."""
    try:
        yield
    except asyncio.CancelledError:  # asyncio.run's answer to the first Ctrl-C
        raise Interrupted(await _left_as(svc, space, args, verb)) from None


async def _left_as(svc: SpacesService, space: Space, args: argparse.Namespace, verb: str) -> str:
    """ "interrupted: <the space's state now>; <the command that finishes the job>"."""
    name = space.name
    try:
        now = await asyncio.wait_for(svc.describe_space(space.domain_id, name), REPORT_TIMEOUT_S)
    except Exception:
        return f"interrupted: what {name} was left as is unknown; see {again(args, 'list')}"
    status, access = now.status, "with" if now.remote_access else "without"
    start = again(args, "start", name, *_instance_flag(args))
    stop = again(args, "stop", name)
    enable = again(args, "remote-access", name, "--enable")
    # Enabling remote access on a running space ends running again; on a stopped one, stopped.
    restart = verb == "enable" and space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
    if status is SpaceStatus.STARTING:
        return f"interrupted: {name} is starting and goes on by itself; {start} waits for it, {stop} stops it"
    if status is SpaceStatus.STOPPING:
        then = (
            stop + " waits for it"
            if verb == "stop"
            else f"then {enable if verb == 'enable' else start} finishes the job"
        )
        return f"interrupted: {name} is stopping and goes on by itself; {then}"
    if status is SpaceStatus.UPDATING:
        then = f"; then {start} starts it" if verb == "start" or restart else ""
        return f"interrupted: {name} is being updated and then stays stopped{then}"
    if status is SpaceStatus.RUNNING:
        if verb == "stop":
            return f"interrupted: {name} is still running; {again(args, 'stop', name, '--yes')} stops it"
        if verb == "enable" and not now.remote_access:
            return f"interrupted: {name} is still running without remote access; {enable} restarts it with it"
        return f"interrupted: {name} is running, {access} remote access"
    if status is SpaceStatus.STOPPED:
        if verb == "stop" or (verb == "enable" and now.remote_access and not restart):
            return f"interrupted: {name} is stopped, {access} remote access"
        if verb == "enable" and not now.remote_access:
            return f"interrupted: {name} is stopped, without remote access; {enable} finishes the job"
        return f"interrupted: {name} is stopped, {access} remote access; {start} starts it"
    return f"interrupted: {name} is {status.value.lower()}; see {again(args, 'list')}"


def _instance_flag(args: argparse.Namespace) -> list[str]:
    value = getattr(args, "instance_type", None)
    return ["--instance-type", value] if value else []


def again(args: argparse.Namespace, command: str, *words: str) -> str:
    """The sm-spaces command line that does `command` in the same context as this one."""
    context: list[str] = []
    if getattr(args, "demo", False):
        context.append("--demo")
    for flag in ("profile", "region", "endpoint_url"):
        if value := getattr(args, flag, None):
            context += [f"--{flag.replace('_', '-')}", value]
    domain = ["--domain", args.domain] if getattr(args, "domain", None) and command != "list" else []
    return "`" + shlex.join(["sm-spaces", *context, command, *words, *domain]) + "`"
