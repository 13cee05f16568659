"""The SageMaker operations the simulated account answers, with the service's rules and refusals.

Each handler takes the call context and the decoded JSON parameters (already checked against
botocore's input shape by the server) and returns the JSON answer or raises ApiError.
Handlers never await: they touch the state in one event-loop step, so no lock is needed.
"""

from __future__ import annotations

from collections.abc import Callable

from . import sagemaker_spaces
from . import sagemaker_views as views
from .account import DomainRec, SpaceRec
from .calls import LIVE_APP, Call, Params, domain_of, in_service, space_of, too_small
from .faults import in_use, internal_failure, limit_exceeded, not_found, validation
from .space_settings import read_space_settings

# --- listing and describing ---------------------------------------------------------------------


def list_domains(call: Call, p: Params) -> Params:
    items, token = call.page(call.account.domains_in(call.region), p, "domains", {})
    return _with_token({"Domains": [views.domain_summary(call.arns, d) for d in items]}, token)


def describe_domain(call: Call, p: Params) -> Params:
    return views.domain_detail(call.account, call.arns, domain_of(call, p["DomainId"]))


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
    domain = domain_of(call, p["DomainId"])
    profile = domain.profiles_by_name.get(p["UserProfileName"])
    if profile is None:
        raise not_found(
            f'User profile "{call.arns.profile(domain.domain_id, p["UserProfileName"])}" does not exist.'
        )
    return views.profile_detail(call.account, call.arns, domain, profile)


def list_spaces(call: Call, p: Params) -> Params:
    contains = p.get("SpaceNameContains")
    domains = _domains_for(call, p.get("DomainIdEquals"))
    for domain in domains:
        call.account.sweep(domain)
    spaces = domains[0].spaces if len(domains) == 1 else [s for d in domains for s in d.spaces]
    if contains:
        spaces = [s for s in spaces if contains in s.name]
    filters = {"d": p.get("DomainIdEquals"), "c": contains, "s": p.get("SortOrder"), "b": p.get("SortBy")}
    items, token = call.page(views.ordered(spaces, p, modified=True), p, "spaces", filters)
    settle = call.account.settle_space
    return _with_token({"Spaces": [views.space_summary(settle(s)) for s in items]}, token)


def describe_space(call: Call, p: Params) -> Params:
    domain = domain_of(call, p["DomainId"])
    space = space_of(call, domain, p["SpaceName"])
    if space.stale is not None:  # Faults.stale_describe: the read still shows the space before its update
        answer, until = space.stale
        if call.account.clock() < until:
            return answer
        space.stale = None
    return views.space_detail(call.arns, domain, space)


def list_apps(call: Call, p: Params) -> Params:
    space_name, user = p.get("SpaceNameEquals"), p.get("UserProfileNameEquals")
    domains = _domains_for(call, p.get("DomainIdEquals"))
    for domain in domains:
        call.account.sweep(domain)
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
    domain = domain_of(call, p["DomainId"])
    if not p.get("SpaceName"):
        raise validation("The demo account has only space apps: SpaceName is required.")
    return domain, space_of(call, domain, p["SpaceName"])


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
    in_service(space, "apps can be created")
    arn = call.arns.app(space.domain_id, space.name, space.app_type, p["AppName"])
    existing = space.app
    if existing is not None and (
        existing.status in LIVE_APP
        or (existing.status == "Failed" and call.variants.create_after_failed == "refuse")
    ):
        raise in_use(
            f'App "{call.arns.app(space.domain_id, space.name, space.app_type, existing.app_name)}" '
            f"already exists with status {existing.status}."
        )
    instance_type = (p.get("ResourceSpec") or {}).get("InstanceType") or space.instance_type
    if space.remote_access:
        too_small(instance_type, space.name)
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
    domain = domain_of(call, p["DomainId"])
    space = space_of(call, domain, p["SpaceName"])
    in_service(space, "it can be updated")
    settings = p.get("SpaceSettings") or {}
    if settings.get("AppType", space.app_type) != space.app_type:
        raise validation("The AppType of an existing space cannot be changed.")
    remote = space.remote_access
    if "RemoteAccess" in settings:
        remote = settings["RemoteAccess"] == "ENABLED"
        live = ("Pending", "InService") if call.variants.remote_access_while_deleting == "allow" else LIVE_APP
        running = space.app is not None and space.app.status in live
        if remote != space.remote_access and running:
            raise validation(
                f"RemoteAccess of space '{space.name}' cannot be changed while an app is running: "
                "the space must be stopped (delete its app) before updating RemoteAccess."
            )
    asked = read_space_settings(
        settings,
        domain,
        app_type=space.app_type,
        space_name=space.name,
        remote=remote,
        instance_type=space.instance_type,
        current_gib=space.storage_gib,
    )
    if call.faults.stale_describe:
        before = views.space_detail(call.arns, domain, space)
        space.stale = (before, call.account.clock() + call.faults.stale_describe)
    space.remote_access, space.instance_type = remote, asked.instance_type
    space.image_arn = asked.image_arn or space.image_arn
    space.idle_minutes = asked.idle_minutes if asked.idle_minutes is not None else space.idle_minutes
    space.storage_gib = asked.storage_gib if asked.storage_gib is not None else space.storage_gib
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
    space = space_of(call, domain_of(call, domain_id), space_name)
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
    "CreateSpace": sagemaker_spaces.create_space,
    "DeleteSpace": sagemaker_spaces.delete_space,
}


def resource_arn(call: Call, op: str, p: Params) -> str:
    """The resource an AccessDenied message names for this call."""
    arns, domain_id = call.arns, p.get("DomainId", "")
    if op == "StartSession":
        return str(p.get("ResourceIdentifier", arns.any()))
    if op in ("DescribeSpace", "UpdateSpace", "CreateSpace", "DeleteSpace"):
        return arns.space(domain_id, p.get("SpaceName", ""))
    if op in ("DescribeApp", "CreateApp", "DeleteApp"):
        return arns.app(domain_id, p.get("SpaceName", ""), p.get("AppType", ""), p.get("AppName", ""))
    if op == "DescribeUserProfile":
        return arns.profile(domain_id, p.get("UserProfileName", ""))
    if op == "DescribeDomain":
        return arns.domain(domain_id)
    return arns.any()
