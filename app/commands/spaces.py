"""`list`, `start` and `stop`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import Space
from ..safe_text import safe_text
from .common import aws_context, confirm, describe_failure, progress_printer

if TYPE_CHECKING:
    from ..aws.service import SpacesService

COLUMNS = ("DOMAIN", "USER PROFILE", "SPACE", "APP TYPE", "STATUS", "INSTANCE", "REMOTE ACCESS")


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("list", "list spaces with their status")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--domain", help="only this domain (id or name)")
    p.add_argument("--user", help="only spaces owned by this user profile")
    p.add_argument("--all-regions", action="store_true", help="every region that offers SageMaker")
    p.set_defaults(run=list_command)

    p = command("start", "start a space (enables remote access on the way)")
    p.add_argument("space")
    p.add_argument("--domain", help="domain id or name, when the space name is ambiguous")
    p.add_argument("--instance-type", help="instance type to run on (e.g. ml.t3.large)")
    p.add_argument("--no-wait", action="store_true", help="return once the start is requested")
    p.add_argument("--yes", "-y", action="store_true", help="accept a larger instance when one is needed")
    p.set_defaults(run=start_command)

    p = command("stop", "stop a space (its unsaved work is lost)")
    p.add_argument("space")
    p.add_argument("--domain", help="domain id or name, when the space name is ambiguous")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--no-wait", action="store_true", help="return once the stop is requested")
    p.set_defaults(run=stop_command)


def space_json(space: Space) -> dict:
    return {
        "arn": space.arn,
        "region": space.region,
        "domain_id": space.domain_id,
        "domain_name": space.domain_name,
        "space_name": space.name,
        "display_name": space.display_name,
        "user_profile": space.owner,
        "app_type": space.app_type,
        "status": space.status.value,
        "instance_type": space.instance_type,
        "remote_access": space.remote_access,
        "sharing": space.sharing,
        "alias": space.alias,
    }


def render_table(spaces: list[Space]) -> str:
    # The model's strings are sanitised already; a table must hold one row per line whatever
    # reaches it, so its cells pass the same sanitiser again (the identity for clean text).
    rows = [COLUMNS] + [
        tuple(
            safe_text(cell)
            for cell in (
                s.domain_name or s.domain_id,
                s.owner or "(shared)",
                s.name,
                s.app_type or "-",
                s.status.value,
                s.instance_type or "-",
                "enabled" if s.remote_access else "disabled",
            )
        )
        for s in spaces
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _filter(spaces: list[Space], domain: str | None, user: str | None) -> list[Space]:
    if domain:
        spaces = [s for s in spaces if domain in (s.domain_id, s.domain_name)]
    if user:
        spaces = [s for s in spaces if s.owner == user]
    return spaces


async def _list(args: argparse.Namespace) -> list[Space]:
    async with aws_context(args) as (svc, _):
        if not args.all_regions:
            return (await svc.list_all()).spaces
        # Every region's service shares svc's session: one credential chain, one service model.
        regions = await svc.session.available_regions()
        services = [svc if region == svc.region else svc.in_region(region) for region in regions]
        try:
            results = await asyncio.gather(*(s.list_all() for s in services), return_exceptions=True)
        finally:
            for other in services:
                if other is not svc:
                    await other.aclose()
        spaces: list[Space] = []
        for region, result in zip(regions, results, strict=True):
            if isinstance(result, BaseException):
                print(f"sm-spaces: {region}: {describe_failure(result)}", file=sys.stderr)
            else:
                spaces.extend(result.spaces)
        return spaces


def list_command(args: argparse.Namespace) -> int:
    spaces = _filter(asyncio.run(_list(args)), args.domain, args.user)
    if args.json:
        # The model's values, exactly (already sanitised where they entered it: see safe_text), in
        # JSON that escapes every non-ASCII character (ensure_ascii), so even a raw value would be inert.
        print(json.dumps([space_json(s) for s in spaces], indent=2, ensure_ascii=True))
    elif spaces:
        print(render_table(spaces))
    else:
        print("no spaces found", file=sys.stderr)
    return 0


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


async def _start(args: argparse.Namespace) -> Space:
    async with aws_context(args) as (svc, _):
        space = await svc.find_space(args.space, args.domain)
        return await start_with_consent(
            svc, space, instance_type=args.instance_type, yes=args.yes, wait=not args.no_wait
        )


def start_command(args: argparse.Namespace) -> int:
    space = asyncio.run(_start(args))
    print(
        f"{space.name}: {space.status.value} on {space.instance_type or '?'}, "
        f"remote access {'enabled' if space.remote_access else 'disabled'}"
    )
    return 0


async def _stop(args: argparse.Namespace) -> Space | None:
    async with aws_context(args) as (svc, _):
        space = await svc.find_space(args.space, args.domain)
        question = f"Stop {space.name} in {space.domain_name or space.domain_id}? Unsaved work in it is lost."
        if not confirm(question, assume_yes=args.yes, action=f"stopping {space.name}"):
            return None
        return await svc.stop_space(
            space.domain_id, space.name, progress=progress_printer(), wait=not args.no_wait
        )


def stop_command(args: argparse.Namespace) -> int:
    space = asyncio.run(_stop(args))
    if space is None:
        print("not stopped", file=sys.stderr)
        return 1
    print(f"{space.name}: {space.status.value}")
    return 0
