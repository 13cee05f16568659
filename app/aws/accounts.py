"""Several AWS accounts side by side, as several regions are: each reached through a profile of
its own (`--profile` given more than once) or through an Identity Center role that the user's
`aws sso login` session reaches (`--all-accounts`, sso.py), without a profile per account.

Every account gets an AwsSession of its own (its own credentials, resolved when first needed and
kept in memory) sharing the first one's service models, so SageMaker's model is loaded once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clients import AwsSession, Keys
from .errors import AwsError
from .sso import Assignment, Portal, SsoLogin, login_of, role_credential_provider

if TYPE_CHECKING:
    from .context import ServicePool
    from .service import SpacesService


@dataclass(frozen=True)
class AccountRef:
    """One account to show, and how it is reached."""

    label: str  # the profile's name, or the account's name in Identity Center
    profile: str | None  # the profile whose credentials, or whose SSO login, reach it (None: the chain)
    account_id: str | None = None  # known before any call for an Identity Center account
    role: str | None = None  # the Identity Center role taken there
    login: SsoLogin | None = None  # set for an Identity Center account
    credentials: Keys | None = None  # keys handed in (the simulated account's IAM user)

    @property
    def title(self) -> str:
        """How the account is named in a line: `research (234567890123)`, or the profile alone."""
        return f"{self.label} ({self.account_id})" if self.account_id else self.label

    @property
    def key(self) -> str:
        """Identity across refreshes (tree branches, the listing's state)."""
        return self.account_id or f"profile:{self.profile or ''}"


def profile_ref(profile: str | None, credentials: Keys | None = None) -> AccountRef:
    return AccountRef(profile or "default chain", profile, credentials=credentials)


async def sso_refs(login: SsoLogin, base: AwsSession) -> list[AccountRef]:
    """Every account the login reaches, each with one role (the profile's own where it has it).
    Raises AwsError: an expired login is the one line that names `aws sso login`."""
    assignments = await Portal(login, base).assignments()
    return [_ref(login, a) for a in assignments if a.roles]


def _ref(login: SsoLogin, assignment: Assignment) -> AccountRef:
    return AccountRef(
        assignment.name, login.profile, assignment.account_id, assignment.role_for(login), login=login
    )


async def expand(profiles: list[str | None], all_accounts: bool, base: AwsSession) -> list[AccountRef]:
    """The accounts to show for these profiles: each profile's own account, or with `all_accounts`
    every account an Identity Center profile's login reaches (other profiles stay themselves).
    An account reached twice is shown once, the first way."""
    if not all_accounts:
        return _unique([profile_ref(p) for p in profiles])
    logins = await asyncio.to_thread(lambda: [login_of(p) if p else None for p in profiles])
    if not any(logins):
        named = ", ".join(p for p in profiles if p) or "the default chain"
        raise AwsError(
            f"--all-accounts needs a profile that signs in with IAM Identity Center (sso_session or "
            f"sso_start_url in ~/.aws/config); {named} does not: pass --profile NAME",
            kind="validation",
        )
    found = await asyncio.gather(
        *(sso_refs(login, base) if login else _itself(p) for p, login in zip(profiles, logins, strict=True))
    )
    return _unique([ref for refs in found for ref in refs])


async def _itself(profile: str | None) -> list[AccountRef]:
    return [profile_ref(profile)]


def _unique(refs: list[AccountRef]) -> list[AccountRef]:
    seen: set[str] = set()
    kept = []
    for ref in refs:
        if ref.key not in seen:
            seen.add(ref.key)
            kept.append(ref)
    return kept


def session_for(ref: AccountRef, base: AwsSession | None = None) -> AwsSession:
    """The account's own session: its credentials, `base`'s service models."""
    if ref.login is None:
        session = AwsSession(ref.profile, ref.credentials)
    else:
        login = ref.login
        portal_session = AwsSession(login.profile, config_file=login.config_file)
        if base is not None:
            portal_session.sharing_models(base)
        assert ref.account_id is not None and ref.role is not None  # an Identity Center account's
        provider = role_credential_provider(Portal(login, portal_session), ref.account_id, ref.role)
        session = AwsSession(login.profile, config_file=login.config_file, provider=provider)
    return session.sharing_models(base) if base is not None else session


def service_for(
    ref: AccountRef, base: AwsSession, *, region: str | None, endpoint_url: str | None, **options: object
) -> SpacesService:
    """A SpacesService of the account: `region`, else its profile's region."""
    from .service import SpacesService

    return SpacesService(
        region=region,
        endpoint_url=endpoint_url,
        session=session_for(ref, base),
        **options,  # type: ignore[arg-type]
    )


class AccountPools:
    """Several accounts' services for the TUI: the accounts found once (an Identity Center login's,
    or the profiles'), each a ServicePool of its own session; all share the first session's models.
    Satisfies app.aws.api.AccountsApi."""

    def __init__(
        self,
        profiles: list[str | None],
        all_accounts: bool,
        *,
        endpoint_url: str | None,
        poll_interval: float,
        login: SsoLogin | None = None,
    ) -> None:
        self._profiles, self._all, self._login = profiles, all_accounts, login
        self.base = AwsSession(
            login.profile if login else profiles[0], config_file=login.config_file if login else None
        )
        self._endpoint_url = endpoint_url
        self._poll_interval = poll_interval
        self._refs: list[AccountRef] | None = None
        self._pools: dict[str, ServicePool] = {}
        self._by_id: dict[str, AccountRef] = {}

    async def refs(self) -> list[AccountRef]:
        """The accounts, found on the first call (the SSO portal's, or one per profile)."""
        if self._refs is None:
            if self._login is not None:
                self._refs = await sso_refs(self._login, self.base)
            else:
                self._refs = await expand(self._profiles, self._all, self.base)
        return self._refs

    def get(self, ref: AccountRef, region: str) -> SpacesService:
        return self._pool(ref).get(region)

    def _pool(self, ref: AccountRef) -> ServicePool:
        pool = self._pools.get(ref.key)
        if pool is None:
            from .context import ServicePool

            pool = self._pools[ref.key] = ServicePool(
                ref.profile,
                endpoint_url=self._endpoint_url,
                session=session_for(ref, self.base),
                poll_interval=self._poll_interval,
            )
        return pool

    def bind(self, account_id: str, ref: AccountRef) -> None:
        """Which ref reaches `account_id` (known for a profile's account once STS answered)."""
        self._by_id.setdefault(account_id, ref)

    def of_account(self, account_id: str, region: str) -> SpacesService:
        """The service of the account a space is in (bound by an earlier listing)."""
        ref = self._by_id.get(account_id)
        if ref is None:
            raise AwsError(f"account {account_id} is not one of those listed; refresh (r)", kind="validation")
        return self.get(ref, region)

    async def child_reach(self, account_id: str) -> tuple[str | None, Keys | None]:
        """How a child process (ssh's ProxyCommand) reaches the account: the profile to name, or
        for an Identity Center account the role's current keys, for its environment only."""
        ref = self._by_id.get(account_id)
        if ref is None or ref.login is None:
            return (ref.profile if ref else None), None
        credentials = await self._pool(ref).session.botocore.get_credentials()
        frozen = await credentials.get_frozen_credentials()
        return None, (frozen.access_key, frozen.secret_key, frozen.token)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
