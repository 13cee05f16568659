"""CreateSpace and DeleteSpace in the simulated account.

Each follows its operation in botocore's SageMaker model (service-2.json): the input members and
the errors the operation lists. CreateSpace lists only ResourceInUse (the name is taken) and
ResourceLimitExceeded (the quota), so every other refusal is the common ValidationException;
DeleteSpace lists ResourceNotFound and ResourceInUse. A created space is Pending, then InService;
a deleted one is Deleting, then gone from every listing (SpaceStatus has no "Deleted").
"""

from __future__ import annotations

from .account import GONE
from .calls import LIVE_APP, Call, Params, domain_of, space_of
from .faults import in_use, limit_exceeded, validation
from .space_settings import read_space_settings

IDE_APP_TYPES = ("JupyterLab", "CodeEditor")
DEFAULT_INSTANCE_TYPE = "ml.t3.medium"  # the domain's DefaultResourceSpec (sagemaker_views.user_settings)
DEFAULT_IDLE_MINUTES = 60


def create_space(call: Call, p: Params) -> Params:
    domain = call.account.domain(call.region, p["DomainId"])
    if domain is None:  # CreateSpace lists no ResourceNotFound
        raise validation(f'Domain "{call.arns.domain(p["DomainId"])}" does not exist.')
    call.account.sweep(domain)
    name = p["SpaceName"]
    if name in domain.spaces_by_name:  # also while a space of that name is still being deleted
        raise in_use(f'Space "{call.arns.space(domain.domain_id, name)}" already exists.')
    limit = call.faults.spaces_per_domain
    if limit is not None and len(domain.spaces) >= limit:
        raise limit_exceeded(
            f"The account-level service limit 'Maximum number of spaces per domain' is {limit} spaces, "
            f"with current utilization of {len(domain.spaces)} spaces and a request delta of 1 spaces. "
            "Please use AWS Service Quotas to request an increase for this quota."
        )
    settings = p.get("SpaceSettings") or {}
    app_type = settings.get("AppType")
    if app_type not in IDE_APP_TYPES:
        raise validation("SpaceSettings.AppType must be JupyterLab or CodeEditor in this account.")
    owner = (p.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
    sharing = (p.get("SpaceSharingSettings") or {}).get("SharingType")
    if owner is None or sharing is None:
        raise validation(
            "OwnershipSettings and SpaceSharingSettings are required to create a JupyterLab or "
            "CodeEditor space."
        )
    if owner not in domain.profiles_by_name:
        raise validation(f'User profile "{call.arns.profile(domain.domain_id, owner)}" does not exist.')
    if sharing == "Shared" and not domain.shared_spaces:
        raise validation(
            f"Domain {domain.domain_id} has no DefaultSpaceSettings (an execution role for shared "
            "spaces): shared spaces cannot be created in it."
        )
    remote = settings.get("RemoteAccess") == "ENABLED"
    asked = read_space_settings(
        settings,
        domain,
        app_type=app_type,
        space_name=name,
        remote=remote,
        instance_type=DEFAULT_INSTANCE_TYPE,
    )
    space = call.account.add_space(
        domain,
        name,
        app_type=app_type,
        owner=owner,
        sharing=sharing,
        instance_type=asked.instance_type,
        remote_access=remote,
        storage_gib=asked.storage_gib if asked.storage_gib is not None else domain.default_ebs_gib,
        idle_minutes=asked.idle_minutes if asked.idle_minutes is not None else DEFAULT_IDLE_MINUTES,
        display_name=p.get("SpaceDisplayName") or name,
    )
    space.image_arn = asked.image_arn or space.image_arn
    space.status = "Pending"
    call.account.schedule_space(space, "InService")
    return {"SpaceArn": call.arns.space(domain.domain_id, name)}


def delete_space(call: Call, p: Params) -> Params:
    domain = domain_of(call, p["DomainId"])
    space = space_of(call, domain, p["SpaceName"])
    if space.status in ("Pending", "Updating", "Deleting"):
        raise in_use(f"Space '{space.name}' is {space.status}; it can be deleted once that has finished.")
    app = space.app
    if app is not None and app.status in LIVE_APP:
        # Not documented: refused until the app is gone, or the app goes with the space (Variants).
        if call.variants.delete_space_with_app == "refuse":
            raise in_use(
                f"Space '{space.name}' has an app that is {app.status}; delete the app (stop the space) "
                "before deleting the space."
            )
        if app.status != "Deleting":
            app.status, app.pending = "Deleting", None
            call.account.schedule_app(app, "Deleted")
    space.status, space.failure_reason = "Deleting", None
    call.account.schedule_space(space, GONE)
    return {}
