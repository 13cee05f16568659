"""The full listing: every domain's spaces, apps and user profiles, joined into Space objects.

ListSpaces, ListApps and ListUserProfiles need no domain, so the first round asks ListDomains and
the account-wide first page of each at once: an account whose spaces and apps fit in one page is
listed in one round trip. Otherwise the second round asks every domain's pages at once (one or a
few waves of the concurrency limit) rather than following a long account-wide chain of pages.
User profiles follow their account-wide chain beside all this, in a single slot.
"""

from __future__ import annotations

import asyncio
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Iterator

from app.aws import parse
from app.model import App, Domain, Space, UserProfile, alias_for

if TYPE_CHECKING:
    from app.aws.service import SpacesService

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


async def paginate(svc: SpacesService, op: str, key: str, first: dict | None = None, **params: Any) -> list[dict]:
    """All items of a paginated list call, following NextToken (from `first`, when given)."""
    items: list[dict] = []
    page = first if first is not None else await svc.call(op, **params)
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


_gc_pauses = 0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a listing decodes its pages.

    A large listing allocates hundreds of thousands of dicts (the JSON pages) that live until the
    join; each allocation burst triggers collections that walk every live object of the program,
    which cost as much CPU as the listing itself (measured: 0.2-0.4 s of 0.45-0.65 s for 10,000
    spaces). Nothing a listing builds holds a cycle, so pausing is safe; overlapping listings
    (several regions) share one pause, and the collector resumes when the last one ends.
    """
    global _gc_pauses
    if _gc_pauses == 0 and not gc.isenabled():
        yield  # someone else turned it off: leave it alone
        return
    _gc_pauses += 1
    gc.disable()
    try:
        yield
    finally:
        _gc_pauses -= 1
        if _gc_pauses == 0:
            gc.enable()


async def list_all(svc: SpacesService, *, sso_users: bool = False) -> Listing:
    with cyclic_gc_paused():
        return await _list_all(svc, sso_users)


async def _list_all(svc: SpacesService, sso_users: bool) -> Listing:
    profiles = asyncio.ensure_future(paginate(svc, "ListUserProfiles", "UserProfiles", MaxResults=PAGE))
    try:
        domain_items, first_spaces, first_apps = await _all_or_nothing(
            paginate(svc, "ListDomains", "Domains", MaxResults=PAGE),
            svc.call("ListSpaces", MaxResults=PAGE),
            svc.call("ListApps", MaxResults=PAGE),
        )
        domains = [parse.domain(d, svc.region) for d in domain_items]
        svc.remember_domains(domains)
        space_items, app_items = await _all_or_nothing(
            _rest(svc, "ListSpaces", "Spaces", first_spaces, domains),
            _rest(svc, "ListApps", "Apps", first_apps, domains),
        )
        profile_items = await profiles
    except BaseException:
        profiles.cancel()
        raise
    known = {d.domain_id: d for d in domains}
    user_profiles = await _profiles_of(svc, [i for i in profile_items if _domain_of(i, known)], sso_users)
    return Listing(svc.region, domains, user_profiles, _join(known, space_items, app_items))


async def _rest(svc: SpacesService, op: str, key: str, first: dict, domains: list[Domain]) -> list[dict]:
    """The account-wide first page when it is complete; else every domain's pages, all at once."""
    if not (isinstance(first, dict) and first.get("NextToken")):
        return _items(first, key)
    per_domain = await _all_or_nothing(
        *(paginate(svc, op, key, DomainIdEquals=d.domain_id, MaxResults=PAGE) for d in domains)
    )
    return [item for items in per_domain for item in items]


def _domain_of(item: dict, domains: dict[str, Domain]) -> Domain | None:
    domain_id = item.get("DomainId")
    return domains.get(domain_id) if isinstance(domain_id, str) else None


def _join(domains: dict[str, Domain], space_items: list[dict], app_items: list[dict]) -> list[Space]:
    """Spaces of the listed domains with their apps, sorted, each built once with its ssh alias."""
    apps: dict[tuple[str, str], list[App]] = defaultdict(list)
    for item in app_items:
        app = parse.app(item)
        if app is not None:
            apps[app.domain_id, app.space_name].append(app)
    rows = []
    short_count: dict[str, int] = defaultdict(int)
    for item in space_items:
        dom = _domain_of(item, domains)
        if dom is None:  # a domain created since ListDomains answered: the next refresh shows it
            continue
        name = item.get("SpaceName")
        short = alias_for(name) if isinstance(name, str) else ""
        short_count[short] += 1
        rows.append((dom.name, name if isinstance(name, str) else "", dom, item, short))
    rows.sort(key=lambda row: (row[0], row[1]))
    arns = {d.domain_id: parse.arn_account(d.arn) for d in domains.values()}
    spaces = []
    for _, name, dom, item, short in rows:
        partition, account = arns[dom.domain_id]
        alias = short if short_count[short] == 1 else alias_for(name, dom.domain_id)
        app = parse.pick_app(apps.get((dom.domain_id, name), []))
        spaces.append(parse.space_summary(item, dom, account, partition, app, alias))
    return spaces


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
