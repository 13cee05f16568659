"""`list` over several accounts (`--profile` more than once, `--all-accounts`) and several regions
(`--all-regions`): each account's listing runs at once with its own credentials; an account or a
region that fails is one line on stderr and hides none of the others."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .common import check_known_region, describe_failure, profiles_of

if TYPE_CHECKING:
    from ..aws.accounts import AccountRef
    from ..aws.clients import AwsSession
    from ..aws.listing import Listing
    from ..aws.service import SpacesService
    from ..demo.server import DemoServer


@dataclass
class AccountListing:
    """What one account holds in the regions asked, and what could not be listed."""

    ref: AccountRef
    listings: list[Listing] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line each


def several_accounts(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "all_accounts", False)) or len(profiles_of(args)) > 1


async def list_regions(svc: SpacesService, all_regions: bool) -> tuple[list[Listing], list[str]]:
    """The service's region, or every region offering SageMaker (each asked for its domains first:
    most are empty), sharing svc's session; a failed region is a line, not the end."""
    if not all_regions:
        return [await svc.list_all()], []
    from ..aws.listing import list_if_any

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
    listings, failures = [], []
    for region, result in zip(regions, results, strict=True):
        if isinstance(result, BaseException):
            failures.append(f"{region}: {describe_failure(result)}")
        else:
            listings.append(result)
    return listings, failures


async def list_accounts(args: argparse.Namespace) -> list[AccountListing]:
    """Every account the arguments name, listed at once."""
    from ..aws.clients import AwsSession

    if getattr(args, "demo", False):
        from ..demo.server import DemoServer

        async with DemoServer(transition_delay=1.0) as server:
            login = demo_login(server)
            base = AwsSession(login.profile, config_file=login.config_file)
            return await _each(args, await _demo_refs(login, base), base, server.region, server.endpoint_url)
    from ..aws.accounts import expand

    profiles = profiles_of(args)
    base = AwsSession(profiles[0])
    refs = await expand(profiles, bool(getattr(args, "all_accounts", False)), base)
    return await _each(args, refs, base, getattr(args, "region", None), getattr(args, "endpoint_url", None))


def demo_login(server: DemoServer):  # -> SsoLogin (imported lazily: botocore)
    """The simulated Identity Center login, read from the demo's own AWS config and token cache."""
    from ..aws.sso import login_of
    from ..demo.sso_files import PROFILE

    files = server.sso_files
    assert files is not None  # written when the server started
    login = login_of(
        PROFILE,
        config_file=str(files.config_file),
        cache_dir=str(files.cache_dir),
        endpoint_url=server.endpoint_url,
    )
    assert login is not None  # the demo's profile is an Identity Center one
    return login


async def _demo_refs(login, base: AwsSession) -> list[AccountRef]:
    from ..aws.accounts import sso_refs

    return await sso_refs(login, base)


async def _each(
    args: argparse.Namespace,
    refs: list[AccountRef],
    base: AwsSession,
    region: str | None,
    endpoint_url: str | None,
) -> list[AccountListing]:
    return list(await asyncio.gather(*(_one(args, ref, base, region, endpoint_url) for ref in refs)))


async def _one(
    args: argparse.Namespace, ref: AccountRef, base: AwsSession, region: str | None, endpoint_url: str | None
) -> AccountListing:
    from ..aws.accounts import service_for

    found = AccountListing(ref)
    try:
        svc = service_for(
            ref, base, region=region or getattr(args, "region", None), endpoint_url=endpoint_url
        )
        async with svc:
            check_known_region(svc, args)
            found.listings, found.failures = await list_regions(
                svc, bool(getattr(args, "all_regions", False))
            )
    except Exception as exc:  # this account's failure: a line, the others still listed
        found.failures.append(describe_failure(exc))
    return found


def report_failures(found: list[AccountListing], *, named: bool) -> None:
    for account in found:
        for line in account.failures:
            role = f" as {account.ref.role}" if account.ref.role else ""
            where = f"{account.ref.title}{role}: " if named else ""
            print(f"sm-spaces: {where}{line}", file=sys.stderr)
