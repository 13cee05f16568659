"""The full listing: every domain's spaces, apps and user profiles, joined into Space objects.

ListDomains, then every domain's ListSpaces, ListApps and ListUserProfiles at once: two round trips
deep for most accounts (more only for extra pages), instead of one call after another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.aws import parse
from app.model import App, Domain, Space, UserProfile, assign_aliases

if TYPE_CHECKING:
    from app.aws.service import SpacesService


@dataclass(frozen=True)
class Listing:
    region: str
    domains: list[Domain]
    user_profiles: list[UserProfile]
    spaces: list[Space]


async def paginate(svc: SpacesService, op: str, key: str, **params: Any) -> list[dict]:
    """All items of a paginated list call, following NextToken."""
    items: list[dict] = []
    token: str | None = None
    while True:
        page = await svc.call(op, **params, **({"NextToken": token} if token else {}))
        items.extend(i for i in page.get(key) or [] if isinstance(i, dict))
        token = page.get("NextToken")
        if not token:
            return items


async def list_all(svc: SpacesService, *, sso_users: bool = False) -> Listing:
    domain_items = await paginate(svc, "ListDomains", "Domains", MaxResults=100)
    domains = [parse.domain(d, svc.region) for d in domain_items]
    svc.remember_domains(domains)
    account_wide = _profiles_account_wide(svc, domains)
    contents, profiles = await asyncio.gather(
        asyncio.gather(*(_domain_contents(svc, d, sso_users, with_profiles=not account_wide) for d in domains)),
        _all_profiles(svc, domains, sso_users) if account_wide else _no_profiles(),
    )
    spaces: list[Space] = []
    for dom_spaces, dom_profiles in contents:
        spaces.extend(dom_spaces)
        profiles.extend(dom_profiles)
    spaces.sort(key=lambda s: (s.domain_name, s.name))
    return Listing(svc.region, domains, profiles, assign_aliases(spaces))


def _profiles_account_wide(svc: SpacesService, domains: list[Domain]) -> bool:
    """Whether to list user profiles with one account-wide chain of pages instead of per domain.

    Per domain, profiles add one call per domain to the fan-out. Once spaces and apps alone fill
    more than one wave of the concurrency limit, those extra calls cost whole round trips, while an
    account-wide chain of pages runs beside the fan-out in a single slot.
    """
    return 2 * len(domains) > svc.limit.maximum


async def _no_profiles() -> list[UserProfile]:
    return []


async def _domain_contents(
    svc: SpacesService, dom: Domain, sso_users: bool, *, with_profiles: bool = True
) -> tuple[list[Space], list[UserProfile]]:
    space_items, app_items, profiles = await asyncio.gather(
        paginate(svc, "ListSpaces", "Spaces", DomainIdEquals=dom.domain_id, MaxResults=100),
        paginate(svc, "ListApps", "Apps", DomainIdEquals=dom.domain_id, MaxResults=100),
        _user_profiles(svc, dom, sso_users) if with_profiles else _no_profiles(),
    )
    partition, account = parse.arn_account(dom.arn)
    apps_by_space: dict[str, list[App]] = defaultdict(list)
    for item in app_items:
        app = parse.app(item)
        if app is not None:
            apps_by_space[app.space_name].append(app)
    spaces = []
    for item in space_items:
        app = parse.pick_app(apps_by_space.get(str(item.get("SpaceName")), []))
        spaces.append(parse.space_summary(item, dom, account, partition, app))
    return spaces, profiles


async def _user_profiles(svc: SpacesService, dom: Domain, sso_users: bool) -> list[UserProfile]:
    items = await paginate(
        svc, "ListUserProfiles", "UserProfiles", DomainIdEquals=dom.domain_id, MaxResults=100
    )
    return await _profiles_of(svc, items, sso_users)


async def _all_profiles(svc: SpacesService, domains: list[Domain], sso_users: bool) -> list[UserProfile]:
    known = {d.domain_id for d in domains}
    items = await paginate(svc, "ListUserProfiles", "UserProfiles", MaxResults=100)
    return await _profiles_of(svc, [i for i in items if i.get("DomainId") in known], sso_users)


async def _profiles_of(svc: SpacesService, items: list[dict], sso_users: bool) -> list[UserProfile]:
    if not sso_users:
        return [parse.user_profile(i) for i in items]
    # Only an Identity Center caller needs SingleSignOnUserValue, and only DescribeUserProfile has it.
    described = await asyncio.gather(
        *(
            svc.call("DescribeUserProfile", DomainId=i["DomainId"], UserProfileName=i["UserProfileName"])
            for i in items
            if i.get("UserProfileName") and i.get("DomainId")
        )
    )
    return [parse.user_profile(d) for d in described]
