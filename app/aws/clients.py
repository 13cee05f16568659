"""aiobotocore sessions and clients.

An AwsSession is one profile's aiobotocore session: its credential chain, its view of the AWS config
files and the loader that reads service models. Every region's clients are made from it, so a
listing of all regions resolves credentials once and loads SageMaker's service model once.
`Clients` holds one region's clients (one per service), made on first use and reused until closed.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from .config_region import env_region
from .errors import AwsError, translate

Keys = tuple[str, str, str | None]  # access key, secret key, session token

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")

# Used only where the user's AWS config and environment set nothing (retry_mode / AWS_RETRY_MODE,
# max_attempts / AWS_MAX_ATTEMPTS): five attempts in all, as boto3's historical default, since a
# listing fans out into a burst of calls that a real account may throttle; and botocore's adaptive
# mode: standard mode's retries plus a client-side rate limiter that stays off until the service
# first throttles, then paces calls to the rate it accepts. AWS throttles List calls by rate, per
# operation: under standard mode alone, a 50-domain listing's burst against 5 calls/s spends
# botocore's retry quota on throttles within seconds and fails (BENCHMARKS.md, rate-limited listing).
DEFAULT_RETRY_MODE = "adaptive"
DEFAULT_MAX_ATTEMPTS = 5


def check_region(region: str) -> str:
    if not _REGION.match(region):
        raise AwsError(
            f"{region!r} is not an AWS region name (for example us-east-1, eu-west-1)",
            kind="validation",
            fix="--region us-east-1",
        )
    return region


def default_region(profile: str | None) -> str | None:
    """The region the AWS CLI would use: env vars, then the profile's config."""
    found = env_region()
    if found:
        return found
    from botocore.exceptions import ProfileNotFound
    from botocore.session import Session

    try:
        region = Session(profile=profile).get_config_variable("region")
    except ProfileNotFound:
        raise AwsError(
            f"AWS profile {profile!r} is not in your AWS config; see `aws configure list-profiles`",
            kind="credentials",
            fix="aws configure list-profiles",
        ) from None
    except Exception:  # a broken config is reported by the first real call
        return None
    return region if isinstance(region, str) else None


def fast_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, minus its cost for the epoch numbers awsJson1.1 sends.

    botocore converts each one with dateutil's tzlocal, and a listing of thousands of spaces
    carries several per space, which made parsing them a large part of a listing's CPU. The result
    is the same instant in the local zone; strings still go through botocore's own parser. Installed
    through the response parser factory's public defaults (as the AWS CLI sets its own).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).astimezone()
        except (OverflowError, OSError, ValueError):  # OSError would read as a network failure
            raise ValueError("timestamp out of range") from None
    from botocore.utils import parse_timestamp

    parsed: datetime = parse_timestamp(value)
    return parsed


class AwsSession:
    """One profile's aiobotocore session, shared by the clients of every region.

    With keys handed in (the in-process demo) they are passed to each client, in memory only, and the
    session serves only for its configuration and service models.
    """

    def __init__(
        self,
        profile: str | None = None,
        credentials: Keys | None = None,
        *,
        config_file: str | None = None,
        provider: Any = None,
    ) -> None:
        self.profile = profile
        self.credentials = credentials
        self.config_file = config_file  # another AWS config file than the user's (the demo's)
        # An aiobotocore credential provider in place of the profile's chain (an Identity Center
        # role's keys, sso.py); the profile then serves for its settings only.
        self.provider = provider
        self._session: Any = None
        self._loader_from: AwsSession | None = None

    @property
    def botocore(self) -> Any:
        """The aiobotocore session, made on first use (importing aiobotocore costs start-up time)."""
        if self._session is None:
            from aiobotocore.session import AioSession

            from .model_subset import use_cut_models

            session = AioSession(profile=None if self.credentials else self.profile)
            if self.config_file:
                session.set_config_variable("config_file", self.config_file)
            if self._loader_from is not None:
                # Service models already loaded are shared (botocore's public component registry).
                session.register_component(
                    "data_loader", self._loader_from.botocore.get_component("data_loader")
                )
            else:
                use_cut_models(session)
            if self.provider is not None:
                from aiobotocore.credentials import AioCredentialResolver

                session.register_component("credential_provider", AioCredentialResolver([self.provider]))
            session.get_component("response_parser_factory").set_parser_defaults(
                timestamp_parser=fast_timestamp
            )
            _default_unless_set(session, "retry_mode", DEFAULT_RETRY_MODE)
            _default_unless_set(session, "max_attempts", DEFAULT_MAX_ATTEMPTS)
            self._session = session
        return self._session

    def sharing_models(self, other: AwsSession) -> AwsSession:
        """This session, set to use `other`'s service models (loaded once for every account)."""
        self._loader_from = other
        return self

    def renewed(self) -> AwsSession:
        """A new session of the same profile (or keys): its credential chain is resolved again on
        first use, while service models already loaded are shared (botocore's public component
        registry), so a client made from it costs no model decoding."""
        fresh = AwsSession(
            self.profile, self.credentials, config_file=self.config_file, provider=self.provider
        )
        if self._session is not None:
            fresh.sharing_models(self)
        return fresh

    @property
    def retry_mode(self) -> str:
        """The retry mode every client of this session uses: the user's, else ours."""
        return str(self.botocore.get_config_variable("retry_mode"))

    @property
    def max_attempts(self) -> int:
        """Attempts per call, the first included: the user's max_attempts, else ours."""
        return int(self.botocore.get_config_variable("max_attempts"))

    async def available_regions(self, partition: str = "aws") -> list[str]:
        """Regions offering SageMaker, from botocore's bundled endpoint data (no network), read
        through this session's loader: the data its clients need anyway, loaded once."""
        regions = await self.botocore.get_available_regions("sagemaker", partition_name=partition)
        return sorted(regions)

    @property
    def uses_sso(self) -> bool:
        """Whether the profile logs in through IAM Identity Center (decides the fix we suggest)."""
        if self.credentials or self._session is None:
            return False
        try:
            config = self._session.get_scoped_config()
        except Exception:
            return False
        return bool(config.get("sso_session") or config.get("sso_start_url"))


def _default_unless_set(session: Any, name: str, value: object) -> None:
    """Make `value` the last link of botocore's lookup chain for the config variable `name`, after
    the session's instance variables, the environment and the profile: whatever the user set there
    still wins. botocore's smart defaults (`defaults_mode`) install their values the same way."""
    from botocore.configprovider import ChainProvider, ConstantProvider

    store = session.get_component("config_store")
    provider = store.get_config_provider(name)
    if isinstance(provider, ChainProvider):
        provider.set_default_provider(ConstantProvider(value))
    else:
        store.set_config_provider(name, ChainProvider(providers=[provider, ConstantProvider(value)]))


class Clients:
    """Lazily created, cached aiobotocore clients for one region and endpoint of an AwsSession."""

    def __init__(
        self,
        session: AwsSession,
        *,
        region: str,
        endpoint_url: str | None = None,
        max_pool: int = 32,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
    ) -> None:
        self.session = session
        self.region = check_region(region)
        self.endpoint_url = endpoint_url
        self._max_pool = max_pool
        self._timeouts = (connect_timeout, read_timeout)
        self._stack = AsyncExitStack()
        self._clients: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    async def get(self, service: str) -> Any:
        if service in self._clients:
            return self._clients[service]
        async with self._lock:
            if service not in self._clients:
                self._clients[service] = await self._create(service)
        return self._clients[service]

    async def _create(self, service: str) -> Any:
        from aiobotocore.config import AioConfig

        try:
            kwargs: dict[str, Any] = {}
            if self.session.credentials:
                key, secret, token = self.session.credentials
                kwargs.update(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
            # No `retries` here: the session's lookup chain supplies the mode and attempts (above).
            config = AioConfig(
                max_pool_connections=self._max_pool,
                connect_timeout=self._timeouts[0],
                read_timeout=self._timeouts[1],
                user_agent_extra="sm-spaces",
            )
            return await self._stack.enter_async_context(
                self.session.botocore.create_client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    config=config,
                    **kwargs,
                )
            )
        except Exception as exc:
            raise translate(exc, profile=self.session.profile, endpoint=self.endpoint_url) from None

    @property
    def timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds for every call."""
        return self._timeouts

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._clients.clear()
