"""The regions the ssh config block covers, and the spaces it should hold for them.

A block holds one alias per space of every region it covers: the region in use (whose `sm-*`
catch-all it names), the regions of the user's settings (those the TUI shows, and ssh-proxy's
catch-all also searches), and the regions the installed block already holds (each alias's ARN
names its region), so that no command silently drops a region another one added. `ssh-config
install|show`, `connect --vscode` and `doctor` all judge the block from this same set.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Space, assign_aliases
from ..names import SpaceArn, is_space_arn

if TYPE_CHECKING:
    from ..aws.listing import Listing
    from ..aws.service import SpacesService


def covered_regions(region: str, installed: str | None) -> list[str]:
    """`region` first, then the settings' regions, then the installed block's, each once."""
    from ..config import load_settings

    settings, _problem = load_settings()  # a broken settings file means no extra regions, not a failure
    ordered = [region, *settings.regions, *block_regions(installed or "")]
    return list(dict.fromkeys(ordered))


def block_regions(block: str) -> list[str]:
    """The regions of the space ARNs a block's ProxyCommand lines name, in order of appearance."""
    words = (word.strip("'\"") for word in block.split())
    return list(dict.fromkeys(SpaceArn.parse(w).region for w in words if is_space_arn(w)))


def installed_block_at(path: Path) -> str | None:
    """The block installed in `path`, or None (no file, no block, or one we cannot read)."""
    from ..file_checks import read_regular
    from .ssh_block import installed_block
    from .ssh_config import SshConfigError

    try:
        return installed_block(read_regular(path))  # a FIFO or a device is refused, never waited on
    except (OSError, SshConfigError):  # the command's own reading of the file reports the problem
        return None


async def spaces_in(
    svc: SpacesService,
    regions: list[str],
    failed: dict[str, BaseException] | None = None,
    *,
    mostly_empty: bool = False,
) -> list[Space]:
    """Every space of `regions`, listed at once, with aliases assigned across all of them (a name
    used in two regions gets the domain-qualified alias in both, as within one region). With
    `failed`, a region that cannot be listed (not enabled for the account, say) is left out and
    its error put there; without it, the error is raised. With `mostly_empty` (every region of the
    partition), regions other than svc's are asked for their domains first (listing.list_if_any)."""
    from ..aws.listing import list_if_any

    others = {r: svc.in_region(r) for r in regions if r != svc.region}  # sharing svc's session
    lister = list_if_any if mostly_empty else _list_all
    try:
        results = await asyncio.gather(
            *(svc.list_all() if r == svc.region else lister(others[r]) for r in regions),
            return_exceptions=failed is not None,
        )
    finally:
        for other in others.values():
            await other.aclose()
    spaces: list[Space] = []
    for region, result in zip(regions, results, strict=True):
        if isinstance(result, BaseException):
            if failed is None or not isinstance(result, Exception):
                raise result
            failed[region] = result
        else:
            spaces.extend(result.spaces)
    return assign_aliases(spaces)


async def _list_all(svc: SpacesService) -> Listing:
    return await svc.list_all()
