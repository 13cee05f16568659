"""`doctor`: the preflight checklist, as data. Each check returns Check objects; the command only
renders them. Checks never mutate anything: write permissions are judged by IAM policy simulation,
never by trying.

Statuses: OK; FAIL (something that blocks connecting — the exit code becomes 1); WARN (works, but
something is worth fixing, e.g. an out-of-date ssh config block); SKIP (optional, not applicable,
or could not be tested — always with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..aws.service import SpacesService
    from ..model import Space


class Status(StrEnum):
    OK = "ok"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class DoctorContext:
    svc: SpacesService
    profile: str | None = None
    endpoint_url: str | None = None  # the SageMaker endpoint in use when not AWS's own
    demo: bool = False
    config_path: Path = field(default_factory=lambda: Path.home() / ".ssh" / "config")
    explicit_config: bool = False  # given with --config: ssh -G reads exactly that file
    # Filled in by the AWS checks for the later ones.
    caller_ok: bool = False
    caller_arn: str = ""
    spaces: list[Space] | None = None
    partition: str = "aws"


async def run_checks(ctx: DoctorContext) -> list[Check]:
    """Every check, in the order a person would fix things."""
    import asyncio

    from . import doctor_aws, doctor_local, doctor_ssh

    checks: list[Check] = [await asyncio.to_thread(doctor_local.check_ssh)]
    checks += await doctor_aws.check_account(ctx)
    checks += await doctor_local.check_dns(ctx.svc.region, ctx.endpoint_url, ctx.partition)
    checks.append(doctor_local.check_proxies(ctx.endpoint_url))
    checks.append(await asyncio.to_thread(doctor_local.check_plugin))
    checks += await asyncio.to_thread(doctor_ssh.check_ssh_config, ctx)
    return checks


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status is Status.FAIL for c in checks) else 0
