"""`list`, `start` and `stop`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import Space, status_label, stop_problem
from ..safe_text import safe_text
from .changes import (
    checked_instance_type,
    refuse_type_for_running,
    reported_if_interrupted,
    start_with_consent,
)
from .common import aws_context, confirm, describe_failure, progress_printer, refuse_unusable
from .lookup import find_space

if TYPE_CHECKING:
    from ..aws.listing import Listing

COLUMNS = ("DOMAIN", "USER PROFILE", "SPACE", "APP TYPE", "STATUS", "INSTANCE", "REMOTE ACCESS")
NONE = "-"  # an empty cell: no app type, no instance (a stopped space runs on nothing)


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("list", "list spaces with their status")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--domain", help="only this domain (id or name)")
    p.add_argument(
        "--user",
        metavar="USER_PROFILE",
        help="only the spaces this SageMaker user profile can use: its own and its domain's shared ones",
    )
    p.add_argument("--all-regions", action="store_true", help="every region that offers SageMaker")
    p.set_defaults(run=list_command)

    p = command("start", "start a space (enables remote access on the way)")
    p.add_argument("space", metavar="SPACE")
    p.add_argument("--domain", help="domain id or name, when the space name is ambiguous")
    p.add_argument("--instance-type", help="instance type to run on (e.g. ml.t3.large)")
    p.add_argument("--no-wait", action="store_true", help="return once the start is requested")
    p.add_argument("--yes", "-y", action="store_true", help="accept a larger instance when one is needed")
    p.set_defaults(run=start_command)

    p = command("stop", "stop a space (its unsaved work is lost)")
    p.add_argument("space", metavar="SPACE")
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
        "user_profile": None if space.shared else space.owner,  # a shared space is its domain's
        "app_type": space.app_type,
        "status": space.status.value,
        "space_status": space.space_status,  # SageMaker's own: tells Update_Failed from Delete_Failed
        "instance_type": space.instance_type,
        "remote_access": space.remote_access,
        "sharing": space.sharing,
        "alias": space.alias,
    }


def render_table(spaces: list[Space], *, regions: bool = False) -> str:
    # The model's strings are sanitised already; a table must hold one row per line whatever
    # reaches it, so its cells pass the same sanitiser again (the identity for clean text).
    header = (("REGION",) if regions else ()) + COLUMNS
    rows = [header] + [
        tuple(safe_text(cell) for cell in (*((s.region,) if regions else ()), *_cells(s))) for s in spaces
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _cells(s: Space) -> tuple[str, ...]:
    return (
        s.domain_name or s.domain_id,
        s.owner_label,
        s.name,
        s.app_type or NONE,
        status_label(s),
        s.instance_type or NONE,
        "enabled" if s.remote_access else "disabled",
    )


class NothingMatches(Exception):
    """A --domain or --user that matches nothing; the message names what exists instead."""


def _filter(listings: list[Listing], domain: str | None, user: str | None) -> list[Space]:
    """The spaces `domain` and `user` select. A name that does not exist, or a pair that selects
    nothing, raises NothingMatches naming what does exist: a script must not read it as "no spaces"."""
    where = _regions_text(listings)
    spaces = [s for listing in listings for s in listing.spaces]
    domains = [d for listing in listings for d in listing.domains]
    if domain:
        domains = [d for d in domains if domain in (d.domain_id, d.name)]
        if not domains:
            names = [
                f"{d.name} ({d.domain_id})" if d.name else d.domain_id
                for listing in listings
                for d in listing.domains
            ]
            raise NothingMatches(f"no domain {domain!r} in {where}; {_existing('domains', names)}")
        spaces = [s for s in spaces if domain in (s.domain_id, s.domain_name)]
    if user:
        in_domains = {d.domain_id for d in domains}
        profiles = [p for listing in listings for p in listing.user_profiles if p.domain_id in in_domains]
        theirs = {p.domain_id for p in profiles if p.name == user}
        if not theirs:
            of_domain = f" in domain {domain}" if domain else ""
            names = sorted({p.name for p in profiles})
            raise NothingMatches(
                f"no user profile {user!r}{of_domain} in {where}; {_existing('user profiles', names)}"
            )
        # Their own spaces, and the shared spaces of their domains (as the TUI's user-profile filter).
        spaces = [s for s in spaces if s.domain_id in theirs and (s.shared or s.owner == user)]
    if (domain or user) and not spaces:
        chosen = " and ".join(
            x for x in (domain and f"domain {domain}", user and f"user profile {user}") if x
        )
        raise NothingMatches(f"no spaces for {chosen} in {where}")
    return spaces


def _existing(what: str, names: list[str], shown: int = 8) -> str:
    if not names:
        return f"there are no {what}"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{what}: {', '.join(names[:shown])}{more}"


def _regions_text(listings: list[Listing]) -> str:
    regions = [listing.region for listing in listings]
    return regions[0] if len(regions) == 1 else f"{len(regions)} regions"


async def _list(args: argparse.Namespace) -> list[Listing]:
    async with aws_context(args) as (svc, _):
        if not args.all_regions:
            return [await svc.list_all()]
        from ..aws.listing import list_if_any

        # Every region's service shares svc's session: one credential chain, one service model.
        # The others are asked for their domains first: most are empty.
        regions = await svc.session.available_regions()
        services = [svc if region == svc.region else svc.in_region(region) for region in regions]
        try:
            results = await asyncio.gather(
                *(s.list_all() if s is svc else list_if_any(s) for s in services), return_exceptions=True
            )
        finally:
            for other in services:
                if other is not svc:
                    await other.aclose()
        listings: list[Listing] = []
        for region, result in zip(regions, results, strict=True):
            if isinstance(result, BaseException):
                print(f"sm-spaces: {region}: {describe_failure(result)}", file=sys.stderr)
            else:
                listings.append(result)
        return listings


def list_command(args: argparse.Namespace) -> int:
    listings = asyncio.run(_list(args))
    try:
        spaces = _filter(listings, args.domain, args.user)
    except NothingMatches as nothing:
        print(f"sm-spaces: {nothing}", file=sys.stderr)
        return 1
    if args.json:
        # The model's values, exactly (already sanitised where they entered it: see safe_text), in
        # JSON that escapes every non-ASCII character (ensure_ascii), so even a raw value would be inert.
        print(json.dumps([space_json(s) for s in spaces], indent=2, ensure_ascii=True))
    elif spaces:
        print(render_table(spaces, regions=args.all_regions))
    else:
        print(f"no spaces in {_regions_text(listings)}", file=sys.stderr)
    return 0


async def _start(args: argparse.Namespace, instance_type: str | None) -> Space:
    async with aws_context(args) as (svc, _):
        space = await find_space(svc, args.space, args.domain)
        refuse_type_for_running(space, instance_type)
        async with reported_if_interrupted(svc, space, args, "start"):
            return await start_with_consent(
                svc, space, instance_type=instance_type, yes=args.yes, wait=not args.no_wait
            )


def start_command(args: argparse.Namespace) -> int:
    space = asyncio.run(_start(args, checked_instance_type(args)))
    print(
        f"{space.name}: {space.status.value} on {space.instance_type or '?'}, "
        f"remote access {'enabled' if space.remote_access else 'disabled'}"
    )
    return 0


async def _stop(args: argparse.Namespace) -> Space | None:
    async with aws_context(args) as (svc, _):
        space = await find_space(svc, args.space, args.domain)
        await refuse_unusable(svc, space, stop_problem)  # asking first would be for nothing
        question = f"Stop {space.name} in {space.domain_name or space.domain_id}? Unsaved work in it is lost."
        if not confirm(question, assume_yes=args.yes, action=f"stopping {space.name}"):
            return None
        async with reported_if_interrupted(svc, space, args, "stop"):
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
