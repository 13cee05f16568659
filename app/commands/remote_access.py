"""`remote-access SPACE [--enable]`: show or turn on a space's remote access (SpaceSettings.RemoteAccess,
what `aws sagemaker update-space --space-settings RemoteAccess=ENABLED` sets).

A stopped space is only updated and stays stopped. A running one must be stopped, updated and
started again (SageMaker applies the setting to the next app), so that asks first: unsaved work
in the space is lost.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from ..model import Space, SpaceStatus
from .changes import checked_instance_type, reported_if_interrupted
from .common import add_space_argument, aws_context, confirm, progress_printer
from .lookup import find_space

_EPILOG = """\
Without --enable, prints whether remote access is enabled (exit code 0 either way).
Remote access needs an instance with at least 8 GiB of memory: a running space on a smaller one
is restarted on the next size up, with your consent (--yes or --instance-type answers for you).
`sm-spaces start` enables remote access on the way too, as does connect when it starts a space.
"""


def add_parser(command) -> None:
    p = command("remote-access", "show or enable a space's remote access (needed to connect)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _EPILOG
    add_space_argument(p)
    p.add_argument("--enable", action="store_true", help="turn remote access on")
    p.add_argument("--instance-type", help="with --enable: instance type to restart a running space on")
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="restart a running space without asking (its unsaved work is lost)",
    )
    p.set_defaults(run=remote_access_command)


def remote_access_command(args: argparse.Namespace) -> int:
    instance_type = checked_instance_type(args)
    space = asyncio.run(_remote_access(args, instance_type))
    if space is None:
        print("remote access not enabled", file=sys.stderr)
        return 1
    state = "enabled" if space.remote_access else "disabled"
    print(f"{space.name}: remote access {state} ({space.status.value.lower()})")
    return 0


async def _remote_access(args: argparse.Namespace, instance_type: str | None) -> Space | None:
    """The space after the change (or as it is, without --enable); None when the user declined."""
    from ..aws.errors import NeedsLargerInstance

    async with aws_context(args) as (svc, _):
        space = await find_space(svc, args.space, args.domain)
        if not args.enable or space.remote_access:
            return space
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        if running and not confirm(
            f"{space.name} is running. Enabling remote access restarts it: unsaved work in it is lost. Go on?",
            assume_yes=args.yes,
            action=f"restarting {space.name}",
        ):
            return None
        async with reported_if_interrupted(svc, space, args, "enable"):
            try:
                return await svc.enable_remote_access(
                    space.domain_id, space.name, instance_type=instance_type, progress=progress_printer()
                )
            except NeedsLargerInstance as need:
                if not confirm(
                    f"{need.current} is too small for remote access (8 GiB needed). Use {need.suggested}?",
                    assume_yes=args.yes,
                    what_flag=f"--instance-type {need.suggested} or --yes",
                    action=f"moving {space.name} to {need.suggested}",
                ):
                    raise
                return await svc.enable_remote_access(
                    space.domain_id, space.name, instance_type=need.suggested, progress=progress_printer()
                )
