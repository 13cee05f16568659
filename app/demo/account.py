"""The simulated account's state: domains, user profiles, spaces and apps, with timed transitions.

Transitions are settled lazily: a record holds its next status and the monotonic time it is due,
and every read settles it first. With a zero delay the next read already shows the settled state,
which keeps tests deterministic without background tasks; with a few seconds a person can watch
"Pending" turn into "InService".
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from . import seed_data
from .instances import larger_for_remote_access

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
DEFAULT_IDLE_MAX = 525_600
# EBS volume of a space: Studio's defaults for a domain that sets none (DefaultEbsStorageSettings).
DEFAULT_EBS_GIB, MAX_EBS_GIB = 5, 100
GONE = "Deleted"  # not a SpaceStatus: a space whose deletion is due is no longer listed at all

# Account that owns SageMaker Distribution images, per region (as in the real service).
_IMAGE_ACCOUNT = {"us-east-1": "885854791233", "eu-west-1": "819792524951", "us-west-2": "542918446943"}


def image_arn(region: str) -> str:
    owner = _IMAGE_ACCOUNT.get(region, "885854791233")
    return f"arn:{PARTITION}:sagemaker:{region}:{owner}:image/sagemaker-distribution-cpu"


@dataclass(slots=True)
class Transition:
    """A status change due at a monotonic time."""

    status: str
    due: float
    failure_reason: str | None = None


@dataclass(slots=True)
class AppRec:
    domain_id: str
    space_name: str
    app_type: str
    app_name: str
    status: str
    instance_type: str
    image_arn: str
    created: float
    failure_reason: str | None = None
    pending: Transition | None = None
    # When (account clock) the app last turned InService; the seeded ones did long ago.
    in_service_at: float = float("-inf")


@dataclass(slots=True)
class SpaceRec:
    domain_id: str
    name: str
    app_type: str
    owner: str
    sharing: str  # "Private" | "Shared"
    instance_type: str
    image_arn: str
    remote_access: bool
    storage_gib: int
    idle_minutes: int
    created: float
    modified: float
    display_name: str = ""
    status: str = "InService"
    fails_on_start: bool = False  # the next CreateApp ends in Failed (for the UI's failed state)
    pending: Transition | None = None
    app: AppRec | None = None
    failure_reason: str | None = None  # DescribeSpace's FailureReason for Update_Failed/Delete_Failed
    # DescribeSpace's answer from before an UpdateSpace, and until when (account clock) it is shown.
    stale: tuple[dict, float] | None = None


@dataclass(slots=True)
class ProfileRec:
    domain_id: str
    name: str
    created: float
    sso_user: str | None = None


@dataclass(slots=True)
class DomainRec:
    domain_id: str
    name: str
    region: str
    auth_mode: str
    created: float
    idle_min: int = 60
    idle_max: int = DEFAULT_IDLE_MAX
    default_ebs_gib: int = DEFAULT_EBS_GIB
    max_ebs_gib: int = MAX_EBS_GIB
    # DescribeDomain carries DefaultSpaceSettings (with an execution role for shared spaces): shared
    # spaces can be created. Without it CreateSpace refuses SharingType=Shared.
    shared_spaces: bool = True
    spaces: list[SpaceRec] = field(default_factory=list)  # creation order
    spaces_by_name: dict[str, SpaceRec] = field(default_factory=dict)
    profiles: list[ProfileRec] = field(default_factory=list)
    profiles_by_name: dict[str, ProfileRec] = field(default_factory=dict)
    apps: list[AppRec] = field(default_factory=list)  # creation order


class DemoAccount:
    """All state of one simulated account, across regions."""

    def __init__(self, account_id: str = ACCOUNT_ID, *, transition_delay: float = 0.0) -> None:
        self.account_id = account_id
        self.partition = PARTITION
        self.transition_delay = transition_delay
        self.clock = time.monotonic
        self.domains: dict[str, DomainRec] = {}  # by id, all regions
        self.sso_user: str | None = None  # when set, the caller is this Identity Center user
        self.iam_user = "demo-developer"
        self._deleting: list[SpaceRec] = []  # spaces whose DeleteSpace is under way

    # --- caller identity ----------------------------------------------------------------------

    def use_sso_user(self, user: str | None) -> None:
        """Act as Identity Center user `user` (None: back to the IAM user)."""
        self.sso_user = user

    @property
    def caller_arn(self) -> str:
        if self.sso_user:
            return (
                f"arn:{self.partition}:sts::{self.account_id}:assumed-role/"
                f"AWSReservedSSO_DataScientist_0123456789abcdef/{self.sso_user}"
            )
        return f"arn:{self.partition}:iam::{self.account_id}:user/{self.iam_user}"

    @property
    def caller_user_id(self) -> str:
        if self.sso_user:
            return f"AROAXDEMOSSO0123456789:{self.sso_user}"
        return "AIDAXDEMODEVELOPER0123"

    # --- building -----------------------------------------------------------------------------

    def add_domain(
        self,
        domain_id: str,
        name: str,
        region: str,
        *,
        auth_mode: str = "IAM",
        created: float | None = None,
        idle_max: int = DEFAULT_IDLE_MAX,
    ) -> DomainRec:
        domain = DomainRec(
            domain_id,
            name,
            region,
            auth_mode,
            created if created is not None else time.time(),
            idle_max=idle_max,
        )
        self.domains[domain_id] = domain
        return domain

    def add_profile(
        self, domain: DomainRec, name: str, *, sso_user: str | None = None, created: float | None = None
    ) -> ProfileRec:
        profile = ProfileRec(
            domain.domain_id, name, created if created is not None else time.time(), sso_user
        )
        domain.profiles.append(profile)
        domain.profiles_by_name[name] = profile
        return profile

    def add_space(
        self,
        domain: DomainRec,
        name: str,
        *,
        app_type: str,
        owner: str,
        sharing: str = "Private",
        instance_type: str = "ml.t3.large",
        remote_access: bool = True,
        storage_gib: int = 5,
        idle_minutes: int = 60,
        created: float | None = None,
        display_name: str = "",
        fails_on_start: bool = False,
    ) -> SpaceRec:
        when = created if created is not None else time.time()
        space = SpaceRec(
            domain.domain_id,
            name,
            app_type,
            owner,
            sharing,
            instance_type,
            image_arn(domain.region),
            remote_access,
            storage_gib,
            idle_minutes,
            when,
            when,
            display_name=display_name or name,
            fails_on_start=fails_on_start,
        )
        domain.spaces.append(space)
        domain.spaces_by_name[name] = space
        return space

    def put_app(
        self,
        space: SpaceRec,
        *,
        status: str,
        instance_type: str | None = None,
        app_name: str = "default",
        created: float | None = None,
        failure_reason: str | None = None,
    ) -> AppRec:
        """Give `space` a (new) app record, replacing the previous one in listings."""
        domain = self.domains[space.domain_id]
        if space.app is not None:
            domain.apps.remove(space.app)
        app = AppRec(
            space.domain_id,
            space.name,
            space.app_type,
            app_name,
            status,
            instance_type or space.instance_type,
            space.image_arn,
            created if created is not None else time.time(),
            failure_reason,
        )
        space.app = app
        domain.apps.append(app)
        return app

    # --- reading ------------------------------------------------------------------------------

    def domains_in(self, region: str) -> list[DomainRec]:
        return [d for d in self.domains.values() if d.region == region]

    def domain(self, region: str, domain_id: str) -> DomainRec | None:
        domain = self.domains.get(domain_id)
        return domain if domain is not None and domain.region == region else None

    def settle_space(self, space: SpaceRec) -> SpaceRec:
        """`space` with its due transition applied; a space whose deletion is due leaves its domain
        (its status then reads GONE, for whoever still holds the record)."""
        if space.pending is not None and self.clock() >= space.pending.due:
            space.status, space.pending = space.pending.status, None
            if space.status == GONE:
                self._remove(space)
                return space
            space.modified = time.time()
        if space.app is not None:
            self.settle_app(space.app)
        return space

    def settle_app(self, app: AppRec) -> AppRec:
        if app.pending is not None and self.clock() >= app.pending.due:
            app.status, app.failure_reason = app.pending.status, app.pending.failure_reason
            if app.status == "InService":
                app.in_service_at = app.pending.due
            app.pending = None
        return app

    def sweep(self, domain: DomainRec) -> None:
        """Settle the deletions under way in `domain`, before its spaces are listed or looked up."""
        for space in [s for s in self._deleting if s.domain_id == domain.domain_id]:
            self.settle_space(space)

    def _remove(self, space: SpaceRec) -> None:
        domain = self.domains[space.domain_id]
        domain.spaces.remove(space)
        del domain.spaces_by_name[space.name]
        if space.app is not None:
            domain.apps.remove(space.app)
        self._deleting.remove(space)

    # --- transitions --------------------------------------------------------------------------

    def schedule_app(self, app: AppRec, status: str, failure_reason: str | None = None) -> None:
        app.pending = Transition(status, self.clock() + self.transition_delay, failure_reason)

    def schedule_space(self, space: SpaceRec, status: str) -> None:
        space.pending = Transition(status, self.clock() + self.transition_delay)
        if status == GONE:
            self._deleting.append(space)

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def seeded(cls, *, transition_delay: float = 0.0) -> DemoAccount:
        """The fixed demo account: 4 domains in 2 regions, 7 profiles, 29 spaces in mixed states,
        3 of them in the space-level states Pending, Update_Failed and Delete_Failed."""
        account = cls(transition_delay=transition_delay)
        seed_data.populate(account)
        return account

    @classmethod
    def generate(
        cls,
        domains: int = 10,
        spaces_per_domain: int = 20,
        seed: int = 0,
        *,
        region: str = "us-east-1",
        transition_delay: float = 0.0,
    ) -> DemoAccount:
        """A large synthetic account for benchmarks: `domains` x `spaces_per_domain` spaces, one region."""
        rng = random.Random(seed)
        account = cls(transition_delay=transition_delay)
        base = time.time() - 86_400 * 90
        instance_types = ("ml.t3.medium", "ml.t3.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.g5.xlarge")
        for d in range(domains):
            domain = account.add_domain(
                f"d-bench{seed % 1000:03d}{d:05d}", f"bench-domain-{d:03d}", region, created=base + d
            )
            owners = [account.add_profile(domain, f"user-{u:02d}", created=base + d).name for u in range(5)]
            for s in range(spaces_per_domain):
                app_type = "JupyterLab" if s % 2 == 0 else "CodeEditor"
                roll = rng.random()
                instance_type = instance_types[rng.randrange(len(instance_types))]
                space = account.add_space(
                    domain,
                    f"space-{s:04d}",
                    app_type=app_type,
                    owner=owners[s % len(owners)],
                    sharing="Shared" if roll < 0.15 else "Private",
                    instance_type=instance_type,
                    remote_access=roll > 0.3 and larger_for_remote_access(instance_type) is None,
                    created=base + d * 1000 + s,
                )
                if roll > 0.7:
                    account.put_app(space, status="InService", created=base + d * 1000 + s)
        return account
