"""botocore responses -> model objects.

Responses are treated as untrusted: a missing or mistyped field gives a sensible default or a
ResponseError naming the field, never a KeyError deep inside the UI; every string goes through
safe_text on its way into the model, so no control character from an endpoint reaches a terminal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ..model import IDE_APP_TYPES, App, Domain, Space, UserProfile
from ..safe_text import safe_text
from ..space_changes import IdleBounds
from .clients import fast_timestamp
from .errors import AwsError


class ResponseError(AwsError, ValueError):
    """A response lacked a field we cannot do without.

    An AwsError, so every caller that turns AWS failures into one readable line handles it too."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="service")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return safe_text(value) if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# For the modules that read settings blocks of their own (space_admin.py).
as_dict, as_str, as_int = _dict, _str, _int


def _required(item: dict, key: str, what: str) -> str:
    value = _str(item.get(key))
    if value is None:
        raise ResponseError(f"SageMaker returned a {what} without {key}")
    return value


def arn_account(arn: str | None) -> tuple[str, str]:
    """(partition, account) of an ARN, or defaults when the ARN is missing or odd."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) >= 5 and parts[0] == "arn" and parts[4].isdigit():
        return safe_text(parts[1]) or "aws", safe_text(parts[4])
    return "aws", ""


def domain(item: dict, region: str) -> Domain:
    domain_id = _required(item, "DomainId", "domain")
    return Domain(
        domain_id=domain_id,
        name=_str(item.get("DomainName")) or domain_id,
        region=region,
        status=_str(item.get("Status")) or "Unknown",
        auth_mode=_str(item.get("AuthMode")) or "IAM",
        arn=_str(item.get("DomainArn")) or "",
    )


def user_profile(item: dict, sso_value: str | None = None) -> UserProfile:
    return UserProfile(
        domain_id=_required(item, "DomainId", "user profile"),
        name=_required(item, "UserProfileName", "user profile"),
        status=_str(item.get("Status")) or "Unknown",
        sso_user_value=sso_value or _str(item.get("SingleSignOnUserValue")),
    )


def app(item: dict) -> App | None:
    """An IDE app from ListApps/DescribeApp; None for apps of other types or without a space."""
    app_type = _str(item.get("AppType"))
    space_name = _str(item.get("SpaceName"))
    if app_type not in IDE_APP_TYPES or space_name is None:
        return None
    return App(
        domain_id=_required(item, "DomainId", "app"),
        space_name=space_name,
        app_type=app_type,
        app_name=_str(item.get("AppName")) or "default",
        status=_str(item.get("Status")) or "Unknown",
        instance_type=_str(_dict(item.get("ResourceSpec")).get("InstanceType")),
    )


def pick_app(apps: list[App]) -> App | None:
    """The app that tells a space's state: a live one beats a deleted one."""
    live = [a for a in apps if a.status != "Deleted"]
    return (live or apps)[-1] if apps else None


def timestamp(value: Any) -> datetime | None:
    """A datetime from botocore (already converted) or from a raw awsJson page (epoch seconds);
    None for anything unreadable: a bad date is not worth failing a listing for."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return fast_timestamp(value)
        except ValueError:
            return None
    return None


def space_summary(item: dict, dom: Domain, account: str, partition: str, app_: App | None) -> Space:
    """A Space from a ListSpaces summary joined with its app.

    Written for speed (a listing builds thousands): one lookup per field and the type checks
    inline, with the same defaults as the helpers above (and the same safe_text)."""
    get = item.get
    settings = get("SpaceSettingsSummary")
    if type(settings) is not dict:
        settings = {}
    storage = settings.get("SpaceStorageSettings")
    storage = storage.get("EbsStorageSettings") if type(storage) is dict else None
    size = storage.get("EbsVolumeSizeInGb") if type(storage) is dict else None
    owner = get("OwnershipSettingsSummary")
    owner = owner.get("OwnerUserProfileName") if type(owner) is dict else None
    sharing = get("SpaceSharingSettingsSummary")
    sharing = sharing.get("SharingType") if type(sharing) is dict else None
    status, display, app_type = get("Status"), get("SpaceDisplayName"), settings.get("AppType")
    modified = get("LastModifiedTime")
    return Space(
        domain_id=dom.domain_id,
        name=_required(item, "SpaceName", "space"),
        region=dom.region,
        account=account,
        partition=partition,
        space_status=safe_text(status) if type(status) is str and status else "Unknown",
        domain_name=dom.name,
        display_name=safe_text(display) if type(display) is str else "",
        app_type=(
            safe_text(app_type) if type(app_type) is str and app_type else (app_.app_type if app_ else None)
        ),
        app=app_,
        owner=safe_text(owner) if type(owner) is str and owner else None,
        sharing=safe_text(sharing) if type(sharing) is str and sharing else "Private",
        remote_access=settings.get("RemoteAccess") == "ENABLED",
        instance_type=app_.instance_type if app_ and app_.status != "Deleted" else None,
        storage_gib=size if type(size) is int else None,
        last_modified=modified if isinstance(modified, datetime) else timestamp(modified),
    )


def app_settings(space_desc: dict) -> tuple[str | None, dict]:
    """(AppType, <AppType>AppSettings) of a DescribeSpace answer."""
    settings = _dict(space_desc.get("SpaceSettings"))
    app_type = _str(settings.get("AppType"))
    return app_type, _dict(settings.get(f"{app_type}AppSettings")) if app_type else {}


def space_detail(desc: dict, dom: Domain, account: str, partition: str, app_: App | None) -> Space:
    """A Space from DescribeSpace: the summary fields plus image, default instance and idle timeout."""
    settings = _dict(desc.get("SpaceSettings"))
    app_type, per_app = app_settings(desc)
    spec = _dict(per_app.get("DefaultResourceSpec"))
    idle = _dict(_dict(per_app.get("AppLifecycleManagement")).get("IdleSettings"))
    summary = {
        "SpaceName": desc.get("SpaceName"),
        "Status": desc.get("Status"),
        "SpaceDisplayName": desc.get("SpaceDisplayName"),
        "LastModifiedTime": desc.get("LastModifiedTime"),
        "SpaceSettingsSummary": {
            "AppType": app_type,
            "RemoteAccess": settings.get("RemoteAccess"),
            "SpaceStorageSettings": settings.get("SpaceStorageSettings"),
        },
        "OwnershipSettingsSummary": desc.get("OwnershipSettings"),
        "SpaceSharingSettingsSummary": desc.get("SpaceSharingSettings"),
    }
    base = space_summary(summary, dom, account, partition, app_)
    running = app_ is not None and app_.status not in ("Deleted", "Failed")
    return replace(
        base,
        instance_type=(app_.instance_type if running and app_ else None) or _str(spec.get("InstanceType")),
        image=_str(spec.get("SageMakerImageArn")),
        idle_timeout_minutes=_int(idle.get("IdleTimeoutInMinutes")),
        failure_reason=_str(desc.get("FailureReason")),
    )


def idle_bounds(*settings_blocks: Any, app_type: str | None) -> IdleBounds:
    """Min/max idle timeout from the first UserSettings-like block that sets them."""
    for block in settings_blocks:
        per_app = _dict(_dict(block).get(f"{app_type}AppSettings"))
        idle = _dict(_dict(per_app.get("AppLifecycleManagement")).get("IdleSettings"))
        low, high = _int(idle.get("MinIdleTimeoutInMinutes")), _int(idle.get("MaxIdleTimeoutInMinutes"))
        if low is not None or high is not None:
            return IdleBounds(low if low is not None else 60, high if high is not None else 525_600)
    return IdleBounds()
