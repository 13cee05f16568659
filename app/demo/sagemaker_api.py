"""The SageMaker operations the simulated account answers, with the service's rules and refusals.

Each handler takes the call context and the decoded JSON parameters (already checked against
botocore's input shape by the server) and returns the JSON answer or raises ApiError.
Handlers never await: they touch the state in one event-loop step, so no lock is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import sagemaker_views as views
from .account import DemoAccount, DomainRec, SpaceRec
from .faults import Faults, in_use, internal_failure, limit_exceeded, not_found, validation
from .instances import larger_for_remote_access
from .sessions import SessionRegistry
from .variants import Variants

_LIVE_APP = ("Pending", "InService", "Deleting")


@dataclass
class Call:
    account: DemoAccount
    region: str
    sessions: SessionRegistry
    ws_base_url: str
    faults: Faults
    variants: Variants

    def page(self, items: Any, p: Params, kind: str, filters: dict[str, Any]) -> tuple[list[Any], str | None]:
        return views.page(items, p, kind, filters, self.faults.page_size)

    @property
    def arns(self) -> views.Arns:
        return views.Arns(self.account, self.region)


Params = dict[str, Any]


def _domain(call: Call, domain_id: str) -> DomainRec:
    domain = call.account.domain(call.region, domain_id)
    if domain is None:
        raise not_found(f'Domain "{call.arns.domain(domain_id)}" does not exist.')
    return domain


def _space(call: Call, domain: DomainRec, name: str) -> SpaceRec:
    space = domain.spaces_by_name.get(name)
    if space is None:
        raise not_found(f'Space "{call.arns.space(domain.domain_id, name)}" does not exist.')
    return call.account.settle_space(space)


def _in_service(space: SpaceRec, what: str) -> None:
    """UpdateSpace and CreateApp list ResourceInUse among their errors (botocore's model): the
    answer for a space that is not InService, whether it is changing or failed."""
    if space.status != "InService":
        raise in_use(f"Space '{space.name}' is {space.status}; {what} only when it is InService.")


def _too_small(instance_type: str, space: SpaceRec) -> None:
    larger = larger_for_remote_access(instance_type)
    if larger is not None:
        raise validation(
            f"Remote access is enabled for space '{space.name}', which requires an instance type with at least "
            f"8 GiB of memory; {instance_type} is too small. Choose a larger instance type such as {larger}."
        )


# --- listing and describing ---------------------------------------------------------------------


def list_domains(call: Call, p: Params) -> Params:
    items, token = call.page(call.account.domains_in(call.region), p, "domains", {})
    return _with_token({"Domains": [views.domain_summary(call.arns, d) for d in items]}, token)


def describe_domain(call: Call, p: Params) -> Params:
    return views.domain_detail(call.account, call.arns, _domain(call, p["DomainId"]))


def _domains_for(call: Call, domain_id: str | None) -> list[DomainRec]:
    if domain_id is None:
        return call.account.domains_in(call.region)
    domain = call.account.domain(call.region, domain_id)
    return [domain] if domain else []


def list_user_profiles(call: Call, p: Params) -> Params:
    contains = p.get("UserProfileNameContains")
    profiles = [
        pr
        for d in _domains_for(call, p.get("DomainIdEquals"))
        for pr in d.profiles
        if not contains or contains in pr.name
    ]
    filters = {"d": p.get("DomainIdEquals"), "c": contains, "s": p.get("SortOrder")}
    items, token = call.page(views.ordered(profiles, p), p, "profiles", filters)
    return _with_token({"UserProfiles": [views.profile_summary(pr) for pr in items]}, token)


def describe_user_profile(call: Call, p: Params) -> Params:
    domain = _domain(call, p["DomainId"])
    profile = domain.profiles_by_name.get(p["UserProfileName"])
    if profile is None:
        raise not_found(
            f'User profile "{call.arns.profile(domain.domain_id, p["UserProfileName"])}" does not exist.'
        )
    return views.profile_detail(call.account, call.arns, domain, profile)


def list_spaces(call: Call, p: Params) -> Params:
    contains = p.get("SpaceNameContains")
    domains = _domains_for(call, p.get("DomainIdEquals"))
    spaces = domains[0].spaces if len(domains) == 1 else [s for d in domains for s in d.spaces]
    if contains:
        spaces = [s for s in spaces if contains in s.name]
    filters = {"d": p.get("DomainIdEquals"), "c": contains, "s": p.get("SortOrder"), "b": p.get("SortBy")}
    items, token = call.page(views.ordered(spaces, p, modified=True), p, "spaces", filters)
    settle = call.account.settle_space
    return _with_token({"Spaces": [views.space_summary(settle(s)) for s in items]}, token)


def describe_space(call: Call, p: Params) -> Params:
    domain = _domain(call, p["DomainId"])
    space = _space(call, domain, p["SpaceName"])
    if space.stale is not None:  # Faults.stale_describe: the read still shows the space before its update
        answer, until = space.stale
        if call.account.clock() < until:
            return answer
        space.stale = None
    return views.space_detail(call.arns, domain, space)


def list_apps(call: Call, p: Params) -> Params:
    space_name, user = p.get("SpaceNameEquals"), p.get("UserProfileNameEquals")
    domains = _domains_for(call, p.get("DomainIdEquals"))
    apps = domains[0].apps if len(domains) == 1 else [a for d in domains for a in d.apps]
    if user:
        apps = []  # the demo has no per-user (JupyterServer/KernelGateway) apps
    elif space_name:
        apps = [a for a in apps if a.space_name == space_name]
    filters = {"d": p.get("DomainIdEquals"), "n": space_name, "u": user, "s": p.get("SortOrder")}
    items, token = call.page(views.ordered(apps, p), p, "apps", filters)
    settle = call.account.settle_app
    return _with_token({"Apps": [views.app_summary(settle(a)) for a in items]}, token)


def _app_of(call: Call, p: Params) -> tuple[DomainRec, SpaceRec]:
    domain = _domain(call, p["DomainId"])
    if not p.get("SpaceName"):
        raise validation("The demo account has only space apps: SpaceName is required.")
    return domain, _space(call, domain, p["SpaceName"])


def _app_missing(call: Call, p: Params) -> Exception:
    arn = call.arns.app(p["DomainId"], p.get("SpaceName", ""), p["AppType"], p["AppName"])
    return not_found(f'App "{arn}" does not exist.')


def describe_app(call: Call, p: Params) -> Params:
    _, space = _app_of(call, p)
    app = space.app
    if app is None or app.app_type != p["AppType"] or app.app_name != p["AppName"]:
        raise _app_missing(call, p)
    return views.app_detail(call.arns, app)


# --- changing state -----------------------------------------------------------------------------


def create_app(call: Call, p: Params) -> Params:
    _, space = _app_of(call, p)
    if p["AppType"] != space.app_type:
        raise validation(
            f"AppType {p['AppType']} does not match the app type {space.app_type} of space '{space.name}'."
        )
    _in_service(space, "apps can be created")
    arn = call.arns.app(space.domain_id, space.name, space.app_type, p["AppName"])
    existing = space.app
    if existing is not None and (
        existing.status in _LIVE_APP
        or (existing.status == "Failed" and call.variants.create_after_failed == "refuse")
    ):
        raise in_use(
            f'App "{call.arns.app(space.domain_id, space.name, space.app_type, existing.app_name)}" '
            f"already exists with status {existing.status}."
        )
    instance_type = (p.get("ResourceSpec") or {}).get("InstanceType") or space.instance_type
    if space.remote_access:
        _too_small(instance_type, space)
    app = call.account.put_app(space, status="Pending", instance_type=instance_type, app_name=p["AppName"])
    if space.fails_on_start:
        call.account.schedule_app(
            app,
            "Failed",
            "Lifecycle configuration script 'install-extensions.sh' "
            "exited with a non-zero status. See CloudWatch logs for details.",
        )
    else:
        call.account.schedule_app(app, "InService")
    return {"AppArn": arn}


def delete_app(call: Call, p: Params) -> Params:
    _, space = _app_of(call, p)
    app = space.app
    if app is None or app.status == "Deleted" or app.app_type != p["AppType"] or app.app_name != p["AppName"]:
        raise _app_missing(call, p)
    if app.status == "Deleting":
        raise in_use(f"App '{app.app_name}' of space '{space.name}' is already being deleted.")
    if app.status == "Pending" and call.variants.delete_pending_app == "refuse":
        raise in_use(
            f"App '{app.app_name}' of space '{space.name}' is Pending; it can be deleted once it settles."
        )
    app.status, app.pending = "Deleting", None
    call.account.schedule_app(app, "Deleted")
    return {}


def update_space(call: Call, p: Params) -> Params:
    domain = _domain(call, p["DomainId"])
    space = _space(call, domain, p["SpaceName"])
    _in_service(space, "it can be updated")
    settings = p.get("SpaceSettings") or {}
    if settings.get("AppType", space.app_type) != space.app_type:
        raise validation("The AppType of an existing space cannot be changed.")
    for key in (
        "JupyterLabAppSettings",
        "CodeEditorAppSettings",
        "JupyterServerAppSettings",
        "KernelGatewayAppSettings",
    ):
        if key in settings and key != f"{space.app_type}AppSettings":
            raise validation(f"{key} does not apply to a {space.app_type} space.")
    remote = space.remote_access
    if "RemoteAccess" in settings:
        remote = settings["RemoteAccess"] == "ENABLED"
        live = (
            ("Pending", "InService") if call.variants.remote_access_while_deleting == "allow" else _LIVE_APP
        )
        running = space.app is not None and space.app.status in live
        if remote != space.remote_access and running:
            raise validation(
                f"RemoteAccess of space '{space.name}' cannot be changed while an app is running: "
                "the space must be stopped (delete its app) before updating RemoteAccess."
            )
    app_settings = settings.get(f"{space.app_type}AppSettings") or {}
    instance_type = (app_settings.get("DefaultResourceSpec") or {}).get("InstanceType") or space.instance_type
    if remote:
        _too_small(instance_type, space)
    idle = ((app_settings.get("AppLifecycleManagement") or {}).get("IdleSettings") or {}).get(
        "IdleTimeoutInMinutes"
    )
    if idle is not None and not domain.idle_min <= idle <= domain.idle_max:
        raise validation(
            f"IdleTimeoutInMinutes {idle} is outside the range {domain.idle_min}-{domain.idle_max} "
            "allowed by the domain's settings."
        )
    size = ((settings.get("SpaceStorageSettings") or {}).get("EbsStorageSettings") or {}).get(
        "EbsVolumeSizeInGb"
    )
    if size is not None and size < space.storage_gib:
        raise validation(f"EbsVolumeSizeInGb cannot be decreased (currently {space.storage_gib} GB).")
    image = (app_settings.get("DefaultResourceSpec") or {}).get("SageMakerImageArn")
    if call.faults.stale_describe:
        before = views.space_detail(call.arns, domain, space)
        space.stale = (before, call.account.clock() + call.faults.stale_describe)
    space.remote_access, space.instance_type = remote, instance_type
    space.image_arn = image or space.image_arn
    space.idle_minutes = idle if idle is not None else space.idle_minutes
    space.storage_gib = size if size is not None else space.storage_gib
    space.display_name = p.get("SpaceDisplayName") or space.display_name
    space.status = "Updating"
    call.account.schedule_space(space, "InService")
    return {"SpaceArn": call.arns.space(space.domain_id, space.name)}


def start_session(call: Call, p: Params) -> Params:
    identifier = p["ResourceIdentifier"]
    parts = views.parse_space_arn(identifier)
    if parts is None:
        raise validation(f"Invalid ResourceIdentifier '{identifier[:200]}': expected a space ARN.")
    region, account, domain_id, space_name = parts
    if region != call.region or account != call.account.account_id:
        raise not_found(f"Space '{identifier}' does not exist in this account and region.")
    space = _space(call, _domain(call, domain_id), space_name)
    if not space.remote_access:
        raise validation(
            f"Remote access is not enabled for space '{space.name}'. "
            "Update the space with SpaceSettings.RemoteAccess=ENABLED, then start it."
        )
    app = space.app
    if app is None or app.status != "InService":
        status = app.status if app else "no app"
        raise validation(
            f"Space '{space.name}' is not running (app status: {status}); start the space first."
        )
    lag = call.faults.ssm_registration
    if lag is None:
        lag = call.account.transition_delay
    if call.account.clock() < app.in_service_at + lag:
        # SSM registers the space's agent a little after the app is InService; until then
        # StartSession fails as the AWS Toolkit sees it fail (and retries).
        call.faults.registering += 1
        raise internal_failure()
    limit = call.faults.sessions_per_space
    if call.sessions.active(identifier) >= limit:
        raise limit_exceeded(
            f"The space '{space.name}' already has the maximum of {limit} concurrent sessions. "
            "End a session to it and try again."
        )
    session = call.sessions.create(identifier, app_type=space.app_type, owner=call.account.caller_arn)
    return {
        "SessionId": session.session_id,
        "StreamUrl": call.sessions.stream_url(call.ws_base_url, session),
        "TokenValue": session.token,
    }


def _with_token(answer: Params, token: str | None) -> Params:
    if token:
        answer["NextToken"] = token
    return answer


HANDLERS: dict[str, Callable[[Call, Params], Params]] = {
    "ListDomains": list_domains,
    "DescribeDomain": describe_domain,
    "ListUserProfiles": list_user_profiles,
    "DescribeUserProfile": describe_user_profile,
    "ListSpaces": list_spaces,
    "DescribeSpace": describe_space,
    "UpdateSpace": update_space,
    "ListApps": list_apps,
    "DescribeApp": describe_app,
    "CreateApp": create_app,
    "DeleteApp": delete_app,
    "StartSession": start_session,
}


def resource_arn(call: Call, op: str, p: Params) -> str:
    """The resource an AccessDenied message names for this call."""
    arns, domain_id = call.arns, p.get("DomainId", "")
    if op == "StartSession":
        return str(p.get("ResourceIdentifier", arns.any()))
    if op in ("DescribeSpace", "UpdateSpace"):
        return arns.space(domain_id, p.get("SpaceName", ""))
    if op in ("DescribeApp", "CreateApp", "DeleteApp"):
        return arns.app(domain_id, p.get("SpaceName", ""), p.get("AppType", ""), p.get("AppName", ""))
    if op == "DescribeUserProfile":
        return arns.profile(domain_id, p.get("UserProfileName", ""))
    if op == "DescribeDomain":
        return arns.domain(domain_id)
    return arns.any()
