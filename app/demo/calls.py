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
