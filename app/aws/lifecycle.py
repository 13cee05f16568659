"""Start, stop, remote access and idle timeout: the calls in the order SageMaker requires them.

There are no botocore waiters for spaces or apps, so each change is followed by polling until it
settles; every observed state is reported through `progress` so a person can watch it happen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model import (
    DEFAULT_INSTANCE_TYPE,
    Space,
    SpaceStatus,
    remote_access_upgrade,
    space_problem,
    stop_problem,
)
from . import parse
from .errors import AwsError, NeedsLargerInstance

if TYPE_CHECKING:
    from .service import SpacesService

Progress = Callable[[Space], None] | None
APP_NAME = "default"


async def wait_until(
    svc: SpacesService,
    domain_id: str,
    name: str,
    progress: Progress,
    done: Callable[[Space], bool],
    what: str,
) -> Space:
    deadline = time.monotonic() + svc.wait_timeout
    last: SpaceStatus | None = None
    while True:
        space = await svc.describe_space(domain_id, name)
        if progress and space.status != last:
            progress(space)
        last = space.status
        if done(space):
            return space
        if space.status is SpaceStatus.FAILED:
            raise AwsError(
                f"{name} failed while {what}; see the space in SageMaker Studio for the reason",
                kind="service",
            )
        if time.monotonic() > deadline:
            raise AwsError(
                f"{name} is still {space.status.value.lower()} after "
                f"{svc.wait_timeout:.0f} s; check it with `sm-spaces list`",
                kind="service",
            )
        await asyncio.sleep(svc.poll_interval)


async def wait_gone(svc: SpacesService, domain_id: str, name: str, progress: Progress) -> None:
    """Poll a deleted space until DescribeSpace no longer finds it (Deleting, then gone)."""
    deadline = time.monotonic() + svc.wait_timeout
    last: SpaceStatus | None = None
    while True:
        try:
            space = await svc.describe_space(domain_id, name)
        except AwsError as err:
            if err.kind == "not_found":
                return
            raise
        if progress and space.status != last:
            progress(space)
        last = space.status
        if space.status is SpaceStatus.FAILED:
            reason = f" ({space.failure_reason})" if space.failure_reason else ""
            raise AwsError(f"{name} could not be deleted{reason}", kind="service")
        if time.monotonic() > deadline:
            raise AwsError(f"{name} is still being deleted after {svc.wait_timeout:.0f} s", kind="service")
        await asyncio.sleep(svc.poll_interval)


def _settled(target: SpaceStatus) -> Callable[[Space], bool]:
    return lambda s: s.status is target


async def describe_raw(svc: SpacesService, domain_id: str, name: str) -> tuple[dict, str, dict]:
    desc = await svc.call("DescribeSpace", DomainId=domain_id, SpaceName=name)
    app_type, per_app = parse.app_settings(desc)
    if app_type is None:
        raise AwsError(f"{name} has no app type (not a JupyterLab or Code Editor space)", kind="validation")
    return desc, app_type, per_app


def _resource_spec(per_app: dict, instance_type: str) -> dict[str, Any]:
    spec = dict(per_app.get("DefaultResourceSpec") or {})
    spec["InstanceType"] = instance_type
    return {k: v for k, v in spec.items() if v is not None}


async def update_space(
    svc: SpacesService,
    domain_id: str,
    name: str,
    settings: dict,
    progress: Progress,
    applied: Callable[[Space], bool],
) -> Space:
    """UpdateSpace, then wait until DescribeSpace shows the space InService *with* the change: for
    a moment after UpdateSpace a read may still show the space as it was (InService, old settings),
    and acting on that (CreateApp) would meet a space that is in fact still Updating."""
    await svc.call("UpdateSpace", DomainId=domain_id, SpaceName=name, SpaceSettings=settings)
    return await wait_until(
        svc, domain_id, name, progress, lambda s: s.space_status == "InService" and applied(s), "updating"
    )


def refuse_if_unusable(space: Space) -> None:
    """CreateApp and UpdateSpace answer ResourceInUse on a space that is not InService (botocore's
    model lists it): say instead what the space's own state asks of the user."""
    if (problem := space_problem(space)) is not None:
        raise AwsError(problem, kind="in_use" if space.space_status == "Pending" else "validation")


async def _remote_access_on(
    svc: SpacesService,
    domain_id: str,
    name: str,
    app_type: str,
    per_app: dict,
    instance_type: str,
    progress: Progress,
) -> Space:
    """UpdateSpace turning remote access on with `instance_type` as the app's default (as start and
    enable_remote_access both need it), until a read shows both."""
    settings = {
        "RemoteAccess": "ENABLED",
        f"{app_type}AppSettings": {"DefaultResourceSpec": _resource_spec(per_app, instance_type)},
    }
    return await update_space(
        svc,
        domain_id,
        name,
        settings,
        progress,
        lambda s: s.remote_access and s.instance_type == instance_type,
    )


async def start(
    svc: SpacesService, domain_id: str, name: str, instance_type: str | None, progress: Progress, wait: bool
) -> Space:
    desc, app_type, per_app = await describe_raw(svc, domain_id, name)
    current = await svc.describe_space(domain_id, name)
    if current.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING):
        if not current.remote_access:
            raise AwsError(
                f"{name} is running without remote access; enable it (it restarts the space)",
                kind="validation",
            )
        return (
            await wait_until(svc, domain_id, name, progress, _settled(SpaceStatus.RUNNING), "starting")
            if wait and current.status is SpaceStatus.STARTING
            else current
        )
    refuse_if_unusable(current)
    if current.status not in (SpaceStatus.STOPPED, SpaceStatus.FAILED):
        raise AwsError(
            f"{name} is {current.status.value.lower()}; wait until it settles and retry", kind="in_use"
        )
    if current.app is not None and current.app.status == "Failed":
        # Whether CreateApp replaces a failed app or needs it deleted first is not documented:
        # deleting it first works either way.
        await stop(svc, domain_id, name, progress, wait=True)
    default_type = (per_app.get("DefaultResourceSpec") or {}).get("InstanceType") or DEFAULT_INSTANCE_TYPE
    chosen = instance_type or default_type
    if instance_type is None and (bigger := remote_access_upgrade(chosen)):
        raise NeedsLargerInstance(name, chosen, bigger)
    settings = desc.get("SpaceSettings") or {}
    if settings.get("RemoteAccess") != "ENABLED" or chosen != default_type:
        await _remote_access_on(svc, domain_id, name, app_type, per_app, chosen, progress)
    await svc.call(
        "CreateApp",
        DomainId=domain_id,
        SpaceName=name,
        AppType=app_type,
        AppName=APP_NAME,
        ResourceSpec=_resource_spec(per_app, chosen),
    )
    if not wait:
        return await svc.describe_space(domain_id, name)
    return await wait_until(svc, domain_id, name, progress, _settled(SpaceStatus.RUNNING), "starting")


async def stop(svc: SpacesService, domain_id: str, name: str, progress: Progress, wait: bool) -> Space:
    app = await svc.current_app(domain_id, name)
    if app is not None and app.status == "Pending":
        # Whether DeleteApp takes a Pending app is not documented: let the start settle first,
        # which works either way.
        await wait_until(
            svc,
            domain_id,
            name,
            progress,
            lambda s: s.app is None or s.app.status != "Pending",
            "starting",
        )
        app = await svc.current_app(domain_id, name)
    if app is None or app.status in ("Deleted", "Deleting"):
        space = await svc.describe_space(domain_id, name)
        if (problem := stop_problem(space)) is not None:
            raise AwsError(problem, kind="validation")  # nothing runs; the space's state needs the user
        if wait and space.status is SpaceStatus.STOPPING:
            return await wait_until(svc, domain_id, name, progress, _settled(SpaceStatus.STOPPED), "stopping")
        return space
    await svc.call(
        "DeleteApp", DomainId=domain_id, SpaceName=name, AppType=app.app_type, AppName=app.app_name
    )
    if not wait:
        return await svc.describe_space(domain_id, name)
    return await wait_until(
        svc,
        domain_id,
        name,
        progress,
        lambda s: (
            s.status in (SpaceStatus.STOPPED, SpaceStatus.FAILED)
            and (s.app is None or s.app.status in ("Deleted", "Failed"))
        ),
        "stopping",
    )


async def enable_remote_access(
    svc: SpacesService, domain_id: str, name: str, instance_type: str | None, progress: Progress
) -> Space:
    """Stop (when running), wait for the app to be gone, enable remote access, start again."""
    current = await svc.describe_space(domain_id, name)
    if current.remote_access and current.status is SpaceStatus.RUNNING:
        return current
    refuse_if_unusable(current)
    _, _, per_app = await describe_raw(svc, domain_id, name)
    chosen = (
        instance_type
        or (per_app.get("DefaultResourceSpec") or {}).get("InstanceType")
        or DEFAULT_INSTANCE_TYPE
    )
    if instance_type is None and (bigger := remote_access_upgrade(chosen)):
        raise NeedsLargerInstance(name, chosen, bigger)
    was_running = current.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
    if was_running or current.status is SpaceStatus.STOPPING:
        # RemoteAccess changes once the app is gone: whether UpdateSpace takes one while the app is
        # still Deleting is not documented (app/demo/variants.py), and waiting works either way.
        await stop(svc, domain_id, name, progress, wait=True)
    if not was_running:
        # Enabling alone on a stopped space: update, leave it stopped.
        _, app_type, per_app = await describe_raw(svc, domain_id, name)
        return await _remote_access_on(svc, domain_id, name, app_type, per_app, chosen, progress)
    return await start(svc, domain_id, name, chosen, progress, wait=True)


async def set_idle_timeout(svc: SpacesService, domain_id: str, name: str, minutes: int) -> Space:
    space = await svc.describe_space(domain_id, name)
    refuse_if_unusable(space)
    bounds = await svc.idle_bounds(domain_id, space.owner, space.app_type)
    try:
        bounds.check(minutes)
    except ValueError as err:
        raise AwsError(f"{name}: {err}", kind="validation") from None
    _, app_type, _ = await describe_raw(svc, domain_id, name)
    await svc.call(
        "UpdateSpace",
        DomainId=domain_id,
        SpaceName=name,
        SpaceSettings={
            f"{app_type}AppSettings": {
                "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": minutes}}
            }
        },
    )
    return await wait_until(
        svc,
        domain_id,
        name,
        None,
        lambda s: s.space_status == "InService" and s.idle_timeout_minutes == minutes,
        "updating",
    )
