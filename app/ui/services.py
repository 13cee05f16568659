"""The account the app works in, and the AWS layer for it (app.aws.api, one typed interface).

The services are made after the first frame, on a thread: making them imports aiobotocore and reads
the AWS config files, which the first paint must not wait for.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from ..aws.api import SpacesApi, SpacesPool

Keys = tuple[str, str, str | None]  # access key, secret key, session token
DEFAULT_CHAIN = "default chain"  # no profile: botocore's credential chain (environment, AWS_PROFILE, ...)


@dataclass
class Account:
    """Which AWS account, and how it is reached. `profile` and `credentials` change on a profile switch."""

    profile: str | None
    endpoint_url: str | None
    credentials: Keys | None  # keys handed in (the simulated account's), else the botocore chain's
    cache_profile: str | None = None  # "demo": the simulated account of --demo

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
        return self.profile if self.profile is not None else DEFAULT_CHAIN

    @property
    def cache_endpoint(self) -> str | None:
        """The simulator's port changes every run; its listings share one cache key."""
        return "demo" if self.demo else self.endpoint_url

    def child_env(self) -> dict[str, str]:
        """The environment for a child (ssh and its ProxyCommand) that must reach this account.

        Keys the app was given explicitly (the simulated account's per-run keys) travel in the
        environment only, never on a command line, where `ps` would show them."""
        env = dict(os.environ)
        if self.credentials:
            key, secret, token = self.credentials
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
        self._opening: asyncio.Lock | None = None
        self._closes = 0  # how many times close() ran: a pool opened across one is stale

    async def get(self, region: str) -> SpacesApi:
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

    @property
    def opened(self) -> bool:
        return self._pool is not None

    async def close(self) -> None:
        """Close every client (their connections and sessions); the next `get` starts afresh."""
        pool, self._pool = self._pool, None
        self._closes += 1
        if pool is not None:
            await _quietly_closed(pool)


async def _quietly_closed(pool: SpacesPool) -> None:
    try:
        await pool.aclose()
    except Exception:  # closing is best effort: a client that failed to open has nothing to close
        pass
