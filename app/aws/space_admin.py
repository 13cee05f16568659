"""A space's whole life: create, edit and delete, in the order SageMaker requires the calls.

CreateSpace needs an owner (OwnershipSettings) and a sharing type; the owner of a private space is
the caller's user profile, known for sure only for an Identity Center caller (its
SingleSignOnUserValue, as the "my spaces" filter finds it), else named by the user. A space's EBS
volume may grow up to the MaximumEbsVolumeSizeInGb of the settings that apply to it: the owner's
UserSettings (falling back to the domain's DefaultUserSettings) for a private space, the domain's
DefaultSpaceSettings for a shared one, whose presence is what lets a domain hold shared spaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Space, SpaceStatus, remote_access_upgrade
from ..space_changes import NewSpace, SpaceEdit, SpaceOptions
from . import lifecycle, parse
from .errors import AwsError, NeedsRestart
from .listing import PAGE, paginate

if TYPE_CHECKING:
    from .lifecycle import Progress
    from .service import SpacesService


def _storage(block: Any) -> tuple[int, int] | None:
    """(default, maximum) GiB of a DefaultSpaceStorageSettings block, when it sets them."""
    ebs = parse.as_dict(parse.as_dict(block).get("DefaultEbsStorageSettings"))
    low, high = (
        parse.as_int(ebs.get("DefaultEbsVolumeSizeInGb")),
        parse.as_int(ebs.get("MaximumEbsVolumeSizeInGb")),
    )
    return (low or 5, high or 100) if low is not None or high is not None else None


async def options(
    svc: SpacesService, domain_id: str, *, owner: str | None = None, shared: bool = False
) -> SpaceOptions:
    """What `domain_id` allows a space of `owner` (or a shared one): profiles, storage, idle bounds."""
    domain = await svc.call("DescribeDomain", DomainId=domain_id)
    items = await paginate(svc, "ListUserProfiles", "UserProfiles", DomainIdEquals=domain_id, MaxResults=PAGE)
    names = tuple(
        sorted(str(i["UserProfileName"]) for i in items if isinstance(i.get("UserProfileName"), str))
    )
    mine = await _callers_profile(svc, domain_id, names)
    defaults = parse.as_dict(domain.get("DefaultUserSettings"))
    space_defaults = domain.get("DefaultSpaceSettings")
    blocks: list[Any] = []
    if shared:
        blocks.append(parse.as_dict(space_defaults).get("SpaceStorageSettings"))
    elif (whose := owner if owner in names else mine) is not None:
        profile = await svc.call("DescribeUserProfile", DomainId=domain_id, UserProfileName=whose)
        blocks.append(parse.as_dict(profile.get("UserSettings")).get("SpaceStorageSettings"))
    blocks.append(defaults.get("SpaceStorageSettings"))
    default_gib, max_gib = next((found for b in blocks if (found := _storage(b))), (5, 100))
    return SpaceOptions(
        domain_id=domain_id,
        domain_name=parse.as_str(domain.get("DomainName")) or domain_id,
        profiles=names,
        mine=mine,
        shared_allowed=isinstance(space_defaults, dict),
        default_storage_gib=default_gib,
        max_storage_gib=max_gib,
    )


async def _callers_profile(svc: SpacesService, domain_id: str, names: tuple[str, ...]) -> str | None:
    """The user profile of an Identity Center caller in the domain (its SingleSignOnUserValue)."""
    import asyncio

    who = (await svc.caller()).sso_user
    if not who:
        return None
    described = await asyncio.gather(
        *(svc.call("DescribeUserProfile", DomainId=domain_id, UserProfileName=n) for n in names)
    )
    mine = [n for n, d in zip(names, described, strict=True) if d.get("SingleSignOnUserValue") == who]
    return mine[0] if len(mine) == 1 else None


def owner_for(opts: SpaceOptions, user: str | None) -> str:
    """The owner of a new space: `user` when given (it must exist), else the caller's profile."""
    shown = ", ".join(opts.profiles[:8]) + (" …" if len(opts.profiles) > 8 else "")
    if user is not None:
        if user not in opts.profiles:
            raise AwsError(
                f"no user profile {user!r} in domain {opts.domain_name}; its user profiles: {shown or 'none'}",
                kind="validation",
            )
        return user
    if opts.mine:
        return opts.mine
    if not opts.profiles:
        raise AwsError(f"domain {opts.domain_name} has no user profiles to own a space", kind="validation")
    raise AwsError(
        f"which user profile owns the space? pass --user (user profiles in {opts.domain_name}: {shown})",
        kind="validation",
    )


def check_storage(opts: SpaceOptions, gib: int, current: int | None = None) -> None:
    if current is not None and gib < current:
        raise AwsError(f"storage cannot shrink: the space has {current} GiB", kind="validation")
    if not 5 <= gib <= opts.max_storage_gib:
        raise AwsError(
            f"storage must be from 5 to {opts.max_storage_gib} GiB (the domain's maximum)", kind="validation"
        )


async def create(svc: SpacesService, new: NewSpace, progress: Progress) -> Space:
    """CreateSpace, then wait until the space is InService."""
    settings: dict[str, Any] = {"AppType": new.app_type}
    if new.instance_type:
        settings[f"{new.app_type}AppSettings"] = {"DefaultResourceSpec": {"InstanceType": new.instance_type}}
    if new.storage_gib is not None:
        settings["SpaceStorageSettings"] = {"EbsStorageSettings": {"EbsVolumeSizeInGb": new.storage_gib}}
    await svc.call(
        "CreateSpace",
        DomainId=new.domain_id,
        SpaceName=new.name,
        SpaceSettings=settings,
        OwnershipSettings={"OwnerUserProfileName": new.owner},
        SpaceSharingSettings={"SharingType": "Shared" if new.shared else "Private"},
    )
    return await lifecycle.wait_until(
        svc, new.domain_id, new.name, progress, lambda s: s.space_status != "Pending", "being created"
    )


async def delete(svc: SpacesService, domain_id: str, name: str, progress: Progress) -> None:
    """Stop the space when its app lives (the caller asked first), DeleteSpace, wait until it is gone."""
    space = await svc.describe_space(domain_id, name)
    if space.status in (SpaceStatus.CREATING, SpaceStatus.UPDATING, SpaceStatus.DELETING):
        raise AwsError(f"{name} is {space.status.value.lower()}; wait until it settles", kind="in_use")
    if space.app is not None and space.app.status in ("Pending", "InService", "Deleting"):
        # Whether DeleteSpace takes a space whose app lives is not documented: stopping first works either way.
        await lifecycle.stop(svc, domain_id, name, progress, wait=True)
    await svc.call("DeleteSpace", DomainId=domain_id, SpaceName=name)
    await lifecycle.wait_gone(svc, domain_id, name, progress)


async def check_edit(svc: SpacesService, space: Space, change: SpaceEdit) -> None:
    """Refuse, in one line, an edit SageMaker would refuse: storage beyond the domain's maximum or
    shrinking, an idle timeout outside the bounds, an instance too small for remote access."""
    domain_id, name = space.domain_id, space.name
    opts = await options(svc, domain_id, owner=space.owner, shared=space.shared)
    if change.storage_gib is not None:
        check_storage(opts, change.storage_gib, space.storage_gib)
    if change.idle_timeout_minutes is not None:
        bounds = await svc.idle_bounds(domain_id, space.owner, space.app_type)
        try:
            bounds.check(change.idle_timeout_minutes)
        except ValueError as err:
            raise AwsError(f"{name}: {err}", kind="validation") from None
    if (
        change.instance_type
        and space.remote_access
        and (bigger := remote_access_upgrade(change.instance_type))
    ):
        raise AwsError(
            f"{change.instance_type} is too small for remote access (8 GiB of memory needed); use {bigger}",
            kind="validation",
        )


async def edit(
    svc: SpacesService, domain_id: str, name: str, change: SpaceEdit, progress: Progress, *, restart: bool
) -> Space:
    """UpdateSpace with the changed settings; a running space whose instance type or image changes
    is stopped and started again, only with `restart` (NeedsRestart otherwise)."""
    space = await svc.describe_space(domain_id, name)
    lifecycle.refuse_if_unusable(space)
    changes = change.changes(space)
    if not changes:
        return space
    await check_edit(svc, space, change)
    restarting = change.restarts(space)
    if restarting and not restart:
        raise NeedsRestart(space, changes)
    if restarting or space.status is SpaceStatus.STOPPING:
        await lifecycle.stop(svc, domain_id, name, progress, wait=True)
    _, app_type, per_app = await lifecycle.describe_raw(svc, domain_id, name)
    settings: dict[str, Any] = {}
    app_settings: dict[str, Any] = {}
    if change.instance_type or change.image:
        spec = dict(per_app.get("DefaultResourceSpec") or {})
        spec.update(
            {
                k: v
                for k, v in (("InstanceType", change.instance_type), ("SageMakerImageArn", change.image))
                if v
            }
        )
        app_settings["DefaultResourceSpec"] = spec
    if change.idle_timeout_minutes is not None:
        app_settings["AppLifecycleManagement"] = {
            "IdleSettings": {"IdleTimeoutInMinutes": change.idle_timeout_minutes}
        }
    if app_settings:
        settings[f"{app_type}AppSettings"] = app_settings
    if change.storage_gib is not None:
        settings["SpaceStorageSettings"] = {"EbsStorageSettings": {"EbsVolumeSizeInGb": change.storage_gib}}
    updated = await lifecycle.update_space(
        svc, domain_id, name, settings, progress, lambda s: not change.changes(s)
    )
    if restarting:
        return await lifecycle.start(svc, domain_id, name, change.instance_type, progress, wait=True)
    return updated
