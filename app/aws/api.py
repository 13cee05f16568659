"""What the UI needs of the AWS layer, as one typed interface (Protocols, as harlequin's adapters).

The UI imports this module before its first frame, for typing, so it imports nothing heavy: the
service (and with it aiobotocore) is imported by the functions below, which the UI runs on a thread.
SpacesService satisfies SpacesApi and ServicePool satisfies SpacesPool; `open_pool` returning one as
the other is what makes mypy check that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..model import Space

if TYPE_CHECKING:  # the types of the answers, for the UI to name too (from app.aws.api)
    from ..space_changes import IdleBounds, NewSpace, SpaceEdit, SpaceOptions
    from .accounts import AccountRef
    from .clients import Keys
    from .listing import Listing
    from .service import Caller, SessionInfo


Progress = Callable[[Space], None] | None


class SpacesApi(Protocol):
    """One region of one account: the calls the UI makes, each answering with model objects and
    failing with an AwsError that carries one line for the user."""

    async def caller(self) -> Caller: ...

    async def list_all(self, *, sso_users: bool = False) -> Listing: ...

    def expect_domains(self, domain_of_each_space: list[str]) -> None:
        """The domains of a cached listing, asked beside ListDomains in the next listing's first round."""
        ...

    async def describe_space(self, domain_id: str, space_name: str) -> Space: ...

    async def idle_bounds(
        self, domain_id: str, owner: str | None, app_type: str | None = None
    ) -> IdleBounds: ...

    async def start_space(
        self,
        domain_id: str,
        space_name: str,
        *,
        instance_type: str | None = None,
        progress: Progress = None,
        wait: bool = True,
    ) -> Space: ...

    async def stop_space(
        self, domain_id: str, space_name: str, *, progress: Progress = None, wait: bool = True
    ) -> Space: ...

    async def enable_remote_access(
        self, domain_id: str, space_name: str, *, instance_type: str | None = None, progress: Progress = None
    ) -> Space: ...

    async def set_idle_timeout(self, domain_id: str, space_name: str, minutes: int) -> Space: ...

    async def space_options(
        self, domain_id: str, *, owner: str | None = None, shared: bool = False
    ) -> SpaceOptions: ...

    async def create_space(self, new: NewSpace, *, progress: Progress = None) -> Space: ...

    async def delete_space(self, domain_id: str, space_name: str, *, progress: Progress = None) -> None: ...

    async def edit_space(
        self,
        domain_id: str,
        space_name: str,
        change: SpaceEdit,
        *,
        restart: bool = False,
        progress: Progress = None,
    ) -> Space: ...

    async def start_session(
        self, space_arn: str, *, on_wait: Callable[[str], None] | None = None
    ) -> SessionInfo: ...

    async def resume_session(self, session_id: str) -> SessionInfo | None: ...

    async def aclose(self) -> None: ...


class SpacesPool(Protocol):
    """One account's services, one per region, sharing a session (credentials resolved once)."""

    def get(self, region: str) -> SpacesApi: ...

    async def aclose(self) -> None: ...


class AccountsApi(Protocol):
    """Several accounts side by side (app.aws.accounts): which, and each one's SpacesApi per region."""

    async def refs(self) -> list[AccountRef]:
        """The accounts: an Identity Center login's (asking its portal once), or one per profile.
        Raises AwsError (an ended login: the one line naming `aws sso login`)."""
        ...

    def get(self, ref: AccountRef, region: str) -> SpacesApi: ...

    def bind(self, account_id: str, ref: AccountRef) -> None:
        """Which ref reaches `account_id`, once its caller is known (spaces name their account)."""
        ...

    def of_account(self, account_id: str, region: str) -> SpacesApi: ...

    async def child_reach(self, account_id: str) -> tuple[str | None, Keys | None]:
        """The profile for ssh's ProxyCommand to name, or an Identity Center role's current keys
        (for its environment only)."""
        ...

    async def aclose(self) -> None: ...


def open_accounts(
    profiles: list[str | None],
    all_accounts: bool,
    *,
    endpoint_url: str | None,
    poll_interval: float,
    demo_files: tuple[str, str] | None = None,
) -> AccountsApi:
    """Several accounts' services; with `demo_files` (the simulator's AWS config file and token
    cache), the simulated Identity Center's accounts. Imports aiobotocore and reads the AWS config
    files: run it off the event loop (asyncio.to_thread)."""
    from .accounts import AccountPools

    login = None
    if demo_files is not None:
        from .sso import login_of

        login = login_of(
            "demo", config_file=demo_files[0], cache_dir=demo_files[1], endpoint_url=endpoint_url
        )
    pools = AccountPools(
        profiles, all_accounts, endpoint_url=endpoint_url, poll_interval=poll_interval, login=login
    )
    _ = pools.base.botocore  # made here, on the caller's thread, rather than by the first call
    return pools


def open_pool(
    profile: str | None, *, endpoint_url: str | None, credentials: Keys | None, poll_interval: float
) -> SpacesPool:
    """The account's services. Imports aiobotocore and reads the AWS config files, which a UI
    would feel: run it off the event loop (asyncio.to_thread)."""
    from .context import ServicePool

    pool = ServicePool(
        profile, endpoint_url=endpoint_url, credentials=credentials, poll_interval=poll_interval
    )
    _ = pool.session.botocore  # made here, on the caller's thread, rather than by the first call
    return pool


def check_instance_type(value: str) -> str:
    """`value` when spaces can run on it with remote access; ValueError saying why not (botocore's
    model, loaded on first use: off the loop, or where a moment's wait does not matter)."""
    from .known_values import check_instance_type as check

    return check(value)


def is_instance_type(value: str) -> bool:
    """Whether SageMaker has instance type `value` for spaces at all (botocore's model)."""
    from .known_values import app_instance_types

    return value in app_instance_types()


def check_image_arn(value: str) -> str:
    """`value` when it reads as a SageMaker image ARN; ValueError otherwise (botocore's model)."""
    from .known_values import check_image_arn as check

    return check(value)


def available_regions(partition: str = "aws") -> list[str]:
    """Regions offering SageMaker, from botocore's endpoint data (imports botocore: off the loop)."""
    from .context import available_regions as regions

    return regions(partition)


def available_profiles() -> list[str]:
    """Profiles of the AWS config files (imports botocore: off the loop)."""
    from .context import available_profiles as profiles

    return profiles()


def configured_region(profile: str | None) -> str | None:
    """The region the environment or the AWS config file names for `profile`, read without botocore:
    cheap enough for before the first frame. `default_region` has the last word."""
    from .config_region import configured_region as region

    return region(profile)


def default_region(profile: str | None) -> str | None:
    """The region the AWS CLI would use for `profile` (imports botocore: off the loop). Raises
    AwsError for a profile missing from the config."""
    from .clients import default_region as region

    return region(profile)
