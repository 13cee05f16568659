"""The domain model: what a SageMaker Studio account holds, independent of botocore and textual.

Everything here is a plain frozen dataclass or a pure function, so the UI, the command line and the
tests can share it without touching the network. Each class has a docstring: without one, @dataclass
builds it from inspect.signature at import, which the TUI's first frame would wait for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

# App types whose spaces we manage (the Toolkit ignores the others too).
IDE_APP_TYPES = ("JupyterLab", "CodeEditor")

REMOTE_USER = "sagemaker-user"
REMOTE_HOME = "/home/sagemaker-user"


class SpaceStatus(StrEnum):
    RUNNING = "Running"
    CREATING = "Creating"  # the space itself is being created (space status Pending)
    STARTING = "Starting"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    UPDATING = "Updating"
    DELETING = "Deleting"
    FAILED = "Failed"
    UNKNOWN = "Unknown"

    @property
    def in_transition(self) -> bool:
        return self in _TRANSITIONAL


_TRANSITIONAL = frozenset(
    {
        SpaceStatus.CREATING,
        SpaceStatus.STARTING,
        SpaceStatus.STOPPING,
        SpaceStatus.UPDATING,
        SpaceStatus.DELETING,
    }
)
_SPACE_FAILED = frozenset({"Failed", "Update_Failed", "Delete_Failed"})


def derive_status(space_status: str | None, app_status: str | None) -> SpaceStatus:
    """The status a person cares about, from the space's and its app's raw statuses.

    The order of the checks matters and follows the Toolkit (DESIGN §4).
    """
    if space_status in _SPACE_FAILED or (app_status == "Failed" and space_status != "Updating"):
        return SpaceStatus.FAILED
    if space_status == "InService":
        if app_status == "InService":
            return SpaceStatus.RUNNING
        if app_status == "Pending":
            return SpaceStatus.STARTING
    if space_status == "Updating":
        return SpaceStatus.UPDATING
    if space_status == "InService":
        if app_status == "Deleting":
            return SpaceStatus.STOPPING
        if app_status in (None, "Deleted"):
            return SpaceStatus.STOPPED
    if space_status == "Deleting":
        return SpaceStatus.DELETING
    if space_status == "Pending":
        return SpaceStatus.CREATING
    return SpaceStatus.UNKNOWN


def space_arn(partition: str, region: str, account: str, domain_id: str, name: str) -> str:
    """A space's ARN (app/names.py parses one back into its parts)."""
    return f"arn:{partition}:sagemaker:{region}:{account}:space/{domain_id}/{name}"


# --- model objects ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Domain:
    """A SageMaker domain (DescribeDomain/ListDomains)."""

    domain_id: str
    name: str
    region: str
    status: str = "InService"
    auth_mode: str = "IAM"  # or "SSO" for Identity Center domains
    arn: str = ""


@dataclass(frozen=True, slots=True)
class UserProfile:
    """A user profile of a domain; SSO domains name the Identity Center user."""

    domain_id: str
    name: str
    status: str = "InService"
    # Identity Center user name this profile belongs to (SSO domains only).
    sso_user_value: str | None = None


@dataclass(frozen=True, slots=True)
class App:
    """The IDE app of a space (ListApps), which is what runs when the space is running."""

    domain_id: str
    space_name: str
    app_type: str
    app_name: str
    status: str
    instance_type: str | None = None


@dataclass(frozen=True, slots=True)
class Space:
    """A Studio space with its app, as the listing (and DescribeSpace for the details) shows it."""

    domain_id: str
    name: str
    region: str
    account: str
    space_status: str
    partition: str = "aws"
    domain_name: str = ""
    display_name: str = ""
    app_type: str | None = None
    app: App | None = None
    owner: str | None = None  # owning user profile; None for shared spaces
    sharing: str = "Private"  # "Private" or "Shared"
    remote_access: bool = False
    instance_type: str | None = None  # of the running app, or the space's default
    image: str | None = None
    storage_gib: int | None = None
    idle_timeout_minutes: int | None = None
    last_modified: datetime | None = None
    failure_reason: str | None = None  # DescribeSpace's FailureReason (the listing has none)
    alias: str = field(default="")

    @property
    def status(self) -> SpaceStatus:
        return derive_status(self.space_status, self.app.status if self.app else None)

    @property
    def arn(self) -> str:
        return space_arn(self.partition, self.region, self.account, self.domain_id, self.name)

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of a space across refreshes."""
        return (self.region, self.domain_id, self.name)

    @property
    def shared(self) -> bool:
        """Shared with the whole domain: it belongs to no one user profile, whoever created it."""
        return self.owner is None or self.sharing == "Shared"

    @property
    def owner_label(self) -> str:
        """The user profile the space belongs to, or "shared" (the CLI's and the TUI's word)."""
        return "shared" if self.shared else self.owner or "shared"

    def with_alias(self, alias: str) -> Space:
        return replace(self, alias=alias)


# What a person can do with a space whose own status (not its app's) stands in the way. SageMaker's
# SpaceStatus enum (botocore's model) has these besides InService, Updating and Deleting.
_SPACE_STATE_LABEL = {
    "Pending": "being created",
    "Failed": "failed",
    "Update_Failed": "update failed",
    "Delete_Failed": "delete failed",
}


def status_label(space: Space) -> str:
    """The status as a person reads it: which failure when the space itself failed."""
    if space.space_status in ("Update_Failed", "Delete_Failed"):
        return _SPACE_STATE_LABEL[space.space_status].capitalize()
    return space.status.value


def space_problem(space: Space) -> str | None:
    """Why the space itself cannot be started, stopped or changed now, and what to do instead;
    None when its status allows actions (an app that failed to start does: start it again)."""
    if space.space_status not in _SPACE_STATE_LABEL:
        return None
    reason = f" ({space.failure_reason})" if space.failure_reason else ""
    if space.space_status == "Pending":
        return f"{space.name} is still being created; refresh and use it once it is Stopped"
    if space.space_status == "Delete_Failed":
        return (
            f"{space.name}: deleting the space failed{reason}; fix the cause, then delete it again "
            "(`sm-spaces delete`, or D in the TUI)"
        )
    what = "its last update failed" if space.space_status == "Update_Failed" else "the space failed"
    return (
        f"{space.name}: {what}{reason}; it cannot be started until it is fixed in SageMaker Studio "
        "(update it again or delete it)"
    )


def stop_problem(space: Space) -> str | None:
    """space_problem, for a stop: an app still running in a failed space can be stopped."""
    return space_problem(space) if space.app is None or space.app.status == "Deleted" else None


# --- ssh aliases ------------------------------------------------------------------------------

_ALIAS_UNSAFE = re.compile(r"[^a-z0-9-]+")


def alias_for(space_name: str, domain_id: str | None = None) -> str:
    """A readable ssh host alias: ``sm-<space>``, or ``sm-<space>.<domain-id>`` to disambiguate.

    Only [a-z0-9-.] survive, so an alias can never inject ssh_config syntax.
    """
    base = _ALIAS_UNSAFE.sub("-", space_name.lower()).strip("-") or "space"
    alias = f"sm-{base}"
    if domain_id:
        alias += "." + (_ALIAS_UNSAFE.sub("-", domain_id.lower()).strip("-") or "domain")
    return alias


def assign_aliases(spaces: list[Space]) -> list[Space]:
    """Give each space its alias; spaces whose short alias collides get the domain-qualified one.

    Spaces in different regions with the same name and domain id cannot exist (domain ids are
    account-unique), so (space, domain) is always enough.
    """
    counts: dict[str, int] = {}
    for space in spaces:
        short = alias_for(space.name)
        counts[short] = counts.get(short, 0) + 1
    return [
        s.with_alias(alias_for(s.name) if counts[alias_for(s.name)] == 1 else alias_for(s.name, s.domain_id))
        for s in spaces
    ]


# --- instance sizes for remote access ---------------------------------------------------------

# What an app runs on when its space names no instance type (lifecycle.start's CreateApp).
DEFAULT_INSTANCE_TYPE = "ml.t3.medium"

# The service refuses remote access on instances with less than 8 GiB of memory.
TOO_SMALL_FOR_REMOTE = {
    "ml.t3.micro": "ml.t3.large",
    "ml.t3.small": "ml.t3.large",
    "ml.t3.medium": "ml.t3.large",
    "ml.c7i.large": "ml.c7i.xlarge",
    "ml.c6i.large": "ml.c6i.xlarge",
    "ml.c6id.large": "ml.c6id.xlarge",
    "ml.c5.large": "ml.c5.xlarge",
}


def remote_access_upgrade(instance_type: str | None) -> str | None:
    """The next size up when `instance_type` is too small for remote access, else None."""
    if instance_type is None:
        return None
    return TOO_SMALL_FOR_REMOTE.get(instance_type)
