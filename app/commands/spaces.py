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
from .common import add_space_argument, aws_context, confirm, progress_printer, refuse_unusable
from .lookup import find_space

if TYPE_CHECKING:
    from ..aws.accounts import AccountRef
    from ..aws.listing import Listing
    from .accounts import AccountListing


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
    p.add_argument(
        "--all-accounts",
        action="store_true",
        default=argparse.SUPPRESS,  # given before `list` (a global option of the TUI's) it holds too
        help="every account your IAM Identity Center login (aws sso login) reaches; "
        "--profile given more than once lists those profiles' accounts",
    )
    p.set_defaults(run=list_command)

    p = command("start", "start a space (enables remote access on the way)")
    add_space_argument(p)
    p.add_argument("--instance-type", help="instance type to run on (e.g. ml.t3.large)")
    p.add_argument("--no-wait", action="store_true", help="return once the start is requested")
    p.add_argument("--yes", "-y", action="store_true", help="accept a larger instance when one is needed")
    p.set_defaults(run=start_command)

    p = command("stop", "stop a space (its unsaved work is lost)")
    add_space_argument(p)
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


def account_json(space: Space, ref: AccountRef | None) -> dict:
    """A space's JSON row with the account it is in and the profile that reached it."""
    row = space_json(space)
    row["account_id"] = space.account
    row["profile"] = ref.profile if ref is not None else None
    if ref is not None and ref.role is not None:  # reached through Identity Center
        row["account_name"], row["role"] = ref.label, ref.role
    return row


def render_table(
    spaces: list[Space], *, regions: bool = False, accounts: dict[str, str] | None = None
) -> str:
    """The table; `accounts` (account id -> name) adds an ACCOUNT column in front."""
    # The model's strings are sanitised already; a table must hold one row per line whatever
    # reaches it, so its cells pass the same sanitiser again (the identity for clean text).
    header = (("ACCOUNT",) if accounts is not None else ()) + (("REGION",) if regions else ()) + COLUMNS

    def front(s: Space) -> tuple[str, ...]:
        named = (accounts.get(s.account, s.account),) if accounts is not None else ()
        return named + ((s.region,) if regions else ())

    rows = [header] + [tuple(safe_text(cell) for cell in (*front(s), *_cells(s))) for s in spaces]
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


async def _list(args: argparse.Namespace) -> list[AccountListing]:
    """One account (the profile's), or several side by side (accounts.py)."""
    from ..aws.accounts import profile_ref
    from .accounts import AccountListing, list_accounts, list_regions, several_accounts

    if several_accounts(args):
        return await list_accounts(args)
    async with aws_context(args) as (svc, _):
        # Every region's service shares svc's session: one credential chain, one service model.
        listings, failures = await list_regions(svc, args.all_regions)
        return [AccountListing(profile_ref(svc.profile), listings, failures)]


def list_command(args: argparse.Namespace) -> int:
    from .accounts import report_failures, several_accounts

    several = several_accounts(args)
    found = asyncio.run(_list(args))
    report_failures(found, named=several)
    listings = [listing for account in found for listing in account.listings]
    if several and not listings:  # every account failed, each said why above
        return 1
    ref_of = {
        space.key: account.ref
        for account in found
        for listing in account.listings
        for space in listing.spaces
    }
    try:
        spaces = _filter(listings, args.domain, args.user)
    except NothingMatches as nothing:
        print(f"sm-spaces: {nothing}", file=sys.stderr)
        return 1
    if args.json:
        # The model's values, exactly (already sanitised where they entered it: see safe_text), in
        # JSON that escapes every non-ASCII character (ensure_ascii), so even a raw value would be inert.
        rows = [account_json(s, ref_of.get(s.key)) for s in spaces]
        print(json.dumps(rows, indent=2, ensure_ascii=True))
    elif spaces:
        names = {s.account: ref_of[s.key].label for s in spaces if s.key in ref_of} if several else None
        print(render_table(spaces, regions=args.all_regions, accounts=names))
    else:
        print(f"no spaces in {_regions_text(listings) if listings else 'any account'}", file=sys.stderr)
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
