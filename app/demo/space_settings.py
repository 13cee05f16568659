"""SpaceSettings as CreateSpace and UpdateSpace read it, with the refusals both answer (each a
ValidationException, which both operations list in botocore's SageMaker model): another app
type's settings block, an instance type too small for remote access, an idle timeout or a volume
size outside what the domain allows, and (UpdateSpace only) a volume that would shrink."""

from __future__ import annotations

from dataclasses import dataclass

from .account import DomainRec
from .calls import Params, too_small
from .faults import validation


@dataclass(frozen=True)
class AskedSettings:
    instance_type: str  # the one asked for, else the caller's current or default one
    image_arn: str | None
    idle_minutes: int | None  # None: not asked for
    storage_gib: int | None  # None: not asked for


def read_space_settings(
    settings: Params,
    domain: DomainRec,
    *,
    app_type: str,
    space_name: str,
    remote: bool,
    instance_type: str,
    current_gib: int | None = None,
) -> AskedSettings:
    """Checks `settings` (a request's SpaceSettings) for an `app_type` space in `domain`; with
    `current_gib` (UpdateSpace) a smaller EbsVolumeSizeInGb is refused."""
    app_settings = _app_settings_of(settings, app_type)
    spec = app_settings.get("DefaultResourceSpec") or {}
    instance_type = spec.get("InstanceType") or instance_type
    if remote:
        too_small(instance_type, space_name)
    idle = _idle_minutes_of(app_settings)
    _check_idle(idle, domain)
    size = _ebs_size_of(settings)
    if size is not None and current_gib is not None and size < current_gib:
        raise validation(f"EbsVolumeSizeInGb cannot be decreased (currently {current_gib} GB).")
    if size is not None:
        _check_ebs_size(size, domain)
    return AskedSettings(instance_type, spec.get("SageMakerImageArn"), idle, size)


def _check_ebs_size(size: int, domain: DomainRec) -> None:
    """EbsVolumeSizeInGb above the domain's MaximumEbsVolumeSizeInGb (DefaultEbsStorageSettings) is
    refused; the model bounds the value itself to 5-16384, which the server checks before this."""
    if size > domain.max_ebs_gib:
        raise validation(
            f"EbsVolumeSizeInGb {size} exceeds the maximum of {domain.max_ebs_gib} GB "
            "set by the domain's MaximumEbsVolumeSizeInGb."
        )


def _check_idle(minutes: int | None, domain: DomainRec) -> None:
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


def _app_settings_of(settings: Params, app_type: str) -> Params:
    """SpaceSettings' <AppType>AppSettings; another app type's settings block is refused."""
    for key in _APP_SETTINGS:
        if key in settings and key != f"{app_type}AppSettings":
            raise validation(f"{key} does not apply to a {app_type} space.")
    return settings.get(f"{app_type}AppSettings") or {}


def _idle_minutes_of(app_settings: Params) -> int | None:
    idle = ((app_settings.get("AppLifecycleManagement") or {}).get("IdleSettings") or {}).get(
        "IdleTimeoutInMinutes"
    )
    return idle if isinstance(idle, int) else None


def _ebs_size_of(settings: Params) -> int | None:
    size = ((settings.get("SpaceStorageSettings") or {}).get("EbsStorageSettings") or {}).get(
        "EbsVolumeSizeInGb"
    )
    return size if isinstance(size, int) else None
