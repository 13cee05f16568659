"""How the simulated account's records look on the wire: ARNs, summaries, Describe answers, pages.

Member names and nesting follow botocore's SageMaker output shapes exactly (tests check every
answer against them). Timestamps are epoch seconds, as the awsJson1.1 protocol sends them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from .account import AppRec, DemoAccount, DomainRec, ProfileRec, SpaceRec, image_arn
from .faults import validation

DEFAULT_PAGE = 10


class Arns:
    def __init__(self, account: DemoAccount, region: str) -> None:
        self.prefix = f"arn:{account.partition}:sagemaker:{region}:{account.account_id}"

    def domain(self, domain_id: str) -> str:
        return f"{self.prefix}:domain/{domain_id}"

    def profile(self, domain_id: str, name: str) -> str:
        return f"{self.prefix}:user-profile/{domain_id}/{name}"

    def space(self, domain_id: str, name: str) -> str:
        return f"{self.prefix}:space/{domain_id}/{name}"

    def app(self, domain_id: str, space: str, app_type: str, app_name: str) -> str:
        return f"{self.prefix}:app/{domain_id}/{space}/{app_type.lower()}/{app_name}"

    def any(self) -> str:
        return f"{self.prefix}:*"


# arn:<partition>:sagemaker:<region>:<account>:space/<domain id>/<space name>, read with the
# service's own patterns for each part (botocore's DomainId and SpaceName shapes).
_SPACE_ARN = re.compile(
    r"arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):([0-9]{12}):space/(d-(?:-*[a-z0-9]){1,61})/"
    r"([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})"
)


def parse_space_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, domain id, space name) of a space ARN, or None if it is not one."""
    match = _SPACE_ARN.fullmatch(arn)
    return None if match is None else (match[2], match[3], match[4], match[5])


# --- pagination --------------------------------------------------------------------------------


def _fingerprint(kind: str, filters: dict[str, Any]) -> str:
    text = kind + repr(sorted((k, str(v)) for k, v in filters.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def page(
    items: Sequence[Any],
    params: dict[str, Any],
    kind: str,
    filters: dict[str, Any],
    size_of: Callable[[int], int] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of `items` and the NextToken for the rest (opaque, bound to the same filters).

    `size_of` may hold a page to fewer items than MaxResults asks, even none: AWS's pages can come
    back short or empty with a NextToken that leads on (MaxResults is "the maximum", not a promise).
    MaxResults itself was checked against the model's range (1-100) with the rest of the request.
    """
    size = params.get("MaxResults", DEFAULT_PAGE)
    fingerprint = _fingerprint(kind, filters)
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            offset, _, seen = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            start = int(offset)
        except (ValueError, UnicodeDecodeError):
            seen = ""
        if seen != fingerprint or start < 0:
            raise validation("Invalid pagination token: it does not belong to this request.")
    end = min(len(items), start + (size_of(size) if size_of else size))
    chunk = list(items[start:end])
    next_token = (
        base64.urlsafe_b64encode(f"{end}:{fingerprint}".encode()).decode() if end < len(items) else None
    )
    return chunk, next_token


def ordered(items: list[Any], params: dict[str, Any], modified: bool = False) -> Sequence[Any]:
    """Records are kept in creation order; honour SortBy=LastModifiedTime and SortOrder."""
    seq: Sequence[Any] = items
    if modified and params.get("SortBy") == "LastModifiedTime":
        seq = sorted(items, key=lambda r: r.modified)
    if params.get("SortOrder") == "Descending":
        seq = seq[::-1]
    return seq


# --- settings blocks ---------------------------------------------------------------------------


def _idle_bounds(domain: DomainRec) -> dict[str, Any]:
    return {
        "IdleSettings": {
            "LifecycleManagement": "ENABLED",
            "IdleTimeoutInMinutes": max(60, domain.idle_min),
            "MinIdleTimeoutInMinutes": domain.idle_min,
            "MaxIdleTimeoutInMinutes": domain.idle_max,
        }
    }


def _execution_role(account: DemoAccount) -> str:
    return (
        f"arn:{account.partition}:iam::{account.account_id}:role/service-role/"
        "AmazonSageMaker-ExecutionRole-20260105T120000"
    )


def storage_defaults(domain: DomainRec) -> dict[str, Any]:
    """DefaultSpaceStorageSettings: the size a new space gets and the most any space may have."""
    return {
        "DefaultEbsStorageSettings": {
            "DefaultEbsVolumeSizeInGb": domain.default_ebs_gib,
            "MaximumEbsVolumeSizeInGb": domain.max_ebs_gib,
        }
    }


def user_settings(account: DemoAccount, domain: DomainRec) -> dict[str, Any]:
    spec = {"SageMakerImageArn": image_arn(domain.region), "InstanceType": "ml.t3.medium"}
    return {
        "ExecutionRole": _execution_role(account),
        "JupyterLabAppSettings": {
            "DefaultResourceSpec": dict(spec),
            "AppLifecycleManagement": _idle_bounds(domain),
        },
        "CodeEditorAppSettings": {
            "DefaultResourceSpec": dict(spec),
            "AppLifecycleManagement": _idle_bounds(domain),
        },
        "SpaceStorageSettings": storage_defaults(domain),  # private spaces (the model's doc string)
        "StudioWebPortal": "ENABLED",
        "DefaultLandingUri": "studio::",
    }


def _studio_url(domain: DomainRec) -> str:
    return f"https://{domain.domain_id}.studio.{domain.region}.sagemaker.aws"


# --- records -----------------------------------------------------------------------------------


def domain_summary(arns: Arns, d: DomainRec) -> dict[str, Any]:
    return {
        "DomainArn": arns.domain(d.domain_id),
        "DomainId": d.domain_id,
        "DomainName": d.name,
        "Status": "InService",
        "CreationTime": d.created,
        "LastModifiedTime": d.created,
        "Url": _studio_url(d),
    }


def domain_detail(account: DemoAccount, arns: Arns, d: DomainRec) -> dict[str, Any]:
    detail = domain_summary(arns, d) | {
        "HomeEfsFileSystemId": "fs-0" + hashlib.sha256(d.domain_id.encode()).hexdigest()[:16],
        "AuthMode": d.auth_mode,
        "DefaultUserSettings": user_settings(account, d),
        "AppNetworkAccessType": "PublicInternetOnly",
        "SubnetIds": ["subnet-0a1b2c3d4e5f60718"],
        "VpcId": "vpc-0123456789abcdef0",
    }
    if d.shared_spaces:  # "the default settings for shared spaces that users create in the domain"
        detail["DefaultSpaceSettings"] = {
            "ExecutionRole": _execution_role(account),
            "SpaceStorageSettings": storage_defaults(d),
        }
    if d.auth_mode == "SSO":
        detail["SingleSignOnManagedApplicationInstanceId"] = "ins-0123456789abcdef"
        detail["SingleSignOnApplicationArn"] = (
            f"arn:{account.partition}:sso::{account.account_id}:application/ssoins-0123456789abcdef/apl-0123456789abcdef"
        )
    return detail


def profile_summary(p: ProfileRec) -> dict[str, Any]:
    return {
        "DomainId": p.domain_id,
        "UserProfileName": p.name,
        "Status": "InService",
        "CreationTime": p.created,
        "LastModifiedTime": p.created,
    }


def profile_detail(account: DemoAccount, arns: Arns, d: DomainRec, p: ProfileRec) -> dict[str, Any]:
    detail = profile_summary(p) | {
        "UserProfileArn": arns.profile(p.domain_id, p.name),
        "HomeEfsFileSystemUid": str(200000 + d.profiles.index(p)),
        "UserSettings": user_settings(account, d),
    }
    if d.auth_mode == "SSO" and p.sso_user:
        detail["SingleSignOnUserIdentifier"] = "UserName"
        detail["SingleSignOnUserValue"] = p.sso_user
    return detail


def _storage(s: SpaceRec) -> dict[str, Any]:
    return {"EbsStorageSettings": {"EbsVolumeSizeInGb": s.storage_gib}}


def _remote(s: SpaceRec) -> str:
    return "ENABLED" if s.remote_access else "DISABLED"


def space_summary(s: SpaceRec) -> dict[str, Any]:
    return {
        "DomainId": s.domain_id,
        "SpaceName": s.name,
        "Status": s.status,
        "CreationTime": s.created,
        "LastModifiedTime": s.modified,
        "SpaceSettingsSummary": {
            "AppType": s.app_type,
            "RemoteAccess": _remote(s),
            "SpaceStorageSettings": _storage(s),
        },
        "SpaceSharingSettingsSummary": {"SharingType": s.sharing},
        "OwnershipSettingsSummary": {"OwnerUserProfileName": s.owner},
        "SpaceDisplayName": s.display_name,
    }


def space_detail(arns: Arns, d: DomainRec, s: SpaceRec) -> dict[str, Any]:
    app_settings = {
        "DefaultResourceSpec": {"InstanceType": s.instance_type, "SageMakerImageArn": s.image_arn},
        "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": s.idle_minutes}},
    }
    return {
        "DomainId": s.domain_id,
        "SpaceArn": arns.space(s.domain_id, s.name),
        "SpaceName": s.name,
        "HomeEfsFileSystemUid": "200005",
        "Status": s.status,
        "LastModifiedTime": s.modified,
        "CreationTime": s.created,
        "SpaceSettings": {
            f"{s.app_type}AppSettings": app_settings,
            "AppType": s.app_type,
            "SpaceStorageSettings": _storage(s),
            "RemoteAccess": _remote(s),
        },
        "OwnershipSettings": {"OwnerUserProfileName": s.owner},
        "SpaceSharingSettings": {"SharingType": s.sharing},
        "SpaceDisplayName": s.display_name,
        "Url": f"{_studio_url(d)}/{s.app_type.lower()}/{s.name}",
    } | ({"FailureReason": s.failure_reason} if s.failure_reason else {})


def _resource_spec(a: AppRec) -> dict[str, Any]:
    return {"SageMakerImageArn": a.image_arn, "InstanceType": a.instance_type}


def app_summary(a: AppRec) -> dict[str, Any]:
    return {
        "DomainId": a.domain_id,
        "SpaceName": a.space_name,
        "AppType": a.app_type,
        "AppName": a.app_name,
        "Status": a.status,
        "CreationTime": a.created,
        "ResourceSpec": _resource_spec(a),
    }


def app_detail(arns: Arns, a: AppRec) -> dict[str, Any]:
    detail = app_summary(a) | {"AppArn": arns.app(a.domain_id, a.space_name, a.app_type, a.app_name)}
    if a.status == "InService":
        detail["LastHealthCheckTimestamp"] = a.created + 60
        detail["LastUserActivityTimestamp"] = a.created + 120
    if a.failure_reason:
        detail["FailureReason"] = a.failure_reason
    return detail
