"""The account the app works in, and the AWS layer for it (app.aws.api, one typed interface).

The services are made after the first frame, on a thread: making them imports aiobotocore and reads
the AWS config files, which the first paint must not wait for.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import NamedTuple

from ..aws.api import AccountsApi, SpacesApi, SpacesPool

Keys = tuple[str, str, str | None]  # access key, secret key, session token
DEFAULT_CHAIN = "default chain"  # no profile: botocore's credential chain (environment, AWS_PROFILE, ...)


class Many(NamedTuple):
    """Several accounts side by side: the profiles given, or every account an Identity Center
    login reaches (`all_accounts`); `demo_files` are the simulator's AWS config file and token cache."""

    profiles: list[str | None]
    all_accounts: bool
    demo_files: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        """The header's word for where the accounts come from."""
        if self.all_accounts or self.demo_files:
            login = self.profiles[0] or ("demo" if self.demo_files else DEFAULT_CHAIN)
            return f"{login}: Identity Center"
        return f"{len(self.profiles)} profiles"


@dataclass
class Account:
    """Which AWS account, and how it is reached. `profile` and `credentials` change on a profile switch."""

    profile: str | None
    endpoint_url: str | None
    credentials: Keys | None  # keys handed in (the simulated account's), else the botocore chain's
    cache_profile: str | None = None  # "demo": the simulated account of --demo
    many: Many | None = None  # several accounts side by side (the tree's top level is the account)

    @property
    def demo(self) -> bool:
        """The simulated account of --demo, which ends with this program."""
        return self.cache_profile == "demo"

    @property
    def profile_key(self) -> str | None:
        """The listing cache's profile: None for the default chain, kept apart from a profile
        called "default" (the chain may hold other credentials: the environment's, SSO's)."""
        return self.profile

    @property
    def profile_label(self) -> str:
        if self.many is not None:
            return self.many.label
        return self.profile if self.profile is not None else DEFAULT_CHAIN

    @property
    def cache_endpoint(self) -> str | None:
        """The simulator's port changes every run; its listings share one cache key."""
        return "demo" if self.demo else self.endpoint_url

    def child_env(self, keys: Keys | None = None) -> dict[str, str]:
        """The environment for a child (ssh and its ProxyCommand) that must reach this account
        (or, with `keys`, the Identity Center account those keys are for).

        Keys the app was given explicitly (the simulated account's per-run keys) travel in the
        environment only, never on a command line, where `ps` would show them."""
        env = dict(os.environ)
        keys = keys or self.credentials
        if keys:
            key, secret, token = keys
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = key, secret
            if token:
                env["AWS_SESSION_TOKEN"] = token
            else:
                env.pop("AWS_SESSION_TOKEN", None)
            if self.endpoint_url:
                # The explicit keys belong to this endpoint; STS must be asked there too.
                for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_STS"):
                    env[name] = self.endpoint_url
        return env


class Services:
    """The account's SpacesApi per region, made on first use; all closed together."""

    def __init__(self, account: Account, poll_interval: float) -> None:
        self.account = account
        self.poll_interval = poll_interval
        self._pool: SpacesPool | None = None
        self._accounts: AccountsApi | None = None  # with account.many
        self._opening: asyncio.Lock | None = None
        self._closes = 0  # how many times close() ran: a pool opened across one is stale

    async def get(self, region: str, account_id: str | None = None) -> SpacesApi:
        """The region's service; with several accounts, that of `account_id` (a space's)."""
        if self.account.many is not None:
            accounts = await self.accounts()
            if account_id is None:
                from ..aws.errors import AwsError

                raise AwsError("which account? highlight one of its spaces and try again", kind="validation")
            return accounts.of_account(account_id, region)
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:  # several regions ask at once on the first listing
            while self._pool is None:
                from ..aws.api import open_pool

                account, closes = self.account, self._closes
                pool = await asyncio.to_thread(
                    open_pool,
                    account.profile,
                    endpoint_url=account.endpoint_url,
                    credentials=account.credentials,
                    poll_interval=self.poll_interval,
                )
                if closes != self._closes:  # closed meanwhile (a profile switch): open afresh
                    await _quietly_closed(pool)
                    continue
                self._pool = pool
            return self._pool.get(region)

    async def accounts(self) -> AccountsApi:
        """Several accounts' services (account.many), opened on first use off the event loop."""
        many = self.account.many
        assert many is not None
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._accounts is None:
                from ..aws.api import open_accounts

                self._accounts = await asyncio.to_thread(
                    open_accounts,
                    many.profiles,
                    many.all_accounts,
                    endpoint_url=self.account.endpoint_url,
                    poll_interval=self.poll_interval,
                    demo_files=many.demo_files,
                )
            return self._accounts

    async def child_reach(self, account_id: str) -> tuple[str | None, dict[str, str]]:
        """The profile to name and the environment, for ssh to reach the account a space is in."""
        if self.account.many is None:
            return self.account.profile, self.account.child_env()
        profile, keys = await (await self.accounts()).child_reach(account_id)
        return profile, self.account.child_env(keys)

    @property
    def opened(self) -> bool:
        return self._pool is not None or self._accounts is not None

    async def close(self) -> None:
        """Close every client (their connections and sessions); the next `get` starts afresh."""
        pool, self._pool = self._pool, None
        accounts, self._accounts = self._accounts, None
        self._closes += 1
        for opened in (pool, accounts):
            if opened is not None:
                await _quietly_closed(opened)


async def _quietly_closed(pool: SpacesPool | AccountsApi) -> None:
    try:
        await pool.aclose()
    except Exception:  # closing is best effort: a client that failed to open has nothing to close
        pass
