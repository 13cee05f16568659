"""Finding the space a command names, and saying where it is when it is not where the user looked.

A space missing from the region in use is looked for in the other regions: first those of the
user's settings (the regions the TUI shows), then the rest of the partition's SageMaker regions,
each wave at once and one filtered ListSpaces call per region, so a miss costs about one round trip.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..aws.errors import AwsError

if TYPE_CHECKING:
    from ..aws.service import SpacesService
    from ..model import Space

# Other regions are asked briefly (seconds to connect, to answer): a region that does not answer
# soon is not where the space is.
ELSEWHERE_CONNECT_TIMEOUT, ELSEWHERE_READ_TIMEOUT = 3.0, 5.0


async def find_space(svc: SpacesService, name: str, domain: str | None = None) -> Space:
    """svc.find_space, whose "no such space" names the other regions that hold one of that name.
    A name SageMaker cannot have is refused before any call."""
    from ..names import check_space_name
    from .common import UsageError

    try:
        check_space_name(name)
    except ValueError as err:
        raise UsageError(f"{err}; see `sm-spaces list`") from None
    try:
        return await svc.find_space(name, domain)
    except AwsError as err:
        if err.kind != "not_found":
            raise
        found = await regions_holding(svc, name, domain)
        if not found:
            raise
    where = found[0] if len(found) == 1 else ", ".join(found[:-1]) + f" and {found[-1]}"
    raise AwsError(
        f"{name} is not in {svc.region}, but in {where}: pass --region {found[0]}",
        kind="not_found",
        fix=f"--region {found[0]}",
    )


async def regions_holding(svc: SpacesService, name: str, domain: str | None = None) -> list[str]:
    """The other regions with a space called `name` (in `domain`, when given as an id)."""
    from ..aws.context import ServicePool
    from ..aws.known_values import sagemaker_regions

    settings = [r for r in _settings_regions() if r != svc.region]
    _partition, partition_regions = sagemaker_regions(svc.region)
    rest = [r for r in partition_regions if r != svc.region and r not in settings]
    # svc's session: the credentials and SageMaker's service model are not loaded again per region.
    pool = ServicePool(
        svc.profile,
        endpoint_url=svc.endpoint_url,
        session=svc.session,
        connect_timeout=ELSEWHERE_CONNECT_TIMEOUT,
        read_timeout=ELSEWHERE_READ_TIMEOUT,
    )
    try:
        for wave in (settings, rest):
            hits = await asyncio.gather(*(_holds(pool.get(r), name, domain) for r in wave))
            found = [region for region, hit in zip(wave, hits, strict=True) if hit]
            if found:
                return found
    finally:
        await pool.aclose()
    return []


async def _holds(svc: SpacesService, name: str, domain: str | None) -> bool:
    from ..aws.listing import paginate

    try:
        items = await paginate(svc, "ListSpaces", "Spaces", SpaceNameContains=name, MaxResults=100)
    except AwsError:  # a region not enabled for the account, or unreachable: not there, then
        return False
    # A domain given by name cannot be told from a summary (it carries the id only).
    by_id = domain if domain and domain.startswith("d-") else None
    return any(
        item.get("SpaceName") == name and (by_id is None or item.get("DomainId") == by_id) for item in items
    )


def _settings_regions() -> list[str]:
    from ..config import load_settings

    settings, _problem = load_settings()  # a broken settings file only means no extra regions here
    return list(settings.regions)
