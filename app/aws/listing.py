"""The full listing: every domain's spaces, apps and user profiles, joined into Space objects.

ListSpaces, ListApps and ListUserProfiles need no domain, so the first round asks ListDomains and
the account-wide first page of each at once: an account whose spaces and apps fit in one page is
listed in one round trip. Otherwise the second round asks every domain's pages at once (one or a
few waves of the bound on calls in flight) rather than following a long account-wide chain of pages.
A refresh of such an account asks its known domains' pages in the first round already, beside
ListDomains, which still decides what is listed. User profiles follow their account-wide chain
beside all this, in a single slot.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import App, Domain, Space, UserProfile, alias_for
from . import parse

if TYPE_CHECKING:
    from .service import SpacesService

PAGE = 100  # the most these calls allow; AWS's default page is 10


@dataclass(frozen=True)
class Listing:
    region: str
    domains: list[Domain]
    user_profiles: list[UserProfile]
    spaces: list[Space]


def _items(page: Any, key: str) -> list[dict]:
    items = page.get(key) if isinstance(page, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


async def paginate(svc: SpacesService, op: str, key: str, **params: Any) -> list[dict]:
    """All items of a paginated list call, following NextToken."""
    items: list[dict] = []
    page = await svc.call(op, **params)
    while True:
        items.extend(_items(page, key))
        token = page.get("NextToken") if isinstance(page, dict) else None
        if not token:
            return items
        page = await svc.call(op, **params, NextToken=token)


async def _all_or_nothing(*calls: Awaitable[Any]) -> list[Any]:
    """asyncio.gather that cancels the other calls when one fails (no orphans spending rate limit)."""
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


async def list_all(svc: SpacesService, *, sso_users: bool = False) -> Listing:
    # The first round's calls are made first, so they take slots before any speculative call.
    profiles = asyncio.ensure_future(paginate(svc, "ListUserProfiles", "UserProfiles", MaxResults=PAGE))
    first_round = [
        asyncio.ensure_future(paginate(svc, "ListDomains", "Domains", MaxResults=PAGE)),
        asyncio.ensure_future(svc.call("ListSpaces", MaxResults=PAGE)),
        asyncio.ensure_future(svc.call("ListApps", MaxResults=PAGE)),
    ]
    # A refresh of an account the last listing had to fan out over: its domains' pages are asked
    # at once, beside ListDomains, rather than a round trip later; ListDomains still decides.
    early = {domain_id: asyncio.ensure_future(_domain_items(svc, domain_id)) for domain_id in svc.fanned_out}
    pending = [profiles, *first_round, *early.values()]
    try:
        domain_items, first_spaces, first_apps = await _all_or_nothing(*first_round)
        domains = [parse.domain(d, svc.region) for d in domain_items]
        svc.remember_domains(domains)
        known = {d.domain_id: d for d in domains}
        for gone in early.keys() - known.keys():  # deleted since the last listing
            _discard(early.pop(gone))
        spaces_of = _complete_page_by_domain(first_spaces, "Spaces", known)
        apps_of = _complete_page_by_domain(first_apps, "Apps", known)
        # Each domain's spaces are built as soon as its pages arrive, while other calls are in flight.
        per_domain = await _all_or_nothing(
            *(_domain_spaces(svc, d, spaces_of, apps_of, early.get(d.domain_id)) for d in domains)
        )
        profile_items = await profiles
    except BaseException:
        for task in pending:
            _discard(task)
        raise
    svc.fanned_out = list(known) if spaces_of is None or apps_of is None else []
    user_profiles = await _profiles_of(svc, [i for i in profile_items if _domain_of(i, known)], sso_users)
    spaces = [space for chunk in per_domain for space in chunk]
    _set_aliases(spaces)
    spaces.sort(key=lambda s: (s.domain_name, s.name))
    return Listing(svc.region, domains, user_profiles, spaces)


def _discard(task: asyncio.Future) -> None:
    """Cancel a call nobody needs any more, and take its failure, if it had one, so none is logged."""
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())


def _complete_page_by_domain(page: Any, key: str, domains: dict[str, Domain]) -> dict[str, list[dict]] | None:
    """An account-wide first page grouped by domain, when it holds everything; None when it does not
    (then every domain's own pages are asked at once, rather than a long chain of account-wide pages)."""
    if isinstance(page, dict) and page.get("NextToken"):
        return None
    grouped: dict[str, list[dict]] = defaultdict(list)
    for item in _items(page, key):
        dom = _domain_of(item, domains)
        if dom is not None:  # else a domain created since ListDomains answered: the next refresh shows it
            grouped[dom.domain_id].append(item)
    return grouped


async def _domain_items(
    svc: SpacesService,
    domain_id: str,
    spaces_of: dict[str, list[dict]] | None = None,
    apps_of: dict[str, list[dict]] | None = None,
) -> tuple[list[dict], list[dict]]:
    """One domain's space summaries and apps: from the account-wide first page that held them all,
    else every page of the domain's own."""
    return await asyncio.gather(
        _items_of(svc, "ListSpaces", "Spaces", domain_id, spaces_of),
        _items_of(svc, "ListApps", "Apps", domain_id, apps_of),
    )


async def _domain_spaces(
    svc: SpacesService,
    dom: Domain,
    spaces_of: dict[str, list[dict]] | None,
    apps_of: dict[str, list[dict]] | None,
    early: asyncio.Future | None = None,
) -> list[Space]:
    space_items, app_items = await (
        early if early is not None else _domain_items(svc, dom.domain_id, spaces_of, apps_of)
    )
    apps: dict[str, list[App]] = defaultdict(list)
    for item in app_items:
        app = parse.app(item)
        if app is not None:
            apps[app.space_name].append(app)
    partition, account = parse.arn_account(dom.arn)
    spaces = []
    for item in space_items:
        name = item.get("SpaceName")
        app = parse.pick_app(apps.get(name, []) if isinstance(name, str) else [])
        spaces.append(parse.space_summary(item, dom, account, partition, app))
    return spaces


async def _items_of(
    svc: SpacesService, op: str, key: str, domain_id: str, known: dict[str, list[dict]] | None
) -> list[dict]:
    if known is not None:
        return known.get(domain_id, [])
    return await paginate(svc, op, key, DomainIdEquals=domain_id, MaxResults=PAGE)


def _domain_of(item: dict, domains: dict[str, Domain]) -> Domain | None:
    domain_id = item.get("DomainId")
    return domains.get(domain_id) if isinstance(domain_id, str) else None


def _set_aliases(spaces: list[Space]) -> None:
    """Each space's ssh alias: `sm-<space>`, with the domain only where two spaces share a name.

    Set in place on Space objects this listing has just built and nobody else has seen yet (as
    a frozen dataclass's own __init__ does), instead of copying every Space to change one field.
    """
    shorts = [alias_for(s.name) for s in spaces]
    counts: dict[str, int] = defaultdict(int)
    for short in shorts:
        counts[short] += 1
    for space, short in zip(spaces, shorts, strict=True):
        alias = short if counts[short] == 1 else alias_for(space.name, space.domain_id)
        object.__setattr__(space, "alias", alias)


async def _profiles_of(svc: SpacesService, items: list[dict], sso_users: bool) -> list[UserProfile]:
    if not sso_users:
        return [parse.user_profile(i) for i in items]
    # Only an Identity Center caller needs SingleSignOnUserValue, and only DescribeUserProfile has it.
    described = await _all_or_nothing(
        *(
            svc.call("DescribeUserProfile", DomainId=i["DomainId"], UserProfileName=i["UserProfileName"])
            for i in items
            if i.get("UserProfileName") and i.get("DomainId")
        )
    )
    return [parse.user_profile(d) for d in described]


async def list_if_any(svc: SpacesService) -> Listing:
    """list_all for a region the user may not use at all (`--all-regions`): ListDomains alone
    first, and nothing more where it finds no domain, as in most regions of most accounts. A
    region with domains costs one round trip more than list_all; every empty one three calls less."""
    if not await paginate(svc, "ListDomains", "Domains", MaxResults=PAGE):
        return Listing(svc.region, [], [], [])
    return await list_all(svc)
