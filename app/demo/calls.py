"""What every simulated SageMaker operation shares: the call's context, and finding the domain and
space a request names with the service's refusals (botocore's model lists which errors each
operation answers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import sagemaker_views as views
from .account import GONE, DemoAccount, DomainRec, SpaceRec
from .faults import Faults, in_use, not_found, validation
from .instances import larger_for_remote_access
from .sessions import SessionRegistry
from .variants import Variants

LIVE_APP = ("Pending", "InService", "Deleting")


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


def domain_of(call: Call, domain_id: str) -> DomainRec:
    domain = call.account.domain(call.region, domain_id)
    if domain is None:
        raise not_found(f'Domain "{call.arns.domain(domain_id)}" does not exist.')
    return domain


def space_of(call: Call, domain: DomainRec, name: str) -> SpaceRec:
    space = domain.spaces_by_name.get(name)
    if space is not None:
        call.account.settle_space(space)
    if space is None or space.status == GONE:
        raise not_found(f'Space "{call.arns.space(domain.domain_id, name)}" does not exist.')
    return space


def in_service(space: SpaceRec, what: str) -> None:
    """UpdateSpace and CreateApp list ResourceInUse among their errors (botocore's model): the
    answer for a space that is not InService, whether it is changing or failed."""
    if space.status != "InService":
        raise in_use(f"Space '{space.name}' is {space.status}; {what} only when it is InService.")


def too_small(instance_type: str, space_name: str) -> None:
    larger = larger_for_remote_access(instance_type)
    if larger is not None:
        raise validation(
            f"Remote access is enabled for space '{space_name}', which requires an instance type with at least "
            f"8 GiB of memory; {instance_type} is too small. Choose a larger instance type such as {larger}."
        )


def check_ebs_size(size: int, domain: DomainRec) -> None:
    """EbsVolumeSizeInGb above the domain's MaximumEbsVolumeSizeInGb (DefaultEbsStorageSettings) is
    refused; the model bounds the value itself to 5-16384, which the server checks before this."""
    if size > domain.max_ebs_gib:
        raise validation(
            f"EbsVolumeSizeInGb {size} exceeds the maximum of {domain.max_ebs_gib} GB "
            "set by the domain's MaximumEbsVolumeSizeInGb."
        )


def check_idle(minutes: int | None, domain: DomainRec) -> None:
    if minutes is not None and not domain.idle_min <= minutes <= domain.idle_max:
        raise validation(
            f"IdleTimeoutInMinutes {minutes} is outside the range {domain.idle_min}-{domain.idle_max} "
            "allowed by the domain's settings."
        )


_APP_SETTINGS = (
    "JupyterLabAppSettings",
    "CodeEditorAppSettings",
    "JupyterServerAppSettings",
    "KernelGatewayAppSettings",
)


def app_settings_of(settings: Params, app_type: str) -> Params:
    """SpaceSettings' <AppType>AppSettings; another app type's settings block is refused."""
    for key in _APP_SETTINGS:
        if key in settings and key != f"{app_type}AppSettings":
            raise validation(f"{key} does not apply to a {app_type} space.")
    return settings.get(f"{app_type}AppSettings") or {}


def idle_minutes_of(app_settings: Params) -> int | None:
    idle = ((app_settings.get("AppLifecycleManagement") or {}).get("IdleSettings") or {}).get(
        "IdleTimeoutInMinutes"
    )
    return idle if isinstance(idle, int) else None


def ebs_size_of(settings: Params) -> int | None:
    size = ((settings.get("SpaceStorageSettings") or {}).get("EbsStorageSettings") or {}).get(
        "EbsVolumeSizeInGb"
    )
    return size if isinstance(size, int) else None
